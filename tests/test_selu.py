"""lib.selu: the mean-and-variance map of SELU, its fixed point and SELU's constants."""

import math

import numpy as np
import pytest

from lib import selu
from lib.activations import SELU_ALPHA, SELU_SCALE, elu
from lib.activations import selu as selu_f

Z = np.random.default_rng(0).standard_normal(2_000_000)


@pytest.mark.parametrize("mean, var", [(0.0, 1.0), (0.7, 2.5), (-1.5, 0.3), (0.2, 30.0)])
def test_the_closed_form_matches_sampling(mean, var):
    y = selu_f(mean + math.sqrt(var) * Z)
    m, v = selu.gaussian_moments(mean, var)
    assert m == pytest.approx(y.mean(), abs=3e-3 * math.sqrt(var))
    assert v == pytest.approx(y.var(), rel=5e-3)
    y = elu(mean + math.sqrt(var) * Z)
    m, v = selu.gaussian_moments(mean, var, alpha=1.0, scale=1.0)
    assert m == pytest.approx(y.mean(), abs=3e-3 * math.sqrt(var))
    assert v == pytest.approx(y.var(), rel=5e-3)


def test_relu_by_hand():
    # E relu(z) = s / sqrt(2 pi) and E relu(z)^2 = s^2 / 2 for z ~ N(0, s^2)
    m, v = selu.gaussian_moments(0.0, 4.0, alpha=0.0, scale=1.0)
    assert m == pytest.approx(2 / math.sqrt(2 * math.pi), rel=1e-12)
    assert v == pytest.approx(2.0 - m * m, rel=1e-12)


def test_the_far_tail_formula_joins_the_direct_one():
    # the tail switch sits where (m + k v)/s = 10: just below and above it the results agree
    below, above = selu.gaussian_moments(0.0, 24.99), selu.gaussian_moments(0.0, 25.01)
    assert above[0] == pytest.approx(below[0], rel=1e-3)
    assert above[1] == pytest.approx(below[1], rel=1e-3)
    m, v = selu.gaussian_moments(0.0, 1e6)           # no overflow
    assert math.isfinite(m) and math.isfinite(v) and v > 0


def test_the_constants_make_zero_one_the_fixed_point():
    alpha, scale = selu.selu_constants()
    assert alpha == pytest.approx(SELU_ALPHA, rel=1e-12)
    assert scale == pytest.approx(SELU_SCALE, rel=1e-12)
    m, v = selu.moment_map(0.0, 1.0)
    assert abs(m) < 1e-12 and v == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("start", [(0.5, 1.5), (-1.0, 0.2), (2.0, 4.0)])
def test_the_fixed_point_is_found_from_anywhere_and_attracts(start):
    assert selu.fixed_point(*start) == pytest.approx((0.0, 1.0), abs=1e-10)
    J = selu.jacobian(0.0, 1.0)
    np.testing.assert_allclose(J[:, 0], 0.0, atol=1e-9)  # omega = 0: the mean is forgotten
    assert np.linalg.norm(J, 2) == pytest.approx(0.7877, abs=1e-4)  # Klambauer et al.
    mu, nu = selu.fixed_point(tau=1.2)
    assert selu.moment_map(mu, nu, tau=1.2) == pytest.approx((mu, nu), abs=1e-10)


def test_the_network_map_turns_the_mean_into_variance():
    assert selu.network_map(0.0, 1.3) == pytest.approx(selu.moment_map(0.0, 1.3))
    assert selu.network_map(1.0, 2.0, tau=0.5) == pytest.approx(selu.gaussian_moments(0.0, 1.5))
    # ReLU with He's weights (tau = 2) keeps the second moment exactly: a neutral map
    m, v = selu.network_map(0.3, 1.7, tau=2.0, alpha=0.0, scale=1.0)
    assert m * m + v == pytest.approx(0.3**2 + 1.7, rel=1e-12)


def test_iterate_walks_the_map_and_stops_at_an_overflow():
    path = selu.iterate(1.0, 3.0, 40, network=True)
    assert path.shape == (41, 2) and tuple(path[0]) == (1.0, 3.0)
    assert tuple(path[1]) == pytest.approx(selu.network_map(1.0, 3.0))
    assert path[-1] == pytest.approx((0.0, 1.0), abs=1e-3)
    grows = selu.iterate(0.0, 1.0, 3000, network=True, tau=2.0)
    assert np.isinf(grows[-1]).all() and np.isfinite(grows[:50]).all()
    assert selu.iterate(0.0, 1.0, 0).shape == (1, 2)


def test_bad_arguments_name_themselves():
    for call, match in [
        (lambda: selu.gaussian_moments(0.0, 0.0), r"^var must be a number in \(0, inf\)"),
        (lambda: selu.moment_map(0.0, 1.0, tau=-1), r"^tau must be a number in \(0, inf\)"),
        (lambda: selu.network_map(float("nan"), 1.0), r"^mu must be a number"),
        (lambda: selu.iterate(0.0, 1.0, -1), r"^layers must be an integer"),
        (lambda: selu.fixed_point(max_iter=0), r"^max_iter must be an integer"),
        (lambda: selu.jacobian(0.0, 1.0, h=0), r"^h must be a number in \(0, inf\)"),
    ]:
        with pytest.raises(ValueError, match=match):
            call()


def test_a_random_network_follows_the_network_map():
    measured = selu.measured(1.0, 3.0, 30, n_samples=300)
    predicted = selu.iterate(1.0, 3.0, 30, network=True)
    assert measured.shape == (31, 2)
    assert measured[0] == pytest.approx((1.0, 3.0), rel=0.05)
    np.testing.assert_allclose(measured[10:], predicted[10:], atol=0.15)
    he = selu.measured(0.0, 1.0, 30, tau=2.0, n_samples=300)
    assert he[30, 1] > 10 * he[1, 1]                     # no fixed point: it grows
    with pytest.raises(ValueError, match=r"^var must be a number in \(0, inf\)"):
        selu.measured(0.0, -1.0, 5)
