"""The lecture slides (``make slides``): the chapters' slide marks, what reaches a slide, and
every deck in a real browser, offline.

``book/_slides/build_slides.py`` renders each chapter notebook of the table of contents, as the
book build executed it, into a reveal.js deck in ``_build/slides/``. Without a browser:

- every slide mark is one of Jupyter's (``slide``, ``subslide``, ``fragment``, ``-``, ``notes``,
  ``skip``), and a cell hidden in the book (``remove-cell``) is ``skip``;
- no solution of an exercise reaches a deck, whatever its cells' marks;
- the book's MyST becomes what a slide can show: roles, labelled equations numbered as in the
  book, directives; paragraphs and admonitions go to the speaker notes.

Then ``make slides`` runs and Chromium opens every deck on 127.0.0.1, refusing requests to
other hosts, and visits every slide with all its fragments shown: no JavaScript error, every
local request answered, no request to another host, every formula typeset (no ``$``, ``\\(``
or ``$$`` left, no TeX error), every widget snapshot and image rendered, and nothing cut off
(a slide taller than the deck is shrunk to fit, down to 60 %). A screenshot of every slide is
saved in ``_build/screenshots/slides/<chapter>/``.
"""

import importlib.util
import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from local_server import serve
from solutions import (
    ROOT,
    chapter_notebooks,
    code_probes,
    exercises_and_solutions,
    load,
    text_probe,
    words,
)
from test_browser import (
    CHROMIUM,
    LOAD_TIMEOUT,
    MATHJAX_DONE,
    RAW_TEX,
    RENDER_TIMEOUT,
    WIDGETS_RENDERED,
    browser,  # noqa: F401  (a fixture)
    open_page,
    problems_found,
    wait_for,
)

SPEC = importlib.util.spec_from_file_location(
    "build_slides", ROOT / "book" / "_slides" / "build_slides.py"
)
build_slides = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(build_slides)

SLIDES = ROOT / "_build" / "slides"
SCREENSHOTS = ROOT / "_build" / "screenshots" / "slides"
CHAPTERS = chapter_notebooks()
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed ({CHROMIUM})"
)
#: The smallest zoom at which the deck shrinks a slide to fit (book_reveal/index.html.j2).
MIN_ZOOM = 0.6


def marks(docname):
    cells = load(docname)["cells"]
    return [c.get("metadata", {}).get("slideshow", {}).get("slide_type") for c in cells]


def is_marked(docname):
    """Whether the chapter marks its slides (else its deck uses the default marks)."""
    return build_slides.marked(nbformat.from_dict(load(docname)).cells)


def test_the_decks_are_the_chapters_of_the_table_of_contents():
    assert build_slides.chapters() == CHAPTERS


@pytest.mark.parametrize("docname", CHAPTERS)
def test_slide_marks(docname):
    kinds = marks(docname)
    unknown = {k for k in kinds if k is not None and k not in build_slides.SLIDE_TYPES}
    assert not unknown, f"{docname}: unknown slide types {unknown}"
    if not is_marked(docname):
        pytest.skip(f"{docname} marks no slides yet: its deck uses the default marks")
    cells = load(docname)["cells"]
    shown = [
        i for i, (cell, kind) in enumerate(zip(cells, kinds, strict=True))
        if "remove-cell" in cell.get("metadata", {}).get("tags", []) and kind != "skip"
    ]
    assert not shown, f"{docname}: cells hidden in the book (remove-cell) not skipped: {shown}"


def deck_text(nb):
    """The text of a prepared deck, its block quotes (directives) unquoted."""
    return words(re.sub(r"^> ?", "", "\n".join(c.source for c in nb.cells), flags=re.M))


