"""declaration.html and study.html in a real headless browser (Debian's chromium).

The pages are rendered, screenshotted and dumped as DOM; every figure carried in a data-value
attribute must equal the JSON, and the text shown must be that value rounded by
`footprint.declaration.format_value`. CI installs the browser with
`apt-get install -y chromium`; without /usr/bin/chromium these tests skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from footprint.declaration import format_value

from ._declaration_helpers import class_table, declare, example_params
from .conftest import TINY_STUDY

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium): apt-get install -y chromium"
)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Where the last screenshot is kept for people to look at (next to the test session's data).
SHOT_DIR = Path(os.environ.get("FOOTPRINT_SCREENSHOT_DIR", Path(os.environ["FOOTPRINT_DATA_DIR"]) / "screenshots"))


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
        capture_output=True, text=True, timeout=180, check=True,
    )


class Figures(HTMLParser):
    """Elements with data-value: their attributes and the text they show."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.figures: list[dict] = []
        self._open: list[tuple[str, dict]] = []
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if "data-value" in attrs or attrs.get("data-role") == "class":
            self._open.append((tag, {**attrs, "text": ""}))

    def handle_data(self, data):
        for _, attrs in self._open:
            attrs["text"] += data

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            _, attrs = self._open.pop()
            attrs["text"] = " ".join(attrs["text"].split())
            self.figures.append(attrs)


def rendered(page: Path, tmp_path: Path, name: str) -> tuple[Figures, Path]:
    """Screenshot and DOM of a page as Chromium renders it."""
    shot = tmp_path / f"{name}.png"
    chromium(page, tmp_path / f"profile-{name}-shot", f"--screenshot={shot}", "--window-size=1200,1600")
    assert shot.is_file() and shot.stat().st_size > 20_000, "the screenshot is empty"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    SHOT_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SHOT_DIR / shot.name)
    dom = chromium(page, tmp_path / f"profile-{name}-dom", "--dump-dom").stdout
    assert "</html>" in dom
    parser = Figures()
    parser.feed(dom)
    return parser, shot


def check_declaration_page(out: Path, tmp_path: Path, name: str) -> Figures:
    data = json.loads((out / "declaration.json").read_text())
    figures, _ = rendered(out / "declaration.html", tmp_path, name)
    declared = {c["category"]: c for c in data["footprint"]["categories"]}

    headline = [f for f in figures.figures if f.get("data-role") == "headline"]
    assert len(headline) == 1
    climate = data["footprint"]["categories"][0]
    assert headline[0]["data-category"] == climate["category"] == "climate change"
    assert float(headline[0]["data-value"]) == climate["value"]
    assert headline[0]["text"] == format_value(climate["value"])

    rows = [f for f in figures.figures if "data-category" in f and "data-unit" in f]
    assert [r["data-category"] for r in rows] == list(declared)
    for row in rows:
        category = declared[row["data-category"]]
        assert float(row["data-value"]) == category["value"]
        assert row["text"] == format_value(category["value"])
        assert row["data-unit"] == category["unit"]

    bars = [f for f in figures.figures if "data-stage" in f]
    assert {b["data-stage"]: float(b["data-value"]) for b in bars} == climate["by_stage"]
    for bar in bars:
        assert format_value(float(bar["data-value"])) in bar["text"]

    pc = data["performance_class"]
    shown = [f for f in figures.figures if f.get("data-role") == "class"]
    assert len(shown) == 1 and shown[0]["data-class"] == (pc["label"] or "")
    assert shown[0]["data-assigned"] == ("true" if pc["assigned"] else "false")
    current = [attrs for tag, attrs in figures.elements if tag == "li" and attrs.get("aria-current") == "true"]
    assert [c["data-class-letter"] for c in current] == ([pc["label"]] if pc["assigned"] else [])

    links = [attrs for tag, attrs in figures.elements if tag == "a" and attrs.get("data-role") == "public-study"]
    assert [l["href"] for l in links] == [data["public_study"]["url"]]
    countries = [attrs["data-country"] for tag, attrs in figures.elements if "data-country" in attrs]
    assert countries == [o["country"] for o in data["origin"]]
    return figures


@pytest.fixture(scope="module")
def tiny_pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    results, _, _ = declare(TINY_STUDY, out)
    return out, results


def test_declaration_page_figures_equal_the_json(tiny_pages, tmp_path):
    out, _ = tiny_pages
    check_declaration_page(out, tmp_path, "declaration")


def test_declaration_page_with_a_class(tiny_pages, tmp_path):
    _, results = tiny_pages
    climate = results.category("climate change").value
    declare(TINY_STUDY, tmp_path / "classed", class_table=class_table("lithium-carbonate", [climate * f for f in (0.3, 0.6, 0.9, 1.2, 1.5, 1.8)]))
    check_declaration_page(tmp_path / "classed", tmp_path, "declaration-classed")
    assert json.loads((tmp_path / "classed" / "declaration.json").read_text())["performance_class"]["label"] == "D"


def test_public_study_page_figures_equal_the_results(tiny_pages, tmp_path):
    out, results = tiny_pages
    figures, _ = rendered(out / "study.html", tmp_path, "study")
    totals = {f["data-category"]: f for f in figures.figures if "data-category" in f and "data-stage" not in f}
    assert set(totals) == {c.category for c in results.categories}
    for result in results.categories:
        assert float(totals[result.category]["data-value"]) == result.value
        assert totals[result.category]["text"] == format_value(result.value)
    stage_cells = [f for f in figures.figures if "data-stage" in f]
    assert len(stage_cells) == len(results.categories) * len(results.stages)


def test_page_prints_to_pdf(tiny_pages, tmp_path):
    from footprint.declaration import write_study_pdf

    out, _ = tiny_pages
    pdf = write_study_pdf(out / "study.html", tmp_path / "study.pdf")
    assert pdf is not None and pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


@pytest.mark.parametrize("example", example_params())
def test_example_declaration_pages_render(tmp_path, example: Path):
    declare(example, tmp_path / "out")
    check_declaration_page(tmp_path / "out", tmp_path, f"declaration-{example.stem}")
