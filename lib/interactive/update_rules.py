r"""Explorers for the chapter on update rules: races, momentum on a bowl, Adam's moments.

Every public function here computes from scratch and returns what it drew, so a widget can
call it on each slider move and a test can call it with no widget at all:

* :func:`race` — the optimizer playground: several rules from one start point on a surface,
  their paths over the contours and their losses against the step.  :func:`race_controls`
  builds its widgets.
* :func:`paths_grid` — small multiples of precomputed paths, one panel per setting (for readers
  of the HTML page, who cannot move a slider); :func:`loss_panel` their losses.
* :func:`momentum_map` — the convergence factor of heavy-ball momentum over the
  (learning rate, momentum) plane of a bowl with condition number :math:`\kappa`, with Polyak's
  best pair and the region of divergence; :func:`momentum_map_animation` sweeps :math:`\kappa`.
* :func:`bias_correction` — Adam's moment estimates :math:`m_t, v_t` against their
  bias-corrected :math:`\hat m_t, \hat v_t` in the first steps (read from ``lib.optimizers.Adam``).
* :func:`radam_warmup` — how uncertain Adam's adaptive rate :math:`1/\sqrt{\hat v_t}` is in its
  first steps (:func:`adaptive_rate_spread`), and the steps RAdam takes instead
  (:func:`radam_step_sizes`).
* :func:`learning_curves` — smoothed training losses of several rules.

A run that diverges is drawn up to its last finite point and labelled "diverged at step k"
(on a surface without a minimum, such as the saddle, "escaped at step k"); it never raises.
Bad arguments raise ``ValueError`` naming the argument.
"""

import functools
import inspect
import math
import numbers

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.colors import LogNorm
from matplotlib.ticker import (
    FixedLocator,
    FuncFormatter,
    MaxNLocator,
    NullLocator,
    SymmetricalLogLocator,
)

from lib import plots, quadratic
from lib.optimizers import OPTIMIZERS, Adam, Momentum, RAdam, make_optimizer
from lib.surfaces import SURFACES, Surface, get_surface, trajectory

__all__ = [
    "EXPLORERS",
    "DEFAULT_RULES",
    "adam_moments",
    "adaptive_rate_spread",
    "bias_correction",
    "bias_correction_controls",
    "control_grid",
    "diverged_at",
    "learning_curves",
    "loss_panel",
    "momentum_map",
    "momentum_map_animation",
    "momentum_map_controls",
    "paths_grid",
    "race",
    "race_controls",
    "radam_step_sizes",
    "radam_warmup",
    "run_rules",
]

#: The rules the playground races by default: the four of *Deep Learning from Scratch*'s figure.
DEFAULT_RULES = ("sgd", "momentum", "adagrad", "adam")

#: Largest number of steps a race accepts (the playground's slider stops well below).
MAX_STEPS = 5000

# Every control's keyword arguments: labels never truncated, redraw only when the slider is let go.
_STYLE = {"description_width": "initial"}
_SLIDER = {"continuous_update": False, "style": _STYLE}

# Fixed margins for the explorers' two-panel figures: a layout engine would double the redraw time.
_MARGINS = {"left": 0.07, "right": 0.98, "bottom": 0.13, "top": 0.9, "wspace": 0.28}


def _few_ticks(*axes, n=5):
    """At most about ``n`` major ticks on each of ``axes`` (``ax.xaxis``, ``ax.yaxis``, ...).

    Each tick is a few artists that a redraw lays out and draws: on these small explorers the
    ticks cost more than the data, so they are kept few.
    """
    for axis in axes:
        axis.set_major_locator(MaxNLocator(n, steps=[1, 2, 5, 10]))


# ---- checking arguments -------------------------------------------------------------------------


def _rule_names(rules):
    """``rules`` as a tuple of known lower-case rule names, in the given order, without repeats."""
    if isinstance(rules, str):
        rules = (rules,)
    try:
        names = [str(r).lower() for r in rules]
    except TypeError:
        raise ValueError(f"rules must be a sequence of rule names, got {rules!r}") from None
    if not names:
        raise ValueError(f"rules must name at least one rule; choose from: {', '.join(OPTIMIZERS)}")
    unknown = [n for n in names if n not in OPTIMIZERS]
    if unknown:
        raise ValueError(
            f"rules: unknown rule {unknown[0]!r}; choose from: {', '.join(OPTIMIZERS)}"
        )
    return tuple(dict.fromkeys(names))


def _steps(steps):
    if (
        isinstance(steps, bool)
        or not isinstance(steps, numbers.Integral)
        or not 1 <= steps <= MAX_STEPS
    ):
        raise ValueError(f"steps must be an integer from 1 to {MAX_STEPS}, got {steps!r}")
    return int(steps)


def _number(name, value, low, high, *, low_open=False, high_open=False):
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    too_low = x <= low if low_open else x < low
    too_high = x >= high if high_open else x > high
    if math.isnan(x) or too_low or too_high:
        lo, hi = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must be in {lo}{low}, {high}{hi}, got {value!r}")
    return x


def _surface(surface):
    try:
        return get_surface(surface)
    except ValueError as err:
        raise ValueError(f"surface: {err}") from None


@functools.cache
def _accepted(name):
    """The keyword hyperparameters the rule ``name`` accepts."""
    return tuple(inspect.signature(OPTIMIZERS[name]).parameters)


