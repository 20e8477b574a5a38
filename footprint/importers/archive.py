"""Reading a source package (a zip file or a folder) within bounds, before any parser sees it.

A database export is thousands of files. A truncated download, a zip of the wrong thing or a
zip bomb must end in a clear error naming the file and the member, never in an exhausted
machine or a half-written database: sizes are checked from the archive directory first and
again while reading (a directory can lie), and XML is parsed without entities or network.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import FootprintInputError
from ..files import decode_text, parse_json_text

# No real export comes near these bounds (the USLCI JSON-LD unpacks to 45 MB in 6,500 files;
# an ecoinvent ecoSpold2 release to a few GB in ~25,000): they stop a hostile or broken file.
MAX_UNPACKED_BYTES = 8 * 1024**3
MAX_MEMBER_BYTES = 1024**3
MAX_MEMBERS = 1_000_000
# Text formats compress 5-30 times; a ratio far beyond that is a zip bomb, not an export.
MAX_COMPRESSION_RATIO = 1000
RATIO_CHECK_FROM_BYTES = 1024**2
# A single XML data set may be given on its own instead of in a zip or folder.
SINGLE_FILE_SUFFIXES = (".spold", ".xml")


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int = MAX_UNPACKED_BYTES
    member_bytes: int = MAX_MEMBER_BYTES
    members: int = MAX_MEMBERS


class SourcePackage:
    """The files of one source: a zip archive or a folder, members named with '/'."""

    def __init__(self, path: Path | str, *, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or Limits()
        self._zip: zipfile.ZipFile | None = None
        self._sizes: dict[str, int] = {}
        self._single = False
        if not self.path.exists():
            raise FootprintInputError("source not found", file=self.path)
        if self.path.is_dir():
            self._index_folder()
        elif self.path.suffix.lower() in SINGLE_FILE_SUFFIXES:
            self._single = True
            self._admit(self.path.name, self.path.stat().st_size)
        else:
            self._index_zip()

    # -- indexing ------------------------------------------------------------------------------

    def _index_folder(self) -> None:
        total = 0
        for file in sorted(self.path.rglob("*")):
            if not file.is_file():
                continue
            name = file.relative_to(self.path).as_posix()
            size = file.stat().st_size
            self._admit(name, size)
            total += size
            self._check_total(total)

    def _index_zip(self) -> None:
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except zipfile.BadZipFile as exc:
            raise FootprintInputError(f"not a readable zip archive (truncated, corrupt or another format): {exc}", file=self.path) from None
        except OSError as exc:
            raise FootprintInputError(f"cannot read the archive: {exc.strerror or exc}", file=self.path) from None
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            name = info.filename
            parts = PurePosixPath(name).parts
            if name.startswith("/") or ".." in parts:
                raise FootprintInputError("archive member with an unsafe path", file=f"{self.path}!{name}")
            if info.file_size > RATIO_CHECK_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
                raise FootprintInputError(
                    f"archive member unpacks {info.file_size / max(info.compress_size, 1):,.0f} times its packed size "
                    f"(at most {MAX_COMPRESSION_RATIO} accepted): a zip bomb, not an export",
                    file=f"{self.path}!{name}",
                )
            self._admit(name, info.file_size)
            total += info.file_size
            self._check_total(total)

    def _admit(self, name: str, size: int) -> None:
        if len(self._sizes) >= self.limits.members:
            raise FootprintInputError(f"the source holds more than {self.limits.members:,} files", file=self.path)
        if size > self.limits.member_bytes:
            raise FootprintInputError(
                f"member is {size:,} bytes unpacked; the limit is {self.limits.member_bytes:,}", file=f"{self.path}!{name}"
            )
        self._sizes[name] = size

    def _check_total(self, total: int) -> None:
        if total > self.limits.unpacked_bytes:
            raise FootprintInputError(
                f"the source unpacks to more than {self.limits.unpacked_bytes:,} bytes (the limit): refused before reading",
                file=self.path,
            )

    # -- reading -------------------------------------------------------------------------------

    def names(self) -> list[str]:
        return list(self._sizes)

    def label(self, name: str) -> str:
        """How errors name a member: `archive.zip!folder/file.json` or the file's path."""
        if self._single:
            return str(self.path)
        return f"{self.path}!{name}" if self._zip is not None else str(self.path / name)

    def read(self, name: str) -> bytes:
        """A member's bytes, reading no more than its admitted size (a lying directory is caught)."""
        if name not in self._sizes:
            raise FootprintInputError("no such member in the source", file=self.label(name))
        limit = self._sizes[name]
        try:
            if self._zip is not None:
                with self._zip.open(name) as stream:
                    data = stream.read(limit + 1)
            else:
                with open(self.path if self._single else self.path / name, "rb") as stream:
                    data = stream.read(limit + 1)
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise FootprintInputError(f"corrupt archive member: {exc}", file=self.label(name)) from None
        except OSError as exc:
            raise FootprintInputError(f"cannot read: {exc.strerror or exc}", file=self.label(name)) from None
        if len(data) > limit:
            raise FootprintInputError("member is larger than the archive directory says: refused", file=self.label(name))
        return data

    def text(self, name: str, encoding: str = "utf-8") -> str:
        data = self.read(name)
        if encoding == "utf-8":
            return decode_text(data.removeprefix(b"\xef\xbb\xbf"), path=self.label(name), what="file")
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise FootprintInputError(f"not {encoding} text (byte {exc.start})", file=self.label(name)) from None

    def json(self, name: str) -> Any:
        return parse_json_text(self.text(name), path=self.label(name), what="JSON file")

    def xml(self, name: str) -> Any:
        return parse_xml(self.read(name), label=self.label(name))

    def iter_names(self, folder: str, suffix: str) -> Iterator[str]:
        """Members under any folder named `folder` (at any depth) ending in `suffix`, sorted."""
        for name in sorted(self._sizes):
            parts = PurePosixPath(name).parts
            if len(parts) >= 2 and parts[-2] == folder and name.lower().endswith(suffix):
                yield name

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> "SourcePackage":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parse_xml(data: bytes, *, label: str) -> Any:
    """Parse XML without entity expansion, DTDs or network access; errors name file and line."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FootprintInputError(f"not well-formed XML (line {exc.lineno}): {exc.msg}", file=label) from None
    if root is None:
        raise FootprintInputError("empty XML document", file=label)
    return root
