"""What the public study shows of the verifier's workbench, within Art. 46.

Rank and share, never an amount: each amount appears by what it is (a purchase of a named
background dataset, an input from a named process, an elementary flow, an output per run, a
co-product's amount or price), with its elasticity as a percentage (the change of the result
for +1 % of it) and, under a class table, the percentage change that alone would change the
class. No amount, unit of an amount, new amount or change in the amount's own unit is printed.
The data quality rating shows scores and whether they are defaults, not the scorers' notes
(free text that could quote an amount).
"""

from __future__ import annotations

from typing import Any

PUBLIC_TOP = 10


def _public_label(elasticity: Any, names: dict[str, str]) -> str:
    """What an amount is, without its value or any product name of a company-specific process."""
    field, kind, label = elasticity.field, elasticity.kind, elasticity.label
    position = field.split("]")[0].split("[")[-1] if "[" in field else ""
    if kind == "input":
        if label.startswith("process "):
            supplier = label.split("'")[1] if "'" in label else label
            text = f"input from {names.get(supplier, supplier)}"
        else:
            text = f"purchase of {label.removeprefix('dataset ')}"
    elif kind == "elementary flow":
        text = f"emission or resource: {label}"
    elif kind == "reference output":
        text = "output per run (reference output)"
    elif kind == "co-product amount":
        text = f"co-product {position} amount"
    elif kind == "price":
        if elasticity.study == "rules":
            text = f"price of {label} (material rules)"
        else:
            text = "price of the main product" if field.startswith("reference_output") else f"price of co-product {position}"
    else:
        text = label
    return ("primary study: " if elasticity.study == "virgin study" else "") + text


def public_workbench(results: Any, declared: list[str], names: dict[str, str], redact: Any) -> dict[str, Any]:
    """The workbench section of study.html: ranked elasticities, class margin in %, DQR, primary data share."""
    ranked = []
    for e in results.elasticities[:PUBLIC_TOP]:
        where = names.get(e.process, e.process) if e.process else ("material rules" if e.study == "rules" else "Circular Footprint Formula")
        ranked.append({
            "rank": e.rank,
            "where": redact(where),
            "what": redact(_public_label(e, names)),
            "linear": e.linear,
            "cells": [e.by_category.get(c) for c in declared],
        })
    margin = results.class_margin
    public_margin = None
    if margin is not None:
        public_margin = {
            "category": margin.category, "class_label": margin.class_label, "table": margin.table,
            "to_better_percent": margin.to_better_percent, "to_worse_percent": margin.to_worse_percent,
            "amounts": [
                {
                    "rank": a.rank,
                    "what": redact(_public_label(next(e for e in results.elasticities if (e.study, e.process, e.field) == (a.study, a.process, a.field)), names)),
                    "where": redact(names.get(a.process, a.process) if a.process else a.study),
                    "better": a.to_better.change_percent if a.to_better and a.to_better.reachable else None,
                    "worse": a.to_worse.change_percent if a.to_worse and a.to_worse.reachable else None,
                    "method": (a.to_better or a.to_worse).method if (a.to_better or a.to_worse) else "",
                }
                for a in margin.amounts[:PUBLIC_TOP]
            ],
        }
    return {"ranked": ranked, "declared": declared, "margin": public_margin, "dqr": results.dqr, "primary_data_share": results.primary_data_share, "names": names}