# ---- running rules on a surface ----------------------------------------------------------------


def run_rules(surface, settings, start=None, steps=30):
    """Run several rules from one start point; return ``{rule: path}``.

    surface: a ``Surface`` or its name in ``lib.surfaces.SURFACES``.
    settings: dict rule name -> dict of keyword hyperparameters (``{}`` for the defaults),
        e.g. ``{"sgd": {"lr": 0.95}, "adam": {"lr": 0.3}}``.
    start: (x0, y0), default the surface's own start; steps: number of updates.

    Each path is an array of shape (steps + 1, 2) from :func:`lib.surfaces.trajectory`; rows
    after a divergence are NaN.
    """
    surface = _surface(surface)
    steps = _steps(steps)
    if not isinstance(settings, dict):
        raise ValueError(f"settings must be a dict rule -> hyperparameters, got {settings!r}")
    _rule_names(list(settings))
    return {
        name.lower(): trajectory(make_optimizer(name, **hyper), surface, start=start, steps=steps)
        for name, hyper in settings.items()
    }


def diverged_at(path):
    """The step at which a path from :func:`lib.surfaces.trajectory` diverged, or None.

    path: array of shape (steps + 1, 2); the answer is the index of its first NaN row.
    """
    bad = np.flatnonzero(~np.all(np.isfinite(np.asarray(path, dtype=float)), axis=1))
    return int(bad[0]) if bad.size else None


def _fate(path, surface):
    """"diverged at step k" (or "escaped ..." on a surface with no minimum), or None."""
    k = diverged_at(path)
    if k is None:
        return None
    # Leaving a bowl is a failure; leaving a saddle (no minimum) downhill is the point.
    return f"{'diverged' if len(surface.minima) else 'escaped'} at step {k}"


def _label(name, path, surface):
    label = plots.LABELS.get(name, name)
    fate = _fate(path, surface)
    return label if fate is None else f"{label}: {fate}"


def _loss_gap(surface, path):
    """``f - f_min`` along a path (``f`` itself for a surface without a minimum)."""
    with np.errstate(all="ignore"):
        values = surface.f(path[:, 0], path[:, 1])
        if len(surface.minima):
            values = values - float(np.min(surface.f(surface.minima[:, 0], surface.minima[:, 1])))
    return values


@functools.lru_cache(maxsize=16)
def _grid(surface):
    return plots.surface_grid(surface)


def _draw_paths(surface, paths, ax, legend=True):
    plots.contour(surface, ax, grid=_grid(surface))
    ax.set(xlabel="x", ylabel="y")  # plain text: mathtext labels slow every redraw down
    for name, path in paths.items():
        plots.path(path, name, ax, label=_label(name, path, surface))
        k = diverged_at(path)
        if k is not None:  # mark where the path leaves for good
            x, y = path[k - 1]
            ax.plot(x, y, "x", color=plots.COLORS.get(name, "k"), markersize=9, mew=2)
    first = next(iter(paths.values()))
    ax.plot(*first[0], "o", mfc="none", mec="black", markersize=7, mew=1.2, zorder=6)
    if legend:
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return ax


def _signed_power_of_ten(value, pos=None):
    """Tick label for ±10^k (see ``lib.plots.power_of_ten``), "0" for zero."""
    if value == 0:
        return "0"
    label = plots.power_of_ten(abs(value))
    return f"−{label}" if value < 0 and label else label


def loss_panel(surface, paths, ax=None):
    r"""Draw the loss gap :math:`f(x_k, y_k) - f_{\min}` of each path against the step ``k``.

    surface: a ``Surface`` or its name; paths: dict rule -> array (steps + 1, 2).
    Log scale when the surface has a minimum (symmetric-log otherwise, as for the saddle,
    whose loss falls without bound).  A diverged path ends in a cross with its step.
    Returns the ``ax``.
    """
    surface = _surface(surface)
    ax = plots.axes(ax, figsize=(6, 3.5))
    bounded = len(surface.minima) > 0
    for name, path in paths.items():
        gap = _loss_gap(surface, path)
        if bounded:
            gap = np.where(gap > 0, gap, np.nan)  # exactly at the minimum: off a log scale
        plots.curve(gap, name, ax, label=_label(name, path, surface))
        k = diverged_at(path)
        if k is not None and k > 0 and np.isfinite(gap[k - 1]):
            ax.plot(k - 1, gap[k - 1], "x", color=plots.COLORS.get(name, "k"), markersize=9, mew=2)
    if bounded:
        plots.fast_log_scale(ax, "y")
        ax.set_ylabel("f(x, y) − min f")
    else:
        ax.set_yscale("symlog", linthresh=1e-2)
        # Every other power of ten, labelled in plain text (mathtext is slow to redraw).
        ax.yaxis.set_major_locator(SymmetricalLogLocator(linthresh=1e-2, base=100.0))
        ax.yaxis.set_major_formatter(FuncFormatter(_signed_power_of_ten))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylabel("f(x, y)")
    ax.set_xlabel("step k")
    ax.grid(True, which="major", alpha=0.3)
    return ax


# ---- the playground -----------------------------------------------------------------------------


