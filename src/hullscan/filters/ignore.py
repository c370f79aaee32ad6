"""Ignore files: findings a team has looked at and accepted, each optionally until a date.

Two forms. The **plain** form (``.hullscanignore``, and Trivy's ``.trivyignore``) has one id per line — a CVE,
GHSA or other advisory id, or a check id such as ``os/end-of-life`` — with ``#`` comments and an optional
``exp:YYYY-MM-DD`` after the id::

    # accepted risks, reviewed 2026-11-02
    CVE-2019-11324 exp:2026-06-30   # fixed upstream, base image update scheduled
    os/end-of-life

The **YAML** form (``.hullscanignore.yaml``, Trivy's ``.trivyignore.yaml``, any ``*.yaml``/``*.yml`` path, or a
file whose first line is a section such as ``vulnerabilities:``) lists entries under ``vulnerabilities:``,
``findings:`` or Trivy's ``misconfigurations:`` / ``secrets:`` / ``licenses:``. Each entry has an ``id`` and
optionally narrows it::

    vulnerabilities:
      - id: CVE-2020-28928
        purls: [pkg:apk/alpine/musl]          # this package only, every version
        expired_at: 2026-12-31                # or "expires"
        statement: wcsnrtombs is not reachable from our service   # or "reason"
      - id: CVE-2022-40897
        paths: ["usr/local/lib/python3.*/site-packages/setuptools-*.dist-info/METADATA"]

* An id matches a finding's id or any of its vulnerability's aliases, ignoring case (``GHSA-…`` ignores the
  finding reported as ``CVE-…`` when the advisory lists both). The section an entry is in does not matter.
* ``paths`` are globs (``*``, ``**``, ``?``, ``[…]``, ``{a,b}``: see :mod:`hullscan.filters._glob`) matched
  against the file the package was read from (``Package.found_in``; the finding's target when it has no
  package). One matching glob is enough.
* ``purls`` match the package's PURL: a PURL without a version matches every version, one without qualifiers
  ignores the package's qualifiers (see :mod:`hullscan.filters._purl`). A finding without a package PURL
  matches no ``purls`` entry.
* An entry with an expiry date applies through that day and no more; expired entries are reported back so
  the caller can warn, and never ignore anything.

Anything malformed — an unknown token or key, a date that is not ``YYYY-MM-DD``, a bad glob or PURL — is a
:class:`~hullscan.errors.UsageError` naming the file and line: a typo in an expiry date must not turn a
temporary exception into a permanent one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from hullscan.errors import UsageError
from hullscan.filters._glob import compile_glob, glob_match
from hullscan.filters._located import Located, LocatedError, load_yaml
from hullscan.filters._purl import package_purl, parse_purl
from hullscan.model import Finding

SECTIONS = ("vulnerabilities", "findings", "misconfigurations", "secrets", "licenses")
_ENTRY_KEYS = frozenset({"id", "paths", "purls", "expired_at", "expires", "statement", "reason"})
_EXP = re.compile(r"^exp:(.*)$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+-]*$")
_COMMENT = re.compile(r"(^|\s)#.*$")
_YAML_SECTION = re.compile(rf"^({'|'.join(SECTIONS)})\s*:\s*(#.*)?$")


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """One entry of an ignore file."""

    id: str
    expires: date | None = None
    """The last day the entry applies; ``None`` for ever."""
    paths: tuple[str, ...] = ()
    purls: tuple[str, ...] = ()
    statement: str = ""
    source: str = ""
    """The file the entry was read from."""
    line: int = 0
    section: str = ""
    """The YAML section (``vulnerabilities``...); empty for the plain form."""

    @property
    def where(self) -> str:
        """``file:line``, for messages."""
        return f"{self.source}:{self.line}" if self.line else self.source

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    def matches(self, finding: Finding) -> bool:
        """Whether the entry covers ``finding`` (regardless of its expiry)."""
        wanted = self.id.casefold()
        if finding.id.casefold() != wanted and not (
            finding.vulnerability is not None and any(a.casefold() == wanted for a in finding.vulnerability.aliases)
        ):
            return False
        pkg = finding.package
        if self.paths:
            path = pkg.found_in if pkg is not None else finding.target
            if not path or not any(glob_match(p, path) for p in self.paths):
                return False
        if self.purls:
            target = package_purl(pkg.purl) if pkg is not None else None
            if target is None or not any(parse_purl(p).matches(target) for p in self.purls):
                return False
        return True


@dataclass(frozen=True, slots=True)
class IgnoreRules:
    """The entries of one or more ignore files, in file order (the first matching entry is reported)."""

    rules: tuple[IgnoreRule, ...] = ()
    sources: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[IgnoreRule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __add__(self, other: IgnoreRules) -> IgnoreRules:
        return IgnoreRules(self.rules + other.rules, self.sources + other.sources)


class Ignored(NamedTuple):
    finding: Finding
    rule: IgnoreRule


class IgnoreOutcome(NamedTuple):
    kept: tuple[Finding, ...]
    ignored: tuple[Ignored, ...]
    """Each ignored finding with the (first) entry that ignored it."""
    expired: tuple[IgnoreRule, ...]
    """Entries past their date: they no longer apply, and the user should hear about it."""


# ---------------------------------------------------------------------------------------------- loading


def load_ignore(path: Path) -> IgnoreRules:
    """Read an ignore file in either form (see the module docstring). ``UsageError`` naming file and line."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"cannot read ignore file {name}: no such file") from None
    except OSError as exc:
        raise UsageError(f"cannot read ignore file {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise UsageError(f"{name}:{line}: the ignore file is not UTF-8 text") from None
    if path.suffix.lower() in (".yaml", ".yml") or _looks_like_yaml(text):
        rules = _parse_yaml(text, name)
    else:
        rules = _parse_plain(text, name)
    return IgnoreRules(tuple(rules), (name,))


def _looks_like_yaml(text: str) -> bool:
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            return _YAML_SECTION.match(line) is not None
    return False


def _parse_date(value: object, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text).date()
    except ValueError:
        raise UsageError(f"{where}: invalid date {text!r} (expected YYYY-MM-DD)") from None


def _check_id(value: str, where: str) -> str:
    if not _ID.match(value):
        raise UsageError(f"{where}: {value!r} is not a finding id (e.g. CVE-2024-1234, GHSA-…, os/end-of-life)")
    return value


def _parse_plain(text: str, name: str) -> list[IgnoreRule]:
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        where = f"{name}:{number}"
        first, *rest = line.split()
        if _EXP.match(first):
            raise UsageError(f"{where}: the line starts with {first!r}: the id comes first, then exp:YYYY-MM-DD")
        expires = None
        for token in rest:
            m = _EXP.match(token)
            if m is None:
                raise UsageError(f"{where}: unexpected {token!r} (an id, then optionally exp:YYYY-MM-DD)")
            if expires is not None:
                raise UsageError(f"{where}: more than one exp: date")
            expires = _parse_date(m.group(1), where)
        rules.append(IgnoreRule(_check_id(first, where), expires, source=name, line=number))
    return rules


def _strings(entry: Located, key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise UsageError(f"{where}: '{key}' must be a string or a list of strings")


def _entry(entry: Any, section: str, name: str, line: int) -> IgnoreRule:
    where = f"{name}:{line}"
    if not isinstance(entry, Located):
        raise UsageError(f"{where}: each entry of '{section}' must be a mapping with an 'id'")
    where = f"{name}:{entry.line}"
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    if unknown:
        raise UsageError(f"{name}:{entry.line_of(unknown[0])}: unknown key {unknown[0]!r} (expected one of "
                         f"{', '.join(sorted(_ENTRY_KEYS))})")
    fid = entry.get("id")
    if isinstance(fid, int) and not isinstance(fid, bool):
        fid = str(fid)
    if not isinstance(fid, str) or not fid.strip():
        raise UsageError(f"{where}: the entry needs an 'id'")
    fid = _check_id(fid.strip(), f"{name}:{entry.line_of('id')}")
    paths = _strings(entry, "paths", f"{name}:{entry.line_of('paths')}")
    for pattern in paths:
        try:
            compile_glob(pattern)
        except ValueError as exc:
            raise UsageError(f"{name}:{entry.line_of('paths')}: invalid path glob {pattern!r}: {exc}") from None
    purls = _strings(entry, "purls", f"{name}:{entry.line_of('purls')}")
    for purl in purls:
        try:
            parse_purl(purl)
        except ValueError as exc:
            raise UsageError(f"{name}:{entry.line_of('purls')}: invalid PURL {purl!r}: {exc}") from None
    exp_key = "expired_at" if "expired_at" in entry else "expires"
    exp = entry.get(exp_key)
    expires = _parse_date(exp, f"{name}:{entry.line_of(exp_key)}") if exp is not None else None
    statement = entry.get("statement", entry.get("reason"))
    if statement is not None and not isinstance(statement, str):
        raise UsageError(f"{where}: 'statement' must be text")
    return IgnoreRule(fid, expires, paths, purls, (statement or "").strip(), name, entry.line, section)


def _parse_yaml(text: str, name: str) -> list[IgnoreRule]:
    try:
        doc = load_yaml(text)
    except LocatedError as exc:
        raise UsageError(f"{name}:{exc.line}: {exc.message}") from None
    if doc is None:
        return []
    if not isinstance(doc, Located):
        raise UsageError(f"{name}:1: expected a mapping with 'vulnerabilities:' or 'findings:'")
    rules = []
    for key in doc:
        if key not in SECTIONS:
            raise UsageError(f"{name}:{doc.line_of(str(key))}: unknown section {key!r} (expected one of "
                             f"{', '.join(SECTIONS)})")
        entries = doc[key]
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise UsageError(f"{name}:{doc.line_of(key)}: '{key}' must be a list of entries")
        rules += [_entry(e, key, name, doc.line_of(key)) for e in entries]
    return rules


# ---------------------------------------------------------------------------------------------- applying


def apply_ignore(findings: Sequence[Finding], rules: Iterable[IgnoreRule], today: date) -> IgnoreOutcome:
    """Split ``findings`` into kept and ignored; ``today`` decides which entries have expired."""
    all_rules = tuple(rules)
    expired = tuple(r for r in all_rules if r.expired(today))
    by_id: dict[str, list[int]] = {}
    for i, r in enumerate(all_rules):
        if not r.expired(today):
            by_id.setdefault(r.id.casefold(), []).append(i)
    kept: list[Finding] = []
    ignored: list[Ignored] = []
    for f in findings:
        ids = {f.id.casefold(), *(a.casefold() for a in (f.vulnerability.aliases if f.vulnerability else ()))}
        candidates = sorted({i for fid in ids for i in by_id.get(fid, ())})
        rule = next((all_rules[i] for i in candidates if all_rules[i].matches(f)), None)
        if rule is None:
            kept.append(f)
        else:
            ignored.append(Ignored(f, rule))
    return IgnoreOutcome(tuple(kept), tuple(ignored), expired)


def default_ignore_file(directory: Path) -> Path | None:
    """``.hullscanignore``, ``.hullscanignore.yaml`` or ``.hullscanignore.yml`` in ``directory``, the first that
    exists (Trivy's files are read only when named with ``--ignorefile``)."""
    for name in (".hullscanignore", ".hullscanignore.yaml", ".hullscanignore.yml"):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None
