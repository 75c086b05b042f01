"""Every explorer listed in ``lib.interactive`` draws one figure from its controls' start."""

import pkgutil

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

import lib.interactive

EXPLORERS = lib.interactive.explorers()


def test_every_chapter_module_lists_its_explorers():
    modules = {name.split(".")[0] for name, _, _ in EXPLORERS}
    assert modules == {info.name for info in pkgutil.iter_modules(lib.interactive.__path__)}


@pytest.mark.parametrize("name, fn, make_controls", EXPLORERS, ids=[e[0] for e in EXPLORERS])
def test_explorer_draws_from_its_controls(name, fn, make_controls):
    controls = make_controls()
    kwargs = {key: control.value for key, control in controls.items()}
    plt.close("all")
    fig = fn(**kwargs)
    assert isinstance(fig, Figure), f"{name} must return the Figure it drew"
    fig.canvas.draw()
    assert plt.get_fignums() == [fig.number], f"{name} must draw exactly one figure"
    plt.close(fig)
