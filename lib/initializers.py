r"""Weight initialisers.

Each initialiser returns a float64 weight matrix of shape ``(n_in, n_out)`` drawn with the
``np.random.Generator`` passed in (the network casts it to its own dtype). The scale is what
matters: it decides whether the signal keeps its size as it travels through the layers.

| name | distribution | std | suited to |
|---|---|---|---|
| ``zeros`` | all 0 | 0 | nothing: every unit stays identical (symmetry never breaks) |
| ``normal`` | $\mathcal N(0, s^2)$ | ``std`` (0.01 by default) | shows vanishing signals |
| ``uniform`` | $U(-a, a)$ | $a/\sqrt3$ (``limit`` $a$ = 0.05) | — |
| ``xavier_normal``, ``xavier`` | normal | $\sqrt{2/(n_\text{in}+n_\text{out})}$ | sigmoid, tanh |
| ``xavier_uniform`` | $U(-a, a)$, $a = \sqrt{6/(n_\text{in}+n_\text{out})}$ | same | same |
| ``he`` | normal | $\sqrt{2/n_\text{in}}$ | ReLU family |
| ``lecun`` | normal | $\sqrt{1/n_\text{in}}$ | SELU |

Glorot & Bengio (2010) proposed the Xavier formulas; He et al. (2015) the ReLU one; LeCun
et al. (1998) the $1/n_\text{in}$ one. What *Deep Learning from Scratch* calls "Xavier"
($1/\sqrt{n}$ with $n$ the number of inputs) is LeCun's formula.
"""

import numbers
from functools import partial

import numpy as np


def zeros(n_in, n_out, rng=None):
    """All-zero weights (n_in, n_out). ``rng`` is accepted for a uniform signature and unused."""
    return np.zeros((n_in, n_out))


def normal(n_in, n_out, rng, std=0.01):
    r"""$W_{ij} \sim \mathcal N(0, \mathrm{std}^2)$; shape (n_in, n_out)."""
    return std * rng.standard_normal((n_in, n_out))


def uniform(n_in, n_out, rng, limit=0.05):
    r"""$W_{ij} \sim U(-\mathrm{limit}, \mathrm{limit})$; shape (n_in, n_out)."""
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def xavier_normal(n_in, n_out, rng):
    r"""Glorot normal: std $\sqrt{2 / (n_\text{in} + n_\text{out})}$."""
    return normal(n_in, n_out, rng, std=np.sqrt(2.0 / (n_in + n_out)))


def xavier_uniform(n_in, n_out, rng):
    r"""Glorot uniform: limit $\sqrt{6 / (n_\text{in} + n_\text{out})}$; same variance."""
    return uniform(n_in, n_out, rng, limit=np.sqrt(6.0 / (n_in + n_out)))


def he(n_in, n_out, rng):
    r"""He (Kaiming) normal: std $\sqrt{2 / n_\text{in}}$; the 2 makes up for ReLU's zeroed half."""
    return normal(n_in, n_out, rng, std=np.sqrt(2.0 / n_in))


def lecun(n_in, n_out, rng):
    r"""LeCun normal: std $\sqrt{1 / n_\text{in}}$."""
    return normal(n_in, n_out, rng, std=np.sqrt(1.0 / n_in))


INITIALIZERS = {
    "zeros": zeros,
    "normal": normal,
    "uniform": uniform,
    "xavier": xavier_normal,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he": he,
    "lecun": lecun,
}


def draw_weights(init_fn, n_in, n_out, rng, dtype=np.float64):
    """Weights of shape (n_in, n_out) and type ``dtype`` from ``init_fn(n_in, n_out, rng)``.

    init_fn: a function from :func:`get_initializer`.  A function of the reader's own that
    returns another shape raises a ValueError naming ``init``.
    """
    W = np.asarray(init_fn(n_in, n_out, rng), dtype=dtype)
    if W.shape != (n_in, n_out):
        raise ValueError(f"init must give weights of shape {(n_in, n_out)}, got {W.shape}")
    return W


def get_initializer(init):
    """Turn ``init`` into a function ``(n_in, n_out, rng) -> W`` of shape (n_in, n_out).

    init: a name from ``INITIALIZERS``; a positive number, used as the standard deviation of
    normally distributed weights (``MultiLayerNet(init=0.01)``); or such a function, returned
    as it is. Raises ValueError naming ``init`` otherwise.
    """
    if callable(init):
        return init
    if isinstance(init, str):
        if init not in INITIALIZERS:
            raise ValueError(
                f"unknown init {init!r}; choose one of: {', '.join(INITIALIZERS)}, "
                "or a positive number (the weights' standard deviation)"
            )
        return INITIALIZERS[init]
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        if not (init > 0 and np.isfinite(init)):
            raise ValueError(f"init as a number is a standard deviation, > 0; got {init}")
        return partial(normal, std=float(init))
    raise ValueError(
        f"init must be a name ({', '.join(INITIALIZERS)}), a positive number or a function "
        f"(n_in, n_out, rng) -> W, got {init!r}"
    )
