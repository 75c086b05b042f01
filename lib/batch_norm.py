r"""Batch normalisation taken apart: the long backward pass, the inference statistics, folding.

:class:`lib.layers.BatchNorm` is the layer the networks use: a forward pass and a compact
backward pass in a few lines.  This module holds what the chapter on batch normalisation
needs around it:

* :class:`StagedBatchNorm` -- the same layer computed the long way: the training-mode forward
  pass as a computational graph of nine small steps that keeps every intermediate, and a
  backward pass that walks the graph back node by node (as *Deep Learning from Scratch* draws
  it).  It gives the same gradients as the compact backward pass, up to rounding.
* :func:`pass_times` -- what each form costs: median times of forward and backward passes,
  the layers timed in turns.
* Inference statistics: :func:`running_average` (both momentum conventions),
  :func:`batch_statistics` (the batch means and variances each layer sees in training),
  :func:`inference_statistics` (the running averages a layer would keep from them: of the
  biased variance, of the unbiased one, or of the standard deviation),
  :func:`population_statistics` (the statistics of the whole training set),
  :func:`using_statistics` (evaluate a network with any of them) and
  :func:`train_mode_predictions` (predict in training mode, batch by batch).
* :func:`expected_batch_variance` and :func:`expected_batch_std` -- closed forms of what a
  batch of ``n`` Gaussian samples gives on average.
* :func:`fold_batchnorm` -- a network without batch normalisation that computes the same
  inference-mode scores: the running statistics folded into the weights.

Shapes: ``N`` samples in a batch, ``D`` features.  Nothing here imports matplotlib.
"""

import copy
import math
import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from lib import checks
from lib.layers import Affine, BatchNorm
from lib.network import MultiLayerNet
from lib.training import minibatches

__all__ = [
    "ESTIMATORS",
    "STAGES",
    "BatchStatistics",
    "StagedBatchNorm",
    "batch_statistics",
    "batchnorm_layers",
    "expected_batch_std",
    "expected_batch_variance",
    "fold_batchnorm",
    "inference_statistics",
    "pass_times",
    "population_statistics",
    "running_average",
    "train_mode_predictions",
    "using_statistics",
]

#: The nodes of the training-mode forward pass, in order: name -> how it is computed.
STAGES = {
    "mu": "mean over the batch of x",
    "xc": "x - mu",
    "sq": "xc ** 2",
    "var": "mean over the batch of sq",
    "std": "sqrt(var + eps)",
    "inv": "1 / std",
    "xn": "xc * inv",
    "gx": "gamma * xn",
    "y": "gx + beta",
}


