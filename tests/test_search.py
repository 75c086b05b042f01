"""lib.search: spaces, searches, schedules, failures, and serial against parallel runs."""

import math

import numpy as np
import pytest

from lib.search import (
    Categorical,
    Integer,
    LogUniform,
    SearchResult,
    Trial,
    Uniform,
    coarse_to_fine,
    grid,
    grid_search,
    halving_schedule,
    hyperband,
    hyperband_schedule,
    narrow,
    random_search,
    sample,
    successive_halving,
)

SPACE = {"lr": LogUniform(1e-4, 1.0), "momentum": Uniform(0.5, 0.99),
         "width": Integer(8, 64), "activation": Categorical(["relu", "tanh"])}


def bowl(params, budget, seed):
    """Best at lr = 1e-2; a little noise from the seed; more budget, higher scores."""
    noise = np.random.default_rng(seed).normal(0, 0.01)
    return -((math.log10(params["lr"]) + 2) ** 2) + 0.1 * math.log(budget) + noise


def without_seconds(result):
    """Everything a trial records except its wall time (NaN as None, to compare equal)."""
    return [(t.index, t.config, t.params, t.budget, t.seed, t.score if t.ok else None, t.round,
             t.bracket, t.error) for t in result.trials]


# ---- ranges ----------------------------------------------------------------------------------


def test_log_uniform_gives_every_decade_the_same_share():
    values = np.array([c["lr"] for c in sample({"lr": LogUniform(1e-6, 1e-2)}, 20000, 1)])
    assert values.min() >= 1e-6 and values.max() <= 1e-2
    shares = np.histogram(np.log10(values), bins=[-6, -5, -4, -3, -2])[0] / len(values)
    np.testing.assert_allclose(shares, 0.25, atol=0.015)


def test_uniform_integer_and_categorical_draws():
    draws = sample(SPACE, 5000, seed=2)
    momentum = np.array([d["momentum"] for d in draws])
    assert 0.5 <= momentum.min() and momentum.max() <= 0.99
    assert abs(momentum.mean() - 0.745) < 0.01
    widths = [d["width"] for d in draws]
    assert set(widths) == set(range(8, 65))  # both ends included
    assert {d["activation"] for d in draws} == {"relu", "tanh"}
    # plain Python values, never NumPy scalars (NEP 50: they would turn float32 into float64)
    assert all(type(d["lr"]) is float and type(d["width"]) is int for d in draws)


def test_integer_on_a_log_scale():
    widths = np.array([d["w"] for d in sample({"w": Integer(1, 1000, log=True)}, 20000, 0)])
    assert widths.min() == 1 and widths.max() <= 1000
    # about as many draws in 1..9 as in 10..99 and in 100..999
    counts = np.histogram(widths, bins=[1, 10, 100, 1000])[0] / len(widths)
    np.testing.assert_allclose(counts, 1 / 3, atol=0.02)


def test_sample_is_reproducible_and_a_longer_sample_extends_a_shorter_one():
    assert sample(SPACE, 7, seed=4) == sample(SPACE, 7, seed=4)
    assert sample(SPACE, 20, seed=4)[:7] == sample(SPACE, 7, seed=4)
    assert sample(SPACE, 7, seed=4) != sample(SPACE, 7, seed=5)
    assert sample(SPACE, 0) == []


