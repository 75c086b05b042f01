"""lib.batch_norm_training: the weight-scale runs, the batch-size gap, the step profile."""

import numpy as np
import pytest

from lib.batch_norm import batchnorm_layers, expected_batch_variance
from lib.batch_norm_training import (
    SCALES,
    SIZES,
    ScaleRun,
    batch_size_gap,
    hidden_activations,
    scale_run,
    step_profile,
)
from lib.datasets import load_digits
from lib.network import MultiLayerNet


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_the_books_scales_and_network():
    np.testing.assert_allclose(SCALES, np.logspace(0, -4, 16))
    assert all(isinstance(s, float) for s in SCALES)
    assert SIZES == (64, 100, 100, 100, 100, 100, 10)


def test_scale_run_records_accuracy_per_epoch(digits):
    run = scale_run(0.05, True, seed=1, epochs=2, n_train=300, data=digits)
    assert isinstance(run, ScaleRun) and run.diverged_at is None
    assert run.accuracy.shape == (3,) and np.all((run.accuracy >= 0) & (run.accuracy <= 1))
    assert run.final == run.accuracy[-1] and run.before is None
    again = scale_run(0.05, True, seed=1, epochs=2, n_train=300, data=digits)
    np.testing.assert_array_equal(run.accuracy, again.accuracy)   # seeded
    assert "final accuracy" in repr(run)


def test_scale_run_reports_divergence_and_activations(digits):
    run = scale_run(1.0, False, epochs=2, n_train=300, activations=True, data=digits)
    assert run.diverged_at is not None and run.diverged_at < 10
    assert np.isnan(run.final) and "diverged at step" in repr(run)
    assert len(run.before) == len(run.after) == 5
    assert run.before[0].shape == (100, 100)
    assert not np.all(np.isfinite(np.concatenate([a.ravel() for a in run.after])))


def test_scale_run_eps_reaches_the_layers(digits):
    tiny = scale_run(1e-4, True, epochs=1, n_train=200, eps=1e-9, activations=True,
                     data=digits)
    default = scale_run(1e-4, True, epochs=1, n_train=200, activations=True, data=digits)
    # with eps far below the batch variance, the last layer is normalised again
    assert np.std(tiny.before[-1]) > 100 * np.std(default.before[-1])


def test_scale_run_refuses_bad_input():
    with pytest.raises(ValueError, match="scale"):
        scale_run(0.0, True)
    with pytest.raises(ValueError, match="eps"):
        scale_run(0.1, True, epochs=0, eps=-1.0)
    with pytest.raises(ValueError, match="n_train"):
        scale_run(0.1, True, n_train=0)


def test_hidden_activations_leave_the_network_alone(digits):
    (x, _), _ = digits
    net = MultiLayerNet([64, 7, 5, 10], batchnorm=True, seed=0)
    before = [layer.running_mean.copy() for layer in batchnorm_layers(net)]
    outputs = hidden_activations(net, x[:20])
    assert [o.shape for o in outputs] == [(20, 7), (20, 5)]
    assert all(np.all(o >= 0) for o in outputs)  # ReLU
    for layer, mean in zip(batchnorm_layers(net), before, strict=True):
        np.testing.assert_array_equal(layer.running_mean, mean)


def test_batch_size_gap(digits):
    result = batch_size_gap(16, seed=0, epochs=1, sizes=(64, 30, 10), n_batches=50,
                            data=digits, details=True)
    for key in ("train mode", "running", "biased", "unbiased", "std", "population",
                "disagreement"):
        assert 0 <= result[key] <= 1, key
    assert result["running"] > 0.5
    ratios = result["ratios"]
    assert abs(ratios["biased"] / expected_batch_variance(16) - 1) < 0.05
    assert abs(ratios["unbiased"] - 1) < 0.05
    assert ratios["std"] < ratios["biased"] < ratios["unbiased"]
    assert result["stats"].batch_size == 16 and result["stats"].n_batches == 50
    assert len(result["population statistics"]) == 1
    plain = batch_size_gap(16, seed=0, epochs=1, sizes=(64, 30, 10), n_batches=50,
                           data=digits)
    assert "net" not in plain and plain["running"] == result["running"]
    with pytest.raises(ValueError, match="batch_size"):
        batch_size_gap(1, data=digits)


def test_step_profile_first_order_and_no_side_effects(digits):
    (x, t), _ = digits
    net = MultiLayerNet([64, 20, 20, 10], batchnorm=True, seed=0, dtype=np.float64)
    params = {k: p.copy() for k, p in net.params.items()}
    lrs = [1e-5, 1e-4, 1.0]
    p = step_profile(net, x[:50], t[:50], lrs)
    for k, v in net.params.items():
        np.testing.assert_array_equal(v, params[k])
    assert p["losses"].shape == (3,) and p["gradient_change"].shape == (3,)
    # first order: L(w - eta g) = L(w) - eta |g|^2 + O(eta^2)
    predicted = p["loss"] - lrs[0] * p["grad_norm"] ** 2
    assert abs(p["losses"][0] - predicted) < 1e-3 * lrs[0] * p["grad_norm"] ** 2
    # the gradient changes in proportion to the step for small steps
    assert abs(p["gradient_change"][1] / p["gradient_change"][0] - 10) < 0.1
    with pytest.raises(ValueError, match="lrs"):
        step_profile(net, x[:50], t[:50], [0.1, -1.0])
