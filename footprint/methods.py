"""Impact-method sets: which categories footprint characterises, with what, and their version.

A method set lives in `methods/<set>/`: `categories.toml` maps each EF category to its
Brightway method tuple; `normalisation_weighting.toml` carries the EF normalisation and
weighting factors used only by the hotspot analysis (Annex V Part V), never in declared
results (Part VII). Characterisation factors come from bw2io's shipped LCIA data.
"""

from __future__ import annotations

import json
import logging
import tomllib
import zipfile
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from .errors import FootprintInputError
from .files import canonical_json, discard_file, keyed_sha256, read_json, sha256_file, sha256_parts, write_atomically
from .paths import shipped

logger = logging.getLogger(__name__)

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
    from_source: bool = Field(default=False, exclude=True, description="Factors read from bw2io's file itself, not footprint's cache of them")

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
        return list(_bw2io_factors(self.from_source)[self.category(category).method])


def _bw2io_lcia_zip() -> Path:
    """bw2io's shipped LCIA file, located without importing bw2io (which takes seconds)."""
    import importlib.util

    spec = importlib.util.find_spec("bw2io")
    if spec is None or spec.origin is None:
        raise FootprintInputError("bw2io is not installed; footprint needs its shipped LCIA data")
    return Path(spec.origin).resolve().parent / "data" / "lcia" / "lcia_39_ecoinvent.zip"


def _content_mac(methods: list[dict] | tuple[dict, ...]) -> str:
    """Keyed checksum (the data folder's key) of the cached methods: an edit is detected."""
    from .paths import cache_key

    return keyed_sha256(cache_key(), [canonical_json(list(methods))])


def _read_cached_methods(cache: Path, source_sha256: str) -> tuple[dict, ...] | None:
    """The cached EF subset if it is intact and made from this very source file; else None
    (a damaged or stale cache is removed, to be written again)."""
    if not cache.is_file():
        return None
    try:
        doc, _ = read_json(cache, what="method cache", max_bytes=200 * 1024 * 1024)
        methods = doc["methods"]
        intact = doc["source_sha256"] == source_sha256 and doc["content_sha256"] == _content_mac(methods)
    except (FootprintInputError, KeyError, TypeError, ValueError):
        intact = False
    if intact:
        return tuple(methods)
    logger.warning("discarding the damaged or stale method cache %s; it is rebuilt from bw2io's data", cache)
    discard_file(cache)
    return None


@lru_cache(maxsize=2)
def _bw2io_methods_raw(from_source: bool = False) -> tuple[dict, ...]:
    """The EF v3.1 methods of bw2io's LCIA file; the 20 MB file is parsed once and its EF
    subset cached in footprint's data folder with the hashes of its source and content, so a
    damaged, edited or stale cache is detected and rebuilt. `from_source` skips the cache
    (what a verifier uses: a verdict does not rest on derived data it has not checked)."""
    from .paths import data_subdir, exclusive, writable

    source = _bw2io_lcia_zip()
    source_sha256 = sha256_file(source)
    cache = None
    if not from_source:
        try:
            folder = data_subdir("cache")
            cache = folder / f"ef31-{source_sha256[:16]}.json" if writable(folder) else None
        except FootprintInputError as exc:
            logger.warning("working without the method cache: %s", exc)
    if cache is None:
        return _parse_bw2io_methods(source)
    with exclusive(cache):
        found = _read_cached_methods(cache, source_sha256)
        if found is not None:
            return found
        methods = _parse_bw2io_methods(source)
        write_atomically(cache, json.dumps({"source_sha256": source_sha256, "content_sha256": _content_mac(list(methods)), "methods": list(methods)}))
    return methods


def _parse_bw2io_methods(source: Path) -> tuple[dict, ...]:
    with zipfile.ZipFile(source) as archive:
        data = json.load(archive.open("data.json"))
    return tuple(method for method in data if method["name"][0] == "EF v3.1")


@lru_cache(maxsize=2)
def _bw2io_factors(from_source: bool = False) -> dict[tuple[str, ...], tuple[tuple[tuple[str, str], float], ...]]:
    factors = {}
    for method in _bw2io_methods_raw(from_source):
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
def load_method_set(set_id: str = DEFAULT_METHOD_SET, from_source: bool = False) -> MethodSet:
    """Load a method set from `methods/<set_id>/` and hash everything it depends on.

    `from_source`: read the factors from bw2io's file itself, not from footprint's cache.
    """
    folder = shipped("methods") / set_id
    categories_file = folder / "categories.toml"
    if not categories_file.is_file():
        raise FootprintInputError(f"unknown method set {set_id!r}", file=categories_file)
    hashed: list[bytes] = [categories_file.read_bytes()]
    raw = tomllib.loads(hashed[0].decode("utf-8"))

    nw: dict[str, dict] = {}
    nw_sources: tuple[str, ...] = ()
    nw_file = folder / "normalisation_weighting.toml"
    if nw_file.is_file():
        nw_raw = tomllib.loads(nw_file.read_text(encoding="utf-8"))
        hashed.append(nw_file.read_bytes())
        nw = {entry["category"]: entry for entry in nw_raw.get("categories", [])}
        nw_sources = tuple(nw_raw.get("method_set", {}).get("sources", []))

    factors = _bw2io_factors(from_source)
    categories = []
    for entry in raw["categories"]:
        method = tuple(entry["method"])
        if method not in factors:
            raise FootprintInputError(
                f"method {method} is not in bw2io's shipped LCIA data", file=categories_file, field="method"
            )
        hashed.append(json.dumps([method, factors[method]], sort_keys=True).encode())
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
        sha256=sha256_parts(hashed),
        characterisation_source=meta["characterisation_source"],
        categories=tuple(categories),
        nw_sources=nw_sources,
        from_source=from_source,
    )