def test_grid_includes_the_ends_and_every_choice():
    points = grid({"lr": LogUniform(1e-6, 1e-2), "act": Categorical(["relu", "tanh"])}, 3)
    assert len(points) == 6
    lrs = sorted({p["lr"] for p in points})
    np.testing.assert_allclose(lrs, [1e-6, 1e-4, 1e-2], rtol=1e-12)
    assert points[0] == {"lr": 1e-6, "act": "relu"} and points[1]["act"] == "tanh"
    assert grid({"x": Uniform(0, 1)}, 5) == [{"x": v} for v in [0.0, 0.25, 0.5, 0.75, 1.0]]
    assert grid({"x": Uniform(0, 1)}, 1) == [{"x": 0.5}]  # one point: the middle
    assert grid({"k": Integer(1, 3)}, 10) == [{"k": 1}, {"k": 2}, {"k": 3}]
    per_name = grid({"a": Uniform(0, 1), "b": Uniform(0, 1)}, {"a": 2, "b": 4})
    assert len(per_name) == 8


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: LogUniform(0, 1), "low"),
        (lambda: LogUniform(-1e-3, 1), "low"),
        (lambda: LogUniform(1e-2, 1e-3), "high"),
        (lambda: Uniform(1, 1), "high"),
        (lambda: Uniform(0, math.inf), "high"),
        (lambda: Uniform(math.nan, 1), "low"),
        (lambda: Integer(5, 4), "high"),
        (lambda: Integer(0, 4, log=True), "low"),
        (lambda: Integer(1.5, 4), "low"),
        (lambda: Categorical([]), "choices"),
        (lambda: Categorical("relu"), "choices"),
        (lambda: Categorical(["relu", "relu"]), "choices"),
    ],
)
def test_bad_ranges_are_refused(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("space", [{}, None, {"lr": (1e-3, 1e-1)}, [LogUniform(1, 2)],
                                   {1: Uniform(0, 1)}])
def test_bad_spaces_are_refused(space):
    with pytest.raises(ValueError, match="space"):
        sample(space, 3)
    with pytest.raises(ValueError, match="space"):
        random_search(bowl, space, n_trials=2)


def test_reprs_name_the_ranges():
    assert repr(LogUniform(1e-6, 0.01)) == "LogUniform(1e-06, 0.01)"
    assert repr(Integer(8, 512, log=True)) == "Integer(8, 512, log=True)"
    assert repr(Categorical(["relu"])) == "Categorical(['relu'])"


# ---- searches ---------------------------------------------------------------------------------


def test_random_search_records_every_trial_and_finds_the_best():
    result = random_search(bowl, SPACE, n_trials=30, budget=3, seed=0, n_jobs=1)
    assert isinstance(result, SearchResult) and len(result) == 30
    assert [t.index for t in result.trials] == list(range(30))
    assert all(t.ok and t.budget == 3 and t.seconds >= 0 for t in result.trials)
    assert [t.params for t in result.trials] == sample(SPACE, 30, result_sampling_seed(0))
    best = result.best
    assert best.score == max(t.score for t in result.trials)
    assert abs(math.log10(best.params["lr"]) + 2) < 0.5
    assert result.total_budget == 90
    assert "random search, 30 trials" in repr(result) and "best Trial(#" in repr(result)


def result_sampling_seed(seed):
    """The stream the searches draw their configurations from (the first of two children)."""
    return np.random.SeedSequence(seed).spawn(2)[0]


def test_serial_and_parallel_searches_give_identical_trials():
    kwargs = {"n_trials": 12, "budget": 2, "seed": 7}
    serial = random_search(bowl, SPACE, n_jobs=1, **kwargs)
    assert without_seconds(random_search(bowl, SPACE, n_jobs=2, **kwargs)) == \
        without_seconds(serial)
    assert without_seconds(random_search(bowl, SPACE, n_jobs=None, **kwargs)) == \
        without_seconds(serial)
    halving = [without_seconds(successive_halving(bowl, SPACE, n_trials=9, seed=3, n_jobs=n))
               for n in (1, 2)]
    assert halving[0] == halving[1]


def test_a_trials_seed_depends_on_the_search_seed_and_its_number_only():
    short = random_search(bowl, SPACE, n_trials=4, seed=11, n_jobs=1)
    long = random_search(bowl, SPACE, n_trials=9, seed=11, n_jobs=1)
    assert without_seconds(long)[:4] == without_seconds(short)
    seeds = [t.seed for t in long.trials]
    assert len(set(seeds)) == 9 and all(isinstance(s, int) and s >= 0 for s in seeds)
    other = random_search(bowl, SPACE, n_trials=4, seed=12, n_jobs=1)
    assert {t.seed for t in other.trials}.isdisjoint(seeds)
    # grid search shares the seeds of random search with the same search seed
    assert [t.seed for t in grid_search(bowl, {"lr": LogUniform(1e-3, 1)}, 4, seed=11,
                                        n_jobs=1).trials] == seeds[:4]


def test_the_objective_gets_a_copy_of_the_parameters_and_the_space_is_not_changed():
    def meddling(params, budget, seed):
        params["lr"] = -1.0
        return 0.5

    space = {"lr": LogUniform(1e-3, 1)}
    before = dict(space)
    result = random_search(meddling, space, n_trials=3, n_jobs=1)
    assert all(0 < t.params["lr"] < 1 for t in result.trials)
    assert space == before
    narrow(space, result)
    assert space == before


def failing(params, budget, seed):
    """Fails in four ways, depending on the width."""
    w = params["width"]
    if w == 1:
        raise ZeroDivisionError("width 1 divides by zero")
    if w == 2:
        return math.nan
    if w == 3:
        return "high"
    if w == 4:
        return {"accuracy": 1.0}
    return {"score": float(w), "double": 2 * w}


def test_failed_trials_are_recorded_and_never_lose_the_search():
    result = grid_search(failing, {"width": Integer(1, 6)}, points=6, n_jobs=1)
    assert len(result) == 6
    errors = [t.error for t in result.trials]
    assert errors[0] == "ZeroDivisionError: width 1 divides by zero"
    assert errors[1] == "objective returned nan"
    assert errors[2] == "objective returned 'high', not a number"
    assert "without 'score'" in errors[3]
    assert errors[4:] == [None, None]
    assert [t.ok for t in result.trials] == [False] * 4 + [True] * 2
    assert np.isnan(result.scores[:4]).all() and list(result.scores[4:]) == [5.0, 6.0]
    assert result.best.params == {"width": 6} and result.best.info == {"double": 12}
    assert len(result.failures) == 4 and "4 failed" in repr(result)
    assert "failed: ZeroDivisionError" in repr(result.trials[0])
    table = result.table()
    assert list(table["width"][:2]) == [6.0, 5.0] and not table["ok"][2:].any()
    parallel = grid_search(failing, {"width": Integer(1, 6)}, points=6, n_jobs=2)
    assert without_seconds(parallel) == without_seconds(result)


def test_a_search_where_every_trial_fails_has_no_best():
    result = random_search(lambda p, b, s: 1 / 0, {"x": Uniform(0, 1)}, n_trials=3, n_jobs=1)
    assert result.best is None and len(result.failures) == 3
    assert "no successful trial" in repr(result)
    assert np.isnan(result.best_so_far()).all()
    with pytest.raises(ValueError, match="trials"):
        narrow({"x": Uniform(0, 1)}, result)


def test_minimising_a_loss():
    loss = random_search(lambda p, b, s: (p["x"] - 0.3) ** 2, {"x": Uniform(0, 1)},
                         n_trials=50, n_jobs=1, maximize=False)
    assert abs(loss.best.params["x"] - 0.3) < 0.05
    assert np.all(np.diff(loss.best_so_far()) <= 0)


def test_the_table_sorts_and_holds_every_column():
    result = random_search(bowl, SPACE, n_trials=10, budget=2, seed=1, n_jobs=1)
    table = result.table()
    assert table.shape == (10,)
    assert set(table.dtype.names) >= {"index", "config", "round", "budget", "seed", "score",
                                      "seconds", "ok", "lr", "momentum", "width", "activation"}
    assert np.all(np.diff(table["score"]) <= 0)  # best first
    assert table[0]["index"] == result.best.index
    in_order = result.table(sort=False)
    np.testing.assert_array_equal(in_order["score"], result.scores)
    np.testing.assert_array_equal(in_order["lr"], result.column("lr"))
    assert set(in_order["activation"]) <= {"relu", "tanh"}
    by_lr = np.sort(in_order, order="lr")
    assert np.all(np.diff(by_lr["lr"]) >= 0)
    rows = result.rows()
    assert rows[3]["score"] == result.trials[3].score and rows[3]["width"] == \
        result.trials[3].params["width"]
    assert [t.index for t in result.top(3)] == list(table["index"][:3])
    with pytest.raises(ValueError, match="name"):
        result.column("dropout")


def test_best_so_far_is_the_running_maximum():
    result = random_search(bowl, SPACE, n_trials=20, n_jobs=1)
    np.testing.assert_array_equal(result.best_so_far(), np.maximum.accumulate(result.scores))


def test_progress_bar(capsys):
    random_search(bowl, SPACE, n_trials=3, n_jobs=1, progress=True)
    random_search(bowl, SPACE, n_trials=3, n_jobs=2, progress=True)
    err = capsys.readouterr().err
    assert err.count("3/3") >= 2 and "random search" in err


@pytest.mark.parametrize(
    "kwargs, match",
    [({"n_trials": 0}, "n_trials"), ({"budget": 0}, "budget"), ({"budget": -1.5}, "budget"),
     ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"n_jobs": 0}, "n_jobs"),
     ({"objective": "bowl"}, "objective")],
)
def test_random_search_rejects_bad_arguments(kwargs, match):
    args = {"objective": bowl, "space": SPACE, **kwargs}
    with pytest.raises(ValueError, match=match):
        random_search(**args)


