"""The archive's own artifact when no ``pom.properties`` names it, and when two findings are one artifact.

The archive's own artifact comes from the main section of ``META-INF/MANIFEST.MF`` and its file name (a Jenkins
plugin's ``Group-Id``/``Short-Name``/``Plugin-Version`` first). Only what looks like Maven coordinates is taken: an
artifactId is ``[A-Za-z0-9_.-]+`` (a title such as "Apache Commons Lang" or "Mockito Mock Library for Java. Core
bundle..." is prose, and a Bundle-Name repeating the symbolic name ``org.objectweb.asm.tree`` is a package), a
version starts with a digit and is one word (``5.13.0 (b0)`` is ``5.13.0``; ``unspecified`` is none).

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
empty namespace rather than an invented one (Trivy asks Maven Central; see :mod:`.index`).

Some jars do not carry their coordinates at all: ASM's symbolic names say ``org.objectweb.asm`` where Maven
says ``org.ow2.asm``, commons-logging's manifest says ``org.apache``, a jar without headers has no groupId.
Those need the index.

A manifest (or file name) identity that describes an artifact a ``pom.properties`` of the same archive already
lists (the same version, or names that contain one another: ``Gson``/``gson``) is that artifact, not a second
one. Repeats of one artifact in one archive are listed once (versions compared as Maven does: ``1.1`` is
``1.1.0``).

These heuristics are tuned against real jars (the Debian test in ``tests/extract/test_java.py``) and change for
reasons of their own, so they live apart from the parsers that feed them and the walk that calls them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from hullscan.extract.java.metadata import _FILE_NAME, parse_file_name, version_key
from hullscan.extract.java.model import (
    _SUFFIXES,
    SOURCE_FILE_NAME,
    SOURCE_JENKINS,
    SOURCE_MANIFEST,
    MavenArtifact,
)

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
    """The archive's own artifact from its manifest and file name (see the module docstring)."""
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
