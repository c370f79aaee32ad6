"""apply_filters: every filter in one call, on a hand-built result and end to end on alpine-311 with the real
advisory data."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from filters.builders import BUSYBOX, LIBCRYPTO, MUSL, MUSL_UTILS, REQUESTS, ZLIB, deb, eol, result, vuln, write
from filters.test_vex import openvex
from hullscan.errors import UsageError
from hullscan.extract.registry import default_extractors
from hullscan.filters import FilterOptions, FilterReport, apply_filters
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.model import Severity
from hullscan.scan import ScanOptions, ScanResult, scan_image
from hullscan.vulndb.store import Store
from vulndb.helpers import ImportedStore

TODAY = date(2026, 11, 26)
ALPINE_311 = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"
GLIBC = deb("libc6", "2.36-9+deb12u4")


def hand_built() -> ScanResult:
    return result([
        eol(),
        vuln("CVE-2020-28928", MUSL, severity=Severity.MEDIUM, fixed="1.1.24-r3", risk=5.5),
        vuln("CVE-2020-28928", MUSL_UTILS, severity=Severity.MEDIUM, fixed="1.1.24-r3", risk=5.5),
        vuln("CVE-2022-37434", ZLIB, severity=Severity.CRITICAL, fixed="1.2.12-r2", risk=13.1),
        vuln("CVE-2021-28831", BUSYBOX, severity=Severity.HIGH, fixed="1.31.1-r10", risk=7.5),
        vuln("CVE-2021-3711", LIBCRYPTO, severity=Severity.CRITICAL, fixed="1.1.1l-r0", risk=42.0),
        vuln("CVE-2018-18074", REQUESTS, severity=Severity.HIGH, fixed="2.20.0", risk=7.5,
             aliases=("GHSA-x84v-xcm2-53pg", "PYSEC-2018-28")),
        vuln("CVE-2010-4756", GLIBC, severity=Severity.LOW, status="will_not_fix", risk=4.0),
        vuln("CVE-2019-1010022", GLIBC, severity=Severity.UNKNOWN, status="end_of_life", risk=1.0),
    ])


def test_every_filter_in_one_call(tmp_path: Path) -> None:
    ignore = write(tmp_path, ".hullscanignore", (
        "CVE-2020-28928\n"
        "GHSA-x84v-xcm2-53pg exp:2026-12-31\n"
        "CVE-2021-28831 exp:2026-01-31\n"  # expired: busybox's finding stays
        "CVE-2099-0001\n"  # matches nothing here
    ))
    vex = write(tmp_path, "zlib.openvex.json", openvex(
        {"vulnerability": {"name": "CVE-2022-37434"}, "products": [{"@id": "pkg:apk/alpine/zlib"}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
         "impact_statement": "inflateGetHeader is never called"},
        {"vulnerability": {"name": "CVE-2021-3711"}, "products": [{"@id": "pkg:apk/alpine/libcrypto1.1"}],
         "status": "affected", "action_statement": "rebuild on alpine 3.15"},
    ))
    options = FilterOptions.from_cli(
        severity="UNKNOWN,LOW,HIGH,CRITICAL", ignore_unfixed=False, ignore_status="end_of_life",
        ignorefile=str(ignore), vex=[str(vex)], sort="severity", fail_on="HIGH",
    ).load()
    filtered, report = apply_filters(hand_built(), options, TODAY)
    assert [(f.id, f.target) for f in filtered.findings] == [
        ("CVE-2021-3711", "libcrypto1.1@1.1.1d-r3"),
        ("CVE-2021-28831", "busybox@1.31.1-r9"),
        ("os/end-of-life", "alpine 3.11.5"),
        ("CVE-2010-4756", "libc6@2.36-9+deb12u4"),
    ]
    assert isinstance(report, FilterReport)
    assert (report.total, report.kept, report.removed) == (9, 4, 5)
    assert [(i.finding.target, i.rule.line) for i in report.ignored] == [
        ("musl@1.1.24-r2", 1), ("musl-utils@1.1.24-r2", 1), ("requests@2.19.1", 2)]
    assert [r.id for r in report.expired] == ["CVE-2021-28831"]
    assert [r.id for r in report.unused] == ["CVE-2099-0001"]
    assert [(s.finding.target, s.reason) for s in report.suppressed] == [
        ("zlib@1.2.11-r3", "not_affected (vulnerable_code_not_in_execute_path): inflateGetHeader is never called")]
    assert [(f.id, st.action) for f, st in report.vex_affected] == [("CVE-2021-3711", "rebuild on alpine 3.15")]
    assert (report.by_severity, report.unfixed, report.by_status) == (0, 0, 1)
    assert report.warnings() == [
        f"{ignore}:3: the ignore entry for CVE-2021-28831 expired on 2026-01-31: it applies no more"]
    assert report.summary() == (f"4 of 9 findings shown: 3 ignored ({ignore}), 1 suppressed by VEX ({vex}), "
                                "1 left out by --ignore-status")
    doc = json.loads(json.dumps(report.document()))
    assert doc["ignored"][0] == {"id": "CVE-2020-28928", "target": "musl@1.1.24-r2",
                                 "purl": "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5",
                                 "rule": {"id": "CVE-2020-28928", "where": f"{ignore}:1", "expires": None,
                                          "paths": [], "purls": [], "statement": ""}}
    assert doc["vex_suppressed"][0]["statement"]["where"] == f"{vex}:9"
    assert doc["left_out"] == {"severity": 0, "unfixed": 0, "status": 1}
    assert options.exit_status(filtered.findings) == 1


def test_severity_and_unfixed_counts() -> None:
    options = FilterOptions(severities=frozenset({Severity.CRITICAL, Severity.HIGH}), ignore_unfixed=True)
    filtered, report = apply_filters(hand_built(), options, TODAY)
    assert [f.id for f in filtered.findings] == [  # sorted by risk: checks first
        "os/end-of-life", "CVE-2021-3711", "CVE-2022-37434", "CVE-2021-28831", "CVE-2018-18074"]
    assert (report.by_severity, report.unfixed, report.by_status) == (4, 0, 0)
    assert report.summary() == "5 of 9 findings shown: 4 left out by --severity"


def test_nothing_to_do() -> None:
    original = hand_built()
    filtered, report = apply_filters(original, FilterOptions(), TODAY)
    assert set(filtered.findings) == set(original.findings) and report.summary() == "" and report.warnings() == []
    assert FilterOptions().exit_status(filtered.findings) == 0


def test_options_from_the_command_line(tmp_path: Path) -> None:
    assert FilterOptions.from_cli(cwd=tmp_path).ignore_files == ()
    (tmp_path / ".hullscanignore").write_text("CVE-2020-28928\n")
    options = FilterOptions.from_cli(cwd=tmp_path, severity="high,critical", ignore_status="will_not_fix",
                                     sort="package", fail_on="medium", exit_code=4, vex=["a.json", "b.json"])
    assert options.ignore_files == (tmp_path / ".hullscanignore",)
    assert options.severities == {Severity.HIGH, Severity.CRITICAL}
    assert options.ignore_statuses == {"will_not_fix"}
    assert (options.sort, options.fail_on, options.exit_code) == ("package", Severity.MEDIUM, 4)
    assert options.vex_files == (Path("a.json"), Path("b.json"))
    with pytest.raises(UsageError, match=r"cannot read VEX file a\.json"):
        options.load()  # the files are read before the scan: a bad one fails fast
    assert FilterOptions.from_cli(ignorefile=["x", "y"]).ignore_files == (Path("x"), Path("y"))
    with pytest.raises(UsageError, match="unknown severity 'urgent'"):
        FilterOptions.from_cli(fail_on="urgent")
    with pytest.raises(UsageError, match="--exit-code: -1"):
        FilterOptions.from_cli(exit_code=-1)


# ---------------------------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def alpine(imported: ImportedStore) -> ScanResult:
    with open_source(str(ALPINE_311), SourceOptions()) as src, Store(imported.path) as store:
        return scan_image(src, ScanOptions(extractors=default_extractors(), store=store))


def test_alpine_311_ignore_file(alpine: ScanResult, tmp_path: Path) -> None:
    before = {(f.id, f.target) for f in alpine.findings}
    musl = {("CVE-2020-28928", "musl@1.1.24-r2"), ("CVE-2020-28928", "musl-utils@1.1.24-r2")}
    assert musl <= before and len(before) > 20
    zlib = {(fid, t) for fid, t in before if t.startswith("zlib@")}
    assert zlib  # the expired entry below must leave these alone
    ignore = write(tmp_path, ".hullscanignore", (
        "# musl's wcsnrtombs is not reachable from our service\n"
        "CVE-2020-28928 exp:2026-12-31\n"
        f"{sorted(zlib)[0][0]} exp:2020-01-01\n"
    ))
    filtered, report = apply_filters(alpine, FilterOptions(ignore_files=(ignore,)), TODAY)
    after = {(f.id, f.target) for f in filtered.findings}
    assert after == before - musl
    assert {(i.finding.id, i.finding.target) for i in report.ignored} == musl
    assert [r.line for r in report.expired] == [3]
    # On the day after its expiry date, the entry applies no more.
    filtered, report = apply_filters(alpine, FilterOptions(ignore_files=(ignore,)), date(2027, 1, 1))
    assert {(f.id, f.target) for f in filtered.findings} == before and report.ignored == ()


def test_alpine_311_yaml_purls_and_image_vex(alpine: ScanResult, tmp_path: Path) -> None:
    before = {(f.id, f.target) for f in alpine.findings}
    ignore = write(tmp_path, "ignore.yaml", (
        "vulnerabilities:\n"
        "  - id: CVE-2020-28928\n"
        "    purls: [pkg:apk/alpine/musl]\n"
        "    paths: [lib/apk/db/installed]\n"
        "    statement: only musl itself\n"
    ))
    vex = write(tmp_path, "alpine.openvex.json", openvex(
        {"vulnerability": {"name": "CVE-2020-28928"},
         "products": [{"@id": "pkg:oci/alpine?tag=3.11", "subcomponents": [{"@id": "pkg:apk/alpine/musl-utils"}]}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
        {"vulnerability": {"name": "CVE-2020-28928"},  # another image: must not apply
         "products": [{"@id": "pkg:oci/debian?tag=12"}], "status": "not_affected",
         "justification": "component_not_present"},
    ))
    filtered, report = apply_filters(alpine, FilterOptions(ignore_files=(ignore,), vex_files=(vex,)), TODAY)
    assert [i.finding.target for i in report.ignored] == ["musl@1.1.24-r2"]
    assert [s.finding.target for s in report.suppressed] == ["musl-utils@1.1.24-r2"]
    assert {(f.id, f.target) for f in filtered.findings} == before - {
        ("CVE-2020-28928", "musl@1.1.24-r2"), ("CVE-2020-28928", "musl-utils@1.1.24-r2")}
