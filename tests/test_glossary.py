"""The Korean–English glossary (``book/appendix_glossary.md``) and its chapter references.

Each row names the chapter that defines its term with the ``{chapter}`` role
(``book/_ext/chapter_links.py``): a link once the chapter is in ``_toc.yml``, its number in
plain text while it is being written. The tests list those references and check that they
are well formed and consistent, that the role links exactly the chapters of a table of
contents (on a small Sphinx project), and, when the book is built, that the glossary page
links every chapter of ``_toc.yml`` it names and no other.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from solutions import ROOT, toc_documents

GLOSSARY = ROOT / "book" / "appendix_glossary.md"
ROW = re.compile(r"^\| (?P<korean>[^|]+?) \| (?P<english>[^|]+?) \| (?P<chapter>[^|]+?) \|$", re.M)
ROLE = re.compile(r"^\{chapter\}`(?P<name>(?P<number>\d{2})_[a-z0-9_]+)`$")
TEXT = GLOSSARY.read_text(encoding="utf-8")
ROWS = [row.groupdict() for row in ROW.finditer(TEXT) if not row["korean"].startswith("한국어")]


def chapter_references():
    """(Korean term, chapter file name) of every row."""
    return [(row["korean"], ROLE.match(row["chapter"])) for row in ROWS]


def test_the_glossary_is_in_the_table_of_contents():
    assert "book/appendix_glossary" in toc_documents()


def test_rows_follow_the_korean_alphabet():
    korean = [row["korean"] for row in ROWS]
    assert len(korean) >= 50
    assert korean == sorted(korean), "sort the rows by their Korean term"
    assert len(set(korean)) == len(korean), "a term is listed twice"
    assert all(re.search("[\uac00-\ud7a3]", k) for k in korean), "a row without Korean"


def test_every_row_names_one_chapter_by_its_file():
    malformed = [korean for korean, role in chapter_references() if role is None]
    assert not malformed, f"rows whose last column is not one {{chapter}} role: {malformed}"
    names = {}
    for _, role in chapter_references():
        names.setdefault(role["number"], set()).add(role["name"])
    clashes = {number: sorted(found) for number, found in names.items() if len(found) > 1}
    assert not clashes, f"one chapter number, several file names: {clashes}"
    for number, (name,) in names.items():
        written = sorted(path.stem for path in (ROOT / "book").glob(f"{number}_*.ipynb"))
        assert not written or written == [name], f"chapter {number} is {written}, not {name}"


def test_list_the_chapter_references():
    """Which references are links now, and which wait for their chapter."""
    in_toc = set(toc_documents())
    linked, waiting = set(), set()
    for _, role in chapter_references():
        (linked if f"book/{role['name']}" in in_toc else waiting).add(role["name"])
    print("linked:", sorted(linked))
    print("plain text until the chapter is in _toc.yml:", sorted(waiting))
    assert linked, "no chapter of the glossary is in the table of contents"


SMALL_CONF = """
import sys
sys.path.insert(0, {ext!r})
extensions = ["myst_parser", "chapter_links"]
exclude_patterns = ["_build", "02_unwritten.md"]
"""


def test_the_role_links_only_the_chapters_being_built(tmp_path):
    (tmp_path / "conf.py").write_text(
        SMALL_CONF.format(ext=str(ROOT / "book" / "_ext")), encoding="utf-8"
    )
    (tmp_path / "index.md").write_text(
        "# Glossary\n\n```{toctree}\n01_written\n```\n\n"
        "| term | chapter |\n|---|---|\n| one | {chapter}`01_written` |\n"
        "| two | {chapter}`02_unwritten` |\n",
        encoding="utf-8",
    )
    (tmp_path / "01_written.md").write_text("# Written\n", encoding="utf-8")
    (tmp_path / "02_unwritten.md").write_text("# Not yet\n", encoding="utf-8")
    built = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(tmp_path),
         str(tmp_path / "_build")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert built.returncode == 0, built.stdout + built.stderr
    soup = BeautifulSoup((tmp_path / "_build" / "index.html").read_text(), "html.parser")
    cells = [row.find_all("td")[1] for row in soup.select("tbody tr")]
    assert cells[0].find("a")["href"] == "01_written.html" and cells[0].get_text() == "1"
    assert cells[1].find("a") is None and cells[1].get_text() == "2"


def test_the_built_glossary_links_the_chapters_of_the_toc():
    page = ROOT / "_build" / "html" / "book" / "appendix_glossary.html"
    if not page.exists():
        pytest.skip("the book is not built (make book)")
    if page.stat().st_mtime < max(GLOSSARY.stat().st_mtime, (ROOT / "_toc.yml").stat().st_mtime):
        pytest.skip("the built glossary is older than its source or _toc.yml (make book)")
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    rows = soup.select("tbody tr")
    assert len(rows) == len(ROWS)
    in_toc = set(toc_documents())
    for (korean, role), row in zip(chapter_references(), rows, strict=True):
        cell = row.find_all("td")[2]
        link = cell.find("a")
        assert cell.get_text().strip() == str(int(role["number"])), korean
        if f"book/{role['name']}" in in_toc:
            assert link is not None and Path(link["href"]).stem == role["name"], korean
        else:
            assert link is None, korean
