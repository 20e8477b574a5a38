"""One product file through the whole flow: load, rules, scope, calculation, records, files.

Everything the CLI does is callable from here, because verifiers script their work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from footprint.files import output_set, write_atomically
from footprint.signing import sign_record_file

from .calculation import RecycledContent, calculate, check_compositions
from .product import LoadedProduct, load_product, today_utc
from .records import DECLARATION_FILE, RECORD_FILE, MagnetDataRecord, RecycledContentDeclaration, build_records, sealed_json
from .registry import MagnetRulesRegistry
from .render import render_declaration_html, render_record_html
from .rules import MagnetRules
from .scope import Scope, assess_scope

OUTPUT_NAMES = (DECLARATION_FILE, "recycled-content.html", "recycled-content.sig", RECORD_FILE, "data-record.html", "data-record.sig")


@dataclass
class MagnetAssessment:
    loaded: LoadedProduct
    rules: MagnetRules
    scope: Scope
    compositions: dict[str, dict[str, float]]
    content: RecycledContent | None  # None where Art. 29 does not apply


def assess_product(
    path: Path | str | LoadedProduct, *, registry: MagnetRulesRegistry | None = None, rules: MagnetRules | None = None,
    on_date: dt.date | None = None,
) -> MagnetAssessment:
    """Check a product file and calculate its shares; any bad input raises FootprintInputError naming file and field."""
    loaded = path if isinstance(path, LoadedProduct) else load_product(path)
    on_date = on_date or today_utc()
    product = loaded.product
    rules = rules or (registry or MagnetRulesRegistry()).rules_for(product.product.group.value, on_date)
    scope = assess_scope(product, loaded.path)
    compositions = check_compositions(product, rules, loaded.path)
    content = calculate(product, rules, scope, loaded.path, on_date) if scope.article_29_applies else None
    return MagnetAssessment(loaded=loaded, rules=rules, scope=scope, compositions=compositions, content=content)


def build(assessment: MagnetAssessment, issue_date: dt.date) -> tuple[RecycledContentDeclaration | None, MagnetDataRecord]:
    a = assessment
    return build_records(a.loaded, a.rules, a.scope, a.content, a.compositions, issue_date)


def refuse_exempt(assessment: MagnetAssessment) -> None:
    """Nothing is declared for a product neither article covers."""
    from footprint.errors import FootprintInputError

    if not assessment.scope.article_28_applies:
        raise FootprintInputError(
            f"nothing to declare: {assessment.scope.article_28_statement}; no data record or declaration is written",
            file=assessment.loaded.path, field="product",
        )


def write_records(
    declaration: RecycledContentDeclaration | None, record: MagnetDataRecord, out_dir: Path | str, *, force: bool = False,
    signing_key: Any | None = None,
) -> list[Path]:
    """Write the records and their pages as one set (all or nothing); a declaration of an earlier run is removed.

    With `signing_key` (an Ed25519 private key) each record gets its detached signature in the
    same set (recycled-content.sig, data-record.sig), as `footprint declare --sign` does.
    """
    out_dir = Path(out_dir)
    files = {RECORD_FILE: sealed_json(record), "data-record.html": render_record_html(record)}
    if declaration is not None:
        files = {DECLARATION_FILE: sealed_json(declaration), "recycled-content.html": render_declaration_html(declaration), **files}
    names = list(files)
    with output_set(out_dir, names=OUTPUT_NAMES, force=force) as staging:
        for name, text in files.items():
            write_atomically(staging / name, text)
        if signing_key is not None:
            names += [sign_record_file(staging / name, signing_key).name for name in files if name.endswith(".json")]
    return [out_dir / name for name in names]


def declare_product(path: Path | str, out_dir: Path | str, *, issue_date: dt.date | None = None, force: bool = False,
                    registry: MagnetRulesRegistry | None = None, signing_key: Any | None = None) -> tuple[MagnetAssessment, list[Path]]:
    """`footprint magnets declare`: check, calculate, build and write; nothing is written on bad input."""
    issue_date = issue_date or today_utc()
    assessment = assess_product(path, registry=registry, on_date=issue_date)
    refuse_exempt(assessment)
    declaration, record = build(assessment, issue_date)
    return assessment, write_records(declaration, record, out_dir, force=force, signing_key=signing_key)