def _race_settings(rules, lr, momentum, beta1, beta2):
    """One dict of keyword hyperparameters per rule from the playground's shared controls."""
    if isinstance(lr, dict):
        lrs = {str(k).lower(): v for k, v in lr.items()}
        missing = [r for r in rules if r not in lrs and r != "adadelta"]
        if missing:
            raise ValueError(f"lr has no learning rate for {missing[0]!r}")
    else:
        shared = _number("lr", lr, 0.0, math.inf, low_open=True, high_open=True)
        lrs = {r: shared for r in rules if r != "adadelta"}  # AdaDelta has no learning rate
    momentum = _number("momentum", momentum, 0.0, 1.0, high_open=True)
    beta1 = _number("beta1", beta1, 0.0, 1.0, high_open=True)
    beta2 = _number("beta2", beta2, 0.0, 1.0, high_open=True)
    shared = {"momentum": momentum, "beta1": beta1, "beta2": beta2}
    settings = {}
    for rule in rules:
        accepted = _accepted(rule)
        hyper = {k: v for k, v in shared.items() if k in accepted}
        if rule in lrs:
            hyper["lr"] = _number(f"lr[{rule!r}]", lrs[rule], 0.0, math.inf, low_open=True,
                                  high_open=True)
        settings[rule] = hyper
    return settings


def race(
    surface="quadratic",
    rules=DEFAULT_RULES,
    lr=0.3,
    momentum=0.9,
    beta1=0.9,
    beta2=0.999,
    steps=30,
    x0=None,
    y0=None,
):
    r"""The optimizer playground: race update rules from one start point on a 2-D surface.

    Parameters
    ----------
    surface : str or Surface
        A name in ``lib.surfaces.SURFACES`` ("quadratic", "beale", "rosenbrock", "saddle",
        "himmelblau") or a ``Surface``.
    rules : sequence of str
        Names from ``lib.optimizers.OPTIMIZERS``; each gets its colour from ``lib.plots``.
    lr : float or dict
        The learning rate :math:`\eta` of every rule, or a dict rule -> learning rate.  AdaDelta,
        which has no learning rate, keeps its default scale 1.0 unless the dict names it.
    momentum : float
        :math:`\mu` of Momentum and Nesterov.
    beta1, beta2 : float
        :math:`\beta_1, \beta_2` of Adam, AdamW and RAdam.
    steps : int
        Number of updates, 1 to ``MAX_STEPS``.
    x0, y0 : float, optional
        The start point; default the surface's own start.

    Returns
    -------
    matplotlib.figure.Figure
        Left: contours (the minima as stars, the start as a white dot) with every path.
        Right: the loss gap against the step, log scale.  A run that diverges ends in a cross
        and is labelled "diverged at step k" ("escaped" on the saddle, which has no minimum).
    """
    surface = _surface(surface)
    rules = _rule_names(rules)
    steps = _steps(steps)
    sx, sy = surface.start
    start = (
        _number("x0", sx if x0 is None else x0, -math.inf, math.inf, low_open=True,
                high_open=True),
        _number("y0", sy if y0 is None else y0, -math.inf, math.inf, low_open=True,
                high_open=True),
    )
    settings = _race_settings(rules, lr, momentum, beta1, beta2)
    paths = run_rules(surface, settings, start=start, steps=steps)

    fig, (left, right) = plt.subplots(
        1, 2, figsize=(9.5, 4), gridspec_kw={"width_ratios": [1.25, 1]},
        FigureClass=plots.FastFigure,
    )
    fig.subplots_adjust(**_MARGINS)
    _draw_paths(surface, paths, left)
    left.set_title(f"{surface.name}, from ({start[0]:.3g}, {start[1]:.3g})", fontsize=10)
    loss_panel(surface, paths, right)
    _few_ticks(left.xaxis, left.yaxis, right.xaxis)
    # Plain-text titles: mathtext would add a fifth to the redraw time.
    shown = [f"η = {lr:g}" if not isinstance(lr, dict) else "η per rule"]
    if any("momentum" in settings[r] for r in rules):
        shown.append(f"μ = {momentum:g}")
    if any("beta1" in settings[r] for r in rules):
        shown.append(f"β₁ = {beta1:g}, β₂ = {beta2:g}")
    right.set_title(", ".join(shown), fontsize=10)
    return fig


def race_controls(surface="quadratic", rules=DEFAULT_RULES, steps=30):
    """The playground's widgets, as the dict ``ipywidgets.interactive_output(race, ...)`` takes.

    In two groups, for ``control_grid(controls, ncols=2)``: what races where (surface, rules,
    steps, start), then the hyperparameters.  Choosing another surface moves the start
    sliders to its bounds and its own start point.  Works with ipywidgets 7.7 and 8.
    """
    import ipywidgets as widgets  # only the widgets need ipywidgets

    surface = _surface(surface)
    style, slider = _STYLE, _SLIDER
    (xlo, xhi), (ylo, yhi) = surface.bounds
    controls = {
        "surface": widgets.Dropdown(options=list(SURFACES), value=surface.name,
                                    description="surface", style=style),
        "rules": widgets.SelectMultiple(
            options=[(plots.LABELS[r], r) for r in OPTIMIZERS], value=_rule_names(rules),
            rows=len(OPTIMIZERS), description="rules (ctrl-click)", style=style,
        ),
        "steps": widgets.IntSlider(value=steps, min=5, max=300, step=5, description="steps",
                                   **slider),
        "x0": widgets.FloatSlider(value=surface.start[0], min=xlo, max=xhi,
                                  step=(xhi - xlo) / 100, description="start x₀", **slider),
        "y0": widgets.FloatSlider(value=surface.start[1], min=ylo, max=yhi,
                                  step=(yhi - ylo) / 100, description="start y₀", **slider),
        "lr": widgets.FloatLogSlider(value=0.3, base=10, min=-3, max=1, step=0.05,
                                     description="learning rate η", readout_format=".3g",
                                     **slider),
        "momentum": widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01,
                                        description="momentum μ", **slider),
        "beta1": widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01,
                                     description="β₁", **slider),
        "beta2": widgets.FloatSlider(value=0.999, min=0.9, max=0.9999, step=0.0001,
                                     description="β₂", readout_format=".4f", **slider),
    }

    def move_start(change):
        new = SURFACES[change["new"]]
        for key, (lo, hi), value in zip(("x0", "y0"), new.bounds, new.start):
            s = controls[key]
            s.min, s.max = min(s.min, lo), max(s.max, hi)  # widen first: min <= max always
            s.value = value
            s.min, s.max, s.step = lo, hi, (hi - lo) / 100

    controls["surface"].observe(move_start, names="value")
    return controls


