"""Timing on noisy machines: interleaved repeats, minimum and median.

Background load on a shared two-core machine comes and goes.  Timing candidate A ten
times and then candidate B ten times lets a burst of load fall on one of them only; so
every repeat runs each candidate once, in turn, and we report the minimum (the best the
code can do) and the median (what a reader will typically see).
"""

import time

import numpy as np


def interleaved(candidates, repeats=7, warmup=1):
    """Time every candidate ``repeats`` times, round-robin.

    candidates: dict name -> zero-argument callable.
    Returns dict name -> {"min": s, "median": s, "p95": s, "runs": [s, ...]}.
    """
    for fn in candidates.values():
        for _ in range(warmup):
            fn()
    runs = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - start)
    return {name: summarize(times) for name, times in runs.items()}


def summarize(times):
    """Minimum, median and 95th percentile of a list of durations in seconds."""
    times = np.asarray(times, dtype=float)
    return {
        "min": float(times.min()),
        "median": float(np.median(times)),
        "p95": float(np.percentile(times, 95)),
        "runs": [float(t) for t in times],
    }


def fmt_seconds(seconds):
    """Human-readable duration: '412 µs', '12.3 ms', '1.85 s'."""
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def table(header, rows):
    """A Markdown table (so the README can include the output as it is)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
