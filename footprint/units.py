"""Units of measure: the only module that knows pint.

Amounts in studies and background files are written as the practitioner has them (t, MWh,
Nm3, t*km, ...). They are converted to the unit of whatever they link to; a conversion across
dimensions (litres to kilograms, say) needs a density the tool cannot know, so it is an error.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pint

# Brightway's biosphere and ecoinvent-style datasets spell units out in words.
_BRIGHTWAY_SPELLINGS = {
    "kilogram": "kg",
    "cubic meter": "m3",
    "standard cubic meter": "Nm3",
    "megajoule": "MJ",
    "kilowatt hour": "kWh",
    "kilo Becquerel": "kBq",
    "square meter": "m2",
    "square meter-year": "m2*year",
    "cubic meter-year": "m3*year",
    "ton kilometer": "t*km",
    "tonne kilometer": "t*km",
    "metric ton*km": "t*km",
    "unit": "count",
    "litre": "L",
    "liter": "L",
    "kg*day": "kg*day",
    "meter-year": "m*year",
    "hectare": "ha",
}


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """pint registry with the units LCA practice uses that pint lacks."""
    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    # Normal / standard cubic metres measure an amount of gas; footprint treats them as a
    # volume at reference conditions, so Nm3 and m3 of the same gas convert one to one.
    ureg.define("normal_cubic_meter = meter ** 3 = Nm3 = Sm3")
    ureg.define("tkm = tonne * kilometer")
    ureg.define("count = [] = unit = item = p")
    return ureg


def normalise_spelling(unit: str) -> str:
    """Map Brightway's spelled-out units (e.g. 'kilogram') to symbols pint parses."""
    unit = unit.strip()
    return _BRIGHTWAY_SPELLINGS.get(unit, unit)


# No unit of LCA practice is longer than this, or raises a dimension past this power (m3 is
# the highest); a longer or higher one is a slip or a hostile file, refused before pint
# computes with it (kWh**100000 overflows every float).
MAX_UNIT_LENGTH = 64
MAX_EXPONENT = 4


@lru_cache(maxsize=4096)
def parse_unit(unit: str) -> pint.Unit:
    """Parse a unit string; raise ValueError naming it when pint does not know it."""
    text = normalise_spelling(unit)
    if not text:
        raise ValueError("empty unit")
    if len(text) > MAX_UNIT_LENGTH:
        raise ValueError(f"the unit {unit[:20]!r}... is {len(text)} characters long; no unit is longer than {MAX_UNIT_LENGTH}")
    try:
        parsed = registry().Unit(text.replace("m3", "m**3").replace("m2", "m**2").replace("Nm**3", "Nm3"))
    except (OverflowError, ZeroDivisionError, RecursionError):
        raise ValueError(f"the unit {unit!r} has an exponent out of range") from None
    except Exception as exc:  # pint raises several error types for unknown units
        raise ValueError(f"unknown unit {unit!r}") from exc
    if any(abs(power) > MAX_EXPONENT for power in parsed.dimensionality.values()):
        raise ValueError(f"the unit {unit!r} raises a dimension past the power {MAX_EXPONENT}; no LCA unit does")
    return parsed


@lru_cache(maxsize=4096)
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Factor that turns an amount in `from_unit` into `to_unit`.

    Raises ValueError when the units are unknown or of different dimensions.
    """
    source = parse_unit(from_unit)
    target = parse_unit(to_unit)
    ureg = registry()
    try:
        return float(ureg.Quantity(1.0, source).to(target).magnitude)
    except OverflowError:
        raise ValueError(f"converting {from_unit!r} to {to_unit!r} overflows") from None
    except pint.DimensionalityError as exc:
        raise ValueError(
            f"cannot convert {from_unit!r} to {to_unit!r}: different dimensions "
            f"({source.dimensionality} vs {target.dimensionality})"
        ) from exc


def conversion_factor_or_none(from_unit: str, to_unit: str) -> float | None:
    """The factor, or None when the units do not convert (for matching, where a miss is no error)."""
    if normalise_spelling(from_unit) == normalise_spelling(to_unit):
        return 1.0
    try:
        return conversion_factor(from_unit, to_unit)
    except ValueError:
        return None


def convert(amount: float, from_unit: str, to_unit: str) -> float:
    """Convert `amount` from one unit to another (see `conversion_factor`)."""
    return amount * conversion_factor(from_unit, to_unit)


def is_mass(unit: str) -> bool:
    """True when `unit` measures mass (a declared unit and mass allocation need one)."""
    return parse_unit(unit).dimensionality == registry().kilogram.dimensionality


def check_amount(value: float) -> float:
    """Reject NaN and infinite amounts; sign rules belong to the callers."""
    if not math.isfinite(value):
        raise ValueError(f"amount must be a finite number, got {value!r}")
    return value


@lru_cache(maxsize=4096)
def base_unit_factor(unit: str) -> float:
    """Factor from `unit` to its SI base units (kg, m, s, ...): the scale every conversion passes through."""
    try:
        return float(registry().Quantity(1.0, parse_unit(unit)).to_base_units().magnitude)
    except OverflowError:
        raise ValueError(f"the unit {unit!r} overflows once converted to base units") from None


def check_convertible(amount: float, unit: str) -> float:
    """Reject an amount that is finite as written but overflows in base units (1e308 t is inf kg)."""
    if not math.isfinite(amount * base_unit_factor(unit)):
        raise ValueError(f"{amount:g} {unit} overflows once converted to base units; check the amount and its unit")
    return amount