def momentum_map_controls(kappa=20.0, lr=0.2, momentum=0.9):
    """Widgets for :func:`momentum_map`: κ, learning rate and momentum sliders, as a dict.

    The defaults are *Deep Learning from Scratch*'s Momentum (η = 0.1, μ = 0.9) on the bowl
    x²/20 + y², whose κ is 20 and λ_max is 2: in the map's units (λ_max = 1), η = 0.2.
    """
    import ipywidgets as widgets

    slider = _SLIDER
    return {
        "kappa": widgets.FloatLogSlider(value=kappa, base=10, min=0, max=3, step=0.05,
                                        description="condition number κ", readout_format=".3g",
                                        **slider),
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-1.3, max=0.7, step=0.01,
                                     description="learning rate η", readout_format=".3g",
                                     **slider),
        "momentum": widgets.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01,
                                        description="momentum μ", **slider),
    }


def bias_correction_controls(beta1=0.9, beta2=0.999):
    """Widgets for :func:`bias_correction`: β₁, β₂, steps and gradient noise, as a dict."""
    import ipywidgets as widgets

    slider = _SLIDER
    return {
        "beta1": widgets.FloatSlider(value=beta1, min=0.0, max=0.99, step=0.01,
                                     description="β₁", **slider),
        "beta2": widgets.FloatSlider(value=beta2, min=0.9, max=0.9999, step=0.0001,
                                     description="β₂", readout_format=".4f", **slider),
        "steps": widgets.IntSlider(value=50, min=10, max=500, step=10, description="steps",
                                   **slider),
        "noise": widgets.FloatSlider(value=0.5, min=0.0, max=2.0, step=0.1,
                                     description="gradient noise", **slider),
    }


def control_grid(controls, ncols=3):
    """Lay a dict of widgets out in ``ncols`` columns (a ``HBox`` of ``VBox``-es)."""
    import ipywidgets as widgets

    if isinstance(ncols, bool) or not isinstance(ncols, numbers.Integral) or ncols < 1:
        raise ValueError(f"ncols must be an integer >= 1, got {ncols!r}")
    items = list(controls.values())
    per = math.ceil(len(items) / ncols)
    return widgets.HBox([widgets.VBox(items[i : i + per]) for i in range(0, len(items), per)])


# ---- small multiples for the HTML reader -------------------------------------------------------


