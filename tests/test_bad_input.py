"""Bad input never produces a declaration: a clear error naming the file, the process and the
field, a non-zero exit, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli import app

from .conftest import TINY_STUDY, edit_study

runner = CliRunner()

ELECTRICITY = '''  [[processes.inputs]]
  dataset = "electricity-grid-CL"
  amount = 5.0
  unit = "kWh"'''

SODA = '''  [[processes.inputs]]
  dataset = "sodium-carbonate"'''
SELF_INPUT = '''  [[processes.inputs]]
  process = "refining"
  amount = 2.0
  unit = "t"

'''
PONDS_INPUT = '''  [[processes.inputs]]
  process = "pumping"
  amount = 10.0
  unit = "t"'''
LOOP = '''

  [[processes.inputs]]
  process = "refining"
  amount = {amount}
  unit = "t"'''
REFINING_OUTPUT = 'reference_output = { product = "lithium carbonate", amount = 1.0, unit = "t" }'
PUMPING_OUTPUT = 'reference_output = { product = "brine", amount = 1.0, unit = "t" }'
REFINING_SITE = '''stage = "refining"
country = "CL"
region = "Antofagasta"'''
ECONOMIC = '''
allocation = "economic"
coproducts = [ { product = "potash", amount = 1.0, unit = "t", price = 5.0 } ]'''
CREDIT = '''
allocation = "system-expansion"
coproducts = [ { product = "electricity", amount = 100000.0, unit = "kWh", substitutes = "electricity-grid-CL" } ]'''

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
    # Solvable only on paper: a loop that makes less than it uses would declare a negative burden.
    "process uses more of its own output than it makes": ([(SODA, SELF_INPUT + SODA)], "refining", "inputs[2].amount", "of its own output"),
    "loop that consumes more than it makes": ([(PONDS_INPUT, PONDS_INPUT + LOOP.format(amount="1.0"))], None, "inputs", "no positive production can satisfy it"),
    "loop that takes back nearly all it makes": ([(PONDS_INPUT, PONDS_INPUT + LOOP.format(amount="0.4999999"))], None, "inputs", "multiplied"),
    "loop that almost exactly consumes what it makes": ([(PONDS_INPUT, PONDS_INPUT + LOOP.format(amount="0.49999999999999"))], None, "inputs", "singular"),
    "amount that overflows once converted": ([(SODA + "\n  amount = 2.0", SODA + "\n  amount = 1e308")], "refining", "inputs[2]", "overflows once converted to base units"),
    "infinite geometric standard deviation": ([(ELECTRICITY, ELECTRICITY + '\n  uncertainty = { distribution = "lognormal", gsd = inf }')], "pumping", "inputs[1].uncertainty.gsd", "finite"),
    "uniform range upside down": ([(ELECTRICITY, ELECTRICITY + '\n  uncertainty = { distribution = "uniform", minimum = 6.0, maximum = 4.0 }')], "pumping", "inputs[1].uncertainty", "is not below maximum"),
    "lognormal without its gsd": ([(ELECTRICITY, ELECTRICITY + '\n  uncertainty = { distribution = "lognormal" }')], "pumping", "inputs[1].uncertainty", "needs gsd"),
    "declared product worth nothing": ([(REFINING_OUTPUT, REFINING_OUTPUT.replace('unit = "t" }', 'unit = "t", price = 0.0 }') + ECONOMIC)], "refining", "reference_output.price", "no burden"),
    "amount written as a string": ([(ELECTRICITY, ELECTRICITY.replace("5.0", '"5.0"'))], "pumping", "inputs[1].amount", "valid number"),
    "amount written as a boolean": ([(ELECTRICITY, ELECTRICITY.replace("5.0", "true"))], "pumping", "inputs[1].amount", "valid number"),
    "dates written as strings": ([("start = 2024-01-01, end = 2024-12-31", 'start = "2024-01-01", end = "2024-12-31"')], None, "reporting_period.start", "valid date"),
    "site for a stage the study does not model": ([(REFINING_SITE, REFINING_SITE + '\n\n[[sites]]\nstage = "use"\ncountry = "DE"\nregion = "Berlin"')], None, "sites[4].stage", "no process of the study belongs to it"),
    "country that is not an ISO code": ([(REFINING_SITE, REFINING_SITE.replace('"CL"', '"XX"'))], None, "sites[3].country", "ISO 3166-1"),
    "process located away from its stage's sites": ([(REFINING_SITE, REFINING_SITE.replace('"CL"', '"CN"'))], "refining", "location", "sites are in CN"),
    "excluded process outside the boundary": ([('product_process = "refining"\n', 'product_process = "refining"\nexcluded = [ { name = "drums", stage = "recycling", estimated_share = 0.01, reason = "test" } ]\n')], None, "excluded[1].stage", "outside the primary boundary"),
    "power-purchase agreement nothing uses": ([(PUMPING_OUTPUT, PUMPING_OUTPUT + '\nelectricity_supply = [ { kind = "power-purchase-agreement", dataset = "electricity-wind", evidence = "PPA contract 2024-001", unique_claim = true, matched_consumption = true } ]')], "pumping", "electricity_supply[1].dataset", "documents nothing"),
    "credits larger than the whole chain": ([(REFINING_OUTPUT, REFINING_OUTPUT + CREDIT)], "refining", "coproducts", "negative"),
    "e-mail that is not an address": ([('email = "test@example.org"', 'email = "not an email"')], None, "operator.email", "not a valid email address"),
    "reporting period in the future": ([("end = 2024-12-31", "end = 2090-12-31")], None, "reporting_period", "in the future"),
    "site where no process of its stage runs": ([(REFINING_SITE, REFINING_SITE + '\n\n[[sites]]\nstage = "refining"\ncountry = "CN"\nregion = "Jiangxi"')], None, "sites[4].country", "no refining process is located there"),
    "uniform range of zero width": ([(ELECTRICITY, ELECTRICITY + '\n  uncertainty = { distribution = "uniform", minimum = 5.0, maximum = 5.0 }')], "pumping", "inputs[1].uncertainty", "not below maximum"),
    "uniform range below zero": ([(ELECTRICITY, ELECTRICITY + '\n  uncertainty = { distribution = "uniform", minimum = -100.0, maximum = 6.0 }')], "pumping", "inputs[1].uncertainty.minimum", "greater than or equal to 0"),
    "normal spread that samples negative amounts": ([(ELECTRICITY, ELECTRICITY + '\n  uncertainty = { distribution = "normal", sd = 100.0 }')], "pumping", "inputs[1]", "samples negative amounts"),
    "credit with another country's grid": ([(REFINING_OUTPUT, REFINING_OUTPUT + CREDIT.replace("100000.0", "10.0").replace("grid-CL", "grid-CN"))], "refining", "coproducts[1].substitutes", "displaces the grid where it is fed in"),
    "prices under mass allocation": ([(REFINING_OUTPUT, REFINING_OUTPUT.replace('unit = "t" }', 'unit = "t", price = 20.0 }') + ECONOMIC.replace("economic", "mass"))], "refining", "reference_output.price", "would be ignored"),
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


def test_dimension_names_survive_in_the_message(tmp_path):
    """pint names dimensions in brackets; the console must not read them as markup."""
    path = edit_study(tmp_path, TINY_STUDY, [(ELECTRICITY, ELECTRICITY.replace('"kWh"', '"kg"'))])
    result = runner.invoke(app, ["declare", str(path)])
    assert result.exit_code == 2
    assert "[mass]" in result.output and "[length]" in result.output


# -- outputs: written as a set, or not at all -----------------------------------------------------


def test_an_output_folder_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "afile"
    target.write_text("not a folder")
    result = runner.invoke(app, ["declare", str(TINY_STUDY), "--out", str(target)])
    assert result.exit_code == 2
    assert "the output folder is a file" in result.output and "Traceback" not in result.output
    assert target.read_text() == "not a folder"


def test_an_existing_declaration_is_replaced_only_with_force(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["declare", str(TINY_STUDY), "--out", str(out)]).exit_code == 0
    (out / "study.pdf").write_text("an older run's pdf")
    first = (out / "declaration.json").read_text()
    again = runner.invoke(app, ["declare", str(TINY_STUDY), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    assert (out / "declaration.json").read_text() == first
    forced = runner.invoke(app, ["declare", str(TINY_STUDY), "--out", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert not (out / "study.pdf").exists(), "a folder must never mix two runs' files"
    assert not list(out.glob(".footprint-staging-*"))


def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "study.html").mkdir()  # the public study cannot be written there
    result = runner.invoke(app, ["declare", str(TINY_STUDY), "--out", str(out), "--force"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["study.html"], "no partial set may be left"


def test_one_failing_study_does_not_stop_the_others(tmp_path):
    bad = edit_study(tmp_path, TINY_STUDY, [(SODA + "\n  amount = 2.0", SODA + "\n  amount = 1e308")], name="bad.toml")
    good = edit_study(tmp_path, TINY_STUDY, [], name="good.toml")
    out = tmp_path / "out"
    result = runner.invoke(app, ["declare", str(bad), str(good), "--out", str(out), "--no-progress"])
    assert result.exit_code == 2
    assert (out / "good" / "declaration.json").exists()
    assert not (out / "bad").exists()


def test_a_verification_report_that_cannot_be_written_is_not_a_verdict(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["declare", str(TINY_STUDY), "--out", str(out)]).exit_code == 0
    blocker = tmp_path / "afile"
    blocker.write_text("")
    result = runner.invoke(
        app, ["verify", str(out / "declaration.json"), "--study", str(TINY_STUDY), "--report", str(blocker / "r.json")]
    )
    assert result.exit_code == 2, "exit 1 would mean 'not reproduced'"
    assert "cannot write here" in result.output


def test_studies_whose_names_differ_only_in_case_are_refused(tmp_path):
    """On macOS and Windows they would share one output folder."""
    (tmp_path / "x").mkdir()
    lower = edit_study(tmp_path, TINY_STUDY, [], name="study.toml")
    upper = edit_study(tmp_path / "x", TINY_STUDY, [], name="Study.toml")
    result = runner.invoke(app, ["declare", str(lower), str(upper), "--out", str(tmp_path / "out"), "--no-progress"])
    assert result.exit_code == 2 and "same output folder" in result.output


def test_a_failed_swap_puts_the_previous_declaration_back(tmp_path, monkeypatch):
    """If one file of the new set cannot be moved in, the old set comes back whole."""
    import os

    import footprint.files as files_module
    import footprint.results as results_module
    from footprint.errors import FootprintInputError

    target = tmp_path / "out"
    target.mkdir()
    for name in ("results.json", "declaration.json", "declaration.html", "study.html"):
        (target / name).write_text(f"old {name}")
    real_replace = os.replace

    def flaky(source, destination):
        if Path(destination) == target / "declaration.html" and ".previous" not in str(source):  # the new file
            raise PermissionError(13, "Permission denied")
        return real_replace(source, destination)

    monkeypatch.setattr(files_module.os, "replace", flaky)
    with pytest.raises(FootprintInputError, match="as it was"):
        with files_module.output_set(target, names=results_module.DECLARATION_FILES, force=True) as staging:
            for name in ("results.json", "declaration.json", "declaration.html", "study.html"):
                (staging / name).write_text(f"new {name}")
    assert {p.name: p.read_text() for p in target.iterdir()} == {
        name: f"old {name}" for name in ("results.json", "declaration.json", "declaration.html", "study.html")
    }


def test_a_report_may_not_overwrite_the_declaration_it_verifies(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["declare", str(TINY_STUDY), "--out", str(out)]).exit_code == 0
    declaration = out / "declaration.json"
    before = declaration.read_text()
    result = runner.invoke(app, ["verify", str(declaration), "--study", str(TINY_STUDY), "--report", str(declaration)])
    assert result.exit_code == 2 and "would overwrite" in result.output
    assert declaration.read_text() == before
