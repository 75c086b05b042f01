"""lib.batch_norm: the staged layer, the closed forms, the inference statistics, folding."""

import math

import numpy as np
import pytest

from lib.batch_norm import (
    ESTIMATORS,
    STAGES,
    BatchStatistics,
    StagedBatchNorm,
    batch_statistics,
    batchnorm_layers,
    expected_batch_std,
    expected_batch_variance,
    fold_batchnorm,
    inference_statistics,
    pass_times,
    population_statistics,
    running_average,
    train_mode_predictions,
    using_statistics,
)
from lib.datasets import load_digits
from lib.gradcheck import check_layer
from lib.layers import BatchNorm
from lib.network import MultiLayerNet
from lib.optimizers import SGD
from lib.training import train

RNG = np.random.default_rng(7)


def _pair(n_features=6, gamma=None, beta=None):
    """A StagedBatchNorm and a BatchNorm with the same (non-trivial) parameters."""
    gamma = RNG.uniform(0.5, 2.0, n_features) if gamma is None else gamma
    beta = RNG.standard_normal(n_features) if beta is None else beta
    staged, compact = StagedBatchNorm(n_features), BatchNorm(n_features)
    for layer in (staged, compact):
        layer.gamma[...] = gamma
        layer.beta[...] = beta
    return staged, compact


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.fixture(scope="module")
def trained(digits):
    """A small network with batch normalisation, trained for one epoch."""
    net = MultiLayerNet([64, 20, 20, 10], batchnorm=True, seed=3)
    train(net, SGD(lr=0.1), digits, epochs=1, batch_size=16, seed=3, evaluate=False)
    return net


def _state(net):
    """Copies of every parameter and running average, to check a net was not changed."""
    state = {k: p.copy() for k, p in net.params.items()}
    for i, layer in enumerate(batchnorm_layers(net)):
        state[f"running_mean{i}"] = layer.running_mean.copy()
        state[f"running_var{i}"] = layer.running_var.copy()
    return state


def _same_state(net, state):
    return all(np.array_equal(a, b) for a, b in zip(_state(net).values(), state.values(),
                                                    strict=True))


# ---- StagedBatchNorm ----------------------------------------------------------------------


def test_staged_forward_equals_the_compact_layer_and_keeps_every_node():
    staged, compact = _pair()
    x = RNG.normal(2.0, 3.0, size=(12, 6))
    original = x.copy()
    np.testing.assert_allclose(staged.forward(x), compact.forward(x), rtol=1e-13, atol=1e-13)
    assert set(staged.nodes) == {"x", *STAGES}
    np.testing.assert_array_equal(x, original)  # input not modified
    np.testing.assert_allclose(staged.nodes["mu"], x.mean(axis=0))
    np.testing.assert_allclose(staged.nodes["var"], x.var(axis=0))
    np.testing.assert_allclose(staged.running_mean, compact.running_mean, rtol=1e-15)
    np.testing.assert_allclose(staged.running_var, compact.running_var, rtol=1e-15)


def test_staged_backward_equals_the_compact_backward_pass():
    staged, compact = _pair()
    x = RNG.normal(0.5, 2.0, size=(30, 6))
    dout = RNG.standard_normal(x.shape)
    original = dout.copy()
    staged.forward(x)
    compact.forward(x)
    np.testing.assert_allclose(staged.backward(dout), compact.backward(dout), rtol=1e-12,
                               atol=1e-13)
    np.testing.assert_array_equal(dout, original)
    for key in ("gamma", "beta"):
        np.testing.assert_allclose(staged.grads[key], compact.grads[key], rtol=1e-13)
    assert set(staged.node_grads) == {"x", *STAGES}
    np.testing.assert_allclose(staged.node_grads["x"].sum(axis=0), 0, atol=1e-12)