class StagedBatchNorm(BatchNorm):
    r"""Batch normalisation computed as a graph of small steps, every intermediate kept.

    The same layer as :class:`lib.layers.BatchNorm` (same parameters, same running averages,
    same inference mode); only the training-mode passes differ.  The forward pass computes,
    for ``x`` of shape (N, D), the nodes of :data:`STAGES`:

    .. math::

        \mu = \tfrac1N\textstyle\sum_n x_n,\quad x_c = x - \mu,\quad s_q = x_c^2,\quad
        v = \tfrac1N\textstyle\sum_n s_{q,n},\quad
        \sigma = \sqrt{v + \varepsilon},\quad i = 1/\sigma,\quad
        \hat x = x_c\, i,\quad g_x = \gamma\hat x,\quad y = g_x + \beta,

    and keeps them all in ``self.nodes``.  The backward pass visits them in reverse order and
    multiplies the arriving gradient by each node's local derivative; where a node feeds two
    others (``x`` feeds ``mu`` and ``xc``; ``xc`` feeds ``sq`` and ``xn``) the two gradients
    add up.  The gradient of the loss w.r.t. every node is kept in ``self.node_grads``
    (``"x"`` included).  A reduction over the batch (``mu``, ``var``) sends its gradient back
    to each of the N rows divided by N; a per-feature node (``inv``, ``gamma``) that multiplies
    a batch-sized one collects its gradient summed over the batch.

    Parameters
    ----------
    n_features, momentum, eps, dtype
        As for :class:`lib.layers.BatchNorm`.
    """

    def forward(self, x, train=True):
        """Normalise ``x``; in training mode, step by step, keeping every node.

        Parameters
        ----------
        x : ndarray of shape (N, D)
        train : bool, default True
            False: the inference mode of :class:`lib.layers.BatchNorm` (``nodes`` is emptied).

        Returns
        -------
        ndarray of shape (N, D)
        """
        if not train:
            self.nodes = {}
            return super().forward(x, train=False)
        self.training = True
        n = {"x": x}
        n["mu"] = x.mean(axis=0)
        n["xc"] = x - n["mu"]
        n["sq"] = n["xc"] ** 2
        n["var"] = n["sq"].mean(axis=0)
        n["std"] = np.sqrt(n["var"] + self.eps)
        n["inv"] = 1.0 / n["std"]
        n["xn"] = n["xc"] * n["inv"]
        n["gx"] = self.gamma * n["xn"]
        n["y"] = n["gx"] + self.beta
        m = self.momentum
        self.running_mean = m * self.running_mean + (1.0 - m) * n["mu"]
        self.running_var = m * self.running_var + (1.0 - m) * n["var"]
        self.nodes = n
        self.std, self.xn = n["std"], n["xn"]  # what the inference-mode backward reads
        return n["y"]

    def backward(self, dout):
        """Walk the graph back from ``dout``; store ``dgamma``, ``dbeta``; return ``dx``.

        Parameters
        ----------
        dout : ndarray of shape (N, D)

        Returns
        -------
        ndarray of shape (N, D)
        """
        if not self.training:
            self.node_grads = {}
            return super().backward(dout)
        n = self.nodes
        N = dout.shape[0]
        d = {"y": dout}
        # y = gx + beta: the sum passes the gradient to both; beta is broadcast over the batch
        d["gx"] = d["y"]
        self.dbeta = d["y"].sum(axis=0)
        # gx = gamma * xn: each factor gets the other one times the gradient
        self.dgamma = np.sum(d["gx"] * n["xn"], axis=0)
        d["xn"] = d["gx"] * self.gamma
        # xn = xc * inv
        d_xc_direct = d["xn"] * n["inv"]
        d["inv"] = np.sum(d["xn"] * n["xc"], axis=0)
        # inv = 1 / std;  std = sqrt(var + eps)
        d["std"] = -d["inv"] / n["std"] ** 2
        d["var"] = d["std"] * 0.5 / n["std"]
        # var = mean of sq: every row receives 1/N of it;  sq = xc ** 2
        d["sq"] = np.broadcast_to(d["var"] / N, dout.shape)
        d_xc_square = 2.0 * n["xc"] * d["sq"]
        d["xc"] = d_xc_direct + d_xc_square  # xc feeds xn and sq: the two paths add
        # xc = x - mu
        d["mu"] = -d["xc"].sum(axis=0)
        # mu = mean of x: every row receives 1/N of it; x feeds xc and mu: the paths add
        d["x"] = d["xc"] + d["mu"] / N
        self.node_grads = d
        return d["x"]

    def __repr__(self):
        return f"StagedBatchNorm({self.gamma.size}, momentum={self.momentum}, eps={self.eps})"


