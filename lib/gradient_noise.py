r"""How noisy is a mini-batch gradient?  Measured, and predicted exactly.

When the loss is a mean over :math:`N` samples, :math:`L = \frac1N\sum_i \ell_i`, the full
gradient is the mean of the per-sample gradients, :math:`\bar g = \frac1N \sum_i g_i`, and a
mini-batch :math:`\mathcal B` of :math:`B` samples estimates it by
:math:`\hat g_{\mathcal B} = \frac1B \sum_{i\in\mathcal B} g_i`.  The estimate is unbiased,
and its mean squared error is

.. math::

    \mathbb E\,\lVert \hat g_{\mathcal B} - \bar g \rVert^2
    = \frac{\operatorname{tr}\Sigma}{B}\cdot
      \begin{cases} \dfrac{N - B}{N - 1} & \text{samples drawn without replacement,} \\[1ex]
                    1 & \text{with replacement,} \end{cases}
    \qquad
    \operatorname{tr}\Sigma = \frac1N \sum_{i=1}^N \lVert g_i - \bar g \rVert^2 ,

the spread of the per-sample gradients divided by :math:`B`: its square root, the typical
error, shrinks like :math:`1/\sqrt B`.  Without replacement (an epoch's batches are pieces of
one permutation) the *finite-population correction* :math:`(N - B)/(N - 1)` makes the error
fall faster and vanish at :math:`B = N`; with replacement (``np.random.choice(N, B)``, as in
*Deep Learning from Scratch*) a batch of :math:`N` samples still repeats some and misses others.

This holds for any loss that is a mean of per-sample losses: the small regression of
:mod:`lib.regression`, and a :class:`lib.network.MultiLayerNet` without batch normalisation
(whose per-sample losses are coupled through the batch statistics) and without dropout.  A
gradient is passed in as a function ``grad_fn(idx) -> ndarray of shape (P,)`` of the indices of
the batch; :func:`network_gradient` makes one for a network.
"""

from typing import NamedTuple

import numpy as np

from lib import checks

__all__ = ["GradientNoise", "batch_covariance", "expected_noise", "gradient_noise",
           "network_gradient", "per_sample_gradients"]


def _batch_sizes(batch_sizes, n):
    """The batch sizes as a list of Python ints in [1, n]."""
    sizes = np.atleast_1d(batch_sizes).tolist()
    if not sizes:
        raise ValueError(f"batch_sizes must hold at least one batch size, got {batch_sizes!r}")
    return [checks.integer("batch_sizes", b, 1, n) for b in sizes]


def _factor(sizes, n, replacement):
    sizes = np.asarray(sizes, dtype=float)
    return np.ones_like(sizes) if replacement else (n - sizes) / (n - 1)


def per_sample_gradients(grad_fn, n):
    """Every sample's gradient, ``grad_fn(np.array([i]))`` for ``i < n``: shape (n, P)."""
    n = checks.integer("n", n, 2)
    return np.stack([np.asarray(grad_fn(np.array([i])), dtype=float).ravel() for i in range(n)])


def expected_noise(per_sample, batch_sizes, replacement=False):
    r""":math:`\mathbb E\lVert \hat g_{\mathcal B} - \bar g\rVert^2` for every batch size, exactly.

    Parameters
    ----------
    per_sample : array_like of shape (N, P)
        The gradient of every sample (row ``i`` is :math:`g_i`).
    batch_sizes : sequence of int
        Batch sizes :math:`B` in [1, N].
    replacement : bool
        Batches drawn with replacement (factor 1) or without (factor :math:`(N-B)/(N-1)`).

    Returns
    -------
    ndarray of shape (len(batch_sizes),)
    """
    g = checks.array("per_sample", per_sample, ndim=2)
    n = g.shape[0]
    if n < 2:
        raise ValueError(f"per_sample must hold at least two samples' gradients, got {n}")
    sizes = _batch_sizes(batch_sizes, n)
    trace = float(np.mean(np.sum((g - g.mean(axis=0)) ** 2, axis=1)))
    return trace / np.asarray(sizes, dtype=float) * _factor(sizes, n, replacement)


