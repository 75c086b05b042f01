"""Tests of lib.losses: values against the textbook formulas, gradients, stability."""

import numpy as np
import pytest

from lib import losses as L
from lib.gradcheck import numerical_gradient, relative_error

RNG = np.random.default_rng(0)
SCORES = RNG.standard_normal((6, 4))
LABELS = np.array([0, 3, 1, 1, 2, 0])
ONE_HOT = np.eye(4)[LABELS]


def _grad_error(loss, grad, y, t):
    y = y.copy()
    return relative_error(grad(y, t), numerical_gradient(lambda z: loss(z, t), y))


def test_mean_squared_error_value_and_gradient():
    y, t = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 3))
    assert L.mean_squared_error(y, t) == pytest.approx(np.sum((y - t) ** 2) / 15)
    assert _grad_error(L.mean_squared_error, L.mean_squared_error_grad, y, t) < 1e-8


def test_binary_cross_entropy_value_and_gradient():
    p, t = RNG.uniform(0.05, 0.95, (5, 3)), RNG.integers(0, 2, (5, 3)).astype(float)
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert L.binary_cross_entropy(p, t) == pytest.approx(expected)
    assert _grad_error(L.binary_cross_entropy, L.binary_cross_entropy_grad, p, t) < 1e-7


def test_binary_cross_entropy_with_logits_matches_probabilities():
    z, t = RNG.standard_normal((5, 3)), RNG.integers(0, 2, (5, 3)).astype(float)
    p = 1 / (1 + np.exp(-z))
    assert L.binary_cross_entropy_with_logits(z, t) == pytest.approx(L.binary_cross_entropy(p, t))
    err = _grad_error(
        L.binary_cross_entropy_with_logits, L.binary_cross_entropy_with_logits_grad, z, t
    )
    assert err < 1e-8


def test_binary_cross_entropy_is_stable():
    z, t = np.array([1000.0, -1000.0]), np.array([0.0, 1.0])
    with np.errstate(all="raise", under="ignore"):
        assert L.binary_cross_entropy_with_logits(z, t) == pytest.approx(1000.0)
        assert np.isfinite(L.binary_cross_entropy(np.array([0.0, 1.0]), t))


def test_softmax_rows_sum_to_one_and_ignore_shifts():
    p = L.softmax(SCORES)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(L.softmax(SCORES + 1000.0), p)
    np.testing.assert_allclose(L.log_softmax(SCORES), np.log(p))


def test_softmax_cross_entropy_value_indices_and_one_hot():
    p = np.exp(SCORES) / np.exp(SCORES).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[np.arange(6), LABELS]))
    assert L.softmax_cross_entropy(SCORES, LABELS) == pytest.approx(expected)
    assert L.softmax_cross_entropy(SCORES, ONE_HOT) == pytest.approx(expected)
    np.testing.assert_allclose(
        L.softmax_cross_entropy_grad(SCORES, LABELS), L.softmax_cross_entropy_grad(SCORES, ONE_HOT)
    )


@pytest.mark.parametrize("t", [LABELS, ONE_HOT], ids=["indices", "one-hot"])
def test_softmax_cross_entropy_gradient(t):
    assert _grad_error(L.softmax_cross_entropy, L.softmax_cross_entropy_grad, SCORES, t) < 1e-8


def test_softmax_cross_entropy_is_stable_for_huge_scores():
    scores = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]], dtype=np.float32)
    with np.errstate(all="raise", under="ignore"):
        loss = L.softmax_cross_entropy(scores, np.array([1, 1]))
        grad = L.softmax_cross_entropy_grad(scores, np.array([1, 1]))
    assert loss == pytest.approx(1e4 / 2)
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("t", [LABELS, ONE_HOT], ids=["indices", "one-hot"])
def test_float32_in_float32_out(t):
    scores = SCORES.astype(np.float32)
    assert L.softmax_cross_entropy_grad(scores, t).dtype == np.float32
    assert isinstance(L.softmax_cross_entropy(scores, t), float)
    y = scores[:, :1]
    assert L.mean_squared_error_grad(y, np.ones((6, 1))).dtype == np.float32
    assert L.binary_cross_entropy_with_logits_grad(y, np.ones((6, 1))).dtype == np.float32
