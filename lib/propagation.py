r"""How a signal's size travels through a deep stack of layers at initialisation.

Take a batch of inputs $x_0$ (N, $n_0$), here standard Gaussian, and push it through $L$
layers without bias, $x_l = f(x_{l-1} W_l)$, with weights drawn by an initialiser. Whether
the network can learn depends on two numbers per layer:

- the **forward** spread, the standard deviation of the activations $x_l$: if it shrinks
  geometrically the deep layers see (almost) constant inputs; if it grows they overflow or,
  for sigmoid and tanh, saturate;
- the **backward** spread: a gradient $G = \partial L/\partial x_L$ arriving at the top
  travels down the same layers (through $W_l^\top$ and $f'$), and the weight gradients
  $\partial L/\partial W_l = x_{l-1}^\top\,(\partial L/\partial a_l)$ are made from both signals.

:func:`propagate` runs that experiment with the book's own layers
(:class:`lib.layers.Affine` and the activation layers of :mod:`lib.layers`) and
initialisers (:mod:`lib.initializers`), and returns a :class:`Propagation` with every
layer's activations and the per-layer statistics. To make the backward pass concrete it
uses the loss $L = \sum_{n,j} G_{nj}\,(x_L)_{nj}$ with $G$ standard Gaussian, so
$\partial L/\partial x_L = G$ has standard deviation 1 at the top, just as the input has
standard deviation 1 at the bottom. Only ratios between layers and between initialisers
matter; the absolute scale of $G$ is a convention.

Everything is float64, so that a signal that grows by a factor 7 per layer for 50 layers
($\approx 10^{42}$) is still a number. If it still overflows, the statistics from that layer
on are inf or NaN, :attr:`Propagation.diverged_at` says where, and no warning escapes.

Example::

    prop = propagate("relu", "he", depth=50)
    prop.forward_std        # (51,): std of the input, then of every layer's activations
    prop.backward_std       # (51,): std of dL/dx_l, the last entry is the injected G
    prop.weight_grad_norm   # (50,): Frobenius norm of dL/dW_l
"""

import numbers
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional, Union

import numpy as np

from lib.initializers import draw_weights, get_initializer
from lib.layers import ACTIVATION_LAYERS, Affine, check_activation


def _widths(depth, width):
    if not (isinstance(depth, numbers.Integral) and not isinstance(depth, bool) and depth >= 1):
        raise ValueError(f"depth must be an integer >= 1, got {depth!r}")
    if isinstance(width, numbers.Integral) and not isinstance(width, bool):
        widths = [int(width)] * (depth + 1)
    else:
        try:
            widths = [int(w) for w in width]
        except TypeError:
            raise ValueError(
                f"width must be a positive integer or a sequence of {depth + 1} of them, "
                f"got {width!r}"
            ) from None
        if len(widths) != depth + 1 or any(w != v for w, v in zip(widths, width)):
            raise ValueError(
                f"width as a sequence must hold depth + 1 = {depth + 1} integers "
                f"(input width, then every layer's), got {width!r}"
            )
    if min(widths) < 1:
        raise ValueError(f"width must be positive, got {width!r}")
    return widths


def std(a):
    """Standard deviation of all entries of ``a`` (any shape), without overflow or warnings.

    Very large or very small entries are divided by their largest magnitude first, so that
    values whose squares would overflow (beyond about $10^{154}$) or underflow (below about
    $10^{-154}$) still give the right answer.
    Returns inf if ``a`` holds an inf, NaN if it holds a NaN, 0.0 if it is empty.
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

    Layer $l$ runs from 1 to ``depth``; index 0 of the per-activation arrays is the input.

    activation: the activation's name; init: the initialiser as given.
    widths: (depth + 1,) the input width, then every layer's width.
    outputs: tuple of depth + 1 arrays; ``outputs[0]`` is the input $x_0$ (N, widths[0]),
        ``outputs[l]`` the activations $x_l$ (N, widths[l]) of layer $l$.
    forward_std: (depth + 1,) standard deviation of ``outputs[l]`` (all entries pooled).
    backward_std: (depth + 1,) standard deviation of $\partial L/\partial x_l$; the last
        entry is that of the injected gradient $G$ (close to 1). None without a backward pass.
    weight_grad_norm: (depth,) $\lVert \partial L/\partial W_l \rVert_F$ for $l = 1..L$,
        or None without a backward pass.
    weight_std: (depth,) standard deviation of the drawn $W_l$ (0 for zeros).
    diverged_at: the first layer whose activations hold inf or NaN, or None.
    """

    activation: str
    init: Union[str, float, Callable]
    widths: tuple
    outputs: tuple
    forward_std: np.ndarray
    backward_std: Optional[np.ndarray]
    weight_grad_norm: Optional[np.ndarray]
    weight_std: np.ndarray
    diverged_at: Optional[int] = None

    @property
    def depth(self):
        """Number of layers $L$."""
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

    activation: a name from ``lib.layers.ACTIVATION_LAYERS`` ('sigmoid', 'tanh', 'relu', ...).
    init: an initialiser name, a standard deviation, or a callable ``(n_in, n_out, rng) -> W``
        (see :func:`lib.initializers.get_initializer`).
    depth: the number of layers $L \ge 1$.
    width: every layer's number of units, or a sequence of depth + 1 widths
        $(n_0, n_1, \dots, n_L)$ for a network whose width changes.
    n_samples: N, the number of standard Gaussian input rows (ignored when ``x`` is given).
    seed: seeds three independent streams: the inputs, the weights and the injected
        gradient, so the weights do not depend on ``n_samples``.
    x: optional input of shape (N, widths[0]) instead of the Gaussian one.
    backward: also run the backward pass (about two thirds of the work); when False,
        ``backward_std`` and ``weight_grad_norm`` are None.

    Returns a :class:`Propagation`.
    """
    check_activation(activation)
    init_fn = get_initializer(init)
    widths = _widths(depth, width)
    data_seq, weight_seq, grad_seq = np.random.SeedSequence(seed).spawn(3)
    if x is None:
        if not (isinstance(n_samples, numbers.Integral) and n_samples >= 1):
            raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}")
        x = np.random.default_rng(data_seq).standard_normal((int(n_samples), widths[0]))
    else:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != widths[0] or x.shape[0] == 0:
            raise ValueError(f"x must have shape (N, {widths[0]}) with N >= 1, got {x.shape}")

    weight_rng = np.random.default_rng(weight_seq)
    layers = []
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        W = draw_weights(init_fn, n_in, n_out, weight_rng)
        layers.append((Affine(W), ACTIVATION_LAYERS[activation]()))

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
    """The range to draw ``activation``'s outputs over: a tuple ``(lo, hi)``.

    Sigmoid: (0, 1); tanh: (-1, 1).  Unbounded activations follow the data: from 0 (ReLU) or
    the 0.5th percentile, to the 99.5th percentile of all ``samples`` together (a list of
    arrays of any shape, e.g. several layers' activations), so that layers drawn with one
    range can be compared.  ReLU's exact zeros are left out of the percentile.
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
    zero_share: Optional[float]
    overflow_share: float
    outside_share: float


def histogram(values, activation, limits, bins=30):
    """Count one layer's activations ``values`` (any shape) in ``bins`` bins over ``limits``.

    Nothing is dropped silently: values that overflowed, and values outside ``limits``
    (e.g. from :func:`value_range`), are counted apart.  Returns a :class:`Histogram`.
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
