"""lib.propagation: forward and backward statistics of a deep stack at initialisation."""

import numpy as np
import pytest

from lib.activations import ACTIVATIONS
from lib.propagation import Propagation, propagate, std


def recording_init(std_=0.1):
    """A Gaussian initialiser that keeps every matrix it draws, to recompute the stack by hand."""
    drawn = []

    def init(n_in, n_out, rng):
        W = std_ * rng.standard_normal((n_in, n_out))
        drawn.append(W.copy())
        return W

    return init, drawn


def injected_gradient(seed, shape):
    """The gradient G that ``propagate`` sends down: the third of its seed's streams."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2]).standard_normal(shape)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "selu"])
def test_forward_and_backward_match_a_hand_written_stack(activation):
    init, drawn = recording_init(0.15)
    prop = propagate(activation, init, depth=4, width=7, n_samples=11, seed=3)
    f, f_grad = ACTIVATIONS[activation]

    xs, pre = [prop.outputs[0]], []
    for W in drawn:
        pre.append(xs[-1] @ W)
        xs.append(f(pre[-1]))
    for ours, expected in zip(prop.outputs, xs, strict=False):
        np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(prop.forward_std, [np.std(x) for x in xs], rtol=1e-12)

    delta = injected_gradient(3, xs[-1].shape)
    back_std, grad_norms = [np.std(delta)], []
    for W, a, x_prev in zip(drawn[::-1], pre[::-1], xs[-2::-1], strict=False):
        da = delta * f_grad(a)
        grad_norms.append(np.linalg.norm(x_prev.T @ da))
        delta = da @ W.T
        back_std.append(np.std(delta))
    np.testing.assert_allclose(prop.backward_std, back_std[::-1], rtol=1e-10)
    np.testing.assert_allclose(prop.weight_grad_norm, grad_norms[::-1], rtol=1e-10)
    np.testing.assert_allclose(prop.weight_std, [np.std(W) for W in drawn], rtol=1e-12)


def test_shapes_and_fields():
    prop = propagate("relu", "he", depth=6, width=20, n_samples=30)
    assert isinstance(prop, Propagation)
    assert prop.depth == 6 and prop.n_samples == 30 and prop.widths == (20,) * 7
    assert len(prop.outputs) == 7 and all(o.shape == (30, 20) for o in prop.outputs)
    assert prop.forward_std.shape == (7,) and prop.backward_std.shape == (7,)
    assert prop.weight_grad_norm.shape == (6,) and prop.weight_std.shape == (6,)
    assert all(o.dtype == np.float64 for o in prop.outputs)
    assert prop.diverged_at is None
    assert "relu" in repr(prop) and "he" in repr(prop)


def test_a_changing_width():
    prop = propagate("tanh", "xavier", depth=3, width=[40, 20, 10, 5], n_samples=8)
    assert [o.shape for o in prop.outputs] == [(8, 40), (8, 20), (8, 10), (8, 5)]
    # Glorot's std for each layer's (n_in, n_out)
    expected = [np.sqrt(2 / (a + b)) for a, b in [(40, 20), (20, 10), (10, 5)]]
    np.testing.assert_allclose(prop.weight_std, expected, rtol=0.35)


def test_seeded_streams_are_independent():
    a = propagate("relu", "he", depth=3, width=10, n_samples=5, seed=1)
    b = propagate("relu", "he", depth=3, width=10, n_samples=5, seed=1)
    c = propagate("relu", "he", depth=3, width=10, n_samples=50, seed=1)
    d = propagate("relu", "he", depth=3, width=10, n_samples=5, seed=2)
    np.testing.assert_array_equal(a.outputs[-1], b.outputs[-1])
    np.testing.assert_array_equal(a.weight_std, c.weight_std)  # weights ignore n_samples
    assert not np.array_equal(a.weight_std, d.weight_std)


def test_given_input_is_used_and_not_modified():
    x = np.linspace(-1, 1, 24).reshape(4, 6)
    before = x.copy()
    prop = propagate("tanh", 0.3, depth=2, width=6, x=x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(prop.outputs[0], x)
    assert prop.n_samples == 4


def test_the_variance_argument_holds_for_relu():
    """Per layer, ReLU multiplies the std by sigma * sqrt(n / 2) (He: 1)."""
    for init, gain in [(0.01, 0.01 * np.sqrt(50)), (1.0, np.sqrt(50)), ("he", 1.0)]:
        prop = propagate("relu", init, depth=20, width=100, n_samples=200)
        measured = (prop.forward_std[20] / prop.forward_std[1]) ** (1 / 19)
        assert abs(measured / gain - 1) < 0.1, (init, measured, gain)


def test_without_backward_pass():
    prop = propagate("relu", "he", depth=3, width=5, n_samples=4, backward=False)
    assert prop.backward_std is None and prop.weight_grad_norm is None
    assert "backward_std" not in repr(prop)


def test_overflow_is_reported_without_warnings():
    prop = propagate("relu", 1e6, depth=60, width=20, n_samples=10)
    assert prop.diverged_at is not None and 40 < prop.diverged_at <= 60
    assert not np.isfinite(prop.forward_std[-1])
    assert np.all(np.isfinite(prop.forward_std[: prop.diverged_at]))


def test_zero_weights_give_zero_signals():
    prop = propagate("relu", "zeros", depth=3, width=5, n_samples=4)
    assert np.all(prop.forward_std[1:] == 0) and np.all(prop.weight_std == 0)
    assert np.all(prop.backward_std[:-1] == 0) and np.all(prop.weight_grad_norm == 0)


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"activation": "softplus"}, "activation"),
        ({"init": "glorot"}, "init"),
        ({"init": -0.1}, "init"),
        ({"init": True}, "init"),
        ({"init": [0.1]}, "init"),
        ({"depth": 0}, "depth"),
        ({"depth": 2.5}, "depth"),
        ({"width": 0}, "width"),
        ({"width": [10, 10]}, "width"),
        ({"width": [10, 10.5, 10, 10]}, "width"),
        ({"n_samples": 0}, "n_samples"),
        ({"x": np.zeros((3, 4))}, "x"),
        ({"init": lambda n_in, n_out, rng: np.zeros((n_out, n_in + 1))}, "init"),
    ],
)
def test_bad_input_names_the_argument(kwargs, name):
    args = {"activation": "relu", "init": "he", "depth": 3, "width": 10, "n_samples": 5}
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        propagate(**args)


def test_init_may_be_a_name_a_std_or_a_function():
    by_name = propagate("relu", "he", depth=2, width=400, n_samples=2)
    by_std = propagate("relu", 0.3, depth=2, width=400, n_samples=2)
    assert by_name.weight_std == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert by_std.weight_std == pytest.approx(0.3, rel=0.02)
    ones = propagate("relu", lambda n_in, n_out, rng: np.ones((n_in, n_out)), depth=2, width=3,
                     n_samples=2)
    assert np.all(ones.weight_std == 0) and ones.forward_std[2] > 0
    with pytest.raises(ValueError, match=r"^init must be one of 'zeros', .*got 'xavier2'$"):
        propagate("relu", "xavier2")


def test_std_is_exact_for_huge_and_tiny_values():
    base = np.array([1.0, 3.0, -2.0, 0.5])
    for scale in [1e-200, 1e-100, 1.0, 1e100, 1e200]:
        assert std(base * scale) == pytest.approx(np.std(base) * scale, rel=1e-12)
    assert std([]) == 0.0 and std(np.zeros(4)) == 0.0
    assert std([1.0, np.inf]) == np.inf
    assert np.isnan(std([1.0, np.nan]))
