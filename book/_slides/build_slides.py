"""Lecture slides: every chapter of the table of contents as a reveal.js deck.

``make slides`` runs this after ``make book``. For each chapter notebook listed in
``_toc.yml`` it takes the notebook as the book build executed it
(``_build/jupyter_execute/``, so nothing is executed twice), turns the book's MyST markup into
what a slide can show, and renders it with nbconvert's slides exporter and the template in
``templates/book_reveal``, into ``_build/slides/<chapter>.html``. reveal.js, MathJax,
RequireJS and the Jupyter widgets HTML manager are copied beside the decks, from the versions
``package-lock.json`` pins, so that the decks work offline.

What goes on which slide is the ``slideshow`` metadata of each cell (``slide``, ``subslide``,
``fragment``, ``-``, ``notes``, ``skip``), as in Jupyter's own slide show. On top of that:

- cells tagged ``remove-cell`` (hidden in the book) and the solutions of the exercises (from
  ``solution-start`` to ``solution-end``) never reach a slide;
- a markdown cell shows its headings, display formulas, lists, tables, code and exercises; its
  paragraphs and admonitions go to the speaker notes (press S in a deck). A cell that has
  nothing else shows its paragraphs;
- a code cell longer than ``LONG_CODE`` lines (``LONG_FIGURE_CODE`` if it draws a figure, an
  explorer or an animation) shows its outputs without its code;
- a figure's caption (``mystnb.figure.caption``) is shown under it, numbered as in the book;
- equations, figures and exercises carry the numbers the book gives them (through the whole
  book, from Sphinx's environment of ``make book``), and so do references to them
  (``{eq}``, ``{numref}``, ``{ref}``); ``{py:...}`` roles show the names they show in the book;
- a chapter that marks no slide (no ``slide`` or ``subslide`` after its title) still gets a
  deck: a slide per ``##`` section, a subslide per ``###`` section and per figure or explorer
  (its ``skip`` and ``notes`` marks are kept).
"""

import argparse
import copy
import pickle
import re
import shutil
import sys
from pathlib import Path

import nbformat
from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from nbconvert import SlidesExporter
from sphinx_external_toc.parsing import parse_toc_yaml
from traitlets.config import Config

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXECUTED = ROOT / "_build" / "jupyter_execute"
ENVIRONMENT = ROOT / "_build" / ".doctrees" / "environment.pickle"
OUTPUT = ROOT / "_build" / "slides"
ASSETS = ROOT / "_build" / "assets"
NODE_MODULES = ROOT / "node_modules"

#: Code cells with more lines than this show only their outputs on a slide; code that draws a
#: figure or an explorer, if it has more than ``LONG_FIGURE_CODE`` lines.
LONG_CODE = 16
LONG_FIGURE_CODE = 4
#: Slide size in CSS pixels; reveal.js scales it to the screen.
WIDTH, HEIGHT = 1280, 800
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "notes", "skip"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

MARKDOWN = (
    MarkdownIt("commonmark")
    .enable("table")
    .use(dollarmath_plugin, allow_labels=True)
    .use(colon_fence_plugin)
)
#: Directives shown on a slide; every other one (admonitions) goes to the speaker notes.
SHOWN_DIRECTIVES = {"exercise", "exercise-start", "figure", "math"}

FENCE = re.compile(r"^[ \t]*(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:-]+)\}[ \t]*(?P<args>.*)$")
OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
TARGET = re.compile(r"^\([\w.:-]+\)=[ \t]*\n?", re.M)
LABELLED_MATH = re.compile(r"\$\$(?P<body>.+?)\$\$[ \t]*\((?P<label>[^()\s]+)\)", re.S)
ROLE = re.compile(r"\{(?P<role>[\w:+-]+)\}`(?P<content>[^`]*)`")
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)
LOCAL_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?!https?:|mailto:|#)[^)]*\)")


#: A chapter's file name: two digits, an underscore, a name (the design fixes them).
CHAPTER_FILE = re.compile(r"^(?P<number>\d\d)_[\w-]+$")

