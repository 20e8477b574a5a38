"""Annex V Part IX: the material's rules pick a conformity-assessment module of Annex II to
Decision No 768/2008/EC, and the declaration says which one applies."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from footprint.plugins import MaterialRegistry
from footprint.rules import CONFORMITY_MODULES, MaterialRules
from footprint.verification import verify_declaration

from ._declaration_helpers import declare, reseal
from .conftest import TINY_STUDY


@pytest.fixture(scope="module")
def declared(tmp_path_factory):
    out = tmp_path_factory.mktemp("part-ix")
    declare(TINY_STUDY, out)
    return out / "declaration.json"


def test_every_built_in_material_names_a_module_of_decision_768_2008():
    registry = MaterialRegistry()
    for info in registry.materials():
        assert registry.rules(info.id).conformity_module in CONFORMITY_MODULES


def test_a_module_outside_annex_ii_is_refused():
    with pytest.raises(ValidationError, match="conformity_module"):
        MaterialRules(id="x", rules_version="1", conformity_module="Z")


def test_the_declaration_states_the_module_of_the_rules(declared):
    data = json.loads(declared.read_text())
    rules = MaterialRegistry().rules("lithium-carbonate")
    assert data["conformity_assessment"] == {
        "module": rules.conformity_module,
        "name": CONFORMITY_MODULES[rules.conformity_module],
        "rules": f"lithium-carbonate {rules.rules_version}",
    }
    html = (declared.parent / "declaration.html").read_text()
    assert f"module {rules.conformity_module} ({CONFORMITY_MODULES[rules.conformity_module]})" in html


def test_a_declaration_claiming_another_module_is_not_reproduced(declared, tmp_path):
    edited = reseal(declared, tmp_path / "d.json", lambda d: d["conformity_assessment"].update(module="H1", name=CONFORMITY_MODULES["H1"]))
    report = verify_declaration(edited, TINY_STUDY)
    assert not report.reproduced
    assert "conformity_assessment.module" in {f.field for f in report.field_differences}
