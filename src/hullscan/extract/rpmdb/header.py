"""The rpm header blob, as the package databases store it: an index of tags over one data store.

Layout (rpm ``lib/header.c``, ``hdrblobInit``/``hdrblobImport``; all integers big-endian)::

    il:u32  dl:u32                      number of index entries, bytes in the data store
    il x (tag:i32 type:u32 offset:i32 count:u32)
    dl bytes of data                    strings NUL-terminated, integers aligned to their size

A database blob has no lead and no header intro (the 8 magic bytes of a ``.rpm`` file's header). The first
entry is usually the ``HEADERIMMUTABLE`` region tag; entries after the region ("dribble" entries added at
install time) replace region entries with the same tag, so the *last* entry for a tag wins.

Only the tags an inventory needs are decoded, and each one is checked against the blob before it is read:
type, alignment, offset inside the data store, count against the bytes that remain, strings terminated inside
the store. A hostile blob raises :class:`HeaderError` naming the tag and the problem; nothing is allocated from
a size the blob claims before that size has been checked against the bytes actually present.
"""

from __future__ import annotations

import operator
import struct
import sys
from array import array
from dataclasses import dataclass
from typing import NoReturn

# Tag numbers: rpm lib/rpmtag.h.
TAG_SIGMD5 = 261
TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_EPOCH = 1003
TAG_SUMMARY = 1004
TAG_SIZE = 1009
TAG_VENDOR = 1011
TAG_LICENSE = 1014
TAG_ARCH = 1022
TAG_OLDFILENAMES = 1027
TAG_SOURCERPM = 1044
TAG_DIRINDEXES = 1116
TAG_BASENAMES = 1117
TAG_DIRNAMES = 1118
TAG_LONGSIZE = 5009
TAG_MODULARITYLABEL = 5096

TAG_NAMES: dict[int, str] = {
    TAG_SIGMD5: "SIGMD5",
    TAG_NAME: "NAME",
    TAG_VERSION: "VERSION",
    TAG_RELEASE: "RELEASE",
    TAG_EPOCH: "EPOCH",
    TAG_SUMMARY: "SUMMARY",
    TAG_SIZE: "SIZE",
    TAG_VENDOR: "VENDOR",
    TAG_LICENSE: "LICENSE",
    TAG_ARCH: "ARCH",
    TAG_OLDFILENAMES: "OLDFILENAMES",
    TAG_SOURCERPM: "SOURCERPM",
    TAG_DIRINDEXES: "DIRINDEXES",
    TAG_BASENAMES: "BASENAMES",
    TAG_DIRNAMES: "DIRNAMES",
    TAG_LONGSIZE: "LONGSIZE",
    TAG_MODULARITYLABEL: "MODULARITYLABEL",
}

# Data types: rpm lib/rpmtag.h rpmTagType_e.
TYPE_INT32 = 4
TYPE_INT64 = 5
TYPE_STRING = 6
TYPE_BIN = 7
TYPE_STRING_ARRAY = 8
TYPE_I18NSTRING = 9
_STRING_TYPES = frozenset({TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING})
_ARRAY_TYPES = frozenset({TYPE_STRING_ARRAY, TYPE_I18NSTRING})
_INT32 = frozenset({TYPE_INT32})
_INT64 = frozenset({TYPE_INT64})
_BIN = frozenset({TYPE_BIN})

MAX_TAGS = 0xFFFF
"""rpm's ``hdrchkTags``: more index entries than this is not a header."""
MAX_DATA = 256 * 1024 * 1024
"""rpm's ``HEADER_DATA_MAX`` (``hdrchkData``): the data store of one header is below 256 MiB."""

_PREAMBLE = struct.Struct(">II")
_NATIVE_LITTLE = sys.byteorder == "little"
if array("I").itemsize != 4:  # pragma: no cover - every platform CPython supports today
    raise ImportError("hullscan.extract.rpmdb needs a 4-byte array('I')")


class HeaderError(ValueError):
    """A header blob that is malformed or hostile; the message names the tag and what is wrong."""