def test_grid_search_tries_every_point():
    result = grid_search(bowl, {"lr": LogUniform(1e-4, 1), "width": Integer(8, 64)},
                         points=3, n_jobs=1)
    assert len(result) == 9 and result.method == "grid search"
    assert sorted({t.params["lr"] for t in result.trials}) == pytest.approx([1e-4, 1e-2, 1])
    assert result.best.params["lr"] == pytest.approx(1e-2)
    with pytest.raises(ValueError, match="points"):
        grid_search(bowl, {"lr": LogUniform(1e-4, 1)}, points=0)
    with pytest.raises(ValueError, match="points"):
        grid({"lr": LogUniform(1e-4, 1)}, {"momentum": 3})


# ---- narrowing and coarse to fine -----------------------------------------------------------


def trial(i, score, **params):
    return Trial(index=i, config=i, params=params, budget=1, seed=0, score=score, seconds=0.0)


def test_narrow_keeps_the_range_of_the_best_widened_by_the_margin():
    space = {"lr": LogUniform(1e-6, 1e-2), "x": Uniform(0, 10), "k": Integer(0, 100),
             "act": Categorical(["relu", "tanh", "elu"])}
    trials = [trial(0, 0.9, lr=1e-3, x=4.0, k=40, act="tanh"),
              trial(1, 0.8, lr=1e-4, x=6.0, k=50, act="relu"),
              trial(2, 0.1, lr=1e-6, x=0.0, k=0, act="elu"),
              trial(3, 0.2, lr=1e-2, x=10.0, k=100, act="elu")]
    new = narrow(space, trials, keep=0.5, margin=0.25)
    # log scale: best two at 1e-4 and 1e-3; a quarter of the four decades is one decade
    assert new["lr"].low == pytest.approx(1e-5) and new["lr"].high == pytest.approx(1e-2)
    assert (new["x"].low, new["x"].high) == pytest.approx((1.5, 8.5))
    assert (new["k"].low, new["k"].high) == (15, 75)
    assert new["act"].choices == ["relu", "tanh"]  # in the original order
    one = narrow(space, trials, keep=0.01, margin=0.05)  # at least one trial is kept
    assert (one["x"].low, one["x"].high) == pytest.approx((3.5, 4.5))
    assert one["act"].choices == ["tanh"]
    lowest = narrow(space, trials, keep=0.25, maximize=False, margin=0.1)
    assert lowest["lr"].low == 1e-6  # never beyond the old range


