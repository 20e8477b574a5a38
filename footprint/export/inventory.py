"""The declaration's inputs for export: the declaration, its results.json, and the aggregated
inventory (elementary flows per declared unit) from one solve of the study.

The aggregated inventory g is what an ILCD "LCI result" dataset carries and what the EF 3.1
climate-change sub-categories (fossil, biogenic, land use and land use change) characterise.
It is computed once, on the same bw2calc matrices the declaration's results came from
(`Engine.elementary_flows`): the foreground's supply s (`inventory.solve_foreground`), the
background demand it induces d = L s, one sparse solve A x = d, and

    g = B x + B_f s           (B: background biosphere, B_f: the foreground's direct flows)

Nothing is trusted blindly: the study, background, method set and rules must be the ones
the declaration's fingerprint names, and g characterised with footprint's EF 3.1 factors must
give every declared result again (1e-9 relative, `verification.agree`); otherwise the export
stops with an error saying what differs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from ..declaration import Declaration, load_declaration
from ..errors import CalculationError, FootprintError, FootprintInputError, from_validation_error
from ..results import Results

CLIMATE_PARTS = {
    "fossil": ("EF v3.1", "climate change: fossil", "global warming potential (GWP100)"),
    "biogenic": ("EF v3.1", "climate change: biogenic", "global warming potential (GWP100)"),
    "land use and land use change": ("EF v3.1", "climate change: land use and land use change", "global warming potential (GWP100)"),
}


@dataclass(frozen=True)
class InventoryFlow:
    """One elementary flow of the aggregated inventory, per declared unit."""

    code: str  # the biosphere database's code: an ecoinvent / biosphere3 elementary-flow UUID
    database: str
    name: str
    categories: tuple[str, ...]
    unit: str
    amount: float
    cas: str | None = None
    kind: str = "emission"


@dataclass
class AggregatedInventory:
    """Elementary flows per declared unit, cradle to gate, as one solve of the study gives them."""

    flows: list[InventoryFlow]
    declared_unit_kg: float
    background: str
    background_sha256: str
    note: str = ""

    def characterise(self, factors: dict[str, float]) -> float:
        """Sum of amount x factor, factors keyed by biosphere code (as footprint matches them)."""
        return math.fsum(flow.amount * factors.get(flow.code, 0.0) for flow in self.flows)


@dataclass
class ClimateSplit:
    """The EF 3.1 climate change result split into its three sub-categories (kg CO2-Eq per declared unit)."""

    total: float
    fossil: float
    biogenic: float
    land_use_change: float

    @property
    def parts_sum(self) -> float:
        return math.fsum([self.fossil, self.biogenic, self.land_use_change])


@dataclass
class ExportInputs:
    """Everything an export reads, checked against each other."""

    declaration: Declaration
    results: Results
    inventory: AggregatedInventory
    climate: ClimateSplit
    study: Any  # footprint.study.Study
    material_info: Any | None  # footprint.rules.MaterialInfo
    rules: Any  # footprint.rules.MaterialRules
    declaration_path: Path
    checked_categories: list[str] = field(default_factory=list)


def method_factors(method: tuple[str, ...]) -> dict[str, float]:
    """bw2io's shipped EF 3.1 factors of one Brightway method, keyed by biosphere code."""
    from ..methods import bw2io_method_records

    records = bw2io_method_records([tuple(method)])
    if not records:
        raise FootprintError(f"method {method} is not in bw2io's shipped LCIA data")
    factors: dict[str, float] = {}
    for exchange in records[0]["exchanges"]:
        code = exchange["input"][1]
        factors[code] = factors.get(code, 0.0) + float(exchange["amount"])
    return factors


def read_results(declaration_path: Path) -> Results:
    """results.json beside declaration.json (bounded read, validated)."""
    from pydantic import ValidationError

    from ..files import read_json

    folder = declaration_path if declaration_path.is_dir() else declaration_path.parent
    path = folder / "results.json"
    raw, _ = read_json(path, what="results file (results.json beside the declaration)")
    try:
        return Results.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, file=path) from None


