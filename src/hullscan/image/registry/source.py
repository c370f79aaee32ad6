"""The registry as an :class:`~hullscan.image.source.ImageSource`: manifests, indexes, configs and blobs.

Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md (pull only). This is what a pull
asks the registry for; how each request is authenticated, redirected and retried is :mod:`.client`'s business.

Manifests and configs are small documents: read whole (at most :data:`~.client.MAX_DOCUMENT_SIZE`) and verified
against the digest we asked for. Layers are not: :meth:`RegistrySource.open_blob` hands out the response as a
stream and the caller verifies it while reading.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable
from typing import BinaryIO

from hullscan.errors import BlobError, HullscanError, ManifestError, UnsafeImageError
from hullscan.image.oci import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    DOCKER_SCHEMA1,
    DOCKER_SCHEMA1_SIGNED,
    INDEX_TYPES,
    MANIFEST_TYPES,
    OCI_INDEX,
    OCI_MANIFEST,
    SCHEMA1_TYPES,
    load_json,
    media_type_of,
    parse_config,
    parse_index,
    parse_manifest,
    select_platform,
    valid_digest,
)
from hullscan.image.registry.client import MAX_DOCUMENT_SIZE, RegistryClient
from hullscan.image.registry.reference import parse_reference
from hullscan.image.registry.transport import _BlobStream, _reason
from hullscan.image.source import ImageSource, ResolvedImage, SourceOptions
from hullscan.model import Descriptor, ImageConfig, Platform

__all__ = ["MANIFEST_ACCEPT", "RegistrySource"]

MANIFEST_ACCEPT = ", ".join(
    # Schema 1 is accepted only so that a registry holding nothing else answers with it and we can say
    # "unsupported" instead of a puzzling 404.
    (OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST, DOCKER_SCHEMA1_SIGNED, DOCKER_SCHEMA1)
)
_BLOB_BUFFER = 1024 * 1024


def _digest_like(data: bytes, digest: str) -> str:
    """The digest of ``data`` computed with the algorithm ``digest`` names (``sha256:``, ``sha512:``)."""
    algorithm = digest.split(":", 1)[0]
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


class RegistrySource(ImageSource, RegistryClient):
    """An image in a registry, read over the OCI Distribution API with urllib3."""

    kind = "registry"

    def __init__(
        self,
        reference: str,
        options: SourceOptions | None = None,
        *,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``reference`` is a bare reference (``host/repo:tag``), without any ``registry:`` prefix.

        ``options.retries`` is the number of retries after the first attempt; ``backoff`` the first delay.
        """
        parsed = parse_reference(reference)
        ImageSource.__init__(self, f"registry:{parsed}")
        RegistryClient.__init__(self, parsed, options or SourceOptions(), backoff=backoff, sleep=sleep)

    # -- public

    def resolve(self) -> ResolvedImage:
        ref = self.reference
        data, media_type, digest = self._fetch_manifest(ref.digest or ref.tag or "latest", ref.digest, -1)
        # Docker's RepoDigests name what the reference points to: for a multi-platform image, the index.
        pinned = digest
        if media_type in INDEX_TYPES:
            index = parse_index(data, f"{self.name}: image index")
            wanted = self.options.platform or Platform.host()
            chosen = select_platform(index, wanted, self.name)
            data, media_type, digest = self._fetch_manifest(chosen.digest, chosen.digest, chosen.size)
            if media_type in INDEX_TYPES:
                raise ManifestError(f"{self.name}: index entry {chosen.digest} is itself an index (unsupported)")
        manifest = parse_manifest(data, f"{self.name}: manifest {digest}")
        config = self._fetch_config(manifest.config)
        wanted_platform = self.options.platform
        if wanted_platform is not None and config.os and config.architecture:
            have = Platform(config.os, config.architecture, config.variant)
            if not wanted_platform.matches(have):
                raise ManifestError(f"{self.name}: the image is for {have}, not for {wanted_platform}")
        where = f"{ref.host}/{ref.repository}"
        return ResolvedImage(
            manifest=manifest,
            manifest_digest=digest,
            config=config,
            repo_tags=(f"{where}:{ref.tag}",) if ref.tag and not ref.digest else (),
            repo_digests=(f"{where}@{pinned}",),
        )

    def open_blob(self, desc: Descriptor) -> BinaryIO:
        if not valid_digest(desc.digest):
            raise BlobError(f"{self.name}: invalid blob digest {desc.digest!r}")
        what = f"blob {desc.digest}"
        resp = self._open(f"{self._base}/blobs/{desc.digest}", what, decode=False)
        if resp.status != 200:
            self._status_error(resp, what, BlobError)
        length = resp.headers.get("Content-Length", "")
        if desc.size >= 0 and length.isdigit() and int(length) != desc.size:
            resp.close()
            raise BlobError(f"{self.name}: {what} is {length} bytes in the registry, the manifest says {desc.size}")

        def fail(exc: BaseException, done: int) -> HullscanError:
            return BlobError(f"{self.name}: {what}: download broke after {done} bytes ({_reason(exc)})")

        return io.BufferedReader(_BlobStream(resp, fail), buffer_size=_BLOB_BUFFER)

    def close(self) -> None:
        self._pool.clear()

    # -- manifests and configs

    def _fetch_manifest(self, ref: str, expected: str | None, size: int) -> tuple[bytes, str, str]:
        """Bytes, media type and digest of the manifest ``ref`` names, verified against ``expected``."""
        what = f"manifest {ref}"
        if size > MAX_DOCUMENT_SIZE:
            raise UnsafeImageError(f"{self.name}: {what} claims {size} bytes (limit {MAX_DOCUMENT_SIZE})")
        data, headers = self._read_document(f"{self._base}/manifests/{ref}", what, ManifestError, MANIFEST_ACCEPT)
        if expected is not None:
            digest = _digest_like(data, expected)
            if digest != expected:
                raise ManifestError(f"{self.name}: {what} does not match its digest (got {digest})")
        else:
            digest = _digest_like(data, "sha256:")
            claimed = headers.get("Docker-Content-Digest", "").strip()
            if valid_digest(claimed) and _digest_like(data, claimed) != claimed:
                raise ManifestError(
                    f"{self.name}: {what} does not match the Docker-Content-Digest {claimed} sent with it"
                )
        if size >= 0 and len(data) != size:
            raise ManifestError(f"{self.name}: {what} is {len(data)} bytes, the index says {size}")
        doc = load_json(data, f"{self.name}: {what}")
        media_type = doc.get("mediaType")
        if not isinstance(media_type, str) or not media_type:
            content_type = headers.get("Content-Type", "").split(";", 1)[0].strip()
            known = INDEX_TYPES | MANIFEST_TYPES | SCHEMA1_TYPES
            media_type = content_type if content_type in known else media_type_of(doc)
        if media_type in SCHEMA1_TYPES or doc.get("schemaVersion") == 1:
            raise ManifestError(
                f"{self.name}: {what} is a Docker schema 1 manifest, which is unsupported "
                "(deprecated since 2017; push the image again with a current client)"
            )
        if media_type not in INDEX_TYPES | MANIFEST_TYPES:
            raise ManifestError(f"{self.name}: {what} has unsupported media type {media_type or 'unknown'!r}")
        return data, media_type, digest

    def _fetch_config(self, desc: Descriptor) -> ImageConfig:
        what = f"config blob {desc.digest}"
        if desc.size > MAX_DOCUMENT_SIZE:
            raise UnsafeImageError(f"{self.name}: {what} claims {desc.size} bytes (limit {MAX_DOCUMENT_SIZE})")
        data, _ = self._read_document(f"{self._base}/blobs/{desc.digest}", what, BlobError, None)
        digest = _digest_like(data, desc.digest)
        if digest != desc.digest:
            raise BlobError(f"{self.name}: {what} does not match its digest (got {digest})")
        if desc.size >= 0 and len(data) != desc.size:
            raise BlobError(f"{self.name}: {what} is {len(data)} bytes, the manifest says {desc.size}")
        return parse_config(data, desc.digest, f"{self.name}: {what}")
