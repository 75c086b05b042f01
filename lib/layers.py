r"""Layers: each one a forward pass and, right below it, its backward pass.

Every layer follows one protocol (as in CS231n and *Deep Learning from Scratch*):

- ``out = layer.forward(x, train=True)`` computes the output and keeps what the backward
  pass will need;
- ``dx = layer.backward(dout)`` takes :math:`\partial L/\partial\,\text{out}` and returns
  :math:`\partial L/\partial x` (same shape as ``x``); gradients of the layer's own
  parameters are stored on the layer (``layer.dW``, ``layer.db``, ...);
- ``layer.params`` / ``layer.grads`` are dicts of the parameter arrays and of their
  gradients (empty for layers without parameters).

Inputs are never modified.  Shapes: ``N`` samples, ``D`` input features, ``M`` outputs.
A network is a plain list of layers: the forward pass runs it front to back, the
backward pass back to front (see :mod:`lib.network`).

Activation layers.  Each activation layer class names, in its attribute ``activation``, the
key of :data:`lib.activations.ACTIVATIONS` it computes (``ReLU.activation == "relu"``), and
:func:`activation_layer` finds the class for a name through these attributes.  So the names
of activations are written down in one place, ``ACTIVATIONS``, and
``activation_layer("relu")`` is ``ReLU()``.
"""

from types import MappingProxyType

import numpy as np

from lib import checks
from lib.activations import (
    ACTIVATIONS,
    LEAKY_SLOPE,
    SELU_ALPHA,
    SELU_SCALE,
    elu,
    leaky_relu,
    selu,
    sigmoid,
)
from lib.losses import cross_entropy, log_softmax, softmax_cross_entropy_backward


class Layer:
    """Base class: a layer without parameters that passes its input through."""

    def forward(self, x, train=True):
        """The layer's output for the input ``x``.

        Parameters
        ----------
        x : ndarray of shape (N, D)
            A batch of inputs; not modified.
        train : bool, default True
            Training mode (dropout active, batch statistics) or inference mode.

        Returns
        -------
        ndarray of shape (N, M)
            The output; M = D for the layers that keep the width (activations, BatchNorm,
            Dropout).  This base class returns ``x`` itself.
        """
        return x

    def backward(self, dout):
        r"""The gradient w.r.t. the input, from the gradient ``dout`` w.r.t. the output.

        Call it after :meth:`forward`, whose input it differentiates.

        Parameters
        ----------
        dout : ndarray of shape (N, M)
            :math:`\partial L/\partial\,\text{out}`; not modified.

        Returns
        -------
        ndarray of shape (N, D)
            :math:`\partial L/\partial x`.  This base class returns ``dout`` itself.
        """
        return dout

    @property
    def params(self):
        """Dict name -> parameter array (the arrays the layer computes with)."""
        return {}

    @property
    def grads(self):
        """Dict name -> gradient of the loss w.r.t. that parameter (set by ``backward``)."""
        return {}

    def __repr__(self):
        return f"{type(self).__name__}()"


