r"""Gradient checking: compare backpropagation with finite differences.

The central difference

.. math::

    \frac{\partial f}{\partial x_i} \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}

has an error of order :math:`h^2`, but costs two evaluations of :math:`f` per entry: far too
slow to train with, perfect to test a backward pass with.  Compare the two with the relative
error

.. math::

    \frac{\lVert a - n\rVert}{\max(\lVert a\rVert + \lVert n\rVert,\ \text{tiny})},

the norms taken over the whole gradient array (a per-entry version is dominated by round-off
wherever a true gradient entry is close to 0).  In float64 with :math:`h = 10^{-5}` a correct
backward pass gives about :math:`10^{-7}` or less; a bug gives something near 1.  Always check
in float64: float32 round-off (:math:`\approx 10^{-7}` relative) divided by :math:`2h` swamps
the difference.
"""

from contextlib import contextmanager

import numpy as np

from lib import checks
from lib.layers import Dropout

#: Floor of the denominator of :func:`relative_error`, so that two zero gradients agree.
TINY = 1e-300


def numerical_gradient(f, x, h=1e-5):
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        Called as ``f(x)`` and returning a number; it may also ignore its argument and read
        ``x`` through a closure (for example a network's parameter array).
    x : ndarray of float64, any shape
        Perturbed in place, one entry at a time; every entry is restored exactly before
        returning.
    h : float, default 1e-5
        The step of the difference.

    Returns
    -------
    ndarray of the shape of ``x``

    Raises
    ------
    ValueError
        If ``x`` is not a float64 ndarray.
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
    r"""The relative error between an analytic and a numerical gradient.

    .. math::

        \frac{\lVert a - n\rVert}{\max(\lVert a\rVert + \lVert n\rVert,\ \text{tiny})}

    Parameters
    ----------
    a, n : array_like of the same shape
        The analytic and the numerical gradient.

    Returns
    -------
    float
        Between 0 and 1; :data:`TINY` is the floor of the denominator.
    """
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"a and n must have the same shape, got {a.shape} and {n.shape}")
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), TINY))


