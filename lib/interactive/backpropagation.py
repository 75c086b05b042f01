r"""Figures and explorers of the chapter on backpropagation.

Every number drawn here is computed by the maths modules: the computational graph by
:mod:`lib.graph`, the step-size curves of the gradient check by :mod:`lib.gradcheck`.

Explorers, each with its controls' factory:

* :func:`graph` (:func:`graph_controls`) -- the graph of one sigmoid unit and its squared
  error, :func:`lib.graph.neuron`, with every node's forward value, every edge's local
  derivative and every node's gradient :math:`\partial L/\partial\,\text{node}`.
* :func:`step_size` (:func:`step_size_controls`) -- the relative error of a gradient check
  against the step :math:`h`, in float64 and float32: the U of truncation against rounding.

Fixed figures for readers of the HTML page: :func:`backward_animation` (the backward pass,
one node per frame), :func:`step_size_grid` (the step-size curves of three layers),
:func:`network_figure` (the worked example's network with its numbers), :func:`cost_figure`
(backpropagation against central differences, timed).
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation
from matplotlib.patches import FancyBboxPatch

from lib import checks, plots
from lib.gradcheck import layer_step_size_errors
from lib.graph import neuron
from lib.interactive import controls as ui
from lib.layers import ReLU, Sigmoid, Tanh

__all__ = [
    "EXPLORERS",
    "STEPS",
    "backward_animation",
    "cost_figure",
    "draw_graph",
    "graph",
    "graph_controls",
    "network_figure",
    "probe_input",
    "step_size",
    "step_size_controls",
    "step_size_grid",
]

_P = plots.PALETTE
FORWARD, BACKWARD, LOCAL = _P["black"], _P["vermillion"], _P["blue"]

# ---- the computational graph ------------------------------------------------------------------

#: Where each node of :func:`lib.graph.neuron` is drawn: (column, row).
POSITIONS = {
    "x1": (0, 3.6), "w1": (0, 2.5), "x2": (0, 1.1), "w2": (0, 0.0),
    "w1x1": (1, 3.05), "w2x2": (1, 0.55), "s": (2, 1.8), "b": (2, 0.1), "z": (3, 1.1),
    "y": (4, 1.1), "e": (5, 1.1), "e2": (6, 1.1), "L": (7, 1.1),
}
_BOX_W, _BOX_H = 0.72, 0.95


#: What the operation nodes are called on the figure (leaves show their label).
TITLES = {"w1x1": "×", "w2x2": "×", "s": "+", "z": "z = s + b", "y": "y = σ(z)",
          "e": "e = y − t", "e2": "e²", "L": "L = ½ e²"}


def _node_title(key, node):
    """What a node is called on the figure: the name of its quantity, or its operation."""
    return TITLES.get(key, node.name)


def draw_graph(nodes, ax=None, grads=True, highlight=None):
    """Draw the graph of :func:`lib.graph.neuron` with its numbers on ``ax``.

    Parameters
    ----------
    nodes : dict of str to Node
        As returned by :func:`lib.graph.neuron` (after ``nodes["L"].backward()`` for the
        gradients).
    ax : Axes, optional
    grads : bool or collection of str
        Which nodes show their gradient: all (True), none (False) or the keys given.
    highlight : str, optional
        A node drawn with a thick orange frame (the one a backward step is at).

    Returns
    -------
    dict of str to Text
        The gradient label of every node (hidden where ``grads`` leaves it out), so that an
        animation can reveal them one by one.
    """
    ax = plots.axes(ax, figsize=(10, 3.6))
    by_id = {id(n): key for key, n in nodes.items()}
    shown = set(nodes) if grads is True else set() if grads is False else set(grads)
    for key, node in nodes.items():  # edges first, under the boxes
        x1, y1 = POSITIONS[key]
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            x0, y0 = POSITIONS[by_id[id(parent)]]
            ax.annotate("", (x1 - _BOX_W / 2, y1), (x0 + _BOX_W / 2, y0),
                        arrowprops={"arrowstyle": "-|>", "color": "0.55", "lw": 0.9,
                                    "shrinkA": 0, "shrinkB": 0})
            mx, my = x0 + _BOX_W / 2 + 0.45 * (x1 - x0 - _BOX_W), y0 + 0.45 * (y1 - y0)
            ax.text(mx, my + 0.12, f"{local:.3g}", color=LOCAL, fontsize=7.5, ha="center",
                    va="bottom", style="italic",
                    bbox={"fc": "white", "ec": "none", "pad": 0.5, "alpha": 0.85})
    texts = {}
    for key, node in nodes.items():
        x, y = POSITIONS[key]
        leaf = not node.parents
        edge = _P["orange"] if key == highlight else "0.3"
        ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                    boxstyle="round,pad=0.02,rounding_size=0.08",
                                    fc="#F2F2F2" if leaf else "white", ec=edge,
                                    lw=2.4 if key == highlight else 0.9))
        ax.text(x, y + 0.27, _node_title(key, node), ha="center", va="center", fontsize=9,
                weight="bold")
        ax.text(x, y + 0.02, f"{node.value:.3g}", ha="center", va="center", fontsize=9,
                color=FORWARD)
        texts[key] = ax.text(x, y - 0.26, f"∂L {node.grad:.3g}", ha="center", va="center",
                             fontsize=8.5, color=BACKWARD, visible=key in shown)
    ax.set_xlim(-0.5, 7.5)
    ax.set_ylim(-0.75, 4.2)
    ax.set_axis_off()
    return texts


def _legend(fig, grads=True):
    text = ("black: the value in the forward pass;   blue, on the edges: the local derivative "
            "∂(node)/∂(input)")
    if grads:
        text += (";\nred: the gradient ∂L/∂(node), the sum over the node's outgoing edges of "
                 "local derivative × the gradient at the edge's end")
    fig.text(0.01, 0.015, text, fontsize=7.5, color="0.25", va="bottom")


def graph(x1=1.0, w1=0.6, x2=2.0, w2=-0.4, b=0.1, t=1.0, show="forward and backward"):
    r"""The graph explorer: one sigmoid unit and its squared error, every number on it.

    Parameters
    ----------
    x1, w1, x2, w2, b, t : float
        As :func:`lib.graph.neuron`: :math:`L = \frac12(\sigma(w_1x_1 + w_2x_2 + b) - t)^2`.
    show : {"forward pass", "forward and backward"}
        Whether the gradients are drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    show = checks.one_of("show", show, ("forward pass", "forward and backward"))
    nodes = neuron(x1, w1, x2, w2, b, t)
    nodes["L"].backward()
    fig, ax = plt.subplots(figsize=(10, 3.7), FigureClass=plots.FastFigure)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.1)
    backward = show == "forward and backward"
    draw_graph(nodes, ax, grads=backward)
    title = f"L = ½(σ(w₁x₁ + w₂x₂ + b) − t)² = {nodes['L'].value:.4g}"
    if backward:
        title += (f";   ∂L/∂w₁ = {nodes['w1'].grad:.4g},  ∂L/∂w₂ = {nodes['w2'].grad:.4g},"
                  f"  ∂L/∂b = {nodes['b'].grad:.4g}")
    ax.set_title(title, fontsize=10)
    _legend(fig, backward)
    return fig


