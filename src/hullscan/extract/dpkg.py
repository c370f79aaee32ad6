"""os/dpkg: Debian packages, read from dpkg's database and the files beside it.

Two halves, as the extractor protocols ask (:mod:`hullscan.extract.base`, :mod:`hullscan.extract.packages`):

* :meth:`DpkgExtractor.extract` parses one file, bytes in, :class:`DpkgFile` out (cached per layer):

  - ``var/lib/dpkg/status``: one paragraph per package (deb822, https://www.debian.org/doc/debian-policy/ch-controlfields.html).
    Only installed packages are kept (``Status: install ok installed`` or ``hold ok installed``). A paragraph
    that is damaged (a line that is no field, a missing ``Package``/``Status``/``Version``, an invalid
    version, a file cut in its last line) is left out and counted in :attr:`StatusDb.skipped`; every other
    paragraph is kept.
  - ``var/lib/dpkg/status.d/*``: Google distroless writes one paragraph file per package, without ``Status``;
    its ``*.md5sums`` files there list each package's files.
  - ``var/lib/dpkg/info/*.list`` and ``*.md5sums``: the files a package installed.
  - ``var/lib/dpkg/available``: the ``SHA256`` of the ``.deb`` each package came from, when apt recorded it.
  - ``usr/share/doc/*/copyright``: licence names, raw, from ``License:`` fields (machine-readable copyright,
    https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/) and ``/usr/share/common-licenses/X``
    references. They are mapped to SPDX ids only when packages are assembled, so a better mapping table never
    needs a cache-busting version bump.

* :meth:`DpkgExtractor.packages` assembles :class:`~hullscan.model.Package` objects from the payloads that
  survive the squash, and attributes each to the layer that installed it (at its version).

Versions are split as Debian Policy 5.6.12 says (``[epoch:]upstream_version[-debian_revision]``,
https://www.debian.org/doc/debian-policy/ch-controlfields.html#version). Source package name and version follow
dpkg-query's ``${source:Package}``/``${source:Version}``: ``Source: name (version)`` when given, else the
binary's name and version.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from packageurl import quote as purl_quote

from hullscan.extract.base import ExtractError
from hullscan.extract.packages import introduced_in
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType, Warning_

NAME = "os/dpkg"
VERSION = 1

STATUS_FILE = "var/lib/dpkg/status"
STATUS_DIR = "var/lib/dpkg/status.d/"
INFO_DIR = "var/lib/dpkg/info/"
AVAILABLE_FILE = "var/lib/dpkg/available"
DOC_DIR = "usr/share/doc/"
COMMON_LICENSES = "/usr/share/common-licenses/"

MAX_DATABASE_SIZE = 256 << 20
"""status and available: a few MB on large systems; an ``available`` of a whole archive runs to tens of MB."""
MAX_FILE_LIST_SIZE = 64 << 20
MAX_COPYRIGHT_SIZE = 4 << 20
"""Copyright files run to a few hundred KB (linux-firmware); anything far larger is not one."""

# Status = "want flag state" (dpkg-query(1), "Package states" / "Package selection states"). Only these count as
# installed: the unpacked-but-unconfigured states may have half their files, and deinstall/purge marks a
# package on its way out.
INSTALLED_WANTS = frozenset({"install", "hold"})
_WANTS = frozenset({"unknown", "install", "hold", "deinstall", "purge"})
_FLAGS = frozenset({"ok", "reinstreq", "hold", "hold-reinstreq"})
_STATES = frozenset(
    {
        "not-installed",
        "config-files",
        "half-installed",
        "unpacked",
        "half-configured",
        "triggers-awaited",
        "triggers-pending",
        "installed",
        "post-inst-failed",  # dpkg before 1.14 (today's half-configured)
        "removal-failed",  # dpkg before 1.14 (today's half-installed)
    }
)

# ---------------------------------------------------------------------------------------------- payloads


@dataclass(frozen=True, slots=True)
class Stanza:
    """One installed package, as its status paragraph records it."""

    name: str
    version: str
    """The full version as written, ``[epoch:]upstream[-revision]``; valid per Policy 5.6.12."""
    arch: str = ""
    source_name: str = ""
    """``Source:`` name, else the binary's name (dpkg-query's ``${source:Package}``)."""
    source_version: str = ""
    """``Source: name (version)``'s version, else the binary's version (dpkg-query's ``${source:Version}``)."""
    maintainer: str = ""
    depends: str = ""
    """``Depends`` as written (names: :func:`dependency_names`)."""
    pre_depends: str = ""
    """``Pre-Depends`` as written."""


@dataclass(frozen=True, slots=True)
class StatusDb:
    """A status file (or one ``status.d`` file): its installed packages, and what was left out."""

    packages: tuple[Stanza, ...] = ()
    skipped: int = 0
    """Paragraphs left out because they are damaged or cut: worth a warning."""
    not_installed: int = 0
    """Whole paragraphs of packages that are not (fully) installed: removed with config files left, etc."""


@dataclass(frozen=True, slots=True)
class OwnedFiles:
    """The files one package installed (``info/*.list``, ``*.md5sums``), without leading ``/``."""

    paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Digest:
    """One ``available`` record that names the checksum of its ``.deb``."""

    name: str
    version: str
    arch: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Available:
    digests: tuple[Digest, ...] = ()


@dataclass(frozen=True, slots=True)
class Copyright:
    """Licence names as the copyright file writes them (``GPL-2+``, ``Expat``, ``GPL-2`` from common-licenses)."""

    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DpkgFile:
    """The payload of one file: exactly one field is set, by the kind of file it was read from.

    (One dataclass rather than a union: the extractor protocol has one payload type, and msgspec decodes
    dataclasses by field name, not by tag.)
    """

    status: StatusDb | None = None
    owned: OwnedFiles | None = None
    available: Available | None = None
    copyright: Copyright | None = None


# ---------------------------------------------------------------------------------------------- versions


class InvalidVersion(ValueError):
    """A version string that Debian Policy 5.6.12 does not allow."""


@dataclass(frozen=True, slots=True)
class DebianVersion:
    """``[epoch:]upstream[-revision]``.

    >>> split_version("1:2.31.1-0.4ubuntu3.1")
    DebianVersion(epoch=1, upstream='2.31.1', revision='0.4ubuntu3.1')
    >>> split_version("3.116ubuntu1")
    DebianVersion(epoch=None, upstream='3.116ubuntu1', revision='')
    """

    epoch: int | None
    """``None`` when the version has no epoch (equal to epoch 0 in comparisons)."""
    upstream: str
    revision: str
    """``""`` for a native package."""

    def __str__(self) -> str:
        text = self.upstream if self.epoch is None else f"{self.epoch}:{self.upstream}"
        return f"{text}-{self.revision}" if self.revision else text


_UPSTREAM = re.compile(r"[A-Za-z0-9.+~:-]+")
_REVISION = re.compile(r"[A-Za-z0-9.+~]+")
_MAX_EPOCH = 2**31 - 1  # dpkg keeps the epoch in an int


def split_version(text: str) -> DebianVersion:
    """Split and check a Debian version; :class:`InvalidVersion` when Policy 5.6.12 forbids it.

    The epoch is everything before the first colon, the revision everything after the last hyphen. Upstream may
    contain colons only when there is an epoch and hyphens only when there is a revision, which this split
    implies. Upstream "should" start with a digit; dpkg only warns when it does not, and so do we (nothing).
    """
    if not text:
        raise InvalidVersion("empty version")
    # Blanks and every other stray character fail the character checks below.
    epoch: int | None = None
    rest = text
    head, colon, tail = text.partition(":")
    if colon:
        if not head.isascii() or not head.isdigit():
            raise InvalidVersion(f"invalid version {text!r}: epoch is not a number")
        epoch = int(head)
        if epoch > _MAX_EPOCH:
            raise InvalidVersion(f"invalid version {text!r}: epoch too big")
        rest = tail
    upstream, hyphen, revision = rest.rpartition("-")
    if not hyphen:
        upstream, revision = rest, ""
    elif not revision:
        raise InvalidVersion(f"invalid version {text!r}: empty revision")
    elif not _REVISION.fullmatch(revision):
        raise InvalidVersion(f"invalid version {text!r}: invalid character in revision")
    if not upstream:
        raise InvalidVersion(f"invalid version {text!r}: empty upstream version")
    if not _UPSTREAM.fullmatch(upstream):
        raise InvalidVersion(f"invalid version {text!r}: invalid character in upstream version")
    return DebianVersion(epoch, upstream, revision)


# ---------------------------------------------------------------------------------------------- deb822


def _decode(data: bytes) -> str:
    # Status files are UTF-8; an odd Latin-1 Maintainer must not cost the package (and msgspec cannot encode
    # lone surrogates, so no surrogateescape).
    text = data.decode("utf-8", "replace")
    return text.replace("\r\n", "\n") if "\r" in text else text


def _paragraphs(text: str) -> list[str]:
    """Paragraphs separated by empty lines (dpkg's rule: only a truly empty line ends one)."""
    return [p for p in text.split("\n\n") if p and not p.isspace()]


_STATUS_FIELDS = ("Package", "Status", "Version", "Architecture", "Source", "Maintainer", "Depends", "Pre-Depends")
_AVAILABLE_FIELDS = ("Package", "Version", "Architecture", "SHA256")


def _field_table(wanted: Iterable[str], unwanted: Iterable[str] = ()) -> dict[str, str]:
    """Field name -> canonical wanted name, or ``""`` for a field we skip.

    Names match case-insensitively (Policy 5.1); dpkg writes them capitalised as listed, so the exact spelling
    is looked up first and the common unwanted names are listed to spare a ``lower()`` per line.
    """
    table = dict.fromkeys(unwanted, "")
    table.update({n: n for n in wanted})
    table.update({n.lower(): n for n in wanted})
    return table


_COMMON_FIELDS = (
    "Essential",
    "Priority",
    "Section",
    "Installed-Size",
    "Multi-Arch",
    "Replaces",
    "Provides",
    "Recommends",
    "Suggests",
    "Enhances",
    "Breaks",
    "Conflicts",
    "Conffiles",
    "Description",
    "Homepage",
    "Original-Maintainer",
    "Built-Using",
    "Protected",
    "Config-Version",
)
_STATUS_TABLE = _field_table(_STATUS_FIELDS, _COMMON_FIELDS)
_AVAILABLE_TABLE = _field_table(_AVAILABLE_FIELDS, _COMMON_FIELDS)


def _fields(paragraph: str, table: dict[str, str]) -> dict[str, str] | None:
    """The wanted fields of one paragraph (first lines only: none of them spans lines), ``None`` if damaged.

    Damaged: a NUL byte, a line that is neither ``Name: value`` nor a continuation (leading blank), a
    continuation before any field, or a wanted field given twice (two paragraphs run together).
    """
    paragraph = paragraph.lstrip("\n")  # after more than one empty line
    if "\x00" in paragraph or paragraph[:1] in " \t":
        return None
    out: dict[str, str] = {}
    get = table.get
    for line in paragraph.split("\n"):
        if line[:1] in " \t":
            continue  # a continuation line (or the empty tail after a final newline): no field of ours
        key, sep, value = line.partition(":")
        if not sep or not key or " " in key or "\t" in key:
            return None
        name = get(key)
        if name is None:
            name = get(key.lower())
        if name:
            if name in out:
                return None
            out[name] = value.strip()
    return out


_PACKAGE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9+.-]*")
# "name (version)"; dpkg writes one space, be lenient about blanks.
_SOURCE = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9+.-]*)(?:\s*\((?P<version>[^()]*)\))?")
# A package name at the start of the field or after "," or "|": skips "(>= 1:2.0)", "[amd64]", "<!nocheck>".
_DEPENDENCY = re.compile(r"(?:^|[,|])\s*([A-Za-z0-9][A-Za-z0-9+.-]*)")


