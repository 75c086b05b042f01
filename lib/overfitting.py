r"""Overfitting on purpose: *Deep Learning from Scratch*'s experiment, repeatable over seeds.

*Deep Learning from Scratch* (Saito, §6.4.1, ``ch06/overfit_weight_decay.py``) makes a network
overfit by giving a large model little data: the first 300 training images, six hidden layers
of 100 ReLU units with He's weights, plain SGD with learning rate 0.01 on mini-batches of 100,
for 200 epochs.  Training accuracy reaches 100 %; test accuracy stays far below.  Saito then
fights the gap with weight decay and dropout (§6.4.2 and §6.4.3; chapters 7 and 8 of this
book).  This module runs that experiment, with every remedy as a keyword, and records what
the chapters plot::

    run = overfit(seed=0)                               # the original setting, on the digits
    run = overfit(seed=0, weight_decay=0.1)             # L2 penalty in the loss
    run = overfit(seed=0, l1=1e-3, proximal=True)       # L1 by soft-thresholding
    run = overfit(seed=0, dropout=0.5)                  # dropout after every hidden layer
    run = overfit(seed=0, rule="adam", lr=1e-3, weight_decay=0.1, decoupled=True)  # AdamW
    run.train_acc, run.test_acc                         # after every epoch: (epochs,)

    runs = sweep("weight_decay", [0.0, 0.01, 0.1])      # {value: [run per seed]}, in parallel
    collect(runs[0.1], "final_test_acc")                # ndarray, one entry per seed

Differences from the original script, all deliberate: mini-batches are drawn *without*
replacement, one permutation per epoch (the original draws each batch with replacement, so an
"epoch" there is three random batches); the data are the digits by default (``dataset="mnist"``
gives the original's MNIST, downloaded on first use); and everything is seeded, so a run
depends on its ``seed`` alone (the weights and, separately, the batch order and dropout masks).
"""

from dataclasses import dataclass, field

import numpy as np

from lib import checks
from lib.datasets import load_dataset
from lib.experiments import SEEDS, over_seeds
from lib.losses import softmax_cross_entropy
from lib.network import MultiLayerNet
from lib.optimizers import make_optimizer
from lib.regularization import DecoupledDecay, ProximalL1, flat_weights
from lib.training import train

__all__ = [
    "BATCH_SIZE",
    "EPOCHS",
    "HIDDEN",
    "LR",
    "N_TRAIN",
    "OverfitRun",
    "collect",
    "overfit",
    "sweep",
    "training_subset",
]

#: The setting of ``ch06/overfit_weight_decay.py`` in *Deep Learning from Scratch*.
N_TRAIN = 300
HIDDEN = (100, 100, 100, 100, 100, 100)
LR = 0.01
EPOCHS = 200
BATCH_SIZE = 100


def training_subset(data, n_train):
    """The first ``n_train`` training examples, and the whole test set.

    Parameters
    ----------
    data : ((x_train, t_train), (x_test, t_test))
        As the loaders of :mod:`lib.datasets` return it; ``x`` of shape (N, D), ``t`` of
        shape (N,) or (N, C).
    n_train : int
        Between 1 and N.  (The digits' training set is in no particular order of class: its
        first 300 images hold 27 to 34 of every digit.)

    Returns
    -------
    ((x_train[:n_train], t_train[:n_train]), (x_test, t_test))
        Views of the given arrays (nothing is copied).
    """
    (x, t), test = data
    n_train = checks.integer("n_train", n_train, 1, len(x))
    return (x[:n_train], t[:n_train]), test


