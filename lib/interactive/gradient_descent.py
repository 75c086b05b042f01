r"""Figures and explorers of the chapter on gradient descent.

The maths is elsewhere: the two-parameter regression in :mod:`lib.regression`, the noise of
mini-batch gradients in :mod:`lib.gradient_noise`, the double well in :mod:`lib.minima`, the
schedules in :mod:`lib.schedules`.  Explorers, each with its controls' factory:

* :func:`losses` -- squared error against cross-entropy for one sigmoid unit: the loss and the
  size of its gradient against the unit's score.
* :func:`learning_rate` -- gradient descent on the regression's loss: the path and the loss.
* :func:`batch_size` -- a mini-batch path against the full-batch path, and the cloud of
  mini-batch gradients around the full gradient with the theory's ellipse.
* :func:`minima` -- the double well: the path, and which minimum every start and step finds.
* :func:`schedule` -- stochastic gradient descent with a constant learning rate and with
  step decay, cosine and warm-up.

Fixed figures for readers of the HTML page: :func:`learning_rate_grid`, :func:`batch_grid`,
:func:`minibatch_animation`, :func:`noise_figure`.  A diverging run is drawn up to its last
finite point and labelled "diverged at step k"; nothing here raises for a value a control can
take.
"""

import functools
import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.colors import ListedColormap

from lib import checks, gradient_noise, plots, regression
from lib import minima as wells
from lib.activations import sigmoid
from lib.interactive import controls as ui
from lib.optimizers import SGD
from lib.schedules import Cosine, MultiStep, Warmup
from lib.surfaces import diverged_at, loss_gap, trajectory
from lib.training import smooth

__all__ = ["EXPLORERS", "PROBLEM", "batch_grid", "batch_size", "batch_size_controls",
           "learning_rate", "learning_rate_controls", "learning_rate_grid", "losses",
           "losses_controls", "minibatch_animation", "minima", "minima_controls",
           "noise_figure", "schedule", "schedule_controls", "book_schedules"]

#: The chapter's small problem: 200 samples, :math:`\kappa \approx 20`.
PROBLEM = regression.LinearRegression(*regression.make_data())
START = (-2.0, 3.0)
_MARGINS = {"left": 0.08, "right": 0.98, "bottom": 0.13, "top": 0.89, "wspace": 0.3}
_WELL_STARTS = np.linspace(-2.0, 2.0, 161)
_WELL_LRS = np.geomspace(0.005, 0.5, 121)


@functools.lru_cache(maxsize=1)
def _surface():
    return PROBLEM.surface(start=START)


@functools.lru_cache(maxsize=1)
def _grid():
    return _surface().mesh(100)


def _fate(path):
    k = diverged_at(path)
    return "" if k is None else f", diverged at step {k}"


def _contour(ax):
    plots.contour(_surface(), ax, grid=_grid())
    ax.set(xlabel="slope w", ylabel="intercept b")
    plots.few_ticks(ax.xaxis, ax.yaxis)


def _two_panels(figsize=(9.5, 4)):
    fig, axs = plt.subplots(1, 2, figsize=figsize, FigureClass=plots.FastFigure)
    fig.subplots_adjust(**_MARGINS)
    return fig, axs


# ---- losses ----------------------------------------------------------------------------------


