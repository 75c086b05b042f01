r"""Figures and explorers of the chapter on weight decay: overfitting, L2, L1, decay under Adam.

Every number comes from :mod:`lib.overfitting` and :mod:`lib.regularization`; this module only
draws.  Explorers, each with its controls' factory:

* :func:`explore` (:func:`explore_controls`) -- a penalty (L2, L1 by subgradient or by
  proximal steps) of strength :math:`\lambda` and a training-set size: train and test accuracy
  over the epochs, and the histogram of the trained weights.  It trains a smaller copy of the
  overfitting network (:data:`EXPLORER`) so that it redraws at once.
* :func:`l1_steps` (:func:`l1_steps_controls`) -- single weights under the L1 penalty:
  subgradient steps jitter around 0, proximal steps land on it.
* :func:`adam_decay` (:func:`adam_decay_controls`) -- weights trained by Adam on gradient
  noise of different sizes, with an L2 penalty or with decoupled decay.

Fixed figures: :func:`curves` (learning curves over seeds), :func:`sweep_figure` (final
accuracy and test loss against :math:`\lambda`), :func:`weight_histograms` and
:func:`sparsity_figure`; and for readers of the HTML page, each explorer over its main
parameter: :func:`explore_grid`, :func:`l1_steps_grid`, :func:`adam_decay_grid`.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, NullLocator

from lib import checks, plots
from lib.interactive import controls as ui
from lib.overfitting import collect, overfit
from lib.regularization import adam_decay_paths, l1_paths, sparsity

__all__ = [
    "EXPLORER",
    "EXPLORERS",
    "PENALTIES",
    "TRAINING_SIZES",
    "adam_decay",
    "adam_decay_controls",
    "adam_decay_grid",
    "curves",
    "explore",
    "explore_controls",
    "explore_grid",
    "l1_steps",
    "l1_steps_controls",
    "l1_steps_grid",
    "sparsity_figure",
    "sweep_figure",
    "weight_histograms",
]

#: The explorer's network and training: four hidden layers of 50 (not six of 100), 150 SGD
#: updates with learning rate 0.1, whatever the training-set size.
EXPLORER = {"hidden": (50, 50, 50, 50), "lr": 0.1, "iterations": 150}

#: The explorer's penalties: (label in the drop-down, value passed to :func:`explore`).
PENALTIES = (("L2: λ/2·‖W‖²", "l2"), ("L1, subgradient: λ·‖W‖₁", "l1"),
             ("L1, proximal: λ·‖W‖₁", "l1_prox"), ("none", "none"))

#: Training-set sizes the explorer offers (the digits have 1,438 training images).
TRAINING_SIZES = (50, 100, 200, 300, 600, 1000, 1438)

_SPLITS = ("train", "test")


def _figure(ncols, figsize):
    fig, axs = plt.subplots(1, ncols, figsize=figsize, FigureClass=plots.FastFigure)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.84, wspace=0.3)
    return fig, axs


def _explorer_run(penalty, lam, n_train, seed):
    """One run of the explorer's network, evaluated after at most about 50 epochs."""
    n_train = checks.integer("n_train", n_train, 1, TRAINING_SIZES[-1])
    epochs = -(-EXPLORER["iterations"] // -(-n_train // 100))
    return overfit(seed, n_train=n_train, evaluate=max(1, epochs // 50), **EXPLORER,
                   **_penalty_kwargs(penalty, lam))


def _penalty_kwargs(penalty, lam):
    penalty = checks.one_of("penalty", penalty, [value for _, value in PENALTIES])
    if penalty == "l2":
        return {"weight_decay": lam}
    if penalty == "none":
        return {}
    return {"l1": lam, "proximal": penalty == "l1_prox"}


def _histogram(ax, w, bins, color):
    """A weight histogram (log counts, so that the tails show), its exact zeros in the text."""
    counts, edges = np.histogram(w, bins=bins)
    ax.stairs(np.maximum(counts, 0.5), edges, color=color, fill=True, alpha=0.35, baseline=0.5)
    plots.fast_log_scale(ax)
    ax.set_ylim(0.5, max(2.0 * counts.max(), 10.0))
    note = (f"rms {np.sqrt(np.mean(w.astype(float) ** 2)):.3f}\nexactly 0: {sparsity(w):.1%}"
            if w.size else "no finite weights")
    ax.text(0.97, 0.95, note, transform=ax.transAxes, ha="right", va="top", fontsize=8)


def explore(penalty="l2", lam=0.01, n_train=300, seed=0):
    r"""The explorer: train the smaller overfitting network with a penalty; curves and weights.

    Parameters
    ----------
    penalty : str
        "l2", "l1" (subgradient), "l1_prox" (proximal) or "none" (see :data:`PENALTIES`).
    lam : float
        The penalty's strength :math:`\lambda > 0` (ignored for "none").
    n_train : int
        Training examples, 1 to 1,438.
    seed : int, default 0

    Returns
    -------
    matplotlib.figure.Figure
        Left: train and test accuracy after every epoch.  Right: histogram of all trained
        weights (log counts), with their root mean square and the share that is exactly 0.
        A run that diverges says so in the title.
    """
    lam = checks.positive("lam", lam)
    run = _explorer_run(penalty, lam, n_train, seed)
    fig, (ax_c, ax_h) = _figure(2, (9, 3.3))
    for split, acc in zip(_SPLITS, (run.train_acc, run.test_acc), strict=True):
        ax_c.plot(run.epochs, acc, linewidth=1.5, **plots.style(split, "split"))
    ax_c.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
    ax_c.legend(loc="lower right", fontsize=8)
    plots.few_ticks(ax_c.xaxis, ax_c.yaxis)
    w = run.weights[np.isfinite(run.weights)]
    limit = max(float(np.abs(w).max()) if w.size else 1.0, 1e-3)
    _histogram(ax_h, w, np.linspace(-limit, limit, 61), plots.color(penalty, "penalty"))
    ax_h.set_xlabel("weight (all layers)")
    plots.few_ticks(ax_h.xaxis)
    name = plots.label(penalty, "penalty") + ("" if penalty == "none" else f", λ = {lam:.3g}")
    fate = (f"diverged at step {run.diverged_at}" if run.diverged_at is not None else
            f"train {run.final_train_acc:.1%}, test {run.final_test_acc:.1%}, "
            f"gap {run.gap:+.1%}")
    fig.suptitle(f"{name}; {n_train} training images — {fate}", fontsize=10)
    return fig


def explore_controls(penalty="l2", lam=0.01, n_train=300):
    """The explorer's widgets, keyed by :func:`explore`'s argument names.

    Parameters
    ----------
    penalty, lam, n_train
        The controls' starting values, as for :func:`explore`.

    Returns
    -------
    dict[str, ipywidgets.Widget]
    """
    return {
        "penalty": ui.dropdown("penalty", list(PENALTIES), penalty),
        "lam": ui.log_slider("strength λ", lam, 1e-4, 1.0, step=0.25),
        "n_train": ui.dropdown("training images", list(TRAINING_SIZES), n_train),
    }


def explore_grid(values, vary="lam", penalty="l2", lam=0.01, n_train=300, seed=0):
    r"""The explorer's two panels for several values of one control, one row each (static).

    Parameters
    ----------
    values : sequence
        The values of the varied control.
    vary : {"lam", "n_train"}
        Which control varies.
    penalty, lam, n_train, seed
        The other controls, as for :func:`explore`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    vary = checks.one_of("vary", vary, ("lam", "n_train"))
    settings = [{"penalty": penalty, "lam": lam, "n_train": n_train, vary: v} for v in values]
    runs = [_explorer_run(seed=seed, **kw) for kw in settings]
    fig, axs = plt.subplots(len(runs), 2, figsize=(8, 1.55 * len(runs) + 0.6), squeeze=False,
                            sharex="col" if vary == "lam" else None, layout="constrained")
    limit = max(float(np.abs(r.weights).max()) for r in runs)
    for (ax_c, ax_h), kw, run in zip(axs, settings, runs, strict=True):
        for split, acc in zip(_SPLITS, (run.train_acc, run.test_acc), strict=True):
            ax_c.plot(run.epochs, acc, linewidth=1.3, **plots.style(split, "split"))
        ax_c.set_ylim(0, 1.02)
        ax_c.set_ylabel(f"λ = {kw['lam']:g}" if vary == "lam" else f"{kw['n_train']} images",
                        fontsize=9)
        ax_c.text(0.97, 0.06, f"train {run.final_train_acc:.0%}, test {run.final_test_acc:.0%}",
                  transform=ax_c.transAxes, ha="right", fontsize=8)
        _histogram(ax_h, run.weights, np.linspace(-limit, limit, 61),
                   plots.color(penalty, "penalty"))
    axs[0, 0].legend(loc="center right", fontsize=8)
    axs[0, 0].set_title("accuracy over the epochs", fontsize=9)
    axs[0, 1].set_title("trained weights (log counts)", fontsize=9)
    axs[-1, 0].set_xlabel("epoch")
    axs[-1, 1].set_xlabel("weight")
    return fig


# ---- single weights: the L1 steps, and decay under Adam ---------------------------------------


#: Starting values of the weights in :func:`l1_steps`.
L1_START = np.array([-0.4, -0.2, -0.1, -0.05, 0.03, 0.08, 0.15, 0.3])


def _l1_panel(ax, l1, noise, lr, steps, proximal, seed):
    """Paths of :data:`L1_START` under one kind of L1 step; returns the share exactly 0."""
    paths = l1_paths(L1_START, lr, l1, steps, proximal=proximal, noise=noise, seed=seed)
    band = lr * l1
    ax.plot(paths, color=plots.color("l1_prox" if proximal else "l1", "penalty"), linewidth=1.0)
    ax.axhspan(-band, band, color=plots.PALETTE["grey"], alpha=0.25, linewidth=0)
    linthresh = max(band, 1e-4) / 2
    ax.set_yscale("symlog", linthresh=linthresh)
    ax.set_ylim(-0.5, 0.5)
    ticks = [t for t in (0.01, 0.1) if t > 4 * linthresh]
    ax.set_yticks([-t for t in ticks[::-1]] + [0.0] + ticks)
    ax.yaxis.set_major_formatter(FuncFormatter(plots.signed_power_of_ten))
    ax.yaxis.set_minor_locator(NullLocator())
    return float(np.mean(paths[-1] == 0))


def l1_steps(l1=0.05, noise=0.0, lr=0.1, steps=60, seed=0):
    r"""Single weights under the L1 penalty: subgradient steps (left), proximal steps (right).

    Parameters
    ----------
    l1 : float
        :math:`\lambda_1 > 0`.
    noise : float
        Standard deviation of the data gradient (0: the data do not need these weights).
    lr : float, default 0.1
    steps : int, default 60
    seed : int, default 0

    Returns
    -------
    matplotlib.figure.Figure
        Eight weights from -0.4 to 0.4 (:data:`L1_START`, on a log-symmetric axis), the band
        :math:`|w| \le \eta\lambda_1` in grey, and the share exactly 0 after the last step.
    """
    l1 = checks.positive("l1", l1)
    noise = checks.non_negative("noise", noise)
    fig, axs = _figure(2, (9, 3.2))
    fig.subplots_adjust(left=0.11)
    for ax, proximal in zip(axs, (False, True), strict=True):
        zeros = _l1_panel(ax, l1, noise, lr, steps, proximal, seed)
        name = plots.label("l1_prox" if proximal else "l1", "penalty")
        ax.set_title(f"{name}: {zeros:.0%} exactly 0 at the end", fontsize=9)
        ax.set_xlabel("step")
        plots.few_ticks(ax.xaxis, n=4)
    axs[0].set_ylabel("weight (grey: |w| ≤ ηλ₁)")
    fig.suptitle(f"η = {lr:g}, λ₁ = {l1:.3g}, gradient noise σ = {noise:.3g}", fontsize=10)
    return fig


def l1_steps_controls(l1=0.05, noise=0.0):
    """The widgets of :func:`l1_steps`: the strength and the gradient noise."""
    return {
        "l1": ui.log_slider("strength λ₁", l1, 1e-3, 1.0, step=0.25),
        "noise": ui.float_slider("gradient noise σ", noise, 0.0, 0.2, 0.01),
    }


def l1_steps_grid(l1s=(0.01, 0.05, 0.2), noises=(0.0, 0.02), lr=0.1, steps=60, seed=0):
    r""":func:`l1_steps` for several strengths (rows) and noise levels (column pairs), static.

    Parameters
    ----------
    l1s : sequence of float
        The strengths :math:`\lambda_1`, each > 0.
    noises : sequence of float
        Gradient-noise levels, each >= 0.
    lr, steps, seed
        As for :func:`l1_steps`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    l1s = [checks.positive("l1s", v) for v in l1s]
    noises = [checks.non_negative("noises", v) for v in noises]
    cols = [(noise, proximal) for noise in noises for proximal in (False, True)]
    fig, axs = plt.subplots(len(l1s), len(cols), figsize=(2.6 * len(cols), 1.9 * len(l1s) + 0.5),
                            sharex=True, squeeze=False, layout="constrained")
    for row, l1 in zip(axs, l1s, strict=True):
        for ax, (noise, proximal) in zip(row, cols, strict=True):
            zeros = _l1_panel(ax, l1, noise, lr, steps, proximal, seed)
            ax.text(0.97, 0.04, f"{zeros:.0%} at 0", transform=ax.transAxes, ha="right",
                    fontsize=8)
            ax.tick_params(labelsize=7)
        row[0].set_ylabel(f"λ₁ = {l1:g}", fontsize=9)
    for ax, (noise, proximal) in zip(axs[0], cols, strict=True):
        kind = "proximal" if proximal else "subgradient"
        ax.set_title(f"{kind}, σ = {noise:g}", fontsize=9)
    for ax in axs[-1]:
        ax.set_xlabel("step")
    return fig


#: Gradient-noise levels of :func:`adam_decay`'s weights (0: a blank pixel's weight).
NOISE_LEVELS = np.array([0.0, 1e-4, 1e-3, 1e-2, 1e-1, 1.0])


def _adam_paths(weight_decay, lr, steps):
    """{"l2": paths, "decoupled": paths} for weights at 0.5 with the noise levels."""
    w0 = np.full(NOISE_LEVELS.size, 0.5)
    return {("decoupled" if d else "l2"): adam_decay_paths(w0, NOISE_LEVELS, weight_decay,
                                                          lr=lr, steps=steps, decoupled=d)
            for d in (False, True)}


def _adam_final_panel(ax, paths, weight_decay, lr, steps):
    """Where each weight ends, against its gradient noise, for both kinds of decay."""
    x = np.arange(NOISE_LEVELS.size)
    for kind, p in paths.items():
        ax.plot(x, np.abs(p[-1]), marker="o", markersize=4, **plots.style(kind, "penalty"))
    ax.axhline(0.5 * (1 - lr * weight_decay) ** steps, color=plots.PALETTE["grey"],
               linewidth=0.8, linestyle=":", label="0.5·(1 − ηλ)ᵗ")
    ax.set_xticks(x, ["0"] + [f"{s:g}" for s in NOISE_LEVELS[1:]], fontsize=7)
    ax.set(xlabel="gradient noise σ", ylim=(0, 0.6))


def adam_decay(weight_decay=0.01, lr=1e-3, steps=300):
    r"""Weights trained by Adam on gradient noise, with an L2 penalty or with decoupled decay.

    Parameters
    ----------
    weight_decay : float
        :math:`\lambda > 0`.
    lr, steps
        Adam's learning rate and the number of updates.

    Returns
    -------
    matplotlib.figure.Figure
        Left and middle: the paths of weights starting at 0.5 whose data gradient is noise of
        standard deviation :data:`NOISE_LEVELS`, with the penalty :math:`\lambda w` in Adam's
        gradient and with decoupled decay.  Right: where each ends, against the noise.
    """
    weight_decay = checks.positive("weight_decay", weight_decay)
    paths = _adam_paths(weight_decay, lr, steps)
    fig, axs = _figure(3, (10, 3.2))
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, NOISE_LEVELS.size))
    for ax, (kind, p) in zip(axs[:2], paths.items(), strict=True):
        for path, c, sigma in zip(p.T, colors, NOISE_LEVELS, strict=True):
            ax.plot(path, color=c, linewidth=1.1, label=f"σ = {sigma:g}")
        ax.set_title(plots.label(kind, "penalty"), fontsize=9)
        ax.set(xlabel="step", ylim=(-0.1, 0.6))
    axs[0].set_ylabel("weight")
    axs[0].legend(fontsize=7, loc="lower left", ncol=2)
    for ax in axs[:2]:
        plots.few_ticks(ax.xaxis, ax.yaxis, n=4)
    _adam_final_panel(axs[2], paths, weight_decay, lr, steps)
    plots.few_ticks(axs[2].yaxis, n=4)
    axs[2].set_ylabel(f"|weight| after {steps} steps")
    axs[2].legend(fontsize=7)
    fig.suptitle(f"Adam, η = {lr:g}, λ = {weight_decay:.3g}", fontsize=10)
    return fig


