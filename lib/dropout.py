r"""Dropout as an ensemble: thinned networks, their average, the two scalings, the variance shift.

A network with dropout layers is, in training, a different *thinned* network at every forward
pass: each unit is kept with probability :math:`q = 1 - p` and dropped otherwise.  At inference
:class:`lib.layers.Dropout` keeps every unit and scales so that each unit's output equals its
expected training output (*weight scaling*).  This module computes what the chapter on
dropout measures about that::

    scores = thinned_scores(net, x, n_masks=100, seed=0)   # (100, N, C): 100 thinned networks
    probs = to_probabilities(scores)                       # each one's softmax output
    mc = running_average(scores, counts=[1, 10, 100])      # Monte Carlo dropout: (3, N, C)
    accuracy(mc, t)                                        # of each average: (3,)
    tv_distance(mc, to_probabilities(net.predict(x)))      # how far from weight scaling
    second_moment_ratio(net, x)                            # training scores against inference

    after_dropout(net)            # {"W2": 0.5, ...}: the weights that read a dropped layer
    same = convert_scaling(net, "test")   # the same function, scaled at inference instead
    variance_shift(net, x)        # batch norm after dropout: what training told it, and truth

Only the dropout layers are put in training mode by :func:`thinned_scores`: a batch-norm
layer keeps using its running averages, as at inference.  (``net.predict(x, train=True)``
would switch batch normalisation to the statistics of the batch as well, and update its
running averages.)
"""

import numpy as np

from lib import checks
from lib.layers import Affine, BatchNorm, Dropout
from lib.losses import softmax
from lib.network import MultiLayerNet

__all__ = [
    "accuracy",
    "after_dropout",
    "convert_scaling",
    "entropy",
    "running_average",
    "second_moment_ratio",
    "thinned_scores",
    "to_probabilities",
    "tv_distance",
    "variance_shift",
]

#: Rows per forward pass in :func:`thinned_scores` (copies of ``x`` are stacked up to this).
CHUNK_ROWS = 20_000


def _dropout_layers(net):
    layers = [layer for layer in net.layers if isinstance(layer, Dropout)]
    if not layers:
        raise ValueError("net must have dropout layers (dropout or input_dropout > 0), got none")
    if any(layer.fixed_mask is not None for layer in layers):
        raise ValueError("net must draw its masks at random, got a dropout layer with a fixed_mask")
    return layers


