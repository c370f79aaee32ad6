"""CIS Docker Benchmark, section 4 (container images and build file), as a per-control report over findings.

The report is computed from the findings of every scanner that ran, matched by ``check`` id. What each control
expects (``*`` matches any suffix):

======  ======================================  =================================================================
4.1     a user for the container                ``misconfig/HS001``                                (misconfig)
4.2     trusted base images                     manual; ``misconfig/HS019`` (unpinned base) shown as related
4.3     no unnecessary packages                 manual; ``misconfig/HS008``, ``HS015``, ``HS032`` shown as related
4.4     scanned and rebuilt with patches        ``vuln`` findings of severity HIGH or CRITICAL that have a fixed
                                                version, and ``os/end-of-life``                    (vuln)
4.5     content trust                           manual (a property of the pulling host, not the image)
4.6     HEALTHCHECK                             ``misconfig/HS002``, ``misconfig/HS003``           (misconfig)
4.7     update not used alone                   ``misconfig/HS013``                                (misconfig)
4.8     setuid/setgid removed                   ``file/setuid``, ``file/setgid``                   (file)
4.9     COPY instead of ADD                     ``misconfig/HS004``, ``misconfig/HS005``           (misconfig)
4.10    no secrets in the image                 ``secret/*``, ``misconfig/HS017``, ``HS018``, ``HS028``,
                                                ``file/private-key-file``                (misconfig, secret)
4.11    only verified packages                  ``misconfig/HS027``, ``misconfig/HS021``; without them: manual
======  ======================================  =================================================================

Statuses: ``fail`` when any expected finding is present (whichever scanners ran); ``pass`` when none is and
every scanner in brackets ran; ``not-checked`` when none is but a scanner it depends on did not run (a
control nobody looked at is not a pass); ``manual`` for what an image cannot show. The findings passed in
should be the ones the user sees (after ignore files and VEX), so that an accepted risk does not fail a
control.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from hullscan.model import Finding, Severity

Status = Literal["pass", "fail", "manual", "not-checked"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "manual", "not-checked")

BENCHMARK = "CIS Docker Benchmark"
SCANNERS = ("vuln", "misconfig", "secret", "file")
"""The scanners whose findings the controls read: ``--compliance`` runs them all unless ``--scanners`` says."""
SECTION = "4 Container Images and Build File"


def _checks(*ids: str) -> Callable[[Finding], bool]:
    exact = {i for i in ids if not i.endswith("*")}
    prefixes = tuple(i[:-1] for i in ids if i.endswith("*"))
    return lambda f: f.check in exact or (bool(prefixes) and f.check.startswith(prefixes))


def _fixable_high(f: Finding) -> bool:
    if f.check == "os/end-of-life":
        return True
    v = f.vulnerability
    return f.scanner == "vuln" and f.severity >= Severity.HIGH and v is not None and bool(v.fixed_version)


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    title: str
    automated: bool
    """Whether findings can decide it; a manual control only lists related findings."""
    scanners: tuple[str, ...] = ()
    """Scanners that must have run for a ``pass``."""
    expects: tuple[str, ...] = ()
    """The check ids it reads, for the report (documentation, not matching)."""
    fails: Callable[[Finding], bool] = lambda f: False
    related: Callable[[Finding], bool] = lambda f: False
    """Findings shown with a manual control (or a control with no failures) as hints for the reviewer."""
    manual_unless_failed: bool = False
    """No finding proves the control holds: without failures it is ``manual`` rather than ``pass``."""
    guidance: str = ""


CONTROLS: tuple[Control, ...] = (
    Control("4.1", "Ensure that a user for the container has been created", True, ("misconfig",),
            ("misconfig/HS001",), _checks("misconfig/HS001")),
    Control("4.2", "Ensure that containers use only trusted base images", False,
            expects=("misconfig/HS019",), related=_checks("misconfig/HS019"),
            guidance="Check that the base image comes from a trusted, maintained source, pinned by digest."),
    Control("4.3", "Ensure that unnecessary packages are not installed in the container", False,
            expects=("misconfig/HS008", "misconfig/HS015", "misconfig/HS032"),
            related=_checks("misconfig/HS008", "misconfig/HS015", "misconfig/HS032"),
            guidance="Review the package inventory for anything the application does not need."),
    Control("4.4", "Ensure images are scanned and rebuilt to include security patches", True, ("vuln",),
            ("vuln (HIGH/CRITICAL with a fix)", "os/end-of-life"), _fixable_high),
    Control("4.5", "Ensure Content trust for Docker is Enabled", False,
            guidance="Set DOCKER_CONTENT_TRUST=1 (or verify signatures with your registry's tooling) where "
                     "images are pulled; this is a property of the host, not of the image."),
    Control("4.6", "Ensure that HEALTHCHECK instructions have been added to container images", True,
            ("misconfig",), ("misconfig/HS002", "misconfig/HS003"), _checks("misconfig/HS002", "misconfig/HS003")),
    Control("4.7", "Ensure update instructions are not used alone in Dockerfiles", True, ("misconfig",),
            ("misconfig/HS013",), _checks("misconfig/HS013")),
    Control("4.8", "Ensure setuid and setgid permissions are removed", True, ("file",),
            ("file/setuid", "file/setgid"), _checks("file/setuid", "file/setgid")),
    Control("4.9", "Ensure that COPY is used instead of ADD in Dockerfiles", True, ("misconfig",),
            ("misconfig/HS004", "misconfig/HS005"), _checks("misconfig/HS004", "misconfig/HS005")),
    Control("4.10", "Ensure secrets are not stored in Dockerfiles", True, ("misconfig", "secret"),
            ("secret/*", "misconfig/HS017", "misconfig/HS018", "misconfig/HS028", "file/private-key-file"),
            _checks("secret/*", "misconfig/HS017", "misconfig/HS018", "misconfig/HS028", "file/private-key-file")),
    Control("4.11", "Ensure only verified packages are installed", True, ("misconfig",),
            ("misconfig/HS027", "misconfig/HS021"), _checks("misconfig/HS027", "misconfig/HS021"),
            manual_unless_failed=True,
            guidance="No build step turned verification off; check that package sources are signed."),
)


@dataclass(frozen=True, slots=True)
class ControlResult:
    id: str
    title: str
    status: Status
    findings: tuple[Finding, ...]
    """The findings that failed it (for ``fail``), or the related ones (for ``manual``)."""
    scanners: tuple[str, ...]
    missing_scanners: tuple[str, ...]
    """Scanners it depends on that did not run."""
    expects: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    benchmark: str
    section: str
    controls: tuple[ControlResult, ...]
    scanners_ran: tuple[str, ...]

    def counts(self) -> dict[Status, int]:
        out: dict[Status, int] = dict.fromkeys(STATUSES, 0)
        for c in self.controls:
            out[c.status] += 1
        return out

    def control(self, control_id: str) -> ControlResult:
        for c in self.controls:
            if c.id == control_id:
                return c
        raise KeyError(control_id)


def _evaluate(control: Control, findings: tuple[Finding, ...], ran: frozenset[str]) -> ControlResult:
    missing = tuple(s for s in control.scanners if s not in ran)
    failed = tuple(f for f in findings if control.fails(f))
    related = tuple(f for f in findings if control.related(f))

    def result(status: Status, shown: tuple[Finding, ...], note: str) -> ControlResult:
        return ControlResult(control.id, control.title, status, shown, control.scanners, missing, control.expects,
                             note)

    if not control.automated:
        return result("manual", related, control.guidance)
    if failed:
        return result("fail", failed, f"{len(failed)} finding(s)")
    if missing:
        return result("not-checked", (), f"not checked: the {', '.join(missing)} scanner did not run")
    if control.manual_unless_failed:
        return result("manual", related, control.guidance)
    return result("pass", (), "")


def cis_docker_report(findings: Iterable[Finding], scanners_ran: Iterable[str]) -> ComplianceReport:
    """The section-4 report over ``findings`` (from every scanner), given the names of the scanners that ran
    (``vuln``, ``misconfig``, ``secret``, ``file``...)."""
    found = tuple(findings)
    ran = frozenset(scanners_ran)
    return ComplianceReport(BENCHMARK, SECTION, tuple(_evaluate(c, found, ran) for c in CONTROLS),
                            tuple(sorted(ran)))


# ------------------------------------------------------------------------------------------------ renderers


def _finding_line(f: Finding) -> str:
    where = f" (layer {f.layer.index + 1})" if f.layer is not None else ""
    return f"{f.severity}  {f.id}  {f.target}{where}"


def render_compliance_table(report: ComplianceReport) -> str:
    """Plain text: one line per control, the findings that decided it indented below, then the totals."""
    width = max(len(c.id) for c in report.controls)
    status_width = max(len(s) for s in STATUSES)
    lines = [f"{report.benchmark}: {report.section}", ""]
    for c in report.controls:
        lines.append(f"{c.id.ljust(width)}  {c.status.upper().ljust(status_width)}  {c.title}")
        if c.note and c.status in ("not-checked", "manual"):
            lines.append(f"{' ' * width}  {' ' * status_width}  {c.note}")
        for f in c.findings[:20]:
            lines.append(f"{' ' * width}  {' ' * status_width}  - {_finding_line(f)}")
        if len(c.findings) > 20:
            lines.append(f"{' ' * width}  {' ' * status_width}  ... and {len(c.findings) - 20} more")
    counts = report.counts()
    lines += ["", "  ".join(f"{s}: {counts[s]}" for s in STATUSES)]
    return "\n".join(lines) + "\n"


def _finding_ref(f: Finding) -> dict[str, object]:
    return {
        "check": f.check,
        "id": f.id,
        "severity": str(f.severity),
        "title": f.title,
        "target": f.target,
        "path": f.path,
        "layer": f.layer.index if f.layer is not None else None,
    }


def compliance_document(report: ComplianceReport) -> dict[str, object]:
    """The report as plain JSON-ready data."""
    return {
        "benchmark": report.benchmark,
        "section": report.section,
        "scanners_ran": list(report.scanners_ran),
        "summary": report.counts(),
        "controls": [
            {
                "id": c.id,
                "title": c.title,
                "status": c.status,
                "note": c.note,
                "depends_on": list(c.scanners),
                "missing_scanners": list(c.missing_scanners),
                "expects": list(c.expects),
                "findings": [_finding_ref(f) for f in c.findings],
            }
            for c in report.controls
        ],
    }
