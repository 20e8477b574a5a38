"""The verification report (`footprint verify --report-html`) in a real headless browser.

Rendered, screenshotted and dumped as DOM by Debian's chromium: the verdict, every checklist
line, the sensitivity ranking, the DQR and the materiality must be the figures the library
computes; text from the study is escaped; the page prints to PDF.
"""

from __future__ import annotations


import pytest
from typer.testing import CliRunner

from footprint.assessment import assess
from footprint.cli import app

from ._declaration_helpers import declare
from .conftest import TINY_STUDY, edit_study
from .test_declaration_html_chromium import CHROMIUM, Figures, chromium, rendered

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")

HOSTILE = '[[excluded]]\nname = "drum storage"\nstage = "refining"\nestimated_share = 0.001\nreason = "<script>alert(1)</script> negligible"\n\n[[processes]]\nid = "pumping"'


class DataElements(Figures):
    """Every element with a data- attribute, with its text."""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if any(k.startswith("data-") for k in attrs):
            self._open.append((tag, {**attrs, "text": ""}))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    study = edit_study(folder, TINY_STUDY, [('[[processes]]\nid = "pumping"', HOSTILE)])
    declare(study, folder / "out")
    evidence = edit_study(folder, study, [('dataset = "sodium-carbonate"\n  amount = 2.0', 'dataset = "sodium-carbonate"\n  amount = 2.3')], name="evidence.toml")
    html = folder / "report.html"
    result = CliRunner().invoke(app, ["verify", str(folder / "out" / "declaration.json"), "--study", str(study), "--evidence", str(evidence),
                                      "--report-html", str(html), "--pdf", "--top", "8"])
    assert result.exit_code == 1, result.output  # reproduced, material discrepancy
    return study, html


def test_the_page_shows_what_the_library_computed(report, tmp_path):
    study, html = report
    figures, _ = rendered(html, tmp_path, "verification-report")
    parser = DataElements()
    parser.feed(chromium(html, tmp_path / "profile-dom2", "--dump-dom").stdout)
    by_role = {f.get("data-role"): f for f in parser.figures if f.get("data-role")}
    assert by_role["verdict"]["data-reproduced"] == "true" and by_role["verdict"]["data-material"] == "true"
    assert "REPRODUCED" in by_role["verdict"]["text"] and "MATERIAL DISCREPANCY" in by_role["verdict"]["text"]
    statuses = {f["data-check"]: f["data-status"] for f in parser.figures if "data-check" in f}
    assert len(statuses) == 10 and list(statuses.values()).count("fail") == 1
    assert statuses["the declaration is reproduced from its study"] == "pass"
    results = assess(study)
    rows = [f for f in parser.figures if "data-elasticity" in f]
    shown = {(r["data-category"], i // len({x["data-category"] for x in rows})): r for i, r in enumerate(rows)}
    assert len(rows) == 8 * 5  # top 8 amounts x 5 declared categories
    for position, elasticity in enumerate(results.elasticities[:8]):
        for category, value in elasticity.by_category.items():
            cell = shown.get((category, position))
            if cell is not None:
                assert (float(cell["data-elasticity"]) if cell["data-elasticity"] else None) == value
    climate = next(f for f in parser.figures if f.get("data-dqr-category") == "climate change")
    assert float(climate["data-value"]) == results.dqr.category("climate change").scores.dqr
    assert float(by_role["primary-data-share"]["data-value"]) == results.primary_data_share
    assert by_role["signature"]["data-signed"] == "false"
    material = next(f for f in parser.figures if f.get("data-category") == "climate change" and "data-relative" in f)
    assert material["data-material"] == "true" and float(material["data-relative"]) > 0.05


def test_text_from_the_study_is_escaped(report):
    _, html = report
    text = html.read_text()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; negligible" in text


def test_the_report_prints_to_pdf(report):
    _, html = report
    pdf = html.with_suffix(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
