r"""Explorers for the chapter on weight initialisation: activations and gradients, layer by layer.

Every function draws what :func:`lib.propagation.propagate` measures: Gaussian inputs pushed
through a deep stack of bias-free layers, and a gradient pushed back down.

* :func:`explore` -- the explorer: pick an activation, an initialiser (or a free standard
  deviation), a depth and a width; see histograms of the activations of a few layers, the
  spread of the forward and backward signals per layer, and the norm of every layer's weight
  gradient.  :func:`explore_controls` builds its widgets.
* :func:`histogram_grid` -- the activation histograms of *Deep Learning from Scratch*, one row
  per (activation, initialiser), one column per layer, with a range that follows the
  activation (the book's fixed (0, 1) range hides tanh's negative half and ReLU's values
  above 1; pass ``fixed_range=(0, 1)`` to reproduce it).
* :func:`depth_curves` -- one quantity (forward std, backward std, weight-gradient norm)
  against depth, one panel per activation and one line per initialiser.
* :func:`small_multiples` -- a grid activation × initialiser of :func:`signal_panel` s: the
  static companion of the explorer for readers of the HTML page.
* :func:`drift_figure` -- single networks' activation sizes wandering through the layers
  around what the variance argument promises on average, by width.
* :func:`weight_images` -- every hidden unit's incoming weights as an 8 × 8 image, to see
  at a glance whether units differ (after a zero initialisation they never do).
* :func:`std_animation` -- the per-layer spreads as the weights' standard deviation sweeps
  from too small to too large: a scrubbable animation (HTML) for the same readers.

Signals that overflow are drawn up to the last finite layer and labelled "overflow at layer
k"; signals that are exactly zero (zero weights) are labelled, not drawn on the log axes.
Bad arguments raise ``ValueError`` naming the argument.
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.ticker import MaxNLocator

from lib import checks, plots
from lib.activations import ACTIVATIONS
from lib.interactive import controls as ui
from lib.propagation import histogram, propagate, value_range

__all__ = [
    "EXPLORERS",
    "INIT_CHOICES",
    "MAX_DEPTH",
    "QUANTITIES",
    "depth_curves",
    "drift_figure",
    "explore",
    "explore_controls",
    "histogram_grid",
    "layer_histogram",
    "ridgeline",
    "signal_panel",
    "small_multiples",
    "std_animation",
    "weight_images",
]

#: The explorer's initialisers: (label shown in the drop-down, value passed to :func:`explore`).
INIT_CHOICES = (
    ("normal, std from the slider", "normal"),
    ("Xavier (Glorot): √(2/(n_in+n_out))", "xavier"),
    ("LeCun: √(1/n_in)", "lecun"),
    ("He: √(2/n_in)", "he"),
    ("uniform ±0.05", "uniform"),
    ("zeros", "zeros"),
)

#: Deepest stack the explorer draws.
MAX_DEPTH = 50

#: What :func:`depth_curves` can draw: attribute of a Propagation -> axis label.
QUANTITIES = {
    "forward_std": "std of the activations $x_l$",
    "backward_std": r"std of the gradient $\partial L/\partial x_l$",
    "weight_grad_norm": r"$\Vert\partial L/\partial W_l\Vert$",
}

def _notes(h):
    """The notes beside one layer's histogram: its std, ReLU's zeros, what was not drawn."""
    notes = [] if np.isnan(h.std) else [f"std {h.std:.2g}"]
    if h.overflow_share > 0:
        notes.append(f"{h.overflow_share:.0%} overflow")
    if h.zero_share is not None:
        notes.append(f"{h.zero_share:.0%} at 0")
    if h.outside_share > 0.005:
        notes.append(f"{h.outside_share:.0%} outside")
    return notes


def layer_histogram(values, activation, limits, ax=None, bins=30, color=None):
    """Histogram of one layer's activations ``values`` on ``ax`` over ``limits``.

    The panel is annotated with the values' std, and for ReLU with the share of exact zeros,
    which are counted apart; values that overflow or fall outside the range are reported too.

    Parameters
    ----------
    values : array_like of any shape
        One layer's activations.
    activation : str
        A name of :data:`lib.activations.ACTIVATIONS`.
    limits : (float, float)
        ``(lo, hi)``, e.g. from :func:`lib.propagation.value_range`.
    ax : matplotlib.axes.Axes, optional
    bins : int, default 30
    color : str, optional
        Default: blue.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = plots.axes(ax)
    h = histogram(values, activation, limits, bins)
    ax.stairs(h.counts, h.edges, fill=True, color=color or plots.PALETTE["blue"], alpha=0.85)
    ax.set_xlim(*limits)
    ax.set_yticks([])
    ax.text(0.97, 0.95, "\n".join(_notes(h)), transform=ax.transAxes, ha="right", va="top",
            fontsize=7)
    return ax


