"""lib.tuning: the book's objective, and the optimism of choosing by a score."""

import math

import numpy as np
import pytest

from lib.datasets import load_digits, train_val_split
from lib.network import MultiLayerNet
from lib.optimizers import SGD, AdamW
from lib.search import LogUniform, random_search
from lib.training import train
from lib.tuning import (
    NetworkObjective,
    TrainingDiverged,
    log10_range,
    split_half_optimism,
    winners_curse,
)

(X, T), _ = load_digits()
DATA = train_val_split(X[:400], T[:400], 0.25, seed=0)


def test_the_objective_trains_the_network_it_describes():
    objective = NetworkObjective(DATA, hidden=(20,))
    score = objective({"lr": 0.3}, 3, seed=5)
    (x_train, t_train), (x_val, t_val) = DATA
    net = MultiLayerNet([64, 20, 10], seed=5)
    train(net, SGD(lr=0.3), DATA, epochs=3, batch_size=100, seed=5, evaluate=False)
    assert score == net.accuracy(x_val, t_val)
    assert score > 0.5
    assert objective({"lr": 0.3}, 3.0, seed=5) == score  # 3.0 epochs are 3 epochs
    assert objective({"lr": 0.3}, 3, seed=6) != score
    assert "sizes=[64, 20, 10]" in repr(objective) and "val=100" in repr(objective)


def test_the_objective_routes_each_hyperparameter():
    objective = NetworkObjective(DATA, hidden=(20,), fixed={"activation": "tanh"})
    rule, optimizer, network, shape = objective._split(
        {"lr": 0.1, "weight_decay": 1e-4, "width": 8, "depth": 2, "batch_size": 50}, "params")
    assert rule == "sgd" and optimizer == {"lr": 0.1}
    assert network == {"weight_decay": 1e-4, "activation": "tanh"}
    assert objective.sizes(shape) == [64, 8, 8, 10] and shape["batch_size"] == 50
    # with AdamW, weight_decay is the rule's decoupled decay, not the L2 penalty
    _, optimizer, network, _ = objective._split({"rule": "adamw", "weight_decay": 0.01}, "p")
    assert optimizer == {"weight_decay": 0.01} and "weight_decay" not in network
    assert AdamW(**optimizer).weight_decay == 0.01
    with pytest.raises(ValueError, match="params must use names from"):
        objective({"learning_rate": 0.1}, 1, 0)
    with pytest.raises(ValueError, match="fixed"):
        NetworkObjective(DATA, fixed={"colour": "red"})


def test_divergence_is_a_failed_trial_that_says_where():
    objective = NetworkObjective(DATA, hidden=(20,))
    with pytest.raises(TrainingDiverged, match="diverged at iteration"):
        objective({"lr": 1e12}, 2, seed=0)
    result = random_search(objective, {"lr": LogUniform(1e10, 1e12)}, n_trials=2, budget=1,
                           n_jobs=1)
    assert all(t.error.startswith("TrainingDiverged: training diverged at iteration")
               for t in result.trials)


def test_the_objective_returns_the_predictions_on_request():
    objective = NetworkObjective(DATA, hidden=(20,), predictions=True)
    out = objective({"lr": 0.3}, 2, seed=1)
    predicted = out["predicted"]
    assert predicted.shape == (100,) and predicted.dtype == np.int64
    assert out["score"] == np.mean(predicted == DATA[1][1])
    assert out["score"] == NetworkObjective(DATA, hidden=(20,))({"lr": 0.3}, 2, seed=1)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"data": (1, 2, 3)}, "data"), ({"hidden": (0,)}, "hidden"), ({"rule": "sgdd"}, "rule"),
     ({"batch_size": 0}, "batch_size"),
     ({"data": ((X[:10], T[:10].astype(float)), (X[:5], T[:5]))}, "t_train"),
     ({"data": ((X[:10], T[:10]), (X[:5, :10], T[:5]))}, "x_val")],
)
def test_bad_objectives_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NetworkObjective(**{"data": DATA, **kwargs})


def test_bad_budgets_are_refused():
    objective = NetworkObjective(DATA)
    for budget in (1.5, -1, "2"):
        with pytest.raises(ValueError, match="budget"):
            objective({"lr": 0.1}, budget, 0)


