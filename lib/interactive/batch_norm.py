r"""Figures and explorers of the chapter on batch normalisation.

Explorers, each with its controls' factory:

* :func:`weight_scale` (:func:`weight_scale_controls`) -- *Deep Learning from Scratch*'s
  experiment for one weight scale: training accuracy with and without batch normalisation,
  and the activations of the five hidden layers before and after training.
* :func:`batch_gap` (:func:`batch_gap_controls`) -- a network trained with a small batch:
  the inference variances an estimator gives against the whole training set's, and the
  accuracy in training mode against inference mode.

Fixed figures: :func:`sigmoid_figure`, :func:`scale_grid` (the 16 scales, the companion of
:func:`weight_scale`), :func:`scale_animation`, :func:`gap_figure` (the companion of
:func:`batch_gap`), :func:`lr_figure`, :func:`step_figure`.

The training behind the explorers is :mod:`lib.batch_norm_training`'s, one seed, cached: the
first visit to a setting trains (a few tenths of a second), later visits only redraw.
"""

import functools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation

from lib import checks, plots
from lib.activations import sigmoid
from lib.batch_norm import expected_batch_std, expected_batch_variance, inference_statistics
from lib.batch_norm import using_statistics as _using
from lib.batch_norm_training import SCALES, SIZES, batch_size_gap, hidden_activations, scale_run
from lib.datasets import load_digits
from lib.interactive import controls as ui
from lib.interactive.initialization import ridgeline
from lib.network import MultiLayerNet
from lib.propagation import value_range

__all__ = [
    "BATCH_SIZES",
    "EPOCHS",
    "EXPLORERS",
    "REPLAYED",
    "batch_gap",
    "batch_gap_controls",
    "gap_figure",
    "lr_figure",
    "scale_animation",
    "scale_grid",
    "sigmoid_figure",
    "step_figure",
    "weight_scale",
    "weight_scale_controls",
]

#: Epochs of the weight-scale runs, here and in the chapter (*Deep Learning from Scratch*: 20).
EPOCHS = 10

#: Training batches the explorer replays through a trained network for its running averages
#: (enough that even momentum 0.99 forgets where the average started).
REPLAYED = 1000

#: The batch sizes of the explorer and of the chapter's measurement.
BATCH_SIZES = (2, 4, 8, 16, 32, 64)

_ON = {True: "with", False: "without"}


def _style(name):
    return plots.style(name, "batchnorm")


def _readable_log_ticks(axis, lo, hi):
    """Ticks at 1, 2 and 5 times the powers of ten between lo and hi (powers alone if many)."""
    ticks = [m * 10.0**e for e in range(-12, 13) for m in (1, 2, 5) if lo <= m * 10.0**e <= hi]
    if len(ticks) > 7:
        ticks = [t for t in ticks if f"{t:g}".lstrip("0.").startswith("1")]
    if len(ticks) >= 2:
        axis.set_ticks(ticks, [plots.power_of_ten(t) or f"{t:g}" for t in ticks])


