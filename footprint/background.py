"""Backgrounds: the secondary LCI data a study's foreground links to.

Either footprint's open starter background (TOML files under `inventories/background/`,
written once into footprint's own Brightway project) or a database in a user's Brightway
project (e.g. ecoinvent imported with bw2io), which footprint only reads. This is the only
module that talks to bw2data and bw2io.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np
from pydantic import Field, ValidationError, model_validator

from .errors import FootprintInputError, LinkError
from .methods import MethodSet
from .paths import shipped, user_data_dir
from .study import ElementaryFlow, Strict, TechnosphereInput
from .units import conversion_factor, normalise_spelling

STARTER = "footprint-starter"
BIOSPHERE = "biosphere3"
ProgressCallback = Callable[[str], None]


# ---------------------------------------------------------------------------------------------
# The starter background's file format
# ---------------------------------------------------------------------------------------------


class PublishedCheck(Strict):
    """A published total the computed climate result of a dataset should match."""

    gwp100_kg_co2e: float = Field(gt=0)
    source: str = Field(min_length=5)
    tolerance: float = Field(default=0.25, gt=0, le=1)


class BackgroundDataset(Strict):
    """One aggregated cradle-to-gate dataset of the starter background."""

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    name: str
    reference_product: str
    location: str
    unit: str
    source: str = Field(min_length=5)
    comment: str | None = None
    inputs: list[TechnosphereInput] = Field(default_factory=list)
    elementary_flows: list[ElementaryFlow] = Field(default_factory=list)
    check: PublishedCheck | None = None

    @model_validator(mode="after")
    def _every_number_sourced(self) -> "BackgroundDataset":
        for kind, exchanges in (("inputs", self.inputs), ("elementary_flows", self.elementary_flows)):
            for position, exchange in enumerate(exchanges, start=1):
                if not (exchange.source and exchange.source.strip()):
                    raise ValueError(f"{kind}[{position}] ({exchange.describe()}) has no source")
                if isinstance(exchange, TechnosphereInput) and exchange.dataset is None:
                    raise ValueError(f"{kind}[{position}] must link by `dataset` code")
        return self


class BackgroundFileInfo(Strict):
    title: str
    sources: list[str] = Field(default_factory=list)


class BackgroundFile(Strict):
    file: BackgroundFileInfo
    datasets: list[BackgroundDataset]


@dataclass(frozen=True)
class StarterData:
    """The parsed starter background and the hash of its files."""

    datasets: dict[str, tuple[BackgroundDataset, Path]]
    files: dict[Path, BackgroundFileInfo]
    sha256: str


def starter_folder() -> Path:
    return shipped("inventories") / "background"


def load_starter(folder: Path | None = None) -> StarterData:
    """Parse and validate every starter background file; codes must be unique across files.

    Every study opens the background, so the parse is kept until a file changes.
    """
    folder = folder or starter_folder()
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise FootprintInputError("no background files found", file=folder)
    stamp = tuple((path, path.stat().st_mtime_ns, path.stat().st_size) for path in paths)
    return _parse_starter(stamp)


@lru_cache(maxsize=4)
def _parse_starter(stamp: tuple[tuple[Path, int, int], ...]) -> StarterData:
    digest = hashlib.sha256()
    datasets: dict[str, tuple[BackgroundDataset, Path]] = {}
    files: dict[Path, BackgroundFileInfo] = {}
    paths = [path for path, _, _ in stamp]
    for path in paths:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        try:
            raw = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise FootprintInputError(f"not valid TOML: {exc}", file=path) from None
        try:
            parsed = BackgroundFile.model_validate(raw)
        except ValidationError as exc:
            error = exc.errors()[0]
            loc = error["loc"]
            dataset = None
            if len(loc) > 1 and loc[0] == "datasets" and isinstance(loc[1], int):
                dataset = raw["datasets"][loc[1]].get("code", f"#{loc[1] + 1}")
            raise FootprintInputError(
                error["msg"], file=path, process=dataset, field=".".join(str(p) for p in loc[2:]) or None
            ) from None
        files[path] = parsed.file
        for dataset in parsed.datasets:
            if dataset.code in datasets:
                raise FootprintInputError(
                    f"dataset code {dataset.code!r} is also defined in {datasets[dataset.code][1].name}",
                    file=path,
                    process=dataset.code,
                    field="code",
                )
            datasets[dataset.code] = (dataset, path)
    return StarterData(datasets=datasets, files=files, sha256=digest.hexdigest())


# ---------------------------------------------------------------------------------------------
# Brightway access
# ---------------------------------------------------------------------------------------------


def brightway_dir() -> Path:
    """footprint's own Brightway directory (moved with FOOTPRINT_DATA_DIR)."""
    path = user_data_dir() / "brightway"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _bw2data(base_dir: Path | None = None) -> Any:
    """Import bw2data pointed at footprint's directory, or at a user's directory to read from."""
    target = (base_dir or brightway_dir()).resolve()
    if "bw2data" not in sys.modules:
        os.environ["BRIGHTWAY2_DIR"] = str(target)
        import bw2data

        return bw2data
    import bw2data

    if Path(bw2data.projects._base_data_dir).resolve() != target:
        bw2data.projects.change_base_directories(target, project_name=None, update=False)
    return bw2data


