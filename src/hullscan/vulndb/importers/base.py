"""The one interface every importer implements, and the helpers they share.

An importer is a pure parser: ``iter_records(data, path)`` turns the bytes of one feed file (or a stream, for
the large XML feeds) into records; it never opens files or sockets. ``wants(path)`` says which members of a
directory or bundle it reads. The update driver (:mod:`hullscan.vulndb.update`) walks directories and tar
bundles, feeds the wanted files in, and hands the records to the store writer. A file an importer cannot read
raises (``RecordError``, ``ValueError``, ``KeyError``, ``TypeError``, a JSON/YAML/XML error): the driver turns
that into a warning naming the file and goes on.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, BinaryIO, Protocol

import yaml

from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.model import Record

Data = bytes | BinaryIO
"""What an importer reads: the file's bytes, or a binary stream (compressed or not)."""


class Importer(Protocol):
    name: str
    """Stable plugin name (``osv``, ``alpine-secdb``), shown in warnings."""
    version: int
    """Bumped when the importer's output changes for the same input."""

    def wants(self, path: str) -> bool:
        """Whether the file at ``path`` (relative, ``/``-separated) inside a directory or bundle is read."""
        ...

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        """Parse one file. ``path`` names it in messages and may carry meaning (a release directory)."""
        ...


_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def open_stream(data: Data) -> BinaryIO:
    """A readable stream of the data, transparently decompressed (gzip, bzip2, xz, zstd by magic bytes)."""
    raw: BinaryIO = io.BytesIO(data) if isinstance(data, bytes) else data
    head = raw.read(4) if not isinstance(raw, io.BytesIO) else raw.getbuffer()[:4].tobytes()
    if not isinstance(raw, io.BytesIO):
        raw = io.BufferedReader(_Prefixed(head, raw))
    if head[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if head[:3] == b"BZh":
        return bz2.BZ2File(raw)  # type: ignore[return-value]
    if head[:4] == b"\xfd7zX":
        return lzma.LZMAFile(raw)  # type: ignore[return-value]
    if head == _ZSTD_MAGIC:
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(raw)
    return raw


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read to sniff the format."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        chunk = self._rest.read(len(view))
        view[: len(chunk)] = chunk
        return len(chunk)


def read_bytes(data: Data) -> bytes:
    stream = open_stream(data)
    if isinstance(stream, io.BytesIO):
        return stream.getvalue()
    return stream.read()


def load_json(data: Data) -> Any:
    return json.loads(read_bytes(data))


_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(data: Data) -> Any:
    return yaml.load(read_bytes(data), Loader=_Loader)  # noqa: S506 - a safe loader (C or Python)


def as_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"{what}: expected a mapping, got {type(value).__name__}")
    return value


def text(value: Any) -> str:
    """A field as text: ``None`` is empty, YAML's dates and numbers become strings."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value.tzinfo is None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def str_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int | float):
        return (str(value).strip(),) if str(value).strip() else ()
    if not isinstance(value, list):
        raise RecordError(f"expected a list, got {type(value).__name__}")
    return tuple(text(v) for v in value if text(v))
