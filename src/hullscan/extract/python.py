"""lang/python: Python distributions installed in the image (site-packages, dist-packages, virtual environments).

Files read, one payload each (:class:`PythonFile`, cached per layer):

* ``*.dist-info/METADATA`` (wheels, pip; https://packaging.python.org/en/latest/specifications/core-metadata/),
  ``*.egg-info/PKG-INFO``, a ``*.egg-info`` *file* (distutils, Debian's python3 packages) and
  ``*.egg/EGG-INFO/PKG-INFO`` (an unzipped egg): the core-metadata header, read as email headers up to the first
  blank line. ``Name`` and ``Version`` are required; a file without them is broken (a warning).
* ``*.egg`` (a zipped egg, https://setuptools.pypa.io/en/latest/deprecated/python_eggs.html): a zip archive read
  from memory; its ``EGG-INFO/PKG-INFO`` as above, and the licence file that ``License-File`` names. Every
  member read is bounded (:data:`MAX_ZIP_MEMBER_SIZE`). An egg without ``EGG-INFO/PKG-INFO`` is not a package
  (no payload, no warning); a file that is not a zip is a warning.
* ``*.dist-info/RECORD`` (https://packaging.python.org/en/latest/specifications/recording-installed-packages/)
  and ``*.egg-info/installed-files.txt``: the files a distribution installed.
* Licence files beside the metadata (``LICENSE*``, ``LICENCE*``, ``COPYING*`` and anything under
  ``*.dist-info/licenses/``): classified into SPDX ids by a few well-known texts, for distributions whose
  metadata names no licence but a ``License-File``.

Licences follow Trivy's order (``pkg/dependency/parser/python/packaging``): ``License-Expression`` (PEP 639)
first; else the ``Classifier: License :: ...`` names (``License :: OSI Approved`` alone names nothing); else
the ``License`` field; else the ``License-File`` it names. The payload keeps each field as written
(:func:`declared_licenses` gives Trivy's raw list); :func:`package_licenses` maps them to SPDX ids only when
packages are assembled, so a better table never needs a cache-busting version bump. A name we cannot map
stays as written, and setuptools' ``UNKNOWN`` placeholder is no licence at all.

Names are compared and written in PURLs normalised as PEP 503 says (``Foo.Bar_baz`` -> ``foo-bar-baz``,
https://peps.python.org/pep-0503/#normalized-names): ``pkg:pypi/foo-bar-baz@1.0``. Versions stay as written.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from packageurl import PackageURL

from hullscan.extract.base import ExtractError
from hullscan.extract.licenses import classify_license_text as classify_license_text
from hullscan.extract.licenses import license_name_ids as license_name_ids
from hullscan.extract.licenses import normalize_license_choice, normalize_license_tokens
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType

NAME = "lang/python"
VERSION = 1

MAX_METADATA_SIZE = 16 << 20
"""METADATA files carry the long description; the largest on PyPI run to a few MB."""
MAX_RECORD_SIZE = 64 << 20
MAX_LICENSE_SIZE = 1 << 20
MAX_EGG_SIZE = 512 << 20
MAX_ZIP_MEMBER_SIZE = 16 << 20
"""A member of an egg is read only up to this many uncompressed bytes (a zip bomb stops here)."""

_LICENSE_PREFIXES = ("LICENSE", "LICENCE", "COPYING")


# ---------------------------------------------------------------------------------------------- payloads


@dataclass(frozen=True, slots=True)
class PythonDist:
    """One distribution's core metadata, as written (nothing interpreted)."""

    name: str
    version: str
    metadata_version: str = ""
    license_expression: str = ""
    """``License-Expression`` (PEP 639): an SPDX expression."""
    license: str = ""
    """``License``: free text, sometimes a whole licence."""
    license_classifiers: tuple[str, ...] = ()
    """The last part of each ``Classifier: License :: ...``, in file order (``MIT License``)."""
    license_files: tuple[str, ...] = ()
    """``License-File`` values: paths relative to the metadata directory (``licenses/`` under it in 2.4)."""
    checksum: str = ""
    """``sha1:`` of the metadata file's bytes (what Trivy's ``--file-checksum`` reports)."""
    license_file_ids: tuple[str, ...] = ()
    """For a zipped egg: the SPDX ids of the licence file ``License-File`` names, classified from inside the zip."""


