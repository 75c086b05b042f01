r"""Figures and explorers of the chapter on update rules.

Every function computes with the maths modules (:mod:`lib.surfaces`, :mod:`lib.quadratic`,
:mod:`lib.moments`) and draws a complete figure, so a widget can call it on every slider move
and a test can call it with no widget at all.  Explorers, each with its controls' factory:

* :func:`race` (:func:`race_controls`) -- the optimizer playground: several rules from one
  start on a surface, with optional gradient noise; paths over the contours and losses.
* :func:`momentum_map` (:func:`momentum_map_controls`) -- the convergence factor of heavy-ball
  momentum over the (learning rate, momentum) plane of a bowl of condition number
  :math:`\kappa`, with Polyak's best pair and the region of divergence.
* :func:`bias_correction` (:func:`bias_correction_controls`) -- Adam's moments against their
  bias-corrected versions in the first steps.

Fixed figures for readers of the HTML page: :func:`paths_grid`, :func:`loss_panel`,
:func:`momentum_map_animation`, :func:`radam_warmup`.

A run that diverges is drawn up to its last finite point and labelled "diverged at step k"
(on a surface without a minimum, such as the saddle, "escaped at step k"); it never raises.
"""

import functools
import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.colors import LogNorm
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator, SymmetricalLogLocator

from lib import checks, moments, plots, quadratic
from lib.interactive import controls as ui
from lib.optimizers import OPTIMIZERS, Momentum, check_hyperparameter
from lib.surfaces import SURFACES, bowl, diverged_at, get_surface, loss_gap, run_rules, trajectory

__all__ = [
    "DEFAULT_RULES",
    "EXPLORERS",
    "bias_correction",
    "bias_correction_controls",
    "loss_panel",
    "momentum_map",
    "momentum_map_animation",
    "momentum_map_controls",
    "paths_grid",
    "race",
    "race_controls",
    "radam_warmup",
]

#: The rules the playground races by default: the four of *Deep Learning from Scratch*'s figure.
DEFAULT_RULES = ("sgd", "momentum", "adagrad", "adam")

#: Largest number of steps a race accepts (the playground's slider stops well below).
MAX_STEPS = 5000

# Fixed margins for the two-panel explorers: a layout engine would double the redraw time.
_MARGINS = {"left": 0.07, "right": 0.98, "bottom": 0.13, "top": 0.9, "wspace": 0.28}


def _rule_names(rules):
    """``rules`` as a tuple of known lower-case rule names, in order, without repeats."""
    names = (rules,) if isinstance(rules, str) else tuple(rules)
    if not names:
        raise ValueError(f"rules must name at least one rule of {', '.join(OPTIMIZERS)}, got none")
    return tuple(dict.fromkeys(checks.one_of("rules", str(r).lower(), OPTIMIZERS) for r in names))


def _fate(path, surface):
    """"diverged at step k" (or "escaped ..." on a surface with no minimum), or None."""
    k = diverged_at(path)
    if k is None:
        return None
    # Leaving a bowl is a failure; leaving a saddle (no minimum) downhill is the point.
    return f"{'diverged' if len(surface.minima) else 'escaped'} at step {k}"


def _label(name, path, surface):
    fate = _fate(path, surface)
    return plots.label(name) if fate is None else f"{plots.label(name)}: {fate}"


@functools.lru_cache(maxsize=16)
def _grid(surface):
    return surface.mesh(120)


def _draw_paths(surface, paths, ax, legend=True):
    plots.contour(surface, ax, grid=_grid(surface))
    ax.set(xlabel="x", ylabel="y")  # plain text: mathtext labels slow every redraw down
    for name, path in paths.items():
        plots.path(path, name, ax, label=_label(name, path, surface))
        k = diverged_at(path)
        if k is not None:  # mark where the path leaves for good
            ax.plot(*path[k - 1], "x", color=plots.color(name), markersize=9, mew=2)
    first = next(iter(paths.values()))
    ax.plot(*first[0], "o", mfc="none", mec="black", markersize=7, mew=1.2, zorder=6)
    if legend:
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return ax


