"""Shared pytest configuration.

nbval executes the chapters through a kernel client that can miss a reply when a cell
displays Output widgets; ``book/_ext/execution_guard.py`` (also used by the book build)
makes it wait in short slices instead.
"""

import importlib.util
from pathlib import Path

import matplotlib

ROOT = Path(__file__).resolve().parent.parent

# Unit tests draw off-screen.
matplotlib.use("Agg")


def _load_execution_guard():
    path = ROOT / "book" / "_ext" / "execution_guard.py"
    spec = importlib.util.spec_from_file_location("execution_guard", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_load_execution_guard().patch_nbval()