def losses(score=-4.0, target=1):
    r"""One sigmoid unit :math:`p = \sigma(z)` with target ``target``: squared error
    :math:`(p - t)^2` and cross-entropy :math:`-t\ln p - (1-t)\ln(1-p)` against the score ``z``.

    Left: the two losses.  Right: the size of their gradients with respect to :math:`z`,
    :math:`|2(p - t)\,p(1 - p)|` and :math:`|p - t|` (log scale).  Returns the Figure.
    """
    score = checks.number("score", score, -20.0, 20.0)
    target = checks.one_of("target", target, (0, 1))
    z = np.linspace(-10.0, 10.0, 401)
    p = sigmoid(z)
    with np.errstate(divide="ignore"):
        ce = -np.log(np.where(target == 1, p, 1.0 - p))
    curves = {"squared error": ((p - target) ** 2, np.abs(2 * (p - target) * p * (1 - p))),
              "cross-entropy": (ce, np.abs(p - target))}
    fig, (left, right) = _two_panels((9.5, 3.6))
    colors = (plots.PALETTE["vermillion"], plots.PALETTE["blue"])
    q = float(sigmoid(np.array(score)))
    here = {"squared error": ((q - target) ** 2, abs(2 * (q - target) * q * (1 - q))),
            "cross-entropy": (-math.log(max(q if target else 1 - q, 1e-300)), abs(q - target))}
    for (name, (loss, grad)), color, ls in zip(curves.items(), colors, ("-", "--"), strict=True):
        left.plot(z, loss, color=color, linestyle=ls, label=name)
        right.plot(z, plots.for_log_axis(grad), color=color, linestyle=ls,
                   label=f"{name}: {here[name][1]:.2g}")
        left.plot(score, here[name][0], "o", color=color)
        right.plot(score, here[name][1], "o", color=color)
    left.set(xlabel="score z", ylabel="loss", ylim=(-0.2, 6), title=f"target t = {target}")
    plots.fast_log_scale(right, "y")
    right.set(xlabel="score z", ylabel="|∂L/∂z|", ylim=(1e-9, 3),
              title=f"z = {score:.1f}: p = σ(z) = {q:.3g}")
    for ax in (left, right):
        ax.axvline(score, color="0.6", linewidth=0.8)
    left.legend(fontsize=8, loc="upper right")
    right.legend(fontsize=8, loc="lower left")
    plots.few_ticks(left.xaxis, left.yaxis, right.xaxis)
    return fig


def losses_controls(score=-4.0, target=1):
    """Widgets for :func:`losses`: the score z and the target."""
    return {"score": ui.float_slider("score z", score, -10.0, 10.0, 0.1, ".1f"),
            "target": ui.dropdown("target t", [0, 1], target)}


# ---- the learning rate -----------------------------------------------------------------------


def _lr_panel(ax, lr, start, steps, title=True):
    path = trajectory(SGD(lr=lr), _surface(), start=start, steps=steps)
    _contour(ax)
    plots.path(path, "sgd", ax)
    k = diverged_at(path)
    if k is not None:
        ax.plot(*path[k - 1], "x", color="black", markersize=9, mew=2)
    if title:
        lam_max = PROBLEM.curvatures()[1]
        ax.set_title(f"η = {lr:.3g}, η·λ_max = {lr * lam_max:.2f}{_fate(path)}", fontsize=9)
    return path


def learning_rate(lr=0.2, w0=START[0], b0=START[1], steps=30):
    r"""Full-batch gradient descent on the regression's loss at learning rate ``lr``.

    Left: the path over the contours of :math:`L(w, b)`.  Right: :math:`L - L^\star` against
    the step (log scale) and, dotted, the theory's :math:`\rho^{2k}` with
    :math:`\rho = \max_i |1 - \eta\lambda_i|`.  Returns the Figure.
    """
    lr = checks.positive("lr", lr)
    start = (checks.number("w0", w0), checks.number("b0", b0))
    steps = checks.integer("steps", steps, 1, 2000)
    fig, (left, right) = _two_panels()
    path = _lr_panel(left, lr, start, steps)
    gap = loss_gap(_surface(), path)
    k = np.arange(steps + 1)
    right.plot(k, plots.for_log_axis(gap), color="black", marker="o", markersize=2.5,
               label="measured")
    rho = max(abs(1 - lr * lam) for lam in PROBLEM.curvatures())
    with np.errstate(all="ignore"):
        theory = gap[0] * rho ** (2.0 * k)
    right.plot(k, plots.for_log_axis(theory), color=plots.PALETTE["vermillion"], linestyle=":",
               label=f"ρ²ᵏ, ρ = {rho:.3f}")
    plots.fast_log_scale(right, "y")
    plots.log_ylim(right, gap[np.isfinite(gap)][:1], gap)
    threshold = 2 / PROBLEM.curvatures()[1]
    right.set(xlabel="step k", ylabel="L − L*", title=f"2/λ_max = {threshold:.3f}")
    right.legend(fontsize=8, loc="lower left")
    plots.few_ticks(right.xaxis)
    return fig


