"""Where footprint finds its shipped data and keeps its Brightway project and caches.

The data folders (`methods/`, `inventories/`, `classes/`) sit at the top of the source tree;
an installed wheel carries them as `footprint/_data/<folder>`. This module is the one place
that knows both layouts, checks that the per-user data folder is usable, and serialises work
that two processes must not do at once (`exclusive`).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import FootprintInputError

_PACKAGE_DIR = Path(__file__).resolve().parent

ENV_DATA_DIR = "FOOTPRINT_DATA_DIR"
LOCK_TIMEOUT_SECONDS = 600

logger = logging.getLogger(__name__)


def shipped(folder: str) -> Path:
    """Return the shipped data folder `methods`, `inventories` or `classes`."""
    for candidate in (_PACKAGE_DIR / "_data" / folder, _PACKAGE_DIR.parent / folder):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"footprint's shipped data folder {folder!r} is missing from the installation")


def _usable_folder(path: Path, what: str) -> Path:
    """Create `path` if needed; refuse, in one line naming it and the fix, a folder that cannot be used."""
    fix = f"set {ENV_DATA_DIR} to a folder you can write"
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.is_dir():
            raise FootprintInputError(f"{what} {path} lies below a file ({parent}); {fix}", file=path)
        if parent.exists():
            break
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FootprintInputError(f"cannot create {what} {path}: {exc.strerror or exc}; {fix}", file=path) from None
    if not os.access(path, os.R_OK | os.X_OK):
        raise FootprintInputError(f"cannot read {what} {path} (permission denied); {fix}", file=path)
    return path


def user_data_dir() -> Path:
    """Per-user folder for footprint's own Brightway project and caches.

    Set FOOTPRINT_DATA_DIR to move it. It is never the user's own Brightway directory, so
    footprint cannot write into their other projects.
    """
    configured = os.environ.get(ENV_DATA_DIR)
    if configured is not None and not configured.strip():
        raise FootprintInputError(f"{ENV_DATA_DIR} is set but empty; name a folder or unset it", field=ENV_DATA_DIR)
    if configured:
        path = Path(configured).expanduser()
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("footprint", appauthor=False))
    return _usable_folder(path, "footprint's data folder")


def data_subdir(name: str) -> Path:
    """A folder inside the data folder (prepared/, cache/, brightway/...), created if needed."""
    return _usable_folder(user_data_dir() / name, f"footprint's {name} folder")


CACHE_KEY_FILE = "cache.key"


def cache_key() -> bytes:
    """This data folder's secret key for the checksums of its caches (made once, mode 0600).

    A cache file written by footprint carries a keyed checksum (HMAC-SHA256): a file edited or
    replaced by anyone who cannot read this key is detected, however well-formed it is. (A
    verifier's run checks the caches against their sources besides.)
    """
    path = user_data_dir() / CACHE_KEY_FILE
    for _ in range(2):
        try:
            return path.read_bytes()
        except FileNotFoundError:
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first: read theirs
                continue
            except OSError as exc:
                raise FootprintInputError(f"cannot create footprint's cache key: {exc.strerror or exc}", file=path) from None
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(os.urandom(32))
        except OSError as exc:
            raise FootprintInputError(f"cannot read footprint's cache key: {exc.strerror or exc}", file=path) from None
    return path.read_bytes()


def writable(path: Path) -> bool:
    return os.access(path, os.W_OK | os.X_OK)


@contextlib.contextmanager
def exclusive(target: Path) -> Iterator[None]:
    """Hold an inter-process lock on `target` (a file lock beside it) while building it.

    Two first runs at once then take turns instead of writing the same files together. Where
    the folder cannot hold a lock file (read-only), the work goes on unlocked: nothing will
    be written there either.
    """
    from filelock import FileLock, Timeout

    lock_path = target.with_name(f".{target.name}.lock")
    if not writable(lock_path.parent):
        yield
        return
    lock = FileLock(str(lock_path), timeout=LOCK_TIMEOUT_SECONDS)
    try:
        lock.acquire()
    except Timeout:
        raise FootprintInputError(
            f"another footprint process has held the lock for over {LOCK_TIMEOUT_SECONDS} s; if none runs, delete {lock_path}",
            file=lock_path,
        ) from None
    except OSError as exc:
        logger.warning("working without a lock on %s (%s)", target, exc)
        yield
        return
    try:
        yield
    finally:
        lock.release()
