"""Benchmark: the sensitivity of every amount of the largest example, against re-declaring it once per amount.

    python benchmarks/bench_sensitivity.py [--study inventories/examples/lithium-carbonate-brine-cl.toml] [--repeat 5]

Prints, measured in this run on the prepared engine (background solved once and warm):

1. the one-pass sensitivity (one adjoint solve of the foreground, every amount, all 16 EF 3.1
   categories) against one full re-declaration per amount (`assess` on the study with that
   amount edited, as a verifier would do by hand), and their ratio;
2. what adding `elasticities`, `dqr` and `primary_data_share` costs every `assess`: the median
   time of `assess` with and without the workbench annotation.

Nothing here asserts a time. FOOTPRINT_DATA_DIR defaults to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LARGEST = ROOT / "inventories" / "examples" / "lithium-carbonate-brine-cl.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, default=LARGEST)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("FOOTPRINT_DATA_DIR", tempfile.mkdtemp(prefix="footprint-bench-"))
    os.environ.setdefault("TQDM_DISABLE", "1")
    warnings.filterwarnings("ignore")
    sys.path.insert(0, str(ROOT))
    import tomli_w

    import footprint.assessment as assessment
    from footprint.assessment import assess, background_for, check_study, link_study
    from footprint.engine import make_engine
    from footprint.methods import load_method_set
    from footprint.workbench import study_sensitivity
    from tests._workbench_helpers import raw_study, set_amount

    engine = make_engine()
    method_set = load_method_set()
    results = assess(args.study, engine=engine, method_set=method_set)  # prepares the background once
    checked = check_study(args.study)
    background = background_for(checked, method_set)
    inventory = link_study(checked, background)
    amounts = results.elasticities
    print(f"{args.study.name}: {len(amounts)} amounts x {len(results.categories)} categories")

    one_pass = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        sensitivity = study_sensitivity(checked.loaded.study, checked.rules, inventory, background, method_set, engine=engine)
        sensitivity.derivatives()
        sensitivity.elasticities([c.category for c in results.categories])
        one_pass.append(time.perf_counter() - started)
    sensitivity_time = statistics.median(one_pass)

    folder = Path(tempfile.mkdtemp(prefix="footprint-bench-studies-"))
    raw = raw_study(args.study)
    started = time.perf_counter()
    for n, amount in enumerate(amounts):
        edited = raw_study(args.study)
        set_amount(edited, amount.process, amount.field, amount.amount * 1.01)
        path = folder / f"edited-{n}.toml"
        path.write_text(tomli_w.dumps(edited), encoding="utf-8")
        assess(path, engine=engine, method_set=method_set, background=background)
    redeclare_time = time.perf_counter() - started
    del raw
    print(f"1. one-pass sensitivity (all amounts, all categories): {1e3 * sensitivity_time:.2f} ms (median of {args.repeat})")
    print(f"   one re-declaration per amount ({len(amounts)} assess calls): {redeclare_time:.2f} s "
          f"({1e3 * redeclare_time / len(amounts):.1f} ms each)")
    print(f"   ratio: {redeclare_time / sensitivity_time:.0f}x faster in one pass")

    def timed(runs: int) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            assess(args.study, engine=engine, method_set=method_set, background=background)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    runs = max(args.repeat * 4, 10)
    original = assessment.annotate
    spent: list[float] = []

    def measured(*a, **k):
        started = time.perf_counter()
        out = original(*a, **k)
        spent.append(time.perf_counter() - started)
        return out

    assessment.annotate = measured
    try:
        with_workbench = timed(runs)
    finally:
        assessment.annotate = original
    assessment.annotate = lambda results, *a, **k: results  # assess as it was before the workbench
    try:
        without = timed(runs)
    finally:
        assessment.annotate = original
    print(f"2. assess with the workbench annotation: {1e3 * with_workbench:.1f} ms, without: {1e3 * without:.1f} ms "
          f"(median of {runs}); the annotation itself: {1e3 * statistics.median(spent):.2f} ms "
          f"({100 * statistics.median(spent) / with_workbench:.0f} % of an assess)")


if __name__ == "__main__":
    main()