# ---- which chapters, which notebooks ---------------------------------------------------------


def chapters(toc=ROOT / "_toc.yml"):
    """The chapters of the table of contents, in its order: its notebooks named ``NN_name``.

    Appendices are notebooks too, but reference pages, not lectures: they get no deck.
    """
    return [doc for doc in parse_toc_yaml(toc) if (ROOT / f"{doc}.ipynb").exists()
            and CHAPTER_FILE.match(doc.rsplit("/", 1)[-1])]


def executed_notebook(docname):
    """The chapter as the book build executed it, with the slide marks of its source."""
    source = nbformat.read(ROOT / f"{docname}.ipynb", as_version=4)
    path = EXECUTED / f"{docname}.ipynb"
    if not path.exists():
        sys.exit(f"{path.relative_to(ROOT)} is missing: run `make book` first")
    executed = nbformat.read(path, as_version=4)
    same = len(source.cells) == len(executed.cells) and all(
        a.cell_type == b.cell_type and a.source == b.source
        for a, b in zip(source.cells, executed.cells, strict=True)
    )
    if not same:
        sys.exit(f"{path.relative_to(ROOT)} is older than {docname}.ipynb: run `make book` first")
    for a, b in zip(source.cells, executed.cells, strict=True):
        b.metadata.pop("slideshow", None)
        if "slideshow" in a.metadata:
            b.metadata["slideshow"] = copy.deepcopy(a.metadata["slideshow"])
    return executed


def slide_type(cell):
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


# ---- numbers, as the book gives them ---------------------------------------------------------

#: How the book writes the number of an equation, a figure and an exercise.
NUMBER_FORMS = {"displaymath": "({})", "figure": "Fig. {}", "exercise": "Exercise {}"}


def book_numbers(docname, environment=ENVIRONMENT):
    """Label -> the number the built book gives it, or None if the book has not numbered it.

    The book numbers equations, figures and exercises through the whole book, in the order
    of the table of contents; Sphinx's environment of the last ``make book`` holds them.
    """
    try:
        with environment.open("rb") as stream:
            numbered = pickle.load(stream).toc_fignumbers[docname]
    except (OSError, EOFError, KeyError, AttributeError, ImportError, pickle.UnpicklingError):
        return None
    numbers = {}
    for kind, form in NUMBER_FORMS.items():
        for ident, number in numbered.get(kind, {}).items():
            label = ident.removeprefix("equation-") if kind == "displaymath" else ident
            numbers[label] = form.format(".".join(str(n) for n in number))
    return numbers


def numbering(nb):
    """Label -> number, counted in the notebook alone (when the book has not numbered it)."""
    numbers, equations, figures, exercises = {}, 0, 0, 0
    for cell in nb.cells:
        if cell.cell_type == "code":
            name = cell.metadata.get("mystnb", {}).get("figure", {}).get("name")
            if name:
                figures += 1
                numbers[name] = NUMBER_FORMS["figure"].format(figures)
            continue
        if cell.cell_type != "markdown":
            continue
        for token in MARKDOWN.parse(cell.source):
            if token.type == "math_block_label":
                equations += 1
                numbers[token.info] = NUMBER_FORMS["displaymath"].format(equations)
        lines = cell.source.splitlines()
        for i, line in enumerate(lines):
            fence = FENCE.match(line)
            if fence and fence["name"] in ("exercise", "exercise-start"):
                exercises += 1
                for option in lines[i + 1 :]:
                    found = OPTION.match(option)
                    if not found:
                        break
                    if found["key"] == "label":
                        numbers[found["value"].strip()] = NUMBER_FORMS["exercise"].format(exercises)
    return numbers


# ---- MyST markup -> Markdown that nbconvert and MathJax show ---------------------------------