def dependency_names(relations: str) -> tuple[str, ...]:
    """The package names in a relationship field, alternatives included, without versions or architectures.

    >>> dependency_names("passwd, debconf (>= 0.5) | debconf-2.0, libc6:any [amd64]")
    ('passwd', 'debconf', 'debconf-2.0', 'libc6')
    """
    return tuple(dict.fromkeys(_DEPENDENCY.findall(relations)))


class _Damaged(Exception):
    """A paragraph that cannot be trusted (internal: counted, never raised out of the parser)."""


def _stanza(fields: dict[str, str], *, require_status: bool) -> Stanza | None:
    """The installed package a paragraph describes; ``None`` when not installed; :class:`_Damaged` if broken."""
    name = fields.get("Package", "")
    if not _PACKAGE_NAME.fullmatch(name):
        raise _Damaged
    status = fields.get("Status")
    if status is None:
        if require_status:
            raise _Damaged
    elif status != "install ok installed" and status != "hold ok installed":
        words = status.split()
        if len(words) != 3 or words[0] not in _WANTS or words[1] not in _FLAGS or words[2] not in _STATES:
            raise _Damaged
        if words[0] not in INSTALLED_WANTS or words[1] != "ok" or words[2] != "installed":
            return None
    version = fields.get("Version", "")
    try:
        split_version(version)
    except InvalidVersion:
        raise _Damaged from None
    source_name, source_version = name, version
    source = fields.get("Source")
    if source:
        m = _SOURCE.fullmatch(source)
        if m is None:
            raise _Damaged
        source_name = m.group("name")
        given = m.group("version")
        if given is not None and given.strip() != version:
            source_version = given.strip()
            try:
                split_version(source_version)
            except InvalidVersion:
                raise _Damaged from None
    return Stanza(
        name,
        version,
        fields.get("Architecture", ""),
        source_name,
        source_version,
        fields.get("Maintainer", ""),
        fields.get("Depends", ""),
        fields.get("Pre-Depends", ""),
    )


