"""The student edition (``make book-student``): the book without the solutions.

``make book-student`` builds the book with sphinx-exercise's ``hide_solutions`` and
``book/_ext/hide_gated_solutions.py`` into ``_build/student/_build/html``, reusing the
execution cache of ``make book``. For every chapter of the table of contents, and every
exercise in it (read from the notebook, ``tests/solutions.py``):

- the exercise is on the student page and on the book's page;
- no part of its solution is on the student page: not the text (the longest plain run of
  words of its first paragraph), not the code (the longest line of each code cell), not the
  outputs (a line of printed text, the file of a figure), while each of them is on the book's
  page, which shows that the probe is a fair one;
- in the book, every solution folds (a dropdown), and in a browser it is closed until the
  reader opens it.

Then every page of the student edition is opened in Chromium and checked as the book's pages
are (``tests/test_browser.py``): no JavaScript error, no request to another host, formulas
typeset, widgets rendered, images loaded; screenshots in ``_build/screenshots/student/``.
"""

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from local_server import serve
from solutions import (
    ROOT,
    chapter_notebooks,
    code_probes,
    exercises_and_solutions,
    load,
    source,
    text_probe,
    toc_documents,
    words,
)
from test_browser import (
    CHROMIUM,
    LOAD_TIMEOUT,
    browser,  # noqa: F401  (a fixture)
    open_page,
    page_problems,
)

BOOK = ROOT / "_build" / "html"
STUDENT = ROOT / "_build" / "student" / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots" / "student"
CHAPTERS = chapter_notebooks()
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"Debian's Chromium is not installed ({CHROMIUM})"
)


