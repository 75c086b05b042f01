r"""Drawing helpers shared by every chapter, and the one registry of styles.

Each helper draws on an ``ax`` it is given (or makes a figure when ``ax`` is None) and
returns the ``ax``, so that chapters can compose them into small multiples.  Nothing here
computes what it draws: the numbers come from the maths modules.

**Styles.**  Every concept the book compares has a fixed look, the same in every chapter:
an update rule, an initialiser, an activation always has the colour, line style, label and
marker that :data:`STYLES` gives it (``style("adam")``, ``style("he", kind="init")``,
``style("relu", kind="activation")``).  The palette is Okabe and Ito's, which stays
distinguishable with the common forms of colour blindness, and every entry also has its own
line style, so that plots survive greyscale printing.
"""

import math
import re
import warnings
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from lib import checks

#: Okabe & Ito (2008), "Color Universal Design", plus a dark wine for a ninth series.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "grey": "#999999",
    "wine": "#882255",
}


class Style(NamedTuple):
    """How one member of a concept is drawn."""

    color: str
    linestyle: object
    label: str
    marker: str


_P = PALETTE
# The activations (lib.activations), also drawn in these colours as the layers of a network.
_ACTIVATION_STYLES = {
    "sigmoid": Style(_P["orange"], "-", "sigmoid", "o"),
    "tanh": Style(_P["blue"], "--", "tanh", "s"),
    "relu": Style(_P["vermillion"], "-", "ReLU", "^"),
    "leaky_relu": Style(_P["reddish purple"], "-.", "leaky ReLU", "v"),
    "elu": Style(_P["bluish green"], ":", "ELU", "D"),
    "selu": Style(_P["wine"], (0, (5, 1, 1, 1)), "SELU", "*"),
}

