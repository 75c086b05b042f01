"""lib.interactive.initialization: the explorer and the static figures of the chapter."""

import inspect
import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from figures import texts as figure_texts
from matplotlib.figure import Figure

from lib import plots
from lib.interactive import initialization as ini
from lib.propagation import propagate, value_range


def texts(fig):
    return figure_texts(fig, yticks=True)


@pytest.fixture(scope="module")
def small_props():
    return [
        propagate(act, init, depth=6, width=30, n_samples=40)
        for act in ["sigmoid", "relu"]
        for init in [0.01, "xavier", "he"]
    ]


# -- explore -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "activation, init, depth, std",
    [("relu", "he", 10, 0.01), ("tanh", "normal", 3, 1.0), ("sigmoid", "xavier", 1, 0.01),
     ("selu", "lecun", 50, 0.01), ("leaky_relu", "uniform", 7, 0.01)],
)
def test_explore_draws_a_figure(activation, init, depth, std):
    fig = ini.explore(activation, init, depth, std, width=30, n_samples=40)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    hist, signals, grads = fig.axes
    shown = min(depth, 5)
    assert len(hist.get_yticklabels()) == shown and "layer 1" in texts(fig)
    assert len(signals.get_lines()) == 3  # reference line at 1, forward, backward
    assert grads.get_lines()[0].get_xdata()[-1] == depth
    assert activation in texts(fig)


def test_explore_uses_the_slider_std_only_for_normal():
    a = ini.explore("relu", "normal", 3, 0.5, width=20, n_samples=10)
    b = ini.explore("relu", "he", 3, 0.5, width=20, n_samples=10)
    assert "std 0.5" in texts(a) and "He" in texts(b) and "std 0.5" not in texts(b)


def test_explore_draws_overflow_as_text_not_an_error():
    fig = ini.explore("relu", "normal", 50, 1e7, width=20, n_samples=10)
    assert "overflow at layer" in texts(fig)


def test_explore_draws_zero_weights_as_text():
    fig = ini.explore("relu", "zeros", 4, 0.01, width=20, n_samples=10)
    assert "exactly 0" in texts(fig)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"activation": "softmax"}, "activation"), ({"depth": 0}, "depth"),
     ({"depth": ini.MAX_DEPTH + 1}, "depth"), ({"std": 0.0}, "std"), ({"std": "big"}, "std"),
     ({"init": "glorot"}, "init")],
)
def test_explore_bad_input_names_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ini.explore(**kwargs)


def test_controls_fit_explore():
    controls = ini.explore_controls()
    assert set(controls) <= set(inspect.signature(ini.explore).parameters)
    for widget in controls.values():
        assert widget.style.description_width == "initial"
        if isinstance(widget, (widgets.IntSlider, widgets.FloatLogSlider)):
            assert widget.continuous_update is False
    assert controls["depth"].max == ini.MAX_DEPTH
    values = [v for _, v in ini.INIT_CHOICES]
    assert controls["init"].value in values
    fig = ini.explore(**{k: w.value for k, w in controls.items()}, n_samples=20)
    assert isinstance(fig, Figure)
    assert controls["width"].value == 100 and set(controls["width"].options) == set(ini.WIDTHS)


def test_the_std_slider_works_only_for_normal_weights():
    controls = ini.explore_controls(init="xavier")
    assert controls["std"].disabled
    controls["init"].value = "normal"
    assert not controls["std"].disabled
    controls["init"].value = "he"
    assert controls["std"].disabled
    assert not ini.explore_controls(init="normal")["std"].disabled


def test_width_changes_the_fans_that_lecun_and_glorot_use():
    def weight_stds(init, width):
        fig = ini.explore("tanh", init, depth=3, width=width, n_samples=20)
        return [float(x) for x in re.findall(r"\d\.\d+", fig.texts[0].get_text())]

    # width 100 after an input of 100: every layer is square and LeCun and Glorot coincide
    assert weight_stds("lecun", 100) == pytest.approx([0.1], rel=0.05)
    assert weight_stds("xavier", 100) == pytest.approx([0.1], rel=0.05)
    # width 25: the first layer is 100 -> 25, where LeCun's sqrt(1/100) < Glorot's sqrt(2/125)
    assert weight_stds("lecun", 25) == pytest.approx([0.1, 0.2], rel=0.05)
    assert weight_stds("xavier", 25) == pytest.approx([np.sqrt(2 / 125), 0.2], rel=0.05)


def test_explorer_wired_to_interactive_output_draws_one_figure():
    before = set(plt.get_fignums())
    out = widgets.interactive_output(ini.explore, ini.explore_controls(depth=2))
    assert isinstance(out, widgets.Output)
    assert len(set(plt.get_fignums()) - before) == 1


# -- histograms ------------------------------------------------------------------------------