def bw2data_in(base_dir: Path | None = None) -> Any:
    """bw2data pointed at `base_dir` (default footprint's own Brightway directory); for the importers."""
    return _bw2data(base_dir)


def characterisation_package(name: str, method: tuple[str, ...], flow_ids: Iterable[int], factors: Iterable[float]) -> Any:
    """One category's factors as a bw_processing datapackage that bw2calc's MultiLCA can pick
    out by its `identifier` (the Brightway method tuple)."""
    import bw_processing as bwp

    rows = np.asarray(list(flow_ids), dtype=np.int64)
    package = bwp.create_datapackage(sum_inter_duplicates=False)
    indices = np.zeros(len(rows), dtype=bwp.INDICES_DTYPE)
    indices["row"] = rows
    indices["col"] = 0
    package.add_persistent_vector(
        matrix="characterization_matrix",
        name=f"cf-{name}",
        indices_array=indices,
        data_array=np.asarray(list(factors), dtype=float),
        global_index=0,
        identifier=list(method),
    )
    return package


@dataclass(frozen=True)
class LinkedDataset:
    """A background dataset as the foreground sees it."""

    id: int
    database: str
    code: str
    name: str
    location: str
    unit: str
    reference_product: str


@dataclass
class Background:
    """A Brightway database a study links to, with lookups, datapackages and a content hash."""

    database: str
    project: str
    base_dir: Path
    sha256: str
    kind: str  # "starter" or "brightway"
    datasets: dict[int, LinkedDataset] = field(default_factory=dict)
    _by_code: dict[tuple[str, str], int] = field(default_factory=dict)
    _by_name: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    biosphere_by_key: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    biosphere_by_code: dict[str, tuple[int, str]] = field(default_factory=dict)
    biosphere_by_name: dict[tuple[str, tuple[str, ...]], tuple[int, str]] = field(default_factory=dict)
    dependencies: tuple[str, ...] = ()
    # what `footprint background import --allow-unlinked` left unlinked (from the database's metadata)
    gaps: tuple[str, ...] = ()

    # -- lookups -----------------------------------------------------------------------------

    def by_code(self, code: str, database: str | None = None) -> LinkedDataset:
        key = (database or self.database, code)
        if key not in self._by_code:
            similar = sorted(c for (db, c) in self._by_code if db == key[0] and code.split("-")[0] in c)[:8]
            hint = f"; similar codes: {', '.join(similar)}" if similar else ""
            raise LinkError(f"no dataset with code {code!r} in database {key[0]!r}{hint}", field="dataset")
        return self.datasets[self._by_code[key]]

    def by_name(self, name: str, location: str | None, unit: str) -> LinkedDataset:
        candidates = [
            self.datasets[i]
            for (n, loc), ids in self._by_name.items()
            if n == name and (location is None or loc == location)
            for i in ids
        ]
        convertible = []
        for dataset in candidates:
            try:
                conversion_factor(unit, dataset.unit)
                convertible.append(dataset)
            except ValueError:
                continue
        if len(convertible) == 1:
            return convertible[0]
        listed = "; ".join(f"{d.database}:{d.code} '{d.name}' [{d.location}] ({d.unit})" for d in convertible or candidates)
        if not convertible:
            where = f" in {location}" if location else ""
            raise LinkError(
                f"no dataset named {name!r}{where} with a unit convertible from {unit!r}"
                + (f"; candidates with other units: {listed}" if candidates else ""),
                field="name",
            )
        raise LinkError(f"{len(convertible)} datasets match {name!r} in {location or 'any location'}: {listed}", field="name")

    def biosphere_flow(self, flow: ElementaryFlow) -> tuple[int, str]:
        if flow.key is not None:
            found = self.biosphere_by_code.get(flow.key)
            if found is None:
                raise LinkError(f"no elementary flow with key {flow.key!r}", field="key")
            return found
        compartment = tuple(part.strip() for part in (flow.compartment or "").split("/") if part.strip())
        found = self.biosphere_by_name.get((flow.flow or "", compartment))
        if found is None:
            alternatives = sorted(
                "/".join(c) for (n, c) in self.biosphere_by_name if n == flow.flow
            )[:8]
            hint = f"; compartments with this name: {', '.join(alternatives)}" if alternatives else "; no flow has this name"
            raise LinkError(f"no elementary flow {flow.flow!r} in compartment {flow.compartment!r}{hint}", field="flow")
        return found

    # -- datapackages ------------------------------------------------------------------------

    def datapackages(self) -> list[Any]:
        """The background's own and its dependencies' datapackages, as bw2calc reads them."""
        bd = self._activate()
        return [bd.Database(name).datapackage() for name in self.dependencies]

    def characterisation_datapackages(self, method_set: MethodSet) -> list[Any]:
        """In-memory characterisation datapackages (with identifiers) for every category.

        Built from bw2io's shipped EF factors matched by biosphere code, so a user's project
        need not contain the method and footprint never writes one into it.
        """
        packages = []
        for category in method_set.categories:
            rows, values = [], []
            for (_, code), factor in method_set.characterisation_factors(category.category):
                hit = self.biosphere_by_code.get(code)
                if hit is not None:
                    rows.append(hit[0])
                    values.append(factor)
            packages.append(characterisation_package(category.category, category.method, rows, values))
        return packages

    def _activate(self) -> Any:
        bd = _bw2data(self.base_dir)
        if bd.projects.current != self.project:
            bd.projects.set_current(self.project, writable=self.kind == "starter", update=False)
        return bd

    # -- listing -----------------------------------------------------------------------------

    def linked_datasets(self) -> list[LinkedDataset]:
        return sorted((d for d in self.datasets.values() if d.database == self.database), key=lambda d: d.code)


