r"""The book's objective for hyperparameter search, and what choosing by a score costs.

:class:`NetworkObjective` is an objective for :mod:`lib.search`: called as
``objective(params, budget, seed)``, it builds a :class:`~lib.network.MultiLayerNet`, trains it
for ``budget`` epochs with the hyperparameters ``params`` and returns its accuracy on the
validation data.  It is given a training part and a validation part of the training set
(:func:`lib.datasets.train_val_split`); the test set is never its business::

    (x, t), _ = load_digits()
    objective = NetworkObjective(train_val_split(x, t, 0.2, seed=0))
    result = random_search(objective, {"lr": LogUniform(1e-6, 1e-2)}, n_trials=100,
                           budget=20, n_jobs=2)

**Choosing is optimistic.**  The best of many scores measured on one data set is the best
partly because it was lucky on that set: the *winner's curse*.  :func:`winners_curse`
simulates it for configurations that are all equally good, :func:`expected_max_normal` gives
its size, and :func:`split_half_optimism` measures it for real networks, from their
predictions on held-out data.

**The chapter's searches.**  :func:`digits_objective`, :func:`reproduction` and
:func:`learning_rate_curve` run the searches of the chapter on hyperparameter search once per
process (they are cached), for its explorers.
"""

import functools
import math
import numbers

import numpy as np

from lib import checks
from lib.network import MultiLayerNet
from lib.optimizers import OPTIMIZERS, make_optimizer
from lib.search import LogUniform, coarse_to_fine
from lib.training import train

__all__ = [
    "DLFS_SPACE",
    "NetworkObjective",
    "TrainingDiverged",
    "digits_objective",
    "expected_max_normal",
    "learning_rate_curve",
    "log10_range",
    "reproduction",
    "split_half_optimism",
    "winners_curse",
]

#: Hyperparameters that go to :class:`~lib.network.MultiLayerNet`.
NETWORK_KEYS = ("weight_decay", "l1", "dropout", "batchnorm", "activation", "init")
#: Hyperparameters that shape the network or its training.
SHAPE_KEYS = ("width", "depth", "batch_size", "rule")


class TrainingDiverged(ArithmeticError):
    """Training stopped at a loss that was not finite: the configuration failed."""


