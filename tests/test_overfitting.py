"""lib.overfitting: the overfitting experiment, its records, sweeps over seeds."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from lib.datasets import load_digits
from lib.network import MultiLayerNet
from lib.overfitting import (
    BATCH_SIZE,
    EPOCHS,
    HIDDEN,
    LR,
    N_TRAIN,
    OverfitRun,
    collect,
    overfit,
    sweep,
    training_subset,
)
from lib.regularization import sparsity

SMALL = {"hidden": (8,), "n_train": 50, "epochs": 3, "batch_size": 20}  # three batches an epoch


def test_the_defaults_are_the_books_setting():
    assert (N_TRAIN, HIDDEN, LR, EPOCHS, BATCH_SIZE) == (300, (100,) * 6, 0.01, 200, 100)


def test_training_subset_is_the_first_examples_as_views():
    data = load_digits()
    (x, t), test = training_subset(data, 30)
    assert x.shape == (30, 64) and np.shares_memory(x, data[0][0])
    assert_array_equal(t, data[0][1][:30])
    assert test is data[1]
    for bad in (0, 1439, 2.0):
        with pytest.raises(ValueError, match="n_train must be an integer in"):
            training_subset(data, bad)


def test_a_run_records_every_epoch_and_ends_where_its_curves_end():
    run = overfit(0, **SMALL)
    assert isinstance(run, OverfitRun)
    assert_array_equal(run.epochs, [1, 2, 3])
    for curve in (run.train_acc, run.test_acc, run.train_losses, run.test_losses):
        assert curve.shape == (3,) and np.all(np.isfinite(curve))
    assert run.loss.shape == (9,)
    assert run.train_acc[-1] == run.final_train_acc and run.test_acc[-1] == run.final_test_acc
    assert run.train_losses[-1] == pytest.approx(run.train_loss, rel=1e-6)
    assert run.test_losses[-1] == pytest.approx(run.test_loss, rel=1e-6)
    assert run.gap == run.final_train_acc - run.final_test_acc
    assert run.setting["seed"] == 0 and run.setting["hidden"] == (8,)
    assert "OverfitRun(train" in repr(run)


def test_the_accuracy_recorded_is_the_networks():
    run = overfit(1, **SMALL)
    (x, t), (x_test, t_test) = training_subset(load_digits(), 50)
    net = MultiLayerNet([64, 8, 10], seed=1)
    for key, p in run.params.items():
        net.params[key][...] = p
    assert net.accuracy(x, t) == run.final_train_acc
    assert net.accuracy(x_test, t_test) == run.final_test_acc


def test_evaluation_every_kth_epoch_and_none():
    every2 = overfit(0, **{**SMALL, "epochs": 5}, evaluate=2)
    assert_array_equal(every2.epochs, [2, 4, 5])
    full = overfit(0, **{**SMALL, "epochs": 5})
    assert_allclose(every2.test_acc, full.test_acc[[1, 3, 4]])
    none = overfit(0, **SMALL, evaluate=False)
    assert none.epochs.size == none.train_acc.size == none.test_losses.size == 0
    assert none.final_test_acc == overfit(0, **SMALL).final_test_acc  # evaluation changes nothing
    with pytest.raises(ValueError, match="evaluate must be an integer in"):
        overfit(0, **SMALL, evaluate=0)


def test_runs_are_repeatable_and_the_seed_matters():
    a, b, c = overfit(3, **SMALL), overfit(3, **SMALL), overfit(4, **SMALL)
    assert_array_equal(a.loss, b.loss)
    assert not np.array_equal(a.loss, c.loss)


def test_iterations_give_a_fixed_number_of_updates():
    run = overfit(0, hidden=(8,), n_train=50, batch_size=20, iterations=7, evaluate=False)
    assert run.loss.shape == (7,)
    big = overfit(0, hidden=(8,), n_train=200, batch_size=20, iterations=7, evaluate=False)
    assert big.loss.shape == (7,)


def test_regularisers_reach_the_network():
    l1 = overfit(0, **SMALL, l1=0.05, proximal=True, lr=0.5)
    assert sparsity(l1.params) > 0.05
    assert sparsity(overfit(0, **SMALL, l1=0.05, lr=0.5).params) < 0.01
    plain, decayed = overfit(0, **SMALL), overfit(0, **SMALL, weight_decay=0.5, lr=0.5)
    assert np.sqrt(np.mean(decayed.weights**2)) < np.sqrt(np.mean(plain.weights**2))
    # for SGD, decoupled decay and the penalty are the same steps, up to rounding
    penalty = overfit(0, **SMALL, weight_decay=0.5)
    decoupled = overfit(0, **SMALL, weight_decay=0.5, decoupled=True)
    for key in penalty.params:
        assert_allclose(penalty.params[key], decoupled.params[key], rtol=1e-4, atol=1e-6)
    dropped = overfit(0, **SMALL, dropout=0.5)
    assert dropped.setting["dropout"] == 0.5 and np.all(np.isfinite(dropped.loss))


def test_weights_are_copies_of_the_weight_matrices_only():
    run = overfit(0, **SMALL)
    assert run.weights.shape == (64 * 8 + 8 * 10,)
    assert set(run.params) == {"W1", "b1", "W2", "b2"}


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="name must be one of"):
        overfit(0, **SMALL, rule="adma")
    with pytest.raises(ValueError, match="hidden must be an integer in"):
        overfit(0, **{**SMALL, "hidden": (0,)})
    with pytest.raises(ValueError, match="iterations must be an integer in"):
        overfit(0, **SMALL, iterations=0)
    with pytest.raises(ValueError, match="weight_decay must be a number in"):
        overfit(0, **SMALL, weight_decay=-1.0, decoupled=True)


def test_sweep_runs_every_value_and_seed():
    runs = sweep("weight_decay", [0.0, 0.1], seeds=[0, 1], n_jobs=1, **SMALL, evaluate=False)
    assert list(runs) == [0.0, 0.1]
    assert [r.setting["seed"] for r in runs[0.1]] == [0, 1]
    assert all(r.setting["weight_decay"] == 0.1 for r in runs[0.1])
    assert_array_equal(runs[0.0][1].loss, overfit(1, **SMALL, evaluate=False).loss)
    with pytest.raises(ValueError, match="name must be one of"):
        sweep("learning_rate", [0.1], **SMALL)
    with pytest.raises(ValueError, match="name must be one of"):
        sweep("epochs", [1, 2], **SMALL)  # fixed already


def test_collect_stacks_numbers_and_curves():
    runs = [overfit(s, **SMALL) for s in (0, 1)]
    assert collect(runs, "final_test_acc").shape == (2,)
    assert collect(runs, "gap").dtype == np.float64
    assert collect(runs, "test_losses").shape == (2, 3)
    with pytest.raises(ValueError, match="attribute must be one of"):
        collect(runs, "params")
    with pytest.raises(ValueError, match="runs must hold at least one"):
        collect([], "gap")