#: kind -> name -> :class:`Style`.  Kinds: "rule" (keys of ``lib.optimizers.OPTIMIZERS``),
#: "init" (names of ``lib.initializers.INITIALIZERS``, and the standard deviations 0.01 and 1
#: that serve as examples of too small and too large), "activation" (``lib.activations``).
STYLES = {
    "rule": {
        "sgd": Style(_P["black"], "-", "SGD", "o"),
        "momentum": Style(_P["orange"], "--", "Momentum", "s"),
        "nesterov": Style(_P["sky blue"], "-.", "Nesterov", "D"),
        "adagrad": Style(_P["bluish green"], ":", "AdaGrad", "^"),
        "rmsprop": Style(_P["reddish purple"], (0, (5, 1, 1, 1)), "RMSProp", "v"),
        "adadelta": Style(_P["grey"], (0, (1, 2)), "AdaDelta", "<"),
        "adam": Style(_P["vermillion"], "-", "Adam", ">"),
        "adamw": Style(_P["blue"], "--", "AdamW", "p"),
        "radam": Style(_P["wine"], "-.", "RAdam", "h"),
    },
    "init": {
        "zeros": Style(_P["black"], (0, (1, 2)), "zeros", "x"),
        "uniform": Style(_P["grey"], ":", "uniform ±0.05", "+"),
        0.01: Style(_P["bluish green"], (0, (5, 1, 1, 1)), "std 0.01", "v"),
        1.0: Style(_P["reddish purple"], (0, (1, 1)), "std 1", "^"),
        "xavier": Style(_P["blue"], "--", "Xavier (Glorot)", "s"),
        "xavier_normal": Style(_P["blue"], "--", "Xavier (Glorot)", "s"),
        "xavier_uniform": Style(_P["sky blue"], "--", "Xavier (Glorot), uniform", "D"),
        "lecun": Style(_P["orange"], "-.", "LeCun", "o"),
        "he": Style(_P["vermillion"], "-", "He", "*"),
    },
    "activation": _ACTIVATION_STYLES,
    # Deep networks of the chapter on activations: activation, with or without identity
    # skips (lib.residual); the activations keep their colours, the residual one is black.
    "network": {
        **{name: _ACTIVATION_STYLES[name] for name in ("sigmoid", "tanh", "relu")},
        "relu+residual": Style(_P["black"], "-.", "ReLU + residual", "D"),
        "sigmoid+residual": Style(_P["reddish purple"], ":", "sigmoid + residual", "v"),
    },
    # Gradient clipping (lib.clipping): none, by global norm, element by element.
    "clipping": {
        "none": Style(_P["vermillion"], "--", "no clipping", "x"),
        "norm": Style(_P["blue"], "-", "clipped by norm", "o"),
        "value": Style(_P["bluish green"], "-.", "clipped by value", "s"),
    },
    # Batch sizes of gradient descent: 1 (stochastic), mini-batches, "full" (the whole set).
    "batch": {
        1: Style(_P["vermillion"], "-", "B = 1", "o"),
        10: Style(_P["orange"], "--", "B = 10", "s"),
        100: Style(_P["blue"], "-.", "B = 100", "D"),
        "full": Style(_P["black"], "-", "full batch", "^"),
    },
    # Hyperparameter searches (lib.search).
    "search": {
        "grid": Style(_P["blue"], "--", "grid search", "s"),
        "random": Style(_P["vermillion"], "-", "random search", "o"),
        "halving": Style(_P["bluish green"], "-.", "successive halving", "^"),
        "hyperband": Style(_P["reddish purple"], (0, (4, 1.5)), "Hyperband", "D"),
    },
    # Penalties on the weights (lib.regularization, lib.overfitting): how each is applied.
    "penalty": {
        "none": Style(_P["black"], "-", "no penalty", "o"),
        "l2": Style(_P["blue"], "--", "L2 penalty", "s"),
        "decoupled": Style(_P["orange"], "-.", "decoupled decay", "D"),
        "l1": Style(_P["vermillion"], ":", "L1, subgradient", "^"),
        "l1_prox": Style(_P["bluish green"], "-", "L1, proximal", "v"),
    },
    # The two sets a network is measured on.
    "split": {
        "train": Style(_P["blue"], "-", "train", "o"),
        "test": Style(_P["vermillion"], "--", "test", "s"),
    },
    # Learning-rate schedules (lib.schedules); "constant" is no schedule.
    "schedule": {
        "constant": Style(_P["black"], "-", "constant", "o"),
        "step": Style(_P["vermillion"], "--", "step decay", "s"),
        "cosine": Style(_P["blue"], "-.", "cosine", "D"),
        "warmup": Style(_P["bluish green"], ":", "warm-up + cosine", "^"),
    },
    # Batch normalisation on or off, and the statistics a batch-norm layer normalises with
    # (lib.batch_norm: training mode, or an estimate of the inference statistics).
    "batchnorm": {
        "with": Style(_P["vermillion"], "-", "with batch norm", "o"),
        "without": Style(_P["blue"], "--", "without", "s"),
        "train mode": Style(_P["black"], ":", "training mode (batch statistics)", "x"),
        "running": Style(_P["vermillion"], "-", "inference: running averages", "o"),
        "biased": Style(_P["orange"], "-.", "biased variance", "^"),
        "unbiased": Style(_P["bluish green"], "--", "unbiased variance", "D"),
        "std": Style(_P["reddish purple"], (0, (1, 1)), "averaged σ, squared", "v"),
        "population": Style(_P["grey"], "-", "whole training set", "*"),
    },
    # Dropout (lib.layers.Dropout, lib.dropout): where it is applied, how it is scaled, and
    # the regularisers it is compared with (L2 in the colour of STYLES["penalty"]["l2"]).
    "dropout": {
        "none": Style(_P["black"], "-", "no dropout", "o"),
        "hidden": Style(_P["vermillion"], "--", "dropout on hidden layers", "s"),
        "input": Style(_P["bluish green"], "-.", "dropout on the inputs", "D"),
        "both": Style(_P["reddish purple"], ":", "inputs and hidden layers", "^"),
        "l2": Style(_P["blue"], (0, (5, 1, 1, 1)), "L2 penalty", "v"),
        "l2+hidden": Style(_P["wine"], (0, (1, 1)), "L2 and dropout", "*"),
        "train": Style(_P["orange"], "-", "inverted: ÷ (1 − p) in training", "o"),
        "test": Style(_P["sky blue"], "--", "× (1 − p) at inference", "s"),
    },
    # Predicting with a dropout network: one thinned network, averages of many, and the
    # weight-scaled network of inference mode.
    "ensemble": {
        "thinned": Style(_P["grey"], ":", "one thinned network", "."),
        "arithmetic": Style(_P["vermillion"], "-", "Monte Carlo average", "o"),
        "geometric": Style(_P["bluish green"], "-.", "geometric mean", "D"),
        "scaled": Style(_P["black"], "--", "weight scaling (inference mode)", "_"),
    },
}