def replace_role(match, numbers):
    role, content = match["role"], match["content"]
    explicit = EXPLICIT.match(content)
    text, target = (explicit["text"], explicit["target"]) if explicit else (None, content)
    if role == "math":
        return f"${content}$"
    if role in ("eq", "numref", "ref"):
        number = numbers.get(target)
        if text and number and "%s" in text:
            return text.replace("%s", number.split()[-1].strip("()"))
        return text or number or target
    if role == "chapter":  # {chapter}`05_initialization`: "chapter 5", as the book shows it
        found = CHAPTER_FILE.match(target.rsplit("/", 1)[-1])
        return f"chapter {int(found['number'])}" if found else target
    if role.startswith("py:"):
        name = target.lstrip("~.")
        shown = text or (name.rsplit(".", 1)[-1] if target.startswith("~") else name)
        if role in ("py:func", "py:meth") and not text:
            shown += "()"
        return f"`{shown}`"
    return text or target


def convert_directives(lines, numbers):
    """Directive fences as block quotes with a bold title; solutions left out."""
    out, i = [], 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            out.append(lines[i])
            i += 1
            continue
        marker, name, args = fence["fence"], fence["name"], fence["args"].strip()
        end = i + 1
        while end < len(lines) and lines[end].strip() != marker:
            end += 1
        body, options = lines[i + 1 : end], {}
        while body and OPTION.match(body[0]):
            found = OPTION.match(body[0])
            options[found["key"]] = found["value"].strip()
            body = body[1:]
        i = end + 1
        if name.startswith("solution") or name.endswith("-end"):
            continue
        if name in ("exercise", "exercise-start"):
            title = f"**{numbers.get(options.get('label'), 'Exercise')}** {args}".strip()
        elif name == "admonition":
            title = f"**{args}**"
        else:
            title = f"**{name.capitalize()}** {args}".strip()
        inner = convert_directives(body, numbers)
        while inner and not inner[0].strip():
            inner = inner[1:]
        out += [f"> {title}", ">"] + [f"> {line}".rstrip() for line in inner]
    return out


def to_markdown(text, numbers):
    """The MyST of a markdown cell as plain Markdown with numbered equations."""
    text = TARGET.sub("", text)

    def tag(match):
        number = numbers.get(match["label"], "").strip("()")
        return f"$${match['body'].rstrip()} \\tag{{{number}}}\n$$" if number else match[0]

    text = LABELLED_MATH.sub(tag, text)
    text = ROLE.sub(lambda m: replace_role(m, numbers), text)
    text = LOCAL_LINK.sub(lambda m: m["text"], text)
    return "\n".join(convert_directives(text.splitlines(), numbers)).strip()


def split_prose(text):
    """(shown, notes) of a cell's MyST: what a slide shows, what goes to the speaker notes.

    Paragraphs and admonitions are notes; headings, display formulas, lists, tables, code
    and exercises are shown. A cell with nothing to show keeps everything on the slide.
    """
    lines = text.splitlines()
    shown, notes = [], []
    for token in MARKDOWN.parse(text):
        if token.level != 0 or token.map is None or token.nesting == -1:
            continue
        block = "\n".join(lines[token.map[0] : token.map[1]])
        directive = re.match(r"\{([\w:-]+)\}", token.info or "")
        prose = token.type == "paragraph_open" or (
            token.type in ("colon_fence", "fence")
            and directive is not None
            and directive[1] not in SHOWN_DIRECTIVES
        )
        (notes if prose else shown).append(block)
    if not shown:
        return text, ""
    return "\n\n".join(shown), "\n\n".join(notes)


# ---- the notebook, prepared for the exporter ---------------------------------------------------


def without_solutions(cells):
    """The cells less the solutions: everything from solution-start to solution-end."""
    kept, inside = [], False
    for cell in cells:
        if cell.cell_type != "markdown":
            if not inside:
                kept.append(cell)
            continue
        lines, keep, i = cell.source.splitlines(), [], 0
        while i < len(lines):
            fence = FENCE.match(lines[i])
            if fence and fence["name"] in ("solution-start", "solution-end"):
                end = i + 1
                while end < len(lines) and lines[end].strip() != fence["fence"]:
                    end += 1
                inside = fence["name"] == "solution-start"
                i = end + 1
                continue
            if not inside:
                keep.append(lines[i])
            i += 1
        if any(line.strip() for line in keep):
            cell = copy.deepcopy(cell)
            cell.source = "\n".join(keep).strip()
            kept.append(cell)
    return kept