@dataclass(frozen=True, slots=True)
class InstalledFiles:
    """The paths a RECORD or installed-files.txt lists, as written (relative to their own base directory)."""

    paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LicenseText:
    """A licence file, classified: the SPDX ids of the licence texts recognised in it."""

    ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PythonFile:
    """The payload of one file: exactly one field is set, by the kind of file it was read from.

    (One dataclass rather than a union: the extractor protocol has one payload type.)
    """

    dist: PythonDist | None = None
    record: InstalledFiles | None = None
    license_text: LicenseText | None = None


# ---------------------------------------------------------------------------------------------- names


_PEP503 = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """PEP 503's normalised form of a distribution name.

    >>> normalize_name("Foo.Bar__baz"), normalize_name("typing_extensions"), normalize_name("Unidecode")
    ('foo-bar-baz', 'typing-extensions', 'unidecode')
    """
    return _PEP503.sub("-", name.strip()).lower()


# ---------------------------------------------------------------------------------------------- metadata


def _header_block(data: bytes) -> str:
    """The header part of a core-metadata file: everything before the first blank line, decoded.

    The long description often follows as the body (metadata 2.1+) and can be megabytes; it is never decoded.
    """
    data = data.removeprefix(b"\xef\xbb\xbf")
    ends = [i for i in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if i >= 0]
    if ends:
        data = data[: min(ends)]
    # Metadata is UTF-8 (core metadata spec); old PKG-INFO files hold Latin-1 and worse in descriptions. A bad byte
    # in a free-text field must not lose the package.
    return data.decode("utf-8", errors="replace")


_FIELD = re.compile(r"([A-Za-z0-9][A-Za-z0-9_-]*)[ \t]*:[ \t]?(.*)")


def parse_metadata(data: bytes, path: str = "METADATA") -> PythonDist:
    """Parse a METADATA / PKG-INFO file (email-style headers; the body is ignored).

    Continuation lines (starting with a space or a tab) extend the field before them. A line that is neither
    ends the header, as it does for Go's ``textproto`` and Python's ``email`` parsers: what was read up to it
    is kept.

    >>> d = parse_metadata(b"Name: Foo_Bar \\nVersion: 1.0\\nClassifier: License :: OSI Approved :: MIT License\\n")
    >>> d.name, d.version, d.license_classifiers
    ('Foo_Bar', '1.0', ('MIT License',))
    """
    if b"\x00" in data[:8192]:
        raise ExtractError(f"{path}: binary content where Python package metadata was expected")
    text = _header_block(data)
    fields: dict[str, str] = {}
    classifiers: list[str] = []
    license_files: list[str] = []
    key = ""
    value_lines: list[str] = []

    def flush() -> None:
        if not key:
            return
        value = "\n".join(value_lines).strip()
        match key:
            case "classifier":
                if value.startswith("License :: "):
                    name = value.rsplit(" :: ", 1)[-1].strip()
                    # "License :: OSI Approved" alone is a grouping, not a licence (https://pypi.org/classifiers/).
                    if name and name != "OSI Approved":
                        classifiers.append(name)
            case "license-file":
                if value:
                    license_files.append(value)
            case _:
                fields.setdefault(key, value)  # the first occurrence wins, as Go's Header.Get does

    for line in text.splitlines():
        if not line:
            break
        if line[:1] in (" ", "\t"):
            if key:
                value_lines.append(line.strip())
            continue
        m = _FIELD.fullmatch(line)
        if m is None:
            break  # not a header line: the header ends here (textproto's "malformed MIME header line")
        flush()
        key = m.group(1).lower()
        value_lines = [m.group(2)]
    flush()

    name, version = fields.get("name", ""), fields.get("version", "")
    if not name or not version:
        raise ExtractError(f"{path}: Python package metadata without a Name and a Version")
    return PythonDist(
        name=name,
        version=version,
        metadata_version=fields.get("metadata-version", ""),
        license_expression=fields.get("license-expression", ""),
        license=fields.get("license", ""),
        license_classifiers=tuple(classifiers),
        license_files=tuple(license_files),
        checksum="sha1:" + hashlib.sha1(data, usedforsecurity=False).hexdigest(),
    )