def learning_rate_controls(lr=0.2, steps=30):
    """Widgets for :func:`learning_rate`: η (log slider), the start and the number of steps."""
    (wlo, whi), (blo, bhi) = _surface().bounds
    return {"lr": ui.log_slider("learning rate η", lr, 0.01, 1.0, step=0.01),
            "w0": ui.float_slider("start w₀", START[0], round(wlo, 1), round(whi, 1), 0.1, ".1f"),
            "b0": ui.float_slider("start b₀", START[1], round(blo, 1), round(bhi, 1), 0.1, ".1f"),
            "steps": ui.int_slider("steps", steps, 5, 200, 5)}


def learning_rate_grid(lrs=(0.02, 0.2, 0.4, 0.48), steps=30):
    """Small multiples: the path for each learning rate in ``lrs``, shared axes."""
    fig, axs = plt.subplots(1, len(lrs), figsize=(2.6 * len(lrs), 2.7), sharey=True,
                            layout="constrained")
    for ax, lr in zip(np.atleast_1d(axs), lrs, strict=True):
        _lr_panel(ax, lr, START, steps)
        ax.label_outer()
    return fig


# ---- the batch size --------------------------------------------------------------------------


def _batch_paths(ax, batch_size, lr, steps, seed):
    full = trajectory(SGD(lr=lr), _surface(), start=START, steps=steps)
    noisy = PROBLEM.minibatch_path(lr, batch_size, steps, start=START, seed=seed)
    _contour(ax)
    plots.path(full, "sgd", ax, label="full batch")
    ax.plot(noisy[:, 0], noisy[:, 1], color=plots.PALETTE["vermillion"], marker="o",
            markersize=2, linewidth=1, label=f"B = {batch_size}{_fate(noisy)}")
    ax.legend(fontsize=8, loc="lower left")
    return full, noisy


def batch_size(batch_size=10, lr=0.2, steps=40, seed=0):
    r"""Mini-batch against full-batch gradient descent on the regression, ``steps`` updates.

    Left: both paths.  Right: 300 mini-batch gradients of size ``batch_size`` at the start
    point (dots), the full gradient (star) and the ellipse that holds about 86 % of them
    according to the theory (twice the covariance of :func:`lib.gradient_noise.batch_covariance`).
    Returns the Figure.
    """
    batch_size = checks.integer("batch_size", batch_size, 1, PROBLEM.n)
    lr = checks.positive("lr", lr)
    steps = checks.integer("steps", steps, 1, 2000)
    fig, (left, right) = _two_panels()
    _batch_paths(left, batch_size, lr, steps, seed)
    left.set_title(f"{steps} updates at η = {lr:.3g}", fontsize=10)
    rng = np.random.default_rng(seed)
    cloud = np.array([PROBLEM.gradient(*START, rng.permutation(PROBLEM.n)[:batch_size])
                      for _ in range(300)])
    full = np.array(PROBLEM.gradient(*START))
    per_sample = PROBLEM.per_sample_gradients(*START)
    cov = gradient_noise.batch_covariance(per_sample, batch_size)
    right.plot(cloud[:, 0], cloud[:, 1], ".", color=plots.PALETTE["vermillion"], alpha=0.4,
               markersize=3, label="mini-batch gradients")
    values, vectors = np.linalg.eigh(cov)
    angle = np.linspace(0, 2 * np.pi, 100)
    circle = np.stack([np.cos(angle), np.sin(angle)])
    ring = (vectors * np.sqrt(2 * np.maximum(values, 0.0))) @ circle
    right.plot(full[0] + ring[0], full[1] + ring[1], color="black", linewidth=1,
               label="theory (86 %)")
    right.plot(*full, "*", color="black", markersize=12, label="full gradient")
    spread = np.sqrt(np.mean(np.sum((cloud - full) ** 2, axis=1)))
    right.set(xlabel="∂L/∂w", ylabel="∂L/∂b",
              title=f"at the start: error {spread:.2f} (theory {math.sqrt(np.trace(cov)):.2f})")
    single = gradient_noise.batch_covariance(per_sample, 1)  # fixed limits: B = 1's spread
    right.set_xlim(full[0] - 3 * math.sqrt(single[0, 0]), full[0] + 3 * math.sqrt(single[0, 0]))
    right.set_ylim(full[1] - 3 * math.sqrt(single[1, 1]), full[1] + 3 * math.sqrt(single[1, 1]))
    right.legend(fontsize=8, loc="lower left")
    plots.few_ticks(right.xaxis, right.yaxis)
    return fig


