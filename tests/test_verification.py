"""`footprint verify` and `footprint diff`: reproduced, or each difference of the right kind.

The brief's four tampering cases: one number in the declaration, one exchange in the study,
the method version, the electricity mix. Each must be reported as its own kind of difference
with a non-zero exit status; an untouched declaration must be reproduced with exit status 0.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.study import diff_studies, is_energy_input, study_digest
from footprint.study import TechnosphereInput, load_study
from footprint.verification import VerificationReport, agree, verify_declaration

from ._declaration_helpers import class_table, declare, example_params, reseal
from .conftest import TINY_STUDY, edit_study

runner = CliRunner()

ELECTRICITY = '''  [[processes.inputs]]
  dataset = "electricity-grid-CL"
  amount = 5.0
  unit = "kWh"'''
SODA_ASH = '''  dataset = "sodium-carbonate"
  amount = 2.0'''


@pytest.fixture(scope="module")
def declared(tmp_path_factory):
    out = tmp_path_factory.mktemp("verify")
    study = out / "study.toml"
    shutil.copy(TINY_STUDY, study)
    results, loaded, _ = declare(study, out / "declaration")
    return study, out / "declaration" / "declaration.json", results


def _verify(declaration: Path, study: Path, *extra: str):
    result = runner.invoke(app, ["verify", str(declaration), "--study", str(study), *extra], env={"COLUMNS": "200"})
    return result


def test_untouched_declaration_is_reproduced_exactly(declared, tmp_path):
    study, declaration, _ = declared
    report = verify_declaration(declaration, study)
    assert report.reproduced and report.verdict == "reproduced", report.model_dump_json(indent=2)
    assert report.content_hash_valid and not report.kinds()
    assert report.largest_relative_difference == 0.0  # identical inputs, identical numbers
    assert report.checked_categories == [c["category"] for c in json.loads(declaration.read_text())["footprint"]["categories"]]
    result = _verify(declaration, study, "--report", str(tmp_path / "report.json"))
    assert result.exit_code == 0, result.output
    assert "REPRODUCED" in result.output
    saved = VerificationReport.model_validate_json((tmp_path / "report.json").read_text())
    assert saved.reproduced and saved.declaration_id == json.loads(declaration.read_text())["declaration_id"]


def test_verify_accepts_the_output_folder(declared):
    study, declaration, _ = declared
    assert verify_declaration(declaration.parent, study).reproduced


def test_one_number_changed_by_hand_is_caught(declared, tmp_path):
    study, declaration, _ = declared

    def edit(data):
        data["footprint"]["categories"][1]["value"] = data["footprint"]["categories"][1]["value"] * 1.1 + 1e-9

    edited = reseal(declaration, tmp_path / "edited.json", edit, keep_hash=True)
    report = verify_declaration(edited, study)
    assert not report.reproduced and not report.content_hash_valid
    assert report.kinds() == {"declaration edited", "result"}
    data = json.loads(edited.read_text())
    edited_category = data["footprint"]["categories"][1]["category"]
    total = [d for d in report.result_differences if d.stage is None]
    assert [d.category for d in total] == [edited_category]
    assert total[0].declared == data["footprint"]["categories"][1]["value"]
    assert total[0].absolute == pytest.approx(total[0].recomputed - total[0].declared)
    result = _verify(edited, study)
    assert result.exit_code == 1
    assert "NOT REPRODUCED" in result.output and "content hash mismatch" in result.output


def test_a_resealed_edit_is_still_caught_by_the_recalculation(declared, tmp_path):
    study, declaration, _ = declared

    def edit(data):
        data["footprint"]["categories"][0]["value"] *= 0.5

    forged = reseal(declaration, tmp_path / "forged.json", edit)
    report = verify_declaration(forged, study)
    assert report.content_hash_valid and not report.reproduced
    assert report.kinds() == {"result"}
    assert report.result_differences[0].category == "climate change"
    assert report.result_differences[0].relative == pytest.approx(1.0)


def test_an_edited_operator_is_caught(declared, tmp_path):
    study, declaration, _ = declared
    edited = reseal(declaration, tmp_path / "who.json", lambda d: d["responsible_person"].update(name="Someone Else Ltd"))
    report = verify_declaration(edited, study)
    assert not report.reproduced
    assert [f.field for f in report.field_differences] == ["responsible_person.name"]


def test_one_exchange_changed_in_the_study_is_a_bill_of_materials_change(declared, tmp_path):
    study, declaration, _ = declared
    changed = edit_study(tmp_path, study, [(SODA_ASH, SODA_ASH.replace("2.0", "2.5"))])
    report = verify_declaration(declaration, changed)
    assert not report.reproduced
    assert {c.input for c in report.changed_inputs} == {"bill of materials"}
    assert "climate change" in {d.category for d in report.result_differences}
    result = _verify(declaration, changed)
    assert result.exit_code == 1 and "bill of materials" in result.output


def test_electricity_mix_changed_in_the_study_is_an_energy_mix_change(declared, tmp_path):
    study, declaration, _ = declared
    # The brine pumps get part of their electricity through a documented PPA with a wind farm.
    ppa = ELECTRICITY.replace("amount = 5.0", "amount = 3.0") + '''

  [[processes.inputs]]
  dataset = "electricity-wind"
  amount = 2.0
  unit = "kWh"

  [[processes.electricity_supply]]
  kind = "power-purchase-agreement"
  dataset = "electricity-wind"
  evidence = "PPA 2024-017 with a wind farm, metered monthly"
  unique_claim = true
  matched_consumption = true'''
    changed = edit_study(tmp_path, study, [(ELECTRICITY, ppa)])
    report = verify_declaration(declaration, changed)
    assert not report.reproduced
    assert {c.input for c in report.changed_inputs} == {"energy mix"}
    climate = next(d for d in report.result_differences if d.category == "climate change" and d.stage is None)
    assert climate.recomputed < climate.declared
    result = _verify(declaration, changed)
    assert result.exit_code == 1 and "energy mix" in result.output


def test_method_version_change_is_a_method_difference(declared, tmp_path):
    study, declaration, _ = declared
    # A declaration calculated (and sealed) with another version of the method set.
    older = reseal(declaration, tmp_path / "older.json", lambda d: d["fingerprint"].update(method_version="3.0"))
    report = verify_declaration(older, study)
    assert not report.reproduced and report.content_hash_valid
    method = [c for c in report.changed_inputs if c.input == "method"]
    assert len(method) == 1 and "3.0" in method[0].declared and "3.1" in method[0].found
    assert _verify(older, study).exit_code == 1


def test_installed_method_set_change_is_a_method_difference(declared, monkeypatch):
    study, declaration, _ = declared
    import footprint.methods as methods
    import footprint.verification.inputs as verifier_inputs

    real = methods.load_method_set("ef31")
    # The verifier's view of the installed method set: a newer version of it.
    monkeypatch.setattr(verifier_inputs, "load_method_set", lambda set_id="ef31", **_: real.model_copy(update={"version": "3.2"}))
    report = verify_declaration(declaration, study)
    assert not report.reproduced and "method" in report.kinds()


def test_rules_and_background_changes_are_named(declared, tmp_path):
    study, declaration, _ = declared
    rules = reseal(declaration, tmp_path / "rules.json", lambda d: d["fingerprint"].update(rules_version="2025.01", rules_sha256="0" * 64))
    assert {c.input for c in verify_declaration(rules, study).changed_inputs} == {"rules"}
    bg = reseal(declaration, tmp_path / "bg.json", lambda d: d["fingerprint"].update(background_sha256="0" * 64))
    assert {c.input for c in verify_declaration(bg, study).changed_inputs} == {"background"}


def test_documentation_only_change_is_named_and_not_reproduced(declared, tmp_path):
    study, declaration, _ = declared
    commented = tmp_path / "commented.toml"
    commented.write_text("# reviewed by the verifier\n" + study.read_text())
    report = verify_declaration(declaration, commented)
    assert not report.reproduced
    assert [c.input for c in report.changed_inputs] == ["study file"]
    assert not report.result_differences


def test_class_difference_is_reported(declared, tmp_path):
    study, _, results = declared
    climate = results.category("climate change").value
    table = class_table("lithium-carbonate", [climate * 0.5, climate * 2])
    declare(study, tmp_path / "classed", class_table=table)
    declaration = tmp_path / "classed" / "declaration.json"
    registry = _RegistryWith(table)
    assert verify_declaration(declaration, study, registry=registry).reproduced
    forged = reseal(declaration, tmp_path / "better.json", lambda d: d["performance_class"].update(label="A"))
    report = verify_declaration(forged, study, registry=registry)
    assert not report.reproduced and report.class_difference is not None
    assert (report.class_difference.declared, report.class_difference.recomputed) == ("A", "B")


class _RegistryWith:
    """The installed registry, with a class table supplied as a plugin would."""

    def __init__(self, table):
        from footprint.plugins import MaterialRegistry

        self._inner = MaterialRegistry()
        self._table = table

    def class_table(self, material, on_date):
        return self._table

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_unreadable_inputs_exit_with_status_2(declared, tmp_path):
    study, declaration, _ = declared
    result = _verify(tmp_path / "missing.json", study)
    assert result.exit_code == 2
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert _verify(broken, study).exit_code == 2


def test_schema_is_not_satisfied_means_not_reproduced(declared, tmp_path):
    study, declaration, _ = declared
    stripped = reseal(declaration, tmp_path / "stripped.json", lambda d: d.pop("public_study"))
    report = verify_declaration(stripped, study)
    assert not report.reproduced and report.errors and "public_study" in report.errors[0]


def test_verify_several_declarations_and_json_output(declared, tmp_path):
    study, declaration, _ = declared
    result = runner.invoke(app, ["verify", str(declaration), str(declaration), "--study", str(study), "--json"])
    assert result.exit_code == 0, result.output
    reports = json.loads(result.output)
    assert [r["verdict"] for r in reports] == ["reproduced", "reproduced"]


def test_verification_report_schema_command():
    result = runner.invoke(app, ["schema", "verification"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert {"verdict", "result_differences", "changed_inputs", "tolerance"} <= set(schema["properties"])


def test_tolerance_rule():
    assert agree(1.0, 1.0) and agree(0.0, 0.0)
    assert agree(1.0, 1.0 + 1e-12) and not agree(1.0, 1.0 + 1e-6)
    assert agree(1e-20, 0.0) and not agree(1e-10, 0.0)


@pytest.mark.parametrize("example", example_params())
def test_every_example_declaration_is_reproduced(tmp_path, example: Path):
    declare(example, tmp_path)
    report = verify_declaration(tmp_path / "declaration.json", example)
    assert report.reproduced, report.model_dump_json(indent=2)


# --- footprint diff -----------------------------------------------------------------------------------


def test_diff_names_the_changed_exchange_and_requires_a_new_calculation(tmp_path):
    changed = edit_study(tmp_path, TINY_STUDY, [(SODA_ASH, SODA_ASH.replace("2.0", "2.5"))])
    diff = diff_studies(TINY_STUDY, changed)
    assert diff.recalculation_required and diff.changed_parts == ["bill_of_materials"]
    assert [(e.process, e.exchange, e.change, e.old, e.new) for e in diff.exchanges] == [
        ("refining", "dataset:sodium-carbonate", "changed", "2 t", "2.5 t")
    ]
    result = runner.invoke(app, ["diff", str(TINY_STUDY), str(changed)], env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "NEW CALCULATION REQUIRED" in result.output and "sodium-carbonate" in result.output


def test_diff_energy_mix(tmp_path):
    changed = edit_study(tmp_path, TINY_STUDY, [(ELECTRICITY, ELECTRICITY.replace("5.0", "6.0"))])
    diff = diff_studies(TINY_STUDY, changed)
    assert diff.recalculation_required and diff.changed_parts == ["energy_mix"]
    assert diff.exchanges[0].exchange == "dataset:electricity-grid-CL" and diff.exchanges[0].process == "pumping"


def test_diff_same_quantity_in_other_units_is_no_change(tmp_path):
    old = '''  dataset = "electricity-grid-CL"
  amount = 1.0
  unit = "MWh"'''
    changed = edit_study(tmp_path, TINY_STUDY, [(old, old.replace("1.0", "1000.0").replace("MWh", "kWh"))])
    diff = diff_studies(TINY_STUDY, changed)
    assert not diff.changed_parts and not diff.recalculation_required and not diff.identical_files
    assert study_digest(load_study(TINY_STUDY)) == study_digest(load_study(changed))


def test_diff_documentation_and_flows(tmp_path):
    commented = tmp_path / "commented.toml"
    commented.write_text("# a comment\n" + TINY_STUDY.read_text())
    diff = diff_studies(TINY_STUDY, commented)
    assert not diff.recalculation_required and not diff.results_may_change and "documentation" in diff.reasons[0]
    assert runner.invoke(app, ["diff", str(TINY_STUDY), str(commented)]).exit_code == 0
    water = edit_study(tmp_path, TINY_STUDY, [("amount = 9.0", "amount = 8.0")], name="water.toml")
    diff = diff_studies(TINY_STUDY, water)
    assert diff.changed_parts == ["elementary_flows"] and diff.results_may_change and not diff.recalculation_required
    assert runner.invoke(app, ["diff", str(TINY_STUDY), str(water)]).exit_code == 1


def test_diff_added_process_input_and_operator(tmp_path):
    added = edit_study(
        tmp_path, TINY_STUDY,
        [(ELECTRICITY, ELECTRICITY + '\n\n  [[processes.inputs]]\n  dataset = "diesel-burned-machinery"\n  amount = 12.5\n  unit = "MJ"'),
         ('name = "Test Operator Ltd (fictitious)"', 'name = "Renamed Operator Ltd"')],
    )
    diff = diff_studies(TINY_STUDY, added)
    assert set(diff.changed_parts) == {"energy_mix", "operator_and_sites"}
    assert [(e.exchange, e.change) for e in diff.exchanges] == [("dataset:diesel-burned-machinery", "added")]
    assert any("operator.name" in other for other in diff.other_changes)


def test_energy_inputs_are_recognised():
    energy = ["electricity-grid-CL", "natural-gas-heat-industrial", "diesel-burned-machinery", "heavy-fuel-oil-burned-industrial", "propane-heat-industrial", "hard-coal-supply"]
    material = ["sodium-carbonate", "sulfuric-acid", "hydrogen-fluoride", "transport-lorry", "quicklime", "process-water"]
    for code in energy:
        assert is_energy_input(TechnosphereInput(dataset=code, amount=1, unit="kg")), code
    for code in material:
        assert not is_energy_input(TechnosphereInput(dataset=code, amount=1, unit="kg")), code
    assert not is_energy_input(TechnosphereInput(process="electricity-plant", amount=1, unit="kWh"))


# --- re-sealed declarations with false content (the content hash is not a signature) -----------------


def _resealed(declared, tmp_path, name, edit):
    study, declaration, _ = declared
    forged = reseal(declaration, tmp_path / f"{name}.json", edit)
    report = verify_declaration(forged, study)
    assert report.content_hash_valid and not report.reproduced and report.verdict == "not reproduced"
    result = _verify(forged, study)
    assert result.exit_code == 1 and "NOT REPRODUCED" in result.output
    return report, result.output


def _fields(report):
    return [f.field for f in report.field_differences]


def test_resealed_dropped_categories_are_caught(declared, tmp_path):
    data = json.loads(declared[1].read_text())
    names = [c["category"] for c in data["footprint"]["categories"]]
    assert len(names) >= 2
    report, output = _resealed(declared, tmp_path, "dropped", lambda d: d["footprint"]["categories"].__setitem__(slice(1, None), []))
    diff = next(f for f in report.field_differences if f.field == "footprint.categories")
    assert diff.declared == names[:1] and diff.recomputed == names
    missing = {d.category for d in report.result_differences if d.declared is None and d.stage is None}
    assert missing == set(names[1:])
    assert "footprint.categories" in output


def test_resealed_dropped_climate_change_is_caught(declared, tmp_path):
    report, _ = _resealed(declared, tmp_path, "no_climate", lambda d: d["footprint"]["categories"].pop(0))
    diff = next(f for f in report.field_differences if f.field == "footprint.categories")
    assert "climate change" not in diff.declared and diff.recomputed[0] == "climate change"
    assert any(d.category == "climate change" and d.declared is None for d in report.result_differences)


def test_resealed_duplicated_category_is_caught(declared, tmp_path):
    def edit(d):
        d["footprint"]["categories"].append(d["footprint"]["categories"][1])

    report, _ = _resealed(declared, tmp_path, "duplicated", edit)
    diff = next(f for f in report.field_differences if f.field == "footprint.categories")
    assert len(diff.declared) == len(diff.recomputed) + 1
    assert not report.result_differences  # every value is right; the list is not


def test_resealed_reordered_categories_are_caught(declared, tmp_path):
    report, _ = _resealed(declared, tmp_path, "reordered", lambda d: d["footprint"]["categories"].reverse())
    diff = next(f for f in report.field_differences if f.field == "footprint.categories")
    assert diff.declared == list(reversed(diff.recomputed))
    assert _fields(report) == ["footprint.categories"] and not report.result_differences


def test_resealed_category_selection_is_caught(declared, tmp_path):
    report, output = _resealed(
        declared, tmp_path, "selection",
        lambda d: d["footprint"].update(category_selection="all 16 EF categories, third-party verified"),
    )
    assert _fields(report) == ["footprint.category_selection"]
    assert report.field_differences[0].declared == "all 16 EF categories, third-party verified"
    assert "footprint.category_selection" in output


def test_resealed_declaration_id_is_caught(declared, tmp_path):
    real = json.loads(declared[1].read_text())["declaration_id"]
    report, output = _resealed(declared, tmp_path, "id", lambda d: d.update(declaration_id="FPD-20200101-0000000000000000"))
    assert _fields(report) == ["declaration_id"]
    assert report.field_differences[0].recomputed == real
    assert "declaration_id" in output


def _with_issue_date(day):
    from footprint.declaration import Declaration, declaration_id

    def edit(d):
        d["issue_date"] = day.isoformat()
        parsed = Declaration.model_validate(d)
        d["declaration_id"] = declaration_id(parsed.fingerprint, parsed.study_digest, day)  # a consistent id

    return edit


def test_resealed_issue_date_before_the_reporting_period_is_caught(declared, tmp_path):
    import datetime as dt

    report, output = _resealed(declared, tmp_path, "early", _with_issue_date(dt.date(2020, 1, 1)))
    assert _fields(report) == ["issue_date"]
    assert "reporting period" in report.field_differences[0].recomputed
    # Only the date changed (the id left as issued): the id no longer matches either.
    report = verify_declaration(reseal(declared[1], tmp_path / "early2.json", lambda d: d.update(issue_date="2020-01-01")), declared[0])
    assert set(_fields(report)) == {"issue_date", "declaration_id"}


def test_resealed_issue_date_in_the_future_is_caught(declared, tmp_path):
    import datetime as dt

    from footprint.classes.lookup import class_table_for
    from footprint.plugins import MaterialRegistry

    today = dt.datetime.now(dt.timezone.utc).date()
    future = today + dt.timedelta(days=30)
    report, _ = _resealed(declared, tmp_path, "future", _with_issue_date(future))
    fields = _fields(report)
    assert fields[0] == "issue_date" and "future" in report.field_differences[0].recomputed
    # When a class period starts between the declaration's own issue date and the future date
    # (the tables of 2027-01-01 do), the class in force on the claimed date differs too, and the
    # verifier says so; otherwise only the date differs.
    original = json.loads(declared[1].read_text())
    issued, material = dt.date.fromisoformat(original["issue_date"]), original["material"]["id"]
    registry = MaterialRegistry()
    if class_table_for(material, issued, registry=registry).table == class_table_for(material, future, registry=registry).table:
        assert fields == ["issue_date"]
    else:
        assert fields[1:] and all(field.startswith("performance_class.") for field in fields[1:])


def test_resealed_versions_are_caught(declared, tmp_path):
    def edit(d):
        d["versions"].update(background="ecoinvent-3.10-cutoff (sha256 000000000000)", method="EF 3.1 (verified)")

    report, output = _resealed(declared, tmp_path, "versions", edit)
    assert sorted(_fields(report)) == ["versions.background", "versions.method"]
    assert "versions.method" in output
    report = verify_declaration(reseal(declared[1], tmp_path / "fpv.json", lambda d: d["versions"].update(footprint="9.9")), declared[0])
    assert _fields(report) == ["versions.footprint"]


def test_resealed_performance_class_block_is_caught(declared, tmp_path):
    def edit(d):
        d["performance_class"].update(statement="Class A: best performance class", category="water use", value=0.1, scale=["A"])

    report, output = _resealed(declared, tmp_path, "class", edit)
    assert sorted(_fields(report)) == [
        "performance_class.category", "performance_class.scale", "performance_class.statement", "performance_class.value",
    ]
    assert "performance_class.statement" in output


def test_resealed_class_table_reference_is_caught(declared, tmp_path):
    study, _, results = declared
    climate = results.category("climate change").value
    table = class_table("lithium-carbonate", [climate * 0.5, climate * 2])
    declare(study, tmp_path / "classed", class_table=table)
    registry = _RegistryWith(table)
    forged = reseal(
        tmp_path / "classed" / "declaration.json", tmp_path / "looser.json",
        lambda d: d["performance_class"]["table"].update(thresholds=[climate * 2, climate * 4]),
    )
    report = verify_declaration(forged, study, registry=registry)
    assert not report.reproduced and report.class_difference is None
    assert _fields(report) == ["performance_class.table.thresholds[0]", "performance_class.table.thresholds[1]"]


def test_a_changed_category_list_in_the_plugin_is_a_rules_change(declared, monkeypatch):
    """The declared categories come from a hook of their own; the rules hash covers them too."""
    from footprint.plugins import MaterialRegistry

    study, declaration, _ = declared
    real = MaterialRegistry.declared_categories
    monkeypatch.setattr(MaterialRegistry, "declared_categories", lambda self, m: real(self, m)[:1])
    report = verify_declaration(declaration, study)
    assert not report.reproduced
    assert "rules" in {c.input for c in report.changed_inputs}


def test_dropping_the_class_does_not_pass_when_a_table_was_in_force(declared, monkeypatch):
    """A declaration naming no table is recalculated with the table in force on its issue date,
    unless that table was calibrated later (a table published afterwards is not held against it)."""
    import datetime as dt

    from footprint.plugins import MaterialRegistry

    study, declaration, results = declared
    climate = results.category("climate change").value
    table = class_table("lithium-carbonate", [climate * 0.5, climate * 2])  # calibrated 2026-01-01
    monkeypatch.setattr(MaterialRegistry, "class_table", lambda self, material, on_date: table)
    report = verify_declaration(declaration, study)
    assert not report.reproduced
    assert report.class_difference is not None and report.class_difference.recomputed == "B"

    later = table.model_copy(update={"calibrated_on": dt.date(2026, 12, 1)})
    monkeypatch.setattr(MaterialRegistry, "class_table", lambda self, material, on_date: later)
    assert verify_declaration(declaration, study).reproduced