def test_staged_node_gradients_by_hand():
    """Two rows, one feature, gamma 1: every node's gradient from the formulas."""
    layer = StagedBatchNorm(1, eps=0.0)
    x = np.array([[1.0], [3.0]])
    layer.forward(x)
    layer.backward(np.array([[1.0], [0.0]]))
    d, n = layer.node_grads, layer.nodes
    assert n["mu"][0] == 2.0 and n["var"][0] == 1.0 and n["std"][0] == 1.0
    np.testing.assert_allclose(n["xn"].ravel(), [-1.0, 1.0])
    np.testing.assert_allclose(d["xn"].ravel(), [1.0, 0.0])
    np.testing.assert_allclose(d["inv"], [-1.0])             # sum of xc * dxn
    np.testing.assert_allclose(d["std"], [1.0])              # -dinv / std^2
    np.testing.assert_allclose(d["var"], [0.5])              # dstd / (2 std)
    np.testing.assert_allclose(d["xc"].ravel(), [0.5, 0.5])  # 1 + 2(-1)(0.25), 0 + 2(1)(0.25)
    np.testing.assert_allclose(d["x"].ravel(), [0.0, 0.0])   # a shift: no gradient


def test_both_backward_passes_pass_the_gradient_check():
    x = np.random.default_rng(1).normal(1.0, 2.0, size=(8, 5))
    for layer in _pair(5):
        errors = check_layer(layer, x)
        assert max(errors.values()) < 1e-8, (layer, errors)


def test_staged_inference_mode_is_the_compact_layers():
    staged, compact = _pair()
    mean, var = RNG.standard_normal(6), RNG.uniform(0.5, 2.0, 6)
    for layer in (staged, compact):
        layer.running_mean, layer.running_var = mean, var
    x, dout = RNG.standard_normal((4, 6)), RNG.standard_normal((4, 6))
    np.testing.assert_allclose(staged.forward(x, train=False), compact.forward(x, train=False))
    np.testing.assert_allclose(staged.backward(dout), compact.backward(dout))
    assert staged.nodes == {} and staged.node_grads == {}


def test_staged_repr():
    assert repr(StagedBatchNorm(4)) == "StagedBatchNorm(4, momentum=0.9, eps=1e-05)"


def test_pass_times():
    x = RNG.standard_normal((50, 8)).astype(np.float32)
    times = pass_times({"staged": StagedBatchNorm(8, dtype=np.float32),
                        "compact": BatchNorm(8, dtype=np.float32)}, x, repeats=3)
    assert set(times) == {"staged", "compact"}
    for t in times.values():
        assert set(t) == {"forward", "backward"} and all(v > 0 for v in t.values())
    with pytest.raises(ValueError, match="layers"):
        pass_times({}, x)
    with pytest.raises(ValueError, match="repeats"):
        pass_times({"bn": BatchNorm(8)}, x, repeats=0)
    with pytest.raises(ValueError, match="x must be a 2-D array"):
        pass_times({"bn": BatchNorm(8)}, x[0])


# ---- closed forms ---------------------------------------------------------------------------


def test_expected_batch_variance_and_std_by_hand():
    assert expected_batch_variance(2) == 0.5
    assert expected_batch_variance(10) == 0.9
    assert math.isclose(expected_batch_std(2), 1 / math.sqrt(math.pi), rel_tol=1e-14)
    # n = 3: sqrt(2/3) Gamma(3/2) / Gamma(1) = sqrt(2/3) sqrt(pi) / 2
    assert math.isclose(expected_batch_std(3), math.sqrt(2 / 3) * math.sqrt(math.pi) / 2,
                        rel_tol=1e-14)
    assert expected_batch_std(1000) ** 2 < expected_batch_variance(1000) < 1


def test_expected_batch_std_against_simulation():
    samples = np.random.default_rng(0).standard_normal((100_000, 4))
    assert abs(samples.std(axis=1).mean() / expected_batch_std(4) - 1) < 0.01
    assert abs(samples.var(axis=1).mean() / expected_batch_variance(4) - 1) < 0.01


@pytest.mark.parametrize("fn", [expected_batch_variance, expected_batch_std])
@pytest.mark.parametrize("n", [1, 0, 2.5])
def test_expected_batch_statistics_refuse_bad_sizes(fn, n):
    with pytest.raises(ValueError, match="n must be an integer"):
        fn(n)


# ---- running averages --------------------------------------------------------------------


def test_running_average_by_hand():
    r = running_average([1.0, 2.0, 4.0], momentum=0.5, start=0.0)
    np.testing.assert_allclose(r, [0.5, 1.25, 2.625])
    r = running_average([[2.0, 4.0]], momentum=0.9, start=[1.0, 1.0])
    np.testing.assert_allclose(r, [[1.1, 1.3]])


