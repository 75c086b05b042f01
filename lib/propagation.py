r"""How a signal's size travels through a deep stack of layers at initialisation.

Take a batch of inputs :math:`x_0` of shape (N, :math:`n_0`), here standard Gaussian, and
push it through :math:`L` layers without bias, :math:`x_l = f(x_{l-1} W_l)`, with weights
drawn by an initialiser.  Whether the network can learn depends on two numbers per layer:

- the **forward** spread, the standard deviation of the activations :math:`x_l`: if it
  shrinks geometrically the deep layers see (almost) constant inputs; if it grows they
  overflow or, for sigmoid and tanh, saturate;
- the **backward** spread: a gradient :math:`G = \partial L/\partial x_L` arriving at the
  top travels down the same layers (through :math:`W_l^\top` and :math:`f'`), and the weight
  gradients :math:`\partial L/\partial W_l = x_{l-1}^\top\,(\partial L/\partial a_l)` are
  made from both signals.

:func:`propagate` runs that experiment with the book's own layers
(:class:`lib.layers.Affine` and the activation layers of :mod:`lib.layers`) and
initialisers (:mod:`lib.initializers`), and returns a :class:`Propagation` with every
layer's activations and the per-layer statistics.  To make the backward pass concrete it
uses the loss :math:`L = \sum_{n,j} G_{nj}\,(x_L)_{nj}` with :math:`G` standard Gaussian, so
:math:`\partial L/\partial x_L = G` has standard deviation 1 at the top, just as the input
has standard deviation 1 at the bottom.  Only ratios between layers and between initialisers
matter; the absolute scale of :math:`G` is a convention.

Everything is float64, so that a signal that grows by a factor 7 per layer for 50 layers
(:math:`\approx 10^{42}`) is still a number.  If it still overflows, the statistics from that
layer on are inf or NaN, :attr:`Propagation.diverged_at` says where, and no warning escapes.

Example::

    prop = propagate("relu", "he", depth=50)
    prop.forward_std        # (51,): std of the input, then of every layer's activations
    prop.backward_std       # (51,): std of dL/dx_l, the last entry is the injected G
    prop.weight_grad_norm   # (50,): Frobenius norm of dL/dW_l
"""

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from lib import checks
from lib.initializers import draw_weights, get_initializer
from lib.layers import Affine, activation_layer, check_activation


def _widths(depth, width):
    """The depth + 1 widths (input, then every layer) from one width or a sequence of them."""
    if isinstance(width, numbers.Integral) and not isinstance(width, bool):
        return [checks.integer("width", width, 1)] * (depth + 1)
    try:
        widths = list(width)
    except TypeError:
        raise ValueError(
            f"width must be a positive integer or a sequence of {depth + 1} of them, "
            f"got {width!r}"
        ) from None
    if len(widths) != depth + 1:
        raise ValueError(
            f"width as a sequence must hold depth + 1 = {depth + 1} integers "
            f"(input width, then every layer's), got {width!r}"
        )
    return [checks.integer(f"width[{i}]", w, 1) for i, w in enumerate(widths)]


