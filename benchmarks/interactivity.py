"""Interactivity: how fast every widget answers, and how long every chapter takes to run.

Every explorer listed in a ``lib.interactive`` submodule's ``EXPLORERS`` is called with
its controls' starting values (the state a chapter's widgets start in) and timed with what
a slider move costs: compute, draw the figure (Agg), close it.

Each chapter notebook is executed from top to bottom with nbclient, with the same guard
against the Output-widget stall that the book build uses.

``python -m benchmarks.interactivity`` times the explorers in a process of their own and
prints the results as JSON: a chapter's kernel holds the library, NumPy and matplotlib,
not PyTorch and scikit-learn's estimators, and every object a process holds makes
Python's occasional full garbage collection (a pause inside some redraw) longer.
"""

import runpy
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import lib.interactive  # noqa: E402
from benchmarks.timing import summarize  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def redraw(fn, kwargs):
    """One redraw: compute and draw a full figure, as a slider move does."""
    fig = fn(**kwargs)
    fig.canvas.draw()
    plt.close(fig)


def time_widgets(repeats=20):
    """Median and p95 of each explorer's redraw, from its controls' starting values."""
    results = {}
    for name, fn, make_controls in lib.interactive.explorers():
        kwargs = {key: control.value for key, control in make_controls().items()}
        redraw(fn, kwargs)  # warm caches (contour grids, fonts)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            redraw(fn, kwargs)
            times.append(time.perf_counter() - start)
        results[name] = summarize(times)
    return results


def time_chapters():
    """Seconds to execute each chapter notebook, kernel start-up included."""
    import nbformat
    from nbclient import NotebookClient

    runpy.run_path(str(ROOT / "book" / "_ext" / "execution_guard.py"))["patch_nbclient"]()
    results = {}
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        results[path.name] = time.perf_counter() - start
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(time_widgets()))
