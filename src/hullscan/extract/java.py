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
   (a Jenkins plugin's ``Group-Id``/``Short-Name``/``Plugin-Version`` first). Only what looks like Maven
   coordinates is taken: an artifactId is ``[A-Za-z0-9_.-]+`` (a title such as "Apache Commons Lang" or "Mockito
   Mock Library for Java. Core bundle..." is prose, and a Bundle-Name repeating the symbolic name
   ``org.objectweb.asm.tree`` is a package), a version starts with a digit and is one word (``5.13.0 (b0)`` is
   ``5.13.0``; ``unspecified`` is none).

   - The artifactId is an ``Implementation-Title``, ``Specification-Title`` or ``Bundle-Name`` that looks like one
     (Debian renames ``tomcat-api-9.0.70.jar`` to ``tomcat9-api-9.0.70.jar``; its Bundle-Name is ``tomcat-api``),
     spelled as the file name spells it or else in lower case ("JUnit" is ``junit``), split from a version it
     carries (``lz4-java-1.8.0``); with the manifest's version (``Implementation-Version``, ``Bundle-Version``,
     ``Specification-Version``), else the file name's.
   - Else the file name (``name-1.2.3.jar``) gives the artifactId and version: its version wins over a stale
     manifest's (``xercesImpl-2.12.0.jar`` says ``2.11.0``).
   - Else, as Trivy offline, a title of a few plain words ("Spring Framework") with the manifest's version and a
     groupId; never a sentence.

   The groupId: ``Implementation-Vendor-Id``; else the ``Bundle-SymbolicName`` without its last segment when that
   segment names the artifact (``com.fasterxml.jackson.core.jackson-databind`` -> ``com.fasterxml.jackson.core``;
   Guice's ``com.google.inject`` is kept whole; two segments are kept: ``org.hamcrest``); else the module name
   (``Automatic-Module-Name``, or the ``module-info.class`` of a modular jar) where it spells the artifactId
   (``org.apache.tomcat.catalina.ha`` and ``tomcat-catalina-ha`` -> ``org.apache.tomcat``), else without its last
   segment; else a vendor header that reads like a groupId (free text such as "JBoss by Red Hat" is not one). A
   symbolic or module name that extends the groupId found first is more specific and wins (Apache's parent pom
   writes ``Implementation-Vendor-Id: org.apache`` into every project's jar). Without a groupId the package has an
   empty namespace rather than an invented one (Trivy asks Maven Central; see the index below).

   Some jars do not carry their coordinates at all: ASM's symbolic names say ``org.objectweb.asm`` where Maven
   says ``org.ow2.asm``, commons-logging's manifest says ``org.apache``, a jar without headers has no groupId.
   Those need the index.

A manifest (or file name) identity that describes an artifact a ``pom.properties`` of the same archive already
lists (the same version, or names that contain one another: ``Gson``/``gson``) is that artifact, not a second
one. Repeats of one artifact in one archive are listed once (versions compared as Maven does: ``1.1`` is
``1.1.0``).

Licences, first source wins, as Trivy: ``<licenses>`` of the embedded ``META-INF/maven/<g>/<a>/pom.xml`` for
that artifact; then, for an archive's single artifact, the manifest's Jenkins ``Plugin-License-Name*`` headers or
its OSGi ``Bundle-License`` (entries that are SPDX ids or licence URLs only); then the one ``LICENSE`` file at the
archive root or in ``META-INF`` (two such files: whose is which is unknown, so none), recognised by the opening
of a few common licence texts.

No network and no index are used by default. Trivy finds the artifact of a jar that names nothing (or names
itself wrongly) by the SHA-1 of the file in Maven Central or its ``java-db``; :class:`ArtifactIndex` is that seam:
give one to :class:`JavaExtractor` and archives not identified by their own ``pom.properties`` are looked up by
SHA-1 (an exact answer, which wins over the manifest's guess), and a package named by its file name alone gets
its groupId from the index. The lookup happens when packages are assembled, never in the cached payload.

Untrusted archives are read within bounds (:class:`ArchiveLimits`): the nesting depth, the bytes decompressed per
archive in the image (nested archives and metadata files together), the entries of one archive and of all of them,
and the number of nested archives. Only metadata files (``module-info.class`` among them, for an archive its
pom.properties do not name) and nested archives are ever decompressed, each after checking its declared size, so a
zip bomb whose payload is anything else costs nothing. An archive in the image that is not a zip, or is cut short,
is a warning (:class:`~hullscan.extract.base.ExtractError`); a nested one that is broken, too deep, too big or has
an entry name that climbs out (``../x.jar``) is skipped with a warning carried in the payload, and the rest of the
archive still counts.

``found_in`` is the archive's path in the image, then ``!`` and the path inside it for each nesting level
(``app.war!WEB-INF/lib/x.jar``); ``checksum`` is ``sha1:`` of that archive's bytes (a shaded artifact shares its
archive's). PURLs: ``pkg:maven/<groupId>/<artifactId>@<version>``.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from packageurl import PackageURL

from hullscan.extract.base import ExtractError
from hullscan.extract.licenses import classify_license_file as classify_license_file
from hullscan.extract.licenses import license_ids as license_ids
from hullscan.extract.licenses import license_name_id, license_url_id
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType, Warning_

NAME = "lang/java"
VERSION = 2

ARCHIVE_SUFFIXES = (".jar", ".war", ".ear", ".par", ".jpi", ".hpi")
"""Archives read in the image and inside other archives (all four-character suffixes: see ``wants``)."""
_SUFFIXES = frozenset(ARCHIVE_SUFFIXES)
NESTED_SEPARATOR = "!"

SOURCE_POM = "pom.properties"
SOURCE_MANIFEST = "MANIFEST.MF"
SOURCE_JENKINS = "jenkins-manifest"
SOURCE_FILE_NAME = "file-name"
SOURCE_INDEX = "sha1-index"


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Bounds for reading one archive of the image, nested archives included."""

    max_depth: int = 8
    """Archives nested deeper than this (the image's archive is depth 0) are not opened."""
    max_total_bytes: int = 512 << 20
    """Bytes decompressed for one archive in the image: nested archives plus metadata files, at every level."""
    max_metadata_size: int = 4 << 20
    """Largest MANIFEST.MF, pom.xml or LICENSE read (real ones are a few KB; big OSGi manifests ~1 MB)."""
    max_properties_size: int = 64 << 10
    """Largest pom.properties read (Maven writes ~100 bytes)."""
    max_entries: int = 200_000
    """Entries of one archive's central directory (the largest real jars have ~100k)."""
    max_directory_size: int = 64 << 20
    """Bytes of one archive's central directory: what :mod:`zipfile` turns into objects."""
    max_total_entries: int = 1_000_000
    """Entries over all the archives nested in one archive of the image."""
    max_archives: int = 10_000
    """Archives opened for one archive of the image (Spring Boot fat jars hold a few hundred)."""


DEFAULT_LIMITS = ArchiveLimits()


# ---------------------------------------------------------------------------------------------- payload


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


# ---------------------------------------------------------------------------------------------- the index seam


@dataclass(frozen=True, slots=True)
class MavenCoordinates:
    group_id: str
    artifact_id: str
    version: str


class ArtifactIndex(Protocol):
    """Somewhere that knows Maven artifacts by the SHA-1 of their file (Maven Central's search, Trivy's java-db)."""

    def by_sha1(self, sha1: str) -> MavenCoordinates | None:
        """The artifact whose published file has this hex SHA-1."""
        ...

    def group_id(self, artifact_id: str, version: str) -> str | None:
        """The groupId that most likely publishes ``artifact_id`` (at ``version``), for a jar named only by its
        file name."""
        ...


# ---------------------------------------------------------------------------------------------- small parsers


def parse_pom_properties(data: bytes) -> MavenCoordinates | None:
    """``groupId``, ``artifactId`` and ``version`` of a ``pom.properties`` (Java properties syntax); ``None``
    unless all three are there and none is a ``${placeholder}``.

    >>> parse_pom_properties(b"#Generated by Maven\\ngroupId=org.slf4j\\nartifactId : slf4j-api\\nversion 1.7.30\\n")
    MavenCoordinates(group_id='org.slf4j', artifact_id='slf4j-api', version='1.7.30')
    """
    values: dict[str, str] = {}
    for line in _property_lines(data.decode("utf-8", errors="replace")):
        key, value = _split_property(line)
        if key in ("groupId", "artifactId", "version"):
            values[key] = value
    group, artifact, version = (values.get(k, "") for k in ("groupId", "artifactId", "version"))
    if not group or not artifact or not version or "${" in group + artifact + version:
        return None  # incomplete, or a template (Maven archetypes ship ``version=${version}``)
    return MavenCoordinates(group, artifact, version)


def _property_lines(text: str) -> Iterator[str]:
    """Logical lines of a properties file: comments dropped, ``\\``-continued lines joined."""
    pending = ""
    for raw in text.splitlines():
        line = raw.lstrip()
        if not pending and (not line or line[0] in "#!"):
            continue
        backslashes = len(line) - len(line.rstrip("\\"))
        if backslashes % 2:
            pending += line[:-1]
            continue
        yield pending + line
        pending = ""
    if pending:
        yield pending


_PROPERTY_SEPARATOR = re.compile(r"(?<!\\)(?:\s*[=:]\s*|\s+)")
_ESCAPE = re.compile(r"\\(.)")


def _split_property(line: str) -> tuple[str, str]:
    m = _PROPERTY_SEPARATOR.search(line)
    if m is None:
        return _ESCAPE.sub(r"\1", line), ""
    return _ESCAPE.sub(r"\1", line[: m.start()]), _ESCAPE.sub(r"\1", line[m.end() :]).strip()


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def parse_manifest(data: bytes) -> dict[str, str]:
    """The main section of a ``MANIFEST.MF``: header name (lowercased: names are case-insensitive) -> value.

    The main section ends at the first empty line; the sections after it describe entries, not the archive.
    Continuation lines (a leading space) are joined without a separator. Values that are bundle localisation
    variables (``%bundleName``) are left out. A ``Plugin-License-Name`` repeated keeps every value, joined by
    newlines.

    >>> parse_manifest(b"Manifest-Version: 1.0\\r\\nImplementation-Title: Spring Fr\\r\\n amework\\r\\n\\r\\nName: x")
    {'manifest-version': '1.0', 'implementation-title': 'Spring Framework'}
    """
    headers: dict[str, str] = {}
    current: list[str] = []

    def flush() -> None:
        if not current:
            return
        name, sep, value = "".join(current).partition(":")
        current.clear()
        name, value = name.strip().lower(), value.strip()
        if not sep or not name or not value or value.startswith("%"):
            return
        headers[name] = value

    for line in _LINE_BREAK.split(data.decode("utf-8", errors="replace")):
        if not line:
            if current or headers:
                break  # the end of the main section
            continue  # blank lines before any header: tolerated
        if line.startswith(" "):
            current.append(line[1:])
            continue
        flush()
        current.append(line)
    flush()
    return headers


_FILE_NAME = re.compile(
    r"(?P<artifact>[A-Za-z0-9._-]*[A-Za-z0-9._])-(?P<version>\d[^\s/]*)\.(?:jar|war|ear|par|jpi|hpi)",
    re.IGNORECASE,
)


def parse_file_name(name: str) -> tuple[str, str]:
    """``(artifactId, version)`` from an archive's file name, split at the last ``-<digit>``; ``("", "")`` when
    it has no version.

    >>> parse_file_name("log4j-1.2-api-2.19.0.jar"), parse_file_name("guava-31.1-jre.jar"), parse_file_name("app.jar")
    (('log4j-1.2-api', '2.19.0'), ('guava', '31.1-jre'), ('', ''))
    """
    m = _FILE_NAME.fullmatch(posixpath.basename(name))
    if m is None:
        return "", ""
    return m.group("artifact"), m.group("version")


# Constant pool entry sizes after the tag byte (JVMS 4.4), for the tags other than CONSTANT_Utf8 (1).
_CONSTANT_SIZES = {3: 4, 4: 4, 5: 8, 6: 8, 7: 2, 8: 2, 9: 4, 10: 4, 11: 4, 12: 4, 15: 3, 16: 2, 17: 4, 18: 4, 19: 2,
                   20: 2}
_CONSTANT_MODULE = 19
_MODULE_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*")


def parse_module_name(data: bytes) -> str:
    """The module name declared by a ``module-info.class`` (its ``Module`` attribute, JVMS 4.7.25); ``""`` when
    the data is no such class file. Only the constant pool and the attribute table are walked, within bounds."""
    try:
        if data[:4] != b"\xca\xfe\xba\xbe":
            return ""
        (count,) = struct.unpack_from(">H", data, 8)
        pos, index = 10, 1
        utf8: dict[int, bytes] = {}
        modules: dict[int, int] = {}
        while index < count:
            tag = data[pos]
            if tag == 1:
                (length,) = struct.unpack_from(">H", data, pos + 1)
                utf8[index] = data[pos + 3 : pos + 3 + length]
                pos += 3 + length
            elif (size := _CONSTANT_SIZES.get(tag)) is not None:
                if tag == _CONSTANT_MODULE:
                    (modules[index],) = struct.unpack_from(">H", data, pos + 1)
                pos += 1 + size
                index += tag in (5, 6)  # longs and doubles take two entries
            else:
                return ""
            index += 1
        (interfaces,) = struct.unpack_from(">H", data, pos + 6)
        pos += 8 + 2 * interfaces
        for _ in range(2):  # fields, then methods (a module-info.class has none, but skip them if present)
            (members,) = struct.unpack_from(">H", data, pos)
            pos += 2
            for _ in range(members):
                (attributes,) = struct.unpack_from(">H", data, pos + 6)
                pos += 8
                for _ in range(attributes):
                    (length,) = struct.unpack_from(">I", data, pos + 2)
                    pos += 6 + length
        (attributes,) = struct.unpack_from(">H", data, pos)
        pos += 2
        for _ in range(attributes):
            name_index, length = struct.unpack_from(">HI", data, pos)
            if utf8.get(name_index) == b"Module":
                (module_index,) = struct.unpack_from(">H", data, pos + 6)
                name = utf8.get(modules.get(module_index, 0), b"").decode("utf-8", errors="replace")
                return name if _MODULE_NAME.fullmatch(name) else ""
            pos += 6 + length
    except (struct.error, IndexError):
        return ""
    return ""


def _module_info(zf: zipfile.ZipFile, headers: dict[str, str]) -> zipfile.ZipInfo | None:
    """The archive's ``module-info.class``: at its root, else (a multi-release jar) under ``META-INF/versions``."""
    names = ["module-info.class"]
    if headers.get("multi-release", "").strip().lower() == "true":
        names += [f"META-INF/versions/{release}/module-info.class" for release in range(9, 64)]
    for name in names:
        try:
            return zf.getinfo(name)
        except KeyError:
            continue
    return None


_NULL_QUALIFIERS = frozenset({"", "0", "final", "ga", "release"})
_VERSION_SPLIT = re.compile(r"[.\-_]|(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)")


def version_key(version: str) -> tuple[str, ...]:
    """A key under which versions Maven holds equal compare equal: ``1.1`` = ``1.1.0``, ``2.15.0.rc2`` =
    ``2.15.0-rc2``, ``1.0.Final`` = ``1``.

    >>> version_key("1.1.0") == version_key("1.1"), version_key("2.15.0.rc2") == version_key("2.15.0-RC2")
    (True, True)
    >>> version_key("31.1.0.jre") == version_key("31.1-jre"), version_key("1.0.1") == version_key("1.1")
    (True, False)
    """
    items: list[str] = []
    for token in _VERSION_SPLIT.split(version.strip().lower()):
        if token.isdigit():
            items.append(str(int(token)))
            continue
        while items and items[-1] == "0":
            items.pop()  # "1.0-SNAPSHOT" is "1-SNAPSHOT", "31.1.0.jre" is "31.1-jre"
        items.append(token)
    while items and items[-1] in _NULL_QUALIFIERS:
        items.pop()
    return tuple(items)


# ---------------------------------------------------------------------------------------------- manifest identity

_GROUP_LIKE = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+")
_ID_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
"""The shape of a Maven groupId or artifactId: no spaces, no prose punctuation."""
_LETTER = re.compile(r"[A-Za-z]")
_VERSION_TAIL = re.compile(r"-\d+(?:\.\d+)+(?:[.-][A-Za-z0-9]+)*$")
"""``lz4-java-1.8.0``: a name with its version glued on, no groupId."""
_TITLE_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(?: [A-Za-z0-9][A-Za-z0-9_.-]*){0,3}")
"""A short name of a few plain words ("Spring Framework"), not a sentence."""
_NAME_HEADERS = ("implementation-title", "specification-title", "bundle-name")
_VERSION_HEADERS = ("implementation-version", "bundle-version", "specification-version")
"""Specification-Version last: it is often the version of the specification implemented (Servlet ``4.0``)."""


def _first(headers: dict[str, str], *names: str) -> str:
    for name in names:
        value = headers.get(name, "")
        if value:
            return value
    return ""


def _looks_like_id(value: str) -> bool:
    """Whether ``value`` can be a Maven groupId or artifactId (``[A-Za-z0-9_.-]+`` with a letter)."""
    return _ID_LIKE.fullmatch(value) is not None and _LETTER.search(value) is not None


def clean_version(value: str) -> str:
    """A manifest version as a Maven version: its first word when that starts with a digit, else ``""``.

    >>> clean_version("5.13.0 (b0)"), clean_version("unspecified"), clean_version(" 2.5.6.SEC03 ")
    ('5.13.0', '', '2.5.6.SEC03')
    """
    words = value.split(None, 1)
    return words[0] if words and words[0][:1].isdigit() else ""


def manifest_version(headers: dict[str, str]) -> str:
    """The first usable version of ``Implementation-Version``, ``Bundle-Version``, ``Specification-Version``."""
    for name in _VERSION_HEADERS:
        if version := clean_version(headers.get(name, "")):
            return version
    return ""


def _symbolic_name(headers: dict[str, str]) -> str:
    return headers.get("bundle-symbolicname", "").split(";", 1)[0].strip()


def _archive_stem(file_name: str) -> str:
    base = posixpath.basename(file_name)
    return base[:-4] if base[-4:].lower() in _SUFFIXES else base


def manifest_artifact_id(headers: dict[str, str], file_name: str = "", module: str = "") -> tuple[str, str]:
    """``(artifactId, version)`` named by a manifest's ``Implementation-Title``, ``Specification-Title`` or
    ``Bundle-Name``, the version being ``""`` unless the name carries one; ``("", "")`` when none is usable.

    A name counts only when it looks like an artifactId: prose ("Apache Commons Lang", "Mockito Mock Library for
    Java. Core bundle...") is not one, nor is the bundle's symbolic or module name repeated as its name
    (``org.objectweb.asm.tree``). A name with a version the archive states glued on (``lz4-java-1.8.0``) is split.
    Maven artifactIds are lower case by convention: a name is spelled as the archive's file name spells it, else
    lowered ("JUnit" is ``junit``).

    >>> manifest_artifact_id({"implementation-title": "Apache Tomcat", "bundle-name": "tomcat-api"})
    ('tomcat-api', '')
    >>> manifest_artifact_id({"bundle-name": "Objenesis"}, "objenesis.jar")
    ('objenesis', '')
    >>> manifest_artifact_id({"implementation-title": "JUnit", "bundle-name": "JUnit Testing Framework"})
    ('junit', '')
    >>> manifest_artifact_id({"bundle-name": "lz4-java-1.8.0", "bundle-version": "0"}, "lz4-java-1.8.0.jar")
    ('lz4-java', '1.8.0')
    """
    file_artifact, file_version = parse_file_name(file_name)
    spellings = {s.lower(): s for s in (_archive_stem(file_name), file_artifact) if s}
    module_names = {_symbolic_name(headers), headers.get("automatic-module-name", "").strip(), module} - {""}
    stated = {version_key(v) for v in (file_version, *(clean_version(headers.get(h, "")) for h in _VERSION_HEADERS))
              if v}
    for header in _NAME_HEADERS:
        name = headers.get(header, "").strip()
        if not _looks_like_id(name) or ("." in name and name in module_names):
            continue
        version = ""
        if (m := _FILE_NAME.fullmatch(f"{name}.jar")) is not None and version_key(m.group("version")) in stated:
            name, version = m.group("artifact"), m.group("version")
        return spellings.get(name.lower(), name.lower()), version
    return "", ""


def _without_last_segment(name: str, *, keep_two: bool = False) -> str:
    prefix, dot, _ = name.rpartition(".")
    if not dot or (keep_two and name.count(".") < 2):
        return name
    return prefix


_NOT_LETTERS = re.compile(r"[^a-z]+")


def _names_artifact(segment: str, names: Iterable[str]) -> bool:
    """Whether a symbolic name's last segment is the artifact's name (``jackson-databind``, ``core`` of "Spring
    Core", ``lang3`` of "Apache Commons Lang"), compared by letters only. Without any name to compare: yes."""
    letters = _NOT_LETTERS.sub("", segment.lower())
    others = [n for n in (_NOT_LETTERS.sub("", name.lower()) for name in names) if n]
    if not others:
        return True
    return bool(letters) and any(letters in other or other in letters for other in others)


def _module_group(module: str, artifact: str) -> str:
    """The groupId in a Java module name ``<groupId>.<rest>`` whose ``rest`` spells ``artifact``: as the
    maven-bundle-plugin names bundles, an artifactId that starts with the groupId's last segment drops it
    (``org.apache.tomcat.catalina.ha``, ``tomcat-catalina-ha`` -> ``org.apache.tomcat``; ``org.lz4.java``,
    ``lz4-java`` -> ``org.lz4``), else ``rest`` is the artifactId with dots for hyphens (``org.example.foo.bar``,
    ``foo-bar`` -> ``org.example``). The shortest ``rest`` is tried first. ``""``: no such split.

    >>> _module_group("org.apache.tomcat.api", "tomcat-api"), _module_group("io.netty.codec.dns", "netty-codec-dns")
    ('org.apache.tomcat', 'io.netty')
    >>> _module_group("com.google.guice.extensions.jmx", "guice-jmx")
    ''
    """
    wanted = artifact.lower()
    parts = module.split(".")
    if not wanted or len(parts) < 3:
        return ""
    for cut in range(len(parts) - 1, 1, -1):  # the shortest rest first; a groupId of two segments at least
        group, rest = parts[:cut], "-".join(parts[cut:]).lower()
        if wanted in (f"{group[-1].lower()}-{rest}", rest):
            return ".".join(group)
    return ""


def _group_candidate(value: str) -> str:
    value = value.strip()
    return value if _looks_like_id(value) and not _VERSION_TAIL.search(value) else ""


def manifest_group_id(headers: dict[str, str], artifact: str = "", module: str = "") -> str:
    """The groupId a manifest suggests (``""``: none), for the artifact named ``artifact``; ``module`` is the name
    in the archive's ``module-info.class``, if any.

    In order: ``Implementation-Vendor-Id``; the ``Bundle-SymbolicName``, read as ``<groupId>.<artifactId>`` when
    its last segment names the artifact (Bundle-Name, a title, ``artifact``; a groupId keeps two segments at least:
    ``org.hamcrest``), else as the groupId itself (OSGi names a bundle by its root package: Guice's
    ``com.google.inject``); the ``Automatic-Module-Name`` (or module name) when it spells the artifactId (see
    :func:`_module_group`), else without its last segment; a vendor header that reads like a groupId (free text such
    as "JBoss by Red Hat" is not one). A symbolic or module name that extends the groupId found first is more
    specific and wins: ``org.apache`` (Apache's parent pom) and ``org.apache.httpcomponents.httpclient`` make
    ``org.apache.httpcomponents``. Names with a version glued on (``lz4-java-1.8.0``) are no groupId.

    >>> manifest_group_id({"bundle-symbolicname": "com.fasterxml.jackson.core.jackson-databind;singleton:=true"})
    'com.fasterxml.jackson.core'
    >>> manifest_group_id({"bundle-symbolicname": "com.google.inject", "bundle-name": "guice"})
    'com.google.inject'
    >>> manifest_group_id({"bundle-symbolicname": "org.objenesis", "bundle-name": "Objenesis"})
    'org.objenesis'
    >>> manifest_group_id({"bundle-symbolicname": "org.apache.tomcat-api"}, "tomcat-api", "org.apache.tomcat.api")
    'org.apache.tomcat'
    >>> manifest_group_id({"implementation-vendor": "JBoss by Red Hat"})
    ''
    """
    vendor_id = _group_candidate(headers.get("implementation-vendor-id", ""))
    symbolic = ""
    if bsn := _symbolic_name(headers):
        names = (*(headers.get(k, "") for k in _NAME_HEADERS), artifact)
        symbolic = _group_candidate(
            _without_last_segment(bsn, keep_two=True) if _names_artifact(bsn.rpartition(".")[2], names) else bsn)
    module_name = headers.get("automatic-module-name", "").strip() or module
    spelled = _group_candidate(_module_group(module_name, artifact))
    fallbacks = [_group_candidate(_without_last_segment(module_name, keep_two=True))] if module_name else []
    fallbacks += [v for k in ("implementation-vendor", "specification-vendor", "bundle-vendor")
                  if _GROUP_LIKE.fullmatch(v := headers.get(k, "").strip())]
    group = next((g for g in (vendor_id, symbolic, spelled, *fallbacks) if g), "")
    if group:
        group = max((g for g in (symbolic, spelled) if g.startswith(f"{group}.")), key=len, default=group)
    return group


def _own_identity(headers: dict[str, str], file_name: str, module: str = "") -> MavenArtifact | None:
    """The archive's own artifact from its manifest and file name (see the module docstring, steps 2 and 3)."""
    file_artifact, file_version = parse_file_name(file_name)
    short_name = _first(headers, "short-name", "extension-name")
    plugin_version = headers.get("plugin-version", "")
    if short_name and plugin_version:
        group = headers.get("group-id", "") or manifest_group_id(headers, file_artifact, module)
        return MavenArtifact(group, short_name, plugin_version, source=SOURCE_JENKINS)
    name, name_version = manifest_artifact_id(headers, file_name, module)
    version = manifest_version(headers)
    if name and name != file_artifact and (name_version or version or file_version):
        artifact, version, source = name, name_version or version or file_version, SOURCE_MANIFEST
    elif file_artifact:
        # The file name's own version: a manifest's can be stale (xercesImpl-2.12.0.jar says 2.11.0).
        artifact, version, source = file_artifact, file_version, SOURCE_FILE_NAME
    else:
        # Trivy's offline answer, kept for a manifest that names its artifact only in a few words ("Spring
        # Framework"): with a groupId and a version, and no better name anywhere.
        artifact = _first(headers, *_NAME_HEADERS).strip()
        if not version or _TITLE_LIKE.fullmatch(artifact) is None:
            return None
        source = SOURCE_MANIFEST
    group = headers.get("group-id", "") or manifest_group_id(headers, artifact, module)
    if source == SOURCE_MANIFEST and not name and not group:
        return None
    return MavenArtifact(group, artifact, version, source=source)


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _same_artifact(candidate: MavenArtifact, listed: MavenArtifact) -> bool:
    """Whether a manifest or file-name identity is an artifact a pom.properties of the same archive lists: the
    same version, or names that contain one another (``Gson``/``gson``, ``Guava: Google Core Libraries for
    Java``/``guava``, ``geronimo-interceptor``/``geronimo-interceptor_3.0_spec``; four characters at least)."""
    if version_key(candidate.version) == version_key(listed.version):
        return True
    a = _NOT_ALNUM.sub("", candidate.artifact_id.lower())
    b = _NOT_ALNUM.sub("", listed.artifact_id.lower())
    shorter, longer = sorted((a, b), key=len)
    return shorter == longer or (len(shorter) >= 4 and shorter in longer)


# ---------------------------------------------------------------------------------------------- licences
# Reading pom.xml and manifest headers stays here; the name, URL and licence-text tables and their readers
# (license_name_id, license_ids, classify_license_file...) live in hullscan.extract.licenses and are re-exported.

_PLUGIN_LICENSE = re.compile(r"plugin-license-name(?:-\d+)?")
_XML_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_LICENSES_BLOCK = re.compile(r"<licenses\s*>(.*?)</licenses\s*>", re.DOTALL)
_LICENSE_BLOCK = re.compile(r"<license\s*>(.*?)</license\s*>", re.DOTALL)
_XML_NAME = re.compile(r"<name\s*>(.*?)</name\s*>", re.DOTALL)
_XML_URL = re.compile(r"<url\s*>(.*?)</url\s*>", re.DOTALL)
_XML_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);")
_XML_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)


def _xml_text(raw: str) -> str:
    def entity(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("#"):
            try:
                return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
            except (ValueError, OverflowError):
                return ""
        return _XML_ENTITIES[name]

    text = _CDATA.sub(lambda m: m.group(1), raw)
    return " ".join(_XML_ENTITY.sub(entity, text).split())


def parse_pom_licenses(data: bytes) -> tuple[str, ...]:
    """The ``<licenses>`` of a pom.xml: each licence's ``<name>`` as written, else its ``<url>`` as an SPDX id.

    Only this block is wanted, so the document is scanned, not parsed: no entity expansion, no DTDs.

    >>> parse_pom_licenses(b"<project><licenses><license><name>Apache 2.0</name></license></licenses></project>")
    ('Apache 2.0',)
    """
    data = _XML_COMMENT.sub(b"", data)
    encoding = "utf-8"
    if declared := _XML_ENCODING.search(data[:200]):
        encoding = declared.group(1).decode("ascii").lower()
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    block = _LICENSES_BLOCK.search(text)
    if block is None:
        return ()
    names: list[str] = []
    for lic in _LICENSE_BLOCK.finditer(block.group(1)):
        name = m.group(1) if (m := _XML_NAME.search(lic.group(1))) else ""
        name = _xml_text(name)
        if not name:
            url = _xml_text(m.group(1)) if (m := _XML_URL.search(lic.group(1))) else ""
            name = license_url_id(url) or ""
        if name:
            names.append(name)
    return tuple(names)



def _split_unquoted(text: str, sep: str) -> list[str]:
    """Split an OSGi header at ``sep`` outside double quotes (a backslash escapes inside them)."""
    fields: list[str] = []
    quoted = escaped = False
    start = 0
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            fields.append(text[start:i])
            start = i + 1
    fields.append(text[start:])
    return fields


def bundle_license_ids(header: str) -> tuple[str, ...]:
    """The OSGi ``Bundle-License`` header's licences that are SPDX ids or licence URLs (the ``link`` attribute
    included); free text and ``<<EXTERNAL>>`` are skipped
    (https://docs.osgi.org/specification/osgi.core/8.0.0/framework.module.html#framework.module-bundle-license).

    >>> bundle_license_ids('Apache-2.0;link="https://www.apache.org/licenses/LICENSE-2.0", "see LICENSE"')
    ('Apache-2.0',)
    """
    out: list[str] = []
    for entry in _split_unquoted(header, ","):
        parts = _split_unquoted(entry, ";")
        name = parts[0].strip().strip('"').strip()
        link = ""
        for attr in parts[1:]:
            key, sep, value = attr.partition("=")
            if sep and key.strip() == "link":
                link = value.strip().strip('"').strip()
        found = license_name_id(name) if name and name != "<<EXTERNAL>>" else None
        if found is None and link:
            found = license_url_id(link)
        if found:
            out.append(found)
    return tuple(dict.fromkeys(out))


def manifest_license_names(headers: dict[str, str]) -> tuple[str, ...]:
    """Jenkins ``Plugin-License-Name``, ``Plugin-License-Name-2``... as written; else ``Bundle-License`` ids."""
    names = [value for key, value in headers.items() if _PLUGIN_LICENSE.fullmatch(key)]
    if names:
        return tuple(names)
    return bundle_license_ids(headers.get("bundle-license", ""))


_LICENSE_FILE_STEMS = frozenset({"license", "licence", "licenses", "licences", "copying", "copyright", "unlicense"})


def _is_license_file(name: str) -> bool:
    """A licence file at the archive root or directly in ``META-INF`` (``LICENSE``, ``META-INF/LICENSE.txt``)."""
    directory, _, base = name.rpartition("/")
    if directory not in ("", "META-INF"):
        return False
    stem = base.rsplit(".", 1)[0] if "." in base[1:] else base
    return stem.lower() in _LICENSE_FILE_STEMS and base[-4:].lower() not in _SUFFIXES


# ---------------------------------------------------------------------------------------------- reading archives

_SKIPPED_ENDINGS = (".class", "/")
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, NotImplementedError, RuntimeError, EOFError,
               OSError, ValueError, struct.error)
_EOCD = b"PK\x05\x06"


def _declared_directory(data: bytes) -> tuple[int, int] | None:
    """``(entries, central directory size)`` from the end-of-central-directory record (zip64 aware); ``None``
    when there is none, so the data is no zip archive (APPNOTE.TXT 4.3.16, 4.3.14, 4.3.15)."""
    pos = data.rfind(_EOCD, max(0, len(data) - (22 + 0xFFFF)))
    if pos < 0 or len(data) - pos < 22:
        return None
    entries, size = struct.unpack_from("<HI", data, pos + 10)
    if entries == 0xFFFF or size == 0xFFFFFFFF:
        locator = pos - 20
        record = locator - 56
        if record >= 0 and data[locator : locator + 4] == b"PK\x06\x07" and data[record : record + 4] == b"PK\x06\x06":
            entries, size = struct.unpack_from("<QQ", data, record + 32)
    return entries, size


def _unsafe_name(name: str) -> bool:
    """An entry name that would climb out of the archive (zip slip): absolute, a drive, or with ``..``."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in name.replace("\\", "/").split("/")


class _Skip(Exception):
    """This archive (or file in it) cannot be read; the message says why."""


@dataclass
class _Walk:
    """The state of reading one archive of the image and everything nested in it."""

    limits: ArchiveLimits
    bytes_left: int = 0
    entries_left: int = 0
    archives_left: int = 0
    archives: list[ArchiveRecord] = field(default_factory=list)
    artifacts: list[MavenArtifact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _once: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.bytes_left = self.limits.max_total_bytes
        self.entries_left = self.limits.max_total_entries
        self.archives_left = self.limits.max_archives

    def warn(self, message: str, *, once: str = "") -> None:
        if once:
            if once in self._once:
                return
            self._once.add(once)
        self.warnings.append(message)

    def open(self, data: bytes) -> zipfile.ZipFile:
        declared = _declared_directory(data)
        if declared is None:
            raise _Skip("not a zip archive (no end of central directory record)")
        entries, size = declared
        if entries > self.limits.max_entries or size > self.limits.max_directory_size:
            raise _Skip(f"{entries} entries in a central directory of {size} bytes: over the limits, not read")
        if entries > self.entries_left:
            raise _Skip("the limit of entries read for this archive was reached")
        if self.archives_left <= 0:
            raise _Skip(f"more than {self.limits.max_archives} nested archives; not read")
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except _ZIP_ERRORS as exc:
            raise _Skip(f"not a readable zip archive ({_describe(exc)})") from None
        self.archives_left -= 1
        self.entries_left -= len(zf.filelist)
        return zf

    def read(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
        if info.file_size > cap:
            raise _Skip(f"{info.file_size} bytes uncompressed, over the {cap}-byte limit; not read")
        if info.file_size > self.bytes_left:
            raise _Skip(
                f"reading its {info.file_size} bytes would pass the limit of {self.limits.max_total_bytes} "
                "bytes decompressed per archive; not read"
            )
        self.bytes_left -= info.file_size
        try:
            return zf.read(info)
        except _ZIP_ERRORS as exc:
            raise _Skip(f"unreadable ({_describe(exc)})") from None


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


def _join(outer: str, inner: str) -> str:
    return f"{outer}{NESTED_SEPARATOR}{inner}" if outer else inner


def _visit(walk: _Walk, data: bytes, zf: zipfile.ZipFile, where: str, file_name: str, depth: int) -> None:
    """Read one opened archive (``where``: its nested path, ``""`` for the image's file) and recurse."""
    label = where or file_name
    poms: list[zipfile.ZipInfo] = []
    pom_xmls: dict[tuple[str, str], zipfile.ZipInfo] = {}
    manifest: zipfile.ZipInfo | None = None
    license_files: list[zipfile.ZipInfo] = []
    nested: list[zipfile.ZipInfo] = []
    for info in zf.filelist:
        name = info.filename
        if name.endswith(_SKIPPED_ENDINGS):
            continue  # classes and directories: nearly every entry, dismissed with one C-level test
        directory, _, base = name.rpartition("/")
        if base == "pom.properties":
            poms.append(info)
        elif base == "pom.xml":
            parts = directory.split("/")
            if len(parts) == 4 and parts[0] == "META-INF" and parts[1] == "maven" and parts[2] and parts[3]:
                pom_xmls[(parts[2], parts[3])] = info
        elif base[-4:].lower() in _SUFFIXES:
            nested.append(info)
        elif directory.upper() == "META-INF" or not directory:
            if base.upper() == "MANIFEST.MF" and directory:
                manifest = info
            elif _is_license_file(name):
                license_files.append(info)

    def read(info: zipfile.ZipInfo, cap: int) -> bytes | None:
        try:
            return walk.read(zf, info, cap)
        except _Skip as exc:
            walk.warn(f"{_join(label, info.filename)}: {exc}")
            return None

    file_artifact, file_version = parse_file_name(file_name)
    level: list[MavenArtifact] = []
    own = False
    for info in poms:
        raw = read(info, walk.limits.max_properties_size)
        coordinates = parse_pom_properties(raw) if raw is not None else None
        if coordinates is None:
            continue
        level.append(MavenArtifact(coordinates.group_id, coordinates.artifact_id, coordinates.version, where))
        if coordinates.artifact_id == file_artifact and version_key(coordinates.version) == version_key(file_version):
            own = True  # Trivy's test for "the pom.properties of the archive itself"
    headers: dict[str, str] = {}
    if manifest is not None and (raw := read(manifest, walk.limits.max_metadata_size)) is not None:
        headers = parse_manifest(raw)
    if not own:
        module = ""
        if (module_info := _module_info(zf, headers)) is not None:
            raw = read(module_info, walk.limits.max_metadata_size)
            module = parse_module_name(raw) if raw is not None else ""
        candidate = _own_identity(headers, file_name, module)
        if candidate is not None:
            if any(_same_artifact(candidate, listed) for listed in level):
                own = True
            else:
                level.append(MavenArtifact(candidate.group_id, candidate.artifact_id, candidate.version, where,
                                           candidate.source))
                own = candidate.source == SOURCE_JENKINS
    level = _unique(level)

    # Licences: the artifact's own pom.xml, then (for the archive's single artifact) the manifest, then LICENSE.
    for i, artifact in enumerate(level):
        pom_xml = pom_xmls.get((artifact.group_id, artifact.artifact_id))
        if pom_xml is not None and (raw := read(pom_xml, walk.limits.max_metadata_size)) is not None:
            names = parse_pom_licenses(raw)
            if names:
                level[i] = _with_licenses(artifact, names)
    if len(level) == 1 and not level[0].licenses:
        names = manifest_license_names(headers)
        if not names and len(license_files) == 1:
            raw = read(license_files[0], walk.limits.max_metadata_size)
            names = classify_license_file(raw) if raw is not None else ()
        if names:
            level[0] = _with_licenses(level[0], names)

    walk.archives.append(ArchiveRecord(where, hashlib.sha1(data, usedforsecurity=False).hexdigest(), own))
    walk.artifacts.extend(level)

    for info in nested:
        inner = _join(where, info.filename)
        if _unsafe_name(info.filename):
            walk.warn(f"{_join(label, info.filename)}: entry name leaves the archive; not read")
            continue
        if depth + 1 > walk.limits.max_depth:
            walk.warn(f"{inner}: archives nested more than {walk.limits.max_depth} deep are not read",
                      once="depth")
            continue
        if walk.archives_left <= 0:
            walk.warn(f"{inner}: more than {walk.limits.max_archives} nested archives; the rest are not read",
                      once="archives")
            break
        raw = read(info, walk.limits.max_total_bytes)
        if raw is None:
            continue
        try:
            inner_zip = walk.open(raw)
        except _Skip as exc:
            walk.warn(f"{inner}: {exc}")
            continue
        with inner_zip:
            _visit(walk, raw, inner_zip, inner, info.filename, depth + 1)


def _with_licenses(artifact: MavenArtifact, names: tuple[str, ...]) -> MavenArtifact:
    return MavenArtifact(artifact.group_id, artifact.artifact_id, artifact.version, artifact.archive,
                         artifact.source, names)


def _unique(artifacts: Iterable[MavenArtifact]) -> list[MavenArtifact]:
    """First of each (archive, groupId, artifactId, Maven-equal version)."""
    seen: set[tuple[str, str, str, tuple[str, ...]]] = set()
    out: list[MavenArtifact] = []
    for a in artifacts:
        key = (a.archive, a.group_id, a.artifact_id, version_key(a.version))
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def parse_archive(data: bytes, path: str = "x.jar", limits: ArchiveLimits = DEFAULT_LIMITS) -> JavaArchive:
    """Every artifact in one Java archive and the archives nested in it.

    Raises :class:`ExtractError` when ``data`` is not a readable zip archive; problems inside it are the
    payload's ``warnings``.
    """
    walk = _Walk(limits)
    try:
        zf = walk.open(data)
    except _Skip as exc:
        raise ExtractError(f"{path}: {exc}") from None
    with zf:
        _visit(walk, data, zf, "", posixpath.basename(path), 0)
    return JavaArchive(tuple(walk.archives), tuple(walk.artifacts), tuple(walk.warnings))


# ---------------------------------------------------------------------------------------------- assembly


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
