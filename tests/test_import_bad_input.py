"""Bad input never produces output: a wrong format, a truncated or corrupt zip or XML, a zip
bomb, an unknown unit, duplicate ids, a reference to a missing flow or process each end in a
clear error naming the file and the item, a non-zero exit, and nothing written."""

from __future__ import annotations

import zipfile

import pytest
from typer.testing import CliRunner

from footprint.cli import app

from ._packages import edit_json, rewrite_zip
from .conftest import DATA

runner = CliRunner()
USLCI = DATA / "uslci" / "uslci_subset_olca1_5_0_json_ld.zip"
SODA = "0d95cc8b-a9a0-3630-a760-1ab4d88257d8.json"
PROJECT = "footprint-bad-input"


def _state():
    from footprint.background import bw2data_in

    bd = bw2data_in(None)
    projects = sorted(p.name for p in bd.projects)
    databases = {}
    for name in projects:
        bd.projects.set_current(name, writable=False, update=False)
        databases[name] = sorted(bd.databases)
    return projects, databases


def _import(path, fmt="jsonld"):
    return runner.invoke(app, ["background", "import", str(path), "--format", fmt, "--name", "bad", "--project", PROJECT, "--allow-unlinked"], env={"COLUMNS": "250"})


def _refused(path, *expected, fmt="jsonld"):
    before = _state()
    result = _import(path, fmt)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.output, result.output
    assert _state() == before
    return result


def test_a_file_of_the_wrong_format(tmp_path):
    pdf = tmp_path / "export.zip"
    pdf.write_bytes(b"%PDF-1.7 not a zip")
    _refused(pdf, str(pdf), "not a readable zip archive")
    csv = tmp_path / "data.csv"
    csv.write_text("a;b\n1;2\n")
    _refused(csv, str(csv), "not a SimaPro CSV", fmt="simapro-csv")
    _refused(csv, str(csv), "not a Brightway Excel workbook", fmt="excel")


def test_a_truncated_zip(tmp_path):
    cut = tmp_path / "cut.zip"
    cut.write_bytes(USLCI.read_bytes()[: USLCI.stat().st_size // 2])
    _refused(cut, str(cut), "truncated, corrupt")


def test_a_corrupt_member(tmp_path):
    broken = rewrite_zip(USLCI, tmp_path / "broken.zip", lambda name, data: data[:-40] if name.endswith(SODA) else data)
    _refused(broken, SODA, "not valid JSON")


def test_malformed_xml(tmp_path):
    spold = tmp_path / "broken.spold"
    spold.write_text((DATA / "bw2io" / "ecospold2_concrete_block.spold").read_text()[:3000])
    _refused(spold, str(spold), "not well-formed XML", fmt="ecospold2")


def test_xml_entities_are_not_expanded(tmp_path):
    spold = tmp_path / "entities.spold"
    spold.write_text('<?xml version="1.0"?><!DOCTYPE ecoSpold [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
                     '<ecoSpold xmlns="http://www.EcoInvent.org/EcoSpold02">&b;</ecoSpold>')
    result = _import(spold, "ecospold2")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("processes/zeros.json", b"\0" * (64 * 1024**2))
    assert bomb.stat().st_size < 200_000
    _refused(bomb, "zeros.json", "zip bomb")


def test_an_archive_larger_than_the_cap_is_refused(tmp_path):
    from footprint.errors import FootprintInputError
    from footprint.importers import read_source
    from footprint.importers.archive import Limits

    with pytest.raises(FootprintInputError, match="unpacks to more than 1,000,000 bytes"):
        read_source(USLCI, "jsonld", Limits(unpacked_bytes=1_000_000))


def test_an_unknown_unit(tmp_path):
    def change(process):
        process["exchanges"][2]["unit"]["@id"] = "00000000-0000-0000-0000-00000000dead"
        process["exchanges"][2]["unit"]["name"] = "furlong per fortnight"

    bad = rewrite_zip(USLCI, tmp_path / "unit.zip", edit_json(SODA, change))
    _refused(bad, SODA, "unknown unit 'furlong per fortnight'", "Natural gas, processed, at plant")


def test_duplicate_ids(tmp_path):
    with zipfile.ZipFile(USLCI) as archive:
        name = next(n for n in archive.namelist() if n.endswith(SODA))
        copy = archive.read(name)
    bad = rewrite_zip(USLCI, tmp_path / "dup.zip", lambda n, d: d, extra={name.replace(SODA, "copy-of-soda-ash.json"): copy})
    _refused(bad, "duplicate process id", "0d95cc8b-a9a0-3630-a760-1ab4d88257d8")


def test_a_reference_to_a_missing_flow(tmp_path):
    def change(process):
        process["exchanges"][3]["flow"]["@id"] = "00000000-0000-0000-0000-000000000f10"

    bad = rewrite_zip(USLCI, tmp_path / "flow.zip", edit_json(SODA, change))
    _refused(bad, SODA, "missing flow")


def test_a_reference_to_a_missing_process(tmp_path):
    def change(process):
        process["exchanges"][2]["defaultProvider"] = {"@type": "Process", "@id": "00000000-0000-0000-0000-0000000000aa"}

    bad = rewrite_zip(USLCI, tmp_path / "provider.zip", edit_json(SODA, change))
    _refused(bad, SODA, "missing process")


def test_a_reserved_database_name_is_refused():
    result = runner.invoke(app, ["background", "import", str(USLCI), "--format", "jsonld", "--name", "biosphere3"], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "reserved" in result.output


def test_a_failed_write_leaves_the_project_as_it_was(monkeypatch, tmp_path):
    """A failure while writing (here: the swap) undoes the staging database and the project."""

    before = _state()

    def broken_rename(self, name):
        raise OSError("disk full (simulated)")

    from footprint.background import bw2data_in

    bd = bw2data_in(None)
    monkeypatch.setattr(type(bd.Database("x")), "rename", broken_rename)
    with pytest.raises(OSError):
        staging_target = DATA / "bw2io" / "excel_example.xlsx"
        from footprint.importers import import_database

        import_database(staging_target, "excel", "will-fail", project="footprint-failed-write")
    assert _state() == before


def test_bad_study_model_files_write_no_study(tmp_path):
    out = tmp_path / "study.toml"
    workbook = tmp_path / "study.xlsx"
    workbook.write_bytes(b"PK\x03\x04 not really a workbook")
    result = runner.invoke(app, ["study", "import", str(workbook), "--format", "excel", "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "not a readable .xlsx workbook" in result.output and str(workbook) in result.output
    assert not out.exists()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(USLCI.read_bytes()[:5000])
    result = runner.invoke(app, ["study", "import", str(cut), "--format", "jsonld", "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "truncated" in result.output
    assert not out.exists()
