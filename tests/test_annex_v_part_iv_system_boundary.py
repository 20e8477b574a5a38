"""Annex V Part IV: the system boundary of primary and secondary CRMs."""

from __future__ import annotations

import pytest

from footprint.assessment import check_study
from footprint.boundary import PRIMARY_CATEGORIES, SECONDARY_CATEGORIES, check_boundary
from footprint.errors import BoundaryError
from footprint.plugins import MaterialRegistry
from footprint.study import load_study

from .conftest import TINY_STUDY, edit_study


def rules():
    return MaterialRegistry().rules("lithium-carbonate")


def test_part_iv_lists_fourteen_primary_and_eleven_secondary_categories():
    assert list(PRIMARY_CATEGORIES) == [f"1({c})" for c in "abcdefghijklmn"]
    assert list(SECONDARY_CATEGORIES) == [f"2({c})" for c in "abcdefghijk"]


def test_primary_route_covers_extraction_concentration_and_refining():
    boundary = check_study(TINY_STUDY).boundary
    assert [s.value for s in boundary.stages] == ["extraction", "concentration", "refining"]
    assert boundary.processes_by_stage == {"extraction": ["pumping"], "concentration": ["ponds"], "refining": ["refining"]}


@pytest.mark.parametrize("stage", ["use", "end-of-life"])
def test_use_phase_and_end_of_life_are_refused_with_the_reason(tmp_path, stage):
    path = edit_study(tmp_path, TINY_STUDY, [('stage = "concentration"\ncategory', f'stage = "{stage}"\ncategory')])
    with pytest.raises(BoundaryError) as raised:
        check_boundary(load_study(path).study, rules(), file=path)
    error = raised.value
    assert "Annex V Part IV 3 excludes" in error.message
    assert error.process == "ponds" and error.field == "stage" and error.file == str(path)


def test_a_secondary_category_in_a_primary_study_is_refused(tmp_path):
    path = edit_study(tmp_path, TINY_STUDY, [('category = "1(e)"', 'category = "2(d)"')])
    with pytest.raises(BoundaryError, match="secondary-route category"):
        check_study(path)


def test_an_unknown_category_code_is_refused(tmp_path):
    path = edit_study(tmp_path, TINY_STUDY, [('category = "1(e)"', 'category = "1(z)"')])
    with pytest.raises(BoundaryError, match="not an Annex V Part IV category") as raised:
        check_study(path)
    assert raised.value.process == "ponds" and raised.value.field == "category"


def test_recycling_is_outside_a_primary_boundary(tmp_path):
    path = edit_study(tmp_path, TINY_STUDY, [('stage = "concentration"\ncategory', 'stage = "recycling"\ncategory')])
    with pytest.raises(BoundaryError, match="outside the primary boundary"):
        check_study(path)


def test_a_missing_stage_is_refused(tmp_path):
    path = edit_study(tmp_path, TINY_STUDY, [('stage = "concentration"\ncategory', 'stage = "refining"\ncategory')])
    with pytest.raises(BoundaryError, match="require the concentration stage"):
        check_study(path)


def test_every_stage_needs_its_country_and_region(tmp_path):
    path = edit_study(
        tmp_path, TINY_STUDY, [('[[sites]]\nstage = "concentration"\ncountry = "CL"\nregion = "Antofagasta"\n', "")]
    )
    with pytest.raises(BoundaryError, match=r"Art. 31\(7\)\(c\)"):
        check_study(path)


EXCLUDED = """
[[excluded]]
name = "Office buildings"
stage = "refining"
estimated_share = {share}
reason = "administrative energy use, estimated from the site's utility bills"
"""


def test_negligible_processes_are_listed_with_their_share(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text(TINY_STUDY.read_text() + EXCLUDED.format(share=0.01))
    boundary = check_study(path).boundary
    assert boundary.excluded_share == pytest.approx(0.01)
    assert boundary.excluded[0][0] == "Office buildings"


def test_exclusions_above_the_material_cut_off_are_refused(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text(TINY_STUDY.read_text() + EXCLUDED.format(share=0.02) + EXCLUDED.format(share=0.015))
    with pytest.raises(BoundaryError, match=r"3.5% .* above the lithium-carbonate cut-off limit of 3.0%"):
        check_study(path)
