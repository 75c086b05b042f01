r"""Figures and explorers of the chapter on dropout.

Every number comes from :mod:`lib.overfitting` and :mod:`lib.dropout`; this module only
draws.  Explorers, each with its controls' factory:

* :func:`explore` (:func:`explore_controls`) -- a drop probability, where it applies (inputs,
  hidden layers or both) and how it is scaled: train and test accuracy over the epochs, the
  inputs as one training step sees them, and one mask of the first hidden layer.  It trains
  a smaller network than the chapter's (:data:`EXPLORER`) so that it redraws at once.
* :func:`ensemble` (:func:`ensemble_controls`) -- Monte Carlo dropout: test accuracy of the
  average of :math:`T` thinned networks, and the spread of their predictions for one digit.
  The network behind it is trained once per drop probability and kept.

Fixed figures: :func:`masks_figure`, :func:`sweep_figure`, :func:`compare_figure`,
:func:`ensemble_figure`, :func:`digits_figure`; and for readers of the HTML page, each
explorer over its main parameter: :func:`explore_grid`, :func:`ensemble_grid`.
"""

import functools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from lib import checks, plots
from lib.datasets import load_digits
from lib.dropout import accuracy, running_average, thinned_scores, to_probabilities
from lib.interactive import controls as ui
from lib.layers import Dropout
from lib.overfitting import collect, overfit

__all__ = [
    "ENSEMBLE_P",
    "EXPLORER",
    "EXPLORERS",
    "MAX_MASKS",
    "PLACES",
    "SCALINGS",
    "compare_figure",
    "digits_figure",
    "ensemble",
    "ensemble_controls",
    "ensemble_figure",
    "ensemble_grid",
    "explore",
    "explore_controls",
    "explore_grid",
    "masks_figure",
    "sweep_figure",
]

#: The explorers' network and training: two hidden layers of 100 (not six), 150 SGD updates
#: with learning rate 0.1 on the first 300 training images.
EXPLORER = {"hidden": (100, 100), "lr": 0.1, "iterations": 150}

#: Where the explorer applies dropout: (label in the drop-down, value).
PLACES = (("hidden layers", "hidden"), ("inputs", "input"), ("inputs and hidden", "both"))

#: The two scalings: (label, value of ``dropout_scale``).
SCALINGS = (("inverted: ÷ (1 − p) in training", "train"), ("× (1 − p) at inference", "test"))

#: Drop probabilities the ensemble explorer offers (each network is trained on first use).
ENSEMBLE_P = (0.1, 0.2, 0.3, 0.5)

#: Thinned networks drawn per test image by the ensemble explorer.
MAX_MASKS = 200

_DROPPED = "#F4C7A1"  # a light vermillion: pixels and units that a mask drops
_SPLITS = ("train", "test")


def _placement_name(where):
    return checks.one_of("where", where, [value for _, value in PLACES])


def _placement(where, p):
    where = _placement_name(where)
    p = checks.probability("p", p)
    return {"dropout": p if where in ("hidden", "both") else 0.0,
            "input_dropout": p if where in ("input", "both") else 0.0}


def _explorer_run(p, where, scale, seed):
    scale = checks.one_of("scale", scale, [value for _, value in SCALINGS])
    return overfit(seed, evaluate=2, dropout_scale=scale, **EXPLORER, **_placement(where, p))


def _keep(p, shape, seed):
    """One keep-mask of ``shape`` as a dropout layer of drop probability ``p`` draws it."""
    layer = Dropout(p, rng=np.random.default_rng(seed))
    layer.forward(np.ones(shape, dtype=np.float32))
    return layer.keep


