"""BerkeleyDB hash databases: rpm's classic ``/var/lib/rpm/Packages`` (RHEL/CentOS <= 8, Amazon Linux 2, SLES 12).

Read without libdb, the way rpm's own read-only backend does (``lib/backend/bdb_ro.c``); page layouts from
BerkeleyDB's ``dbinc/db_page.h``. Everything is in the byte order of the machine that wrote the database: the
hash magic tells which.

* Page 0 is the metadata page: magic (offset 12), version (16), page size (20), encryption (24), last page
  number (32), highest bucket (72) and the ``spares`` table (96, 32 x u32) that maps a bucket to its page:
  ``page = bucket + spares[bit_length(bucket)]``.
* Every other page starts with a 26-byte header: page number (8), next page (16), entry count (20),
  high free offset (22), page type (25). Hash pages (type 13, or 2 for the unsorted pages of BerkeleyDB < 4.6)
  hold an array of u16 item offsets after the header; items alternate key, value. A bucket continues on the
  page its header's "next page" names.
* An item starts with its type: 1 = data on the page (length from the neighbouring offsets), 3 = off-page: the
  value lives in a chain of overflow pages (type 7) whose high free offset is the bytes used on that page.

For ``Packages`` the key is the header number (4 bytes, database byte order; record 0 holds rpm's instance
counter, not a package) and the value is a header blob.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

HASH_MAGIC = 0x00061561
BTREE_MAGIC = 0x00053162
VALID_PAGE_SIZES = frozenset(1 << n for n in range(9, 17))  # 512 .. 65536

PAGE_HEADER_SIZE = 26
PAGE_HASH_UNSORTED = 2
PAGE_OVERFLOW = 7
PAGE_HASH = 13
ITEM_KEYDATA = 1
ITEM_OFFPAGE = 3


# Per byte order: page header (page number, previous, next, entry count, high free offset, type) and a u32.
_PAGE_HEADER = {order: struct.Struct(order + "8xIIIHHxB") for order in "<>"}
_U32 = {order: struct.Struct(order + "I") for order in "<>"}


class BdbError(ValueError):
    """The file is not a BerkeleyDB hash database this reader can open."""


def byte_order(data: bytes) -> str | None:
    """``"<"`` or ``">"`` when ``data`` starts with a BerkeleyDB hash metadata page, else ``None``."""
    if len(data) < 16:
        return None
    if struct.unpack_from("<I", data, 12)[0] == HASH_MAGIC:
        return "<"
    if struct.unpack_from(">I", data, 12)[0] == HASH_MAGIC:
        return ">"
    return None


def is_btree(data: bytes) -> bool:
    return len(data) >= 16 and BTREE_MAGIC in (
        struct.unpack_from("<I", data, 12)[0],
        struct.unpack_from(">I", data, 12)[0],
    )


class _HashDb:
    def __init__(self, data: bytes, warnings: list[str]) -> None:
        order = byte_order(data)
        if order is None:
            raise BdbError("not a BerkeleyDB hash database (bad magic)")
        if len(data) < 512:
            raise BdbError(f"BerkeleyDB metadata page truncated ({len(data)} bytes)")
        self.data = data
        self.warnings = warnings
        self.order = order
        version, page_size = struct.unpack_from(order + "II", data, 16)
        if not 8 <= version <= 10:
            raise BdbError(f"unsupported BerkeleyDB hash version {version}")
        if page_size not in VALID_PAGE_SIZES:
            raise BdbError(f"invalid BerkeleyDB page size {page_size}")
        if data[24] != 0:
            raise BdbError("encrypted BerkeleyDB databases are not supported")
        self.page_size = page_size
        self.last_page = struct.unpack_from(order + "I", data, 32)[0]
        self.max_bucket = struct.unpack_from(order + "I", data, 72)[0]
        self.spares = struct.unpack_from(order + "32I", data, 96)
        self.pages_present = len(data) // page_size
        if self.pages_present <= self.last_page:
            warnings.append(
                f"BerkeleyDB truncated: metadata names {self.last_page + 1} pages of {page_size} bytes, "
                f"the file holds {len(data)} bytes ({self.pages_present} whole pages)"
            )
        if self.max_bucket > self.last_page:
            raise BdbError(f"BerkeleyDB metadata: {self.max_bucket + 1} buckets but {self.last_page + 1} pages")
        self.header = _PAGE_HEADER[order]
        self.u32 = _U32[order]
        self.missing_pages = 0

    def page(self, pgno: int) -> tuple[memoryview, int, int, int, int] | None:
        """(page bytes, next page, entries, high free offset, type), or ``None`` for a page that is not there."""
        if pgno == 0 or pgno > self.last_page or pgno >= self.pages_present:
            self.missing_pages += 1
            return None
        start = pgno * self.page_size
        view = memoryview(self.data)[start : start + self.page_size]
        number, _prev, nxt, entries, hf_offset, kind = self.header.unpack_from(view, 0)
        if number != pgno:
            self.warnings.append(f"BerkeleyDB page {pgno} says it is page {number}; skipped")
            return None
        return view, nxt, entries, hf_offset, kind

    def overflow(self, first: int, length: int, where: str) -> bytes | None:
        """The value stored in the overflow chain starting at page ``first``."""
        if length == 0 or length > len(self.data):
            self.warnings.append(f"{where}: off-page item of {length} bytes is impossible in this file")
            return None
        # The hot loop of a BerkeleyDB read (a header spans a few to a few dozen pages): one struct call per page.
        data, size, header = memoryview(self.data), self.page_size, self.header
        limit = min(self.last_page, self.pages_present - 1)
        chunks: list[memoryview] = []
        remaining, pgno, seen = length, first, set()
        while remaining > 0:
            if pgno in seen:
                self.warnings.append(f"{where}: overflow chain loops at page {pgno}")
                return None
            seen.add(pgno)
            if not 0 < pgno <= limit:
                self.missing_pages += 1
                self.warnings.append(f"{where}: overflow page {pgno} is missing (truncated database?)")
                return None
            start = pgno * size
            number, _prev, nxt, _entries, used, kind = header.unpack_from(data, start)
            if number != pgno or kind != PAGE_OVERFLOW:
                self.warnings.append(f"{where}: page {pgno} is not overflow page {pgno} (type {kind}, number {number})")
                return None
            if used + PAGE_HEADER_SIZE > size or used > remaining:
                self.warnings.append(f"{where}: overflow page {pgno} claims {used} bytes")
                return None
            chunks.append(data[start + PAGE_HEADER_SIZE : start + PAGE_HEADER_SIZE + used])
            remaining -= used
            pgno = nxt
        return b"".join(chunks)

    def item(self, view: memoryview, off: int, length: int, where: str) -> bytes | None:
        if length <= 0 or off + length > self.page_size:
            self.warnings.append(f"{where}: item at offset {off} of length {length} does not fit its page")
            return None
        kind = view[off]
        if kind == ITEM_KEYDATA:
            return bytes(view[off + 1 : off + length])
        if kind == ITEM_OFFPAGE:
            if length != 12:
                self.warnings.append(f"{where}: off-page item of length {length}, expected 12")
                return None
            first, total = struct.unpack_from(self.order + "II", view, off + 4)
            return self.overflow(first, total, where)
        self.warnings.append(f"{where}: unsupported item type {kind}")
        return None

    def records(self) -> Iterator[tuple[int, bytes]]:
        """(header number, value) for every record, bucket by bucket as rpm walks them."""
        visited: set[int] = set()
        for bucket in range(self.max_bucket + 1):
            pgno = bucket + self.spares[bucket.bit_length()]
            while pgno:
                if pgno in visited:
                    self.warnings.append(f"BerkeleyDB bucket {bucket}: page chain loops at page {pgno}")
                    break
                visited.add(pgno)
                got = self.page(pgno)
                if got is None:
                    break
                view, nxt, entries, _used, kind = got
                if kind not in (PAGE_HASH, PAGE_HASH_UNSORTED):
                    self.warnings.append(f"BerkeleyDB bucket {bucket}: page {pgno} is of type {kind}, not hash")
                    break
                yield from self._page_records(view, pgno, entries)
                pgno = nxt

    def _page_records(self, view: memoryview, pgno: int, entries: int) -> Iterator[tuple[int, bytes]]:
        size = self.page_size
        if entries % 2 or PAGE_HEADER_SIZE + 2 * entries > size:
            self.warnings.append(f"BerkeleyDB page {pgno}: invalid entry count {entries}")
            return
        offsets = struct.unpack_from(f"{self.order}{entries}H", view, PAGE_HEADER_SIZE)
        low = PAGE_HEADER_SIZE + 2 * entries
        for i in range(0, entries, 2):
            key_off, value_off = offsets[i], offsets[i + 1]
            key_end = size if i == 0 else offsets[i - 1]
            where = f"BerkeleyDB page {pgno} item {i // 2}"
            if not low <= value_off < key_off < key_end <= size:
                self.warnings.append(f"{where}: item offsets {value_off}/{key_off} out of order or out of page")
                continue
            key = self.item(view, key_off, key_end - key_off, where)
            if key is None:
                continue
            if len(key) != 4:
                self.warnings.append(f"{where}: key of {len(key)} bytes is not a header number")
                continue
            number = self.u32.unpack(key)[0]
            if number == 0:
                continue  # rpm's instance counter
            value = self.item(view, value_off, key_off - value_off, f"{where} (header {number})")
            if value is not None:
                yield number, value


def read_bdb(data: bytes) -> tuple[list[tuple[int, bytes]], list[str]]:
    """Every (header number, header blob) of a BerkeleyDB hash ``Packages`` file, and what went wrong.

    Raises :class:`BdbError` when the file cannot be read at all; damage further in (a truncated file, a bad
    page) is a warning and the records that could be read are returned.
    """
    warnings: list[str] = []
    db = _HashDb(data, warnings)
    records = list(db.records())
    if db.missing_pages:
        warnings.append(
            f"BerkeleyDB: {db.missing_pages} referenced pages are missing (past the last page or the end of file)"
        )
    return records, warnings