def marked(cells):
    """Whether a chapter has slide marks: a ``slide`` or ``subslide`` after its first cell."""
    shown = [c for c in cells if "remove-cell" not in c.metadata.get("tags", [])]
    return any(slide_type(cell) in ("slide", "subslide") for cell in shown[1:])


def default_marks(cells):
    """Slide marks for a chapter that has none: sections, subsections, figures, explorers.

    The ``skip`` and ``notes`` marks the chapter has are kept.
    """
    for cell in cells:
        if slide_type(cell) in ("skip", "notes"):
            continue
        kind = "-"
        if cell.cell_type == "markdown":
            first = cell.source.lstrip().split("\n", 1)[0]
            if re.match(r"#{1,2} ", first):
                kind = "slide"
            elif first.startswith("### "):
                kind = "subslide"
        elif any(
            "image/png" in out.get("data", {}) or WIDGET_VIEW in out.get("data", {})
            for out in cell.get("outputs", [])
        ):
            kind = "subslide"
        cell.metadata["slideshow"] = {"slide_type": kind}


def markdown_cell(source, kind, tags=()):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.metadata["slideshow"] = {"slide_type": kind}
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def prepare(nb, numbers=None):
    """The executed chapter as its slides show it (see the module's docstring).

    ``numbers`` maps labels to the numbers of equations, figures and exercises (the book's,
    from ``book_numbers``); by default they are counted in the notebook.
    """
    nb = copy.deepcopy(nb)
    numbers = numbering(nb) if numbers is None else numbers
    cells = [c for c in nb.cells if "remove-cell" not in c.metadata.get("tags", [])]
    if not marked(cells):
        default_marks(cells)
    cells = [c for c in without_solutions(cells) if slide_type(c) != "skip"]
    prepared = []
    for cell in cells:
        kind = slide_type(cell)
        if kind not in SLIDE_TYPES:
            raise ValueError(f"unknown slide_type {kind!r} in cell {cell.get('id')}")
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown":
            shown, notes = (cell.source, "") if kind == "notes" else split_prose(cell.source)
            cell.source = to_markdown(shown, numbers)
            prepared.append(cell)
            if notes:
                prepared.append(markdown_cell(to_markdown(notes, numbers), "notes"))
            continue
        if cell.cell_type != "code":
            continue
        drawn = any(
            key in out.get("data", {})
            for out in cell.get("outputs", [])
            for key in ("image/png", "image/svg+xml", "text/html", WIDGET_VIEW)
        )
        too_long = LONG_FIGURE_CODE if drawn else LONG_CODE
        if "remove-input" in tags or len(cell.source.splitlines()) > too_long:
            cell.metadata["transient"] = {"remove_source": True}
        if "remove-output" in tags:
            cell.outputs = []
        prepared.append(cell)
        caption = cell.metadata.get("mystnb", {}).get("figure", {})
        if caption.get("caption") and kind != "notes":
            label = numbers.get(caption.get("name"), "Fig.")
            text = to_markdown(f"*{label}.* {caption['caption']}", numbers)
            prepared.append(markdown_cell(text, "-", tags=["slides-caption"]))
    nb.cells = prepared
    return nb


def count_slides(nb):
    """(horizontal slides, all slides): what reveal.js numbers."""
    kinds = [slide_type(c) for c in nb.cells if slide_type(c) not in ("notes", "skip")]
    if kinds:
        kinds[0] = "slide"
    return kinds.count("slide"), kinds.count("slide") + kinds.count("subslide")


# ---- the decks ------------------------------------------------------------------------------


