r"""Gradient checking: compare backpropagation with finite differences.

The central difference
$$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}$$
has an error of order $h^2$, but costs two evaluations of $f$ per entry: far too slow to
train with, perfect to test a backward pass with. Compare the two with the relative error
$$\frac{\lVert a - n\rVert}{\max(\lVert a\rVert + \lVert n\rVert,\ \text{tiny})},$$
the norms taken over the whole gradient array (a per-entry version is dominated by round-off
wherever a true gradient entry is close to 0). In float64 with $h = 10^{-5}$ a correct backward
pass gives about $10^{-7}$ or less; a bug gives something near 1. Always check in float64:
float32 round-off ($\approx 10^{-7}$ relative) divided by $2h$ swamps the difference.
"""

from contextlib import contextmanager

import numpy as np

from lib.layers import Dropout

#: Floor of the denominator of :func:`relative_error`, so that two zero gradients agree.
TINY = 1e-300


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar function ``f`` at ``x``; same shape as ``x``.

    f: called as ``f(x)`` and returning a number; it may also ignore its argument and read
        ``x`` through a closure (for example a network's parameter array).
    x: float64 array. It is perturbed in place, one entry at a time, and every entry is
        restored exactly before returning.
    """
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        raise ValueError(
            "x must be a float64 ndarray (float32 round-off swamps finite differences), "
            f"got {getattr(x, 'dtype', type(x).__name__)}"
        )
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, n):
    r"""$\lVert a - n\rVert / \max(\lVert a\rVert + \lVert n\rVert, \text{tiny})$.

    a, n: arrays of the same shape (analytic and numerical gradients).
    """
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"a and n must have the same shape, got {a.shape} and {n.shape}")
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), TINY))


@contextmanager
def fixed_dropout_masks(layers, forward):
    """Freeze every Dropout layer in ``layers`` on one mask while the block runs.

    ``forward()`` is called once to draw the masks; afterwards each layer reuses its mask, so
    the loss becomes a deterministic function of the parameters. Masks set beforehand are kept.
    """
    free = [layer for layer in layers if isinstance(layer, Dropout) and layer.fixed_mask is None]
    forward()
    for layer in free:
        layer.fixed_mask = layer.keep
    try:
        yield
    finally:
        for layer in free:
            layer.fixed_mask = None


def check_layer(layer, x, h=1e-5, seed=0):
    r"""Relative errors of a layer's backward pass: a dict with 'x' and every parameter name.

    The layer is checked through the scalar $L = \sum \text{out} \cdot \text{dout}$ with a
    random ``dout``, whose gradient w.r.t. the output is exactly ``dout``.
    layer: with float64 parameters; x: (N, D), not modified. Dropout masks are frozen.
    """
    x = np.array(x, dtype=np.float64)
    dout = np.random.default_rng(seed).standard_normal(layer.forward(x, train=True).shape)

    def f(_):
        return np.sum(layer.forward(x, train=True) * dout)

    with fixed_dropout_masks([layer], lambda: layer.forward(x, train=True)):  # runs forward
        analytic = {"x": layer.backward(dout), **layer.grads}
        numeric = {name: numerical_gradient(f, p, h) for name, p in layer.params.items()}
        if analytic["x"] is None:
            del analytic["x"]
        else:
            numeric["x"] = numerical_gradient(f, x, h)
    return {name: relative_error(analytic[name], numeric[name]) for name in numeric}


def check_network(net, x, t, h=1e-5):
    """Relative error of ``net.gradient`` against finite differences of ``net.loss``, per key.

    net: a float64 network (e.g. ``MultiLayerNet(..., dtype=np.float64)``); x (N, D); t labels.
    The loss is taken in training mode; dropout masks are frozen for the check. BatchNorm's
    running averages are updated by every evaluation, as in training (they do not enter
    the training-mode loss).
    """
    not_float64 = [key for key, p in net.params.items() if p.dtype != np.float64]
    if not_float64:
        raise ValueError(
            "net must be float64 for a gradient check (MultiLayerNet(..., dtype=np.float64)); "
            f"{', '.join(not_float64)} are not"
        )

    def f(_):
        return net.loss(x, t, train=True)

    with fixed_dropout_masks(net.layers, lambda: net.loss(x, t)):
        analytic = net.gradient(x, t)
        return {
            key: relative_error(analytic[key], numerical_gradient(f, p, h))
            for key, p in net.params.items()
        }
