"""Pure-Python readers for the three rpm database formats and the header blobs they hold.

No librpm, no libdb, nothing written to disk: bytes in, headers out.

========================  ===========================================  ==========================
format                    file                                         module
========================  ===========================================  ==========================
BerkeleyDB hash           ``var/lib/rpm/Packages``                     :mod:`.bdb`
NDB                       ``usr/lib/sysimage/rpm/Packages.db``         :mod:`.ndb`
SQLite                    ``var/lib/rpm/rpmdb.sqlite``                 :mod:`.sqlite`
header blob               (every record of the three)                  :mod:`.header`
========================  ===========================================  ==========================

:func:`read_rpmdb` detects the format by its magic and never raises for damage it can work around: it
returns the headers it could read and a warning for each problem (a truncated file, a bad page, a header that
does not parse). Only a file it cannot read at all raises :class:`RpmdbError`.
"""

from __future__ import annotations

from collections.abc import Callable

from hullscan.extract.rpmdb.bdb import BdbError, byte_order, is_btree, read_bdb
from hullscan.extract.rpmdb.header import HeaderError, RpmHeader, parse_header
from hullscan.extract.rpmdb.ndb import MAGIC as NDB_MAGIC
from hullscan.extract.rpmdb.ndb import NdbError, read_ndb
from hullscan.extract.rpmdb.sqlite import MAGIC as SQLITE_MAGIC
from hullscan.extract.rpmdb.sqlite import SqliteError, read_sqlite

__all__ = ["HeaderError", "RpmHeader", "RpmdbError", "detect_format", "parse_header", "read_rpmdb"]

MAX_WARNINGS = 20
"""Warnings kept for one database (and, separately, for its headers); the rest are counted in one line."""

Reader = Callable[[bytes], tuple[list[tuple[int, bytes]], list[str]]]


class RpmdbError(ValueError):
    """The file is not an rpm database, or not one that can be read at all."""


def detect_format(data: bytes) -> str | None:
    """``"sqlite"``, ``"ndb"``, ``"bdb"`` by magic, or ``None`` when ``data`` is none of them."""
    if data.startswith(SQLITE_MAGIC):
        return "sqlite"
    if data.startswith(NDB_MAGIC):
        return "ndb"
    if byte_order(data) is not None:
        return "bdb"
    return None


_READERS: dict[str, Reader] = {"sqlite": read_sqlite, "ndb": read_ndb, "bdb": read_bdb}


def read_records(data: bytes) -> tuple[str, list[tuple[int, bytes]], list[str]]:
    """(format, [(record number, header blob)], warnings) without parsing the blobs."""
    kind = detect_format(data)
    if kind is None:
        if is_btree(data):
            raise RpmdbError("BerkeleyDB btree database: rpm keeps Packages in a hash database; not supported")
        raise RpmdbError(f"not an rpm database (unknown magic {data[:16].hex() or 'in an empty file'})")
    try:
        records, warnings = _READERS[kind](data)
    except (BdbError, NdbError, SqliteError) as exc:
        raise RpmdbError(str(exc)) from None
    if len(warnings) > MAX_WARNINGS:
        warnings[MAX_WARNINGS:] = [f"{len(warnings) - MAX_WARNINGS} more problems"]
    return kind, records, warnings


def read_rpmdb(data: bytes) -> tuple[list[RpmHeader], list[str]]:
    """Every package header in an rpm database, in database order, and a warning for each problem met.

    Raises :class:`RpmdbError` only when the file is not a readable rpm database at all.
    """
    _, records, warnings = read_records(data)
    headers: list[RpmHeader] = []
    failed = 0
    for number, blob in records:
        try:
            headers.append(parse_header(blob))
        except HeaderError as exc:
            failed += 1
            if failed <= MAX_WARNINGS:
                warnings.append(f"header {number}: {exc}")
    if failed > MAX_WARNINGS:
        warnings.append(f"{failed - MAX_WARNINGS} more headers could not be parsed")
    return headers, warnings
