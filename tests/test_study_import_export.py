"""Bring your own model: studies from and to spreadsheets and openLCA JSON-LD. Every shipped
example exported and imported back gives identical results; placeholders for what a source
cannot know (stage, Annex V category, data type) are named by `footprint check`."""

from __future__ import annotations

import tomllib

import pytest
from typer.testing import CliRunner

from footprint.assessment import assess
from footprint.cli import app
from footprint.study import LoadedStudy, load_study

from .conftest import DATA, EXAMPLES

runner = CliRunner()
ENV = {"COLUMNS": "200"}
EXAMPLE_STUDIES = sorted(EXAMPLES.glob("*.toml"))


def _same_results(original, reimported_path, tmp_path):
    """Assess both; the reimported study is assessed where the original lives (relative paths)."""
    first = assess(original)
    loaded = load_study(reimported_path)
    second = assess(LoadedStudy(study=loaded.study, path=original, sha256=loaded.sha256))
    assert second.values() == first.values()
    for a, b in zip(first.categories, second.categories):
        assert a.by_process == b.by_process and a.by_stage == b.by_stage


@pytest.mark.parametrize("example", EXAMPLE_STUDIES, ids=lambda p: p.stem)
@pytest.mark.parametrize("fmt,suffix", [("excel", "xlsx"), ("jsonld", "zip")])
def test_every_example_exported_and_imported_back_gives_identical_results(example, fmt, suffix, tmp_path, starter_background):
    exported = tmp_path / f"study.{suffix}"
    back = tmp_path / "back.toml"
    result = runner.invoke(app, ["study", "export", str(example), "--format", fmt, "--out", str(exported)], env=ENV)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["study", "import", str(exported), "--format", fmt, "--out", str(back)], env=ENV)
    assert result.exit_code == 0, result.output
    assert load_study(back).study == load_study(example).study
    _same_results(example, back, tmp_path)


def test_the_template_has_drop_down_lists_and_check_names_every_value_still_to_fill(tmp_path):
    from openpyxl import load_workbook

    workbook = tmp_path / "study.xlsx"
    result = runner.invoke(app, ["study", "template", "--material", "lithium-carbonate", "--out", str(workbook)], env=ENV)
    assert result.exit_code == 0, result.output
    book = load_workbook(workbook)
    assert {"study", "sites", "processes", "inputs", "elementary_flows", "coproducts", "lists"} <= set(book.sheetnames)
    processes = book["processes"]
    header = [c.value for c in processes[1]]
    lists = {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1 for v in processes.data_validations.dataValidation}
    for column, source in (("stage", "lists!$A"), ("data_type", "lists!$B"), ("category", "lists!$C")):
        letter = chr(ord("A") + header.index(column))
        assert lists[letter].startswith(source), column
    study = tmp_path / "study.toml"
    result = runner.invoke(app, ["study", "import", str(workbook), "--format", "excel", "--out", str(study)], env=ENV)
    assert result.exit_code == 0 and "still to fill" in result.output
    check = runner.invoke(app, ["check", str(study)], env=ENV)
    assert check.exit_code == 2
    for field in ("stage", "category", "data_type", "reporting_period.start", "operator.name"):
        assert field in check.output
    assert tomllib.loads(study.read_text())["material"] == "lithium-carbonate"


def test_an_openlca_model_becomes_a_study_linked_to_the_chosen_background(tmp_path):
    """The USLCI export as a producer's openLCA model: the soda-ash process and its supply
    chain become processes with explicit placeholders, linked to the starter background where
    a dataset matches by name, location and unit, else marked unlinked."""
    model = DATA / "uslci" / "uslci_subset_olca1_5_0_json_ld.zip"
    study = tmp_path / "soda.toml"
    result = runner.invoke(
        app,
        ["study", "import", str(model), "--format", "jsonld", "--product", "Transport, train, diesel powered", "--out", str(study), "--material", "lithium-carbonate"],
        env=ENV,
    )
    assert result.exit_code == 0, result.output
    raw = tomllib.loads(study.read_text())
    process = next(p for p in raw["processes"] if p["id"] == raw["product_process"])
    assert process["stage"] == process["category"] == process["data_type"] == "TO-FILL"
    assert process["reference_output"]["unit"] == "t*km"
    assert any(e.get("key", "").startswith("TO-FILL") or "flow" in e for e in process["elementary_flows"])
    check = runner.invoke(app, ["check", str(study)], env=ENV)
    assert check.exit_code == 2 and "still to fill" in check.output and "stage" in check.output
    ambiguous = runner.invoke(app, ["study", "import", str(model), "--format", "jsonld", "--out", str(tmp_path / "x.toml")], env=ENV)
    assert ambiguous.exit_code == 2 and "--product" in ambiguous.output
    assert not (tmp_path / "x.toml").exists()


def test_a_simapro_model_becomes_a_study_with_its_internal_links(tmp_path):
    model = DATA / "bw2io" / "simapro_allocation.csv"
    study = tmp_path / "sp.toml"
    result = runner.invoke(app, ["study", "import", str(model), "--format", "simapro-csv", "--out", str(study)], env=ENV)
    assert result.exit_code == 0, result.output
    raw = tomllib.loads(study.read_text())
    assert len(raw["processes"]) == 3
    main = next(p for p in raw["processes"] if p["id"] == raw["product_process"])
    assert {i["process"] for i in main["inputs"]} == {p["id"] for p in raw["processes"] if p is not main}
