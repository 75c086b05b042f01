"""lib.gradient_cost: times of a forward pass, backpropagation and central differences."""

import numpy as np
import pytest

from lib.gradient_cost import GradientCost, gradient_cost

RNG = np.random.default_rng(3)
X = RNG.random((8, 6))
T = RNG.integers(0, 3, 8)


def test_gradient_cost_counts_and_orders():
    x_before = X.copy()
    cost = gradient_cost([6, 5, 3], X, T, repeats=3)
    np.testing.assert_array_equal(X, x_before)
    assert cost.sizes == (6, 5, 3) and cost.n_params == 6 * 5 + 5 + 5 * 3 + 3
    assert 0 < cost.forward_seconds and 0 < cost.backprop_seconds
    # 106 loss evaluations against one forward and backward pass: a wide margin
    assert cost.ratio > 5
    assert cost.numerical_in_forward_passes > 20
    assert cost.ratio == cost.numerical_seconds / cost.backprop_seconds
    assert "P=53" in repr(cost)


def test_gradient_cost_repr_and_properties():
    cost = GradientCost((2, 2), 6, 1e-5, 2e-5, 1e-3)
    assert cost.ratio == pytest.approx(50)
    assert cost.backprop_in_forward_passes == pytest.approx(2)
    assert cost.numerical_in_forward_passes == pytest.approx(100)
    assert repr(cost).startswith("GradientCost(sizes=[2, 2], P=6")


@pytest.mark.parametrize(
    "kwargs, name",
    [({"repeats": 0}, "repeats"), ({"seed": -1}, "seed"), ({"x": np.ones((8, 5))}, "x"),
     ({"sizes": [6]}, "sizes")],
)
def test_gradient_cost_bad_input(kwargs, name):
    args = {"sizes": [6, 3], "x": X, "t": T, **kwargs}
    with pytest.raises(ValueError, match=f"^{name} must"):
        gradient_cost(**args)