@dataclass
class OverfitRun:
    """One training run of :func:`overfit`, and what it ended with.

    Attributes
    ----------
    epochs : ndarray of int, of shape (n_evaluations,)
        The epochs (counted from 1) after which the network was evaluated: every epoch by
        default; none with ``evaluate=False``.
    train_acc, test_acc : ndarray of shape (n_evaluations,)
        Accuracy on the training subset and on the test set after those epochs (inference
        mode).
    train_losses, test_losses : ndarray of shape (n_evaluations,)
        The cross-entropy alone (no penalty) on the same sets at the same moments.
    loss : ndarray of shape (iterations,)
        The training loss of every iteration, penalties included.
    final_train_acc, final_test_acc : float
        The accuracies at the end.
    train_loss, test_loss : float
        The cross-entropy alone (no penalty) at the end, in inference mode, on the whole
        training subset and the test set; NaN after a divergence.
    params : dict[str, ndarray]
        Copies of the network's final parameters (``W1``, ``b1``, ...).
    diverged_at : int or None
        The iteration whose loss was not finite, as in :class:`lib.training.History`.
    setting : dict
        The keyword arguments of :func:`overfit` that made the run (``seed`` included).
    """

    epochs: np.ndarray
    train_acc: np.ndarray
    test_acc: np.ndarray
    train_losses: np.ndarray
    test_losses: np.ndarray
    loss: np.ndarray
    final_train_acc: float
    final_test_acc: float
    train_loss: float
    test_loss: float
    params: dict = field(repr=False)
    diverged_at: int | None = None
    setting: dict = field(default_factory=dict, repr=False)

    @property
    def gap(self):
        """``final_train_acc - final_test_acc``: how much better the network does on what it saw."""
        return self.final_train_acc - self.final_test_acc

    @property
    def weights(self):
        """Every entry of every weight matrix, in one 1-D array (see
        :func:`lib.regularization.flat_weights`)."""
        return flat_weights(self.params)

    def network(self):
        """The trained network, rebuilt: a :class:`lib.network.MultiLayerNet` of the run's
        architecture and keywords holding copies of its final parameters.

        Its dropout layers start from fresh generators (as a new network of the run's seed).

        Returns
        -------
        MultiLayerNet
        """
        s = self.setting
        n_layers = sum(1 for key in self.params if key.startswith("W"))
        sizes = [self.params["W1"].shape[0]] + [self.params[f"W{i}"].shape[1]
                                                 for i in range(1, n_layers + 1)]
        net = MultiLayerNet(sizes, activation=s["activation"], init=s["init"],
                            dropout=s["dropout"], seed=s["seed"],
                            input_dropout=s.get("input_dropout", 0.0),
                            dropout_scale=s.get("dropout_scale", "train"))
        for key, value in self.params.items():
            net.params[key][...] = value
        return net

    def __repr__(self):
        return (f"OverfitRun(train {self.final_train_acc:.3f}, test {self.final_test_acc:.3f}, "
                f"test loss {self.test_loss:.3f}, diverged_at={self.diverged_at})")


def _data_loss(net, x, t):
    """Cross-entropy without the penalties, in inference mode."""
    with np.errstate(all="ignore"):
        return float(softmax_cross_entropy(net.predict(x), t))


class _EpochRecord:
    """A :func:`lib.training.train` callback: accuracy and data loss on both sets after every
    epoch, from one inference-mode forward pass per set."""

    def __init__(self, data, every, last):
        self.data, self.every, self.last = data, every, last
        self.epochs = []
        self.acc = {"train": [], "test": []}
        self.loss = {"train": [], "test": []}

    def on_step(self, iteration, net, grads, loss):
        pass

    def on_epoch(self, epoch, net):
        if (epoch + 1) % self.every and epoch + 1 != self.last:
            return
        self.epochs.append(epoch + 1)
        for name, (x, t) in zip(("train", "test"), self.data, strict=True):
            with np.errstate(all="ignore"):
                scores = net.predict(x)
                self.loss[name].append(float(softmax_cross_entropy(scores, t)))
            labels = t if t.ndim == 1 else t.argmax(axis=1)
            self.acc[name].append(float(np.mean(scores.argmax(axis=1) == labels)))


