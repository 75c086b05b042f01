"""Tests of lib.training: mini-batches, the training loop, divergence, clipping, digits."""

import time
import warnings

import numpy as np
import pytest

from lib.datasets import load_digits
from lib.network import MultiLayerNet
from lib.optimizers import SGD, Adam
from lib.training import History, minibatches, train

RNG = np.random.default_rng(3)
X = RNG.random((50, 6)).astype(np.float32)
T = (X[:, 0] > 0.5).astype(np.int64) + (X[:, 1] > 0.5)
DATA = ((X[:40], T[:40]), (X[40:], T[40:]))
SIZES = [6, 16, 3]


def test_minibatches_cover_every_index_once_with_a_fresh_order():
    rng = np.random.default_rng(0)
    first = list(minibatches(10, 3, rng))
    assert [len(b) for b in first] == [3, 3, 3, 1]  # the last partial batch is kept
    assert sorted(np.concatenate(first)) == list(range(10))
    second = np.concatenate(list(minibatches(10, 3, rng)))
    assert sorted(second) == list(range(10))
    assert not np.array_equal(np.concatenate(first), second)  # a new permutation per epoch
    again = np.concatenate(list(minibatches(10, 3, np.random.default_rng(0))))
    np.testing.assert_array_equal(again, np.concatenate(first))
    assert [len(b) for b in minibatches(5, 100, rng)] == [5]


def test_history_shapes_and_inference_mode_accuracy():
    net = MultiLayerNet(SIZES, dropout=0.3, batchnorm=True)
    history = train(net, SGD(lr=0.1), DATA, epochs=3, batch_size=16, eval_name="validation")
    assert isinstance(history, History)
    assert history.iterations_per_epoch == 3
    assert history.loss.shape == (9,) and np.all(np.isfinite(history.loss))
    assert history.train_acc.shape == history.eval_acc.shape == history.epoch_seconds.shape == (3,)
    assert np.all(history.epoch_seconds > 0)
    assert history.eval_name == "validation" and not history.diverged
    assert history.diverged_at is None
    # the last evaluation is the network's accuracy in inference mode, on full sets
    assert history.train_acc[-1] == net.accuracy(X[:40], T[:40])
    assert history.eval_acc[-1] == net.accuracy(X[40:], T[40:])
    assert "validation_acc=" in repr(history)


def test_the_recorded_loss_comes_from_the_single_training_forward_pass():
    net = MultiLayerNet(SIZES)
    seen, forwards = [], []
    original_lg, original_forward = net.loss_and_gradient, net.layers[0].forward

    def loss_and_gradient(x, t):
        loss, grads = original_lg(x, t)
        seen.append(loss)
        return loss, grads

    def forward(x, train=True):
        forwards.append(train)
        return original_forward(x, train)

    net.loss_and_gradient, net.layers[0].forward = loss_and_gradient, forward
    history = train(net, SGD(lr=0.1), DATA, epochs=2, batch_size=10)
    np.testing.assert_array_equal(history.loss, seen)
    assert forwards.count(True) == len(history.loss) == 8  # one training forward per step


def test_divergence_stops_training_without_warnings():
    net = MultiLayerNet([6, 16, 16, 3], activation="leaky_relu", init=10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning (e.g. overflow) would fail the test
        history = train(net, SGD(lr=10.0), DATA, epochs=50, batch_size=8)
    assert history.diverged and history.diverged_at == len(history.loss) - 1
    assert not np.isfinite(history.loss[-1])
    assert np.all(np.isfinite(history.loss[:-1]))
    assert len(history.loss) < 50 * 5
    assert len(history.train_acc) == len(history.epoch_seconds) == history.diverged_at // 5


def test_max_iterations_stops_and_evaluates_the_partial_epoch():
    history = train(MultiLayerNet(SIZES), SGD(), DATA, epochs=10, batch_size=8, max_iterations=7)
    assert len(history.loss) == 7
    assert len(history.train_acc) == len(history.eval_acc) == 2


def test_evaluate_false_records_losses_only_and_trains_the_same():
    quiet = train(MultiLayerNet(SIZES), SGD(), DATA, epochs=3, batch_size=8, evaluate=False)
    full = train(MultiLayerNet(SIZES), SGD(), DATA, epochs=3, batch_size=8)
    assert len(quiet.train_acc) == len(quiet.eval_acc) == 0
    assert len(quiet.epoch_seconds) == 3
    np.testing.assert_array_equal(quiet.loss, full.loss)


def test_epochs_zero_trains_nothing():
    net = MultiLayerNet(SIZES)
    before = net.params["W1"].copy()
    history = train(net, SGD(), DATA, epochs=0)
    assert len(history.loss) == len(history.eval_acc) == 0
    np.testing.assert_array_equal(net.params["W1"], before)


def _one_step_change(**clip):
    net = MultiLayerNet(SIZES, init=3.0, dtype=np.float64)
    before = {k: p.copy() for k, p in net.params.items()}
    train(net, SGD(lr=1.0), DATA, epochs=1, batch_size=40, max_iterations=1, **clip)
    return {k: before[k] - p for k, p in net.params.items()}  # = lr * (clipped) gradient


def test_clipping_by_value_and_by_norm():
    free = _one_step_change()
    assert max(np.abs(d).max() for d in free.values()) > 0.01  # clipping will bite
    by_value = _one_step_change(clip_value=0.01)
    assert max(np.abs(d).max() for d in by_value.values()) <= 0.01 + 1e-12
    by_norm = _one_step_change(clip_norm=0.01)
    norm = np.sqrt(sum(np.sum(d**2) for d in by_norm.values()))
    assert norm == pytest.approx(0.01, rel=1e-3)
    moved = np.abs(free["W1"]) > 1e-3
    ratio = by_norm["W1"][moved] / free["W1"][moved]  # the direction is kept
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-6)


