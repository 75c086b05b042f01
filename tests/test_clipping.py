"""lib.clipping: the geometry of clipping, and the network whose gradients explode."""

import numpy as np
import pytest

from lib.clipping import angle, clip, clipping_run, exploding_net
from lib.datasets import load_digits
from lib.diagnostics import global_norm


def test_clipping_by_norm_keeps_the_direction_and_by_value_does_not():
    g = np.array([3.0, 4.0])
    by_norm = clip(g, 1.0, "norm")
    np.testing.assert_allclose(by_norm, [0.6, 0.8], rtol=1e-5)
    np.testing.assert_array_equal(clip(g, 1.0, "value"), [1.0, 1.0])
    np.testing.assert_array_equal(clip(g, 10.0, "norm"), g)            # short enough already
    np.testing.assert_array_equal(clip([0.5, -2.0], 1.0, "value"), [0.5, -1.0])
    np.testing.assert_array_equal(g, [3.0, 4.0])                        # not modified
    assert angle(g, by_norm) == pytest.approx(0.0, abs=1e-3)
    assert angle(g, clip(g, 1.0, "value")) == pytest.approx(
        np.degrees(np.arctan2(4, 3)) - 45.0, abs=1e-6)


def test_angle_by_hand():
    assert angle([1, 0], [0, 2]) == pytest.approx(90.0)
    assert angle([1, 1], [1, 0]) == pytest.approx(45.0)
    assert angle([1, 0], [-3, 0]) == pytest.approx(180.0)
    with pytest.raises(ValueError, match=r"^a and b must not be zero vectors"):
        angle([0, 0], [1, 0])
    with pytest.raises(ValueError, match=r"^b must have the shape of a"):
        angle([1, 0], [1, 0, 0])


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match=r"^threshold must be a number in \(0, inf\)"):
        clip([1.0], 0.0)
    with pytest.raises(ValueError, match=r"^kind must be one of 'norm', 'value'"):
        clip([1.0], 1.0, "sign")
    with pytest.raises(ValueError, match=r"^depth must be an integer"):
        exploding_net(depth=0)


def test_the_exploding_network_has_a_huge_gradient_and_clipping_tames_it():
    data = load_digits()
    (x, t), _ = data
    he = global_norm(exploding_net(gain=1.0).gradient(x[:100], t[:100]))
    big = global_norm(exploding_net(gain=1.5).gradient(x[:100], t[:100]))
    assert big > 30 * he
    history, recorder = clipping_run(None, data=data, max_iterations=20)
    assert history.diverged and history.diverged_at < 10
    history, recorder = clipping_run(10.0, data=data, max_iterations=20, x=x)
    assert not history.diverged and history.loss[-1] < history.loss[0]
    assert recorder.global_norms.shape == (20,) and recorder.global_norms[0] > 10.0
    assert recorder.dead.shape == (3, 10)           # before training and after the two epochs