def overfit(seed=0, *, n_train=N_TRAIN, hidden=HIDDEN, rule="sgd", lr=LR, epochs=EPOCHS,
            iterations=None, batch_size=BATCH_SIZE, weight_decay=0.0, decoupled=False, l1=0.0,
            proximal=False, dropout=0.0, activation="relu", init="he", evaluate=True,
            dataset="digits", input_dropout=0.0, dropout_scale="train"):
    r"""Train *Deep Learning from Scratch*'s overfitting network once, with any regulariser.

    Parameters
    ----------
    seed : int, default 0
        Seeds the weights (and dropout masks) and, through :func:`lib.training.train`, the
        order of the mini-batches.
    n_train : int, default 300
        Training examples: the first ``n_train`` of the training set.
    hidden : sequence of int, default six layers of 100
        Widths of the hidden layers.
    rule : str, default "sgd"
        An update rule of :data:`lib.optimizers.OPTIMIZERS`, with its default
        hyperparameters except ``lr``.
    lr : float, default 0.01
        Learning rate :math:`\eta`.
    epochs, batch_size : int, default 200 and 100
        As for :func:`lib.training.train`.
    iterations : int, optional
        Train for this many updates instead of ``epochs`` epochs (the last epoch may be cut
        short), so that training sets of different sizes get the same number of steps.
    weight_decay : float, default 0.0
        :math:`\lambda` of the L2 penalty :math:`\frac{\lambda}{2}\sum\lVert W\rVert^2` on the
        weight matrices.
    decoupled : bool, default False
        Apply ``weight_decay`` as :math:`W \leftarrow (1 - \eta\lambda)W` before each step
        (:class:`lib.regularization.DecoupledDecay`) instead of through the gradient.
    l1 : float, default 0.0
        :math:`\lambda_1` of the L1 penalty :math:`\lambda_1\sum\lVert W\rVert_1`.
    proximal : bool, default False
        Apply ``l1`` by soft-thresholding after each step
        (:class:`lib.regularization.ProximalL1`) instead of through its subgradient.
    dropout : float, default 0.0
        Drop probability of the dropout layer after every hidden activation.
    activation, init : str, default "relu" and "he"
        As for :class:`lib.network.MultiLayerNet`.
    evaluate : bool or int, default True
        Measure both accuracies and both losses after every epoch (this about doubles the
        time of the original setting), or after every ``evaluate``-th epoch and the last;
        with False only the final values are measured.
    dataset : str, default "digits"
        A name for :func:`lib.datasets.load_dataset` ("digits", "mnist", "fashion_mnist").
    input_dropout : float, default 0.0
        Drop probability of a dropout layer on the inputs.
    dropout_scale : {"train", "test"}, default "train"
        Inverted dropout, or *Deep Learning from Scratch*'s scaling at inference (see
        :class:`lib.layers.Dropout`).

    Returns
    -------
    OverfitRun
    """
    setting = {k: v for k, v in locals().items()}
    data = training_subset(load_dataset(dataset), n_train)
    (x_train, t_train), (x_test, t_test) = data
    hidden = [checks.integer("hidden", h, 1) for h in hidden]
    classes = int(max(t_train.max(), t_test.max())) + 1
    net = MultiLayerNet([x_train.shape[1], *hidden, classes], activation=activation,
                        init=init, dropout=dropout, seed=seed, input_dropout=input_dropout,
                        dropout_scale=dropout_scale,
                        weight_decay=0.0 if decoupled else weight_decay,
                        l1=0.0 if proximal else l1)
    batch_size = checks.integer("batch_size", batch_size, 1)
    max_iterations = None
    if iterations is not None:
        max_iterations = checks.integer("iterations", iterations, 1)
        per_epoch = -(-len(x_train) // batch_size)
        epochs = -(-max_iterations // per_epoch)
    optimizer = make_optimizer(rule, lr=lr)
    if decoupled:
        optimizer = DecoupledDecay(optimizer, weight_decay)
    if proximal:
        optimizer = ProximalL1(optimizer, l1)
    every = 0 if evaluate is False else 1 if evaluate is True else checks.integer(
        "evaluate", evaluate, 1)
    record = _EpochRecord(data, every, epochs) if every else None
    history = train(net, optimizer, data, epochs=epochs, batch_size=batch_size, seed=seed,
                    max_iterations=max_iterations, evaluate=False, callback=record)
    finite = not history.diverged
    with np.errstate(all="ignore"):  # the weights of a diverged run overflow
        final_acc = net.accuracy(x_train, t_train), net.accuracy(x_test, t_test)
    return OverfitRun(
        epochs=np.array(record.epochs if every else [], dtype=np.int64),
        train_acc=np.array(record.acc["train"] if every else [], dtype=np.float64),
        test_acc=np.array(record.acc["test"] if every else [], dtype=np.float64),
        train_losses=np.array(record.loss["train"] if every else [], dtype=np.float64),
        test_losses=np.array(record.loss["test"] if every else [], dtype=np.float64),
        loss=history.loss,
        final_train_acc=final_acc[0],
        final_test_acc=final_acc[1],
        train_loss=_data_loss(net, x_train, t_train) if finite else float("nan"),
        test_loss=_data_loss(net, x_test, t_test) if finite else float("nan"),
        params={k: p.copy() for k, p in net.params.items()},
        diverged_at=history.diverged_at,
        setting=setting,
    )


def _one(value, seed, name, fixed):
    return overfit(seed=seed, **{name: value}, **fixed)


def sweep(name, values, seeds=SEEDS, n_jobs=None, **fixed):
    """:func:`overfit` for every value of one keyword and every seed, in parallel.

    Parameters
    ----------
    name : str
        A keyword of :func:`overfit` ("weight_decay", "l1", "dropout", "n_train", ...).
    values : sequence
        Its values, hashable (they key the result).
    seeds : iterable of int
        Default :data:`lib.experiments.SEEDS` (five seeds).
    n_jobs : int, optional
        As for :func:`lib.experiments.over_seeds`.
    **fixed
        Every other keyword of :func:`overfit`, the same for all runs.

    Returns
    -------
    dict
        ``{value: [OverfitRun for each seed]}``, in the order of ``values``.
    """
    allowed = [k for k in overfit.__kwdefaults__ if k not in fixed]
    checks.one_of("name", name, allowed)
    return over_seeds(_one, seeds=seeds, settings=list(values), n_jobs=n_jobs, name=name,
                      fixed=fixed)


def collect(runs, attribute):
    """One attribute of several runs, stacked: a number per run, or a curve per run.

    Parameters
    ----------
    runs : sequence of OverfitRun
        E.g. the runs of one value of :func:`sweep`, one per seed.
    attribute : str
        A name of :class:`OverfitRun` ("final_test_acc", "gap", "test_acc", ...).

    Returns
    -------
    ndarray of shape (n_runs,) or (n_runs, n)
        float64.
    """
    runs = list(runs)
    if not runs:
        raise ValueError("runs must hold at least one OverfitRun, got none")
    names = [n for n in dir(OverfitRun) if not n.startswith("_")] + list(
        OverfitRun.__dataclass_fields__)
    checks.one_of("attribute", attribute, sorted(set(names) - {"params", "setting"}))
    return np.array([getattr(r, attribute) for r in runs], dtype=np.float64)
