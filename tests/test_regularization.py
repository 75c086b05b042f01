"""lib.regularization: the soft threshold, the proximal and decoupled steps, which keys decay."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from lib.network import MultiLayerNet
from lib.optimizers import SGD, Adam, AdamW, Momentum
from lib.regularization import (
    DecoupledDecay,
    ProximalL1,
    adam_decay_paths,
    flat_weights,
    l1_paths,
    soft_threshold,
    sparsity,
    weight_keys,
)
from lib.training import train

RNG = np.random.default_rng(7)
X = RNG.random((40, 5)).astype(np.float32)
T = (X[:, 0] > 0.5).astype(np.int64) + (X[:, 1] > 0.5)
DATA = ((X[:30], T[:30]), (X[30:], T[30:]))


def params_and_grads(seed=0):
    """Parameters keyed like a network's, and matching gradients."""
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4),
              "W2": rng.normal(size=(4, 2)), "b2": rng.normal(size=2)}
    grads = {k: rng.normal(size=p.shape) for k, p in params.items()}
    return params, grads


# -- which parameters are weights ---------------------------------------------------------------


def test_weight_keys_are_the_weight_matrices_in_numeric_order():
    params = {"b1": 0, "W10": 0, "gamma1": 0, "W2": 0, "beta1": 0, "W1": 0, "Wx": 0}
    assert weight_keys(params) == ["W1", "W2", "W10"]
    net = MultiLayerNet([5, 4, 3, 2], batchnorm=True)
    assert weight_keys(net.params) == ["W1", "W2", "W3"]
    assert weight_keys({"b1": 0}) == []


def test_flat_weights_concatenates_in_order_and_copies():
    params = {"W2": np.array([[3.0, 4.0]]), "b1": np.array([9.0]), "W1": np.array([[1.0], [2.0]])}
    flat = flat_weights(params)
    assert_array_equal(flat, [1.0, 2.0, 3.0, 4.0])
    flat[0] = 100.0
    assert params["W1"][0, 0] == 1.0
    with pytest.raises(ValueError, match="params must hold weight matrices"):
        flat_weights({"b1": np.zeros(2)})


def test_the_network_penalises_only_its_weight_matrices():
    x, t = X[:10].astype(np.float64), T[:10]
    bare = MultiLayerNet([5, 6, 3], batchnorm=True, dtype=np.float64, seed=2)
    both = MultiLayerNet([5, 6, 3], batchnorm=True, dtype=np.float64, seed=2, weight_decay=0.3,
                         l1=0.2)
    g0, g = bare.gradient(x, t), both.gradient(x, t)
    for key in g0:
        if key in weight_keys(bare.params):
            W = bare.params[key]
            assert_allclose(g[key], g0[key] + 0.3 * W + 0.2 * np.sign(W), atol=1e-14)
        else:  # b2, gamma1, beta1
            assert_array_equal(g[key], g0[key])


def test_adamw_decays_every_array_it_is_given_and_the_wrapper_only_weights():
    params, _ = params_and_grads()
    zero = {k: np.zeros_like(p) for k, p in params.items()}
    adamw, wrapped = ({k: p.copy() for k, p in params.items()} for _ in range(2))
    AdamW(lr=0.1, weight_decay=0.5).update(adamw, zero)
    DecoupledDecay(Adam(lr=0.1), weight_decay=0.5).update(wrapped, zero)
    for key, p in params.items():
        assert_allclose(adamw[key], 0.95 * p, rtol=1e-14)
        assert_allclose(wrapped[key], 0.95 * p if key.startswith("W") else p, rtol=1e-14)


# -- the soft threshold ----------------------------------------------------------------------------


def test_soft_threshold_against_values_by_hand():
    w = np.array([-2.0, -0.5, -0.25, 0.0, 0.1, 0.5, 1.5])
    assert_allclose(soft_threshold(w, 0.5), [-1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], atol=1e-15)
    assert_array_equal(soft_threshold(w, 0.0), w)
    assert not np.any(np.signbit(soft_threshold(w, 0.5)[1:6]))  # +0, never -0


def test_soft_threshold_is_the_proximal_step():
    # argmin_u 1/2 (u - w)^2 + tau |u|, by brute force on a fine grid
    u = np.linspace(-3, 3, 60001)
    for w in [-2.0, -0.31, 0.0, 0.2, 0.3, 1.7]:
        objective = 0.5 * (u - w) ** 2 + 0.3 * np.abs(u)
        assert soft_threshold(w, 0.3) == pytest.approx(u[np.argmin(objective)], abs=1e-4)


def test_soft_threshold_keeps_dtype_and_does_not_mutate():
    w = np.array([[0.3, -0.05], [-0.7, 0.01]], dtype=np.float32)
    before = w.copy()
    out = soft_threshold(w, 0.1)
    assert out.dtype == np.float32 and out.shape == (2, 2)
    assert_array_equal(w, before)
    assert soft_threshold(np.array([3, -1]), 2).dtype == np.float64


