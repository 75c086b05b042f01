"""Tests of lib.gradient_noise: the finite-population formula, by hand and by enumeration."""

import itertools

import numpy as np
import pytest

from lib.gradient_noise import (
    batch_covariance,
    expected_noise,
    gradient_noise,
    network_gradient,
    per_sample_gradients,
)
from lib.network import MultiLayerNet

G = np.array([[1.0, 0.0], [3.0, 2.0], [-1.0, 4.0], [5.0, -2.0]])  # four per-sample gradients


def mean_grad(idx):
    return G[np.asarray(idx)].mean(axis=0)


def test_expected_noise_by_hand():
    # mean (2, 1); squared deviations 2, 2, 18, 18 -> tr Sigma = 10
    np.testing.assert_allclose(expected_noise(G, [1, 2, 4], replacement=True), [10, 5, 2.5])
    np.testing.assert_allclose(expected_noise(G, [1, 2, 4]), [10, 5 * 2 / 3, 0.0], atol=1e-15)


def test_expected_noise_equals_the_average_over_every_batch():
    for b in (1, 2, 3):  # without replacement: every subset of size b is equally likely
        errors = [np.sum((mean_grad(s) - G.mean(axis=0)) ** 2)
                  for s in itertools.combinations(range(4), b)]
        assert np.mean(errors) == pytest.approx(expected_noise(G, [b])[0])
    for b in (1, 2):  # with replacement: every sequence of b draws is equally likely
        errors = [np.sum((mean_grad(s) - G.mean(axis=0)) ** 2)
                  for s in itertools.product(range(4), repeat=b)]
        assert np.mean(errors) == pytest.approx(expected_noise(G, [b], replacement=True)[0])


def test_batch_covariance_trace_and_enumeration():
    for b in (1, 2, 3):
        cov = batch_covariance(G, b)
        assert np.trace(cov) == pytest.approx(expected_noise(G, [b])[0])
        means = np.array([mean_grad(s) for s in itertools.combinations(range(4), b)])
        np.testing.assert_allclose(cov, np.cov(means.T, bias=True), atol=1e-12)


def test_measurement_agrees_with_theory_and_is_seeded():
    r = gradient_noise(mean_grad, 4, [1, 2, 4], repeats=4000, seed=0)
    np.testing.assert_allclose(r.measured[:2], r.theory[:2], rtol=0.1)
    assert r.measured[2] == pytest.approx(0.0, abs=1e-24)
    assert r.full_norm == pytest.approx(np.hypot(2.0, 1.0))
    again = gradient_noise(mean_grad, 4, [1, 2, 4], repeats=4000, seed=0)
    np.testing.assert_array_equal(r.measured, again.measured)
    with_repl = gradient_noise(mean_grad, 4, [4], repeats=4000, replacement=True)
    assert with_repl.measured[0] == pytest.approx(2.5, rel=0.1)


def test_per_sample_gradients_and_the_network():
    rng = np.random.default_rng(0)
    x = rng.random((12, 4))
    t = rng.integers(0, 3, 12)
    net = MultiLayerNet([4, 5, 3], dtype=np.float64, seed=1)
    grad_fn = network_gradient(net, x, t)
    per_sample = per_sample_gradients(grad_fn, 12)
    n_params = sum(p.size for p in net.params.values())
    assert per_sample.shape == (12, n_params)
    # the loss is a mean over samples: so is its gradient
    np.testing.assert_allclose(per_sample.mean(axis=0), grad_fn(np.arange(12)), rtol=1e-10)
    np.testing.assert_allclose(per_sample[[2, 5]].mean(axis=0), grad_fn(np.array([2, 5])),
                               rtol=1e-10)


def test_network_gradient_refuses_coupled_samples():
    x, t = np.zeros((4, 3)), np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match="^net must"):
        network_gradient(MultiLayerNet([3, 4, 2], batchnorm=True), x, t)
    with pytest.raises(ValueError, match="^net must"):
        network_gradient(MultiLayerNet([3, 4, 2], dropout=0.5), x, t)


@pytest.mark.parametrize("call, name", [
    (lambda: expected_noise(G, [0]), "batch_sizes"),
    (lambda: expected_noise(G, [5]), "batch_sizes"),
    (lambda: expected_noise(G, [1.5]), "batch_sizes"),
    (lambda: expected_noise(G, []), "batch_sizes"),
    (lambda: expected_noise(G[0], [1]), "per_sample"),
    (lambda: expected_noise(G[:1], [1]), "per_sample"),
    (lambda: batch_covariance(G, 0), "batch_sizes"),
    (lambda: gradient_noise(mean_grad, 4, [1], repeats=0), "repeats"),
    (lambda: gradient_noise(mean_grad, 1, [1]), "n"),
])
def test_bad_arguments_name_themselves(call, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        call()


def test_inputs_are_not_mutated():
    g = G.copy()
    expected_noise(g, [1, 2])
    batch_covariance(g, 2)
    np.testing.assert_array_equal(g, G)
