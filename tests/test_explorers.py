"""Every explorer listed in ``lib.interactive`` draws one figure from its controls' start."""

import pkgutil
import traceback
from pathlib import Path

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

import lib.interactive

EXPLORERS = lib.interactive.explorers()


def test_every_chapter_module_lists_its_explorers():
    modules = {name.split(".")[0] for name, _, _ in EXPLORERS}
    shared = {"controls"}  # the widget pieces every chapter uses: no explorers of its own
    chapters = {info.name for info in pkgutil.iter_modules(lib.interactive.__path__)} - shared
    assert modules == chapters


@pytest.mark.parametrize("name, fn, make_controls", EXPLORERS, ids=[e[0] for e in EXPLORERS])
def test_every_explorer_has_its_controls_factory_named_after_it(name, fn, make_controls):
    assert make_controls.__name__ == f"{fn.__name__}_controls"
    assert make_controls.__module__ == fn.__module__


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


# ---- every control at its extremes ----------------------------------------------------------
#
# A reader drags sliders to their ends and tries every option: each explorer must draw a
# figure there too.  Each case starts from freshly made controls, so that a control that moves
# another (the playground's surface moves the start sliders) does so as it does in Jupyter.
# Selections are set through ``.index``, which ipywidgets 7.7 and 8 share whatever form the
# options take (labels, or (label, value) pairs).

SLIDERS = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)
SELECTIONS = (
    widgets.Dropdown,
    widgets.Select,
    widgets.RadioButtons,
    widgets.ToggleButtons,
    widgets.SelectionSlider,
)
BOXES = (
    widgets.Text,
    widgets.Textarea,
    widgets.IntText,
    widgets.FloatText,
    widgets.BoundedIntText,
    widgets.BoundedFloatText,
)


def slider_end(control, end):
    """The value of a slider at ``end`` ("min" or "max"); a log slider's bounds are exponents."""
    bound = getattr(control, end)
    return control.base**bound if isinstance(control, widgets.FloatLogSlider) else bound


def extremes(control):
    """Each extreme of one control, as ``(description, attribute, value)``; none for text boxes."""
    if isinstance(control, SLIDERS):
        return [(end, "value", slider_end(control, end)) for end in ("min", "max")]
    if isinstance(control, widgets.SelectMultiple):
        every = tuple(range(len(control.options)))
        return [("first option", "index", (0,)), ("all options", "index", every)]
    if isinstance(control, SELECTIONS):
        return [(f"option {i}", "index", i) for i in range(len(control.options))]
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [(str(value), "value", value) for value in (False, True)]
    if isinstance(control, BOXES):
        return []
    raise TypeError(f"no extremes known for a {type(control).__name__}: teach extremes() it")


def cases(make_controls):
    """``(description, moves)``: every extreme of every control on its own, then all sliders
    at their min and all at their max.  A move is ``(argument name, attribute, value)``."""
    controls = make_controls()
    found = [
        (f"{key} at {what}", [(key, attribute, value)])
        for key, control in controls.items()
        for what, attribute, value in extremes(control)
    ]
    for end in ("min", "max"):
        moves = [(key, "value", slider_end(control, end))
                 for key, control in controls.items() if isinstance(control, SLIDERS)]
        found.append((f"all sliders at {end}", moves))
    return found


@pytest.mark.parametrize("name, fn, make_controls", EXPLORERS, ids=[e[0] for e in EXPLORERS])
def test_explorer_draws_at_every_extreme(name, fn, make_controls):
    failures = []
    for what, moves in cases(make_controls):
        controls = make_controls()
        for key, attribute, value in moves:
            setattr(controls[key], attribute, value)
        kwargs = {key: control.value for key, control in controls.items()}
        plt.close("all")
        try:
            fig = fn(**kwargs)
            assert isinstance(fig, Figure), "it must return the Figure it drew"
            fig.canvas.draw()
        except Exception as error:  # every failing case is reported, not only the first
            where = traceback.extract_tb(error.__traceback__)[-1]
            failures.append(
                f"{what}: {name}(**{kwargs!r}) raised {type(error).__name__}: {error} "
                f"(at {Path(where.filename).name}:{where.lineno})"
            )
        finally:
            plt.close("all")
    assert not failures, f"{name} fails at {len(failures)} extreme(s):\n" + "\n".join(failures)