@pytest.mark.parametrize("kwargs, match", [({"keep": 0}, "keep"), ({"keep": 1.5}, "keep"),
                                           ({"margin": 0}, "margin")])
def test_narrow_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        narrow(SPACE, [trial(0, 1.0, lr=1e-3, momentum=0.9, width=8, activation="relu")],
               **kwargs)


def test_coarse_to_fine_narrows_around_the_best_each_round():
    space = {"lr": LogUniform(1e-6, 1.0), "momentum": Uniform(0.5, 0.99)}
    result = coarse_to_fine(bowl, space, n_trials=40, rounds=3, keep=0.2, seed=2, n_jobs=1)
    assert len(result) == 120 and len(result.spaces) == 3
    assert [t.round for t in result.trials] == [0] * 40 + [1] * 40 + [2] * 40
    assert [t.config for t in result.trials] == list(range(120))
    for r in range(3):
        lrs = [t.params["lr"] for t in result.trials if t.round == r]
        assert min(lrs) >= result.spaces[r]["lr"].low and max(lrs) <= result.spaces[r]["lr"].high
    widths = [math.log10(s["lr"].high / s["lr"].low) for s in result.spaces]
    assert widths[0] == pytest.approx(6) and widths[2] < widths[1] < widths[0]
    assert result.spaces[1] == narrow(space, result.trials[:40], keep=0.2)
    medians = [np.median([t.score for t in result.trials if t.round == r]) for r in range(3)]
    assert medians[0] < medians[1] < medians[2]
    again = coarse_to_fine(bowl, space, n_trials=40, rounds=3, keep=0.2, seed=2, n_jobs=2)
    assert without_seconds(again) == without_seconds(result)


