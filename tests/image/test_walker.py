"""The one-pass layer walker and the squashed view, on tar layers built in code."""

from __future__ import annotations

import hashlib
import io
import tarfile
from dataclasses import dataclass

import msgspec
import pytest
import zstandard

from hullscan.errors import BlobError, UnsafeImageError
from hullscan.extract.base import ExtractError
from hullscan.image.blob import LayerStream, Limits
from hullscan.image.facts import LayerFacts, decode_facts, encode_facts
from hullscan.image.squash import SquashedView, normalize_member_path
from hullscan.image.walker import walk_tar
from hullscan.model import FileEntry, FileKind, LayerRef


@dataclass(frozen=True, slots=True)
class Seen:
    text: str


class Recorder:
    """An extractor that wants ``*.want`` files and records what it was handed."""

    name = "test/recorder"
    version = 1
    payload_type = Seen

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.read: list[str] = []

    def wants(self, path: str, entry: FileEntry) -> bool:
        self.asked.append(path)
        return path.endswith(".want")

    def extract(self, path: str, data: bytes) -> Seen | None:
        self.read.append(path)
        if data == b"broken":
            raise ExtractError("cannot parse")
        if data == b"crash":
            raise RuntimeError("bug")
        if data == b"surrogate":
            return Seen("\ud800")  # valid in JSON text, not encodable as UTF-8
        return Seen(data.decode())


