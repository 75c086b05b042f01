"""Tests of lib.network.MultiLayerNet: structure, gradient checks, penalties, dtypes, bad input."""

import numpy as np
import pytest

from lib.activations import ACTIVATIONS
from lib.gradcheck import check_network
from lib.layers import ACTIVATION_LAYERS, Affine, BatchNorm, Dropout, ReLU
from lib.network import MultiLayerNet
from lib.optimizers import SGD

RNG = np.random.default_rng(42)
X = RNG.random((7, 5))
T = np.array([0, 1, 2, 3, 1, 2, 0])
SIZES = [5, 10, 8, 4]


def _checkable(**kw):
    """A float64 net whose biases, gamma and beta are moved off their initial 0 and 1, so that
    no ReLU input sits exactly on the kink (a dropped-out row times W plus a zero bias is 0)."""
    net = MultiLayerNet(SIZES, dtype=np.float64, seed=3, **kw)
    rng = np.random.default_rng(0)
    for key, p in net.params.items():
        if not key.startswith("W"):
            p += 0.1 * rng.standard_normal(p.shape)
    return net


CONFIGS = {
    "plain": {},
    "batchnorm": {"batchnorm": True},
    "dropout": {"dropout": 0.3},
    "l2": {"weight_decay": 0.1},
    "l1": {"l1": 0.05},
    "everything": {"batchnorm": True, "dropout": 0.3, "weight_decay": 0.1, "l1": 0.05},
    **{f"activation={name}": {"activation": name} for name in ACTIVATIONS},
    "init=xavier+sigmoid+batchnorm": {"init": "xavier", "activation": "sigmoid", "batchnorm": True},
}


@pytest.mark.parametrize("config", list(CONFIGS))
def test_gradient_check_whole_network(config):
    net = _checkable(**CONFIGS[config])
    if net.l1:  # |W| has a kink at 0: keep every weight well away from it
        for W in (p for key, p in net.params.items() if key.startswith("W")):
            W += np.where(W >= 0, 0.01, -0.01)
    errors = check_network(net, X, T)
    assert set(errors) == set(net.params)
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_with_one_hot_labels():
    errors = check_network(_checkable(batchnorm=True), X, np.eye(4)[T])
    assert max(errors.values()) < 1e-6, errors


def test_layer_order_and_parameter_names():
    net = MultiLayerNet(SIZES, batchnorm=True, dropout=0.5)
    kinds = [type(layer) for layer in net.layers]
    block = [Affine, BatchNorm, ReLU, Dropout]
    assert kinds == block + block + [Affine]
    # with batch normalisation only the output layer has a bias
    assert list(net.params) == ["W1", "gamma1", "beta1", "W2", "gamma2", "beta2", "W3", "b3"]
    plain = MultiLayerNet(SIZES, activation="tanh")
    assert [type(layer).__name__ for layer in plain.layers] == [
        "Affine", "Tanh", "Affine", "Tanh", "Affine"
    ]  # fmt: skip
    assert list(plain.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]


def test_params_are_the_arrays_the_layers_use():
    net = MultiLayerNet(SIZES, batchnorm=True)
    assert net.params["W1"] is net.layers[0].W
    assert net.params["gamma1"] is net.layers[1].gamma
    assert net.params["b3"] is net.layers[-1].b
    before = net.predict(X)
    SGD(lr=0.5).update(net.params, net.gradient(X, T))  # in place
    assert net.params["W1"] is net.layers[0].W
    assert not np.allclose(net.predict(X), before)


def test_first_layer_skips_the_input_gradient():
    net = MultiLayerNet(SIZES)
    assert net.layers[0].input_grad is False
    assert all(layer.input_grad for layer in net.layers[1:] if isinstance(layer, Affine))


