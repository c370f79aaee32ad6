"""CycloneDX 1.6 with vulnerabilities: the alpine-311 scan, the hand-built result and the edge cases validate against
the official schema (``validate_cyclonedx``: cyclonedx-python-lib's bundled 1.6 schema, format assertions on), and
every vulnerability points at components of the same document."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.report.cyclonedx import cyclonedx_document, render_cyclonedx
from hullscan.report.schemas import validate_cyclonedx
from hullscan.scan import ScanOptions, ScanResult, scan_image
from hullscan.vulndb.store import Store
from report.test_gitlab import edge_result
from report.test_golden import _result as hand_built
from vulndb.helpers import ImportedStore

ALPINE_311 = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"


@pytest.fixture(scope="module")
def alpine(imported: ImportedStore) -> ScanResult:
    with open_source(str(ALPINE_311), SourceOptions()) as src, Store(imported.path) as store:
        return scan_image(src, ScanOptions(extractors=default_extractors(), store=store))


def test_alpine_scan_with_vulnerabilities(alpine: ScanResult) -> None:
    doc = json.loads(render_cyclonedx(alpine))
    assert validate_cyclonedx(doc) == []
    vulns = doc["vulnerabilities"]
    assert {v["id"] for v in vulns} == {f.id for f in alpine.findings if f.vulnerability is not None}
    refs = {c["bom-ref"] for c in doc["components"]}
    assert all(a["ref"] in refs for v in vulns for a in v["affects"])
    musl = next(v for v in vulns if v["id"] == "CVE-2020-28928")
    assert musl["source"] == {"name": "alpine-secdb", "url": "https://secdb.alpinelinux.org"}
    assert len(musl["affects"]) == 2  # musl and musl-utils
    assert all(a["versions"] == [{"version": "1.1.24-r2", "status": "affected"},
                                 {"version": "1.1.24-r3", "status": "unaffected"}] for a in musl["affects"])
    assert musl["recommendation"] in ("Upgrade musl to 1.1.24-r3 or later.",
                                      "Upgrade musl-utils to 1.1.24-r3 or later.")
    assert all(v["ratings"][0]["method"] in ("CVSSv31", "CVSSv3", "CVSSv2", "other") for v in vulns)


def test_hand_built_ratings_and_kev() -> None:
    doc = cyclonedx_document(hand_built())
    assert validate_cyclonedx(doc) == []
    cve = next(v for v in doc["vulnerabilities"] if v["id"] == "CVE-2019-11324")
    assert cve["source"] == {"name": "pypa", "url": "https://github.com/pypa/advisory-database"}
    assert cve["ratings"] == [{"source": {"name": "ghsa", "url": "https://github.com/advisories"}, "score": 7.5,
                               "severity": "high", "method": "CVSSv31",
                               "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}]
    props = {p["name"]: p["value"] for p in cve["properties"]}
    assert props == {"hullscan:risk": "15.9", "hullscan:status": "fixed",
                     "hullscan:matched_by": "pypi package urllib3 1.24.1 < 1.24.2", "hullscan:epss": "0.012",
                     "hullscan:epss_percentile": "0.78", "hullscan:kev": "true", "hullscan:kev_due_date": "2024-01-01"}
    assert {r["id"] for r in cve["references"]} == {"GHSA-mh33-7rrq-662w", "PYSEC-2019-133"}
    assert cve["description"] == "Certificate check bypass in urllib3" and cve["detail"].startswith("urllib3 before")
    assert cve["advisories"] == [{"url": "https://nvd.nist.gov/vuln/detail/CVE-2019-11324"}]
    assert cve["published"] == "2019-04-18T21:29:00Z" and cve["updated"] == "2024-09-25T00:00:00Z"
    assert cve["affects"] == [{"ref": "pkg:pypi/urllib3@1.24.1", "versions": [
        {"version": "1.24.1", "status": "affected"}, {"version": "1.24.2", "status": "unaffected"}]}]
    # No CVSS: a rating with the severity only, method "other"; no references, no advisories, no dates.
    musl = next(v for v in doc["vulnerabilities"] if v["id"] == "CVE-2020-28928")
    assert musl["ratings"] == [{"source": {"name": "alpine-secdb", "url": "https://secdb.alpinelinux.org"},
                                "severity": "unknown", "method": "other"}]
    assert not {"references", "advisories", "published", "updated", "detail", "cwes"} & musl.keys()
    # The end-of-life finding is not a vulnerability (and has no package): it does not appear here.
    assert [v["id"] for v in doc["vulnerabilities"]] == ["CVE-2019-11324", "CVE-2020-28928"]


def test_edge_cases() -> None:
    result = edge_result()
    log4shell = result.findings[3]
    assert log4shell.vulnerability is not None and log4shell.package is not None
    with_cwe = dataclasses.replace(log4shell, vulnerability=dataclasses.replace(
        log4shell.vulnerability, aliases=(*log4shell.vulnerability.aliases, "CWE-502", "CWE-917"),
        published="2021-12-10", modified="not a date"))
    stranger = dataclasses.replace(result.findings[1], package=dataclasses.replace(
        result.inventory.packages[1], name="not-in-the-bom", found_in="elsewhere"))
    findings = (*result.findings[:3], with_cwe, *result.findings[4:], stranger, result.findings[1])
    doc = cyclonedx_document(dataclasses.replace(result, findings=findings))
    assert validate_cyclonedx(doc) == []
    vulns = {v["id"]: v for v in doc["vulnerabilities"]}
    log4j = vulns["CVE-2021-44228"]
    assert log4j["cwes"] == [502, 917] and {r["id"] for r in log4j["references"]} == {"GHSA-jfh8-c2jp-5v3q"}
    assert log4j["ratings"][0]["method"] == "CVSSv4" and log4j["ratings"][0]["score"] == 10.0
    assert log4j["published"] == "2021-12-10T00:00:00Z" and "updated" not in log4j
    assert log4j["advisories"] == [{"url": "https://logging.apache.org/log4j/2.x/security.html"}]
    assert vulns["GHSA-xxxx-yyyy-zzzz"]["ratings"][0]["method"] == "CVSSv2"
    assert vulns["GHSA-xxxx-yyyy-zzzz"]["affects"][0]["versions"] == [{"version": "2.14.1", "status": "affected"}]
    # A package the BOM does not list is not referenced; a finding repeated does not repeat the component.
    assert [a["ref"] for a in vulns["CVE-2019-11324"]["affects"]] == ["pkg:pypi/urllib3@1.24.1"]
    # Findings rebuilt with equal (not identical) package objects still find their component.
    copies = tuple(dataclasses.replace(f, package=dataclasses.replace(f.package)) if f.package else f
                   for f in result.findings)
    again = cyclonedx_document(dataclasses.replace(result, findings=copies))
    assert {v["id"] for v in again["vulnerabilities"]} == set(vulns)
