"""Annex V Part IX: conformity assessment — is a discrepancy the verifier finds on site material?

The verifier re-declares the study as found at the facilities (`footprint verify --evidence`);
each declared category's relative discrepancy is compared with the material's threshold
(`MaterialRules.materiality_threshold`, a draft 5 %), and the class is checked again.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.engine import make_engine
from footprint.plugins import MaterialRegistry
from footprint.rules import MaterialRules
from footprint.verification.materiality import MATERIALITY_BASIS, assess_materiality
from footprint.declaration import load_declaration

from ._declaration_helpers import class_table, declare
from .conftest import TINY_STUDY, edit_study

SODA = 'dataset = "sodium-carbonate"\n  amount = 2.0'


def test_the_rules_set_a_draft_threshold_with_its_reasoning():
    rules = MaterialRegistry().rules("lithium-carbonate")
    assert rules.materiality_threshold == 0.05
    assert "600/2012" in MATERIALITY_BASIS and "14064-3" in MATERIALITY_BASIS
    with pytest.raises(ValueError):
        MaterialRules(id="x", rules_version="1", materiality_threshold=0)


@pytest.fixture(scope="module")
def declared(tmp_path_factory):
    out = tmp_path_factory.mktemp("declared")
    results, loaded, _ = declare(TINY_STUDY, out)
    return out / "declaration.json", results


def _evidence(tmp_path, relative_change: float, share: float):
    """The tiny study with soda ash changed so that climate change moves by `relative_change`
    (soda ash carries `share` of it, and the result is linear in that amount)."""
    amount = 2.0 * (1 + relative_change / share)
    return edit_study(tmp_path, TINY_STUDY, [(SODA, f'dataset = "sodium-carbonate"\n  amount = {amount!r}')], name="evidence.toml")


def _soda_share(results) -> float:
    return next(e for e in results.elasticities if e.process == "refining" and e.field == "inputs[2].amount").by_category["climate change"]


@pytest.mark.parametrize("change, material", [(0.049, False), (-0.049, False), (0.051, True), (-0.051, True)])
def test_verdicts_on_both_sides_of_the_threshold(declared, tmp_path, change, material):
    path, results = declared
    evidence = _evidence(tmp_path, change, _soda_share(results))
    found = assess_materiality(load_declaration(path)[0], TINY_STUDY, evidence, registry=MaterialRegistry(), engine=make_engine())
    climate = next(c for c in found.categories if c.category == "climate change")
    assert climate.relative == pytest.approx(change, rel=1e-9)
    assert climate.material is material
    assert found.material is (material or any(c.material for c in found.categories))
    assert ("material: climate change" in found.verdict) is material
    # The discrepancy sits in the refinery, which buys the soda ash.
    top = found.processes[0]
    assert top.process == "refining" and top.share_of_total == pytest.approx(
        next(c.relative for c in found.categories if c.category == top.category), rel=1e-9)


def test_the_same_study_as_evidence_is_not_material(declared):
    path, _ = declared
    found = assess_materiality(load_declaration(path)[0], TINY_STUDY, TINY_STUDY, registry=MaterialRegistry(), engine=make_engine())
    assert not found.material and found.processes == [] and "reproduces every declared category" in found.verdict
    assert all(c.relative == 0 for c in found.categories)


def test_a_class_change_is_reported(tmp_path):
    from footprint.assessment import assess

    value = assess(TINY_STUDY).category("climate change").value
    table = class_table("lithium-carbonate", [0.5 * value, 1.02 * value, 1.5 * value])
    out = tmp_path / "classed"
    results, _, _ = declare(TINY_STUDY, out, class_table=table)
    evidence = _evidence(tmp_path, 0.03, _soda_share(results))  # +3 %: not material, but above 1.02 x the value

    class TableRegistry(MaterialRegistry):
        def class_table(self, material, on_date):
            return table

    found = assess_materiality(load_declaration(out / "declaration.json")[0], TINY_STUDY, evidence, registry=TableRegistry(), engine=make_engine())
    assert found.declared_class == "B" and found.found_class == "C" and found.class_changes
    assert not any(c.material for c in found.categories) and found.material
    assert "class changes from B to C" in found.verdict


def test_verify_with_evidence_from_the_command_line(declared, tmp_path):
    path, results = declared
    evidence = _evidence(tmp_path, 0.08, _soda_share(results))
    runner = CliRunner()
    report = tmp_path / "verification.json"
    shown = runner.invoke(app, ["verify", str(path), "--study", str(TINY_STUDY), "--evidence", str(evidence), "--report", str(report)])
    assert shown.exit_code == 1, shown.output  # reproduced, but the evidence shows a material discrepancy
    assert "materiality" in shown.output and "material: climate change differs by +8.00 %" in " ".join(shown.output.split())
    assert json.loads(report.read_text())["verdict"] == "reproduced"  # the JSON report is unchanged
    clean = runner.invoke(app, ["verify", str(path), "--study", str(TINY_STUDY), "--evidence", str(TINY_STUDY)])
    assert clean.exit_code == 0, clean.output
    two = runner.invoke(app, ["verify", str(path), str(path), "--study", str(TINY_STUDY), "--evidence", str(TINY_STUDY)])
    assert two.exit_code == 2
    bad = runner.invoke(app, ["verify", str(path), "--study", str(TINY_STUDY), "--evidence", str(tmp_path / "missing.toml")])
    assert bad.exit_code == 2 and "missing.toml" in bad.output and "Traceback" not in bad.output