def test_penalties_in_loss_and_gradient():
    base = MultiLayerNet(SIZES, dtype=np.float64)
    l2 = MultiLayerNet(SIZES, dtype=np.float64, weight_decay=0.3)
    l1 = MultiLayerNet(SIZES, dtype=np.float64, l1=0.2)
    weights = [base.params[k] for k in ("W1", "W2", "W3")]
    sq = sum(np.sum(W**2) for W in weights)
    ab = sum(np.sum(np.abs(W)) for W in weights)
    assert l2.loss(X, T) == pytest.approx(base.loss(X, T) + 0.5 * 0.3 * sq, rel=1e-12)
    assert l1.loss(X, T) == pytest.approx(base.loss(X, T) + 0.2 * ab, rel=1e-12)
    g0, g2, g1 = base.gradient(X, T), l2.gradient(X, T), l1.gradient(X, T)
    for key in g0:
        extra2 = 0.3 * base.params[key] if key.startswith("W") else 0.0
        extra1 = 0.2 * np.sign(base.params[key]) if key.startswith("W") else 0.0
        np.testing.assert_allclose(g2[key], g0[key] + extra2, atol=1e-14)
        np.testing.assert_allclose(g1[key], g0[key] + extra1, atol=1e-14)


def test_loss_and_gradient_is_one_training_forward_pass():
    net = MultiLayerNet(SIZES, batchnorm=True, dtype=np.float64, weight_decay=0.01)
    calls = []
    first = net.layers[0]
    original = first.forward
    first.forward = lambda x, train=True: calls.append(train) or original(x, train)
    loss, grads = net.loss_and_gradient(X, T)
    assert calls == [True]
    assert loss == pytest.approx(net.loss(X, T, train=True), rel=1e-12)
    for key, g in net.gradient(X, T).items():
        np.testing.assert_allclose(grads[key], g)


def test_float32_everywhere():
    net = MultiLayerNet(SIZES, batchnorm=True, dropout=0.2, weight_decay=0.01, l1=0.01)
    x64 = X  # float64 data is converted once, not allowed to upcast the maths
    loss, grads = net.loss_and_gradient(x64, T)
    assert isinstance(loss, float)
    assert all(g.dtype == np.float32 for g in grads.values())
    assert all(p.dtype == np.float32 for p in net.params.values())
    for layer in [*net.layers, net.loss_layer]:
        for name, value in vars(layer).items():
            if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                assert value.dtype == np.float32, (layer, name, value.dtype)
    assert net.predict(x64).dtype == np.float32
    assert net.predict(x64, train=True).dtype == np.float32


def test_same_seed_same_network_and_weights_independent_of_options():
    a, b = MultiLayerNet(SIZES, seed=5), MultiLayerNet(SIZES, seed=5)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    c = MultiLayerNet(SIZES, seed=6)
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    d = MultiLayerNet(SIZES, seed=5, dropout=0.5, batchnorm=True)
    np.testing.assert_array_equal(a.params["W2"], d.params["W2"])
    f64 = MultiLayerNet(SIZES, seed=5, dtype=np.float64)
    np.testing.assert_allclose(f64.params["W1"], a.params["W1"], rtol=1e-6)


def test_dropout_layers_have_their_own_generators():
    net = MultiLayerNet([5, 50, 50, 4], dropout=0.5)
    first, second = (layer for layer in net.layers if isinstance(layer, Dropout))
    assert first.rng is not second.rng
    x = np.ones((20, 50), dtype=np.float32)
    assert not np.array_equal(first.forward(x), second.forward(x))


def test_predict_accuracy_inference_mode():
    net = MultiLayerNet(SIZES, dropout=0.5, batchnorm=True)
    scores = net.predict(X)
    assert scores.shape == (7, 4)
    np.testing.assert_array_equal(net.predict(X), scores)  # no randomness at inference
    acc = net.accuracy(X, T)
    assert acc == np.mean(scores.argmax(axis=1) == T)
    assert net.accuracy(X, np.eye(4)[T]) == acc
    assert net.accuracy(X, T, batch_size=2) == acc