@pytest.mark.parametrize("docname", CHAPTERS)
def test_no_solution_reaches_a_slide(docname):
    nb = nbformat.reads(nbformat.writes(nbformat.from_dict(load(docname))), as_version=4)
    for cell in nb.cells:  # whatever the chapter's marks, every cell on a slide
        cell.metadata["slideshow"] = {"slide_type": "subslide"}
    text = deck_text(build_slides.prepare(nb))
    exercises, solutions = exercises_and_solutions(load(docname))
    leaked = [
        probe
        for solution in solutions
        for probe in [text_probe(solution.text)] + code_probes(solution.code)
        if probe and probe in text
    ]
    assert not leaked, f"{docname}: solutions on the slides: {leaked}"
    missing = [e.label for e in exercises if text_probe(e.text) and text_probe(e.text) not in text]
    assert not missing, f"{docname}: exercises missing from the slides: {missing}"


def test_myst_becomes_markdown():
    numbers = {"eq-a": "(1)", "fig-a": "Figure 2", "ex-a": "Exercise 3"}
    converted = build_slides.to_markdown(
        "(sec-a)=\n## A\n\nBy {eq}`eq-a`, see {numref}`fig-a` and {ref}`ex-a`; "
        "{py:func}`~lib.surfaces.trajectory`, {py:mod}`lib.losses`, {doc}`the API <api>`, "
        "[the reference](api.md), {math}`x^2`.\n\n$$\nx = 1\n$$ (eq-a)\n\n"
        ":::{admonition} Careful\n:class: tip\n\nText.\n:::\n\n"
        ":::{exercise} Try\n:label: ex-a\n\nDo it.\n:::\n\n"
        ":::{solution-start} ex-a\n:::\n\nSecret.\n\n:::{solution-end}\n:::\n",
        numbers,
    )
    assert "(sec-a)=" not in converted
    assert "By (1), see Figure 2 and Exercise 3;" in converted
    assert "`trajectory()`, `lib.losses`, the API, the reference, $x^2$." in converted
    assert "x = 1 \\tag{1}\n$$" in converted and "(eq-a)" not in converted
    assert "> **Careful**" in converted and "> Text." in converted
    assert "> **Exercise 3** Try" in converted and "> Do it." in converted


def test_paragraphs_and_admonitions_go_to_the_notes():
    shown, notes = build_slides.split_prose(
        "## A heading\n\nA paragraph of prose.\n\n$$\nx = 1\n$$ (eq-a)\n\n- a list\n\n"
        ":::{admonition} Aside\nAn aside.\n:::\n\n:::{exercise} E\n:label: e\n\nDo.\n:::\n"
    )
    assert "## A heading" in shown and "x = 1" in shown and "- a list" in shown
    assert ":::{exercise} E" in shown
    assert "A paragraph of prose." in notes and ":::{admonition} Aside" in notes
    assert "prose" not in shown and "Aside" not in shown
    only_prose = "A short prompt: move the slider."
    assert build_slides.split_prose(only_prose) == (only_prose, "")


def test_solutions_across_cells_are_left_out():
    cells = [
        nbformat.v4.new_markdown_cell(":::{exercise} E\n:label: e\n\nDo.\n:::\n\n"
                                      ":::{solution-start} e\n:::\n\nThe secret."),
        nbformat.v4.new_code_cell("secret_code()"),
        nbformat.v4.new_markdown_cell("More secret.\n\n:::{solution-end}\n:::\n\nAfter."),
    ]
    kept = build_slides.without_solutions(cells)
    text = "\n".join(c.source for c in kept)
    assert "Do." in text and "After." in text
    assert "secret" not in text.lower()


def equation_numbers(html):
    """Label -> number of every labelled equation of a page of the book."""
    return dict(re.findall(r'id="equation-([^"]+)">\s*<span class="eqno">\(([\d.]+)\)', html))


def exercise_numbers(html):
    return dict(re.findall(
        r'<div class="exercise[^"]*" id="([^"]+)">\s*<p class="admonition-title">'
        r'<span class="caption-number">Exercise ([\d.]+) ', html
    ))