def graph_controls(x1=1.0, w1=0.6, x2=2.0, w2=-0.4, b=0.1, t=1.0):
    """The graph explorer's widgets, keyed by :func:`graph`'s argument names."""
    sliders = {name: ui.float_slider(label, value, -3.0, 3.0, 0.1)
               for name, label, value in [("x1", "x₁", x1), ("w1", "w₁", w1), ("x2", "x₂", x2),
                                          ("w2", "w₂", w2), ("b", "b", b)]}
    sliders["t"] = ui.float_slider("target t", t, 0.0, 1.0, 0.05)
    sliders["show"] = ui.dropdown("show", ["forward pass", "forward and backward"],
                                  "forward and backward")
    return sliders


def backward_animation(x1=1.0, w1=0.6, x2=2.0, w2=-0.4, b=0.1, t=1.0, dpi=72):
    """The backward pass of :func:`lib.graph.neuron`, one node per frame, as an HTML player.

    Frame 0 shows the forward pass; frame k adds the gradient of the k-th node in the order
    :meth:`lib.graph.Node.backward` completes them (``L`` first, the leaves last), framed in
    orange.  Returns the ``IPython.display.HTML`` of :func:`lib.plots.animation_html`.
    """
    nodes = neuron(x1, w1, x2, w2, b, t)
    order = nodes["L"].backward()
    key_of = {id(n): key for key, n in nodes.items()}
    keys = [key_of[id(n)] for n in order]
    fig, ax = plt.subplots(figsize=(10, 3.7), dpi=dpi)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.1)
    _legend(fig)
    title = ax.set_title("", fontsize=10)

    def frame(k):
        ax.clear()
        done = keys[:k]
        draw_graph(nodes, ax, grads=done, highlight=done[-1] if done else None)
        if k == 0:
            text = "the forward pass: every node's value, every edge's local derivative"
        else:
            node = nodes[keys[k - 1]]
            text = (f"step {k} of {len(keys)}: ∂L/∂{node.name} = {node.grad:.4g}"
                    + ("   (the start: ∂L/∂L = 1)" if k == 1 else ""))
        ax.set_title(text, fontsize=10)
        return [title]

    anim = animation.FuncAnimation(fig, frame, frames=len(keys) + 1, interval=900, blit=False)
    return plots.animation_html(anim, default_mode="once")