def read_declaration(path: Path) -> tuple[Declaration, Path]:
    """declaration.json (or a folder holding one) as the model; its content hash must hold."""
    from pydantic import ValidationError

    from ..declaration import content_hash

    path = path / "declaration.json" if path.is_dir() else path
    if not path.is_file():
        raise FootprintInputError("declaration not found", file=path)
    try:
        declaration, raw = load_declaration(path)
    except ValidationError as exc:
        raise from_validation_error(exc, file=path) from None
    except ValueError as exc:  # not JSON
        raise FootprintInputError(f"not a declaration (JSON): {exc}", file=path) from None
    if raw.get("content_sha256") != content_hash(raw):
        raise FootprintInputError("the declaration was edited after it was issued (content hash mismatch)", file=path, field="content_sha256")
    return declaration, path


def _solve(checked: Any, background: Any, method_set: Any, engine: Any) -> dict[int, float]:
    """Elementary flows (by biosphere node id) per declared unit of one study, from the engine."""
    from ..assessment import link_study

    inventory = link_study(checked, background)
    try:
        return engine.elementary_flows(inventory, background, method_set)
    except CalculationError as exc:
        raise exc.located(file=checked.loaded.path) from None


def _flow_records(background: Any, amounts: dict[int, float]) -> list[InventoryFlow]:
    keys = {entry[0]: (key, entry[1]) for key, entry in background.biosphere_by_key.items()}
    names = {entry[0]: key for key, entry in background.biosphere_by_name.items()}
    details = background.biosphere_details(list(amounts)) if hasattr(background, "biosphere_details") else {}
    out = []
    for flow_id, amount in amounts.items():
        if amount == 0:
            continue
        (database, code), unit = keys[flow_id]
        name, categories = names.get(flow_id, (code, ()))
        extra = details.get(flow_id, {})
        out.append(
            InventoryFlow(
                code=code, database=database, name=name, categories=tuple(categories), unit=unit, amount=amount,
                cas=extra.get("cas"), kind=extra.get("type", "emission"),
            )
        )
    return sorted(out, key=lambda f: (f.name.casefold(), f.categories, f.code))


def _checked_study(study_path: Path, declaration: Declaration, registry: Any) -> Any:
    from ..assessment import check_study
    from ..study import load_study

    loaded = load_study(study_path)
    fp = declaration.fingerprint
    if loaded.sha256 != fp.study_sha256:
        raise FootprintInputError(
            f"this is not the study the declaration was computed from (study sha256 {loaded.sha256[:12]}, "
            f"the declaration names {fp.study_sha256[:12]})",
            file=study_path,
        )
    checked = check_study(loaded, registry)
    if checked.rules.rules_version != fp.rules_version:
        raise FootprintInputError(
            f"the installed {fp.material} rules are version {checked.rules.rules_version}; the declaration used {fp.rules_version}",
            file=study_path, field="material",
        )
    return checked


def aggregated_inventory(
    study_path: Path | str,
    declaration: Declaration,
    results: Results,
    *,
    registry: Any | None = None,
    brightway_dir: Path | None = None,
    engine: Any | None = None,
) -> AggregatedInventory:
    """The declaration's aggregated inventory from one solve of its study (checked against the fingerprint)."""
    from ..assessment import background_for
    from ..engine.core import make_engine
    from ..methods import load_method_set
    from ..plugins import MaterialRegistry

    registry = registry or MaterialRegistry()
    engine = engine or make_engine()
    study_path = Path(study_path)
    fp = declaration.fingerprint
    method_set = load_method_set(fp.method_set)
    if method_set.sha256 != fp.method_sha256:
        raise FootprintInputError(f"the method set {fp.method_set} changed since the declaration was issued", field="fingerprint.method_sha256")
    checked = _checked_study(study_path, declaration, registry)
    background = background_for(checked, method_set, fp.background, fp.background_project, brightway_dir)
    if background.sha256 != fp.background_sha256:
        raise FootprintInputError(
            f"the background {fp.background} changed since the declaration was issued (sha256 {background.sha256[:12]}, "
            f"declared {fp.background_sha256[:12]})",
            file=study_path, field="background",
        )
    amounts = _solve(checked, background, method_set, engine)
    note = ""
    study = checked.loaded.study
    if results.secondary_model and results.secondary_model.startswith("circular-footprint-formula"):
        from ..circularity import CircularFootprint

        inputs = study.circular_footprint
        formula = CircularFootprint(a=checked.rules.cff_a, recycled_content=inputs.recycled_content, quality_ratio=inputs.quality_ratio)
        virgin = check_virgin(study_path, inputs.virgin_study, registry)
        virgin_amounts = _solve(virgin, background, method_set, engine)
        merged = {k: v * formula.recycling_weight for k, v in amounts.items()}
        for k, v in virgin_amounts.items():
            merged[k] = merged.get(k, 0.0) + v * formula.virgin_weight
        amounts = merged
        note = (
            f"Circular Footprint Formula: recycling inventory x {formula.recycling_weight:g} plus the primary "
            f"material's inventory ({inputs.virgin_study}) x {formula.virgin_weight:g}."
        )
    return AggregatedInventory(
        flows=_flow_records(background, amounts),
        declared_unit_kg=study.declared_unit_kg,
        background=fp.background,
        background_sha256=fp.background_sha256,
        note=note,
    )


