"""Tests of lib.regression: the two-parameter least-squares loss, its derivatives, its paths."""

import numpy as np
import pytest

from lib import quadratic
from lib.gradcheck import numerical_gradient
from lib.optimizers import SGD
from lib.regression import LinearRegression, make_data
from lib.schedules import StepDecay
from lib.surfaces import diverged_at, trajectory

X = np.array([0.0, 1.0, 2.0, 3.0])
T = np.array([1.0, 2.0, 2.0, 5.0])
P = LinearRegression(X, T)


def test_loss_and_gradient_by_hand():
    # w = 1, b = 0: residuals y - t = (-1, -1, 0, -2)
    assert P.loss(1.0, 0.0) == pytest.approx((1 + 1 + 0 + 4) / 4)
    gw, gb = P.gradient(1.0, 0.0)
    assert gw == pytest.approx(2 * (0 - 1 + 0 - 6) / 4)
    assert gb == pytest.approx(2 * (-1 - 1 + 0 - 2) / 4)
    gw, gb = P.gradient(1.0, 0.0, idx=np.array([1, 3]))
    assert gw == pytest.approx(2 * (-1 * 1 + -2 * 3) / 2)
    assert gb == pytest.approx(2 * (-1 - 2) / 2)
    assert P.loss(1.0, 0.0, idx=np.array([1, 3])) == pytest.approx((1 + 4) / 2)


def test_gradient_and_hessian_against_finite_differences():
    def loss(theta):
        return P.loss(theta[0], theta[1])

    theta = np.array([0.3, -0.7])
    np.testing.assert_allclose(P.gradient(*theta), numerical_gradient(loss, theta), rtol=1e-7)
    hessian = np.stack([numerical_gradient(lambda th, i=i: P.gradient(*th)[i], theta.copy())
                        for i in range(2)])
    np.testing.assert_allclose(P.hessian(), hessian, rtol=1e-6)
    np.testing.assert_allclose(P.hessian(), 2 * np.array([[14 / 4, 6 / 4], [6 / 4, 1]]))


def test_per_sample_gradients_average_to_the_gradient():
    g = P.per_sample_gradients(0.5, 1.5)
    assert g.shape == (4, 2)
    np.testing.assert_allclose(g.mean(axis=0), P.gradient(0.5, 1.5), rtol=1e-12)
    np.testing.assert_allclose(g[2], 2 * (0.5 * 2 + 1.5 - 2) * np.array([2.0, 1.0]))


def test_minimum_is_least_squares_and_curvatures_are_eigenvalues():
    w, b, loss = P.minimum()
    expected = np.polyfit(X, T, 1)
    np.testing.assert_allclose([w, b], expected, rtol=1e-12)
    assert np.allclose(P.gradient(w, b), 0, atol=1e-12)
    lam = P.curvatures()
    np.testing.assert_allclose(lam, np.linalg.eigvalsh(P.hessian()))
    assert loss == pytest.approx(P.loss(w, b))


def test_loss_broadcasts_over_a_grid():
    W, B = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(0, 2, 4))
    L = P.loss(W, B)
    assert L.shape == (4, 3)
    assert L[2, 1] == pytest.approx(P.loss(W[2, 1], B[2, 1]))


def test_inputs_are_copied_not_mutated():
    x, t = X.copy(), T.copy()
    p = LinearRegression(x, t)
    x[0] = 100.0
    assert p.x[0] == 0.0 and np.array_equal(t, T)


def test_full_batch_path_is_gradient_descent_and_diverges_beyond_two_over_lam_max():
    x, t = make_data(n=50, seed=1)
    p = LinearRegression(x, t)
    lam_min, lam_max = p.curvatures()
    minibatch = p.minibatch_path(0.1, 50, 20, start=(0.0, 0.0))
    path = trajectory(SGD(lr=0.1), p.surface(start=(0.0, 0.0)), start=(0.0, 0.0), steps=20)
    np.testing.assert_allclose(minibatch, path, rtol=1e-10, atol=1e-12)
    edge = 2 / lam_max
    assert diverged_at(p.minibatch_path(1.01 * edge, 50, 3000)) is not None
    below = p.minibatch_path(0.99 * edge, 50, 3000)
    assert diverged_at(below) is None
    np.testing.assert_allclose(below[-1], p.minimum()[:2], atol=1e-6)
    # the rate of convergence is the spectral radius max |1 - lr lam|
    error = np.hypot(*(p.minibatch_path(0.1, 50, 400) - p.minimum()[:2]).T)
    rho = float(quadratic.spectral_radius(0.1, 0.0, [lam_min, lam_max]))
    assert (error[400] / error[300]) ** 0.01 == pytest.approx(rho, rel=1e-4)


def test_minibatch_path_epochs_use_every_sample_once():
    p = LinearRegression(*make_data(n=10, seed=2))
    seen = []
    original = p.gradient

    def spy(w, b, idx=None):
        seen.append(np.array(idx))
        return original(w, b, idx)

    p.gradient = spy
    p.minibatch_path(0.01, 3, 8)  # epochs of batches 3, 3, 3, 1
    assert [len(i) for i in seen] == [3, 3, 3, 1, 3, 3, 3, 1]
    assert sorted(np.concatenate(seen[:4])) == list(range(10))
    seen.clear()
    p.minibatch_path(0.01, 4, 3, replacement=True)
    assert [len(i) for i in seen] == [4, 4, 4]


def test_minibatch_path_is_seeded_and_applies_a_schedule():
    p = LinearRegression(*make_data(n=20, seed=3))
    a = p.minibatch_path(0.1, 2, 30, seed=5)
    np.testing.assert_array_equal(a, p.minibatch_path(0.1, 2, 30, seed=5))
    assert not np.array_equal(a, p.minibatch_path(0.1, 2, 30, seed=6))
    halved = p.minibatch_path(0.1, 20, 2, schedule=StepDecay(1, 0.5))
    g0 = np.array(p.gradient(*halved[0]))
    np.testing.assert_allclose(halved[1], halved[0] - 0.1 * g0)
    g1 = np.array(p.gradient(*halved[1]))
    np.testing.assert_allclose(halved[2], halved[1] - 0.05 * g1)


def test_make_data_is_seeded():
    x, t = make_data(n=5, seed=0)
    x2, t2 = make_data(n=5, seed=0)
    assert x.shape == t.shape == (5,)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(t, t2)


@pytest.mark.parametrize("call, name", [
    (lambda: LinearRegression([1.0, 1.0], [0.0, 1.0]), "x"),
    (lambda: LinearRegression([1.0, 2.0], [0.0]), "t"),
    (lambda: LinearRegression([[1.0, 2.0]], [0.0]), "x"),
    (lambda: P.minibatch_path(-0.1, 2, 3), "lr"),
    (lambda: P.minibatch_path(0.1, 5, 3), "batch_size"),
    (lambda: P.minibatch_path(0.1, 2, -1), "steps"),
    (lambda: P.minibatch_path(0.1, 2, 3, start=(np.nan, 0.0)), "start"),
    (lambda: P.gradient(0.0, 0.0, idx=np.array([], dtype=int)), "idx"),
    (lambda: P.per_sample_gradients("a", 0.0), "w"),
    (lambda: make_data(n=1), "n"),
    (lambda: make_data(x_std=0.0), "x_std"),
])
def test_bad_arguments_name_themselves(call, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        call()


def test_repr():
    assert repr(P).startswith("LinearRegression(N=4, curvatures=(")
