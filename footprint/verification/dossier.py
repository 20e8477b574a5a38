"""The verification report a person reads: verdict, checklist, sensitivity, data quality, materiality.

`footprint verify DECL --study S [--evidence E] --report-html report.html [--pdf]` writes one
self-contained page (an autoescaped jinja2 template, inline styles, no external resource) from
the same recalculation as the JSON report (`--report`, unchanged), and optionally prints it to
PDF with headless Chromium.

Signing: the report has a `signature` slot that stays empty here. `footprint verify --sign KEY
--verifier NAME --report-html ...` fills it with a line on the signed statement it wrote
(`footprint.verification.statement`, Ed25519); this module only renders what it is given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..assessment import assess
from ..declaration.public_study import write_study_pdf
from ..declaration.render import format_share, format_value
from ..errors import FootprintError
from ..files import write_atomically
from ..methods import CLIMATE_CHANGE
from ..workbench.margin import class_margin
from .checklist import CheckItem, checklist
from .inputs import declared_class_table, read_declaration
from .materiality import MaterialityAssessment, assess_materiality
from .report import VerificationReport


@dataclass
class Dossier:
    """Everything the verification report shows, computed once."""

    report: VerificationReport
    checks: list[CheckItem]
    declared_categories: list[str]
    results: Any | None = None
    materiality: MaterialityAssessment | None = None
    top: int = 20
    problems: list[str] = field(default_factory=list)
    signature: Any | None = None  # a line on the signed statement, when verify --sign wrote one

    @property
    def acceptable(self) -> bool:
        """Reproduced, and (when evidence was given) no material discrepancy."""
        return self.report.reproduced and not (self.materiality is not None and self.materiality.material)


def build_dossier(
    report: VerificationReport,
    *,
    registry: Any,
    engine: Any,
    evidence: Path | str | None = None,
    class_folder: Path | None = None,
    brightway_dir: Path | None = None,
    top: int = 20,
) -> Dossier:
    """The report's content: the study recomputed with its sensitivity and DQR, the checklist, materiality."""
    problems: list[str] = []
    _, _, declaration, problem = read_declaration(report.declaration)
    declared: list[str] = []
    results = materiality = None
    if declaration is None:
        problems.append(problem or "the declaration cannot be read")
    else:
        declared = [c.category for c in declaration.footprint.categories]
        fp = declaration.fingerprint
        try:
            results = assess(report.study, registry=registry, background_override=fp.background, project_override=fp.background_project,
                             brightway_dir=brightway_dir, engine=engine)
            table, _ = declared_class_table(declaration, registry, class_folder)
            if table is not None:
                results = results.model_copy(update={"class_margin": class_margin(results, table, top=top)})
        except FootprintError as exc:
            problems.append(f"the study cannot be calculated: {exc}")
        if evidence is not None:  # evidence that cannot be read or calculated is bad input: it raises
            materiality = assess_materiality(declaration, report.study, evidence, registry=registry, engine=engine,
                                             class_folder=class_folder, brightway_dir=brightway_dir, declared_results=results)
    checks = checklist(report.study, results, report, registry, materiality)
    return Dossier(report=report, checks=checks, declared_categories=declared, results=results, materiality=materiality, top=top, problems=problems)


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
        autoescape=True,  # every text from a study, a declaration or an error is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["value"] = format_value
    env.filters["share"] = format_share
    return env


def render_dossier_html(dossier: Dossier) -> str:
    env = _environment()
    results = dossier.results
    ranked = results.elasticities[: dossier.top] if results is not None else []
    margin = results.class_margin if results is not None else None
    return env.get_template("verification.html").render(
        d=dossier,
        r=dossier.report,
        results=results,
        ranked=ranked,
        margin=margin,
        dqr=results.dqr if results is not None else None,
        categories=dossier.declared_categories or [CLIMATE_CHANGE],
        fmt=format_value,
        pct=format_share,
        today=dt.datetime.now(dt.timezone.utc).date(),
    )


def write_dossier(dossier: Dossier, path: Path | str, *, pdf: bool = False) -> list[Path]:
    """report.html (and report.pdf with headless Chromium); the paths written."""
    path = Path(path)
    write_atomically(path, render_dossier_html(dossier))
    written = [path]
    if pdf:
        printed = write_study_pdf(path, path.with_suffix(".pdf"))
        if printed is None:
            raise FootprintError("--pdf needs Chromium (apt-get install chromium); report.html was written")
        written.append(printed)
    return written
