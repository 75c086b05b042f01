"""Dropout: the layer's two scalings, the network's keywords, and lib.dropout's ensemble maths."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from lib.datasets import load_digits
from lib.dropout import (
    CHUNK_ROWS,
    accuracy,
    after_dropout,
    convert_scaling,
    entropy,
    running_average,
    second_moment_ratio,
    thinned_scores,
    to_probabilities,
    tv_distance,
    variance_shift,
)
from lib.gradcheck import check_layer, check_network
from lib.layers import Affine, BatchNorm, Dropout, ReLU
from lib.losses import softmax
from lib.network import MultiLayerNet
from lib.optimizers import SGD
from lib.overfitting import overfit
from lib.training import train

RNG = np.random.default_rng(0)
X = RNG.standard_normal((12, 5))
T = RNG.integers(0, 3, size=12)


# ---- the layer: scale="test" ----------------------------------------------------------------


def test_scaled_at_inference_drops_without_rescaling_and_scales_at_inference():
    x = RNG.random((50, 40)).astype(np.float32)
    layer = Dropout(0.3, rng=np.random.default_rng(1), scale="test")
    out = layer.forward(x)
    assert_array_equal(out, x * layer.keep)              # kept units pass unscaled
    assert out.dtype == np.float32
    assert_allclose(layer.forward(x, train=False), 0.7 * x, rtol=1e-7)
    dout = RNG.random(x.shape).astype(np.float32)
    layer.forward(x)
    assert_array_equal(layer.backward(dout), dout * layer.keep)
    layer.forward(x, train=False)
    assert_allclose(layer.backward(dout), 0.7 * dout, rtol=1e-7)


def test_both_scalings_draw_the_same_masks_from_the_same_generator():
    x = np.ones((30, 20))
    inverted = Dropout(0.4, rng=np.random.default_rng(3))
    book = Dropout(0.4, rng=np.random.default_rng(3), scale="test")
    inverted.forward(x), book.forward(x)
    assert_array_equal(inverted.keep, book.keep)
    assert_allclose(inverted.forward(x), book.forward(x) / 0.6)


@pytest.mark.parametrize("scale", ["train", "test"])
def test_both_scalings_keep_the_expectation(scale):
    # the mean over 40,000 masks is the inference output, to within five standard errors
    x = np.linspace(0.1, 1.0, 8)[None].repeat(40_000, axis=0)
    layer = Dropout(0.25, rng=np.random.default_rng(4), scale=scale)
    mean = layer.forward(x).mean(axis=0)
    inference = layer.forward(x[:1], train=False)[0]
    factor = 1 / 0.75 if scale == "train" else 1.0
    assert np.all(np.abs(mean - inference) < 5 * factor * np.sqrt(0.25 * 0.75 / 40_000) * x[0])


def test_gradient_check_of_the_test_scaling_with_a_fixed_mask():
    mask = np.random.default_rng(5).random((6, 4)) >= 0.5
    errors = check_layer(Dropout(0.5, mask=mask, scale="test"), RNG.standard_normal((6, 4)))
    assert errors["x"] < 1e-9


def test_the_test_scaling_is_checked_and_shown():
    with pytest.raises(ValueError, match="scale must be one of 'train', 'test', got 'both'"):
        Dropout(0.5, scale="both")
    assert repr(Dropout(0.25, scale="test")) == "Dropout(p=0.25, scale='test')"
    assert repr(Dropout(0.25)) == "Dropout(p=0.25)"


# ---- the network: input_dropout and dropout_scale --------------------------------------------


def test_input_dropout_comes_first_and_its_network_passes_a_gradient_check():
    net = MultiLayerNet([5, 7, 6, 3], input_dropout=0.2, dropout=0.3, dtype=np.float64, seed=2)
    kinds = [type(layer) for layer in net.layers]
    assert kinds == [Dropout, Affine, ReLU, Dropout, Affine, ReLU, Dropout, Affine]
    assert net.layers[0].p == 0.2 and net.layers[3].p == 0.3
    assert max(check_network(net, X, T).values()) < 1e-7


def test_input_dropout_leaves_the_weights_and_the_hidden_masks_alone():
    plain = MultiLayerNet([5, 7, 6, 3], dropout=0.3, seed=4)
    more = MultiLayerNet([5, 7, 6, 3], dropout=0.3, input_dropout=0.5, seed=4)
    for key in plain.params:
        assert_array_equal(plain.params[key], more.params[key])
    plain.predict(X, train=True), more.predict(X, train=True)
    hidden = [[layer.keep for layer in net.layers if isinstance(layer, Dropout)][-2:]
              for net in (plain, more)]
    for a, b in zip(*hidden, strict=True):
        assert_array_equal(a, b)


def test_dropout_scale_reaches_every_dropout_layer():
    net = MultiLayerNet([5, 7, 6, 3], input_dropout=0.1, dropout=0.2, dropout_scale="test")
    assert {layer.scale for layer in net.layers if isinstance(layer, Dropout)} == {"test"}
    assert repr(net).endswith("seed=0, input_dropout=0.1, dropout_scale='test')")
    assert repr(MultiLayerNet([5, 3])).endswith("seed=0)")


@pytest.mark.parametrize("kwargs, message", [
    ({"input_dropout": 1.0}, r"input_dropout must be a number in \[0, 1\), got 1.0"),
    ({"dropout_scale": "inverted"}, "dropout_scale must be one of 'train', 'test'"),
])
def test_the_new_keywords_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MultiLayerNet([5, 3], **kwargs)


def test_overfit_passes_the_keywords_and_its_run_rebuilds_the_network():
    small = {"hidden": (8,), "n_train": 50, "epochs": 3, "batch_size": 20, "evaluate": False}
    run = overfit(1, input_dropout=0.2, dropout=0.3, dropout_scale="test", **small)
    assert run.setting["input_dropout"] == 0.2 and run.setting["dropout_scale"] == "test"
    net = run.network()
    assert net.input_dropout == 0.2 and net.dropout_scale == "test" and net.sizes == [64, 8, 10]
    (_, _), (x_test, t_test) = load_digits()
    assert net.accuracy(x_test, t_test) == run.final_test_acc
    net.params["W1"][...] = 0
    assert not np.all(run.params["W1"] == 0)            # copies, not the run's arrays


# ---- thinned networks and their averages -----------------------------------------------------


def small_net(**kw):
    return MultiLayerNet([5, 6, 3], dropout=0.4, seed=3, dtype=np.float64, **kw)


def test_thinned_scores_are_the_forward_pass_with_masks_drawn_from_the_seed():
    net = small_net()
    scores = thinned_scores(net, X, 7, seed=11)
    assert scores.shape == (7, 12, 3) and scores.dtype == np.float64
    rng = np.random.default_rng(11)                      # by hand: one batch of 7 copies
    h = np.maximum(np.tile(X, (7, 1)) @ net.params["W1"] + net.params["b1"], 0)
    keep = rng.random(h.shape) >= 0.4
    by_hand = (h * keep / 0.6) @ net.params["W2"] + net.params["b2"]
    assert_allclose(scores, by_hand.reshape(7, 12, 3), rtol=1e-12)


def test_thinned_scores_repeat_for_a_seed_and_leave_the_network_as_it_was():
    net = small_net()
    own = [layer.rng.bit_generator.state for layer in net.layers if isinstance(layer, Dropout)]
    x = X.copy()
    a, b = thinned_scores(net, x, 5, seed=2), thinned_scores(net, x, 5, seed=2)
    assert_array_equal(a, b)
    assert not np.array_equal(a, thinned_scores(net, x, 5, seed=3))
    assert_array_equal(x, X)
    after = [layer.rng.bit_generator.state for layer in net.layers if isinstance(layer, Dropout)]
    assert own == after


def test_thinned_scores_in_chunks_equal_one_pass(monkeypatch):
    # one dropout layer: the chunks draw the same stream of numbers as one pass does
    net = small_net()
    assert CHUNK_ROWS > 6 * len(X)
    whole = thinned_scores(net, X, 6, seed=1)
    monkeypatch.setattr("lib.dropout.CHUNK_ROWS", 24)    # two copies of X per pass
    assert_allclose(thinned_scores(net, X, 6, seed=1), whole, rtol=1e-12)
    monkeypatch.setattr("lib.dropout.CHUNK_ROWS", 5)     # fewer rows than X: one copy per pass
    assert_allclose(thinned_scores(net, X, 6, seed=1), whole, rtol=1e-12)


def test_thinned_scores_keep_batch_norm_in_inference_mode():
    net = MultiLayerNet([5, 6, 3], batchnorm=True, dropout=0.3, seed=1)
    bn = next(layer for layer in net.layers if isinstance(layer, BatchNorm))
    bn.running_mean[...] = 0.5
    before = bn.running_mean.copy(), bn.running_var.copy()
    scores = thinned_scores(net, X, 4)
    assert_array_equal(bn.running_mean, before[0])
    assert_array_equal(bn.running_var, before[1])
    assert scores.shape == (4, 12, 3)


def test_thinned_scores_need_random_dropout_layers_and_good_arguments():
    with pytest.raises(ValueError, match="net must have dropout layers"):
        thinned_scores(MultiLayerNet([5, 3]), X, 3)
    net = small_net()
    next(layer for layer in net.layers if isinstance(layer, Dropout)).fixed_mask = np.ones((12, 6))
    with pytest.raises(ValueError, match="fixed_mask"):
        thinned_scores(net, X, 3)
    for bad in (0, 2.5):
        with pytest.raises(ValueError, match="n_masks must be an integer in"):
            thinned_scores(small_net(), X, bad)
    with pytest.raises(ValueError, match="x must have shape"):
        thinned_scores(small_net(), X[:, :4], 3)


def test_to_probabilities_is_the_softmax_of_every_row():
    scores = RNG.standard_normal((4, 12, 3))
    probs = to_probabilities(scores)
    assert_allclose(probs.sum(axis=-1), 1.0)
    assert_allclose(probs[2], softmax(scores[2]))


def test_running_averages_by_hand():
    scores = RNG.standard_normal((6, 12, 3)) * 3
    probs = softmax(scores.reshape(-1, 3)).reshape(scores.shape)
    arithmetic = running_average(scores, [1, 4, 6])
    assert arithmetic.shape == (3, 12, 3)
    assert_allclose(arithmetic[0], probs[0])
    assert_allclose(arithmetic[1], probs[:4].mean(axis=0))
    geometric = running_average(scores, [4], mean="geometric")[0]
    by_hand = np.exp(np.log(probs[:4]).mean(axis=0))     # normalised geometric mean
    assert_allclose(geometric, by_hand / by_hand.sum(axis=1, keepdims=True), rtol=1e-12)
    assert_allclose(geometric, softmax(scores[:4].mean(axis=0)), rtol=1e-12)
    assert running_average(scores).shape == (6, 12, 3)
    assert_allclose(running_average(scores, np.array([2]))[0], probs[:2].mean(axis=0))


def test_running_average_checks_its_arguments():
    scores = np.zeros((3, 2, 2))
    with pytest.raises(ValueError, match="counts must be an integer in"):
        running_average(scores, [4])
    with pytest.raises(ValueError, match="mean must be one of 'arithmetic', 'geometric'"):
        running_average(scores, mean="harmonic")
    with pytest.raises(ValueError, match="scores must be a 3-D array"):
        running_average(scores[0])


def test_accuracy_tv_distance_and_entropy_by_hand():
    probs = np.array([[0.7, 0.3], [0.2, 0.8], [0.6, 0.4]])
    assert accuracy(probs, [0, 1, 1]) == pytest.approx(2 / 3)
    assert accuracy(probs, np.eye(2)[[0, 1, 0]]) == 1.0
    assert_allclose(accuracy(np.stack([probs, probs[:, ::-1]]), [0, 1, 1]), [2 / 3, 1 / 3])
    with pytest.raises(ValueError, match="t must hold one label per row"):
        accuracy(probs, [0, 1])
    same = tv_distance(probs, probs)
    assert same == 0.0
    assert tv_distance(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])) == 1.0
    assert tv_distance(probs, probs[:, ::-1]) == pytest.approx((0.4 + 0.6 + 0.2) / 3)
    with pytest.raises(ValueError, match="q must have the shape"):
        tv_distance(probs, probs[:2])
    assert_allclose(entropy([[0.5, 0.5], [1.0, 0.0]]), [np.log(2), 0.0])
    assert entropy(np.full(10, 0.1)) == pytest.approx(np.log(10))
    with pytest.raises(ValueError, match="probs must be an array of numbers in"):
        entropy([[1.5, -0.5]])


def test_second_moment_ratio_grows_like_one_over_q_per_layer():
    x = load_digits()[0][0][:300]
    for depth, p in [(1, 0.5), (6, 0.2)]:
        net = MultiLayerNet([64, *[100] * depth, 10], dropout=p, seed=0)
        ratio = second_moment_ratio(net, x, n_masks=10)
        assert 0.5 < ratio * (1 - p) ** depth < 2


# ---- the two scalings: the same networks, rescaled ------------------------------------------


def test_after_dropout_lists_the_weights_that_read_a_dropout_layer():
    assert after_dropout(MultiLayerNet([5, 4, 4, 3])) == {}
    assert after_dropout(MultiLayerNet([5, 4, 4, 3], dropout=0.3)) == {"W2": 0.3, "W3": 0.3}
    both = MultiLayerNet([5, 4, 3], dropout=0.3, input_dropout=0.1, batchnorm=True)
    assert after_dropout(both) == {"W1": 0.1, "W2": 0.3}


@pytest.mark.parametrize("start", ["test", "train"])
def test_convert_scaling_computes_the_same_function(start):
    net = MultiLayerNet([5, 7, 6, 3], dropout=0.3, input_dropout=0.2, batchnorm=True,
                        dropout_scale=start, dtype=np.float64, seed=6)
    net.loss(X, T)                                        # move the running averages
    other = "train" if start == "test" else "test"
    twin = convert_scaling(net, other)
    assert twin.dropout_scale == other
    fresh = MultiLayerNet([5, 7, 6, 3], dropout=0.3, input_dropout=0.2, batchnorm=True,
                          dropout_scale=start, dtype=np.float64, seed=6)
    for key, value in net.params.items():
        fresh.params[key][...] = value
    for a, b in zip(net.layers, fresh.layers, strict=True):
        if isinstance(a, BatchNorm):
            b.running_mean, b.running_var = a.running_mean.copy(), a.running_var.copy()
    assert_allclose(twin.predict(X), net.predict(X), rtol=1e-12, atol=1e-12)
    assert twin.loss(X, T) == pytest.approx(fresh.loss(X, T), rel=1e-12)   # the same masks
    factors = after_dropout(net)
    scale = {k: (1 - v) if other == "train" else 1 / (1 - v) for k, v in factors.items()}
    for key, value in net.params.items():
        assert_allclose(twin.params[key], scale.get(key, 1.0) * value, rtol=1e-12)
    back = convert_scaling(twin, start)
    for key, value in net.params.items():
        assert_allclose(back.params[key], value, rtol=1e-12)
    same = convert_scaling(net, start)
    for key, value in net.params.items():
        assert_array_equal(same.params[key], value)
    with pytest.raises(ValueError, match="scale must be one of 'train', 'test'"):
        convert_scaling(net, "both")


def test_the_rescaled_twins_stay_in_step_under_sgd_with_scaled_learning_rates():
    book = MultiLayerNet([5, 7, 6, 3], dropout=0.4, dropout_scale="test", dtype=np.float64,
                         seed=8)
    twin = convert_scaling(book, "train")
    factors = after_dropout(book)
    for _ in range(20):
        g_book, g_twin = book.gradient(X, T), twin.gradient(X, T)
        for key in book.params:
            q = 1 - factors.get(key, 0.0)
            book.params[key] -= 0.1 * g_book[key]
            twin.params[key] -= 0.1 * q**2 * g_twin[key]
    for key in book.params:
        assert_allclose(twin.params[key], (1 - factors.get(key, 0.0)) * book.params[key],
                        atol=1e-12)


# ---- batch normalisation after dropout --------------------------------------------------------


def test_variance_shift_by_hand():
    (x, t), _ = load_digits()
    assert variance_shift(MultiLayerNet([64, 10, 10, 10], batchnorm=True), x) == {}
    net = MultiLayerNet([64, 20, 20, 10], batchnorm=True, dropout=0.5, seed=1)
    train(net, SGD(lr=0.1), ((x, t), (x, t)), epochs=3, evaluate=False)
    shift = variance_shift(net, x)
    assert list(shift) == [2]
    h = x
    for layer in net.layers[:5]:                          # up to the second batch norm
        h = layer.forward(h, train=False)
    bn = net.layers[5]
    assert isinstance(bn, BatchNorm)
    assert_allclose(shift[2], bn.running_var / h.astype(np.float64).var(axis=0), rtol=1e-6)
    assert np.median(shift[2]) > 1.2
    with pytest.raises(ValueError, match="x must hold at least two inputs"):
        variance_shift(net, x[:1])
