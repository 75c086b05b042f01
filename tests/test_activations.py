"""Tests of lib.activations: values, derivatives, stability and dtypes."""

import numpy as np
import pytest

from lib import activations as A
from lib import layers
from lib.activations import ACTIVATIONS
from lib.gradcheck import numerical_gradient, relative_error
from lib.layers import ACTIVATION_LAYERS, ActivationLayer, activation_layer

X = np.linspace(-4.0, 4.0, 41) + 0.013  # avoids the kink at exactly 0


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivative_matches_finite_differences(name):
    act = ACTIVATIONS[name]
    x = X.copy()
    # the activation is element-wise, so the gradient of sum(f(x)) is f'(x)
    numeric = numerical_gradient(lambda z: np.sum(act.f(z)), x)
    assert relative_error(act.grad(X), numeric) < 1e-8


def test_reference_values():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(A.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(A.tanh(x), np.tanh(x))
    np.testing.assert_array_equal(A.relu(x), [0, 0, 0, 0.5, 2])
    np.testing.assert_allclose(A.leaky_relu(x), [-0.02, -0.005, 0, 0.5, 2])
    np.testing.assert_allclose(A.elu(x), np.where(x > 0, x, np.exp(x) - 1))
    lam, alpha = 1.0507009873554805, 1.6732632423543772
    np.testing.assert_allclose(A.selu(x), lam * np.where(x > 0, x, alpha * (np.exp(x) - 1)))
    np.testing.assert_allclose(A.relu_grad(x), [0, 0, 0, 1, 1])
    np.testing.assert_allclose(A.leaky_relu_grad(x), [0.01, 0.01, 0.01, 1, 1])


def test_leaky_slope_default_and_custom():
    assert A.LEAKY_SLOPE == 0.01
    assert A.leaky_relu(np.array([-10.0]), slope=0.2)[0] == pytest.approx(-2.0)
    assert A.leaky_relu_grad(np.array([-10.0]), slope=0.2)[0] == pytest.approx(0.2)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_for_huge_inputs_and_keeps_dtype(name, dtype):
    act = ACTIVATIONS[name]
    x = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4], dtype=dtype)
    with np.errstate(all="raise", under="ignore"):  # overflow or invalid would fail
        y, dy = act.f(x), act.grad(x)
    assert y.dtype == dtype and dy.dtype == dtype
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dy))


def test_sigmoid_saturates_exactly():
    y = A.sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(y, [0.0, 1.0])
    assert A.sigmoid_grad(np.array([0.0]))[0] == 0.25  # the largest slope: 1/4


def test_every_activation_has_exactly_one_layer_class():
    classes = [cls for cls in vars(layers).values()
               if isinstance(cls, type) and issubclass(cls, ActivationLayer)
               and cls is not ActivationLayer]
    assert sorted(cls.activation for cls in classes) == sorted(ACTIVATIONS)
    assert dict(ACTIVATION_LAYERS) == {cls.activation: cls for cls in classes}
    for name, cls in ACTIVATION_LAYERS.items():
        assert type(activation_layer(name)) is cls


def test_the_layer_classes_are_derived_and_read_only():
    assert list(ACTIVATION_LAYERS) == list(ACTIVATIONS)  # same names, same order
    with pytest.raises(TypeError):
        ACTIVATION_LAYERS["swish"] = ActivationLayer


def test_an_unknown_activation_names_the_argument_and_the_choices():
    with pytest.raises(ValueError, match=r"^activation must be one of 'sigmoid', .*'selu', "
                                         r"got 'swish'$"):
        activation_layer("swish")


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_layer_forward_and_backward_agree_with_functions(name):
    act, layer = ACTIVATIONS[name], activation_layer(name)
    dout = np.random.default_rng(0).standard_normal(X.shape)
    np.testing.assert_allclose(layer.forward(X), act.f(X), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(layer.backward(dout), dout * act.grad(X), rtol=1e-10, atol=1e-15)