class Affine(Layer):
    r"""Fully connected layer :math:`y = xW + b`.

    Backward, for ``dout`` of shape (N, M): :math:`dW = x^\top dout` of shape (D, M),
    :math:`db = \sum_n dout` of shape (M,) and :math:`dx = dout\, W^\top` of shape (N, D).

    Parameters
    ----------
    W : ndarray of shape (D, M)
        The weights.  The layer computes with this very array, so an optimizer that updates
        it in place updates the layer.
    b : ndarray of shape (M,), optional
        The biases, or None for a layer without bias (used before BatchNorm, whose shift
        :math:`\beta` makes a bias redundant).
    input_grad : bool, default True
        When False, ``backward`` skips :math:`\partial L/\partial x` and returns None; the
        first layer of a network sets it, since nobody needs the gradient w.r.t. the data.
    """

    def __init__(self, W, b=None, input_grad=True):
        self.W, self.b, self.input_grad = W, b, input_grad
        self.dW = self.db = None

    def forward(self, x, train=True):
        """The output ``x @ W + b``.

        Parameters
        ----------
        x : ndarray of shape (N, D)
        train : bool
            Unused: the layer is the same in training and inference.

        Returns
        -------
        ndarray of shape (N, M)
        """
        self.x = x
        out = x @ self.W
        if self.b is not None:
            out += self.b
        return out

    def backward(self, dout):
        """Store ``dW`` and ``db``; return ``dx``.

        Parameters
        ----------
        dout : ndarray of shape (N, M)

        Returns
        -------
        ndarray of shape (N, D), or None
            None when ``input_grad`` is False.
        """
        self.dW = self.x.T @ dout
        if self.b is not None:
            self.db = dout.sum(axis=0)
        return dout @ self.W.T if self.input_grad else None

    @property
    def params(self):
        return {"W": self.W} if self.b is None else {"W": self.W, "b": self.b}

    @property
    def grads(self):
        return {"W": self.dW} if self.b is None else {"W": self.dW, "b": self.db}

    def __repr__(self):
        extra = ("" if self.b is not None else ", bias=False") + (
            "" if self.input_grad else ", input_grad=False"
        )
        return f"Affine({self.W.shape[0]} -> {self.W.shape[1]}{extra})"


class ActivationLayer(Layer):
    r"""Base class of the activation layers: :math:`y = f(x)`, element by element.

    ``forward`` maps ``x`` of shape (N, D) to ``y`` of the same shape, ``backward`` maps
    ``dout`` of shape (N, D) to ``dx`` of the same shape (any shape works, in fact).  The
    activation layers have no parameters.

    Each subclass sets ``activation`` to the key of :data:`lib.activations.ACTIVATIONS` that
    it computes; that is how :func:`activation_layer` finds the class for a name.
    """

    #: The key of :data:`lib.activations.ACTIVATIONS` this layer computes.
    activation = None


class Sigmoid(ActivationLayer):
    r"""Sigmoid layer, :math:`y = \sigma(x)`.

    Backward: :math:`dx = dout \cdot y(1 - y)`, computed from the output it kept.
    """

    activation = "sigmoid"

    def forward(self, x, train=True):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        y = self.out
        return dout * y * (1.0 - y)


class Tanh(ActivationLayer):
    r"""Hyperbolic tangent layer, :math:`y = \tanh(x)`.

    Backward: :math:`dx = dout \cdot (1 - y^2)`, computed from the output it kept.
    """

    activation = "tanh"

    def forward(self, x, train=True):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        y = self.out
        return dout * (1.0 - y * y)


class ReLU(ActivationLayer):
    r"""Rectified linear unit layer, :math:`y = \max(0, x)`.

    Backward: :math:`dx = dout` where :math:`x > 0`, else 0.  The output is kept: the
    boolean mask ``out > 0`` is the same as ``x > 0``.
    """

    activation = "relu"

    def forward(self, x, train=True):
        self.out = np.maximum(x, 0)
        return self.out

    def backward(self, dout):
        return dout * (self.out > 0)


class LeakyReLU(ActivationLayer):
    r"""Leaky ReLU layer: :math:`y = x` if :math:`x > 0`, else :math:`\mathtt{slope} \cdot x`.

    Backward: :math:`dx = dout` where :math:`x > 0`, else :math:`\mathtt{slope} \cdot dout`.

    Parameters
    ----------
    slope : float, default :data:`lib.activations.LEAKY_SLOPE`
        The slope for negative inputs (0.01).
    """

    activation = "leaky_relu"

    def __init__(self, slope=LEAKY_SLOPE):
        self.slope = slope

    def forward(self, x, train=True):
        self.mask = x > 0
        return leaky_relu(x, self.slope)

    def backward(self, dout):
        return np.where(self.mask, dout, self.slope * dout)

    def __repr__(self):
        return f"LeakyReLU(slope={self.slope})"