def _index_background(bd: Any, background: Background) -> None:
    """Fill the lookups of a background from its Brightway database and dependencies."""
    database = bd.Database(background.database)
    background.dependencies = tuple(sorted(database.find_graph_dependents()))
    for name in background.dependencies:
        db = bd.Database(name)
        is_biosphere = db.metadata.get("type") == "biosphere" or name == BIOSPHERE or "biosphere" in name
        for node in db:
            if is_biosphere or node.get("type") in ("emission", "natural resource", "economic", "social", "inventory indicator"):
                entry = (node.id, normalise_spelling(node.get("unit", "")))
                background.biosphere_by_key[(name, node["code"])] = entry
                background.biosphere_by_code.setdefault(node["code"], entry)
                categories = tuple(node.get("categories") or ())
                background.biosphere_by_name.setdefault((node["name"], categories), entry)
                continue
            linked = LinkedDataset(
                id=node.id,
                database=name,
                code=node["code"],
                name=node["name"],
                location=str(node.get("location") or "GLO"),
                unit=normalise_spelling(node.get("unit", "")),
                reference_product=node.get("reference product") or node["name"],
            )
            background.datasets[node.id] = linked
            background._by_code[(name, linked.code)] = node.id
            background._by_name.setdefault((linked.name, linked.location), []).append(node.id)


