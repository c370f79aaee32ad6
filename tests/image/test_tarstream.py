"""The forward-only tar reader against Python's tarfile, over every format tarfile writes, and hostile input."""

from __future__ import annotations

import io
import tarfile

import pytest

from hullscan.image.tarstream import TarError, TarReader

LONG = "deep/" * 40 + "name-that-does-not-fit-in-one-hundred-bytes.txt"


def build(fmt: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        def add(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", **kw: object) -> None:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.size = len(data)
            for k, v in kw.items():
                setattr(info, k, v)
            tf.addfile(info, io.BytesIO(data) if data else None)

        add("etc/", tarfile.DIRTYPE, mode=0o755)
        add("etc/passwd", data=b"root:x:0:0::/root:/bin/sh\n", mode=0o644)
        add("usr/bin/su", data=b"\x7fELF" + b"\0" * 600, mode=0o4755)
        add(LONG, data=b"long")
        add("bin", tarfile.SYMTYPE, linkname="usr/bin")
        add("link-to-long", tarfile.SYMTYPE, linkname=LONG)
        add("etc/hard", tarfile.LNKTYPE, linkname="etc/passwd")
        add("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3)
        add("run/fifo", tarfile.FIFOTYPE)
        add("étc/ünïcode", data=b"x")
        add("empty", data=b"")
        if fmt != tarfile.USTAR_FORMAT:
            add("big-ids", data=b"y", uid=3_000_000, gid=4_000_000)
    return buf.getvalue()


def reference(data: bytes) -> list[tuple[str, int, int, int, int, int, str, bytes]]:
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tf:
        for m in tf:
            content = tf.extractfile(m).read() if m.isreg() else b""  # type: ignore[union-attr]
            out.append((m.name, m.type[0], m.mode & 0o7777, m.uid, m.gid, m.size if m.isreg() else 0, m.linkname,
                        content))
    return out


def ours(data: bytes) -> list[tuple[str, int, int, int, int, int, str, bytes]]:
    out = []
    reader = TarReader(io.BufferedReader(io.BytesIO(data)))
    for m in reader:
        content = reader.read() if m.is_file else b""
        out.append((m.name.rstrip("/"), m.type, m.mode, m.uid, m.gid, m.size if m.is_file else 0, m.linkname,
                    content))
    return out


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT],
                         ids=["ustar", "gnu", "pax"])
def test_same_members_as_tarfile(fmt: int) -> None:
    data = _ustar_safe() if fmt == tarfile.USTAR_FORMAT else build(fmt)
    assert ours(data) == reference(data)


def _ustar_safe() -> bytes:
    # ustar cannot hold the long link name; build the rest.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        info = tarfile.TarInfo("a/" * 60 + "file")  # > 100 bytes: uses the ustar prefix field
        info.size = 3
        tf.addfile(info, io.BytesIO(b"abc"))
        link = tarfile.TarInfo("l")
        link.type, link.linkname = tarfile.SYMTYPE, "a/file"
        tf.addfile(link)
    return buf.getvalue()


def test_skipping_unread_content() -> None:
    data = build(tarfile.PAX_FORMAT)
    names = [m.name.rstrip("/") for m in TarReader(io.BufferedReader(io.BytesIO(data)))]
    assert names == [name for name, *_ in reference(data)]


def test_bad_checksum() -> None:
    data = bytearray(build(tarfile.GNU_FORMAT))
    data[10] ^= 0x55
    with pytest.raises(TarError, match="checksum"):
        list(TarReader(io.BytesIO(bytes(data))))


def test_truncated_in_content() -> None:
    data = build(tarfile.GNU_FORMAT)
    with pytest.raises(TarError, match="end of data"):
        list(TarReader(io.BytesIO(data[:1500])))


def test_truncated_header() -> None:
    with pytest.raises(TarError, match="end of data"):
        list(TarReader(io.BytesIO(build(tarfile.GNU_FORMAT)[:700])))


def _header(name: bytes, typeflag: bytes, size: int) -> bytes:
    h = bytearray(512)
    h[0 : len(name)] = name
    h[100:108] = b"0000644\0"
    h[124:136] = f"{size:011o}\0".encode()
    h[156:157] = typeflag
    h[257:263] = b"ustar\0"
    h[148:156] = b" " * 8
    h[148:156] = f"{sum(h):06o}\0 ".encode()
    return bytes(h)


def test_absurd_long_name_record_is_refused() -> None:
    data = _header(b"././@LongLink", b"L", 1 << 30) + b"\0" * 512
    with pytest.raises(TarError, match="meta-data"):
        list(TarReader(io.BytesIO(data)))


def test_malformed_pax() -> None:
    body = b"99999 path=x\n"
    data = _header(b"pax", b"x", len(body)) + body.ljust(512, b"\0")
    with pytest.raises(TarError, match="pax"):
        list(TarReader(io.BytesIO(data)))


def test_huge_declared_size_is_truncation_not_allocation() -> None:
    data = _header(b"big", b"0", 1 << 40) + b"x" * 512
    reader = TarReader(io.BytesIO(data))
    with pytest.raises(TarError, match="end of data"):
        list(reader)


def test_missing_end_blocks_are_tolerated() -> None:
    data = _header(b"f", b"0", 1) + b"z".ljust(512, b"\0")
    assert [m.name for m in TarReader(io.BytesIO(data))] == ["f"]