def paths_grid(surface, panels, ncols=3, panel_size=(3.3, 2.5)):
    """Small multiples: one contour panel per entry of ``panels``, sharing axes.

    surface: a ``Surface`` or its name.
    panels: dict title -> dict rule -> path (arrays of shape (steps + 1, 2), e.g. from
        :func:`run_rules`).  Each panel gets a legend when it holds more than one path.
    ncols: panels per row; panel_size: (width, height) of one panel in inches.
    Returns the Figure.
    """
    surface = _surface(surface)
    if not isinstance(panels, dict) or not panels:
        raise ValueError("panels must be a non-empty dict title -> {rule: path}")
    if isinstance(ncols, bool) or not isinstance(ncols, numbers.Integral) or ncols < 1:
        raise ValueError(f"ncols must be an integer >= 1, got {ncols!r}")
    ncols = min(int(ncols), len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axs = plt.subplots(
        nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
        sharex=True, sharey=True, squeeze=False, layout="constrained",
    )
    for ax, (title, paths) in zip(axs.flat, panels.items()):
        _draw_paths(surface, paths, ax, legend=len(paths) > 1)
        ax.set_title(title, fontsize=9)
        ax.label_outer()
        fate = _fate(next(iter(paths.values())), surface) if len(paths) == 1 else None
        if fate is not None:
            ax.text(0.03, 0.05, fate, transform=ax.transAxes, fontsize=8)
    for ax in axs.flat[len(panels):]:
        ax.set_visible(False)
    return fig


# ---- momentum on a quadratic -------------------------------------------------------------------

_MAP_LRS = np.geomspace(0.05, 5.0, 201)  # in units of 1 / lam_max
_MAP_MOMENTA = np.linspace(0.0, 0.99, 199)
_MAP_NORM = LogNorm(vmin=1.0, vmax=1000.0)
_START = (1.0, 1.0)


def _bowl(kappa):
    lam_min, lam_max = quadratic.curvatures(kappa)
    return Surface(
        f"bowl (kappa={kappa:g})",
        lambda x, y: 0.5 * (lam_min * x * x + lam_max * y * y),
        lambda x, y: (lam_min * x, lam_max * y),
        bounds=((-1.5, 1.5), (-1.5, 1.5)),
        minima=[(0.0, 0.0)],
        start=_START,
    )


def _map_values(kappa):
    """Steps per decade over the map's grid, NaN where momentum does not converge."""
    rates = quadratic.rate_map(kappa, _MAP_LRS, _MAP_MOMENTA)
    steps = quadratic.steps_per_decade(rates)
    return np.ma.masked_invalid(np.where(np.isfinite(steps), steps, np.nan))


def _draw_map(ax, kappa):
    """The map of steps per decade on ``ax``; returns (image, polyak point, sgd point).

    The x coordinate is log10 of the learning rate (an image on a linear axis redraws much
    faster than a mesh on a log axis); the ticks are labelled with the learning rates.
    """
    lam_min, lam_max = quadratic.curvatures(kappa)
    u = np.log10(_MAP_LRS)
    du, dm = u[1] - u[0], _MAP_MOMENTA[1] - _MAP_MOMENTA[0]
    image = ax.imshow(_map_values(kappa), cmap="viridis_r", norm=_MAP_NORM, origin="lower",
                      aspect="auto", interpolation="nearest",
                      extent=(u[0] - du / 2, u[-1] + du / 2, -dm / 2, _MAP_MOMENTA[-1] + dm / 2))
    ax.set_facecolor("#d9d9d9")  # the masked (non-converging) region
    edge = np.log10(quadratic.max_stable_lr(_MAP_MOMENTA, lam_max))
    ax.plot(edge, _MAP_MOMENTA, color="black", linewidth=1.2)
    ax.fill_betweenx(_MAP_MOMENTA, edge, u[-1] + du, facecolor="none", edgecolor="#777777",
                     hatch="//", linewidth=0.0)
    ax.text(0.985, 0.08, "diverges", transform=ax.transAxes, ha="right", va="bottom",
            fontsize=9, backgroundcolor="white")
    p_lr, p_mu, _ = quadratic.polyak_optimum(lam_min, lam_max)
    s_lr, _ = quadratic.best_sgd(lam_min, lam_max)
    (polyak,) = ax.plot(math.log10(p_lr), p_mu, "*", color=plots.COLORS["momentum"],
                        mec="black", markersize=15, label="Polyak's optimum", zorder=5)
    (sgd,) = ax.plot(math.log10(s_lr), 0.0, "D", color="white", mec="black", markersize=7,
                     label="best plain SGD", zorder=5, clip_on=False)
    ticks = np.array([0.1, 0.3, 1.0, 3.0])
    ax.set_xticks(np.log10(ticks), [f"{x:g}" for x in ticks])
    ax.set(xlim=(u[0], u[-1]), ylim=(0.0, _MAP_MOMENTA[-1]),
           xlabel="learning rate η  (λ_max = 1)", ylabel="momentum μ")
    return image, polyak, sgd


def _colorbar(ax):
    """A colour scale for the map, drawn just right of ``ax`` in its axes coordinates.

    Hand-made rather than ``fig.colorbar``: one image and five plain labels, with no extra axes
    and no ticks to lay out, redraw in a fraction of the time.
    """
    limits = ax.get_xlim(), ax.get_ylim()
    levels = np.geomspace(_MAP_NORM.vmin, _MAP_NORM.vmax, 64)[:, None]
    ax.imshow(levels, cmap="viridis_r", norm=_MAP_NORM, origin="lower", aspect="auto",
              extent=(1.015, 1.05, 0.0, 1.0), transform=ax.transAxes, clip_on=False)
    ax.set(xlim=limits[0], ylim=limits[1])  # the image must not move the map's limits
    decades = int(round(math.log10(_MAP_NORM.vmax / _MAP_NORM.vmin)))
    for d in range(decades + 1):
        ax.text(1.065, d / decades, f"{_MAP_NORM.vmin * 10.0**d:g}", va="center", fontsize=9,
                transform=ax.transAxes)
    ax.text(1.2, 0.5, "steps to shrink the error 10×", rotation=90, ha="center", va="center",
            transform=ax.transAxes)


def momentum_map(kappa=20.0, lr=None, momentum=None, steps=60):
    r"""Heavy-ball momentum on the bowl :math:`\tfrac12(\lambda_{\min} x^2 + \lambda_{\max} y^2)`.

    Parameters
    ----------
    kappa : float
        Condition number :math:`\kappa = \lambda_{\max} / \lambda_{\min} \ge 1`
        (:math:`\lambda_{\max} = 1`).  The book's bowl :math:`x^2/20 + y^2` has :math:`\kappa = 20`.
    lr, momentum : float, optional
        A setting of your own, marked on the map and run on the bowl; default Polyak's.
    steps : int
        Steps of the runs in the right panel.

    Returns
    -------
    matplotlib.figure.Figure
        Left: the number of steps heavy-ball momentum needs to shrink the error tenfold, over
        the (learning rate, momentum) plane (log colour scale); grey and hatched where it does
        not converge; Polyak's optimal pair as a star, the best plain SGD as a diamond, your
        setting as a circle.  Right: the distance to the minimum against the step for these
        three settings, run with ``lib.optimizers.Momentum`` from (1, 1), and the rates the
        theory predicts (thin dotted lines).
    """
    kappa = _number("kappa", kappa, 1.0, 1e6)
    steps = _steps(steps)
    lam_min, lam_max = quadratic.curvatures(kappa)
    p_lr, p_mu, p_rate = quadratic.polyak_optimum(lam_min, lam_max)
    s_lr, s_rate = quadratic.best_sgd(lam_min, lam_max)
    lr = p_lr if lr is None else _number("lr", lr, 0.0, math.inf, low_open=True, high_open=True)
    momentum = p_mu if momentum is None else _number("momentum", momentum, 0.0, 1.0,
                                                     high_open=True)
    rate = float(quadratic.spectral_radius(lr, momentum, (lam_min, lam_max)))

    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 4), FigureClass=plots.FastFigure)
    fig.subplots_adjust(**{**_MARGINS, "wspace": 0.5})  # room for the colour scale
    _draw_map(left, kappa)
    _colorbar(left)
    left.plot(math.log10(lr), momentum, "o", color=plots.PALETTE["sky blue"], mec="black",
              markersize=8, label="your setting", zorder=6)
    left.legend(loc="lower left", fontsize=8, framealpha=0.9)
    left.set_title(f"κ = {kappa:.3g}: best η = {p_lr:.3g}, μ = {p_mu:.3g}", fontsize=10)

    bowl = _bowl(kappa)
    runs = (
        ("your setting", lr, momentum, rate, plots.PALETTE["sky blue"], "-"),
        ("Polyak", p_lr, p_mu, p_rate, plots.COLORS["momentum"], "--"),
        ("best SGD", s_lr, 0.0, s_rate, plots.COLORS["sgd"], "-."),
    )
    k = np.arange(steps + 1)
    start_norm = math.hypot(*_START)
    for label, eta, mu, rho, color, ls in runs:
        path = trajectory(Momentum(lr=eta, momentum=mu), bowl, steps=steps)
        err = np.hypot(path[:, 0], path[:, 1])
        when = diverged_at(path)
        tail = f", diverged at step {when}" if when is not None else ""
        right.plot(k, np.where(err > 0, err, np.nan), color=color, linestyle=ls, linewidth=1.4,
                   label=f"{label}: ρ = {rho:.3f}{tail}")
        if rho < 1:
            with np.errstate(under="ignore"):
                right.plot(k, start_norm * rho**k, color=color, linestyle=":", linewidth=0.9)
    plots.fast_log_scale(right, "y")
    right.yaxis.set_major_locator(FixedLocator([1e-12, 1e-8, 1e-4, 1.0]))
    right.set(xlabel="step k", ylabel="distance to the minimum", ylim=(1e-12, 1e3))
    _few_ticks(left.yaxis, right.xaxis)
    right.legend(loc="lower left", fontsize=8, framealpha=0.9)
    right.set_title("dotted: the theory, ‖w₀‖ ρᵏ", fontsize=10)
    return fig


