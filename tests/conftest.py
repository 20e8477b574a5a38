"""Shared fixtures. footprint's Brightway data goes to a fresh folder for every test session,
so tests never touch a developer's own data and never depend on what was built by hand."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="footprint-tests-"))
os.environ["FOOTPRINT_DATA_DIR"] = str(_SESSION_DIR)
os.environ.setdefault("TQDM_DISABLE", "1")

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=r"[\s\S]*pypardiso")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = REPO / "inventories" / "examples"
TINY_BACKGROUND = DATA / "tiny_background"
TINY_STUDY = DATA / "tiny_study.toml"


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def tiny_background():
    """The tiny test background, built into its own Brightway project (pass it to `assess`)."""
    from footprint.background import open_background

    return open_background(starter_folder=TINY_BACKGROUND)


@pytest.fixture(scope="session")
def starter_background():
    from footprint.background import open_background

    return open_background()


def edit_study(tmp_path: Path, source: Path, replacements: list[tuple[str, str]], name: str = "study.toml") -> Path:
    """Copy a study with textual edits (each must apply exactly once)."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"edit {old!r} applies {text.count(old)} times"
        text = text.replace(old, new)
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target
