r"""A fully connected classifier built as a list of layers.

``MultiLayerNet(sizes=[64, 100, 100, 10])`` stacks, for every hidden width::

    Affine -> BatchNorm (if batchnorm) -> activation -> Dropout (if dropout > 0)

and ends with ``Affine -> SoftmaxCrossEntropy``; with ``input_dropout > 0`` a ``Dropout`` comes
first, on the inputs. The forward pass runs ``net.layers`` front to
back; the backward pass runs it back to front, each layer turning the gradient w.r.t. its
output into the gradient w.r.t. its input (the chain rule, one layer at a time)::

    scores = x
    for layer in net.layers:
        scores = layer.forward(scores, train)
    loss = net.loss_layer.forward(scores, t)

    dout = net.loss_layer.backward()
    for layer in reversed(net.layers):
        dout = layer.backward(dout)

``net.params`` holds the very arrays the layers compute with, keyed ``W1, b1, gamma1, beta1,
W2, ...`` (the number is the Affine layer's position). Optimizers update them in place, so
the layers see every update. With batch normalisation the hidden Affine layers have no bias:
BatchNorm subtracts the batch mean, which cancels any bias, and its shift ``beta`` takes the
bias's role. Only the last Affine layer then has a bias (``b`` with the last number).

Regularisation: ``weight_decay`` :math:`=\lambda` adds
:math:`\frac{\lambda}{2}\sum\lVert W\rVert^2` and ``l1`` :math:`=\lambda_1` adds
:math:`\lambda_1\sum|W|` to the loss, over the weight matrices only (not biases, ``gamma``
or ``beta``); :meth:`MultiLayerNet.gradient` includes both.
"""

import numpy as np

from lib import checks
from lib.initializers import draw_weights, get_initializer
from lib.layers import (
    Affine,
    BatchNorm,
    Dropout,
    SoftmaxCrossEntropy,
    activation_layer,
    check_activation,
)