def sigmoid_figure(inputs, figsize=(9, 4.2)):
    """Inputs of a sigmoid layer (top) and its outputs (bottom), one column per case.

    Parameters
    ----------
    inputs : dict[str, array_like]
        Title -> the values entering the sigmoid (any shape), e.g. raw pre-activations, the
        same normalised, and normalised then scaled by gamma and shifted by beta.
    figsize : (float, float)

    Returns
    -------
    matplotlib.figure.Figure
        The sigmoid is drawn over each input histogram; the grey band marks
        :math:`|z| < 1`, where it is within 0.02 of its tangent :math:`1/2 + z/4`.
    """
    inputs = {str(k): np.asarray(v, dtype=float).ravel() for k, v in dict(inputs).items()}
    if not inputs:
        raise ValueError("inputs must map titles to arrays, got an empty dict")
    fig, axs = plt.subplots(2, len(inputs), figsize=figsize, squeeze=False)
    z = np.linspace(-8, 8, 200)
    for j, (title, a) in enumerate(inputs.items()):
        top, bottom = axs[0, j], axs[1, j]
        top.axvspan(-1, 1, color=plots.PALETTE["grey"], alpha=0.2, linewidth=0)
        top.hist(np.clip(a, -8, 8), bins=60, range=(-8, 8), density=True,
                 color=plots.PALETTE["blue"], alpha=0.8)
        curve = top.twinx()
        curve.plot(z, sigmoid(z), color=plots.PALETTE["black"], linewidth=1.2)
        curve.set(ylim=(0, 1.05), yticks=[0, 0.5, 1] if j == len(inputs) - 1 else [])
        top.set(xlim=(-8, 8), yticks=[], title=title)
        top.set_xlabel("input z of the sigmoid", fontsize=8)
        bottom.hist(sigmoid(a), bins=40, range=(0, 1), density=True,
                    color=plots.PALETTE["vermillion"], alpha=0.8)
        bottom.set(xlim=(0, 1), yticks=[])
        bottom.set_xlabel("output sigmoid(z)", fontsize=8)
    fig.tight_layout()
    return fig


def _curve_panel(ax, runs_by_setting, scale, legend=True):
    """Accuracy per epoch, with and without, each a few runs (thin) and their median."""
    notes, length = [], 2
    for batchnorm in (True, False):
        runs = runs_by_setting.get(batchnorm)
        if not runs:
            continue
        curves = np.array([r.accuracy for r in runs])
        length = max(length, curves.shape[1])
        plots.runs(curves, ax, **_style(_ON[batchnorm]))
        diverged = [r.diverged_at for r in runs if r.diverged_at is not None]
        if diverged:
            steps = f"{min(diverged)}" + (f"–{max(diverged)}" if max(diverged) > min(diverged)
                                          else "")
            notes.append((f"{_ON[batchnorm]}: diverged at step {steps}",
                          plots.color(_ON[batchnorm], "batchnorm")))
    ax.set(ylim=(0, 1.02), xlim=(0, length - 1))
    ax.set_title(f"weight scale {scale:.3g}", fontsize=9)
    for k, (note, color) in enumerate(notes):
        ax.text(0.97, 0.5 - 0.12 * k, note, transform=ax.transAxes, ha="right", fontsize=7,
                color=color)
    if legend:
        ax.legend(fontsize=7, loc="upper left")
    return ax