def test_progress_bar(capsys):
    train(MultiLayerNet(SIZES), SGD(), DATA, epochs=2, batch_size=20, progress=True)
    err = capsys.readouterr().err
    assert "training" in err and "4/4" in err


def test_float64_data_is_converted_once_for_a_float32_network():
    data64 = ((X[:40].astype(np.float64), T[:40]), (X[40:].astype(np.float64), T[40:]))
    net = MultiLayerNet(SIZES)
    a = train(net, SGD(lr=0.1), data64, epochs=2, batch_size=10)
    b = train(MultiLayerNet(SIZES), SGD(lr=0.1), DATA, epochs=2, batch_size=10)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert all(p.dtype == np.float32 for p in net.params.values())


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"batch_size": 0}, r"^batch_size must be an integer in \[1, inf\), got 0$"),
        ({"batch_size": -5}, r"^batch_size must be an integer in \[1, inf\), got -5$"),
        ({"batch_size": 2.5}, r"^batch_size must be an integer in \[1, inf\), got 2.5$"),
        ({"epochs": -1}, r"^epochs must be an integer in \[0, inf\), got -1$"),
        ({"epochs": 1.5}, r"^epochs must be an integer in \[0, inf\), got 1.5$"),
        ({"max_iterations": -1}, r"^max_iterations must be an integer in \[0, inf\), got -1$"),
        ({"clip_norm": 0.0}, r"^clip_norm must be a number in \(0, inf\), got 0.0$"),
        ({"clip_value": -1.0}, r"^clip_value must be a number in \(0, inf\), got -1.0$"),
        ({"clip_value": float("inf")}, r"^clip_value must be a number in \(0, inf\), got inf$"),
        ({"data": (X, T)}, r"the training set is not an \(x, t\) pair"),
        ({"data": [DATA[0]]}, r"data must be \(\(x_train, t_train\), \(x_eval, t_eval\)\)"),
        ({"data": ((X[:, :5], T), DATA[1])}, r"data \(training set\): x must have shape \(N, 6\)"),
        ({"data": (DATA[0], (X[40:], T[40:] + 2))}, r"data \(evaluation set\): t must hold"),
    ],
)
def test_bad_arguments(kwargs, match):
    kwargs = {"data": DATA, **kwargs}
    with pytest.raises(ValueError, match=match):
        train(MultiLayerNet(SIZES), SGD(), **kwargs)


# -- the digits benchmark of the book -----------------------------------------------------


def test_digits_adam_reaches_95_percent_reproducibly():
    data = load_digits()

    def run():
        net = MultiLayerNet([64, 100, 100, 100, 100, 100, 10], activation="relu", init="he")
        return train(net, Adam(lr=1e-3), data, epochs=20, batch_size=100, seed=0)

    start = time.perf_counter()
    first = run()
    seconds = time.perf_counter() - start
    second = run()
    assert first.eval_acc[-1] >= 0.95, first.eval_acc
    assert seconds < 20.0  # about 0.3 s on an idle 2-core machine
    np.testing.assert_array_equal(first.loss, second.loss)
    np.testing.assert_array_equal(first.train_acc, second.train_acc)
    np.testing.assert_array_equal(first.eval_acc, second.eval_acc)
    other = train(
        MultiLayerNet([64, 100, 10]), Adam(), data, epochs=1, batch_size=100, seed=1
    )  # a different shuffling seed gives a different history
    assert not np.array_equal(other.loss, first.loss[: len(other.loss)])
