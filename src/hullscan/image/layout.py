"""OCI image layouts, as a directory (``oci:DIR``) or a tar of one (``oci-archive:FILE``).

Spec: https://github.com/opencontainers/image-spec/blob/main/image-layout.md. ``index.json`` lists manifests
(tagged with ``org.opencontainers.image.ref.name``); an entry may itself be an image index (``buildx``,
``skopeo copy --all``), which is resolved by platform.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from hullscan.errors import BlobError, ManifestError, UnsafeImageError
from hullscan.image.archive import TarArchive
from hullscan.image.oci import (
    ANNOTATION_REF_NAME,
    INDEX_TYPES,
    load_json,
    media_type_of,
    parse_config,
    parse_index,
    parse_manifest,
    select_platform,
    valid_digest,
)
from hullscan.image.source import ImageSource, ResolvedImage, SourceOptions
from hullscan.model import Descriptor, Platform

MAX_INDEX_DEPTH = 4


class BlobStore(Protocol):
    """Where a layout's files live: a directory or a tar archive."""

    def exists(self, name: str) -> bool: ...
    def size(self, name: str) -> int: ...
    def read(self, name: str) -> bytes: ...


class DirStore:
    def __init__(self, root: Path, what: str, max_metadata_size: int) -> None:
        self.root = root
        self.what = what
        self.max_metadata_size = max_metadata_size

    def _path(self, name: str) -> Path:
        return self.root / name

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def size(self, name: str) -> int:
        try:
            return self._path(name).stat().st_size
        except OSError:
            return -1

    def read(self, name: str) -> bytes:
        path = self._path(name)
        try:
            size = path.stat().st_size
            if size > self.max_metadata_size:
                raise UnsafeImageError(f"{self.what}: {name} is {size} bytes, too large for metadata")
            return path.read_bytes()
        except FileNotFoundError:
            raise ManifestError(f"{self.what}: {name} is missing") from None
        except OSError as exc:
            raise ManifestError(f"{self.what}: cannot read {name} ({exc.strerror})") from None

    def open(self, name: str) -> BinaryIO:
        try:
            return self._path(name).open("rb")
        except FileNotFoundError:
            raise BlobError(f"{self.what}: blob {name} is missing") from None
        except OSError as exc:
            raise BlobError(f"{self.what}: cannot read {name} ({exc.strerror})") from None


def blob_name(digest: str) -> str:
    if not valid_digest(digest):  # also keeps a hostile digest from naming a path outside blobs/
        raise ManifestError(f"invalid digest {digest!r}")
    algo, _, hexpart = digest.partition(":")
    return f"blobs/{algo}/{hexpart}"


def read_verified(store: BlobStore, desc: Descriptor, what: str) -> bytes:
    data = store.read(blob_name(desc.digest))
    algo, _, hexpart = desc.digest.partition(":")
    if hashlib.new(algo, data).hexdigest() != hexpart:
        raise BlobError(f"{what}: blob {desc.digest} does not match its digest")
    if desc.size >= 0 and len(data) != desc.size:
        raise BlobError(f"{what}: blob {desc.digest} has {len(data)} bytes, the descriptor says {desc.size}")
    return data


class OCILayoutSource(ImageSource):
    """An OCI image layout, from a directory or an archive."""

    def __init__(
        self,
        path: Path,
        *,
        selector: str = "",
        archive: bool = False,
        options: SourceOptions | None = None,
        max_metadata_size: int = 16 << 20,
    ) -> None:
        self.kind = "oci-archive" if archive else "oci"
        shown = "" if not selector else selector if selector.startswith("@") else f":{selector}"
        super().__init__(f"{self.kind}:{path}{shown}")
        self.path = path
        self.selector = selector
        self.options = options or SourceOptions()
        self._archive: TarArchive | None = None
        self._dir: DirStore | None = None
        if archive:
            self._archive = TarArchive(path, self.name, max_metadata_size=max_metadata_size)
        else:
            if not path.is_dir():
                raise ManifestError(f"{self.name}: not a directory")
            self._dir = DirStore(path, self.name, max_metadata_size)

    @property
    def store(self) -> BlobStore:
        store: BlobStore | None = self._archive or self._dir
        assert store is not None
        return store

    def _index_entry(self) -> Descriptor:
        if not self.store.exists("index.json"):
            raise ManifestError(f"{self.name}: index.json is missing: not an OCI image layout")
        index = parse_index(self.store.read("index.json"), f"{self.name}: index.json")
        entries = index.manifests
        if not entries:
            raise ManifestError(f"{self.name}: index.json lists no images")
        sel = self.selector
        if sel.startswith("@"):
            found = [d for d in entries if d.digest == sel[1:]]
            if not found:
                raise ManifestError(f"{self.name}: invalid OCI image ref: no manifest with digest {sel[1:]}")
            return found[0]
        if sel:
            found = [d for d in entries if d.annotation(ANNOTATION_REF_NAME) == sel]
            if not found:
                tags = sorted({d.annotation(ANNOTATION_REF_NAME) or "" for d in entries} - {""})
                raise ManifestError(
                    f"{self.name}: invalid OCI image ref: no image tagged {sel!r}"
                    + (f" (tags: {', '.join(tags)})" if tags else " (the layout has no tags)")
                )
            return found[0]
        if len(entries) == 1:
            return entries[0]
        if all(d.platform is not None for d in entries):
            return select_platform(index, self.options.platform or Platform.host(), self.name)
        tags = sorted({d.annotation(ANNOTATION_REF_NAME) or d.digest for d in entries})
        raise ManifestError(f"{self.name}: the layout holds {len(entries)} images; name one: {', '.join(tags)}")

    def resolve(self) -> ResolvedImage:
        desc = self._index_entry()
        tag = desc.annotation(ANNOTATION_REF_NAME) or ""
        for _ in range(MAX_INDEX_DEPTH):
            data = read_verified(self.store, desc, self.name)
            mt = desc.media_type or media_type_of(load_json(data, f"{self.name}: {desc.digest}"))
            if mt not in INDEX_TYPES:
                break
            index = parse_index(data, f"{self.name}: index {desc.digest}")
            desc = select_platform(index, self.options.platform or Platform.host(), self.name)
        else:
            raise ManifestError(f"{self.name}: image indexes nested too deep")
        manifest = parse_manifest(data, f"{self.name}: manifest {desc.digest}")
        config_bytes = read_verified(self.store, manifest.config, f"{self.name}: config")
        config = parse_config(config_bytes, manifest.config.digest, f"{self.name}: config")
        return ResolvedImage(
            manifest=manifest,
            manifest_digest=desc.digest,
            config=config,
            repo_tags=(tag,) if tag else (),
        )

    def open_blob(self, desc: Descriptor) -> BinaryIO:
        name = blob_name(desc.digest)
        if self._dir is not None:
            return self._dir.open(name)
        assert self._archive is not None
        if not self._archive.exists(name):
            raise BlobError(f"{self.name}: blob {desc.digest} is missing")
        return self._archive.open(name)

    def iter_blobs(self, descs: Sequence[Descriptor]) -> Iterator[tuple[Descriptor, BinaryIO]]:
        if self._archive is None or self._archive.seekable:
            yield from super().iter_blobs(descs)
            return
        by_name = {self._archive.resolve(blob_name(d.digest)): d for d in descs}
        for name, stream in self._archive.stream(set(by_name)):
            yield by_name[name], stream

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
