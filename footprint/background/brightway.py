"""Backgrounds in Brightway: footprint's own project and users' databases, read through bw2data.

Either footprint's open starter background (written once into footprint's own Brightway
project) or a database in a user's Brightway project (e.g. ecoinvent imported with bw2io),
which footprint only reads. The only module that talks to bw2data and bw2io.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import FootprintInputError, LinkError
from ..files import sha256_file, sha256_parts
from ..methods import MethodSet
from ..paths import data_subdir, exclusive, writable
from ..study.model import ElementaryFlow
from ..units import conversion_factor, normalise_spelling
from .index import load_index, save_index
from .packages import characterisation_package, layout_digest
from .starter import BIOSPHERE, STARTER, StarterData, load_starter, starter_records

ProgressCallback = Callable[[str], None]
logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Brightway access
# ---------------------------------------------------------------------------------------------


def brightway_dir() -> Path:
    """footprint's own Brightway directory (moved with FOOTPRINT_DATA_DIR)."""
    return data_subdir("brightway")


def _bw2data(base_dir: Path | None = None) -> Any:
    """Import bw2data pointed at footprint's directory, or at a user's directory to read from."""
    target = (base_dir or brightway_dir()).resolve()
    try:
        if "bw2data" not in sys.modules:
            os.environ["BRIGHTWAY2_DIR"] = str(target)
            import bw2data

            return bw2data
        import bw2data

        if Path(bw2data.projects._base_data_dir).resolve() != target:
            bw2data.projects.change_base_directories(target, project_name=None, update=False)
        return bw2data
    except Exception as exc:  # bw2data opens its projects database on import: a damaged one fails here
        raise FootprintInputError(
            f"the Brightway folder {target} cannot be opened ({type(exc).__name__}: {exc}); if it is footprint's own, "
            "move it away and footprint builds its starter project again (re-import any database you imported there)",
            file=target,
        ) from None


def bw2data_in(base_dir: Path | None = None) -> Any:
    """bw2data pointed at `base_dir` (default footprint's own Brightway directory); for the importers."""
    return _bw2data(base_dir)


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
    # the row and column ids of its matrices (what a prepared background is filed under), when known
    # without reading the datapackages (the starter's index)
    layout_sha256: str = ""
    # the starter project (and method set) to check and build before its files are read
    _starter: tuple[Any, Any] | None = None
    # PEF data quality scores of starter datasets, by code (the starter files' `dqr` blocks)
    dqr_of: dict[str, Any] = field(default_factory=dict)

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
        if self._starter is not None:  # opened from its index: make sure the project is whole first
            build_starter_project(*self._starter)
            self._starter = None
        bd = self._activate()
        packages = []
        for name in self.dependencies:
            try:
                packages.append(bd.Database(name).datapackage())
            except Exception as exc:  # a truncated or missing processed file of the project
                path = bd.Database(name).filepath_processed()
                raise FootprintInputError(
                    f"the processed data of database {name!r} in Brightway project {self.project!r} cannot be read "
                    f"({type(exc).__name__}: {exc}); the file is damaged: re-import (or re-process) the database",
                    file=path,
                    field="background",
                ) from None
        return packages

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

    def biosphere_details(self, ids: Iterable[int]) -> dict[int, dict[str, str | None]]:
        """CAS number and type of biosphere nodes, for exports that describe flows beyond code and name."""
        bd = self._activate()
        out: dict[int, dict[str, str | None]] = {}
        for node_id in ids:
            node = bd.get_node(id=node_id)
            out[node_id] = {"cas": (node.get("CAS number") or "").strip() or None, "type": node.get("type")}
        return out

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


def _starter_from_index(project: str, sha256: str) -> Background | None:
    """The starter background from its index, without bw2data, or None when there is none valid."""
    body = load_index(project, sha256)
    if body is None:
        return None
    background = Background(
        database=body["database"], project=project, base_dir=brightway_dir(), sha256=sha256, kind="starter",
        dependencies=tuple(body["dependencies"]), layout_sha256=body["layout_sha256"],
    )
    for node, database, code, name, location, unit, product in body["datasets"]:
        background.datasets[node] = LinkedDataset(node, database, code, name, location, unit, product)
        background._by_code[(database, code)] = node
        background._by_name.setdefault((name, location), []).append(node)
    for database, code, node, unit in body["biosphere"]:
        background.biosphere_by_key[(database, code)] = (node, unit)
        background.biosphere_by_code.setdefault(code, (node, unit))
    for name, categories, node, unit in body["biosphere_names"]:
        background.biosphere_by_name[(name, tuple(categories))] = (node, unit)
    return background


def _hash_processed(bd: Any, names: Iterable[str]) -> str:
    return sha256_parts(
        part for name in sorted(names) for part in (name.encode(), Path(bd.Database(name).filepath_processed()).read_bytes())
    )


