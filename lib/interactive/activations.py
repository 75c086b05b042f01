r"""Figures and explorers for the chapter on activations, vanishing and exploding gradients.

Explorers (each with its ``*_controls`` factory, listed in :data:`EXPLORERS`):

* :func:`gradient_flow` -- activation × depth × weight gain × identity skips: where the units
  sit on :math:`f'`, the mean :math:`f'` per layer, and every layer's weight gradient.
* :func:`dying` -- one network trained with Adam at a chosen learning rate: the dead units of
  each hidden layer epoch by epoch, and the loss.
* :func:`selu_flow` -- SELU's mean and variance layer after layer, predicted by the moment map
  and measured in a random network, from a starting point and a weight scale of your choice.
* :func:`clipping` -- the exploding network trained with and without clipping by norm at a
  chosen threshold: losses and gradient norms.

Static figures: :func:`gallery`, :func:`flow_grid`, :func:`training_flow`, :func:`dead_units`,
:func:`selu_layers`, :func:`clip_plane`, :func:`threshold_sweep`.  Everything they draw is
computed by :mod:`lib.diagnostics`, :mod:`lib.selu`, :mod:`lib.clipping` and
:mod:`lib.propagation`.
"""

import functools
import math

import matplotlib.pyplot as plt
import numpy as np

from lib import checks, plots, selu
from lib.activations import ACTIVATIONS
from lib.clipping import angle, clipping_run
from lib.datasets import load_digits
from lib.diagnostics import initial_flow, recorded_run
from lib.interactive import controls as ui
from lib.network import MultiLayerNet
from lib.optimizers import Adam
from lib.training import smooth

__all__ = [
    "EXPLORERS", "clip_plane", "clipping", "clipping_controls", "dead_units", "dying",
    "dying_controls", "flow_grid", "gallery", "gradient_flow", "gradient_flow_controls",
    "selu_flow", "selu_flow_controls", "selu_layers", "threshold_sweep", "training_flow",
]

_P = plots.PALETTE
#: Colours and line styles of the depths and epochs drawn as families of curves.
_SEQUENCE = [(_P["sky blue"], ":"), (_P["blue"], "--"), (_P["black"], "-"), (_P["wine"], "-.")]
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _fast(nrows, ncols, figsize, **kw):
    return plt.subplots(nrows, ncols, figsize=figsize, FigureClass=plots.FastFigure, **kw)


