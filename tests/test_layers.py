"""Tests of lib.layers: gradient checks of every layer alone, BatchNorm, Dropout, dtypes."""

import numpy as np
import pytest

from lib.activations import ACTIVATIONS
from lib.gradcheck import check_layer, numerical_gradient, relative_error
from lib.layers import (
    Affine,
    BatchNorm,
    Dropout,
    SoftmaxCrossEntropy,
    activation_layer,
)

RNG = np.random.default_rng(42)
X = RNG.standard_normal((8, 5))


def _affine(bias=True, input_grad=True, dtype=np.float64):
    rng = np.random.default_rng(1)
    b = rng.standard_normal(3).astype(dtype) if bias else None
    return Affine(rng.standard_normal((5, 3)).astype(dtype), b, input_grad=input_grad)


def _batchnorm():
    layer = BatchNorm(5)
    layer.gamma[:] = RNG.uniform(0.5, 2.0, 5)  # away from the initial 1 and 0
    layer.beta[:] = RNG.standard_normal(5)
    return layer


def _all_layers():
    return {
        "affine": _affine(),
        "affine-no-bias": _affine(bias=False),
        "affine-first": _affine(input_grad=False),
        **{name: activation_layer(name) for name in ACTIVATIONS},
        "batchnorm": _batchnorm(),
        "dropout": Dropout(0.4, np.random.default_rng(2)),
    }


@pytest.mark.parametrize("name", list(_all_layers()))
def test_gradient_check(name):
    layer = _all_layers()[name]
    errors = check_layer(layer, X)
    expected = {"x"} | set(layer.params)
    if name == "affine-first":
        expected.discard("x")
    assert set(errors) == expected
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_dropout_with_a_given_mask():
    mask = np.random.default_rng(5).random(X.shape) > 0.5
    layer = Dropout(0.5, mask=mask)
    out = layer.forward(X)
    np.testing.assert_array_equal(out, np.where(mask, 2 * X, 0))
    assert check_layer(layer, X)["x"] < 1e-6
    assert layer.fixed_mask is mask  # a mask given by the caller stays


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_cross_entropy_layer_gradient(one_hot):
    scores = RNG.standard_normal((6, 4))
    t = np.array([0, 3, 1, 1, 2, 0])
    if one_hot:
        t = np.eye(4)[t]
    layer = SoftmaxCrossEntropy()
    layer.forward(scores, t)
    numeric = numerical_gradient(lambda s: layer.forward(s, t), scores.copy())
    assert relative_error(layer.backward(), numeric) < 1e-6
    layer.forward(scores, t)
    np.testing.assert_allclose(layer.backward(2.5), 2.5 * layer.backward())


def test_affine_first_layer_skips_the_input_gradient():
    layer = _affine(input_grad=False)
    layer.forward(X)
    assert layer.backward(np.ones((8, 3))) is None
    assert layer.dW.shape == (5, 3) and layer.db.shape == (3,)


def test_affine_forward_and_parameter_gradients():
    layer = _affine()
    out = layer.forward(X)
    np.testing.assert_allclose(out, X @ layer.W + layer.b)
    dout = RNG.standard_normal((8, 3))
    dx = layer.backward(dout)
    np.testing.assert_allclose(dx, dout @ layer.W.T)
    np.testing.assert_allclose(layer.dW, X.T @ dout)
    np.testing.assert_allclose(layer.db, dout.sum(axis=0))
    assert layer.grads["W"] is layer.dW and layer.params["W"] is layer.W


def test_batchnorm_normalises_with_biased_batch_statistics():
    layer = BatchNorm(5)
    x = 3.0 + 2.0 * RNG.standard_normal((50, 5))
    out = layer.forward(x, train=True)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    expected_std = np.sqrt(x.var(axis=0) / (x.var(axis=0) + layer.eps))  # biased var (ddof=0)
    np.testing.assert_allclose(out.std(axis=0), expected_std, rtol=1e-12)


def test_batchnorm_running_statistics_convention():
    layer = BatchNorm(5)
    assert layer.momentum == 0.9 and layer.eps == 1e-5
    np.testing.assert_array_equal(layer.running_mean, 0.0)
    np.testing.assert_array_equal(layer.running_var, 1.0)
    x1, x2 = RNG.standard_normal((20, 5)), 2 + RNG.standard_normal((20, 5))
    layer.forward(x1)
    layer.forward(x2)
    mean = 0.9 * (0.9 * 0 + 0.1 * x1.mean(0)) + 0.1 * x2.mean(0)
    var = 0.9 * (0.9 * 1 + 0.1 * x1.var(0)) + 0.1 * x2.var(0)
    np.testing.assert_allclose(layer.running_mean, mean)
    np.testing.assert_allclose(layer.running_var, var)


