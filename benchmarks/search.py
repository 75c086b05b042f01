"""Hyperparameter search: trials per second, serially and on two processes.

A search of the chapter on hyperparameter search (:func:`lib.tuning.digits_objective`, one
hidden layer of 50 units, random learning rates and weight decays) is timed with ``n_jobs=1``
and ``n_jobs=2``.  The trials are the same either way (the benchmark checks it); only the
wall time differs.  The two-process search reuses joblib's worker processes, which are
started once before timing, as they are in a chapter after its first search.
"""

import time

from lib.search import LogUniform, random_search
from lib.tuning import digits_objective

SPACE = {"lr": LogUniform(1e-3, 1.0), "weight_decay": LogUniform(1e-8, 1e-4)}


def time_search(n_jobs, n_trials=48, epochs=10, seed=0):
    """Seconds for one search, and its scores."""
    objective = digits_objective()
    start = time.perf_counter()
    result = random_search(objective, SPACE, n_trials=n_trials, budget=epochs, seed=seed,
                           n_jobs=n_jobs)
    return time.perf_counter() - start, [t.score for t in result.trials]


def trials_per_second(repeats=3, n_trials=48, epochs=10):
    """Trials per second for ``n_jobs`` 1 and 2, interleaved; the best of ``repeats``.

    Returns
    -------
    dict
        ``{"serial": trials/s, "n_jobs=2": trials/s, "speed-up": ratio, "n_trials": ...,
        "epochs": ...}``.
    """
    time_search(2, n_trials=4, epochs=1)  # start the worker processes
    best = {1: float("inf"), 2: float("inf")}
    scores = {}
    for _ in range(repeats):
        for n_jobs in (1, 2):
            seconds, scores[n_jobs] = time_search(n_jobs, n_trials, epochs)
            best[n_jobs] = min(best[n_jobs], seconds)
    if scores[1] != scores[2]:
        raise AssertionError("the serial and the parallel search gave different trials")
    return {"serial": n_trials / best[1], "n_jobs=2": n_trials / best[2],
            "speed-up": best[1] / best[2], "n_trials": n_trials, "epochs": epochs}
