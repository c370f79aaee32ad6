"""A forward-only reader of tar streams, for the layer walk's hot path.

Python's ``tarfile`` spends most of a layer walk parsing headers (it builds every field of every header, and
keeps each one). Layers only need a few fields, so this reader parses exactly those from the 512-byte header
blocks and skips file data without copying it into Python objects it does not need.

Formats (POSIX.1-2001 pax, ustar, GNU): https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html and
GNU tar's manual, "Basic Tar Format". Supported: ustar ``prefix``; GNU ``L``/``K`` long names and link names;
pax ``x`` headers (``path``, ``linkpath``, ``size``, ``uid``, ``gid``); pax ``g`` headers are read and ignored;
base-256 numbers. The stream is untrusted: checksums are verified, meta-data sizes are bounded, and a short
read anywhere is an error, never an endless loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

BLOCK = 512
MAX_META_SIZE = 1 << 20  # long names and pax records; real ones are a few hundred bytes

REGULAR = frozenset(b"0\x007S")  # regular, old regular, contiguous, GNU sparse (content read as stored)
DIRECTORY = ord("5")
SYMLINK = ord("2")
HARDLINK = ord("1")
CHAR = ord("3")
BLOCK_DEVICE = ord("4")
FIFO = ord("6")


class TarError(Exception):
    """The stream is not a valid tar (bad checksum, truncated, absurd meta-data)."""


@dataclass(slots=True)
class Member:
    name: str
    type: int
    """The typeflag byte (``ord('0')`` ...); ``0`` for old-style regular files."""
    mode: int
    uid: int
    gid: int
    size: int
    linkname: str

    @property
    def is_file(self) -> bool:
        return self.type in REGULAR


def _number(field: bytes) -> int:
    if field and field[0] & 0x80:  # GNU base-256: big-endian two's complement, first byte's top bit a flag
        value = int.from_bytes(field, "big", signed=False) & ~(0x80 << (8 * (len(field) - 1)))
        if field[0] & 0x40:
            value -= 1 << (8 * len(field) - 1)
        return value
    text = field.split(b"\0", 1)[0].strip(b" ")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise TarError(f"invalid number field {field!r}") from None


def _text(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _checksum_ok(header: bytes) -> bool:
    stored = _number(header[148:156])
    unsigned = sum(header[:148]) + 8 * 32 + sum(header[156:])
    if stored == unsigned:
        return True
    signed = sum(b - 256 if b > 127 else b for b in header[:148] + header[156:]) + 8 * 32
    return stored == signed


def _pax(data: bytes) -> dict[str, str]:
    """Records ``"%d %s=%s\\n"``; the length counts the whole record."""
    out: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0:
            break
        try:
            length = int(data[pos:space])
        except ValueError:
            raise TarError("malformed pax header") from None
        if length <= 0 or pos + length > len(data):
            raise TarError("malformed pax header")
        record = data[space + 1 : pos + length - 1]
        key, _, value = record.partition(b"=")
        out[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return out


class TarReader:
    """Iterate members; for a regular file, :meth:`read` returns its content (call before the next member)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._pending = 0  # data bytes (incl. padding) of the current member not yet consumed
        self._remaining = 0  # content bytes of the current member not yet read
        self._skipbuf = bytearray(1 << 16)

    def _read_exact(self, n: int) -> bytes:
        data = self._stream.read(n)
        if len(data) != n:
            raise TarError("unexpected end of data")
        return data

    def _skip(self, n: int) -> None:
        view = memoryview(self._skipbuf)
        readinto = getattr(self._stream, "readinto", None)
        while n > 0:
            chunk = min(n, len(self._skipbuf))
            got = readinto(view[:chunk]) if readinto is not None else len(self._stream.read(chunk))
            if not got:
                raise TarError("unexpected end of data")
            n -= got

    def read(self) -> bytes:
        """The whole content of the current regular file."""
        size = self._remaining
        data = self._read_exact(size)
        self._remaining = 0
        self._pending -= size
        return data

    def _meta(self, size: int) -> bytes:
        if size > MAX_META_SIZE:
            raise TarError(f"tar meta-data record of {size} bytes")
        data = self._read_exact(size)
        pad = -size % BLOCK
        if pad:
            self._read_exact(pad)
        return data

    def __iter__(self) -> Iterator[Member]:
        long_name: str | None = None
        long_link: str | None = None
        pax: dict[str, str] = {}
        while True:
            if self._pending:
                self._skip(self._pending)
                self._pending = 0
            header = self._stream.read(BLOCK)
            if not header:
                return  # no end-of-archive blocks: tolerated, as GNU tar does
            if len(header) != BLOCK:
                raise TarError("unexpected end of data")
            if header.count(0) == BLOCK:
                return  # end-of-archive marker; the caller drains what follows
            if not _checksum_ok(header):
                raise TarError("bad header checksum")
            typeflag = header[156]
            size = _number(header[124:136])
            if size < 0:
                raise TarError("negative member size")
            if typeflag == ord("L"):
                long_name = _text(self._meta(size))
                continue
            if typeflag == ord("K"):
                long_link = _text(self._meta(size))
                continue
            if typeflag == ord("x"):
                pax = _pax(self._meta(size))
                continue
            if typeflag == ord("g"):
                self._meta(size)
                continue
            name = _text(header[0:100])
            if header[257:262] == b"ustar":
                prefix = _text(header[345:500])
                if prefix:
                    name = f"{prefix}/{name}"
            linkname = _text(header[157:257])
            uid = _number(header[108:116])
            gid = _number(header[116:124])
            if long_name is not None:
                name = long_name
            if long_link is not None:
                linkname = long_link
            if pax:
                name = pax.get("path", name)
                linkname = pax.get("linkpath", linkname)
                try:
                    size = int(pax.get("size", size))
                    uid = int(pax.get("uid", uid))
                    gid = int(pax.get("gid", gid))
                except ValueError:
                    raise TarError("malformed pax number") from None
            long_name = long_link = None
            pax = {}
            member = Member(name, typeflag, _number(header[100:108]) & 0o7777, uid, gid, size, linkname)
            # Only regular files (and old-style ones) carry data; links and directories never do, whatever
            # their size field says.
            carries = size if typeflag in REGULAR or typeflag not in b"123456" else 0
            self._remaining = carries if member.is_file else 0
            self._pending = carries + (-carries % BLOCK)
            yield member