def exporter():
    config = Config()
    config.TemplateExporter.extra_template_basedirs = [str(HERE / "templates")]
    config.SlidesExporter.template_name = "book_reveal"
    config.SlidesExporter.reveal_url_prefix = "_static/reveal.js"
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.reveal_transition = "slide"
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.reveal_width = str(WIDTH)
    config.SlidesExporter.reveal_height = str(HEIGHT)
    config.SlidesExporter.require_js_url = "_static/requirejs/require.js"
    config.SlidesExporter.mathjax_url = "_static/mathjax/tex-mml-chtml.js"
    config.SlidesExporter.widget_renderer_url = "_static/html-manager/embed-amd.js"
    config.SlidesExporter.exclude_input_prompt = True
    config.SlidesExporter.exclude_output_prompt = True
    config.SlidesExporter.exclude_anchor_links = True
    return SlidesExporter(config=config)


def copy_assets(output):
    """reveal.js, MathJax, RequireJS, the widget manager and the book's CSS, beside the decks."""
    static = output / "_static"
    missing = [p for p in (ASSETS / ".copied", NODE_MODULES / "reveal.js") if not p.exists()]
    if missing:
        sys.exit(f"missing {', '.join(map(str, missing))}: run `make book` first (it needs npm)")
    for name in ("mathjax", "requirejs", "html-manager"):
        shutil.copytree(ASSETS / name, static / name, dirs_exist_ok=True)
    reveal = NODE_MODULES / "reveal.js"
    for part in ("dist", "plugin/notes"):
        shutil.copytree(reveal / part, static / "reveal.js" / part, dirs_exist_ok=True)
    shutil.copy2(reveal / "LICENSE", static / "reveal.js" / "LICENSE")
    for path in (ROOT / "book/_static/widgets.js", ROOT / "book/_static/widgets.css",
                 HERE / "slides.css"):
        shutil.copy2(path, static / path.name)


def write_index(output, decks):
    items = "\n".join(
        f'  <li><a href="{name}.html">{title}</a> ({slides} slides)</li>'
        for name, title, slides in decks
    )
    output.joinpath("index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Lecture slides</title>\n</head>\n<body>\n<h1>Lecture slides</h1>\n"
        "<p>One deck per chapter. Press S in a deck for the speaker notes, F for full screen, "
        "Esc for the overview.</p>\n"
        f"<ul>\n{items}\n</ul>\n</body>\n</html>\n",
        encoding="utf-8",
    )


def title(nb, docname):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = re.search(r"^# (.+)$", cell.source, re.M)
            if found:
                return found[1].strip()
    return docname


def build(output=OUTPUT, docnames=None):
    """Write a deck per chapter into ``output``; return [(name, title, slides), ...]."""
    output.mkdir(parents=True, exist_ok=True)
    if not docnames:  # every chapter: a deck of a page that is no longer a chapter goes
        for deck in output.glob("*.html"):
            deck.unlink()
    copy_assets(output)
    slides_exporter = exporter()
    decks = []
    for docname in docnames or chapters():
        executed = executed_notebook(docname)
        numbers = book_numbers(docname)
        if numbers is None:
            print(f"{docname}: the book's numbers are not found; counting in the notebook")
        nb = prepare(executed, numbers)
        name = Path(docname).name
        resources = {
            "metadata": {"name": name},
            "slides": {"static": "_static"},
        }
        html, _ = slides_exporter.from_notebook_node(nb, resources=resources)
        (output / f"{name}.html").write_text(html, encoding="utf-8")
        horizontal, total = count_slides(nb)
        decks.append((name, title(nb, docname), total))
        print(f"{output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}/"
              f"{name}.html: {total} slides ({horizontal} across, "
              f"{total - horizontal} below them)")
    write_index(output, decks)
    return decks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("docnames", nargs="*", help="chapters, e.g. 01_gradient_descent "
                        "(default: every chapter notebook in _toc.yml)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    known = chapters()
    docnames = []
    for name in args.docnames:
        found = [doc for doc in known if name in (doc, Path(doc).name, Path(doc).stem)]
        if not found:
            parser.error(f"{name} is not a chapter notebook of _toc.yml: {known}")
        docnames += found
    build(args.output.resolve(), docnames)


if __name__ == "__main__":
    main()
