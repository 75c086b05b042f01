"""lib.interactive.update_rules: the explorers of the chapter on update rules.

Every function returns what it drew and never raises on a diverging run (it labels it);
bad arguments raise ValueError naming the argument.  The last test checks that the chapter
renders every rule's formula exactly as the optimizer's docstring has it.
"""

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure
from matplotlib.text import Text

from lib import plots
from lib.interactive import update_rules as ur
from lib.interactive.controls import control_grid
from lib.optimizers import OPTIMIZERS, SGD
from lib.surfaces import SURFACES, diverged_at, run_rules, trajectory

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "04_update_rules.ipynb"


def texts(fig):
    """Every piece of text in a figure: titles, labels, legend entries, annotations."""
    found = [t.get_text() for t in fig.findobj(Text)]
    return [t for t in found if t]


# ---- the playground -----------------------------------------------------------------------------


def test_race_draws_paths_and_losses_in_the_rules_colours():
    fig = ur.race("quadratic", ["sgd", "momentum", "adagrad", "adam"], lr=0.1, steps=100)
    assert isinstance(fig, Figure)
    left, right = fig.axes[:2]
    legend = [t.get_text() for t in left.get_legend().get_texts()]
    assert legend == ["SGD", "Momentum", "AdaGrad", "Adam"]
    colours = {line.get_label(): line.get_color() for line in right.get_lines()}
    assert colours["Adam"] == plots.color("adam")
    assert colours["SGD"] == plots.color("sgd")
    assert right.get_yscale() == "log"
    steps = [line for line in right.get_lines() if line.get_label() == "Momentum"][0]
    assert len(steps.get_xdata()) == 101


def test_race_labels_a_diverging_run_with_its_step():
    fig = ur.race("quadratic", ["sgd", "nesterov", "momentum"], lr=1.2, steps=100)
    path = trajectory(SGD(lr=1.2), "quadratic", steps=100)
    k = diverged_at(path)
    assert k is not None
    all_text = texts(fig)
    assert f"SGD: diverged at step {k}" in all_text
    assert "Nesterov: diverged at step 5" in all_text
    assert "Momentum" in all_text  # converges at this lr: no label


def test_race_on_the_saddle_says_escaped():
    fig = ur.race("saddle", ["sgd"], lr=0.3, steps=100)
    assert any(t.startswith("SGD: escaped at step") for t in texts(fig))
    assert fig.axes[1].get_yscale() == "symlog"


def test_race_lr_per_rule_and_start_point():
    fig = ur.race("beale", ["sgd", "adam", "adadelta"], lr={"sgd": 0.001, "adam": 0.1},
                  steps=20, x0=2.0, y0=-1.0)
    start = [line for line in fig.axes[0].get_lines() if line.get_marker() == "o"
             and len(line.get_xdata()) == 1]
    assert (start[0].get_xdata()[0], start[0].get_ydata()[0]) == (2.0, -1.0)
    assert any(t.startswith("η per rule") for t in texts(fig))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"rules": ["sgd", "foo"]}, "rules"),
        ({"rules": []}, "rules"),
        ({"lr": -0.1}, "lr"),
        ({"lr": {"sgd": 0.1}}, "lr"),
        ({"momentum": 1.0}, "momentum"),
        ({"beta1": -0.5}, "beta1"),
        ({"beta2": 1.5}, "beta2"),
        ({"steps": 0}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"surface": "moon"}, "surface"),
        ({"x0": float("nan")}, "x0"),
        ({"y0": "up"}, "y0"),
    ],
)
def test_race_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ur.race(**kwargs)


def test_race_controls_move_the_start_with_the_surface():
    controls = ur.race_controls()
    assert set(controls) == {"surface", "rules", "lr", "momentum", "beta1", "beta2", "steps",
                             "x0", "y0", "noise"}
    for widget in controls.values():
        assert widget.style.description_width == "initial"
    assert controls["lr"].continuous_update is False
    controls["surface"].value = "rosenbrock"
    rosen = SURFACES["rosenbrock"]
    assert (controls["x0"].min, controls["x0"].max) == rosen.bounds[0]
    assert (controls["y0"].min, controls["y0"].max) == rosen.bounds[1]
    assert (controls["x0"].value, controls["y0"].value) == rosen.start
    fig = ur.race(**{k: w.value for k, w in controls.items()})
    assert isinstance(fig, Figure)
    grid = control_grid(controls, ncols=3)
    assert len(grid.children) == 3
    with pytest.raises(ValueError, match="ncols"):
        control_grid(controls, ncols=0)


# ---- small multiples -----------------------------------------------------------------------------