# ---------------------------------------------------------------------------------------------- eggs


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_ZIP_MEMBER_SIZE:
        raise ExtractError(f"{info.filename}: {info.file_size} bytes, over the {MAX_ZIP_MEMBER_SIZE} byte limit")
    with zf.open(info) as member:
        data = member.read(MAX_ZIP_MEMBER_SIZE + 1)
    if len(data) > MAX_ZIP_MEMBER_SIZE:
        raise ExtractError(f"{info.filename}: inflates past the {MAX_ZIP_MEMBER_SIZE} byte limit")
    return data


def parse_egg(data: bytes, path: str = "x.egg") -> PythonDist | None:
    """The distribution a zipped egg holds, or ``None`` when it has no ``EGG-INFO/PKG-INFO``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = {info.filename: info for info in zf.infolist()}
            pkg_info = infos.get("EGG-INFO/PKG-INFO")
            if pkg_info is None:
                return None
            dist = parse_metadata(_read_member(zf, pkg_info), f"{path}!EGG-INFO/PKG-INFO")
            ids: list[str] = []
            for ref in dist.license_files:
                # License-File is relative to the project (EGG-INFO/LICENSE.txt) or to EGG-INFO; Trivy matches
                # the file name anywhere in the zip.
                base = posixpath.basename(ref)
                member = infos.get(ref) or infos.get(f"EGG-INFO/{ref}")
                if member is None:
                    member = next((i for n, i in infos.items() if posixpath.basename(n) == base), None)
                if member is not None and not member.is_dir():
                    for spdx in classify_license_text(_read_member(zf, member)):
                        if spdx not in ids:
                            ids.append(spdx)
    except ExtractError as exc:
        raise ExtractError(f"{path}: {exc}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError,
            ValueError, OSError) as exc:
        raise ExtractError(f"{path}: not a readable egg (zip) archive: {exc}") from None
    return dataclasses.replace(dist, license_file_ids=tuple(ids)) if ids else dist


# ---------------------------------------------------------------------------------------------- installed files


def parse_record(data: bytes, path: str = "RECORD") -> InstalledFiles:
    """The paths of a RECORD file (CSV: path, hash, size) or an ``installed-files.txt`` (one path a line)."""
    if b"\x00" in data[:8192]:
        raise ExtractError(f"{path}: binary content where a file list was expected")
    text = data.decode("utf-8", errors="replace")
    if path.endswith("/RECORD") or path == "RECORD":
        try:
            paths = [row[0] for row in csv.reader(io.StringIO(text)) if row and row[0]]
        except csv.Error as exc:
            raise ExtractError(f"{path}: not a RECORD file: {exc}") from None
    else:
        paths = [line.strip() for line in text.splitlines() if line.strip()]
    return InstalledFiles(tuple(paths))


def installed_paths(base_dir: str, listed: Iterable[str]) -> tuple[str, ...]:
    """RECORD paths as image paths: joined to the directory they are relative to, ``..`` resolved, no leading ``/``.

    >>> installed_paths("usr/lib/python3/site-packages", ["six.py", "../../../bin/tool", "/etc/x.conf"])
    ('usr/lib/python3/site-packages/six.py', 'usr/bin/tool', 'etc/x.conf')
    """
    out: list[str] = []
    for p in listed:
        joined = p if p.startswith("/") else f"/{base_dir}/{p}"
        normal = posixpath.normpath(joined).lstrip("/")
        if normal and normal != ".":
            out.append(normal)
    return tuple(out)


# ---------------------------------------------------------------------------------------------- licences
# The tables (PyPI classifiers, licence texts) and their readers live in hullscan.extract.licenses
# (classify_license_text and license_name_ids are re-exported from here for npm and the tests).

_LONG_LICENSE = 100
"""A License field longer than this (or on several lines) is a licence text, not a name."""


def declared_licenses(dist: PythonDist) -> tuple[str, ...]:
    """The licences as the metadata names them, in Trivy's order and form (``file://`` for a License-File).

    >>> declared_licenses(PythonDist("x", "1", license="Python license", license_classifiers=("PSF License",)))
    ('PSF License',)
    """
    if dist.license_expression:
        return (dist.license_expression,)
    if dist.license_classifiers:
        return dist.license_classifiers
    if dist.license:
        return (dist.license,)
    if dist.license_files:
        return (f"file://{dist.license_files[0]}",)
    return ()


def package_licenses(dist: PythonDist, license_file_ids: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The distribution's licences as SPDX ids where known (see the module docstring for the order).

    ``license_file_ids`` are the ids classified from the licence file the metadata names (dist-info), used when
    the metadata names no licence itself.
    """
    out: list[str] = []
    if dist.license_expression:
        choice = normalize_license_choice(dist.license_expression)  # PEP 639: an SPDX expression
        out += [choice] if choice is not None else normalize_license_tokens(dist.license_expression)
    elif dist.license_classifiers:
        for name in dist.license_classifiers:
            out += license_name_ids(name)
    elif dist.license and ("\n" in dist.license or len(dist.license) > _LONG_LICENSE):
        out += classify_license_text(dist.license.encode())
    elif dist.license:
        out += license_name_ids(dist.license)
    if not out:
        out += dist.license_file_ids or license_file_ids
    return tuple(dict.fromkeys(out))