def parse_status(data: bytes, *, distroless: bool = False) -> StatusDb:
    """Parse a dpkg status file (or, with ``distroless``, one ``status.d`` file, where ``Status`` is absent).

    A status file that does not end in a newline was cut inside its last line (dpkg always ends it with one):
    that paragraph is counted as skipped. :class:`ExtractError` when every paragraph is damaged: the file is not
    a status file, or is past reading.
    """
    paragraphs = _paragraphs(_decode(data))
    cut = not distroless and bool(paragraphs) and not data.endswith(b"\n")
    packages: list[Stanza] = []
    skipped = not_installed = 0
    last = len(paragraphs) - 1
    for i, paragraph in enumerate(paragraphs):
        fields = _fields(paragraph, _STATUS_TABLE)
        if fields is None or (cut and i == last):
            skipped += 1
            continue
        try:
            stanza = _stanza(fields, require_status=not distroless)
        except _Damaged:
            skipped += 1
            continue
        if stanza is None:
            not_installed += 1
        else:
            packages.append(stanza)
    if skipped and not packages and not not_installed:
        raise ExtractError(f"no readable package record ({skipped} damaged)")
    return StatusDb(tuple(packages), skipped, not_installed)


_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def parse_available(data: bytes) -> Available:
    """The ``SHA256`` of each record of dpkg's ``available`` file (damaged records are ignored)."""
    digests: list[Digest] = []
    for paragraph in _paragraphs(_decode(data)):
        fields = _fields(paragraph, _AVAILABLE_TABLE)
        if fields is None:
            continue
        name, version, sha256 = fields.get("Package", ""), fields.get("Version", ""), fields.get("SHA256", "")
        if name and version and _SHA256.fullmatch(sha256):
            digests.append(Digest(name, version, fields.get("Architecture", ""), sha256.lower()))
    return Available(tuple(digests))