def loss_panel(surface, paths, ax=None):
    r"""Draw the loss gap :math:`f(x_k, y_k) - f_{\min}` of each path against the step ``k``.

    Log scale when the surface has a minimum (symmetric-log otherwise, as for the saddle,
    whose loss falls without bound).  A diverged path ends in a cross.

    Parameters
    ----------
    surface : Surface or str
        A ``lib.surfaces.Surface`` or its name.
    paths : dict[str, ndarray of shape (steps + 1, 2)]
        Rule name -> its path.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    surface = get_surface(surface)
    ax = plots.axes(ax, figsize=(6, 3.5))
    bounded = len(surface.minima) > 0
    for name, path in paths.items():
        gap = loss_gap(surface, path)
        if bounded:
            gap = np.where(gap > 0, gap, np.nan)  # exactly at the minimum: off a log scale
        plots.curve(gap, name, ax, label=_label(name, path, surface))
        k = diverged_at(path)
        if k is not None and k > 0 and np.isfinite(gap[k - 1]):
            ax.plot(k - 1, gap[k - 1], "x", color=plots.color(name), markersize=9, mew=2)
    if bounded:
        plots.fast_log_scale(ax, "y")
        ax.set_ylabel("f(x, y) − min f")
    else:
        ax.set_yscale("symlog", linthresh=1e-2)
        # Every other power of ten, labelled in plain text (mathtext is slow to redraw).
        ax.yaxis.set_major_locator(SymmetricalLogLocator(linthresh=1e-2, base=100.0))
        ax.yaxis.set_major_formatter(FuncFormatter(plots.signed_power_of_ten))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylabel("f(x, y)")
    ax.set_xlabel("step k")
    ax.grid(True, which="major", alpha=0.3)
    return ax


# ---- the playground -------------------------------------------------------------------------


def _settings(rules, lr, shared):
    """One dict of keyword hyperparameters per rule from the playground's shared controls."""
    settings = {}
    for rule in rules:
        names = OPTIMIZERS[rule].hyperparameter_names
        hyper = {k: v for k, v in shared.items() if k in names}
        if isinstance(lr, dict):
            rates = {str(k).lower(): v for k, v in lr.items()}
            if rule not in rates and rule != "adadelta":
                raise ValueError(f"lr must give a learning rate for {rule!r}, got {lr!r}")
            if rule in rates:
                hyper["lr"] = check_hyperparameter("lr", rates[rule])
        elif rule != "adadelta":  # AdaDelta has no learning rate to share
            hyper["lr"] = lr
        settings[rule] = hyper
    return settings


def race(surface="quadratic", rules=DEFAULT_RULES, lr=0.3, momentum=0.9, beta1=0.9,
         beta2=0.999, steps=30, x0=None, y0=None, noise=0.0, seed=0):
    r"""The optimizer playground: race update rules from one start point on a 2-D surface.

    Parameters
    ----------
    surface : str or Surface
        A name in ``lib.surfaces.SURFACES`` or a ``Surface``.
    rules : sequence of str
        Names from ``lib.optimizers.OPTIMIZERS``; each gets its style from ``lib.plots``.
    lr : float or dict
        The learning rate :math:`\eta` of every rule, or a dict rule -> learning rate.
        AdaDelta, which has no learning rate, keeps its scale 1.0 unless the dict names it.
    momentum : float
        :math:`\mu` of Momentum and Nesterov.
    beta1, beta2 : float
        :math:`\beta_1, \beta_2` of Adam, AdamW and RAdam.
    steps : int
        Number of updates, 1 to ``MAX_STEPS``.
    x0, y0 : float, optional
        The start point; default the surface's own start.
    noise : float
        Standard deviation of the Gaussian noise added to every gradient (0: exact gradients);
        every rule sees the same noise, drawn from ``seed``.
    seed : int

    Returns
    -------
    matplotlib.figure.Figure
        Left: contours (the minima as stars, the start as a circle) with every path.  Right:
        the loss gap against the step, log scale.
    """
    surface = get_surface(surface)
    rules = _rule_names(rules)
    steps = checks.integer("steps", steps, 1, MAX_STEPS)
    start = (checks.number("x0", surface.start[0] if x0 is None else x0),
             checks.number("y0", surface.start[1] if y0 is None else y0))
    shared = {"momentum": check_hyperparameter("momentum", momentum),
              "beta1": check_hyperparameter("beta1", beta1),
              "beta2": check_hyperparameter("beta2", beta2)}
    lr = lr if isinstance(lr, dict) else check_hyperparameter("lr", lr)
    settings = _settings(rules, lr, shared)
    paths = run_rules(surface, settings, start=start, steps=steps, noise=noise, seed=seed)

    fig, (left, right) = plt.subplots(
        1, 2, figsize=(9.5, 4), gridspec_kw={"width_ratios": [1.25, 1]},
        FigureClass=plots.FastFigure,
    )
    fig.subplots_adjust(**_MARGINS)
    _draw_paths(surface, paths, left)
    left.set_title(f"{surface.name}, from ({start[0]:.3g}, {start[1]:.3g})", fontsize=10)
    loss_panel(surface, paths, right)
    plots.few_ticks(left.xaxis, left.yaxis, right.xaxis)
    # Plain-text titles: mathtext would add a fifth to the redraw time.
    shown = ["η per rule" if isinstance(lr, dict) else f"η = {lr:g}"]
    if any("momentum" in settings[r] for r in rules):
        shown.append(f"μ = {momentum:g}")
    if any("beta1" in settings[r] for r in rules):
        shown.append(f"β₁ = {beta1:g}, β₂ = {beta2:g}")
    if noise:
        shown.append(f"noise σ = {noise:g}")
    right.set_title(", ".join(shown), fontsize=10)
    return fig