class NetworkObjective:
    r"""Train a :class:`~lib.network.MultiLayerNet` briefly; return its validation accuracy.

    ``objective(params, budget, seed)`` builds the network with ``seed`` (its weights) and
    trains it for ``budget`` epochs with mini-batches shuffled by ``seed``, then returns the
    accuracy on the validation part.  Training that diverges raises
    :class:`TrainingDiverged` ("training diverged at iteration k"), which a search records
    as a failed trial.

    What ``params`` may hold (any hyperparameter not given takes its value from ``fixed``,
    then the defaults below):

    - the update rule's hyperparameters (``lr``, ``momentum``, ``beta1``, ...; see
      :data:`lib.optimizers.OPTIMIZERS`), and ``rule``, the rule's name;
    - the network's ``weight_decay`` (the L2 penalty :math:`\frac\lambda2\lVert W\rVert^2`;
      with ``rule="adamw"`` it is AdamW's decoupled decay instead), ``l1``, ``dropout``,
      ``batchnorm``, ``activation``, ``init``;
    - ``width`` (units in every hidden layer), ``depth`` (hidden layers) and ``batch_size``.

    Parameters
    ----------
    data : ((x_train, t_train), (x_val, t_val))
        x of shape (N, D), t of shape (N,) class indices: the training part and the
        validation part.
    hidden : sequence of int, default (50,)
        The hidden layers' widths, unless ``width`` or ``depth`` are searched.
    rule : str, default "sgd"
        The update rule, a key of :data:`lib.optimizers.OPTIMIZERS`.
    batch_size : int, default 100
    fixed : dict, optional
        Hyperparameters held fixed, with the names above (e.g. ``{"activation": "tanh"}``).
    predictions : bool, default False
        Return ``{"score": accuracy, "predicted": classes}`` instead of the accuracy alone,
        with the predicted classes of the validation examples (int64 ndarray of shape
        (N_val,)), for :func:`split_half_optimism`.
    """

    def __init__(self, data, hidden=(50,), rule="sgd", batch_size=100, fixed=None,
                 predictions=False):
        try:
            (x_train, t_train), (x_val, t_val) = data
        except (TypeError, ValueError):
            raise ValueError(
                "data must be ((x_train, t_train), (x_val, t_val)), got something else"
            ) from None
        self.x_train = checks.array("x_train", x_train, ndim=2, dtype=np.float32)
        self.x_val = checks.array("x_val", x_val, ndim=2, dtype=np.float32)
        self.t_train = np.asarray(t_train)
        self.t_val = np.asarray(t_val)
        for name, t, x in (("t_train", self.t_train, self.x_train),
                           ("t_val", self.t_val, self.x_val)):
            if t.shape != (len(x),) or t.dtype.kind not in "iu":
                raise ValueError(
                    f"{name} must be class indices of shape ({len(x)},), got an array of "
                    f"shape {t.shape} and dtype {t.dtype}")
        if self.x_val.shape[1] != self.x_train.shape[1]:
            raise ValueError(f"x_val must have {self.x_train.shape[1]} features like x_train, "
                             f"got {self.x_val.shape[1]}")
        self.n_classes = int(max(self.t_train.max(), self.t_val.max())) + 1
        self.hidden = [checks.integer("hidden", h, 1) for h in hidden]
        self.defaults = {"rule": checks.one_of("rule", rule, OPTIMIZERS),
                         "batch_size": checks.integer("batch_size", batch_size, 1)}
        self.fixed = dict(fixed or {})
        self._split(self.fixed, "fixed")  # check the names now
        self.predictions = bool(predictions)

    def _split(self, params, what):
        """Sort hyperparameters into the optimizer's, the network's and the shape's."""
        settings = {**self.defaults, **self.fixed, **params}
        rule = checks.one_of("rule", settings["rule"], OPTIMIZERS)
        rule_keys = OPTIMIZERS[rule].hyperparameter_names
        optimizer, network, shape = {}, {}, {}
        for key, value in settings.items():
            if key in rule_keys:
                optimizer[key] = value
            elif key in NETWORK_KEYS:
                network[key] = value
            elif key in SHAPE_KEYS:
                shape[key] = value
            else:
                allowed = sorted({*rule_keys, *NETWORK_KEYS, *SHAPE_KEYS})
                raise ValueError(f"{what} must use names from {allowed}, got {key!r}")
        return rule, optimizer, network, shape

    def sizes(self, shape):
        """The layer sizes for the searched ``width`` and ``depth``, if any."""
        hidden = list(self.hidden)
        if "depth" in shape or "width" in shape:
            depth = checks.integer("depth", shape.get("depth", len(hidden)), 1)
            width = checks.integer("width", shape.get("width", hidden[0]), 1)
            hidden = [width] * depth
        return [self.x_train.shape[1], *hidden, self.n_classes]

    def fit(self, params, budget, seed):
        """Build and train the network of ``params`` for ``budget`` epochs from ``seed``.

        What :meth:`__call__` scores, for a closer look at a configuration (its test accuracy
        once the search is over, say).

        Parameters
        ----------
        params : dict
            Hyperparameters, see the class.
        budget : int
            Epochs (a float with an integer value is accepted).
        seed : int
            Seeds the weights and the order of the mini-batches.

        Returns
        -------
        lib.network.MultiLayerNet
            Trained.

        Raises
        ------
        TrainingDiverged
            When a loss is not finite.
        """
        if isinstance(budget, numbers.Real) and not isinstance(budget, bool) \
                and float(budget).is_integer():
            budget = int(budget)
        epochs = checks.integer("budget", budget, 0)
        rule, optimizer, network, shape = self._split(params, "params")
        net = MultiLayerNet(self.sizes(shape), seed=seed, **network)
        history = train(net, make_optimizer(rule, **optimizer),
                        ((self.x_train, self.t_train), (self.x_val, self.t_val)),
                        epochs=epochs, batch_size=shape["batch_size"], seed=seed,
                        evaluate=False)
        if history.diverged:
            epoch = history.diverged_at // history.iterations_per_epoch + 1
            raise TrainingDiverged(
                f"training diverged at iteration {history.diverged_at} (epoch {epoch})")
        return net

    def __call__(self, params, budget, seed):
        """Train with ``params`` for ``budget`` epochs from ``seed``; the validation accuracy.

        Parameters
        ----------
        params, budget, seed
            As for :meth:`fit`.

        Returns
        -------
        float, or dict
            The validation accuracy; a dict with the predictions when ``predictions``.

        Raises
        ------
        TrainingDiverged
            When a loss is not finite.
        """
        net = self.fit(params, budget, seed)
        if not self.predictions:
            return net.accuracy(self.x_val, self.t_val)
        predicted = net.predict(self.x_val).argmax(axis=1).astype(np.int64)
        return {"score": float(np.mean(predicted == self.t_val)), "predicted": predicted}

    def __repr__(self):
        sizes = [self.x_train.shape[1], *self.hidden, self.n_classes]
        fixed = f", fixed={self.fixed}" if self.fixed else ""
        return (f"NetworkObjective(sizes={sizes}, rule={self.defaults['rule']!r}, "
                f"batch_size={self.defaults['batch_size']}, train={len(self.x_train)}, "
                f"val={len(self.x_val)}{fixed})")


