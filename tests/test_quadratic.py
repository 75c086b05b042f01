"""lib.quadratic: the closed-form analysis of heavy-ball momentum on a quadratic bowl.

The closed forms are checked against the eigenvalues of the iteration matrix, against the
iterates of ``lib.optimizers.Momentum`` itself, and against a brute-force search of the
(learning rate, momentum) plane.
"""

import math

import numpy as np
import pytest

from lib import quadratic
from lib.optimizers import Momentum


def run_momentum(lr, momentum, lams, steps, start=(1.0, 1.0)):
    """Distances to the minimum of lib's Momentum on 1/2 sum lam_i w_i^2, shape (steps + 1,)."""
    lams = np.asarray(lams, dtype=float)
    opt, params = Momentum(lr=lr, momentum=momentum), {"w": np.array(start, dtype=float)}
    out = [np.linalg.norm(params["w"])]
    for _ in range(steps):
        opt.update(params, {"w": lams * params["w"]})
        out.append(np.linalg.norm(params["w"]))
    return np.array(out)


@pytest.mark.parametrize(
    ("lr", "momentum", "lam"),
    [(0.1, 0.9, 2.0), (1.9, 0.0, 1.0), (0.3, 0.5, 0.1), (3.0, 0.8, 1.0), (0.01, 0.0, 1.0)],
)
def test_spectral_radius_is_the_largest_eigenvalue_modulus(lr, momentum, lam):
    T = quadratic.iteration_matrix(lr, momentum, lam)
    expected = np.abs(np.linalg.eigvals(T)).max()
    assert quadratic.spectral_radius(lr, momentum, [lam]) == pytest.approx(expected, rel=1e-6)


def test_iteration_matrix_is_one_momentum_step():
    lr, mu, lam = 0.2, 0.7, 3.0
    w, v = np.array([0.8]), np.array([-0.1])
    opt = Momentum(lr=lr, momentum=mu)
    opt.state = {"w": {"v": v.copy()}}
    params = {"w": w.copy()}
    opt.update(params, {"w": lam * w})
    new = quadratic.iteration_matrix(lr, mu, lam) @ np.array([w[0], v[0]])
    np.testing.assert_allclose([params["w"][0], opt.state["w"]["v"][0]], new, rtol=1e-12)


def test_complex_roots_give_rate_sqrt_momentum():
    # (1 + mu - lr lam)^2 < 4 mu: complex roots of modulus sqrt(mu), whatever the lr.
    for lr in (0.5, 1.0, 2.0):
        assert quadratic.spectral_radius(lr, 0.81, [1.0]) == pytest.approx(0.9, rel=1e-12)


def test_spectral_radius_broadcasts_and_takes_the_slowest_direction():
    lrs = np.array([[0.1, 1.0, 1.5]])
    mus = np.array([[0.0], [0.5]])
    rates = quadratic.spectral_radius(lrs, mus, [0.1, 2.0])
    assert rates.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            single = [quadratic.spectral_radius(lrs[0, j], mus[i, 0], [lam]) for lam in (0.1, 2.0)]
            assert rates[i, j] == pytest.approx(max(single))


def test_measured_rate_of_lib_momentum_matches_the_theory():
    lams, lr, mu = (0.1, 2.0), 0.1, 0.9
    dist = run_momentum(lr, mu, lams, 400)
    measured = (dist[300:340].max() / dist[100:140].max()) ** (1 / 200)
    assert measured == pytest.approx(float(quadratic.spectral_radius(lr, mu, lams)), abs=2e-3)


def test_divergence_boundary():
    mu, lam_max = 0.5, 2.0
    edge = quadratic.max_stable_lr(mu, lam_max)
    assert edge == pytest.approx(2 * (1 + mu) / lam_max)
    assert quadratic.spectral_radius(0.99 * edge, mu, [0.2, lam_max]) < 1
    assert quadratic.spectral_radius(1.01 * edge, mu, [0.2, lam_max]) > 1
    assert run_momentum(1.05 * edge, mu, (0.2, lam_max), 300)[-1] > 1e3
    assert run_momentum(0.95 * edge, mu, (0.2, lam_max), 300)[-1] < 1e-2


