"""The walk over one archive of the image and every archive nested in it, within bounds.

A Java archive is a zip file (https://docs.oracle.com/en/java/javase/21/docs/specs/jar/jar.html), read from memory
with :mod:`zipfile`. At each level the walk sorts the entries once, reads the ``pom.properties`` (step 1 of the
package docstring), asks :mod:`.identity` for the archive's own artifact when none of them names it (step 2), reads
the licences (:mod:`.licensing`), records the archive's SHA-1 for the index, and recurses into the nested archives.

Untrusted archives are read within bounds (:class:`ArchiveLimits`): the nesting depth, the bytes decompressed per
archive in the image (nested archives and metadata files together), the entries of one archive and of all of them,
and the number of nested archives. Only metadata files (``module-info.class`` among them, for an archive its
pom.properties do not name) and nested archives are ever decompressed, each after checking its declared size, so a
zip bomb whose payload is anything else costs nothing. An archive in the image that is not a zip, or is cut short,
is a warning (:class:`~hullscan.extract.base.ExtractError`); a nested one that is broken, too deep, too big or has
an entry name that climbs out (``../x.jar``) is skipped with a warning carried in the payload, and the rest of the
archive still counts.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import posixpath
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from hullscan.extract.base import ExtractError
from hullscan.extract.java.identity import _own_identity, _same_artifact, _unique
from hullscan.extract.java.licensing import _is_license_file, manifest_license_names, parse_pom_licenses
from hullscan.extract.java.metadata import (
    parse_file_name,
    parse_manifest,
    parse_module_name,
    parse_pom_properties,
    version_key,
)
from hullscan.extract.java.model import (
    _SUFFIXES,
    NESTED_SEPARATOR,
    SOURCE_JENKINS,
    ArchiveRecord,
    JavaArchive,
    MavenArtifact,
)
from hullscan.extract.licenses import classify_license_file


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
