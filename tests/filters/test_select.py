"""--severity, --ignore-unfixed, --ignore-status, --sort and the exit code, on findings built by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from filters.builders import BUSYBOX, LIBCRYPTO, MUSL, MUSL_UTILS, REQUESTS, ZLIB, deb, eol, vuln
from hullscan.errors import UsageError
from hullscan.filters.select import (
    exit_code,
    filter_severity,
    ignore_status,
    ignore_unfixed,
    parse_severities,
    parse_sort,
    parse_statuses,
    sort_findings,
)
from hullscan.model import Finding, Severity

GLIBC = deb("libc6", "2.36-9+deb12u4")
OPENSSL = deb("openssl", "3.0.11-1~deb12u2")

FINDINGS = [
    eol(),
    vuln("CVE-2020-28928", MUSL, severity=Severity.MEDIUM, fixed="1.1.24-r3", risk=5.5),
    vuln("CVE-2020-28928", MUSL_UTILS, severity=Severity.MEDIUM, fixed="1.1.24-r3", risk=5.5),
    vuln("CVE-2022-37434", ZLIB, severity=Severity.CRITICAL, fixed="1.2.12-r2", risk=13.1),
    vuln("CVE-2021-28831", BUSYBOX, severity=Severity.HIGH, fixed="1.31.1-r10", risk=7.5),
    vuln("CVE-2021-3711", LIBCRYPTO, severity=Severity.CRITICAL, fixed="1.1.1l-r0", risk=42.0),
    vuln("CVE-2018-18074", REQUESTS, severity=Severity.HIGH, fixed="2.20.0", risk=7.5),
    vuln("CVE-2010-4756", GLIBC, severity=Severity.LOW, status="will_not_fix", risk=4.0),
    vuln("CVE-2023-5678", OPENSSL, severity=Severity.MEDIUM, status="affected", risk=5.3),
    vuln("CVE-2019-1010022", GLIBC, severity=Severity.UNKNOWN, status="end_of_life", risk=1.0),
]


def pairs(findings: tuple[Finding, ...]) -> list[tuple[str, str]]:
    return [(f.id, f.target) for f in findings]


def test_filter_severity() -> None:
    assert filter_severity(FINDINGS, set()) == tuple(FINDINGS)
    got = filter_severity(FINDINGS, parse_severities("HIGH,critical"))
    assert [f.severity for f in got] == [Severity.HIGH, Severity.CRITICAL, Severity.HIGH, Severity.CRITICAL,
                                         Severity.HIGH]  # the end-of-life finding is HIGH too
    assert pairs(filter_severity(FINDINGS, {Severity.UNKNOWN})) == [("CVE-2019-1010022", "libc6@2.36-9+deb12u4")]


def test_ignore_unfixed_keeps_checks() -> None:
    got = ignore_unfixed(FINDINGS)
    assert all(f.vulnerability is None or f.vulnerability.fixed_version for f in got)
    assert len(got) == 7 and got[0].id == "os/end-of-life"


def test_ignore_status() -> None:
    got = ignore_status(FINDINGS, parse_statuses("will_not_fix, end-of-life"))
    assert "CVE-2010-4756" not in {f.id for f in got} and "CVE-2019-1010022" not in {f.id for f in got}
    assert len(got) == len(FINDINGS) - 2
    assert len(ignore_status(FINDINGS, {"fixed"})) == 4  # the end-of-life check and the three without a fix


@pytest.mark.parametrize(("call", "message"), [
    (lambda: parse_severities("HIGH,SEVERE"), r"unknown severity 'SEVERE'"),
    (lambda: parse_severities(" , "), r"--severity: give at least one"),
    (lambda: parse_statuses("wontfix"), r"--ignore-status: unknown status 'wontfix'"),
    (lambda: parse_sort("cvss"), r"--sort: unknown order 'cvss'"),
    (lambda: exit_code([], Severity.HIGH, 256), r"--exit-code: 256 is not an exit status"),
], ids=["severity", "empty-severity", "status", "sort", "exit-code"])
def test_bad_values(call: Callable[[], object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        call()


def test_sort_by_risk() -> None:
    got = sort_findings(reversed(FINDINGS), "risk")
    assert [f.id for f in got] == [
        "os/end-of-life", "CVE-2021-3711", "CVE-2022-37434", "CVE-2021-28831", "CVE-2018-18074",
        "CVE-2020-28928", "CVE-2020-28928", "CVE-2023-5678", "CVE-2010-4756", "CVE-2019-1010022"]
    assert [f.target for f in got[3:5]] == ["busybox@1.31.1-r9", "requests@2.19.1"]  # equal risk and severity


def test_sort_by_severity() -> None:
    got = sort_findings(FINDINGS, "severity")
    assert [f.severity for f in got] == sorted((f.severity for f in FINDINGS), reverse=True)
    assert [f.id for f in got[:3]] == ["CVE-2021-3711", "CVE-2022-37434", "CVE-2021-28831"]


def test_sort_by_package() -> None:
    got = sort_findings(FINDINGS, "package")
    assert [f.target for f in got] == [
        "alpine 3.11.5", "busybox@1.31.1-r9", "libc6@2.36-9+deb12u4", "libc6@2.36-9+deb12u4",
        "libcrypto1.1@1.1.1d-r3", "musl@1.1.24-r2", "musl-utils@1.1.24-r2", "openssl@3.0.11-1~deb12u2",
        "requests@2.19.1", "zlib@1.2.11-r3"]
    assert [f.id for f in got[2:4]] == ["CVE-2010-4756", "CVE-2019-1010022"]  # LOW before UNKNOWN


@pytest.mark.parametrize(("fail_on", "code", "findings", "expected"), [
    (None, None, FINDINGS, 0),  # no gating asked for
    (Severity.CRITICAL, None, FINDINGS, 1),  # --fail-on alone: 1
    (Severity.CRITICAL, 5, FINDINGS, 5),
    (Severity.CRITICAL, 5, FINDINGS[:3], 0),  # nothing at or above CRITICAL
    (Severity.HIGH, None, [eol()], 1),  # checks count as findings
    (None, 3, FINDINGS[-1:], 3),  # --exit-code alone: any finding, even UNKNOWN
    (None, 3, [], 0),
    (Severity.LOW, 0, FINDINGS, 0),  # --exit-code 0 never fails
])
def test_exit_code(fail_on: Severity | None, code: int | None, findings: list[Finding], expected: int) -> None:
    assert exit_code(findings, fail_on, code) == expected