def scale_grid(runs, ncols=4):
    """*Deep Learning from Scratch*'s figure: one panel per weight scale, with and without.

    Parameters
    ----------
    runs : dict[(float, bool), list of lib.batch_norm_training.ScaleRun]
        (scale, batchnorm) -> the runs over seeds.
    ncols : int, default 4

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(runs, dict) or not runs:
        raise ValueError(f"runs must be a non-empty dict (scale, batchnorm) -> runs, got {runs!r}")
    scales = sorted({s for s, _ in runs}, reverse=True)
    ncols = checks.integer("ncols", ncols, 1)
    nrows = -(-len(scales) // ncols)
    fig, axs = plt.subplots(nrows, ncols, figsize=(2.3 * ncols + 0.5, 1.75 * nrows + 0.6),
                            sharex=True, sharey=True, squeeze=False)
    for ax in axs.ravel()[len(scales):]:
        ax.set_visible(False)
    for ax, scale in zip(axs.ravel(), scales, strict=False):
        by = {bn: runs.get((scale, bn), []) for bn in (True, False)}
        _curve_panel(ax, by, scale, legend=False)
        ax.tick_params(labelsize=7)
    for ax in axs[-1]:
        ax.set_xlabel("epoch", fontsize=8)
    for ax in axs[:, 0]:
        ax.set_ylabel("training accuracy", fontsize=8)
    handles, labels = axs[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1), h_pad=0.6, w_pad=0.4)
    return fig


def _snap(scale):
    """The scale of :data:`lib.batch_norm_training.SCALES` nearest to ``scale`` (in log)."""
    scale = checks.positive("scale", scale)
    return min(SCALES, key=lambda s: abs(np.log(s / scale)))


@functools.lru_cache(maxsize=64)
def _scale_run(scale, batchnorm):
    return scale_run(scale, batchnorm, seed=0, epochs=EPOCHS, activations=True)


def _ridge(ax, outputs, title):
    layers = list(range(1, len(outputs) + 1))
    padded = [None, *outputs]
    ridgeline(padded, layers, "relu", value_range("relu", outputs), ax=ax,
              color=plots.PALETTE["blue"])
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("activation value (ReLU)", fontsize=8)


def weight_scale(scale=0.0464, batchnorm=True):
    """The explorer: one weight scale of *Deep Learning from Scratch*'s figure, in detail.

    Parameters
    ----------
    scale : float
        The weights' standard deviation; snapped to the nearest of the book's 16 scales
        (:data:`lib.batch_norm_training.SCALES`).
    batchnorm : bool
        Which network's activations to show (both learning curves are always drawn).

    Returns
    -------
    matplotlib.figure.Figure
        Left: training accuracy per epoch, with and without batch normalisation (one seed).
        Middle and right: the five hidden layers' activations on a batch of 100 training
        examples, in training mode, before and after the :data:`EPOCHS` epochs.
    """
    scale = _snap(scale)
    batchnorm = bool(batchnorm)
    runs = {bn: [_scale_run(scale, bn)] for bn in (True, False)}
    fig, axs = plt.subplots(1, 3, figsize=(10, 3.4), FigureClass=plots.FastFigure,
                            gridspec_kw={"width_ratios": (1.2, 1, 1), "wspace": 0.7})
    fig.subplots_adjust(left=0.07, right=0.92, top=0.86, bottom=0.15)
    _curve_panel(axs[0], runs, scale)
    axs[0].set_xlabel("epoch", fontsize=8)
    axs[0].set_ylabel("training accuracy", fontsize=8)
    shown = runs[batchnorm][0]
    _ridge(axs[1], shown.before, "before training")
    _ridge(axs[2], shown.after, f"after {EPOCHS} epochs" if shown.diverged_at is None
           else f"diverged at step {shown.diverged_at}")
    fig.suptitle(f"activations {_ON[batchnorm]} batch normalisation", fontsize=10, x=0.65)
    axs[0].set_yticks([0, 0.5, 1])
    plots.few_ticks(*(ax.xaxis for ax in axs), n=3)  # ticks are most of a redraw's cost
    return fig


def weight_scale_controls(scale=0.0464, batchnorm=True):
    """The widgets of :func:`weight_scale`: a log slider over the 16 scales, and on/off.

    Returns
    -------
    dict[str, ipywidgets.Widget]
    """
    return {
        "scale": ui.log_slider("weight scale (std)", scale, 1e-4, 1.0, step=4 / 15),
        "batchnorm": ui.dropdown("activations shown", [("with batch norm", True),
                                                       ("without", False)], batchnorm),
    }


def scale_animation(scales=SCALES, seed=0, dpi=72):
    """The hidden activations at initialisation as the weight scale sweeps, without and with.

    Parameters
    ----------
    scales : sequence of float
        One frame each (default: the 16 scales).
    seed : int
    dpi : int

    Returns
    -------
    IPython.display.HTML
        The player of :func:`lib.plots.animation_html`.
    """
    scales = [checks.positive("scales", s) for s in scales]
    (x, _), _ = load_digits()
    frames = [{bn: hidden_activations(MultiLayerNet(SIZES, init=s, batchnorm=bn, seed=seed),
                                      x[:100]) for bn in (False, True)} for s in scales]
    fig, axs = plt.subplots(1, 2, figsize=(8, 3.2), dpi=dpi)
    fig.subplots_adjust(left=0.1, right=0.88, top=0.82, bottom=0.16, wspace=0.6)

    def frame(k):
        for ax, bn in zip(axs, (False, True), strict=True):
            ax.clear()
            _ridge(ax, frames[k][bn], f"{_ON[bn]} batch norm")
        fig.suptitle(f"weight scale {scales[k]:.3g}: activations before training", fontsize=10)
        return list(axs)

    anim = animation.FuncAnimation(fig, frame, frames=len(scales), interval=500, blit=False)
    return plots.animation_html(anim, default_mode="once")


# ---- small batches ----------------------------------------------------------------------------


def gap_figure(results, control=None):
    """The small-batch measurement over seeds: statistics, accuracy and disagreement by batch size.

    Parameters
    ----------
    results : dict[int, list of dict]
        Batch size -> one :func:`lib.batch_norm_training.batch_size_gap` result per seed, with
        ``details=True`` or with keys ``"ratios"`` (estimator -> variance ratio of layer 1).
    control : dict[int, list of float], optional
        Batch size -> test accuracies of the same network without batch normalisation.

    Returns
    -------
    matplotlib.figure.Figure
    """
    sizes = sorted(results)
    fig, axs = plt.subplots(1, 3, figsize=(10, 3.3))
    n = np.array(sizes)
    for estimator, expected in [("unbiased", np.ones(len(sizes))),
                                ("biased", [expected_batch_variance(b) for b in sizes]),
                                ("std", [expected_batch_std(b) ** 2 for b in sizes])]:
        style = _style(estimator)
        axs[0].plot(n, expected, color=style["color"], linewidth=1, alpha=0.7)
        for b in sizes:
            ratios = [r["ratios"][estimator] for r in results[b]]
            axs[0].plot([b] * len(ratios), ratios, linestyle="none", marker="o", markersize=3,
                        color=style["color"], label=style["label"] if b == sizes[0] else None)
    axs[0].set(xscale="log", xlabel="batch size N", ylabel="estimated / true variance",
               title="inference variance (layer 1)")
    axs[0].legend(fontsize=7)
    for key in ("train mode", "running"):
        values = np.array([[r[key] for r in results[b]] for b in sizes]).T
        plots.runs(values, axs[1], x=n, marker="o", markersize=3, **_style(key))
    if control:
        values = np.array([control[b] for b in sizes]).T
        style = {**_style("without"), "label": "without batch norm (control)"}
        plots.runs(values, axs[1], x=n, marker="s", markersize=3, **style)
    axs[1].set(xscale="log", xlabel="batch size N", ylabel="test accuracy", ylim=(0, 1),
               title="accuracy")
    axs[1].legend(fontsize=7, loc="lower right")
    values = np.array([[r["disagreement"] for r in results[b]] for b in sizes]).T
    plots.runs(values, axs[2], x=n, color=plots.PALETTE["black"], marker="o", markersize=3)
    axs[2].set(xscale="log", xlabel="batch size N", ylabel="share of test examples",
               ylim=(0, None), title="training and inference mode disagree")
    for ax in axs:
        ax.set_xticks(sizes, [str(b) for b in sizes])
        ax.minorticks_off()
    fig.tight_layout()
    return fig


@functools.lru_cache(maxsize=8)
def _gap_setup(batch_size):
    return batch_size_gap(batch_size, seed=0, n_batches=REPLAYED, details=True)


def batch_gap(batch_size=4, estimator="biased", momentum=0.9):
    """The explorer: inference statistics and accuracy of a network trained with small batches.

    Parameters
    ----------
    batch_size : int
        The training batch size (one of :data:`BATCH_SIZES` is cached).
    estimator : str
        "biased", "unbiased", "std" (see :func:`lib.batch_norm.inference_statistics`) or
        "population" (the whole training set's statistics).
    momentum : float
        Weight of the old value in the running average over :data:`REPLAYED` training batches
        (unused for "population").

    Returns
    -------
    matplotlib.figure.Figure
        Left: each feature's estimated variance against the whole training set's, both
        batch-norm layers, with the average ratio expected for Gaussian features.  Right:
        test accuracy in training mode (batches of ``batch_size``) and in inference mode.
    """
    batch_size = checks.integer("batch_size", batch_size, 2, 256)
    estimator = checks.one_of("estimator", estimator, ("biased", "unbiased", "std", "population"))
    momentum = checks.probability("momentum", momentum)
    setup = _gap_setup(batch_size)
    net, population = setup["net"], setup["population statistics"]
    if estimator == "population":
        estimate, expected = population, 1.0
    else:
        estimate = inference_statistics(setup["stats"], estimator, momentum=momentum)
        expected = {"biased": expected_batch_variance(batch_size), "unbiased": 1.0,
                    "std": expected_batch_std(batch_size) ** 2}[estimator]
    (_, _), (x_test, t_test) = load_digits()
    with _using(net, estimate):
        accuracy = net.accuracy(x_test, t_test)

    fig, (ax_v, ax_a) = plt.subplots(1, 2, figsize=(9.5, 3.6), FigureClass=plots.FastFigure,
                                     gridspec_kw={"width_ratios": (1.1, 1)})
    fig.subplots_adjust(left=0.09, right=0.97, top=0.85, bottom=0.15, wspace=0.6)
    ratios = []
    for l, ((_, est), (_, pop)) in enumerate(zip(estimate, population, strict=True), start=1):
        ratios.append(est / np.maximum(pop, 1e-30))
        ax_v.plot(pop, plots.for_log_axis(ratios[-1]), linestyle="none", marker="o",
                  markersize=2.5, alpha=0.6, label=f"layer {l}",
                  color=plots.PALETTE["blue" if l == 1 else "orange"])
    ax_v.axhline(1.0, color=plots.PALETTE["grey"], linewidth=1, label="right on")
    ax_v.axhline(expected, color=plots.PALETTE["black"], linestyle="--", linewidth=1,
                 label=f"× {expected:.3g}: expected bias (Gaussian)")
    plots.fast_log_scale(ax_v, "x")
    plots.fast_log_scale(ax_v, "y")
    plots.log_ylim(ax_v, [1.0, expected], *ratios, decades=0.5)
    _readable_log_ticks(ax_v.yaxis, *ax_v.get_ylim())
    allpop = np.concatenate([p for _, p in population])
    _readable_log_ticks(ax_v.xaxis, allpop.min() / 1.3, allpop.max() * 1.3)
    ax_v.set(xlabel="feature's variance over the training set",
             ylabel="estimated / true variance")
    ax_v.legend(fontsize=7, loc="lower right")
    names = ["training mode", "inference", "inference, whole set"]
    with _using(net, population):
        values = [setup["train mode"], accuracy, net.accuracy(x_test, t_test)]
    colors = [plots.color(k, "batchnorm") for k in ("train mode", estimator, "population")]
    ax_a.barh(names, values, color=colors)
    for k, v in enumerate(values):
        ax_a.text(v - 0.02 if v > 0.3 else v + 0.02, k, f"{v:.1%}", va="center", fontsize=8,
                  ha="right" if v > 0.3 else "left", color="white" if v > 0.3 else "black")
    ax_a.set(xlim=(0, 1), xlabel="test accuracy", xticks=[0, 0.5, 1])
    ax_a.invert_yaxis()
    ax_a.set_title(f"modes disagree on {setup['disagreement']:.0%} of the test set", fontsize=9)
    label = plots.label(estimator, "batchnorm")
    fig.suptitle(f"trained with batches of {batch_size}; inference statistics: {label}"
                 + ("" if estimator == "population" else f", momentum {momentum:.2f}"),
                 fontsize=10)
    return fig


def batch_gap_controls(batch_size=4, estimator="biased", momentum=0.9):
    """The widgets of :func:`batch_gap`; the momentum slider is off for "population".

    Returns
    -------
    dict[str, ipywidgets.Widget]
    """
    options = [(plots.label(k, "batchnorm"), k) for k in ("biased", "unbiased", "std",
                                                          "population")]
    controls = {
        "batch_size": ui.dropdown("training batch size", list(BATCH_SIZES), batch_size),
        "estimator": ui.dropdown("inference variance", options, estimator),
        "momentum": ui.float_slider("momentum (old value's weight)", momentum, 0.0, 0.99,
                                    0.01),
    }

    def enable(change):
        controls["momentum"].disabled = change["new"] == "population"

    controls["estimator"].observe(enable, names="value")
    enable({"new": estimator})
    return controls


# ---- what batch normalisation buys, and why ---------------------------------------------------


def lr_figure(results, lrs):
    """Final training loss against the learning rate, with and without batch normalisation.

    Parameters
    ----------
    results : dict[(float, bool), list of (int or None, float)]
        (lr, batchnorm) -> per seed, (the step training diverged at, or None; the final loss).
    lrs : sequence of float

    Returns
    -------
    matplotlib.figure.Figure
        Each run a dot, the median a line; a diverged run is a cross at the top.
    """
    lrs = list(lrs)
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    top = 30.0
    for batchnorm in (False, True):
        style = _style(_ON[batchnorm])
        finals = np.array([[top if d is not None else min(loss, top) for d, loss in
                            results[lr, batchnorm]] for lr in lrs])
        for lr, row, runs in zip(lrs, finals, (results[lr, batchnorm] for lr in lrs),
                                 strict=True):
            diverged = [d is not None for d, _ in runs]
            ax.plot([lr] * len(row), row, linestyle="none", color=style["color"], alpha=0.6,
                    marker="x" if any(diverged) else "o", markersize=4)
        ax.plot(lrs, np.median(finals, axis=1), **style)
    ax.axhline(np.log(10), color=plots.PALETTE["grey"], linestyle=":", linewidth=1)
    ax.text(lrs[0], np.log(10) * 1.15, "chance: ln 10", fontsize=7, color="0.4")
    ax.text(lrs[0], top, "× : diverged", fontsize=7, va="center", color="0.3")
    plots.fast_log_scale(ax, "x")
    plots.fast_log_scale(ax, "y")
    ax.set(xlabel="learning rate η", ylabel="training loss after 10 epochs", ylim=(3e-3, 60))
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def step_figure(profiles, lrs):
    """The loss and the gradient one gradient step away, with and without batch normalisation.

    Left: the loss after one step of size η divided by the loss before.  Right: how fast the
    gradient changed along the step, the change of the gradient divided by the distance
    moved (an effective smoothness constant of the loss along the step).

    Parameters
    ----------
    profiles : dict[bool, list of dict]
        batchnorm -> per seed, a :func:`lib.batch_norm_training.step_profile` result.
    lrs : array_like of shape (S,)
        The step sizes the profiles were taken at.

    Returns
    -------
    matplotlib.figure.Figure
    """
    lrs = np.asarray(lrs, dtype=float)
    fig, axs = plt.subplots(1, 2, figsize=(9, 3.4))
    for batchnorm in (False, True):
        style = _style(_ON[batchnorm])
        runs = profiles[batchnorm]
        ratio = np.array([p["losses"] / p["loss"] for p in runs])
        change = np.array([p["gradient_change"] for p in runs]) / lrs
        plots.runs(plots.for_log_axis(ratio), axs[0], x=lrs, **style)
        plots.runs(plots.for_log_axis(change), axs[1], x=lrs, **style)
    axs[0].axhline(1, color=plots.PALETTE["grey"], linewidth=0.8, linestyle=":")
    axs[0].set(ylabel="loss after the step / loss before")
    axs[1].set(ylabel="‖∇L(w − ηg) − g‖ / ‖ηg‖")
    for ax in axs:
        plots.fast_log_scale(ax, "x")
        plots.fast_log_scale(ax, "y")
        ax.set_xlabel("step size η (one step along −g, same batch)")
    axs[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


#: The chapter's explorers: name -> (the function a widget redraws, its controls' factory).
EXPLORERS = {
    "weight_scale": (weight_scale, weight_scale_controls),
    "batch_gap": (batch_gap, batch_gap_controls),
}