def test_repr():
    net = MultiLayerNet([64, 100, 10])
    assert repr(net) == (
        "MultiLayerNet(sizes=[64, 100, 10], activation='relu', init='he', batchnorm=False, "
        "dropout=0.0, weight_decay=0.0, l1=0.0, dtype='float32', seed=0)"
    )


def test_every_activation_builds_its_layer():
    for name, cls in ACTIVATION_LAYERS.items():
        net = MultiLayerNet(SIZES, activation=name)
        assert isinstance(net.layers[1], cls)


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sizes": [64]}, "sizes must have at least two"),
        ({"sizes": [64, 0, 10]}, r"sizes\[1\] must be an integer in \[1, inf\), got 0"),
        ({"sizes": [64, -3, 10]}, r"sizes\[1\] must be an integer in \[1, inf\), got -3"),
        ({"sizes": [64, 2.5, 10]}, r"sizes\[1\] must be an integer in \[1, inf\), got 2.5"),
        ({"activation": "foo"},
         "activation must be one of 'sigmoid', 'tanh', 'relu', .*got 'foo'"),
        ({"init": "foo"}, "init must be one of 'zeros', 'normal', .*got 'foo'"),
        ({"init": -0.1}, r"init must be a number in \(0, inf\), got -0.1"),
        ({"init": None}, "init must be one of .*got None"),
        ({"dropout": 1.0}, r"dropout must be a number in \[0, 1\), got 1.0"),
        ({"dropout": -0.1}, r"dropout must be a number in \[0, 1\), got -0.1"),
        ({"weight_decay": -1.0}, r"weight_decay must be a number in \[0, inf\), got -1.0"),
        ({"l1": -0.5}, r"l1 must be a number in \[0, inf\), got -0.5"),
        ({"dtype": np.int64}, "dtype must be np.float32 or np.float64"),
    ],
)
def test_bad_constructor_arguments(kwargs, match):
    kwargs = {"sizes": SIZES, **kwargs}
    with pytest.raises(ValueError, match=match):
        MultiLayerNet(**kwargs)


METHODS = {
    "loss": lambda net, x, t: net.loss(x, t),
    "gradient": lambda net, x, t: net.gradient(x, t),
    "loss_and_gradient": lambda net, x, t: net.loss_and_gradient(x, t),
    "accuracy": lambda net, x, t: net.accuracy(x, t),
}


@pytest.mark.parametrize("method", [*METHODS, "predict"])
def test_wrong_number_of_features(method):
    net = MultiLayerNet(SIZES)
    call = METHODS.get(method, lambda net, x, t: net.predict(x))
    with pytest.raises(
        ValueError, match=r"x must have shape \(N, 5\) \(5 features\), got \(7, 6\)"
    ):
        call(net, np.ones((7, 6)), T)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 5\)"):
        call(net, np.ones(5), T[:1])


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize(
    ("t", "match"),
    [
        (np.array([0, 1, 2, 4, 1, 2, 0]), r"t must hold class indices in \[0, 3\], got .*4"),
        (np.array([0, -1, 2, 3, 1, 2, 0]), r"t must hold class indices in \[0, 3\], got .*-1"),
        (np.array([0, 1, 2]), r"t must have one label per sample \(7\), got 3"),
        (T.astype(float), "t must hold integer class indices"),
        (np.ones((7, 3)), r"t must be class indices of shape \(7,\) or one-hot rows"),
    ],
)
def test_bad_labels(method, t, match):
    with pytest.raises(ValueError, match=match):
        METHODS[method](MultiLayerNet(SIZES), X, t)


def test_optimizer_rejects_grads_with_other_keys():
    net = MultiLayerNet(SIZES)
    grads = net.gradient(X, T)
    del grads["b2"]
    with pytest.raises(ValueError, match="grads must have the same keys as params"):
        SGD().update(net.params, grads)
