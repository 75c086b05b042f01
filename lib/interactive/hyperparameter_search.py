r"""Explorers and figures for the chapter on hyperparameter search.

The explorers, each with its controls factory ``<name>_controls``:

* :func:`optimism` -- the winner's curse: the best of N equally good configurations, scored
  on a validation set of n examples, against its score on fresh examples.
* :func:`grid_vs_random` -- a grid and random search with the same number of trials on the
  measured accuracy-against-learning-rate curve, with their projections onto each axis.
* :func:`narrowing` -- the trials of a coarse-to-fine search, round by round and trial by
  trial, and the best score so far.
* :func:`halving` -- the schedule of successive halving or Hyperband: how many configurations
  get how many epochs.

The searches behind them are computed by :mod:`lib.tuning` (cached, once per process) unless
the chapter passes its own.  The static figures (``*_multiples``, :func:`projections`,
:func:`halving_run`, :func:`budget_curves`) give the HTML reader the same pictures.
"""

import math
import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from lib import checks, plots, search, tuning
from lib.interactive import controls as ui

__all__ = [
    "EXPLORERS",
    "budget_curves",
    "grid_vs_random",
    "grid_vs_random_controls",
    "grid_vs_random_multiples",
    "halving",
    "halving_controls",
    "halving_multiples",
    "halving_run",
    "narrowing",
    "narrowing_controls",
    "optimism",
    "optimism_controls",
    "optimism_multiples",
    "projections",
    "rounds_multiples",
]

CMAP = plt.get_cmap("viridis")
GRID, RANDOM = plots.style("grid", "search"), plots.style("random", "search")
#: The space of the grid-against-random comparison: four decades of learning rate.
COMPARISON_SPACE = {"lr": search.LogUniform(1e-3, 10.0),
                    "weight_decay": search.LogUniform(1e-8, 1e-4)}


def _figure(ncols=1, figsize=(7.5, 3.2), layout=None, **kw):
    """A row of ``ncols`` axes.  Explorers lay them out by hand: a layout engine costs more
    time than everything else in a redraw."""
    return plt.subplots(1, ncols, figsize=figsize, FigureClass=plots.FastFigure, layout=layout,
                        **kw)


def _log(ax, *axes):
    for axis in axes:
        plots.fast_log_scale(ax, axis)


# ---- the winner's curse ---------------------------------------------------------------------


def _optimism_panel(ax, n_configs, n_val, accuracy, legend=True):
    chosen, fresh = tuning.winners_curse(n_configs, n_val, accuracy, repeats=2000, seed=0)
    # scores are k / n_val: bins of whole numbers of examples, at most about 40 of them
    low = round(min(chosen.min(), fresh.min()) * n_val)
    step = max(1, math.ceil((n_val + 1 - low) / 40))
    bins = (np.arange(low, n_val + step + 1, step) - 0.5) / n_val
    ax.hist(fresh, bins, color=plots.PALETTE["grey"], alpha=0.7, histtype="stepfilled",
            label="on fresh data")
    ax.hist(chosen, bins, color=plots.PALETTE["vermillion"], alpha=0.6, histtype="stepfilled",
            label="on the data it was chosen by")
    for values, colour in ((fresh, "0.3"), (chosen, plots.PALETTE["vermillion"])):
        ax.axvline(values.mean(), color=colour, lw=1.5)
    optimism = round(float(chosen.mean() - fresh.mean()), 3) + 0.0  # no "-0.000"
    ax.set_title(f"best of {n_configs}: {optimism:+.3f} optimism", fontsize=9)
    ax.set(xlabel="the winner's accuracy", yticks=[])
    plots.few_ticks(ax.xaxis, n=4)
    if legend:
        ax.legend(fontsize=7, loc="upper left", frameon=False)
    return chosen, fresh


