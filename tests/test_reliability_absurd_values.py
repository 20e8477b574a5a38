"""Absurd but well-formed: what no real study contains is refused with a reason — a reference
output of 1e-300 t (which would declare ~1e297 kg CO2e/kg), a climate result beyond any
material, a description of megabytes copied onto a public page, an empty output path."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.study.model import MAX_TEXT_LENGTH

from .conftest import TINY_STUDY, edit_study

runner = CliRunner()
REFINING_OUTPUT = 'reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }'
ELECTRICITY = '  dataset = "electricity-grid-CL"\n  amount = 5.0\n  unit = "kWh"'

ABSURD = {
    "reference output of 1e-300 t": ([(REFINING_OUTPUT, REFINING_OUTPUT.replace("amount = 1.0", "amount = 1e-300"))], "outside"),
    "reference output of 1e20 t": ([(REFINING_OUTPUT, REFINING_OUTPUT.replace("amount = 1.0", "amount = 1e20"))], "outside"),
    "a climate result beyond any material": ([(ELECTRICITY, ELECTRICITY.replace("5.0", "5e9"))], "no critical raw material comes near it"),
    "a description over the text limit": ([('title = "Tiny lithium carbonate study (test fixture)"', f'title = "Tiny"\ndescription = "{"x" * (MAX_TEXT_LENGTH + 1)}"')], "at most"),
}


@pytest.mark.parametrize("case", ABSURD, ids=list(ABSURD))
def test_what_no_real_study_contains_is_refused_with_a_reason(tmp_path, case):
    edits, message = ABSURD[case]
    path = edit_study(tmp_path, TINY_STUDY, edits)
    result = runner.invoke(app, ["declare", str(path), "--out", str(tmp_path / "out")])
    text = " ".join(result.output.split())
    assert result.exit_code in (2, 3) and message in text and "study.toml" in text, result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [
    ["declare", str(TINY_STUDY), "--out", ""],
    ["uncertainty", str(TINY_STUDY), "-n", "10", "--out", ""],
    ["verify", "x.json", "--study", str(TINY_STUDY), "--report", ""],
    ["export", "x", "--format", "pact-v3", "--study", str(TINY_STUDY), "--out", ""],
    ["study", "template", "--material", "lithium-carbonate", "--out", ""],
    ["classes", "calibrate", "--material", "m", "--market", "m.csv", "--period", "2027-2029", "--out", ""],
])
def test_an_empty_output_path_is_refused(tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, command)
    assert result.exit_code == 2 and "output path is empty" in result.output
    assert list(tmp_path.iterdir()) == []
