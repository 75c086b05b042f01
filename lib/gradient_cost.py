r"""What a gradient costs: backpropagation against numerical differentiation, measured.

A network with :math:`P` parameters needs all :math:`P` partial derivatives of its loss at
every step.  Central differences get each one from two evaluations of the loss, so
:math:`2P` forward passes in all, and a forward pass itself costs in proportion to
:math:`P`: the total grows like :math:`P^2`.  Backpropagation gets all of them from one
forward and one backward pass, a small constant number of forward passes whatever
:math:`P` is.  :func:`gradient_cost` times the three on one network::

    cost = gradient_cost([64, 100, 10], x, t)
    cost.ratio        # numerical time / backprop time

Wall-clock times depend on the machine and on what else it is doing: compare them only
within one run, and only by ratios with a wide margin.
"""

import time
from dataclasses import dataclass

import numpy as np

from lib import checks
from lib.gradcheck import numerical_gradient
from lib.network import MultiLayerNet

__all__ = ["GradientCost", "gradient_cost"]


@dataclass(frozen=True)
class GradientCost:
    """The time of one forward pass, one gradient by backpropagation and one numerically.

    Attributes
    ----------
    sizes : tuple of int
        The network's layer sizes.
    n_params : int
        Its number of parameters :math:`P` (weights and biases).
    forward_seconds : float
        One evaluation of the loss (the fastest of the repeats).
    backprop_seconds : float
        One ``net.gradient`` call, a forward and a backward pass (the fastest of the repeats).
    numerical_seconds : float
        The whole gradient by central differences: :math:`2P` evaluations of the loss.
    """

    sizes: tuple
    n_params: int
    forward_seconds: float
    backprop_seconds: float
    numerical_seconds: float

    @property
    def ratio(self):
        """How many times slower the numerical gradient is than backpropagation."""
        return self.numerical_seconds / self.backprop_seconds

    @property
    def backprop_in_forward_passes(self):
        """Backpropagation's time in units of one forward pass."""
        return self.backprop_seconds / self.forward_seconds

    @property
    def numerical_in_forward_passes(self):
        """The numerical gradient's time in units of one forward pass (about :math:`2P`)."""
        return self.numerical_seconds / self.forward_seconds

    def __repr__(self):
        return (f"GradientCost(sizes={list(self.sizes)}, P={self.n_params}: forward "
                f"{self.forward_seconds * 1e3:.3g} ms, backprop {self.backprop_seconds * 1e3:.3g}"
                f" ms, numerical {self.numerical_seconds:.3g} s, ratio {self.ratio:.0f})")


def _fastest(fn, repeats):
    """The shortest of ``repeats`` timed calls of ``fn()``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def gradient_cost(sizes, x, t, repeats=5, seed=0):
    """Time the forward pass, backpropagation and central differences on one network.

    Parameters
    ----------
    sizes : list of int
        Layer sizes of a float64 ``MultiLayerNet`` (ReLU, He initialisation).
    x : array_like of shape (N, sizes[0])
        A batch of inputs.
    t : array_like of shape (N,)
        Their class labels.
    repeats : int
        How often the forward pass and backpropagation are timed (the fastest counts);
        the numerical gradient, which takes :math:`2P` forward passes, is timed once.
    seed : int
        Seeds the network's weights.

    Returns
    -------
    GradientCost
    """
    repeats = checks.integer("repeats", repeats, 1)
    net = MultiLayerNet(sizes, dtype=np.float64, seed=checks.integer("seed", seed, 0))
    x, t = net.check_inputs(x, t)
    forward = _fastest(lambda: net.loss(x, t), repeats)
    backprop = _fastest(lambda: net.gradient(x, t), repeats)

    def loss(_):
        return net.loss(x, t)

    start = time.perf_counter()
    for p in net.params.values():
        numerical_gradient(loss, p)
    numerical = time.perf_counter() - start
    n_params = sum(p.size for p in net.params.values())
    return GradientCost(tuple(net.sizes), int(n_params), forward, backprop, numerical)
