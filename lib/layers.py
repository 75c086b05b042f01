r"""Layers: each one a forward pass and, right below it, its backward pass.

Every layer follows one protocol (as in CS231n and *Deep Learning from Scratch*):

- ``out = layer.forward(x, train=True)`` computes the output and keeps what the backward
  pass will need;
- ``dx = layer.backward(dout)`` takes $\partial L/\partial\,\text{out}$ and returns
  $\partial L/\partial x$ (same shape as ``x``); gradients of the layer's own parameters
  are stored on the layer (``layer.dW``, ``layer.db``, ...);
- ``layer.params`` / ``layer.grads`` are dicts of the parameter arrays and of their
  gradients (empty for layers without parameters).

Inputs are never modified. Shapes: ``N`` samples, ``D`` input features, ``M`` outputs.
A network is a plain list of layers: the forward pass runs it front to back, the
backward pass back to front (see :mod:`lib.network`).
"""

import numpy as np

from lib.activations import LEAKY_SLOPE, SELU_ALPHA, SELU_SCALE, elu, leaky_relu, selu, sigmoid
from lib.losses import cross_entropy, log_softmax, softmax_cross_entropy_backward


class Layer:
    """Base class: a layer without parameters that passes its input through."""

    def forward(self, x, train=True):
        return x

    def backward(self, dout):
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
    r"""Fully connected layer $y = xW + b$.

    W: (D, M) weights; b: (M,) biases, or None for a layer without bias (used before
    BatchNorm, whose shift $\beta$ makes a bias redundant).
    input_grad: when False, ``backward`` skips $\partial L/\partial x$ and returns None;
    the first layer of a network sets it, since nobody needs the gradient w.r.t. the data.

    Backward, for dout (N, M):  dW = xᵀ·dout (D, M),  db = Σₙ dout (M,),  dx = dout·Wᵀ (N, D).
    """

    def __init__(self, W, b=None, input_grad=True):
        self.W, self.b, self.input_grad = W, b, input_grad
        self.dW = self.db = None

    def forward(self, x, train=True):
        """x: (N, D) -> out: (N, M)."""
        self.x = x
        out = x @ self.W
        if self.b is not None:
            out += self.b
        return out

    def backward(self, dout):
        """dout: (N, M) -> dx: (N, D), or None when ``input_grad`` is False."""
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


class Sigmoid(Layer):
    r"""$y = \sigma(x)$;  backward: $dx = dout \cdot y(1 - y)$ (reuses the output)."""

    def forward(self, x, train=True):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        y = self.out
        return dout * y * (1.0 - y)


class Tanh(Layer):
    r"""$y = \tanh(x)$;  backward: $dx = dout \cdot (1 - y^2)$ (reuses the output)."""

    def forward(self, x, train=True):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        y = self.out
        return dout * (1.0 - y * y)


class ReLU(Layer):
    r"""$y = \max(0, x)$;  backward: $dx = dout$ where $x > 0$, else 0.

    The output is kept: the boolean mask ``out > 0`` is the same as ``x > 0``.
    """

    def forward(self, x, train=True):
        self.out = np.maximum(x, 0)
        return self.out

    def backward(self, dout):
        return dout * (self.out > 0)


class LeakyReLU(Layer):
    r"""$y = x$ if $x > 0$, else ``slope``$\cdot x$;  backward: $dout$ or ``slope``$\cdot dout$."""

    def __init__(self, slope=LEAKY_SLOPE):
        self.slope = slope

    def forward(self, x, train=True):
        self.mask = x > 0
        return leaky_relu(x, self.slope)

    def backward(self, dout):
        return np.where(self.mask, dout, self.slope * dout)

    def __repr__(self):
        return f"LeakyReLU(slope={self.slope})"


class ELU(Layer):
    r"""$y = x$ if $x > 0$, else $\alpha(e^x - 1)$;  backward: $dout$ or $dout\cdot(y + \alpha)$.

    For $x \le 0$ the derivative $\alpha e^x$ equals $y + \alpha$, so the output is reused.
    """

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


class SELU(Layer):
    r"""$y = \lambda x$ if $x > 0$, else $\lambda\alpha(e^x - 1)$ (Klambauer et al.'s constants
    $\lambda \approx 1.0507$, $\alpha \approx 1.6733$);  backward: $\lambda\,dout$ or
    $dout\cdot(y + \lambda\alpha)$, since $\lambda\alpha e^x = y + \lambda\alpha$."""

    def forward(self, x, train=True):
        self.mask = x > 0
        self.out = selu(x)
        return self.out

    def backward(self, dout):
        return np.where(self.mask, SELU_SCALE * dout, dout * (self.out + SELU_SCALE * SELU_ALPHA))


