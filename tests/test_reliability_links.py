"""Art. 31(7)(a) and (f) links end up clickable on public pages: only http(s) addresses (and,
for the public study, a relative path) are accepted, in studies and in declarations read back."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.errors import FootprintInputError
from footprint.links import web_url

from .conftest import TINY_STUDY, edit_study

runner = CliRunner()
HOSTILE = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x", "file:///etc/passwd", "//evil.example/x", 'https://a.example/"onmouseover="x']


@pytest.mark.parametrize("url", HOSTILE)
def test_a_hostile_website_is_refused(tmp_path, url):
    study = edit_study(tmp_path, TINY_STUDY, [('email = "test@example.org"', f'email = "test@example.org"\nwebsite = {json.dumps(url)}')])
    result = runner.invoke(app, ["check", str(study)])
    assert result.exit_code == 2 and "website" in result.output, result.output


@pytest.mark.parametrize("url", HOSTILE)
def test_a_hostile_study_url_is_refused(tmp_path, url):
    study = edit_study(tmp_path, TINY_STUDY, [('product_process = "refining"', f'product_process = "refining"\nstudy_url = {json.dumps(url)}')])
    result = runner.invoke(app, ["declare", str(study), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "study_url" in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_https_and_relative_study_links_pass():
    assert web_url("https://example.org/study.html", field="f") == "https://example.org/study.html"
    assert web_url("studies/2026/study.html", field="f", allow_relative=True) == "studies/2026/study.html"
    with pytest.raises(FootprintInputError):
        web_url("studies/2026/study.html", field="f")


def test_a_declaration_edited_to_carry_a_script_link_is_not_read_as_a_declaration(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["declare", str(TINY_STUDY), "--out", str(out)]).exit_code == 0
    raw = json.loads((out / "declaration.json").read_text())
    raw["responsible_person"]["website"] = "javascript:alert(1)"
    (out / "declaration.json").write_text(json.dumps(raw))
    result = runner.invoke(app, ["verify", str(out), "--study", str(TINY_STUDY)])
    assert result.exit_code == 1 and "schema" in result.output and "website" in result.output
    from footprint.declaration import load_declaration

    with pytest.raises(FootprintInputError, match="website"):
        load_declaration(out)