def race_controls(surface="quadratic", rules=DEFAULT_RULES, steps=30):
    """The playground's widgets, as the dict ``ipywidgets.interactive_output(race, ...)`` takes.

    In two groups, for ``control_grid(controls, ncols=2)``: what races where (surface, rules,
    steps, start, gradient noise), then the hyperparameters.  Choosing another surface moves
    the start sliders to its bounds and its own start point.
    """
    import ipywidgets as widgets

    surface = get_surface(surface)
    (xlo, xhi), (ylo, yhi) = surface.bounds
    controls = {
        "surface": ui.dropdown("surface", list(SURFACES), surface.name),
        "rules": widgets.SelectMultiple(
            options=[(plots.label(r), r) for r in OPTIMIZERS], value=_rule_names(rules),
            rows=len(OPTIMIZERS), description="rules (ctrl-click)", style=ui.STYLE,
        ),
        "steps": ui.int_slider("steps", steps, 5, 300, 5),
        "x0": ui.float_slider("start x₀", surface.start[0], xlo, xhi, (xhi - xlo) / 100),
        "y0": ui.float_slider("start y₀", surface.start[1], ylo, yhi, (yhi - ylo) / 100),
        "noise": ui.float_slider("gradient noise σ", 0.0, 0.0, 2.0, 0.05),
        "lr": ui.log_slider("learning rate η", 0.3, 1e-3, 10.0),
        "momentum": ui.float_slider("momentum μ", 0.9, 0.0, 0.99, 0.01),
        "beta1": ui.float_slider("β₁", 0.9, 0.0, 0.99, 0.01),
        "beta2": ui.float_slider("β₂", 0.999, 0.9, 0.9999, 0.0001, readout_format=".4f"),
    }

    def move_start(change):
        new = SURFACES[change["new"]]
        for key, (lo, hi), value in zip(("x0", "y0"), new.bounds, new.start, strict=False):
            s = controls[key]
            s.min, s.max = min(s.min, lo), max(s.max, hi)  # widen first: min <= max always
            s.value = value
            s.min, s.max, s.step = lo, hi, (hi - lo) / 100

    controls["surface"].observe(move_start, names="value")
    return controls