def batch_size_controls(batch_size=10, lr=0.2):
    """Widgets for :func:`batch_size`: B, η, steps and the seed of the batch order."""
    return {"batch_size": ui.int_slider("batch size B", batch_size, 1, PROBLEM.n),
            "lr": ui.log_slider("learning rate η", lr, 0.01, 0.5, step=0.01),
            "steps": ui.int_slider("steps", 40, 5, 200, 5),
            "seed": ui.int_slider("seed", 0, 0, 9)}


def batch_grid(batch_sizes=(1, 10, 100, 200), lr=0.2, epochs=2, seed=0):
    """Small multiples: the path of each batch size over the same number of ``epochs``."""
    fig, axs = plt.subplots(1, len(batch_sizes), figsize=(2.6 * len(batch_sizes), 2.7),
                            sharey=True, layout="constrained")
    for ax, b in zip(np.atleast_1d(axs), batch_sizes, strict=True):
        steps = epochs * math.ceil(PROBLEM.n / b)
        path = PROBLEM.minibatch_path(lr, b, steps, start=START, seed=seed)
        _contour(ax)
        ax.plot(path[:, 0], path[:, 1], color=plots.PALETTE["vermillion"], marker="o",
                markersize=1.5, linewidth=0.8)
        ax.set_title(f"B = {b}: {steps} updates", fontsize=9)
        ax.label_outer()
    return fig


def minibatch_animation(batch_size=10, lr=0.2, steps=60, seed=0):
    """An animation of the mini-batch path of :func:`batch_size`, a step per frame."""
    fig, ax = plt.subplots(figsize=(5.2, 3.8), dpi=72, layout="constrained")
    full, noisy = _batch_paths(ax, batch_size, lr, steps, seed)
    line, dot = ax.lines[-1], ax.plot([], [], "o", color=plots.PALETTE["vermillion"],
                                      markersize=7)[0]
    title = ax.set_title("")

    def frame(k):
        line.set_data(noisy[: k + 1, 0], noisy[: k + 1, 1])
        dot.set_data(noisy[k : k + 1, 0], noisy[k : k + 1, 1])
        title.set_text(f"B = {batch_size}, η = {lr:g}: step {k}")
        return line, dot, title

    anim = animation.FuncAnimation(fig, frame, frames=steps + 1, interval=150, blit=False)
    plt.close(fig)
    return anim


