r"""Repeat an experiment over seeds: the spread that a claim about training must survive.

A training run depends on its seed (the initial weights, the order of the mini-batches, the
dropout masks), and, through rounding, on the machine: two CPUs whose matrix-product kernels
round the last bit differently start two runs apart by :math:`10^{-7}`, and training, which is
chaotic, can grow that into a visibly different curve.  A statement such as "Adam ends below
SGD" is therefore a statement about a *distribution* of runs.  The book makes it only when it
holds for every one of several seeds, or for a statistic whose margin is several times the
spread between seeds, and it quotes the spread ("0.12 to 0.16 over five seeds")::

    def final_loss(seed):
        net = MultiLayerNet([64, 100, 10], seed=seed)
        return train(net, Adam(), data, epochs=5, seed=seed, evaluate=False).loss[-1]

    losses = over_seeds(final_loss, seeds=range(5))   # five runs, two at a time
    print(f"final loss {spread(losses)} over five seeds")

:func:`over_seeds` runs the seeds in parallel processes with joblib, so five seeds cost about
what two or three cost on a two-core machine; the result is the same as a plain loop, because
every run depends on its seed alone.
"""

import os
from dataclasses import dataclass

import numpy as np

from lib import checks

__all__ = ["SEEDS", "Spread", "over_seeds", "spread"]

#: The seeds every chapter repeats its training experiments over.
SEEDS = tuple(range(5))


def over_seeds(fn, seeds=SEEDS, settings=None, n_jobs=None, **kwargs):
    """Run ``fn`` once per seed (and per setting), in parallel; return the results in order.

    Parameters
    ----------
    fn : callable
        ``fn(seed=s, **kwargs)``, or ``fn(setting, seed=s, **kwargs)`` when ``settings`` is
        given.  Defined in a module or a notebook (joblib sends it to the worker processes
        with cloudpickle).
    seeds : iterable of int
        The seeds, default :data:`SEEDS`.
    settings : iterable, optional
        Values for ``fn``'s first argument (update rules, learning rates, ...): every
        (setting, seed) pair is one run, and all runs share the processes.
    n_jobs : int, optional
        Processes to use; default one per core, at most one per run.  1 runs in this process.
    **kwargs
        Passed to every call.

    Returns
    -------
    list or dict
        Without ``settings``: ``[fn(seed=s, **kwargs) for s in seeds]``.  With them:
        ``{setting: [fn(setting, seed=s, **kwargs) for s in seeds]}``.  The values are the
        same whatever ``n_jobs`` is: every run depends on its arguments alone.
    """
    seeds = [checks.integer("seed", s, 0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got none")
    if settings is None:
        calls = [((), s) for s in seeds]
    else:
        settings = list(settings)
        if not settings:
            raise ValueError("settings must hold at least one setting, got none")
        calls = [((setting,), s) for setting in settings for s in seeds]
    if n_jobs is None:
        n_jobs = min(len(calls), os.cpu_count() or 1)
    n_jobs = checks.integer("n_jobs", n_jobs, 1)
    if n_jobs == 1:
        results = [fn(*args, seed=s, **kwargs) for args, s in calls]
    else:
        from joblib import Parallel, delayed  # only a parallel run needs it

        results = Parallel(n_jobs=n_jobs)(delayed(fn)(*args, seed=s, **kwargs) for args, s in calls)
    if settings is None:
        return results
    n = len(seeds)
    return {setting: results[i * n : (i + 1) * n] for i, setting in enumerate(settings)}


@dataclass(frozen=True)
class Spread:
    """The values one quantity took over several seeds, and how to quote them.

    ``f"{s}"`` gives ``"0.12 to 0.16"`` (formatted with ``.2g``); ``f"{s:.1%}"`` gives
    ``"97.5% to 98.6%"``: the format spec applies to both ends.

    Attributes
    ----------
    values : ndarray of shape (n_seeds,)
        The quantity for every seed, in seed order.
    """

    values: np.ndarray

    @property
    def min(self):
        """The smallest value, a float."""
        return float(np.min(self.values))

    @property
    def max(self):
        """The largest value, a float."""
        return float(np.max(self.values))

    @property
    def median(self):
        """The median over the seeds, a float."""
        return float(np.median(self.values))

    @property
    def width(self):
        """``max - min``, the spread between seeds."""
        return self.max - self.min

    def __len__(self):
        return len(self.values)

    def __format__(self, spec):
        spec = spec or ".2g"
        return f"{self.min:{spec}} to {self.max:{spec}}"

    def __str__(self):
        return format(self)

    def __repr__(self):
        return f"Spread({self} over {len(self)} seeds)"


def spread(values):
    """The :class:`Spread` of ``values``, one number per seed.

    Parameters
    ----------
    values : array_like of shape (n_seeds,)

    Returns
    -------
    Spread

    Raises
    ------
    ValueError
        For an empty sequence or non-finite values: a diverged run has no final loss to
        quote (count such runs instead).
    """
    values = checks.array("values", values, ndim=1, finite=True)
    if values.size == 0:
        raise ValueError("values must hold one number per seed, got an empty array")
    return Spread(values.copy())
