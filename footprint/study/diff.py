"""What changed between two versions of a study, and whether it needs a new calculation.

Annex V Part VI: "a change in the bill of materials or the energy mix requires a new
calculation". This module splits a study into the parts a verifier reasons about and compares
them exchange by exchange:

* **bill of materials**: every technosphere input that is not an energy carrier, every
  reference output and co-product (amounts are normalised to SI units, so 1 MWh and 1000 kWh
  are the same amount);
* **energy mix**: electricity, fuels and heat (inputs whose dataset code or name names an
  energy carrier) and the documented electricity supplies (direct lines, power-purchase
  agreements);
* **elementary flows**: direct emissions and resource uptakes of the processes;
* **operator and sites**: the Art. 31(7)(a) and (c) items;
* **system boundary and modelling**: which processes exist, their stage, Annex V category,
  data type, location and allocation, the excluded processes, material, route, declared
  unit, background and reporting period.

The same parts give the per-part digests a declaration carries (`study_digest`), so `footprint
verify` can say *which* input changed even though the declaration never contains the study.
The digests are keyed (HMAC-SHA256) with a key taken from the study's own unpublished product
names (reference outputs and co-products), so a reader of the public declaration cannot test
guessed amounts against a digest of a small part; anyone holding the study recomputes them.
Documentation-only edits (sources, descriptions, comments) change no digest.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..files import canonical_json, keyed_sha256, sha256_hex, sha256_of
from .load import LoadedStudy, load_study
from .model import Process, Study, TechnosphereInput
from ..units import to_base_units

DIGEST_SCHEME = "hmac-sha256/footprint-study-parts/v1"

PART_TITLES: dict[str, str] = {
    "bill_of_materials": "bill of materials",
    "energy_mix": "energy mix",
    "elementary_flows": "elementary flows (direct emissions and resources)",
    "operator_and_sites": "operator and sites",
    "boundary": "system boundary and modelling choices",
}
# Annex V Part VI names these two; a change in any other calculation part changes results too.
RECALCULATION_PARTS = ("bill_of_materials", "energy_mix")
CALCULATION_PARTS = ("bill_of_materials", "energy_mix", "elementary_flows", "boundary")

PartName = Literal["bill_of_materials", "energy_mix", "elementary_flows", "operator_and_sites", "boundary"]

_ENERGY = re.compile(
    r"electric|\bpower\b|\bheat\b|-heat-|steam|diesel|petrol|gasoline|kerosene|natural[- ]gas|"
    r"\bgas\b|fuel[- ]oil|\bfuel\b|propane|\blpg\b|hard[- ]coal|lignite|\bcoal\b|biomass|hydrogen-fuel",
    re.IGNORECASE,
)


def is_energy_input(exchange: TechnosphereInput) -> bool:
    """True when an input is an energy carrier (electricity, fuel, heat), from its link text.

    Inputs from another process of the study are intermediate products, never energy.
    """
    if exchange.process is not None:
        return False
    text = exchange.dataset or exchange.name or ""
    return bool(_ENERGY.search(text))


def _si(amount: float, unit: str) -> tuple[float, str]:
    """Amount in SI base units, with the base unit's text (rounded to 12 significant digits)."""
    try:
        magnitude, base_unit = to_base_units(amount, unit)
        return float(f"{magnitude:.12g}"), base_unit
    except Exception:  # unknown or dimensionless oddities: keep as written
        return float(f"{amount:.12g}"), unit


def _link(exchange: TechnosphereInput) -> str:
    if exchange.process is not None:
        return f"process:{exchange.process}"
    if exchange.dataset is not None:
        return f"dataset:{exchange.database + ':' if exchange.database else ''}{exchange.dataset}"
    return f"name:{exchange.name}@{exchange.location or '*'}"


