"""dpkg's status database: ``var/lib/dpkg/status`` and distroless ``status.d/*`` files, as :class:`StatusDb`.

Which paragraphs are installed packages, which are damaged (left out and counted: the file fails only when every
paragraph does), and the source package's name and version as dpkg-query's ``${source:Package}`` and
``${source:Version}`` give them: ``Source: name (version)`` when given, else the binary's name and version.
"""

from __future__ import annotations

import dataclasses
import re

from hullscan.extract.base import ExtractError
from hullscan.extract.dpkg.deb822 import _COMMON_FIELDS, _decode, _field_table, _fields, _paragraphs
from hullscan.extract.dpkg.model import Stanza, StatusDb
from hullscan.extract.dpkg.version import InvalidVersion, split_version

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

_STATUS_FIELDS = ("Package", "Status", "Version", "Architecture", "Source", "Maintainer", "Depends", "Pre-Depends")
_STATUS_TABLE = _field_table(_STATUS_FIELDS, _COMMON_FIELDS)

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


def _conffiles(paragraph: str) -> tuple[tuple[str, str], ...]:
    """The ``Conffiles`` field's continuation lines: `` /etc/x 0123...abcd [obsolete|remove-on-upgrade]``."""
    out: list[tuple[str, str]] = []
    lines = paragraph.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Conffiles:"))
    for line in lines[start + 1:]:
        if line[:1] not in (" ", "\t"):
            break
        parts = line.split()
        if len(parts) >= 2 and len(parts[1]) == 32 and parts[0].startswith("/"):
            out.append((parts[0].lstrip("/"), parts[1].lower()))
    return tuple(out)


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
            if "\nConffiles:" in paragraph:
                stanza = dataclasses.replace(stanza, conffiles=_conffiles(paragraph))
            packages.append(stanza)
    if skipped and not packages and not not_installed:
        raise ExtractError(f"no readable package record ({skipped} damaged)")
    return StatusDb(tuple(packages), skipped, not_installed)
