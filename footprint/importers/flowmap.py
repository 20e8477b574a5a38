"""Elementary flows of other flow lists, matched to ecoinvent's biosphere3.

footprint's EF 3.1 factors are keyed by biosphere3 flows, so an imported database counts only
the flows it links there. Matching is by name, compartment and unit, in this order:

1. a biosphere3 code given by the source (ecoSpold2 and Brightway files use them);
2. the shipped, sourced table `inventories/mappings/elementary-flows.toml`: source contexts
   (e.g. USLCI's `Elementary Flows/NETL Coal Elementary Flows/air`, EF 3.1's
   `Emissions/Emissions to air/Emissions to urban air close to ground`) to biosphere3
   compartments, and names that differ (USLCI `Methane`, EF 3.1 `carbon dioxide (fossil)`);
3. bw2io's own ecoinvent 2 -> 3 compartment and name migrations (bw2io.data), which the
   USLCI's ecoSpold1-era names follow;
4. the exact name (then the name ignoring case) in the compartment.

The unit converts by pint to the biosphere3 flow's unit; a unit of another dimension is no match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from ..errors import FootprintInputError, from_validation_error
from ..files import read_toml
from ..paths import shipped
from ..study import Strict
from ..units import conversion_factor_or_none, normalise_spelling

UNSPECIFIED = {"unspecified", "(unspecified)", ""}


class MappingFileInfo(Strict):
    title: str
    sources: list[str] = Field(default_factory=list)


class ContextMapping(Strict):
    """A source compartment path and the biosphere3 compartment it means."""

    flow_list: str = Field(description="Whose names these are, e.g. 'USLCI (openLCA JSON-LD 1.5)' or 'ILCD / EF 3.1'")
    context: str = Field(min_length=1, description="Source compartment path, parts joined by '/', compared ignoring case")
    categories: str = Field(min_length=1, description="biosphere3 categories, joined by '/'")
    source: str = Field(min_length=5)
    assumption: bool = False


class FlowMapping(Strict):
    """A source flow name (in a source context or biosphere3 compartment) and the biosphere3 flow it is."""

    flow_list: str
    name: str = Field(min_length=1)
    context: str = Field(default="*", description="Source context as written, or biosphere3 categories after the context mapping, or '*'")
    unit: str = Field(min_length=1, description="The source unit the factor applies to")
    biosphere3_name: str = Field(min_length=1)
    biosphere3_categories: str = Field(default="*", description="'*' keeps the compartment")
    factor: float = Field(default=1.0, gt=0, description="Source amount times factor = biosphere3 amount (in the source unit's scale)")
    match: Literal["=", "~"] = Field(default="=", description="'=' the same flow; '~' a proxy (see assumption)")
    source: str = Field(min_length=5)
    assumption: bool = False


Row = tuple[str, str, str, str, str, float, Literal["=", "~"]]


class MappingBlock(Strict):
    """Many rows from one source: [name, context, unit, biosphere3 name, biosphere3 categories, factor, match]."""

    flow_list: str
    source: str = Field(min_length=5)
    assumption: bool = False
    rows: list[Row]


class FlowMappingFile(Strict):
    file: MappingFileInfo
    contexts: list[ContextMapping] = Field(default_factory=list)
    flows: list[FlowMapping] = Field(default_factory=list)
    blocks: list[MappingBlock] = Field(default_factory=list)

    def all_flows(self) -> list[FlowMapping]:
        rows = list(self.flows)
        for block in self.blocks:
            for name, context, unit, target, categories, factor, match in block.rows:
                rows.append(
                    FlowMapping(
                        flow_list=block.flow_list, name=name, context=context, unit=unit, biosphere3_name=target,
                        biosphere3_categories=categories, factor=factor, match=match, source=block.source,
                        assumption=block.assumption,
                    )
                )
        return rows


def mapping_folder() -> Path:
    return shipped("inventories") / "mappings"


def _parse_mapping(path: Path) -> FlowMappingFile:
    raw, _ = read_toml(path, what="flow-mapping file")
    try:
        return FlowMappingFile.model_validate(raw)
    except ValidationError as exc:
        raise from_validation_error(exc, file=path) from None


@lru_cache(maxsize=2)
def load_mapping(folder: Path | None = None) -> FlowMappingFile:
    """Every shipped mapping file, merged; hand-written rows (`flows`) win over generated blocks."""
    folder = folder or mapping_folder()
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise FootprintInputError("no flow-mapping files found", file=folder)
    merged = FlowMappingFile(file=MappingFileInfo(title=f"flow mappings in {folder}"))
    for path in paths:
        part = _parse_mapping(path)
        merged.file.sources.extend(part.file.sources)
        merged.contexts.extend(part.contexts)
        merged.blocks.extend(part.blocks)
        seen = {(row.name.lower(), row.context.lower(), row.unit) for row in merged.flows}
        for row in part.flows:
            key = (row.name.lower(), row.context.lower(), row.unit)
            if key in seen:
                raise FootprintInputError(f"flow {row.name!r} in {row.context!r} is mapped twice", file=path, field="flows")
            seen.add(key)
            merged.flows.append(row)
    return merged


def _split(path: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in path.split("/") if part.strip())


@dataclass(frozen=True)
class BiosphereFlow:
    code: str
    name: str
    categories: tuple[str, ...]
    unit: str  # pint-parsable symbol


@dataclass
class FlowMatch:
    flow: BiosphereFlow
    factor: float
    rule: str  # which step matched: "code", "table", "bw2io migration", "name", "name (case)"


class FlowMatcher:
    """Matches source elementary flows to one biosphere database's flows."""

    def __init__(self, flows: list[BiosphereFlow], mapping: FlowMappingFile | None = None) -> None:
        self.by_code = {flow.code: flow for flow in flows}
        self.by_key = {(flow.name, flow.categories): flow for flow in flows}
        self.by_lower: dict[tuple[str, tuple[str, ...]], BiosphereFlow] = {}
        for flow in flows:
            self.by_lower.setdefault((flow.name.lower(), tuple(c.lower() for c in flow.categories)), flow)
        mapping = mapping or load_mapping()
        self.contexts = {row.context.lower(): _split(row.categories) for row in mapping.contexts}
        self.names: dict[tuple[str, str], FlowMapping] = {}
        for row in mapping.all_flows():  # hand rows first: they win
            self.names.setdefault((row.name.lower(), row.context.lower()), row)
        self.migrated_categories, self.migrated_names = _bw2io_migrations()

    def categories(self, context: tuple[str, ...]) -> tuple[str, ...]:
        """The biosphere3 compartment a source context path means."""
        parts = tuple(part.strip() for part in context if part and part.strip())
        mapped = self.contexts.get("/".join(parts).lower())
        if mapped is not None:
            return mapped
        while parts and parts[-1].lower() in UNSPECIFIED:
            parts = parts[:-1]
        mapped = self.contexts.get("/".join(parts).lower())
        if mapped is not None:
            return mapped
        return self.migrated_categories.get(parts, parts)

    def match(self, name: str, context: tuple[str, ...], unit: str, code: str | None = None) -> FlowMatch | None:
        if code and code in self.by_code:
            flow = self.by_code[code]
            factor = conversion_factor_or_none(unit, flow.unit)
            return FlowMatch(flow, factor, "code") if factor is not None else None
        raw_context = "/".join(part.strip() for part in context if part and part.strip())
        categories = self.categories(context)
        name = " ".join(name.split())
        names = [name]
        migrated = self.migrated_names.get((name, categories))
        if migrated and migrated != name:
            names.append(migrated)
        for candidate in names:
            for key in (raw_context, "/".join(categories), "*"):
                row = self.names.get((candidate.lower(), key.lower()))
                if row is None:
                    continue
                target_categories = categories if row.biosphere3_categories == "*" else _split(row.biosphere3_categories)
                flow = self.by_key.get((row.biosphere3_name, target_categories))
                factor = conversion_factor_or_none(unit, flow.unit) if flow else None
                if flow is not None and factor is not None:
                    return FlowMatch(flow, factor * row.factor, "mapping table")
        for candidate in names:
            flow = self.by_key.get((candidate, categories))
            rule = "bw2io migration" if candidate != name else "same name"
            if flow is None:
                flow = self.by_lower.get((candidate.lower(), tuple(c.lower() for c in categories)))
                rule = "same name, other case"
            if flow is not None:
                factor = conversion_factor_or_none(unit, flow.unit)
                if factor is not None:
                    return FlowMatch(flow, factor, rule)
        return None