def pass_times(layers, x, repeats=20, seed=0):
    """Median wall times of training-mode forward and backward passes of several layers.

    The layers take turns: every round times one forward and one backward pass of each layer
    in order, so that a change of the machine's load affects them alike.  One warm-up round
    is not counted.

    Parameters
    ----------
    layers : dict[str, Layer]
        Name -> a layer of :mod:`lib.layers` (or a :class:`StagedBatchNorm`) that takes ``x``.
    x : ndarray of shape (N, D)
        The input; not modified.
    repeats : int, default 20
        Timed rounds, >= 1.
    seed : int, default 0
        Seeds the gradient ``dout`` sent back.

    Returns
    -------
    dict[str, dict[str, float]]
        Name -> ``{"forward": seconds, "backward": seconds}``, medians over the rounds.
    """
    layers = dict(layers)
    if not layers:
        raise ValueError("layers must map names to layers, got an empty dict")
    x = checks.array("x", x, ndim=2, dtype=None)
    repeats = checks.integer("repeats", repeats, 1)
    dout = np.random.default_rng(checks.integer("seed", seed, 0)).standard_normal(x.shape)
    dout = dout.astype(x.dtype)
    times = {name: {"forward": [], "backward": []} for name in layers}
    for k in range(repeats + 1):
        for name, layer in layers.items():
            start = time.perf_counter()
            layer.forward(x, train=True)
            middle = time.perf_counter()
            layer.backward(dout)
            end = time.perf_counter()
            if k:  # the first round warms caches up
                times[name]["forward"].append(middle - start)
                times[name]["backward"].append(end - middle)
    return {name: {p: float(np.median(t)) for p, t in passes.items()}
            for name, passes in times.items()}


# ---- what a batch gives on average -----------------------------------------------------------


def expected_batch_variance(n):
    r"""The mean of the biased batch variance of ``n`` samples, in units of the true variance.

    For independent samples with variance :math:`\sigma^2`,
    :math:`\mathbb E\big[\tfrac1n\sum_i (x_i - \bar x)^2\big] = \tfrac{n-1}{n}\,\sigma^2`,
    whatever their distribution.

    Parameters
    ----------
    n : int
        The batch size, >= 2.

    Returns
    -------
    float
        :math:`(n-1)/n`.
    """
    n = checks.integer("n", n, 2)
    return (n - 1) / n


def expected_batch_std(n):
    r"""The mean biased batch standard deviation of ``n`` Gaussian samples, per :math:`\sigma`.

    For independent normal samples, :math:`n\,\sigma_B^2/\sigma^2` follows a :math:`\chi^2`
    distribution with :math:`n - 1` degrees of freedom, whence

    .. math::

        \frac{\mathbb E[\sigma_B]}{\sigma}
        = \sqrt{\frac2n}\;\frac{\Gamma(n/2)}{\Gamma\big((n-1)/2\big)},

    which is below :math:`\sqrt{(n-1)/n}` (the square root of the mean of :math:`\sigma_B^2`):
    the square root of an average is larger than the average of square roots.  For
    :math:`n = 2` it is :math:`1/\sqrt\pi \approx 0.564`.

    Parameters
    ----------
    n : int
        The batch size, >= 2.

    Returns
    -------
    float
    """
    n = checks.integer("n", n, 2)
    return math.sqrt(2.0 / n) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


# ---- running averages and the statistics used at inference -----------------------------------


def running_average(values, momentum=0.9, start=0.0, convention="old"):
    r"""The exponential running average of a sequence, as a batch-norm layer keeps it.

    With ``convention="old"`` (this book, *Deep Learning from Scratch*, Keras), ``momentum``
    :math:`m` is the weight of the old value:

    .. math::

        r_t = m\, r_{t-1} + (1 - m)\, v_t .

    With ``convention="new"`` (PyTorch), ``momentum`` is the weight of the new value,
    :math:`r_t = (1 - m)\, r_{t-1} + m\, v_t`: PyTorch's ``momentum=0.1`` is this book's 0.9.

    Parameters
    ----------
    values : array_like of shape (T, ...)
        The batch statistics, one per step (e.g. batch means of shape (T, D)).
    momentum : float, default 0.9
        In [0, 1].
    start : float or array_like broadcastable to ``values[0]``, default 0.0
        :math:`r_0` (running means start at 0, running variances at 1).
    convention : {"old", "new"}, default "old"
        Which value ``momentum`` weighs.

    Returns
    -------
    ndarray of shape (T, ...)
        :math:`r_1, \dots, r_T`.
    """
    values = checks.array("values", values)
    if values.ndim == 0 or values.shape[0] == 0:
        raise ValueError(f"values must hold at least one step, got shape {values.shape}")
    momentum = checks.number("momentum", momentum, 0.0, 1.0)
    convention = checks.one_of("convention", convention, ("old", "new"))
    old = momentum if convention == "old" else 1.0 - momentum
    r = np.broadcast_to(np.asarray(start, dtype=np.float64), values.shape[1:]).copy()
    out = np.empty(values.shape)
    for k, v in enumerate(values):
        r = old * r + (1.0 - old) * v
        out[k] = r
    return out


