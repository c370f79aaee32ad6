"""os/rpm: installed rpm packages, read from the rpm database itself (no librpm) or a distroless manifest.

Two halves, as the extractor protocol asks (see :mod:`hullscan.extract.base`):

* :class:`RpmExtractor` parses one database file, bytes in, :class:`RpmDatabase` out: BerkeleyDB ``Packages``,
  NDB ``Packages.db`` or ``rpmdb.sqlite`` (detected by content, see :mod:`hullscan.extract.rpmdb`) under
  ``var/lib/rpm/`` or ``usr/lib/sysimage/rpm/``, or the package manifest Azure Linux / CBL-Mariner distroless
  images ship instead of a database (``var/lib/rpmmanifest/container-manifest-2``). A database that is
  damaged part-way yields the packages that could be read and the problems in ``warnings``; one that cannot
  be read at all raises :class:`ExtractError`.
* :meth:`RpmExtractor.packages` turns the surviving database of the squashed image into :class:`Package`
  objects, with PURLs and the layer that introduced each one.

PURLs follow the purl-spec ``rpm`` type (https://github.com/package-url/purl-spec, ``types/rpm-definition.json``):
the namespace is the vendor/distribution (lowercase), the version is ``version-release``, the epoch is a
qualifier (when non-zero, as Trivy and Syft write it), with ``arch`` and ``distro=<family>-<release>``, e.g.
``pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=redhat-8.8``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from packageurl import PackageURL

from hullscan.extract.base import ExtractError
from hullscan.extract.packages import attribute, introduced_in
from hullscan.extract.rpmdb import HeaderError, RpmdbError, RpmHeader, detect_format, read_rpmdb
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, Package, PackageType, Warning_

NAME = "os/rpm"
VERSION = 1

DB_DIRS = ("var/lib/rpm", "usr/lib/sysimage/rpm")
DB_FILES = ("rpmdb.sqlite", "Packages.db", "Packages")
DB_PATHS = frozenset(f"{d}/{f}" for d in DB_DIRS for f in DB_FILES)
MANIFEST_PATH = "var/lib/rpmmanifest/container-manifest-2"

MAX_DB_SIZE = 1 << 30
"""The most read into memory for one database: far above any real rpm database, bounded all the same."""
MAX_MANIFEST_SIZE = 16 << 20
MAX_WARNINGS = 20

PSEUDO_PACKAGES = frozenset({"gpg-pubkey"})
"""Imported signing keys appear in rpm databases as packages; they are not software."""

FORMAT_PRIORITY = {"sqlite": 0, "ndb": 1, "bdb": 2, "manifest": 3}
"""When an image holds several databases, the live one: rpm's current backends first, then older ones (a
BerkeleyDB left behind by a conversion), and the distroless manifest only when there is no database."""


@dataclass(frozen=True, slots=True)
class RpmPackage:
    """One installed package as its database (or manifest) records it."""

    name: str
    version: str
    release: str
    arch: str = ""
    epoch: int | None = None
    source_rpm: str = ""
    """``SOURCERPM``: the source package's file name, ``util-linux-2.32.1-42.el8_8.src.rpm``."""
    source_name: str = ""
    source_version: str = ""
    source_release: str = ""
    license: str = ""
    vendor: str = ""
    size: int = 0
    sigmd5: str = ""
    """Lowercase hex of ``SIGMD5``; empty in manifests."""
    modularity_label: str = ""
    summary: str = ""
    files: tuple[str, ...] = ()
    """Installed paths without the leading ``/``; empty in manifests."""

    @property
    def evr(self) -> str:
        """``[epoch:]version[-release]``, the string rpm compares (an epoch of 0 is not written)."""
        vr = f"{self.version}-{self.release}" if self.release else self.version
        return f"{self.epoch}:{vr}" if self.epoch else vr


@dataclass(frozen=True, slots=True)
class RpmDatabase:
    """What one rpm database file holds."""

    format: str
    """``sqlite``, ``ndb``, ``bdb`` or ``manifest``."""
    packages: tuple[RpmPackage, ...] = ()
    warnings: tuple[str, ...] = ()
    """Damage met while reading (a truncated file, a header that did not parse): those packages are missing."""


# ---------------------------------------------------------------------------------------------- parsing


def split_source_rpm(filename: str) -> tuple[str, str, str] | None:
    """``name-version-release.arch.rpm`` -> ``(name, version, release)`` by rpm's file naming rule.

    Version and release never contain ``-`` (rpm-version(7)), so they are the last two ``-`` fields; the name
    is everything before them. ``None`` when the file name does not have that shape.

    >>> split_source_rpm("util-linux-2.32.1-42.el8_8.src.rpm")
    ('util-linux', '2.32.1', '42.el8_8')
    """
    if not filename.endswith(".rpm"):
        return None
    stem, dot, _arch = filename[: -len(".rpm")].rpartition(".")
    if not dot:
        return None
    parts = stem.rsplit("-", 2)
    if len(parts) != 3 or not all(parts):
        return None
    name, version, release = parts
    return name, version, release