def _text_file(data: bytes) -> str:
    if b"\x00" in data:
        raise ExtractError("binary content where a text file was expected")
    return _decode(data)


def parse_file_list(data: bytes) -> OwnedFiles:
    """``info/<pkg>.list``: absolute paths, directories included. Keeps the non-directories, without ``/``.

    dpkg lists every directory on the way to each file, so an entry that is the parent of another entry is a
    directory (whatever the order: packages often list their directories first). An empty directory cannot be
    told from a file here; :meth:`DpkgExtractor.packages` drops what the image itself has as a directory.
    """
    lines = [line for line in _text_file(data).split("\n") if line and line != "/."]
    parents = {line.rpartition("/")[0] for line in lines}
    return OwnedFiles(tuple(path for line in lines if line not in parents and (path := line.lstrip("/"))))


def parse_md5sums(data: bytes) -> OwnedFiles:
    """``<md5>  <path>`` per line (md5sum(1) format, path relative to the root): the package's regular files."""
    paths: list[str] = []
    for line in _text_file(data).split("\n"):
        digest, _, path = line.partition(" ")
        if not digest or not path:
            continue
        path = path.lstrip(" *").lstrip("/")  # "  path" (text mode) or " *path" (binary mode)
        if path:
            paths.append(path)
    return OwnedFiles(tuple(paths))


# ---------------------------------------------------------------------------------------------- licences

# "License: GPL-2+ or Artistic, and BSD-3-clause" (copyright-format 1.0 "License specification"): we keep the
# names, not the expression.
_LICENSE_SPLIT = re.compile(r",|;|\|\s*|\s+(?:or|and)\s+", re.IGNORECASE)
_COMMON_LICENSE = re.compile(re.escape(COMMON_LICENSES) + r"([A-Za-z0-9][A-Za-z0-9_.+-]*[A-Za-z0-9+])")
_MAX_LICENSE_WORDS = 4
"""A ``License:`` line with a longer piece is prose ("License: This program is free software; ..."), not names."""


