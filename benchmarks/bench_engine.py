"""Benchmark: prepared backgrounds, batches and Monte Carlo against plain bw2calc, in one run.

    python benchmarks/bench_engine.py [--activities 20000] [--seed 7] [--quick]

Builds a synthetic background of ecoinvent size with a supply-chain-like structure (seeded),
then prints each ratio measured in this same run:

1. one declaration vs the floor (one raw sparse factorise + solve, fastest solver installed);
2. 1,000 declarations (one prepared background) vs 1,000 naive bw2calc LCAs (a measured
   sample of the naive loop, extrapolated: said so in the output);
3. Monte Carlo iterations per second vs bw2calc's own Monte Carlo on the same data;
4. the CLI's start-up time for `footprint declare` on the example study.

Nothing here asserts a time: it measures and prints. FOOTPRINT_DATA_DIR defaults to a
temporary folder so the run disturbs no one's cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "data" / "tiny_study.toml"


# ---------------------------------------------------------------------------------------------
# A synthetic background shaped like a supply network
# ---------------------------------------------------------------------------------------------


def synthetic_background(
    activities: int = 20_000,
    flows: int = 4_000,
    inputs_per_activity: float = 10.0,
    flows_per_activity: float = 22.0,
    hubs: int = 300,
    zipf: float = 1.3,
    hub_share: float = 0.5,
    cycle_share: float = 0.03,
    sector: int = 100,
    seed: int = 7,
    distributions: bool = False,
    method_set=None,
):
    """An ArrayBackground like a real database: popular suppliers, sectors, some cycles.

    Each activity buys ~Poisson(inputs_per_activity) inputs: half from a few hundred hub
    suppliers (electricity, heat, transport...) drawn with Zipf weights (power law), the rest
    from its own or the upstream sector, and `cycle_share` from anywhere in its sector (which
    closes loops). Columns sum to 0.2-0.8 of output so the system is productive. Ids are then
    shuffled, so no solver gets a pre-ordered matrix. Biosphere: ~Poisson(flows_per_activity)
    flows each, drawn with power-law popularity (a few flows such as CO2 everywhere).
    """
    from footprint.methods import load_method_set
    from footprint.background import ArrayBackground

    rng = np.random.default_rng(seed)
    n = activities
    counts = rng.poisson(inputs_per_activity, n).clip(1, 80)
    consumers = np.repeat(np.arange(n), counts)
    total = len(consumers)
    kind = rng.random(total)
    weights = 1.0 / np.arange(1, hubs + 1) ** zipf
    suppliers = rng.choice(hubs, size=total, p=weights / weights.sum())
    start = (consumers // sector) * sector
    local = kind >= hub_share
    low = np.maximum(start - sector, 0)
    span = np.maximum(consumers - low, 1)
    suppliers[local] = low[local] + (rng.random(local.sum()) * span[local]).astype(np.int64)
    loops = kind > 1 - cycle_share
    suppliers[loops] = np.minimum(start[loops] + rng.integers(0, sector, loops.sum()), n - 1)
    keep = suppliers != consumers
    pair = np.unique(suppliers[keep] * n + consumers[keep])
    suppliers, consumers = pair // n, pair % n
    raw = rng.lognormal(0.0, 1.0, len(suppliers))
    column_sum = np.bincount(consumers, weights=raw, minlength=n)
    amounts = raw / column_sum[consumers] * rng.uniform(0.2, 0.8, n)[consumers]
    shuffle = rng.permutation(n)
    activity_ids = np.arange(n, dtype=np.int64) + 1_000_000

    flow_counts = rng.poisson(flows_per_activity, n).clip(1, 200)
    bio_cols = np.repeat(np.arange(n), flow_counts)
    flow_weights = 1.0 / np.arange(1, flows + 1) ** 0.9
    bio_rows = rng.choice(flows, size=len(bio_cols), p=flow_weights / flow_weights.sum())
    bio_pair = np.unique(bio_rows.astype(np.int64) * n + bio_cols)
    bio_rows, bio_cols = bio_pair // n, bio_pair % n
    bio_values = rng.lognormal(-3.0, 2.0, len(bio_rows))
    flow_ids = np.arange(flows, dtype=np.int64) + 1

    method_set = method_set or load_method_set()
    factors = {}
    for category in method_set.categories:
        chosen = rng.choice(flows, size=int(rng.integers(100, 600)), replace=False)
        factors[category.category] = (flow_ids[chosen], rng.lognormal(0.0, 2.0, len(chosen)))

    input_distributions = biosphere_distributions = None
    if distributions:
        from stats_arrays import UncertaintyBase

        def lognormal(values, gsd):
            params = UncertaintyBase.from_dicts(*[{"loc": 0.0, "uncertainty_type": 2}] * len(values))
            params["loc"] = np.log(np.abs(values))
            params["scale"] = np.log(gsd)
            params["negative"] = values < 0
            return params

        input_distributions = lognormal(amounts, 1.1)
        biosphere_distributions = lognormal(bio_values, 1.2)

    background = ArrayBackground(
        activity_ids=activity_ids,
        production=np.ones(n),
        inputs=(activity_ids[shuffle[suppliers]], activity_ids[shuffle[consumers]], amounts),
        biosphere=(flow_ids[bio_rows], activity_ids[shuffle[bio_cols]], bio_values),
        factors=factors,
        input_distributions=input_distributions,
        biosphere_distributions=biosphere_distributions,
        database="synthetic",
    )
    return background


def synthetic_inventory(background, rng: np.random.Generator, processes: int = 6):
    """A declaration's foreground: a chain of processes, each buying from a few background
    datasets (more often the popular ones) and emitting a few flows."""
    from footprint.inventory import ForegroundInventory

    ids = background.activity_ids
    flows = np.unique(background.biosphere[0])
    links, fg_links, emissions = [], [], []
    for column in range(processes):
        if column + 1 < processes:
            fg_links.append((column + 1, column, float(rng.uniform(0.8, 3.0))))
        for dataset in rng.choice(ids, size=int(rng.integers(2, 6)), replace=False):
            links.append((int(dataset), column, float(rng.lognormal(0, 1))))
        for flow in rng.choice(flows, size=int(rng.integers(1, 4)), replace=False):
            emissions.append((int(flow), column, float(rng.lognormal(-2, 1))))
    return ForegroundInventory(
        process_ids=[f"p{i}" for i in range(processes)],
        stages=["refining"] * processes,
        product_index=0,
        product_unit="kg",
        demand_amount=1.0,
        production=np.ones(processes),
        foreground_links=fg_links,
        background_links=links,
        flows=emissions,
    )


# ---------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------


def best_of(repeat: int, function) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def foreground_datapackage_with_distributions(inventory, gsd: float):
    """The engine's foreground datapackage, with a lognormal on every input and flow."""
    import bw_processing as bwp
    from stats_arrays import UncertaintyBase

    from footprint.engine.matrices import foreground_datapackage

    plain = foreground_datapackage(inventory)
    package = bwp.create_datapackage(sum_intra_duplicates=True, sum_inter_duplicates=False)
    for matrix, name in (("technosphere_matrix", "foreground-technosphere"), ("biosphere_matrix", "foreground-biosphere")):
        indices = plain.get_resource(f"{name}.indices")[0]
        data = plain.get_resource(f"{name}.data")[0]
        flip = plain.get_resource(f"{name}.flip")[0] if matrix == "technosphere_matrix" else None
        params = UncertaintyBase.from_dicts(*[{"loc": 0.0, "uncertainty_type": 2}] * len(data))
        params["loc"] = np.log(np.abs(np.where(data == 0, 1.0, data)))
        params["scale"] = np.log(gsd)
        params["negative"] = data < 0
        if flip is not None:  # production amounts stay fixed
            params["uncertainty_type"][~flip] = 0
            params["loc"][~flip] = data[~flip]
        extra = {"flip_array": flip} if flip is not None else {}
        package.add_persistent_vector(
            matrix=matrix, name=name, indices_array=indices, data_array=data, distributions_array=params, **extra
        )
    return package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--declarations", type=int, default=1_000)
    parser.add_argument("--naive-sample", type=int, default=5, help="naive bw2calc declarations actually run")
    parser.add_argument("--mc-iterations", type=int, default=100_000)
    parser.add_argument("--bw-mc-iterations", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of section 1 (best kept)")
    parser.add_argument("--quick", action="store_true", help="2,000 activities, for a smoke test")
    args = parser.parse_args()
    if args.quick:
        args.activities, args.declarations, args.naive_sample, args.mc_iterations, args.rounds = 2_000, 100, 3, 10_000, 2

    os.environ.setdefault("FOOTPRINT_DATA_DIR", tempfile.mkdtemp(prefix="fp-bench-"))
    os.environ.setdefault("TQDM_DISABLE", "1")
    warnings.filterwarnings("ignore")

    import scipy

    from footprint.engine import background_system
    from footprint.engine.reference import reference_solve as compute_lca
    from footprint.methods import load_method_set
    from footprint.engine import (
        Factorisation,
        available_solvers,
        clear_memory_cache,
        compute_prepared,
        prepare_background,
    )
    from footprint.uncertainty import ExchangeSpec, monte_carlo_system, sample_amounts, simulate

    import bw2calc

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    method_set = load_method_set()
    started = time.perf_counter()
    background = synthetic_background(args.activities, seed=args.seed, method_set=method_set)
    build = time.perf_counter() - started
    say(f"footprint engine benchmark — python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"bw2calc {bw2calc.__version__}, {os.cpu_count()} cores, solvers installed: {', '.join(available_solvers())}")
    system = background_system(background, method_set)
    n = system.technosphere.shape[0]
    tech_nnz = system.technosphere.nnz - n
    say(f"synthetic background (seed {args.seed}): {n:,} activities, {tech_nnz:,} technosphere inputs "
        f"+ {n:,} production, {system.biosphere.nnz:,} biosphere non-zeros, {len(method_set.categories)} categories "
        f"(generated in {build:.1f} s)")
    say()

    # 1. The floor: one raw factorise + one solve, with every solver installed. Every variant is
    # run in interleaved rounds and the best round kept, so a busy machine skews none of them.
    from footprint.engine import compute_cold

    demand = np.zeros(n)
    demand[n // 2] = 1.0
    g = np.asarray((system.biosphere.T @ system.characterisation.T)).T  # (categories, activities)
    rng = np.random.default_rng(args.seed + 1)
    inventory = synthetic_inventory(background, rng)
    buyers = len({c for _, c, _ in inventory.background_links})

    def raw(solver):
        factorisation = Factorisation(system.technosphere, solver)
        factorisation.solve(demand)
        factorisation.free()

    def adjoint(solver):
        factorisation = Factorisation(system.technosphere, solver)
        factorisation.solve_transposed(g.T.copy())
        factorisation.free()

    def build():
        background_system(background, method_set)

    solvers = available_solvers()
    for solver in solvers:  # warm-up (library loading)
        raw(solver)
    best: dict[str, float] = {}

    def measure(label, function):
        started = time.perf_counter()
        function()
        best[label] = min(best.get(label, float("inf")), time.perf_counter() - started)

    for _ in range(args.rounds):
        for solver in solvers:
            measure(f"raw {solver}", lambda: raw(solver))
            measure(f"adjoint {solver}", lambda: adjoint(solver))
        measure("build", build)
    floors = {solver: best[f"raw {solver}"] for solver in solvers}
    fastest = min(floors, key=floors.get)

    def cold():
        clear_memory_cache()
        prepared = prepare_background(background, method_set, cache=False, solver=fastest)
        compute_prepared(inventory, prepared)

    def one_off():
        compute_cold(inventory, background, method_set, solver=fastest)

    one_off()
    for _ in range(args.rounds):
        measure("cold", cold)
        measure("one-off", one_off)
        measure(f"raw {fastest}", lambda: raw(fastest))
    floors[fastest] = best[f"raw {fastest}"]
    floor = floors[fastest]
    matrices = best["build"]
    numerics = best[f"adjoint {fastest}"]
    cold_time = best["cold"]
    one_off_time = best["one-off"]

    say(f"1. One declaration vs the floor (best of {args.rounds} interleaved rounds each)")
    for solver in solvers:
        say(f"   raw factorise + 1 solve, {solver:8s}: {floors[solver] * 1000:7.1f} ms;   "
            f"factorise + {len(method_set.categories)} adjoint solves (a full prepare): {best[f'adjoint {solver}'] * 1000:7.1f} ms")
    say(f"   fastest solver here: {fastest};  FLOOR = {floor * 1000:.1f} ms")
    say(f"   bw2calc matrix building from the datapackages (cold paths pay it, the floor does not): {matrices * 1000:.1f} ms")
    say(f"   one declaration, cold, solved only for its {buyers} buying processes (nothing cached): {one_off_time * 1000:.1f} ms")
    say(f"   one declaration, cold, full prepared background (all {n:,} datasets, then reusable): {cold_time * 1000:.1f} ms")

    prepare_background(background, method_set, cache=True, solver=fastest)  # write the cache

    def warm():
        clear_memory_cache()
        ready = prepare_background(background, method_set, cache=True)
        compute_prepared(inventory, ready)

    warm_time = best_of(5, warm)
    say(f"   one declaration, warm (prepared background read from disk, foreground solved): {warm_time * 1000:.1f} ms")
    say(f"   RATIO warm declaration / floor:                                       {warm_time / floor:6.3f}x   (target <= 1.2x)")
    say(f"   RATIO one-off cold declaration / (floor + matrix building):           {one_off_time / (floor + matrices):6.2f}x")
    say(f"   RATIO one-off cold declaration / floor:                               {one_off_time / floor:6.2f}x")
    say(f"   RATIO full prepare numerics (factorise + adjoint solves) / floor:     {numerics / floor:6.2f}x")
    say(f"   RATIO cold declaration with full prepare / (floor + matrix building): {cold_time / (floor + matrices):6.2f}x")

    # bw2calc's own first LCA, for scale.
    from bw2calc import LCA

    cf_package = background.characterisation_datapackages(method_set)[:1]  # climate change

    def bw_first():
        lca = LCA({int(system.activity_ids[n // 2]): 1.0}, data_objs=background.datapackages() + cf_package)
        lca.lci()
        lca.lcia()

    bw_first_time = best_of(2, bw_first)
    say(f"   bw2calc first LCA (build, solve, characterise, 1 category): {bw_first_time * 1000:.1f} ms")
    say()

    # 2. Batch: many declarations on one prepared background vs a naive bw2calc loop.
    inventories = [synthetic_inventory(background, rng) for _ in range(args.declarations)]
    clear_memory_cache()
    started = time.perf_counter()
    shared = prepare_background(background, method_set, cache=False, solver=fastest)
    for each in inventories:
        compute_prepared(each, shared)
    batch = time.perf_counter() - started
    naive = []
    for each in inventories[: args.naive_sample]:
        started = time.perf_counter()
        reference = compute_lca(each, background, method_set)
        naive.append(time.perf_counter() - started)
    naive_each = statistics.median(naive)
    naive_total = naive_each * args.declarations
    from bw2calc import MultiLCA

    from footprint.engine.matrices import foreground_datapackage

    plain = []
    keys = [tuple(c.method) for c in method_set.categories]
    for each in inventories[: args.naive_sample]:
        started = time.perf_counter()
        lca = MultiLCA(
            demands={"declared": {each.node_ids[each.product_index]: each.demand_amount}},
            method_config={"impact_categories": keys},
            data_objs=background.datapackages() + [foreground_datapackage(each)] + background.characterisation_datapackages(method_set),
        )
        lca.lci()
        lca.lcia()
        lca.scores
        plain.append(time.perf_counter() - started)
    plain_each = statistics.median(plain)
    plain_total = plain_each * args.declarations
    check = compute_prepared(inventories[len(naive) - 1], shared)
    worst = max(
        abs(check.totals[c] - reference.totals[c]) / abs(reference.totals[c]) if reference.totals[c] else 0.0
        for c in method_set.names
    )
    say(f"2. Batch of {args.declarations:,} declarations")
    say(f"   prepared background (solved once, in this time) + {args.declarations:,} foregrounds: {batch:.2f} s "
        f"({batch / args.declarations * 1000:.2f} ms each)")
    say(f"   naive loop, footprint's bw2calc engine (MultiLCA per declaration): median {naive_each * 1000:.0f} ms each, "
        f"measured on {len(naive)} declarations and EXTRAPOLATED to {args.declarations:,}: {naive_total:.0f} s")
    say(f"   naive loop, plain bw2calc (MultiLCA, the declared demand only, 16 categories): median {plain_each * 1000:.0f} ms each, "
        f"measured on {len(plain)} and EXTRAPOLATED to {args.declarations:,}: {plain_total:.0f} s")
    say(f"   RATIO naive plain-bw2calc loop / batch:                     {plain_total / batch:6.1f}x   (target >= 20x)")
    say(f"   RATIO naive footprint-engine loop / batch:                  {naive_total / batch:6.1f}x")
    say(f"   worst relative difference, prepared vs bw2calc (one declaration, 16 categories): {worst:.1e}")
    say()

    # 3. Monte Carlo: vectorised foreground vs bw2calc's Monte Carlo on the same data.
    mc_inventory = synthetic_inventory(background, np.random.default_rng(args.seed + 2), processes=8)
    fg = mc_inventory.foreground_links
    bg = mc_inventory.background_links
    fl = mc_inventory.flows
    specs = (
        [ExchangeSpec("foreground", i, "", "", a, "lognormal", "bench", gsd=1.1) for i, (_, _, a) in enumerate(fg)]
        + [ExchangeSpec("background", i, "", "", a, "lognormal", "bench", gsd=1.1) for i, (_, _, a) in enumerate(bg)]
        + [ExchangeSpec("flow", i, "", "", a, "lognormal", "bench", gsd=1.1) for i, (_, _, a) in enumerate(fl)]
    )
    mc_system = monte_carlo_system(mc_inventory, shared, specs)
    simulate(mc_system, sample_amounts(mc_system, 1000, 1))
    started = time.perf_counter()
    samples = simulate(mc_system, sample_amounts(mc_system, args.mc_iterations, 42))
    ours = time.perf_counter() - started
    ours_rate = args.mc_iterations / ours

    from footprint.engine.matrices import foreground_datapackage  # noqa: F401

    fg_package = foreground_datapackage_with_distributions(mc_inventory, 1.1)
    node = mc_inventory.node_ids[mc_inventory.product_index]
    lca = LCA({node: 1.0}, data_objs=background.datapackages() + [fg_package] + cf_package, use_distributions=True, seed_override=42)
    lca.lci()
    lca.lcia()
    started = time.perf_counter()
    for _ in range(args.bw_mc_iterations):
        next(lca)
    bw_iteration = (time.perf_counter() - started) / args.bw_mc_iterations
    say(f"3. Monte Carlo ({mc_inventory.production.size} foreground processes, {len(specs)} uncertain exchanges, "
        f"{len(method_set.categories)} categories, background fixed)")
    say(f"   footprint, vectorised: {args.mc_iterations:,} iterations in {ours:.2f} s = {ours_rate:,.0f} iterations/s "
        f"(climate change mean {samples[:, 0].mean():.4g})")
    say(f"   bw2calc Monte Carlo (use_distributions, 1 category): {bw_iteration * 1000:.0f} ms per iteration = "
        f"{1 / bw_iteration:.2f} iterations/s (measured over {args.bw_mc_iterations})")
    say(f"   RATIO iterations/s footprint / bw2calc:                     {ours_rate * bw_iteration:,.0f}x   (target >= 10,000 it/s)")
    say()

    # 4. CLI start-up on the example study (the starter project is built first, untimed).
    say("4. CLI start-up (subprocess wall time, starter project already built)")
    env = dict(os.environ)
    subprocess.run([sys.executable, "-m", "footprint.cli", "declare", str(EXAMPLE)], env=env, capture_output=True)
    commands = {
        "footprint --help": [sys.executable, "-m", "footprint.cli", "--help"],
        "footprint declare (prepared background cached)": [sys.executable, "-m", "footprint.cli", "declare", str(EXAMPLE)],
        "python -c 'import footprint.cli'": [sys.executable, "-c", "import footprint.cli"],
    }
    for label, command in commands.items():
        seconds = best_of(2, lambda: subprocess.run(command, env=env, capture_output=True, check=False))
        say(f"   {label:45s} {seconds:6.2f} s")
    code = "import time; t=time.perf_counter(); {stmt}; print(time.perf_counter()-t)"
    for label, stmt in (
        ("  of which: import footprint.cli", "import footprint.cli"),
        ("  of which: load_method_set() (imports bw2io, parses its LCIA JSON)", "from footprint.methods import load_method_set; load_method_set()"),
        ("  of which: import bw2data", "import bw2data"),
        ("  of which: import bw2calc", "import bw2calc"),
    ):
        timings = []
        for _ in range(2):
            done = subprocess.run([sys.executable, "-c", code.format(stmt=stmt)], env=env, capture_output=True, text=True)
            try:
                timings.append(float(done.stdout.strip().splitlines()[-1]))
            except (ValueError, IndexError):
                timings.append(float("nan"))
        say(f"   {label:45s} {min(timings):6.2f} s (in-process)")
    say()

    # 5. End to end: many copies of the example study through assess, naive vs one prepared background.
    from footprint.assessment import assess
    from footprint.batch import assess_many
    from footprint.engine.core import ReferenceEngine, make_engine

    copies = [EXAMPLE] * 200
    reference = ReferenceEngine()
    assess(EXAMPLE, engine=reference)  # the starter project exists already; warm the imports
    started = time.perf_counter()
    for path in copies[:10]:
        assess(path, engine=reference)
    naive_e2e = (time.perf_counter() - started) / 10
    started = time.perf_counter()
    items = assess_many(copies, engine=make_engine(cache=False))
    batch_e2e = time.perf_counter() - started
    assert all(item.ok for item in items)
    say(f"5. End to end on the starter background ({len(copies)} copies of the example study, rules + validation + linking included)")
    say(f"   assess() per study, bw2calc engine: {naive_e2e * 1000:.0f} ms each (measured on 10)")
    say(f"   assess_many, one prepared background: {batch_e2e:.2f} s = {batch_e2e / len(copies) * 1000:.1f} ms each")
    say(f"   RATIO per-study time naive / batch:                         {naive_e2e / (batch_e2e / len(copies)):6.1f}x")
    say()
    say("Summary of ratios (same run):")
    say(f"   warm declaration / floor {warm_time / floor:.3f}x; one-off cold / (floor + matrix building) "
        f"{one_off_time / (floor + matrices):.2f}x; one-off cold / floor {one_off_time / floor:.2f}x; "
        f"full prepare (factorise + adjoint) / floor {numerics / floor:.2f}x; "
        f"batch speed-up {plain_total / batch:.0f}x vs plain bw2calc, {naive_total / batch:.0f}x vs the footprint engine "
        f"(naive loops extrapolated from samples); Monte Carlo {ours_rate:,.0f} it/s = {ours_rate * bw_iteration:,.0f}x bw2calc")


if __name__ == "__main__":
    main()
