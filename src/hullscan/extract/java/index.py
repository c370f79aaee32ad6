"""The seam to an index of Maven artifacts by SHA-1, and what its answers correct.

No network and no index are used by default. Trivy finds the artifact of a jar that names nothing (or names
itself wrongly) by the SHA-1 of the file in Maven Central or its ``java-db``; :class:`ArtifactIndex` is that seam:
give one to :class:`~hullscan.extract.java.extractor.JavaExtractor` and archives not identified by their own
``pom.properties`` are looked up by SHA-1 (an exact answer, which wins over the manifest's guess), and a package
named by its file name alone gets its groupId from the index. The lookup happens when packages are assembled, never
in the cached payload.
"""

from __future__ import annotations

from typing import Protocol

from hullscan.extract.java.identity import _unique
from hullscan.extract.java.model import (
    SOURCE_FILE_NAME,
    SOURCE_INDEX,
    SOURCE_POM,
    JavaArchive,
    MavenArtifact,
    MavenCoordinates,
)


class ArtifactIndex(Protocol):
    """Somewhere that knows Maven artifacts by the SHA-1 of their file (Maven Central's search, Trivy's java-db)."""

    def by_sha1(self, sha1: str) -> MavenCoordinates | None:
        """The artifact whose published file has this hex SHA-1."""
        ...

    def group_id(self, artifact_id: str, version: str) -> str | None:
        """The groupId that most likely publishes ``artifact_id`` (at ``version``), for a jar named only by its
        file name."""
        ...


def resolve_with_index(archive: JavaArchive, index: ArtifactIndex) -> tuple[MavenArtifact, ...]:
    """The artifacts after asking ``index``: an archive not identified by its own pom.properties and known by its
    SHA-1 is that artifact (its manifest or file-name guess is dropped, its licences kept); a file-name-only
    artifact without groupId gets the index's groupId."""
    artifacts = list(archive.artifacts)
    for record in archive.archives:
        if record.identified:
            continue
        hit = index.by_sha1(record.sha1)
        if hit is None:
            continue
        guesses = [a for a in artifacts if a.archive == record.path and a.source != SOURCE_POM]
        licenses = next((a.licenses for a in guesses if a.licenses), ())
        artifacts = [a for a in artifacts if a not in guesses]
        # Appended last: a pom.properties naming the same artifact stays first and the repeat is dropped below.
        artifacts.append(MavenArtifact(hit.group_id, hit.artifact_id, hit.version, record.path, SOURCE_INDEX,
                                       licenses))
    out: list[MavenArtifact] = []
    for a in artifacts:
        if a.source == SOURCE_FILE_NAME and not a.group_id:
            group = index.group_id(a.artifact_id, a.version)
            if group:
                a = MavenArtifact(group, a.artifact_id, a.version, a.archive, a.source, a.licenses)
        out.append(a)
    return tuple(_unique(out))
