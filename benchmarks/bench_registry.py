"""Benchmark: the public registry as `footprint serve --workers N` runs it, on loopback, on SQLite.

    python benchmarks/bench_registry.py [--workers 2] [--readers 4] [--seconds 10] [--reads 30000]
                                        [--clients 8] [--per-client 10] [--pact 8] [--db URL]

Measured in one run, against a baseline on the same server stack (uvicorn + FastAPI, same
workers): a small static file (/static/registry.css) served by the app.

1. 8 producers publishing concurrently (each its own declarations, signed, with study.html):
   publishes per second, p50/p99 latency, and a check that none was lost (every declaration
   is then found by id and counted by the search API);
2. declaration page reads (/declarations/{id}, HTML, ~22 KB): pages per second, p50/p99;
3. search: the HTML search page and the JSON search API;
4. PACT: `GET /3/footprints?limit=50` (ListFootprints) and `GET /3/footprints/{id}` (GetFootprint)
   with a bearer token from `/auth/token`, over the PACT 3.0 footprints of the first --pact
   declarations (computed with footprint.export when they are published, one solve each).

Everything is bounded: each read phase stops after --reads requests or --seconds seconds, and
the server (a child process on 127.0.0.1) is stopped at the end. The declarations are the
lithium example study declared by eight fictitious benchmark producers, with the drying
step's natural gas scaled so that values differ. FOOTPRINT_DATA_DIR defaults to a temporary
folder (the first run then builds footprint's Brightway project, about 20 s).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LITHIUM = ROOT / "inventories" / "examples" / "lithium-carbonate-brine-cl.toml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


# --- data ---------------------------------------------------------------------------------------


def make_declarations(base: Path, producers: int, per_producer: int, pact: int) -> list[tuple[str, Path, Path, Path, dict | None]]:
    """(operator, folder, private key, public key, PACT footprints or None) for producers x per_producer
    signed declarations; the first `pact` with their PACT 3.0 footprint."""
    from footprint.batch import assess_many
    from footprint.declaration import write_declaration_set
    from footprint.export.build import pact_documents
    from footprint.signing import generate_keys, load_private_key

    text = LITHIUM.read_text(encoding="utf-8")
    studies, owners = [], []
    (base / "studies").mkdir(parents=True)
    for k in range(producers * per_producer):
        owner = k % producers
        study = text.replace('name = "Example Lithium SpA (fictitious)"', f'name = "Benchmark Lithium Producer {owner + 1} (fictitious)"', 1)
        study = study.replace("amount = 3.33333333\n", f"amount = {3.33333333 * (0.05 + 0.1 * k):.6f}\n", 1)
        path = base / "studies" / f"bench-{k:04d}.toml"
        path.write_text(study, encoding="utf-8")
        studies.append(path)
        owners.append(owner)
    keys = [generate_keys(base / "keys" / f"producer-{i + 1}") for i in range(producers)]
    out = []
    for item, owner in zip(assess_many(studies, progress=False), owners):
        if not item.ok:
            raise SystemExit(f"cannot declare {item.path}: {item.error}")
        folder = base / "declarations" / item.path.stem
        private, public, _ = keys[owner]
        write_declaration_set(item.results, item.loaded, folder, signing_key=load_private_key(private))
        documents = pact_documents(folder, study=item.path) if len(out) < pact else None
        out.append((f"Benchmark Lithium Producer {owner + 1} (fictitious)", folder, private, public, documents))
    return out


def upload(folder: Path, quantity_t: float, pact: dict | None = None) -> dict:
    return {
        "declaration": json.loads((folder / "declaration.json").read_text()),
        "signature": json.loads((folder / "declaration.sig").read_text()),
        "study_html": (folder / "study.html").read_text(),
        "quantity_t": quantity_t,
        "supersedes": None,
        **(pact or {}),
    }


# --- load ---------------------------------------------------------------------------------------


def _reader(args: tuple[int, list[str], int, float, int, dict[str, str]]) -> list[float]:
    """One client process: keep-alive GETs of the paths in turn, until `count` or `seconds`."""
    port, paths, count, seconds, seed, headers = args
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(latencies) < count and time.perf_counter() < deadline:
        path = paths[rng.randrange(len(paths))]
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status}")
        latencies.append(time.perf_counter() - start)
    connection.close()
    return latencies


def read_phase(port: int, paths: list[str], readers: int, count: int, seconds: float, headers: dict[str, str] | None = None) -> dict[str, float]:
    per_reader = max(1, count // readers)
    headers = headers or {}
    with multiprocessing.get_context("spawn").Pool(readers) as pool:
        pool.map(_reader, [(port, paths, 50, 2.0, i, headers) for i in range(readers)])  # warm every worker's cache
        start = time.perf_counter()
        results = pool.map(_reader, [(port, paths, per_reader, seconds, 100 + i, headers) for i in range(readers)])
        elapsed = time.perf_counter() - start
    latencies = [x for chunk in results for x in chunk]
    return {"requests": len(latencies), "seconds": elapsed, "per_second": len(latencies) / elapsed,
            "p50_ms": 1e3 * percentile(latencies, 0.50), "p99_ms": 1e3 * percentile(latencies, 0.99)}


def publish_phase(url: str, batches: list[list[tuple[str, Path, dict | None]]], tokens: dict[str, str]) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(batch: list[tuple[str, Path, dict | None]]) -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            for k, (operator, folder, pact) in enumerate(batch):
                start = time.perf_counter()
                response = http.post("/api/v1/declarations", json=upload(folder, 1000.0 + k, pact), headers={"authorization": f"Bearer {tokens[operator]}"})
                with lock:
                    latencies.append(time.perf_counter() - start)
                    if response.status_code != 201:
                        failures.append(f"{folder.name}: {response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=client, args=(batch,)) for batch in batches]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise SystemExit("publishes failed: " + "; ".join(failures[:5]))
    return {"requests": len(latencies), "seconds": elapsed, "per_second": len(latencies) / elapsed,
            "p50_ms": 1e3 * percentile(latencies, 0.50), "p99_ms": 1e3 * percentile(latencies, 0.99)}


# --- run ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--readers", type=int, default=4, help="client processes reading at once")
    parser.add_argument("--seconds", type=float, default=10.0, help="longest a read phase runs")
    parser.add_argument("--reads", type=int, default=30_000, help="most requests a read phase makes")
    parser.add_argument("--clients", type=int, default=8, help="producers publishing at once")
    parser.add_argument("--per-client", type=int, default=10, help="declarations each producer publishes")
    parser.add_argument("--pact", type=int, default=8, help="declarations published with their PACT 3.0 footprint")
    parser.add_argument("--db", default=None, help="database URL [an SQLite file in a temporary folder]")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="footprint-bench-registry-"))
    os.environ.setdefault("FOOTPRINT_DATA_DIR", str(base / "data"))
    os.environ.setdefault("TQDM_DISABLE", "1")
    db = args.db or f"sqlite:///{base / 'registry.sqlite3'}"
    process = None
    try:
        print(f"declaring {args.clients * args.per_client} declarations of {args.clients} benchmark producers ...", flush=True)
        made = make_declarations(base, args.clients, args.per_client, args.pact)

        from footprint.registry.accounts import add_account
        from footprint.registry.db import make_engine, migrate, write_session

        engine = make_engine(db)
        migrate(engine)
        tokens: dict[str, str] = {}
        with write_session(engine) as session:
            for operator, _, _, public, _ in made:
                if operator not in tokens:
                    tokens[operator] = add_account(session, role="producer", operator=operator, public_key=public.read_text())[1]
            buyer, buyer_token = add_account(session, role="buyer", operator="Benchmark buyer (fictitious)")
            client_id = buyer.token_id
        engine.dispose()

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = subprocess.Popen(
            [sys.executable, "-c", "from footprint.cli import main; main()", "serve", "--db", db, "--port", str(port), "--workers", str(args.workers)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        import httpx

        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(url + "/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("footprint serve did not start")
            time.sleep(0.2)

        batches: list[list[tuple[str, Path, dict | None]]] = [[] for _ in range(args.clients)]
        for operator, folder, _, _, pact in made:
            batches[int(operator.split()[3]) - 1].append((operator, folder, pact))
        publish = publish_phase(url, batches, tokens)
        ids = [json.loads((folder / "declaration.json").read_text())["declaration_id"] for _, folder, _, _, _ in made]
        missing = [i for i in ids if httpx.get(f"{url}/api/v1/declarations/{i}").status_code != 200]
        total = httpx.get(f"{url}/api/v1/declarations", params={"material": "lithium-carbonate", "per_page": 1}).json()["total"]
        if missing or total != len(ids):
            raise SystemExit(f"lost publishes: {len(missing)} not found, search counts {total} of {len(ids)}")

        pages = [f"/declarations/{i}" for i in ids]
        size = len(httpx.get(url + pages[0]).content)
        static = len(httpx.get(url + "/static/registry.css").content)
        phases = {
            f"baseline: static file ({static / 1024:.1f} KB)": read_phase(port, ["/static/registry.css"], args.readers, args.reads, args.seconds),
            f"declaration page ({size / 1024:.1f} KB)": read_phase(port, pages, args.readers, args.reads, args.seconds),
            "search page (HTML)": read_phase(port, [f"/declarations?material=lithium-carbonate&page={p}" for p in range(1, 5)], args.readers, args.reads, args.seconds),
            "search API (JSON)": read_phase(port, [f"/api/v1/declarations?material=lithium-carbonate&page={p}" for p in range(1, 5)], args.readers, args.reads, args.seconds),
        }
        pact_ids = [m[4]["pact_v3"]["id"] for m in made if m[4]]
        if pact_ids:
            token = httpx.post(url + "/auth/token", data={"grant_type": "client_credentials"}, auth=(client_id, buyer_token)).json()["access_token"]
            bearer = {"authorization": f"Bearer {token}"}
            listed = httpx.get(url + "/3/footprints", params={"limit": 50}, headers=bearer).json()["data"]
            if sorted(d["id"] for d in listed) != sorted(pact_ids):
                raise SystemExit(f"PACT ListFootprints gives {len(listed)} footprints, {len(pact_ids)} were published")
            phases[f"PACT 3.0 ListFootprints ({len(pact_ids)} footprints)"] = read_phase(port, ["/3/footprints?limit=50"], args.readers, args.reads, args.seconds, bearer)
            phases["PACT 3.0 GetFootprint"] = read_phase(port, [f"/3/footprints/{i}" for i in pact_ids], args.readers, args.reads, args.seconds, bearer)
        baseline = next(iter(phases.values()))["per_second"]
        print(f"\nfootprint registry, {args.workers} uvicorn workers, {db.split(':')[0]}, {os.cpu_count()} cores, {args.readers} reading clients, loopback")
        print(f"{'measure':<40} {'requests':>9} {'per s':>8} {'p50 ms':>7} {'p99 ms':>7} {'vs baseline':>11}")
        print(f"{f'publish, {args.clients} clients at once (none lost)':<40} {publish['requests']:>9} {publish['per_second']:>8.1f} {publish['p50_ms']:>7.1f} {publish['p99_ms']:>7.1f} {'':>11}")
        for name, m in phases.items():
            print(f"{name:<40} {m['requests']:>9} {m['per_second']:>8.0f} {m['p50_ms']:>7.2f} {m['p99_ms']:>7.2f} {m['per_second'] / baseline:>10.2f}x")
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
