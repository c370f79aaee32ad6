"""The ``lang/java`` extractor the registry runs: which files it wants, its cached payload, and packages from it.

``NAME`` and ``VERSION`` are the cache key of every payload this extractor wrote: bump ``VERSION`` when the payload
of an archive would change, never rename.

``found_in`` is the archive's path in the image, then ``!`` and the path inside it for each nesting level
(``app.war!WEB-INF/lib/x.jar``); ``checksum`` is ``sha1:`` of that archive's bytes (a shaded artifact shares its
archive's). PURLs: ``pkg:maven/<groupId>/<artifactId>@<version>``.
"""

from __future__ import annotations

from packageurl import PackageURL

from hullscan.extract.java.archive import DEFAULT_LIMITS, ArchiveLimits, parse_archive
from hullscan.extract.java.index import ArtifactIndex, resolve_with_index
from hullscan.extract.java.model import _SUFFIXES, NESTED_SEPARATOR, JavaArchive, MavenArtifact
from hullscan.extract.licenses import license_ids
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType, Warning_

NAME = "lang/java"
VERSION = 2


def package_url(artifact: MavenArtifact) -> str:
    """``pkg:maven/<groupId>/<artifactId>@<version>`` (no namespace when the groupId is unknown)."""
    return PackageURL(
        type=PackageType.MAVEN.value,
        namespace=artifact.group_id or None,
        name=artifact.artifact_id,
        version=artifact.version,
    ).to_string()


def to_package(artifact: MavenArtifact, path: str, sha1: str, layer: LayerRef | None = None) -> Package:
    """The inventory's view of one artifact found in the image's archive at ``path``."""
    return Package(
        type=PackageType.MAVEN,
        name=artifact.artifact_id,
        version=artifact.version,
        namespace=artifact.group_id,
        licenses=license_ids(artifact.licenses),
        checksum=f"sha1:{sha1}" if sha1 else "",
        files=(path,),
        found_in=f"{path}{NESTED_SEPARATOR}{artifact.archive}" if artifact.archive else path,
        extractor=NAME,
        purl=package_url(artifact),
        layer=layer,
    )


class JavaExtractor:
    """Reads Java archives and assembles the Maven artifacts they contain."""

    def __init__(self, index: ArtifactIndex | None = None, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
        self._index = index
        self._limits = limits

    name = NAME
    version = VERSION
    payload_type = JavaArchive

    def wants(self, path: str, entry: FileEntry) -> bool:
        return path[-4:].lower() in _SUFFIXES and entry.kind in (FileKind.FILE, FileKind.HARDLINK)

    def extract(self, path: str, data: bytes) -> JavaArchive | None:
        if not data:
            return None  # an empty placeholder, not a broken archive
        return parse_archive(data, path, self._limits)

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        out: list[Package] = []
        for path, archive, layer in view.payloads(NAME, JavaArchive):
            sha1s = {record.path: record.sha1 for record in archive.archives}
            artifacts = resolve_with_index(archive, self._index) if self._index is not None else archive.artifacts
            out += (to_package(a, path, sha1s.get(a.archive, ""), layer) for a in artifacts)
        return out

    def warnings(self, view: SquashedView) -> list[Warning_]:
        """What could not be read inside the archives that survive in the image."""
        return [
            Warning_(message, path, layer, NAME)
            for path, archive, layer in view.payloads(NAME, JavaArchive)
            for message in archive.warnings
        ]