def _package(header: RpmHeader, files: tuple[str, ...]) -> RpmPackage:
    source = split_source_rpm(header.source_rpm) if header.source_rpm else None
    return RpmPackage(
        name=header.name,
        version=header.version,
        release=header.release,
        arch=header.arch,
        epoch=header.epoch,
        source_rpm=header.source_rpm,
        source_name=source[0] if source else "",
        source_version=source[1] if source else "",
        source_release=source[2] if source else "",
        license=header.license,
        vendor=header.vendor,
        size=header.size,
        sigmd5=header.sigmd5,
        modularity_label=header.modularity_label,
        summary=header.summary,
        files=files,
    )


def parse_database(data: bytes) -> RpmDatabase:
    """An rpm database file (any of the three formats) as an :class:`RpmDatabase`.

    Raises :class:`RpmdbError` when the file is not a readable rpm database at all.
    """
    headers, warnings = read_rpmdb(data)
    fmt = detect_format(data) or "unknown"
    packages: list[RpmPackage] = []
    file_errors = 0
    for header in headers:
        if header.name in PSEUDO_PACKAGES:
            continue
        try:
            files = tuple(header.file_names(relative=True))
        except HeaderError as exc:
            file_errors += 1
            if file_errors <= MAX_WARNINGS:
                warnings.append(f"file list of {header.name}: {exc}")
            files = ()
        packages.append(_package(header, files))
    if file_errors > MAX_WARNINGS:
        warnings.append(f"{file_errors - MAX_WARNINGS} more packages have a broken file list")
    return RpmDatabase(format=fmt, packages=tuple(packages), warnings=tuple(warnings))


MANIFEST_COLUMNS = 10
"""``rpm -qa --qf '%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{INSTALLTIME}\\t%{BUILDTIME}\\t%{VENDOR}\\t%{EPOCH}\\t%{SIZE}\\t
%{ARCH}\\t%{EPOCHNUM}\\t%{SOURCERPM}\\n'``, as the CBL-Mariner toolkit writes it (docs/how_it_works/5_misc.md)
and Syft and Trivy read it."""


def parse_manifest(text: str) -> RpmDatabase:
    """Azure Linux / CBL-Mariner distroless ``container-manifest-2``: one tab-separated line per package."""
    packages: list[RpmPackage] = []
    warnings: list[str] = []

    def warn(message: str) -> None:
        if len(warnings) < MAX_WARNINGS:
            warnings.append(message)

    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) < MANIFEST_COLUMNS:
            warn(f"line {lineno}: {len(cols)} tab-separated fields, expected {MANIFEST_COLUMNS}")
            continue
        name, vr, _installed, _built, vendor, epoch_text, size_text, arch, _epochnum, source_rpm = (
            c.strip() for c in cols[:MANIFEST_COLUMNS]
        )
        version, dash, release = vr.rpartition("-")
        if not dash:
            version, release = vr, ""
        if not name or not version:
            warn(f"line {lineno}: no name or version")
            continue
        if name in PSEUDO_PACKAGES:
            continue
        epoch: int | None = None
        if epoch_text not in ("", "(none)"):
            if not epoch_text.isdigit():
                warn(f"line {lineno}: epoch {epoch_text!r} is not a number")
                continue
            epoch = int(epoch_text)
        source_rpm = "" if source_rpm == "(none)" else source_rpm
        source = split_source_rpm(source_rpm) if source_rpm else None
        packages.append(
            RpmPackage(
                name=name,
                version=version,
                release=release,
                arch="" if arch == "(none)" else arch,
                epoch=epoch,
                source_rpm=source_rpm,
                source_name=source[0] if source else "",
                source_version=source[1] if source else "",
                source_release=source[2] if source else "",
                vendor="" if vendor == "(none)" else vendor,
                size=int(size_text) if size_text.isdigit() else 0,
            )
        )
    return RpmDatabase(format="manifest", packages=tuple(packages), warnings=tuple(warnings))


# ---------------------------------------------------------------------------------------------- assembly

# Distro family (hullscan.extract.osrelease) -> PURL namespace. Families not listed use their own id.
PURL_NAMESPACES: dict[str, str] = {
    "alma": "almalinux",
    "centos-stream": "centos",
    "sles": "suse",
    "slem": "suse",
    "opensuse-leap": "opensuse",
    "opensuse-tumbleweed": "opensuse",
    "cbl-mariner": "mariner",
}

