"""Ignore files: findings a team has looked at and accepted, each optionally until a date.

Two forms, chosen by the file name:

* plain (``.hullscanignore``, also Trivy's ``.trivyignore``): one id per line (``CVE-2023-1234``,
  ``GHSA-...``, ``os/end-of-life``), ``#`` comments, and an optional ``exp:YYYY-MM-DD`` after the id: the entry
  stops applying after that day::

      CVE-2019-11324 exp:2025-06-30   # fixed upstream, base image update scheduled
      os/end-of-life

* YAML (``*.yaml`` / ``*.yml``): ``vulnerabilities:`` (or ``findings:``) entries with ``id``, optional ``paths``
  (globs matched against the file the package was found in), ``purls`` (a PURL without version or qualifiers
  matches every version), ``expired_at`` (or ``expires``) and ``statement`` (or ``reason``)::

      vulnerabilities:
        - id: CVE-2020-28928
          purls: [pkg:apk/alpine/musl]
          expired_at: 2026-12-31
          statement: musl's wcsnrtombs is not reachable from our service

An id matches a finding's id or any of its vulnerability's aliases. A malformed file is a usage error naming the
file and line.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hullscan.errors import UsageError
from hullscan.model import Finding

_EXP = re.compile(r"^exp:(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    id: str
    expires: date | None = None
    paths: tuple[str, ...] = ()
    purls: tuple[str, ...] = ()
    statement: str = ""
    where: str = ""
    """``file:line`` (plain form) or ``file`` (YAML), for messages."""

    def matches(self, finding: Finding) -> bool:
        ids = {finding.id, *(finding.vulnerability.aliases if finding.vulnerability else ())}
        if self.id not in ids:
            return False
        pkg = finding.package
        if self.paths and (pkg is None or not any(fnmatch.fnmatch(pkg.found_in, p.lstrip("/")) for p in self.paths)):
            return False
        return not (self.purls and (pkg is None or not any(_purl_matches(p, pkg.purl) for p in self.purls)))


def _purl_matches(rule: str, purl: str) -> bool:
    if not purl:
        return False
    if "@" in rule or "?" in rule:
        return purl.split("?")[0] == rule.split("?")[0]
    return purl.split("@")[0].split("?")[0] == rule


def _date(text: str, where: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise UsageError(f"{where}: invalid date {text!r} (expected YYYY-MM-DD)") from None


def _plain(text: str, name: str) -> list[IgnoreRule]:
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{name}:{number}"
        parts = line.split()
        expires = None
        for extra in parts[1:]:
            m = _EXP.match(extra)
            if not m:
                raise UsageError(f"{where}: unexpected {extra!r} (an id, then optionally exp:YYYY-MM-DD)")
            expires = _date(m.group(1), where)
        rules.append(IgnoreRule(parts[0], expires, where=where))
    return rules


def _strings(value: object, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise UsageError(f"{where}: {key} must be a string or a list of strings")


def _yaml(text: str, name: str) -> list[IgnoreRule]:
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{name}{line}: not valid YAML") from None
    if doc is None:
        return []
    if not isinstance(doc, dict):
        raise UsageError(f"{name}: expected a mapping with 'vulnerabilities:' or 'findings:'")
    rules = []
    for key in ("vulnerabilities", "findings", "misconfigurations", "secrets", "licenses"):
        entries = doc.get(key) or []
        if not isinstance(entries, list):
            raise UsageError(f"{name}: '{key}' must be a list")
        for i, entry in enumerate(entries, start=1):
            where = f"{name}: {key}[{i}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                raise UsageError(f"{where}: each entry needs an 'id'")
            exp = entry.get("expired_at", entry.get("expires"))
            rules.append(IgnoreRule(
                id=entry["id"],
                expires=_date(exp, where) if exp is not None else None,
                paths=_strings(entry.get("paths"), where, "paths"),
                purls=_strings(entry.get("purls"), where, "purls"),
                statement=str(entry.get("statement", entry.get("reason", "")) or ""),
                where=where,
            ))
    return rules


def load_ignore(path: Path) -> list[IgnoreRule]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read ignore file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"ignore file {path} is not UTF-8 text") from None
    if path.suffix in (".yaml", ".yml"):
        return _yaml(text, str(path))
    return _plain(text, str(path))


@dataclass(frozen=True, slots=True)
class IgnoreResult:
    kept: tuple[Finding, ...]
    ignored: tuple[tuple[Finding, IgnoreRule], ...]
    expired: tuple[IgnoreRule, ...]
    """Rules past their date: they no longer apply, and the user should hear about it."""


def apply_ignore(findings: Sequence[Finding], rules: Iterable[IgnoreRule], today: date) -> IgnoreResult:
    rules = list(rules)
    active = [r for r in rules if r.expires is None or r.expires >= today]
    expired = tuple(r for r in rules if r.expires is not None and r.expires < today)
    kept: list[Finding] = []
    ignored: list[tuple[Finding, IgnoreRule]] = []
    for f in findings:
        rule = next((r for r in active if r.matches(f)), None)
        if rule is None:
            kept.append(f)
        else:
            ignored.append((f, rule))
    return IgnoreResult(tuple(kept), tuple(ignored), expired)