def test_value_range_follows_the_activation():
    assert value_range("sigmoid", []) == (0.0, 1.0)
    assert value_range("tanh", []) == (-1.0, 1.0)
    lo, hi = value_range("relu", [np.r_[np.zeros(50), np.linspace(0.1, 3, 500)]])
    assert lo == 0.0 and 2.5 < hi <= 3.0
    lo, hi = value_range("elu", [np.linspace(-1, 5, 1000)])
    assert -1.0 <= lo < -0.9 and 4.9 < hi <= 5.0
    assert value_range("relu", [np.zeros(10)]) == (0.0, 1.0)


def test_layer_histogram_reports_zeros_overflow_and_outside():
    values = np.r_[np.zeros(50), np.full(30, 0.5), np.full(10, 5.0), np.full(10, np.inf)]
    ax = ini.layer_histogram(values, "relu", (0.0, 1.0))
    note = ax.texts[0].get_text()
    assert "10% overflow" in note and "at 0" in note and "outside" in note


def test_histogram_grid_rows_and_columns(small_props):
    fig = ini.histogram_grid(small_props[:3], layers=[1, 3, 6])
    assert len(fig.axes) == 9
    assert "layer 6" in texts(fig) and "sigmoid" in texts(fig)


def test_histogram_grid_fixed_range_reports_what_it_drops():
    tanh = propagate("tanh", "xavier", depth=2, width=30, n_samples=40)
    fig = ini.histogram_grid([tanh], fixed_range=(0, 1))
    assert "outside" in texts(fig)
    assert fig.axes[0].get_xlim() == (0.0, 1.0)


@pytest.mark.parametrize(
    "kwargs, name",
    [({"layers": [0]}, "layers"), ({"layers": [7]}, "layers"),
     ({"fixed_range": (1, 0)}, "fixed_range")],
)
def test_histogram_grid_bad_input(small_props, kwargs, name):
    with pytest.raises(ValueError, match=name):
        ini.histogram_grid(small_props, **kwargs)
    with pytest.raises(ValueError, match="props"):
        ini.histogram_grid([])


# -- curves and grids ------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", list(ini.QUANTITIES))
def test_depth_curves(small_props, quantity):
    fig = ini.depth_curves(small_props, quantity)
    assert len(fig.axes) == 2  # sigmoid, relu
    for ax in fig.axes:
        assert len(ax.get_lines()) == 1 + 3  # reference line and one line per initialiser
        assert ax.get_yscale() == "log"
    n = len(fig.axes[0].get_lines()[1].get_xdata())
    assert n == (6 if quantity == "weight_grad_norm" else 7)


def test_depth_curves_bad_input(small_props):
    with pytest.raises(ValueError, match="quantity"):
        ini.depth_curves(small_props, "mean")
    forward_only = [propagate("relu", "he", depth=3, width=5, n_samples=4, backward=False)]
    with pytest.raises(ValueError, match="backward"):
        ini.depth_curves(forward_only, "backward_std")


def test_small_multiples_grid(small_props):
    fig = ini.small_multiples(small_props)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 6
    assert {"std 0.01", "Xavier (Glorot)", "He"} <= set(texts(fig).split("\n"))


def test_signal_panel_labels_missing_curves():
    prop = propagate("relu", 1e8, depth=40, width=20, n_samples=10)
    ax = ini.signal_panel(prop)
    assert any("overflow" in t.get_text() for t in ax.texts)


def test_std_animation_is_html_with_one_frame_per_std():
    html = ini.std_animation(stds=[0.05, 0.14, 0.3], activations=("tanh", "relu"), depth=4,
                             width=20, n_samples=10).data
    assert isinstance(html, str) and "<script" in html
    assert "font-awesome" not in html  # a page of the book loads nothing from a CDN
    assert html.count("data:image/png;base64") == 3
    assert not plt.get_fignums()  # its figure is closed, so it is not shown twice


@pytest.mark.parametrize(
    "kwargs, name",
    [({"stds": [0.1, -1]}, "std"), ({"activations": ("relu", "swish")}, "activations")],
)
def test_std_animation_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ini.std_animation(depth=3, width=10, n_samples=5, **kwargs)


def test_weight_images():
    rng = np.random.default_rng(0)
    same = np.tile(rng.standard_normal((64, 1)), (1, 4))
    fig = ini.weight_images({"equal": same, "random": rng.standard_normal((64, 3))})
    assert sum(ax.get_visible() for ax in fig.axes) == 7
    assert "unit 4" in texts(fig)
    with pytest.raises(ValueError, match="weights"):
        ini.weight_images({"bad": np.zeros((10, 3))})
    with pytest.raises(ValueError, match="weights"):
        ini.weight_images({})


def test_init_styles():
    def style(init):
        return plots.style(init, "init")

    assert style("he")["label"] == "He"
    assert style("xavier")["color"] == style("xavier_normal")["color"]
    assert style(0.01)["label"] == "std 0.01"
    assert style(1)["label"] == "std 1"
    assert style(0.2)["label"] == "std 0.2"
    assert style(np.float64(0.01))["label"] == "std 0.01"
    colors = {style(k)["color"] for k in [0.01, 1.0, "xavier", "lecun", "he"]}
    assert len(colors) == 5

    def custom(n_in, n_out, rng):
        return np.zeros((n_in, n_out))

    assert style(custom)["label"] == "custom"
