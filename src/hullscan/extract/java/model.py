"""The payload of ``lang/java`` and the vocabulary its modules share.

:class:`JavaArchive` is what the extractor caches per layer for each archive in the image (msgspec-encoded, so
plain frozen dataclasses). Each :class:`MavenArtifact` records where inside that archive it was found and which
source named it (the ``SOURCE_*`` strings), so that assembly can tell what a ``pom.properties`` states from what the
manifest or the file name only suggest. This module has no logic: the parsers, the identity heuristics, the walk and
the assembler all depend on it and on nothing of each other's that they do not need.
"""

from __future__ import annotations

from dataclasses import dataclass

ARCHIVE_SUFFIXES = (".jar", ".war", ".ear", ".par", ".jpi", ".hpi")
"""Archives read in the image and inside other archives (all four-character suffixes: see
``JavaExtractor.wants``)."""
_SUFFIXES = frozenset(ARCHIVE_SUFFIXES)
"""For ``name[-4:].lower() in _SUFFIXES``, the one test every module here uses."""
NESTED_SEPARATOR = "!"

SOURCE_POM = "pom.properties"
SOURCE_MANIFEST = "MANIFEST.MF"
SOURCE_JENKINS = "jenkins-manifest"
SOURCE_FILE_NAME = "file-name"
SOURCE_INDEX = "sha1-index"


@dataclass(frozen=True, slots=True)
class MavenArtifact:
    """One artifact found in an archive, as the archive describes it."""

    group_id: str
    artifact_id: str
    version: str
    archive: str = ""
    """Where it was found inside the image's archive: ``""`` for the archive itself, else the nested path
    (``WEB-INF/lib/a.jar``, ``lib/a.jar!lib/b.jar``)."""
    source: str = SOURCE_POM
    """``pom.properties``, ``MANIFEST.MF``, ``jenkins-manifest`` or ``file-name``."""
    licenses: tuple[str, ...] = ()
    """Licence names as found (pom.xml and Plugin-License-Name as written; Bundle-License and LICENSE files as
    SPDX ids); mapped to SPDX ids when packages are assembled."""


@dataclass(frozen=True, slots=True)
class ArchiveRecord:
    """One archive that was opened: the image's file itself or one nested inside it."""

    path: str
    """As :attr:`MavenArtifact.archive`."""
    sha1: str
    """Hex SHA-1 of the archive's bytes."""
    identified: bool = False
    """One of its ``pom.properties`` (or a Jenkins manifest) names the archive itself: no index lookup needed."""


@dataclass(frozen=True, slots=True)
class JavaArchive:
    """The payload for one archive in the image."""

    archives: tuple[ArchiveRecord, ...] = ()
    artifacts: tuple[MavenArtifact, ...] = ()
    warnings: tuple[str, ...] = ()
    """What could not be read inside the archive (nested archives skipped, limits reached)."""


@dataclass(frozen=True, slots=True)
class MavenCoordinates:
    group_id: str
    artifact_id: str
    version: str