def ridgeline(outputs, layers, activation, limits, ax=None, bins=40, color=None):
    """Histograms of several layers stacked in one panel, first layer on top.

    Each histogram is scaled to the same height, so shapes compare; the notes of
    :func:`layer_histogram` sit at the right.  One panel instead of one per layer keeps an
    explorer's redraw fast.

    Parameters
    ----------
    outputs : sequence of ndarray
        Indexed by layer, e.g. ``Propagation.outputs``: ``outputs[l]`` of shape (N, n_l).
    layers : sequence of int
        The layer numbers to draw.
    activation : str
        A name of :data:`lib.activations.ACTIVATIONS`.
    limits : (float, float)
        The shared ``(lo, hi)``.
    ax : matplotlib.axes.Axes, optional
    bins : int, default 40
    color : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = plots.axes(ax)
    color = color or plots.PALETTE["blue"]
    for k, l in enumerate(layers):
        base = len(layers) - 1 - k
        h = histogram(outputs[l], activation, limits, bins)
        top = h.counts.max() if h.counts.size and h.counts.max() > 0 else 1
        ax.stairs(base + 0.9 * h.counts / top, h.edges, baseline=base, fill=True, color=color,
                  alpha=0.85)
        ax.text(1.0, base + 0.45, "  " + "\n  ".join(_notes(h)),
                transform=ax.get_yaxis_transform(),
                ha="left", va="center", fontsize=7, linespacing=1.0)
    ax.set_yticks(np.arange(len(layers)) + 0.4, [f"layer {l}" for l in layers[::-1]])
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(-0.1, len(layers))
    ax.set_xlim(*limits)
    ax.set_xlabel("activation value")
    return ax


def _label(prop):
    return f"{prop.activation}, {plots.label(prop.init, 'init')}"


def _check_props(props):
    """``props`` as a non-empty list of Propagation results, or a ValueError naming it."""
    props = list(props)
    if not props or not all(hasattr(p, "forward_std") and hasattr(p, "outputs") for p in props):
        raise ValueError(f"props must be a non-empty list of Propagation results, got {props!r}")
    return props


def histogram_grid(props, layers=None, fixed_range=None, bins=30, figsize=None):
    """The activation histograms: one row per Propagation in ``props``, one column per layer.

    Parameters
    ----------
    props : list of lib.propagation.Propagation
    layers : sequence of int, optional
        The layers to show (1-based); default the first five (or all, if fewer).
    fixed_range : (float, float), optional
        One ``(lo, hi)`` for every panel, e.g. (0, 1) as in *Deep Learning from Scratch*;
        default: :func:`lib.propagation.value_range` per activation, shared by all rows with
        that activation, so that rows can be compared.
    bins : int, default 30
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    props = _check_props(props)
    depth = min(p.depth for p in props)
    if layers is None:
        layers = list(range(1, min(depth, 5) + 1))
    layers = [int(l) for l in layers]
    if not layers or min(layers) < 1 or max(layers) > depth:
        raise ValueError(f"layers must be layer numbers between 1 and {depth}, got {layers}")
    if fixed_range is not None:
        lo, hi = (float(v) for v in fixed_range)
        if not hi > lo:
            raise ValueError(f"fixed_range must be (lo, hi) with hi > lo, got {fixed_range}")
    ranges = {}
    for p in props:
        if fixed_range is None and p.activation not in ranges:
            same = [q.outputs[l] for q in props if q.activation == p.activation for l in layers]
            ranges[p.activation] = value_range(p.activation, same)
    rows, cols = len(props), len(layers)
    figsize = figsize or (9, 0.2 + 1.25 * rows)
    fig, axs = plt.subplots(rows, cols, figsize=figsize, squeeze=False)
    for i, p in enumerate(props):
        color = plots.color(p.init, "init")
        for j, l in enumerate(layers):
            rng = fixed_range if fixed_range is not None else ranges[p.activation]
            layer_histogram(p.outputs[l], p.activation, rng, ax=axs[i, j], bins=bins, color=color)
            axs[i, j].tick_params(labelsize=7)
            if i == 0:
                axs[i, j].set_title(f"layer {l}", fontsize=9)
        axs[i, 0].set_ylabel(_label(p).replace(", ", ",\n"), fontsize=8)
    fig.supxlabel("activation value", fontsize=9)
    fig.tight_layout(h_pad=0.4, w_pad=0.4)
    return fig


