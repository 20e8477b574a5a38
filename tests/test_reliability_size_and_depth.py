"""Hostile files: every file a user hands footprint is bounded in size and nesting depth before
a parser sees it (a RecursionError, or gigabytes of memory inside tomllib, otherwise)."""

from __future__ import annotations

import resource
import time

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.errors import FootprintInputError
from footprint.files import MAX_FILE_BYTES, MAX_NESTING, json_nesting, read_json, read_toml, toml_nesting

from .conftest import TINY_STUDY

runner = CliRunner()
DEEP = 20_000


def deep_toml(kind: str) -> str:
    """A study whose description is preceded by a construct nested DEEP levels deep."""
    head = TINY_STUDY.read_text(encoding="utf-8")
    if kind == "array":
        return head + "\nnot_a_field = " + "[" * DEEP + "]" * DEEP + "\n"
    if kind == "inline-table":
        return head + "\nnot_a_field = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n"
    if kind == "dotted-key":
        return head + "\n" + ".".join(["a"] * DEEP) + " = 1\n"
    if kind == "table-header":
        return head + "\n[" + ".".join(["t"] * DEEP) + "]\nx = 1\n"
    raise ValueError(kind)


@pytest.mark.parametrize("kind", ["array", "inline-table", "dotted-key", "table-header"])
def test_a_deeply_nested_study_is_refused_with_its_file_named(tmp_path, kind):
    path = tmp_path / "deep.toml"
    path.write_text(deep_toml(kind), encoding="utf-8")
    for command in (["check", str(path)], ["declare", str(path), "--out", str(tmp_path / "out")], ["diff", str(TINY_STUDY), str(path)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert "nests" in result.output and "deep.toml" in " ".join(result.output.split())
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_200_kb_dotted_key_is_refused_quickly_and_without_memory(tmp_path):
    """The case that drove tomllib past 4 GiB: refused by the scan, in well under a second."""
    path = tmp_path / "dotted.toml"
    path.write_text(".".join(["k"] * 100_000) + " = 1\n", encoding="utf-8")
    assert path.stat().st_size > 190_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(FootprintInputError, match="nests"):
        read_toml(path, what="study")
    assert time.perf_counter() - started < 5  # a bound against hanging, not a benchmark
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB: no blow-up


def test_the_nesting_scan_ignores_brackets_inside_strings_and_comments():
    text = 'a = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\n# {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\nb = \'\'\'\n[[[[[[[[\n\'\'\'\n'
    assert toml_nesting(text) <= 1
    assert toml_nesting("x.y.z = [[1], {a = {b = 2}}]") >= 4
    assert toml_nesting("[[sites]]\nstage = 1\n" + ".".join(["q"] * 12) + " = 1") == 13
    assert toml_nesting("x = {" + "a.a.a.a.a = {" * 10 + "b = 1" + "}" * 11) > 50  # dotted keys inside inline tables add up
    assert json_nesting('{"a": "[[[[{{{{", "b": [[[]]]}') == 4


def test_real_files_are_far_inside_the_bounds():
    for path in [TINY_STUDY, *sorted((TINY_STUDY.parent.parent.parent / "inventories" / "examples").glob("*.toml"))]:
        text = path.read_text(encoding="utf-8")
        assert toml_nesting(text) <= MAX_NESTING // 4, path
        assert len(text.encode()) < MAX_FILE_BYTES // 100, path


def test_a_deep_declaration_is_refused_by_verify(tmp_path):
    path = tmp_path / "declaration.json"
    path.write_text('{"a": ' + "[" * DEEP + "]" * DEEP + "}", encoding="utf-8")
    result = runner.invoke(app, ["verify", str(path), "--study", str(TINY_STUDY)])
    assert result.exit_code == 2 and "nests" in result.output and "Traceback" not in result.output
    with pytest.raises(FootprintInputError, match="nests"):
        read_json(path, what="declaration")


def test_a_deep_class_table_and_previous_table_are_refused(tmp_path):
    table = tmp_path / "deep.toml"
    table.write_text("material = 'lithium-carbonate'\nx = " + "[" * DEEP + "]" * DEEP + "\n", encoding="utf-8")
    result = runner.invoke(app, ["classes", "show", "--material", "lithium-carbonate", "--table", str(table)])
    assert result.exit_code == 2 and "nests" in result.output
    market = tmp_path / "market.csv"
    market.write_text("material,value,quantity_t,date,producer\n" + "".join(f"m,{i + 1},10,2025-01-01,p{i}\n" for i in range(30)))
    result = runner.invoke(app, [
        "classes", "calibrate", "--material", "m", "--market", str(market), "--period", "2027-2029", "--out", str(tmp_path / "t.toml"),
        "--method", "quantile", "--classes", "3", "--previous", str(table),
    ])
    assert result.exit_code == 2 and "nests" in result.output and not (tmp_path / "t.toml").exists()


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.toml"
    with open(path, "wb") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2 and "limit" in result.output and "big.toml" in result.output


def test_non_utf8_and_binary_study_files_name_the_file(tmp_path):
    for name, data in (("latin1.toml", "title = 'Ærø'\n".encode("latin-1")), ("binary.toml", bytes(range(256)) * 4)):
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(app, ["check", str(path)])
        assert result.exit_code == 2 and name in result.output and "UTF-8" in result.output, result.output
