"""Shared pytest configuration.

nbval executes the chapters through a kernel client that can miss a reply when a cell
displays Output widgets; ``book/_ext/execution_guard.py`` (also used by the book build)
makes it wait in short slices instead.
"""

import runpy
from pathlib import Path

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parent.parent

# Unit tests draw off-screen.
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)


@pytest.fixture(autouse=True)
def close_figures():
    """Close the figures a test drew, so that none outlives it."""
    yield
    plt.close("all")


runpy.run_path(str(ROOT / "book" / "_ext" / "execution_guard.py"))["patch_nbval"]()
