r"""Activation functions and their derivatives.

An activation :math:`f` is applied element by element, so its Jacobian is diagonal and the
backward pass only needs the derivative :math:`f'(x)` at every input:
:math:`\partial L/\partial x = \partial L/\partial y \cdot f'(x)`.  Each function below
sits next to its derivative.

All functions take an array ``x`` of any shape and return an array of the same shape and
dtype (float32 stays float32).  They never warn, even for very large :math:`|x|`.

:data:`ACTIVATIONS` is the one registry of activation names: it maps a name to an
:class:`Activation` pair ``(f, grad)``::

    for name, act in ACTIVATIONS.items():
        ax.plot(x, act.f(x), label=name)

Every other place that takes an activation by name (the layers of :mod:`lib.layers`,
``MultiLayerNet(activation=...)``, the explorers) accepts exactly these names.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

#: Slope of leaky ReLU for negative inputs (Maas et al., 2013; PyTorch's default).
LEAKY_SLOPE = 0.01

#: SELU constants from Klambauer et al. (2017), "Self-Normalizing Neural Networks".
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def sigmoid(x):
    r"""Logistic sigmoid :math:`\sigma(x) = 1 / (1 + e^{-x})`, computed without overflow.

    For :math:`x < 0` the equivalent form :math:`e^{x} / (1 + e^{x})` is used, so that
    ``exp`` only ever sees non-positive numbers.

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.

    Returns
    -------
    ndarray of the shape of ``x``
        Values between 0 and 1.
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    r"""The derivative :math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))` of :func:`sigmoid`.

    It is at most 1/4 (at :math:`x = 0`): the root of vanishing gradients in deep sigmoid
    networks.

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.

    Returns
    -------
    ndarray of the shape of ``x``
    """
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    r"""Hyperbolic tangent :math:`\tanh(x) = 2\sigma(2x) - 1`, zero-centred.

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.

    Returns
    -------
    ndarray of the shape of ``x``
        Values between -1 and 1.
    """
    return np.tanh(x)


def tanh_grad(x):
    r"""The derivative :math:`\tanh'(x) = 1 - \tanh^2(x)`; at most 1, at :math:`x = 0`.

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.

    Returns
    -------
    ndarray of the shape of ``x``
    """
    y = np.tanh(x)
    return 1.0 - y * y


def relu(x):
    r"""Rectified linear unit :math:`\max(0, x)`.

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.

    Returns
    -------
    ndarray of the shape of ``x``
    """
    return np.maximum(x, 0)


def relu_grad(x):
    r"""The derivative of :func:`relu`: 1 for :math:`x > 0`, else 0.

    At the kink :math:`x = 0` we take 0, as the frameworks do.

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.

    Returns
    -------
    ndarray of the shape of ``x``
        Zeros and ones, in a floating-point dtype (``x``'s, if it is floating-point).
    """
    return (x > 0).astype(np.result_type(x, np.float32))


def leaky_relu(x, slope=LEAKY_SLOPE):
    r"""Leaky ReLU: :math:`x` for :math:`x > 0`, :math:`\mathtt{slope} \cdot x` otherwise.

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.
    slope : float, default :data:`LEAKY_SLOPE`
        The slope for negative inputs.

    Returns
    -------
    ndarray of the shape of ``x``
    """
    return np.where(x > 0, x, slope * x)


def leaky_relu_grad(x, slope=LEAKY_SLOPE):
    r"""The derivative of :func:`leaky_relu`: 1 for :math:`x > 0`, ``slope`` otherwise.

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.
    slope : float, default :data:`LEAKY_SLOPE`

    Returns
    -------
    ndarray of the shape of ``x``
    """
    dtype = np.result_type(x, np.float32)
    return np.where(x > 0, np.ones((), dtype), np.asarray(slope, dtype))


def elu(x, alpha=1.0):
    r"""Exponential linear unit (Clevert et al., 2015).

    .. math::

        \mathrm{elu}(x) = \begin{cases} x & x > 0 \\ \alpha (e^x - 1) & x \le 0 \end{cases}

    ``expm1`` only sees :math:`\min(x, 0)`, so large positive inputs cannot overflow.

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.
    alpha : float, default 1.0
        :math:`\alpha > 0`: as :math:`x \to -\infty` the output approaches
        :math:`-\alpha`.

    Returns
    -------
    ndarray of the shape of ``x``
    """
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    r"""The derivative of :func:`elu`: 1 for :math:`x > 0`, :math:`\alpha e^x` otherwise.

    For :math:`x \le 0` that is :math:`\mathrm{elu}(x) + \alpha` (so the ELU layer can reuse
    its output).

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.
    alpha : float, default 1.0

    Returns
    -------
    ndarray of the shape of ``x``
    """
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(
        np.result_type(x, np.float32), copy=False
    )


def selu(x):
    r"""Scaled ELU (Klambauer et al., 2017): :math:`\lambda\,\mathrm{elu}_\alpha(x)`.

    .. math::

        \mathrm{selu}(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^x - 1) & x \le 0
        \end{cases}

    with the constants :math:`\lambda` = :data:`SELU_SCALE` :math:`\approx 1.0507` and
    :math:`\alpha` = :data:`SELU_ALPHA` :math:`\approx 1.6733`.  With LeCun initialisation
    its activations keep mean 0 and variance 1 layer after layer.

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.

    Returns
    -------
    ndarray of the shape of ``x``
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_grad(x):
    r"""The derivative of :func:`selu`.

    :math:`\lambda` for :math:`x > 0`; for :math:`x \le 0`, :math:`\lambda\alpha e^x`, which
    equals :math:`\mathrm{selu}(x) + \lambda\alpha` (so the SELU layer can reuse its output).

    Parameters
    ----------
    x : ndarray of any shape
        The pre-activations.

    Returns
    -------
    ndarray of the shape of ``x``
    """
    return SELU_SCALE * elu_grad(x, SELU_ALPHA)


class Activation(NamedTuple):
    """An activation function ``f`` and its derivative ``grad`` (both element-wise).

    Attributes
    ----------
    f : callable
        ``f(x)`` for an ndarray ``x`` of any shape, an ndarray of the same shape.
    grad : callable
        ``grad(x)``, the derivative :math:`f'(x)`, an ndarray of the shape of ``x``.
    """

    f: Callable
    grad: Callable


#: The one registry of activations: name -> :class:`Activation`.  The layer classes of
#: :mod:`lib.layers` each name one of these keys, and every function that takes an
#: activation by name checks it against this dict.
ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, sigmoid_grad),
    "tanh": Activation(tanh, tanh_grad),
    "relu": Activation(relu, relu_grad),
    "leaky_relu": Activation(leaky_relu, leaky_relu_grad),
    "elu": Activation(elu, elu_grad),
    "selu": Activation(selu, selu_grad),
}
