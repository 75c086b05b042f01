r"""The conventions every source file and every docstring of ``lib`` follows.

* No control characters in sources and notebooks: a ``\t`` typed where ``\text`` was
  meant in a non-raw docstring becomes a TAB, ``\a`` a BEL; both render as garbage.
* A docstring with a backslash is a raw string, so that ``\frac`` stays ``\frac``.
* One maths markup in docstrings: ``:math:`` and ``.. math::`` (reStructuredText, as Sphinx
  renders the API reference), never ``$...$``.
* Every public function and class of ``lib`` has a docstring.
"""

import ast
import importlib
import inspect
import io
import json
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "lib"

# Any C0 control character except the newline, and DEL: a TAB is refused too (indent with
# spaces), and so is a carriage return.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f]")


def _sources():
    """Every Python source file of the project (not the virtual environment or builds)."""
    files = [p for folder in ("lib", "tests", "benchmarks", "book/_ext")
             for p in (ROOT / folder).rglob("*.py")]
    return sorted(files + list(ROOT.glob("*.py")))


def _notebooks():
    return sorted((ROOT / "book").glob("*.ipynb"))


def _control_characters(text):
    """``(line number, character)`` of every control character in ``text``."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        found += [(number, m.group()) for m in CONTROL.finditer(line)]
    return found


def _where(path):
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", _sources(), ids=_where)
def test_no_control_characters_in_sources(path):
    text = path.read_bytes().decode("utf-8")
    found = [f"{_where(path)}:{line}: {char!r}" for line, char in _control_characters(text)]
    assert not found, "control characters (indent with spaces, no TABs):\n" + "\n".join(found)


@pytest.mark.parametrize("path", _notebooks(), ids=_where)
def test_no_control_characters_in_notebooks(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(notebook["cells"]):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        found += [f"{_where(path)}, cell {index}, line {line}: {char!r}"
                  for line, char in _control_characters(source)]
    assert not found, "control characters in notebook cells:\n" + "\n".join(found)


# ---- docstrings -------------------------------------------------------------------------------


def _lib_files():
    return sorted(LIB.rglob("*.py"))


def _module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_string(stmt):
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str))


def _docstring_nodes(tree):
    """``(object name, string node)`` for every docstring of a module.

    Docstrings are the first statement of a module, class or function, and, at module or
    class level, a string right after an assignment (an attribute's docstring, as Sphinx
    reads it).
    """
    found = []
    scopes = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)

    def visit(node, name):
        body = node.body
        if body and _is_string(body[0]):
            found.append((name or "(module)", body[0].value))
        for before, stmt in ((body[i - 1], body[i]) for i in range(1, len(body))):
            if (_is_string(stmt) and isinstance(before, (ast.Assign, ast.AnnAssign))
                    and not isinstance(node, scopes[1:])):
                target = before.targets[0] if isinstance(before, ast.Assign) else before.target
                found.append((f"{name}.{ast.unparse(target)}".lstrip("."), stmt.value))
        for stmt in body:
            if isinstance(stmt, scopes):
                visit(stmt, f"{name}.{stmt.name}".lstrip("."))

    visit(tree, "")
    return found


def _docstrings_of(source, module):
    """``(module, object, string node, its string tokens as written)`` for every docstring."""
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type == tokenize.STRING]
    found = []
    for name, node in _docstring_nodes(ast.parse(source)):
        start, end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
        literal = [t.string for t in tokens if start <= t.start and t.end <= end]
        found.append((module, name, node, literal))
    return found


def _not_raw(literal):
    """Whether a docstring, as written, holds a backslash outside a raw string."""
    for token in literal:
        prefix = token[: len(token) - len(token.lstrip("rRbBuUfF"))]
        if "\\" in token and "r" not in prefix.lower():
            return True
    return False


DOCSTRINGS = [found for path in _lib_files()
              for found in _docstrings_of(path.read_text(encoding="utf-8"), _module_name(path))]


def test_the_checks_catch_what_they_are_for():
    source = (
        'r"""A module: \\alpha is fine here."""\n'
        "def f():\n"
        '    """Uses \\text{x} and $x$."""\n'
        "class C:\n"
        '    """Plain."""\n'
        "    y = 2\n"
        '    """About y: \\t."""\n'
    )
    found = {name: (node.value, literal) for _, name, node, literal in _docstrings_of(source, "m")}
    assert set(found) == {"(module)", "f", "C", "C.y"}
    assert sorted(name for name, (_, literal) in found.items() if _not_raw(literal)) == [
        "C.y", "f"]
    assert [name for name, (value, _) in found.items() if "$" in value] == ["f"]
    assert _control_characters("fine\n\tindented\x07\r") == [(2, "\t"), (2, "\x07"),
                                                                (2, "\r")]


def test_docstrings_are_found():
    modules = {module for module, *_ in DOCSTRINGS}
    assert {"lib.optimizers", "lib.layers", "lib.interactive.controls"} <= modules
    assert any(name == "Adam" for _, name, *_ in DOCSTRINGS)


def test_docstrings_with_a_backslash_are_raw_strings():
    bad = [f"{module}: {name}" for module, name, _, literal in DOCSTRINGS if _not_raw(literal)]
    assert not bad, "docstrings with a backslash that are not raw strings (r\"\"\"):\n" + "\n".join(
        bad
    )


def test_docstrings_use_rst_maths_not_dollars():
    bad = [f"{module}: {name}" for module, name, node, _ in DOCSTRINGS if "$" in node.value]
    assert not bad, "docstrings with $ (write :math:`...` or .. math:: instead):\n" + "\n".join(
        bad
    )


def _modules():
    names = [_module_name(path) for path in _lib_files()]
    return [importlib.import_module(name) for name in sorted(names)]


def _public_objects(module):
    """The module's own public functions and classes: those in ``__all__`` if it has one."""
    if hasattr(module, "__all__"):
        names = list(module.__all__)
    else:
        names = [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__:
            yield name, obj


def test_public_functions_and_classes_have_docstrings():
    # Read from the source: a dataclass or a NamedTuple without a docstring gets a generated
    # ``__doc__`` ("History(loss, ...)"), which documents nothing.
    written = {(module, name) for module, name, node, _ in DOCSTRINGS if node.value.strip()}
    missing = [f"{module.__name__}.{name}" for module in _modules()
               for name, obj in _public_objects(module)
               if (module.__name__, obj.__qualname__) not in written]
    assert not missing, "public functions and classes without a docstring:\n" + "\n".join(missing)


def test_every_module_has_a_docstring():
    missing = [module.__name__ for module in _modules() if not (module.__doc__ or "").strip()]
    assert not missing, "modules without a docstring: " + ", ".join(missing)