def batchnorm_layers(net):
    """The BatchNorm layers of ``net`` (a :class:`lib.network.MultiLayerNet`), in order.

    Parameters
    ----------
    net : MultiLayerNet

    Returns
    -------
    list of lib.layers.BatchNorm

    Raises
    ------
    ValueError
        If ``net`` has none (``batchnorm=False``).
    """
    found = [layer for layer in getattr(net, "layers", []) if isinstance(layer, BatchNorm)]
    if not found:
        raise ValueError(f"net must have BatchNorm layers (batchnorm=True), got {net!r}")
    return found


@dataclass(frozen=True)
class BatchStatistics:
    """The statistics every BatchNorm layer of a network saw on a series of training batches.

    Attributes
    ----------
    means, variances : list of ndarray of shape (n_batches, D_l)
        One entry per BatchNorm layer: the batch mean and the biased batch variance (divide
        by N) of the layer's input, one row per batch.
    batch_size : int
        N, the examples per batch.
    """

    means: list
    variances: list
    batch_size: int

    @property
    def n_batches(self):
        """The number of batches recorded."""
        return self.means[0].shape[0]

    def __repr__(self):
        widths = [m.shape[1] for m in self.means]
        return (f"BatchStatistics({self.n_batches} batches of {self.batch_size}, "
                f"layers of widths {widths})")


def batch_statistics(net, x, batch_size, n_batches, seed=0):
    """Record the batch statistics that each BatchNorm layer of ``net`` sees in training mode.

    Random batches of ``batch_size`` examples of ``x`` (drawn as in training: a fresh
    permutation per pass over ``x``, without replacement; incomplete batches skipped) go
    through a copy of the network in training mode; every BatchNorm layer's input batch mean
    and biased batch variance are recorded.  ``net`` itself is not changed (its running
    averages and dropout generators are untouched).

    Parameters
    ----------
    net : MultiLayerNet
        A network with batch normalisation.
    x : array_like of shape (M, n_inputs)
        The examples to draw batches from (usually the training set).
    batch_size : int
        Examples per batch, from 2 to M.
    n_batches : int
        Batches to record, >= 1.
    seed : int, default 0
        Seeds the batches.

    Returns
    -------
    BatchStatistics
    """
    batchnorm_layers(net)
    x = net.check_inputs(x)
    batch_size = checks.integer("batch_size", batch_size, 2, x.shape[0])
    n_batches = checks.integer("n_batches", n_batches, 1)
    rng = np.random.default_rng(checks.integer("seed", seed, 0))
    work = copy.deepcopy(net)
    means, variances = [], []
    while len(means) < n_batches:
        for idx in minibatches(x.shape[0], batch_size, rng):
            if len(idx) < batch_size or len(means) == n_batches:
                continue
            h, row_m, row_v = x[idx], [], []
            for layer in work.layers:
                if isinstance(layer, BatchNorm):
                    mean = h.mean(axis=0)
                    row_m.append(mean)
                    row_v.append(np.mean((h - mean) ** 2, axis=0))
                h = layer.forward(h, train=True)
            means.append(row_m)
            variances.append(row_v)
    return BatchStatistics(
        means=[np.array([row[l] for row in means], dtype=np.float64) for l in range(len(row_m))],
        variances=[np.array([row[l] for row in variances], dtype=np.float64)
                   for l in range(len(row_v))],
        batch_size=batch_size,
    )


#: How a running variance can be estimated from batch statistics: name -> description.
ESTIMATORS = {
    "biased": "average of the biased batch variances (this book, Deep Learning from Scratch)",
    "unbiased": "average of the unbiased batch variances, times N/(N-1) (PyTorch; the paper)",
    "std": "average of the batch standard deviations, squared (averaging sigma, not sigma^2)",
}


