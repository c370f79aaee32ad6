"""lang/java: Maven artifacts inside Java archives (``.jar``, ``.war``, ``.ear``, ``.par``, Jenkins ``.jpi``/``.hpi``).

A Java archive is a zip file (https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html). Each archive in
the image, and each archive nested inside one to any depth (Spring Boot's ``BOOT-INF/lib/*.jar``, a web
application's ``WEB-INF/lib/*.jar``, ``lib/*.jar`` in a ``.par``), is read from memory with :mod:`zipfile`, and
what it contains is identified in this order, as Trivy's jar parser does (``pkg/dependency/parser/java/jar``):

1. Every ``pom.properties`` in the archive (``groupId``, ``artifactId``, ``version``; Maven writes one under
   ``META-INF/maven/<groupId>/<artifactId>/``, shaded jars carry one per artifact they swallowed) is an artifact
   found in that archive. One whose artifactId and version are those of the archive's file name
   (``name-1.2.3.jar``) is the archive's own.
2. Otherwise the archive's own artifact comes from the main section of ``META-INF/MANIFEST.MF`` and its file name
   (a Jenkins plugin's ``Group-Id``/``Short-Name``/``Plugin-Version`` first), taking only what looks like Maven
   coordinates: the heuristics, and when a guess is an artifact already listed, are in :mod:`.identity`.

Then come the licences each artifact states, and, only when an index is given, a lookup by SHA-1.

One concept per module:

===================  ==========================================================================================
module               holds
===================  ==========================================================================================
:mod:`.model`        the cached payload (:class:`JavaArchive`, :class:`MavenArtifact`...), suffixes, ``SOURCE_*``
:mod:`.metadata`     parsers: ``pom.properties``, ``MANIFEST.MF``, file names, ``module-info.class``; Maven versions
:mod:`.identity`     an archive's own artifact from its manifest and file name; repeats of one artifact
:mod:`.licensing`    licences from the embedded pom.xml, manifest headers and a ``LICENSE`` file
:mod:`.archive`      the walk over an archive and the archives nested in it, within :class:`ArchiveLimits`
:mod:`.index`        the SHA-1 index seam (:class:`ArtifactIndex`) and what its answers correct
:mod:`.extractor`    :class:`JavaExtractor` (``lang/java``): what it wants, its payload, packages and warnings
===================  ==========================================================================================

Code outside this package imports from it (``from hullscan.extract.java import JavaExtractor``), not from its
modules: ``__all__`` below is the public surface. Names with a leading underscore are private to the package and
shared between its modules.
"""

from __future__ import annotations

from hullscan.extract.java.archive import DEFAULT_LIMITS, ArchiveLimits, parse_archive
from hullscan.extract.java.extractor import NAME, VERSION, JavaExtractor, package_url, to_package
from hullscan.extract.java.identity import clean_version, manifest_artifact_id, manifest_group_id, manifest_version
from hullscan.extract.java.index import ArtifactIndex, resolve_with_index
from hullscan.extract.java.licensing import bundle_license_ids, manifest_license_names, parse_pom_licenses
from hullscan.extract.java.metadata import (
    parse_file_name,
    parse_manifest,
    parse_module_name,
    parse_pom_properties,
    version_key,
)
from hullscan.extract.java.model import (
    ARCHIVE_SUFFIXES,
    NESTED_SEPARATOR,
    SOURCE_FILE_NAME,
    SOURCE_INDEX,
    SOURCE_JENKINS,
    SOURCE_MANIFEST,
    SOURCE_POM,
    ArchiveRecord,
    JavaArchive,
    MavenArtifact,
    MavenCoordinates,
)
from hullscan.extract.licenses import classify_license_file, license_ids

__all__ = [
    "ARCHIVE_SUFFIXES",
    "DEFAULT_LIMITS",
    "NAME",
    "NESTED_SEPARATOR",
    "SOURCE_FILE_NAME",
    "SOURCE_INDEX",
    "SOURCE_JENKINS",
    "SOURCE_MANIFEST",
    "SOURCE_POM",
    "VERSION",
    "ArchiveLimits",
    "ArchiveRecord",
    "ArtifactIndex",
    "JavaArchive",
    "JavaExtractor",
    "MavenArtifact",
    "MavenCoordinates",
    "bundle_license_ids",
    "classify_license_file",
    "clean_version",
    "license_ids",
    "manifest_artifact_id",
    "manifest_group_id",
    "manifest_license_names",
    "manifest_version",
    "package_url",
    "parse_archive",
    "parse_file_name",
    "parse_manifest",
    "parse_module_name",
    "parse_pom_licenses",
    "parse_pom_properties",
    "resolve_with_index",
    "to_package",
    "version_key",
]
