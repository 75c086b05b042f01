"""lib.interactive.dropout: the explorers and the static figures of the chapter."""

import numpy as np
import pytest
from figures import texts
from matplotlib.figure import Figure

from lib.interactive import dropout as do
from lib.overfitting import overfit

SMALL = {"hidden": (8,), "n_train": 50, "epochs": 4, "batch_size": 25}


@pytest.fixture(scope="module")
def runs():
    return {p: [overfit(s, dropout=p, **SMALL) for s in (0, 1)] for p in (0.0, 0.3)}


@pytest.mark.parametrize("where", ["hidden", "input", "both"])
def test_explore_draws_curves_and_the_masks_where_dropout_is(where):
    fig = do.explore(0.3, where, "train")
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert len(fig.axes[0].get_lines()) == 2               # train and test
    text = texts(fig)
    assert ("inputs: no dropout" in text) == (where == "hidden")
    assert ("hidden layers: no dropout" in text) == (where == "input")
    assert "p = 0.30" in text and "gap" in text
    fig.canvas.draw()


def test_explore_at_p_zero_and_scaled_at_inference():
    fig = do.explore(0.0, "both", "test")
    assert "inputs: no dropout" in texts(fig) and "× (1 − p) at inference" in texts(fig)


def test_explore_says_when_training_diverged(monkeypatch):
    monkeypatch.setitem(do.EXPLORER, "lr", 1e4)
    fig = do.explore(0.2, "hidden", "train")
    assert "diverged at step" in texts(fig)
    fig.canvas.draw()


def test_explore_rejects_bad_controls():
    with pytest.raises(ValueError, match="where must be one of"):
        do.explore(0.2, "output", "train")
    with pytest.raises(ValueError, match="scale must be one of"):
        do.explore(0.2, "hidden", "both")
    with pytest.raises(ValueError, match=r"p must be a number in \[0, 1\)"):
        do.explore(1.0, "hidden", "train")


def test_explore_controls_start_where_asked():
    controls = do.explore_controls(p=0.5, where="input", scale="test")
    assert {k: c.value for k, c in controls.items()} == {"p": 0.5, "where": "input",
                                                        "scale": "test"}


@pytest.mark.parametrize("where, columns", [("hidden", 2), ("input", 2), ("both", 3)])
def test_explore_grid_has_a_row_per_value_and_a_column_per_mask(where, columns):
    fig = do.explore_grid([0.0, 0.4], where=where)
    assert len(fig.axes) == 2 * columns
    assert "p = 0.4" in texts(fig)
    with pytest.raises(ValueError, match="values must be a number in"):
        do.explore_grid([1.2])


def test_masks_figure_counts_what_it_drops():
    fig = do.masks_figure(p=0.5)
    assert len(fig.axes) == 2 and "dropped" in texts(fig)
    with pytest.raises(ValueError, match="p must be a number in"):
        do.masks_figure(p=1.0)


def test_ensemble_explorer_and_its_cache():
    fig = do.ensemble(0.2, 20, 5)
    assert len(fig.axes) == 3 and "T = 20" in texts(fig)
    first = do._ensemble(0.2, 0)
    assert do._ensemble(0.2, 0) is first                 # trained once, then reused
    x, t, probs, acc, scaled, scaled_acc = first
    assert probs.shape == (do.MAX_MASKS, len(t), 10) and acc.shape == (do.MAX_MASKS,)
    assert np.allclose(probs.sum(axis=-1), 1.0) and 0 < scaled_acc <= 1
    for bad, message in [({"p": 0.4}, "p must be one of"),
                         ({"n_masks": 0}, "n_masks must be an integer in"),
                         ({"image": 359}, "image must be an integer in")]:
        kwargs = {"p": 0.2, "n_masks": 5, "image": 0} | bad
        with pytest.raises(ValueError, match=message):
            do.ensemble(**kwargs)


def test_ensemble_grid_has_a_digit_and_a_panel_per_count():
    fig = do.ensemble_grid([0, 3], counts=(1, 10))
    assert len(fig.axes) == 2 * 3
    assert "T = 10" in texts(fig)


def test_static_figures_over_seeds(runs):
    fig = do.sweep_figure(runs)
    assert len(fig.axes) == 2 and "drop probability p" in texts(fig)
    fig = do.compare_figure({"none": runs[0.0], "hidden": runs[0.3]})
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["no dropout", "dropout\non hidden layers"]
    counts = np.array([1, 2, 4])
    acc = np.array([[0.8, 0.85, 0.9], [0.82, 0.86, 0.88]])
    fig = do.ensemble_figure(counts, acc, [0.9, 0.89], {"arithmetic": acc / 5,
                                                        "geometric": acc / 10})
    assert len(fig.axes) == 2 and fig.axes[0].get_xscale() == "log"
    for bad in ({}, [1]):
        with pytest.raises(ValueError):
            do.sweep_figure(bad)
        with pytest.raises(ValueError):
            do.compare_figure(bad)


def test_digits_figure_shows_each_image_beside_its_predictions():
    rng = np.random.default_rng(0)
    x = rng.random((6, 64))
    t = np.arange(6) % 3
    probs = rng.dirichlet(np.ones(3), size=(5, 6))
    fig = do.digits_figure(x, t, probs, probs.mean(axis=0), [0, 2, 4], ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 6
    assert "label 2" in texts(fig)
    with pytest.raises(ValueError, match="indices must be an integer in"):
        do.digits_figure(x, t, probs, probs.mean(axis=0), [6])