class BatchNorm(Layer):
    r"""Batch normalisation (Ioffe & Szegedy, 2015) over the batch axis.

    Training: $\hat x = (x - \mu_B)/\sqrt{\sigma_B^2 + \varepsilon}$, $y = \gamma\hat x + \beta$,
    with the batch mean $\mu_B$ and the *biased* batch variance $\sigma_B^2$ (divide by N).
    Inference (``train=False``): the running averages replace $\mu_B$ and $\sigma_B^2$, so a
    sample's output no longer depends on the rest of its batch.

    Running averages, updated at every training forward pass:
    ``running = momentum * running + (1 - momentum) * batch_statistic``, with
    ``momentum=0.9`` (the convention of *Deep Learning from Scratch* and Keras). PyTorch's
    ``momentum=0.1`` is the weight of the *new* batch instead: ours = 1 − PyTorch's.
    They start at mean 0 and variance 1. The running variance also uses the biased batch
    variance; PyTorch stores the unbiased one (×N/(N−1)), a difference that vanishes for
    large batches.

    n_features: D; gamma (D,) starts at 1 and beta (D,) at 0; eps is added to the variance.

    Backward, with $\hat x$ and $s = \sqrt{\sigma_B^2 + \varepsilon}$ kept from the forward pass:
    $d\beta = \sum_n dout$, $d\gamma = \sum_n dout\cdot\hat x$, and with $g = dout\cdot\gamma$,
    $dx = \big(g - \mathrm{mean}_n(g) - \hat x\,\mathrm{mean}_n(g\,\hat x)\big)/s$.
    """

    def __init__(self, n_features, momentum=0.9, eps=1e-5, dtype=np.float64):
        self.momentum, self.eps = float(momentum), float(eps)
        self.gamma = np.ones(n_features, dtype=dtype)
        self.beta = np.zeros(n_features, dtype=dtype)
        self.running_mean = np.zeros(n_features, dtype=dtype)
        self.running_var = np.ones(n_features, dtype=dtype)
        self.dgamma = self.dbeta = None

    def forward(self, x, train=True):
        """x: (N, D) -> out: (N, D)."""
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
        """dout: (N, D) -> dx: (N, D)."""
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
    from Scratch*'s ``dropout_ratio``). In training each unit is kept with probability
    $1 - p$ and the kept ones are scaled by $1/(1 - p)$, so the expected activation is
    unchanged and inference is the identity. (The original paper scales at inference
    instead; the two agree in expectation.)

    rng: the layer's own ``np.random.Generator``.
    mask: an optional fixed boolean keep-mask of the input's shape (N, D), used instead of
    random draws (for gradient checks); set or clear it later through ``layer.fixed_mask``.
    After a training forward pass, ``layer.keep`` holds the boolean mask just used.

    Backward: $dx = dout\cdot \mathrm{keep}/(1-p)$, the same scaled mask as the forward pass.
    """

    def __init__(self, p=0.5, rng=None, mask=None):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout p must be in [0, 1), got {p}")
        self.p = float(p)
        self.rng = np.random.default_rng() if rng is None else rng
        self.fixed_mask = mask

    def forward(self, x, train=True):
        """x: (N, D) -> out: (N, D); the identity when ``train`` is False."""
        if not train:
            self.scaled_mask = None
            return x
        if self.fixed_mask is not None:
            self.keep = np.asarray(self.fixed_mask, dtype=bool)
        else:
            self.keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p
        self.scaled_mask = self.keep.astype(x.dtype)
        self.scaled_mask *= 1.0 / (1.0 - self.p)
        return x * self.scaled_mask

    def backward(self, dout):
        return dout if self.scaled_mask is None else dout * self.scaled_mask

    def __repr__(self):
        return f"Dropout(p={self.p})"


class SoftmaxCrossEntropy:
    r"""Softmax followed by the mean cross-entropy, as one layer: the output of a classifier.

    forward(scores, t) -> loss (float); scores (N, C), t (N,) class indices or (N, C) one-hot.
    backward(dout=1.0) -> dscores (N, C) $= (\mathrm{softmax}(\text{scores}) - t)/N \cdot dout$.
    Computed through log-softmax, so it is stable for any score size.
    """

    def forward(self, scores, t):
        log_probs = log_softmax(scores)
        self.probs, self.t = np.exp(log_probs), t
        return cross_entropy(log_probs, t)

    def backward(self, dout=1.0):
        dx = softmax_cross_entropy_backward(self.probs, self.t)
        if dout != 1.0:
            dx *= dout
        return dx

    def __repr__(self):
        return "SoftmaxCrossEntropy()"


#: Activation name -> layer class, resolved once when a network is built.
ACTIVATION_LAYERS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "selu": SELU,
}


def check_activation(name):
    """Return ``name`` if it names an activation layer; else a ValueError listing the names."""
    if not (isinstance(name, str) and name in ACTIVATION_LAYERS):
        raise ValueError(
            f"unknown activation {name!r}; choose one of: {', '.join(ACTIVATION_LAYERS)}"
        )
    return name