def paths_grid(surface, panels, ncols=3, panel_size=(3.3, 2.5)):
    """Small multiples: one contour panel per entry of ``panels``, sharing axes.

    Parameters
    ----------
    surface : Surface or str
    panels : dict[str, dict[str, ndarray]]
        Title -> {rule: path of shape (steps + 1, 2)}, e.g. from ``lib.surfaces.run_rules``.
        A panel gets a legend when it holds more than one path.
    ncols : int
        Panels per row.
    panel_size : (float, float)
        Width and height of one panel, in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    surface = get_surface(surface)
    if not isinstance(panels, dict) or not panels:
        raise ValueError(f"panels must be a non-empty dict title -> {{rule: path}}, got {panels!r}")
    ncols = min(checks.integer("ncols", ncols, 1), len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axs = plt.subplots(
        nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
        sharex=True, sharey=True, squeeze=False, layout="constrained",
    )
    for ax, (title, paths) in zip(axs.flat, panels.items(), strict=False):
        _draw_paths(surface, paths, ax, legend=len(paths) > 1)
        ax.set_title(title, fontsize=9)
        ax.label_outer()
        fate = _fate(next(iter(paths.values())), surface) if len(paths) == 1 else None
        if fate is not None:
            ax.text(0.03, 0.05, fate, transform=ax.transAxes, fontsize=8)
    for ax in axs.flat[len(panels):]:
        ax.set_visible(False)
    return fig


# ---- momentum on a quadratic ------------------------------------------------------------------

_MAP_LRS = np.geomspace(0.05, 5.0, 201)  # in units of 1 / lam_max
_MAP_MOMENTA = np.linspace(0.0, 0.99, 199)
_MAP_NORM = LogNorm(vmin=1.0, vmax=1000.0)


def _map_values(kappa):
    """Steps per decade over the map's grid, masked where momentum does not converge."""
    steps = quadratic.steps_per_decade(quadratic.rate_map(kappa, _MAP_LRS, _MAP_MOMENTA))
    return np.ma.masked_invalid(np.where(np.isfinite(steps), steps, np.nan))


