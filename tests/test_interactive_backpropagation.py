"""lib.interactive.backpropagation: the explorers and figures of the chapter."""

import numpy as np
import pytest
from figures import texts as figure_texts
from matplotlib.figure import Figure

from lib.graph import neuron
from lib.interactive import backpropagation as bp


def texts(fig):
    return figure_texts(fig, labels=False)


def test_graph_draws_every_number():
    fig = bp.graph(x1=1.0, w1=0.6, x2=2.0, w2=-0.4, b=0.1, t=1.0)
    nodes = neuron(1.0, 0.6, 2.0, -0.4, 0.1, 1.0)
    nodes["L"].backward()
    drawn = texts(fig)
    for node in nodes.values():
        assert f"{node.value:.3g}" in drawn and f"∂L {node.grad:.3g}" in drawn
        for local in node.local_grads:
            assert f"{local:.3g}" in drawn
    assert f"{nodes['w1'].grad:.4g}" in fig.axes[0].get_title()


def test_graph_forward_only_hides_the_gradients():
    fig = bp.graph(show="forward pass")
    ax = fig.axes[0]
    hidden = [t for t in ax.texts if t.get_text().startswith("∂L") and not t.get_visible()]
    assert len(hidden) == len(neuron())


def test_draw_graph_reveals_only_the_named_gradients():
    nodes = neuron()
    nodes["L"].backward()
    texts_ = bp.draw_graph(nodes, grads={"L", "e2"}, highlight="e2")
    assert {k for k, t in texts_.items() if t.get_visible()} == {"L", "e2"}


def test_backward_animation_has_a_frame_per_node():
    html = bp.backward_animation().data
    assert "<script" in html and "font-awesome" not in html
    assert f"frames = new Array({len(neuron()) + 1})" in html.replace("  ", " ") or \
        html.count("data:image/png") == len(neuron()) + 1


def test_step_size_reports_the_error_at_h():
    fig = bp.step_size(h=1e-5, dtype="float64", activation="tanh")
    assert isinstance(fig, Figure)
    title = fig.axes[0].get_title()
    error = float(title.split("relative error ")[1].split(" ")[0])
    assert error < 1e-8
    fig32 = bp.step_size(h=1e-5, dtype="float32", activation="tanh")
    error32 = float(fig32.axes[0].get_title().split("relative error ")[1].split(" ")[0])
    assert error32 > 100 * error


def test_step_size_panel_returns_the_curves():
    found = bp.step_size_panel("sigmoid", h=1e-3, dtype="float32")
    assert set(found) == {"float64", "float32", "at_h"}
    assert found["float64"].shape == bp.STEPS.shape
    assert found["at_h"]["float32"] > found["at_h"]["float64"]


def test_probe_input_differs_from_the_upstream_gradient():
    x = bp.probe_input()
    assert x.shape == (6, 5)
    assert not np.allclose(x, np.random.default_rng(0).standard_normal((6, 5)))


def test_cost_figure_draws_the_ratios():
    from lib.gradient_cost import GradientCost

    costs = [GradientCost((4, 3), 15, 1e-5, 2e-5, 3e-4), GradientCost((4, 9), 45, 1e-5, 2e-5, 1e-3)]
    fig = bp.cost_figure(costs)
    assert "15×" in texts(fig) and "50×" in texts(fig)
    with pytest.raises(ValueError, match="^costs must"):
        bp.cost_figure([])


def test_step_size_grid_and_network_figure():
    assert len(bp.step_size_grid(("tanh", "relu")).axes) == 2
    W = np.array([[0.3, 0.4], [0.25, 0.35]])
    values = {"x": [0.1, 0.2], "h": [0.5, 0.5], "o": [0.6, 0.7], "t": [0.4, 0.6],
              "delta_h": [0.01, 0.02], "delta_o": [0.03, 0.04], "W1": W, "W2": W,
              "W1_new": W - 0.001, "W2_new": W - 0.01}
    fig = bp.network_figure(values)
    assert "w3: 0.40 → 0.39900" in texts(fig)


@pytest.mark.parametrize(
    "call, name",
    [(lambda: bp.graph(show="both"), "show"), (lambda: bp.graph(x1=np.nan), "x1"),
     (lambda: bp.step_size(dtype="float16"), "dtype"),
     (lambda: bp.step_size(activation="softmax"), "activation"),
     (lambda: bp.step_size(h=0.0), "h"), (lambda: bp.step_size_grid(["elu"]), "activations")],
)
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=f"^{name} must"):
        call()
