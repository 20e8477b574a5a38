"""Benchmark: calibrate performance classes from 1,000,000 declared values.

Prints the calibration time next to the floor, sorting the same array with numpy, measured
in the same run (same machine, same moment). Run: python3 benchmarks/calibrate_classes.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from footprint.classes import CalibrationSettings, calibrate_classes
from footprint.classes import MarketData


def simulated_market(n: int, seed: int = 0) -> MarketData:
    """n declarations over 2023-2026 (one year outside the window), 2,000 producers, log-normal values."""
    rng = np.random.default_rng(seed)
    dates = np.datetime64("2023-01-01") + rng.integers(0, 4 * 365, n).astype("timedelta64[D]")
    return MarketData.from_arrays(
        material="lithium-carbonate",
        value=rng.lognormal(np.log(8.0), 0.5, n),
        quantity_t=rng.lognormal(3.0, 1.0, n),
        date=dates,
        producer=rng.integers(0, 2_000, n),
        uncertainty=rng.uniform(0.3, 0.8, n),
    )


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    market = simulated_market(args.n)
    t0 = time.perf_counter()
    market.sha256  # the input hash is computed once per data set and cached
    t_hash = time.perf_counter() - t0
    methods = {
        "quantile (5 classes)": CalibrationSettings(method="quantile", n_classes=5),
        "equal-width (5 classes)": CalibrationSettings(method="equal-width", n_classes=5),
        "auto (3-7 classes)": CalibrationSettings(method="auto"),
    }
    t_sort = best_of(args.repeat, lambda: np.sort(market.value))
    t_argsort = best_of(args.repeat, lambda: np.argsort(market.value))
    print(f"{args.n:,} declared values (best of {args.repeat})")
    print(f"  np.sort (floor)              {t_sort * 1e3:8.1f} ms")
    print(f"  np.argsort                   {t_argsort * 1e3:8.1f} ms  ({t_argsort / t_sort:5.1f} x sort)")
    print(f"  input sha256 (once)          {t_hash * 1e3:8.1f} ms")
    for name, s in methods.items():
        t = best_of(args.repeat, lambda s=s: calibrate_classes(market, material="lithium-carbonate", period="2027-2029", settings=s))
        print(f"  calibrate {name:<19}{t * 1e3:8.1f} ms  ({t / t_sort:5.1f} x sort)")


if __name__ == "__main__":
    main()