def _inputs_panel(ax, p, seed, n=8):
    """The first training image under ``n`` input masks, dropped pixels coloured."""
    (x, _), _ = load_digits()
    keep = _keep(p, (n, 64), seed) if p > 0 else np.ones((n, 64), dtype=bool)
    mosaic = np.full((2 * 9 - 1, (n // 2) * 9 - 1), np.nan)
    for k in range(n):
        r, c = divmod(k, n // 2)
        image = np.where(keep[k], x[0], np.nan).reshape(8, 8)
        mosaic[9 * r:9 * r + 8, 9 * c:9 * c + 8] = image
    cmap = plt.get_cmap("Greys").with_extremes(bad=_DROPPED)
    ax.imshow(np.where(np.isnan(mosaic) & _gaps(mosaic.shape), 0.2, mosaic), cmap=cmap,
              vmin=0, vmax=1, interpolation="nearest")
    ax.set(xticks=[], yticks=[])
    ax.set_title(f"inputs, {n} steps: {1 - keep.mean():.0%} dropped" if p > 0 else
                 "inputs: no dropout", fontsize=9)


def _gaps(shape):
    """True on the one-pixel gaps between the tiles of a mosaic of 8 x 8 images."""
    rows = np.arange(shape[0]) % 9 == 8
    cols = np.arange(shape[1]) % 9 == 8
    return rows[:, None] | cols[None, :]


def _hidden_panel(ax, p, seed, n=20, width=100):
    """One keep-mask of the first hidden layer for ``n`` examples: white kept, coloured dropped."""
    keep = _keep(p, (n, width), seed + 1) if p > 0 else np.ones((n, width), dtype=bool)
    ax.imshow(keep, cmap=ListedColormap([_DROPPED, "white"]), vmin=0,
              vmax=1, aspect="auto", interpolation="nearest")
    ax.set(xticks=[0, width - 1], yticks=[0, n - 1], xlabel="unit", ylabel="example")
    ax.set_xticklabels(["1", str(width)], fontsize=7)
    ax.set_yticklabels(["1", str(n)], fontsize=7)
    ax.set_title(f"hidden layer 1: {1 - keep.mean():.0%} dropped" if p > 0 else
                 "hidden layers: no dropout", fontsize=9)


def _curves(ax, run):
    for split, acc in zip(_SPLITS, (run.train_acc, run.test_acc), strict=True):
        ax.plot(run.epochs, acc, linewidth=1.4, **plots.style(split, "split"))
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))


def explore(p=0.2, where="hidden", scale="train", seed=0):
    """The explorer: dropout of probability ``p`` where chosen; curves and masks.

    Parameters
    ----------
    p : float
        The drop probability, in [0, 1).
    where : {"hidden", "input", "both"}
        After every hidden layer, on the inputs, or both (see :data:`PLACES`).
    scale : {"train", "test"}
        Inverted dropout, or scaling at inference (see :data:`SCALINGS`).
    seed : int, default 0

    Returns
    -------
    matplotlib.figure.Figure
        Left: train and test accuracy (inference mode) of the explorer's network
        (:data:`EXPLORER`) after every second epoch.  Middle: the first training image under
        eight input masks.  Right: one mask of the first hidden layer for 20 examples.
    """
    run = _explorer_run(p, where, scale, seed)
    placed = _placement(where, p)
    fig, axs = plt.subplots(1, 3, figsize=(10, 3.2), FigureClass=plots.FastFigure,
                            gridspec_kw={"width_ratios": (1.3, 1, 1)})
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.17, top=0.8, wspace=0.3)
    _curves(axs[0], run)
    axs[0].legend(loc="lower right", fontsize=8)
    plots.few_ticks(axs[0].xaxis, axs[0].yaxis, n=4)
    _inputs_panel(axs[1], placed["input_dropout"], seed)
    _hidden_panel(axs[2], placed["dropout"], seed)
    fate = (f"train {run.final_train_acc:.1%}, test {run.final_test_acc:.1%}, gap {run.gap:+.1%}"
            if run.diverged_at is None else f"diverged at step {run.diverged_at}")
    fig.suptitle(f"p = {p:.2f} on the {dict((v, k) for k, v in PLACES)[where]}, "
                 f"{plots.label(scale, 'dropout')} — {fate}", fontsize=10)
    return fig


def explore_controls(p=0.2, where="hidden", scale="train"):
    """The explorer's widgets, keyed by :func:`explore`'s argument names.

    Returns
    -------
    dict[str, ipywidgets.Widget]
    """
    return {
        "p": ui.float_slider("drop probability p", p, 0.0, 0.8, 0.05),
        "where": ui.dropdown("dropout on", list(PLACES), where),
        "scale": ui.dropdown("scaling", list(SCALINGS), scale),
    }


def explore_grid(values=(0.0, 0.2, 0.5, 0.8), where="hidden", scale="train", seed=0):
    """The explorer for several drop probabilities, one row each (static).

    Parameters
    ----------
    values : sequence of float
        Drop probabilities, each in [0, 1).
    where, scale, seed
        As for :func:`explore`.

    Returns
    -------
    matplotlib.figure.Figure
        Per row, the accuracy curves, then the masks of the places where dropout applies
        (the inputs, the first hidden layer, or both).
    """
    values = [checks.probability("values", v) for v in values]
    where = _placement_name(where)
    masks = [name for name in ("input", "hidden") if where in (name, "both")]
    fig, axs = plt.subplots(len(values), 1 + len(masks), figsize=(3 + 3 * len(masks),
                            1.7 * len(values) + 0.5), squeeze=False, layout="constrained",
                            gridspec_kw={"width_ratios": (1.3, *[1] * len(masks))})
    for row, p in zip(axs, values, strict=True):
        run = _explorer_run(p, where, scale, seed)
        placed = _placement(where, p)
        _curves(row[0], run)
        row[0].set_ylabel(f"p = {p:g}", fontsize=9)
        row[0].text(0.97, 0.06, f"train {run.final_train_acc:.0%}, test {run.final_test_acc:.0%}",
                    transform=row[0].transAxes, ha="right", fontsize=8)
        for ax, name in zip(row[1:], masks, strict=True):
            if name == "input":
                _inputs_panel(ax, placed["input_dropout"], seed)
            else:
                _hidden_panel(ax, placed["dropout"], seed)
    axs[0, 0].legend(loc="center right", fontsize=8)
    for ax in axs[:-1, 0]:
        ax.set_xlabel("")
    return fig


def masks_figure(p=0.5, seed=0):
    """What a dropout layer of drop probability ``p`` does in one training step (static).

    Parameters
    ----------
    p : float
        In (0, 1).
    seed : int, default 0

    Returns
    -------
    matplotlib.figure.Figure
        Left: the first training image under eight masks, as dropout on the inputs sees it.
        Right: the mask of a hidden layer of 100 units for 20 examples of a mini-batch.
    """
    p = checks.probability("p", p)
    fig, axs = plt.subplots(1, 2, figsize=(8, 2.8), layout="constrained",
                            gridspec_kw={"width_ratios": (1, 1.2)})
    _inputs_panel(axs[0], p, seed)
    _hidden_panel(axs[1], p, seed)
    return fig


# ---- the ensemble: thinned networks and their average -----------------------------------------


@functools.lru_cache(maxsize=8)
def _ensemble(p, seed):
    """The explorer's network trained with hidden dropout ``p``, and its thinned predictions."""
    run = overfit(seed, dropout=p, evaluate=False, hidden=EXPLORER["hidden"], lr=EXPLORER["lr"],
                  iterations=2 * EXPLORER["iterations"])
    net = run.network()
    _, (x, t) = load_digits()
    scores = thinned_scores(net, x, MAX_MASKS, seed)
    scaled = to_probabilities(net.predict(x))
    return (x, t, to_probabilities(scores), accuracy(running_average(scores), t), scaled,
            float(accuracy(scaled, t)))


def _strip(ax, probs, scaled, label, jitter=0.3):
    """One image's predictions: every thinned network's probabilities as dots, their mean as a
    bar, the weight-scaled network's as a black tick.  ``probs`` of shape (T, C)."""
    n, c = probs.shape
    offsets = np.linspace(-jitter, jitter, n) if n > 1 else np.zeros(1)
    xs = np.arange(c)[None, :] + offsets[:, None]
    ax.plot(xs.ravel(), probs.ravel(), linestyle="none", marker=".", markersize=3, alpha=0.35,
            color=plots.color("thinned", "ensemble"))
    mean = probs.mean(axis=0)
    ax.vlines(np.arange(c), 0, mean, linewidth=9, color=plots.color("arithmetic", "ensemble"),
              alpha=0.45, label=f"mean of {n}")
    ax.plot(np.arange(c), scaled, linestyle="none", marker="_", markersize=12, markeredgewidth=2,
            color=plots.color("scaled", "ensemble"), label="weight scaling")
    ax.axvspan(label - 0.5, label + 0.5, color=plots.PALETTE["bluish green"], alpha=0.12,
               linewidth=0)
    ax.set(xlim=(-0.6, c - 0.4), ylim=(-0.02, 1.02), xticks=range(c), yticks=[0, 0.5, 1])
    ax.tick_params(labelsize=7)


def _digit(ax, image, title):
    ax.imshow(np.asarray(image).reshape(8, 8), cmap="Greys", vmin=0, vmax=1,
              interpolation="nearest")
    ax.set(xticks=[], yticks=[])
    ax.set_title(title, fontsize=8)


def ensemble(p=0.2, n_masks=20, image=0, seed=0):
    """The explorer: Monte Carlo dropout with ``n_masks`` thinned networks.

    Parameters
    ----------
    p : float
        One of :data:`ENSEMBLE_P`: the drop probability the network was trained with (after
        both hidden layers of :data:`EXPLORER`, 300 updates).
    n_masks : int
        :math:`T`, from 1 to :data:`MAX_MASKS`.
    image : int
        A test image, 0 to 358.
    seed : int, default 0

    Returns
    -------
    matplotlib.figure.Figure
        Left: test accuracy of the average of the first :math:`T` thinned networks, against
        :math:`T`, with the weight-scaled network's.  Middle: the test image.  Right: the
        probabilities the :math:`T` thinned networks give it, per class (the true class
        shaded), their mean, and the weight-scaled network's.
    """
    p = checks.one_of("p", p, ENSEMBLE_P)
    n_masks = checks.integer("n_masks", n_masks, 1, MAX_MASKS)
    x, t, probs, acc, scaled, scaled_acc = _ensemble(p, seed)
    image = checks.integer("image", image, 0, len(t) - 1)
    fig, axs = plt.subplots(1, 3, figsize=(10, 3.2), FigureClass=plots.FastFigure,
                            gridspec_kw={"width_ratios": (1.2, 0.55, 1.4)})
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.17, top=0.82, wspace=0.3)
    counts = np.arange(1, MAX_MASKS + 1)
    axs[0].plot(counts, acc, **plots.style("arithmetic", "ensemble"))
    axs[0].axhline(scaled_acc, **plots.style("scaled", "ensemble"), linewidth=1)
    axs[0].plot(n_masks, acc[n_masks - 1], "o", color=plots.color("arithmetic", "ensemble"))
    plots.fast_log_scale(axs[0], "x")
    plots.few_ticks(axs[0].yaxis, n=4)  # ticks are most of what a redraw allocates
    low = min(float(acc.min()), scaled_acc)
    axs[0].set(xlabel="thinned networks averaged, T", ylabel="test accuracy",
               ylim=(low - 0.02, max(float(acc.max()), scaled_acc) + 0.02))
    axs[0].text(1.1, scaled_acc, "weight scaling", va="bottom", fontsize=7)
    axs[0].set_title("Monte Carlo average of T thinned networks", fontsize=9)
    mean = probs[:n_masks, image].mean(axis=0)
    _digit(axs[1], x[image], f"test image {image}\nlabel {t[image]}")
    _strip(axs[2], probs[:n_masks, image], scaled[image], t[image])
    axs[2].set(xlabel="class", ylabel="probability")
    axs[2].legend(fontsize=7, loc="upper right")
    fig.suptitle(f"p = {p:g}: T = {n_masks}, test accuracy {acc[n_masks - 1]:.1%} "
                 f"(weight scaling {scaled_acc:.1%}); image {image}: mean says "
                 f"{mean.argmax()} ({mean.max():.0%})", fontsize=10)
    return fig


