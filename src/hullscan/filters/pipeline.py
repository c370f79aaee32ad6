"""Every filter in one call, between the scan and the report: :func:`apply_filters`.

Order: the ignore files, then the VEX documents (so the report can say what each of them took out), then
``--severity``, ``--ignore-unfixed`` and ``--ignore-status``, then ``--sort``. The exit code is computed on what
is left (:func:`hullscan.filters.select.exit_code`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hullscan.filters.ignore import Ignored, IgnoreOutcome, IgnoreRule, IgnoreRules, apply_ignore, default_ignore_file
from hullscan.filters.ignore import load_ignore as _load_ignore
from hullscan.filters.select import (
    SortKey,
    check_exit_code,
    exit_code,
    filter_severity,
    ignore_status,
    ignore_unfixed,
    parse_severities,
    parse_sort,
    parse_statuses,
    sort_findings,
)
from hullscan.filters.vex import Suppressed, VexContext, VexStatement, VexStatements, decide
from hullscan.filters.vex import load_vex as _load_vex
from hullscan.model import Finding, Severity

if TYPE_CHECKING:
    from hullscan.scan import ScanResult


@dataclass(frozen=True, slots=True)
class FilterOptions:
    """Every filter and gating option of a scan. The defaults filter nothing and exit 0."""

    severities: frozenset[Severity] = frozenset()
    """``--severity``: report only these (empty: all)."""
    ignore_unfixed: bool = False
    ignore_statuses: frozenset[str] = frozenset()
    ignore_files: tuple[Path, ...] = ()
    vex_files: tuple[Path, ...] = ()
    sort: SortKey = "risk"
    fail_on: Severity | None = None
    exit_code: int | None = None
    """``--exit-code N``; ``None``: 1 with ``--fail-on``, else never fail."""
    ignore_rules: IgnoreRules | None = None
    """The rules of ``ignore_files`` once :meth:`load` has read them."""
    vex_statements: VexStatements | None = None
    """The statements of ``vex_files`` once :meth:`load` has read them."""

    @classmethod
    def from_cli(
        cls,
        *,
        severity: str | None = None,
        ignore_unfixed: bool = False,
        ignore_status: str | None = None,
        ignorefile: str | Sequence[str] | None = None,
        vex: Sequence[str] = (),
        sort: str = "risk",
        fail_on: str | None = None,
        exit_code: int | None = None,
        cwd: Path | None = None,
    ) -> FilterOptions:
        """The options from the command line's strings. Without ``ignorefile``, ``.hullscanignore`` (or
        ``.hullscanignore.yaml``/``.yml``) in ``cwd`` (default: the working directory) is used when it exists.
        ``UsageError`` for a value that does not parse; files are read by :meth:`load`."""
        if ignorefile is None:
            found = default_ignore_file(cwd or Path.cwd())
            files: tuple[Path, ...] = (found,) if found is not None else ()
        elif isinstance(ignorefile, str):
            files = (Path(ignorefile),)
        else:
            files = tuple(Path(f) for f in ignorefile)
        if exit_code is not None:
            check_exit_code(exit_code)
        return cls(
            severities=parse_severities(severity) if severity else frozenset(),
            ignore_unfixed=ignore_unfixed,
            ignore_statuses=parse_statuses(ignore_status) if ignore_status else frozenset(),
            ignore_files=files,
            vex_files=tuple(Path(v) for v in vex),
            sort=parse_sort(sort),
            fail_on=Severity.parse(fail_on) if fail_on else None,
            exit_code=exit_code,
        )

    def load(self) -> FilterOptions:
        """These options with the ignore files and VEX documents read (``UsageError`` naming the file and line
        of anything malformed). Call it before the scan, so a bad file fails fast; idempotent."""
        rules = self.ignore_rules
        if rules is None:
            rules = IgnoreRules()
            for path in self.ignore_files:
                rules = rules + _load_ignore(path)
        statements = self.vex_statements
        if statements is None:
            statements = VexStatements()
            for path in self.vex_files:
                statements = statements + _load_vex(path)
        return dataclasses.replace(self, ignore_rules=rules, vex_statements=statements)

    def exit_status(self, findings: Sequence[Finding]) -> int:
        """The exit code for the findings left after :func:`apply_filters`."""
        return exit_code(findings, self.fail_on, self.exit_code)


@dataclass(frozen=True, slots=True)
class FilterReport:
    """What the filters took out, and why: for a note on stderr and for the JSON report."""

    total: int = 0
    """Findings before filtering."""
    kept: int = 0
    """Findings after filtering."""
    ignored: tuple[Ignored, ...] = ()
    expired: tuple[IgnoreRule, ...] = ()
    """Ignore entries past their date (they ignored nothing)."""
    unused: tuple[IgnoreRule, ...] = ()
    """Ignore entries in force that match no finding of this scan."""
    suppressed: tuple[Suppressed, ...] = ()
    vex_affected: tuple[tuple[Finding, VexStatement], ...] = ()
    """Findings kept, with the ``affected`` / ``under_investigation`` statement that decided them."""
    by_severity: int = 0
    unfixed: int = 0
    by_status: int = 0
    ignore_files: tuple[str, ...] = ()
    vex_files: tuple[str, ...] = ()

    @property
    def removed(self) -> int:
        return self.total - self.kept

    def warnings(self) -> list[str]:
        """One line per expired ignore entry (print each after ``hullscan: warning: ``)."""
        return [f"{r.where}: the ignore entry for {r.id} expired on {r.expires}: it applies no more"
                for r in self.expired]

    def summary(self) -> str:
        """``41 of 53 findings shown: 2 ignored (.hullscanignore), 1 suppressed by VEX (app.openvex.json), 9 left
        out by --severity``; empty when nothing was taken out."""
        parts = []
        if self.ignored:
            parts.append(f"{len(self.ignored)} ignored ({', '.join(self.ignore_files)})")
        if self.suppressed:
            parts.append(f"{len(self.suppressed)} suppressed by VEX ({', '.join(self.vex_files)})")
        for n, flag in ((self.by_severity, "--severity"), (self.unfixed, "--ignore-unfixed"),
                        (self.by_status, "--ignore-status")):
            if n:
                parts.append(f"{n} left out by {flag}")
        if not parts:
            return ""
        noun = "finding" if self.total == 1 else "findings"
        return f"{self.kept} of {self.total} {noun} shown: " + ", ".join(parts)

    def document(self) -> dict[str, Any]:
        """The ``filters`` section of the JSON report."""
        return {
            "findings_before": self.total,
            "findings_after": self.kept,
            "ignore_files": list(self.ignore_files),
            "vex_files": list(self.vex_files),
            "ignored": [{**_finding_ref(i.finding), "rule": _rule(i.rule)} for i in self.ignored],
            "expired_rules": [_rule(r) for r in self.expired],
            "unused_rules": [_rule(r) for r in self.unused],
            "vex_suppressed": [{**_finding_ref(s.finding), "statement": _statement(s.statement)}
                               for s in self.suppressed],
            "vex_affected": [{**_finding_ref(f), "statement": _statement(st)} for f, st in self.vex_affected],
            "left_out": {"severity": self.by_severity, "unfixed": self.unfixed, "status": self.by_status},
        }


def _finding_ref(f: Finding) -> dict[str, Any]:
    return {"id": f.id, "target": f.target, "purl": f.package.purl if f.package is not None else ""}


def _rule(r: IgnoreRule) -> dict[str, Any]:
    return {
        "id": r.id,
        "where": r.where,
        "expires": r.expires.isoformat() if r.expires else None,
        "paths": list(r.paths),
        "purls": list(r.purls),
        "statement": r.statement,
    }


def _statement(st: VexStatement) -> dict[str, Any]:
    return {
        "vulnerability": st.vulnerability,
        "status": st.status,
        "justification": st.justification,
        "statement": st.statement,
        "action": st.action,
        "format": st.format,
        "where": st.where,
        "timestamp": st.timestamp.isoformat() if st.timestamp else None,
    }


def apply_filters(result: ScanResult, options: FilterOptions, today: date) -> tuple[ScanResult, FilterReport]:
    """The scan result with only the findings every filter lets through, in ``options.sort`` order, and the
    report of what was taken out. ``today`` decides which ignore entries have expired."""
    options = options.load()
    assert options.ignore_rules is not None and options.vex_statements is not None
    findings: tuple[Finding, ...] = tuple(result.findings)
    total = len(findings)

    rules = options.ignore_rules
    outcome: IgnoreOutcome = apply_ignore(findings, rules, today)
    used = {id(i.rule) for i in outcome.ignored}
    unused = tuple(r for r in rules if not r.expired(today) and id(r) not in used
                   and not any(r.matches(f) for f in findings))
    findings = outcome.kept

    decisions = decide(findings, options.vex_statements, VexContext.of(result))
    suppressed = tuple(Suppressed(f, st) for f, st in zip(findings, decisions, strict=True)
                       if st is not None and st.suppress)
    affected = tuple((f, st) for f, st in zip(findings, decisions, strict=True) if st is not None and not st.suppress)
    findings = tuple(f for f, st in zip(findings, decisions, strict=True) if st is None or not st.suppress)

    n = len(findings)
    findings = filter_severity(findings, options.severities)
    by_severity, n = n - len(findings), len(findings)
    if options.ignore_unfixed:
        findings = ignore_unfixed(findings)
    unfixed, n = n - len(findings), len(findings)
    if options.ignore_statuses:
        findings = ignore_status(findings, options.ignore_statuses)
    by_status = n - len(findings)
    findings = sort_findings(findings, options.sort)

    report = FilterReport(
        total=total,
        kept=len(findings),
        ignored=outcome.ignored,
        expired=outcome.expired,
        unused=unused,
        suppressed=suppressed,
        vex_affected=affected,
        by_severity=by_severity,
        unfixed=unfixed,
        by_status=by_status,
        ignore_files=rules.sources,
        vex_files=options.vex_statements.sources,
    )
    return dataclasses.replace(result, findings=findings), report
