"""lib.interactive.batch_norm: the explorers and the static figures of the chapter."""

import numpy as np
import pytest
from figures import texts
from matplotlib.figure import Figure

from lib.batch_norm_training import SCALES, ScaleRun
from lib.interactive import batch_norm as bn


def _run(scale, batchnorm, seed, diverged=False):
    acc = np.linspace(0.1, 0.9 if batchnorm else 0.3, 6) + 0.01 * seed
    if diverged:
        acc[1:] = np.nan
    return ScaleRun(scale, batchnorm, acc, 3 if diverged else None)


def test_sigmoid_figure():
    z = np.random.default_rng(0).standard_normal(500)
    fig = bn.sigmoid_figure({"normalised": z, "scaled": 3 * z})
    assert isinstance(fig, Figure) and len(fig.axes) == 2 * 2 + 2  # two twin axes
    assert "normalised" in texts(fig)
    with pytest.raises(ValueError, match="inputs"):
        bn.sigmoid_figure({})


def test_scale_grid_draws_every_scale_and_divergence():
    runs = {(s, b): [_run(s, b, k, diverged=(s == SCALES[0] and not b)) for k in range(3)]
            for s in SCALES[:5] for b in (False, True)}
    fig = bn.scale_grid(runs)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 5
    assert "diverged at step 3" in texts(fig)
    assert f"weight scale {SCALES[0]:.3g}" in texts(fig)
    with pytest.raises(ValueError, match="runs"):
        bn.scale_grid({})


def test_gap_figure():
    def result(n, seed):
        return {"train mode": 0.5 + 0.01 * n, "running": 0.9, "disagreement": 1 / n,
                "ratios": {"biased": (n - 1) / n, "unbiased": 1.0, "std": 0.9 * (n - 1) / n}}
    results = {n: [result(n, s) for s in range(3)] for n in (2, 8, 32)}
    fig = bn.gap_figure(results, control={n: [0.9, 0.92, 0.91] for n in (2, 8, 32)})
    assert len(fig.axes) == 3
    assert "disagree" in texts(fig)


def test_lr_figure_marks_diverged_runs():
    results = {(lr, b): [(None, 0.5), (4 if lr > 1 and not b else None, 0.2)]
               for lr in (0.1, 3.0) for b in (False, True)}
    fig = bn.lr_figure(results, (0.1, 3.0))
    assert "diverged" in texts(fig)
    markers = {line.get_marker() for line in fig.axes[0].get_lines()}
    assert "x" in markers and "o" in markers


def test_step_figure():
    lrs = np.array([0.1, 1.0])
    profile = {"loss": 2.0, "grad_norm": 1.0, "losses": np.array([1.5, np.inf]),
               "gradient_change": np.array([0.1, np.inf])}
    fig = bn.step_figure({False: [profile], True: [profile]}, lrs)
    assert len(fig.axes) == 2
    assert fig.axes[1].get_yscale() == "log"


def test_weight_scale_snaps_to_the_books_scales():
    assert bn._snap(0.05) == SCALES[5]
    assert bn._snap(2.0) == SCALES[0] and bn._snap(1e-6) == SCALES[-1]
    controls = bn.weight_scale_controls()
    slider = controls["scale"]
    values = 10 ** np.arange(slider.min, slider.max + 1e-9, slider.step)
    np.testing.assert_allclose(sorted(values), sorted(SCALES), rtol=1e-9)


def test_batch_gap_disables_momentum_for_population():
    controls = bn.batch_gap_controls()
    assert not controls["momentum"].disabled
    controls["estimator"].value = "population"
    assert controls["momentum"].disabled
    with pytest.raises(ValueError, match="estimator"):
        bn.batch_gap(estimator="median")