class MultiLayerNet:
    r"""Fully connected network for classification, trained with softmax cross-entropy.

    The data it takes: ``x`` of shape (N, ``sizes[0]``); ``t`` of shape (N,), integer class
    indices, or of shape (N, ``sizes[-1]``), one-hot rows.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_inputs, hidden_1, ..., hidden_k, n_classes]``, at least two positive integers.
    activation : str, default "relu"
        A name of :data:`lib.activations.ACTIVATIONS` ("relu", "sigmoid", "tanh",
        "leaky_relu", "elu", "selu").
    init : str, float or callable, default "he"
        A name from :data:`lib.initializers.INITIALIZERS` ("he", "xavier", "lecun", ...), or
        a number used as the standard deviation of normally distributed weights (e.g. 0.01
        or 1), or a function ``(n_in, n_out, rng) -> W``.  Biases start at 0.
    batchnorm : bool, default False
        Insert a ``BatchNorm`` after every hidden Affine layer.
    dropout : float, default 0.0
        Drop probability, in [0, 1), of the ``Dropout`` after every hidden activation
        (0: no dropout layers).
    weight_decay, l1 : float, default 0.0
        Strengths, :math:`\ge 0`, of the L2 and L1 penalties on the weights.
    dtype : np.float32 or np.float64, default np.float32
        float32 is fast; float64 is for gradient checks.
    seed : int, default 0
        Seeds the weights and, separately, every dropout layer's own Generator, so the
        weights do not depend on whether dropout or batch normalisation is on.
    input_dropout : float, default 0.0
        Drop probability, in [0, 1), of a ``Dropout`` on the inputs, before the first
        Affine layer (0: none).  Its Generator is separate from the hidden layers' ones.
    dropout_scale : {"train", "test"}, default "train"
        The ``scale`` of every ``Dropout``: inverted dropout ("train"), or *Deep Learning
        from Scratch*'s scaling by :math:`1 - p` at inference ("test").

    Attributes
    ----------
    layers : list
        The flat list of layers; the scores come out of the last one.
    loss_layer : SoftmaxCrossEntropy
        The loss on top.
    params : dict[str, ndarray]
        Name -> parameter array, the very arrays the layers compute with.
    sizes : list of int
    dtype : numpy.dtype

    Raises
    ------
    ValueError
        Naming the argument, for any argument out of its range.
    """

    def __init__(
        self,
        sizes,
        activation="relu",
        init="he",
        batchnorm=False,
        dropout=0.0,
        weight_decay=0.0,
        l1=0.0,
        dtype=np.float32,
        seed=0,
        input_dropout=0.0,
        dropout_scale="train",
    ):
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(
                f"sizes must have at least two entries (inputs and classes), got {sizes}"
            )
        sizes = [checks.integer(f"sizes[{i}]", s, 1) for i, s in enumerate(sizes)]
        check_activation(activation)
        init_fn = get_initializer(init)
        dropout = checks.probability("dropout", dropout)
        self.input_dropout = checks.probability("input_dropout", input_dropout)
        self.dropout_scale = checks.one_of("dropout_scale", dropout_scale, ("train", "test"))
        if dtype not in (np.float32, np.float64, "float32", "float64"):
            raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
        self.dtype = np.dtype(dtype)

        self.sizes = sizes
        self.activation, self.init, self.batchnorm = activation, init, bool(batchnorm)
        self.dropout, self.seed = dropout, seed
        self.weight_decay = checks.non_negative("weight_decay", weight_decay)
        self.l1 = checks.non_negative("l1", l1)

        n_affine = len(sizes) - 1
        init_seq, dropout_seq = np.random.SeedSequence(seed).spawn(2)
        init_rng = np.random.default_rng(init_seq)
        dropout_rngs = [np.random.default_rng(s) for s in dropout_seq.spawn(n_affine)]
        input_rng = np.random.default_rng(dropout_seq.spawn(1)[0])

        self.layers = []
        self.params = {}
        self._param_layers = []  # (number, layer) for every layer with parameters
        if self.input_dropout > 0:
            self.layers.append(Dropout(self.input_dropout, rng=input_rng,
                                       scale=self.dropout_scale))
        for i in range(1, n_affine + 1):
            n_in, n_out = self.sizes[i - 1], self.sizes[i]
            hidden = i < n_affine
            W = draw_weights(init_fn, n_in, n_out, init_rng, dtype=self.dtype)
            b = None if hidden and self.batchnorm else np.zeros(n_out, dtype=self.dtype)
            self._add(i, Affine(W, b, input_grad=i > 1 or self.input_dropout > 0))
            if hidden:
                if self.batchnorm:
                    self._add(i, BatchNorm(n_out, dtype=self.dtype))
                self.layers.append(activation_layer(activation))
                if self.dropout > 0:
                    self.layers.append(Dropout(self.dropout, rng=dropout_rngs[i - 1],
                                               scale=self.dropout_scale))
        self.loss_layer = SoftmaxCrossEntropy()
        self._weights = {f"W{i}": self.params[f"W{i}"] for i in range(1, n_affine + 1)}

    def _add(self, i, layer):
        self.layers.append(layer)
        self._param_layers.append((i, layer))
        for name, p in layer.params.items():
            self.params[f"{name}{i}"] = p

    # -- input checks (at the public entry points only) --------------------------------

    def check_inputs(self, x, t=None):
        """Check a batch against the network; return it as arrays.

        Parameters
        ----------
        x : array_like of shape (N, n_inputs)
            The inputs.
        t : array_like of shape (N,) or (N, n_classes), optional
            Integer class indices, or one-hot rows.

        Returns
        -------
        ndarray of shape (N, n_inputs), or a pair ``(x, t)``
            ``x`` in the network's dtype; with ``t``, also ``t`` as an ndarray.

        Raises
        ------
        ValueError
            Naming ``x`` or ``t``, for a wrong number of features, an empty batch, a label
            count that differs from N, non-integer indices or labels outside
            [0, n_classes - 1], or one-hot rows of the wrong width.
        """
        x = np.asarray(x, dtype=self.dtype)
        n_in, n_classes = self.sizes[0], self.sizes[-1]
        if x.ndim != 2 or x.shape[1] != n_in:
            raise ValueError(f"x must have shape (N, {n_in}) ({n_in} features), got {x.shape}")
        if x.shape[0] == 0:
            raise ValueError("x must hold at least one sample, got an empty array")
        if t is None:
            return x
        t = np.asarray(t)
        if t.ndim == 1:
            if t.shape[0] != x.shape[0]:
                raise ValueError(
                    f"t must have one label per sample ({x.shape[0]}), got {t.shape[0]}"
                )
            if t.dtype.kind not in "iu":
                raise ValueError(f"t must hold integer class indices, got dtype {t.dtype}")
            lo, hi = t.min(), t.max()
            if lo < 0 or hi >= n_classes:
                raise ValueError(
                    f"t must hold class indices in [0, {n_classes - 1}], got values in [{lo}, {hi}]"
                )
        elif t.shape != (x.shape[0], n_classes):
            raise ValueError(
                f"t must be class indices of shape ({x.shape[0]},) or one-hot rows of shape "
                f"({x.shape[0]}, {n_classes}), got {t.shape}"
            )
        return x, t

    # -- forward and backward ------------------------------------------------------------

    def _scores(self, x, train):
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def _penalty(self):
        penalty = 0.0
        for W in self._weights.values():
            if self.weight_decay:
                penalty += 0.5 * self.weight_decay * float(np.sum(W * W))
            if self.l1:
                penalty += self.l1 * float(np.sum(np.abs(W)))
        return penalty

    def predict(self, x, train=False):
        """Class scores for a batch.

        Parameters
        ----------
        x : array_like of shape (N, n_inputs)
        train : bool, default False
            The layers' mode: inference (False) or training (dropout active, batch
            statistics).

        Returns
        -------
        ndarray of shape (N, n_classes)
        """
        return self._scores(self.check_inputs(x), train)

    def loss(self, x, t, train=True):
        """Mean cross-entropy of the batch plus the L2/L1 penalties.

        In training mode (the default) dropout is active and BatchNorm uses, and updates its
        running averages with, the batch statistics.

        Parameters
        ----------
        x : array_like of shape (N, n_inputs)
        t : array_like of shape (N,) or (N, n_classes)
            Class indices, or one-hot rows.
        train : bool, default True

        Returns
        -------
        float
        """
        x, t = self.check_inputs(x, t)
        return self.loss_layer.forward(self._scores(x, train), t) + self._penalty()

    def loss_and_gradient(self, x, t):
        """One training-mode forward pass and one backward pass.

        Parameters
        ----------
        x : array_like of shape (N, n_inputs)
        t : array_like of shape (N,) or (N, n_classes)
            Class indices, or one-hot rows.

        Returns
        -------
        loss : float
            As :meth:`loss` in training mode, penalties included.
        grads : dict[str, ndarray]
            The keys of ``params``; each gradient has its parameter's shape and dtype.  The
            arrays are new at every call (``grads['W1']`` is ``layers[0].dW``).
        """
        x, t = self.check_inputs(x, t)
        loss = self.loss_layer.forward(self._scores(x, True), t)
        dout = self.loss_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {
            f"{name}{i}": g for i, layer in self._param_layers for name, g in layer.grads.items()
        }
        if self.weight_decay or self.l1:
            loss += self._penalty()
            for key, W in self._weights.items():
                if self.weight_decay:
                    grads[key] = grads[key] + self.weight_decay * W
                if self.l1:
                    grads[key] = grads[key] + self.l1 * np.sign(W)
        return loss, grads

    def gradient(self, x, t):
        """Gradients of :meth:`loss` (training mode) w.r.t. every parameter, by backprop.

        Parameters
        ----------
        x : array_like of shape (N, n_inputs)
        t : array_like of shape (N,) or (N, n_classes)
            Class indices, or one-hot rows.

        Returns
        -------
        dict[str, ndarray]
            The keys of ``params``; each gradient has its parameter's shape and dtype.
        """
        return self.loss_and_gradient(x, t)[1]

    def accuracy(self, x, t, batch_size=2000):
        """Fraction of samples whose highest score is the true class, in inference mode.

        Parameters
        ----------
        x : array_like of shape (N, n_inputs)
        t : array_like of shape (N,) or (N, n_classes)
            Class indices, or one-hot rows.
        batch_size : int, default 2000
            Samples evaluated at a time, to bound memory.

        Returns
        -------
        float
        """
        x, t = self.check_inputs(x, t)
        labels = t if t.ndim == 1 else t.argmax(axis=1)
        correct = 0
        for start in range(0, x.shape[0], batch_size):
            stop = start + batch_size
            predicted = self._scores(x[start:stop], train=False).argmax(axis=1)
            correct += int(np.count_nonzero(predicted == labels[start:stop]))
        return correct / x.shape[0]

    def __repr__(self):
        return (
            f"MultiLayerNet(sizes={self.sizes}, activation={self.activation!r}, "
            f"init={self.init!r}, batchnorm={self.batchnorm}, dropout={self.dropout}, "
            f"weight_decay={self.weight_decay}, l1={self.l1}, dtype='{self.dtype}', "
            f"seed={self.seed}"
            + (f", input_dropout={self.input_dropout}" if self.input_dropout else "")
            + (f", dropout_scale={self.dropout_scale!r}" if self.dropout_scale != "train" else "")
            + ")"
        )