class ELU(ActivationLayer):
    r"""ELU layer: :math:`y = x` if :math:`x > 0`, else :math:`\alpha(e^x - 1)`.

    Backward: :math:`dx = dout` where :math:`x > 0`, else :math:`dout \cdot (y + \alpha)`:
    for :math:`x \le 0` the derivative :math:`\alpha e^x` equals :math:`y + \alpha`, so the
    output is reused.

    Parameters
    ----------
    alpha : float, default 1.0
        :math:`\alpha`, see :func:`lib.activations.elu`.
    """

    activation = "elu"

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def forward(self, x, train=True):
        self.mask = x > 0
        self.out = elu(x, self.alpha)
        return self.out

    def backward(self, dout):
        return np.where(self.mask, dout, dout * (self.out + self.alpha))

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"


class SELU(ActivationLayer):
    r"""SELU layer: :math:`y = \lambda x` if :math:`x > 0`, else :math:`\lambda\alpha(e^x - 1)`.

    The constants are Klambauer et al.'s, :math:`\lambda \approx 1.0507` and
    :math:`\alpha \approx 1.6733` (see :func:`lib.activations.selu`).  Backward:
    :math:`dx = \lambda\, dout` where :math:`x > 0`, else
    :math:`dout \cdot (y + \lambda\alpha)`, since :math:`\lambda\alpha e^x = y + \lambda\alpha`.
    """

    activation = "selu"

    def forward(self, x, train=True):
        self.mask = x > 0
        self.out = selu(x)
        return self.out

    def backward(self, dout):
        return np.where(self.mask, SELU_SCALE * dout, dout * (self.out + SELU_SCALE * SELU_ALPHA))


class BatchNorm(Layer):
    r"""Batch normalisation (Ioffe & Szegedy, 2015) over the batch axis.

    Training: :math:`\hat x = (x - \mu_B)/\sqrt{\sigma_B^2 + \varepsilon}`,
    :math:`y = \gamma\hat x + \beta`, with the batch mean :math:`\mu_B` and the *biased*
    batch variance :math:`\sigma_B^2` (divide by N).  Inference (``train=False``): the
    running averages replace :math:`\mu_B` and :math:`\sigma_B^2`, so a sample's output no
    longer depends on the rest of its batch.

    Running averages, updated at every training forward pass:
    ``running = momentum * running + (1 - momentum) * batch_statistic``, with
    ``momentum=0.9`` (the convention of *Deep Learning from Scratch* and Keras). PyTorch's
    ``momentum=0.1`` is the weight of the *new* batch instead: ours = 1 − PyTorch's.
    They start at mean 0 and variance 1. The running variance also uses the biased batch
    variance; PyTorch stores the unbiased one (×N/(N−1)), a difference that vanishes for
    large batches.

    Backward, with :math:`\hat x` and :math:`s = \sqrt{\sigma_B^2 + \varepsilon}` kept from
    the forward pass: :math:`d\beta = \sum_n dout`, :math:`d\gamma = \sum_n dout\cdot\hat x`,
    and with :math:`g = dout\cdot\gamma`,

    .. math::

        dx = \big(g - \mathrm{mean}_n(g) - \hat x\,\mathrm{mean}_n(g\,\hat x)\big)/s.

    Parameters
    ----------
    n_features : int
        D, the number of features normalised.  ``gamma`` (shape (D,)) starts at 1 and
        ``beta`` (shape (D,)) at 0.
    momentum : float, default 0.9
        Weight of the old value in the running averages.
    eps : float, default 1e-5
        :math:`\varepsilon`, added to the variance.
    dtype : dtype, default float64
        The dtype of the parameters and running averages.
    """

    def __init__(self, n_features, momentum=0.9, eps=1e-5, dtype=np.float64):
        self.momentum, self.eps = float(momentum), float(eps)
        self.gamma = np.ones(n_features, dtype=dtype)
        self.beta = np.zeros(n_features, dtype=dtype)
        self.running_mean = np.zeros(n_features, dtype=dtype)
        self.running_var = np.ones(n_features, dtype=dtype)
        self.dgamma = self.dbeta = None

    def forward(self, x, train=True):
        """Normalise ``x`` with the batch's statistics (training) or the running ones.

        Parameters
        ----------
        x : ndarray of shape (N, D)
        train : bool, default True
            Use, and update the running averages with, the batch statistics.

        Returns
        -------
        ndarray of shape (N, D)
        """
        self.training = train
        if train:
            mean = x.mean(axis=0)
            xc = x - mean
            var = np.mean(xc * xc, axis=0)
            m = self.momentum
            self.running_mean = m * self.running_mean + (1.0 - m) * mean
            self.running_var = m * self.running_var + (1.0 - m) * var
        else:
            xc = x - self.running_mean
            var = self.running_var
        self.std = np.sqrt(var + self.eps)
        self.xn = xc / self.std
        return self.gamma * self.xn + self.beta

    def backward(self, dout):
        """Store ``dgamma`` and ``dbeta``; return ``dx``.

        Parameters
        ----------
        dout : ndarray of shape (N, D)

        Returns
        -------
        ndarray of shape (N, D)
        """
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(dout * self.xn, axis=0)
        g = dout * self.gamma
        if not self.training:  # fixed statistics: a per-feature affine map
            return g / self.std
        return (g - g.mean(axis=0) - self.xn * np.mean(g * self.xn, axis=0)) / self.std

    @property
    def params(self):
        return {"gamma": self.gamma, "beta": self.beta}

    @property
    def grads(self):
        return {"gamma": self.dgamma, "beta": self.dbeta}

    def __repr__(self):
        return f"BatchNorm({self.gamma.size}, momentum={self.momentum}, eps={self.eps})"