def winners_curse(n_configs, n_val, accuracy=0.9, repeats=2000, seed=0):
    r"""Simulate choosing the best of equally good configurations by a validation score.

    Each of ``n_configs`` configurations classifies every example correctly with probability
    ``accuracy``, independently: its score on ``n_val`` examples is
    :math:`\mathrm{Binomial}(n_\text{val}, p)/n_\text{val}`.  The winner is the configuration
    with the highest score; scored again on ``n_val`` fresh examples it gets, on average,
    :math:`p` itself.  The difference between its two scores is the optimism of choosing.

    The largest of :math:`N` independent scores is at most :math:`k` exactly when all of
    them are, so its distribution function is that of one score to the power :math:`N`:

    .. math::

        P(\max \le k) = F(k)^N,

    and the winner's score is drawn from it directly, at the same cost for a thousand
    configurations as for one.

    Parameters
    ----------
    n_configs : int
        Configurations compared, >= 1.
    n_val : int
        Examples in the validation set (and in the fresh set), >= 1.
    accuracy : float, default 0.9
        :math:`p`, every configuration's true accuracy, in [0, 1].
    repeats : int, default 2000
        Independent repetitions of the whole selection.
    seed : int, default 0

    Returns
    -------
    chosen : ndarray of shape (repeats,)
        The winner's score on the validation set it was chosen by.
    fresh : ndarray of shape (repeats,)
        Its score on fresh examples.
    """
    n_configs = checks.integer("n_configs", n_configs, 1)
    n_val = checks.integer("n_val", n_val, 1)
    p = checks.number("accuracy", accuracy, 0.0, 1.0)
    repeats = checks.integer("repeats", repeats, 1)
    rng = np.random.default_rng(checks.integer("seed", seed, 0))
    cdf = np.cumsum(_binomial_pmf(n_val, p))
    cdf[-1] = 1.0  # no rounding gap at the top
    chosen = np.searchsorted(cdf**n_configs, rng.random(repeats), side="right") / n_val
    fresh = rng.binomial(n_val, p, size=repeats) / n_val
    return chosen, fresh


def _binomial_pmf(n, p):
    """P(K = k) for k = 0..n, K ~ Binomial(n, p): ndarray of shape (n + 1,)."""
    if p in (0.0, 1.0):
        pmf = np.zeros(n + 1)
        pmf[0 if p == 0.0 else n] = 1.0
        return pmf
    k = np.arange(n + 1)
    log_choose = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                           for i in range(n + 1)])
    log_pmf = log_choose + k * math.log(p) + (n - k) * math.log1p(-p)
    pmf = np.exp(log_pmf - log_pmf.max())
    return pmf / pmf.sum()


def split_half_optimism(correct, n_splits=1000, seed=0):
    r"""How much the best of several models, chosen on half the data, loses on the other half.

    ``correct[i, j]`` says whether model ``i`` classified held-out example ``j`` correctly.
    Each split puts a random half of the examples in a *selection* set and the rest in a
    *fresh* set; the model with the best selection score wins (the first on ties), and both
    of its scores are recorded.  Since the halves are drawn at random, a model chosen without
    looking at them scores the same on both on average: any systematic difference is the
    optimism of having chosen.

    Parameters
    ----------
    correct : array_like of bool, shape (n_models, n_examples)
        n_examples >= 2.
    n_splits : int, default 1000
    seed : int, default 0

    Returns
    -------
    chosen : ndarray of shape (n_splits,)
        The winner's accuracy on the selection half.
    fresh : ndarray of shape (n_splits,)
        Its accuracy on the fresh half.
    """
    correct = checks.array("correct", correct, ndim=2, dtype=float, low=0.0, high=1.0)
    n_models, n = correct.shape
    if n_models < 1 or n < 2:
        raise ValueError(f"correct must have at least 1 model and 2 examples, got shape "
                         f"{correct.shape}")
    n_splits = checks.integer("n_splits", n_splits, 1)
    rng = np.random.default_rng(checks.integer("seed", seed, 0))
    half = n // 2
    chosen, fresh = np.empty(n_splits), np.empty(n_splits)
    for k in range(n_splits):
        order = rng.permutation(n)
        a, b = order[:half], order[half:]
        score_a = correct[:, a].mean(axis=1)
        winner = int(np.argmax(score_a))
        chosen[k] = score_a[winner]
        fresh[k] = correct[winner, b].mean()
    return chosen, fresh


