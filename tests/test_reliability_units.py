"""Units with absurd exponents or lengths are refused with the file, process and field; pint
never computes with them (kWh**100000 overflows every float)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from footprint.cli import app
from footprint.units import MAX_EXPONENT, parse_unit

from .conftest import TINY_STUDY, edit_study

runner = CliRunner()


@pytest.mark.parametrize("unit", ["kWh**100000", "kWh^400", "kg**-999", "m**2**3", "t" * 200])
def test_an_absurd_unit_is_refused_naming_where(tmp_path, unit):
    study = edit_study(tmp_path, TINY_STUDY, [('  amount = 5.0\n  unit = "kWh"', f'  amount = 5.0\n  unit = "{unit}"')])
    for command in (["check", str(study)], ["declare", str(study), "--out", str(tmp_path / "out")]):
        result = runner.invoke(app, command)
        text = " ".join(result.output.split())
        assert result.exit_code == 2, result.output
        assert "study.toml" in text and "'pumping'" in text and "unit" in text
        assert "Traceback" not in result.output and "OverflowError" not in result.output
    assert not (tmp_path / "out").exists()


def test_every_unit_of_lca_practice_stays_inside_the_bounds():
    for unit in ("kg", "t", "kWh", "MWh", "MJ", "GJ", "m3", "Nm3", "L", "t*km", "m2", "m2*year", "m3*year", "kBq", "ha", "unit"):
        dims = parse_unit(unit).dimensionality
        assert all(abs(power) <= MAX_EXPONENT for power in dims.values()), unit