@pytest.fixture(scope="module")
def student():
    """Build the student edition as ``make book-student`` does; return its folder."""
    built = subprocess.run(
        ["make", "--no-print-directory", "book-student"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert built.returncode == 0, (
        "make book-student failed:\n" + (built.stdout + built.stderr)[-4000:]
    )
    return STUDENT


def page(folder, docname):
    return BeautifulSoup((folder / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


def text_of(soup):
    return words(soup.get_text(""))


def images_of(soup):
    return {Path(img["src"]).stem for img in soup.find_all("img", src=True)}


def output_probes(docname, solution):
    """(lines of printed text, names of figure files) of a solution's outputs in the book."""
    executed = load(docname, executed=True)["cells"]
    texts, figures = [], set()
    for index, _ in solution.code:
        for output in executed[index].get("outputs", []):
            if output.get("output_type") == "stream":
                lines = [words(x) for x in source(output).splitlines() if len(x.strip()) >= 12]
                texts += lines[:1]
            png = output.get("data", {}).get("image/png")
            if png:
                figures.add(hashlib.sha256(base64.b64decode(png)).hexdigest())
    return texts, figures


@pytest.mark.parametrize("docname", CHAPTERS)
def test_no_solution_reaches_the_student_edition(docname, student):
    exercises, solutions = exercises_and_solutions(load(docname))
    if not exercises:
        pytest.skip(f"{docname} has no exercises yet")
    book, edition = page(BOOK, docname), page(student, docname)
    book_text, edition_text = text_of(book), text_of(edition)
    problems = []
    for exercise in exercises:
        probe = text_probe(exercise.text) or words(exercise.title)
        if probe not in book_text or probe not in edition_text:
            problems.append(f"exercise {exercise.label} is missing: {probe!r}")
    for solution in solutions:
        which = f"the solution of {solution.exercise}"
        texts, figures = output_probes(docname, solution)
        probes = [p for p in [text_probe(solution.text)] if p] + code_probes(solution.code) + texts
        if not probes and not figures:
            problems.append(f"{which}: nothing to look for")
        for probe in probes:
            if probe not in book_text:
                problems.append(f"{which} is not in the book: {probe!r}")
            if probe in edition_text:
                problems.append(f"{which} is in the student edition: {probe!r}")
        for figure in figures:
            if figure not in images_of(book):
                problems.append(f"a figure of {which} is not in the book")
            if figure in images_of(edition):
                problems.append(f"a figure of {which} is in the student edition")
    for element in edition.select(".solution, .solution-start, .solution-end"):
        problems.append(f"a solution element in the student edition: {element.get('class')}")
    assert not problems, f"{docname}:\n" + "\n".join(problems)


@pytest.mark.parametrize("docname", CHAPTERS)
def test_the_book_folds_every_solution(docname, student):
    _, solutions = exercises_and_solutions(load(docname))
    if not solutions:
        pytest.skip(f"{docname} has no solutions yet")
    folded = page(BOOK, docname).select("div.solution")
    assert len(folded) == len(solutions), f"{docname}: {len(folded)} of {len(solutions)} solutions"
    unfolded = [" ".join(div.get("class")) for div in folded if "dropdown" not in div["class"]]
    assert not unfolded, f"{docname}: solutions that do not fold: {unfolded}"


SMALL_CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["myst_nb", "sphinx_exercise", "hide_gated_solutions"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
nb_execution_mode = "off"
hide_solutions = {hide}
"""


def small_book(folder, cells, hide=True):
    """Build a one-notebook book of markdown and (executed) code cells; return its text."""
    (folder / "conf.py").write_text(
        SMALL_CONF.format(ext=str(ROOT / "book" / "_ext"), hide=hide), encoding="utf-8"
    )
    nb = nbformat.v4.new_notebook()
    for cell in cells:
        if isinstance(cell, tuple):  # (code, what it printed)
            code = nbformat.v4.new_code_cell(cell[0], execution_count=1)
            code.outputs = [nbformat.v4.new_output("stream", name="stdout", text=cell[1])]
            nb.cells.append(code)
        else:
            nb.cells.append(nbformat.v4.new_markdown_cell(cell))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, folder / "index.ipynb")
    built = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(folder),
         str(folder / "_build")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    if built.returncode:
        return None, built.stdout + built.stderr
    html = (folder / "_build" / "index.html").read_text(encoding="utf-8")
    return words(BeautifulSoup(html, "html.parser").get_text("")), ""


GATED = [
    "# Exercises",
    ":::{exercise} Add\n:label: ex-add\n\nWhat is one plus one?\n:::",
    ":::{solution-start} ex-add\n:class: dropdown\n:::",
    "The answer is two, said the solution.",
    ("print(1 + 1)  # the solution's code", "the solution's output\n"),
    ":::{solution-end}\n:::\n\n:::{solution} ex-add\nAn ungated solution.\n:::",
    "After the solutions, the page goes on.",
]
SOLUTION_PARTS = ["said the solution", "the solution's code", "the solution's output",
                  "An ungated solution"]


@pytest.mark.parametrize("hide", [True, False])
def test_hide_gated_solutions_on_a_small_book(tmp_path, hide):
    """Hidden: text, code cell and output of a gated solution are gone. Shown: all there."""
    text, log = small_book(tmp_path, GATED, hide=hide)
    assert text is not None, log
    assert "What is one plus one?" in text and "After the solutions, the page goes on." in text
    for part in SOLUTION_PARTS:
        assert (part in text) is not hide, part


def test_a_gated_solution_across_sections_fails_the_student_build(tmp_path):
    cells = ["# Exercises", ":::{exercise}\n:label: ex-a\n\nA?\n:::",
             "## A section\n\n:::{solution-start} ex-a\n:::\n\nThe secret.",
             "## Another section\n\n:::{solution-end}\n:::"]
    text, log = small_book(tmp_path, cells)
    assert text is None and "has no solution-end after it" in log, log


# ---- in a browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def student_server(student):
    with serve(student) as url:
        yield url


@pytest.fixture(scope="module")
def book_server(student):
    with serve(BOOK) as url:
        yield url


PAGES = toc_documents()


@NEEDS_CHROMIUM
@pytest.mark.parametrize("docname", PAGES)
def test_student_page_renders_offline(docname, browser, student_server):  # noqa: F811
    shot = SCREENSHOTS / f"{docname}.png"
    problems = page_problems(browser, f"{student_server}/{docname}.html", docname, shot)
    assert not problems, f"{docname} (screenshot {shot}):\n" + "\n".join(problems)


# A solution that folds: its content has no height until its toggle button is pressed.
SOLUTIONS_FOLDED = """() => Array.from(document.querySelectorAll('div.solution')).map(div => {
    const content = div.querySelector('section');
    return {
        hidden: !content || content.getBoundingClientRect().height === 0,
        button: !!div.querySelector('button.toggle-button'),
    };
})"""


@NEEDS_CHROMIUM
@pytest.mark.parametrize("docname", CHAPTERS)
def test_solutions_are_closed_in_the_book(docname, browser, book_server):  # noqa: F811
    context, tab, _ = open_page(browser, f"{book_server}/{docname}.html")
    try:
        tab.wait_for_load_state("load", timeout=LOAD_TIMEOUT)
        folds = tab.evaluate(SOLUTIONS_FOLDED)
        opened = None
        if folds:
            tab.locator("div.solution button.toggle-button").first.click()
            tab.wait_for_timeout(500)
            opened = tab.evaluate(SOLUTIONS_FOLDED)[0]
    finally:
        context.close()
    if not folds:
        pytest.skip(f"{docname} has no solutions yet")
    open_ones = [k for k, fold in enumerate(folds, 1) if not (fold["hidden"] and fold["button"])]
    assert not open_ones, f"{docname}: solutions shown open: {open_ones}"
    assert not opened["hidden"], f"{docname}: the first solution does not open when clicked"