@dataclass(frozen=True, slots=True)
class RpmHeader:
    """The fields of one installed package's header that an inventory needs."""

    name: str
    version: str
    release: str
    arch: str
    epoch: int | None = None
    source_rpm: str = ""
    license: str = ""
    vendor: str = ""
    size: int = 0
    """Installed size in bytes (``SIZE``, or ``LONGSIZE`` for packages over 4 GiB)."""
    sigmd5: str = ""
    """``SIGMD5`` as lowercase hex: the MD5 of header+payload of the package file."""
    modularity_label: str = ""
    summary: str = ""
    dirnames: tuple[str, ...] = ()
    basenames: tuple[str, ...] = ()
    dirindexes: tuple[int, ...] = ()
    old_filenames: tuple[str, ...] = ()
    """``OLDFILENAMES``: full paths, as rpm v3 headers (and ``--nodirtokens`` builds) store them."""

    def file_names(self, *, relative: bool = False) -> list[str]:
        """Installed paths, absolute as rpm reports them or, with ``relative``, without the leading ``/``.

        Raises :class:`HeaderError` when the directory/basename lists do not fit together.
        """
        dirs = self.dirnames
        if self.basenames or self.dirindexes:
            if len(self.basenames) != len(self.dirindexes):
                raise HeaderError(f"{self.name}: {len(self.basenames)} BASENAMES but {len(self.dirindexes)} DIRINDEXES")
            if self.dirindexes and max(self.dirindexes) >= len(dirs):
                raise HeaderError(
                    f"{self.name}: DIRINDEXES entry {max(self.dirindexes)} out of range ({len(dirs)} DIRNAMES)"
                )
            if relative:
                dirs = tuple(d.lstrip("/") for d in dirs)
            # map() keeps the per-file work in C: file lists are the bulk of a header.
            return list(map(operator.add, map(dirs.__getitem__, self.dirindexes), self.basenames))
        if relative:
            return [path.lstrip("/") for path in self.old_filenames]
        return list(self.old_filenames)


class _Blob:
    """Bounds-checked access to one header blob's tags.

    Written for speed (an image can hold thousands of headers): one C-level pass decodes the index, and each
    accessor does its checks in a single condition, building the precise message only when one fails.
    """

    __slots__ = ("blob", "data_end", "data_start", "dl", "index", "where")

    def __init__(self, blob: bytes) -> None:
        size = len(blob)
        if size < 8:
            raise HeaderError(f"header blob of {size} bytes is shorter than its 8-byte preamble")
        il: int
        dl: int
        il, dl = _PREAMBLE.unpack_from(blob, 0)
        if il == 0:
            raise HeaderError("header has no index entries")
        if il > MAX_TAGS:
            raise HeaderError(f"header claims {il} index entries (at most {MAX_TAGS})")
        if dl > MAX_DATA:
            raise HeaderError(f"header claims a data store of {dl} bytes (at most {MAX_DATA})")
        self.data_start = 8 + 16 * il
        self.data_end = self.data_start + dl
        if self.data_end > size:
            raise HeaderError(f"header claims {il} index entries and {dl} data bytes, but the blob has {size} bytes")
        self.blob = blob
        self.dl = dl
        # The index as one flat array of (tag, type, offset, count), decoded in C.
        index = array("I")
        index.frombytes(memoryview(blob)[8 : self.data_start])
        if _NATIVE_LITTLE:
            index.byteswap()
        self.index = index
        # tag -> position of its entry in ``index``. The last entry for a tag wins: dribble entries replace
        # the region's (rpm headerImport).
        self.where: dict[int, int] = dict(zip(index[0::4], range(0, 4 * il, 4), strict=True))

    def _reject(self, tag: int, types: frozenset[int], align: int = 1, width: int = 0) -> NoReturn:
        """Raise the :class:`HeaderError` that says what is wrong with a tag's entry."""
        i = self.where[tag]
        typ, off, cnt = self.index[i + 1], self.index[i + 2], self.index[i + 3]
        what = f"tag {TAG_NAMES.get(tag, 'tag')} ({tag})"
        if typ not in types:
            raise HeaderError(f"{what}: unexpected data type {typ}")
        if off >= self.dl:
            raise HeaderError(f"{what}: offset {off} outside the {self.dl}-byte data store")
        if off % align:
            raise HeaderError(f"{what}: offset {off} not aligned to {align} bytes")
        if width:
            raise HeaderError(f"{what}: {cnt} x {width} bytes run past the end of the data store")
        if cnt > self.dl - off:
            raise HeaderError(f"{what}: count {cnt} exceeds the {self.dl - off} bytes left")
        raise HeaderError(f"{what}: {'strings' if cnt > 1 else 'string'} not terminated inside the data store")

    def string(self, tag: int) -> str:
        i = self.where.get(tag)
        if i is None:
            return ""
        index = self.index
        off = index[i + 2]
        if index[i + 1] not in _STRING_TYPES or off >= self.dl:
            self._reject(tag, _STRING_TYPES)
        start = self.data_start + off
        end = self.blob.find(b"\0", start, self.data_end)
        if end < 0:
            self._reject(tag, _STRING_TYPES)
        return self.blob[start:end].decode("utf-8", "replace")

    def strings(self, tag: int) -> tuple[str, ...]:
        i = self.where.get(tag)
        if i is None:
            return ()
        index = self.index
        off, cnt = index[i + 2], index[i + 3]
        if index[i + 1] not in _ARRAY_TYPES or off >= self.dl or cnt > self.dl - off:
            self._reject(tag, _ARRAY_TYPES)
        if cnt == 0:
            return ()
        start = self.data_start + off
        # Bound the search by the next index entry's offset: rpm writes entries in data order, so a long file
        # list does not make every array decode the rest of the store. Fall back to the store's end otherwise.
        after = index[i + 6] if i + 6 < len(index) else 0
        for end in (self.data_start + after if off < after <= self.dl else self.data_end, self.data_end):
            parts = self.blob[start:end].decode("utf-8", "replace").split("\0", cnt)
            if len(parts) > cnt:
                del parts[cnt:]
                return tuple(parts)
        self._reject(tag, _ARRAY_TYPES)

    def integers(self, tag: int, typ: int) -> tuple[int, ...]:
        """An INT32 (unsigned, as rpm reads sizes and epochs) or INT64 array."""
        i = self.where.get(tag)
        if i is None:
            return ()
        index = self.index
        off, cnt = index[i + 2], index[i + 3]
        width = 4 if typ == TYPE_INT32 else 8
        types = _INT32 if typ == TYPE_INT32 else _INT64
        if index[i + 1] != typ or off >= self.dl or off % width or width * cnt > self.dl - off:
            self._reject(tag, types, width, width)
        return struct.unpack_from(f">{cnt}{'I' if width == 4 else 'Q'}", self.blob, self.data_start + off)

    def binary(self, tag: int) -> bytes:
        i = self.where.get(tag)
        if i is None:
            return b""
        index = self.index
        off, cnt = index[i + 2], index[i + 3]
        if index[i + 1] != TYPE_BIN or off >= self.dl or cnt > self.dl - off:
            self._reject(tag, _BIN)
        start = self.data_start + off
        return self.blob[start : start + cnt]


