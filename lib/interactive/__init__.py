"""The compute-and-draw functions behind the chapters' widgets.

One submodule per chapter; a chapter wires ``ipywidgets`` controls to one of these
functions in a few visible lines, e.g.::

    import ipywidgets as widgets
    from lib.interactive import update_rules
    from lib.interactive.controls import control_grid

    controls = update_rules.race_controls()
    output = widgets.interactive_output(update_rules.race, controls)
    display(control_grid(controls, ncols=2), output)

Each explorer computes from scratch and draws a complete figure, fast enough to redraw
on every slider move (under 100 ms for the median redraw on two cores; ``make bench``
measures it).  Each module lists its explorers in ``EXPLORERS``, name -> (function,
controls factory).  They work with ipywidgets 7.7 and 8.
"""

import importlib
import pkgutil


def explorers():
    """Every chapter's explorers: a list of ``(name, function, controls factory)``.

    ``name`` is ``"<submodule>.<explorer>"``, e.g. ``"update_rules.race"``; the entries come
    from each submodule's ``EXPLORERS``.  The benchmarks time them and the tests draw them.
    """
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, (fn, make_controls) in getattr(module, "EXPLORERS", {}).items():
            found.append((f"{info.name}.{name}", fn, make_controls))
    return found