# ---- the worked example -----------------------------------------------------------------------


def network_figure(values, figsize=(9.5, 4.2)):
    r"""The 2-2-2 sigmoid network of the worked example with its numbers.

    Parameters
    ----------
    values : dict
        ``"x"`` (2,), ``"h"`` (2,), ``"o"`` (2,), ``"t"`` (2,): inputs, hidden and output
        values, targets; ``"delta_h"`` (2,), ``"delta_o"`` (2,): :math:`\partial E/\partial z`
        of the hidden and output units; ``"W1"``, ``"W2"`` (2, 2): the weights before the
        update, ``"W1_new"``, ``"W2_new"`` (2, 2): after it (``W[i, j]`` joins unit ``i`` of
        one layer to unit ``j`` of the next, so :math:`w_1, w_2, w_3, w_4` are
        ``W1[0, 0], W1[1, 0], W1[0, 1], W1[1, 1]``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    v = {key: np.asarray(values[key], dtype=float) for key in
         ("x", "h", "o", "t", "delta_h", "delta_o", "W1", "W2", "W1_new", "W2_new")}
    fig, ax = plt.subplots(figsize=figsize)
    ys = (1.0, 0.0)
    for layer, (W, W_new, first) in enumerate([(v["W1"], v["W1_new"], 1),
                                              (v["W2"], v["W2_new"], 5)]):
        for i in range(2):
            for j in range(2):
                x0, x1 = 3.0 * layer + 0.45, 3.0 * (layer + 1) - 0.45
                ax.annotate("", (x1, ys[j]), (x0, ys[i]),
                            arrowprops={"arrowstyle": "-|>", "color": "0.6", "lw": 0.9})
                k = first + 2 * j + i  # w1 = W1[0, 0], w2 = W1[1, 0], w3 = W1[0, 1], ...
                frac = 0.3 if i == j else (0.22 if i == 0 else 0.7)
                px, py = x0 + frac * (x1 - x0), ys[i] + frac * (ys[j] - ys[i])
                ax.text(px, py + 0.07, f"w{k}: {W[i, j]:.2f} → {W_new[i, j]:.5f}", fontsize=8,
                        ha="center", va="bottom", color=LOCAL,
                        bbox={"fc": "white", "ec": "none", "pad": 0.4, "alpha": 0.9})
    for i in range(2):
        for col, text in enumerate([
            f"x{i + 1} = {v['x'][i]:.2f}",
            f"h{i + 1} = {v['h'][i]:.5f}\nδ = {v['delta_h'][i]:.5f}",
            f"o{i + 1} = {v['o'][i]:.5f}\nδ = {v['delta_o'][i]:.5f}\ntarget {v['t'][i]:.2f}",
        ]):
            ax.add_patch(plt.Circle((3.0 * col, ys[i]), 0.42, fc="white", ec="0.3", lw=1.0))
            ax.text(3.0 * col, ys[i], text, ha="center", va="center", fontsize=8,
                    color=FORWARD)
    ax.set_xlim(-0.6, 6.6)
    ax.set_ylim(-0.55, 1.55)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title("δ = ∂E/∂z of the unit (its input before the sigmoid); on the edges: "
                 "weight before → after one step", fontsize=9)
    fig.tight_layout()
    return fig


# ---- the step size of a gradient check --------------------------------------------------------

#: The steps h of the curves: half decades from 10⁻¹² to 10⁻¹.
STEPS = np.logspace(-12, -1, 23)
#: The layers whose input gradient the step-size explorer checks.
LAYERS = {"tanh": Tanh, "sigmoid": Sigmoid, "relu": ReLU}
DTYPES = ("float64", "float32")
_DTYPE_STYLE = {"float64": {"color": _P["blue"], "marker": "o"},
                "float32": {"color": _P["orange"], "marker": "s"}}


def probe_input(seed=0):
    """The input the layers are checked at: (6, 5) standard normal numbers.

    Drawn from ``seed + 1``, so that it differs from the random upstream gradient that
    :func:`lib.gradcheck.layer_step_size_errors` draws from ``seed``.
    """
    return np.random.default_rng(seed + 1).standard_normal((6, 5))


def step_size_panel(activation, ax=None, h=None, dtype=None, seed=0):
    """Relative error of the gradient check of one layer against the step, both dtypes.

    Parameters
    ----------
    activation : {"tanh", "sigmoid", "relu"}
        The layer whose input gradient is checked (at a (6, 5) standard normal input).
    ax : Axes, optional
    h : float, optional
        A step to mark, with its error, on the curve of ``dtype``.
    dtype : {"float64", "float32"}, optional
        The curve drawn bold (default: both alike).
    seed : int

    Returns
    -------
    dict
        dtype -> the errors at :data:`STEPS`, and ``"at_h"`` -> dtype -> the error at ``h``.
    """
    activation = checks.one_of("activation", activation, LAYERS)
    ax = plots.axes(ax)
    x = probe_input(seed)
    errors = {d: layer_step_size_errors(LAYERS[activation](), x, STEPS, d, seed) for d in DTYPES}
    for d in DTYPES:
        bold = dtype in (None, d)
        ax.plot(STEPS, plots.for_log_axis(errors[d]), linewidth=1.8 if bold else 0.9,
                alpha=1.0 if bold else 0.45, markersize=3.5, label=d, **_DTYPE_STYLE[d])
    best = int(np.argmin(errors["float64"]))  # slope guides through float64's best point
    h0, e0 = STEPS[best], errors["float64"][best] / 2
    left, right = STEPS[: best + 1], STEPS[best:]
    ax.plot(left, e0 * h0 / left, color="0.5", linestyle=":", linewidth=1,
            label="rounding ∝ 1/h")
    if activation != "relu":
        ax.plot(right, e0 * (right / h0) ** 2, color="0.5", linestyle="--", linewidth=1,
                label="truncation ∝ h²")
    result = dict(errors)
    if h is not None:
        h = checks.number("h", h, 1e-16, 1.0, low_open=True)
        result["at_h"] = {d: float(layer_step_size_errors(LAYERS[activation](), x, [h], d,
                                                          seed)[0]) for d in DTYPES}
        mark = dtype or "float64"
        ax.axvline(h, color="0.3", linewidth=0.8)
        ax.plot([h], plots.for_log_axis([result["at_h"][mark]]), marker="*", markersize=13,
                color=_DTYPE_STYLE[mark]["color"], markeredgecolor="black", linestyle="none")
    plots.fast_log_scale(ax, "x")
    plots.fast_log_scale(ax, "y")
    ax.set_ylim(1e-16, 3.0)
    ax.set_xlabel("step h")
    ax.set_ylabel("relative error")
    ax.grid(True, alpha=0.3)
    return result


def step_size(h=1e-5, dtype="float64", activation="tanh"):
    """The step-size explorer: a gradient check's relative error against ``h``.

    Parameters
    ----------
    h : float
        The step to mark (``lib.gradcheck`` uses 1e-5).
    dtype : {"float64", "float32"}
        The arithmetic of the check that is marked and drawn bold.
    activation : {"tanh", "sigmoid", "relu"}
        The layer checked.

    Returns
    -------
    matplotlib.figure.Figure
    """
    dtype = checks.one_of("dtype", dtype, DTYPES)
    fig, ax = plt.subplots(figsize=(8, 4), FigureClass=plots.FastFigure)
    fig.subplots_adjust(left=0.1, right=0.7, top=0.9, bottom=0.13)
    found = step_size_panel(activation, ax, h=h, dtype=dtype)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    at = found["at_h"]
    ax.set_title(f"{activation} layer, h = {h:.1e}: relative error {at[dtype]:.1e} in {dtype}",
                 fontsize=10)
    other = "float32" if dtype == "float64" else "float64"
    fig.text(0.72, 0.35, f"at this h:\n{dtype}: {at[dtype]:.1e}\n{other}: {at[other]:.1e}\n\n"
             f"best on the grid:\n{dtype}: {found[dtype].min():.1e}\n"
             f"  at h = {STEPS[np.argmin(found[dtype])]:.0e}", fontsize=8.5, va="bottom")
    return fig


def step_size_controls(h=1e-5, dtype="float64", activation="tanh"):
    """The step-size explorer's widgets, keyed by :func:`step_size`'s argument names."""
    return {
        "h": ui.log_slider("step h", h, 1e-12, 1e-1, step=0.25, readout_format=".1e"),
        "dtype": ui.dropdown("arithmetic", list(DTYPES), dtype),
        "activation": ui.dropdown("layer", list(LAYERS), activation),
    }


def step_size_grid(activations=("tanh", "sigmoid", "relu"), figsize=None):
    """:func:`step_size_panel` for several layers side by side, on shared axes.

    Returns
    -------
    matplotlib.figure.Figure
    """
    activations = [checks.one_of("activations", a, LAYERS) for a in activations]
    figsize = figsize or (3.3 * len(activations) + 0.4, 3.4)
    fig, axs = plt.subplots(1, len(activations), figsize=figsize, sharey=True, squeeze=False)
    for ax, a in zip(axs[0], activations, strict=True):
        step_size_panel(a, ax)
        ax.set_title(f"{a} layer", fontsize=10)
        ax.label_outer()
    axs[0, 0].legend(fontsize=7.5, loc="lower left")
    fig.tight_layout()
    return fig


# ---- the cost of a gradient ------------------------------------------------------------------


def cost_figure(costs, figsize=(9, 3.6)):
    """Time of a gradient by backpropagation and by central differences, against ``P``.

    Parameters
    ----------
    costs : list of lib.gradient_cost.GradientCost
        One per network size.

    Returns
    -------
    matplotlib.figure.Figure
        Left: seconds per gradient (and per forward pass) against the number of parameters,
        log-log.  Right: how many times slower the numerical gradient is.
    """
    costs = sorted(costs, key=lambda c: c.n_params)
    if not costs:
        raise ValueError("costs must hold at least one GradientCost, got none")
    P = np.array([c.n_params for c in costs], dtype=float)
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize)
    for values, label, style in [
        ([c.numerical_seconds for c in costs], "central differences (2P forward passes)",
         {"color": BACKWARD, "marker": "s"}),
        ([c.backprop_seconds for c in costs], "backpropagation (forward + backward)",
         {"color": LOCAL, "marker": "o"}),
        ([c.forward_seconds for c in costs], "one forward pass",
         {"color": "0.45", "marker": ".", "linestyle": ":"}),
    ]:
        left.plot(P, plots.for_log_axis(values), label=label, **style)
    left.set(xscale="log", yscale="log", xlabel="parameters P", ylabel="seconds per gradient")
    left.legend(fontsize=8)
    ratio = [c.ratio for c in costs]
    right.plot(P, plots.for_log_axis(ratio), color="black", marker="D")
    for p, r in zip(P, ratio, strict=True):
        right.annotate(f"{r:,.0f}×", (p, r), textcoords="offset points", xytext=(0, 7),
                       ha="center", fontsize=8)
    right.set(xscale="log", yscale="log", xlabel="parameters P",
              ylabel="numerical time / backprop time")
    plots.log_ylim(right, ratio, decades=0.6)
    for ax in (left, right):
        ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    return fig


#: The chapter's explorers: name -> (the function a widget redraws, its controls' factory).
EXPLORERS = {
    "graph": (graph, graph_controls),
    "step_size": (step_size, step_size_controls),
}
