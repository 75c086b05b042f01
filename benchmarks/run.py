"""Run every benchmark, print Markdown tables and write a JSON file of the results.

Usage (from the repository root; ``make bench`` does this):

    .venv/bin/python -m benchmarks.run [--repeats N] [--only training,updates,interactive,search]

Results go to ``benchmarks/results/latest.json`` with the machine's core count, the
NumPy/BLAS configuration (threadpoolctl) and the library versions.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import training, update_rules
from .timing import fmt_seconds, interleaved, table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def have_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def machine():
    """Cores, BLAS configuration and versions, for the record."""
    import sklearn
    from threadpoolctl import threadpool_info

    info = {
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "blas": threadpool_info(),
    }
    if have_torch():
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    return info


def run_training(repeats):
    from lib.datasets import load_digits

    (xd, td), _ = load_digits()
    sets = {"digits (1,438 x 64)": (xd, td), "synthetic (60,000 x 784)": training.synthetic()}
    results, rows = {}, []
    for data_name, (x, t) in sets.items():
        for rule in ("sgd", "adam"):
            reps = repeats if len(x) > 10_000 else repeats * 3
            res = interleaved(training.candidates(x, t, rule, have_torch()), repeats=reps)
            results[f"{data_name} / {rule}"] = res
            floor = min(res["GEMM floor"]["min"], res["GEMM floor x2"]["min"])
            for name, r in res.items():
                rows.append([data_name, rule.upper(), name, fmt_seconds(r["min"]),
                             fmt_seconds(r["median"]), f"{r['min'] / floor:.2f}x"])
    print("\n### Training: one epoch, 5x100 ReLU, batch 100, float32\n")
    print("(x2: two BLAS threads; torch x1: one PyTorch thread; "
          "the ratio is to the faster floor)\n")
    print(table(["data", "rule", "implementation", "min", "median", "min / best GEMM floor"],
                rows))
    return results


def run_updates(repeats):
    from lib.optimizers import OPTIMIZERS

    results, rows = {}, []
    torch_ok = have_torch()
    for total in (1_000_000, 10_000_000):
        cands = {"copyto": update_rules.copy_floor(total)}
        for name in OPTIMIZERS:
            cands[f"lib {name}"] = update_rules.lib_update(name, total)
            if torch_ok:
                cands[f"torch {name}"] = update_rules.torch_update(name, total, foreach=False)
                cands[f"torch-foreach {name}"] = update_rules.torch_update(name, total, True)
        res = interleaved(cands, repeats=repeats)
        results[str(total)] = res
        copy = res["copyto"]["min"]
        for name in OPTIMIZERS:
            floor = copy * update_rules.STREAMS[name] / 2
            lib_t = res[f"lib {name}"]["min"]
            torch_t = res.get(f"torch {name}", {}).get("min")
            foreach_t = res.get(f"torch-foreach {name}", {}).get("min")
            rows.append([f"{total / 1e6:.0f} M", name, fmt_seconds(lib_t),
                         f"{lib_t / floor:.2f}x", fmt_seconds(torch_t),
                         f"{lib_t / torch_t:.2f}x" if torch_t else "—",
                         fmt_seconds(foreach_t)])
    print("\n### Update rules: one update, float32 parameters in ten arrays (minimum)\n")
    print(table(["params", "rule", "lib", "lib / memory floor", "torch for-loop",
                 "lib / torch for-loop", "torch foreach"], rows))
    return results


def run_interactive():
    from . import interactivity

    out = subprocess.run([sys.executable, "-m", "benchmarks.interactivity"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    widgets = json.loads(out)
    rows = [[name, fmt_seconds(r["median"]), fmt_seconds(r["p95"])] for name, r in widgets.items()]
    print("\n### Widgets: compute and draw (Agg), 20 calls\n")
    print(table(["function", "median", "p95"], rows))
    chapters = interactivity.time_chapters()
    print("\n### Chapters: execution from top to bottom\n")
    print(table(["notebook", "seconds"], [[k, f"{v:.1f}"] for k, v in chapters.items()]))
    return {"widgets": widgets, "chapters": chapters}


def run_search(repeats):
    from . import search

    result = search.trials_per_second(repeats=max(1, repeats // 2))
    print(f"\n### Hyperparameter search: trials per second ({result['n_trials']} trials of "
          f"{result['epochs']} epochs on the digits)\n")
    print(table(["serial", "n_jobs=2", "speed-up"],
                [[f"{result['serial']:.1f}", f"{result['n_jobs=2']:.1f}",
                  f"{result['speed-up']:.2f}x"]]))
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repeats (default 5)")
    parser.add_argument("--only", default="training,updates,interactive,search",
                        help="comma-separated sections to run")
    args = parser.parse_args(argv)
    sections = set(args.only.split(","))
    unknown = sections - {"training", "updates", "interactive", "search"}
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; "
                     "choose from training, updates, interactive, search")

    report = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "machine": machine()}
    print(f"{report['machine']['cores']} cores, NumPy {np.__version__}, "
          f"PyTorch {report['machine'].get('torch', 'not installed: its rows are skipped')}")
    if "training" in sections:
        report["training"] = run_training(args.repeats)
    if "updates" in sections:
        report["updates"] = run_updates(args.repeats)
    if "interactive" in sections:
        report["interactive"] = run_interactive()
    if "search" in sections:
        report["search"] = run_search(args.repeats)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(json.dumps(report, indent=1))
    print(f"\nResults written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