def parse_copyright(data: bytes) -> Copyright:
    """Licence names in a ``usr/share/doc/<pkg>/copyright`` file, in order of appearance, raw and unique.

    Two sources, as Trivy reads them too: every line that starts with ``License:`` (machine-readable files, and
    many older free-form ones), and every ``/usr/share/common-licenses/<name>`` reference.
    """
    names: dict[str, None] = {}
    for line in _text_file(data).split("\n"):
        if line.startswith("License:"):
            value = line[len("License:") :].split("(", 1)[0]  # "MIT (Expat)" -> "MIT"
            parts = [p.strip().strip(".") for p in _LICENSE_SPLIT.split(value)]
            if all(len(p.split()) <= _MAX_LICENSE_WORDS for p in parts):  # else a sentence, not names
                names.update(dict.fromkeys(p for p in parts if any(c.isalpha() for c in p)))
        if COMMON_LICENSES in line:
            names.update(dict.fromkeys(_COMMON_LICENSE.findall(line)))
    return Copyright(tuple(names))


# SPDX ids (https://spdx.org/licenses/) for the short names of copyright-format 1.0 and the files in
# /usr/share/common-licenses. Keys are upper case. The GNU family (GPL, LGPL, AGPL, GFDL with a version) is
# handled by _GNU below, not listed here.
_SPDX: dict[str, str] = {
    "APACHE": "Apache-2.0",
    "APACHE-2": "Apache-2.0",
    "APACHE-2.0": "Apache-2.0",
    "APACHE 2.0": "Apache-2.0",
    "APACHE2": "Apache-2.0",
    "APACHE-1.0": "Apache-1.0",
    "APACHE-1.1": "Apache-1.1",
    # Debian's common-licenses/Artistic is the Perl "Artistic License" (1.0); Trivy's expectations, which the
    # fixtures pin (EXPECTED.md, dpkg copyright), map the bare name to Artistic-2.0, and so do we.
    "ARTISTIC": "Artistic-2.0",
    "ARTISTIC-1.0": "Artistic-1.0",
    "ARTISTIC-1.0-PERL": "Artistic-1.0-Perl",
    "ARTISTIC-2.0": "Artistic-2.0",
    # common-licenses/BSD is the University of California licence, three clauses.
    "BSD": "BSD-3-Clause",
    "BSD-1-CLAUSE": "BSD-1-Clause",
    "BSD-2-CLAUSE": "BSD-2-Clause",
    "BSD-3-CLAUSE": "BSD-3-Clause",
    "BSD-4-CLAUSE": "BSD-4-Clause",
    "BSL-1.0": "BSL-1.0",
    "BOOST-1.0": "BSL-1.0",
    "CC0": "CC0-1.0",
    "CC0-1.0": "CC0-1.0",
    "CDDL": "CDDL-1.0",
    "CDDL-1.0": "CDDL-1.0",
    "CDDL-1.1": "CDDL-1.1",
    "EPL-1.0": "EPL-1.0",
    "EPL-2.0": "EPL-2.0",
    "EXPAT": "MIT",
    "MIT": "MIT",
    "ISC": "ISC",
    "MPL-1.1": "MPL-1.1",
    "MPL-2.0": "MPL-2.0",
    "OPENSSL": "OpenSSL",
    "PSF-2": "PSF-2.0",
    "PSF-2.0": "PSF-2.0",
    "PYTHON": "Python-2.0",
    "PYTHON-2.0": "Python-2.0",
    "X11": "X11",
    "ZLIB": "Zlib",
    "ZPL-2.1": "ZPL-2.1",
    "W3C": "W3C",
    "WTFPL": "WTFPL",
    # Unversioned GNU names: which version is anyone's guess; this is the reading most packages mean (and the
    # one the apk licences in EXPECTED.md use).
    "GPL": "GPL-2.0-or-later",
    "LGPL": "LGPL-2.0-or-later",
}
_GNU = re.compile(r"(?P<family>A?GPL|LGPL|GFDL)[- ]?V?(?P<version>\d+(?:\.\d+)?)(?P<later>\+|-OR-LATER)?(?:-ONLY)?")
_WITH = re.compile(r"\s+with\s+", re.IGNORECASE)
_EXCEPTIONS: dict[str, str] = {
    "AUTOCONF EXCEPTION": "Autoconf-exception-generic",
    "BISON EXCEPTION": "Bison-exception-2.2",
    "CLASSPATH EXCEPTION": "Classpath-exception-2.0",
    "FONT EXCEPTION": "Font-exception-2.0",
    "GCC EXCEPTION": "GCC-exception-3.1",
    "GCC-EXCEPTION-3.1": "GCC-exception-3.1",
    "LIBTOOL EXCEPTION": "Libtool-exception",
}


