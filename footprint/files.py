"""Files footprint reads and writes: bounded reading, canonical JSON, hashes, atomic writes.

The one home of each of these concepts. Every file a user hands footprint is read through
`read_toml` / `read_json`, which bound its size and nesting depth *before* a parser sees it
(a few hundred kilobytes of nested brackets or dotted keys otherwise end in a RecursionError
or gigabytes of memory inside `tomllib`). Every file footprint writes goes through
`write_atomically` (or `output_set` for a set of files), so a failure never leaves half of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .errors import FootprintInputError

# Bounds on what a user's file may be. No real study, declaration or class table comes near
# them (the largest shipped study is 25 KB and nests 4 deep); they exist so that a hostile or
# broken file is refused with a reason instead of exhausting the machine.
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_NESTING = 32


# --- canonical JSON and hashes --------------------------------------------------------------


def canonical_json(data: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8, no NaN (every digest uses it)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of(data: Any) -> str:
    """sha256 of the canonical JSON of a JSON-able value."""
    return sha256_hex(canonical_json(data))


def sha256_of_model(model: BaseModel, **dump: Any) -> str:
    """sha256 of the canonical JSON of a pydantic model as it dumps to JSON."""
    return sha256_of(model.model_dump(mode="json", **dump))


def sha256_parts(parts: Iterable[bytes]) -> str:
    """sha256 of byte strings fed one after another (as one stream)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def keyed_sha256(key: bytes, parts: Iterable[bytes]) -> str:
    """HMAC-SHA256 of byte strings fed one after another: a checksum only the key's holder can forge."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part)
    return mac.hexdigest()


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- bounded reading ------------------------------------------------------------------------


def read_bytes_bounded(path: Path | str, *, what: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing a missing, unreadable or oversized file with its name."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise FootprintInputError(f"the {what} is a folder, not a file", file=path)
        if size > max_bytes:
            raise FootprintInputError(f"the {what} is {size:,} bytes; the limit is {max_bytes:,}", file=path)
        with open(path, "rb") as stream:
            data = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise FootprintInputError(f"cannot read {what}: not found", file=path) from None
    except OSError as exc:
        raise FootprintInputError(f"cannot read {what}: {exc.strerror or exc}", file=path) from None
    if len(data) > max_bytes:
        raise FootprintInputError(f"the {what} is over the limit of {max_bytes:,} bytes", file=path)
    return data


def decode_text(data: bytes, *, path: Path | str, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FootprintInputError(f"the {what} is not UTF-8 text (byte {exc.start})", file=path) from None


# The tokens the nesting scan looks at: strings and comments (skipped whole) and the characters
# that open, close or extend a level. Everything else is skipped by the regex engine.
_TOML_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}.=,\n]',
    re.S,
)


def toml_nesting(text: str) -> int:
    """The deepest nesting of a TOML text: tables, dotted-key parts, arrays and inline tables.

    A scan that skips strings and comments and keeps the depth of every open container (its
    parent's depth, plus the parts of the dotted key it is the value of); it does not validate
    (the parser does that after).
    """
    deepest = 0
    levels: list[int] = []  # depth of each open array or inline table
    kinds: list[str] = []  # "[" or "{"
    base = 0  # depth of the current [table]
    key_mode, key_dots, header = True, 0, False
    pending: int | None = None  # depth of the value after "key ="
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        current = levels[-1] if levels else base
        if len(token) > 1 or token in "\"'#":  # a string or a comment: a value, not a level
            pending = None if not key_mode else pending
            continue
        if token == "\n":
            if not levels or header:
                if header:
                    base = key_dots + 1
                key_mode, key_dots, header, pending = True, 0, False, None
        elif key_mode and not levels and token == "[" and not header:
            header, key_dots = True, 0
        elif header and token in "[]":  # [table] and [[array of tables]] brackets are the header's own
            pass
        elif token == ".":
            if key_mode or header:
                key_dots += 1
                deepest = max(deepest, current + key_dots)
        elif token == "=":
            if key_mode:
                pending = current + key_dots + 1
                key_mode, key_dots = False, 0
        elif token in "[{":
            depth = pending if pending is not None else current + 1
            levels.append(depth)
            kinds.append(token)
            pending = None
            key_mode, key_dots = token == "{", 0
        elif token in "]}":
            if levels:
                levels.pop()
                kinds.pop()
            key_mode, pending = False, None
        elif token == "," and kinds and kinds[-1] == "{":
            key_mode, key_dots = True, 0
        deepest = max(deepest, current, levels[-1] if levels else 0, pending or 0)
    return deepest


# A JSON string (unrolled so that a long one is matched without backtracking), and the
# four bracket characters: a text reduced to its brackets, strings removed.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def json_nesting(text: str) -> int:
    """The deepest nesting of brackets and braces in a JSON text, strings skipped.

    The regular expressions run in C; the Python loop sees brackets only (a byte-by-byte loop
    took 0.4 s on the EF 3.1 factor cache every start).
    """
    outside_strings = _JSON_STRING.sub("", text)
    unterminated = outside_strings.find('"')
    if unterminated >= 0:  # an unterminated string runs to the end of the text
        outside_strings = outside_strings[:unterminated]
    brackets = _NOT_A_BRACKET.sub("", outside_strings)
    deepest = depth = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def _check_nesting(depth: int, *, path: Path | str, what: str, max_nesting: int) -> None:
    if depth > max_nesting:
        raise FootprintInputError(f"the {what} nests {depth} levels deep; the limit is {max_nesting}", file=path)


def parse_toml_text(text: str, *, path: Path | str, what: str, max_nesting: int = MAX_NESTING) -> dict[str, Any]:
    _check_nesting(toml_nesting(text), path=path, what=what, max_nesting=max_nesting)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FootprintInputError(f"not valid TOML: {exc}", file=path) from None
    except RecursionError:  # pragma: no cover - the nesting bound comes first
        raise FootprintInputError(f"the {what} nests too deep to read", file=path) from None


def parse_json_text(text: str, *, path: Path | str, what: str, max_nesting: int = MAX_NESTING) -> Any:
    _check_nesting(json_nesting(text), path=path, what=what, max_nesting=max_nesting)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FootprintInputError(f"not valid JSON: {exc}", file=path) from None
    except RecursionError:  # pragma: no cover - the nesting bound comes first
        raise FootprintInputError(f"the {what} nests too deep to read", file=path) from None


def read_toml(path: Path | str, *, what: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[dict[str, Any], bytes]:
    """Parse a user's TOML file within the size and depth bounds; returns (data, raw bytes)."""
    data = read_bytes_bounded(path, what=what, max_bytes=max_bytes)
    return parse_toml_text(decode_text(data, path=path, what=what), path=path, what=what), data


def read_json(path: Path | str, *, what: str, max_bytes: int = MAX_FILE_BYTES) -> tuple[Any, bytes]:
    """Parse a user's JSON file within the size and depth bounds; returns (data, raw bytes)."""
    data = read_bytes_bounded(path, what=what, max_bytes=max_bytes)
    return parse_json_text(decode_text(data, path=path, what=what), path=path, what=what), data


# --- atomic writes --------------------------------------------------------------------------


def write_bytes_atomically(path: Path | str, data: bytes, *, private: bool = False) -> None:
    """Write a file so that a failure never leaves half of it behind (temp file, then rename).

    `private` keeps the temporary file's owner-only mode (0600) from its creation on: for
    secrets such as a signing key, which must never be readable by others, not even briefly.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise FootprintInputError(f"cannot write here: {exc.strerror or exc}", file=path) from None
    try:
        # mkstemp creates 0600; footprint's outputs are ordinary files, so use the umask's mode.
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise FootprintInputError(f"cannot write here: {exc.strerror or exc}", file=path) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def discard_file(path: Path | str) -> None:
    """Remove a damaged derived file (a cache); where its folder is read-only it stays, untrusted."""
    try:
        Path(path).unlink(missing_ok=True)
    except OSError:
        pass


def write_atomically(path: Path | str, text: str) -> None:
    write_bytes_atomically(path, text.encode("utf-8"))


def write_json(path: Path | str, model: BaseModel) -> None:
    write_atomically(path, json.dumps(model.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")


def check_output_path(path: Path | str | None, *, field: str = "--out") -> Path:
    """Refuse an empty output path (`--out ""` would mean the current folder without saying so)."""
    if path is None or not str(path).strip():
        raise FootprintInputError("the output path is empty; name a file or folder", field=field)
    return Path(path)


@contextlib.contextmanager
def output_set(target: Path, *, names: tuple[str, ...], force: bool = False) -> Iterator[Path]:
    """Stage a set of output files in a temporary folder, then move them into `target` together.

    A failure while writing leaves `target` as it was. Files of the set that this run did not
    write (an old study.pdf) are removed, so a folder never mixes two runs. Existing files of
    the set are only replaced with `force`.
    """
    target = check_output_path(target)
    if target.exists() and not target.is_dir():
        raise FootprintInputError("the output folder is a file", file=target, field="--out")
    for name in names:
        if (target / name).is_dir():
            raise FootprintInputError(f"the output {name} is a folder", file=target / name, field="--out")
    existing = [name for name in names if (target / name).exists()]
    if existing and not force:
        raise FootprintInputError(
            f"the folder already holds {', '.join(existing)} of a declaration; pass --force to replace them",
            file=target / existing[0],
            field="--out",
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target, prefix=".footprint-staging-"))
    except OSError as exc:
        raise FootprintInputError(f"cannot write here: {exc.strerror or exc}", file=target, field="--out") from None
    try:
        yield staging
        _swap_in(staging, target, names)
    except OSError as exc:
        raise FootprintInputError(f"cannot write here: {exc.strerror or exc}; the folder is as it was", file=target, field="--out") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, target: Path, names: tuple[str, ...]) -> None:
    """Move the staged set into `target`, the old set aside first; on any failure, put the old set back."""
    previous = staging / ".previous"
    previous.mkdir()
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        for name in names:
            if (target / name).exists():
                os.replace(target / name, previous / name)
                moved_out.append(name)
        for name in names:
            if (staging / name).exists():
                os.replace(staging / name, target / name)
                moved_in.append(name)
    except OSError:
        for name in moved_in:
            (target / name).unlink(missing_ok=True)
        for name in moved_out:
            os.replace(previous / name, target / name)
        raise
