"""rpm's "new database" (NDB): SUSE's ``/usr/lib/sysimage/rpm/Packages.db`` (SLES 15 SP3+, openSUSE).

Format from rpm ``lib/backend/ndb/rpmpkg.c`` (all integers little-endian):

* A 32-byte header: magic ``RpmP``, format version 0, generation, number of 4 KiB slot pages, next package
  index.
* The slot pages follow, starting right after the header: 16-byte slots (magic ``Slot``, package index,
  block offset, block count). A slot with block offset 0 is free. Blocks are 16 bytes.
* A package's blob at ``block offset x 16``: a 16-byte head (magic ``BlbS``, package index, timestamp, blob
  length), the header blob, zero padding, and a 12-byte tail (Adler-32 of everything before the tail, blob
  length, magic ``BlbE``); ``block count`` is exactly the blocks that need.

Packages are returned in slot order, as go-rpmdb lists them.
"""

from __future__ import annotations

import struct
import zlib

MAGIC = b"RpmP"
SLOT_MAGIC = 0x746F6C53  # "Slot"
BLOB_HEAD_MAGIC = 0x53626C42  # "BlbS"
BLOB_TAIL_MAGIC = 0x45626C42  # "BlbE"
VERSION = 0
HEADER_SIZE = 32
PAGE_SIZE = 4096
SLOT_SIZE = 16
BLOCK_SIZE = 16
BLOB_HEAD_SIZE = 16
BLOB_TAIL_SIZE = 12
MAX_SLOT_PAGES = 2048
"""Half a million packages: far beyond any real system (go-rpmdb uses the same bound)."""
MAX_WARNINGS = 20

_HEADER = struct.Struct("<4sIII")
_SLOT = struct.Struct("<IIII")
_HEAD = struct.Struct("<IIII")
_TAIL = struct.Struct("<III")


class NdbError(ValueError):
    """The file is not an NDB package database this reader can open."""


def read_ndb(data: bytes, *, verify: bool = False) -> tuple[list[tuple[int, bytes]], list[str]]:
    """Every (package index, header blob) of a ``Packages.db``, and what went wrong along the way.

    Each blob's head and tail (magic, package index, length) are always checked. ``verify`` also checks its
    Adler-32 checksum, which rpm itself only does before rewriting a blob, not when reading one (``rpmpkgGet``
    reads with ``verifyadler`` off): it costs a third of the read, and the header parser's own checks catch
    structural damage either way.

    Raises :class:`NdbError` when the file cannot be read at all; a bad slot or blob is a warning and the
    remaining packages are still returned.
    """
    if len(data) < HEADER_SIZE:
        raise NdbError(f"NDB header truncated ({len(data)} bytes)")
    magic, version, _generation, slot_pages = _HEADER.unpack_from(data, 0)
    if magic != MAGIC:
        raise NdbError("not an NDB package database (bad magic)")
    if version != VERSION:
        raise NdbError(f"unsupported NDB version {version}")
    if slot_pages == 0 or slot_pages > MAX_SLOT_PAGES:
        raise NdbError(f"implausible NDB slot page count {slot_pages}")

    warnings: list[str] = []
    slots_end = slot_pages * PAGE_SIZE
    if slots_end > len(data):
        warnings.append(f"NDB truncated: {slot_pages} slot pages need {slots_end} bytes, the file holds {len(data)}")
        slots_end = len(data) - (len(data) - HEADER_SIZE) % SLOT_SIZE
    min_block = slot_pages * PAGE_SIZE // BLOCK_SIZE  # blobs start after the slot pages

    records: list[tuple[int, bytes]] = []
    bad_slots = 0
    past_end = 0
    for pos in range(HEADER_SIZE, slots_end, SLOT_SIZE):
        slot_magic, index, block, blocks = _SLOT.unpack_from(data, pos)
        if slot_magic != SLOT_MAGIC:
            bad_slots += 1
            continue
        if block == 0 or index == 0:
            continue  # a free slot
        if (block + blocks) * BLOCK_SIZE > len(data):
            past_end += 1  # one warning for all of them: the file is truncated
            continue
        problem = _blob_problem(data, index, block, blocks, min_block, verify)
        if problem:
            if len(warnings) < MAX_WARNINGS:
                warnings.append(f"NDB slot {pos // SLOT_SIZE} (package {index}): {problem}; skipped")
            continue
        start = block * BLOCK_SIZE + BLOB_HEAD_SIZE
        length = _HEAD.unpack_from(data, block * BLOCK_SIZE)[3]
        records.append((index, data[start : start + length]))
    if past_end:
        warnings.append(
            f"NDB truncated: the blobs of {past_end} packages run past the end of the file ({len(data)} bytes)"
        )
    if bad_slots:
        warnings.append(f"NDB: {bad_slots} slots without the slot magic were skipped")
    return records, warnings


def _blob_problem(data: bytes, index: int, block: int, blocks: int, min_block: int, verify: bool) -> str:
    """Why the blob a slot points to cannot be used, or ``""`` when it checks out."""
    if block < min_block:
        return f"blob at block {block} overlaps the slot pages"
    start, end = block * BLOCK_SIZE, (block + blocks) * BLOCK_SIZE
    if blocks * BLOCK_SIZE < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE:
        return f"blob of {blocks} blocks is too small"
    head_magic, head_index, _stamp, length = _HEAD.unpack_from(data, start)
    if head_magic != BLOB_HEAD_MAGIC:
        return "blob head magic missing"
    if head_index != index:
        return f"blob belongs to package {head_index}"
    if blocks != (BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE + BLOCK_SIZE - 1) // BLOCK_SIZE:
        return f"blob length {length} does not fit its {blocks} blocks"
    tail = end - BLOB_TAIL_SIZE
    checksum, tail_length, tail_magic = _TAIL.unpack_from(data, tail)
    if tail_magic != BLOB_TAIL_MAGIC or tail_length != length:
        return "blob tail damaged"
    if verify and zlib.adler32(memoryview(data)[start:tail]) != checksum:
        return "blob checksum (Adler-32) mismatch"
    return ""
