"""Art. 31(7): the declaration carries every item, validates against its schema, and is sealed."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.declaration import (
    NOT_ASSIGNED,
    Declaration,
    content_hash,
    declared_category_names,
    format_value,
)
from footprint.methods import CLIMATE_CHANGE

from ._declaration_helpers import ISSUE_DATE, class_table, declare, example_params
from .conftest import TINY_STUDY, edit_study

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny-declaration")
    results, loaded, paths = declare(TINY_STUDY, out)
    return results, loaded, out


def _schema():
    result = runner.invoke(app, ["schema", "declaration"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def assert_article_31_7_items(data: dict, study) -> None:
    """Each Art. 31(7) item, (a) to (f), is present and says something."""
    # (a) name, registered trade name or trade mark, postal address, electronic contact
    person = data["responsible_person"]
    assert person["name"] == study.operator.name
    assert person["trade_name"] == study.operator.trade_name
    assert person["postal_address"] == study.operator.postal_address
    assert person["email"] or person["website"]
    # (b) the type of CRM
    assert data["material"]["id"] == study.material and data["material"]["name"]
    assert data["material"]["route"] == study.route.value
    # (c) country and region of extraction, processing, refining, recycling as relevant
    assert {(o["stage"], o["country"], o["region"]) for o in data["origin"]} == {
        (s.stage.value, s.country, s.region) for s in study.sites
    }
    # (d) the footprint: characterised results per declared unit, climate change first
    fp = data["footprint"]
    assert fp["categories"][0]["category"] == CLIMATE_CHANGE
    assert "no normalisation" in fp["characterisation"] and "no weighting" in fp["characterisation"]
    assert fp["declared_unit_kg"] == study.declared_unit_kg
    for category in fp["categories"]:
        assert category["unit"] and category["meaning"] and isinstance(category["value"], float)
        assert sum(category["by_stage"].values()) == pytest.approx(category["value"], rel=1e-9, abs=1e-18)
    # (e) the performance class and where it came from
    pc = data["performance_class"]
    assert pc["statement"]
    assert (pc["label"] is not None) == pc["assigned"] == (pc["table"] is not None)
    # (f) the web link to the public study
    assert data["public_study"]["url"]
    # plus: id, issue date, versions and fingerprint of every input
    assert data["declaration_id"].startswith("FPD-") and data["issue_date"]
    for key in ("footprint", "method", "background", "rules"):
        assert data["versions"][key]
    for key in ("study_sha256", "background_sha256", "method_sha256", "rules_sha256", "method_version", "rules_version"):
        assert data["fingerprint"][key]
    assert data["content_sha256"] == content_hash(data)


def test_declaration_carries_every_article_31_7_item(tiny):
    results, loaded, out = tiny
    data = json.loads((out / "declaration.json").read_text())
    assert_article_31_7_items(data, loaded.study)
    assert data["issue_date"] == ISSUE_DATE.isoformat()
    assert data["fingerprint"] == results.fingerprint.model_dump(mode="json")


def test_declaration_validates_against_the_published_schema(tiny):
    jsonschema = pytest.importorskip("jsonschema")
    _, _, out = tiny
    schema = _schema()
    for item in ("responsible_person", "material", "origin", "footprint", "performance_class", "public_study"):
        assert item in schema["required"], item
        assert "Art. 31(7)" in schema["properties"][item]["description"]
    jsonschema.validate(json.loads((out / "declaration.json").read_text()), schema)


def test_declared_values_are_the_characterised_results(tiny):
    results, _, out = tiny
    declaration = Declaration.model_validate_json((out / "declaration.json").read_text())
    from footprint.plugins import MaterialRegistry

    # The material rules' categories (all of the method set while the rules name none), climate change first.
    expected, _ = declared_category_names(results, MaterialRegistry().declared_categories(results.material))
    assert [c.category for c in declaration.footprint.categories] == expected
    assert expected[0] == CLIMATE_CHANGE
    for declared in declaration.footprint.categories:
        computed = results.category(declared.category)
        assert declared.value == computed.value
        assert declared.by_stage == {s: computed.by_stage[s] for s in results.stages}
        assert declared.unit == computed.unit


def test_declared_categories_follow_the_rules_and_put_climate_change_first(tiny):
    results, _, _ = tiny
    names, source = declared_category_names(results, ["water use", "acidification", CLIMATE_CHANGE])
    assert names == [CLIMATE_CHANGE, "water use", "acidification"] and "hotspot" in source
    names, source = declared_category_names(results, ["water use"])
    assert names[0] == CLIMATE_CHANGE
    with pytest.raises(ValueError, match="lack"):
        declared_category_names(results, ["not a category"])


def test_no_class_table_in_force_says_so(tiny):
    _, _, out = tiny
    data = json.loads((out / "declaration.json").read_text())
    assert data["performance_class"]["assigned"] is False
    assert data["performance_class"]["statement"] == NOT_ASSIGNED
    html = (out / "declaration.html").read_text()
    assert "Not assigned: no class table in force" in html


def test_class_comes_from_the_table_in_force(tmp_path, tiny):
    results, _, _ = tiny
    climate = results.category(CLIMATE_CHANGE).value
    table = class_table("lithium-carbonate", [climate * 0.5, climate * 0.9, climate * 1.5])  # A B C D
    _, _, paths = declare(TINY_STUDY, tmp_path, class_table=table)
    data = json.loads((tmp_path / "declaration.json").read_text())
    pc = data["performance_class"]
    assert pc["assigned"] and pc["label"] == "C" and pc["value"] == climate
    assert pc["table"]["period"] == "2026-2028" and pc["table"]["labels"] == ["A", "B", "C", "D"]
    assert len(pc["table"]["sha256"]) == 64
    html = (tmp_path / "declaration.html").read_text()
    assert 'data-class="C"' in html and 'aria-current="true" data-class-letter="C"' in html


def test_threshold_value_belongs_to_the_better_class(tmp_path, tiny):
    results, _, _ = tiny
    climate = results.category(CLIMATE_CHANGE).value
    table = class_table("lithium-carbonate", [climate, climate * 2])
    _, _, _ = declare(TINY_STUDY, tmp_path, class_table=table)
    assert json.loads((tmp_path / "declaration.json").read_text())["performance_class"]["label"] == "A"


def test_public_study_link_is_the_study_url_or_the_relative_study_html(tmp_path, tiny):
    _, _, out = tiny
    data = json.loads((out / "declaration.json").read_text())
    assert data["public_study"] == {
        "url": "study.html",
        "relative": True,
        "note": data["public_study"]["note"],
    }
    assert "study_url" in data["public_study"]["note"]
    study = edit_study(tmp_path, TINY_STUDY, [('product_process = "refining"', 'product_process = "refining"\nstudy_url = "https://example.org/public-study.html"')])
    declare(study, tmp_path / "out")
    linked = json.loads((tmp_path / "out" / "declaration.json").read_text())["public_study"]
    assert linked["url"] == "https://example.org/public-study.html" and linked["relative"] is False
    assert 'href="https://example.org/public-study.html"' in (tmp_path / "out" / "declaration.html").read_text()


def test_content_hash_seals_the_declaration(tiny):
    _, _, out = tiny
    data = json.loads((out / "declaration.json").read_text())
    assert content_hash(data) == data["content_sha256"]
    data["footprint"]["categories"][0]["value"] *= 1.01
    assert content_hash(data) != data["content_sha256"]


def test_same_inputs_same_day_give_the_same_declaration(tmp_path, tiny):
    _, _, out = tiny
    declare(TINY_STUDY, tmp_path)
    assert (tmp_path / "declaration.json").read_text() == (out / "declaration.json").read_text()
    assert (tmp_path / "declaration.html").read_text() == (out / "declaration.html").read_text()


class _Assets(HTMLParser):
    """Collects every reference to another file a page would load."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag in ("img", "script", "iframe", "audio", "video", "source", "embed", "object") and (attrs.get("src") or attrs.get("data")):
            self.loads.append(f"{tag} {attrs.get('src') or attrs.get('data')}")
        if tag == "link":
            self.loads.append(f"link {attrs.get('href')}")
        if tag == "a":
            self.links.append(attrs.get("href", ""))


