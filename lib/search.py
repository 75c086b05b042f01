r"""Hyperparameter search: spaces, random and grid search, coarse to fine, successive halving.

A **space** is a dict from a hyperparameter's name to its range::

    space = {"lr": LogUniform(1e-6, 1e-2), "weight_decay": LogUniform(1e-8, 1e-4)}

with four kinds of range: :class:`LogUniform` (rates and penalties, whose useful values span
decades), :class:`Uniform`, :class:`Integer` and :class:`Categorical`.  :func:`sample` draws
configurations from a space at random, :func:`grid` lays a grid over it.

An **objective** is a function ``objective(params, budget, seed) -> score``: it trains a model
with the hyperparameters ``params`` (a dict) for ``budget`` (epochs, say), seeded with
``seed``, and returns a score to maximise, such as a validation accuracy.  It may also return
a dict ``{"score": ..., **more}``; the other entries are kept in :attr:`Trial.info`.  The
searches:

==========================  ==============================================================
:func:`random_search`       ``n_trials`` configurations drawn at random, all at one budget
:func:`grid_search`         every point of a grid, all at one budget
:func:`coarse_to_fine`      rounds of random search; after each, the ranges shrink around
                            the best fraction of the trials (:func:`narrow`)
:func:`successive_halving`  many configurations at a small budget; the best ``1/factor``
                            promoted to ``factor`` times the budget, round after round
                            (Jamieson & Talwalkar, 2016; the schedule of scikit-learn's
                            ``HalvingRandomSearchCV``, see :func:`halving_schedule`)
:func:`hyperband`           successive halving in several brackets, from aggressive (many
                            configurations, small budgets) to none at all (Li et al., 2018)
==========================  ==============================================================

Each returns a :class:`SearchResult`: every trial (parameters, budget, score, seconds, ...),
the best one, and a table to sort and plot.

**Reproducible, in parallel.**  Trials run through joblib (``n_jobs``).  Every configuration's
seed is derived from the search's ``seed`` and the configuration's number with
:class:`numpy.random.SeedSequence`, and each trial depends on its parameters, budget and seed
alone, so a search gives the same trials whether it runs serially, on two processes, or on a
cluster (a configuration promoted to a larger budget keeps its seed).  Because the trials go
through joblib, any joblib backend runs them: on a Dask cluster, for example::

    from dask.distributed import Client
    from joblib import parallel_config

    with Client("tcp://scheduler:8786"), parallel_config(backend="dask"):
        result = random_search(objective, space, n_trials=1000)

**Failures.**  A trial whose objective raises an exception or returns a score that is not a
finite number is recorded as a failure (:attr:`Trial.error` says why, the score is NaN): it
never loses the search.  Failed trials are never the best, and successive halving ranks them
last.
"""

import inspect
import math
import numbers
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import product

import numpy as np

from lib import checks

__all__ = [
    "Categorical",
    "Integer",
    "LogUniform",
    "SearchResult",
    "Trial",
    "Uniform",
    "coarse_to_fine",
    "grid",
    "grid_search",
    "halving_schedule",
    "hyperband",
    "hyperband_schedule",
    "narrow",
    "random_search",
    "sample",
    "successive_halving",
]


# ---- ranges and spaces -------------------------------------------------------------------


class Dimension:
    r"""One hyperparameter's range.  Subclasses map the unit interval onto their values.

    Every range is drawn through :meth:`from_unit`: a number :math:`u \in [0, 1)` becomes a
    value, so that uniform :math:`u` give the range's own distribution.
    """

    def from_unit(self, u):
        """Values for the numbers ``u`` (ndarray of shape (n,), in [0, 1)): a list of n."""
        raise NotImplementedError

    def grid(self, points):
        """``points`` values spread over the range (ends included): a list."""
        raise NotImplementedError

    def narrowed(self, values, margin):
        """The range around ``values`` (a list), widened by ``margin``, within this one."""
        raise NotImplementedError

    def contains(self, value):
        """Whether ``value`` lies in the range."""
        raise NotImplementedError


class _Interval(Dimension):
    """A continuous interval [low, high], uniform in the scale ``_to`` maps it to."""

    def __init__(self, low, high):
        self.low, self.high = self._check(low, high)

    @classmethod
    def _check(cls, low, high):
        low = checks.number("low", low, -math.inf, math.inf, low_open=True, high_open=True)
        high = checks.number("high", high, low, math.inf, low_open=True, high_open=True)
        return low, high

    # the scale in which the range is uniform, and back
    _to = staticmethod(float)
    _back = staticmethod(float)

    def from_unit(self, u):
        lo, hi = self._to(self.low), self._to(self.high)
        values = [self._back(lo + float(x) * (hi - lo)) for x in np.asarray(u, dtype=float)]
        return [min(max(v, self.low), self.high) for v in values]  # rounding stays inside

    def grid(self, points):
        points = checks.integer("points", points, 1)
        if points == 1:
            return self.from_unit([0.5])
        return [*self.from_unit(np.arange(points - 1) / (points - 1)), self.high]

    def narrowed(self, values, margin):
        lo, hi = self._to(self.low), self._to(self.high)
        inner = [self._to(v) for v in values]
        pad = margin * (hi - lo)
        return type(self)(max(self.low, self._back(min(inner) - pad)),
                          min(self.high, self._back(max(inner) + pad)))

    def contains(self, value):
        return isinstance(value, numbers.Real) and self.low <= value <= self.high

    def __eq__(self, other):
        return type(other) is type(self) and (other.low, other.high) == (self.low, self.high)

    def __hash__(self):
        return hash((type(self).__name__, self.low, self.high))

    def __repr__(self):
        return f"{type(self).__name__}({self.low:g}, {self.high:g})"