def tar_bytes(*members: tuple[str, str, bytes | str]) -> bytes:
    """members: (name, kind, content-or-linkname); kind in file, dir, sym, link."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, kind, content in members:
            info = tarfile.TarInfo(name)
            info.mode = 0o644
            if kind == "file":
                data = content if isinstance(content, bytes) else content.encode()
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
                continue
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
            elif kind == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, str(content)
            elif kind == "link":
                info.type, info.linkname = tarfile.LNKTYPE, str(content)
            tf.addfile(info)
    return buf.getvalue()


def walk(data: bytes, ext: Recorder | None = None) -> LayerFacts:
    ext = ext or Recorder()
    builder = walk_tar(io.BytesIO(data), [ext], limits=Limits(), what="test layer")
    return builder.build("sha256:" + hashlib.sha256(data).hexdigest(), len(data))


def ref(i: int) -> LayerRef:
    return LayerRef(i, f"sha256:{i}", f"sha256:{i}", f"RUN step {i}")


def test_only_wanted_files_are_read() -> None:
    ext = Recorder()
    facts = walk(tar_bytes(("etc", "dir", ""), ("etc/a.want", "file", "A"), ("etc/b.txt", "file", "B")), ext)
    assert ext.read == ["etc/a.want"]
    assert "etc/b.txt" in ext.asked  # asked, never read
    assert [f.path for f in facts.files] == ["etc", "etc/a.want", "etc/b.txt"]
    assert msgspec.json.decode(facts.results["test/recorder"]["etc/a.want"], type=Seen) == Seen("A")


def test_broken_and_crashing_files_become_warnings() -> None:
    facts = walk(tar_bytes(("x.want", "file", "broken"), ("y.want", "file", "crash"), ("s.want", "file", "surrogate"),
                           ("z.want", "file", "ok")))
    assert [(w.path, w.extractor) for w in facts.warnings] == [
        ("x.want", "test/recorder"), ("y.want", "test/recorder"), ("s.want", "test/recorder")
    ]
    assert "cannot parse" in facts.warnings[0].message
    assert "RuntimeError" in facts.warnings[1].message
    assert list(facts.results["test/recorder"]) == ["z.want"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("./etc/passwd", "etc/passwd"),
        ("/etc/passwd", "etc/passwd"),
        ("etc//x/./y", "etc/x/y"),
        ("a/b/../c", "a/c"),
        ("../../etc/evil", None),
        ("a/../../evil", None),
        ("/../evil", None),
        ("bad\x00name", None),
    ],
    ids=["dot-slash", "absolute", "redundant", "inner-dotdot", "escape", "escape-nested", "escape-abs", "nul"],
)
def test_member_paths(name: str, expected: str | None) -> None:
    assert normalize_member_path(name) == expected


def test_hostile_paths_are_skipped_with_a_warning() -> None:
    ext = Recorder()
    facts = walk(tar_bytes(("../../etc/evil.want", "file", "x"), ("/abs.want", "file", "y")), ext)
    assert ext.read == ["abs.want"]
    assert [f.path for f in facts.files] == ["abs.want"]
    assert "outside the image" in facts.warnings[0].message


def test_whiteouts_and_opaque_dirs() -> None:
    lower = walk(tar_bytes(
        ("a", "dir", ""), ("a/keep.want", "file", "1"), ("a/gone.want", "file", "2"),
        ("b", "dir", ""), ("b/old", "file", "3"), ("b/sub", "dir", ""), ("b/sub/deep", "file", "4"),
        ("c", "dir", ""), ("c/x", "file", "5"),
    ))
    upper = walk(tar_bytes(
        ("a/.wh.gone.want", "file", ""), ("b/.wh..wh..opq", "file", ""), ("b/new", "file", "6"),
        ("c/.wh.x", "file", ""), (".wh.c", "file", ""),
    ))
    assert upper.whiteouts == ("a/gone.want", "c/x", "c")
    assert upper.opaque_dirs == ("b",)
    view = SquashedView([(ref(0), lower), (ref(1), upper)])
    paths = {e.path for e, _ in view.entries()}
    assert paths == {"a", "a/keep.want", "b", "b/new"}
    assert view.payload("test/recorder", "a/gone.want", Seen) is None
    kept = view.payload("test/recorder", "a/keep.want", Seen)
    assert kept is not None and kept[0] == Seen("1") and kept[1].index == 0


def test_whiteout_in_later_layer_then_readded() -> None:
    l0 = walk(tar_bytes(("f.want", "file", "v1")))
    l1 = walk(tar_bytes((".wh.f.want", "file", "")))
    l2 = walk(tar_bytes(("f.want", "file", "v3")))
    view = SquashedView([(ref(0), l0), (ref(1), l1), (ref(2), l2)])
    found = view.payload("test/recorder", "f.want", Seen)
    assert found is not None and found[0] == Seen("v3") and found[1].index == 2
    assert [p.text for p, _ in view.history("test/recorder", "f.want", Seen)] == ["v1", "v3"]


def test_later_layer_wins_and_knows_its_layer() -> None:
    l0 = walk(tar_bytes(("etc/os.want", "file", "old"), ("etc/other", "file", "")))
    l1 = walk(tar_bytes(("etc/os.want", "file", "new")))
    view = SquashedView([(ref(0), l0), (ref(1), l1)])
    entry = view.entry("etc/os.want")
    assert entry is not None and entry[1].created_by == "RUN step 1"
    other = view.entry("/etc/other")
    assert other is not None and other[1].index == 0
    assert [(p, s.text) for p, s, _ in view.payloads("test/recorder", Seen)] == [("etc/os.want", "new")]


def test_symlinks_resolve_inside_the_image_only() -> None:
    facts = walk(tar_bytes(
        ("usr/lib/os.want", "file", "real"),
        ("etc/os.want", "sym", "../usr/lib/os.want"),
        ("etc/abs.want", "sym", "/usr/lib/os.want"),
        ("etc/escape", "sym", "../../../../usr/lib/os.want"),
        ("etc/loop1", "sym", "loop2"), ("etc/loop2", "sym", "loop1"),
        ("lib", "sym", "usr/lib"),
    ))
    view = SquashedView([(ref(0), facts)])
    assert view.resolve("etc/os.want") == "usr/lib/os.want"
    assert view.resolve("etc/abs.want") == "usr/lib/os.want"
    assert view.resolve("etc/escape") == "usr/lib/os.want"  # '..' stops at the root, like a chroot
    assert view.resolve("lib/os.want") == "usr/lib/os.want"
    assert view.resolve("etc/loop1") is None
    assert view.resolve("etc/missing") is None
    found = view.payload("test/recorder", "etc/os.want", Seen)
    assert found is not None and found[0] == Seen("real")


def test_hard_link_to_a_wanted_file_is_served() -> None:
    ext = Recorder()
    facts = walk(tar_bytes(("a.want", "file", "data"), ("b.want", "link", "a.want")), ext)
    assert ext.read == ["a.want", "b.want"]
    assert facts.files[1].kind is FileKind.HARDLINK and facts.files[1].linkname == "a.want"
    assert msgspec.json.decode(facts.results["test/recorder"]["b.want"], type=Seen) == Seen("data")


def test_hard_link_to_an_unwanted_file_warns() -> None:
    facts = walk(tar_bytes(("a.bin", "file", "data"), ("b.want", "link", "a.bin")))
    assert "not read" in facts.warnings[0].message


def test_facts_round_trip_through_the_cache_encoding() -> None:
    facts = walk(tar_bytes(("a.want", "file", "x"), ("d", "dir", ""), (".wh.z", "file", "")))
    again = decode_facts(encode_facts(facts))
    assert again == facts


# ------------------------------------------------------------------------------------------ blob streams


def _stream(blob: bytes, tar: bytes, *, digest: str | None = None, limits: Limits | None = None) -> LayerStream:
    return LayerStream(
        io.BytesIO(blob),
        digest=digest or "sha256:" + hashlib.sha256(blob).hexdigest(),
        diff_id="sha256:" + hashlib.sha256(tar).hexdigest(),
        size=len(blob),
        what="img: layer 1/1",
        limits=limits or Limits(),
    )


@pytest.mark.parametrize("compression", ["none", "gzip", "zstd"])
def test_layer_stream_decompresses_and_verifies(compression: str) -> None:
    import gzip

    tar = tar_bytes(("a.want", "file", "x" * 100_000))
    blob = {"none": tar, "gzip": gzip.compress(tar), "zstd": zstandard.compress(tar)}[compression]
    stream = _stream(blob, tar)
    assert stream.compression == compression
    builder = walk_tar(stream.tar, [Recorder()], limits=Limits(), what="x")
    assert stream.finish() == len(tar)
    assert [f.path for f in builder.files] == ["a.want"]


def test_digest_mismatch_is_caught() -> None:
    tar = tar_bytes(("a", "file", "x"))
    stream = _stream(tar, tar, digest="sha256:" + "0" * 64)
    walk_tar(stream.tar, [], limits=Limits(), what="x")
    with pytest.raises(BlobError, match="digest mismatch"):
        stream.finish()


def test_truncated_gzip_layer_is_a_blob_error() -> None:
    import gzip

    tar = tar_bytes(("a", "file", "y" * 50_000), ("b", "file", "z" * 50_000))
    blob = gzip.compress(tar)[:-200]
    stream = _stream(blob, tar)
    with pytest.raises(BlobError, match="corrupt or truncated"):
        walk_tar(stream.tar, [], limits=Limits(), what="img: layer 1/1")
        stream.finish()


def test_decompression_bomb_stops_at_the_ratio_limit() -> None:
    # 300 MiB of zeros: a tar reader stops at the first zero block, the drain must not run unbounded.
    comp = zstandard.ZstdCompressor(level=19).compressobj()
    blob = comp.compress(b"\0" * (300 << 20)) + comp.flush()
    stream = _stream(blob, b"", limits=Limits(max_ratio=100))
    with pytest.raises(UnsafeImageError, match="decompression bomb"):
        walk_tar(stream.tar, [], limits=Limits(), what="x")
        stream.finish()


def test_layer_size_limit() -> None:
    tar = tar_bytes(("big", "file", b"x" * (2 << 20)))
    stream = _stream(tar, tar, limits=Limits(max_layer_size=1 << 20))
    with pytest.raises(UnsafeImageError, match="max-layer-size"):
        walk_tar(stream.tar, [], limits=Limits(), what="x")
        stream.finish()


def test_wanted_file_over_the_file_limit_is_not_read() -> None:
    ext = Recorder()
    tar = tar_bytes(("huge.want", "file", b"x" * 4096))
    builder = walk_tar(io.BytesIO(tar), [ext], limits=Limits(max_file_size=1024), what="x")
    assert ext.read == []
    assert "max-file-size" in builder.warnings[0].message


def test_garbage_is_not_a_layer() -> None:
    blob = b"this is not a tar archive at all" * 100
    stream = _stream(blob, blob)
    with pytest.raises(BlobError, match="corrupt or truncated"):
        walk_tar(stream.tar, [], limits=Limits(), what="x")


def test_empty_layer_is_valid() -> None:
    stream = _stream(b"", b"")
    builder = walk_tar(stream.tar, [], limits=Limits(), what="x")
    assert stream.finish() == 0
    assert builder.files == []
