"""The public version of a study (Art. 31(7)(f)), written as one self-contained study.html.

It tells a reader what the declared results rest on: goal and scope, declared unit, system
boundary with each process's Annex V Part IV category, data sources and their type
(company-specific or secondary), cut-offs, allocation, electricity modelling, the hotspot
analysis, results by stage and category, and the assumptions.

Confidentiality (Art. 46). A producer's company-specific activity data are business secrets:

* no activity amount of any process is printed: processes appear with their results as
  characterised contributions (by stage in absolute terms, by process as a share of the
  total, rounded to 0.1 %);
* for company-specific processes, exchange sources, descriptions and product names are left
  out; the study says how many amounts there are and how many are assumptions;
* every free text that is printed (title, descriptions, sources of secondary data, reasons
  for exclusions, evidence of electricity supplies) goes through `Redactor`, which replaces
  any number equal to a company-specific amount (or price), also written with another unit
  prefix (x 1000, x 1e6 or their inverses), with "[confidential]".

`tests/test_public_study_confidentiality.py` searches every public output for every
company-specific amount of the example studies.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any


from ..boundary import category_title
from ..files import write_atomically
from ..hotspots import analyse_hotspots, rank_contributors
from ..methods import MethodSet, load_method_set
from ..results import ProcessSummary, Results
from ..study.load import LoadedStudy
from ..study.model import DataType, Study
from .model import Declaration
from .public_workbench import public_workbench
from .render import format_share, format_value, templates

CONFIDENTIAL = "[confidential]"
# A number token, not part of a word, a longer number or an Annex V code such as 1(j).
_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w]|\.\d|\([a-n]\))"
)


def company_specific_amounts(study: Study) -> list[float]:
    """Every amount and price of the study's company-specific processes (reference basis 1 aside).

    A reference output of exactly 1 unit is the process's normalisation basis, not activity
    data: it is left out so that "1" stays printable.
    """
    amounts: list[float] = []
    for process in study.processes:
        if process.data_type is not DataType.company_specific:
            continue
        out = process.reference_output
        if out.amount != 1:
            amounts.append(out.amount)
        amounts.extend(x for x in (out.price,) if x is not None)
        amounts.extend(e.amount for e in process.inputs)
        amounts.extend(f.amount for f in process.elementary_flows)
        for co in process.coproducts:
            amounts.append(co.amount)
            if co.price is not None:
                amounts.append(co.price)
    return [a for a in amounts if a != 0 and math.isfinite(a)]


class Redactor:
    """Replaces numbers equal to a company-specific amount in free text."""

    # The same quantity written with another unit prefix (t and kg, MWh and kWh, GJ and MJ).
    SCALES = (1.0, 1e3, 1e-3, 1e6, 1e-6)

    def __init__(self, amounts: list[float]) -> None:
        # 1 is every process's reference basis and is written everywhere: it is never redacted.
        self.amounts = sorted({abs(a) * scale for a in amounts for scale in self.SCALES} - {1.0})

    @classmethod
    def for_study(cls, study: Study) -> "Redactor":
        return cls(company_specific_amounts(study))

    def _secret(self, token: str) -> bool:
        try:
            value = abs(float(token.replace(",", "")))
        except ValueError:
            return False
        return any(math.isclose(value, a, rel_tol=1e-9, abs_tol=0.0) for a in self.amounts)

    def __call__(self, text: str | None) -> str:
        if not text:
            return ""
        return _NUMBER.sub(lambda m: CONFIDENTIAL if self._secret(m.group(0)) else m.group(0), text)


class ProcessView(ProcessSummary):
    """A process as the public study shows it: the summary plus a confidential-safe description."""

    description: str
    amounts: int
    assumptions: int
    datasets: list[str]
    sources: list[dict[str, Any]]
    electricity: list[str]
    sampling: str = ""


def _background_info(codes: list[str]) -> dict[str, dict[str, str]]:
    """Name, location, unit and source of starter datasets (empty when not available)."""
    try:
        from ..background.starter import load_starter

        starter = load_starter()
    except Exception:  # a user's own Brightway background: codes only
        return {}
    info = {}
    for code in codes:
        if code in starter.datasets:
            dataset, _ = starter.datasets[code]
            info[code] = {"name": dataset.name, "location": dataset.location, "unit": dataset.unit, "source": dataset.source}
    return info


def _not_modelled_rows(study: Study, redact: Redactor, method_set: MethodSet) -> list[dict[str, str]]:
    """What the study and its linked starter datasets leave out, so a zero result is explained (issue 17)."""
    from ..background.starter import load_starter
    from ..coverage import stated_omissions, study_omissions
    from ..errors import FootprintInputError

    shorts = {c.category: c.short for c in method_set.categories}
    try:
        omissions = stated_omissions(study, load_starter())
    except (FootprintInputError, OSError):  # starter files unreadable: the study's own list only
        omissions = study_omissions(study)
    return [
        {
            "where": "this study" if o.where == "study" else o.where,
            "item": redact(o.item) if o.where == "study" else o.item,
            "categories": ", ".join(shorts.get(c, c) for c in o.categories) or "-",
            "reason": redact(o.reason) if o.where == "study" else o.reason,
        }
        for o in omissions
    ]


def _process_views(study: Study, results: Results, redact: Redactor) -> list[ProcessView]:
    electricity: dict[str, list[str]] = {}
    for entry in results.electricity:
        text = f"{entry['dataset']}: {entry['rule']}"
        if entry["rule"] != "grid":
            text += f" ({redact(entry['detail'])})"
        else:
            text += f" ({entry['detail']})"
        electricity.setdefault(entry["process"], []).append(text)
    views = []
    for process in study.processes:
        secondary = process.data_type is DataType.secondary
        exchanges = [process.reference_output, *process.inputs, *process.elementary_flows, *process.coproducts]
        datasets = sorted({e.dataset for e in process.inputs if e.dataset} | {e.name for e in process.inputs if e.name})
        sources = []
        if secondary:
            for e in exchanges:
                if e.source:
                    sources.append({"text": redact(e.source), "assumption": e.assumption})
        views.append(
            ProcessView(
                id=process.id,
                name=redact(process.name),
                stage=process.stage.value,
                category=process.category,
                category_title=category_title(process.category),
                data_type=process.data_type.value,
                location=process.location,
                description=redact(process.description) if secondary else "",
                amounts=len(exchanges),
                assumptions=sum(1 for e in exchanges if e.assumption),
                datasets=datasets,
                sources=sources,
                electricity=electricity.get(process.id, []),
                sampling=(
                    f"measured at {process.sampling.sites_measured} of {process.sampling.sites_total} sites; "
                    f"{redact(process.sampling.method)}"
                    if process.sampling
                    else ""
                ),
            )
        )
    return views


def _hotspots(results: Results, declaration: Declaration, names: dict[str, str], top: int = 5) -> list[dict[str, Any]]:
    """Per declared category: the stages' shares and the processes that contribute most,
    ranked as the hotspot analysis ranks them (`hotspots.rank_contributors`)."""
    out = []
    for declared in declaration.footprint.categories:
        result = results.category(declared.category)
        total = result.value
        ranked = rank_contributors(result.by_process)
        out.append(
            {
                "category": declared.category,
                "short": declared.short,
                "unit": declared.unit,
                "value": total,
                "stages": [
                    {"stage": s, "share": (result.by_stage.get(s, 0.0) / total) if total else 0.0} for s in results.stages
                ],
                "top": [{"process": c.name, "name": names.get(c.name, c.name), "share": c.share} for c in ranked[:top]],
                "rest": sum(c.share for c in ranked[top:]),
            }
        )
    return out


def _significance(results: Results, method_set: MethodSet) -> list[dict[str, Any]]:
    """Relative significance of each category after EF normalisation and weighting (the hotspot ranking)."""
    analysis = analyse_hotspots(results, method_set)
    shorts = {c.category: c.short for c in method_set.categories}
    return [{"category": c.category, "short": shorts[c.category], "share": c.share} for c in analysis.categories if c.share > 0]


def public_study_context(results: Results, loaded_study: LoadedStudy, declaration: Declaration, method_set: MethodSet | None = None) -> dict[str, Any]:
    """Everything study.html shows, already redacted."""
    study = loaded_study.study
    method_set = method_set or load_method_set(results.fingerprint.method_set)
    redact = Redactor.for_study(study)
    processes = _process_views(study, results, redact)
    names = {p.id: p.name for p in processes}
    codes = sorted({code for p in processes for code in p.datasets})
    background = _background_info(codes)
    declared = {c.category for c in declaration.footprint.categories}
    allocation = []
    for entry in results.allocation:
        factor = float(entry["factor"])
        allocation.append({"process": entry["process"], "name": names.get(str(entry["process"]), entry["process"]), "method": entry["method"], "factor": factor})
    excluded = [
        {"name": redact(str(e["name"])), "stage": e["stage"], "share": float(e["estimated_share"]), "reason": redact(str(e["reason"]))}
        for e in results.excluded
    ]
    not_modelled = _not_modelled_rows(study, redact, method_set)
    counts = {
        "company-specific": sum(1 for p in processes if p.data_type == DataType.company_specific.value),
        "secondary": sum(1 for p in processes if p.data_type == DataType.secondary.value),
    }
    return {
        "d": declaration,
        "study": {
            "title": redact(study.title),
            "description": redact(study.description),
            "route": study.route.value,
            "reporting_period": declaration.footprint.reporting_period,
            "background": results.fingerprint.background,
            "electricity_rule": study.electricity_rule,
        },
        "results": results,
        "method_set": method_set,
        "processes": processes,
        "background": background,
        "codes": codes,
        "allocation": allocation,
        "excluded": excluded,
        "not_modelled": not_modelled,
        "excluded_share": results.excluded_share,
        "cutoff_limit": results.cutoff_limit,
        "secondary_model": results.secondary_model,
        "declared": declared,
        "hotspots": _hotspots(results, declaration, names),
        "workbench": public_workbench(results, [c.category for c in declaration.footprint.categories], names, redact),
        "significance": _significance(results, method_set),
        "counts": counts,
        "meanings": {c.category: c.meaning for c in method_set.categories},
        "shorts": {c.category: c.short for c in method_set.categories},
    }


def render_public_study_html(results: Results, loaded_study: LoadedStudy, declaration: Declaration, method_set: MethodSet | None = None) -> str:
    """study.html: the public version of the study, self-contained."""
    context = public_study_context(results, loaded_study, declaration, method_set)
    return templates().get_template("study.html").render(**context, fmt=format_value, pct=format_share)


def write_public_study(results: Results, loaded_study: LoadedStudy, declaration: Declaration, out_dir: Path | str) -> Path:
    path = Path(out_dir) / "study.html"
    write_atomically(path, render_public_study_html(results, loaded_study, declaration))
    return path


CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_study_pdf(html_path: Path | str, pdf_path: Path | str | None = None, timeout: float = 120) -> Path | None:
    """Print study.html to PDF with headless Chromium (None when no Chromium is installed).

    Chromium's print engine follows the page's @media print rules; no other PDF library is
    needed. The PDF holds exactly what the HTML holds, so the confidentiality rules carry over.
    """
    chromium = find_chromium()
    if chromium is None:
        return None
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path or html_path.with_suffix(".pdf")).resolve()
    with tempfile.TemporaryDirectory(prefix="footprint-chromium-") as profile:
        tmp = pdf_path.with_name(f".{pdf_path.name}.tmp")
        subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
             f"--print-to-pdf={tmp}", html_path.as_uri()],
            check=True, capture_output=True, timeout=timeout,
        )
        tmp.replace(pdf_path)
    return pdf_path