def _note_missing(ax, prop, values, what, y):
    """Label a curve that could not be drawn in full on log axes (overflowing, or all zero)."""
    v = np.asarray(values, dtype=float)
    if what == "forward" and prop.diverged_at is not None:
        note = f"forward: overflow at layer {prop.diverged_at}"
    elif not np.isfinite(v).all():
        note = f"{what}: overflow"
    elif np.any(np.abs(v) > plots.LOG_LIMITS[1]):
        note = f"{what}: beyond 10¹⁵⁰, not drawn"
    elif np.all(v == 0):
        note = f"{what}: exactly 0 everywhere"
    else:
        return
    ax.text(0.02, y, note, transform=ax.transAxes, color=plots.PALETTE["vermillion"], fontsize=8)


def signal_panel(prop, ax=None, color=None, legend=True):
    r"""Forward (solid) and backward (dashed) signal spreads of ``prop`` per layer, on log axes.

    Forward: the std of the activations :math:`x_l`, starting from the input's (about 1) at
    layer 0.  Backward: the std of :math:`\partial L/\partial x_l`, starting from the injected
    gradient's (about 1) at the top layer.  A flat pair of lines at 1 is what an
    initialisation aims for.

    Parameters
    ----------
    prop : lib.propagation.Propagation
    ax : matplotlib.axes.Axes, optional
    color : str, optional
        Default: the initialiser's colour.
    legend : bool, default True

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = plots.axes(ax)
    color = color or plots.color(prop.init, "init")
    layer = np.arange(prop.depth + 1)
    marker = "o" if prop.depth <= 12 else None
    ax.axhline(1.0, color=plots.PALETTE["grey"], linewidth=0.8, linestyle=":")
    ax.plot(layer, plots.for_log_axis(prop.forward_std), color=color, marker=marker, markersize=3,
            linewidth=1.4, label="forward: std of $x_l$")
    _note_missing(ax, prop, prop.forward_std, "forward", 0.04)
    if prop.backward_std is not None:
        ax.plot(layer, plots.for_log_axis(prop.backward_std), color=color, linestyle="--",
                marker=marker, markersize=3, linewidth=1.4,
                label=r"backward: std of $\partial L/\partial x_l$")
        _note_missing(ax, prop, prop.backward_std, "backward", 0.14)
    plots.fast_log_scale(ax)
    plots.log_ylim(ax, [1.0], prop.forward_std,
              [] if prop.backward_std is None else prop.backward_std)
    ax.set_xlim(-0.5, prop.depth + 0.5)
    ax.set_xlabel("layer l")
    if legend:
        ax.legend(fontsize=7, loc="best")
    return ax


def depth_curves(props, quantity="forward_std", figsize=None, sharey=True):
    """One ``quantity`` against depth: a panel per activation, a line per initialiser.

    Parameters
    ----------
    props : list of lib.propagation.Propagation
        Run with the backward pass for the backward quantities.
    quantity : str, default "forward_std"
        A key of :data:`QUANTITIES`: "forward_std", "backward_std" or "weight_grad_norm".
    figsize : (float, float), optional
    sharey : bool, default True

    Returns
    -------
    matplotlib.figure.Figure
    """
    props = _check_props(props)
    quantity = checks.one_of("quantity", quantity, QUANTITIES)
    if any(getattr(p, quantity) is None for p in props):
        raise ValueError(
            f"props must be Propagation results with a backward pass for quantity {quantity!r}, "
            "got results without one"
        )
    activations = list(dict.fromkeys(p.activation for p in props))
    figsize = figsize or (3.2 * len(activations) + 0.6, 3.4)
    fig, axs = plt.subplots(1, len(activations), figsize=figsize, sharey=sharey, squeeze=False)
    for ax, act in zip(axs[0], activations, strict=False):
        ax.axhline(1.0, color=plots.PALETTE["grey"], linewidth=0.8, linestyle=":")
        for p in (p for p in props if p.activation == act):
            values = getattr(p, quantity)
            start = 1 if quantity == "weight_grad_norm" else 0
            ax.plot(np.arange(start, start + len(values)), plots.for_log_axis(values),
                    linewidth=1.5, **plots.style(p.init, "init"))
        plots.fast_log_scale(ax)
        ax.set_title(act, fontsize=10)
        ax.set_xlabel("layer l")
    axs[0, 0].set_ylabel(QUANTITIES[quantity])
    axs[0, -1].legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig


def small_multiples(props, figsize=None):
    """A grid of signal panels: one row per activation, one column per initialiser.

    Every panel is a :func:`signal_panel`; all share their axes, so slopes can be compared
    across the grid.

    Parameters
    ----------
    props : list of lib.propagation.Propagation
        One per (activation, initialiser) pair.
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    props = _check_props(props)
    activations = list(dict.fromkeys(p.activation for p in props))
    inits = list(dict.fromkeys(plots.label(p.init, "init") for p in props))
    figsize = figsize or (1.9 * len(inits) + 0.6, 1.7 * len(activations) + 0.7)
    fig, axs = plt.subplots(len(activations), len(inits), figsize=figsize, sharex=True,
                            sharey=True, squeeze=False)
    for ax in axs.ravel():
        ax.set_visible(False)
    for p in props:
        i = activations.index(p.activation)
        j = inits.index(plots.label(p.init, "init"))
        ax = axs[i, j]
        ax.set_visible(True)
        signal_panel(p, ax=ax, legend=False)
        ax.set_xlabel("")
        ax.tick_params(labelsize=7)
    series = [[1.0]] + [s for p in props for s in (p.forward_std, p.backward_std) if s is not None]
    plots.log_ylim(axs[0, 0], *series)  # the axes share y: one range for the whole grid
    for j, label in enumerate(inits):
        axs[0, j].set_title(label, fontsize=9)
    for i, act in enumerate(activations):
        axs[i, 0].set_ylabel(act, fontsize=9)
    handles, labels = next(ax for ax in axs.ravel() if ax.get_visible()).get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.supxlabel("layer l (solid: forward, from the input; dashed: backward, from the top)",
                  fontsize=9, y=0.06)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def drift_figure(ratios, figsize=None):
    r"""How far single networks wander from the size their first layer set: one panel per width.

    Every network is a thin line; the grey band is the random walk's mean ± one standard
    deviation for ReLU with He's weights,
    :math:`\log(\text{ratio}_l) \approx -5(l-1)/(4n) \pm \sqrt{5(l-1)/n}/2`; the light band
    marks a factor of 2 either way.

    Parameters
    ----------
    ratios : dict[int, array_like of shape (networks, depth)]
        Width :math:`n` -> each network's activation std at layers 1 to depth (at least 2)
        divided by its std at layer 1 (e.g. He-initialised ReLU stacks).
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    ratios = {int(n): np.asarray(r, dtype=float) for n, r in dict(ratios).items()}
    if not ratios or any(r.ndim != 2 or r.shape[1] < 2 for r in ratios.values()):
        shapes = {n: r.shape for n, r in ratios.items()}
        raise ValueError(
            f"ratios must map a width to an array (networks, depth >= 2), got shapes {shapes}"
        )
    figsize = figsize or (4.5 * len(ratios), 3.4)
    fig, axs = plt.subplots(1, len(ratios), figsize=figsize, sharey=True, squeeze=False)
    color = plots.color("he", "init")
    for ax, (n, r) in zip(axs[0], ratios.items(), strict=False):
        layers = np.arange(1, r.shape[1] + 1)
        mean, sd = -5 * (layers - 1) / (4 * n), np.sqrt(5 * (layers - 1) / n) / 2
        ax.axhspan(0.5, 2, color=plots.PALETTE["grey"], alpha=0.12, label="within a factor 2")
        ax.fill_between(layers, np.exp(mean - sd), np.exp(mean + sd), color="0.78",
                        label="random walk: mean ± 1 sd")
        ax.plot(layers, plots.for_log_axis(r.T), color=color, linewidth=0.7)
        plots.fast_log_scale(ax)
        ax.set_xlabel("layer l")
        ax.set_title(f"width {n}: {r.shape[0]} networks", fontsize=10)
    axs[0, 0].set_ylabel("std of layer l / std of layer 1")
    axs[0, 0].legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig


def weight_images(weights, shape=(8, 8), figsize=None):
    """Each hidden unit's incoming weights drawn as an image: one row per network.

    Column j of a weight matrix W, the weights unit j gives each pixel, is drawn as an image
    on a colour scale shared by the row (blue negative, red positive).  Identical images mean
    identical units.

    Parameters
    ----------
    weights : dict[str, ndarray of shape (n_in, n_units)]
        Label -> W, with n_in = ``shape[0] * shape[1]`` (e.g. ``net.params["W1"]`` of a
        digits network: 64 = 8 × 8 pixels).
    shape : (int, int), default (8, 8)
        The image shape of one unit's weights.
    figsize : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    weights = dict(weights)
    if not weights:
        raise ValueError("weights must be a non-empty dict label -> (n_in, n_units) array, "
                         "got an empty one")
    n_units = set()
    for label, W in weights.items():
        W = np.asarray(W)
        if W.ndim != 2 or W.shape[0] != shape[0] * shape[1]:
            raise ValueError(
                f"weights[{label!r}] must have shape ({shape[0] * shape[1]}, n_units), "
                f"got {W.shape}"
            )
        n_units.add(W.shape[1])
    cols = max(n_units)
    figsize = figsize or (0.8 * cols + 1.6, 0.95 * len(weights) + 0.3)
    fig, axs = plt.subplots(len(weights), cols, figsize=figsize, squeeze=False)
    for i, (label, W) in enumerate(weights.items()):
        W = np.asarray(W, dtype=float)
        lim = float(np.max(np.abs(W))) or 1.0
        for j in range(cols):
            ax = axs[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if j < W.shape[1]:
                ax.imshow(W[:, j].reshape(shape), cmap="RdBu_r", vmin=-lim, vmax=lim)
            else:
                ax.set_visible(False)
            if i == 0:
                ax.set_title(f"unit {j + 1}", fontsize=8)
        axs[i, 0].set_ylabel(label, fontsize=8, rotation=0, ha="right", va="center")
    fig.tight_layout(w_pad=0.2, h_pad=0.3)
    return fig


#: The explorer's widths (units per layer), and the number of input features it starts from:
#: a layer whose width differs from the input's is not square, and there LeCun's and Glorot's
#: formulas differ.
WIDTHS = (25, 50, 100, 200, 400)
INPUT_WIDTH = 100


def explore(activation="relu", init="he", depth=10, std=0.01, width=100, n_samples=200, seed=0):
    """The explorer: activation × initialiser × depth × width, drawn from scratch.

    Parameters
    ----------
    activation : str
        A name from ``lib.activations.ACTIVATIONS``.
    init : str
        "normal" (Gaussian weights with standard deviation ``std``) or any initialiser name of
        :mod:`lib.initializers` ("xavier", "lecun", "he", "uniform", "zeros", ...).
    depth : int
        Number of layers, 1 to :data:`MAX_DEPTH`.
    std : float
        The weights' standard deviation; used only with ``init="normal"``.
    width : int
        Units per layer.  The input has :data:`INPUT_WIDTH` features, so with another width
        the first layer is not square.
    n_samples, seed : int
        As in :func:`lib.propagation.propagate`.

    Returns
    -------
    matplotlib.figure.Figure
        Left: histograms of up to five layers spread over the depth (:func:`ridgeline`, one
        range for all, so growth and collapse show).  Middle: per-layer forward and backward
        spreads (:func:`signal_panel`).  Right: the weight-gradient norms.
    """
    activation = checks.one_of("activation", activation, ACTIVATIONS)
    depth = checks.integer("depth", depth, 1, MAX_DEPTH)
    std = checks.positive("std", std)
    width = checks.integer("width", width, 1, 2000)
    weights = std if init == "normal" else init
    prop = propagate(activation, weights, depth=depth, width=[INPUT_WIDTH] + [width] * depth,
                     n_samples=n_samples, seed=seed)

    layers = sorted({int(round(l)) for l in np.linspace(1, depth, min(depth, 5))})
    limits = value_range(activation, [prop.outputs[l] for l in layers])
    color = plots.color(weights, "init")

    fig, (ax_h, ax_s, ax_g) = plt.subplots(
        1, 3, figsize=(9, 3.6), gridspec_kw={"width_ratios": (1.15, 1.2, 1.0), "wspace": 0.8}
    )
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.15)
    ridgeline(prop.outputs, layers, activation, limits, ax=ax_h, color=color)

    signal_panel(prop, ax=ax_s, color=color, legend=False)
    ax_s.set_ylabel("std: forward —, backward --")

    ax_g.plot(np.arange(1, depth + 1), plots.for_log_axis(prop.weight_grad_norm), color=color,
              marker="o" if depth <= 12 else None, markersize=3, linewidth=1.4)
    _note_missing(ax_g, prop, prop.weight_grad_norm, "weight gradients", 0.04)
    plots.fast_log_scale(ax_g)
    plots.log_ylim(ax_g, prop.weight_grad_norm)
    ax_g.set_xlim(0.5, depth + 0.5)
    ax_g.set_xlabel("layer l")
    ax_g.set_ylabel("weight gradient ‖∂L/∂Wₗ‖")
    for ax in (ax_h, ax_s, ax_g):  # few ticks: tick labels are most of a redraw's cost
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3, integer=ax is not ax_h))

    stds = f"{prop.weight_std[0]:.3g}" + (
        f", then {prop.weight_std[1]:.3g}" if depth > 1 and width != INPUT_WIDTH else "")
    fig.text(0.5, 0.97, f"{activation}, {plots.label(weights, 'init')} (weight std {stds}), "
             f"{depth} layer{'s' if depth > 1 else ''} of {width} units", ha="center", va="top",
             fontsize=11)
    return fig