def momentum_map_animation(kappas=None):
    r"""An animation of :func:`momentum_map`'s left panel as :math:`\kappa` grows.

    kappas: increasing condition numbers, one frame each (default 24 from 1 to 1000).
    Returns a ``matplotlib.animation.FuncAnimation`` whose figure is already closed, so that only
    ``anim.to_jshtml()`` shows it (as a scrubbable player in the HTML page).
    """
    kappas = np.geomspace(1.0, 1000.0, 24) if kappas is None else np.asarray(kappas, dtype=float)
    if kappas.ndim != 1 or kappas.size == 0 or not np.all(np.isfinite(kappas) & (kappas >= 1)):
        raise ValueError(f"kappas must be a non-empty 1-D sequence of numbers >= 1, got {kappas!r}")
    fig, ax = plt.subplots(figsize=(5.6, 3.8), dpi=72, layout="constrained")
    image, polyak, sgd = _draw_map(ax, float(kappas[0]))
    _colorbar(ax)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    title = ax.set_title("", fontsize=10)

    def frame(i):
        kappa = float(kappas[i])
        lam_min, lam_max = quadratic.curvatures(kappa)
        image.set_data(_map_values(kappa))
        p_lr, p_mu, p_rate = quadratic.polyak_optimum(lam_min, lam_max)
        s_lr, s_rate = quadratic.best_sgd(lam_min, lam_max)
        polyak.set_data([math.log10(p_lr)], [p_mu])
        sgd.set_data([math.log10(s_lr)], [0.0])
        p_steps, s_steps = quadratic.steps_per_decade([p_rate, s_rate])
        title.set_text(
            f"κ = {kappa:.3g}: {p_steps:.3g} steps per 10× at best, "
            f"{s_steps:.3g} without momentum"
            if kappa > 1.0
            else "κ = 1: a round bowl, one step of η = 1 reaches the minimum"
        )
        return image, polyak, sgd, title

    frame(0)
    anim = animation.FuncAnimation(fig, frame, frames=len(kappas), interval=400, blit=False)
    plt.close(fig)
    return anim


# ---- Adam's moments and RAdam's rectification ---------------------------------------------------


def _gradient_stream(steps, noise, seed):
    """Gradients ``1 + noise * xi_t`` with standard normal ``xi_t``: shape (steps,)."""
    rng = np.random.default_rng(seed)
    return 1.0 + noise * rng.standard_normal(steps)