def std(a):
    r"""Standard deviation of all entries of ``a``, without overflow or warnings.

    Very large or very small entries are divided by their largest magnitude first, so that
    values whose squares would overflow (beyond about :math:`10^{154}`) or underflow (below
    about :math:`10^{-154}`) still give the right answer.

    Parameters
    ----------
    a : array_like of any shape

    Returns
    -------
    float
        inf if ``a`` holds an inf, NaN if it holds a NaN, 0.0 if it is empty.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        return 0.0
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        plain = float(np.std(a))
        if 1e-140 < plain < 1e140:  # squares neither overflowed nor underflowed
            return plain
        scale = float(np.max(np.abs(a)))
        if not np.isfinite(scale):
            return float("nan") if np.isnan(a).any() else float("inf")
        if scale == 0.0:
            return 0.0
        return scale * float(np.std(a / scale))


@dataclass(frozen=True)
class Propagation:
    r"""The result of :func:`propagate`: per-layer activations and statistics.

    Layer :math:`l` runs from 1 to ``depth``; index 0 of the per-activation arrays is the
    input.

    Attributes
    ----------
    activation : str
        The activation's name.
    init : str, float or callable
        The initialiser as given.
    widths : tuple of int, of length depth + 1
        The input width, then every layer's width.
    outputs : tuple of depth + 1 ndarrays
        ``outputs[0]`` is the input :math:`x_0`, of shape (N, ``widths[0]``); ``outputs[l]``
        the activations :math:`x_l` of layer :math:`l`, of shape (N, ``widths[l]``).
    forward_std : ndarray of shape (depth + 1,)
        Standard deviation of ``outputs[l]`` (all entries pooled).
    backward_std : ndarray of shape (depth + 1,), or None
        Standard deviation of :math:`\partial L/\partial x_l`; the last entry is that of the
        injected gradient :math:`G` (close to 1).  None without a backward pass.
    weight_grad_norm : ndarray of shape (depth,), or None
        :math:`\lVert \partial L/\partial W_l \rVert_F` for :math:`l = 1, \dots, L`, or None
        without a backward pass.
    weight_std : ndarray of shape (depth,)
        Standard deviation of the drawn :math:`W_l` (0 for zeros).
    diverged_at : int or None
        The first layer whose activations hold inf or NaN, or None.
    """

    activation: str
    init: str | float | Callable
    widths: tuple
    outputs: tuple
    forward_std: np.ndarray
    backward_std: np.ndarray | None
    weight_grad_norm: np.ndarray | None
    weight_std: np.ndarray
    diverged_at: int | None = None

    @property
    def depth(self):
        """Number of layers :math:`L`."""
        return len(self.widths) - 1

    @property
    def n_samples(self):
        """Number of input samples N."""
        return self.outputs[0].shape[0]

    def __repr__(self):
        return (
            f"Propagation(activation={self.activation!r}, init={self.init!r}, "
            f"depth={self.depth}, n_samples={self.n_samples}, "
            f"forward_std[-1]={self.forward_std[-1]:.3g}, "
            + ("" if self.backward_std is None else f"backward_std[0]={self.backward_std[0]:.3g}, ")
            + f"diverged_at={self.diverged_at})"
        )


def propagate(
    activation="relu", init="he", depth=5, width=100, n_samples=1000, seed=0, x=None, backward=True
):
    r"""Push Gaussian inputs through ``depth`` bias-free layers and a gradient back down.

    Parameters
    ----------
    activation : str, default "relu"
        A name of :data:`lib.activations.ACTIVATIONS` ("sigmoid", "tanh", "relu", ...).
    init : str, float or callable, default "he"
        An initialiser name, a standard deviation, or a callable ``(n_in, n_out, rng) -> W``
        (see :func:`lib.initializers.get_initializer`).
    depth : int, default 5
        The number of layers :math:`L \ge 1`.
    width : int or sequence of int, default 100
        Every layer's number of units, or a sequence of depth + 1 widths
        :math:`(n_0, n_1, \dots, n_L)` for a network whose width changes.
    n_samples : int, default 1000
        N, the number of standard Gaussian input rows (ignored when ``x`` is given).
    seed : int, default 0
        Seeds three independent streams: the inputs, the weights and the injected gradient,
        so the weights do not depend on ``n_samples``.
    x : array_like of shape (N, widths[0]), optional
        An input to use instead of the Gaussian one.
    backward : bool, default True
        Also run the backward pass (about two thirds of the work); when False,
        ``backward_std`` and ``weight_grad_norm`` are None.

    Returns
    -------
    Propagation

    Raises
    ------
    ValueError
        Naming the argument, for any argument out of its range.
    """
    check_activation(activation)
    init_fn = get_initializer(init)
    depth = checks.integer("depth", depth, 1)
    widths = _widths(depth, width)
    data_seq, weight_seq, grad_seq = np.random.SeedSequence(seed).spawn(3)
    if x is None:
        n_samples = checks.integer("n_samples", n_samples, 1)
        x = np.random.default_rng(data_seq).standard_normal((n_samples, widths[0]))
    else:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != widths[0] or x.shape[0] == 0:
            raise ValueError(f"x must have shape (N, {widths[0]}) with N >= 1, got {x.shape}")

    weight_rng = np.random.default_rng(weight_seq)
    layers = []
    for n_in, n_out in zip(widths[:-1], widths[1:], strict=False):
        W = draw_weights(init_fn, n_in, n_out, weight_rng)
        layers.append((Affine(W), activation_layer(activation)))

    outputs = [x]
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        h = x
        for affine, act in layers:
            h = act.forward(affine.forward(h))
            outputs.append(h)
        forward_std = np.array([std(o) for o in outputs])
        # std is inf or NaN exactly when the layer holds an inf or a NaN
        nonfinite = np.flatnonzero(~np.isfinite(forward_std))
        diverged_at = int(nonfinite[0]) if nonfinite.size else None

        backward_std = weight_grad_norm = None
        if backward:
            dout = np.random.default_rng(grad_seq).standard_normal(h.shape)
            backward_std, weight_grad_norm = [std(dout)], []
            for affine, act in reversed(layers):
                dout = affine.backward(act.backward(dout))
                backward_std.append(std(dout))
                weight_grad_norm.append(float(np.linalg.norm(affine.dW)))
            backward_std = np.array(backward_std[::-1])
            weight_grad_norm = np.array(weight_grad_norm[::-1])

    return Propagation(
        activation=activation,
        init=init,
        widths=tuple(widths),
        outputs=tuple(outputs),
        forward_std=forward_std,
        backward_std=backward_std,
        weight_grad_norm=weight_grad_norm,
        weight_std=np.array([std(affine.W) for affine, _ in layers]),
        diverged_at=diverged_at,
    )


#: Activations whose outputs have a fixed range.
BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}


def _finite(a):
    a = np.asarray(a, dtype=float).ravel()
    return a[np.isfinite(a)]


def value_range(activation, samples):
    """The range to draw ``activation``'s outputs over.

    Sigmoid: (0, 1); tanh: (-1, 1).  Unbounded activations follow the data: from 0 (ReLU) or
    the 0.5th percentile, to the 99.5th percentile of all ``samples`` together, so that
    layers drawn with one range can be compared.  ReLU's exact zeros are left out of the
    percentile.

    Parameters
    ----------
    activation : str
        A name of :data:`lib.activations.ACTIVATIONS`.
    samples : list of array_like, each of any shape
        E.g. several layers' activations.

    Returns
    -------
    (float, float)
        ``(lo, hi)`` with ``lo < hi``.
    """
    if activation in BOUNDED:
        return BOUNDED[activation]
    values = np.concatenate([_finite(np.asarray(s).ravel()[::7]) for s in samples] or [[]])
    if activation == "relu":
        values = values[values != 0]
    if values.size == 0:
        return (0.0, 1.0)
    lo = 0.0 if activation == "relu" else float(np.quantile(values, 0.005))
    hi = float(np.quantile(values, 0.995))
    if not hi > lo:
        hi = lo + max(abs(lo), 1e-12)
    return (lo, hi)


class Histogram(NamedTuple):
    """One layer's activations, counted: what a histogram panel draws and notes.

    Attributes
    ----------
    counts : ndarray of shape (bins,)
        Values per bin (for ReLU, the exact zeros are left out: they are ``zero_share``).
    edges : ndarray of shape (bins + 1,)
    std : float
        Standard deviation of the finite values, zeros included (NaN if there are none).
    zero_share : float or None
        For ReLU, the share of exact zeros (units switched off); None otherwise.
    overflow_share, outside_share : float
        Shares of the values that are not finite, and that fall outside the range.
    """

    counts: np.ndarray
    edges: np.ndarray
    std: float
    zero_share: float | None
    overflow_share: float
    outside_share: float


def histogram(values, activation, limits, bins=30):
    """Count one layer's activations ``values`` in ``bins`` bins over ``limits``.

    Nothing is dropped silently: values that overflowed, and values outside ``limits``, are
    counted apart.

    Parameters
    ----------
    values : array_like of any shape
        One layer's activations.
    activation : str
        A name of :data:`lib.activations.ACTIVATIONS`; for "relu" the exact zeros are
        counted apart.
    limits : (float, float)
        The range ``(lo, hi)``, e.g. from :func:`value_range`.
    bins : int, default 30

    Returns
    -------
    Histogram
    """
    v = np.asarray(values, dtype=float).ravel()
    n = max(v.size, 1)
    v = v[np.isfinite(v)]
    overflow = 1.0 - v.size / n
    spread = std(v) if v.size else float("nan")  # of every finite value, zeros included
    zero_share = None
    if activation == "relu" and v.size:
        nonzero = v[v != 0]
        zero_share = 1.0 - nonzero.size / v.size
        v = nonzero
    counts, edges = np.histogram(v, bins=bins, range=limits)
    return Histogram(
        counts=counts,
        edges=edges,
        std=spread,
        zero_share=zero_share,
        overflow_share=overflow,
        outside_share=(v.size - int(counts.sum())) / n,
    )