class Uniform(_Interval):
    r"""Values spread evenly over ``[low, high]``: :math:`x = \text{low} + u\,(\text{high} -
    \text{low})`, :math:`u \sim U(0, 1)`.

    For a hyperparameter whose effect changes about as much from 0.1 to 0.2 as from 0.8 to
    0.9: a dropout probability, a momentum between 0.8 and 0.99 (better searched as
    :math:`1 - \text{momentum}` on a log scale), a mixing weight.

    Parameters
    ----------
    low, high : float
        The ends, ``low < high``.
    """


class LogUniform(_Interval):
    r"""Values whose logarithm is spread evenly: :math:`x = 10^{U(\log_{10}\text{low},\,
    \log_{10}\text{high})}`.

    Each decade gets the same share of the draws, so ``LogUniform(1e-6, 1e-2)`` tries about
    as many learning rates between :math:`10^{-6}` and :math:`10^{-5}` as between
    :math:`10^{-3}` and :math:`10^{-2}`.  The range for learning rates, weight decay and any
    other quantity whose effect depends on its order of magnitude.

    Parameters
    ----------
    low, high : float
        The ends, ``0 < low < high``.
    """

    _to = staticmethod(math.log10)

    @staticmethod
    def _back(x):
        return 10.0**x

    @classmethod
    def _check(cls, low, high):
        low = checks.positive("low", low)
        high = checks.number("high", high, low, math.inf, low_open=True, high_open=True)
        return low, high


class Integer(Dimension):
    r"""Whole numbers from ``low`` to ``high``, both included: widths, depths, batch sizes.

    Parameters
    ----------
    low, high : int
        The ends, ``low <= high``.
    log : bool, default False
        Spread the draws evenly over :math:`\log k` instead of :math:`k` (every value of a
        decade gets less often drawn the larger it is); needs ``low >= 1``.  For widths
        and batch sizes that may span 8 to 512.
    """

    def __init__(self, low, high, log=False):
        self.log = bool(log)
        self.low = checks.integer("low", low, 1 if self.log else -math.inf)
        self.high = checks.integer("high", high, self.low)

    def _ends(self):
        """The continuous range whose floor gives the values, in the uniform scale."""
        if self.log:
            return math.log(self.low), math.log(self.high + 1)
        return float(self.low), float(self.high + 1)

    def _value(self, x):
        k = math.floor(math.exp(x) if self.log else x)
        return min(max(k, self.low), self.high)

    def from_unit(self, u):
        lo, hi = self._ends()
        return [self._value(lo + float(x) * (hi - lo)) for x in np.asarray(u, dtype=float)]

    def grid(self, points):
        points = checks.integer("points", points, 1)
        if points == 1:
            return self.from_unit([0.5])
        if self.log:
            raw = np.geomspace(self.low, self.high, points)
        else:
            raw = np.linspace(self.low, self.high, points)
        return sorted({int(round(float(v))) for v in raw})

    def narrowed(self, values, margin):
        lo, hi = (math.log(self.low), math.log(self.high)) if self.log else (self.low, self.high)
        inner = [math.log(v) if self.log else v for v in values]
        pad = margin * (hi - lo)
        new_lo, new_hi = min(inner) - pad, max(inner) + pad
        if self.log:
            new_lo, new_hi = math.exp(new_lo), math.exp(new_hi)
        return Integer(max(self.low, math.floor(new_lo)), min(self.high, math.ceil(new_hi)),
                       log=self.log)

    def contains(self, value):
        return isinstance(value, numbers.Integral) and self.low <= value <= self.high

    def __eq__(self, other):
        return isinstance(other, Integer) and (other.low, other.high, other.log) == (
            self.low, self.high, self.log)

    def __hash__(self):
        return hash(("Integer", self.low, self.high, self.log))

    def __repr__(self):
        return f"Integer({self.low}, {self.high}{', log=True' if self.log else ''})"