def ensemble_controls(p=0.2, n_masks=20, image=0):
    """The widgets of :func:`ensemble`: the drop probability, T and the test image."""
    return {
        "p": ui.dropdown("trained with p", list(ENSEMBLE_P), p),
        "n_masks": ui.int_slider("thinned networks T", n_masks, 1, MAX_MASKS),
        "image": ui.int_slider("test image", image, 0, 358),
    }


def ensemble_grid(images, counts=(1, 5, 20, 200), p=0.2, seed=0):
    """The right panel of :func:`ensemble` for several images (rows) and T (columns), static.

    Parameters
    ----------
    images : sequence of int
        Test images.
    counts : sequence of int
        Numbers of thinned networks, each from 1 to :data:`MAX_MASKS`.
    p, seed
        As for :func:`ensemble`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    p = checks.one_of("p", p, ENSEMBLE_P)
    counts = [checks.integer("counts", c, 1, MAX_MASKS) for c in counts]
    x, t, probs, acc, scaled, _ = _ensemble(p, seed)
    images = [checks.integer("images", i, 0, len(t) - 1) for i in images]
    fig, axs = plt.subplots(len(images), len(counts) + 1, squeeze=False, layout="constrained",
                            figsize=(2.3 * len(counts) + 1.2, 1.8 * len(images) + 0.4),
                            gridspec_kw={"width_ratios": (0.45, *[1] * len(counts))})
    for row, i in zip(axs, images, strict=True):
        _digit(row[0], x[i], f"image {i}\nlabel {t[i]}")
        for ax, n in zip(row[1:], counts, strict=True):
            _strip(ax, probs[:n, i], scaled[i], t[i])
    for ax, n in zip(axs[0, 1:], counts, strict=True):
        ax.set_title(f"T = {n} (test accuracy {acc[n - 1]:.1%})", fontsize=8)
    for ax in axs[-1, 1:]:
        ax.set_xlabel("class", fontsize=8)
    axs[0, -1].legend(fontsize=6, loc="upper right")
    return fig


def digits_figure(x, t, probs, scaled, indices, ncols=3):
    """Thinned networks' predictions for a few test images, each beside its image (static).

    Parameters
    ----------
    x : ndarray of shape (N, 64)
        Test images.
    t : ndarray of shape (N,)
        Their labels.
    probs : ndarray of shape (T, N, C)
        The thinned networks' probabilities (:func:`lib.dropout.to_probabilities`).
    scaled : ndarray of shape (N, C)
        The weight-scaled network's probabilities.
    indices : sequence of int
        The images to show.
    ncols : int, default 3

    Returns
    -------
    matplotlib.figure.Figure
    """
    indices = [checks.integer("indices", i, 0, len(t) - 1) for i in indices]
    ncols = min(checks.integer("ncols", ncols, 1), len(indices))
    nrows = -(-len(indices) // ncols)
    fig, axs = plt.subplots(nrows, 2 * ncols, squeeze=False, layout="constrained",
                            figsize=(3.3 * ncols, 1.9 * nrows + 0.3),
                            gridspec_kw={"width_ratios": (0.4, 1) * ncols})
    for ax in axs.ravel()[2 * len(indices):]:
        ax.set_visible(False)
    for k, i in enumerate(indices):
        r, c = divmod(k, ncols)
        mean = probs[:, i].mean(axis=0)
        _digit(axs[r, 2 * c], x[i], f"label {t[i]}\nmean: {mean.argmax()}")
        _strip(axs[r, 2 * c + 1], probs[:, i], scaled[i], t[i])
    axs[0, -1].legend(fontsize=6, loc="upper right")
    return fig


# ---- figures over seeds -----------------------------------------------------------------------


def _dots(ax, x, values, color, filled=True):
    ax.plot(np.full(len(values), x), values, linestyle="none", marker="o", markersize=3.5,
            color=color, alpha=0.6, markerfacecolor=color if filled else "none")


def sweep_figure(results):
    """Final accuracies and test loss against the drop probability.

    Parameters
    ----------
    results : dict[float, list of OverfitRun]
        Drop probability -> the runs over seeds (a :func:`lib.overfitting.sweep` result).

    Returns
    -------
    matplotlib.figure.Figure
        Left: train (hollow, dotted median) and test (filled) accuracy of every run.  Right:
        the test cross-entropy.
    """
    if not isinstance(results, dict) or not results:
        raise ValueError(f"results must be a non-empty dict p -> runs, got {results!r}")
    ps = sorted(results)
    fig, (ax_a, ax_l) = plt.subplots(1, 2, figsize=(9.5, 3.4), layout="constrained")
    for attribute, ax, split in (("final_train_acc", ax_a, "train"),
                                 ("final_test_acc", ax_a, "test"), ("test_loss", ax_l, "test")):
        values = [collect(results[p], attribute) for p in ps]
        st = plots.style(split, "split")
        for p, v in zip(ps, values, strict=True):
            _dots(ax, p, v, st["color"], filled=split == "test")
        ax.plot(ps, [np.median(v) for v in values], color=st["color"],
                linestyle=st["linestyle"], linewidth=1.3, label=st["label"])
    ax_a.set(xlabel="drop probability p", ylabel="final accuracy", ylim=(0, 1.02))
    ax_l.set(xlabel="drop probability p", ylabel="test cross-entropy")
    ax_a.legend(fontsize=8, loc="lower left")
    for ax in (ax_a, ax_l):
        ax.set_xticks(ps)
        ax.grid(True, alpha=0.3)
    return fig


def compare_figure(groups):
    """Test accuracy and test loss of several regularisers side by side, every run a dot.

    Parameters
    ----------
    groups : dict[str, list of OverfitRun]
        A name of ``STYLES["dropout"]`` ("none", "l2", "hidden", "l2+hidden", "input", ...)
        -> its runs over seeds.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(groups, dict) or not groups:
        raise ValueError(f"groups must be a non-empty dict name -> runs, got {groups!r}")
    fig, axs = plt.subplots(1, 2, figsize=(9.5, 3.2), layout="constrained")
    names = list(groups)
    for ax, attribute, label in ((axs[0], "final_test_acc", "test accuracy"),
                                 (axs[1], "test_loss", "test cross-entropy")):
        for k, name in enumerate(names):
            v = collect(groups[name], attribute)
            color = plots.color(name, "dropout")
            _dots(ax, k, v, color)
            ax.plot([k - 0.3, k + 0.3], [np.median(v)] * 2, color=color, linewidth=2)
        ax.set_xticks(range(len(names)),
                      [plots.label(n, "dropout").replace(" on ", "\non ") for n in names],
                      fontsize=7)
        ax.set_ylabel(label)
        ax.grid(True, axis="y", alpha=0.3)
    return fig


