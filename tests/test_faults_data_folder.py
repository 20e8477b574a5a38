"""Faults of footprint's own data folder, tried as they happen: two first runs at once, caches
truncated, zeroed, bit-flipped or poisoned, Brightway files damaged, folders footprint cannot
use. Derived data is detected, discarded and rebuilt (never trusted, never a traceback); what
footprint cannot rebuild gets one line naming the file and what to do.

Each case runs the real command in a fresh process on a real data folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from .conftest import TINY_STUDY

CLI = [sys.executable, "-m", "footprint.cli"]


def run(data_dir: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "FOOTPRINT_DATA_DIR": str(data_dir), "TQDM_DISABLE": "1"}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)


def climate(folder: Path) -> list:
    return json.loads((folder / "results.json").read_text())["categories"]


def no_traceback(done: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in done.stderr + done.stdout, done.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list]:
    """A data folder whose starter project and caches two concurrent first runs built."""
    data = tmp_path_factory.mktemp("data")
    out = tmp_path_factory.mktemp("out")
    env = {**os.environ, "FOOTPRINT_DATA_DIR": str(data), "TQDM_DISABLE": "1"}
    runs = [
        subprocess.Popen([*CLI, "declare", str(TINY_STUDY), "--out", str(out / name)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    results = [(proc.wait(timeout=400), proc.stderr.read()) for proc in runs]
    for code, stderr in results:
        assert code == 0, stderr
        assert "Traceback" not in stderr
    return data, climate(out / "a"), climate(out / "b")


def test_two_first_runs_at_once_both_succeed_with_identical_results(built):
    _, first, second = built
    assert first == second


def declare_again(data: Path, tmp_path: Path, name: str = "again") -> subprocess.CompletedProcess:
    return run(data, "declare", str(TINY_STUDY), "--out", str(tmp_path / name))


def the_prepared_cache(data: Path) -> Path:
    files = sorted((data / "prepared").glob("*.npz"))
    assert len(files) == 1
    return files[0]


@pytest.mark.parametrize("damage", ["truncated", "zero bytes", "one bit flipped"])
def test_a_damaged_prepared_cache_is_detected_and_rebuilt(built, tmp_path, damage):
    data, expected, _ = built
    cache = the_prepared_cache(data)
    blob = cache.read_bytes()
    if damage == "truncated":
        cache.write_bytes(blob[: len(blob) // 2])
    elif damage == "zero bytes":
        cache.write_bytes(b"")
    else:
        flipped = bytearray(blob)
        flipped[len(flipped) // 2] ^= 0x10
        cache.write_bytes(bytes(flipped))
    done = declare_again(data, tmp_path)
    assert done.returncode == 0, done.stderr
    no_traceback(done)
    assert climate(tmp_path / "again") == expected
    assert same_scores(the_prepared_cache(data), blob)  # rebuilt: the same numbers, bit for bit


def same_scores(cache: Path, original: bytes) -> bool:
    """The cache holds the same arrays as `original` (the zip's timestamps may differ)."""
    import io

    with np.load(cache) as now, np.load(io.BytesIO(original)) as before:
        return all(np.array_equal(now[name], before[name]) for name in ("scores", "activity_ids", "flow_ids", "flow_factors"))


def poison(cache: Path, *, keep_checksum_consistent: bool, data: Path) -> None:
    """Double every score, as a hostile or careless hand would; optionally re-sign it with the key."""
    os.environ["FOOTPRINT_DATA_DIR"] = str(data)
    from footprint.engine.cache import load_prepared, save_prepared

    prepared = load_prepared(cache)
    assert prepared is not None
    prepared.scores = prepared.scores * 2
    if keep_checksum_consistent:
        save_prepared(prepared, cache)  # someone who can read this folder's key
    else:
        with np.load(cache) as arrays:
            contents = {name: arrays[name] for name in arrays.files}
        contents["scores"] = prepared.scores
        with open(cache, "wb") as stream:
            np.savez(stream, **contents)


def test_a_poisoned_prepared_cache_is_detected_and_changes_no_result(built, tmp_path):
    data, expected, _ = built
    cache = the_prepared_cache(data)
    good = cache.read_bytes()
    poison(cache, keep_checksum_consistent=False, data=data)
    done = declare_again(data, tmp_path)
    assert done.returncode == 0 and "discarding" in done.stderr, done.stderr
    assert climate(tmp_path / "again") == expected
    assert same_scores(cache, good)


def test_a_forged_prepared_cache_never_changes_a_verdict(built, tmp_path):
    """Even re-signed with the folder's key, the verifier checks the cache against the background."""
    data, expected, _ = built
    genuine = tmp_path / "genuine"
    assert declare_again(data, tmp_path, "genuine").returncode == 0
    cache = the_prepared_cache(data)
    good = cache.read_bytes()
    poison(cache, keep_checksum_consistent=True, data=data)
    verdict = run(data, "verify", str(genuine), "--study", str(TINY_STUDY))
    assert verdict.returncode == 0 and "REPRODUCED" in verdict.stdout, verdict.stdout + verdict.stderr
    assert "does not match its source" in verdict.stderr
    assert same_scores(cache, good)  # the verifier's run replaced the forgery with the solved background


def the_method_cache(data: Path) -> Path:
    files = sorted((data / "cache").glob("ef31-*.json"))
    assert len(files) == 1
    return files[0]


@pytest.mark.parametrize("damage", ["truncated", "factor edited"])
def test_a_damaged_or_edited_method_cache_is_detected_and_rebuilt(built, tmp_path, damage):
    data, expected, _ = built
    cache = the_method_cache(data)
    text = cache.read_text()
    if damage == "truncated":
        cache.write_text(text[: len(text) // 3])
    else:
        doc = json.loads(text)
        doc["methods"][0]["exchanges"][0]["amount"] *= 1000
        cache.write_text(json.dumps(doc))
    done = declare_again(data, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "method cache" in done.stderr
    assert climate(tmp_path / "again") == expected
    assert json.loads(the_method_cache(data).read_text()) == json.loads(text)


def the_starter_package(data: Path) -> Path:
    files = sorted((data / "brightway").glob("footprint-starter-*/processed/footprint-starter*.zip"))
    assert len(files) == 1
    return files[0]


@pytest.mark.parametrize("damage", ["datapackage truncated", "project database truncated"])
def test_a_damaged_starter_project_is_rebuilt(built, tmp_path, damage):
    data, expected, _ = built
    if damage == "datapackage truncated":
        package = the_starter_package(data)
        package.write_bytes(package.read_bytes()[:100])
    else:
        database = next((data / "brightway").glob("footprint-starter-*/lci/databases.db"))
        database.write_bytes(database.read_bytes()[:512])
    shutil.rmtree(data / "prepared")  # the prepared background must come from the project again
    done = declare_again(data, tmp_path)
    assert done.returncode == 0, done.stderr
    no_traceback(done)
    assert "building it again" in done.stderr
    assert climate(tmp_path / "again") == expected


def read_only_folder(tmp_path: Path) -> Path:
    """A folder nobody can write into here: chmod for a user, a sysfs folder for root."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    for candidate in (Path("/sys/kernel/mm"), Path("/sys/fs")):
        try:
            (candidate / "footprint-probe").mkdir()
        except OSError:
            return candidate
    pytest.skip("no folder here refuses writes to root")


def test_a_data_folder_that_is_a_file_or_below_one_is_one_line(tmp_path):
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    for folder in (a_file, a_file / "below"):
        done = run(folder, "declare", str(TINY_STUDY), "--out", str(tmp_path / "out"))
        assert done.returncode == 2, done.stderr
        no_traceback(done)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) <= 3 and "FOOTPRINT_DATA_DIR" in done.stderr and str(a_file) in done.stderr.replace("\n", "")


def test_a_read_only_data_folder_is_one_line_naming_it(tmp_path):
    folder = read_only_folder(tmp_path)
    done = run(folder, "declare", str(TINY_STUDY), "--out", str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    no_traceback(done)
    assert str(folder) in done.stderr.replace("\n", "") and "FOOTPRINT_DATA_DIR" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_read_only_prepared_folder_works_without_caching(built, tmp_path):
    data, expected, _ = built
    copy = tmp_path / "data"
    shutil.copytree(data, copy, symlinks=True)
    shutil.rmtree(copy / "prepared")
    (copy / "prepared").symlink_to(read_only_folder(tmp_path), target_is_directory=True)
    done = run(copy, "declare", str(TINY_STUDY), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    no_traceback(done)
    assert "without" in done.stderr and "cach" in done.stderr
    assert climate(tmp_path / "out") == expected


def test_a_damaged_user_database_is_one_line_naming_it(built, tmp_path):
    """A user's own Brightway data footprint did not make: it says which and what to do."""
    data, _, _ = built
    copy = tmp_path / "data"
    shutil.copytree(data, copy, symlinks=True)
    project = next((copy / "brightway").glob("footprint-starter-*"))
    name = project.name.rsplit(".", 1)[0]
    package = next(project.glob("processed/footprint-starter*.zip"))
    package.write_bytes(package.read_bytes()[:100])
    study = tmp_path / "study.toml"
    study.write_text(TINY_STUDY.read_text().replace('product_process = "refining"', f'product_process = "refining"\nbackground_project = "{name}"'))
    done = run(copy, "declare", str(study), "--out", str(tmp_path / "out"), "--brightway-dir", str(copy / "brightway"))
    assert done.returncode == 2, done.stderr
    no_traceback(done)
    assert "damaged" in done.stderr and "re-import" in done.stderr