# ---------------------------------------------------------------------------------------------
# Building and opening
# ---------------------------------------------------------------------------------------------


def starter_project_name(starter: StarterData, method_set: MethodSet) -> str:
    return f"footprint-starter-{starter.sha256[:12]}-{method_set.sha256[:8]}"


def _processed_files(bd: Any) -> dict[str, str]:
    """sha256 of every processed datapackage of the current project: what bw2calc reads."""
    return {name: sha256_file(bd.Database(name).filepath_processed()) for name in sorted(bd.databases)}


def _starter_intact(bd: Any, name: str) -> bool:
    """True when footprint's starter project is complete and its files are the ones it wrote."""
    try:
        bd.projects.set_current(name, update=False)
        data = bd.projects.dataset.data
        recorded = data.get("footprint_files")
        return bool(data.get("footprint_complete")) and bool(recorded) and _processed_files(bd) == recorded
    except Exception:  # a truncated SQLite file or datapackage: whatever bw2data raises, it is damaged
        return False


def _remove_project(bd: Any, name: str) -> None:
    try:
        bd.projects.delete_project(name, delete_dir=True)
    except Exception:
        from bw2data.utils import safe_filename

        shutil.rmtree(Path(bd.projects._base_data_dir) / safe_filename(name), ignore_errors=True)
        bd.projects.delete_project(name, delete_dir=False)


def build_starter_project(
    starter: StarterData, method_set: MethodSet, progress: ProgressCallback | None = None
) -> str:
    """Create footprint's Brightway project for the starter background, once per content hash.

    Derived data that footprint heals: a project whose files are not the ones it wrote (a
    truncated database or datapackage) is removed and built again. Two processes building it
    at once take turns (a file lock), so both find it complete.
    """
    bd = _bw2data()
    name = starter_project_name(starter, method_set)
    if not writable(brightway_dir()):
        if name in bd.projects and _starter_intact(bd, name):
            return name
        raise FootprintInputError(
            f"footprint's Brightway folder {brightway_dir()} is not writable, and its starter project must be built there; "
            "set FOOTPRINT_DATA_DIR to a folder you can write",
            file=brightway_dir(),
        )
    with exclusive(brightway_dir() / f"{name}.project"):
        if name in bd.projects:
            if _starter_intact(bd, name):
                return name
            logger.warning("footprint's starter project %s is incomplete or damaged: building it again", name)
            _remove_project(bd, name)
        say = progress or (lambda message: None)
        bd.projects.set_current(name)
        import bw2io
        from bw2io.importers.base_lcia import LCIAImporter

        from ..methods import bw2io_method_records

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
        db.write(starter_records(starter, biosphere))
        bd.projects.dataset.data["footprint_files"] = _processed_files(bd)
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
    starter_folder: Path | None = None,
) -> Background:
    """Open (building if needed) the background a study links to.

    `database == "footprint-starter"` with no project: footprint's own starter background
    (from `starter_folder`, default the shipped one).
    Otherwise: `database` inside the user's Brightway `project` (in `base_dir`, default
    footprint's own Brightway directory), read only.
    """
    from ..methods import load_method_set

    method_set = method_set or load_method_set()
    if database == STARTER and project is None:
        starter = load_starter(starter_folder)
        project_name = starter_project_name(starter, method_set)
        key = (str(brightway_dir()), project_name, database)
        if key in _OPEN:
            return _OPEN[key]
        background = _starter_from_index(project_name, starter.sha256)
        if background is not None:
            background._starter = (starter, method_set, progress)
        else:
            build_starter_project(starter, method_set, progress)
            bd = _bw2data()
            bd.projects.set_current(project_name, update=False)
            background = Background(
                database=database, project=project_name, base_dir=brightway_dir(), sha256=starter.sha256, kind="starter"
            )
            _index_background(bd, background)
            # The index stands for these files: the processed datapackages and the project's database
            # (a rebuilt project gets new node ids, so any change of them must void the index).
            files = {name: Path(bd.Database(name).filepath_processed()) for name in background.dependencies}
            files["project database"] = Path(bd.projects.dir) / "lci" / "databases.db"
            background.layout_sha256 = layout_digest(background.datapackages())
            save_index(background, files, background.layout_sha256)
        background.dqr_of = {code: dataset.dqr for code, (dataset, _) in starter.datasets.items() if dataset.dqr is not None}
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
    try:
        background.gaps = tuple(str(gap) for gap in (bd.databases[database].get("footprint_import") or {}).get("gaps", []))
        _index_background(bd, background)
        background.sha256 = _hash_processed(bd, background.dependencies)
    except Exception as exc:  # a truncated SQLite file or datapackage of the user's project
        raise FootprintInputError(
            f"database {database!r} in Brightway project {project!r} cannot be read ({type(exc).__name__}: {exc}); "
            f"its files under {target_dir} are damaged: re-import the database",
            field="background",
        ) from None
    _OPEN[key] = background
    return background
