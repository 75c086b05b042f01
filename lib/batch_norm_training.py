r"""Training experiments with and without batch normalisation, one run per call.

Every function trains or probes one network for one seed and returns plain numbers, so that
:func:`lib.experiments.over_seeds` can repeat it over seeds in parallel:

* :func:`scale_run` -- *Deep Learning from Scratch*'s experiment (``ch06/batch_norm_test.py``):
  a network of five hidden layers of 100 ReLU units whose weights are drawn with one standard
  deviation, the *weight scale*, trained with SGD on 1,000 examples for 20 epochs, with or
  without batch normalisation; the training accuracy after every epoch, and optionally the
  activations of every hidden layer before and after training.  :data:`SCALES` are the book's
  16 scales.
* :func:`batch_size_gap` -- a network with batch normalisation trained with a given batch
  size, then evaluated in training mode (batch statistics) and in inference mode with several
  inference statistics.
* :func:`step_profile` -- the loss and the gradient after one gradient step of each of several
  sizes, on the same batch: how far the gradient can be trusted.
* :func:`hidden_activations` -- the output of every hidden layer's activation for a batch.

Nothing here imports matplotlib.
"""

import copy
from dataclasses import dataclass

import numpy as np

from lib import checks
from lib.batch_norm import (
    batch_statistics,
    batchnorm_layers,
    inference_statistics,
    population_statistics,
    train_mode_predictions,
    using_statistics,
)
from lib.datasets import load_digits
from lib.layers import ActivationLayer
from lib.network import MultiLayerNet
from lib.optimizers import SGD
from lib.training import train

__all__ = [
    "SCALES",
    "SIZES",
    "ScaleRun",
    "batch_size_gap",
    "hidden_activations",
    "scale_run",
    "step_profile",
]

#: The 16 weight scales of *Deep Learning from Scratch*: ``np.logspace(0, -4, num=16)``,
#: from 1 down to 1e-4, as Python floats.
SCALES = tuple(float(s) for s in np.logspace(0, -4, num=16))

#: The network of the experiment: 64 pixels, five hidden layers of 100 units, 10 classes.
SIZES = (64, 100, 100, 100, 100, 100, 10)


def hidden_activations(net, x, train=True):
    """The output of every hidden activation layer of ``net`` for the batch ``x``.

    The batch goes through a copy of the network, so ``net`` (its running averages, its
    dropout generators) is not changed.

    Parameters
    ----------
    net : MultiLayerNet
    x : array_like of shape (N, n_inputs)
    train : bool, default True
        The layers' mode: training (batch statistics) or inference.

    Returns
    -------
    list of ndarray of shape (N, width_l)
        One per hidden layer, first layer first.  Where the signal overflowed, inf or NaN.
    """
    h = net.check_inputs(x)
    work = copy.deepcopy(net)
    found = []
    with np.errstate(all="ignore"):
        for layer in work.layers:
            h = layer.forward(h, train)
            if isinstance(layer, ActivationLayer):
                found.append(h.copy())
    return found


@dataclass(frozen=True)
class ScaleRun:
    """One run of :func:`scale_run`.

    Attributes
    ----------
    scale : float
        The weights' standard deviation.
    batchnorm : bool
    accuracy : ndarray of shape (epochs + 1,)
        Accuracy on the training examples, in inference mode, before training (entry 0) and
        after every epoch; NaN after a divergence.
    diverged_at : int or None
        The iteration whose loss was not finite, or None.
    before, after : list of ndarray, or None
        With ``activations=True``: :func:`hidden_activations` of the first 100 training
        examples in training mode, before and after training (after the divergence, if any).
    """

    scale: float
    batchnorm: bool
    accuracy: np.ndarray
    diverged_at: int | None
    before: list | None = None
    after: list | None = None

    @property
    def final(self):
        """The accuracy after the last epoch (NaN if training diverged)."""
        return float(self.accuracy[-1])

    def __repr__(self):
        end = (f"diverged at step {self.diverged_at}" if self.diverged_at is not None
               else f"final accuracy {self.final:.3f}")
        return f"ScaleRun(scale={self.scale:.3g}, batchnorm={self.batchnorm}, {end})"