@pytest.mark.parametrize("bad", [-0.1, float("nan"), "0.1", None])
def test_soft_threshold_rejects_a_bad_threshold(bad):
    with pytest.raises(ValueError, match="threshold must be a number in"):
        soft_threshold(np.ones(3), bad)


def test_sparsity_counts_exact_and_near_zeros():
    w = np.array([0.0, 0.0, 1e-5, -1e-3, 0.5])
    assert sparsity(w) == 0.4
    assert sparsity(w, tol=1e-3) == 0.8
    params = {"W1": np.array([[0.0, 1.0]]), "b1": np.zeros(10)}  # biases do not count
    assert sparsity(params) == 0.5
    with pytest.raises(ValueError, match="tol must be a number in"):
        sparsity(w, tol=-1.0)
    with pytest.raises(ValueError, match="weights must hold at least one entry"):
        sparsity(np.array([]))


# -- the wrappers -----------------------------------------------------------------------------


def test_proximal_l1_around_sgd_is_one_ista_step_on_the_weights_only():
    params, grads = params_and_grads()
    expected = {k: p - 0.1 * grads[k] for k, p in params.items()}
    for key in ("W1", "W2"):
        expected[key] = np.sign(expected[key]) * np.maximum(np.abs(expected[key]) - 0.05, 0)
    grads_before = {k: g.copy() for k, g in grads.items()}
    ProximalL1(SGD(lr=0.1), l1=0.5).update(params, grads)
    for key in params:
        assert_allclose(params[key], expected[key], atol=1e-15)
        assert_array_equal(grads[key], grads_before[key])


def test_proximal_l1_lands_on_zero_where_the_subgradient_jitters():
    net = MultiLayerNet([5, 16, 3], seed=0)
    prox = ProximalL1(SGD(lr=0.1), l1=0.05)
    train(net, prox, DATA, epochs=30, batch_size=10, evaluate=False)
    assert sparsity(net.params) > 0.3
    jitter = MultiLayerNet([5, 16, 3], seed=0, l1=0.05)
    train(jitter, SGD(lr=0.1), DATA, epochs=30, batch_size=10, evaluate=False)
    assert sparsity(jitter.params) < 0.02
    assert sparsity(jitter.params, tol=2 * 0.1 * 0.05) > 0.3  # near zero, within the band


def test_decoupled_decay_around_adam_is_adamw():
    params, grads = params_and_grads()
    mine, theirs = ({k: p.copy() for k, p in params.items()} for _ in range(2))
    wrapped = DecoupledDecay(Adam(lr=0.01), weight_decay=0.3, keys=list(params))
    adamw = AdamW(lr=0.01, weight_decay=0.3)
    for step in range(5):
        g = {k: v * (step + 1) for k, v in grads.items()}
        wrapped.update(mine, g)
        adamw.update(theirs, g)
    for key in params:
        assert_allclose(mine[key], theirs[key], rtol=1e-12, atol=1e-14)


def test_decoupled_decay_around_sgd_equals_the_penalty():
    params, grads = params_and_grads()
    decoupled = {k: p.copy() for k, p in params.items()}
    penalised = {k: p.copy() for k, p in params.items()}
    DecoupledDecay(SGD(lr=0.1), weight_decay=0.2).update(decoupled, grads)
    SGD(lr=0.1).update(penalised, {k: g + (0.2 * params[k] if k.startswith("W") else 0.0)
                                   for k, g in grads.items()})
    for key in params:
        assert_allclose(decoupled[key], penalised[key], rtol=1e-13, atol=1e-15)


def test_decoupled_decay_around_momentum_differs_from_the_penalty():
    w_pen, w_dec = {"w": np.array([1.0])}, {"w": np.array([1.0])}
    heavy = Momentum(lr=0.1, momentum=0.9)
    wrapped = DecoupledDecay(Momentum(lr=0.1, momentum=0.9), weight_decay=0.1, keys=["w"])
    for _ in range(2):
        heavy.update(w_pen, {"w": 0.1 * w_pen["w"]})
        wrapped.update(w_dec, {"w": np.zeros(1)})
    assert w_dec["w"][0] == pytest.approx(0.99**2, rel=1e-14)
    assert w_pen["w"][0] == pytest.approx(0.99**2 - 0.9 * 0.01, rel=1e-14)


def test_wrappers_forward_lr_so_a_schedule_reaches_the_rule():
    inner = SGD(lr=0.1)
    prox = ProximalL1(inner, l1=0.01)
    prox.lr = 0.05
    assert inner.lr == 0.05 and prox.lr == 0.05
    net = MultiLayerNet([5, 4, 3], seed=1)
    train(net, DecoupledDecay(inner, 0.1), DATA, epochs=2, batch_size=10, evaluate=False,
          schedule=lambda t: 0.5)
    assert inner.lr == 0.05  # put back after training


