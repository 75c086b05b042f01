r"""Activation functions and their derivatives.

An activation $f$ is applied element by element, so its Jacobian is diagonal and the
backward pass only needs the derivative $f'(x)$ at every input: $\partial L/\partial x =
\partial L/\partial y \cdot f'(x)$. Each function below sits next to its derivative.

All functions take an array ``x`` of any shape and return an array of the same shape and
dtype (float32 stays float32). They never warn, even for very large ``|x|``.

``ACTIVATIONS`` maps a name to an :class:`Activation` pair ``(f, grad)``::

    for name, act in ACTIVATIONS.items():
        ax.plot(x, act.f(x), label=name)

The layer classes in :mod:`lib.layers` use these functions for their forward passes.
"""

from typing import Callable, NamedTuple

import numpy as np

#: Slope of leaky ReLU for negative inputs (Maas et al., 2013; PyTorch's default).
LEAKY_SLOPE = 0.01

#: SELU constants from Klambauer et al. (2017), "Self-Normalizing Neural Networks".
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def sigmoid(x):
    r"""Logistic sigmoid $\sigma(x) = 1 / (1 + e^{-x})$, computed without overflow.

    For $x < 0$ the equivalent form $e^{x} / (1 + e^{x})$ is used, so that ``exp`` only
    ever sees non-positive numbers.
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    r"""$\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$; at most 1/4, the root of vanishing gradients."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    r"""Hyperbolic tangent $\tanh(x) = 2\sigma(2x) - 1$, zero-centred, in $(-1, 1)$."""
    return np.tanh(x)


def tanh_grad(x):
    r"""$\tanh'(x) = 1 - \tanh^2(x)$; at most 1, at $x = 0$."""
    y = np.tanh(x)
    return 1.0 - y * y


def relu(x):
    r"""Rectified linear unit $\max(0, x)$."""
    return np.maximum(x, 0)


def relu_grad(x):
    r"""$\mathrm{relu}'(x) = 1$ for $x > 0$, else 0 (we take 0 at the kink $x = 0$)."""
    return (x > 0).astype(np.result_type(x, np.float32))


def leaky_relu(x, slope=LEAKY_SLOPE):
    r"""Leaky ReLU: $x$ for $x > 0$, ``slope`` $\cdot x$ otherwise."""
    return np.where(x > 0, x, slope * x)


def leaky_relu_grad(x, slope=LEAKY_SLOPE):
    r"""1 for $x > 0$, ``slope`` otherwise."""
    dtype = np.result_type(x, np.float32)
    return np.where(x > 0, np.ones((), dtype), np.asarray(slope, dtype))


def elu(x, alpha=1.0):
    r"""Exponential linear unit (Clevert et al., 2015): $x$ if $x > 0$, else $\alpha(e^x - 1)$.

    ``expm1`` only sees $\min(x, 0)$, so large positive inputs cannot overflow.
    """
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    r"""1 for $x > 0$, $\alpha e^x$ (that is, $\mathrm{elu}(x) + \alpha$) otherwise."""
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(
        np.result_type(x, np.float32), copy=False
    )


def selu(x):
    r"""Scaled ELU (Klambauer et al., 2017): $\lambda x$ if $x > 0$, else $\lambda\alpha(e^x - 1)$.

    With LeCun initialisation its activations keep mean 0 and variance 1 layer after layer.
    """
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_grad(x):
    r"""$\lambda$ for $x > 0$, $\lambda\alpha e^x$ otherwise."""
    return SELU_SCALE * elu_grad(x, SELU_ALPHA)


class Activation(NamedTuple):
    """An activation function ``f`` and its derivative ``grad`` (both element-wise)."""

    f: Callable
    grad: Callable


ACTIVATIONS = {
    "sigmoid": Activation(sigmoid, sigmoid_grad),
    "tanh": Activation(tanh, tanh_grad),
    "relu": Activation(relu, relu_grad),
    "leaky_relu": Activation(leaky_relu, leaky_relu_grad),
    "elu": Activation(elu, elu_grad),
    "selu": Activation(selu, selu_grad),
}