def inference_statistics(stats, estimator="biased", momentum=None):
    r"""The inference-time mean and variance of every layer, estimated from batch statistics.

    For each layer, the mean is the average of the batch means; the variance depends on the
    ``estimator``:

    * ``"biased"``: the average of the batch variances :math:`\sigma_B^2`; its expectation is
      :math:`\tfrac{N-1}{N}` of the true variance (:func:`expected_batch_variance`);
    * ``"unbiased"``: the average of :math:`\tfrac{N}{N-1}\sigma_B^2`, unbiased;
    * ``"std"``: the square of the average of :math:`\sigma_B`, smaller still
      (:func:`expected_batch_std` squared, for Gaussian features).

    Parameters
    ----------
    stats : BatchStatistics
        From :func:`batch_statistics`.
    estimator : str, default "biased"
        A key of :data:`ESTIMATORS`.
    momentum : float, optional
        None: the plain average over all recorded batches (what a running average tends to
        with a slowly forgetting momentum).  A number in [0, 1): the running average of
        :func:`running_average` with that weight of the old value, started like the layer's
        (mean 0, variance 1), its value after the last batch.

    Returns
    -------
    list of (ndarray of shape (D_l,), ndarray of shape (D_l,))
        ``(mean, variance)`` per BatchNorm layer.
    """
    if not isinstance(stats, BatchStatistics):
        raise ValueError(f"stats must be a BatchStatistics, got {type(stats).__name__}")
    estimator = checks.one_of("estimator", estimator, ESTIMATORS)
    if momentum is not None:
        momentum = checks.probability("momentum", momentum)
    n = stats.batch_size
    result = []
    for means, variances in zip(stats.means, stats.variances, strict=True):
        if estimator == "std":
            values, start, square = np.sqrt(variances), 1.0, True
        else:
            factor = n / (n - 1) if estimator == "unbiased" else 1.0
            values, start, square = variances * factor, 1.0, False
        if momentum is None:
            mean, spread = means.mean(axis=0), values.mean(axis=0)
        else:
            mean = running_average(means, momentum, start=0.0)[-1]
            spread = running_average(values, momentum, start=start)[-1]
        result.append((mean, spread**2 if square else spread))
    return result


def population_statistics(net, x):
    """The mean and variance of every BatchNorm layer's input over all of ``x``, at inference.

    Layer by layer: the input of a BatchNorm layer is computed for every example with the
    layers below it in inference mode, those below having been given their own population
    statistics already (as Ioffe and Szegedy, 2015, prescribe after training).  ``net`` is
    not changed.

    Parameters
    ----------
    net : MultiLayerNet
        A network with batch normalisation.
    x : array_like of shape (M, n_inputs)

    Returns
    -------
    list of (ndarray of shape (D_l,), ndarray of shape (D_l,))
        ``(mean, variance)`` per BatchNorm layer, the variance divided by M.
    """
    batchnorm_layers(net)
    h = net.check_inputs(x)
    work = copy.deepcopy(net)
    result = []
    for layer in work.layers:
        if isinstance(layer, BatchNorm):
            h64 = h.astype(np.float64)
            mean = h64.mean(axis=0)
            var = np.mean((h64 - mean) ** 2, axis=0)
            layer.running_mean = mean.astype(layer.running_mean.dtype)
            layer.running_var = var.astype(layer.running_var.dtype)
            result.append((mean, var))
        h = layer.forward(h, train=False)
    return result