def _lookup(name, kind):
    """The :class:`Style` of ``name``; a name outside the registry gets a neutral style."""
    table = STYLES[checks.one_of("kind", kind, STYLES)]
    if kind == "init" and isinstance(name, (int, float, np.number)) and not isinstance(name, bool):
        key = float(name)
        if key in table:
            return table[key]
        return Style(_P["wine"], "-", f"std {key:g}", "o")  # another standard deviation
    key = name.lower() if isinstance(name, str) else name
    if key in table:
        return table[key]
    return Style(_P["black"], "-", getattr(name, "__name__", str(name)), "o")


def style(name, kind="rule", marker=False):
    """Line keyword arguments (``color``, ``linestyle``, ``label``) for ``name`` of ``kind``.

    Parameters
    ----------
    name : str, float or callable
        A key of ``STYLES[kind]``; for initialisers also a standard deviation (numbers other
        than 0.01 and 1 are drawn in wine, labelled "std" and the number) or a function
        (labelled with its ``__name__``).
    kind : str, default "rule"
        A key of :data:`STYLES`: "rule", "init", "activation", ...
    marker : bool, default False
        Include the ``marker`` too.

    Returns
    -------
    dict
        Ready for ``ax.plot(x, y, **style(...))``.
    """
    s = _lookup(name, kind)
    kw = {"color": s.color, "linestyle": s.linestyle, "label": s.label}
    if marker:
        kw["marker"] = s.marker
    return kw


def label(name, kind="rule"):
    """The display name of ``name`` of ``kind``, e.g. ``label("rmsprop") == "RMSProp"``."""
    return _lookup(name, kind).label


def color(name, kind="rule"):
    """The colour of ``name`` of ``kind``."""
    return _lookup(name, kind).color


