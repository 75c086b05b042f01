r"""Residual connections: a hidden layer that adds its input to its output.

A plain hidden layer computes :math:`h_l = f(h_{l-1} W_l + b_l)`.  A **residual block**
(He et al., 2016) keeps an identity path beside it:

.. math::

    h_l = h_{l-1} + s\, f(h_{l-1} W_l + b_l),

with a fixed branch scale :math:`s`.  Its Jacobian is
:math:`\partial h_l/\partial h_{l-1} = I + s\, W_l^\top` (times :math:`f'`), so on the way
down the gradient that reaches :math:`h_{l-1}` always contains the gradient at :math:`h_l`
itself, however small the derivatives of :math:`f` are: the first layers of a deep stack are
never cut off from the loss.

The price is on the way up: every block *adds* the variance of its branch to that of its
input, so with the weights' usual scale the signal grows with depth.  Scaling the branches by
:math:`s = 1/\sqrt{K}` for :math:`K` blocks keeps the sum bounded (the growth is then at most
about a factor :math:`e^{c/2}`, for a branch whose variance is :math:`c` times its input's),
one of several ways of taming it (Hanin & Rolnick, 2018; Zhang et al., 2019, "Fixup").

:class:`ResidualNet` is :class:`lib.network.MultiLayerNet` with every hidden layer whose width
equals the previous one's turned into a :class:`ResidualBlock`; it draws exactly the same
weights from the same seed, so the two can be compared weight for weight.
"""

import math

import numpy as np

from lib import checks
from lib.layers import Affine, Layer, activation_layer
from lib.network import MultiLayerNet

__all__ = ["ResidualBlock", "ResidualNet"]


class ResidualBlock(Layer):
    r"""One residual block, :math:`y = x + s\, f(xW + b)`, for ``x`` and ``y`` of shape (N, D).

    Backward, for ``dout`` of shape (N, D): the identity path passes ``dout`` on unchanged and
    the branch adds its own gradient,
    :math:`dx = dout + \big((s\,dout) \odot f'(a)\big) W^\top` with :math:`a = xW + b`; the
    weight gradients are the branch's Affine layer's, :math:`dW = x^\top \big((s\,dout)
    \odot f'(a)\big)`.

    Parameters
    ----------
    W : ndarray of shape (D, D)
        The branch's weights (square: the output is added to the input).  The block computes
        with this very array.
    b : ndarray of shape (D,)
        The branch's biases.
    activation : str
        A name of :data:`lib.activations.ACTIVATIONS`.
    scale : float, default 1.0
        The branch scale :math:`s > 0`.

    Attributes
    ----------
    layers : list
        The branch, ``[Affine, activation layer]``, applied in order to the block's input.
    """

    def __init__(self, W, b, activation, scale=1.0):
        if W.ndim != 2 or W.shape[0] != W.shape[1]:
            raise ValueError(f"W must be a square matrix (D, D), got shape {W.shape}")
        self.affine = Affine(W, b)
        self.act = activation_layer(activation)
        self.layers = [self.affine, self.act]
        self.scale = checks.positive("scale", scale)

    def forward(self, x, train=True):
        """The output ``x + scale * f(x @ W + b)``.

        Parameters
        ----------
        x : ndarray of shape (N, D)
        train : bool
            Passed to the branch's layers (which behave the same either way).

        Returns
        -------
        ndarray of shape (N, D)
        """
        branch = self.act.forward(self.affine.forward(x, train), train)
        return x + (branch if self.scale == 1.0 else self.scale * branch)

    def backward(self, dout):
        """Store the branch's ``dW`` and ``db``; return ``dx`` (identity path + branch).

        Parameters
        ----------
        dout : ndarray of shape (N, D)

        Returns
        -------
        ndarray of shape (N, D)
        """
        scaled = dout if self.scale == 1.0 else self.scale * dout
        return dout + self.affine.backward(self.act.backward(scaled))

    @property
    def params(self):
        return self.affine.params

    @property
    def grads(self):
        return self.affine.grads

    def __repr__(self):
        D = self.affine.W.shape[0]
        return f"ResidualBlock({D} -> {D}, {self.act.activation}, scale={self.scale:.3g})"


class ResidualNet(MultiLayerNet):
    r"""A :class:`lib.network.MultiLayerNet` whose equal-width hidden layers are residual.

    For ``sizes = [64, 100, 100, 100, 10]``: the first hidden layer (64 → 100) is a plain
    ``Affine -> activation``, the next two are :class:`ResidualBlock` s (100 → 100), and the
    scores come from a plain ``Affine``.  A hidden layer whose width differs from the previous
    one stays plain.  The weights are drawn in the same order as in ``MultiLayerNet``, so the
    same ``seed`` gives the same weights.  Everything else (``params``, ``loss``,
    ``gradient``, ``accuracy``, training with :func:`lib.training.train`) works as there.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_inputs, hidden_1, ..., hidden_k, n_classes]``.
    activation : str, default "relu"
    init : str, float or callable, default "he"
        As for ``MultiLayerNet``.
    scale : float, optional
        The branch scale :math:`s` of every block; default :math:`1/\sqrt{K}` for :math:`K`
        blocks (1 if there are none).
    weight_decay, l1 : float, default 0.0
    dtype : np.float32 or np.float64, default np.float32
    seed : int, default 0

    Attributes
    ----------
    blocks : int
        :math:`K`, the number of residual blocks.
    scale : float
    """

    def __init__(self, sizes, activation="relu", init="he", scale=None, weight_decay=0.0,
                 l1=0.0, dtype=np.float32, seed=0):
        super().__init__(sizes, activation=activation, init=init, weight_decay=weight_decay,
                         l1=l1, dtype=dtype, seed=seed)
        n_affine = len(self.sizes) - 1
        residual = [1 < i < n_affine and self.sizes[i - 1] == self.sizes[i]
                    for i in range(1, n_affine + 1)]
        self.blocks = sum(residual)
        self.scale = (1.0 / math.sqrt(max(self.blocks, 1)) if scale is None
                      else checks.positive("scale", scale))
        # Rebuild the layers around the very arrays MultiLayerNet drew, with blocks where
        # the width repeats.
        drawn = self.params
        self.layers, self.params, self._param_layers = [], {}, []
        for i, is_block in enumerate(residual, start=1):
            W, b = drawn[f"W{i}"], drawn[f"b{i}"]
            if is_block:
                self._add(i, ResidualBlock(W, b, activation, self.scale))
            else:
                self._add(i, Affine(W, b, input_grad=i > 1))
                if i < n_affine:
                    self.layers.append(activation_layer(activation))
        self._weights = {f"W{i}": self.params[f"W{i}"] for i in range(1, n_affine + 1)}

    def __repr__(self):
        return (
            f"ResidualNet(sizes={self.sizes}, activation={self.activation!r}, "
            f"init={self.init!r}, blocks={self.blocks}, scale={self.scale:.3g}, "
            f"weight_decay={self.weight_decay}, l1={self.l1}, dtype='{self.dtype}', "
            f"seed={self.seed})"
        )
