"""The book's API reference (book/api.md) covers every module of lib."""

import pkgutil
import re
from pathlib import Path

import lib

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_of_lib_is_in_the_reference():
    page = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\.\. automodule:: (\S+)$", page, re.M))
    modules = {info.name for info in pkgutil.walk_packages(lib.__path__, "lib.")}
    missing = sorted(modules - documented)
    assert not missing, f"book/api.md has no automodule for: {missing}"
    assert documented <= modules | {"lib"}, sorted(documented - modules)