class Categorical(Dimension):
    """One of a few choices, each equally likely: an activation, an update rule.

    Parameters
    ----------
    choices : sequence
        At least one choice, no two equal (strings, numbers, booleans, ...).
    """

    def __init__(self, choices):
        if isinstance(choices, (str, bytes)) or not hasattr(choices, "__iter__"):
            raise ValueError(f"choices must be a list of options, got {choices!r}")
        choices = list(choices)
        if not choices:
            raise ValueError("choices must hold at least one option, got an empty list")
        for i, c in enumerate(choices):
            if any(c == d for d in choices[:i]):
                raise ValueError(f"choices must differ from each other, got {c!r} twice")
        self.choices = choices

    def from_unit(self, u):
        k = len(self.choices)
        return [self.choices[min(int(float(x) * k), k - 1)] for x in np.asarray(u, dtype=float)]

    def grid(self, points):
        checks.integer("points", points, 1)
        return list(self.choices)  # every choice, whatever the number of points

    def narrowed(self, values, margin):
        return Categorical([c for c in self.choices if any(c == v for v in values)])

    def contains(self, value):
        return any(value == c for c in self.choices)

    def __eq__(self, other):
        return isinstance(other, Categorical) and other.choices == self.choices

    def __hash__(self):
        return hash(("Categorical", tuple(map(repr, self.choices))))

    def __repr__(self):
        return f"Categorical({self.choices!r})"


def _check_space(space):
    """``space`` as a dict name -> Dimension, or a ValueError."""
    if not isinstance(space, Mapping) or not space:
        raise ValueError(
            "space must be a non-empty dict of name -> LogUniform, Uniform, Integer or "
            f"Categorical, got {space!r}"
        )
    for name, dim in space.items():
        if not isinstance(name, str):
            raise ValueError(f"space's names must be strings, got {name!r}")
        if not isinstance(dim, Dimension):
            raise ValueError(
                f"space[{name!r}] must be a LogUniform, Uniform, Integer or Categorical, "
                f"got {dim!r}"
            )
    return dict(space)