@contextmanager
def using_statistics(net, statistics):
    """Run a block with ``net``'s BatchNorm layers using other inference statistics.

    Parameters
    ----------
    net : MultiLayerNet
        A network with batch normalisation.
    statistics : list of (ndarray of shape (D_l,), ndarray of shape (D_l,))
        ``(mean, variance)`` per BatchNorm layer, e.g. from :func:`inference_statistics`.

    Yields
    ------
    MultiLayerNet
        ``net`` itself; its running averages are restored when the block ends.
    """
    layers = batchnorm_layers(net)
    statistics = list(statistics)
    if len(statistics) != len(layers):
        raise ValueError(
            f"statistics must hold one (mean, variance) pair per BatchNorm layer "
            f"({len(layers)}), got {len(statistics)}"
        )
    saved = [(layer.running_mean, layer.running_var) for layer in layers]
    try:
        for layer, (mean, var) in zip(layers, statistics, strict=True):
            dtype = layer.running_mean.dtype
            mean = checks.array("statistics", mean, shape=layer.running_mean.shape)
            var = checks.array("statistics", var, shape=layer.running_var.shape, low=0.0)
            layer.running_mean, layer.running_var = mean.astype(dtype), var.astype(dtype)
        yield net
    finally:
        for layer, (mean, var) in zip(layers, saved, strict=True):
            layer.running_mean, layer.running_var = mean, var


def train_mode_predictions(net, x, batch_size, seed=0):
    """The classes ``net`` predicts in training mode, with batches of ``batch_size``.

    The examples are shuffled and cut into batches of ``batch_size``; every batch is
    normalised with its own statistics, as in training, so a prediction depends on the
    examples it shares its batch with.  The last ``M mod batch_size`` examples of the
    permutation get no prediction (-1).  ``net`` is not changed.

    Parameters
    ----------
    net : MultiLayerNet
    x : array_like of shape (M, n_inputs)
    batch_size : int
        From 1 to M.
    seed : int, default 0
        Seeds the shuffling.

    Returns
    -------
    ndarray of int of shape (M,)
        The predicted class of every example, or -1 for the examples left over.
    """
    x = net.check_inputs(x)
    batch_size = checks.integer("batch_size", batch_size, 1, x.shape[0])
    rng = np.random.default_rng(checks.integer("seed", seed, 0))
    work = copy.deepcopy(net)
    predicted = np.full(x.shape[0], -1, dtype=np.int64)
    for idx in minibatches(x.shape[0], batch_size, rng):
        if len(idx) == batch_size:
            predicted[idx] = work.predict(x[idx], train=True).argmax(axis=1)
    return predicted


# ---- folding for inference ---------------------------------------------------------------------


def fold_batchnorm(net):
    r"""A network without batch normalisation that gives ``net``'s inference-mode scores.

    At inference a BatchNorm layer is a fixed affine map per feature,
    :math:`y = \gamma (a - \mu)/\sqrt{\sigma^2 + \varepsilon} + \beta` with the running
    :math:`\mu, \sigma^2`, applied to the output :math:`a = xW (+ b)` of the Affine layer below
    it; the two compose into one Affine layer with

    .. math::

        W' = W \operatorname{diag}(k), \qquad b' = (b - \mu)\, k + \beta, \qquad
        k = \gamma / \sqrt{\sigma^2 + \varepsilon}.

    Parameters
    ----------
    net : MultiLayerNet
        With ``batchnorm=True``; its dropout layers, which do nothing at inference, are left
        out.

    Returns
    -------
    MultiLayerNet
        Same sizes, activation and dtype, no batch normalisation, no dropout; its
        ``predict(x)`` equals ``net.predict(x)`` (inference mode) up to rounding.
    """
    batchnorm_layers(net)
    folded = MultiLayerNet(net.sizes, activation=net.activation, init="zeros", batchnorm=False,
                           dtype=net.dtype)
    affines = [layer for layer in net.layers if isinstance(layer, Affine)]
    following = {}
    for before, after in zip(net.layers, net.layers[1:], strict=False):
        if isinstance(before, Affine) and isinstance(after, BatchNorm):
            following[id(before)] = after
    for i, affine in enumerate(affines, start=1):
        W = affine.W.astype(np.float64)
        b = np.zeros(W.shape[1]) if affine.b is None else affine.b.astype(np.float64)
        bn = following.get(id(affine))
        if bn is not None:
            k = bn.gamma / np.sqrt(bn.running_var.astype(np.float64) + bn.eps)
            W, b = W * k, (b - bn.running_mean) * k + bn.beta
        folded.params[f"W{i}"][...] = W
        folded.params[f"b{i}"][...] = b
    return folded
