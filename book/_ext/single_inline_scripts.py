"""Write each inline script of a page once.

An extension adds an inline script with ``app.add_js_file(None, body=...)``. When it does
so after the HTML builder has started, Sphinx 7 records the script twice, once under the
name ``None`` and once under ``''``, and writes both into every page
(sphinx-doc/sphinx#13402, fixed after the Sphinx 7 series that Jupyter Book 1 requires).
sphinx-thebe adds its settings that way, as ``const`` declarations, so every page raised
"Identifier 'THEBE_JS_URL' has already been declared" in the browser. Recorded under
``''`` from the start, the two records are equal and Sphinx keeps one.
"""


def setup(app):
    """Sphinx entry point: record body-only scripts under the name ``''``."""
    add_js_file = app.add_js_file

    def add_js_file_once(filename, *args, **kwargs):
        return add_js_file("" if filename is None else filename, *args, **kwargs)

    app.add_js_file = add_js_file_once
    return {"parallel_read_safe": True, "parallel_write_safe": True}
