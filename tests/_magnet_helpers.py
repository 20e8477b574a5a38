"""Shared by the magnet tests: the examples, and product files changed in one place."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from footprint.errors import FootprintInputError
from footprint.magnets.declare import MagnetAssessment, assess_product

from .conftest import EXAMPLES

MAGNET_EXAMPLES = EXAMPLES / "magnets"
WIND = MAGNET_EXAMPLES / "ndfeb-wind-generator.toml"
ROBOT = MAGNET_EXAMPLES / "smco-industrial-robot.toml"
MOTOR = MAGNET_EXAMPLES / "alnico-dc-motor.toml"
ALL_EXAMPLES = [WIND, ROBOT, MOTOR]


def load_raw(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def variant(tmp_path: Path, source: Path, change: Callable[[dict[str, Any]], None], name: str = "product.toml") -> Path:
    """A copy of a product file with one change applied to its parsed data."""
    raw = copy.deepcopy(load_raw(source))
    change(raw)
    target = tmp_path / name
    target.write_text(tomli_w.dumps(raw), encoding="utf-8")
    return target


def assess(path: Path) -> MagnetAssessment:
    return assess_product(path)


def refused(path: Path, field: str, *words: str) -> FootprintInputError:
    """The product is refused with an error naming its file and `field`, and saying `words`."""
    with pytest.raises(FootprintInputError) as caught:
        assess_product(path)
    error = caught.value
    assert error.file == str(path), error
    assert error.field == field, error
    for word in words:
        assert word in error.message, error
    return error


def share(assessment: MagnetAssessment, element: str) -> float | None:
    return next(e.share for e in assessment.content.elements if e.element == element)


def ferrite_magnet(mass_kg: float) -> dict[str, Any]:
    """A hard-ferrite magnet (SrFe12O19), for products whose ferrite does not count for Art. 29."""
    return {
        "id": "ferrite-ring", "type": "ferrite", "count": 1, "mass_kg": mass_kg, "location": "drain pump rotor",
        "source": "test product", "coatings": [], "glues": [], "additives": [],
        "composition": [
            {"element": "Sr", "wt_percent": 8.25, "source": "SrFe12O19 stoichiometry: 87.62 / 1061.8"},
            {"element": "O", "wt_percent": 28.63, "source": "SrFe12O19 stoichiometry: 19 x 16.00 / 1061.8"},
            {"element": "Fe", "balance": True, "source": "balance"},
        ],
    }
