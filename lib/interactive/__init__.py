"""The compute-and-draw functions behind the chapters' widgets.

One submodule per chapter; a chapter wires an ``ipywidgets`` control to one of these
functions in a few visible lines, e.g.::

    import ipywidgets as widgets
    from lib.interactive import update_rules

    widgets.interact(update_rules.race, lr=widgets.FloatLogSlider(...), ...)

Each function computes from scratch and draws a complete figure, fast enough to redraw
on every slider move; each returns the matplotlib Figure it drew.  They work with
ipywidgets 7.7 and 8.
"""
