"""Blob streams: digest verification, decompression and size limits, the same for every source.

A layer blob flows through three wrappers, each reading only what the next one asks for::

    raw blob ──► DigestReader(digest) ──► decompress (gzip | zstd | none) ──► DigestReader(diffID) ──► tar

Both digests are checked when the stream has been read to its end, so a corrupt or substituted blob is caught
however it was delivered. Nothing is held in memory beyond the buffers of the decompressors.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, cast

from hullscan.errors import BlobError, UnsafeImageError

CHUNK = 1 << 20

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


@dataclass(frozen=True, slots=True)
class Limits:
    """Safety limits for untrusted images. All sizes are bytes."""

    max_layer_size: int = 32 << 30
    """Uncompressed size of one layer."""
    max_ratio: int = 1000
    """Uncompressed/compressed ratio above which a layer is treated as a decompression bomb (after 256 MiB)."""
    max_file_size: int = 512 << 20
    """Largest single file handed to an extractor; bigger wanted files are skipped with a warning."""
    max_metadata_size: int = 16 << 20
    """Largest manifest, index or config accepted."""


class DigestReader(io.RawIOBase):
    """Reads through to ``raw`` while hashing and counting; ``verify()`` checks digest and size at the end."""

    def __init__(self, raw: BinaryIO, digest: str, expected_size: int = -1, what: str = "blob") -> None:
        super().__init__()
        algo, _, self._hex = digest.partition(":")
        if not digest:
            algo = "sha256"  # nothing to check against (e.g. a legacy docker-archive layer): count only
        elif algo not in ("sha256", "sha512") or not self._hex:
            raise BlobError(f"{what}: unsupported digest {digest!r}")
        self._raw = raw
        self._hash = hashlib.new(algo)
        self._digest = digest
        self._expected_size = expected_size
        self._what = what
        self.count = 0
        self.limit: int | None = None
        self.on_limit: Callable[[int], None] | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(b) if hasattr(self._raw, "readinto") else self._copy_read(b)
        if n:
            self._hash.update(memoryview(b)[:n])
            self.count += n
            if self.on_limit is not None:
                self.on_limit(self.count)
        return n or 0

    def _copy_read(self, b: bytearray | memoryview) -> int:
        data = self._raw.read(len(b))
        b[: len(data)] = data
        return len(data)

    def drain(self) -> None:
        """Read what is left (the tar reader may stop at the end-of-archive marker before the padding)."""
        buf = bytearray(CHUNK)
        while self.readinto(buf):
            pass

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def verify(self) -> None:
        if self._expected_size >= 0 and self.count != self._expected_size:
            raise BlobError(
                f"{self._what}: size mismatch (expected {self._expected_size} bytes, got {self.count}): "
                "truncated or corrupt"
            )
        got = self._hash.hexdigest()
        if self._digest and got != self._hex:
            algo = self._digest.partition(":")[0]
            raise BlobError(f"{self._what}: digest mismatch (expected {self._digest}, got {algo}:{got})")

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


def _open_gzip(stream: BinaryIO) -> BinaryIO:
    # Decompression runs in a worker thread (ISA-L releases the GIL), so on two cores the tar parsing and
    # hashing in this thread overlap with it: the walk costs about what decompression alone costs.
    try:
        from isal import igzip_threaded

        return cast(BinaryIO, igzip_threaded.open(stream, "rb", threads=1))  # type: ignore[no-untyped-call]
    except ImportError:  # pragma: no cover - isal is a dependency; stdlib as a fallback
        import gzip

        return cast(BinaryIO, gzip.GzipFile(fileobj=stream, mode="rb"))


def _open_zstd(stream: BinaryIO) -> BinaryIO:
    import zstandard

    return cast(BinaryIO, zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True))


def sniff_compression(head: bytes) -> str:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return "none"


class LayerStream:
    """The uncompressed tar stream of one layer, checked against its digest and diffID when finished.

    Compression is detected from the first bytes, not trusted from the media type: registries and archives
    mislabel layers often enough.
    """

    def __init__(
        self,
        raw: BinaryIO,
        *,
        digest: str,
        diff_id: str,
        size: int,
        what: str,
        limits: Limits,
    ) -> None:
        self.what = what
        self._limits = limits
        self.outer = DigestReader(raw, digest, size, what)
        buffered = io.BufferedReader(self.outer, CHUNK)
        self.compression = sniff_compression(buffered.peek(4)[:4])
        inner: BinaryIO
        if self.compression == "gzip":
            inner = _open_gzip(cast(BinaryIO, buffered))
        elif self.compression == "zstd":
            inner = _open_zstd(cast(BinaryIO, buffered))
        else:
            inner = cast(BinaryIO, buffered)
        self.inner = DigestReader(inner, diff_id, -1, what)
        self.inner.on_limit = self._check_limits
        self.tar = cast(BinaryIO, io.BufferedReader(self.inner, CHUNK))

    def _check_limits(self, uncompressed: int) -> None:
        if uncompressed > self._limits.max_layer_size:
            raise UnsafeImageError(
                f"{self.what}: uncompressed size exceeds the limit of {self._limits.max_layer_size} bytes "
                "(--max-layer-size)"
            )
        if (
            self.compression != "none"
            and uncompressed > (256 << 20)
            and uncompressed > self._limits.max_ratio * max(self.outer.count, 1)
        ):
            raise UnsafeImageError(
                f"{self.what}: compression ratio over {self._limits.max_ratio}:1, a likely decompression bomb"
            )

    def finish(self) -> int:
        """Read to the end of both streams and verify diffID and digest. Returns the uncompressed size."""
        tail = self.tar.read(CHUNK)
        while tail:
            tail = self.tar.read(CHUNK)
        self.outer.drain()
        self.outer.verify()
        self.inner.verify()
        return self.inner.count

    def close(self) -> None:
        self.tar.close()