def noise_figure(results):
    """Log-log: measured mean squared error of mini-batch gradients against the theory.

    ``results``: dict title -> :class:`lib.gradient_noise.GradientNoise`, one panel each.
    """
    fig, axs = plt.subplots(1, len(results), figsize=(4.6 * len(results), 3.5),
                            layout="constrained", squeeze=False)
    for ax, (title, r) in zip(axs[0], results.items(), strict=True):
        b = r.batch_sizes.astype(float)
        shown = r.theory > 0  # at B = N both are 0 (the measurement up to rounding)
        ax.plot(b, plots.for_log_axis(r.theory_with_replacement), color="0.5", linestyle="--",
                label="tr Σ / B  (with replacement)")
        ax.plot(b[shown], plots.for_log_axis(r.theory[shown]), color="black",
                label="tr Σ / B · (N − B)/(N − 1)")
        ax.plot(b[shown], plots.for_log_axis(r.measured[shown]), "o",
                color=plots.PALETTE["vermillion"], label="measured (without replacement)")
        if not shown.all():
            ax.text(0.97, 0.35, f"B = N = {int(b[-1])}: 0\n(off the log scale)",
                    transform=ax.transAxes, ha="right", fontsize=8)
        ax.set(xscale="log", yscale="log", xlabel="batch size B",
               ylabel="mean of ‖ĝ_B − ∇L‖²", title=title)
        ax.legend(fontsize=8, loc="lower left")
    return fig


# ---- several minima --------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _basins(tilt):
    return wells.basin_map(_WELL_STARTS, _WELL_LRS, tilt=tilt)


def minima(w0=0.3, lr=0.05, noise=0.0, steps=60, tilt=0.3):
    r"""Gradient descent on the double well :math:`(w^2 - 1)^2 + a w` of :mod:`lib.minima`.

    Left: the loss and the path from ``w0``.  Right: which minimum every (start, learning rate)
    pair reaches without noise, the current pair circled.  Returns the Figure.
    """
    w0 = checks.number("w0", w0, -2.0, 2.0)
    lr = checks.positive("lr", lr)
    steps = checks.integer("steps", steps, 1, 2000)
    path = wells.descend(w0, lr, steps=steps, tilt=tilt, noise=noise)
    fig, (left, right) = _two_panels()
    w = np.linspace(-2.0, 2.0, 300)
    left.plot(w, wells.double_well(w, tilt), color="0.3")
    shown = path[np.isfinite(path)]
    left.scatter(shown, wells.double_well(shown, tilt), c=np.arange(shown.size), cmap="viridis",
                 s=14, zorder=3)
    left.plot(w0, wells.double_well(w0, tilt), "o", mfc="none", mec="black", markersize=9)
    low, _, high = wells.critical_points(tilt)
    end = path[-1]
    where = ("diverged" if np.isnan(end) else "global minimum" if abs(end - low) < 0.1
             else "local minimum" if abs(end - high) < 0.1 else f"w = {end:.2f}")
    left.set(xlabel="w", ylabel="f(w)", ylim=(-1, 6))
    left.set_title(f"η = {lr:.3g}, σ = {noise:g}: "
                   + (f"ends in the {where}" if "minimum" in where else where), fontsize=10)
    colors = ["#56B4E9", "#E69F00", "#D9D9D9", "#555555"]  # global, local, neither, diverged
    codes = _basins(tilt)
    image = np.where(codes == wells.DIVERGED, 3, codes)
    right.imshow(image, cmap=ListedColormap(colors), vmin=-0.5, vmax=3.5, origin="lower",
                 aspect="auto", extent=(-2, 2, math.log10(_WELL_LRS[0]), math.log10(_WELL_LRS[-1])))
    right.plot(w0, math.log10(lr), "o", mfc="none", mec="black", markersize=10, mew=2)
    ticks = [0.01, 0.03, 0.1, 0.3]
    right.set_yticks(np.log10(ticks), [f"{t:g}" for t in ticks])
    right.set(xlabel="start w₀", ylabel="learning rate η",
              title="blue: global, orange: local, grey: neither, dark: diverged")
    right.title.set_fontsize(9)
    return fig