def test_paths_grid_one_panel_per_entry():
    paths = run_rules("quadratic", {"sgd": {"lr": 1.2}, "adam": {"lr": 0.3}}, (-7, 2), 30)
    fig = ur.paths_grid("quadratic", {"SGD": {"sgd": paths["sgd"]}, "Adam": {"adam": paths["adam"]},
                                      "both": paths}, ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["SGD", "Adam", "both"]
    assert len(fig.axes) == 4 and not fig.axes[3].get_visible()
    k = diverged_at(paths["sgd"])
    assert f"diverged at step {k}" in texts(fig)
    assert visible[2].get_legend() is not None and visible[1].get_legend() is None
    with pytest.raises(ValueError, match="panels"):
        ur.paths_grid("quadratic", {})
    with pytest.raises(ValueError, match="ncols"):
        ur.paths_grid("quadratic", {"a": paths}, ncols=0)


def test_loss_panel_log_scale_and_gap():
    paths = run_rules("quadratic", {"sgd": {"lr": 0.95}}, (-7, 2), 30)
    ax = ur.loss_panel("quadratic", paths)
    (line,) = ax.get_lines()
    f = SURFACES["quadratic"].f
    np.testing.assert_allclose(line.get_ydata(), f(paths["sgd"][:, 0], paths["sgd"][:, 1]))
    assert ax.get_yscale() == "log"


# ---- momentum on a quadratic ---------------------------------------------------------------------


def test_momentum_map_marks_polyak_and_runs_three_settings():
    fig = ur.momentum_map(kappa=20, lr=0.2, momentum=0.9, steps=60)
    left, right = fig.axes[0], fig.axes[1]
    legend = [t.get_text() for t in left.get_legend().get_texts()]
    assert legend == ["Polyak's optimum", "best plain SGD", "your setting"]
    star = [line for line in left.get_lines() if line.get_label() == "Polyak's optimum"][0]
    np.testing.assert_allclose(star.get_xdata(), [np.log10(2.6716)], atol=1e-4)
    np.testing.assert_allclose(star.get_ydata(), [0.4026], atol=1e-4)
    labels = [line.get_label() for line in right.get_lines()]
    assert "your setting: ρ = 0.949" in labels and "Polyak: ρ = 0.635" in labels
    assert "κ = 20: best η = 2.67, μ = 0.403" == left.get_title()


def test_momentum_map_labels_a_diverging_setting():
    fig = ur.momentum_map(kappa=100, lr=3.5, momentum=0.5)
    labels = [line.get_label() for line in fig.axes[1].get_lines()]
    assert any(label.startswith("your setting: ρ = 1.7") and "diverged at step" in label
               for label in labels)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"kappa": 0.5}, "kappa"), ({"lr": 0.0}, "lr"), ({"momentum": 1.2}, "momentum"),
     ({"steps": -1}, "steps")],
)
def test_momentum_map_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ur.momentum_map(**kwargs)


def test_momentum_map_animation_is_closed_and_has_one_frame_per_kappa():
    anim = ur.momentum_map_animation([1, 10, 100])
    assert isinstance(anim, FuncAnimation)
    assert not plt.get_fignums()  # closed: only to_jshtml shows it
    html = anim.to_jshtml()
    assert html.count("data:image/png;base64") == 3
    with pytest.raises(ValueError, match="kappas"):
        ur.momentum_map_animation([0.5, 2])


def test_momentum_map_controls():
    controls = ur.momentum_map_controls()
    assert set(controls) == {"kappa", "lr", "momentum"}
    assert isinstance(ur.momentum_map(**{k: w.value for k, w in controls.items()}), Figure)


# ---- Adam's moments and RAdam ------------------------------------------------------------------


def test_bias_correction_figure():
    fig = ur.bias_correction(beta1=0.9, beta2=0.999, steps=50, noise=0.5)
    left, right = fig.axes
    labels = [line.get_label() for line in right.get_lines()]
    raw = right.get_lines()[labels.index(r"$m_t/\sqrt{v_t}$")].get_ydata()
    assert raw.max() > 5  # the uncorrected step overshoots several-fold
    with pytest.raises(ValueError, match="beta2"):
        ur.bias_correction(beta2=1.0)
    with pytest.raises(ValueError, match="noise"):
        ur.bias_correction(noise=-1)
    controls = ur.bias_correction_controls()
    assert isinstance(ur.bias_correction(**{k: w.value for k, w in controls.items()}), Figure)


def test_radam_warmup_figure():
    fig = ur.radam_warmup(steps=300, runs=500)
    assert len(fig.axes) == 2


def test_inputs_are_not_mutated():
    paths = run_rules("quadratic", {"sgd": {"lr": 0.5}}, (-7, 2), 10)
    copy = paths["sgd"].copy()
    ur.paths_grid("quadratic", {"p": paths})
    ur.loss_panel("quadratic", paths)
    np.testing.assert_array_equal(paths["sgd"], copy)


# ---- the chapter renders the docstrings' formulas -----------------------------------------------


def test_chapter_equations_are_the_optimizer_docstrings():
    cells = json.loads(CHAPTER.read_text(encoding="utf-8"))["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    found = dict(
        (label, body)
        for body, label in re.findall(
            r"\$\$\n((?:(?!\$\$).)*?)\n\$\$ \((eq-[a-z-]+)\)", markdown, re.S
        )
    )
    squash = " ".join
    for name, cls in OPTIMIZERS.items():
        label = f"eq-{name}"
        assert label in found, f"the chapter has no equation labelled {label}"
        assert squash(found[label].split()) == squash(cls.latex().split()), label


def test_explorers_draw_without_hinting_and_restore_it():
    before = plt.rcParams["text.hinting"]
    for fig in (ur.race(steps=5), ur.momentum_map(steps=5), ur.bias_correction(steps=10)):
        assert isinstance(fig, plots.FastFigure)
        fig.canvas.draw()
    assert plt.rcParams["text.hinting"] == before