def _draw_map(ax, kappa):
    """The map of steps per decade on ``ax``; returns (image, Polyak's point, SGD's point).

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
    (polyak,) = ax.plot(math.log10(p_lr), p_mu, "*", color=plots.color("momentum"),
                        mec="black", markersize=15, label="Polyak's optimum", zorder=5)
    (sgd,) = ax.plot(math.log10(s_lr), 0.0, "D", color="white", mec="black", markersize=7,
                     label="best plain SGD", zorder=5, clip_on=False)
    ticks = np.array([0.1, 0.3, 1.0, 3.0])
    ax.set_xticks(np.log10(ticks), [f"{x:g}" for x in ticks])
    ax.set(xlim=(u[0], u[-1]), ylim=(0.0, _MAP_MOMENTA[-1]),
           xlabel="learning rate η  (λ_max = 1)", ylabel="momentum μ")
    return image, polyak, sgd


def _colorbar(ax):
    """Draw a colour scale as a thin image beside ``ax``.

    A real colorbar would need a layout engine, and explorers without one redraw in a
    fraction of the time.
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
        (:math:`\lambda_{\max} = 1`).  The book's bowl :math:`x^2/20 + y^2` has
        :math:`\kappa = 20`.
    lr, momentum : float, optional
        A setting of your own, marked on the map and run on the bowl; default Polyak's.
    steps : int
        Steps of the runs in the right panel.

    Returns
    -------
    matplotlib.figure.Figure
        Left: the number of steps heavy-ball momentum needs to shrink the error tenfold, over
        the (learning rate, momentum) plane; grey and hatched where it does not converge;
        Polyak's pair as a star, the best plain SGD as a diamond, your setting as a circle.
        Right: the distance to the minimum against the step for these three settings, run with
        ``lib.optimizers.Momentum`` from (1, 1), and the rates the theory predicts (dotted).
    """
    kappa = checks.number("kappa", kappa, 1.0, 1e6)
    steps = checks.integer("steps", steps, 1, MAX_STEPS)
    lam_min, lam_max = quadratic.curvatures(kappa)
    p_lr, p_mu, p_rate = quadratic.polyak_optimum(lam_min, lam_max)
    s_lr, s_rate = quadratic.best_sgd(lam_min, lam_max)
    lr = p_lr if lr is None else check_hyperparameter("lr", lr)
    momentum = p_mu if momentum is None else check_hyperparameter("momentum", momentum)
    rate = float(quadratic.spectral_radius(lr, momentum, (lam_min, lam_max)))

    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 4), FigureClass=plots.FastFigure)
    fig.subplots_adjust(**{**_MARGINS, "wspace": 0.5})  # room for the colour scale
    _draw_map(left, kappa)
    _colorbar(left)
    left.plot(math.log10(lr), momentum, "o", color=plots.PALETTE["sky blue"], mec="black",
              markersize=8, label="your setting", zorder=6)
    left.legend(loc="lower left", fontsize=8, framealpha=0.9)
    left.set_title(f"κ = {kappa:.3g}: best η = {p_lr:.3g}, μ = {p_mu:.3g}", fontsize=10)

    surface = bowl(kappa)
    runs = (
        ("your setting", lr, momentum, rate, plots.PALETTE["sky blue"], "-"),
        ("Polyak", p_lr, p_mu, p_rate, plots.color("momentum"), "--"),
        ("best SGD", s_lr, 0.0, s_rate, plots.color("sgd"), "-."),
    )
    k = np.arange(steps + 1)
    start_norm = math.hypot(*surface.start)
    for name, eta, mu, rho, color, ls in runs:
        path = trajectory(Momentum(lr=eta, momentum=mu), surface, steps=steps)
        err = np.hypot(path[:, 0], path[:, 1])
        when = diverged_at(path)
        tail = f", diverged at step {when}" if when is not None else ""
        right.plot(k, np.where(err > 0, err, np.nan), color=color, linestyle=ls, linewidth=1.4,
                   label=f"{name}: ρ = {rho:.3f}{tail}")
        if rho < 1:
            with np.errstate(under="ignore"):
                right.plot(k, start_norm * rho**k, color=color, linestyle=":", linewidth=0.9)
    plots.fast_log_scale(right, "y")
    right.yaxis.set_major_locator(FixedLocator([1e-12, 1e-8, 1e-4, 1.0]))
    right.set(xlabel="step k", ylabel="distance to the minimum", ylim=(1e-12, 1e3))
    plots.few_ticks(left.yaxis, right.xaxis)
    right.legend(loc="lower left", fontsize=8, framealpha=0.9)
    right.set_title("dotted: the theory, ‖w₀‖ ρᵏ", fontsize=10)
    return fig


def momentum_map_controls(kappa=20.0, lr=0.2, momentum=0.9):
    """Widgets for :func:`momentum_map`: κ, learning rate and momentum sliders, as a dict.

    The defaults are *Deep Learning from Scratch*'s Momentum (η = 0.1, μ = 0.9) on the bowl
    x²/20 + y², whose κ is 20 and λ_max is 2: in the map's units (λ_max = 1), η = 0.2.
    """
    return {
        "kappa": ui.log_slider("condition number κ", kappa, 1.0, 1000.0),
        "lr": ui.log_slider("learning rate η", lr, 0.05, 5.0, step=0.01),
        "momentum": ui.float_slider("momentum μ", momentum, 0.0, 0.99, 0.01),
    }


def momentum_map_animation(kappas=None):
    r"""An animation of :func:`momentum_map`'s left panel as :math:`\kappa` grows.

    Parameters
    ----------
    kappas : array_like of shape (frames,), optional
        Increasing condition numbers :math:`\ge 1`, one frame each (default 24 from 1 to
        1000).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Its figure is already closed, so that only ``lib.plots.animation_html(anim)`` shows
        it (as a scrubbable player).
    """
    kappas = np.geomspace(1.0, 1000.0, 24) if kappas is None else kappas
    kappas = checks.array("kappas", kappas, ndim=1, low=1.0)
    if kappas.size == 0:
        raise ValueError("kappas must hold at least one condition number, got an empty array")
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


# ---- Adam's moments and RAdam's rectification -------------------------------------------------


def bias_correction(beta1=0.9, beta2=0.999, steps=50, noise=0.5, seed=0):
    r"""Adam's first steps: the moments :math:`m_t, v_t` against :math:`\hat m_t, \hat v_t`.

    The gradient is :math:`g_t = 1 + \text{noise}\cdot\xi_t` with :math:`\xi_t` standard
    normal (seeded), so the mean to estimate is 1.

    Parameters
    ----------
    beta1, beta2 : float
        Adam's decay rates, each in [0, 1).
    steps : int
        Number of steps, 1 to ``MAX_STEPS``.
    noise : float
        Standard deviation of the gradient noise, 0 to 10.
    seed : int

    Returns
    -------
    matplotlib.figure.Figure
        Left: the gradients (dots), :math:`m_t` (starts near 0: biased) and :math:`\hat m_t`.
        Right: the size of the step Adam takes in units of :math:`\eta`,
        :math:`\hat m_t / \sqrt{\hat v_t}`, against the uncorrected :math:`m_t / \sqrt{v_t}`.
    """
    beta1 = check_hyperparameter("beta1", beta1)
    beta2 = check_hyperparameter("beta2", beta2)
    steps = checks.integer("steps", steps, 1, MAX_STEPS)
    noise = checks.number("noise", noise, 0.0, 10.0)
    g = moments.gradient_stream(steps, noise, seed)
    mom = moments.adam_moments(g, beta1, beta2)
    t = np.arange(1, steps + 1)
    adam = plots.color("adam")
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.6), FigureClass=plots.FastFigure)
    fig.subplots_adjust(**_MARGINS)
    left.plot(t, g, ".", color=plots.PALETTE["grey"], label="gradient $g_t$")
    left.axhline(1.0, color="black", linewidth=0.8, linestyle=":", label="true mean")
    left.plot(t, mom["m"], color=adam, linestyle="--", label="$m_t$ (biased)")
    left.plot(t, mom["m_hat"], color=adam, label=r"$\hat m_t$ (corrected)")
    left.set(xlabel="step $t$", ylabel="first moment",
             title=rf"$\beta_1$ = {beta1:g}: $m_1 = (1-\beta_1) g_1$", ylim=(-0.1, None))
    left.legend(fontsize=8, loc="lower right")
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = mom["m"] / np.sqrt(mom["v"])
        fixed = mom["m_hat"] / np.sqrt(mom["v_hat"])
    right.plot(t, raw, color=adam, linestyle="--", label=r"$m_t/\sqrt{v_t}$")
    right.plot(t, fixed, color=adam, label=r"$\hat m_t/\sqrt{\hat v_t}$")
    right.axhline(1.0, color="black", linewidth=0.8, linestyle=":")
    right.set(xlabel="step $t$", ylabel=r"step size in units of $\eta$",
              title=rf"$\beta_2$ = {beta2:g}", ylim=(0, None))
    plots.few_ticks(left.xaxis, left.yaxis, right.xaxis, right.yaxis)
    right.legend(fontsize=8)
    return fig


def bias_correction_controls(beta1=0.9, beta2=0.999):
    """Widgets for :func:`bias_correction`: β₁, β₂, steps and gradient noise, as a dict."""
    return {
        "beta1": ui.float_slider("β₁", beta1, 0.0, 0.99, 0.01),
        "beta2": ui.float_slider("β₂", beta2, 0.9, 0.9999, 0.0001, readout_format=".4f"),
        "steps": ui.int_slider("steps", 50, 10, 500, 10),
        "noise": ui.float_slider("gradient noise", 0.5, 0.0, 2.0, 0.1, readout_format=".1f"),
    }


def radam_warmup(beta2=0.999, steps=3000, runs=2000, grad=0.01, seed=0):
    r"""Why RAdam rectifies: the spread of Adam's adaptive rate, and RAdam's answer to it.

    Parameters
    ----------
    beta2 : float, default 0.999
        The decay rate :math:`\beta_2` of Adam and RAdam.
    steps : int, default 3000
        Number of steps drawn.
    runs : int, default 2000
        Number of simulated streams of gradients.
    grad : float, default 0.01
        The constant gradient of the right panel.
    seed : int, default 0

    Returns
    -------
    matplotlib.figure.Figure
        Left: the 5-95 % band and the median of :math:`\psi_t = 1/\sqrt{\hat v_t}` over
        ``runs`` streams of standard normal gradients (``lib.moments.adaptive_rate_spread``;
        the true value is 1).  Right: the step RAdam takes on a constant gradient ``grad``
        (``lib.moments.radam_step_sizes``), Adam's (always :math:`\eta`) and a linear
        warm-up over :math:`2/(1-\beta_2)` steps.
    """
    spread = moments.adaptive_rate_spread(beta2, steps, runs, seed=seed)
    sizes = moments.radam_step_sizes(beta2, steps, grad)
    t = np.arange(1, steps + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.6), layout="constrained")
    color = plots.color("adam")
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


#: The chapter's explorers: name -> (the function a widget redraws, its controls' factory).
#: ``benchmarks/interactivity.py`` times each one from its controls' starting values.
EXPLORERS = {
    "race": (race, race_controls),
    "momentum_map": (momentum_map, momentum_map_controls),
    "bias_correction": (bias_correction, bias_correction_controls),
}