def figure_numbers(html):
    return dict(re.findall(
        r'<figure[^>]*id="([^"]+)"[^>]*>.*?<span class="caption-number">Fig\. ([\d.]+) ', html, re.S
    ))


# ---- the decks, built and in a browser ------------------------------------------------------


@pytest.fixture(scope="module")
def decks():
    """Build the decks as ``make slides`` does; return their folder."""
    built = subprocess.run(
        ["make", "--no-print-directory", "slides"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert built.returncode == 0, "make slides failed:\n" + (built.stdout + built.stderr)[-4000:]
    return SLIDES


@pytest.mark.parametrize("docname", CHAPTERS)
def test_numbers_on_the_slides_are_the_books(docname, decks):
    html = (ROOT / "_build" / "html" / f"{docname}.html").read_text(encoding="utf-8")
    numbers = build_slides.book_numbers(docname)
    assert numbers is not None, f"{docname}: no numbers in the environment of the book build"
    # Every chapter numbers equations, figures and exercises: finding none of one kind means
    # the patterns above no longer match the page (as when the numbering style changes).
    for kind, found in [("equation", equation_numbers), ("figure", figure_numbers),
                        ("exercise", exercise_numbers)]:
        assert found(html), f"{docname}: no numbered {kind} found on the page"
    for label, number in equation_numbers(html).items():
        assert numbers.get(label) == f"({number})", f"{docname}: equation {label}"
    for label, number in figure_numbers(html).items():
        assert numbers.get(label) == f"Fig. {number}", f"{docname}: figure {label}"
    for label, number in exercise_numbers(html).items():
        assert numbers.get(label) == f"Exercise {number}", f"{docname}: exercise {label}"
    deck = (decks / f"{Path(docname).name}.html").read_text(encoding="utf-8")
    tags = set(re.findall(r"\\tag\{([\d.]+)\}", deck))
    book = set(equation_numbers(html).values())
    assert tags <= book, f"{docname}: equation numbers on the slides not in the book: {tags - book}"
    assert tags or not book, f"{docname}: no equation of the chapter is numbered on its slides"


@pytest.fixture(scope="module")
def slides_server(decks):
    with serve(decks) as url:
        yield url


READY = "() => !!(window.Reveal && window.Reveal.isReady && window.Reveal.isReady())"
EVERY_SLIDE = "() => window.Reveal.getSlides().map(s => window.Reveal.getIndices(s))"

# Go to slide (h, v) with all its fragments shown.
SHOW = """([h, v]) => {
    window.Reveal.configure({transition: 'none', backgroundTransition: 'none'});
    window.Reveal.slide(h, v);
    while (window.Reveal.nextFragment()) {}
}"""

# What the checks need from the current slide.
INSPECT_SLIDE = r"""() => {
    const slide = window.Reveal.getCurrentSlide();
    const copy = slide.cloneNode(true);
    copy.querySelectorAll('pre, code, script, style, textarea, mjx-container')
        .forEach(e => e.remove());
    const zoom = slide.style.zoom;
    slide.style.zoom = '';
    const fit = window.Reveal.getConfig().height / slide.scrollHeight;
    slide.style.zoom = zoom;
    const views = Array.from(slide.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]'));
    return {
        text: copy.textContent,
        fit: fit,
        formulas: slide.querySelectorAll('mjx-container').length,
        texErrors: Array.from(slide.querySelectorAll('mjx-merror'))
            .map(e => e.getAttribute('data-mjx-error') || e.textContent),
        undefinedMacros: Array.from(slide.querySelectorAll('mjx-assistive-mml mtext'))
            .filter(e => e.getAttribute('mathcolor') === 'red' && e.textContent.startsWith('\\'))
            .map(e => e.textContent),
        unrenderedWidgets: views.filter(tag => {
            const area = tag.previousElementSibling;
            return !(area && area.classList.contains('widget-subarea')
                     && area.getBoundingClientRect().height > 0);
        }).length,
        brokenWidgets: Array.from(slide.querySelectorAll('.jupyter-widgets-error-widget'))
            .length,
        emptyOutputs: Array.from(slide.querySelectorAll('.widget-subarea .widget-output'))
            .filter(e => !Array.from(e.querySelectorAll('.jp-OutputArea-output'))
                .some(o => o.getBoundingClientRect().height > 0)).length,
        brokenImages: Array.from(slide.querySelectorAll('img'))
            .filter(img => !(img.complete && img.naturalWidth > 0))
            .map(img => (img.currentSrc || img.src).slice(0, 80)),
    };
}"""

SLIDE_IMAGES_LOADED = """() => Array.from(window.Reveal.getCurrentSlide().querySelectorAll('img'))
    .every(img => img.complete)"""


def slide_problems(found, marked):
    problems = []
    raw = sorted(set(RAW_TEX.findall(found["text"])) | set(re.findall(r"\$", found["text"])))
    if raw:
        problems.append(f"raw TeX left in the text ({' '.join(raw)})")
    problems += [f"TeX error: {error}" for error in found["texErrors"]]
    problems += [f"undefined TeX macro: {macro}" for macro in found["undefinedMacros"]]
    if found["unrenderedWidgets"]:
        problems.append(f"{found['unrenderedWidgets']} widget views not rendered")
    if found["brokenWidgets"]:
        problems.append(f"{found['brokenWidgets']} widgets could not be displayed")
    if found["emptyOutputs"]:
        problems.append(f"{found['emptyOutputs']} Output widgets show nothing")
    problems += [f"image not loaded: {src}" for src in found["brokenImages"]]
    if marked and found["fit"] < MIN_ZOOM:
        problems.append(f"cut off: the slide needs a zoom of {found['fit']:.2f} to fit")
    return problems


@NEEDS_CHROMIUM
@pytest.mark.parametrize("docname", CHAPTERS)
def test_deck_renders_offline(docname, browser, slides_server):  # noqa: F811
    name = Path(docname).name
    marked = is_marked(docname)
    folder = SCREENSHOTS / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    context, tab, seen = open_page(browser, f"{slides_server}/{name}.html")
    problems, formulas = [], 0
    try:
        tab.wait_for_function(READY, timeout=LOAD_TIMEOUT)
        wait_for(tab, WIDGETS_RENDERED)
        mathjax = tab.evaluate(MATHJAX_DONE, RENDER_TIMEOUT)
        where = tab.evaluate(EVERY_SLIDE)
        for number, indices in enumerate(where, start=1):
            tab.evaluate(SHOW, [indices["h"], indices["v"] or 0])
            wait_for(tab, SLIDE_IMAGES_LOADED)
            found = tab.evaluate(INSPECT_SLIDE)
            formulas += found["formulas"]
            tab.screenshot(path=folder / f"{number:02d}.png")
            problems += [f"slide {number}: {p}" for p in slide_problems(found, marked)]
    finally:
        context.close()
    page_level = {"text": "", "untypeset": [], "mathjax": True, "texErrors": [],
                  "undefinedMacros": [], "unrenderedWidgets": [], "brokenWidgets": [],
                  "emptyOutputs": [], "brokenImages": []}
    problems = problems_found(seen, mathjax, page_level) + problems
    if formulas == 0:
        problems.append("no formula typeset on any slide")
    assert not problems, f"{name} (screenshots in {folder}):\n" + "\n".join(problems)


@NEEDS_CHROMIUM
def test_index_of_the_decks(browser, slides_server):  # noqa: F811
    context, tab, seen = open_page(browser, f"{slides_server}/index.html")
    try:
        links = tab.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    finally:
        context.close()
    expected = {f"{slides_server}/{Path(doc).name}.html" for doc in CHAPTERS}
    assert set(links) == expected
    assert not (seen["errors"] or seen["failed"] or seen["foreign"]), seen
