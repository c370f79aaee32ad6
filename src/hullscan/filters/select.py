"""Selecting, ordering and gating findings: ``--severity``, ``--ignore-unfixed``, ``--ignore-status``, ``--sort``
and the exit code of ``--exit-code`` / ``--fail-on``.

Findings that are not vulnerabilities (``os/end-of-life``...) have no fix and no status: ``--ignore-unfixed`` and
``--ignore-status`` keep them; ``--severity`` and ``--fail-on`` treat them like any other finding.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Literal, cast, get_args

from hullscan.errors import UsageError
from hullscan.model import Finding, Severity

SortKey = Literal["risk", "severity", "package"]
SORT_KEYS: tuple[str, ...] = get_args(SortKey)
STATUSES = ("fixed", "affected", "will_not_fix", "not_affected", "end_of_life")
"""The values of ``Vulnerability.status``."""


def parse_severities(text: str) -> frozenset[Severity]:
    """``"HIGH,critical"`` -> ``{HIGH, CRITICAL}``; ``UsageError`` naming an unknown one."""
    names = [s for s in text.replace(" ", ",").split(",") if s]
    if not names:
        raise UsageError("--severity: give at least one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL")
    return frozenset(Severity.parse(s) for s in names)


def parse_statuses(text: str) -> frozenset[str]:
    """``"will_not_fix,end_of_life"`` -> that set; ``UsageError`` naming an unknown status."""
    statuses = {s.strip().lower().replace("-", "_") for s in text.split(",") if s.strip()}
    unknown = sorted(statuses - set(STATUSES))
    if unknown:
        raise UsageError(f"--ignore-status: unknown status {unknown[0]!r}: use one of {', '.join(STATUSES)}")
    return frozenset(statuses)


def parse_sort(text: str) -> SortKey:
    if text in SORT_KEYS:
        return cast(SortKey, text)
    raise UsageError(f"--sort: unknown order {text!r}: use one of {', '.join(SORT_KEYS)}")


def filter_severity(findings: Iterable[Finding], severities: Collection[Severity]) -> tuple[Finding, ...]:
    """The findings with one of ``severities`` (all of them when it is empty)."""
    if not severities:
        return tuple(findings)
    return tuple(f for f in findings if f.severity in severities)


def ignore_unfixed(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Leave out vulnerabilities with no fixed version yet (whatever their status says)."""
    return tuple(f for f in findings if f.vulnerability is None or f.vulnerability.fixed_version)


def ignore_status(findings: Iterable[Finding], statuses: Collection[str]) -> tuple[Finding, ...]:
    """Leave out vulnerabilities whose ``status`` is one of ``statuses``."""
    wanted = {s.lower() for s in statuses}
    return tuple(f for f in findings if f.vulnerability is None or f.vulnerability.status.lower() not in wanted)


def _risk(f: Finding) -> float:
    return f.vulnerability.risk if f.vulnerability is not None else 0.0


def _package(f: Finding) -> tuple[str, str, str]:
    pkg = f.package
    if pkg is None:
        return ("", f.target, "")
    name = f"{pkg.namespace}/{pkg.name}" if pkg.namespace else pkg.name
    return (name.lower(), pkg.version, pkg.type.value)


def sort_findings(findings: Iterable[Finding], by: SortKey | str = "risk") -> tuple[Finding, ...]:
    """Order findings for the report.

    * ``risk``: findings that are not vulnerabilities first (end of life...), then vulnerabilities by risk
      score (:mod:`hullscan.match.risk`), severity, target and id;
    * ``severity``: by severity, then risk, target and id;
    * ``package``: by package name and version (findings without a package first, by target), then severity,
      risk and id, so each package's findings stay together.
    """
    items = list(findings)
    if by == "risk":
        items.sort(key=lambda f: (f.vulnerability is not None, -_risk(f), -f.severity, f.target, f.id))
    elif by == "severity":
        items.sort(key=lambda f: (-f.severity, -_risk(f), f.target, f.id))
    elif by == "package":
        items.sort(key=lambda f: (_package(f), -f.severity, -_risk(f), f.id))
    else:
        raise UsageError(f"--sort: unknown order {by!r}: use one of {', '.join(SORT_KEYS)}")
    return tuple(items)


EXIT_FINDINGS = 1


def check_exit_code(code: int) -> int:
    """``code`` when it is an exit status (0-255), else ``UsageError``."""
    if not 0 <= code <= 255:
        raise UsageError(f"--exit-code: {code} is not an exit status (0-255)")
    return code


def exit_code(findings: Sequence[Finding], fail_on: Severity | None, code: int | None = None) -> int:
    """The process exit status for the findings left after filtering.

    * ``--fail-on SEVERITY``: ``code`` (default 1) when a finding at or above SEVERITY remains, else 0;
    * ``--exit-code N`` alone: N when any finding remains, else 0;
    * neither: 0.
    """
    if code is not None:
        check_exit_code(code)
    if fail_on is None and code is None:
        return 0
    threshold = fail_on if fail_on is not None else Severity.UNKNOWN
    hit = any(f.severity >= threshold for f in findings)
    if not hit:
        return 0
    return EXIT_FINDINGS if code is None else code
