"""Plotting helpers shared by every chapter.

Each helper draws on an ``ax`` it is given (or makes a figure when ``ax`` is None) and
returns the ``ax``, so that chapters can compose them into small multiples.

Colours are fixed per concept and the same in every chapter: an update rule always has
the colour :data:`COLORS` gives it.  The palette is Okabe and Ito's, which stays
distinguishable with the common forms of colour blindness; every rule also has its own
line style (:data:`LINESTYLES`), so plots survive greyscale printing too.
"""

import math
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

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

#: One colour per update rule (keys as in ``lib.optimizers.OPTIMIZERS``).
COLORS = {
    "sgd": PALETTE["black"],
    "momentum": PALETTE["orange"],
    "nesterov": PALETTE["sky blue"],
    "adagrad": PALETTE["bluish green"],
    "rmsprop": PALETTE["reddish purple"],
    "adadelta": PALETTE["grey"],
    "adam": PALETTE["vermillion"],
    "adamw": PALETTE["blue"],
    "radam": PALETTE["wine"],
}

#: One line style per update rule, so that curves stay apart without colour.
LINESTYLES = {
    "sgd": "-",
    "momentum": "--",
    "nesterov": "-.",
    "adagrad": ":",
    "rmsprop": (0, (5, 1, 1, 1)),
    "adadelta": (0, (1, 2)),
    "adam": "-",
    "adamw": "--",
    "radam": "-.",
}

#: Display names of the update rules.
LABELS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adadelta": "AdaDelta",
    "adam": "Adam",
    "adamw": "AdamW",
    "radam": "RAdam",
}


def style(name):
    """Line keyword arguments (colour, line style, label) for the update rule ``name``."""
    key = name.lower()
    return {
        "color": COLORS.get(key, PALETTE["black"]),
        "linestyle": LINESTYLES.get(key, "-"),
        "label": LABELS.get(key, name),
    }


def axes(ax=None, figsize=(5, 4)):
    """Return ``ax``, or the axes of a new figure of size ``figsize`` when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def surface_grid(surface, n=120):
    """Sample ``surface.f`` on an ``n`` x ``n`` grid over ``surface.bounds``.

    Returns ``(X, Y, Z)``, each of shape (n, n).
    """
    (x0, x1), (y0, y1) = surface.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return X, Y, surface.f(X, Y)


def contour(surface, ax=None, levels=20, grid=None):
    """Draw the contour lines of a 2-D test surface, with its minima marked as stars.

    Levels are spaced logarithmically above the surface's minimum, so that the shape of
    the valley floor is visible as well as the walls.  ``grid`` is an ``(X, Y, Z)`` from
    :func:`surface_grid`, to reuse between redraws.
    """
    ax = axes(ax)
    X, Y, Z = surface_grid(surface) if grid is None else grid
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
    """Draw an optimiser's path, an array of shape (steps + 1, 2), in the rule's style.

    Rows of NaN (after a divergence) are simply not drawn.
    """
    ax = axes(ax)
    kw = style(name)
    if label is not None:
        kw["label"] = label
    ax.plot(points[:, 0], points[:, 1], marker="o" if markers else None, markersize=2.5,
            linewidth=1.3, **kw)
    return ax


def curve(values, name, ax=None, x=None, label=None, log=False):
    """Draw a curve (e.g. a loss against iterations) in the style of update rule ``name``."""
    ax = axes(ax)
    kw = style(name)
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

    values: array of shape (n_runs, n), one row per seed (rows may end in NaN after a
    divergence).  style: line keyword arguments (``color``, ``linestyle``, ``label``), e.g.
    ``**plots.style("adam")``; the label goes to the median line.  Returns the ``ax``.
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


def smooth(values, window=25):
    """Moving average of a noisy curve (e.g. mini-batch losses), for display and comparison.

    values: array of shape (n,).  Returns an array of shape (n,): entry ``i`` is the mean of
    the last ``min(i + 1, window)`` values, so the curve starts at the first value instead of
    being shifted or padded.  Non-finite values (after a divergence) propagate as NaN.
    """
    if not (isinstance(window, int) and window >= 1):
        raise ValueError(f"window must be a positive integer, got {window!r}")
    values = np.asarray(values, dtype=float)
    csum = np.cumsum(np.concatenate([[0.0], values]))
    i = np.arange(1, len(values) + 1)
    lo = np.maximum(i - window, 0)
    return (csum[i] - csum[lo]) / (i - lo)


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
    minor ticks.  For explorers that redraw on every slider move.  Returns the ``ax``.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    getattr(ax, f"set_{axis}scale")("log")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(LogLocator(base=10, numticks=8))
    target.set_major_formatter(FuncFormatter(power_of_ten))
    target.set_minor_locator(NullLocator())
    return ax


#: One colour and line style per weight initialiser (names as in
#: ``lib.initializers.INITIALIZERS``), and for the two standard deviations that serve as
#: examples of too small and too large, 0.01 and 1.  Values: (colour, line style, label).
INIT_STYLES = {
    "zeros": (PALETTE["black"], (0, (1, 2)), "zeros"),
    "uniform": (PALETTE["grey"], ":", "uniform ±0.05"),
    0.01: (PALETTE["bluish green"], (0, (5, 1, 1, 1)), "std 0.01"),
    1.0: (PALETTE["reddish purple"], (0, (1, 1)), "std 1"),
    "xavier": (PALETTE["blue"], "--", "Xavier (Glorot)"),
    "xavier_normal": (PALETTE["blue"], "--", "Xavier (Glorot)"),
    "xavier_uniform": (PALETTE["sky blue"], "--", "Xavier (Glorot), uniform"),
    "lecun": (PALETTE["orange"], "-.", "LeCun"),
    "he": (PALETTE["vermillion"], "-", "He"),
}


def init_style(init):
    """Line keyword arguments (colour, line style, label) for the initialiser ``init``.

    init: a name from ``lib.initializers.INITIALIZERS``, a standard deviation (a number), or
    a callable (labelled with its ``__name__``).  Numbers other than 0.01 and 1 are drawn in
    wine, labelled "std" and the number.
    """
    if isinstance(init, str):
        key = init.lower()
    elif isinstance(init, (int, float, np.number)) and not isinstance(init, bool):
        key = float(init)
    else:
        key = None
    if key in INIT_STYLES:
        color, linestyle, label = INIT_STYLES[key]
    elif isinstance(key, float):
        color, linestyle, label = PALETTE["wine"], "-", f"std {key:g}"
    else:
        color, linestyle, label = PALETTE["black"], "-", getattr(init, "__name__", str(init))
    return {"color": color, "linestyle": linestyle, "label": label}


def animation_html(anim, fps=None, default_mode=None):
    """An animation as a self-contained HTML player with a scrubber, for the HTML book.

    anim: a ``matplotlib.animation.Animation``; fps and default_mode ('loop', 'once' or
    'reflect') as for ``to_jshtml``.  The player matplotlib writes
    (``to_jshtml``) links a Font Awesome stylesheet from a CDN for its button icons; the
    book's theme already provides those icons, and a page of the book loads nothing from
    the network, so the link is removed.  The figure is closed, so that it is not shown
    a second time as a still image.  Returns an ``IPython.display.HTML`` to display.
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