def test_the_inputs_are_not_changed():
    x_train = DATA[0][0].copy()
    params = {"lr": 0.1}
    NetworkObjective(DATA, hidden=(8,))(params, 1, 0)
    np.testing.assert_array_equal(DATA[0][0], x_train)
    assert params == {"lr": 0.1}


def test_winners_curse_with_one_configuration_is_no_curse():
    chosen, fresh = winners_curse(1, 200, accuracy=0.9, repeats=20000, seed=1)
    assert chosen.shape == fresh.shape == (20000,)
    assert abs(chosen.mean() - 0.9) < 0.001 and abs(fresh.mean() - 0.9) < 0.001


def test_winners_curse_by_hand():
    # one example: the winner scores 1 unless every configuration was wrong
    chosen, fresh = winners_curse(5, 1, accuracy=0.6, repeats=40000, seed=2)
    assert abs(chosen.mean() - (1 - 0.4**5)) < 0.01 and abs(fresh.mean() - 0.6) < 0.01
    # many configurations: about sigma * sqrt(2 ln N) above the truth
    chosen, fresh = winners_curse(100, 288, accuracy=0.95, repeats=4000, seed=3)
    sigma = math.sqrt(0.95 * 0.05 / 288)
    assert 1.8 * sigma < chosen.mean() - 0.95 < 3.0 * sigma
    assert abs(fresh.mean() - 0.95) < 0.002


@pytest.mark.parametrize("kwargs, match", [({"n_configs": 0}, "n_configs"),
                                           ({"n_val": 0}, "n_val"),
                                           ({"accuracy": 1.5}, "accuracy"),
                                           ({"repeats": 0}, "repeats")])
def test_winners_curse_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        winners_curse(**{"n_configs": 3, "n_val": 10, **kwargs})


def test_split_half_optimism_by_hand():
    # one model: its two half scores average to its accuracy, split by split
    correct = np.array([[1, 1, 0, 1, 0, 1, 1, 1]], dtype=bool)
    chosen, fresh = split_half_optimism(correct, n_splits=50, seed=0)
    np.testing.assert_allclose((chosen + fresh) / 2, correct.mean())
    # two models, right on complementary examples: the winner always scores 1, then 0
    pair = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], dtype=bool)
    chosen, fresh = split_half_optimism(pair, n_splits=200, seed=1)
    assert set(chosen) <= {0.5, 1.0} and np.all(chosen + fresh == 1.0)
    assert chosen.mean() > fresh.mean()
    # identical models: no optimism at all on average
    same = np.repeat(correct, 3, axis=0)
    chosen, fresh = split_half_optimism(same, n_splits=400, seed=2)
    assert abs(chosen.mean() - fresh.mean()) < 0.05
    with pytest.raises(ValueError, match="correct"):
        split_half_optimism(np.ones((2, 1), dtype=bool))
    with pytest.raises(ValueError, match="correct"):
        split_half_optimism(np.full((2, 4), 2.0))


def test_log10_range():
    assert log10_range([1e-8, 1e-6, 1e-4]) == pytest.approx(4)
    with pytest.raises(ValueError, match="values"):
        log10_range([0.0, 1.0])
    with pytest.raises(ValueError, match="values"):
        log10_range([])


def test_fit_returns_the_network_the_objective_scores():
    objective = NetworkObjective(DATA, hidden=(20,))
    net = objective.fit({"lr": 0.3, "weight_decay": 1e-3}, 2, seed=4)
    assert net.sizes == [64, 20, 10] and net.weight_decay == 1e-3
    assert net.accuracy(*DATA[1]) == objective({"lr": 0.3, "weight_decay": 1e-3}, 2, seed=4)


def test_the_winner_is_drawn_from_the_distribution_of_the_largest_score():
    # the direct draw against the plain one: the best of N binomial draws
    rng = np.random.default_rng(5)
    plain = rng.binomial(50, 0.8, size=(20000, 7)).max(axis=1) / 50
    chosen, _ = winners_curse(7, 50, accuracy=0.8, repeats=20000, seed=6)
    assert abs(chosen.mean() - plain.mean()) < 0.002
    assert abs(chosen.std() - plain.std()) < 0.002
    for p in (0.0, 1.0):
        chosen, fresh = winners_curse(10, 20, accuracy=p, repeats=50)
        assert np.all(chosen == p) and np.all(fresh == p)