def _keyed(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Make (process, link) keys unique by numbering repeats: `x`, `x#2`, ..."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for process, link in entries:
        n = seen.get((process, link), 0) + 1
        seen[(process, link)] = n
        out.append((process, link if n == 1 else f"{link}#{n}"))
    return out


def exchanges_by_part(study: Study) -> dict[str, dict[str, dict[str, Any]]]:
    """Each calculation-relevant exchange of a study, by part, keyed 'process | link'.

    Values hold what changes the calculation (amount in SI units, uncertainty); sources and
    assumption flags are documentation and left out.
    """
    parts: dict[str, dict[str, dict[str, Any]]] = {"bill_of_materials": {}, "energy_mix": {}, "elementary_flows": {}}
    for process in study.processes:
        out = process.reference_output
        value, unit = _si(out.amount, out.unit)
        parts["bill_of_materials"][f"{process.id} | reference output"] = {
            "product": out.product, "amount": value, "unit": unit, "shown": f"{out.amount:g} {out.unit}",
            "price": out.price,
        }
        links = _keyed([(process.id, _link(i)) for i in process.inputs])
        for (pid, link), exchange in zip(links, process.inputs):
            value, unit = _si(exchange.amount, exchange.unit)
            part = "energy_mix" if is_energy_input(exchange) else "bill_of_materials"
            parts[part][f"{pid} | {link}"] = {
                "amount": value, "unit": unit, "shown": f"{exchange.amount:g} {exchange.unit}",
                "uncertainty": exchange.uncertainty.model_dump(mode="json") if exchange.uncertainty else None,
            }
        for n, co in enumerate(process.coproducts):
            value, unit = _si(co.amount, co.unit)
            parts["bill_of_materials"][f"{process.id} | co-product:{co.product}"] = {
                "amount": value, "unit": unit, "shown": f"{co.amount:g} {co.unit}",
                "price": co.price, "substitutes": co.substitutes,
            }
        for supply in process.electricity_supply:
            parts["energy_mix"][f"{process.id} | electricity supply:{supply.kind}:{supply.dataset}"] = {
                "evidence": supply.evidence, "unique_claim": supply.unique_claim,
                "matched_consumption": supply.matched_consumption, "shown": f"{supply.kind} from {supply.dataset}",
            }
        flows = _keyed([(process.id, f"flow:{f.key or f'{f.flow} ({f.compartment})'}") for f in process.elementary_flows])
        for (pid, link), flow in zip(flows, process.elementary_flows):
            value, unit = _si(flow.amount, flow.unit)
            parts["elementary_flows"][f"{pid} | {link}"] = {
                "amount": value, "unit": unit, "shown": f"{flow.amount:g} {flow.unit}",
                "uncertainty": flow.uncertainty.model_dump(mode="json") if flow.uncertainty else None,
            }
    return parts


def _process_frame(process: Process) -> dict[str, Any]:
    return {
        "id": process.id, "name": process.name, "stage": process.stage.value, "category": process.category,
        "data_type": process.data_type.value, "location": process.location,
        "allocation": process.allocation.value if process.allocation else None,
    }


def study_parts(study: Study) -> dict[str, Any]:
    """The study split into the parts of PART_TITLES, as plain JSON-able data."""
    parts: dict[str, Any] = dict(exchanges_by_part(study))
    for exchanges in parts.values():
        for entry in exchanges.values():
            entry.pop("shown", None)
    parts["operator_and_sites"] = {
        "operator": study.operator.model_dump(mode="json"),
        "sites": [site.model_dump(mode="json") for site in study.sites],
        "study_url": study.study_url,
    }
    parts["boundary"] = {
        "material": study.material, "route": study.route.value, "declared_unit_kg": study.declared_unit_kg,
        "background": study.background, "background_project": study.background_project,
        "electricity_rule": study.electricity_rule, "product_process": study.product_process,
        "reporting_period": study.reporting_period.model_dump(mode="json"),
        "processes": [_process_frame(p) for p in study.processes],
        "excluded": [e.model_dump(mode="json", exclude={"reason"}) for e in study.excluded],
    }
    return parts


def _digest_key(study: Study) -> bytes:
    names = [[p.id, p.reference_output.product, sorted(c.product for c in p.coproducts)] for p in study.processes]
    return bytes.fromhex(sha256_hex(b"footprint-study-parts-key\0" + canonical_json(names)))


class StudyDigest(BaseModel):
    """Keyed digests of the parts of a study (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    scheme: str = Field(default=DIGEST_SCHEME, description="How the digests are made")
    bill_of_materials: str
    energy_mix: str
    elementary_flows: str
    operator_and_sites: str
    boundary: str

    def parts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in PART_TITLES}


def study_digest(study: Study | LoadedStudy) -> StudyDigest:
    """Per-part digests of a study, for a declaration's fingerprint."""
    study = study.study if isinstance(study, LoadedStudy) else study
    key = _digest_key(study)
    parts = study_parts(study)
    return StudyDigest(**{name: keyed_sha256(key, [canonical_json(parts[name])]) for name in PART_TITLES})


def changed_parts(declared: StudyDigest, found: StudyDigest) -> list[str]:
    """Names of the parts whose digests differ (all parts when the schemes differ)."""
    if declared.scheme != found.scheme:
        return list(PART_TITLES)
    return [name for name in PART_TITLES if getattr(declared, name) != getattr(found, name)]


# --- diff -------------------------------------------------------------------------------------


class ExchangeChange(BaseModel):
    """One exchange that was added, removed or changed."""

    model_config = ConfigDict(extra="forbid")

    part: PartName
    process: str
    exchange: str
    change: Literal["added", "removed", "changed"]
    old: str | None = None
    new: str | None = None


class StudyDiff(BaseModel):
    """The answer of `footprint diff OLD NEW`. Holds activity amounts: not for publication."""

    model_config = ConfigDict(extra="forbid")

    old: str
    new: str
    identical_files: bool
    changed_parts: list[PartName]
    recalculation_required: bool = Field(description="Bill of materials or energy mix changed (Annex V Part VI)")
    results_may_change: bool = Field(description="Any part that enters the calculation changed")
    reasons: list[str]
    exchanges: list[ExchangeChange]
    other_changes: list[str]


def _describe(entry: dict[str, Any]) -> str:
    text = entry.get("shown", "")
    extras = [f"{k}={v}" for k, v in entry.items() if k not in ("shown", "amount", "unit") and v is not None]
    return f"{text}{' (' + ', '.join(extras) + ')' if extras else ''}"


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    strip = lambda e: {k: v for k, v in e.items() if k != "shown"}  # noqa: E731
    return strip(a) == strip(b)


def _frame_changes(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    changes = []
    for key in sorted(set(old) | set(new), key=str):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            changes.extend(_frame_changes(a, b, f"{prefix}{key}."))
        else:
            changes.append(f"{prefix}{key}: {json.dumps(a, ensure_ascii=False)} -> {json.dumps(b, ensure_ascii=False)}")
    return changes


def _load(study: Study | LoadedStudy | Path | str) -> tuple[Study, str, str]:
    if isinstance(study, Study):
        return study, "<memory>", sha256_of(study.model_dump(mode="json"))
    loaded = study if isinstance(study, LoadedStudy) else load_study(study)
    return loaded.study, str(loaded.path), loaded.sha256


def diff_studies(old: Study | LoadedStudy | Path | str, new: Study | LoadedStudy | Path | str) -> StudyDiff:
    """Compare two versions of a study: changed exchanges and whether Part VI asks a recalculation."""
    old_study, old_name, old_sha = _load(old)
    new_study, new_name, new_sha = _load(new)
    old_ex, new_ex = exchanges_by_part(old_study), exchanges_by_part(new_study)
    exchanges: list[ExchangeChange] = []
    for part in ("bill_of_materials", "energy_mix", "elementary_flows"):
        a, b = old_ex[part], new_ex[part]
        for key in list(a) + [k for k in b if k not in a]:
            process, _, link = key.partition(" | ")
            if key not in b:
                exchanges.append(ExchangeChange(part=part, process=process, exchange=link, change="removed", old=_describe(a[key])))
            elif key not in a:
                exchanges.append(ExchangeChange(part=part, process=process, exchange=link, change="added", new=_describe(b[key])))
            elif not _same(a[key], b[key]):
                exchanges.append(
                    ExchangeChange(part=part, process=process, exchange=link, change="changed", old=_describe(a[key]), new=_describe(b[key]))
                )
    # An exchange that moved between parts (e.g. re-linked) shows as removed + added: both count.
    old_parts, new_parts = study_parts(old_study), study_parts(new_study)
    changed = [name for name in PART_TITLES if canonical_json(old_parts[name]) != canonical_json(new_parts[name])]
    other = []
    for name in ("operator_and_sites", "boundary"):
        if name in changed:
            other.extend(f"{PART_TITLES[name]}: {c}" for c in _frame_changes(old_parts[name], new_parts[name]))
    recalculation = any(name in changed for name in RECALCULATION_PARTS)
    reasons = []
    for name in RECALCULATION_PARTS:
        if name in changed:
            n = sum(1 for e in exchanges if e.part == name)
            reasons.append(f"the {PART_TITLES[name]} changed ({n} exchange(s)): Annex V Part VI requires a new calculation")
    for name in ("elementary_flows", "boundary"):
        if name in changed:
            reasons.append(f"the {PART_TITLES[name]} changed: the declared results change too, so recalculate")
    if "operator_and_sites" in changed:
        reasons.append("the operator or sites changed: the declaration's Art. 31(7)(a)/(c) items must be reissued")
    if not changed and old_sha != new_sha:
        reasons.append("only documentation changed (sources, descriptions, comments or formatting): no new calculation needed")
    return StudyDiff(
        old=old_name,
        new=new_name,
        identical_files=old_sha == new_sha,
        changed_parts=changed,  # type: ignore[arg-type]
        recalculation_required=recalculation,
        results_may_change=any(name in changed for name in CALCULATION_PARTS),
        reasons=reasons,
        exchanges=exchanges,
        other_changes=other,
    )
