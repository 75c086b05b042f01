"""The chapters are stored as contributors must store them.

- without outputs or execution counts (the book build executes them);
- with the Colab setup cell first, hidden in the HTML, installing ``lib`` from the
  repository named in ``_config.yml``;
- every chapter in the table of contents exists, and every notebook is in it.
"""

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))


def toc_files(node):
    """Every ``file:`` entry of the table of contents, recursively."""
    if isinstance(node, dict):
        found = [node["file"]] if "file" in node else []
        if "root" in node:
            found.append(node["root"])
        for value in node.values():
            found += toc_files(value)
        return found
    if isinstance(node, list):
        return [f for item in node for f in toc_files(item)]
    return []


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    text = cell["source"]
    return "".join(text) if isinstance(text, list) else text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    nb = load(path)
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name} is stored with outputs or execution counts in cells {dirty}; "
        "strip them (pre-commit install, or: nbstripout book/*.ipynb)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_is_the_colab_setup(path):
    first = load(path)["cells"][0]
    text = source(first)
    url = CONFIG["repository"]["url"]
    assert first["cell_type"] == "code", f"{path.name}: the first cell must be the setup cell"
    assert "google.colab" in text, f"{path.name}: the setup cell must test for Colab"
    assert f"git+{url}" in text, (
        f"{path.name}: the setup cell must install lib from {url} (_config.yml repository.url)"
    )
    tags = first.get("metadata", {}).get("tags", [])
    assert "remove-cell" in tags, f"{path.name}: tag the setup cell 'remove-cell'"


def test_table_of_contents_matches_the_book_folder():
    listed = set(toc_files(TOC))
    for entry in listed:
        matches = list(ROOT.glob(entry + ".*"))
        assert matches, f"_toc.yml lists {entry}, which does not exist"
    for path in NOTEBOOKS:
        entry = str(path.relative_to(ROOT).with_suffix(""))
        assert entry in listed, f"{path.name} is not in _toc.yml"
    assert "book/intro" in listed