def adam_moments(grads, beta1=0.9, beta2=0.999):
    r"""Adam's moment estimates along a stream of scalar gradients, read from ``Adam``'s state.

    grads: array of shape (T,), the gradient of one parameter at steps 1..T.
    Returns a dict of arrays of shape (T,): ``m``, ``v`` (the optimizer's state after each step)
    and ``m_hat`` :math:`= m_t / (1 - \beta_1^t)`, ``v_hat`` :math:`= v_t / (1 - \beta_2^t)`.
    """
    grads = np.asarray(grads, dtype=float)
    if grads.ndim != 1 or grads.size == 0 or not np.all(np.isfinite(grads)):
        raise ValueError("grads must be a non-empty 1-D array of finite numbers")
    opt = Adam(lr=1e-3, beta1=beta1, beta2=beta2)
    params = {"w": np.zeros(1)}
    m, v = np.empty(grads.size), np.empty(grads.size)
    for i, g in enumerate(grads):
        opt.update(params, {"w": np.array([g])})
        m[i], v[i] = opt.state["w"]["m"][0], opt.state["w"]["v"][0]
    t = np.arange(1, grads.size + 1)
    return {"m": m, "v": v, "m_hat": m / (1.0 - beta1**t), "v_hat": v / (1.0 - beta2**t)}


def bias_correction(beta1=0.9, beta2=0.999, steps=50, noise=0.5, seed=0):
    r"""Adam's first steps: the moments :math:`m_t, v_t` against :math:`\hat m_t, \hat v_t`.

    The gradient is :math:`g_t = 1 + \text{noise}\cdot\xi_t` with :math:`\xi_t` standard normal
    (seeded), so the mean to estimate is 1.

    Returns
    -------
    matplotlib.figure.Figure
        Left: the gradients (dots), :math:`m_t` (starts near 0: biased) and :math:`\hat m_t`.
        Right: the size of the step Adam takes in units of :math:`\eta`,
        :math:`\hat m_t / \sqrt{\hat v_t}`, against the uncorrected :math:`m_t / \sqrt{v_t}`.
    """
    beta1 = _number("beta1", beta1, 0.0, 1.0, high_open=True)
    beta2 = _number("beta2", beta2, 0.0, 1.0, high_open=True)
    steps = _steps(steps)
    noise = _number("noise", noise, 0.0, 10.0)
    g = _gradient_stream(steps, noise, seed)
    mom = adam_moments(g, beta1, beta2)
    t = np.arange(1, steps + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.6), FigureClass=plots.FastFigure)
    fig.subplots_adjust(**_MARGINS)
    left.plot(t, g, ".", color=plots.PALETTE["grey"], label="gradient $g_t$")
    left.axhline(1.0, color="black", linewidth=0.8, linestyle=":", label="true mean")
    left.plot(t, mom["m"], color=plots.COLORS["adam"], linestyle="--", label="$m_t$ (biased)")
    left.plot(t, mom["m_hat"], color=plots.COLORS["adam"], label=r"$\hat m_t$ (corrected)")
    left.set(xlabel="step $t$", ylabel="first moment",
             title=rf"$\beta_1$ = {beta1:g}: $m_1 = (1-\beta_1) g_1$", ylim=(-0.1, None))
    left.legend(fontsize=8, loc="lower right")
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = mom["m"] / np.sqrt(mom["v"])
        fixed = mom["m_hat"] / np.sqrt(mom["v_hat"])
    right.plot(t, raw, color=plots.COLORS["adam"], linestyle="--", label=r"$m_t/\sqrt{v_t}$")
    right.plot(t, fixed, color=plots.COLORS["adam"], label=r"$\hat m_t/\sqrt{\hat v_t}$")
    right.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
    right.set(xlabel="step $t$", ylabel=r"step size in units of $\eta$",
              title=rf"$\beta_2$ = {beta2:g}", ylim=(0, None))
    _few_ticks(left.xaxis, left.yaxis, right.xaxis, right.yaxis)
    right.legend(fontsize=8)
    return fig


def adaptive_rate_spread(beta2=0.999, steps=200, runs=4000, quantiles=(0.05, 0.5, 0.95), seed=0):
    r"""How uncertain Adam's adaptive rate :math:`\psi_t = 1/\sqrt{\hat v_t}` is, step by step.

    Simulates ``runs`` independent streams of standard normal gradients (so the true
    :math:`1/\sqrt{E[g^2]}` is 1) and returns an array of shape (len(quantiles), steps): the
    quantiles of :math:`\psi_t` over the runs at steps :math:`t = 1, \dots,` ``steps``.
    Early on :math:`\hat v_t` averages very few squared gradients, so :math:`\psi_t` is wild.
    """
    beta2 = _number("beta2", beta2, 0.0, 1.0, high_open=True)
    steps = _steps(steps)
    if isinstance(runs, bool) or not isinstance(runs, numbers.Integral) or runs < 2:
        raise ValueError(f"runs must be an integer >= 2, got {runs!r}")
    rng = np.random.default_rng(seed)
    v = np.zeros(runs)
    out = np.empty((len(quantiles), steps))
    for i in range(steps):
        g = rng.standard_normal(runs)
        v = beta2 * v + (1.0 - beta2) * g * g
        psi = 1.0 / np.sqrt(v / (1.0 - beta2 ** (i + 1)))
        out[:, i] = np.quantile(psi, quantiles)
    return out


