"""Bad input never produces a declaration: a clear error naming the file, the process and the
field, a non-zero exit, and nothing written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from footprint.cli import app

from .conftest import TINY_STUDY, edit_study

runner = CliRunner()

ELECTRICITY = '''  [[processes.inputs]]
  dataset = "electricity-grid-CL"
  amount = 5.0
  unit = "kWh"'''

CASES = {
    "unknown unit": ([(ELECTRICITY, ELECTRICITY.replace('"kWh"', '"kWhh"'))], "pumping", "inputs[1].unit", "unknown unit"),
    "negative amount": ([(ELECTRICITY, ELECTRICITY.replace("5.0", "-5.0"))], "pumping", "inputs[1].amount", "greater than or equal to 0"),
    "NaN amount": ([(ELECTRICITY, ELECTRICITY.replace("5.0", "nan"))], "pumping", "inputs[1].amount", "finite"),
    "dimension mismatch": ([(ELECTRICITY, ELECTRICITY.replace('"kWh"', '"kg"'))], "pumping", "inputs[1].unit", "different dimensions"),
    "unlinked exchange": ([(ELECTRICITY, ELECTRICITY.replace("electricity-grid-CL", "electricity-grid-XX"))], "pumping", "inputs[1].dataset", "no dataset with code"),
    "unknown elementary flow": ([('flow = "Water"', 'flow = "Watre"')], "ponds", "elementary_flows[1].flow", "no elementary flow"),
    "missing stage": ([('stage = "concentration"\ncategory', 'stage = "refining"\ncategory')], None, "processes", "concentration stage"),
    "excluded process (use phase)": ([('stage = "concentration"\ncategory', 'stage = "use"\ncategory')], "ponds", "stage", "excludes the use phase"),
    "link to an unknown process": ([('process = "pumping"', 'process = "pumpin"')], "ponds", "inputs[1].process", "unknown process"),
    "unknown material": ([('material = "lithium-carbonate"', 'material = "unobtainium"')], None, "material", "no installed plugin"),
    "grid of another country": ([(ELECTRICITY, ELECTRICITY.replace("electricity-grid-CL", "electricity-grid-CN"))], "pumping", "inputs[1].dataset", "grid mix of the country"),
    "undocumented direct line": ([(ELECTRICITY, ELECTRICITY.replace("electricity-grid-CL", "electricity-wind"))], "pumping", "inputs[1].dataset", "without a documented direct line"),
    "typo in a key": ([("data_type = \"company-specific\"\nlocation = \"CL\"\nreference_output = { product = \"brine\"", "data_typ = \"company-specific\"\nlocation = \"CL\"\nreference_output = { product = \"brine\"")], "pumping", "data_type", "Field required (and 1 more problem(s))"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input_is_refused_with_file_process_and_field(tmp_path, case):
    edits, process, field, message = CASES[case]
    path = edit_study(tmp_path, TINY_STUDY, edits)
    out = tmp_path / "out"
    result = runner.invoke(app, ["declare", str(path), "--out", str(out)])
    assert result.exit_code != 0
    text = " ".join(result.output.split())
    assert f"file {path}" in text
    if process:
        assert f"process '{process}'" in text
    assert f"field '{field}'" in text
    assert message in text
    assert not out.exists(), "nothing may be written for bad input"


def test_a_singular_system_is_refused(tmp_path):
    # Refining feeds the ponds with as much carbonate as it makes: no net product can be solved.
    path = edit_study(
        tmp_path,
        TINY_STUDY,
        [('  [[processes.elementary_flows]]\n  flow = "Water"', '  [[processes.inputs]]\n  process = "refining"\n  amount = 1.0\n  unit = "t"\n\n  [[processes.elementary_flows]]\n  flow = "Water"'),
         ('  [[processes.inputs]]\n  process = "ponds"\n  amount = 2.0', '  [[processes.inputs]]\n  process = "ponds"\n  amount = 1.0')],
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["declare", str(path), "--out", str(out)])
    assert result.exit_code == 3
    assert "singular" in result.output
    assert not out.exists()


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("title = 'unterminated\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "not valid TOML" in result.output and str(path) in " ".join(result.output.split())


def test_a_missing_file_is_refused(tmp_path):
    result = runner.invoke(app, ["check", str(tmp_path / "nowhere.toml")])
    assert result.exit_code == 2
    assert "cannot read study" in result.output