def optimism(n_configs=100, n_val=288, accuracy=0.95):
    r"""The winner's curse: choose the best of ``n_configs`` equally good configurations.

    Left: over 2,000 repetitions, the winner's accuracy on the ``n_val`` validation examples
    it was chosen by (orange), and on as many fresh examples (grey).  Right: the optimism
    against the number of configurations, simulated (dot) and as
    :math:`\sigma e_N` (:func:`lib.tuning.expected_max_normal`), with
    :math:`\sigma = \sqrt{p(1-p)/n}`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (left, right) = _figure(2, gridspec_kw={"width_ratios": [1.4, 1]})
    chosen, fresh = _optimism_panel(left, n_configs, n_val, accuracy)
    counts = np.unique(np.geomspace(1, 1000, 25).round().astype(int))
    sigma = math.sqrt(accuracy * (1 - accuracy) / n_val)
    right.plot(counts, sigma * tuning.expected_max_normal(counts), color="0.3",
               label=r"σ·eₙ")
    right.plot([n_configs], [chosen.mean() - fresh.mean()], "o",
               color=plots.PALETTE["vermillion"], label="simulated")
    _log(right, "x")
    right.set(xlabel="configurations compared", ylabel="optimism (accuracy)",
              ylim=(min(0.0, chosen.mean() - fresh.mean()) - 0.002, None))
    right.legend(fontsize=7, frameon=False)
    plots.few_ticks(right.yaxis, n=4)
    fig.subplots_adjust(left=0.03, right=0.98, bottom=0.16, top=0.9, wspace=0.32)
    return fig


def optimism_controls(n_configs=100, n_val=288, accuracy=0.95):
    """Widgets for :func:`optimism`, keyed by its argument names."""
    return {
        "n_configs": ui.int_slider("configurations compared", n_configs, 1, 500),
        "n_val": ui.int_slider("validation examples", n_val, 20, 2000, step=4),
        "accuracy": ui.float_slider("true accuracy", accuracy, 0.5, 0.99, 0.01),
    }


def optimism_multiples(counts=(1, 10, 100), n_val=288, accuracy=0.95):
    """:func:`optimism`'s left panel for several numbers of configurations, side by side."""
    fig, axs = _figure(len(counts), figsize=(2.6 * len(counts), 2.6), layout="constrained",
                       sharey=True)
    for i, (ax, n) in enumerate(zip(np.atleast_1d(axs), counts, strict=True)):
        _optimism_panel(ax, n, n_val, accuracy, legend=i == 0)
    return fig


# ---- grid against random ---------------------------------------------------------------------


def _surrogate(curve):
    """A function lr -> accuracy interpolated (in log lr) through the median of ``curve``."""
    lrs, scores = tuning.learning_rate_curve() if curve is None else curve
    median = np.median(np.atleast_2d(scores), axis=0)
    return lambda lr: np.interp(np.log10(lr), np.log10(lrs), median), lrs, median


def _both(points, seed):
    """The grid and the random configurations of ``points`` ** 2 trials each."""
    grid_points = search.grid(COMPARISON_SPACE, points)
    random_points = search.sample(COMPARISON_SPACE, points * points, seed)
    return ([p["lr"] for p in grid_points], [p["weight_decay"] for p in grid_points],
            [p["lr"] for p in random_points], [p["weight_decay"] for p in random_points])


def _comparison(top, main, side, curve, points, seed, labels=True):
    """Draw the curve on ``top``, the trials in ``main`` and their weight decays on ``side``."""
    f, lrs, median = _surrogate(curve)
    glr, gwd, rlr, rwd = _both(points, seed)
    top.plot(lrs, median, color="0.3", lw=1.2)
    best = {}
    for name, lr, wd, st, y in (("grid", glr, gwd, GRID, -0.1), ("random", rlr, rwd, RANDOM,
                                                                     -0.05)):
        score = f(np.array(lr))
        best[name] = score.max()
        top.plot(lr, score, plots.style(name, "search", marker=True)["marker"], ms=5,
                 color=st["color"], mfc="none" if name == "grid" else st["color"])
        top.axhline(best[name], color=st["color"], ls=st["linestyle"], lw=1)
        main.plot(lr, wd, plots.style(name, "search", marker=True)["marker"], ms=5,
                  color=st["color"], mfc="none" if name == "grid" else st["color"],
                  label=f"{st['label']}: {len(set(lr))} learning rates, best {best[name]:.3f}")
        side.plot(np.full(len(wd), y), wd, "_", color=st["color"], ms=8)
    _log(top, "x")
    _log(main, "x", "y")
    _log(side, "y")
    for ax in (top, main):
        ax.set_xlim(1e-3 / 1.3, 10 * 1.3)
    main.set(ylim=(1e-8 / 1.5, 1e-4 * 1.5), xlabel="learning rate")
    top.set(ylim=(0, 1.02))
    top.tick_params(labelbottom=False)
    plots.few_ticks(top.yaxis, n=3)
    side.set(xlim=(-0.15, 0), xticks=[], ylim=main.get_ylim())
    side.tick_params(labelleft=False)
    if labels:
        top.set_ylabel("validation\naccuracy")
        main.set_ylabel("weight decay")
        main.legend(fontsize=7, loc="lower left", framealpha=0.9)
    return best