def scale_run(scale, batchnorm, seed=0, epochs=20, n_train=1000, lr=0.01, batch_size=100,
              eps=None, activations=False, data=None):
    r"""Train *Deep Learning from Scratch*'s deep network from weights of one scale.

    A :class:`lib.network.MultiLayerNet` of :data:`SIZES` with ReLU, weights drawn from a
    normal distribution with standard deviation ``scale`` (biases 0), trained with SGD on
    the first ``n_train`` training examples, as ``ch06/batch_norm_test.py`` does on MNIST
    (which draws its batches with replacement; here every epoch is a permutation).

    Parameters
    ----------
    scale : float
        The weights' standard deviation, > 0.
    batchnorm : bool
        Batch normalisation after every hidden affine layer.
    seed : int, default 0
        Seeds the weights and the order of the batches (every epoch a fresh permutation).
    epochs, n_train, batch_size : int
        20 epochs over 1,000 examples in batches of 100, as in the book.
    lr : float, default 0.01
        SGD's learning rate.
    eps : float, optional
        The batch-norm layers' :math:`\varepsilon` (default: the layer's, 1e-5).
    activations : bool, default False
        Also record the hidden activations before and after training.
    data : ((x_train, t_train), (x_test, t_test)), optional
        Default: :func:`lib.datasets.load_digits`.

    Returns
    -------
    ScaleRun
    """
    scale = checks.positive("scale", scale)
    n_train = checks.integer("n_train", n_train, 1)
    epochs = checks.integer("epochs", epochs, 0)
    (x, t), test = load_digits() if data is None else data
    x, t = x[:n_train], t[:n_train]
    net = MultiLayerNet(SIZES, init=scale, batchnorm=bool(batchnorm), seed=seed)
    if eps is not None:
        eps = checks.positive("eps", eps)
        for layer in batchnorm_layers(net) if batchnorm else []:
            layer.eps = eps
    before = hidden_activations(net, x[:100]) if activations else None
    optimizer = SGD(lr=lr)
    accuracy = np.full(epochs + 1, np.nan)
    diverged_at = None
    # One call of train() per epoch, each shuffling with its own seed drawn from ``seed``;
    # only the training accuracy is measured (the test set plays no part here).  Scores
    # that overflow on the way to a divergence give whatever accuracy their argmax gives.
    epoch_seeds = np.random.SeedSequence(seed).generate_state(max(epochs, 1))
    with np.errstate(over="ignore", invalid="ignore"):
        accuracy[0] = net.accuracy(x, t)
        for epoch in range(epochs):
            history = train(net, optimizer, ((x, t), test), epochs=1, batch_size=batch_size,
                            seed=int(epoch_seeds[epoch]), evaluate=False)
            if history.diverged:
                diverged_at = epoch * history.iterations_per_epoch + history.diverged_at
                break
            accuracy[epoch + 1] = net.accuracy(x, t)
    after = hidden_activations(net, x[:100]) if activations else None
    return ScaleRun(scale, bool(batchnorm), accuracy, diverged_at, before, after)