@functools.lru_cache(maxsize=4096)  # the same few dozen names come back for every package
def normalize_license(name: str) -> str:
    """An SPDX id for a Debian licence name where one is known, else the name as written.

    >>> [normalize_license(n) for n in ("GPL-2", "GPL-2+", "GPLv2+", "LGPL-2.1", "Expat", "BSD-4-clause-POWERDOG")]
    ['GPL-2.0-only', 'GPL-2.0-or-later', 'GPL-2.0-or-later', 'LGPL-2.1-only', 'MIT', 'BSD-4-clause-POWERDOG']
    """
    text = " ".join(name.split())
    base, *rest = _WITH.split(text, maxsplit=1)
    exception = rest[0] if rest else ""
    upper = base.upper()
    if upper.startswith("THE "):
        upper = upper[4:]
    if upper.endswith(" LICENSE"):
        upper = upper[: -len(" LICENSE")]
    spdx = _SPDX.get(upper)
    if spdx is None:
        m = _GNU.fullmatch(upper)
        if m is not None:
            version = m.group("version")
            version = version if "." in version else version + ".0"
            spdx = f"{m.group('family')}-{version}-{'or-later' if m.group('later') else 'only'}"
    if spdx is None:
        return text
    if exception:
        return f"{spdx} WITH {_EXCEPTIONS.get(exception.upper(), exception)}"
    return spdx


def licenses_of(copyright_: Copyright) -> tuple[str, ...]:
    """The SPDX ids (or names as written) of a copyright payload, unique, in order."""
    return tuple(dict.fromkeys(normalize_license(n) for n in copyright_.names))


# ---------------------------------------------------------------------------------------------- PURLs


def package_url(stanza: Stanza, distro: Distro | None) -> str:
    """``pkg:deb/<family>/<name>@<version>?arch=..&distro=<family>-<release>&upstream=<source>[@<version>]``.

    The namespace is the distribution (``debian`` when unknown), the version the full dpkg version with its
    epoch, as the PURL spec's deb examples write it (``pkg:deb/debian/attr@1:2.4.47-2?arch=source``).
    ``upstream`` names the source package as Syft does: only when it differs, with its version when that
    differs too.

    Every component is encoded by packageurl-python's own ``quote``; the string is joined here because building
    a :class:`~packageurl.PackageURL` normalises everything twice, most of the cost of assembling 2,000 packages
    (the tests check the result against ``PackageURL(...).to_string()``).
    """
    namespace = distro.family if distro is not None and distro.family else "debian"
    parts = [_PURL_PREFIX, _quote_cached(namespace), "/", purl_quote(stanza.name), "@", purl_quote(stanza.version)]
    sep = "?"
    if stanza.arch:
        parts += (sep, "arch=", _quote_cached(stanza.arch))
        sep = "&"
    if distro is not None and distro.family and distro.release:
        parts += (sep, "distro=", _quote_cached(f"{distro.family}-{distro.release}"))
        sep = "&"
    if stanza.source_version != stanza.version:
        parts += (sep, "upstream=", purl_quote(f"{stanza.source_name}@{stanza.source_version}"))
    elif stanza.source_name != stanza.name:
        parts += (sep, "upstream=", purl_quote(stanza.source_name))
    return "".join(parts)


_PURL_PREFIX = "pkg:deb/"
_quote_cached = functools.lru_cache(maxsize=256)(purl_quote)
"""Architectures, distributions and namespaces repeat for every package."""


# ---------------------------------------------------------------------------------------------- the extractor


def _kind(path: str) -> str | None:
    """Which of our files ``path`` is (string checks only)."""
    if path.startswith("var/lib/dpkg/"):
        if path == STATUS_FILE:
            return "status"
        if path == AVAILABLE_FILE:
            return "available"
        if path.startswith(STATUS_DIR):
            base = path[len(STATUS_DIR) :]
            if not base or "/" in base or base.startswith("."):
                return None
            return "md5sums" if base.endswith(".md5sums") else "status.d"
        if path.startswith(INFO_DIR):
            base = path[len(INFO_DIR) :]
            if "/" in base:
                return None
            if base.endswith(".list") and len(base) > len(".list"):
                return "list"
            if base.endswith(".md5sums") and len(base) > len(".md5sums"):
                return "md5sums"
        return None
    if path.startswith(DOC_DIR) and path.endswith("/copyright") and path.count("/") == 4:
        return "copyright" if len(path) > len(DOC_DIR) + len("/copyright") else None
    return None


