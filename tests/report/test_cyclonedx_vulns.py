"""CycloneDX 1.6 with vulnerabilities: the alpine-311 scan and the hand-built result validate against the
official schema, and every vulnerability points at components of the same document."""

from __future__ import annotations

import json
from pathlib import Path

from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.report.cyclonedx import cyclonedx_document, render_cyclonedx
from hullscan.report.schemas import validate_cyclonedx
from hullscan.scan import ScanOptions, scan_image
from hullscan.vulndb.store import Store
from report.test_golden import _result as hand_built
from vulndb.helpers import ImportedStore

ALPINE_311 = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"


def test_alpine_scan_with_vulnerabilities(imported: ImportedStore) -> None:
    with open_source(str(ALPINE_311), SourceOptions()) as src, Store(imported.path) as store:
        result = scan_image(src, ScanOptions(extractors=default_extractors(), store=store))
    doc = json.loads(render_cyclonedx(result))
    assert validate_cyclonedx(doc) == []
    vulns = doc["vulnerabilities"]
    assert {v["id"] for v in vulns} == {f.id for f in result.findings if f.vulnerability is not None}
    refs = {c["bom-ref"] for c in doc["components"]}
    assert all(a["ref"] in refs for v in vulns for a in v["affects"])
    musl = next(v for v in vulns if v["id"] == "CVE-2020-28928")
    assert len(musl["affects"]) == 2  # musl and musl-utils
    assert musl["recommendation"].startswith("Upgrade musl") or musl["recommendation"].startswith("Upgrade musl-utils")


def test_hand_built_ratings_and_kev() -> None:
    doc = cyclonedx_document(hand_built())
    assert validate_cyclonedx(doc) == []
    cve = next(v for v in doc["vulnerabilities"] if v["id"] == "CVE-2019-11324")
    assert cve["ratings"] == [{"source": {"name": "ghsa"}, "severity": "high", "method": "CVSSv31", "score": 7.5,
                               "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}]
    props = {p["name"]: p["value"] for p in cve["properties"]}
    assert props["hullscan:kev_due_date"] == "2024-01-01" and props["hullscan:epss"] == "0.012"
    assert {r["id"] for r in cve["references"]} == {"GHSA-mh33-7rrq-662w", "PYSEC-2019-133"}
    # The end-of-life finding is not a vulnerability: it does not appear here.
    assert all(v["id"] != "os/end-of-life" for v in doc["vulnerabilities"])