class Dropout(Layer):
    r"""Inverted dropout (Srivastava et al., 2014).

    ``p`` is the probability of *dropping* a unit (as PyTorch's ``p`` and *Deep Learning
    from Scratch*'s ``dropout_ratio``).  In training each unit is kept with probability
    :math:`1 - p` and the kept ones are scaled by :math:`1/(1 - p)`, so the expected
    activation is unchanged and inference is the identity.  (The original paper scales at
    inference instead; the two agree in expectation.)  After a training forward pass,
    ``layer.keep`` holds the boolean mask just used.

    Backward: :math:`dx = dout\cdot \mathrm{keep}/(1-p)`, the same scaled mask as the
    forward pass.

    With ``scale="test"`` the layer is *Deep Learning from Scratch*'s dropout instead: in
    training the kept units pass unscaled (:math:`x\cdot\mathrm{keep}`, backward
    :math:`dout\cdot\mathrm{keep}`) and inference multiplies by :math:`1 - p`.  Both forms
    keep the inference output equal to the expected training output; a network of one form
    is a network of the other with the weights after each dropout layer rescaled by
    :math:`1 - p`.

    Parameters
    ----------
    p : float, default 0.5
        The drop probability, in [0, 1).
    rng : numpy.random.Generator, optional
        The layer's own generator of masks (default: a fresh, unseeded one).
    mask : ndarray of bool of shape (N, D), optional
        A fixed keep-mask of the input's shape, used instead of random draws (for gradient
        checks); set or clear it later through ``layer.fixed_mask``.
    scale : {"train", "test"}, default "train"
        Where the factor that keeps expectations equal is applied: :math:`1/(1-p)` on the
        kept units in training (inverted dropout), or :math:`1 - p` on every unit at
        inference (*Deep Learning from Scratch*).
    """

    def __init__(self, p=0.5, rng=None, mask=None, scale="train"):
        self.p = checks.probability("p", p)
        self.rng = np.random.default_rng() if rng is None else rng
        self.fixed_mask = mask
        self.scale = checks.one_of("scale", scale, ("train", "test"))

    def forward(self, x, train=True):
        """Drop and rescale units in training; the identity when ``train`` is False.

        (With ``scale="test"``: drop without rescaling in training; multiply by
        :math:`1 - p` when ``train`` is False.)

        Parameters
        ----------
        x : ndarray of shape (N, D)
        train : bool, default True

        Returns
        -------
        ndarray of shape (N, D)
        """
        if not train:
            self.scaled_mask = None
            return x if self.scale == "train" else x * (1.0 - self.p)
        if self.fixed_mask is not None:
            self.keep = np.asarray(self.fixed_mask, dtype=bool)
        else:
            self.keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p
        self.scaled_mask = self.keep.astype(x.dtype)
        if self.scale == "train":
            self.scaled_mask *= 1.0 / (1.0 - self.p)
        return x * self.scaled_mask

    def backward(self, dout):
        if self.scaled_mask is None:  # after an inference pass: the identity, or times 1 - p
            return dout if self.scale == "train" else dout * (1.0 - self.p)
        return dout * self.scaled_mask

    def __repr__(self):
        return f"Dropout(p={self.p})" if self.scale == "train" else (
            f"Dropout(p={self.p}, scale='test')")


