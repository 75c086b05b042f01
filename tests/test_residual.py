"""lib.residual: the residual block's backward pass and the residual network."""

import numpy as np
import pytest

from lib.activations import ACTIVATIONS
from lib.gradcheck import check_layer, check_network
from lib.network import MultiLayerNet
from lib.optimizers import SGD
from lib.residual import ResidualBlock, ResidualNet
from lib.training import train

RNG = np.random.default_rng(11)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("scale", [1.0, 0.4])
def test_the_block_passes_its_gradient_check(activation, scale):
    W, b = RNG.standard_normal((6, 6)), RNG.standard_normal(6)
    block = ResidualBlock(W.copy(), b.copy(), activation, scale)
    errors = check_layer(block, RNG.standard_normal((5, 6)) + 0.05)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < 1e-6, errors


def test_the_block_adds_its_branch_to_its_input_and_mutates_nothing():
    W, b, x = RNG.standard_normal((4, 4)), RNG.standard_normal(4), RNG.standard_normal((3, 4))
    copies = W.copy(), b.copy(), x.copy()
    block = ResidualBlock(W, b, "tanh", scale=0.5)
    np.testing.assert_allclose(block.forward(x), x + 0.5 * np.tanh(x @ W + b))
    dout = RNG.standard_normal((3, 4))
    dx = block.backward(dout)
    branch = 0.5 * dout * (1 - np.tanh(x @ W + b) ** 2)
    np.testing.assert_allclose(dx, dout + branch @ W.T)
    np.testing.assert_allclose(block.grads["W"], x.T @ branch)
    for original, copy in zip((W, b, x), copies, strict=True):
        np.testing.assert_array_equal(original, copy)
    assert block.params["W"] is W
    assert repr(block) == "ResidualBlock(4 -> 4, tanh, scale=0.5)"
    with pytest.raises(ValueError, match=r"^W must be a square matrix"):
        ResidualBlock(np.zeros((3, 4)), np.zeros(4), "relu")
    with pytest.raises(ValueError, match=r"^scale must be a number in \(0, inf\)"):
        ResidualBlock(W, b, "relu", scale=0)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "elu"])
def test_the_network_passes_its_gradient_check(activation):
    net = ResidualNet([5, 6, 6, 6, 3], activation=activation, dtype=np.float64, seed=4,
                      weight_decay=0.01)
    x, t = RNG.standard_normal((7, 5)) + 0.05, RNG.integers(0, 3, 7)
    errors = check_network(net, x, t)
    assert max(errors.values()) < 1e-6, errors


def test_the_network_has_the_same_weights_and_blocks_where_widths_repeat():
    sizes = [5, 6, 6, 8, 8, 8, 3]
    plain = MultiLayerNet(sizes, seed=9)
    net = ResidualNet(sizes, seed=9)
    assert net.params.keys() == plain.params.keys()
    for key in plain.params:
        np.testing.assert_array_equal(net.params[key], plain.params[key])
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Affine", "ReLU", "ResidualBlock", "Affine", "ReLU", "ResidualBlock",
                     "ResidualBlock", "Affine"]
    assert net.blocks == 3 and net.scale == pytest.approx(1 / np.sqrt(3))
    assert net.params["W3"] is net.layers[3].W                       # the very arrays
    assert ResidualNet([5, 6, 3]).blocks == 0 and ResidualNet([5, 6, 3]).scale == 1.0
    assert "blocks=3" in repr(net)
    with pytest.raises(ValueError, match=r"^scale must be a number in \(0, inf\)"):
        ResidualNet(sizes, scale=-1.0)


def test_the_network_computes_its_formula_and_trains():
    net = ResidualNet([4, 5, 5, 2], activation="tanh", dtype=np.float64, seed=1, scale=0.7)
    x = RNG.standard_normal((6, 4))
    p = net.params
    h1 = np.tanh(x @ p["W1"] + p["b1"])
    h2 = h1 + 0.7 * np.tanh(h1 @ p["W2"] + p["b2"])
    np.testing.assert_allclose(net.predict(x), h2 @ p["W3"] + p["b3"])
    t = (x[:, 0] > 0).astype(np.int64)
    history = train(net, SGD(lr=0.3), ((x, t), (x, t)), epochs=60, batch_size=6)
    assert history.loss[-1] < 0.5 * history.loss[0]
