r"""A loss with two minima: which one gradient descent finds depends on the start and the step.

The tilted double well

.. math::

    f(w) = (w^2 - 1)^2 + a\,w, \qquad f'(w) = 4w(w^2 - 1) + a, \qquad f''(w) = 12 w^2 - 4,

has, for a small tilt :math:`0 < a < 8/(3\sqrt3) \approx 1.54`, a *global* minimum near
:math:`w = -1`, a *local* one near :math:`w = +1` (higher by about :math:`2a`) and a maximum
near 0 between them.  Gradient descent :math:`w \leftarrow w - \eta\,(f'(w) + \sigma\xi)`
(:math:`\xi` standard normal, :math:`\sigma` = ``noise``) is run here for many starts and
learning rates at once, as NumPy arrays: :func:`descend` gives the paths, :func:`basin_map`
which minimum every (start, learning rate) pair ends in.
"""

import numpy as np

from lib import checks

__all__ = ["BOUND", "DIVERGED", "basin_map", "critical_points", "descend", "double_well",
           "double_well_grad"]

#: A run whose :math:`|w|` exceeds this has diverged: its later iterates are NaN.
BOUND = 10.0
#: The code :func:`basin_map` gives a diverged run.
DIVERGED = -1


def _tilt(tilt):
    return checks.number("tilt", tilt, 0.0, 1.5)


def double_well(w, tilt=0.3):
    """:math:`f(w) = (w^2 - 1)^2 + a w` for a float or an array ``w`` (any shape)."""
    a = _tilt(tilt)
    return (w * w - 1.0) ** 2 + a * w


def double_well_grad(w, tilt=0.3):
    """:math:`f'(w) = 4w(w^2 - 1) + a`, the same shape as ``w``."""
    a = _tilt(tilt)
    return 4.0 * w * (w * w - 1.0) + a


def critical_points(tilt=0.3):
    r"""The three real roots of :math:`f'`: ``(global minimum, maximum, local minimum)``.

    Python floats, in increasing order of :math:`w`; curvature :math:`f'' = 12w^2 - 4` at each.
    """
    a = _tilt(tilt)
    roots = np.sort(np.roots([4.0, 0.0, -4.0, a]).real)
    return tuple(float(r) for r in roots)


def descend(starts, lrs, steps=100, tilt=0.3, noise=0.0, seed=0):
    r"""Gradient descent on the double well from every start with every learning rate.

    Parameters
    ----------
    starts, lrs : array_like
        Starting points :math:`w_0` and learning rates :math:`\eta > 0`, broadcastable against
        each other (e.g. a column of starts and a row of learning rates).
    steps : int
        Number of updates.
    tilt : float
        :math:`a` in [0, 1.5].
    noise : float
        :math:`\sigma \ge 0`, the standard deviation of Gaussian noise added to every gradient
        (seeded by ``seed``; every run gets its own draws).

    Returns
    -------
    ndarray of shape (steps + 1, *broadcast shape)
        Entry ``[k, ...]`` is :math:`w_k`.  A run whose :math:`|w|` passes :data:`BOUND` is NaN
        from there on.
    """
    w = checks.array("starts", starts)
    lr = checks.array("lrs", lrs)
    if np.any(lr <= 0):
        raise ValueError(f"lrs must be numbers in (0, inf), got {lrs!r}")
    steps = checks.integer("steps", steps, 0)
    a = _tilt(tilt)
    noise = checks.non_negative("noise", noise)
    w, lr = np.broadcast_arrays(w, lr)
    rng = np.random.default_rng(seed)
    path = np.full((steps + 1, *w.shape), np.nan)
    w = w.astype(float).copy()
    path[0] = w
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            g = 4.0 * w * (w * w - 1.0) + a
            if noise:
                g = g + noise * rng.standard_normal(w.shape)
            w = w - lr * g
            w = np.where(np.abs(w) <= BOUND, w, np.nan)  # diverged (NaN stays NaN)
            path[k] = w
    return path


def basin_map(starts, lrs, steps=200, tilt=0.3):
    """Which minimum gradient descent ends in, for every (start, learning rate) pair.

    ``starts`` of shape (n,), ``lrs`` of shape (m,).  Returns an int array of shape (m, n)
    (rows follow the learning rate): 0 for the global minimum, 1 for the local one,
    :data:`DIVERGED` for a run that left, and 2 for a run still more than 0.1 from both
    minima after ``steps`` updates (it oscillates or wanders).
    """
    starts = checks.array("starts", starts, ndim=1)
    lrs = checks.array("lrs", lrs, ndim=1)
    final = descend(starts[None, :], lrs[:, None], steps=steps, tilt=tilt)[-1]
    left, _, right = critical_points(tilt)
    code = np.full(final.shape, 2, dtype=int)
    code[np.abs(final - left) < 0.1] = 0
    code[np.abs(final - right) < 0.1] = 1
    code[np.isnan(final)] = DIVERGED
    return code
