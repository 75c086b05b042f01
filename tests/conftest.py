"""Shared pytest configuration.

nbval executes the chapters through a kernel client that can miss a reply when a cell
displays Output widgets; ``book/_ext/execution_guard.py`` (also used by the book build)
makes it wait in short slices instead.
"""

import runpy
from pathlib import Path

import matplotlib

ROOT = Path(__file__).resolve().parent.parent

# Unit tests draw off-screen.
matplotlib.use("Agg")


runpy.run_path(str(ROOT / "book" / "_ext" / "execution_guard.py"))["patch_nbval"]()
