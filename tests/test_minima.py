"""Tests of lib.minima: the tilted double well and gradient descent on it."""

import numpy as np
import pytest

from lib import minima
from lib.gradcheck import numerical_gradient


def test_function_gradient_and_critical_points():
    w = np.array([-1.3, -0.2, 0.4, 1.1])
    assert minima.double_well(2.0, tilt=0.5) == pytest.approx(9 + 1.0)
    numeric = np.array([numerical_gradient(lambda v: float(minima.double_well(v[0])),
                                           np.array([wi]))[0] for wi in w])
    np.testing.assert_allclose(minima.double_well_grad(w), numeric, rtol=1e-7)
    low, hill, high = minima.critical_points(0.3)
    assert low < hill < high
    np.testing.assert_allclose(minima.double_well_grad(np.array([low, hill, high])), 0,
                               atol=1e-12)
    assert minima.double_well(low) < minima.double_well(high)     # global, then local
    assert minima.critical_points(0.0) == pytest.approx((-1.0, 0.0, 1.0), abs=1e-12)


def test_descend_is_gradient_descent_and_broadcasts():
    path = minima.descend(np.array([[0.5], [-0.5]]), np.array([0.01, 0.1]), steps=3)
    assert path.shape == (4, 2, 2)
    w = 0.5
    for k in range(1, 4):
        w = w - 0.1 * (4 * w * (w * w - 1) + 0.3)
        assert path[k, 0, 1] == pytest.approx(w)
    assert np.all(path[0] == np.array([[0.5, 0.5], [-0.5, -0.5]]))


def test_descend_marks_divergence_and_is_seeded():
    path = minima.descend(np.array([0.5, 3.0]), 1.0, steps=10)
    assert np.isnan(path[-1, 1]) and np.all(np.isnan(path[1:, 1]))
    a = minima.descend(np.zeros(3), 0.01, steps=20, noise=1.0, seed=4)
    np.testing.assert_array_equal(a, minima.descend(np.zeros(3), 0.01, steps=20, noise=1.0,
                                                    seed=4))
    assert len(np.unique(a[-1])) == 3  # every run has its own noise


def test_basin_map():
    starts = np.array([-1.5, -0.5, 0.5, 1.5, 2.0])
    codes = minima.basin_map(starts, np.array([0.01, 1.0]), steps=2000)
    np.testing.assert_array_equal(codes[0], [0, 0, 1, 1, 1])
    assert codes[1, -1] == minima.DIVERGED


@pytest.mark.parametrize("call, name", [
    (lambda: minima.double_well(0.0, tilt=2.0), "tilt"),
    (lambda: minima.descend(0.0, 0.0), "lrs"),
    (lambda: minima.descend(0.0, 0.1, steps=-1), "steps"),
    (lambda: minima.descend(np.nan, 0.1), "starts"),
    (lambda: minima.descend(0.0, 0.1, noise=-1.0), "noise"),
    (lambda: minima.basin_map(np.zeros((2, 2)), np.ones(2)), "starts"),
])
def test_bad_arguments_name_themselves(call, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        call()