def grid_vs_random(points=3, seed=0, curve=None):
    """A grid of ``points`` × ``points`` trials against as many random trials.

    Bottom: the trials in the plane learning rate × weight decay.  Top: the measured validation
    accuracy against the learning rate (median over seeds; weight decay in this range changes
    nothing), with each trial projected onto it; the lines mark each search's best.  Right:
    the weight decays tried, which do not matter.

    Parameters
    ----------
    points : int
        Points per side of the grid, 2 to 6.
    seed : int
        The random search's seed.
    curve : (lrs, scores), optional
        From :func:`lib.tuning.learning_rate_curve` (its default when None).

    Returns
    -------
    matplotlib.figure.Figure
    """
    points = checks.integer("points", points, 1, 10)
    fig, axs = plt.subplots(2, 2, figsize=(6.4, 4.6), FigureClass=plots.FastFigure,
                            gridspec_kw={"height_ratios": [1, 1.6], "width_ratios": [6, 1]})
    fig.subplots_adjust(left=0.13, right=0.98, bottom=0.1, top=0.93, wspace=0.05, hspace=0.08)
    axs[0, 1].set_visible(False)
    best = _comparison(axs[0, 0], axs[1, 0], axs[1, 1], curve, points, checks.integer(
        "seed", seed, 0))
    axs[0, 0].set_title(f"{points * points} trials each: grid {best['grid']:.3f}, "
                        f"random {best['random']:.3f}", fontsize=9)
    return fig


def grid_vs_random_controls(points=3, seed=0):
    """Widgets for :func:`grid_vs_random`, keyed by its argument names."""
    return {"points": ui.int_slider("grid points per side", points, 2, 6),
            "seed": ui.int_slider("random search's seed", seed, 0, 19)}