def radam_step_sizes(beta2=0.999, steps=200, grad=1.0):
    r"""The steps ``lib.optimizers.RAdam`` takes on a constant gradient, in units of ``lr``.

    With a constant gradient :math:`g` every moment estimate is exact (:math:`\hat m_t = g`,
    :math:`v_t = (1 - \beta_2^t) g^2`), so Adam would step exactly :math:`\eta` each time.
    RAdam steps :math:`\eta\, \hat m_t = \eta g` while :math:`\rho_t \le 5` (the momentum step,
    not adapted to the gradient's scale) and then :math:`\eta\, r_t`.  Returns an array of
    shape (steps,): the step sizes divided by ``lr``, measured from the optimizer itself.
    """
    beta2 = _number("beta2", beta2, 0.0, 1.0, high_open=True)
    steps = _steps(steps)
    grad = _number("grad", grad, 0.0, 1e6, low_open=True)
    opt = RAdam(lr=1.0, beta2=beta2, eps=1e-12 * grad)
    params, grads = {"w": np.zeros(1)}, {"w": np.full(1, grad)}
    sizes = np.empty(steps)
    for i in range(steps):
        before = params["w"][0]
        opt.update(params, grads)
        sizes[i] = before - params["w"][0]
    return sizes


def radam_warmup(beta2=0.999, steps=3000, runs=2000, grad=0.01, seed=0):
    r"""Why RAdam rectifies: the spread of Adam's adaptive rate, and RAdam's answer to it.

    Left: the 5–95 % band and the median of :math:`\psi_t = 1/\sqrt{\hat v_t}` over ``runs``
    streams of standard normal gradients (:func:`adaptive_rate_spread`; the true value is 1).
    Right: the step RAdam takes on a constant gradient ``grad`` (:func:`radam_step_sizes`),
    Adam's (always :math:`\eta`) and a linear warm-up over :math:`2/(1-\beta_2)` steps.
    Log-scaled steps.  Returns the Figure.
    """
    spread = adaptive_rate_spread(beta2, steps, runs, seed=seed)
    sizes = radam_step_sizes(beta2, steps, grad)
    t = np.arange(1, steps + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.6), layout="constrained")
    color = plots.COLORS["adam"]
    left.fill_between(t, spread[0], spread[-1], color=color, alpha=0.25, lw=0,
                      label="5–95 % of runs")
    left.plot(t, spread[len(spread) // 2], color=color, label="median")
    left.axhline(1.0, color="black", linewidth=0.8, linestyle=":", label="true value")
    left.set(xscale="log", yscale="log", xlabel="step $t$",
             ylabel=r"adaptive rate $1/\sqrt{\hat v_t}$", title=rf"Adam, $\beta_2$ = {beta2:g}")
    left.legend(fontsize=8)
    warm = 2.0 / (1.0 - beta2)
    plots.curve(sizes, "radam", right, x=t, label="RAdam")
    plots.curve(np.ones(steps), "adam", right, x=t, label="Adam")
    right.plot(t, np.minimum(1.0, t / warm), color=plots.PALETTE["grey"], linestyle=":",
               label=f"linear warm-up over {warm:.0f} steps")
    right.set(xscale="log", xlabel="step $t$", ylabel=r"step size in units of $\eta$",
              ylim=(0, 1.1), title=f"constant gradient $g$ = {grad:g}")
    right.legend(fontsize=8, loc="center right")
    return fig


def learning_curves(curves, title=None, reference="sgd", ncols=3):
    """Training losses of several rules over several seeds: one panel per rule.

    curves: dict rule -> array of shape (n_seeds, iterations), e.g. smoothed losses.  Every
    panel shows that rule's runs (thin) and their median (thick), with the median of
    ``reference`` (if it is in ``curves``) as a thin dashed line for comparison; the panels
    share a log-scaled y axis.  Returns the Figure.
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict rule -> array (n_seeds, iterations)")
    rows = math.ceil(len(curves) / ncols)
    fig, axs = plt.subplots(rows, ncols, figsize=(3.1 * ncols, 2.2 * rows + 0.4), sharex=True,
                            sharey=True, squeeze=False, layout="constrained")
    for ax in axs.ravel()[len(curves):]:
        ax.set_visible(False)
    ref = curves.get(reference)
    for ax, (name, values) in zip(axs.ravel(), curves.items()):
        if ref is not None and name != reference:
            ax.plot(np.median(ref, axis=0), color=plots.COLORS.get(reference, "black"),
                    linestyle="--", linewidth=0.9, alpha=0.6,
                    label=f"{plots.LABELS.get(reference, reference)} (median)")
        plots.runs(values, ax, **plots.style(name))
        ax.set_yscale("log")
        ax.set_title(plots.LABELS.get(name, name), fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
    for ax in axs[-1]:
        ax.set_xlabel("iteration")
    for ax in axs[:, 0]:
        ax.set_ylabel("training loss")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


#: The chapter's explorers: name -> (the function a widget redraws, its controls' factory).
#: ``benchmarks/interactivity.py`` times each one from its controls' starting values.
EXPLORERS = {
    "race": (race, race_controls),
    "momentum_map": (momentum_map, momentum_map_controls),
    "bias_correction": (bias_correction, bias_correction_controls),
}
