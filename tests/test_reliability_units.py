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


# --- the shipped unit table (conversions without importing pint) ---------------------------


def test_the_shipped_unit_table_is_what_pint_computes():
    """Every entry of footprint/unit_table.py equals pint's own factor, dimensions and base unit
    (regenerate with tools/make_unit_table.py when pint or footprint's definitions change)."""
    from footprint.unit_table import UNIT_TABLE
    from footprint.units import TABLED_UNITS, pint_table_entry

    assert tuple(UNIT_TABLE) == TABLED_UNITS
    for unit, entry in UNIT_TABLE.items():
        assert entry == pint_table_entry(unit), unit


def test_conversions_through_the_table_agree_with_pint_for_every_pair():
    import pint

    from footprint.unit_table import UNIT_TABLE
    from footprint.units import conversion_factor, registry

    ureg = registry()
    for source in UNIT_TABLE:
        for target in UNIT_TABLE:
            try:
                expected = float(ureg.Quantity(1.0, parse_unit(source)).to(parse_unit(target)).magnitude)
            except pint.DimensionalityError:
                with pytest.raises(ValueError, match="different dimensions"):
                    conversion_factor(source, target)
                continue
            assert conversion_factor(source, target) == pytest.approx(expected, rel=1e-15), (source, target)


def test_a_unit_outside_the_table_still_goes_through_pint():
    from footprint.units import check_unit, conversion_factor, to_base_units

    from footprint.unit_table import UNIT_TABLE

    assert "short_ton" not in UNIT_TABLE
    assert conversion_factor("short_ton", "kg") == pytest.approx(907.18474)
    assert to_base_units(2.0, "short_ton") == (pytest.approx(1814.36948), "kilogram")
    with pytest.raises(ValueError, match="unknown unit"):
        check_unit("bananas")


def test_declaring_a_study_in_tabled_units_never_imports_pint(tmp_path):
    """pint's import and registry cost about half a second of every command; the units of the
    shipped examples are all in the table, so checking one does not load pint at all."""
    import subprocess
    import sys

    from .conftest import TINY_STUDY

    code = (
        "import sys\n"
        "from footprint.study.load import load_study\n"
        f"load_study({str(TINY_STUDY)!r})\n"
        "print('pint' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