# ---- successive halving and Hyperband ------------------------------------------------------


def test_halving_schedule_by_hand():
    assert halving_schedule(27) == [(27, 1), (9, 3), (3, 9), (1, 27)]
    assert halving_schedule(20, min_budget=2, factor=2) == [(20, 2), (10, 4), (5, 8), (3, 16),
                                                            (2, 32)]
    assert halving_schedule(81, max_budget=10) == [(81, 1), (27, 3), (9, 9)]
    assert halving_schedule(1) == [(1, 1)]
    assert halving_schedule(243)[-1] == (1, 243)  # exact logarithms: six rounds
    assert halving_schedule(10, min_budget=0.5, factor=2.0)[:2] == [(10, 0.5), (5, 1.0)]
    for n, r in halving_schedule(100, min_budget=3, factor=3):
        assert isinstance(n, int) and isinstance(r, int)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"n_trials": 0}, "n_trials"), ({"factor": 1}, "factor"), ({"factor": 1.0}, "factor"),
     ({"min_budget": 0}, "min_budget"), ({"max_budget": 0.5}, "max_budget")],
)
def test_halving_schedule_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        halving_schedule(**{"n_trials": 9, **kwargs})


def test_hyperband_schedule_is_the_papers():
    # Li et al. (2018), Table 1: R = 81, eta = 3
    assert hyperband_schedule(81) == [
        [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
        [(34, 3), (11, 9), (3, 27), (1, 81)],
        [(15, 9), (5, 27), (1, 81)],
        [(8, 27), (2, 81)],
        [(5, 81)],
    ]
    assert hyperband_schedule(8, factor=2)[0] == [(8, 1), (4, 2), (2, 4), (1, 8)]
    assert hyperband_schedule(1) == [[(1, 1)]]


def test_successive_halving_promotes_the_best_and_keeps_their_seeds():
    result = successive_halving(bowl, SPACE, n_trials=27, min_budget=1, factor=3, seed=5,
                                n_jobs=1)
    assert result.schedule == [(27, 1), (9, 3), (3, 9), (1, 27)]
    assert [sum(t.round == r for t in result.trials) for r in range(4)] == [27, 9, 3, 1]
    assert result.total_budget == 4 * 27
    by_config = {t.config: t for t in result.trials if t.round == 0}
    for r in range(1, 4):
        before = [t for t in result.trials if t.round == r - 1]
        now = [t for t in result.trials if t.round == r]
        best = sorted(before, key=lambda t: -t.score)[: len(now)]
        assert [t.config for t in now] == [t.config for t in best]
        for t in now:
            assert t.seed == by_config[t.config].seed and t.params == by_config[t.config].params
            assert t.budget == 3**r
    assert result.best.round == 3


def test_successive_halving_ranks_failures_last():
    def fragile(params, budget, seed):
        if params["x"] > 0.5 and budget > 1:
            raise RuntimeError("out of memory")
        return params["x"]

    result = successive_halving(fragile, {"x": Uniform(0, 1)}, n_trials=9, seed=0, n_jobs=1)
    second = [t for t in result.trials if t.round == 1]
    assert len(second) == 3 and not any(t.ok for t in second)  # the best three, all failing
    last = [t for t in result.trials if t.round == 2][0]
    assert not last.ok and result.best.round == 0


def test_hyperband_runs_every_bracket():
    result = hyperband(bowl, SPACE, max_budget=9, min_budget=1, factor=3, seed=1, n_jobs=1)
    assert result.schedule == [[(9, 1), (3, 3), (1, 9)], [(5, 3), (1, 9)], [(3, 9)]]
    assert [sum(t.bracket == b for t in result.trials) for b in range(3)] == [13, 6, 3]
    assert len({t.config for t in result.trials}) == 9 + 5 + 3
    assert result.method == "Hyperband"
    again = hyperband(bowl, SPACE, max_budget=9, min_budget=1, factor=3, seed=1, n_jobs=2)
    assert without_seconds(again) == without_seconds(result)


# ---- the schedule against scikit-learn's ---------------------------------------------------


@pytest.mark.parametrize(
    "n_candidates, min_resources, factor, max_resources",
    [(27, 1, 3, 27), (27, 2, 3, 200), (30, 5, 2, 100), (10, 3, 3, 400), (81, 1, 3, 9),
     (100, 2, 4, 500), (16, 1, 2, 600), (7, 10, 3, 90), (40, 4, 3, 12), (243, 1, 3, 600)],
)
def test_halving_schedule_equals_scikit_learns(n_candidates, min_resources, factor,
                                               max_resources):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.linear_model import RidgeClassifier
    from sklearn.model_selection import HalvingRandomSearchCV

    # the resource is the number of samples, 20 per unit of budget (cross-validation needs a
    # few samples per class even at the smallest budget)
    per_unit = 20
    rng = np.random.default_rng(0)
    x = rng.normal(size=(max_resources * per_unit, 3))
    t = np.arange(len(x)) % 2
    search = HalvingRandomSearchCV(
        RidgeClassifier(), {"alpha": list(np.logspace(-3, 3, 1000))}, n_candidates=n_candidates,
        factor=factor, resource="n_samples", min_resources=min_resources * per_unit,
        max_resources=max_resources * per_unit, cv=2, random_state=0, refit=False,
        error_score="raise",
    ).fit(x, t)
    ours = halving_schedule(n_candidates, min_resources, factor, max_resources)
    theirs = [(n, r // per_unit)
              for n, r in zip(search.n_candidates_, search.n_resources_, strict=True)]
    exact = 1 + math.floor(math.log(n_candidates, factor)) == 1 + next(
        k for k in range(40) if factor ** (k + 1) > n_candidates)
    if exact:
        assert ours == theirs
    else:  # scikit-learn's floating-point log(243, 3) = 4.999...: it stops one round early
        assert ours[:-1] == theirs and len(ours) == len(theirs) + 1


def test_best_within_a_budget():
    result = random_search(bowl, SPACE, n_trials=6, budget=4, seed=2, n_jobs=1)
    np.testing.assert_array_equal(result.spent(), [4, 8, 12, 16, 20, 24])
    best = result.best_so_far()
    within = result.best_within([0, 3.9, 4, 11, 12, 100])
    assert np.isnan(within[:2]).all()
    np.testing.assert_array_equal(within[2:], [best[0], best[1], best[2], best[5]])