class SoftmaxCrossEntropy:
    r"""Softmax followed by the mean cross-entropy, as one layer: the output of a classifier.

    Computed through log-softmax, so it is stable for any score size.  Backward:
    :math:`d\,\text{scores} = (\mathrm{softmax}(\text{scores}) - t)/N \cdot dout`.
    """

    def forward(self, scores, t):
        """The mean cross-entropy of the batch.

        Parameters
        ----------
        scores : ndarray of shape (N, C)
        t : ndarray of shape (N,) or (N, C)
            Class indices, or one-hot rows.

        Returns
        -------
        float
        """
        log_probs = log_softmax(scores)
        self.probs, self.t = np.exp(log_probs), t
        return cross_entropy(log_probs, t)

    def backward(self, dout=1.0):
        """The gradient w.r.t. the scores of the last :meth:`forward`.

        Parameters
        ----------
        dout : float, default 1.0
            The gradient of the final loss w.r.t. this loss.

        Returns
        -------
        ndarray of shape (N, C)
        """
        dx = softmax_cross_entropy_backward(self.probs, self.t)
        if dout != 1.0:
            dx *= dout
        return dx

    def __repr__(self):
        return "SoftmaxCrossEntropy()"


#: Activation name -> layer class, read-only, derived from the classes' ``activation``
#: attributes (the names themselves are written down in :data:`lib.activations.ACTIVATIONS`).
ACTIVATION_LAYERS = MappingProxyType(
    {cls.activation: cls for cls in ActivationLayer.__subclasses__() if cls.__module__ == __name__}
)


def check_activation(name):
    """Return ``name`` if it is a key of :data:`lib.activations.ACTIVATIONS`.

    Parameters
    ----------
    name : str

    Returns
    -------
    str
        ``name`` itself.

    Raises
    ------
    ValueError
        ``"activation must be one of 'sigmoid', 'tanh', ..., got <name>"``.
    """
    return checks.one_of("activation", name, ACTIVATIONS)


def activation_layer(name, **kwargs):
    """A new layer for the activation ``name``: ``activation_layer("relu")`` is ``ReLU()``.

    Parameters
    ----------
    name : str
        A key of :data:`lib.activations.ACTIVATIONS`.
    **kwargs
        Passed to the layer class: ``slope`` for ``"leaky_relu"``, ``alpha`` for ``"elu"``.

    Returns
    -------
    ActivationLayer
        An instance of the class whose ``activation`` is ``name``.

    Raises
    ------
    ValueError
        For a name that is not in ``ACTIVATIONS``, as :func:`check_activation`.
    """
    return ACTIVATION_LAYERS[check_activation(name)](**kwargs)