def parse_header(blob: bytes) -> RpmHeader:
    """Parse one header blob as stored in an rpm database (``Packages``, ``Packages.db``, ``rpmdb.sqlite``).

    Raises :class:`HeaderError` when the blob is malformed; the file list is only checked for consistency by
    :meth:`RpmHeader.file_names`, so a package with a broken file list still has its name and version.
    """
    h = _Blob(blob)
    name = h.string(TAG_NAME)
    if not name:
        raise HeaderError("header has no NAME")
    size = h.integers(TAG_SIZE, TYPE_INT32) or h.integers(TAG_LONGSIZE, TYPE_INT64)
    epoch = h.integers(TAG_EPOCH, TYPE_INT32)
    return RpmHeader(
        name=name,
        version=h.string(TAG_VERSION),
        release=h.string(TAG_RELEASE),
        arch=h.string(TAG_ARCH),
        epoch=epoch[0] if epoch else None,
        source_rpm=_unset(h.string(TAG_SOURCERPM)),
        license=_unset(h.string(TAG_LICENSE)),
        vendor=_unset(h.string(TAG_VENDOR)),
        size=size[0] if size else 0,
        sigmd5=h.binary(TAG_SIGMD5).hex(),
        modularity_label=h.string(TAG_MODULARITYLABEL),
        # SUMMARY is an i18n string: the first of its translations is the untranslated (C locale) text.
        summary=h.string(TAG_SUMMARY),
        dirnames=h.strings(TAG_DIRNAMES),
        basenames=h.strings(TAG_BASENAMES),
        dirindexes=h.integers(TAG_DIRINDEXES, TYPE_INT32),
        old_filenames=h.strings(TAG_OLDFILENAMES),
    )


def _unset(value: str) -> str:
    """rpm prints ``(none)`` for unset values; some databases store it literally (go-rpmdb drops it too)."""
    return "" if value == "(none)" else value
