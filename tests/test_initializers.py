"""Tests of lib.initializers: statistics within 3% of their formulas, reproducibility."""

import numpy as np
import pytest

from lib import initializers as I
from lib.initializers import INITIALIZERS
from lib.network import MultiLayerNet

N_IN, N_OUT = 800, 1200  # ~10^6 draws: the sample std is within ~0.1% of the true one


@pytest.mark.parametrize(
    ("name", "std"),
    [
        ("normal", 0.01),
        ("uniform", 0.05 / np.sqrt(3)),
        ("xavier", np.sqrt(2 / (N_IN + N_OUT))),
        ("xavier_normal", np.sqrt(2 / (N_IN + N_OUT))),
        ("xavier_uniform", np.sqrt(6 / (N_IN + N_OUT)) / np.sqrt(3)),
        ("he", np.sqrt(2 / N_IN)),
        ("lecun", np.sqrt(1 / N_IN)),
    ],
)
def test_standard_deviation_matches_formula(name, std):
    W = INITIALIZERS[name](N_IN, N_OUT, np.random.default_rng(0))
    assert W.shape == (N_IN, N_OUT)
    assert W.std() == pytest.approx(std, rel=0.03)
    assert abs(W.mean()) < 0.03 * std


def test_uniform_limits():
    limit = np.sqrt(6 / (N_IN + N_OUT))
    W = I.xavier_uniform(N_IN, N_OUT, np.random.default_rng(0))
    assert W.max() <= limit and W.min() >= -limit
    assert W.max() == pytest.approx(limit, rel=0.03) and W.min() == pytest.approx(-limit, rel=0.03)


def test_zeros_and_custom_scales():
    assert not np.any(I.zeros(3, 4))
    rng = np.random.default_rng(1)
    assert I.normal(N_IN, N_OUT, rng, std=2.0).std() == pytest.approx(2.0, rel=0.03)
    assert np.abs(I.uniform(20, 30, rng, limit=0.3)).max() <= 0.3


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_same_generator_state_same_weights(name):
    a = INITIALIZERS[name](5, 7, np.random.default_rng(3))
    b = INITIALIZERS[name](5, 7, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


def test_network_takes_a_number_as_the_std():
    net = MultiLayerNet([N_IN, N_OUT, 2], init=0.5, dtype=np.float64)
    assert net.params["W1"].std() == pytest.approx(0.5, rel=0.03)
    assert not np.any(net.params["b1"])


def test_network_uses_the_named_formula():
    net = MultiLayerNet([N_IN, N_OUT, 2], init="lecun", dtype=np.float64)
    assert net.params["W1"].std() == pytest.approx(np.sqrt(1 / N_IN), rel=0.03)


def test_get_initializer_resolves_names_numbers_and_functions():
    rng = np.random.default_rng(0)
    assert I.get_initializer("he") is I.he
    assert I.get_initializer(0.25)(N_IN, N_OUT, rng).std() == pytest.approx(0.25, rel=0.03)
    custom = I.xavier_uniform
    assert I.get_initializer(custom) is custom
    for bad, match in [
        ("foo", r"^init must be one of 'zeros', 'normal', .*, a positive number .*got 'foo'$"),
        (0, r"^init must be a number in \(0, inf\), got 0$"),
        (float("inf"), r"^init must be a number in \(0, inf\), got inf$"),
        (True, r"^init must be one of 'zeros', .*got True$"),
    ]:
        with pytest.raises(ValueError, match=match):
            I.get_initializer(bad)


def test_scaled_multiplies_another_initialiser_by_its_gain():
    W = I.Scaled("he", 1.5)(N_IN, N_OUT, np.random.default_rng(3))
    reference = I.he(N_IN, N_OUT, np.random.default_rng(3))
    np.testing.assert_allclose(W, 1.5 * reference)
    assert I.Scaled(0.1, 2.0)(N_IN, N_OUT, np.random.default_rng(0)).std() == pytest.approx(
        0.2, rel=0.03)
    scaled = I.Scaled("lecun", 2.0)
    assert scaled.__name__ == "2 × lecun" and repr(scaled) == "Scaled('lecun', 2)"
    net = MultiLayerNet([N_IN, N_OUT, 2], init=scaled, dtype=np.float64)
    assert net.params["W1"].std() == pytest.approx(2 * np.sqrt(1 / N_IN), rel=0.03)
    with pytest.raises(ValueError, match=r"^gain must be a number in \(0, inf\), got -1$"):
        I.Scaled("he", -1)
    with pytest.raises(ValueError, match=r"^init must be one of"):
        I.Scaled("nope", 1.0)