def _hash_processed(bd: Any, names: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode())
        digest.update(Path(bd.Database(name).filepath_processed()).read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Building and opening
# ---------------------------------------------------------------------------------------------


def starter_project_name(starter: StarterData, method_set: MethodSet) -> str:
    return f"footprint-starter-{starter.sha256[:12]}-{method_set.sha256[:8]}"


def _starter_records(starter: StarterData, biosphere: dict[tuple[str, tuple[str, ...]], tuple[str, str]]) -> dict:
    """Turn the starter files into bw2data records, converting units at every link."""
    records: dict[tuple[str, str], dict] = {}
    for code, (dataset, path) in starter.datasets.items():
        exchanges: list[dict] = [
            {"input": (STARTER, code), "amount": 1.0, "type": "production", "unit": dataset.unit}
        ]
        for position, item in enumerate(dataset.inputs, start=1):
            supplier = starter.datasets.get(item.dataset or "")
            if supplier is None:
                raise LinkError(
                    f"inputs[{position}] links to unknown background dataset {item.dataset!r}",
                    file=path,
                    process=code,
                    field=f"inputs[{position}].dataset",
                )
            try:
                factor = conversion_factor(item.unit, supplier[0].unit)
            except ValueError as exc:
                raise FootprintInputError(str(exc), file=path, process=code, field=f"inputs[{position}].unit") from None
            exchanges.append(
                {"input": (STARTER, item.dataset), "amount": item.amount * factor, "type": "technosphere", "comment": item.source}
            )
        for position, flow in enumerate(dataset.elementary_flows, start=1):
            compartment = tuple(p.strip() for p in (flow.compartment or "").split("/") if p.strip())
            hit = biosphere.get((flow.flow or "", compartment))
            if hit is None:
                raise LinkError(
                    f"no elementary flow {flow.flow!r} in compartment {flow.compartment!r} in biosphere3",
                    file=path,
                    process=code,
                    field=f"elementary_flows[{position}].flow",
                )
            try:
                factor = conversion_factor(flow.unit, hit[1])
            except ValueError as exc:
                raise FootprintInputError(
                    str(exc), file=path, process=code, field=f"elementary_flows[{position}].unit"
                ) from None
            exchanges.append(
                {"input": (BIOSPHERE, hit[0]), "amount": flow.amount * factor, "type": "biosphere", "comment": flow.source}
            )
        records[(STARTER, code)] = {
            "name": dataset.name,
            "reference product": dataset.reference_product,
            "location": dataset.location,
            "unit": dataset.unit,
            "type": "process",
            "comment": dataset.source,
            "exchanges": exchanges,
        }
    return records


def build_starter_project(
    starter: StarterData, method_set: MethodSet, progress: ProgressCallback | None = None
) -> str:
    """Create footprint's Brightway project for the starter background, once per content hash."""
    bd = _bw2data()
    name = starter_project_name(starter, method_set)
    if name in bd.projects:
        bd.projects.set_current(name, update=False)
        if bd.projects.dataset.data.get("footprint_complete"):
            return name
        bd.projects.delete_project(name, delete_dir=True)
    say = progress or (lambda message: None)
    bd.projects.set_current(name)
    import bw2io
    from bw2io.importers.base_lcia import LCIAImporter

    from .methods import bw2io_method_records

    say("creating the biosphere3 database (bw2io, offline)")
    bw2io.create_default_biosphere3()
    say(f"writing {len(method_set.categories)} {method_set.name} impact categories (bw2io LCIAImporter)")
    importer = LCIAImporter("lcia_39_ecoinvent.zip")
    importer.data = bw2io_method_records([c.method for c in method_set.categories])
    importer.write_methods(overwrite=True, verbose=False)
    say(f"writing the starter background ({len(starter.datasets)} datasets)")
    biosphere = {
        (node["name"], tuple(node.get("categories") or ())): (node["code"], normalise_spelling(node["unit"]))
        for node in bd.Database(BIOSPHERE)
    }
    db = bd.Database(STARTER)
    db.register(description="footprint starter background: open, sourced aggregated datasets")
    db.write(_starter_records(starter, biosphere))
    bd.projects.dataset.data["footprint_complete"] = True
    bd.projects.dataset.save()
    return name


_OPEN: dict[tuple[str, str, str], Background] = {}


def open_background(
    database: str = STARTER,
    project: str | None = None,
    base_dir: Path | None = None,
    method_set: MethodSet | None = None,
    progress: ProgressCallback | None = None,
) -> Background:
    """Open (building if needed) the background a study links to.

    `database == "footprint-starter"` with no project: footprint's own starter background.
    Otherwise: `database` inside the user's Brightway `project` (in `base_dir`, default
    footprint's own Brightway directory), read only.
    """
    from .methods import load_method_set

    method_set = method_set or load_method_set()
    if database == STARTER and project is None:
        starter = load_starter()
        project_name = starter_project_name(starter, method_set)
        key = (str(brightway_dir()), project_name, database)
        if key in _OPEN:
            return _OPEN[key]
        build_starter_project(starter, method_set, progress)
        bd = _bw2data()
        bd.projects.set_current(project_name, update=False)
        background = Background(
            database=database, project=project_name, base_dir=brightway_dir(), sha256=starter.sha256, kind="starter"
        )
        _index_background(bd, background)
        _OPEN[key] = background
        return background

    if project is None:
        raise FootprintInputError(
            f"background database {database!r} needs the Brightway project that holds it", field="background_project"
        )
    target_dir = (base_dir or brightway_dir()).resolve()
    key = (str(target_dir), project, database)
    if key in _OPEN:
        return _OPEN[key]
    bd = _bw2data(target_dir)
    if project not in bd.projects:
        raise FootprintInputError(
            f"no Brightway project {project!r} in {target_dir}", field="background_project"
        )
    bd.projects.set_current(project, writable=False, update=False)
    if database not in bd.databases:
        raise FootprintInputError(
            f"no database {database!r} in Brightway project {project!r} (has: {', '.join(sorted(bd.databases))})",
            field="background",
        )
    background = Background(database=database, project=project, base_dir=target_dir, sha256="", kind="brightway")
    background.gaps = tuple(str(gap) for gap in (bd.databases[database].get("footprint_import") or {}).get("gaps", []))
    _index_background(bd, background)
    background.sha256 = _hash_processed(bd, background.dependencies)
    _OPEN[key] = background
    return background
