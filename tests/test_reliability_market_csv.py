"""Annex V Part VIII market data from a regulator's CSV: a field the csv module refuses, a file
that is not UTF-8 or not text, a row with stray fields — each a clear error naming the file
and line, never a traceback, never a silently shifted column."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from footprint.classes import MarketDataError, read_market_csv
from footprint.cli import app

runner = CliRunner()
HEADER = "material,value,quantity_t,date,producer\n"


def rows(n: int = 30) -> str:
    return "".join(f"m,{i + 1},10,2025-01-01,p{i % 9}\n" for i in range(n))


def calibrate(path, tmp_path):
    return runner.invoke(app, [
        "classes", "calibrate", "--material", "m", "--market", str(path), "--period", "2027-2029",
        "--out", str(tmp_path / "t.toml"), "--method", "quantile", "--classes", "3",
    ])


def test_a_field_of_hundreds_of_thousands_of_characters_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "market.csv"
    path.write_text(HEADER + rows(5) + "m,1,10,2025-01-01," + "x" * 300_000 + "\n" + rows(5))
    with pytest.raises(MarketDataError, match="line 7"):
        read_market_csv(path)
    result = calibrate(path, tmp_path)
    assert result.exit_code == 2 and "market.csv" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "t.toml").exists()


@pytest.mark.parametrize("data", ["material,value\nÆ,1\n".encode("latin-1"), bytes(range(256)) * 8, b"\xff\xfe" + HEADER.encode("utf-16-le")])
def test_non_utf8_or_binary_files_are_refused_naming_the_file(tmp_path, data):
    path = tmp_path / "market.csv"
    path.write_bytes(data)
    with pytest.raises(MarketDataError, match="market.csv.*UTF-8"):
        read_market_csv(path)
    result = calibrate(path, tmp_path)
    assert result.exit_code == 2 and "market.csv" in result.output and "UTF-8" in result.output


def test_a_row_with_extra_fields_is_refused_not_silently_accepted(tmp_path):
    path = tmp_path / "market.csv"
    path.write_text(HEADER + rows(3) + "m,4,10,2025-01-01,p4,stray\n" + rows(3))
    with pytest.raises(MarketDataError, match="line 5.*6 fields but the header has 5"):
        read_market_csv(path)


def test_empty_trailing_fields_are_a_spreadsheet_habit_and_pass(tmp_path):
    path = tmp_path / "market.csv"
    path.write_text(HEADER.replace("\n", ",\n") + "".join(line.replace("\n", ",\n") for line in rows(30).splitlines(True)))
    assert len(read_market_csv(path)) == 30


def test_a_byte_order_mark_is_read_as_utf8(tmp_path):
    path = tmp_path / "market.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + rows(30)).encode())
    assert len(read_market_csv(path)) == 30