def test_running_average_conventions_agree():
    values = RNG.standard_normal((40, 3))
    np.testing.assert_allclose(running_average(values, 0.9, convention="old"),
                               running_average(values, 0.1, convention="new"), rtol=1e-14)


def test_running_average_matches_the_layer():
    layer = BatchNorm(3)
    batches = RNG.normal(2.0, 3.0, size=(25, 10, 3))
    for batch in batches:
        layer.forward(batch)
    np.testing.assert_allclose(running_average(batches.mean(axis=1), 0.9)[-1],
                               layer.running_mean, rtol=1e-13)
    np.testing.assert_allclose(running_average(batches.var(axis=1), 0.9, start=1.0)[-1],
                               layer.running_var, rtol=1e-13)


def test_running_average_refuses_bad_input():
    with pytest.raises(ValueError, match="momentum"):
        running_average([1.0], momentum=1.5)
    with pytest.raises(ValueError, match="convention"):
        running_average([1.0], convention="pytorch")
    with pytest.raises(ValueError, match="values"):
        running_average([])


# ---- batch statistics and inference statistics --------------------------------------------


def test_batch_statistics_shapes_and_no_side_effects(trained, digits):
    (x, _), _ = digits
    state = _state(trained)
    stats = batch_statistics(trained, x, batch_size=8, n_batches=300, seed=1)
    assert isinstance(stats, BatchStatistics) and stats.n_batches == 300
    assert [m.shape for m in stats.means] == [(300, 20), (300, 20)]
    assert [v.shape for v in stats.variances] == [(300, 20), (300, 20)]
    assert np.all(np.concatenate(stats.variances) >= 0)
    assert _same_state(trained, state)
    again = batch_statistics(trained, x, batch_size=8, n_batches=300, seed=1)
    np.testing.assert_array_equal(again.means[1], stats.means[1])
    assert "300 batches of 8" in repr(stats)


