"""Tests of lib.gradcheck: the checker itself must pass correct code and catch wrong code."""

import numpy as np
import pytest

from lib.gradcheck import check_layer, check_network, numerical_gradient, relative_error
from lib.layers import Dropout, ReLU
from lib.network import MultiLayerNet

RNG = np.random.default_rng(7)
X = RNG.random((6, 4))
T = np.array([0, 1, 2, 0, 1, 2])


def test_numerical_gradient_of_a_known_function_restores_x():
    x = RNG.standard_normal((3, 4))
    before = x.copy()
    grad = numerical_gradient(lambda z: np.sum(z**3), x)
    np.testing.assert_allclose(grad, 3 * before**2, rtol=1e-7, atol=1e-8)
    np.testing.assert_array_equal(x, before)  # bit for bit


def test_numerical_gradient_through_a_closure():
    W = RNG.standard_normal((2, 2))
    v = RNG.standard_normal(2)
    grad = numerical_gradient(lambda _: float(v @ W @ v), W)  # f ignores its argument
    np.testing.assert_allclose(grad, np.outer(v, v), rtol=1e-8)


@pytest.mark.parametrize("x", [np.ones(3, dtype=np.float32), [1.0, 2.0]])
def test_numerical_gradient_needs_float64_arrays(x):
    with pytest.raises(ValueError, match="x must be a float64 ndarray"):
        numerical_gradient(np.sum, x)


def test_relative_error():
    a = RNG.standard_normal(5)
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, a * (1 + 1e-6)) == pytest.approx(0.5e-6, rel=1e-3)
    with pytest.raises(ValueError, match="a and n must have the same shape"):
        relative_error(np.ones(2), np.ones(3))


class _BrokenReLU(ReLU):
    """A ReLU whose backward pass forgets the mask: the kind of bug a check must catch."""

    def backward(self, dout):
        return dout


def test_check_layer_catches_a_wrong_backward():
    x = RNG.standard_normal((5, 3))
    assert check_layer(ReLU(), x)["x"] < 1e-8
    assert check_layer(_BrokenReLU(), x)["x"] > 0.1


def test_check_network_catches_a_wrong_backward():
    net = MultiLayerNet([4, 8, 3], dtype=np.float64)
    assert max(check_network(net, X, T).values()) < 1e-6
    net.layers[1] = _BrokenReLU()
    errors = check_network(net, X, T)
    assert errors["W1"] > 1e-3 and errors["W2"] < 1e-6


def test_check_network_freezes_dropout_then_lets_go():
    net = MultiLayerNet([4, 8, 3], dtype=np.float64, dropout=0.5)
    params = {k: p.copy() for k, p in net.params.items()}
    assert max(check_network(net, X, T).values()) < 1e-6
    dropout = next(layer for layer in net.layers if isinstance(layer, Dropout))
    assert dropout.fixed_mask is None
    for key, p in net.params.items():
        np.testing.assert_array_equal(p, params[key])


def test_check_network_needs_a_float64_network():
    with pytest.raises(ValueError, match="net must be float64"):
        check_network(MultiLayerNet([4, 8, 3]), X, T)


# ---- step_size_errors and layer_step_size_errors ----------------------------------------------


def test_step_size_errors_of_a_cubic_follow_truncation_and_rounding():
    from lib.gradcheck import step_size_errors

    x = np.array([0.5, -1.0, 2.0])
    before = x.copy()
    steps = [1e-1, 1e-2, 1e-5, 1e-12]
    errors = step_size_errors(lambda z: np.sum(z**3), x, 3 * x**2, steps)
    np.testing.assert_array_equal(x, before)
    # central difference of z³: exactly 3z² + h², so the error falls like h² at first
    truncation = np.linalg.norm(np.full(3, 1e-4)) / (2 * np.linalg.norm(3 * x**2))
    assert errors[1] == pytest.approx(truncation, rel=1e-3)
    assert errors[0] / errors[1] == pytest.approx(100, rel=1e-2)
    assert errors[2] < 1e-9
    assert 1e-6 < errors[3] < 1e-2   # rounding has taken over


def test_step_size_errors_in_float32_and_the_step_that_vanishes():
    from lib.gradcheck import step_size_errors

    x = np.array([[0.5, 1.5]], dtype=np.float32)
    errors = step_size_errors(lambda z: np.sum(np.tanh(z)), x, 1 - np.tanh(x) ** 2,
                              [1e-12, 1e-5, 1e-2])
    assert errors[0] == 1.0          # x ± 1e-12 rounds to x in float32: the difference is 0
    assert errors[1] > 1e-3          # float32 rounding divided by a small step
    assert errors[2] < 1e-3
    assert x.dtype == np.float32 and x[0, 0] == np.float32(0.5)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"x": [1.0, 2.0]}, "x"), ({"x": np.ones(2, dtype=np.int64)}, "x"),
     ({"analytic": np.ones(3)}, "analytic"), ({"steps": [1e-5, 0.0]}, "steps"),
     ({"steps": [[1e-5]]}, "steps")],
)
def test_step_size_errors_bad_input(kwargs, name):
    from lib.gradcheck import step_size_errors

    args = {"f": np.sum, "x": np.ones(2), "analytic": np.ones(2), "steps": [1e-5], **kwargs}
    with pytest.raises(ValueError, match=f"^{name} must"):
        step_size_errors(**args)


def test_layer_step_size_errors_is_a_u_in_float64_and_worse_in_float32():
    from lib.gradcheck import layer_step_size_errors
    from lib.layers import Tanh

    x = RNG.standard_normal((4, 3))
    before = x.copy()
    steps = np.logspace(-12, -1, 12)
    e64 = layer_step_size_errors(Tanh(), x, steps, np.float64)
    e32 = layer_step_size_errors(Tanh(), x, steps, np.float32)
    np.testing.assert_array_equal(x, before)
    best = int(np.argmin(e64))
    assert 0 < best < len(steps) - 1 and e64[best] < 1e-9     # a U with its floor inside
    assert e64[0] > 100 * e64[best] and e64[-1] > 100 * e64[best]
    assert e32.min() > 100 * e64.min() and e32[0] == 1.0


def test_layer_step_size_errors_bad_input():
    from lib.gradcheck import layer_step_size_errors
    from lib.layers import Tanh

    with pytest.raises(ValueError, match="^dtype must"):
        layer_step_size_errors(Tanh(), np.ones((2, 2)), [1e-5], dtype=np.float16)
    with pytest.raises(ValueError, match="^x must"):
        layer_step_size_errors(Tanh(), np.ones(3), [1e-5])
    with pytest.raises(ValueError, match="^seed must"):
        layer_step_size_errors(Tanh(), np.ones((2, 2)), [1e-5], seed=-1)