def test_batchnorm_uses_running_statistics_at_inference():
    layer = _batchnorm()
    x = 5.0 + 3.0 * RNG.standard_normal((200, 5))
    layer.running_mean[:] = 1.0
    layer.running_var[:] = 4.0
    before = (layer.running_mean.copy(), layer.running_var.copy())
    out = layer.forward(x, train=False)
    np.testing.assert_allclose(out, layer.gamma * (x - 1.0) / np.sqrt(4.0 + 1e-5) + layer.beta)
    # inference leaves the running statistics alone, and each sample is independent
    np.testing.assert_array_equal(layer.running_mean, before[0])
    np.testing.assert_array_equal(layer.running_var, before[1])
    np.testing.assert_allclose(layer.forward(x[:1], train=False), out[:1])
    # after many training passes over one batch, inference reproduces training mode
    for _ in range(300):
        train_out = layer.forward(x, train=True)
    np.testing.assert_allclose(layer.forward(x, train=False), train_out, rtol=1e-6, atol=1e-8)


def test_batchnorm_backward_in_inference_mode():
    layer = _batchnorm()
    layer.running_var[:] = RNG.uniform(0.5, 2.0, 5)
    dout = RNG.standard_normal(X.shape)

    def f(z):
        return np.sum(layer.forward(z, train=False) * dout)

    layer.forward(X, train=False)
    assert relative_error(layer.backward(dout), numerical_gradient(f, X.copy())) < 1e-8


def test_dropout_drops_with_probability_p_and_preserves_the_mean():
    layer = Dropout(0.3, np.random.default_rng(0))
    x = np.full((400, 500), 2.0)
    out = layer.forward(x, train=True)
    assert np.mean(out == 0) == pytest.approx(0.3, abs=0.01)  # p is the DROP probability
    np.testing.assert_allclose(out[out != 0], 2.0 / 0.7)  # kept units scaled by 1/(1 - p)
    assert out.mean() == pytest.approx(2.0, rel=0.01)  # inverted dropout keeps E[out] = x
    assert layer.forward(x, train=False) is x  # identity at inference
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))


def test_dropout_backward_uses_the_forward_mask_and_its_own_generator():
    a, b = Dropout(0.5, np.random.default_rng(7)), Dropout(0.5, np.random.default_rng(7))
    out_a, out_b = a.forward(X), b.forward(X)
    np.testing.assert_array_equal(out_a, out_b)
    np.testing.assert_array_equal(a.backward(np.ones_like(X)), np.where(a.keep, 2.0, 0.0))


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5])
def test_dropout_rejects_bad_p(p):
    with pytest.raises(ValueError, match=rf"^p must be a number in \[0, 1\), got {p}$"):
        Dropout(p)


@pytest.mark.parametrize("name", list(_all_layers()))
def test_inputs_are_never_modified(name):
    layer = _all_layers()[name]
    x = X.copy()
    out = layer.forward(x, train=True)
    dout = np.ones_like(out)
    layer.backward(dout)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(dout, 1.0)


@pytest.mark.parametrize("name", list(_all_layers()))
def test_float32_stays_float32(name):
    layers = {
        **_all_layers(),
        "affine": _affine(dtype=np.float32),
        "affine-no-bias": _affine(bias=False, dtype=np.float32),
        "affine-first": _affine(input_grad=False, dtype=np.float32),
        "batchnorm": BatchNorm(5, dtype=np.float32),
    }
    layer = layers[name]
    x = X.astype(np.float32)
    for train in (True, False):
        out = layer.forward(x, train=train)
        dx = layer.backward(np.ones_like(out))
        arrays = [out, dx, *layer.grads.values(), *vars(layer).values()]
        for a in arrays:
            if isinstance(a, np.ndarray) and a.dtype != bool:
                assert a.dtype == np.float32, (name, train, a.dtype)


def test_reprs_are_helpful():
    assert repr(_affine()) == "Affine(5 -> 3)"
    assert (
        repr(_affine(bias=False, input_grad=False))
        == "Affine(5 -> 3, bias=False, input_grad=False)"
    )
    assert repr(BatchNorm(4)) == "BatchNorm(4, momentum=0.9, eps=1e-05)"
    assert repr(Dropout(0.25)) == "Dropout(p=0.25)"
    assert repr(activation_layer("relu")) == "ReLU()"
    assert repr(activation_layer("leaky_relu")) == "LeakyReLU(slope=0.01)"
    assert repr(activation_layer("leaky_relu", slope=0.2)) == "LeakyReLU(slope=0.2)"