def log10_range(values):
    """The number of decades a set of positive values spans: log10(max / min)."""
    values = checks.array("values", values, ndim=1, low=0.0, low_open=True)
    if values.size == 0:
        raise ValueError("values must hold at least one number, got an empty array")
    return float(math.log10(values.max() / values.min()))


def expected_max_normal(n, points=801):
    r"""The expected largest of ``n`` independent standard normal numbers, :math:`e_n`.

    .. math::

        e_n = \int_{-\infty}^{\infty} x \, \frac{d}{dx}\Phi(x)^n \, dx,

    computed on a grid from -8 to 8.  :math:`e_1 = 0`, :math:`e_2 = 1/\sqrt\pi`, and for large
    :math:`n` it grows like :math:`\sqrt{2 \ln n}`, slowly: 1.54 for 10, 2.51 for 100, 3.24
    for 1,000.  The best of :math:`n` equally good configurations, each scored with noise of
    standard deviation :math:`\sigma`, scores about :math:`\sigma e_n` above the truth.

    Parameters
    ----------
    n : int or array_like of int
        Each >= 1.
    points : int, default 801
        Grid points of the integral.

    Returns
    -------
    float, or ndarray of the shape of ``n``
    """
    from math import erf

    counts = checks.array("n", n, dtype=float, low=1.0)
    x = np.linspace(-8.0, 8.0, checks.integer("points", points, 3))
    cdf = 0.5 * (1.0 + np.array([erf(v / math.sqrt(2.0)) for v in x]))
    # the distribution function of the maximum, Phi^n, on the grid; its increments weigh x
    top = cdf[None, :] ** counts.reshape(-1, 1)
    mid = 0.5 * (x[1:] + x[:-1])
    values = (np.diff(top, axis=1) * mid).sum(axis=1).reshape(counts.shape)
    return float(values) if values.ndim == 0 else values


# ---- the chapter's searches, run once per process -------------------------------------------

#: The ranges of *Deep Learning from Scratch*'s search (§6.5.3): :math:`10^{U(-6, -2)}` and
#: :math:`10^{U(-8, -4)}`.
DLFS_SPACE = {"lr": LogUniform(1e-6, 1e-2), "weight_decay": LogUniform(1e-8, 1e-4)}


@functools.cache
def digits_objective(hidden=(50,), predictions=False):
    """The chapter's objective: a network on the digits' training set, split 80/20.

    ``NetworkObjective(train_val_split(x_train, t_train, 0.2, seed=0), hidden=hidden)``:
    1,150 training and 288 validation images; SGD, mini-batches of 100.  The test set is
    not used.

    Returns
    -------
    NetworkObjective
        The same object on every call with the same arguments.
    """
    from lib.datasets import load_digits, train_val_split

    (x, t), _ = load_digits()
    return NetworkObjective(train_val_split(x, t, 0.2, seed=0), hidden=tuple(hidden),
                            predictions=predictions)


@functools.cache
def reproduction(n_jobs=2):
    """*Deep Learning from Scratch*'s search on the digits, with two rounds of narrowing.

    ``coarse_to_fine(digits_objective(), DLFS_SPACE, n_trials=100, rounds=3, budget=20,
    seed=0)``: 300 networks trained for 20 epochs each.

    Returns
    -------
    lib.search.SearchResult
    """
    return coarse_to_fine(digits_objective(), DLFS_SPACE, n_trials=100, rounds=3, budget=20,
                          seed=0, n_jobs=n_jobs)


@functools.cache
def learning_rate_curve(epochs=10, seeds=5):
    """Validation accuracy against the learning rate, from :math:`10^{-3}` to 10.

    Seventeen learning rates, four per decade, each trained with ``seeds`` seeds for
    ``epochs`` epochs by :func:`digits_objective` (weight decay 0).

    Returns
    -------
    lrs : ndarray of shape (17,)
    scores : ndarray of shape (seeds, 17)
        One row per seed.
    """
    from lib.experiments import over_seeds

    objective = digits_objective()
    lrs = np.logspace(-3, 1, 17)
    runs = over_seeds(_score_at, seeds=range(seeds), settings=[float(lr) for lr in lrs],
                      objective=objective, epochs=epochs)
    return lrs, np.array(list(runs.values())).T


def _score_at(lr, seed, objective, epochs):
    return objective({"lr": lr}, epochs, seed)
