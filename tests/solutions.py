"""The exercises and solutions of the chapters, read from the notebooks, for the tests.

A chapter writes an exercise with sphinx-exercise's ``exercise`` directive and its solution
either with ``solution`` (text only) or, when it holds code, with the gated directives
``solution-start`` ... ``solution-end``, with markdown and code cells between them. The
tests of the student build and of the slides use what is read here to check that no solution
reaches a student page or a slide, and that every exercise does.

A *probe* is a piece of text that appears verbatim in the rendered page: the longest run of
plain words in a solution's first paragraph (formulas, code and markup cut it into pieces,
since the page renders them differently), or the longest line of a code cell.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^[ \t]*(?P<fence>:{3,}|`{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<args>.*)$")
OPTION = re.compile(r"^[ \t]*:(?P<key>[\w-]+):[ \t]*(?P<value>.*)$")
# What a rendered page writes differently from the source: formulas, code, markup, links,
# and the characters Sphinx's smart quotes replace.
MARKUP = re.compile(r"[$`*_{}\[\]()<>|\\\"'~^#]|--|\.\.\.")
MIN_WORDS = 4


@dataclass
class Exercise:
    label: str
    title: str
    text: str


@dataclass
class Solution:
    exercise: str
    text: str = ""
    code: list = field(default_factory=list)  # (cell index, source) of its code cells
    cells: list = field(default_factory=list)  # indices of every cell that is only solution


def toc_documents(toc=ROOT / "_toc.yml"):
    """Every document of the table of contents, in its order."""

    def walk(node):
        if isinstance(node, dict):
            found = [node["root"]] if "root" in node else []
            found += [node["file"]] if "file" in node else []
            return found + [doc for value in node.values() for doc in walk(value)]
        if isinstance(node, list):
            return [doc for item in node for doc in walk(item)]
        return []

    return walk(yaml.safe_load(toc.read_text(encoding="utf-8")))


def chapter_notebooks():
    """The chapter notebooks of the table of contents: docnames such as book/01_...

    Appendices (``book/appendix_*``) are notebooks too, but neither lectures nor exercises.
    """
    return [doc for doc in toc_documents() if (ROOT / f"{doc}.ipynb").exists()
            and re.match(r"\d\d_", doc.rsplit("/", 1)[-1])]


def load(docname, executed=False):
    folder = ROOT / "_build" / "jupyter_execute" if executed else ROOT
    return json.loads((folder / f"{docname}.ipynb").read_text(encoding="utf-8"))


def source(cell):
    """The text of a cell (its source) or of an output (its text)."""
    text = cell["source"] if "source" in cell else cell["text"]
    return "".join(text) if isinstance(text, list) else text


def directive_blocks(lines):
    """(name, args, options, body lines, first line, last line) of each directive fence."""
    blocks, i = [], 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].strip() != fence["fence"]:
            end += 1
        body, options = lines[i + 1 : end], {}
        while body and OPTION.match(body[0]):
            found = OPTION.match(body[0])
            options[found["key"]] = found["value"].strip()
            body = body[1:]
        blocks.append((fence["name"], fence["args"].strip(), options, body, i, end))
        i = end + 1
    return blocks


def exercises_and_solutions(nb):
    """The exercises and the solutions of a notebook, in order."""
    exercises, solutions, current = [], [], None
    for index, cell in enumerate(nb["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "code":
            if current is not None:
                current.cells.append(index)
                if "remove-cell" not in tags:
                    current.code.append((index, source(cell)))
            continue
        if cell["cell_type"] != "markdown":
            continue
        lines = source(cell).splitlines()
        blocks = directive_blocks(lines)
        starts_inside = current is not None
        position = 0
        for name, args, options, body, first, last in blocks:
            if current is not None:
                current.text += "\n".join(lines[position:first]) + "\n"
            if name in ("exercise", "exercise-start"):
                exercises.append(Exercise(options.get("label", ""), args, "\n".join(body)))
            elif name == "solution":
                solutions.append(Solution(args, text="\n".join(body)))
            elif name == "solution-start":
                current = Solution(args)
            elif name == "solution-end" and current is not None:
                solutions.append(current)
                current = None
            position = last + 1
        if current is not None:
            current.text += "\n".join(lines[position:]) + "\n"
            if starts_inside and not blocks:
                current.cells.append(index)
    return exercises, solutions


def words(text):
    return re.sub(r"\s+", " ", text).strip()


def text_probe(text):
    """The longest run of plain words in the first paragraph that has one (or None)."""
    for paragraph in re.split(r"\n\s*\n", text):
        pieces = [words(piece) for piece in MARKUP.split(paragraph)]
        pieces = [p.strip(" ,.;:") for p in pieces if len(p.split()) >= MIN_WORDS]
        if pieces:
            return max(pieces, key=len)
    return None


def code_probes(code):
    """The longest line of each code cell."""
    probes = []
    for _, text in code:
        lines = [words(line) for line in text.splitlines() if len(line.strip()) >= 12]
        if lines:
            probes.append(max(lines, key=len))
    return probes
