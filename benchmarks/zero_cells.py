"""Which example x EF 3.1 category cells read exactly 0 on the shipped starter background, and why.

Issue 17 measures the blind spots of the hotspot analysis (Annex V Part V) with this table: one
row per example study, the categories whose characterised result is exactly zero, and for each
the omission the study or its linked background data state (`not_modelled`). A zero without a
stated omission is printed as UNEXPLAINED. Run: python3 benchmarks/zero_cells.py [--values] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from footprint.assessment import assess
from footprint.background import load_starter
from footprint.coverage import stated_omissions, zero_categories
from footprint.methods import load_method_set
from footprint.study import load_study

EXAMPLES = Path(__file__).resolve().parent.parent / "inventories" / "examples"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--values", action="store_true", help="print every category's value")
    parser.add_argument("--json", type=Path, help="also write the values as JSON")
    args = parser.parse_args()
    method_set = load_method_set()
    shorts = {c.category: c.short for c in method_set.categories}
    starter = load_starter()
    table, zeros = {}, 0
    for path in sorted(EXAMPLES.glob("*.toml")):
        results = assess(path)
        table[path.stem] = results.values()
        zero = zero_categories(results)
        zeros += len(zero)
        print(f"{path.stem:42s} {len(zero):2d} zero: {', '.join(shorts[c] for c in zero) or '-'}")
        omissions = stated_omissions(load_study(path).study, starter)
        for category in zero:
            reasons = [o for o in omissions if category in o.categories]
            first = f"{reasons[0].where}: {reasons[0].item}" if reasons else "UNEXPLAINED"
            print(f"    {shorts[category]}: {first}{f' (+{len(reasons) - 1} more)' if len(reasons) > 1 else ''}")
        if args.values:
            for name, value in table[path.stem].items():
                print(f"    {shorts[name]:34s} {value:.4g}")
    print(f"{zeros} of {len(table) * len(method_set.categories)} example x category cells are exactly 0")
    if args.json:
        args.json.write_text(json.dumps(table, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
