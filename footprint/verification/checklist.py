"""The verifier's checklist by Annex V part: each rule, passed or failed, with the evidence.

Built from what the recalculation already established (the study checked against the material's
rules, the recomputed results, the verification report), so every line names what it rests on.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..assessment import check_study
from ..boundary import category_title
from ..errors import FootprintError
from ..methods import CLIMATE_CHANGE


class CheckItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    part: str
    rule: str
    status: Literal["pass", "fail", "not checked"]
    evidence: list[str]


def checklist(study_path: Any, results: Any | None, report: Any, registry: Any, materiality: Any | None = None) -> list[CheckItem]:
    """Boundary, cut-off, company-specific data, sampling, electricity, allocation, categories, class, reproduction."""
    items: list[CheckItem] = []
    try:
        checked = check_study(study_path, registry)
    except FootprintError as exc:
        items.append(CheckItem(part="Annex V Part IV", rule="system boundary", status="fail", evidence=[str(exc)]))
        checked = None
    if checked is not None:
        items += _study_items(checked, results)
    items += _result_items(checked, results, report, registry)
    if materiality is not None:
        items.append(CheckItem(
            part="Annex V Part IX", rule=f"no material discrepancy in the evidence (threshold {100 * materiality.threshold:g} %)",
            status="fail" if materiality.material else "pass", evidence=[materiality.verdict, f"evidence {materiality.evidence} (sha256 {materiality.evidence_sha256[:16]})"],
        ))
    return items


def _study_items(checked: Any, results: Any | None) -> list[CheckItem]:
    study, rules, boundary = checked.loaded.study, checked.rules, checked.boundary
    route = study.route.value
    stages = [f"{stage}: " + ", ".join(f"{pid} [{boundary.categories[pid]} {category_title(boundary.categories[pid])}]" for pid in ids)
              for stage, ids in boundary.processes_by_stage.items()]
    items = [CheckItem(part="Annex V Part IV", rule=f"the {route} route covers {', '.join(s.value for s in rules.required_stages(study.route))}; use and end of life excluded",
                       status="pass", evidence=stages)]
    excluded = [f"{name} ({stage}): {100 * share:g} % — {reason}" for name, stage, share, reason in boundary.excluded] or ["nothing excluded"]
    items.append(CheckItem(part="Annex V Part IV 3", rule=f"processes left out as negligible total at most {100 * boundary.cutoff_limit:g} % of the climate result",
                           status="pass" if boundary.excluded_share <= boundary.cutoff_limit + 1e-12 else "fail",
                           evidence=[f"excluded {100 * boundary.excluded_share:g} %", *excluded]))
    required = rules.company_specific_categories.get(route, [])
    held = [f"{p.id} [{p.category}]: {p.data_type.value}" for p in study.processes if p.category in required]
    evidence = held or [f"the {rules.id} rules name no category that must use company-specific data for the {route} route"]
    if results is not None:
        climate = results.category(CLIMATE_CHANGE)
        top = sorted(climate.by_process.items(), key=lambda kv: -abs(kv[1]))[:3]
        kinds = {p.id: p.data_type for p in results.processes}
        evidence.append("largest climate contributors: " + "; ".join(
            f"{pid} {100 * v / climate.value:.1f} % ({kinds.get(pid, 'formula')})" for pid, v in top) if climate.value else "no climate result")
    bad = [p.id for p in study.processes if p.category in required and p.data_type.value != "company-specific"]
    items.append(CheckItem(part="Annex V Part VI", rule="company-specific data where the rules require them", status="fail" if bad else "pass", evidence=evidence))
    sampled = [f"{p.id}: {p.sampling.sites_measured} of {p.sampling.sites_total} sites ({p.sampling.method})" for p in study.processes if p.sampling]
    items.append(CheckItem(part="Annex V Part VI", rule=f"sampling {'allowed' if rules.sampling_allowed else 'not allowed'} by the {rules.id} rules",
                           status="fail" if sampled and not rules.sampling_allowed else "pass", evidence=sampled or ["no process uses a sample of sites"]))
    return items


def _result_items(checked: Any | None, results: Any | None, report: Any, registry: Any) -> list[CheckItem]:
    items = []
    if results is None:
        for part, rule in (("Annex V Part VI", "electricity modelled by the grid rule"), ("Annex V Part IV", "co-product allocation as the rules set"),
                           ("Annex V Part V", "the categories the rules declare"), ("Annex V Part VIII", "performance class")):
            items.append(CheckItem(part=part, rule=rule, status="not checked", evidence=["the study could not be calculated"]))
    else:
        electricity = [f"{e['process']}: {e['dataset']} — {e['rule']} ({e['detail']})" for e in results.electricity] or ["no electricity input"]
        items.append(CheckItem(part="Annex V Part VI", rule="electricity: the country's grid mix unless a direct line or a matched, unique contract is documented",
                               status="pass", evidence=electricity))
        default = checked.rules.allocation if checked is not None else "?"
        allocation = [f"{a['process']}: {a['method']}, factor {float(a['factor']):.6g} ({a['detail']})" for a in results.allocation] or ["no multi-output process"]
        items.append(CheckItem(part="Annex V Part IV", rule=f"co-products allocated as the rules set ({default} unless a process states otherwise)", status="pass", evidence=allocation))
        declared = list(dict.fromkeys([CLIMATE_CHANGE, *registry.declared_categories(results.material)]))
        checked_categories = list(report.checked_categories)
        same = checked_categories == declared and not any(d.field.startswith("footprint.categories") for d in report.field_differences)
        items.append(CheckItem(part="Annex V Part V", rule="the declaration holds the categories the rules declare, climate change first",
                               status="pass" if same else "fail", evidence=[f"rules: {', '.join(declared)}", f"declaration: {', '.join(checked_categories) or 'none checked'}"]))
        difference = report.class_difference
        items.append(CheckItem(part="Annex V Part VIII", rule="the performance class is the one the class table gives",
                               status="fail" if difference else "pass",
                               evidence=[difference.detail] if difference else ["class reproduced under the declared table (or no table applies)"]))
    evidence = [f"largest relative difference {report.largest_relative_difference:.3g}" if report.largest_relative_difference is not None else "no value compared"]
    evidence += [f"{c.input}: {c.detail}" for c in report.changed_inputs] + [f"{d.category} {d.stage or 'total'}: {d.declared!r} declared, {d.recomputed!r} recomputed" for d in report.result_differences]
    evidence += [f"field {d.field} differs" for d in report.field_differences] + list(report.errors)
    items.append(CheckItem(part="Annex V Part IX", rule="the declaration is reproduced from its study", status="pass" if report.reproduced else "fail", evidence=evidence))
    return items
