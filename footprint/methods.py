"""Impact-method sets: which categories footprint characterises, with what, and their version.

A method set lives in `methods/<set>/`: `categories.toml` maps each EF category to its
Brightway method tuple; `normalisation_weighting.toml` carries the EF normalisation and
weighting factors used only by the hotspot analysis (Annex V Part V), never in declared
results (Part VII). Characterisation factors come from bw2io's shipped LCIA data.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
import zipfile
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .errors import FootprintInputError
from .paths import shipped

DEFAULT_METHOD_SET = "ef31"
CLIMATE_CHANGE = "climate change"


class ImpactCategory(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category: str
    short: str
    method: tuple[str, ...]
    unit: str
    meaning: str
    normalisation_per_person: float | None = None
    weighting_percent: float | None = None


class MethodSet(BaseModel):
    """Impact categories with their method tuples, N&W factors, version and content hash."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    version: str
    sha256: str = Field(description="Hash of the method-set files and of the characterisation factors used")
    characterisation_source: str
    categories: tuple[ImpactCategory, ...]
    nw_sources: tuple[str, ...] = ()

    def category(self, name: str) -> ImpactCategory:
        for category in self.categories:
            if category.category == name:
                return category
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [category.category for category in self.categories]

    def characterisation_factors(self, category: str) -> list[tuple[tuple[str, str], float]]:
        """(biosphere key, CF) pairs of a category, from bw2io's shipped EF data."""
        return list(_bw2io_factors()[self.category(category).method])


def _bw2io_lcia_zip() -> Path:
    """bw2io's shipped LCIA file, located without importing bw2io (which takes seconds)."""
    import importlib.util

    spec = importlib.util.find_spec("bw2io")
    if spec is None or spec.origin is None:
        raise FootprintInputError("bw2io is not installed; footprint needs its shipped LCIA data")
    return Path(spec.origin).resolve().parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"


@lru_cache(maxsize=1)
def _bw2io_methods_raw() -> tuple[dict, ...]:
    """The EF v3.1 methods of bw2io's LCIA file; the 20 MB file is parsed once and its EF
    subset cached in footprint's data folder, keyed by the file's size and modification time."""
    from .paths import user_data_dir

    source = _bw2io_lcia_zip()
    stat = source.stat()
    cache = user_data_dir() / "cache" / f"ef31-{stat.st_size}-{stat.st_mtime_ns}.json"
    if cache.is_file():
        return tuple(json.loads(cache.read_text(encoding="utf-8")))
    with zipfile.ZipFile(source) as archive:
        data = json.load(archive.open("data.json"))
    methods = [method for method in data if method["name"][0] == "EF v3.1"]
    cache.parent.mkdir(parents=True, exist_ok=True)
    temporary = cache.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(methods), encoding="utf-8")
    os.replace(temporary, cache)
    return tuple(methods)


@lru_cache(maxsize=1)
def _bw2io_factors() -> dict[tuple[str, ...], tuple[tuple[tuple[str, str], float], ...]]:
    factors = {}
    for method in _bw2io_methods_raw():
        pairs = tuple((tuple(exc["input"]), float(exc["amount"])) for exc in method["exchanges"])
        factors[tuple(method["name"])] = pairs
    return factors


def bw2io_method_records(method_tuples: list[tuple[str, ...]]) -> list[dict]:
    """The shipped EF methods in the form bw2io's LCIAImporter writes (keys as tuples)."""
    wanted = set(method_tuples)
    records = []
    for method in _bw2io_methods_raw():
        name = tuple(method["name"])
        if name not in wanted:
            continue
        record = dict(method)
        record["name"] = name
        record["exchanges"] = [dict(exc, input=tuple(exc["input"])) for exc in method["exchanges"]]
        records.append(record)
    return records


@lru_cache(maxsize=8)
def load_method_set(set_id: str = DEFAULT_METHOD_SET) -> MethodSet:
    """Load a method set from `methods/<set_id>/` and hash everything it depends on."""
    folder = shipped("methods") / set_id
    categories_file = folder / "categories.toml"
    if not categories_file.is_file():
        raise FootprintInputError(f"unknown method set {set_id!r}", file=categories_file)
    digest = hashlib.sha256()
    raw = tomllib.loads(categories_file.read_text(encoding="utf-8"))
    digest.update(categories_file.read_bytes())

    nw: dict[str, dict] = {}
    nw_sources: tuple[str, ...] = ()
    nw_file = folder / "normalisation_weighting.toml"
    if nw_file.is_file():
        nw_raw = tomllib.loads(nw_file.read_text(encoding="utf-8"))
        digest.update(nw_file.read_bytes())
        nw = {entry["category"]: entry for entry in nw_raw.get("categories", [])}
        nw_sources = tuple(nw_raw.get("method_set", {}).get("sources", []))

    factors = _bw2io_factors()
    categories = []
    for entry in raw["categories"]:
        method = tuple(entry["method"])
        if method not in factors:
            raise FootprintInputError(
                f"method {method} is not in bw2io's shipped LCIA data", file=categories_file, field="method"
            )
        digest.update(json.dumps([method, factors[method]], sort_keys=True).encode())
        extra = nw.get(entry["category"], {})
        categories.append(
            ImpactCategory(
                category=entry["category"],
                short=entry["short"],
                method=method,
                unit=entry["unit"],
                meaning=entry["meaning"],
                normalisation_per_person=extra.get("normalisation_per_person"),
                weighting_percent=extra.get("weighting_percent"),
            )
        )
    meta = raw["method_set"]
    return MethodSet(
        id=set_id,
        name=meta["name"],
        version=meta["version"],
        sha256=digest.hexdigest(),
        characterisation_source=meta["characterisation_source"],
        categories=tuple(categories),
        nw_sources=nw_sources,
    )
