"""lib.diagnostics: per-layer gradient norms, weight changes, dead units, the Recorder."""

import numpy as np
import pytest

from lib.activations import ACTIVATIONS
from lib.datasets import load_digits
from lib.diagnostics import (
    Flow,
    Recorder,
    dead_fraction,
    derivative_means,
    global_norm,
    grad_norms,
    initial_flow,
    preactivations,
    recorded_run,
    relative_change,
    weight_keys,
)
from lib.network import MultiLayerNet
from lib.optimizers import SGD, clip_grad_norm
from lib.residual import ResidualNet
from lib.training import train

RNG = np.random.default_rng(7)
X = RNG.random((40, 5)).astype(np.float32)
T = (X[:, 0] > 0.5).astype(np.int64) + (X[:, 1] > 0.5)
DATA = ((X[:30], T[:30]), (X[30:], T[30:]))


def test_weight_keys_are_in_the_order_of_the_layers():
    params = {f"W{i}": None for i in (10, 2, 1, 9)} | {"b1": None, "gamma2": None}
    assert weight_keys(params) == ["W1", "W2", "W9", "W10"]
    with pytest.raises(ValueError, match=r"^params must hold weight matrices"):
        weight_keys({"b1": 0})


def test_norms_match_their_formulas():
    grads = {"W1": np.array([[3.0, 4.0]]), "b1": np.array([12.0]), "W2": np.array([[0.0]])}
    np.testing.assert_array_equal(grad_norms(grads), [5.0, 0.0])
    np.testing.assert_array_equal(grad_norms(grads, ["W2"]), [0.0])
    assert global_norm(grads) == pytest.approx(13.0)                 # sqrt(9 + 16 + 144)
    copy = {k: g.copy() for k, g in grads.items()}
    assert clip_grad_norm(copy, 100.0) == pytest.approx(global_norm(grads))
    for k in grads:                                                  # not modified
        np.testing.assert_array_equal(copy[k], grads[k])


def test_relative_change_by_hand():
    before = {"W1": np.array([3.0, 4.0]), "W2": np.zeros(2), "W3": np.zeros(1)}
    after = {"W1": np.array([3.0, 4.5]), "W2": np.zeros(2), "W3": np.ones(1)}
    np.testing.assert_allclose(relative_change(before, after), [0.1, 0.0, np.inf])
    with pytest.raises(ValueError, match=r"^after\['W1'\] must have the shape"):
        relative_change(before, {**after, "W1": np.zeros(3)})


def test_preactivations_are_the_inputs_of_the_activations():
    net = MultiLayerNet([5, 7, 6, 3], activation="tanh", dtype=np.float64, seed=2)
    a1, a2 = preactivations(net, X)
    W1, b1, W2, b2 = (net.params[k] for k in ("W1", "b1", "W2", "b2"))
    np.testing.assert_allclose(a1, X @ W1 + b1)
    np.testing.assert_allclose(a2, np.tanh(a1) @ W2 + b2)
    res = ResidualNet([5, 6, 6, 6, 3], activation="relu", dtype=np.float64, seed=2)
    r = preactivations(res, X)
    assert len(r) == 3
    h1 = np.maximum(r[0], 0)
    np.testing.assert_allclose(r[1], h1 @ res.params["W2"] + res.params["b2"])


def test_dead_fraction_counts_units_off_on_every_input():
    net = MultiLayerNet([5, 4, 3], activation="relu", dtype=np.float64, seed=0)
    net.params["W1"][:, :2] = -1.0          # inputs are in [0, 1): these two units are dead
    net.params["W1"][:, 2:] = 1.0
    np.testing.assert_array_equal(dead_fraction(net, X), [0.5])
    x_before = X.copy()
    dead_fraction(net, X)
    np.testing.assert_array_equal(X, x_before)


def test_derivative_means_average_f_prime():
    net = MultiLayerNet([5, 7, 3], activation="sigmoid", dtype=np.float64, seed=1)
    (a,) = preactivations(net, X)
    np.testing.assert_allclose(derivative_means(net, X), [ACTIVATIONS["sigmoid"].grad(a).mean()])
    assert derivative_means(net, X)[0] <= 0.25


def test_the_recorder_records_every_step_and_every_epoch():
    net = MultiLayerNet([5, 8, 8, 3], seed=3)
    start = {k: p.copy() for k, p in net.params.items()}
    rec = Recorder(net, x=X)
    history = train(net, SGD(lr=0.5), DATA, epochs=4, batch_size=10, evaluate=False,
                    callback=rec, clip_norm=0.01)
    assert rec.grad_norms.shape == (12, 3) and rec.global_norms.shape == (12,)
    np.testing.assert_allclose(rec.losses, history.loss)
    assert np.all(rec.global_norms > 0.01)           # recorded before clipping
    assert rec.weight_change.shape == (4, 3) and np.all(rec.weight_change > 0)
    assert rec.dead.shape == (5, 2) and np.all((rec.dead >= 0) & (rec.dead <= 1))
    total = relative_change(start, net.params)       # the epochs' changes add up
    assert np.all(total <= rec.weight_change.sum(axis=0) + 1e-6)
    assert "iterations=12" in repr(rec)
    assert Recorder(net).dead is None


def test_recorded_run_returns_the_history_and_the_recorder():
    net = MultiLayerNet([5, 8, 3], seed=0)
    history, rec = recorded_run(net, SGD(lr=0.1), DATA, x=X, epochs=2, batch_size=15,
                                evaluate=False)
    assert len(history.loss) == 4 and rec.dead.shape == (3, 1)


def test_initial_flow_shows_the_sigmoid_gradient_vanishing():
    data = load_digits()
    flow = initial_flow("sigmoid", depth=8, gain=1.0, data=data)
    assert isinstance(flow, Flow)
    assert flow.grad_norms.shape == (9,) and flow.derivative_means.shape == (8,)
    assert len(flow.preactivations) == 8 and flow.preactivations[0].shape == (200, 50)
    assert np.all(flow.derivative_means < 0.25)
    assert flow.grad_norms[0] < 1e-3 * flow.grad_norms[-1]
    skips = initial_flow("sigmoid", depth=8, gain=1.0, residual=True, data=data)
    assert skips.grad_norms[0] > 1e-2 * skips.grad_norms[-1]
    for bad, match in [({"depth": 0}, r"^depth must be an integer"),
                       ({"gain": 0}, r"^gain must be a number in \(0, inf\)"),
                       ({"activation": "step"}, r"^activation must be one of")]:
        with pytest.raises(ValueError, match=match):
            initial_flow(**{"activation": "relu", **bad})
