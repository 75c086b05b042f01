"""The widget pieces every chapter's explorers share: sliders in the house style, a layout.

The house style, so that a widget's snapshot in the HTML book looks as it does in Jupyter:

* descriptions in plain Unicode (``"learning rate η"``, ``"β₁"``), never LaTeX, which the
  HTML pages do not typeset inside a widget;
* ``description_width: initial``, so that Jupyter and Colab do not cut a long description
  at 80 pixels ("learning r...");
* ``continuous_update=False``: a figure is redrawn when the slider is let go, not at every
  pixel it passes.

Everything works with ipywidgets 7.7 and 8.  ipywidgets is imported when a control is made,
so that importing a chapter's module costs nothing in a process that only draws figures.
"""

import math

from lib import checks

__all__ = ["STYLE", "control_grid", "dropdown", "float_slider", "int_slider", "log_slider"]

#: Keyword arguments of every control: labels never truncated.
STYLE = {"description_width": "initial"}


def _widgets():
    import ipywidgets

    return ipywidgets


def float_slider(description, value, low, high, step, readout_format=".2f"):
    """A ``FloatSlider`` from ``low`` to ``high`` in the house style."""
    return _widgets().FloatSlider(
        value=value, min=low, max=high, step=step, description=description,
        readout_format=readout_format, continuous_update=False, style=STYLE,
    )


def int_slider(description, value, low, high, step=1):
    """An ``IntSlider`` from ``low`` to ``high`` in the house style."""
    return _widgets().IntSlider(
        value=value, min=low, max=high, step=step, description=description,
        continuous_update=False, style=STYLE,
    )


def log_slider(description, value, low, high, step=0.05, readout_format=".3g"):
    """A ``FloatLogSlider`` over ``[low, high]`` (powers of ten) in the house style.

    ``low`` and ``high`` are the values themselves (``1e-3`` and ``10``), not exponents;
    ``step`` is in decades.
    """
    low = checks.positive("low", low)
    high = checks.positive("high", high)
    return _widgets().FloatLogSlider(
        value=value, base=10, min=math.log10(low), max=math.log10(high), step=step,
        description=description, readout_format=readout_format, continuous_update=False,
        style=STYLE,
    )


def dropdown(description, options, value):
    """A ``Dropdown`` in the house style; ``options`` as ipywidgets takes them."""
    return _widgets().Dropdown(options=options, value=value, description=description,
                               style=STYLE)


def control_grid(controls, ncols=3):
    """Lay a dict of widgets out in ``ncols`` columns (an ``HBox`` of ``VBox``-es)."""
    widgets = _widgets()
    ncols = checks.integer("ncols", ncols, 1)
    items = list(controls.values())
    per = max(1, math.ceil(len(items) / ncols))
    return widgets.HBox([widgets.VBox(items[i : i + per]) for i in range(0, len(items), per)])