def check_virgin(study_path: Path, virgin: str, registry: Any) -> Any:
    from ..assessment import check_study

    return check_study((study_path.parent / virgin).resolve(), registry)


def check_reproduces(inventory: AggregatedInventory, declaration: Declaration, method_set: Any, *, file: Path) -> list[str]:
    """Characterise the inventory with footprint's EF 3.1 factors; every declared result must come back."""
    from ..verification import agree

    checked = []
    for category in declaration.footprint.categories:
        factors = {code: cf for (_, code), cf in method_set.characterisation_factors(category.category)}
        again = inventory.characterise(factors)
        if not agree(category.value, again):
            raise CalculationError(
                f"the study's inventory gives {again!r} {category.unit} for {category.category}, the declaration "
                f"{category.value!r}: the export would not match the declaration",
                file=file, field=f"footprint.categories[{category.category}]",
            )
        checked.append(category.category)
    return checked


def climate_split(inventory: AggregatedInventory, declaration: Declaration, *, file: Path) -> ClimateSplit:
    """The climate result in EF 3.1's fossil, biogenic and land-use-change parts; they must add up."""
    from ..methods import CLIMATE_CHANGE
    from ..verification import agree

    total = declaration.category(CLIMATE_CHANGE).value
    parts = {name: inventory.characterise(method_factors(method)) for name, method in CLIMATE_PARTS.items()}
    split = ClimateSplit(total=total, fossil=parts["fossil"], biogenic=parts["biogenic"], land_use_change=parts["land use and land use change"])
    if not agree(total, split.parts_sum):
        raise CalculationError(
            f"the EF 3.1 climate change sub-categories add up to {split.parts_sum!r}, not the declared total {total!r}",
            file=file, field="footprint.categories[climate change]",
        )
    return split


def load_inputs(
    declaration_path: Path | str,
    study_path: Path | str,
    *,
    registry: Any | None = None,
    brightway_dir: Path | None = None,
) -> ExportInputs:
    """Read and cross-check the declaration, results.json and the study; solve once."""
    from ..methods import load_method_set
    from ..plugins import MaterialRegistry

    registry = registry or MaterialRegistry()
    declaration, path = read_declaration(Path(declaration_path))
    results = read_results(path)
    if results.fingerprint != declaration.fingerprint:
        raise FootprintInputError(
            "results.json is not the one this declaration was built from (fingerprints differ)", file=path.parent / "results.json"
        )
    inventory = aggregated_inventory(study_path, declaration, results, registry=registry, brightway_dir=brightway_dir)
    method_set = load_method_set(declaration.fingerprint.method_set)
    checked = check_reproduces(inventory, declaration, method_set, file=Path(study_path))
    climate = climate_split(inventory, declaration, file=Path(study_path))
    from ..study import load_study

    study = load_study(study_path).study
    info = next((m for m in registry.materials() if m.id == declaration.material.id), None)
    return ExportInputs(
        declaration=declaration, results=results, inventory=inventory, climate=climate, study=study,
        material_info=info, rules=registry.rules(declaration.material.id), declaration_path=path, checked_categories=checked,
    )