# ---------------------------------------------------------------------------------------------- the extractor


def _kind(path: str) -> str | None:
    """Which of our files ``path`` is (string checks only)."""
    parent, _, base = path.rpartition("/")
    if base == "METADATA":
        return "metadata" if parent.endswith(".dist-info") else None
    if base == "PKG-INFO":
        return "metadata" if parent.endswith((".egg-info", "EGG-INFO")) else None
    if base.endswith(".egg-info"):
        return "metadata" if len(base) > len(".egg-info") else None
    if base.endswith(".egg"):
        return "egg" if len(base) > len(".egg") else None
    if base == "RECORD":
        return "record" if parent.endswith(".dist-info") else None
    if base == "installed-files.txt":
        return "record" if parent.endswith(".egg-info") else None
    if ".dist-info/" in path or ".egg-info/" in path:
        meta_dir = _metadata_dir(path)
        if meta_dir is None:
            return None
        rest = path[len(meta_dir) + 1 :]
        if rest.startswith("licenses/") or (base.upper().startswith(_LICENSE_PREFIXES) and "/" not in rest):
            return "license"
    return None


def _metadata_dir(path: str) -> str | None:
    """The ``*.dist-info`` / ``*.egg-info`` directory a path is inside (the innermost), if any."""
    for marker in (".dist-info/", ".egg-info/"):
        at = path.rfind(marker)
        if at >= 0:
            return path[: at + len(marker) - 1]
    return None


_LIMITS = {
    "metadata": MAX_METADATA_SIZE,
    "egg": MAX_EGG_SIZE,
    "record": MAX_RECORD_SIZE,
    "license": MAX_LICENSE_SIZE,
}


@dataclass(slots=True)
class _Found:
    dists: list[tuple[str, PythonDist, LayerRef]] = field(default_factory=list)
    records: dict[str, InstalledFiles] = field(default_factory=dict)
    licenses: dict[str, LicenseText] = field(default_factory=dict)