_LIMITS = {
    "status": MAX_DATABASE_SIZE,
    "status.d": MAX_DATABASE_SIZE,
    "available": MAX_DATABASE_SIZE,
    "list": MAX_FILE_LIST_SIZE,
    "md5sums": MAX_FILE_LIST_SIZE,
    "copyright": MAX_COPYRIGHT_SIZE,
}


@dataclass(frozen=True, slots=True)
class _Skips:
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class _StatusSkips:
    """Decodes only ``status.skipped`` of a :class:`DpkgFile` (msgspec ignores the other fields)."""

    status: _Skips | None = None


_DEB = PackageType.DEB.value  # an enum's .value is a descriptor call; this is looked up per package and layer


def _keys(payload: DpkgFile) -> Iterator[tuple[str, ...]]:
    """Package keys (as :attr:`Package.key`) in one version of a status file."""
    if payload.status is not None:
        for s in payload.status.packages:
            yield (_DEB, s.name, s.version, s.arch)


class DpkgExtractor:
    """Debian packages: dpkg's status database, file lists, ``available`` digests and copyright licences."""

    name = NAME
    version = VERSION
    payload_type = DpkgFile

    def wants(self, path: str, entry: FileEntry) -> bool:
        if entry.kind is not FileKind.FILE and entry.kind is not FileKind.HARDLINK:
            return False
        kind = _kind(path)
        return kind is not None and entry.size <= _LIMITS[kind]

    def extract(self, path: str, data: bytes) -> DpkgFile | None:
        match _kind(path):
            case "status":
                return DpkgFile(status=parse_status(data))
            case "status.d":
                return DpkgFile(status=parse_status(data, distroless=True))
            case "list":
                return DpkgFile(owned=parse_file_list(data))
            case "md5sums":
                return DpkgFile(owned=parse_md5sums(data))
            case "available":
                available = parse_available(data)
                return DpkgFile(available=available) if available.digests else None
            case "copyright":
                copyright_ = parse_copyright(data)
                return DpkgFile(copyright=copyright_) if copyright_.names else None
            case _:
                return None

    # ------------------------------------------------------------------ assembly

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        """Every installed package of the squashed image, with files, licences, digest, PURL and layer.

        The status file comes first, then the distroless ``status.d`` files in name order (a package in both is
        the status file's). Each package is attributed with :func:`~hullscan.extract.packages.introduced_in`
        over the history of the file that lists it; the layer is set as the package is built, which is what
        :func:`~hullscan.extract.packages.attribute` would do without copying every package once more.
        """
        found = _Found.of(view, distro)
        out: list[Package] = []
        seen: set[tuple[str, ...]] = set()
        for path in sorted(found.status, key=lambda p: (p != STATUS_FILE, p)):
            db, top = found.status[path]
            layers = introduced_in(view.history(NAME, path, DpkgFile), _keys)
            for s in db.packages:
                key = (_DEB, s.name, s.version, s.arch)
                if key not in seen:
                    seen.add(key)
                    out.append(found.package(s, path, len(db.packages), layers.get(key, top)))
        return out

    def warnings(self, view: SquashedView) -> list[Warning_]:
        """One warning per surviving status file that had damaged paragraphs left out."""
        out: list[Warning_] = []
        for path, payload, layer in view.payloads(NAME, _StatusSkips):
            if payload.status is not None and payload.status.skipped:
                n = payload.status.skipped
                message = f"{n} damaged package record{'s' if n != 1 else ''} skipped"
                out.append(Warning_(message, path, layer, NAME))
        return out