def explore_controls(activation="tanh", init="xavier", depth=10, std=0.01, width=100):
    """The explorer's widgets, keyed by :func:`explore`'s argument names.

    The std slider is enabled only while the initialisation is "normal": the other
    initialisers set the standard deviation themselves, from the layer widths.  Use with
    ``widgets.interactive_output(explore, explore_controls())``.

    Parameters
    ----------
    activation, init, depth, std, width
        The controls' starting values, as for :func:`explore`.

    Returns
    -------
    dict[str, ipywidgets.Widget]
    """
    controls = {
        "activation": ui.dropdown("activation", list(ACTIVATIONS), activation),
        "init": ui.dropdown("initialisation", list(INIT_CHOICES), init),
        "depth": ui.int_slider("depth (layers)", depth, 1, MAX_DEPTH),
        "width": ui.dropdown("width (units)", list(WIDTHS), width),
        "std": ui.log_slider("std (for 'normal')", std, 1e-3, 10.0),
    }

    def enable_std(change):
        controls["std"].disabled = change["new"] != "normal"

    controls["init"].observe(enable_std, names="value")
    enable_std({"new": init})
    return controls


def std_animation(stds=None, activations=("sigmoid", "tanh", "relu"), depth=30, width=100,
                  n_samples=200, seed=0, dpi=72):
    r"""A scrubbable animation of the per-layer spreads as the weights' std sweeps.

    Parameters
    ----------
    stds : sequence of float, optional
        The standard deviations, one frame each (default: 13 values from 0.01 to 1, log
        spaced, which pass through LeCun's :math:`\sqrt{1/n} = 0.1` for n = 100, and He's
        :math:`\sqrt{2/n}` for ``width`` n).
    activations : sequence of str
        One line per activation.
    depth, width, n_samples, seed, dpi : int

    Returns
    -------
    IPython.display.HTML
        The player made by :func:`lib.plots.animation_html`.  Left: forward std of
        :math:`x_l`; right: backward std of :math:`\partial L/\partial x_l`.  The figure is
        closed, so that it is not shown twice.
    """
    if stds is None:
        stds = np.sort(np.append(np.logspace(-2, 0, 13), np.sqrt(2.0 / width)))
    stds = [checks.positive("stds", s) for s in stds]
    activations = [checks.one_of("activations", a, ACTIVATIONS) for a in activations]
    runs = {(a, s): propagate(a, s, depth=depth, width=width, n_samples=n_samples, seed=seed)
            for a in activations for s in stds}
    layer = np.arange(depth + 1)
    fig, axs = plt.subplots(1, 2, figsize=(8, 3.3), sharey=True, dpi=dpi)
    lines = {}
    for ax, quantity in zip(axs, ("forward_std", "backward_std"), strict=False):
        ax.axhline(1.0, color=plots.PALETTE["grey"], linewidth=0.8, linestyle=":")
        for a in activations:
            (lines[a, quantity],) = ax.plot(
                layer, plots.for_log_axis(getattr(runs[a, stds[0]], quantity)), linewidth=1.6,
                **plots.style(a, "activation"))
        plots.fast_log_scale(ax)
        ax.set_ylim(1e-10, 1e10)
        ax.set_xlabel("layer l")
        ax.set_title(QUANTITIES[quantity], fontsize=10)
    fig.legend(*axs[0].get_legend_handles_labels(), loc="lower center", ncol=len(activations),
               fontsize=8, frameon=False)
    title = fig.suptitle("weight std", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    lecun, he = np.sqrt(1.0 / width), np.sqrt(2.0 / width)

    def frame(k):
        s = stds[k]
        for a in activations:
            for quantity in ("forward_std", "backward_std"):
                lines[a, quantity].set_ydata(plots.for_log_axis(getattr(runs[a, s], quantity)))
        title.set_text(f"weight std {s:.3g}   (LeCun/Xavier √(1/n) = {lecun:.3g}, "
                       f"He √(2/n) = {he:.3g}; n = {width})")
        return [*lines.values(), title]

    anim = animation.FuncAnimation(fig, frame, frames=len(stds), interval=400, blit=False)
    return plots.animation_html(anim, default_mode="once")


#: The chapter's explorer: name -> (the function a widget redraws, its controls' factory).
#: ``benchmarks/interactivity.py`` times it from its controls' starting values.
EXPLORERS = {"explore": (explore, explore_controls)}
