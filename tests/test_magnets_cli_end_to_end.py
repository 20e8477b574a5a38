"""End to end: `footprint magnets check | declare | verify | rules` on the shipped examples."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.declaration import content_hash

from ._magnet_helpers import ALL_EXAMPLES, MOTOR, WIND, variant

runner = CliRunner()
ENV = {"COLUMNS": "200"}
NAMES = ["data-record.html", "data-record.json", "recycled-content.html", "recycled-content.json"]


def invoke(*args: str):
    return runner.invoke(app, ["magnets", *map(str, args)], env=ENV)


@pytest.fixture(scope="module")
def declared(tmp_path_factory):
    """Each example declared once: {example: output folder}."""
    out = {}
    for example in ALL_EXAMPLES:
        folder = tmp_path_factory.mktemp(example.stem)
        result = invoke("declare", example, "--out", folder, "--force")
        assert result.exit_code == 0, result.output
        out[example] = folder
    return out


@pytest.mark.parametrize("example", ALL_EXAMPLES, ids=lambda p: p.stem)
def test_declare_writes_both_records_and_verify_reproduces_them(declared, example):
    folder = declared[example]
    assert sorted(p.name for p in folder.iterdir()) == NAMES
    for name in ("recycled-content.json", "data-record.json"):
        result = invoke("verify", folder / name, "--product", example)
        assert result.exit_code == 0, result.output
        assert "REPRODUCED" in result.output and "NOT" not in result.output and "page beside the JSON: matches" in result.output


def test_check_prints_scope_and_shares_and_writes_nothing(tmp_path):
    result = runner.invoke(app, ["magnets", "check", str(WIND)], env=ENV)
    assert result.exit_code == 0, result.output
    assert "650 kg" in result.output and "neodymium (Nd)" in result.output and "10.0 %" in result.output
    assert "not present" in result.output and "draft rules" in result.output


def _edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2))


def test_verify_catches_an_edited_share(declared, tmp_path):
    record = tmp_path / "recycled-content.json"
    record.write_text((declared[WIND] / "recycled-content.json").read_text())
    _edit(record, lambda d: d["shares"][0].update(share=0.5))
    result = invoke("verify", record, "--product", WIND)
    assert result.exit_code == 1, result.output
    assert "NOT REPRODUCED" in result.output and "content hash does not match" in result.output
    assert "shares[1].share" in result.output


def test_verify_catches_an_edited_share_even_when_resealed(declared, tmp_path):
    record = tmp_path / "recycled-content.json"
    record.write_text((declared[WIND] / "recycled-content.json").read_text())

    def reseal(data):
        data["shares"][0]["share"] = 0.25
        data["shares"][0]["post_consumer_kg"] = 0.25 * data["shares"][0]["mass_kg"]
        data["content_sha256"] = content_hash(data)
    _edit(record, reseal)
    result = invoke("verify", record, "--product", WIND, "--report", tmp_path / "report.json")
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["content_hash_valid"] and not report["reproduced"]
    assert {d["field"] for d in report["differences"]} == {"shares[1].share", "shares[1].post_consumer_kg"}
    assert "Nd" not in report["checked_shares"] and "Dy" in report["checked_shares"]


def test_verify_catches_a_changed_mass_in_the_product(declared, tmp_path):
    changed = variant(tmp_path, MOTOR, lambda raw: raw["custody"][0].update(batch_mass_kg=59.0))
    result = invoke("verify", declared[MOTOR] / "recycled-content.json", "--product", changed)
    assert result.exit_code == 1, result.output
    assert "changed parts: supply chain" in result.output


def test_verify_reports_a_product_that_no_longer_balances(declared, tmp_path):
    changed = variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0].update(mass_kg=0.4))
    result = invoke("verify", declared[MOTOR] / "data-record.json", "--product", changed)
    assert result.exit_code == 1, result.output
    assert "no longer passes" in result.output and "magnets[1].supply" in result.output


def test_an_edited_page_is_not_the_record(declared, tmp_path):
    for name in ("recycled-content.json", "recycled-content.html"):
        (tmp_path / name).write_text((declared[WIND] / name).read_text())
    page = tmp_path / "recycled-content.html"
    page.write_text(page.read_text().replace(">10.0 %<", ">90.0 %<", 1))
    result = invoke("verify", tmp_path / "recycled-content.json", "--product", WIND)
    assert result.exit_code == 1, result.output
    assert "is not the rendering of its JSON" in result.output


def test_bad_input_names_file_and_field_and_writes_nothing(tmp_path):
    bad = variant(tmp_path, MOTOR, lambda raw: raw["magnets"][0]["composition"][1].update(wt_percent=140.0))
    out = tmp_path / "out"
    result = runner.invoke(app, ["magnets", "declare", str(bad), "--out", str(out)], env=ENV)
    assert result.exit_code == 2, result.output
    assert str(bad) in result.output and "magnets[1].composition[2].wt_percent" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_existing_records_need_force(declared):
    result = invoke("declare", MOTOR, "--out", declared[MOTOR])
    assert result.exit_code == 2 and "--force" in result.output


def test_a_missing_product_file_is_exit_2(tmp_path):
    result = invoke("verify", tmp_path / "nothing.json", "--product", MOTOR)
    assert result.exit_code == 2 and "not found" in result.output


def test_a_future_issue_date_is_refused(tmp_path):
    result = invoke("declare", MOTOR, "--out", tmp_path / "o", "--issue-date", "2999-01-01")
    assert result.exit_code == 2 and "--issue-date" in result.output and not (tmp_path / "o").exists()


def test_rules_lists_each_choice_with_its_reason():
    result = runner.invoke(app, ["magnets", "rules"], env=ENV)
    assert result.exit_code == 0, result.output
    assert "crma-art29-draft" in result.output and "(draft)" in result.output
    assert "accepted_custody_models" in result.output and "book-and-claim" in result.output


def test_schema_of_the_product_file_is_published():
    result = runner.invoke(app, ["schema", "magnet-product"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "MagnetProduct" and {"product", "magnets", "removal", "custody"} <= set(schema["properties"])
