"""``docker save`` archives: the legacy layout and the OCI-in-docker layout of Docker 25+.

Both carry a top-level ``manifest.json``: a list of ``{"Config": path, "RepoTags": [...], "Layers": [paths]}``.
Legacy archives name layers ``<id>/layer.tar`` (uncompressed, so their digest is their diffID); Docker 25+
names them ``blobs/sha256/<hex>``, which gives the stored digest too. Archives may be gzip or zstd compressed
as a whole (``docker save | gzip``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from hullscan.errors import ManifestError
from hullscan.image.archive import TarArchive
from hullscan.image.oci import DOCKER_MANIFEST, Manifest, parse_config
from hullscan.image.source import ImageSource, ResolvedImage, SourceOptions
from hullscan.model import Descriptor

PATH_ANNOTATION = "io.hullscan.archive.path"
_BLOB_PATH = re.compile(r"^blobs/(sha256|sha512)/([0-9a-f]+)$")


def _normalize_tag(tag: str) -> str:
    """``docker.io/library/alpine:3.11`` and ``alpine:3.11`` name the same image; ``alpine`` means ``:latest``."""
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "library/"):
        if tag.startswith(prefix):
            tag = tag[len(prefix) :]
            break
    last = tag.rpartition("/")[2]
    if ":" not in last and "@" not in last:
        tag += ":latest"
    return tag


class DockerArchiveSource(ImageSource):
    kind = "docker-archive"

    def __init__(
        self,
        path: Path,
        *,
        selector: str = "",
        options: SourceOptions | None = None,
        max_metadata_size: int = 16 << 20,
    ) -> None:
        super().__init__(f"docker-archive:{path}" + (f":{selector}" if selector else ""))
        self.path = path
        self.selector = selector
        self.options = options or SourceOptions()
        self.archive = TarArchive(path, self.name, max_metadata_size=max_metadata_size)

    def _entries(self) -> list[dict[str, Any]]:
        if not self.archive.exists("manifest.json"):
            raise ManifestError(f"{self.name}: manifest.json is missing: not a docker save archive")
        import json

        try:
            doc = json.loads(self.archive.read("manifest.json"))
        except ValueError as exc:
            raise ManifestError(f"{self.name}: manifest.json is not valid JSON ({exc})") from None
        if not isinstance(doc, list) or not doc or not all(isinstance(e, dict) for e in doc):
            raise ManifestError(f"{self.name}: manifest.json lists no images")
        return doc

    def _select(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        if self.selector:
            want = _normalize_tag(self.selector)
            for entry in entries:
                if any(_normalize_tag(str(t)) == want for t in entry.get("RepoTags") or []):
                    return entry
            tags = sorted(str(t) for e in entries for t in e.get("RepoTags") or [])
            raise ManifestError(f"{self.name}: no image tagged {self.selector!r} (tags: {', '.join(tags) or 'none'})")
        if len(entries) > 1:
            tags = sorted(str(t) for e in entries for t in e.get("RepoTags") or [])
            raise ManifestError(
                f"{self.name}: the archive holds {len(entries)} images; name one with "
                f"docker-archive:{self.path}:TAG (tags: {', '.join(tags) or 'none'})"
            )
        return entries[0]

    def _descriptor(self, member: str, media_type: str, diff_id: str = "") -> Descriptor:
        m = _BLOB_PATH.match(member)
        digest = f"{m.group(1)}:{m.group(2)}" if m else ""
        return Descriptor(
            media_type=media_type,
            digest=digest,
            size=self.archive.size(member),
            annotations=((PATH_ANNOTATION, member),),
        )

    def resolve(self) -> ResolvedImage:
        entry = self._select(self._entries())
        config_path = entry.get("Config")
        layers = entry.get("Layers")
        if not isinstance(config_path, str) or not isinstance(layers, list):
            raise ManifestError(f"{self.name}: manifest.json entry has no Config or Layers")
        config_bytes = self.archive.read(config_path)
        config_digest = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
        config = parse_config(config_bytes, config_digest, f"{self.name}: config")
        if len(layers) != len(config.diff_ids):
            raise ManifestError(
                f"{self.name}: manifest.json lists {len(layers)} layers but the config has "
                f"{len(config.diff_ids)} diff_ids"
            )
        descs = []
        for i, layer in enumerate(layers):
            if not isinstance(layer, str) or not self.archive.exists(layer):
                raise ManifestError(f"{self.name}: layer {i + 1} ({layer}) is missing from the archive")
            descs.append(self._descriptor(layer, "application/vnd.docker.image.rootfs.diff.tar"))
        manifest = Manifest(
            media_type=DOCKER_MANIFEST,
            config=Descriptor("application/vnd.docker.container.image.v1+json", config_digest, len(config_bytes)),
            layers=tuple(descs),
        )
        tags = tuple(str(t) for t in entry.get("RepoTags") or [])
        return ResolvedImage(manifest=manifest, manifest_digest="", config=config, repo_tags=tags)

    def open_blob(self, desc: Descriptor) -> BinaryIO:
        return self.archive.open(desc.annotation(PATH_ANNOTATION) or "")

    def iter_blobs(self, descs: Sequence[Descriptor]) -> Iterator[tuple[Descriptor, BinaryIO]]:
        if self.archive.seekable:
            yield from super().iter_blobs(descs)
            return
        by_name = {self.archive.resolve(d.annotation(PATH_ANNOTATION) or ""): d for d in descs}
        for name, stream in self.archive.stream(set(by_name)):
            yield by_name[name], stream

    def close(self) -> None:
        self.archive.close()