def test_wrappers_reject_bad_arguments_and_leave_params_alone():
    with pytest.raises(ValueError, match="optimizer must be an update rule"):
        ProximalL1("sgd", l1=0.1)
    with pytest.raises(ValueError, match="l1 must be a number in"):
        ProximalL1(SGD(), l1=-1.0)
    with pytest.raises(ValueError, match="weight_decay must be a number in"):
        DecoupledDecay(Adam(), weight_decay=-0.5)
    params, grads = params_and_grads()
    before = {k: p.copy() for k, p in params.items()}
    with pytest.raises(ValueError, match="keys must name entries of params"):
        DecoupledDecay(SGD(), 0.1, keys=["W9"]).update(params, grads)
    del grads["b2"]
    with pytest.raises(ValueError, match="grads must have the same keys as params"):
        DecoupledDecay(SGD(), 0.1).update(params, grads)
    for key in params:
        assert_array_equal(params[key], before[key])


def test_wrapper_reprs_name_the_rule_and_the_strength():
    assert repr(ProximalL1(SGD(lr=0.1), l1=0.01)) == "ProximalL1(SGD(lr=0.1), l1=0.01)"
    assert repr(DecoupledDecay(Adam(lr=0.001), 0.1, keys=["w"])).startswith(
        "DecoupledDecay(Adam(lr=0.001, ")
    assert "keys=['w']" in repr(DecoupledDecay(Adam(), 0.1, keys=["w"]))


# -- single weights ------------------------------------------------------------------------------


def test_l1_paths_against_steps_by_hand():
    sub = l1_paths([0.25, -0.12], lr=0.1, l1=1.0, steps=5)
    assert_allclose(sub[:, 0], [0.25, 0.15, 0.05, -0.05, 0.05, -0.05], atol=1e-12)
    assert_allclose(sub[:, 1], [-0.12, -0.02, 0.08, -0.02, 0.08, -0.02], atol=1e-12)
    prox = l1_paths([0.25, -0.12], lr=0.1, l1=1.0, steps=5, proximal=True)
    assert_allclose(prox[:, 0], [0.25, 0.15, 0.05, 0, 0, 0], atol=1e-12)
    assert_allclose(prox[:, 1], [-0.12, -0.02, 0, 0, 0, 0], atol=1e-12)
    assert np.all(prox[3:] == 0.0)


def test_l1_paths_share_their_noise_and_check_arguments():
    w0 = np.array([0.3, -0.2])
    a = l1_paths(w0, 0.1, 0.0, 20, noise=0.5, seed=3)
    b = l1_paths(w0, 0.1, 0.0, 20, noise=0.5, seed=3, proximal=True)
    assert_allclose(a, b)  # with l1 = 0 both are the same noisy SGD
    assert a.shape == (21, 2) and np.array_equal(w0, [0.3, -0.2])
    for kwargs, name in [({"lr": 0.0}, "lr"), ({"l1": -1.0}, "l1"), ({"steps": 1.5}, "steps"),
                         ({"noise": -0.1}, "noise")]:
        args = {"w0": w0, "lr": 0.1, "l1": 0.1, "steps": 3, **kwargs}
        with pytest.raises(ValueError, match=f"{name} must be"):
            l1_paths(**args)


def test_adam_decay_paths_closed_forms():
    w0 = np.array([0.5, -0.3])
    decoupled = adam_decay_paths(w0, 0.0, 2.0, lr=0.01, steps=40, decoupled=True)
    assert_allclose(decoupled, np.outer(0.98 ** np.arange(41), w0), rtol=1e-12)
    # the L2 penalty alone in Adam's gradient: the same path for every strength (up to eps)
    small = adam_decay_paths(w0, 0.0, 1e-2, lr=0.01, steps=40)
    large = adam_decay_paths(w0, 0.0, 10.0, lr=0.01, steps=40)
    assert_allclose(small, large, atol=1e-5)
    assert abs(small[1, 0] - (0.5 - 0.01)) < 1e-6  # the first step is lr * sign(w)


def test_adam_decay_paths_noise_shields_from_the_penalty():
    paths = adam_decay_paths(np.full(2, 0.5), [0.0, 10.0], 0.01, lr=1e-3, steps=300)
    assert abs(paths[-1, 0]) < 0.3 and abs(paths[-1, 1]) > 0.4
    with pytest.raises(ValueError, match="noise must be"):
        adam_decay_paths(np.ones(2), [-1.0, 0.0], 0.1)
    with pytest.raises(ValueError, match="weight_decay must be"):
        adam_decay_paths(np.ones(2), 0.0, -0.1)
