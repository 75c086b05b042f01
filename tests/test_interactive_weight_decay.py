"""lib.interactive.weight_decay: the explorers and the static figures of the chapter."""

import numpy as np
import pytest
from figures import texts
from matplotlib.figure import Figure

from lib.interactive import weight_decay as wd
from lib.overfitting import overfit


@pytest.fixture(scope="module")
def runs():
    small = {"hidden": (8,), "n_train": 50, "epochs": 4, "batch_size": 25}
    return {lam: [overfit(s, weight_decay=lam, **small) for s in (0, 1)] for lam in (0.0, 0.01)}


@pytest.mark.parametrize("penalty", ["l2", "l1", "l1_prox", "none"])
def test_explore_draws_curves_and_a_histogram(penalty):
    fig = wd.explore(penalty, 0.01, 100)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    curves, hist = fig.axes
    assert len(curves.get_lines()) == 2  # train and test
    assert "100 training images" in texts(fig) and "exactly 0" in texts(fig)
    assert ("λ = 0.01" in texts(fig)) == (penalty != "none")


def test_explore_says_when_training_diverged(monkeypatch):
    monkeypatch.setitem(wd.EXPLORER, "lr", 1e4)
    fig = wd.explore("none", 0.01, 100)
    assert "diverged at step" in texts(fig)
    fig.canvas.draw()


def test_explore_rejects_bad_controls():
    with pytest.raises(ValueError, match="penalty must be one of"):
        wd.explore("l3", 0.01, 100)
    with pytest.raises(ValueError, match="lam must be a number in"):
        wd.explore("l2", 0.0, 100)
    with pytest.raises(ValueError, match="n_train must be an integer in"):
        wd.explore("l2", 0.01, 5000)


def test_explore_controls_start_where_asked():
    controls = wd.explore_controls(penalty="l1_prox", lam=0.1, n_train=1438)
    assert controls["penalty"].value == "l1_prox" and controls["n_train"].value == 1438
    assert controls["lam"].value == pytest.approx(0.1)


@pytest.mark.parametrize("vary, values", [("lam", [1e-3, 1e-1]), ("n_train", [50, 300])])
def test_explore_grid_has_a_row_per_value(vary, values):
    fig = wd.explore_grid(values, vary=vary)
    assert len(fig.axes) == 2 * len(values)
    with pytest.raises(ValueError, match="vary must be one of"):
        wd.explore_grid(values, vary="epochs")


def test_l1_steps_counts_the_zeros_of_each_kind():
    fig = wd.l1_steps(l1=0.2, noise=0.0)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].endswith("0% exactly 0 at the end")
    assert titles[1].endswith("100% exactly 0 at the end")
    assert len(wd.l1_steps_grid(l1s=(0.05,), noises=(0.0,)).axes) == 2
    with pytest.raises(ValueError, match="l1 must be a number in"):
        wd.l1_steps(l1=0.0)


def test_adam_decay_draws_both_kinds_and_the_closed_form():
    fig = wd.adam_decay(weight_decay=1.0)
    assert len(fig.axes) == 3
    assert "L2 penalty" in texts(fig) and "decoupled decay" in texts(fig)
    reference = [line for line in fig.axes[2].get_lines() if line.get_linestyle() == ":"]
    assert reference[0].get_ydata()[0] == pytest.approx(0.5 * 0.999**300)
    assert len(wd.adam_decay_grid(lams=(0.01, 1.0)).axes) == 2
    with pytest.raises(ValueError, match="weight_decay must be a number in"):
        wd.adam_decay(weight_decay=-1.0)


def test_curves_and_sweep_figure(runs):
    fig = wd.curves({"none": runs[0.0], "decay": runs[0.01]})
    assert len(fig.axes) == 4
    assert "lowest: epoch" in texts(fig)
    assert len(wd.curves({"none": runs[0.0]}, loss=False).axes) == 1
    fig = wd.sweep_figure({"l2": {0.01: runs[0.01]}}, reference=runs[0.0])
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["0", "0.01"]
    with pytest.raises(ValueError, match="groups must be a non-empty dict"):
        wd.curves({})
    with pytest.raises(ValueError, match="sweeps must be a non-empty dict"):
        wd.sweep_figure({})


def test_histograms_and_sparsity(runs):
    w = runs[0.0][0].weights
    fig = wd.weight_histograms({"a": ("none", w), "b": ("l2", 0.5 * w)})
    assert len(fig.axes) == 2 and "exactly 0: 0.0%" in texts(fig)
    zeros = np.concatenate([np.zeros(10), np.ones(30)])
    fig = wd.sparsity_figure({"half": ("l1_prox", zeros)}, bands=[1e-4])
    share = fig.axes[0].get_lines()[0].get_ydata()
    assert share[0] == pytest.approx(0.25) and share[-1] == 1.0
    with pytest.raises(ValueError, match="weights must be a non-empty dict"):
        wd.weight_histograms({})