def gallery(names=None, saturated=0.05):
    """Every activation (top row) above its derivative (bottom row).

    Grey bands mark where the derivative is below ``saturated``: there the unit passes
    (almost) no gradient.  The largest derivative is marked on each lower panel.

    Parameters
    ----------
    names : list of str, optional
        Keys of :data:`lib.activations.ACTIVATIONS` (default: all).
    saturated : float, default 0.05

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = list(ACTIVATIONS) if names is None else names
    x = np.linspace(-5, 5, 801)
    fig, axs = plt.subplots(2, len(names), figsize=(1.9 * len(names), 3.9), sharex=True,
                            sharey="row", layout="constrained")
    axs = np.atleast_2d(axs.T).T
    for j, name in enumerate(names):
        act = ACTIVATIONS[checks.one_of("names", name, ACTIVATIONS)]
        y, dy = act.f(x), act.grad(x)
        kw = plots.style(name, "activation")
        axs[0, j].plot(x, y, lw=1.6, color=kw["color"])
        axs[1, j].plot(x, dy, lw=1.6, color=kw["color"], linestyle=kw["linestyle"])
        axs[0, j].set_title(kw["label"], fontsize=10)
        for ax in axs[:, j]:
            ax.fill_between(x, 0, 1, where=dy < saturated, color=_P["grey"], alpha=0.25,
                            transform=ax.get_xaxis_transform(), linewidth=0)
            ax.axhline(0, color="0.6", lw=0.6)
            ax.axvline(0, color="0.6", lw=0.6)
        k = int(np.argmax(dy))
        axs[1, j].plot(x[k], dy[k], "o", color=kw["color"], ms=4)
        axs[1, j].annotate(f"max {dy[k]:.3g}", (x[k], dy[k]), xytext=(4, 4),
                           textcoords="offset points", fontsize=7)
        axs[1, j].set_xlabel("input a")
    axs[0, 0].set(ylim=(-2.2, 5.2), ylabel="f(a)")
    axs[1, 0].set(ylim=(-0.1, 2.0), ylabel="f′(a)")
    return fig


def flow_grid(flows):
    """Weight-gradient norms at initialisation, layer by layer, by activation and depth.

    Parameters
    ----------
    flows : dict[(str, bool), dict[int, lib.diagnostics.Flow]]
        ``(activation, residual)`` -> depth -> its :class:`~lib.diagnostics.Flow`.  One row
        per activation, a column for plain networks and one for residual ones.

    Returns
    -------
    matplotlib.figure.Figure
        Every curve is divided by the last layer's norm, so all meet at 1 on the right.
    """
    acts = list(dict.fromkeys(a for a, _ in flows))
    cols = sorted({r for _, r in flows})
    fig, axs = plt.subplots(len(acts), len(cols), figsize=(3.6 * len(cols) + 0.6,
                            2.1 * len(acts) + 0.4), sharex=True, sharey=True, squeeze=False,
                            layout="constrained")
    for (act, res), by_depth in flows.items():
        ax = axs[acts.index(act), cols.index(res)]
        for k, (depth, flow) in enumerate(sorted(by_depth.items())):
            color, ls = _SEQUENCE[k % len(_SEQUENCE)]
            g = flow.grad_norms / flow.grad_norms[-1]
            ax.plot(np.arange(1, len(g) + 1), plots.for_log_axis(g), color=color, ls=ls,
                    lw=1.4, label=f"{depth} hidden layers")
        ax.set_yscale("log")
        ax.set_title(f"{plots.label(act, 'activation')}, "
                     f"{'residual' if res else 'plain'}", fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axs[-1]:
        ax.set_xlabel("weight matrix l (1 = next to the input)")
    for ax in axs[:, 0]:
        ax.set_ylabel("‖∂L/∂Wₗ‖ / last")
    axs[0, 0].legend(fontsize=7)
    return fig


def gradient_flow(activation="sigmoid", depth=10, gain=1.0, residual=False):
    r"""The explorer: how the gradient reaches each layer of a fresh digits network.

    Parameters
    ----------
    activation : str
        A name of :data:`lib.activations.ACTIVATIONS`.
    depth : int
        Hidden layers of 50 units, 1 to 30.
    gain : float
        The weights' standard deviation times :math:`\sqrt{n_\text{in}}` (1: LeCun's,
        1.41: He's).
    residual : bool
        Identity skips around the hidden layers (:class:`lib.residual.ResidualNet`).

    Returns
    -------
    matplotlib.figure.Figure
        Left: :math:`f'` with histograms of the first and last hidden layers' inputs.
        Middle: the mean :math:`f'` of every hidden layer.  Right: every weight matrix's
        gradient norm.
    """
    depth = checks.integer("depth", depth, 1, 30)
    flow = initial_flow(activation, depth, checks.positive("gain", gain), bool(residual))
    color = plots.color(activation, "activation")
    fig, (ax_f, ax_m, ax_g) = _fast(1, 3, (9.5, 3.3), gridspec_kw={"wspace": 0.45})
    fig.subplots_adjust(left=0.07, right=0.98, top=0.84, bottom=0.17)

    x = np.linspace(-6, 6, 241)
    top = float(ACTIVATIONS[activation].grad(x).max())
    for l, shade in ((0, 0.35), (depth - 1, 0.75)):
        a = flow.preactivations[l].ravel()
        counts, edges = np.histogram(a[np.isfinite(a)], bins=40, range=(-6, 6))
        if counts.max() > 0:
            ax_f.stairs(top * counts / counts.max(), edges, fill=True, color=str(shade),
                        alpha=0.5, label=f"inputs of layer {l + 1}")
    ax_f.plot(x, ACTIVATIONS[activation].grad(x), color=color, lw=1.8, label="f′(a)")
    ax_f.set(xlabel="input a", ylim=(0, 1.08 * top), title="where the units sit")
    ax_f.legend(fontsize=7, loc="upper left")

    layers = np.arange(1, depth + 1)
    ax_m.plot(layers, flow.derivative_means, "o-" if depth <= 15 else "-", color=color, ms=3)
    ax_m.axhline(top, color="0.5", ls=":", lw=0.9)
    ax_m.set(xlabel="hidden layer l", ylim=(0, 1.1 * max(top, 1e-3)), title="mean f′(aₗ)")

    g = plots.for_log_axis(flow.grad_norms)
    ax_g.plot(np.arange(1, depth + 2), g, "o-" if depth <= 15 else "-", color=color, ms=3)
    plots.fast_log_scale(ax_g)
    plots.log_ylim(ax_g, g)
    ax_g.set(xlabel="weight matrix l", title="‖∂L/∂Wₗ‖")
    ratio = flow.grad_norms[0] / flow.grad_norms[-1]
    note = f"first / last = {ratio:.1e}" if np.isfinite(ratio) and ratio > 0 else "overflow"
    ax_g.text(0.03, 0.04, note, transform=ax_g.transAxes, fontsize=8)
    plots.few_ticks(ax_f.xaxis, ax_f.yaxis, ax_m.xaxis, ax_m.yaxis, ax_g.xaxis, n=3)
    fig.suptitle(f"{plots.label(activation, 'activation')}, {depth} hidden layers, "
                 f"gain {gain:.2f}{', residual' if residual else ''}", fontsize=10)
    return fig


def gradient_flow_controls(activation="sigmoid", depth=10, gain=1.0, residual=False):
    """The widgets of :func:`gradient_flow`, keyed by its argument names."""
    import ipywidgets

    return {
        "activation": ui.dropdown("activation", list(ACTIVATIONS), activation),
        "depth": ui.int_slider("hidden layers", depth, 1, 30),
        "gain": ui.log_slider("weight gain (1 LeCun, 1.41 He)", gain, 0.25, 4.0),
        "residual": ipywidgets.Checkbox(value=residual, description="identity skips",
                                        style=ui.STYLE),
    }


def training_flow(recorders, epochs=None):
    """Per-layer gradient norms and weight changes during training, one column per network.

    Parameters
    ----------
    recorders : dict[str, lib.diagnostics.Recorder]
        Network name (a key of ``STYLES["network"]``) -> the recorder of one training run.
    epochs : list of int, optional
        The epochs drawn (1-based); default the first, a middle one and the last.

    Returns
    -------
    matplotlib.figure.Figure
        Top: the gradient norm of every weight matrix, averaged over an epoch's iterations.
        Bottom: how much every weight matrix moved in that epoch, relative to its size.
    """
    names = list(recorders)
    fig, axs = plt.subplots(2, len(names), figsize=(2.5 * len(names) + 0.6, 5.0), sharex=True,
                            sharey="row", squeeze=False, layout="constrained")
    for j, name in enumerate(names):
        rec = recorders[name]
        n_epochs = rec.weight_change.shape[0]
        per_epoch = rec.grad_norms.reshape(n_epochs, -1, len(rec.keys)).mean(axis=1)
        shown = epochs or sorted({1, (n_epochs + 1) // 2, n_epochs})
        layers = np.arange(1, len(rec.keys) + 1)
        for k, e in enumerate(shown):
            color, ls = _SEQUENCE[k % len(_SEQUENCE)]
            axs[0, j].plot(layers, plots.for_log_axis(per_epoch[e - 1]), color=color, ls=ls,
                           lw=1.3, label=f"epoch {e}")
            axs[1, j].plot(layers, plots.for_log_axis(rec.weight_change[e - 1]), color=color,
                           ls=ls, lw=1.3, label=f"epoch {e}")
        frozen = np.flatnonzero(np.all(rec.weight_change == 0, axis=0))
        if frozen.size:
            last = str(frozen.max() + 1).translate(_SUBSCRIPT)
            axs[1, j].text(0.04, 0.95, f"W₁ to W{last}: not moved at all",
                           transform=axs[1, j].transAxes, fontsize=8, va="top")
        axs[0, j].set_title(plots.label(name, "network"), fontsize=10,
                            color=plots.color(name, "network"))
        axs[1, j].set_xlabel("weight matrix l")
        for ax in axs[:, j]:
            ax.set_yscale("log")
            ax.grid(alpha=0.3)
    axs[0, 0].set_ylabel("mean ‖∂L/∂Wₗ‖ in the epoch")
    axs[1, 0].set_ylabel("‖ΔWₗ‖ / ‖Wₗ‖ in the epoch")
    axs[0, 0].legend(fontsize=7)
    return fig


def dead_units(dead, titles=None):
    """The share of dead units epoch by epoch: one panel per setting, one colour per activation.

    Parameters
    ----------
    dead : dict[str, dict[str, array_like of shape (seeds, epochs + 1)]]
        Setting (e.g. a learning rate's description) -> activation -> every seed's share of
        dead units (averaged over the hidden layers) before training and after every epoch.
    titles : list of str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, axs = plt.subplots(1, len(dead), figsize=(4.2 * len(dead), 3.2), sharey=True,
                            squeeze=False, layout="constrained")
    top = max(float(np.max(v)) for by_act in dead.values() for v in by_act.values())
    for ax, (setting, by_act) in zip(axs[0], dead.items(), strict=True):
        for act, values in by_act.items():
            plots.runs(np.asarray(values), ax, **plots.style(act, "activation"))
        ax.set(title=setting, xlabel="epoch", ylim=(0, 1.05 * top))
        ax.grid(alpha=0.3)
    axs[0, 0].set_ylabel("share of units ≤ 0 on every image")
    axs[0, 0].legend(fontsize=8, loc="upper left")
    return fig


#: The network of :func:`dying`: the one the chapter's experiment trains.
DYING_SIZES = (64, 100, 100, 100, 10)


def dying(activation="relu", lr=0.03, epochs=3, seed=0):
    r"""The explorer: train one network with Adam and count its dead units after every epoch.

    Parameters
    ----------
    activation : str
        A name of :data:`lib.activations.ACTIVATIONS`.
    lr : float
        Adam's learning rate.
    epochs : int
    seed : int

    Returns
    -------
    matplotlib.figure.Figure
        Left: every hidden layer's share of units that are :math:`\le 0` on every training
        image.  Right: the training loss (or where it diverged).
    """
    data = load_digits()
    net = MultiLayerNet(list(DYING_SIZES), activation=activation, seed=seed)
    history, rec = recorded_run(net, Adam(lr=checks.positive("lr", lr)), data, x=data[0][0],
                                epochs=epochs, seed=seed, evaluate=False)
    fig, (ax_d, ax_l) = _fast(1, 2, (8.5, 3.2), gridspec_kw={"wspace": 0.3})
    fig.subplots_adjust(left=0.08, right=0.98, top=0.85, bottom=0.17)
    for l, (color, ls) in enumerate(_SEQUENCE[: rec.dead.shape[1]]):
        ax_d.plot(rec.dead[:, l], marker="o", color=color, ls=ls, ms=3,
                  label=f"hidden layer {l + 1}")
    ax_d.set(xlabel="epoch (0 = before training)", ylim=(0, 1), title="dead units")
    ax_d.xaxis.set_major_locator(plt.MaxNLocator(epochs + 1, integer=True))
    plots.few_ticks(ax_d.yaxis, ax_l.xaxis, n=4)
    ax_d.legend(fontsize=7)
    loss = plots.for_log_axis(smooth(history.loss, 10))
    ax_l.plot(loss, color=plots.color(activation, "activation"))
    plots.fast_log_scale(ax_l)
    plots.log_ylim(ax_l, loss)
    ax_l.set(xlabel="iteration", title="training loss (smoothed)")
    if history.diverged:
        ax_l.text(0.5, 0.5, f"diverged at step {history.diverged_at}", transform=ax_l.transAxes,
                  ha="center", color=_P["vermillion"])
    fig.suptitle(f"{plots.label(activation, 'activation')}, Adam, learning rate {lr:.3g}",
                 fontsize=10)
    return fig


def dying_controls(activation="relu", lr=0.03):
    """The widgets of :func:`dying`, keyed by its argument names."""
    return {"activation": ui.dropdown("activation", list(ACTIVATIONS), activation),
            "lr": ui.log_slider("learning rate η", lr, 1e-4, 0.3)}


def selu_flow(tau=1.0, mean=1.0, var=3.0, depth=30):
    r"""The explorer: SELU's mean and variance through the layers, predicted and measured.

    Parameters
    ----------
    tau : float
        :math:`\tau = n\operatorname{Var}(W)` (1: LeCun's weights).
    mean, var : float
        The input's mean and variance.
    depth : int

    Returns
    -------
    matplotlib.figure.Figure
        Left: the path in the :math:`(\mu, \nu)` plane, predicted by
        :func:`lib.selu.network_map` (dashed) and measured in a random network of width 100
        (solid), with the map's pull drawn as arrows.  Middle and right: :math:`\nu_l` and
        :math:`\mu_l` against the layer.
    """
    tau, var = checks.positive("tau", tau), checks.positive("var", var)
    predicted = selu.iterate(checks.number("mean", mean), var, depth, network=True, tau=tau)
    measured = selu.measured(mean, var, depth, tau=tau, n_samples=100)
    fig, (ax_p, ax_v, ax_m) = _fast(1, 3, (10, 3.3), gridspec_kw={"wspace": 0.35})
    fig.subplots_adjust(left=0.06, right=0.98, top=0.86, bottom=0.17)
    mus, nus = np.linspace(-2, 2, 9), np.geomspace(0.1, 10, 9)
    M, N = np.meshgrid(mus, nus)
    step = np.array([selu.network_map(m, n, tau=tau) for m, n in zip(M.ravel(), N.ravel(),
                                                                       strict=True)])
    ax_p.quiver(M, np.log10(N), step[:, 0].reshape(M.shape) - M,
                np.log10(np.maximum(step[:, 1], 1e-12)).reshape(M.shape) - np.log10(N),
                color="0.7", angles="xy", scale_units="xy", scale=1.6, width=0.006)
    for path, ls, label in ((predicted, "--", "map"), (measured, "-", "network")):
        ok = np.isfinite(path).all(axis=1) & (path[:, 1] > 0)
        ax_p.plot(path[ok, 0], np.log10(path[ok, 1]), ls, marker="o", ms=2.5, lw=1.2,
                  color=plots.color("selu", "activation") if ls == "-" else "black", label=label)
    ax_p.plot([0], [0], "*", color=_P["orange"], ms=12, label="(0, 1)")
    ax_p.set(xlim=(-2.2, 2.2), ylim=(-1.1, 1.1), xlabel="mean μ", ylabel="log₁₀ variance ν",
             title="layer by layer")
    ax_p.legend(fontsize=7, loc="lower left")
    layers = np.arange(depth + 1)
    for ax, col, title in ((ax_v, 1, "variance νₗ"), (ax_m, 0, "mean μₗ")):
        for path, ls in ((predicted, "--"), (measured, "-")):
            values = path[:, col]
            ax.plot(layers, plots.for_log_axis(values) if col else values, ls, lw=1.3,
                    color="black" if ls == "--" else plots.color("selu", "activation"))
        ax.axhline(col, color=_P["orange"], lw=0.8, ls=":")
        ax.set(xlabel="layer l", title=title)
    plots.fast_log_scale(ax_v)
    plots.log_ylim(ax_v, predicted[:, 1], measured[:, 1], decades=1.0)
    plots.few_ticks(ax_p.xaxis, ax_p.yaxis, ax_v.xaxis, ax_m.xaxis, ax_m.yaxis, n=4)
    finite = np.concatenate([predicted[:, 0], measured[:, 0]])
    finite = finite[np.isfinite(finite)]
    ax_m.set_ylim(min(-1.0, finite.min(initial=0) - 0.1), max(1.0, finite.max(initial=0) + 0.1))
    fig.suptitle(f"SELU, weights with n·Var(W) = {tau:.2f}, input mean {mean:.2f} and "
                 f"variance {var:.2f}", fontsize=10)
    return fig


def selu_flow_controls(tau=1.0, mean=1.0, var=3.0):
    """The widgets of :func:`selu_flow`, keyed by its argument names."""
    return {"tau": ui.float_slider("n·Var(W)", tau, 0.5, 2.0, 0.05),
            "mean": ui.float_slider("input mean", mean, -2.0, 2.0, 0.1),
            "var": ui.log_slider("input variance", var, 0.1, 10.0)}


def selu_layers(runs, mean_limits=(-1.0, 1.5)):
    """Mean and standard deviation of many layers: measured (solid) against predicted (dashed).

    Parameters
    ----------
    runs : dict[str, (ndarray of shape (L + 1, 2), ndarray of shape (L + 1, 2))]
        Label -> (measured, predicted) rows of (mean, variance), row 0 the input.
    mean_limits : (float, float)
        The range of the means drawn; a run that leaves it is marked where it does.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax_s, ax_m) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
    for k, (label, (measured, predicted)) in enumerate(runs.items()):
        color = [_P["wine"], _P["blue"], _P["bluish green"], _P["vermillion"]][k % 4]
        layers = np.arange(len(measured))
        ax_s.plot(layers, plots.for_log_axis(np.sqrt(measured[:, 1])), color=color, lw=1.4,
                  label=label)
        ax_s.plot(layers, plots.for_log_axis(np.sqrt(predicted[:, 1])), color=color, lw=1,
                  ls="--")
        ax_m.plot(layers, measured[:, 0], color=color, lw=1.4)
        ax_m.plot(layers, predicted[:, 0], color=color, lw=1, ls="--")
        out = np.flatnonzero(measured[:, 0] > mean_limits[1])
        if out.size:
            ax_m.annotate(f"{label}: off the chart from layer {out[0]}", (out[0], mean_limits[1]),
                          xytext=(4, -12), textcoords="offset points", fontsize=7, color=color)
    ax_s.set_yscale("log")
    ax_s.set(xlabel="layer l", ylabel="std of the activations", title="spread")
    ax_m.set(xlabel="layer l", ylabel="mean of the activations", title="mean",
             ylim=mean_limits)
    for ax, target in ((ax_s, 1.0), (ax_m, 0.0)):
        ax.axhline(target, color="0.5", ls=":", lw=0.9)
        ax.grid(alpha=0.3)
    ax_s.legend(fontsize=8)
    return fig


def clip_plane(gradients, threshold=1.0):
    """Clipping by norm against clipping by value, for a few gradients in the plane.

    Parameters
    ----------
    gradients : list of (g, by_norm, by_value)
        Each a 2-vector: the gradient and its two clipped versions (from
        :func:`lib.clipping.clip`).
    threshold : float
        The threshold :math:`c` they were clipped with: the circle of radius :math:`c` and
        the square :math:`[-c, c]^2` are drawn.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel's title gives the angle by which each kind turned the gradient.
    """
    fig, axs = plt.subplots(1, len(gradients), figsize=(3.1 * len(gradients), 3.4),
                            squeeze=False, layout="constrained")
    c = threshold
    for ax, (g, by_norm, by_value) in zip(axs[0], gradients, strict=True):
        reach = 1.25 * max(float(np.abs(g).max()), c)
        ax.add_patch(plt.Circle((0, 0), c, fill=False, color=plots.color("norm", "clipping"),
                                ls=":", lw=1))
        ax.add_patch(plt.Rectangle((-c, -c), 2 * c, 2 * c, fill=False, ls=":", lw=1,
                                   color=plots.color("value", "clipping")))
        arrows = ((g, "black", 3.2, "gradient g"),
                  (by_value, plots.color("value", "clipping"), 1.8, "by value"),
                  (by_norm, plots.color("norm", "clipping"), 1.4, "by norm"))
        for v, color, width, label in arrows:
            ax.annotate("", xy=v, xytext=(0, 0), arrowprops={
                "arrowstyle": "-|>", "color": color, "lw": width,
                "alpha": 0.35 if label == "gradient g" else 1.0})
            ax.plot([], [], color=color, lw=width, label=label,
                    alpha=0.35 if label == "gradient g" else 1.0)
        turned = [angle(g, v) for v in (by_norm, by_value)]
        ax.set_title(f"g = ({g[0]:g}, {g[1]:g}): turned {turned[0]:.0f}° by norm,\n"
                     f"{turned[1]:.0f}° by value", fontsize=9)
        ax.set(xlim=(-reach, reach), ylim=(-reach, reach), aspect="equal")
        ax.axhline(0, color="0.8", lw=0.6)
        ax.axvline(0, color="0.8", lw=0.6)
    axs[0, 0].legend(fontsize=7, loc="lower left")
    return fig


def threshold_sweep(final, chance=None):
    r"""Final training loss against the clipping threshold, every seed a dot.

    Parameters
    ----------
    final : dict[float or None, array_like of shape (seeds,)]
        Threshold (None: no clipping) -> every seed's final loss (inf where it diverged).
    chance : float, optional
        The loss of a network that gives every class the same probability (default
        :math:`\ln 10`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    chance = math.log(10) if chance is None else chance
    fig, ax = plt.subplots(figsize=(6.5, 3.2), layout="constrained")
    thresholds = sorted(t for t in final if t is not None)
    for t in thresholds:
        values = np.asarray(final[t], dtype=float)
        ok = np.isfinite(values)
        ax.plot(np.full(ok.sum(), t), values[ok], "o", color=plots.color("norm", "clipping"),
                ms=4, alpha=0.7)
        if (~ok).any():
            ax.text(t, chance * 1.35, f"{(~ok).sum()} diverged", ha="center", fontsize=7)
    medians = [np.median(final[t]) for t in thresholds]
    ax.plot(thresholds, plots.for_log_axis(medians), color=plots.color("norm", "clipping"),
            lw=1.2, label="median of the seeds")
    if None in final:
        ax.text(0.99, 0.95, f"no clipping: {np.sum(~np.isfinite(final[None]))} of "
                f"{len(final[None])} runs diverged", transform=ax.transAxes, ha="right",
                va="top", fontsize=8, color=plots.color("none", "clipping"))
    ax.axhline(chance, color="0.4", ls=":", lw=0.9, label="chance: ln 10")
    ax.set(xscale="log", yscale="log", xlabel="clipping threshold c (global norm)",
           ylabel="final training loss")
    ax.legend(fontsize=8, loc="upper center")
    return fig


@functools.lru_cache(maxsize=16)
def _run(threshold, lr, iterations):
    """One short run of the exploding network (cached: the unclipped run never changes)."""
    history, recorder = clipping_run(threshold, lr=lr, max_iterations=iterations)
    return history.loss, history.diverged_at, recorder.global_norms


def clipping(threshold=10.0, lr=0.05, iterations=45):
    """The explorer: the exploding network with and without clipping by norm.

    Parameters
    ----------
    threshold : float
        :math:`c`, the largest global gradient norm allowed.
    lr : float
        SGD's learning rate.
    iterations : int

    Returns
    -------
    matplotlib.figure.Figure
        Left: the training loss with and without clipping.  Right: the gradient norm before
        clipping, with the threshold.
    """
    threshold, lr = checks.positive("threshold", threshold), checks.positive("lr", lr)
    fig, (ax_l, ax_g) = _fast(1, 2, (9, 3.3), gridspec_kw={"wspace": 0.3})
    fig.subplots_adjust(left=0.08, right=0.98, top=0.86, bottom=0.17)
    for c, name in ((None, "none"), (threshold, "norm")):
        loss, diverged_at, norms = _run(c, lr, iterations)
        kw = plots.style(name, "clipping")
        ax_l.plot(plots.for_log_axis(loss), **kw)
        ax_g.plot(plots.for_log_axis(norms), **kw)
        if diverged_at is not None:
            last = np.flatnonzero(np.isfinite(loss) & (loss > 0))
            y = loss[last[-1]] if last.size else 1.0
            ax_l.plot(diverged_at, min(y, plots.LOG_LIMITS[1]), "x", color=kw["color"], ms=9)
            ax_l.annotate(f"{kw['label']}: diverged at step {diverged_at}", (0.35, 0.88),
                          xycoords="axes fraction", fontsize=8, color=kw["color"])
    ax_g.axhline(threshold, color="black", lw=0.8, ls=":", label=f"threshold c = {threshold:.3g}")
    for ax, title in ((ax_l, "training loss"), (ax_g, "gradient norm before clipping")):
        plots.fast_log_scale(ax)
        ax.set(xlabel="iteration", title=title, xlim=(-1, iterations))
    ax_g.set_ylim(0.1, 1e12)
    plots.few_ticks(ax_l.xaxis, ax_g.xaxis, n=4)
    loss_values = [_run(c, lr, iterations)[0] for c in (None, threshold)]
    plots.log_ylim(ax_l, *[np.minimum(v, 1e6) for v in loss_values])
    ax_g.legend(fontsize=7, loc="upper right")
    fig.suptitle(f"10 ReLU layers, He's weights × 1.5, SGD with learning rate {lr:.3g}",
                 fontsize=10)
    return fig


def clipping_controls(threshold=10.0, lr=0.05):
    """The widgets of :func:`clipping`, keyed by its argument names."""
    return {"threshold": ui.log_slider("threshold c", threshold, 0.1, 3000.0),
            "lr": ui.log_slider("learning rate η", lr, 0.005, 0.5)}


#: The chapter's explorers: name -> (the function a widget redraws, its controls' factory).
EXPLORERS = {
    "gradient_flow": (gradient_flow, gradient_flow_controls),
    "dying": (dying, dying_controls),
    "selu_flow": (selu_flow, selu_flow_controls),
    "clipping": (clipping, clipping_controls),
}
