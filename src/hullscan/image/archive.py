"""Read-only access to the members of a tar archive that holds an image (docker save, OCI archive).

An uncompressed archive is indexed once by its headers (tarfile seeks over the content) and any member can then
be streamed in place. A gzip or zstd compressed archive can only be read forward: small metadata members are
read in a first pass, and blobs are streamed in archive order in a second pass (:meth:`TarArchive.stream`).
Member names are normalised and resolved through the archive's own symlinks and hard links (Docker writes
duplicate layers as links); no name can point outside the archive.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

from hullscan.errors import BlobError, ManifestError, UnsafeImageError
from hullscan.image.blob import CHUNK, _open_gzip, _open_zstd, sniff_compression
from hullscan.image.squash import normalize_member_path

MAX_LINK_HOPS = 16


class TarArchive:
    def __init__(self, path: Path, what: str, *, max_metadata_size: int = 16 << 20) -> None:
        self.path = path
        self.what = what
        self.max_metadata_size = max_metadata_size
        try:
            with path.open("rb") as fh:
                self.compression = sniff_compression(fh.read(4))
        except OSError as exc:
            raise ManifestError(f"{what}: cannot read archive ({exc.strerror})") from None
        self._links: dict[str, str] = {}
        self._sizes: dict[str, int] = {}
        self._small: dict[str, bytes] = {}
        self._tar: tarfile.TarFile | None = None
        self._members: dict[str, tarfile.TarInfo] = {}
        try:
            if self.compression == "none":
                self._index_seekable()
            else:
                self._index_stream()
        except (tarfile.TarError, EOFError, OSError) as exc:
            self.close()
            raise ManifestError(f"{what}: not a readable tar archive ({exc})") from None

    # ------------------------------------------------------------------ indexing

    def _note(self, member: tarfile.TarInfo) -> str | None:
        name = normalize_member_path(member.name)
        if not name:
            return None
        if member.issym():
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), member.linkname))
            if not target.startswith("../") and target != "..":
                self._links[name] = target.lstrip("/")
        elif member.islnk():
            hard = normalize_member_path(member.linkname)
            if hard:
                self._links[name] = hard
        elif member.isfile():
            self._sizes[name] = member.size
        return name

    def _index_seekable(self) -> None:
        self._tar = tarfile.open(self.path, mode="r:")  # noqa: SIM115 - kept open for streaming members
        for member in self._tar:
            name = self._note(member)
            if name is not None and member.isfile():
                self._members[name] = member
        self._tar.members = []  # type: ignore[attr-defined]

    @contextlib.contextmanager
    def _open_stream(self) -> Iterator[tarfile.TarFile]:
        with self.path.open("rb") as raw:
            buffered = cast(BinaryIO, io.BufferedReader(raw, CHUNK))
            opener = _open_gzip if self.compression == "gzip" else _open_zstd
            inner = opener(buffered)
            try:
                with tarfile.open(fileobj=inner, mode="r|") as tf:
                    yield tf
            finally:
                inner.close()

    def _index_stream(self) -> None:
        with self._open_stream() as tf:
            while (member := tf.next()) is not None:
                tf.members.clear()  # type: ignore[attr-defined]
                name = self._note(member)
                if name is None or not member.isfile():
                    continue
                if member.size <= 1 << 20 and not _looks_like_layer(name):
                    fobj = tf.extractfile(member)
                    if fobj is not None:
                        self._small[name] = fobj.read()

    # ------------------------------------------------------------------ access

    def resolve(self, name: str) -> str:
        """The regular-file member that ``name`` denotes after following links."""
        name = normalize_member_path(name) or ""
        for _ in range(MAX_LINK_HOPS):
            target = self._links.get(name)
            if target is None:
                return name
            name = target
        raise ManifestError(f"{self.what}: too many links resolving {name!r}")

    def exists(self, name: str) -> bool:
        return self.resolve(name) in self._sizes

    def size(self, name: str) -> int:
        return self._sizes.get(self.resolve(name), -1)

    def read(self, name: str) -> bytes:
        """A small member (manifest, config, index) in full."""
        real = self.resolve(name)
        size = self._sizes.get(real)
        if size is None:
            raise ManifestError(f"{self.what}: {name} is missing from the archive")
        if size > self.max_metadata_size:
            raise UnsafeImageError(f"{self.what}: {name} is {size} bytes, too large for metadata")
        if self._tar is not None:
            fobj = self._tar.extractfile(self._members[real])
            assert fobj is not None
            data = fobj.read()
        elif real in self._small:
            data = self._small[real]
        else:
            raise ManifestError(f"{self.what}: {name} is too large to be metadata")
        if len(data) != size:
            raise BlobError(f"{self.what}: {name} is truncated")
        return data

    @property
    def seekable(self) -> bool:
        return self._tar is not None

    def open(self, name: str) -> BinaryIO:
        """Stream one member in place (uncompressed archives only)."""
        real = self.resolve(name)
        if self._tar is None or real not in self._members:
            raise BlobError(f"{self.what}: {name} is missing from the archive")
        fobj = self._tar.extractfile(self._members[real])
        assert fobj is not None
        return fobj  # type: ignore[return-value]

    def stream(self, names: set[str]) -> Iterator[tuple[str, BinaryIO]]:
        """Stream the named members (after link resolution) in archive order, one forward pass."""
        wanted = {self.resolve(n) for n in names}
        seen: set[str] = set()
        try:
            with self._open_stream() as tf:
                while (member := tf.next()) is not None:
                    tf.members.clear()  # type: ignore[attr-defined]
                    name = normalize_member_path(member.name)
                    if name in wanted and member.isfile() and name not in seen:
                        seen.add(name)
                        fobj = tf.extractfile(member)
                        assert fobj is not None
                        yield name, fobj  # type: ignore[misc]
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BlobError(f"{self.what}: archive is corrupt or truncated ({exc})") from None
        missing = wanted - seen
        if missing:
            raise BlobError(f"{self.what}: {sorted(missing)[0]} is missing from the archive")

    def close(self) -> None:
        if self._tar is not None:
            self._tar.close()
            self._tar = None


def _looks_like_layer(name: str) -> bool:
    return name.endswith((".tar", ".tar.gz", ".tgz", ".tar.zst"))
