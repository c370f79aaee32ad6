"""os/apk: the packages Alpine's package manager (and Wolfi's, Chainguard's) recorded as installed.

The database is ``lib/apk/db/installed`` (``usr/lib/apk/db/installed`` on merged-/usr systems such as Wolfi),
a text file of records separated by blank lines, one ``<letter>:<value>`` field per line
(https://wiki.alpinelinux.org/wiki/Apk_spec, "Installed Database V2"). The fields read here:

====  ==========================================================================================
P     package name; starts a record's identity
V     full version, ``1.1.24-r2``: what apk compares and what advisories name
A     architecture
o     origin: the source package (aport) the binary package was built from; advisories use it
L     licence, free text (normalised by :mod:`hullscan.extract.licenses`)
C     checksum of the package's control data: ``Q1`` + base64 SHA-1 (``Q2`` + base64 SHA-256 in apk 3;
      plain hex MD5 in very old databases)
m     maintainer
F     a directory the package owns; the ``R`` lines after it are files inside it
R     a file the package installed, relative to the last ``F``
D     dependencies, space separated (``so:libc.musl-x86_64.so.1``, ``musl=1.1.24-r2``, ``!conflict``)
p     what the package provides, same syntax
====  ==========================================================================================

Two halves, as the extractor protocol asks (see :mod:`hullscan.extract.base`):

* :class:`ApkExtractor` parses one database file into an :class:`ApkDatabase` of raw records (cached per
  layer). Licence and checksum are kept as written, so a change to their interpretation never leaves a stale
  conclusion in the cache.
* :meth:`ApkExtractor.packages` turns the database that survives in the squashed image into packages, with
  PURLs for the image's distribution and the layer that installed each one.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from packageurl import PackageURL

from hullscan.extract.base import ExtractError
from hullscan.extract.licenses import normalize_license_choice, normalize_license_tokens
from hullscan.extract.packages import attribute, introduced_in
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType

NAME = "os/apk"
VERSION = 1

DB_PATHS = ("lib/apk/db/installed", "usr/lib/apk/db/installed")
"""Where apk keeps its installed database, in the order they are tried. On merged-/usr systems one is usually a
symlink to the other; the squashed view follows it, and a database reached twice is read once."""

PURL_NAMESPACES: dict[str, str] = {"alpine": "alpine", "wolfi": "wolfi", "chainguard": "chainguard"}
"""Distribution family -> PURL namespace (https://github.com/package-url/purl-spec, type ``apk``). An apk
database on an unknown or undetected distribution is taken to be Alpine's."""
DEFAULT_PURL_NAMESPACE = "alpine"

_FIELD = re.compile(r"[A-Za-z]:")
_CONSTRAINT = re.compile(r"[<>=~@]")


@dataclass(frozen=True, slots=True)
class ApkRecord:
    """One installed package, as the database writes it (nothing interpreted)."""

    name: str
    version: str
    arch: str = ""
    origin: str = ""
    license: str = ""
    """The raw ``L:`` field."""
    checksum: str = ""
    """The raw ``C:`` field (``Q1...``); see :func:`decode_checksum`."""
    maintainer: str = ""
    files: tuple[str, ...] = ()
    """Files installed (``R:`` lines joined to their ``F:`` directory), without leading ``/``."""
    depends: tuple[str, ...] = ()
    """``D:`` tokens as written, constraints and ``!`` conflicts included."""
    provides: tuple[str, ...] = ()
    """``p:`` tokens as written."""

    @property
    def id(self) -> str:
        """``name@version``, as dependency lists name installed packages."""
        return f"{self.name}@{self.version}"


@dataclass(frozen=True, slots=True)
class ApkDatabase:
    """The payload for one ``installed`` file: its package records in file order."""

    records: tuple[ApkRecord, ...] = ()


# ---------------------------------------------------------------------------------------------- parsing


class _Draft:
    """The record being read; becomes an :class:`ApkRecord` once it has a name and a version."""

    __slots__ = (
        "arch",
        "checksum",
        "depends",
        "directory",
        "files",
        "license",
        "maintainer",
        "name",
        "origin",
        "provides",
        "version",
    )

    def __init__(self) -> None:
        self.name = self.version = self.arch = self.origin = self.license = ""
        self.checksum = self.maintainer = self.directory = ""
        self.files: list[str] = []
        self.depends: tuple[str, ...] = ()
        self.provides: tuple[str, ...] = ()

    def set(self, key: str, value: str) -> None:
        match key:
            case "P":
                self.name = value.strip()
            case "V":
                self.version = value.strip()
            case "A":
                self.arch = value.strip()
            case "o":
                self.origin = value.strip()
            case "L":
                self.license = value.strip()
            case "C":
                self.checksum = value.strip()
            case "m":
                self.maintainer = value.strip()
            case "F":
                self.directory = value.strip("/")
            case "R":
                name = value.strip("/")
                if name:
                    self.files.append(f"{self.directory}/{name}" if self.directory else name)
            case "D":
                self.depends = tuple(value.split())
            case "p":
                self.provides = tuple(value.split())
            case _:
                pass  # sizes, descriptions, file modes and digests: not needed for an inventory

    def record(self) -> ApkRecord | None:
        # A record without a version (or a name) cannot be matched or compared: apk itself would not load it.
        if not self.name or not self.version:
            return None
        return ApkRecord(
            name=self.name,
            version=self.version,
            arch=self.arch,
            origin=self.origin,
            license=self.license,
            checksum=self.checksum,
            maintainer=self.maintainer,
            files=tuple(self.files),
            depends=self.depends,
            provides=self.provides,
        )


def parse_installed(data: bytes, path: str = DB_PATHS[0]) -> ApkDatabase:
    """Parse an apk ``installed`` database. Records without ``P:`` and ``V:`` are dropped.

    A file cut short keeps every record up to the cut (the last one with what it had, if it has a version).
    Binary content, or text with no record and lines that are not fields, raises :class:`ExtractError`.

    >>> db = parse_installed(b"C:Q1yyMWoYnr7lKCxKm9mHlMwkd6dMY=\\nP:musl\\nV:1.1.24-r2\\nA:x86_64\\n\\nP:broken\\n")
    >>> [(r.name, r.version, r.arch) for r in db.records]
    [('musl', '1.1.24-r2', 'x86_64')]
    """
    if b"\x00" in data:
        raise ExtractError(f"{path}: binary content where an apk installed database was expected")
    # The database is UTF-8 (maintainer names); one bad byte in a free-text field must not lose every package.
    text = data.decode("utf-8", errors="replace")
    records: list[ApkRecord] = []
    malformed = 0
    draft = _Draft()
    lines = text.split("\n")
    last = len(lines) - 1
    for number, raw_line in enumerate(lines):
        line = raw_line.rstrip("\r")
        if not line.strip():
            found = draft.record()
            if found is not None:
                records.append(found)
            draft = _Draft()
            continue
        if not _FIELD.match(line):
            # An unterminated last line may be a field cut short ("P"): a truncated file, not a foreign one.
            malformed += number != last
            continue
        draft.set(line[0], line[2:])
    found = draft.record()
    if found is not None:
        records.append(found)
    if not records and malformed:
        raise ExtractError(f"{path}: not an apk installed database ({malformed} lines are not '<letter>:' fields)")
    return ApkDatabase(tuple(records))


# ---------------------------------------------------------------------------------------------- interpretation

_CHECKSUMS = {"Q1": ("sha1", 20), "Q2": ("sha256", 32)}
_HEX_MD5 = re.compile(r"[0-9a-fA-F]{32}")


def decode_checksum(raw: str) -> str:
    """An apk ``C:`` value as ``algorithm:hex``; ``""`` when it is not one apk writes.

    >>> decode_checksum("Q11otALzX1d1D0kVawy06IairTXS0=")
    'sha1:d68b402f35f57750f49156b0cb4e886a2ad35d2d'
    """
    raw = raw.strip()
    known = _CHECKSUMS.get(raw[:2])
    if known is None:
        return f"md5:{raw.lower()}" if _HEX_MD5.fullmatch(raw) else ""
    algorithm, size = known
    try:
        digest = base64.b64decode(raw[2:], validate=True)
    except (binascii.Error, ValueError):
        return ""
    return f"{algorithm}:{digest.hex()}" if len(digest) == size else ""


def _unconstrained(token: str) -> str:
    """``so:libssl.so.1.1=1.1`` -> ``so:libssl.so.1.1``; ``musl>=1.2`` -> ``musl``."""
    m = _CONSTRAINT.search(token)
    return token[: m.start()] if m else token


def dependency_ids(records: Iterable[ApkRecord]) -> dict[str, tuple[str, ...]]:
    """For each package name, the installed packages (``name@version``) its ``D:`` line resolves to, sorted.

    A dependency names a package or something one provides (``so:``, ``cmd:``, ``pc:``, a path). Package names
    win over provides; among providers the first record wins. Conflicts (``!name``), dependencies nothing
    installed satisfies, and a package's dependency on itself are left out.
    """
    items = list(records)
    providers: dict[str, str] = {}
    for record in items:
        for token in record.provides:
            providers.setdefault(_unconstrained(token), record.id)
    for record in items:
        providers[record.name] = record.id
    result: dict[str, tuple[str, ...]] = {}
    for record in items:
        resolved = {
            providers[name]
            for token in record.depends
            if not token.startswith("!") and (name := _unconstrained(token)) in providers
        }
        resolved.discard(record.id)
        result.setdefault(record.name, tuple(sorted(resolved)))
    return result


def package_url(record: ApkRecord, distro: Distro | None) -> str:
    """``pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5``."""
    namespace = PURL_NAMESPACES.get(distro.family, DEFAULT_PURL_NAMESPACE) if distro else DEFAULT_PURL_NAMESPACE
    qualifiers: dict[str, str] = {}
    if record.arch:
        qualifiers["arch"] = record.arch
    if distro is not None and distro.release:
        qualifiers["distro"] = distro.release
    return PackageURL(
        type=PackageType.APK.value,
        namespace=namespace,
        name=record.name,
        version=record.version,
        qualifiers=qualifiers,
    ).to_string()


def to_package(record: ApkRecord, found_in: str, distro: Distro | None, layer: LayerRef | None = None) -> Package:
    """The inventory's view of one record, read from ``found_in`` in ``layer``."""
    return Package(
        type=PackageType.APK,
        name=record.name,
        version=record.version,
        arch=record.arch,
        source_name=record.origin or record.name,
        source_version=record.version,
        licenses=_licenses(record.license),
        maintainer=record.maintainer,
        checksum=decode_checksum(record.checksum),
        files=record.files,
        found_in=found_in,
        extractor=NAME,
        purl=package_url(record, distro),
        layer=layer,
    )


def unique_records(db: ApkDatabase) -> list[ApkRecord]:
    """The records, first one per name: apk installs one version of a name, so a repeat is damage."""
    seen: set[str] = set()
    out: list[ApkRecord] = []
    for record in db.records:
        if record.name not in seen:
            seen.add(record.name)
            out.append(record)
    return out


def _keys(db: ApkDatabase) -> Iterator[tuple[str, ...]]:
    """The :attr:`Package.key` of every record, for layer attribution."""
    for record in db.records:
        yield (PackageType.APK.value, record.name, record.version, record.arch)


class ApkExtractor:
    """Reads apk's installed database and assembles the packages it lists."""

    name = NAME
    version = VERSION
    payload_type = ApkDatabase

    def wants(self, path: str, entry: FileEntry) -> bool:
        # A symlinked database is followed by the squashed view to its target, which is read in its own right.
        return path in DB_PATHS and entry.kind in (FileKind.FILE, FileKind.HARDLINK)

    def extract(self, path: str, data: bytes) -> ApkDatabase | None:
        if path not in DB_PATHS:
            return None
        return parse_installed(data, path)

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        """The packages of the first database present (:data:`DB_PATHS` order), each with its layer."""
        for path in DB_PATHS:
            got = view.payload(NAME, path, ApkDatabase)
            if got is None:
                continue
            db, layer = got
            real = view.resolve(path) or path
            built = [to_package(r, real, distro, layer) for r in unique_records(db)]
            return attribute(built, introduced_in(view.history(NAME, real, ApkDatabase), _keys))
        return []


def _licenses(raw: str) -> tuple[str, ...]:
    """``MIT OR GPL-2.0`` stays one choice; ``MIT BSD GPL2+`` (all of them apply) is a list."""
    choice = normalize_license_choice(raw)
    return (choice,) if choice is not None else normalize_license_tokens(raw)
