"""The one interface every image source implements.

A source resolves a reference to a manifest and config, then hands out the layer blobs as raw (still
compressed) byte streams. Verification of digests and diffIDs, decompression and limits are not the source's
business: :mod:`hullscan.image.blob` wraps every stream the same way, whatever it came from.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO

from hullscan.image.oci import Manifest
from hullscan.model import Descriptor, ImageConfig, Platform


@dataclass(frozen=True, slots=True)
class SourceOptions:
    """What a user can say about how to reach an image."""

    platform: Platform | None = None
    """Which image of a multi-platform index; ``None`` means this machine's platform."""
    insecure: bool = False
    """Plain HTTP (and unverified TLS) for registries."""
    username: str | None = None
    password: str | None = None
    docker_config: str | None = None
    """Path of a Docker ``config.json`` (default ``~/.docker/config.json``)."""
    timeout: float = 60.0
    retries: int = 4


@dataclass(frozen=True, slots=True)
class ResolvedImage:
    """A reference resolved to one image: its manifest (and digest) and its parsed config."""

    manifest: Manifest
    manifest_digest: str
    config: ImageConfig
    repo_tags: tuple[str, ...] = ()
    repo_digests: tuple[str, ...] = ()


class ImageSource(abc.ABC):
    """A place images come from: a docker archive, an OCI layout, a registry."""

    kind: str = ""
    """``docker-archive``, ``oci``, ``oci-archive``, ``registry``."""

    def __init__(self, name: str) -> None:
        self.name = name
        """The reference as shown in messages and reports."""

    @abc.abstractmethod
    def resolve(self) -> ResolvedImage:
        """Find the image the reference names. Raises :class:`~hullscan.errors.ImageError` subclasses."""

    @abc.abstractmethod
    def open_blob(self, desc: Descriptor) -> BinaryIO:
        """The raw bytes of one blob, as a stream the caller closes. Not verified here."""

    def iter_blobs(self, descs: Sequence[Descriptor]) -> Iterator[tuple[Descriptor, BinaryIO]]:
        """Stream the given blobs, each at most once, in whatever order this source reads fastest.

        Each stream must be consumed (or abandoned) before the next is taken. The default takes them in the
        order given; a source that can only read forward (a compressed archive) overrides this.
        """
        for desc in descs:
            stream = self.open_blob(desc)
            try:
                yield desc, stream
            finally:
                stream.close()

    def close(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """Release files and connections."""

    def __enter__(self) -> ImageSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