def test_batch_statistics_of_the_first_layer_by_hand(trained, digits):
    (x, _), _ = digits
    stats = batch_statistics(trained, x[:16], batch_size=16, n_batches=2, seed=0)
    a = (x[:16] @ trained.params["W1"]).astype(np.float64)
    np.testing.assert_allclose(stats.means[0][0], a.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(stats.variances[0][1], a.var(axis=0), rtol=1e-4, atol=1e-6)


def test_batch_statistics_refuses_bad_input(trained, digits):
    (x, _), _ = digits
    with pytest.raises(ValueError, match="batch_size"):
        batch_statistics(trained, x, batch_size=1, n_batches=3)
    with pytest.raises(ValueError, match="n_batches"):
        batch_statistics(trained, x, batch_size=4, n_batches=0)
    with pytest.raises(ValueError, match="BatchNorm layers"):
        batch_statistics(MultiLayerNet([64, 5, 10]), x, batch_size=4, n_batches=2)


def _stats():
    means = [RNG.standard_normal((50, 3))]
    variances = [RNG.uniform(0.5, 2.0, (50, 3))]
    return BatchStatistics(means, variances, batch_size=4)


def test_inference_statistics_estimators_by_formula():
    stats = _stats()
    (mean, biased), = inference_statistics(stats, "biased")
    (_, unbiased), = inference_statistics(stats, "unbiased")
    (_, std), = inference_statistics(stats, "std")
    np.testing.assert_allclose(mean, stats.means[0].mean(axis=0))
    np.testing.assert_allclose(biased, stats.variances[0].mean(axis=0))
    np.testing.assert_allclose(unbiased, biased * 4 / 3)
    np.testing.assert_allclose(std, np.sqrt(stats.variances[0]).mean(axis=0) ** 2)
    assert np.all(std <= biased)  # the average of square roots is smaller
    assert set(ESTIMATORS) == {"biased", "unbiased", "std"}


def test_inference_statistics_with_momentum_is_the_running_average():
    stats = _stats()
    (mean, var), = inference_statistics(stats, "biased", momentum=0.9)
    np.testing.assert_allclose(mean, running_average(stats.means[0], 0.9)[-1])
    np.testing.assert_allclose(var, running_average(stats.variances[0], 0.9, start=1.0)[-1])
    (_, std), = inference_statistics(stats, "std", momentum=0.0)
    np.testing.assert_allclose(std, stats.variances[0][-1])   # momentum 0: the last batch


def test_inference_statistics_refuses_bad_input():
    with pytest.raises(ValueError, match="estimator"):
        inference_statistics(_stats(), "median")
    with pytest.raises(ValueError, match="momentum"):
        inference_statistics(_stats(), momentum=1.0)
    with pytest.raises(ValueError, match="stats"):
        inference_statistics([np.zeros(3)])


def test_population_statistics_of_the_first_layer(trained, digits):
    (x, _), _ = digits
    state = _state(trained)
    stats = population_statistics(trained, x)
    a = (x @ trained.params["W1"]).astype(np.float64)
    np.testing.assert_allclose(stats[0][0], a.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(stats[0][1], a.var(axis=0), rtol=1e-4, atol=1e-6)
    assert len(stats) == 2 and stats[1][1].shape == (20,)
    assert _same_state(trained, state)


def test_using_statistics_applies_and_restores(trained, digits):
    (x, _), _ = digits
    layers = batchnorm_layers(trained)
    saved = [(layer.running_mean, layer.running_var) for layer in layers]
    population = population_statistics(trained, x)
    with using_statistics(trained, population) as net:
        assert net is trained
        np.testing.assert_allclose(layers[1].running_var, population[1][1], rtol=1e-6)
    assert all(layer.running_mean is m and layer.running_var is v
               for layer, (m, v) in zip(layers, saved, strict=True))
    with pytest.raises(ValueError, match="one \\(mean, variance\\) pair"):
        with using_statistics(trained, population[:1]):
            pass
    with pytest.raises(ValueError, match="statistics"):
        with using_statistics(trained, [(np.zeros(20), -np.ones(20))] * 2):
            pass


def test_train_mode_predictions(trained, digits):
    _, (x_test, _) = digits
    state = _state(trained)
    predicted = train_mode_predictions(trained, x_test, batch_size=50, seed=0)
    assert predicted.shape == (len(x_test),)
    assert np.sum(predicted == -1) == len(x_test) % 50
    assert np.all(predicted[predicted >= 0] < 10)
    assert _same_state(trained, state)
    whole = train_mode_predictions(trained, x_test, batch_size=len(x_test))
    np.testing.assert_array_equal(whole, trained.predict(x_test, train=True).argmax(axis=1))
    with pytest.raises(ValueError, match="batch_size"):
        train_mode_predictions(trained, x_test, batch_size=0)


# ---- folding ------------------------------------------------------------------------------


def test_fold_batchnorm_gives_the_same_inference_scores(trained, digits):
    _, (x_test, _) = digits
    folded = fold_batchnorm(trained)
    assert not any(isinstance(layer, BatchNorm) for layer in folded.layers)
    assert folded.sizes == trained.sizes and folded.dtype == trained.dtype
    scores = trained.predict(x_test)
    np.testing.assert_allclose(folded.predict(x_test), scores, rtol=1e-4,
                               atol=1e-5 * np.abs(scores).max())


def test_fold_batchnorm_in_float64_is_exact_to_rounding():
    net = MultiLayerNet([6, 5, 4, 3], batchnorm=True, dtype=np.float64, seed=0)
    rng = np.random.default_rng(0)
    for layer in batchnorm_layers(net):
        layer.gamma[...] = rng.uniform(0.5, 2, layer.gamma.size)
        layer.beta[...] = rng.standard_normal(layer.beta.size)
        layer.running_mean = rng.standard_normal(layer.gamma.size)
        layer.running_var = rng.uniform(0.5, 2, layer.gamma.size)
    x = rng.standard_normal((7, 6))
    np.testing.assert_allclose(fold_batchnorm(net).predict(x), net.predict(x), rtol=1e-12,
                               atol=1e-12)


def test_fold_batchnorm_needs_batch_normalisation():
    with pytest.raises(ValueError, match="BatchNorm layers"):
        fold_batchnorm(MultiLayerNet([4, 3, 2]))
