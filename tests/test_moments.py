"""lib.moments: Adam's moment estimates and RAdam's steps, on simulated gradients."""

import numpy as np
import pytest

from lib.moments import adam_moments, adaptive_rate_spread, gradient_stream, radam_step_sizes


def test_adam_moments_follow_the_formulas():
    g = np.array([1.0, -2.0, 0.5, 3.0])
    out = adam_moments(g, beta1=0.8, beta2=0.99)
    m = v = 0.0
    for t, gt in enumerate(g, start=1):
        m, v = 0.8 * m + 0.2 * gt, 0.99 * v + 0.01 * gt * gt
        assert out["m"][t - 1] == pytest.approx(m)
        assert out["v"][t - 1] == pytest.approx(v)
        assert out["m_hat"][t - 1] == pytest.approx(m / (1 - 0.8**t))
        assert out["v_hat"][t - 1] == pytest.approx(v / (1 - 0.99**t))
    np.testing.assert_allclose(adam_moments(np.full(30, 2.5))["m_hat"], 2.5)
    with pytest.raises(ValueError, match="grads"):
        adam_moments(np.array([1.0, np.inf]))


def test_adaptive_rate_spread_narrows():
    q = adaptive_rate_spread(beta2=0.999, steps=200, runs=3000, seed=1)
    assert q.shape == (3, 200)
    assert np.all(q[0] <= q[1]) and np.all(q[1] <= q[2])
    width = q[2] / q[0]
    assert width[0] > 15 and width[-1] < 1.3
    with pytest.raises(ValueError, match="runs"):
        adaptive_rate_spread(runs=1)


def test_radam_step_sizes_are_momentum_steps_then_rectified():
    sizes = radam_step_sizes(beta2=0.999, steps=50)
    np.testing.assert_allclose(sizes[:5], 1.0, rtol=1e-9)
    assert 0 < sizes[5] < 0.05 and np.all(np.diff(sizes[5:]) > 0)
    small = radam_step_sizes(beta2=0.999, steps=10, grad=0.01)
    np.testing.assert_allclose(small[:5], 0.01, rtol=1e-9)  # un-adapted: scale of the gradient
    np.testing.assert_allclose(small[5:], sizes[5:10], rtol=1e-6)  # adapted: scale-free
    with pytest.raises(ValueError, match="grad"):
        radam_step_sizes(grad=0.0)


def test_gradient_stream_is_seeded_noise_around_one():
    g = gradient_stream(2000, 0.5, seed=3)
    np.testing.assert_array_equal(g, gradient_stream(2000, 0.5, seed=3))
    assert abs(g.mean() - 1) < 0.05 and abs(g.std() - 0.5) < 0.05
    np.testing.assert_array_equal(gradient_stream(5, 0.0), np.ones(5))
    with pytest.raises(ValueError, match="noise"):
        gradient_stream(5, -1.0)


def test_inputs_are_not_mutated():
    g = np.array([1.0, 2.0, 3.0])
    before = g.copy()
    adam_moments(g)
    np.testing.assert_array_equal(g, before)