@pytest.mark.parametrize("page", ["declaration.html", "study.html"])
def test_pages_are_self_contained_and_semantic(tiny, page):
    _, _, out = tiny
    html = (out / page).read_text()
    parser = _Assets()
    parser.feed(html)
    assert parser.loads == []
    assert "@import" not in html and "url(" not in html
    assert {"main", "header", "table", "caption", "section"} <= parser.tags
    assert '<html lang="en">' in html and "@media print" in html
    for href in parser.links:
        assert href.startswith(("#", "mailto:", "https://", "http://")) or href in ("study.html", "declaration.html")


def test_declaration_page_shows_the_buyer_what_matters(tiny):
    _, loaded, out = tiny
    data = json.loads((out / "declaration.json").read_text())
    html = (out / "declaration.html").read_text()
    headline = data["footprint"]["categories"][0]
    assert f'data-role="headline" data-category="climate change" data-value="{headline["value"]!r}"' in html
    assert format_value(headline["value"]) in html
    for category in data["footprint"]["categories"]:
        assert category["meaning"] in html
    assert "<svg" in html and 'role="img"' in html and "<title" in html
    for site in loaded.study.sites:
        assert site.region in html
    assert 'data-role="public-study" href="study.html"' in html
    assert '<script type="application/json" id="declaration-data">' in html


def test_format_value_rounds_to_three_significant_digits():
    assert format_value(4.2151) == "4.22"
    assert format_value(0.0) == "0"
    assert format_value(999.6) == "1000"
    assert format_value(2.145e-10) == "2.15 × 10⁻¹⁰" or format_value(2.145e-10) == "2.14 × 10⁻¹⁰"
    assert format_value(-0.0315) == "-0.0315"


def test_declare_command_writes_declaration_and_public_study(tmp_path):
    result = runner.invoke(app, ["declare", str(TINY_STUDY), "--out", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("results.json", "declaration.json", "declaration.html", "study.html"):
        assert (tmp_path / name).is_file(), name
        assert f"wrote {tmp_path / name}" in result.output.replace("\n", "")
    Declaration.model_validate_json((tmp_path / "declaration.json").read_text())
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("example", example_params())
def test_example_declarations_validate_and_carry_every_item(tmp_path, example: Path):
    jsonschema = pytest.importorskip("jsonschema")
    _, loaded, _ = declare(example, tmp_path)
    data = json.loads((tmp_path / "declaration.json").read_text())
    jsonschema.validate(data, _schema())
    assert_article_31_7_items(data, loaded.study)