@dataclass(slots=True)
class _Found:
    """The surviving payloads of one squashed view, by kind, and how they make a package."""

    view: SquashedView
    distro: Distro | None
    status: dict[str, tuple[StatusDb, LayerRef]] = field(default_factory=dict)
    owned: dict[str, OwnedFiles] = field(default_factory=dict)
    copyright: dict[str, Copyright] = field(default_factory=dict)
    digests: dict[tuple[str, str, str], str] = field(default_factory=dict)
    directories: set[str] | None = None
    """Paths that are directories in the image, collected when the first file list is needed."""

    @classmethod
    def of(cls, view: SquashedView, distro: Distro | None) -> _Found:
        found = cls(view, distro)
        for path, payload, layer in view.payloads(NAME, DpkgFile):
            match payload:
                case DpkgFile(status=StatusDb() as db):
                    found.status[path] = (db, layer)
                case DpkgFile(owned=OwnedFiles() as owned):
                    found.owned[path] = owned
                case DpkgFile(copyright=Copyright() as copyright_):
                    found.copyright[path] = copyright_
                case DpkgFile(available=Available() as available):
                    for d in available.digests:
                        found.digests.setdefault((d.name, d.version, d.arch), d.sha256)
        return found

    def package(self, s: Stanza, path: str, siblings: int, layer: LayerRef) -> Package:
        version = split_version(s.version)  # checked when parsed
        return Package(
            type=PackageType.DEB,
            name=s.name,
            version=s.version,
            arch=s.arch,
            epoch=version.epoch,
            release=version.revision,
            source_name=s.source_name,
            source_version=s.source_version,
            licenses=self.licenses(s.name),
            maintainer=s.maintainer,
            checksum=self.checksum(s),
            files=self.files(s, path, siblings),
            found_in=path,
            extractor=NAME,
            purl=package_url(s, self.distro),
            layer=layer,
        )

    def checksum(self, s: Stanza) -> str:
        """The ``available`` record of this name, version and architecture (one without an architecture
        matches any): Multi-Arch: same packages share name and version across architectures, not the .deb."""
        sha256 = self.digests.get((s.name, s.version, s.arch)) or self.digests.get((s.name, s.version, ""))
        return f"sha256:{sha256}" if sha256 else ""

    def licenses(self, name: str) -> tuple[str, ...]:
        path = f"{DOC_DIR}{name}/copyright"
        copyright_ = self.copyright.get(path)
        if copyright_ is None:
            # usr/share/doc/<pkg> is often a symlink to a sibling package's directory.
            real = self.view.resolve(path)
            copyright_ = self.copyright.get(real) if real and real != path else None
        return licenses_of(copyright_) if copyright_ is not None else ()

    def files(self, s: Stanza, path: str, siblings: int) -> tuple[str, ...]:
        """``info/<name>[:<arch>].list``, else a ``.md5sums`` (``status.d`` or ``info/``); no directories."""
        stems = (f"{s.name}:{s.arch}", s.name) if s.arch else (s.name,)
        candidates: list[str] = []
        if path.startswith(STATUS_DIR):
            # Distroless: status.d/<file>.md5sums beside status.d/<file> (named after the file, which usually is
            # the package).
            if siblings == 1:
                candidates.append(f"{path}.md5sums")
            candidates.append(f"{STATUS_DIR}{s.name}.md5sums")
        candidates += [f"{INFO_DIR}{stem}.list" for stem in stems]
        candidates += [f"{INFO_DIR}{stem}.md5sums" for stem in stems]
        owned = next((self.owned[c] for c in candidates if c in self.owned), None)
        if owned is None:
            return ()
        directories = self.image_directories()
        return tuple(p for p in owned.paths if p not in directories)

    def image_directories(self) -> set[str] | _Lookup:
        """What to test listed paths against: the image's directories.

        Collecting every directory is one pass over the whole view, a lookup per path is ~4x dearer per item: the
        pass pays once the file lists name more than a quarter as many paths as the image holds (desktop-sized
        systems: 100k listed in 160k), lookups win for a few packages in a big image.
        """
        if self.directories is None:
            listed = sum(len(o.paths) for o in self.owned.values())
            if listed * 4 < len(self.view):
                return _Lookup(self.view)
            self.directories = {e.path for e, _ in self.view.entries() if e.kind is FileKind.DIR}
        return self.directories


@dataclass(frozen=True, slots=True)
class _Lookup:
    """``path in _Lookup(view)``: whether the image has ``path`` as a directory, one lookup at a time."""

    view: SquashedView

    def __contains__(self, path: str) -> bool:
        found = self.view.entry(path)
        return found is not None and found[0].kind is FileKind.DIR


__all__ = [
    "NAME",
    "VERSION",
    "Available",
    "Copyright",
    "DebianVersion",
    "Digest",
    "DpkgExtractor",
    "DpkgFile",
    "InvalidVersion",
    "OwnedFiles",
    "Stanza",
    "StatusDb",
    "dependency_names",
    "licenses_of",
    "normalize_license",
    "package_url",
    "parse_available",
    "parse_copyright",
    "parse_file_list",
    "parse_md5sums",
    "parse_status",
    "split_version",
]