def axes(ax=None, figsize=(5, 4)):
    """Return ``ax``, or the axes of a new figure of size ``figsize`` when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def contour(surface, ax=None, levels=20, grid=None):
    """Draw the contour lines of a 2-D test surface, with its minima marked as stars.

    Levels are spaced logarithmically above the surface's minimum, so that the shape of
    the valley floor is visible as well as the walls.

    Parameters
    ----------
    surface : lib.surfaces.Surface
    ax : matplotlib.axes.Axes, optional
        Default: the axes of a new figure.
    levels : int, default 20
        Number of contour levels.
    grid : (X, Y, Z), optional
        Three ndarrays of shape (n, n) from ``surface.mesh(n)``, to reuse between redraws
        (default ``surface.mesh(120)``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    X, Y, Z = surface.mesh(120) if grid is None else grid
    floor = float(np.min(Z))
    height = Z - floor + 1e-3
    lo, hi = np.log10(np.percentile(height, 0.5)), np.log10(np.max(height))
    ax.contour(
        X, Y, height, levels=np.logspace(lo, hi, levels), norm=LogNorm(),
        cmap="Greys_r", linewidths=0.6, alpha=0.8,
    )
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    ax.plot(minima[:, 0], minima[:, 1], "*", color=PALETTE["black"], markersize=12, zorder=5)
    (x0, x1), (y0, y1) = surface.bounds
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$")
    return ax


def path(points, name, ax=None, markers=True, label=None):
    """Draw an optimiser's path in the rule's style.

    Parameters
    ----------
    points : ndarray of shape (steps + 1, 2)
        The iterates; rows of NaN (after a divergence) are simply not drawn.
    name : str
        The rule's name, a key of ``STYLES["rule"]``.
    ax : matplotlib.axes.Axes, optional
    markers : bool, default True
        Mark every iterate with a dot.
    label : str, optional
        Instead of the rule's label.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    kw = style(name)
    if label is not None:
        kw["label"] = label
    ax.plot(points[:, 0], points[:, 1], marker="o" if markers else None, markersize=2.5,
            linewidth=1.3, **kw)
    return ax


def curve(values, name, ax=None, x=None, label=None, log=False, kind="rule"):
    """Draw a curve (e.g. a loss against iterations) in the style of ``name`` of ``kind``.

    Parameters
    ----------
    values : array_like of shape (n,)
    name : str
        A key of ``STYLES[kind]``.
    ax : matplotlib.axes.Axes, optional
    x : array_like of shape (n,), optional
        Default ``0, 1, ..., n - 1``.
    label : str, optional
        Instead of the style's label.
    log : bool, default False
        Log-scaled y axis.
    kind : str, default "rule"
        A key of :data:`STYLES`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes(ax)
    kw = style(name, kind)
    if label is not None:
        kw["label"] = label
    values = np.asarray(values, dtype=float)
    x = np.arange(len(values)) if x is None else x
    ax.plot(x, values, linewidth=1.3, **kw)
    if log:
        ax.set_yscale("log")
    return ax


def runs(values, ax=None, x=None, **style):
    """Draw repeated runs of one experiment: every run as a thin line, their median thick.

    Parameters
    ----------
    values : array_like of shape (n_runs, n)
        One row per seed (rows may end in NaN after a divergence).
    ax : Axes, optional
    x : array_like of shape (n,), optional
        Default ``0, 1, ..., n - 1``.
    **style
        Line keyword arguments (``color``, ``linestyle``, ``label``), e.g.
        ``**plots.style("adam")``; the label goes to the median line.

    Returns
    -------
    Axes
    """
    ax = axes(ax)
    values = np.atleast_2d(np.asarray(values, dtype=float))
    x = np.arange(values.shape[1]) if x is None else x
    thin = {k: v for k, v in style.items() if k != "label"}
    for row in values:
        ax.plot(x, row, linewidth=0.6, alpha=0.45, **thin)
    with warnings.catch_warnings():  # all-NaN columns after every run diverged
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(values, axis=0)
    ax.plot(x, median, linewidth=1.6, **style)
    return ax


def runs_grid(curves, kind="rule", reference=None, ncols=3, ylabel="training loss", log=True):
    """Repeated runs of several settings, one panel per setting, on shared axes.

    Parameters
    ----------
    curves : dict[str, array_like of shape (n_seeds, n)]
        Setting (a name of ``kind``) -> its runs, e.g. smoothed training losses per seed.
    kind : str
        The kind of the settings in :data:`STYLES` ("rule", "init", ...).
    reference : str, optional
        A key of ``curves`` whose median is drawn in every other panel, thin and dashed.
    ncols : int
        Panels per row.
    ylabel : str
    log : bool
        Log-scaled y axis.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel shows one setting's runs (thin) and their median (thick), see :func:`runs`.
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError(f"curves must be a non-empty dict setting -> runs, got {curves!r}")
    ncols = min(checks.integer("ncols", ncols, 1), len(curves))
    rows = math.ceil(len(curves) / ncols)
    fig, axs = plt.subplots(rows, ncols, figsize=(3.1 * ncols, 2.2 * rows + 0.4), sharex=True,
                            sharey=True, squeeze=False, layout="constrained")
    for ax in axs.ravel()[len(curves):]:
        ax.set_visible(False)
    ref = curves.get(reference)
    for ax, (name, values) in zip(axs.ravel(), curves.items(), strict=False):
        if ref is not None and name != reference:
            ax.plot(np.median(ref, axis=0), color=color(reference, kind), linestyle="--",
                    linewidth=0.9, alpha=0.6, label=f"{label(reference, kind)} (median)")
        runs(values, ax, **style(name, kind))
        if log:
            ax.set_yscale("log")
        ax.set_title(label(name, kind), fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
    for ax in axs[-1]:
        ax.set_xlabel("iteration")
    for ax in axs[:, 0]:
        ax.set_ylabel(ylabel)
    return fig


# ---- ticks and log axes that redraw quickly --------------------------------------------------

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value, pos=None):
    """Tick label for a power of ten: "0.01" to "1000" as plain numbers, else "10⁻⁵".

    Matplotlib's default log-scale labels are typeset with mathtext, which costs a large share
    of the redraw time of a small figure; Unicode superscripts look the same and cost nothing.
    Values that are not powers of ten get an empty label.  Usable as a ``FuncFormatter``.
    """
    if not 0 < value < math.inf:  # a log axis without data can ask for a tick at infinity
        return ""
    exponent = math.log10(value)
    if abs(exponent - round(exponent)) > 1e-9:
        return ""
    exponent = int(round(exponent))
    if -2 <= exponent <= 3:
        return f"{10.0**exponent:g}"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def fast_log_scale(ax, axis="y"):
    """Put ``ax``'s ``axis`` ("x" or "y") on a log scale that redraws quickly.

    Major ticks at powers of ten labelled by :func:`power_of_ten` (at most about eight), no
    minor ticks.  For explorers that redraw on every slider move.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    axis : {"x", "y"}, default "y"

    Returns
    -------
    matplotlib.axes.Axes
        ``ax`` itself.
    """
    checks.one_of("axis", axis, ("x", "y"))
    getattr(ax, f"set_{axis}scale")("log")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(LogLocator(base=10, numticks=8))
    target.set_major_formatter(FuncFormatter(power_of_ten))
    target.set_minor_locator(NullLocator())
    return ax


def signed_power_of_ten(value, pos=None):
    """Tick label for ±10^k (see :func:`power_of_ten`), "0" for zero; a ``FuncFormatter``."""
    if value == 0:
        return "0"
    text = power_of_ten(abs(value))
    return f"−{text}" if value < 0 and text else text


def few_ticks(*axes, n=5):
    """At most about ``n`` major ticks on each of ``axes`` (``ax.xaxis``, ``ax.yaxis``, ...).

    Each tick is a few artists that a redraw lays out and draws: on small explorers the ticks
    cost more than the data, so they are kept few.
    """
    for axis in axes:
        axis.set_major_locator(MaxNLocator(n, steps=[1, 2, 5, 10]))


#: Magnitudes drawn on log axes.  Beyond them matplotlib's tick locator, which steps a few
#: decades past the limits, would overflow (matplotlib 3.10 warns, then labels a tick at inf).
LOG_LIMITS = (1e-150, 1e150)


def for_log_axis(values):
    """``values`` with NaN, which matplotlib skips, wherever they cannot go on a log axis.

    That is, where they are zero, negative, not finite, or beyond :data:`LOG_LIMITS`.

    Parameters
    ----------
    values : array_like of any shape

    Returns
    -------
    ndarray of float, of the shape of ``values``
        A new array.
    """
    v = np.array(values, dtype=float)
    with np.errstate(invalid="ignore"):
        v[~((v >= LOG_LIMITS[0]) & (v <= LOG_LIMITS[1]))] = np.nan
    return v


def log_ylim(ax, *series, decades=1.0):
    """Set log y-limits that hold every drawable value of ``series``, and not too tightly.

    The limits reach at least ``decades`` decades either side of the values' geometric
    middle, so that a nearly constant curve looks flat instead of having its wiggles blown up
    to the full height.  With nothing to draw, the limits are (0.1, 10), so that matplotlib
    need not guess.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    *series : array_like, each of any shape
        The values drawn (entries that cannot go on a log axis are ignored).
    decades : float, default 1.0
    """
    v = np.concatenate([for_log_axis(s).ravel() for s in series] or [[]])
    v = v[np.isfinite(v)]
    if v.size == 0:
        ax.set_ylim(0.1, 10.0)
        return
    lo, hi = np.log10(v.min()), np.log10(v.max())
    mid = 0.5 * (lo + hi)
    ax.set_ylim(10 ** min(lo - 0.15, mid - decades), 10 ** max(hi + 0.15, mid + decades))


# ---- animations and fast figures --------------------------------------------------------------


def animation_html(anim, fps=None, default_mode=None):
    """An animation as a self-contained HTML player with a scrubber, for the HTML book.

    The player matplotlib writes (``to_jshtml``) links a Font Awesome stylesheet from a CDN
    for its button icons; the book's theme already provides those icons, and a page of the
    book loads nothing from the network, so the link is removed.  The figure is closed, so
    that it is not shown a second time as a still image.

    Parameters
    ----------
    anim : matplotlib.animation.Animation
    fps : int, optional
        As for ``to_jshtml``.
    default_mode : {"loop", "once", "reflect"}, optional
        As for ``to_jshtml``.

    Returns
    -------
    IPython.display.HTML
        To display.
    """
    from IPython.display import HTML

    html = anim.to_jshtml(fps=fps, default_mode=default_mode)
    plt.close(anim._fig)
    return HTML(re.sub(r"<link[^>]*font-awesome[^>]*>", "", html))


class FastFigure(Figure):
    """A Figure for explorers that redraw on every slider move: its text is not hinted.

    FreeType's hinting (matplotlib's default ``text.hinting``, "force_autohint") costs about
    a tenth of the draw time of a small figure full of labels and makes no visible
    difference at screen resolution.  Create one with
    ``plt.subplots(..., FigureClass=FastFigure)``.
    """

    def draw(self, renderer):
        with plt.rc_context({"text.hinting": "none"}):
            super().draw(renderer)
