"""The electricity rule (Annex V Part VI: electricity GHG modelling aligned with EU law).

By default a process uses the grid mix of the country where it runs. Following the carbon
footprint rules for batteries under Regulation (EU) 2023/1542, another supply (a direct line
to a generator, or a power-purchase agreement) may replace it only when the study documents
it: the supplying dataset, evidence a verifier can check, a claim not made by anyone else,
and supply matched to the metered consumption. The declaration shows which rule applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FootprintInputError
from ..study.model import Process

if TYPE_CHECKING:
    from ..background import Background, LinkedDataset

GRID_PREFIX = "electricity-grid-"


@dataclass(frozen=True)
class ElectricityChoice:
    process: str
    dataset: str
    rule: str  # "grid" | "direct-line" | "power-purchase-agreement"
    detail: str


def is_electricity(dataset: "LinkedDataset") -> bool:
    product = (dataset.reference_product or dataset.name).lower()
    return product.startswith("electricity")


def is_grid_mix(dataset: "LinkedDataset") -> bool:
    """A grid mix: the starter's `electricity-grid-XX` datasets, or a market dataset in a user's database."""
    return dataset.code.startswith(GRID_PREFIX) or dataset.name.lower().startswith("market for electricity") or (
        "grid" in dataset.name.lower()
    )


def _country(location: str) -> str:
    return location.split("-")[0].upper()


def check_electricity(
    process: Process,
    dataset: "LinkedDataset",
    background: "Background",
    file: Path | str | None = None,
    field: str = "inputs",
) -> ElectricityChoice | None:
    """Apply the rule to one input; None when the input is not electricity."""
    if not is_electricity(dataset):
        return None
    if is_grid_mix(dataset):
        if _country(dataset.location) != _country(process.location):
            raise FootprintInputError(
                f"electricity comes from the {dataset.location} grid mix but the process runs in {process.location}; "
                "the rule is the grid mix of the country where the process runs",
                file=file,
                process=process.id,
                field=f"{field}.dataset",
            )
        return ElectricityChoice(process.id, dataset.code, "grid", f"grid mix {dataset.location}")
    for supply in process.electricity_supply:
        if supply.dataset != dataset.code:
            continue
        if not (supply.unique_claim and supply.matched_consumption):
            raise FootprintInputError(
                f"{supply.kind} for {dataset.code!r} may replace the grid mix only when the claim is unique and "
                "matched to the metered consumption",
                file=file,
                process=process.id,
                field="electricity_supply",
            )
        return ElectricityChoice(process.id, dataset.code, supply.kind, supply.evidence)
    raise FootprintInputError(
        f"electricity from {dataset.code!r} ({dataset.name}) replaces the grid mix of {process.location} "
        "without a documented direct line or power-purchase agreement (electricity_supply)",
        file=file,
        process=process.id,
        field=f"{field}.dataset",
    )



def check_supply_entries(
    process: Process,
    used: list[ElectricityChoice],
    background: "Background",
    file: Path | str | None = None,
) -> None:
    """Each documented direct line or PPA names a generator's electricity that this process buys, once.

    An entry nothing uses, or one for a grid mix or a non-electricity dataset, is a claim the
    declaration would list without it shaping any number: refuse it.
    """
    seen: set[str] = set()
    claimed = {choice.dataset for choice in used if choice.rule != "grid"}
    for position, supply in enumerate(process.electricity_supply, start=1):
        field = f"electricity_supply[{position}].dataset"
        if supply.dataset in seen:
            raise FootprintInputError(f"{supply.dataset!r} is documented twice", file=file, process=process.id, field=field)
        seen.add(supply.dataset)
        try:
            dataset = background.by_code(supply.dataset)
        except FootprintInputError as exc:
            raise FootprintInputError(exc.message, file=file, process=process.id, field=field) from None
        if not is_electricity(dataset) or is_grid_mix(dataset):
            raise FootprintInputError(
                f"{supply.dataset!r} ({dataset.name}) is not a generator's electricity; a {supply.kind} names the supplying technology",
                file=file, process=process.id, field=field,
            )
        if supply.dataset not in claimed:
            raise FootprintInputError(
                f"no input of the process buys {supply.dataset!r}, so this {supply.kind} documents nothing",
                file=file, process=process.id, field=field,
            )


def check_substituted(process: Process, dataset: "LinkedDataset", file: Path | str | None = None, field: str = "coproducts") -> None:
    """Exported electricity displaces the grid of the country where the process runs, no other."""
    if is_electricity(dataset) and is_grid_mix(dataset) and _country(dataset.location) != _country(process.location):
        raise FootprintInputError(
            f"the co-product is credited with the {dataset.location} grid mix, but the process runs in {process.location}; "
            "exported electricity displaces the grid where it is fed in",
            file=file,
            process=process.id,
            field=field,
        )