def grid_vs_random_multiples(curve=None, points=(2, 3, 4, 5), seed=0, ncols=2):
    """:func:`grid_vs_random`'s two main panels for several grid sizes, ``ncols`` a row."""
    rows = math.ceil(len(points) / ncols)
    fig, axs = plt.subplots(2 * rows, ncols, figsize=(3.7 * ncols, 3.3 * rows), sharex=True,
                            FigureClass=plots.FastFigure, layout="constrained", squeeze=False,
                            gridspec_kw={"height_ratios": [1, 1.4] * rows})
    for i, k in enumerate(points):
        top, main = axs[2 * (i // ncols), i % ncols], axs[2 * (i // ncols) + 1, i % ncols]
        side = main.inset_axes([1.0, 0, 0.0001, 1])  # no room for the side panel here
        side.set_visible(False)
        best = _comparison(top, main, side, curve, k, seed, labels=False)
        top.set_title(f"{k * k} trials: grid {best['grid']:.2f}, random {best['random']:.2f}",
                      fontsize=9)
        if i % ncols:
            top.tick_params(labelleft=False)
            main.tick_params(labelleft=False)
        else:
            top.set_ylabel("val. accuracy")
            main.set_ylabel("weight decay")
        if i // ncols < rows - 1:
            main.set_xlabel("")
    for j in range(len(points), rows * ncols):
        axs[2 * (j // ncols), j % ncols].set_visible(False)
        axs[2 * (j // ncols) + 1, j % ncols].set_visible(False)
    return fig


def projections(grid_result, random_result, lr_curve, wd_curve):
    """Bergstra and Bengio's picture, measured: a 3 × 3 grid and 9 random trials.

    Parameters
    ----------
    grid_result, random_result : lib.search.SearchResult
        The two searches (of learning rate and weight decay).
    lr_curve : (lrs, scores)
        lrs of shape (n,), scores of shape (seeds, n): accuracy against learning rate.
    wd_curve : (wds, scores)
        The same against weight decay.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axs = plt.subplots(2, 4, figsize=(8.6, 4.4), FigureClass=plots.FastFigure,
                            layout="constrained",
                            gridspec_kw={"height_ratios": [1, 1.7],
                                         "width_ratios": [4, 1.1, 4, 1.1]})
    for col, (result, name) in enumerate(((grid_result, "grid"), (random_result, "random"))):
        top, main, side = axs[0, 2 * col], axs[1, 2 * col], axs[1, 2 * col + 1]
        axs[0, 2 * col + 1].set_visible(False)
        st = plots.style(name, "search", marker=True)
        lr, wd, score = result.column("lr"), result.column("weight_decay"), result.scores
        marks = {"color": st["color"], "ms": 5, "mfc": "none" if name == "grid" else st["color"]}
        plots.runs(lr_curve[1], top, x=lr_curve[0], color="0.4")
        top.plot(lr, score, st["marker"], **marks)
        side.plot(np.median(wd_curve[1], axis=0), wd_curve[0], color="0.4")
        side.plot(score, wd, st["marker"], **marks)
        main.plot(lr, wd, st["marker"], color=st["color"], ms=6,
                  mfc="none" if name == "grid" else st["color"])
        best = result.best
        main.plot(best.params["lr"], best.params["weight_decay"], "*", color="k", ms=11)
        top.set_title(f"{plots.label(name, 'search')}: best {best.score:.3f} "
                      f"({len(np.unique(lr))} learning rates)", fontsize=9)
        _log(top, "x")
        _log(main, "x", "y")
        _log(side, "y")
        top.set(ylim=(0, 1.02), ylabel="val. accuracy")
        top.tick_params(labelbottom=False)
        main.set(xlabel="learning rate", ylabel="weight decay", xlim=top.get_xlim())
        side.set(ylim=main.get_ylim(), xlim=(0, 1.02), xlabel="val. acc.")
        side.tick_params(labelleft=False)
    return fig


# ---- coarse to fine ------------------------------------------------------------------------


def _box(ax, space, **kw):
    lr, wd = space["lr"], space["weight_decay"]
    ax.add_patch(Rectangle((lr.low, wd.low), lr.high - lr.low, wd.high - wd.low, fill=False,
                           **kw))


def _rounds_panel(ax, result, round, n_trials, norm):
    """Earlier rounds in grey; the first ``n_trials`` of ``round`` (from 0) in colour."""
    trials = result.trials
    earlier = [t for t in trials if t.round < round]
    now = [t for t in trials if t.round == round][:n_trials]
    if earlier:
        ax.scatter([t.params["lr"] for t in earlier],
                   [t.params["weight_decay"] for t in earlier], s=8, color="0.8")
    ok = [t for t in now if t.ok]
    ax.scatter([t.params["lr"] for t in ok], [t.params["weight_decay"] for t in ok], s=18,
               c=[t.score for t in ok], cmap=CMAP, norm=norm, edgecolors="none")
    failed = [t for t in now if not t.ok]
    if failed:
        ax.plot([t.params["lr"] for t in failed], [t.params["weight_decay"] for t in failed],
                "x", color=plots.PALETTE["vermillion"], label="diverged")
    for r in range(round + 1):
        _box(ax, result.spaces[r], lw=1.4 if r == round else 0.8,
             ls="-" if r == round else "--", color="k" if r == round else "0.5")
    space = result.spaces[0]
    _log(ax, "x", "y")
    ax.set(xlabel="learning rate", ylabel="weight decay",
           xlim=(space["lr"].low / 2, space["lr"].high * 2),
           ylim=(space["weight_decay"].low / 2, space["weight_decay"].high * 2))
    if ok:
        best = max(ok, key=lambda t: t.score)
        ax.plot(best.params["lr"], best.params["weight_decay"], "*", color="k", ms=10)
    return now


def _norm(result):
    scores = result.scores[np.isfinite(result.scores)]
    return Normalize(0.0, max(float(scores.max()) if scores.size else 1.0, 0.1))


def narrowing(n_trials=100, round=3, result=None):
    """The first ``n_trials`` trials of ``round`` of a coarse-to-fine search.

    Left: the trials in the plane learning rate × weight decay, coloured by validation
    accuracy (the star is the round's best so far), earlier rounds in grey, every round's
    ranges as a box.  Right: the best validation accuracy so far against the trials run.

    Parameters
    ----------
    n_trials : int
        Trials of the round to show, from 1.
    round : int
        The round, from 1.
    result : lib.search.SearchResult, optional
        A coarse-to-fine search of ``lr`` and ``weight_decay``; default
        :func:`lib.tuning.reproduction`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    result = tuning.reproduction() if result is None else result
    rounds = len(result.spaces)
    round = checks.integer("round", round, 1, rounds) - 1
    per_round = sum(t.round == 0 for t in result.trials)
    n_trials = min(checks.integer("n_trials", n_trials, 1), per_round)
    fig, (left, right) = _figure(2, figsize=(8.2, 3.4),
                                 gridspec_kw={"width_ratios": [1.25, 1]})
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.15, top=0.91, wspace=0.45)
    norm = _norm(result)
    _rounds_panel(left, result, round, n_trials, norm)
    box = left.get_position()
    cax = fig.add_axes([box.x1 + 0.01, box.y0, 0.012, box.height])
    fig.colorbar(plt.cm.ScalarMappable(norm, CMAP), cax=cax, label="validation accuracy")
    plots.few_ticks(cax.yaxis, n=4)
    shown = round * per_round + n_trials
    best = result.best_so_far()[:shown]
    right.plot(np.arange(1, shown + 1), best, color=RANDOM["color"], lw=1.5)
    right.plot(np.arange(1, shown + 1), result.scores[:shown], ".", color="0.6", ms=3)
    for r in range(1, rounds):
        right.axvline(r * per_round + 0.5, color="0.7", lw=0.8, ls="--")
    right.set(xlim=(0, rounds * per_round + 1), ylim=(0, 1), xlabel="trials run",
              ylabel="validation accuracy",
              title=f"round {round + 1}, {n_trials} trials: best so far {best[-1]:.3f}")
    right.title.set_fontsize(9)
    plots.few_ticks(right.xaxis, right.yaxis, n=4)
    return fig


def narrowing_controls(n_trials=100, round=1, rounds=3, per_round=100):
    """Widgets for :func:`narrowing`, keyed by its argument names."""
    return {"round": ui.int_slider("round", round, 1, rounds),
            "n_trials": ui.int_slider("trials of the round", n_trials, 1, per_round)}


def rounds_multiples(result=None, reported=None):
    """Every round of a coarse-to-fine search, side by side (the static :func:`narrowing`).

    ``reported``: optionally a space (dict of ranges) drawn dotted in the first panel, such
    as the region a book reports.
    """
    result = tuning.reproduction() if result is None else result
    rounds = len(result.spaces)
    fig, axs = _figure(rounds, figsize=(3.0 * rounds, 3.0), layout="constrained", sharex=True,
                       sharey=True)
    norm = _norm(result)
    for r, ax in enumerate(np.atleast_1d(axs)):
        now = _rounds_panel(ax, result, r, len(result.trials), norm)
        scores = [t.score for t in now if t.ok]
        ax.set_title(f"round {r + 1}: median {np.median(scores):.2f}, best {max(scores):.2f}",
                     fontsize=9)
        if r:
            ax.set_ylabel("")
    if reported is not None:
        _box(np.atleast_1d(axs)[0], reported, lw=1.5, ls=":", color=plots.PALETTE["orange"])
    fig.colorbar(plt.cm.ScalarMappable(norm, CMAP), ax=axs, label="validation accuracy",
                 shrink=0.85)
    return fig


# ---- successive halving and Hyperband ----------------------------------------------------


def _staircase(ax, schedules, colors, labels, every=True):
    """Each schedule as a staircase (epochs per configuration, configurations), log-log.

    Every round is labelled "n×r" (with ``every`` False, only each schedule's first).
    """
    costs = []
    for schedule, colour, label in zip(schedules, colors, labels, strict=True):
        n, r = zip(*schedule, strict=True)
        ax.plot(r, n, "o-", color=colour, lw=1.4, ms=4, label=label)
        for ni, ri in schedule if every else schedule[:1]:
            ax.annotate(f"{ni}×{ri:g}", (ri, ni), textcoords="offset points", xytext=(4, 3),
                        fontsize=6.5, color=colour)
        costs.append(sum(ni * ri for ni, ri in schedule))
    return costs


def _halving_panel(ax, method, n_trials, max_budget, factor, legend=True):
    if method == "Hyperband":
        schedules = search.hyperband_schedule(max_budget, 1, factor)
        colours = [plots.PALETTE[c] for c in ("reddish purple", "blue", "bluish green",
                                              "orange", "sky blue", "wine", "black")]
        colours = (colours * len(schedules))[: len(schedules)]
        labels = [f"bracket {b + 1}" for b in range(len(schedules))]
    else:
        schedules = [search.halving_schedule(n_trials, 1, factor, max_budget)]
        colours, labels = [plots.color("halving", "search")], ["successive halving"]
    costs = _staircase(ax, schedules, colours, labels, every=len(schedules) == 1)
    total, top = sum(costs), max(r for s in schedules for _, r in s)
    tried = sum(s[0][0] for s in schedules)
    ax.plot([top], [total / top], "s", color=RANDOM["color"], ms=6,
            label=f"random search, same cost: {total / top:.3g} configurations")
    reach = np.array([0.7, max(top, max_budget) * 2.2])
    lines = {total} if len(schedules) > 1 else {total, schedules[0][0][0] * schedules[0][0][1]}
    for cost in lines:  # constant cost: a round of successive halving, the whole search
        ax.plot(reach, cost / reach, ":", color="0.6", lw=0.8)
    _log(ax, "x", "y")
    ax.set(xlabel="epochs per configuration",
           ylabel="configurations", xlim=(0.7, max(top, max_budget) * 2.2),
           ylim=(0.6, max(s[0][0] for s in schedules) * 2.2))
    ax.set_title(f"{method}: {tried} configurations, {total:g} epochs", fontsize=9)
    if legend:
        ax.legend(fontsize=6.5, loc="upper right", frameon=False)


def halving(method="successive halving", n_trials=81, max_budget=81, factor=3):
    r"""How many configurations get how many epochs, in successive halving or Hyperband.

    Each round is a point (epochs per configuration, configurations still in the race),
    labelled :math:`n_i \times r_i`; the dotted lines are constant cost
    :math:`n r`: every round of successive halving costs about the same.  Hyperband draws one
    staircase per bracket.  The square is random search at the largest budget with the same
    total cost.

    Parameters
    ----------
    method : {"successive halving", "Hyperband"}
    n_trials : int
        Configurations of successive halving's first round (Hyperband sets its own).
    max_budget : int
        The largest budget (successive halving stops before exceeding it).
    factor : int
        :math:`f`, 2 to 5.

    Returns
    -------
    matplotlib.figure.Figure
    """
    checks.one_of("method", method, ("successive halving", "Hyperband"))
    fig, ax = _figure(1, figsize=(6.4, 3.6))
    fig.subplots_adjust(left=0.11, right=0.97, bottom=0.14, top=0.92)
    _halving_panel(ax, method, checks.integer("n_trials", n_trials, 1),
                   checks.integer("max_budget", max_budget, 1), checks.integer(
                       "factor", factor, 2))
    return fig


def halving_controls(method="successive halving", n_trials=81, max_budget=81, factor=3):
    """Widgets for :func:`halving`; the number of configurations only for successive halving."""
    controls = {
        "method": ui.dropdown("method", ["successive halving", "Hyperband"], method),
        "n_trials": ui.int_slider("configurations at first", n_trials, 2, 243),
        "max_budget": ui.int_slider("largest budget (epochs)", max_budget, 1, 243),
        "factor": ui.int_slider("factor f", factor, 2, 5),
    }

    def enable(change):
        controls["n_trials"].disabled = change["new"] == "Hyperband"

    controls["method"].observe(enable, names="value")
    enable({"new": method})
    return controls


def halving_multiples(n_trials=81, max_budget=81, factors=(2, 3, 4), ncols=2):
    """Successive halving for several factors, then Hyperband with factor 3, in a grid."""
    panels = len(factors) + 1
    rows = math.ceil(panels / ncols)
    fig, axs = plt.subplots(rows, ncols, figsize=(3.8 * ncols, 3.0 * rows), sharex=True,
                            sharey=True, squeeze=False, FigureClass=plots.FastFigure,
                            layout="constrained")
    axs = axs.ravel()
    for ax, factor in zip(axs, factors, strict=False):
        _halving_panel(ax, "successive halving", n_trials, max_budget, factor, legend=False)
        ax.set_title(f"f = {factor}: {ax.get_title().split(': ')[1]}", fontsize=9)
    _halving_panel(axs[panels - 1], "Hyperband", n_trials, max_budget, 3, legend=False)
    axs[panels - 1].set_title(
        f"Hyperband, f = 3: {axs[panels - 1].get_title().split(': ')[1]}", fontsize=9)
    for i, ax in enumerate(axs):
        ax.set_visible(i < panels)
        if i % ncols:
            ax.set_ylabel("")
        if i // ncols < rows - 1:
            ax.set_xlabel("")
    return fig


def halving_run(result, highlight=2):
    """Every configuration of a successive-halving search: its score at each budget.

    A line follows a configuration from round to round until it is dropped; the ones that
    reached round ``highlight`` (counted from 0) are drawn in colour.
    """
    fig, ax = _figure(1, figsize=(6.4, 3.4), layout="constrained")
    finalists = {t.config for t in result.trials if t.round >= highlight}
    by_config = {}
    for t in result.trials:
        by_config.setdefault(t.config, []).append(t)
    for config, trials in by_config.items():
        colour = plots.color("halving", "search") if config in finalists else "0.65"
        ax.plot([t.budget for t in trials], [t.score for t in trials], "o-", ms=3,
                lw=1.2 if config in finalists else 0.6, color=colour,
                zorder=3 if config in finalists else 2)
    budgets = sorted({t.budget for t in result.trials})
    ax.set(xscale="log", xticks=budgets, xticklabels=[f"{b:g}" for b in budgets], ylim=(0, 1),
           xlabel="epochs (budget of the round)", ylabel="validation accuracy")
    ax.xaxis.set_minor_locator(plt.NullLocator())
    return fig


def budget_curves(curves):
    """The best validation accuracy so far against the epochs spent, for repeated searches.

    One panel per search method: its searches (thin) and their median (thick), with the other
    methods' medians dashed for reference; epochs on a log scale.

    Parameters
    ----------
    curves : dict[str, (ndarray of shape (n,), ndarray of shape (searches, n))]
        A key of ``plots.STYLES["search"]`` -> (epochs, best so far of every search).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axs = _figure(len(curves), figsize=(2.9 * len(curves), 2.9), layout="constrained",
                       sharex=True, sharey=True)
    for ax, (name, (x, values)) in zip(np.atleast_1d(axs), curves.items(), strict=True):
        for other, (x2, values2) in curves.items():
            if other != name:
                with warnings.catch_warnings():  # before a search's first trial: all NaN
                    warnings.simplefilter("ignore", RuntimeWarning)
                    median = np.nanmedian(values2, axis=0)
                ax.plot(x2, median, color=plots.color(other, "search"),
                        ls="--", lw=0.9, alpha=0.7, label=f"{plots.label(other, 'search')}")
        plots.runs(values, ax, x=x, **plots.style(name, "search"))
        ax.set_xscale("log")
        ax.set(title=plots.label(name, "search"), xlabel="epochs spent", ylim=(0, 1))
        ax.title.set_fontsize(9)
        ax.grid(True, alpha=0.3)
    np.atleast_1d(axs)[0].set_ylabel("best validation accuracy")
    np.atleast_1d(axs)[0].legend(fontsize=7, loc="lower right")
    return fig


EXPLORERS = {
    "optimism": (optimism, optimism_controls),
    "grid_vs_random": (grid_vs_random, grid_vs_random_controls),
    "narrowing": (narrowing, narrowing_controls),
    "halving": (halving, halving_controls),
}