def _seed_sequence(name, seed):
    """``seed`` (an int >= 0, or a SeedSequence) as a SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(checks.integer(name, seed, 0))


def sample(space, n, seed=0):
    """Draw ``n`` configurations from ``space`` at random.

    Each configuration is a row of ``n x d`` uniform numbers (one per hyperparameter) mapped
    through its range, so that the first ``k`` configurations of ``sample(space, n, seed)``
    are ``sample(space, k, seed)``: a longer search extends a shorter one.

    Parameters
    ----------
    space : dict[str, Dimension]
        Name -> range; at least one.
    n : int
        Number of configurations, >= 0.
    seed : int or numpy.random.SeedSequence, default 0

    Returns
    -------
    list of dict
        ``n`` dicts name -> value, in the order of ``space``; values are Python floats,
        ints or the categorical choices themselves (never NumPy scalars).
    """
    space = _check_space(space)
    n = checks.integer("n", n, 0)
    u = np.random.default_rng(_seed_sequence("seed", seed)).random((n, len(space)))
    columns = [dim.from_unit(u[:, j]) for j, dim in enumerate(space.values())]
    names = list(space)
    return [{name: col[i] for name, col in zip(names, columns, strict=True)} for i in range(n)]


def grid(space, points=3):
    """Every combination of ``points`` values per hyperparameter (the ends included).

    Parameters
    ----------
    space : dict[str, Dimension]
    points : int or dict[str, int], default 3
        Values per hyperparameter, the same for all or per name.  A :class:`Categorical`
        always contributes all its choices; an :class:`Integer` at most its distinct values.
        With one point, a range contributes its middle (in its own scale).

    Returns
    -------
    list of dict
        The configurations in row-major order (the last hyperparameter changes fastest).
    """
    space = _check_space(space)
    if isinstance(points, Mapping):
        unknown = set(points) - set(space)
        if unknown:
            raise ValueError(f"points must name hyperparameters of the space, got {unknown}")
        counts = {name: points.get(name, 3) for name in space}
    else:
        counts = {name: points for name in space}
    axes = [dim.grid(checks.integer(f"points[{name!r}]", counts[name], 1))
            for name, dim in space.items()]
    return [dict(zip(space, values, strict=True)) for values in product(*axes)]


# ---- trials and results ------------------------------------------------------------------


@dataclass(frozen=True)
class Trial:
    """One evaluation of the objective: a configuration at a budget.

    Attributes
    ----------
    index : int
        Position in the order of the search's evaluations (0, 1, ...).
    config : int
        The configuration's number; a configuration that successive halving promotes keeps
        its number (and its seed) at every budget.
    params : dict
        The hyperparameters, name -> value.
    budget : int or float
        What the objective was given to spend (epochs for the book's objective).
    seed : int
        The seed the objective was given, derived from the search's seed and ``config``.
    score : float
        What the objective returned; NaN for a failed trial.
    seconds : float
        Wall time of the call.
    round : int
        The round of coarse-to-fine search or the rung of successive halving (0, 1, ...).
    bracket : int
        Hyperband's bracket (0 for the other searches).
    error : str or None
        Why the trial failed (the exception, or the value returned), None if it did not.
    info : dict
        The other entries of a dict the objective returned.
    """

    index: int
    config: int
    params: dict
    budget: float
    seed: int
    score: float
    seconds: float
    round: int = 0
    bracket: int = 0
    error: str | None = None
    info: dict = field(default_factory=dict)

    @property
    def ok(self):
        """True unless the trial failed."""
        return self.error is None

    def __repr__(self):
        params = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v!r}"
                           for k, v in self.params.items())
        outcome = f"score={self.score:.4g}" if self.ok else f"failed: {self.error}"
        return f"Trial(#{self.index}, {params}, budget={self.budget:g}, {outcome})"


def _better(a, b, maximize):
    return a > b if maximize else a < b


def _rank_key(trial, maximize):
    """Sort key: successful trials best first, then the failures; ties by index."""
    if not trial.ok:
        return (1, 0.0, trial.index)
    return (0, -trial.score if maximize else trial.score, trial.index)


class SearchResult:
    """Every trial of a search, the best one, and a table of them.

    Attributes
    ----------
    trials : list of Trial
        In the order they were evaluated (``trials[i].index == i``).
    space : dict[str, Dimension]
        The space searched (for coarse to fine, the first round's).
    method : str
        The search that made it.
    maximize : bool
        Whether higher scores are better.
    spaces : list of dict
        Coarse to fine: the space of every round.
    schedule : list of (int, number)
        Successive halving: (configurations, budget) of every round; Hyperband: of every
        bracket, a list of lists.
    """

    def __init__(self, trials, space, method, maximize=True, spaces=None, schedule=None):
        self.trials = list(trials)
        self.space = dict(space)
        self.method = method
        self.maximize = bool(maximize)
        self.spaces = list(spaces) if spaces is not None else [self.space]
        self.schedule = schedule

    def __len__(self):
        return len(self.trials)

    def __iter__(self):
        return iter(self.trials)

    @property
    def best(self):
        """The trial with the best score (the earliest on ties); None if every trial failed."""
        ok = [t for t in self.trials if t.ok]
        return min(ok, key=lambda t: _rank_key(t, self.maximize)) if ok else None

    @property
    def failures(self):
        """The failed trials, a list."""
        return [t for t in self.trials if not t.ok]

    @property
    def scores(self):
        """Every trial's score, NaN for failures: ndarray of shape (n_trials,)."""
        return np.array([t.score for t in self.trials], dtype=float)

    @property
    def budgets(self):
        """Every trial's budget: ndarray of shape (n_trials,)."""
        return np.array([t.budget for t in self.trials], dtype=float)

    @property
    def total_budget(self):
        """The budget spent by all the trials together (epochs, for the book's objective)."""
        return float(self.budgets.sum())

    def column(self, name):
        """One parameter's values over the trials: ndarray of shape (n_trials,).

        Numbers give a float array; other values (categorical choices) an object array.
        """
        if name not in self.space and not any(name in t.params for t in self.trials):
            raise ValueError(f"name must be one of {list(self.space)}, got {name!r}")
        values = [t.params.get(name) for t in self.trials]
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
            return np.array(values, dtype=float)
        return np.array(values, dtype=object)

    def best_so_far(self):
        """The best score after each trial, in the order of evaluation.

        Returns
        -------
        ndarray of shape (n_trials,)
            NaN until the first successful trial.
        """
        out = np.full(len(self.trials), np.nan)
        best = None
        for i, t in enumerate(self.trials):
            if t.ok and (best is None or _better(t.score, best, self.maximize)):
                best = t.score
            if best is not None:
                out[i] = best
        return out

    def spent(self):
        """The budget spent after each trial, in the order of evaluation.

        Returns
        -------
        ndarray of shape (n_trials,)
            The running sum of the trials' budgets.
        """
        return np.cumsum(self.budgets)

    def best_within(self, budgets):
        """The best score of the trials done before the budget spent passed each of ``budgets``.

        For comparing searches by what they cost: a trial counts once the running total of the
        budgets (:meth:`spent`), its own included, is at most the budget.

        Parameters
        ----------
        budgets : array_like of shape (m,)

        Returns
        -------
        ndarray of shape (m,)
            NaN where no successful trial was done yet.
        """
        budgets = checks.array("budgets", budgets, ndim=1)
        done = np.searchsorted(self.spent(), budgets, side="right")  # trials done by then
        best = self.best_so_far()
        return np.array([best[k - 1] if k else np.nan for k in done])

    def top(self, k=5):
        """The ``k`` best successful trials, best first: a list of Trial."""
        k = checks.integer("k", k, 0)
        ok = sorted((t for t in self.trials if t.ok), key=lambda t: _rank_key(t, self.maximize))
        return ok[:k]

    def rows(self):
        """The trials as a list of flat dicts, one per trial.

        Each dict holds ``index, config, round, bracket, budget, seed, score, seconds, ok,
        error`` and one entry per hyperparameter (for pandas: ``DataFrame(result.rows())``).
        """
        rows = []
        for t in self.trials:
            row = {"index": t.index, "config": t.config, "round": t.round,
                   "bracket": t.bracket, "budget": t.budget, "seed": t.seed,
                   "score": t.score, "seconds": t.seconds, "ok": t.ok, "error": t.error}
            row.update(t.params)
            rows.append(row)
        return rows

    def table(self, sort=True):
        """The trials as a structured NumPy array, a table to sort and plot.

        Fields: ``index, config, round, bracket`` (int), ``budget, score, seconds`` (float),
        ``seed`` (int), ``ok`` (bool), then one field per hyperparameter (float for numbers,
        a string for the rest).  ``np.sort(table, order="budget")`` sorts it again;
        ``table["lr"]`` is a column.

        Parameters
        ----------
        sort : bool, default True
            Best score first (failures last); otherwise in the order of evaluation.

        Returns
        -------
        numpy.ndarray of shape (n_trials,), structured
        """
        trials = sorted(self.trials, key=lambda t: _rank_key(t, self.maximize)) if sort \
            else self.trials
        names = list(self.space)
        for t in trials:
            names += [k for k in t.params if k not in names]
        fields = [("index", "i8"), ("config", "i8"), ("round", "i8"), ("bracket", "i8"),
                  ("budget", "f8"), ("seed", "i8"), ("score", "f8"), ("seconds", "f8"),
                  ("ok", "?")]
        for name in names:
            values = [t.params.get(name) for t in trials]
            if all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
                fields.append((name, "f8"))
            else:
                width = max([len(str(v)) for v in values] + [1])
                fields.append((name, f"U{width}"))
        out = np.zeros(len(trials), dtype=fields)
        for i, t in enumerate(trials):
            out[i] = (t.index, t.config, t.round, t.bracket, t.budget, t.seed, t.score,
                      t.seconds, t.ok, *[
                          t.params.get(n) if out.dtype[n].kind == "f" else str(t.params.get(n))
                          for n in names])
        return out

    def __repr__(self):
        best = self.best
        failed = len(self.failures)
        described = "no successful trial" if best is None else f"best {best!r}"
        more = f", {failed} failed" if failed else ""
        return f"SearchResult({self.method}, {len(self.trials)} trials{more}, {described})"


# ---- running trials ----------------------------------------------------------------------


def _score_of(value):
    """(score, info, error) from what an objective returned."""
    info = {}
    if isinstance(value, Mapping):
        if "score" not in value:
            return math.nan, {}, f"objective returned a dict without 'score': {list(value)}"
        info = {k: v for k, v in value.items() if k != "score"}
        value = value["score"]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return math.nan, info, f"objective returned {value!r}, not a number"
    score = float(value)
    if not math.isfinite(score):
        return math.nan, info, f"objective returned {score}"
    return score, info, None


def _evaluate(objective, params, budget, seed):
    """Call the objective once; never raise (an exception becomes the trial's error)."""
    start = time.perf_counter()
    try:
        score, info, error = _score_of(objective(dict(params), budget, seed))
    except Exception as err:  # a failed trial is recorded, the search goes on
        score, info, error = math.nan, {}, f"{type(err).__name__}: {err}"
    return score, info, error, time.perf_counter() - start


def _has_generator_output():
    from joblib import Parallel

    return "return_as" in inspect.signature(Parallel).parameters


def _run(objective, tasks, n_jobs, progress, desc):
    """Evaluate ``tasks`` (params, budget, seed) in order; return one tuple per task.

    ``n_jobs=1`` runs in this process; anything else goes through ``joblib.Parallel``, whose
    backend (processes by default; Dask, Ray, ... in a ``parallel_config`` block) runs them.
    """
    bar = None
    if progress and tasks:
        from tqdm.auto import tqdm  # only progress bars need it

        bar = tqdm(total=len(tasks), desc=desc, unit="trial")
    try:
        if n_jobs == 1:
            out = []
            for task in tasks:
                out.append(_evaluate(objective, *task))
                if bar is not None:
                    bar.update()
            return out
        from joblib import Parallel, delayed

        calls = [delayed(_evaluate)(objective, *task) for task in tasks]
        if bar is None:
            return list(Parallel(n_jobs=n_jobs)(calls))
        if _has_generator_output():  # results as they arrive, in order
            out = []
            for result in Parallel(n_jobs=n_jobs, return_as="generator")(calls):
                out.append(result)
                bar.update()
            return out
        out = []  # older joblib: in chunks, the bar moving after each
        chunk = 4 * max(1, abs(n_jobs or 1))
        for start in range(0, len(calls), chunk):
            out += Parallel(n_jobs=n_jobs)(calls[start : start + chunk])
            bar.update(len(calls[start : start + chunk]))
        return out
    finally:
        if bar is not None:
            bar.close()


class _Search:
    """What every search shares: the checks, the seeds, and the trials run so far."""

    def __init__(self, objective, seed, n_jobs, progress, maximize, method):
        if not callable(objective):
            raise ValueError(
                f"objective must be a function (params, budget, seed) -> score, got {objective!r}"
            )
        self.objective = objective
        root = np.random.SeedSequence(checks.integer("seed", seed, 0))
        self.sampling, trial_seeds = root.spawn(2)
        self._trial_seeds = trial_seeds
        self._seeds = {}
        self.n_jobs = None if n_jobs is None else checks.integer("n_jobs", n_jobs)
        if self.n_jobs == 0:
            raise ValueError("n_jobs must be a nonzero integer or None, got 0")
        self.progress = bool(progress)
        self.maximize = bool(maximize)
        self.method = method
        self.trials = []

    def seed_of(self, config):
        """The seed of configuration ``config``: from the search's seed and the number."""
        if config not in self._seeds:
            child = np.random.SeedSequence(self._trial_seeds.entropy,
                                           spawn_key=(*self._trial_seeds.spawn_key, config))
            self._seeds[config] = int(child.generate_state(1)[0])
        return self._seeds[config]

    def run(self, configs, budget, round=0, bracket=0):
        """Evaluate ``configs`` (a list of (number, params)) at ``budget``; return the trials."""
        tasks = [(params, budget, self.seed_of(c)) for c, params in configs]
        desc = f"{self.method}" + (f", round {round}" if round else "")
        results = _run(self.objective, tasks, self.n_jobs, self.progress, desc)
        new = []
        for (c, params), (score, info, error, seconds) in zip(configs, results, strict=True):
            new.append(Trial(index=len(self.trials) + len(new), config=c, params=dict(params),
                             budget=budget, seed=self.seed_of(c), score=score, seconds=seconds,
                             round=round, bracket=bracket, error=error, info=info))
        self.trials += new
        return new

    def best_of(self, trials, k):
        """The ``k`` best of ``trials`` (failures last), best first."""
        return sorted(trials, key=lambda t: _rank_key(t, self.maximize))[:k]


def _check_budget(name, budget):
    return checks.positive(name, budget) if not isinstance(budget, numbers.Integral) else \
        checks.integer(name, budget, 1)


def random_search(objective, space, n_trials=100, budget=1, seed=0, n_jobs=None,
                  progress=False, maximize=True):
    """Evaluate ``n_trials`` configurations drawn at random from ``space``.

    Parameters
    ----------
    objective : callable
        ``objective(params, budget, seed) -> score`` (or a dict with a ``"score"``).
    space : dict[str, Dimension]
    n_trials : int, default 100
    budget : int or float, default 1
        Passed to every call (epochs, for the book's objective).
    seed : int, default 0
        Fixes the configurations and every trial's seed.
    n_jobs : int, optional
        Trials run at the same time, through joblib (-1: one per core).  1 runs them in this
        process; None leaves the choice to joblib (1, unless a ``parallel_config`` block
        says otherwise).  The trials are the same whatever it is.
    progress : bool, default False
        Show a tqdm progress bar.
    maximize : bool, default True
        Higher scores are better (accuracies); False for losses.

    Returns
    -------
    SearchResult
    """
    space = _check_space(space)
    n_trials = checks.integer("n_trials", n_trials, 1)
    budget = _check_budget("budget", budget)
    search = _Search(objective, seed, n_jobs, progress, maximize, "random search")
    search.run(list(enumerate(sample(space, n_trials, search.sampling))), budget)
    return SearchResult(search.trials, space, search.method, maximize)


def grid_search(objective, space, points=3, budget=1, seed=0, n_jobs=None, progress=False,
                maximize=True):
    """Evaluate every configuration of :func:`grid(space, points) <grid>`.

    Parameters are those of :func:`random_search`, with ``points`` (an int, or a dict name ->
    int) in place of ``n_trials``; ``seed`` fixes only the trials' seeds.

    Returns
    -------
    SearchResult
    """
    space = _check_space(space)
    configs = grid(space, points)
    budget = _check_budget("budget", budget)
    search = _Search(objective, seed, n_jobs, progress, maximize, "grid search")
    search.run(list(enumerate(configs)), budget)
    return SearchResult(search.trials, space, search.method, maximize)


def narrow(space, trials, keep=0.2, margin=0.1, maximize=True):
    """A smaller space around the best ``keep`` fraction of ``trials``.

    For each range: from the smallest to the largest value among the kept trials, widened by
    ``margin`` times the old range's width on either side (in the range's own scale: decades
    for :class:`LogUniform`), and never beyond the old range.  A :class:`Categorical` keeps
    the choices that the kept trials used.  The ranges narrow independently (a box, not the
    shape of the good region).

    Parameters
    ----------
    space : dict[str, Dimension]
    trials : SearchResult or list of Trial
        Failed trials are left out.
    keep : float, default 0.2
        Fraction of the successful trials to keep, in (0, 1]; at least one is kept.
    margin : float, default 0.1
        In (0, 1].
    maximize : bool, default True

    Returns
    -------
    dict[str, Dimension]
    """
    space = _check_space(space)
    keep = checks.number("keep", keep, 0.0, 1.0, low_open=True)
    margin = checks.number("margin", margin, 0.0, 1.0, low_open=True)
    ok = [t for t in trials if t.ok]
    if not ok:
        raise ValueError("trials must hold at least one successful trial, got none")
    kept = sorted(ok, key=lambda t: _rank_key(t, maximize))[: max(1, math.ceil(keep * len(ok)))]
    return {name: dim.narrowed([t.params[name] for t in kept], margin)
            for name, dim in space.items()}


def coarse_to_fine(objective, space, n_trials=100, rounds=3, keep=0.2, margin=0.1, budget=1,
                   seed=0, n_jobs=None, progress=False, maximize=True):
    """Rounds of random search, each in the space :func:`narrow` made from the round before.

    The procedure *Deep Learning from Scratch* (§6.5) describes: set ranges, sample at
    random, train briefly and score on validation data; then narrow the ranges to where the
    best results are, and repeat.

    Parameters
    ----------
    objective, space, budget, seed, n_jobs, progress, maximize
        As for :func:`random_search`.
    n_trials : int, default 100
        Trials per round.
    rounds : int, default 3
    keep, margin : float
        As for :func:`narrow`; each round narrows around the best of its own trials.

    Returns
    -------
    SearchResult
        Trials numbered across rounds (``trial.round`` = 0, 1, ...); ``result.spaces`` holds
        every round's space.
    """
    space = _check_space(space)
    n_trials = checks.integer("n_trials", n_trials, 1)
    rounds = checks.integer("rounds", rounds, 1)
    checks.number("keep", keep, 0.0, 1.0, low_open=True)
    checks.number("margin", margin, 0.0, 1.0, low_open=True)
    budget = _check_budget("budget", budget)
    search = _Search(objective, seed, n_jobs, progress, maximize, "coarse to fine")
    streams = search.sampling.spawn(rounds)
    spaces, current = [], space
    for r in range(rounds):
        spaces.append(current)
        configs = sample(current, n_trials, streams[r])
        numbered = [(r * n_trials + i, params) for i, params in enumerate(configs)]
        done = search.run(numbered, budget, round=r)
        if r + 1 < rounds:
            if not any(t.ok for t in done):
                break  # nothing to narrow around: the failures are in the result
            current = narrow(current, done, keep, margin, maximize)
    return SearchResult(search.trials, space, search.method, maximize, spaces=spaces)


# ---- successive halving and Hyperband ----------------------------------------------------


def _budget_at(min_budget, factor, power):
    """``min_budget * factor**power``, an int when both are ints."""
    value = min_budget * factor**power
    if isinstance(min_budget, numbers.Integral) and isinstance(factor, numbers.Integral):
        return int(value)
    return float(value)


def _floor_log(x, base):
    """The largest integer k with base**k <= x (for x >= 1), without floating-point logs."""
    k = 0
    while base ** (k + 1) <= x:
        k += 1
    return k


def _check_halving(min_budget, factor, max_budget):
    min_budget = _check_budget("min_budget", min_budget)
    if isinstance(factor, numbers.Integral) and not isinstance(factor, bool):
        factor = checks.integer("factor", factor, 2)
    else:
        factor = checks.number("factor", factor, 1.0, math.inf, low_open=True, high_open=True)
    if max_budget is not None:
        max_budget = _check_budget("max_budget", max_budget)
        if max_budget < min_budget:
            raise ValueError(
                f"max_budget must be a number >= min_budget ({min_budget}), got {max_budget}")
    return min_budget, factor, max_budget


def halving_schedule(n_trials, min_budget=1, factor=3, max_budget=None):
    r"""The rounds of successive halving: how many configurations, at what budget.

    Round :math:`i` trains :math:`n_i` configurations with budget
    :math:`r_i = r_0\,f^i` each (:math:`r_0` = ``min_budget``, :math:`f` = ``factor``)
    and keeps the best :math:`n_{i+1} = \lceil n_i / f \rceil`, starting from
    :math:`n_0` = ``n_trials``.  It stops when one configuration is left, that is after
    :math:`1 + \lfloor \log_f n_0 \rfloor` rounds, or earlier when the next budget would
    pass ``max_budget``: after :math:`1 + \lfloor\log_f \lfloor \text{max} /
    r_0\rfloor\rfloor` rounds.  This is scikit-learn's ``HalvingRandomSearchCV`` schedule
    (``n_candidates_``, ``n_resources_``) without aggressive elimination, except that the
    logarithms are computed exactly: scikit-learn takes ``floor(log(n, factor))`` in floating
    point, which for :math:`n_0 = 243, f = 3` gives 4 instead of 5 and stops a round early.

    Parameters
    ----------
    n_trials : int
        :math:`n_0 \ge 1`.
    min_budget : int or float, default 1
    factor : int or float, default 3
        :math:`f > 1`.
    max_budget : int or float, optional
        No round's budget exceeds it.

    Returns
    -------
    list of (int, number)
        ``(n_i, r_i)`` for every round.
    """
    n = checks.integer("n_trials", n_trials, 1)
    min_budget, factor, max_budget = _check_halving(min_budget, factor, max_budget)
    rounds = 1 + _floor_log(n, factor)
    if max_budget is not None:
        rounds = min(rounds, 1 + _floor_log(max_budget // min_budget, factor))
    schedule = []
    for i in range(rounds):
        schedule.append((n, _budget_at(min_budget, factor, i)))
        n = math.ceil(n / factor)
    return schedule


def hyperband_schedule(max_budget, min_budget=1, factor=3):
    r"""Hyperband's brackets: each a successive-halving schedule ``[(n_i, r_i), ...]``.

    With :math:`s_\max = \lfloor \log_f (R / r_0) \rfloor` (:math:`R` = ``max_budget``,
    :math:`r_0` = ``min_budget``), bracket :math:`s = s_\max, \dots, 0` starts
    :math:`n = \lceil \frac{s_\max + 1}{s + 1}\,f^s \rceil` configurations at budget
    :math:`r_0\,f^{s_\max - s}` and runs :math:`s + 1` rounds; round :math:`i` keeps
    :math:`\lfloor n\,f^{-i} \rfloor` configurations at :math:`f^i` times the first
    budget (Li et al., 2018, Algorithm 1).  The first bracket is the most aggressive; the
    last is plain random search at the largest budget.  Every bracket spends about the same.

    Parameters
    ----------
    max_budget : int or float
        :math:`R`, the largest budget a configuration gets.
    min_budget : int or float, default 1
    factor : int or float, default 3
        :math:`f > 1`.

    Returns
    -------
    list of list of (int, number)
        One schedule per bracket, the most aggressive first.
    """
    min_budget, factor, max_budget = _check_halving(min_budget, factor, max_budget)
    s_max = _floor_log(max_budget / min_budget, factor)
    brackets = []
    exact = isinstance(factor, numbers.Integral)
    for s in range(s_max, -1, -1):
        if exact:  # integer arithmetic: ceil and floor without rounding errors
            n = -(-(s_max + 1) * factor**s // (s + 1))
            sizes = [n // factor**i for i in range(s + 1)]
        else:
            n = math.ceil((s_max + 1) / (s + 1) * factor**s)
            sizes = [math.floor(n / factor**i) for i in range(s + 1)]
        brackets.append([(size, _budget_at(min_budget, factor, s_max - s + i))
                         for i, size in enumerate(sizes)])
    return brackets


def _halve(search, configs, schedule, bracket=0):
    """Run ``schedule`` on ``configs`` (a list of (number, params)), promoting the best."""
    for i, (n, budget) in enumerate(schedule):
        done = search.run(configs[:n], budget, round=i, bracket=bracket)
        if i + 1 < len(schedule):
            promoted = search.best_of(done, schedule[i + 1][0])
            configs = [(t.config, t.params) for t in promoted]


def successive_halving(objective, space, n_trials=81, min_budget=1, factor=3, max_budget=None,
                       seed=0, n_jobs=None, progress=False, maximize=True):
    r"""Train many configurations briefly, and only the best of them longer.

    ``n_trials`` configurations drawn at random get ``min_budget`` each; the best
    :math:`\lceil n/f \rceil` (:math:`f` = ``factor``) are trained again from scratch
    with :math:`f` times the budget, and so on (:func:`halving_schedule`).  Every round
    spends about the same, :math:`n_0 r_0`, so the whole search costs about
    :math:`n_0 r_0 (1 + \log_f n_0)`, where training every configuration to the final
    budget would cost :math:`n_0 r_0 f^{\log_f n_0} = n_0^2 r_0`.  It pays when a
    configuration's rank after a short training predicts its rank after a long one.

    Parameters
    ----------
    objective, space, seed, n_jobs, progress, maximize
        As for :func:`random_search`.  A promoted configuration keeps its seed.
    n_trials : int, default 81
    min_budget : int or float, default 1
    factor : int or float, default 3
    max_budget : int or float, optional
        See :func:`halving_schedule`.

    Returns
    -------
    SearchResult
        ``trial.round`` is the round; ``result.schedule`` the schedule.
    """
    space = _check_space(space)
    schedule = halving_schedule(n_trials, min_budget, factor, max_budget)
    search = _Search(objective, seed, n_jobs, progress, maximize, "successive halving")
    configs = list(enumerate(sample(space, schedule[0][0], search.sampling)))
    _halve(search, configs, schedule)
    return SearchResult(search.trials, space, search.method, maximize, schedule=schedule)


def hyperband(objective, space, max_budget=27, min_budget=1, factor=3, seed=0, n_jobs=None,
              progress=False, maximize=True):
    """Successive halving in every bracket of :func:`hyperband_schedule`.

    Successive halving must choose between many configurations trained briefly and few
    trained long; Hyperband hedges by running every choice, from the most aggressive bracket
    to plain random search at ``max_budget``, each with configurations of its own.

    Parameters
    ----------
    objective, space, seed, n_jobs, progress, maximize
        As for :func:`random_search`.
    max_budget, min_budget, factor
        As for :func:`hyperband_schedule`.

    Returns
    -------
    SearchResult
        ``trial.bracket`` and ``trial.round`` say where each trial ran; ``result.schedule``
        is the list of brackets.
    """
    space = _check_space(space)
    brackets = hyperband_schedule(max_budget, min_budget, factor)
    search = _Search(objective, seed, n_jobs, progress, maximize, "Hyperband")
    total = sum(schedule[0][0] for schedule in brackets)
    configs = list(enumerate(sample(space, total, search.sampling)))
    start = 0
    for b, schedule in enumerate(brackets):
        n = schedule[0][0]
        _halve(search, configs[start : start + n], schedule, bracket=b)
        start += n
    return SearchResult(search.trials, space, search.method, maximize, schedule=brackets)