def adam_decay_controls(weight_decay=0.01):
    """The widget of :func:`adam_decay`: the decay strength."""
    return {"weight_decay": ui.log_slider("strength λ", weight_decay, 1e-4, 10.0, step=0.25)}


def adam_decay_grid(lams=(1e-3, 1e-2, 1e-1, 1.0, 10.0), lr=1e-3, steps=300):
    r"""The right panel of :func:`adam_decay` for several :math:`\lambda`, side by side (static).

    Parameters
    ----------
    lams : sequence of float
        The strengths, each > 0.
    lr, steps
        As for :func:`adam_decay`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lams = [checks.positive("lams", v) for v in lams]
    fig, axs = plt.subplots(1, len(lams), figsize=(2.3 * len(lams) + 0.4, 2.9), sharey=True,
                            squeeze=False, layout="constrained")
    for ax, lam in zip(axs[0], lams, strict=True):
        _adam_final_panel(ax, _adam_paths(lam, lr, steps), lam, lr, steps)
        ax.set_title(f"λ = {lam:g}", fontsize=9)
    axs[0, 0].set_ylabel(f"|weight| after {steps} steps")
    axs[0, -1].legend(fontsize=7)
    return fig


# ---- figures over seeds -----------------------------------------------------------------------


def curves(groups, loss=True):
    """Learning curves over seeds: one column per setting; accuracy, then data loss.

    Parameters
    ----------
    groups : dict[str, list of OverfitRun]
        Column title -> the runs of one setting (one per seed), made with ``evaluate=True``.
    loss : bool, default True
        Add a row with the cross-entropy on both sets (linear scale, cut above the final
        values, so that a rising test loss shows), the lowest point of the median test loss
        marked.

    Returns
    -------
    matplotlib.figure.Figure
        Every run thin, the median thick (:func:`lib.plots.runs`); train and test in the
        styles of ``STYLES["split"]``.
    """
    if not isinstance(groups, dict) or not groups:
        raise ValueError(f"groups must be a non-empty dict title -> runs, got {groups!r}")
    rows = 2 if loss else 1
    top = 1.0
    fig, axs = plt.subplots(rows, len(groups), figsize=(4.2 * len(groups), 2.6 * rows + 0.3),
                            sharey="row", squeeze=False, layout="constrained")
    for col, (title, runs) in enumerate(groups.items()):
        for split in _SPLITS:
            acc = collect(runs, f"{split}_acc")
            epochs = runs[0].epochs
            plots.runs(acc, axs[0, col], x=epochs, **plots.style(split, "split"))
            if loss:
                losses = collect(runs, f"{split}_losses")
                plots.runs(losses, axs[1, col], x=epochs, **plots.style(split, "split"))
        if loss:
            median = np.median(losses, axis=0)  # the test loss, drawn last
            low = int(np.argmin(median))
            axs[1, col].plot(epochs[low], median[low], "o", color=plots.color("test", "split"),
                             markersize=5)
            axs[1, col].annotate(f"lowest: epoch {epochs[low]}", (epochs[low], median[low]),
                                 xytext=(0, -14), textcoords="offset points",
                                 ha="right" if low > 0.8 * len(epochs) else "center",
                                 fontsize=8, color=plots.color("test", "split"))
            top = max(top, 1.25 * float(np.max(losses[:, -1])))
        axs[0, col].set_title(title, fontsize=10)
        axs[0, col].set_ylim(0, 1.02)
        axs[-1, col].set_xlabel("epoch")
    axs[0, 0].set_ylabel("accuracy")
    axs[0, 0].legend(loc="lower right", fontsize=8)
    if loss:
        axs[1, 0].set_ylabel("cross-entropy")
        axs[1, 0].set_ylim(0, top)
    return fig


def _lam_axis(lams):
    """x positions for strengths on a log axis; a strength of 0 goes one step left of the rest."""
    positive = sorted(lam for lam in lams if lam > 0)
    step = np.log10(positive[1] / positive[0]) if len(positive) > 1 else 1.0
    zero = positive[0] / 10 ** (1.5 * step) if positive else 1.0
    return {lam: (lam if lam > 0 else zero) for lam in lams}, zero


def sweep_figure(sweeps, reference=None):
    r"""Final accuracies and test loss against :math:`\lambda`, for one or more penalties.

    Parameters
    ----------
    sweeps : dict[str, dict[float, list of OverfitRun]]
        Penalty (a name of ``STYLES["penalty"]``) -> its :func:`lib.overfitting.sweep` result.
    reference : list of OverfitRun, optional
        Runs without any penalty, drawn at the left end, marked "0".

    Returns
    -------
    matplotlib.figure.Figure
        Left: train (hollow) and test (filled) accuracy of every run, medians joined.  Right:
        the test cross-entropy.  Log :math:`\lambda` axis; the reference runs in black.
    """
    if not isinstance(sweeps, dict) or not sweeps:
        raise ValueError(f"sweeps must be a non-empty dict penalty -> sweep, got {sweeps!r}")
    every = [lam for results in sweeps.values() for lam in results]
    where, zero = _lam_axis(every + ([0.0] if reference is not None else []))
    fig, (ax_a, ax_l) = plt.subplots(1, 2, figsize=(9.5, 3.6), layout="constrained")
    panels = (("final_train_acc", ax_a, False), ("final_test_acc", ax_a, True),
              ("test_loss", ax_l, True))
    if reference is not None:  # the runs without a penalty, once, in black
        black = plots.color("none", "penalty")
        for attribute, ax, filled in panels:
            v = collect(reference, attribute)
            ax.plot(np.full(v.size, zero), v, linestyle="none", marker="o", markersize=3.5,
                    color=black, alpha=0.6, markerfacecolor=black if filled else "none")
    for kind, results in sweeps.items():
        groups = ({0.0: reference} if reference is not None else {}) | dict(results)
        lams = sorted(groups)
        x = np.array([where[lam] for lam in lams])
        st = plots.style(kind, "penalty")
        for attribute, ax, filled in panels:
            values = [collect(groups[lam], attribute) for lam in lams]
            for xi, lam, v in zip(x, lams, values, strict=True):
                if lam > 0:
                    ax.plot(np.full(v.size, xi), v, linestyle="none", marker="o",
                            markersize=3.5, color=st["color"], alpha=0.6,
                            markerfacecolor=st["color"] if filled else "none")
            label = st["label"] + ("" if ax is ax_l else (", test" if filled else ", train"))
            ax.plot(x, [np.median(v) for v in values], color=st["color"],
                    linestyle=st["linestyle"] if filled else ":", linewidth=1.4, label=label)
    for ax in (ax_a, ax_l):
        ax.set_xscale("log")
        ticks = sorted(set(where.values()))
        ax.set_xticks(ticks, ["0" if t == zero else f"{t:g}" for t in ticks], fontsize=8)
        ax.minorticks_off()
        ax.set_xlabel("strength λ")
        ax.grid(True, alpha=0.3)
    ax_a.set_ylabel("final accuracy")
    ax_l.set_ylabel("test cross-entropy")
    ax_a.legend(fontsize=7, loc="lower left")
    if len(sweeps) > 1:
        ax_l.legend(fontsize=7)
    return fig


def weight_histograms(weights, bins=80, limit=None):
    """Histograms of trained weights, one panel per setting, on one shared range (log counts).

    Parameters
    ----------
    weights : dict[str, tuple[str, ndarray of shape (n,)]]
        Panel title -> (penalty name for the colour, the weights).
    bins : int, default 80
    limit : float, optional
        The range is [-limit, limit] (default: the largest ``|w|``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(weights, dict) or not weights:
        raise ValueError(f"weights must be a non-empty dict title -> (penalty, w), got {weights!r}")
    if limit is None:
        limit = max(float(np.abs(w).max()) for _, w in weights.values())
    edges = np.linspace(-limit, limit, checks.integer("bins", bins, 2) + 1)
    fig, axs = plt.subplots(1, len(weights), figsize=(2.4 * len(weights) + 0.4, 2.6),
                            sharey=True, squeeze=False, layout="constrained")
    for ax, (title, (penalty, w)) in zip(axs[0], weights.items(), strict=True):
        _histogram(ax, w, edges, plots.color(penalty, "penalty"))
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("weight")
        plots.few_ticks(ax.xaxis, n=3)
    axs[0, 0].set_ylabel("count")
    return fig


def sparsity_figure(weights, bands=()):
    r"""The share of weights at most ``tol`` in size, against ``tol`` (log axis).

    Parameters
    ----------
    weights : dict[str, tuple[str, ndarray of shape (n,)]]
        Label -> (penalty name for the style, the weights of one run).
    bands : sequence of float
        Sizes to mark with a vertical line (e.g. :math:`\eta\lambda_1`).

    Returns
    -------
    matplotlib.figure.Figure
        A weight that is exactly 0 counts for every ``tol``: the curve's height at the left
        edge is the share of exact zeros.
    """
    tols = np.logspace(-9, 0, 181)
    fig, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
    for label, (penalty, w) in weights.items():
        size = np.sort(np.abs(np.asarray(w, dtype=float)))
        share = np.searchsorted(size, tols, side="right") / size.size
        ax.plot(tols, share, linewidth=1.5, **(plots.style(penalty, "penalty") | {"label": label}))
    for band in bands:
        ax.axvline(band, color=plots.PALETTE["grey"], linewidth=0.8, linestyle=":")
    ax.set_xscale("log")
    ax.set(xlabel="size tol", ylabel="share of weights with |w| ≤ tol", xlim=(tols[0], 1))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig


#: The chapter's explorers: name -> (the function a widget redraws, its controls' factory).
EXPLORERS = {
    "explore": (explore, explore_controls),
    "l1_steps": (l1_steps, l1_steps_controls),
    "adam_decay": (adam_decay, adam_decay_controls),
}