def batch_size_gap(batch_size, seed=0, epochs=2, lr=0.1, sizes=(64, 100, 100, 10),
                   n_batches=200, data=None, details=False):
    """Train with one batch size; compare training-mode and inference-mode accuracy.

    A ReLU network with batch normalisation and He's weights is trained with SGD for
    ``epochs`` epochs on the digits with batches of ``batch_size``.  Then, on the test set:

    * ``"train mode"``: accuracy when the test examples are classified in random batches of
      ``batch_size``, each normalised with its own statistics, as in training (the mean over
      three shufflings);
    * ``"running"``: inference mode with the running averages the layers kept in training
      (momentum 0.9, biased variance: the library's convention);
    * ``"biased"``, ``"unbiased"``, ``"std"``: inference mode with the average over
      ``n_batches`` fresh training batches of the biased variance, of the unbiased variance,
      or of the standard deviation (see :func:`lib.batch_norm.inference_statistics`);
    * ``"population"``: inference mode with the statistics of the whole training set
      (:func:`lib.batch_norm.population_statistics`);
    * ``"disagreement"``: the share of test examples that training mode and inference mode
      (running averages) classify differently;
    * ``"ratios"``: estimator -> the median, over the first batch-norm layer's features, of
      the estimated variance divided by the whole training set's.

    Parameters
    ----------
    batch_size : int
        >= 2.
    seed : int, default 0
    epochs : int, default 2
    lr : float, default 0.1
    sizes : sequence of int, default (64, 100, 100, 10)
    n_batches : int, default 200
        Training batches replayed through the trained network for the estimates.
    data : ((x_train, t_train), (x_test, t_test)), optional
        Default: the digits.
    details : bool, default False
        Also return the trained network and the statistics.

    Returns
    -------
    dict
        The accuracies, the disagreement and the ratios above; with ``details``, also
        ``"net"``, ``"stats"`` (the :class:`lib.batch_norm.BatchStatistics` replayed) and
        ``"population statistics"``.
    """
    batch_size = checks.integer("batch_size", batch_size, 2)
    (x, t), (x_test, t_test) = load_digits() if data is None else data
    net = MultiLayerNet(list(sizes), batchnorm=True, seed=seed)
    train(net, SGD(lr=lr), ((x, t), (x_test, t_test)), epochs=epochs, batch_size=batch_size,
          seed=seed, evaluate=False)
    result = {}
    inference = net.predict(x_test).argmax(axis=1)
    shuffles = [train_mode_predictions(net, x_test, batch_size, seed=seed * 10 + k)
                for k in range(3)]
    agree, correct, counted = 0, 0, 0
    for predicted in shuffles:
        kept = predicted >= 0
        correct += int(np.sum(predicted[kept] == t_test[kept]))
        agree += int(np.sum(predicted[kept] == inference[kept]))
        counted += int(kept.sum())
    result["train mode"] = correct / counted
    result["running"] = float(np.mean(inference == t_test))
    result["disagreement"] = 1.0 - agree / counted
    stats = batch_statistics(net, x, batch_size, n_batches, seed=seed)
    population = population_statistics(net, x)
    with using_statistics(net, population):
        result["population"] = net.accuracy(x_test, t_test)
    result["ratios"] = {}
    for estimator in ("biased", "unbiased", "std"):
        estimate = inference_statistics(stats, estimator)
        with using_statistics(net, estimate):
            result[estimator] = net.accuracy(x_test, t_test)
        result["ratios"][estimator] = float(np.median(estimate[0][1] / population[0][1]))
    if details:
        result.update({"net": net, "stats": stats, "population statistics": population})
    return result


def _flat(grads, keys):
    return np.concatenate([np.asarray(grads[k], dtype=np.float64).ravel() for k in keys])


def step_profile(net, x, t, lrs):
    r"""Loss and gradient after one gradient step of each size in ``lrs``, on one batch.

    With :math:`g = \nabla L(w)` on the batch ``(x, t)``, for every step size :math:`\eta`
    the network is moved to :math:`w - \eta g` (a copy: ``net`` is not changed) and the loss
    and gradient are computed there, on the same batch.  A smooth loss changes little along
    the step and its gradient stays close to :math:`g`.

    Parameters
    ----------
    net : MultiLayerNet
        Computes in training mode (batch statistics).  Use float64 for clean differences.
    x : array_like of shape (N, n_inputs)
    t : array_like of shape (N,) or (N, n_classes)
    lrs : array_like of shape (S,)
        The step sizes :math:`\eta`, each > 0.

    Returns
    -------
    dict
        ``"loss"``: :math:`L(w)`, a float; ``"grad_norm"``: :math:`\lVert g\rVert`;
        ``"losses"``: ndarray of shape (S,), :math:`L(w - \eta g)`; ``"gradient_change"``:
        ndarray of shape (S,), :math:`\lVert\nabla L(w - \eta g) - g\rVert / \lVert g\rVert`
        (inf where the loss overflowed).
    """
    lrs = [checks.positive("lrs", lr) for lr in checks.array("lrs", lrs, ndim=1)]
    x, t = net.check_inputs(x, t)
    loss, grads = copy.deepcopy(net).loss_and_gradient(x, t)
    keys = sorted(grads)
    g = _flat(grads, keys)
    norm = float(np.linalg.norm(g))
    losses, changes = [], []
    with np.errstate(all="ignore"):
        for lr in lrs:
            moved = copy.deepcopy(net)
            for k in keys:
                moved.params[k] -= np.asarray(lr * grads[k], dtype=moved.params[k].dtype)
            new_loss, new_grads = moved.loss_and_gradient(x, t)
            change = float(np.linalg.norm(_flat(new_grads, keys) - g) / norm)
            losses.append(new_loss)
            changes.append(change if np.isfinite(change) else np.inf)
    return {"loss": float(loss), "grad_norm": norm, "losses": np.array(losses, dtype=float),
            "gradient_change": np.array(changes)}