@contextmanager
def fixed_dropout_masks(layers, forward):
    """Freeze every Dropout layer in ``layers`` on one mask while the block runs.

    ``forward()`` is called once to draw the masks; afterwards each layer reuses its mask, so
    the loss becomes a deterministic function of the parameters.  Masks set beforehand are
    kept.

    Parameters
    ----------
    layers : iterable of layers
        The Dropout layers among them are frozen; others are ignored.
    forward : callable
        ``forward()`` runs a training-mode forward pass through the layers.
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
    r"""Relative errors of a layer's backward pass, for its input and every parameter.

    The layer is checked through the scalar :math:`L = \sum \text{out} \cdot \text{dout}`
    with a random ``dout``, whose gradient w.r.t. the output is exactly ``dout``.  Dropout
    masks are frozen.

    Parameters
    ----------
    layer : Layer
        A layer of :mod:`lib.layers` with float64 parameters.
    x : array_like of shape (N, D)
        The input; not modified.
    h : float, default 1e-5
        The step of the finite differences.
    seed : int, default 0
        Seeds ``dout``.

    Returns
    -------
    dict[str, float]
        ``"x"`` (unless the layer returns no input gradient) and every parameter name ->
        the relative error of :func:`relative_error`.
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

    The loss is taken in training mode; dropout masks are frozen for the check.  BatchNorm's
    running averages are updated by every evaluation, as in training (they do not enter the
    training-mode loss).

    Parameters
    ----------
    net : MultiLayerNet
        A float64 network (``MultiLayerNet(..., dtype=np.float64)``).
    x : array_like of shape (N, D)
    t : array_like of shape (N,) or (N, C)
        Class indices, or one-hot rows.
    h : float, default 1e-5
        The step of the finite differences.

    Returns
    -------
    dict[str, float]
        Parameter name -> relative error.

    Raises
    ------
    ValueError
        If a parameter of ``net`` is not float64.
    """
    not_float64 = [key for key, p in net.params.items() if p.dtype != np.float64]
    if not_float64:
        raise ValueError(
            "net must be float64 for a gradient check (MultiLayerNet(..., dtype=np.float64)), "
            f"got {net.params[not_float64[0]].dtype} parameters: {', '.join(not_float64)}"
        )

    def f(_):
        return net.loss(x, t, train=True)

    with fixed_dropout_masks(net.layers, lambda: net.loss(x, t)):
        analytic = net.gradient(x, t)
        return {
            key: relative_error(analytic[key], numerical_gradient(f, p, h))
            for key, p in net.params.items()
        }


def step_size_errors(f, x, analytic, steps):
    r"""Relative error of the central difference against ``analytic``, for every step ``h``.

    The step trades two errors: the central difference's truncation error, of order
    :math:`h^2 f'''/6`, and rounding, of order :math:`\varepsilon |f| / h` with the unit
    roundoff :math:`\varepsilon` of ``x``'s dtype (:math:`1.1\times10^{-16}` in float64,
    :math:`6\times10^{-8}` in float32).  Against ``h`` on log axes the error draws a U
    (a V with slopes -1 and 2).

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a number, computed in ``x``'s dtype (for a float32 ``x``, in float32
        arithmetic: that is what is being measured).
    x : ndarray of float32 or float64, any shape
        The point.  Perturbed in place one entry at a time, in its own dtype (so that
        ``x[i] + h`` is rounded to it), and restored exactly.
    analytic : array_like, same shape as ``x``
        The gradient to compare with (from backpropagation).
    steps : array_like of shape (S,)
        The steps ``h``, all positive.

    Returns
    -------
    ndarray of shape (S,)
        :func:`relative_error` of ``analytic`` and the central difference with each step.
        Where ``h`` is so small that ``x[i] ± h`` rounds to ``x[i]``, the difference is 0 and
        the relative error 1.
    """
    if not (isinstance(x, np.ndarray) and x.dtype in (np.float32, np.float64)):
        raise ValueError(
            f"x must be a float32 or float64 ndarray, got {getattr(x, 'dtype', type(x).__name__)}"
        )
    analytic = checks.array("analytic", analytic, shape=x.shape)
    steps = [checks.positive("steps", h) for h in checks.array("steps", steps, ndim=1)]
    numeric = np.zeros((len(steps),) + x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        try:
            for k, h in enumerate(steps):  # every step for this entry, then the next entry
                x[i] = old + h
                f_plus = float(f(x))
                x[i] = old - h
                numeric[(k, *i)] = (f_plus - float(f(x))) / (2 * h)
        finally:
            x[i] = old
    return np.array([relative_error(analytic, n) for n in numeric])


def layer_step_size_errors(layer, x, steps, dtype=np.float64, seed=0):
    r""":func:`step_size_errors` of a layer's input gradient, everything computed in ``dtype``.

    The layer is probed as in :func:`check_layer`, through the scalar
    :math:`L = \sum \text{out} \cdot \text{dout}` with a random ``dout``; the input, ``dout``,
    the forward and backward passes and the finite differences are all in ``dtype``.

    Parameters
    ----------
    layer : Layer
        A layer whose output keeps its input's dtype: one without parameters (``Sigmoid``,
        ``Tanh``, ``ReLU``, ...) or with parameters of ``dtype``.
    x : array_like of shape (N, D)
        The input; not modified.
    steps : array_like of shape (S,)
        The steps ``h``, all positive.
    dtype : {np.float64, np.float32}
    seed : int
        Seeds ``dout``.

    Returns
    -------
    ndarray of shape (S,)
        The relative error of the input gradient for every step.
    """
    dtype = np.dtype(checks.one_of("dtype", np.dtype(dtype).name, ("float32", "float64")))
    x = checks.array("x", x, ndim=2, dtype=dtype)
    out = layer.forward(x.copy(), train=True)
    rng = np.random.default_rng(checks.integer("seed", seed, 0))
    dout = rng.standard_normal(out.shape).astype(dtype)
    analytic = layer.backward(dout)

    def f(z):
        return np.sum(layer.forward(z, train=True) * dout)

    return step_size_errors(f, x.copy(), analytic, steps)