@lru_cache(maxsize=1)
def _bw2io_migrations() -> tuple[dict[tuple[str, ...], tuple[str, ...]], dict[tuple[str, tuple[str, ...]], str]]:
    """bw2io's ecoinvent 2 -> 3 biosphere compartment and name migrations, as plain lookups."""
    from bw2io.data import get_biosphere_2_3_category_migration_data, get_biosphere_2_3_name_migration_data

    categories = {
        tuple(key[0]): tuple(value["categories"])
        for key, value in get_biosphere_2_3_category_migration_data()["data"]
        if "categories" in value
    }
    names = {
        (key[0], tuple(key[1])): value["name"]
        for key, value in get_biosphere_2_3_name_migration_data()["data"]
        if "name" in value
    }
    return categories, names


def shipped_biosphere3() -> list[BiosphereFlow]:
    """biosphere3 as bw2io 0.9.17 creates it (ecoinvent 3.9 elementary flows), read without a project."""
    import contextlib
    import io

    from bw2io.importers import Ecospold2BiosphereImporter

    with contextlib.redirect_stdout(io.StringIO()):
        importer = Ecospold2BiosphereImporter()
        importer.apply_strategies()
    return [
        BiosphereFlow(code=row["code"], name=row["name"], categories=tuple(row["categories"]), unit=normalise_spelling(row["unit"]))
        for row in importer.data
    ]
