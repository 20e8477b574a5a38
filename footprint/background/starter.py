"""The starter background: footprint's open, sourced aggregated datasets (TOML files).

The files under `inventories/background/` are the source of truth; every number carries its
source. This module holds their file model (`footprint schema background`), parses and hashes
them, and turns them into bw2data records; `brightway` writes those into footprint's project.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from ..errors import FootprintInputError, LinkError, from_validation_error
from ..files import decode_text, parse_toml_text, read_bytes_bounded, sha256_parts
from ..paths import shipped
from ..study.model import ElementaryFlow, NotModelled, Strict, TechnosphereInput
from ..study.quality import DataQualityScores
from ..units import conversion_factor

STARTER = "footprint-starter"
BIOSPHERE = "biosphere3"




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
    not_modelled: list[NotModelled] = Field(default_factory=list, description="What this dataset leaves out, so a zero is explained")
    dqr: DataQualityScores | None = Field(default=None, description="PEF data quality scores of this dataset (unscored: footprint's default)")

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
    datasets: dict[str, tuple[BackgroundDataset, Path]] = {}
    files: dict[Path, BackgroundFileInfo] = {}
    hashed: list[bytes] = []
    for path, _, _ in stamp:
        data = read_bytes_bounded(path, what="background file")
        hashed.append(path.name.encode() + b"\0" + data)
        raw = parse_toml_text(decode_text(data, path=path, what="background file"), path=path, what="background file")
        try:
            parsed = BackgroundFile.model_validate(raw)
        except ValidationError as exc:
            raise from_validation_error(exc, file=path, raw=raw, items="datasets", item_key="code") from None
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
    return StarterData(datasets=datasets, files=files, sha256=sha256_parts(hashed))


def starter_records(starter: StarterData, biosphere: dict[tuple[str, tuple[str, ...]], tuple[str, str]]) -> dict:
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