def thinned_scores(net, x, n_masks, seed=0):
    r"""The scores of ``n_masks`` random thinned networks for every input.

    Every dropout layer of ``net`` draws fresh masks, from one generator seeded with
    ``seed`` (the layers' own generators are left where they were); every other layer runs
    in inference mode.  Each row of each copy gets its own mask, so ``scores[k, n]`` is input
    ``n`` through one thinned network, independent of the others.

    Parameters
    ----------
    net : MultiLayerNet
        With at least one dropout layer, drawing its masks at random.
    x : array_like of shape (N, D)
    n_masks : int
        :math:`T \ge 1`, the number of thinned networks per input.
    seed : int, default 0

    Returns
    -------
    ndarray of shape (n_masks, N, C)
        In the network's dtype.
    """
    layers = _dropout_layers(net)
    x = net.check_inputs(x)
    n_masks = checks.integer("n_masks", n_masks, 1)
    rng = np.random.default_rng(checks.integer("seed", seed, 0))
    n = x.shape[0]
    out = np.empty((n_masks, n, net.sizes[-1]), dtype=net.dtype)
    per = max(1, CHUNK_ROWS // n)
    saved = [layer.rng for layer in layers]
    try:
        for layer in layers:
            layer.rng = rng
        for start in range(0, n_masks, per):
            k = min(per, n_masks - start)
            h = np.tile(x, (k, 1))
            for layer in net.layers:
                h = layer.forward(h, train=isinstance(layer, Dropout))
            out[start:start + k] = h.reshape(k, n, -1)
    finally:
        for layer, own in zip(layers, saved, strict=True):
            layer.rng = own
    return out


def to_probabilities(scores):
    """The softmax of every row of scores, e.g. of every thinned network's scores.

    Parameters
    ----------
    scores : array_like of shape (..., C)
        E.g. the output of :func:`thinned_scores`, of shape (T, N, C).

    Returns
    -------
    ndarray of float64, of the shape of ``scores``
        Every row sums to 1.
    """
    s = checks.array("scores", scores)
    if s.ndim < 1 or s.shape[-1] < 1:
        raise ValueError(f"scores must have a last axis of classes, got shape {s.shape}")
    return softmax(s.reshape(-1, s.shape[-1])).reshape(s.shape)


def running_average(scores, counts=None, mean="arithmetic"):
    r"""The prediction of the first :math:`T` thinned networks together, for every :math:`T`.

    The *arithmetic* mean averages the thinned networks' probabilities,
    :math:`\bar p_T = \frac1T\sum_{k\le T}\mathrm{softmax}(s_k)` (Monte Carlo dropout).  The
    *geometric* mean multiplies them and normalises,
    :math:`\propto \prod_{k\le T}\mathrm{softmax}(s_k)^{1/T}`, which is exactly
    :math:`\mathrm{softmax}\big(\frac1T\sum_{k\le T} s_k\big)`: the log-sum-exp that turns
    each :math:`s_k` into log-probabilities is the same for every class and cancels.

    Parameters
    ----------
    scores : array_like of shape (T_max, N, C)
        As :func:`thinned_scores` returns them.
    counts : sequence of int, optional
        The numbers of networks :math:`T`, each in [1, T_max]; default every one from 1 to
        T_max.
    mean : {"arithmetic", "geometric"}, default "arithmetic"

    Returns
    -------
    ndarray of float64, of shape (len(counts), N, C)
        Probabilities: every row sums to 1.
    """
    s = checks.array("scores", scores, ndim=3)
    mean = checks.one_of("mean", mean, ("arithmetic", "geometric"))
    t_max = s.shape[0]
    if counts is None:
        counts = np.arange(1, t_max + 1)
    else:
        counts = np.array([checks.integer("counts", int(c) if isinstance(c, np.integer) else c,
                                          1, t_max) for c in counts], dtype=np.int64)
    if mean == "arithmetic":
        total = np.cumsum(to_probabilities(s), axis=0)[counts - 1]
        return total / counts[:, None, None]
    return to_probabilities(np.cumsum(s, axis=0)[counts - 1] / counts[:, None, None])


def accuracy(probs, t):
    """The share of inputs whose most probable class is the label, for each set of rows.

    Parameters
    ----------
    probs : array_like of shape (..., N, C)
        Probabilities (or scores: only their order counts), e.g. of
        :func:`running_average`.
    t : array_like of shape (N,) or (N, C)
        Class indices, or one-hot rows.

    Returns
    -------
    ndarray of float64, of shape (...)
        A float64 scalar array for ``probs`` of shape (N, C).
    """
    probs = checks.array("probs", probs)
    t = np.asarray(t)
    labels = t if t.ndim == 1 else t.argmax(axis=1)
    if probs.ndim < 2 or labels.shape != probs.shape[-2:-1]:
        raise ValueError(f"t must hold one label per row of probs (shape {probs.shape}), "
                         f"got shape {t.shape}")
    return np.mean(probs.argmax(axis=-1) == labels, axis=-1)


def tv_distance(p, q):
    r"""The mean over inputs of the total-variation distance :math:`\frac12\sum_c |p_c - q_c|`.

    0: the same distributions; 1: disjoint ones.

    Parameters
    ----------
    p : array_like of shape (..., N, C)
        Probabilities, e.g. of :func:`running_average`.
    q : array_like of shape (N, C)
        Probabilities to compare with, e.g. the weight-scaled network's softmax.

    Returns
    -------
    ndarray of float64, of shape (...)
    """
    p = checks.array("p", p, low=0.0, high=1.0)
    q = checks.array("q", q, low=0.0, high=1.0)
    if p.ndim < 2 or p.shape[-2:] != q.shape:
        raise ValueError(f"q must have the shape of p's last two axes {p.shape[-2:]}, "
                         f"got {q.shape}")
    return 0.5 * np.abs(p - q).sum(axis=-1).mean(axis=-1)


def entropy(probs):
    r"""The entropy :math:`-\sum_c p_c \ln p_c` of every probability row, in nats.

    Parameters
    ----------
    probs : array_like of shape (..., C)
        Rows of probabilities (terms with :math:`p_c = 0` count 0).

    Returns
    -------
    ndarray of float64, of shape (...)
        From 0 (certain) to :math:`\ln C` (uniform).
    """
    p = checks.array("probs", probs, low=0.0, high=1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(p), 0.0)
    return terms.sum(axis=-1)


def second_moment_ratio(net, x, n_masks=20, seed=0):
    r"""How much larger the scores are, in mean square, in training mode than at inference.

    .. math::

        \frac{\operatorname{mean}_{k,n,c}\ s_{knc}^2}{\operatorname{mean}_{n,c}\ s_{nc}^2}

    for the scores :math:`s_{knc}` of thinned network :math:`k` (:func:`thinned_scores`) and
    the inference scores :math:`s_{nc}`.  A dropout layer keeps each unit's mean but
    multiplies its mean square by :math:`1/(1-p)`; at initialisation, for :math:`L` dropout
    layers in a row, the ratio is about :math:`(1-p)^{-L}`, whichever way the layers scale.

    Parameters
    ----------
    net, x, n_masks, seed
        As for :func:`thinned_scores`.

    Returns
    -------
    float
    """
    s = thinned_scores(net, x, n_masks, seed).astype(np.float64)
    inference = net.predict(x).astype(np.float64)
    return float(np.mean(s * s) / np.mean(inference * inference))


def after_dropout(net):
    """The weight matrices that read the output of a dropout layer, with its drop probability.

    Parameters
    ----------
    net : MultiLayerNet

    Returns
    -------
    dict[str, float]
        ``"W2" -> p`` for every Affine layer whose input comes from a dropout layer (through
        ``net.layers``), in order; empty without dropout.
    """
    names = {id(array): key for key, array in net.params.items()}
    found, p = {}, None
    for layer in net.layers:
        if isinstance(layer, Dropout):
            p = layer.p
        elif isinstance(layer, Affine):
            if p is not None:
                found[names[id(layer.W)]] = p
            p = None
    return found


def convert_scaling(net, scale):
    r"""A network with the other dropout scaling that computes exactly the same function.

    A dropout layer scaled at inference (*Deep Learning from Scratch*: :math:`h\,m` in
    training, :math:`(1-p)\,h` at inference) followed by weights :math:`W` computes what
    inverted dropout (:math:`h\,m/(1-p)`, then :math:`h`) computes when followed by
    :math:`(1-p)\,W`, in training with the same mask and at inference alike.  So every weight
    matrix of :func:`after_dropout` is multiplied by :math:`1 - p` (to ``"train"``) or divided
    by it (to ``"test"``); everything else is copied, batch norm's running averages included.

    Parameters
    ----------
    net : MultiLayerNet
    scale : {"train", "test"}
        The ``dropout_scale`` of the new network.

    Returns
    -------
    MultiLayerNet
        A new network with ``net``'s architecture, keywords and seed; its dropout layers start
        from fresh generators, as in a new network of that seed.  (Its L2 and L1 penalties,
        computed on the rescaled weights, differ.)
    """
    scale = checks.one_of("scale", scale, ("train", "test"))
    new = MultiLayerNet(net.sizes, activation=net.activation, init=net.init,
                        batchnorm=net.batchnorm, dropout=net.dropout,
                        weight_decay=net.weight_decay, l1=net.l1, dtype=net.dtype,
                        seed=net.seed, input_dropout=net.input_dropout, dropout_scale=scale)
    factors = {} if scale == net.dropout_scale else after_dropout(net)
    for key, value in net.params.items():
        if key in factors:
            q = 1.0 - factors[key]
            new.params[key][...] = value * q if scale == "train" else value / q
        else:
            new.params[key][...] = value
    for old_layer, new_layer in zip(net.layers, new.layers, strict=True):
        if isinstance(old_layer, BatchNorm):
            new_layer.running_mean = old_layer.running_mean.copy()
            new_layer.running_var = old_layer.running_var.copy()
    return new


def variance_shift(net, x):
    r"""For batch norm after dropout: the variance it learned in training, over the true one.

    A batch-norm layer's running variance is averaged in training mode, where the dropout
    layers before it add the noise of their masks; at inference the masks are gone and its
    input varies less.  For every batch-norm layer with a dropout layer anywhere before it,
    this runs ``x`` through the network in inference mode and divides the layer's running
    variance by the variance of its actual input, unit by unit (ratios above 1: the layer
    divides by too large a standard deviation and shrinks its outputs).

    Parameters
    ----------
    net : MultiLayerNet
        With ``batchnorm=True`` and dropout, trained (so that the running averages mean
        something).
    x : array_like of shape (N, D)
        Inputs, e.g. the training set; N of at least 2.

    Returns
    -------
    dict[int, ndarray of shape (D_l,)]
        The number of the layer (as in ``gamma2``) -> the ratio for each of its units (inf
        or NaN for a unit whose input does not vary).
    """
    x = net.check_inputs(x)
    if x.shape[0] < 2:
        raise ValueError(f"x must hold at least two inputs, got {x.shape[0]}")
    numbers = {id(array): int(key[5:]) for key, array in net.params.items()
               if key.startswith("gamma")}
    found, seen_dropout, h = {}, False, x
    for layer in net.layers:
        if isinstance(layer, Dropout):
            seen_dropout = True
        elif isinstance(layer, BatchNorm) and seen_dropout:
            with np.errstate(divide="ignore", invalid="ignore"):  # a dead unit: inf or NaN
                ratio = layer.running_var / h.astype(np.float64).var(axis=0)
            found[numbers[id(layer.gamma)]] = ratio
        h = layer.forward(h, train=False)
    return found
