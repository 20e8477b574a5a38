"""A study can link to a database in the user's own Brightway project (e.g. ecoinvent imported
with bw2io) instead of the starter background; footprint only reads it."""

from __future__ import annotations

import pytest

from footprint.assessment import assess
from footprint.background import open_background
from footprint.errors import LinkError

from .conftest import DATA, TINY_STUDY, edit_study

PROJECT = "someone-elses-project"
DATABASE = "user-test-lci"


@pytest.fixture(scope="module")
def user_project(tiny_background):
    """Import tests/data/user_database.csv with bw2io's own CSV importer into a new project."""
    import bw2data as bd
    import bw2io as bi

    bd.projects.set_current(PROJECT)
    if "biosphere3" not in bd.databases:
        bi.create_default_biosphere3()
    importer = bi.CSVImporter(str(DATA / "user_database.csv"))
    importer.apply_strategies()
    importer.match_database("biosphere3", fields=("name", "categories", "unit"))
    importer.match_database(fields=("name", "unit", "location"))
    assert importer.statistics(print_stats=False)[2] == 0, "every exchange links"
    importer.write_database()
    return PROJECT


def _study_linking_by_name(tmp_path):
    return edit_study(
        tmp_path,
        TINY_STUDY,
        [
            ('product_process = "refining"', f'product_process = "refining"\nbackground = "{DATABASE}"\nbackground_project = "{PROJECT}"'),
            ('  dataset = "electricity-grid-CL"\n  amount = 5.0', '  name = "electricity, grid mix, test"\n  location = "CL"\n  amount = 5.0'),
            ('  dataset = "sodium-carbonate"', '  dataset = "soda-ash"'),
            ('  dataset = "electricity-grid-CL"\n  amount = 1.0', '  name = "electricity, grid mix, test"\n  location = "CL"\n  amount = 1.0'),
            ('  dataset = "natural-gas-heat-industrial"', '  name = "heat, natural gas, test"\n  location = "GLO"'),
        ],
    )


def test_a_study_linked_into_a_user_database_gives_the_same_result(user_project, tiny_background, tmp_path):
    on_starter = assess(TINY_STUDY, background=tiny_background)
    on_user_data = assess(_study_linking_by_name(tmp_path))
    assert on_user_data.fingerprint.background == DATABASE
    assert on_user_data.fingerprint.background_project == PROJECT
    for category in on_starter.categories:
        assert on_user_data.category(category.category).value == pytest.approx(category.value, rel=1e-9, abs=1e-18)


def test_a_link_matching_nothing_or_several_datasets_lists_the_candidates(user_project, tmp_path):
    background = open_background(DATABASE, PROJECT)
    with pytest.raises(LinkError, match="no dataset named 'electricity, grid mix, test' in CN"):
        background.by_name("electricity, grid mix, test", "CN", "kWh")
    with pytest.raises(LinkError, match="candidates with other units"):
        background.by_name("electricity, grid mix, test", "CL", "kg")
    with pytest.raises(LinkError, match="no dataset with code 'nope'"):
        background.by_code("nope")


def test_the_user_project_is_only_read(user_project, tmp_path):
    import bw2data as bd

    def snapshot():
        bd.projects.set_current(PROJECT, writable=False, update=False)
        return {name: dict(meta) for name, meta in bd.databases.items()}, sorted(bd.methods)

    before = snapshot()
    assess(_study_linking_by_name(tmp_path))
    assert snapshot() == before
