"""Which example x EF 3.1 category cells read exactly 0 on the shipped starter background.

Issue 17 measures the blind spots of the hotspot analysis (Annex V Part V) with this table:
one row per example study, one column per category, `0` where the characterised result is
exactly zero. Run: python3 benchmarks/zero_cells.py [--values] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from footprint.assessment import assess
from footprint.methods import load_method_set

EXAMPLES = Path(__file__).resolve().parent.parent / "inventories" / "examples"


def zero_cells() -> dict[str, dict[str, float]]:
    """Characterised result per example and category (all 16 EF 3.1 categories)."""
    table = {}
    for path in sorted(EXAMPLES.glob("*.toml")):
        table[path.stem] = assess(path).values()
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--values", action="store_true", help="print the values, not only the zeros")
    parser.add_argument("--json", type=Path, help="also write the table as JSON")
    args = parser.parse_args()
    method_set = load_method_set()
    shorts = {c.category: c.short for c in method_set.categories}
    table = zero_cells()
    zeros = 0
    for example, values in table.items():
        zero = [shorts[name] for name, value in values.items() if value == 0.0]
        zeros += len(zero)
        print(f"{example:42s} {len(zero):2d} zero: {', '.join(zero) or '-'}")
        if args.values:
            for name, value in values.items():
                print(f"    {shorts[name]:34s} {value:.4g}")
    total = len(table) * len(method_set.categories)
    print(f"{zeros} of {total} example x category cells are exactly 0")
    if args.json:
        args.json.write_text(json.dumps(table, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