class PythonExtractor:
    """Installed Python distributions: dist-info, egg-info and eggs, with their files and licences."""

    name = NAME
    version = VERSION
    payload_type = PythonFile

    def wants(self, path: str, entry: FileEntry) -> bool:
        if entry.kind is not FileKind.FILE and entry.kind is not FileKind.HARDLINK:
            return False
        kind = _kind(path)
        return kind is not None and entry.size <= _LIMITS[kind]

    def extract(self, path: str, data: bytes) -> PythonFile | None:
        match _kind(path):
            case "metadata":
                return PythonFile(dist=parse_metadata(data, path))
            case "egg":
                dist = parse_egg(data, path)
                return PythonFile(dist=dist) if dist is not None else None
            case "record":
                return PythonFile(record=parse_record(data, path))
            case "license":
                if b"\x00" in data[:8192]:
                    return None  # a binary file that happens to be called LICENSE-something
                ids = classify_license_text(data)
                return PythonFile(license_text=LicenseText(ids)) if ids else None
            case _:
                return None

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        """One package per metadata file that survives in the image, from the layer that wrote that file."""
        found = _Found()
        for path, payload, layer in view.payloads(NAME, PythonFile):
            if payload.dist is not None:
                found.dists.append((path, payload.dist, layer))
            elif payload.record is not None:
                found.records[path] = payload.record
            elif payload.license_text is not None:
                found.licenses[path] = payload.license_text
        return [to_package(path, dist, layer, found) for path, dist, layer in found.dists]


def _files(path: str, found: _Found) -> tuple[str, ...]:
    parent = path.rpartition("/")[0]
    if path.endswith(".dist-info/METADATA"):
        record = found.records.get(f"{parent}/RECORD")
        # RECORD paths are relative to the directory that holds the .dist-info (site-packages).
        return installed_paths(parent.rpartition("/")[0], record.paths) if record else ()
    if path.endswith(".egg-info/PKG-INFO"):
        record = found.records.get(f"{parent}/installed-files.txt")
        return installed_paths(parent, record.paths) if record else ()
    return ()


def _license_file_ids(path: str, dist: PythonDist, found: _Found) -> tuple[str, ...]:
    if not dist.license_files or not path.endswith(("/METADATA", "/PKG-INFO")):
        return ()
    parent = path.rpartition("/")[0]
    ids: list[str] = []
    for ref in dist.license_files:
        for candidate in (f"{parent}/{ref}", f"{parent}/licenses/{ref}", f"{parent}/{posixpath.basename(ref)}"):
            text = found.licenses.get(posixpath.normpath(candidate))
            if text is not None:
                ids += text.ids
                break
    return tuple(dict.fromkeys(ids))


_PLAIN = re.compile(r"[A-Za-z0-9._-]+")


def package_url(name: str, version: str) -> str:
    """``pkg:pypi/<PEP 503 name>@<version>``, as packageurl-python writes it; plain strings are written directly
    (packageurl-python costs ~60 µs a PURL).

    >>> package_url("typing-extensions", "4.4.0"), package_url("foo", "1.0+local")
    ('pkg:pypi/typing-extensions@4.4.0', 'pkg:pypi/foo@1.0%2Blocal')
    """
    if _PLAIN.fullmatch(name) and _PLAIN.fullmatch(version):
        return f"pkg:pypi/{normalize_name(name)}@{version}"
    return PackageURL(type=PackageType.PYPI.value, name=name, version=version).to_string()


def to_package(path: str, dist: PythonDist, layer: LayerRef | None, found: _Found | None = None) -> Package:
    """The inventory's view of one distribution whose metadata is at ``path``."""
    found = found or _Found()
    name = normalize_name(dist.name)
    return Package(
        type=PackageType.PYPI,
        name=name,
        version=dist.version,
        licenses=package_licenses(dist, _license_file_ids(path, dist, found)),
        checksum=dist.checksum,
        files=_files(path, found),
        found_in=path,
        extractor=NAME,
        purl=package_url(name, dist.version),
        layer=layer,
    )