@pytest.mark.parametrize("kappa", [1.0, 4.0, 20.0, 100.0, 1000.0])
def test_polyak_optimum_formulas_and_rate(kappa):
    lam_min, lam_max = quadratic.curvatures(kappa, lam_max=2.0)
    lr, mu, rate = quadratic.polyak_optimum(lam_min, lam_max)
    root = math.sqrt(kappa)
    assert mu == pytest.approx(((root - 1) / (root + 1)) ** 2)
    assert lr == pytest.approx(4 / (math.sqrt(lam_max) + math.sqrt(lam_min)) ** 2)
    assert rate == pytest.approx(math.sqrt(mu))
    assert float(quadratic.spectral_radius(lr, mu, [lam_min, lam_max])) == pytest.approx(
        rate, abs=1e-7
    )


@pytest.mark.parametrize("kappa", [5.0, 20.0, 300.0])
def test_polyak_optimum_is_the_best_point_of_a_fine_grid(kappa):
    lam_min, lam_max = quadratic.curvatures(kappa)
    p_lr, p_mu, p_rate = quadratic.polyak_optimum(lam_min, lam_max)
    lrs = np.geomspace(p_lr / 3, min(p_lr * 3, 3.99), 601)
    momenta = np.linspace(0.0, 0.99, 601)
    rates = quadratic.rate_map(kappa, lrs, momenta)
    assert rates.shape == (601, 601)
    lr, mu, rate = quadratic.best_on_grid(rates, lrs, momenta)
    assert rate >= p_rate - 1e-9  # nothing beats the theory
    assert rate < p_rate + 0.01
    assert lr == pytest.approx(p_lr, rel=0.02)
    assert mu == pytest.approx(p_mu, abs=0.02)


def test_best_sgd_equalises_the_extreme_directions_and_loses_to_momentum():
    lam_min, lam_max = quadratic.curvatures(20.0, lam_max=2.0)
    lr, rate = quadratic.best_sgd(lam_min, lam_max)
    assert abs(1 - lr * lam_min) == pytest.approx(abs(1 - lr * lam_max))
    assert float(quadratic.spectral_radius(lr, 0.0, [lam_min, lam_max])) == pytest.approx(rate)
    lrs = np.linspace(0.01, 0.999, 2000)
    assert quadratic.spectral_radius(lrs, 0.0, [lam_min, lam_max]).min() >= rate - 1e-12
    assert quadratic.polyak_optimum(lam_min, lam_max)[2] < rate


def test_steps_per_decade():
    out = quadratic.steps_per_decade([0.0, 0.1, 0.5, 0.9, 1.0, 1.5])
    np.testing.assert_allclose(out[:4], [0.0, 1.0, math.log(10) / math.log(2), 21.85], atol=0.01)
    assert np.isinf(out[4]) and np.isinf(out[5])


def test_curvatures():
    assert quadratic.curvatures(20.0, lam_max=2.0) == pytest.approx((0.1, 2.0))
    assert quadratic.curvatures(1.0) == (1.0, 1.0)


def test_inputs_are_not_mutated():
    lrs, momenta = np.array([0.1, 0.5]), np.array([0.0, 0.9])
    before = lrs.copy(), momenta.copy()
    quadratic.rate_map(10.0, lrs, momenta)
    np.testing.assert_array_equal(lrs, before[0])
    np.testing.assert_array_equal(momenta, before[1])


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: quadratic.spectral_radius(-0.1, 0.5, [1.0]), "lr"),
        (lambda: quadratic.spectral_radius(0.0, 0.5, [1.0]), "lr"),
        (lambda: quadratic.spectral_radius(0.1, 1.0, [1.0]), "momentum"),
        (lambda: quadratic.spectral_radius(0.1, -0.1, [1.0]), "momentum"),
        (lambda: quadratic.spectral_radius(0.1, 0.5, [1.0, -2.0]), "curvature_values"),
        (lambda: quadratic.spectral_radius(0.1, 0.5, []), "curvature_values"),
        (lambda: quadratic.polyak_optimum(2.0, 1.0), "lam_min"),
        (lambda: quadratic.polyak_optimum(0.0, 1.0), "lam_min"),
        (lambda: quadratic.best_sgd(1.0, float("nan")), "lam_max"),
        (lambda: quadratic.curvatures(0.5), "kappa"),
        (lambda: quadratic.curvatures("many"), "kappa"),
        (lambda: quadratic.max_stable_lr(0.5, 0.0), "lam_max"),
        (lambda: quadratic.iteration_matrix(0.1, 0.5, 0.0), "curvature"),
        (lambda: quadratic.steps_per_decade([-1.0]), "rate"),
        (lambda: quadratic.rate_map(10.0, [[0.1]], [0.5]), "lrs"),
        (lambda: quadratic.best_on_grid(np.zeros((2, 3)), [0.1, 0.2], [0.1, 0.2]), "rates"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