def ensemble_figure(counts, acc, scaled_acc, distances):
    """Monte Carlo dropout over seeds: accuracy, and distance to the weight-scaled network.

    Parameters
    ----------
    counts : array_like of shape (K,)
        The numbers of thinned networks :math:`T`.
    acc : array_like of shape (n_seeds, K)
        Test accuracy of the average of :math:`T` thinned networks, per seed.
    scaled_acc : array_like of shape (n_seeds,)
        The weight-scaled network's test accuracy, per seed.
    distances : dict[str, array_like of shape (n_seeds, K)]
        "arithmetic" and/or "geometric" -> the total-variation distance of that mean of
        :math:`T` thinned networks to the weight-scaled network's probabilities.

    Returns
    -------
    matplotlib.figure.Figure
        Every seed thin, the median thick (:func:`lib.plots.runs`); log :math:`T` axes.
    """
    counts = np.asarray(counts, dtype=float)
    fig, axs = plt.subplots(1, 2, figsize=(9.5, 3.3), layout="constrained")
    plots.runs(acc, axs[0], x=counts, **plots.style("arithmetic", "ensemble"))
    for value in np.asarray(scaled_acc, dtype=float):
        axs[0].axhline(value, color=plots.color("scaled", "ensemble"), linewidth=0.6,
                       alpha=0.45, linestyle="--")
    axs[0].axhline(np.median(scaled_acc), **plots.style("scaled", "ensemble"), linewidth=1.4)
    axs[0].set(ylabel="test accuracy")
    axs[0].legend(fontsize=8, loc="lower right")
    for name, d in distances.items():
        plots.runs(d, axs[1], x=counts, **plots.style(name, "ensemble"))
    axs[1].set(ylabel="distance to weight scaling", ylim=(0, None))
    axs[1].legend(fontsize=8)
    for ax in axs:
        ax.set_xscale("log")
        ax.set_xlabel("thinned networks averaged, T")
        ax.grid(True, alpha=0.3)
    return fig


#: The chapter's explorers: name -> (the function a widget redraws, its controls' factory).
EXPLORERS = {
    "explore": (explore, explore_controls),
    "ensemble": (ensemble, ensemble_controls),
}
