"""rpm's SQLite database: ``rpmdb.sqlite`` (Fedora 33+, RHEL 9, CBL-Mariner/Azure Linux, Amazon Linux 2023).

The header blobs are the rows of ``Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`` (rpm
``lib/backend/sqlite.c``); the other tables are indexes rpm can rebuild.

The database arrives as bytes and is read from memory (``sqlite3`` ``deserialize``, which takes its own copy):
nothing is written to disk, no ``-wal``/``-shm`` files appear anywhere. rpm keeps its database in WAL mode,
which an in-memory database can only open without shared memory, that is in exclusive locking mode
(https://www.sqlite.org/wal.html#noshm). A ``-wal`` file left beside the database is not read: rpm checkpoints
it when it closes the database.

A hostile file cannot hang the reader: the schema must declare ``Packages`` as a table (not a view that could
compute anything), and a progress handler stops any statement after a fixed number of virtual machine steps.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Callable

MAGIC = b"SQLite format 3\x00"
MAX_VM_STEPS = 20_000_000
"""Virtual machine steps one read may take: reading a row costs about 7 (911 for the 129-row fixture)."""
_PROGRESS_INTERVAL = 10_000
MAX_PADDED_SIZE = 1 << 30
"""A truncated file is padded back to its declared size only up to this (and 16x its real size + 64 MiB)."""
MAX_PROBES = 100_000
"""After damage, row numbers probed one by one: far more than any real rpm database holds."""


class SqliteError(ValueError):
    """The file is not an rpm SQLite database this reader can open."""


def _step_limit() -> Callable[[], int]:
    steps = 0

    def progress() -> int:
        nonlocal steps
        steps += _PROGRESS_INTERVAL
        return 1 if steps > MAX_VM_STEPS else 0  # non-zero aborts the statement

    return progress


def _image(data: bytes, warnings: list[str]) -> bytes | bytearray:
    """The bytes to open: ``data`` itself, or for a truncated file a copy padded back to the size its header
    declares (when that is believable), so the pages that survived can be reached and only the lost ones fail."""
    page_size = struct.unpack_from(">H", data, 16)[0]
    page_size = 65536 if page_size == 1 else page_size
    pages, change_counter, valid_for = (struct.unpack_from(">I", data, off)[0] for off in (28, 24, 92))
    declared = pages * page_size
    if change_counter == valid_for and len(data) < declared <= min(MAX_PADDED_SIZE, 16 * len(data) + (64 << 20)):
        warnings.append(f"SQLite truncated: the header declares {declared} bytes, the file holds {len(data)}")
        image = bytearray(data)
        image.extend(bytes(declared - len(data)))
        return image
    return data


def _rows(conn: sqlite3.Connection, records: list[tuple[int, bytes]], warnings: list[str]) -> None:
    """Read every row into ``records``; after damage, probe the remaining row numbers one by one."""
    bad = 0

    def keep(hnum: object, blob: object) -> None:
        nonlocal bad
        if isinstance(hnum, int) and isinstance(blob, bytes):
            records.append((hnum, blob))
        else:
            bad += 1

    try:
        for hnum, blob in conn.execute("SELECT hnum, blob FROM Packages ORDER BY hnum"):
            keep(hnum, blob)
    except sqlite3.Error as exc:
        last = records[-1][0] if records else 0
        if "interrupt" in str(exc):  # the progress handler's step limit
            warnings.append(f"SQLite: read abandoned after row {last}: it took more steps than any rpm database needs")
            return
        warnings.append(f"SQLite: reading Packages failed after row {last}: {exc}")
        # rpm's Packages table is AUTOINCREMENT: sqlite_sequence knows the highest row number ever used.
        try:
            found = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'Packages'").fetchone()
        except sqlite3.Error:
            found = None
        highest = found[0] if found and isinstance(found[0], int) else last
        lost = 0
        for hnum in range(last + 1, min(highest, last + MAX_PROBES) + 1):
            try:
                row = conn.execute("SELECT hnum, blob FROM Packages WHERE hnum = ?", (hnum,)).fetchone()
            except sqlite3.Error:
                lost += 1
                continue
            if row is not None:
                keep(*row)
        if lost:
            warnings.append(f"SQLite: {lost} Packages rows are unreadable (damaged or truncated database)")
    if bad:
        warnings.append(f"SQLite: {bad} Packages rows without an integer hnum and a blob were skipped")


def read_sqlite(data: bytes) -> tuple[list[tuple[int, bytes]], list[str]]:
    """Every (hnum, header blob) of an ``rpmdb.sqlite``, and what went wrong along the way.

    Raises :class:`SqliteError` when the database cannot be opened or has no ``Packages`` table; damage
    part-way through the rows is a warning and the rows that could be read are returned.
    """
    if not data.startswith(MAGIC):
        raise SqliteError("not an SQLite database (bad magic)")
    if len(data) < 100:
        raise SqliteError(f"SQLite header truncated ({len(data)} bytes)")
    records: list[tuple[int, bytes]] = []
    warnings: list[str] = []
    image = _image(data, warnings)
    conn = sqlite3.connect(":memory:")
    try:
        conn.set_progress_handler(_step_limit(), _PROGRESS_INTERVAL)
        try:
            conn.deserialize(image)
            conn.execute("PRAGMA main.locking_mode = EXCLUSIVE")  # WAL without shared memory
            conn.execute("PRAGMA query_only = ON")
            conn.execute("PRAGMA trusted_schema = OFF")
            kind = conn.execute("SELECT type FROM sqlite_master WHERE name = 'Packages'").fetchone()
        except sqlite3.Error as exc:
            raise SqliteError(f"SQLite database cannot be read: {exc}") from None
        if kind is None:
            raise SqliteError("SQLite database has no Packages table (not an rpm database)")
        if kind[0] != "table":
            raise SqliteError(f"SQLite database: Packages is a {kind[0]}, not a table")
        _rows(conn, records, warnings)
    finally:
        conn.close()
    return records, warnings
