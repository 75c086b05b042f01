"""lib.interactive.activations: the static figures of the chapter on activations."""

import numpy as np
import pytest
from figures import texts as figure_texts
from matplotlib.figure import Figure

from lib.clipping import clip
from lib.datasets import load_digits
from lib.diagnostics import Recorder, initial_flow
from lib.interactive import activations as act
from lib.network import MultiLayerNet
from lib.optimizers import SGD
from lib.training import train


def texts(fig):
    return figure_texts(fig, labels=False, legends=True)


def drawn(fig):
    assert isinstance(fig, Figure)
    fig.canvas.draw()
    return texts(fig)


def test_gallery_marks_the_sigmoids_largest_slope():
    assert "max 0.25" in drawn(act.gallery())
    assert len(act.gallery(["relu", "elu"]).axes) == 4
    with pytest.raises(ValueError, match=r"^names must be one of"):
        act.gallery(["step"])


def test_flow_grid_has_a_panel_per_activation_and_kind():
    data = load_digits()
    flows = {(a, r): {d: initial_flow(a, d, 1.0, r, n_samples=20, data=data) for d in (2, 4)}
             for a in ("sigmoid", "relu") for r in (False, True)}
    text = drawn(act.flow_grid(flows))
    assert "sigmoid, plain" in text and "ReLU, residual" in text and "4 hidden layers" in text


def test_training_flow_says_which_layers_never_moved():
    data = load_digits()
    recorders = {}
    for name in ("sigmoid", "relu"):
        net = MultiLayerNet([64, 20, 20, 10], activation=name, seed=0)
        if name == "relu":       # every unit of layer 1 dead: no weight gets a gradient
            net.params["W1"][...] = -1.0
        recorders[name] = Recorder(net)
        train(net, SGD(lr=0.1), data, epochs=2, max_iterations=20, evaluate=False,
              callback=recorders[name])
    text = drawn(act.training_flow(recorders))
    assert "W₁ to W₃: not moved at all" in text and "epoch 1" in text


def test_dead_units_draws_every_setting():
    rng = np.random.default_rng(0)
    dead = {"slow": {"relu": rng.random((3, 4)), "elu": rng.random((3, 4))},
            "fast": {"relu": rng.random((3, 4))}}
    fig = act.dead_units(dead)
    assert [ax.get_title() for ax in fig.axes] == ["slow", "fast"]
    drawn(fig)


def test_selu_layers_marks_a_run_that_leaves_the_chart():
    layers = np.arange(11.0)
    calm = np.c_[np.zeros(11), np.ones(11)]
    wild = np.c_[0.3 * layers, 1.5 ** layers]
    text = drawn(act.selu_layers({"calm": (calm, calm), "wild": (wild, wild)}))
    assert "wild: off the chart from layer 6" in text


def test_clip_plane_states_the_angles():
    g = np.array([3.0, 0.8])
    text = drawn(act.clip_plane([(g, clip(g, 1.0, "norm"), clip(g, 1.0, "value"))]))
    assert "turned 0° by norm" in text and "24° by value" in text


def test_threshold_sweep_counts_the_diverged_runs():
    final = {None: [np.inf] * 5, 1.0: [0.5, 0.6, np.inf, 0.4, 0.5], 10.0: [0.1] * 5}
    text = drawn(act.threshold_sweep(final))
    assert "no clipping: 5 of 5 runs diverged" in text and "1 diverged" in text