# When the image says nothing about its distribution: the packages' Vendor tag, most specific first.
VENDOR_NAMESPACES: tuple[tuple[str, str], ...] = (
    ("red hat", "redhat"),
    ("centos", "centos"),
    ("rocky", "rocky"),
    ("almalinux", "almalinux"),
    ("fedora", "fedora"),
    ("amazon", "amazon"),
    ("opensuse", "opensuse"),
    ("suse", "suse"),
    ("oracle", "oracle"),
    ("vmware", "photon"),
)


def purl_namespace(distro: Distro | None, vendor: str) -> str | None:
    if distro is not None:
        return PURL_NAMESPACES.get(distro.family, distro.family)
    lowered = vendor.lower()
    return next((ns for needle, ns in VENDOR_NAMESPACES if needle in lowered), None)


def purl(pkg: RpmPackage, distro: Distro | None) -> str:
    qualifiers: dict[str, str] = {}
    if pkg.arch:
        qualifiers["arch"] = pkg.arch
    if pkg.epoch:
        qualifiers["epoch"] = str(pkg.epoch)
    if distro is not None:
        qualifiers["distro"] = f"{distro.family}-{distro.release}"
    if pkg.modularity_label:
        qualifiers["modularitylabel"] = pkg.modularity_label
    version = f"{pkg.version}-{pkg.release}" if pkg.release else pkg.version
    return PackageURL(
        type=PackageType.RPM.value,
        namespace=purl_namespace(distro, pkg.vendor),
        name=pkg.name,
        version=version,
        qualifiers=qualifiers,
    ).to_string()


def to_package(pkg: RpmPackage, found_in: str, distro: Distro | None) -> Package:
    """The model's view of one rpm package. The source version carries the binary's epoch (rpm writes no
    epoch into SOURCERPM, and a source package is built with the epoch of its binaries)."""
    if pkg.source_name:
        src_vr = f"{pkg.source_version}-{pkg.source_release}"
        source_name, source_version = pkg.source_name, f"{pkg.epoch}:{src_vr}" if pkg.epoch else src_vr
    else:
        source_name, source_version = pkg.name, pkg.evr
    return Package(
        type=PackageType.RPM,
        name=pkg.name,
        version=pkg.evr,
        arch=pkg.arch,
        epoch=pkg.epoch,
        release=pkg.release,
        source_name=source_name,
        source_version=source_version,
        licenses=(pkg.license,) if pkg.license else (),
        maintainer=pkg.vendor,
        checksum=f"md5:{pkg.sigmd5}" if pkg.sigmd5 else "",
        module=pkg.modularity_label,
        files=pkg.files,
        found_in=found_in,
        extractor=NAME,
        purl=purl(pkg, distro),
    )


def _keys(db: RpmDatabase) -> Iterable[tuple[str, ...]]:
    return ((PackageType.RPM.value, p.name, p.evr, p.arch) for p in db.packages)


class RpmExtractor:
    """Reads rpm databases (BerkeleyDB, NDB, SQLite) and the Azure Linux distroless package manifest."""

    name = NAME
    version = VERSION
    payload_type = RpmDatabase

    def wants(self, path: str, entry: FileEntry) -> bool:
        if entry.kind not in (FileKind.FILE, FileKind.HARDLINK):
            return False
        if path in DB_PATHS:
            return entry.size <= MAX_DB_SIZE
        return path == MANIFEST_PATH and entry.size <= MAX_MANIFEST_SIZE

    def extract(self, path: str, data: bytes) -> RpmDatabase | None:
        if path == MANIFEST_PATH:
            if b"\x00" in data:
                raise ExtractError(f"{path}: binary content where a text package manifest was expected")
            return parse_manifest(data.decode("utf-8", "replace"))
        if path not in DB_PATHS:
            return None
        if not data:
            return None  # rpm creates an empty database file before the first install
        try:
            db = parse_database(data)
        except RpmdbError as exc:
            raise ExtractError(f"{path}: {exc}") from None
        if not db.packages and db.warnings:
            shown = "; ".join(db.warnings[:3])
            more = f" (and {len(db.warnings) - 3} more problems)" if len(db.warnings) > 3 else ""
            raise ExtractError(f"{path}: no package could be read: {shown}{more}")
        return db

    def warnings(self, view: SquashedView) -> list[Warning_]:
        """What a partly damaged database lost (read errors of pages or headers); the rest was kept."""
        return [
            Warning_(message, path, layer, NAME)
            for path, db, layer in view.payloads(NAME, RpmDatabase)
            for message in db.warnings
        ]

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        found = sorted(
            view.payloads(NAME, RpmDatabase),
            key=lambda item: (FORMAT_PRIORITY.get(item[1].format, len(FORMAT_PRIORITY)), item[0]),
        )
        if not found:
            return []
        path, db, _layer = found[0]
        layers = introduced_in(view.history(NAME, path, RpmDatabase), _keys)
        return attribute((to_package(p, path, distro) for p in db.packages), layers)