def minima_controls(w0=0.3, lr=0.05):
    """Widgets for :func:`minima`: the start, η (log slider), the gradient noise and steps."""
    return {"w0": ui.float_slider("start w₀", w0, -2.0, 2.0, 0.05),
            "lr": ui.log_slider("learning rate η", lr, 0.005, 0.5, step=0.01),
            "noise": ui.float_slider("gradient noise σ", 0.0, 0.0, 5.0, 0.1, ".1f"),
            "steps": ui.int_slider("steps", 60, 10, 500, 10)}


# ---- schedules -------------------------------------------------------------------------------


def book_schedules(total):
    """The chapter's three schedules for a run of ``total`` >= 4 updates: name -> schedule.

    Step decay, tenfold at half and at three quarters of the run; cosine down to 0; a linear
    warm-up over the first tenth, then cosine over the rest.
    """
    total = checks.integer("total", total, 4)
    warm = max(1, total // 10)
    return {"step": MultiStep([total // 2, 3 * total // 4]), "cosine": Cosine(total),
            "warmup": Warmup(warm, Cosine(total - warm))}


def _schedule_panel(ax, lr, batch_size, epochs, seed, window):
    total = epochs * math.ceil(PROBLEM.n / batch_size)
    runs = {"constant": None, **book_schedules(total)}
    gaps = {}
    for name, sched in runs.items():
        path = PROBLEM.minibatch_path(lr, batch_size, total, start=START, seed=seed,
                                      schedule=sched)
        gaps[name] = smooth(loss_gap(_surface(), path), window)
        fate = _fate(path)
        ax.plot(plots.for_log_axis(gaps[name]), linewidth=1.2,
                **{**plots.style(name, "schedule"),
                   "label": plots.label(name, "schedule") + fate})
    plots.fast_log_scale(ax, "y")
    plots.log_ylim(ax, *gaps.values())
    ax.set(xlabel="update", ylabel="L − L* (smoothed)")
    plots.few_ticks(ax.xaxis)
    return runs, total


def schedule(lr=0.3, batch_size=1, epochs=5, seed=0):
    r"""Mini-batch gradient descent on the regression with a constant learning rate and with
    the three schedules of :func:`book_schedules`, from the same start and batch order.

    Left: :math:`L - L^\star` (moving average over an epoch, log scale).  Right: the learning
    rate :math:`\eta\,m(t)` of each.  Returns the Figure.
    """
    lr = checks.positive("lr", lr)
    batch_size = checks.integer("batch_size", batch_size, 1, PROBLEM.n)
    epochs = checks.integer("epochs", epochs, 2, 50)
    fig, (left, right) = _two_panels()
    window = math.ceil(PROBLEM.n / batch_size)
    runs, total = _schedule_panel(left, lr, batch_size, epochs, seed, window)
    left.legend(fontsize=8, loc="lower left")
    left.set_title(f"B = {batch_size}, {epochs} epochs = {total} updates", fontsize=10)
    t = np.arange(total)
    for name, sched in runs.items():
        rate = np.full(total, lr) if sched is None else lr * sched.values(total)
        right.plot(t, rate, **plots.style(name, "schedule"))
    right.set(xlabel="update t", ylabel="learning rate η·m(t)", title=f"η = {lr:.3g}")
    plots.few_ticks(right.xaxis, right.yaxis)
    return fig


def schedule_controls(lr=0.3, batch_size=1):
    """Widgets for :func:`schedule`: η (log slider), B, the number of epochs and the seed."""
    return {"lr": ui.log_slider("learning rate η", lr, 0.01, 1.0, step=0.01),
            "batch_size": ui.int_slider("batch size B", batch_size, 1, PROBLEM.n),
            "epochs": ui.int_slider("epochs", 5, 2, 10),
            "seed": ui.int_slider("seed", 0, 0, 9)}


#: The chapter's explorers: name -> (the function a widget redraws, its controls' factory).
EXPLORERS = {
    "losses": (losses, losses_controls),
    "learning_rate": (learning_rate, learning_rate_controls),
    "batch_size": (batch_size, batch_size_controls),
    "minima": (minima, minima_controls),
    "schedule": (schedule, schedule_controls),
}
