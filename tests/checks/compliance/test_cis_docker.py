"""CIS Docker Benchmark section 4: every control's pass / fail / manual / not-checked, and both renderers."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from checks.misconfig.helpers import GOOD, image
from hullscan.checks.compliance import (
    CONTROLS,
    SCANNERS,
    cis_docker_report,
    compliance_document,
    render_compliance_table,
)
from hullscan.checks.misconfig.scanner import scan
from hullscan.model import Finding, LayerRef, Severity, Vulnerability

ALL_RAN = ("vuln", "misconfig", "secret", "file", "malware", "license")
LAYER = LayerRef(1, "sha256:1", "sha256:1", "RUN x")


def finding(check: str, severity: Severity = Severity.MEDIUM, *, path: str = "", layer: LayerRef | None = None,
            id_: str = "") -> Finding:
    return Finding(check=check, id=id_ or check.split("/")[-1], severity=severity, title=check, target="t",
                   path=path, layer=layer)


def vuln(severity: Severity, fixed: str) -> Finding:
    v = Vulnerability(aliases=(), installed_version="1.0", fixed_version=fixed, status="fixed" if fixed else "affected",
                      severity_source="nvd", data_source="osv", matched_by="test")
    return Finding(check="vuln", id="CVE-2024-0001", severity=severity, title="bug", target="openssl@1.0",
                   vulnerability=v)


def statuses(findings: list[Finding], ran: tuple[str, ...] = ALL_RAN) -> dict[str, str]:
    return {c.id: c.status for c in cis_docker_report(findings, ran).controls}


def test_clean_image_with_every_scanner() -> None:
    assert statuses([]) == {
        "4.1": "pass", "4.2": "manual", "4.3": "manual", "4.4": "pass", "4.5": "manual", "4.6": "pass",
        "4.7": "pass", "4.8": "pass", "4.9": "pass", "4.10": "pass", "4.11": "manual",
    }


def test_nothing_ran_nothing_passes() -> None:
    got = statuses([], ran=())
    assert {k for k, v in got.items() if v == "pass"} == set()
    assert {k for k, v in got.items() if v == "not-checked"} == {"4.1", "4.4", "4.6", "4.7", "4.8", "4.9", "4.10",
                                                                 "4.11"}


@pytest.mark.parametrize(
    ("control", "failing"),
    [
        ("4.1", finding("misconfig/HS001", Severity.HIGH)),
        ("4.4", vuln(Severity.CRITICAL, "1.1")),
        ("4.4", finding("os/end-of-life", Severity.HIGH)),
        ("4.6", finding("misconfig/HS002", Severity.LOW)),
        ("4.6", finding("misconfig/HS003", Severity.LOW)),
        ("4.7", finding("misconfig/HS013")),
        ("4.8", finding("file/setuid", Severity.MEDIUM, path="usr/bin/passwd", layer=LAYER)),
        ("4.8", finding("file/setgid", Severity.MEDIUM, path="usr/bin/wall")),
        ("4.9", finding("misconfig/HS004", Severity.LOW)),
        ("4.9", finding("misconfig/HS005")),
        ("4.10", finding("secret/aws-access-key-id", Severity.CRITICAL, path="app/.env")),
        ("4.10", finding("misconfig/HS017", Severity.CRITICAL)),
        ("4.10", finding("misconfig/HS018", Severity.HIGH)),
        ("4.10", finding("misconfig/HS028", Severity.HIGH)),
        ("4.10", finding("file/private-key-file", Severity.HIGH)),
        ("4.11", finding("misconfig/HS027", Severity.HIGH)),
        ("4.11", finding("misconfig/HS021", Severity.HIGH)),
    ],
)
def test_each_control_fails_on_its_findings(control: str, failing: Finding) -> None:
    report = cis_docker_report([failing, finding("misconfig/HS023", Severity.LOW)], ALL_RAN)
    result = report.control(control)
    assert result.status == "fail"
    assert result.findings == (failing,)
    others = {c.id for c in report.controls if c.status == "fail"}
    assert others == {control}


def test_a_failure_counts_even_when_another_needed_scanner_did_not_run() -> None:
    # 4.10 needs misconfig and secret for a pass; a misconfig finding fails it without the secret scanner
    report = cis_docker_report([finding("misconfig/HS017", Severity.CRITICAL)], ("misconfig",))
    assert report.control("4.10").status == "fail"
    assert report.control("4.10").missing_scanners == ("secret",)


def test_not_checked_names_the_missing_scanner() -> None:
    report = cis_docker_report([], ("vuln", "misconfig"))
    result = report.control("4.8")
    assert result.status == "not-checked" and result.missing_scanners == ("file",)
    assert "file" in result.note
    assert report.control("4.10").status == "not-checked"
    assert report.control("4.1").status == "pass"


@pytest.mark.parametrize(
    ("case", "finding_", "status"),
    [
        ("high-with-fix", vuln(Severity.HIGH, "1.1"), "fail"),
        ("critical-without-fix", vuln(Severity.CRITICAL, ""), "pass"),
        ("medium-with-fix", vuln(Severity.MEDIUM, "1.1"), "pass"),
    ],
)
def test_scan_and_rebuild_counts_fixable_high_and_critical_only(case: str, finding_: Finding, status: str) -> None:
    assert statuses([finding_])["4.4"] == status, case


def test_manual_controls_show_related_findings() -> None:
    unpinned = finding("misconfig/HS019")
    ssh = finding("misconfig/HS032")
    report = cis_docker_report([unpinned, ssh], ALL_RAN)
    assert (report.control("4.2").status, report.control("4.2").findings) == ("manual", (unpinned,))
    assert (report.control("4.3").status, report.control("4.3").findings) == ("manual", (ssh,))
    assert report.control("4.5").findings == () and "DOCKER_CONTENT_TRUST" in report.control("4.5").note


def test_from_real_misconfig_findings() -> None:
    img = image(["/bin/sh -c #(nop) ADD file:a in / ", '/bin/sh -c #(nop)  CMD ["sh"]',
                 "RUN /bin/sh -c apt-get update # buildkit", "ADD app.py /app/ # buildkit"],
                replace(GOOD, user="", healthcheck=None))
    found = list(scan(img, None, None))
    got = statuses(found, ("misconfig",))
    assert {k for k, v in got.items() if v == "fail"} == {"4.1", "4.6", "4.7", "4.9"}


def test_scanners_cover_every_dependency() -> None:
    assert set(SCANNERS) == {s for c in CONTROLS for s in c.scanners} == {"vuln", "misconfig", "secret", "file"}


def test_table_rendering() -> None:
    failing = finding("file/setuid", Severity.MEDIUM, path="usr/bin/passwd", layer=LAYER, id_="file/setuid")
    text = render_compliance_table(cis_docker_report([failing], ("vuln", "misconfig", "file")))
    lines = text.splitlines()
    assert lines[0] == "CIS Docker Benchmark: 4 Container Images and Build File"
    row = next(line for line in lines if line.startswith("4.8 "))
    assert "FAIL" in row and "setuid" in row
    assert lines[lines.index(row) + 1].strip() == "- MEDIUM  file/setuid  t (layer 2)"
    ten = next(line for line in lines if line.startswith("4.10"))
    assert "NOT-CHECKED" in ten
    assert "not checked: the secret scanner did not run" in lines[lines.index(ten) + 1]
    assert lines[-1] == "pass: 5  fail: 1  manual: 4  not-checked: 1"


def test_json_document() -> None:
    failing = vuln(Severity.HIGH, "1.1")
    doc = compliance_document(cis_docker_report([failing], ("vuln", "misconfig")))
    json.dumps(doc)  # plain data
    assert doc["summary"] == {"pass": 4, "fail": 1, "manual": 4, "not-checked": 2}
    assert doc["scanners_ran"] == ["misconfig", "vuln"]
    controls = doc["controls"]
    assert isinstance(controls, list)
    c44 = next(c for c in controls if c["id"] == "4.4")
    assert c44["status"] == "fail" and c44["depends_on"] == ["vuln"]
    assert c44["findings"] == [{"check": "vuln", "id": "CVE-2024-0001", "severity": "HIGH", "title": "bug",
                                "target": "openssl@1.0", "path": "", "layer": None}]
    c48 = next(c for c in controls if c["id"] == "4.8")
    assert (c48["status"], c48["missing_scanners"], c48["expects"]) == ("not-checked", ["file"],
                                                                      ["file/setuid", "file/setgid"])
