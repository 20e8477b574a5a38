"""`footprint sensitivity`: one study's elasticities and class margin, as a verifier asks for them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..assessment import assess
from ..indicators import ClassMargin, Elasticity
from ..classes.lookup import class_table_for
from ..plugins import MaterialRegistry
from ..study.load import load_study
from ..workbench.margin import class_margin


def sensitivity_of(
    study: Path | str,
    *,
    engine: Any,
    top: int = 20,
    registry: MaterialRegistry | None = None,
    class_table: Path | str | None = None,
    on_date: dt.date | None = None,
    **assess_options: Any,
) -> tuple[Any, str | None]:
    """The study's results with every amount's elasticity and, when a class table applies (the one
    given, else the one in force on `on_date`, default today), the class margin; and why there is
    no margin when there is none."""
    registry = registry or MaterialRegistry()
    loaded = load_study(study)
    results = assess(loaded, registry=registry, engine=engine, **assess_options)
    when = on_date or dt.datetime.now(dt.timezone.utc).date()
    choice = class_table_for(results.material, when, registry=registry, given=class_table)
    if choice.table is None:
        return results, choice.missing
    return results.model_copy(update={"class_margin": class_margin(results, choice.table, top=top)}), None


class SensitivityReport(BaseModel):
    """What `footprint sensitivity --json/--out` writes (`footprint schema sensitivity`)."""

    model_config = ConfigDict(extra="forbid")

    study: str
    elasticities: list[Elasticity] = Field(description="The top amounts, ranked")
    class_margin: ClassMargin | None = None
    class_margin_missing: str | None = Field(default=None, description="Why there is no class margin (no table in force)")