def batch_covariance(per_sample, batch_size, replacement=False):
    r"""The covariance matrix of :math:`\hat g_{\mathcal B}`: shape (P, P).

    :math:`\Sigma/B` times the factor of :func:`expected_noise`, with
    :math:`\Sigma = \frac1N\sum_i (g_i - \bar g)(g_i - \bar g)^\top`; ``per_sample`` of shape
    (N, P).  For small P (the two parameters of the regression): its ellipse is the cloud of
    mini-batch gradients.
    """
    g = checks.array("per_sample", per_sample, ndim=2)
    n = g.shape[0]
    if n < 2:
        raise ValueError(f"per_sample must hold at least two samples' gradients, got {n}")
    (b,) = _batch_sizes([batch_size], n)
    d = g - g.mean(axis=0)
    return d.T @ d / n / b * float(_factor([b], n, replacement)[0])


class GradientNoise(NamedTuple):
    """Measured and predicted noise of mini-batch gradients (see :func:`gradient_noise`).

    Every array has shape (len(batch_sizes),).
    """

    batch_sizes: np.ndarray  #: the batch sizes B
    measured: np.ndarray  #: mean of ||g_B - g||^2 over the repeats
    theory: np.ndarray  #: its exact expectation, for the sampling that was measured
    theory_with_replacement: np.ndarray  #: tr(Sigma) / B, the expectation with replacement
    full_norm: float  #: ||g||, the size of the full gradient, for scale


def gradient_noise(grad_fn, n, batch_sizes, repeats=100, seed=0, replacement=False,
                   per_sample=None):
    r"""Measure the mean squared error of mini-batch gradients, and compare with the theory.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(idx)`` -> the gradient of the mean loss over the samples ``idx`` (an index
        array of shape (B,)), as an array of any shape (flattened here).
    n : int
        The number of samples :math:`N`.
    batch_sizes : sequence of int
        Batch sizes in [1, N].
    repeats : int
        Batches drawn per batch size.
    seed : int
        Seeds the batches.
    replacement : bool
        Draw each batch with replacement (``rng.integers``) or without (the first :math:`B`
        entries of a fresh permutation, as an epoch's batches are).
    per_sample : array_like of shape (N, P), optional
        The per-sample gradients, if already known; otherwise computed with
        :func:`per_sample_gradients` (N calls of ``grad_fn``).

    Returns
    -------
    GradientNoise
    """
    n = checks.integer("n", n, 2)
    sizes = _batch_sizes(batch_sizes, n)
    repeats = checks.integer("repeats", repeats, 1)
    if per_sample is None:
        per_sample = per_sample_gradients(grad_fn, n)
    full = np.asarray(grad_fn(np.arange(n)), dtype=float).ravel()
    rng = np.random.default_rng(seed)
    measured = []
    for b in sizes:
        errors = []
        for _ in range(repeats):
            idx = rng.integers(0, n, b) if replacement else rng.permutation(n)[:b]
            d = np.asarray(grad_fn(idx), dtype=float).ravel() - full
            errors.append(float(d @ d))
        measured.append(np.mean(errors))
    return GradientNoise(
        batch_sizes=np.array(sizes),
        measured=np.array(measured),
        theory=expected_noise(per_sample, sizes, replacement),
        theory_with_replacement=expected_noise(per_sample, sizes, replacement=True),
        full_norm=float(np.linalg.norm(full)),
    )


def network_gradient(net, x, t):
    """A ``grad_fn(idx)`` for a network: its gradient on ``x[idx], t[idx]``, flattened.

    ``net``: e.g. a :class:`lib.network.MultiLayerNet` (without batch normalisation or dropout,
    whose gradients are not means of per-sample gradients); ``x`` of shape (N, D), ``t`` of
    shape (N,) or (N, C).  The gradient is computed in the network's dtype and returned as a
    float64 vector of all parameters, in the order of ``net.params``.
    """
    if getattr(net, "batchnorm", False) or getattr(net, "dropout", 0.0):
        raise ValueError("net must have neither batch normalisation nor dropout: their "
                         "gradients are not means of per-sample gradients")
    x, t = net.check_inputs(x, t)

    def grad_fn(idx):
        grads = net.gradient(x[idx], t[idx])
        return np.concatenate([np.asarray(g, dtype=float).ravel() for g in grads.values()])

    return grad_fn
