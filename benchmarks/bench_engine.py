"""Benchmark: footprint against the best practice with bw2calc, every figure measured in this run.

    python benchmarks/bench_engine.py [--activities 20000,50000,100000] [--declarations 1000] [--quick]

On a synthetic background of ecoinvent size, shaped like a supply network (seeded;
`synthetic.py`), it prints ratios between timings taken in this same run, nothing extrapolated:

1. a batch of declarations: footprint's prepared background vs bw2calc with one factorisation
   reused (`redo_lci`) and vs bw2calc 3.1's `FastScoresOnlyMultiLCA`; a naive loop as context;
2. Monte Carlo with the background fixed: footprint vs `PartitionedMonteCarloLCA`;
3. Monte Carlo with the background drawn: footprint's iterative solve of the drawn systems vs
   bw2calc's Monte Carlo (a factorisation per iteration) and bw2calc's `IterativeLCA`; its
   accuracy (checked iterations) and a two-sample KS test against bw2calc on a small background;
4. Dask: the background Monte Carlo and a batch of verifications on 1 and 2 local workers;
5. cost growth: factorisation, prepare, warm declaration and background Monte Carlo per
   iteration at each --activities size, and the memory peak (one subprocess per size).

Nothing here asserts a time. FOOTPRINT_DATA_DIR defaults to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLE = ROOT / "tests" / "data" / "tiny_study.toml"
sys.path.insert(0, str(HERE))

from synthetic import combined_foregrounds, foreground_datapackage_with_distributions, synthetic_background, synthetic_inventory  # noqa: E402


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} cores"


def peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM; getrusage's maxrss survives exec, so a
    subprocess would report its parent's peak)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def hide_pardiso() -> None:
    """Make pypardiso unimportable in this process: bw2calc (and footprint) then use SciPy."""
    sys.modules["pypardiso"] = None  # type: ignore[assignment]


def best_of(repeat: int, function) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def worst_relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def mc_specs(inventory):
    from footprint.uncertainty import ExchangeSpec

    return (
        [ExchangeSpec("foreground", i, "", "", a, "lognormal", "bench", gsd=1.1) for i, (_, _, a) in enumerate(inventory.foreground_links)]
        + [ExchangeSpec("background", i, "", "", a, "lognormal", "bench", gsd=1.1) for i, (_, _, a) in enumerate(inventory.background_links)]
        + [ExchangeSpec("flow", i, "", "", a, "lognormal", "bench", gsd=1.1) for i, (_, _, a) in enumerate(inventory.flows)]
    )


# ---------------------------------------------------------------------------------------------
# 5. One size of the growth table, in its own process (so that its memory peak is its own)
# ---------------------------------------------------------------------------------------------


def growth_row(activities: int, seed: int, bw_iterations: int) -> dict:
    from bw2calc import MultiLCA

    from footprint.engine import Factorisation, available_solvers, background_system, clear_memory_cache, compute_prepared, prepare_background
    from footprint.engine.draws import background_sampler
    from footprint.engine.matrices import foreground_datapackage
    from footprint.engine.montecarlo import MonteCarloSettings, sampled_demand_scores
    from footprint.methods import load_method_set

    method_set = load_method_set()
    row: dict = {"activities": activities}
    background = synthetic_background(activities, seed=seed, method_set=method_set, distributions=True)
    system = background_system(background, method_set)
    row["technosphere_nnz"] = int(system.technosphere.nnz)
    demand = np.zeros(system.technosphere.shape[0])
    demand[len(demand) // 2] = 1.0
    solver = available_solvers()[0]

    def raw():
        factorisation = Factorisation(system.technosphere, solver)
        factorisation.solve(demand)
        factorisation.free()

    row["solver"] = solver
    row["factorise_solve_s"] = best_of(2, raw)
    clear_memory_cache()
    started = time.perf_counter()
    prepare_background(background, method_set, cache=False, solver=solver)
    row["prepare_s"] = time.perf_counter() - started
    prepare_background(background, method_set, cache=True, solver=solver)  # writes the disk cache
    inventory = synthetic_inventory(background, np.random.default_rng(seed + 1))

    def warm():
        clear_memory_cache()
        compute_prepared(inventory, prepare_background(background, method_set, cache=True))

    row["warm_declaration_s"] = best_of(3, warm)
    started = time.perf_counter()
    sampler = background_sampler(background, method_set)
    row["sampler_s"] = time.perf_counter() - started
    datasets = sorted({d for d, _, _ in inventory.background_links})
    iterations = 128 if activities <= 50_000 else 64
    demands = np.random.default_rng(3).lognormal(0, 0.1, (iterations, len(datasets)))
    _, stats = sampled_demand_scores(sampler, datasets, demands, seed=5, settings=MonteCarloSettings(checks=1))
    row["background_mc_s_per_iteration"] = (stats.seconds - stats.check_seconds) / iterations
    row["background_mc_check_s"] = stats.check_seconds
    row["background_mc_worst_error"] = stats.worst_error
    row["background_mc_steps_mean"] = stats.steps_mean
    row["peak_rss_footprint_mb"] = peak_memory_mb()
    keys = [tuple(c.method) for c in method_set.categories]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lca = MultiLCA(
            demands={"d": {inventory.node_ids[0]: 1.0}},
            method_config={"impact_categories": keys},
            data_objs=background.datapackages() + [foreground_datapackage(inventory)] + background.characterisation_datapackages(method_set),
            use_distributions=True,
            seed_override=5,
        )
        lca.lci()
        lca.lcia()
        started = time.perf_counter()
        for _ in range(bw_iterations):
            next(lca)
            lca.scores
    row["bw2calc_mc_s_per_iteration"] = (time.perf_counter() - started) / bw_iterations
    row["peak_rss_with_bw2calc_mb"] = peak_memory_mb()
    return row


def scipy_peers(activities: int, seed: int, declarations: int, bw_iterations: int) -> dict:
    """bw2calc's Monte Carlo peers again, with pypardiso hidden (bw2calc then uses SciPy's
    SuperLU): on a 2-core machine either can be the faster, and the faster is the peer to beat.

    (The batch peers are not run this way: SuperLU's factorisation of the background together
    with 1,000 foregrounds did not finish in 4 minutes when tried by hand.)"""
    hide_pardiso()
    from peers import bw2calc_background_monte_carlo

    from footprint.methods import load_method_set

    method_set = load_method_set()
    background = synthetic_background(activities, seed=seed, method_set=method_set, distributions=True)
    inventory = synthetic_inventory(background, np.random.default_rng(seed + 2), processes=8)
    mc_package = foreground_datapackage_with_distributions(inventory, 1.1)
    product = inventory.node_ids[inventory.product_index]
    multi = bw2calc_background_monte_carlo(background, method_set, mc_package, product, bw_iterations, seed, "multi")
    iterative = bw2calc_background_monte_carlo(background, method_set, mc_package, product, 3 * bw_iterations, seed, "iterative")
    return {"multi_each_s": multi, "iterative_each_s": iterative}


# ---------------------------------------------------------------------------------------------
# The sections
# ---------------------------------------------------------------------------------------------


def batch_section(say, background, method_set, declarations: int, naive_sample: int, seed: int) -> dict:
    from peers import fast_scores_batch, naive_loop, redo_lci_batch

    from footprint.engine import clear_memory_cache, compute_prepared, prepare_background

    rng = np.random.default_rng(seed + 10)
    inventories = [synthetic_inventory(background, rng) for _ in range(declarations)]
    clear_memory_cache()
    started = time.perf_counter()
    shared = prepare_background(background, method_set, cache=False)
    ours = np.array([[compute_prepared(inv, shared).totals[c] for c in method_set.names] for inv in inventories])
    ours_s = time.perf_counter() - started
    prepare_background(background, method_set, cache=True)  # written to the disk cache, untimed

    def warm():
        clear_memory_cache()
        ready = prepare_background(background, method_set, cache=True)
        for inv in inventories:
            compute_prepared(inv, ready)

    warm_s = best_of(2, warm)
    package, products = combined_foregrounds(inventories)
    redo, redo_s = redo_lci_batch(background, method_set, package, products)
    fast, fast_s, fast_note = fast_scores_batch(background, method_set, package, products)
    naive_s = naive_loop(background, method_set, inventories[:naive_sample])
    say(f"1. A batch of {declarations:,} declarations, 16 categories each, all of them solved by every method")
    say(f"   footprint: prepared background (solved in this time) + {declarations:,} foregrounds: {ours_s:.2f} s")
    say(f"   footprint, the prepared background read from its disk cache (a verifier's second batch): {warm_s:.2f} s")
    say(f"   bw2calc LCA, one factorisation reused (lci(factorize=True), redo_lci per demand): {redo_s:.2f} s "
        f"-> footprint {redo_s / ours_s:.1f}x faster (worst relative difference {worst_relative(ours, redo):.1e})")
    if fast is not None:
        say(f"   warm footprint vs FastScoresOnlyMultiLCA: {fast_s / warm_s:.0f}x; vs redo_lci: {redo_s / warm_s:.0f}x")
    out = {"ours_s": ours_s, "warm_s": warm_s, "redo_s": redo_s, "fast_s": fast_s, "naive_each_s": naive_s, "declarations": declarations, "fast_note": fast_note}
    if fast is not None:
        say(f"   bw2calc FastScoresOnlyMultiLCA ({fast_note}): {fast_s:.2f} s -> footprint {fast_s / ours_s:.1f}x faster "
            f"(worst relative difference {worst_relative(ours, fast):.1e})")
    else:
        say(f"   bw2calc FastScoresOnlyMultiLCA: {fast_note}")
    say(f"   context: a fresh bw2calc MultiLCA per declaration takes {naive_s:.2f} s each (median of {naive_sample}; not extrapolated)")
    say()
    return out


def fixed_mc_section(say, background, method_set, iterations: int, partitioned_iterations: int, seed: int) -> dict:
    from peers import partitioned_monte_carlo

    from footprint.engine import prepare_background
    from footprint.uncertainty import monte_carlo_system, sample_amounts, simulate

    inventory = synthetic_inventory(background, np.random.default_rng(seed + 2), processes=8)
    prepared = prepare_background(background, method_set, cache=True)
    system = monte_carlo_system(inventory, prepared, mc_specs(inventory))
    simulate(system, sample_amounts(system, 1000, 1))
    started = time.perf_counter()
    simulate(system, sample_amounts(system, iterations, 42))
    ours_rate = iterations / (time.perf_counter() - started)
    package, products = combined_foregrounds([inventory], distributions_gsd=1.1)
    _, setup, each = partitioned_monte_carlo(background, method_set, package, products[0], partitioned_iterations, seed)
    say(f"2. Monte Carlo, background fixed ({inventory.production.size} foreground processes, {len(system.amounts)} uncertain exchanges)")
    say(f"   footprint, vectorised, 16 categories: {ours_rate:,.0f} iterations/s ({iterations:,} iterations)")
    say(f"   bw2calc PartitionedMonteCarloLCA, 1 category: {1 / each:,.0f} iterations/s over {partitioned_iterations} "
        f"(+ {setup:.2f} s solving the background per interface product) -> footprint {ours_rate * each:,.0f}x")
    say()
    return {"ours_rate": ours_rate, "partitioned_rate": 1 / each, "partitioned_setup_s": setup}


def background_mc_section(say, background, method_set, iterations: int, bw_iterations: int, seed: int, ks_draws: int, scipy: dict) -> dict:
    from peers import bw2calc_background_monte_carlo
    from scipy.stats import ks_2samp

    from footprint.engine import prepare_background
    from footprint.engine.draws import background_sampler
    from footprint.engine.montecarlo import MonteCarloSettings, sampled_dataset_scores, sampled_demand_scores
    from footprint.engine.sampling import bw2calc_draws
    from footprint.uncertainty import monte_carlo_system, sample_amounts
    from footprint.uncertainty.simulate import foreground_purchases

    inventory = synthetic_inventory(background, np.random.default_rng(seed + 2), processes=8)
    prepared = prepare_background(background, method_set, cache=True)
    system = monte_carlo_system(inventory, prepared, mc_specs(inventory))
    started = time.perf_counter()
    sampler = background_sampler(background, method_set)
    sampler_s = time.perf_counter() - started
    started = time.perf_counter()
    bought, direct = foreground_purchases(system, sample_amounts(system, iterations, 42))
    _, stats = sampled_demand_scores(sampler, system.dataset_ids, bought, 42, settings=MonteCarloSettings(checks=6))
    total_each = (time.perf_counter() - started) / iterations
    ours_each = total_each - stats.check_seconds / iterations
    package = foreground_datapackage_with_distributions(inventory, 1.1)
    product = inventory.node_ids[inventory.product_index]
    multi_each = bw2calc_background_monte_carlo(background, method_set, package, product, bw_iterations, seed, "multi")
    iterative_each = bw2calc_background_monte_carlo(background, method_set, package, product, 3 * bw_iterations, seed, "iterative")
    say(f"   (bw2calc measured with PARDISO: MultiLCA {multi_each * 1000:.0f} ms, IterativeLCA {iterative_each * 1000:.0f} ms per "
        f"iteration; with SciPy SuperLU: {scipy['multi_each_s'] * 1000:.0f} ms, {scipy['iterative_each_s'] * 1000:.0f} ms; the faster counts)")
    multi_each, iterative_each = min(multi_each, scipy["multi_each_s"]), min(iterative_each, scipy["iterative_each_s"])
    say(f"3. Monte Carlo, background drawn too ({len(sampler.tech.uncertain):,} technosphere and {len(sampler.bio.uncertain):,} "
        f"characterised biosphere values drawn per iteration, foreground as in 2, 16 categories)")
    say(f"   footprint: {ours_each * 1000:.1f} ms per iteration over {iterations}, {total_each * 1000:.1f} ms with the 6 direct "
        f"checks (reading the distributions once: {sampler_s:.2f} s); {stats.describe()}")
    say(f"   bw2calc MultiLCA Monte Carlo (use_distributions, 16 categories): {multi_each * 1000:.0f} ms per iteration "
        f"(over {bw_iterations}) -> footprint {multi_each / ours_each:.0f}x the iterations per second (aim >= 50x); "
        f"{multi_each / total_each:.0f}x counting the checks")
    say(f"   bw2calc IterativeLCA (BiCGSTAB + Jacobi, 1 category): {iterative_each * 1000:.0f} ms per iteration "
        f"(over {3 * bw_iterations}) -> footprint {iterative_each / ours_each:.1f}x")
    # The distribution against bw2calc's, on a small background: 1 unit of one dataset, climate change.
    small = synthetic_background(500, seed=seed + 5, method_set=method_set, distributions=True)
    dataset = int(small.activity_ids[250])
    ours, _ = sampled_dataset_scores(background_sampler(small, method_set), [dataset], ks_draws, seed=3)
    theirs = bw2calc_draws(small, method_set, dataset, ks_draws, seed=3)
    ks = ks_2samp(ours[:, 0, 0], theirs)
    say(f"   distribution vs bw2calc's Monte Carlo (500-activity background, {ks_draws:,} draws each, climate change of one "
        f"dataset): two-sample KS statistic {ks.statistic:.4f}, p-value {ks.pvalue:.2f}; means {ours[:, 0, 0].mean():.5g} vs "
        f"{theirs.mean():.5g}, sd {ours[:, 0, 0].std():.4g} vs {theirs.std():.4g}")
    say()
    return {
        "ours_each_s": ours_each, "total_each_s": total_each, "check_s": stats.check_seconds, "multi_each_s": multi_each, "iterative_each_s": iterative_each, "sampler_s": sampler_s,
        "worst_error": stats.worst_error, "checked": stats.checked, "fallbacks": stats.fallbacks, "steps_mean": stats.steps_mean,
        "iterations": iterations, "ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue), "ks_draws": ks_draws,
    }


def dask_section(say, background, method_set, iterations: int, verifications: int, seed: int) -> dict:
    from footprint.batch import verify_many
    from footprint.cli import app
    from footprint.distributed import DaskRunner, dask_client, verify_many_distributed
    from footprint.engine import make_engine
    from footprint.engine.draws import background_sampler
    from footprint.engine.montecarlo import MonteCarloSettings, sampled_demand_scores
    from typer.testing import CliRunner

    sampler = background_sampler(background, method_set)
    rng = np.random.default_rng(seed)
    datasets = sorted(rng.choice(sampler.product_ids, 20, replace=False).tolist())
    demands = rng.lognormal(0, 0.1, (iterations, len(datasets)))
    settings = MonteCarloSettings(checks=0)
    out_dir = Path(tempfile.mkdtemp(prefix="fp-bench-declared-"))
    CliRunner().invoke(app, ["declare", str(EXAMPLE), "--out", str(out_dir)])
    pairs = [(out_dir / "declaration.json", EXAMPLE)] * verifications
    before = load()
    timings: dict = {}
    started = time.perf_counter()
    single, _ = sampled_demand_scores(sampler, datasets, demands, 7, settings=settings)
    timings["mc_single"] = time.perf_counter() - started
    started = time.perf_counter()
    reference = verify_many(pairs, engine=make_engine(verify_cache=True))
    timings["verify_single"] = time.perf_counter() - started
    identical = True
    for workers in (1, 2):
        with dask_client("local", workers=workers) as client:
            # Warm-up, untimed: every worker imports footprint, bw2calc and the method set once.
            sampled_demand_scores(sampler, datasets, demands[: 16 * workers], 7, settings=settings, runner=DaskRunner(client))
            verify_many_distributed(pairs[: 2 * workers], client=client)
            started = time.perf_counter()
            spread, _ = sampled_demand_scores(sampler, datasets, demands, 7, settings=settings, runner=DaskRunner(client))
            timings[f"mc_{workers}"] = time.perf_counter() - started
            started = time.perf_counter()
            items = verify_many_distributed(pairs, client=client)
            timings[f"verify_{workers}"] = time.perf_counter() - started
            identical &= bool(np.array_equal(single, spread))
            identical &= all(a.results.reproduced == b.results.reproduced for a, b in zip(reference, items))
    say(f"4. Dask (LocalCluster, worker processes with 1 thread each, loopback, warmed up first) — {before} before, {load()} after")
    say(f"   background Monte Carlo, {iterations} iterations ({iterations // 16} blocks): one process {timings['mc_single']:.1f} s; "
        f"1 worker {timings['mc_1']:.1f} s; 2 workers {timings['mc_2']:.1f} s (1 -> 2 workers: {timings['mc_1'] / timings['mc_2']:.2f}x)")
    say(f"   {verifications} verifications of the example declaration: one process {timings['verify_single']:.1f} s; 1 worker "
        f"{timings['verify_1']:.1f} s; 2 workers {timings['verify_2']:.1f} s (1 -> 2 workers: {timings['verify_1'] / timings['verify_2']:.2f}x)")
    say(f"   results identical to the single process: {identical}")
    say()
    timings["identical"] = identical
    timings["load_before"], timings["load_after"] = before, load()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activities", default="20000,50000,100000", help="sizes of the growth table; the first is the main benchmark's")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--declarations", type=int, default=300)
    parser.add_argument("--naive-sample", type=int, default=3)
    parser.add_argument("--mc-iterations", type=int, default=100_000)
    parser.add_argument("--background-iterations", type=int, default=480)
    parser.add_argument("--bw-iterations", type=int, default=3)
    parser.add_argument("--ks-draws", type=int, default=2_000)
    parser.add_argument("--dask-iterations", type=int, default=160)
    parser.add_argument("--verifications", type=int, default=120)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--growth-row", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scipy-peers", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("FOOTPRINT_DATA_DIR", tempfile.mkdtemp(prefix="fp-bench-"))
    os.environ.setdefault("TQDM_DISABLE", "1")
    warnings.filterwarnings("ignore")
    if args.growth_row:
        print(json.dumps(growth_row(args.growth_row, args.seed, 2 if args.growth_row <= 20_000 else 1)))
        return
    if args.scipy_peers:
        print(json.dumps(scipy_peers(args.scipy_peers, args.seed, args.declarations, args.bw_iterations)))
        return
    if args.quick:
        args.activities, args.declarations, args.mc_iterations, args.background_iterations = "2000,4000", 100, 10_000, 64
        args.ks_draws, args.dask_iterations, args.verifications = 1_000, 64, 20
    sizes = [int(s) for s in args.activities.split(",")]

    import bw2calc
    import scipy

    from footprint.engine import available_solvers
    from footprint.methods import load_method_set

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    method_set = load_method_set()
    background = synthetic_background(sizes[0], seed=args.seed, method_set=method_set, distributions=True)
    say(f"footprint benchmark — python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, bw2calc "
        f"{bw2calc.__version__}, solvers: {', '.join(available_solvers())}; {load()}")
    say(f"synthetic background: {sizes[0]:,} activities, seed {args.seed}, distributions on every input (GSD 1.1) and flow (GSD 1.2)")
    say()
    done = subprocess.run(
        [sys.executable, __file__, "--scipy-peers", str(sizes[0]), "--seed", str(args.seed), "--declarations", str(args.declarations),
         "--bw-iterations", str(args.bw_iterations)], capture_output=True, text=True,
    )
    if done.returncode:
        raise SystemExit(f"the SciPy peers failed: {done.stderr[-2000:]}")
    scipy_figures = json.loads(done.stdout.strip().splitlines()[-1])
    summary = {
        "scipy_peers": scipy_figures,
        "batch": batch_section(say, background, method_set, args.declarations, args.naive_sample, args.seed),
        "fixed_mc": fixed_mc_section(say, background, method_set, args.mc_iterations, 200, args.seed),
        "background_mc": background_mc_section(
            say, background, method_set, args.background_iterations, args.bw_iterations, args.seed, args.ks_draws, scipy_figures
        ),
        "dask": dask_section(say, background, method_set, args.dask_iterations, args.verifications, args.seed),
    }
    say("5. Cost growth (one process per size; peak = the process's maximum resident memory)")
    say("   activities | solver | factorise + 1 solve | prepare (16 categories) | warm declaration | background MC per iteration "
        "(bw2calc's) | peak memory footprint (with bw2calc's MC)")
    rows = []
    for size in sizes:
        done = subprocess.run([sys.executable, __file__, "--growth-row", str(size), "--seed", str(args.seed)], capture_output=True, text=True)
        if done.returncode:
            say(f"   {size:,}: failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        say(f"   {size:>10,} | {row['solver']} | {row['factorise_solve_s']:.2f} s | {row['prepare_s']:.2f} s | "
            f"{row['warm_declaration_s'] * 1000:.1f} ms | {row['background_mc_s_per_iteration'] * 1000:.0f} ms "
            f"({row['bw2calc_mc_s_per_iteration'] * 1000:.0f} ms, {row['bw2calc_mc_s_per_iteration'] / row['background_mc_s_per_iteration']:.0f}x) | "
            f"{row['peak_rss_footprint_mb']:.0f} MB ({row['peak_rss_with_bw2calc_mb']:.0f} MB)")
    summary["growth"] = rows
    summary["load_end"] = load()
    say(f"   {load()} at the end")
    print("\nJSON " + json.dumps(summary))


if __name__ == "__main__":
    main()
