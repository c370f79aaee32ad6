"""GitLab container-scanning report (security-report-schemas 15.2.4).

The schema is published only in GitLab's repository and as a Ruby gem: no PyPI or npm package ships it, so it
cannot be installed here. ``CONSTRAINTS`` below transcribes, as a JSON schema, every constraint of
``container-scanning-report-format.json`` 15.2.4 on the fields hullscan writes (required fields, enums, patterns,
length limits, the ``details`` item types), and the reports are validated against it with jsonschema-rs; a golden
file pins the whole output of a small hand-built result. To accept an intended change of the golden file:
HULLSCAN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/report/test_gitlab.py, then review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.model import Finding, LayerRef, Package, PackageType, Severity, Vulnerability
from hullscan.report.gitlab import SCHEMA_VERSION, advisory_url, gitlab_document, render_gitlab
from hullscan.scan import ScanOptions, ScanResult, scan_image
from hullscan.vulndb.store import Store
from report.test_golden import GOLDEN
from report.test_golden import _result as hand_built
from vulndb.helpers import ImportedStore

ALPINE_311 = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"
NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------- constraints

_STR: dict[str, Any] = {"type": "string"}
_NONEMPTY: dict[str, Any] = {"type": "string", "minLength": 1}
_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"
_URL = "^(https?|ftp)://.+"
_V2 = (r"(AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(U|POC|F|H|ND)|RL:(OF|TF|W|U|ND)|RC:(UC|UR|C|ND)"
       r"|CDP:(N|L|LM|MH|H|ND)|TD:(N|L|M|H|ND)|[CIA]R:(L|M|H|ND))")
_V3 = (r"(AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]|[CIA]R:[XLMH]"
       r"|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])")
_V4 = (r"^CVSS:4[.]0/AV:[NALP]/AC:[LH]/AT:[NP]/PR:[NLH]/UI:[NPA]/VC:[HLN]/VI:[HLN]/VA:[HLN]/SC:[HLN]/SI:[HLN]"
       r"/SA:[HLN](/E:[XAPU])?(/CR:[XHML])?(/IR:[XHML])?(/AR:[XHML])?(/MAV:[XNALP])?(/MAC:[XLH])?(/MAT:[XNP])?"
       r"(/MPR:[XNLH])?(/MUI:[XNPA])?(/MVC:[XNLH])?(/MVI:[XNLH])?(/MVA:[XNLH])?(/MSC:[XNLH])?(/MSI:[XNLHS])?"
       r"(/MSA:[XNLHS])?(/S:[XNP])?(/AU:[XNY])?(/R:[XAUI])?(/V:[XDC])?(/RE:[XLMH])?(/U:(X|Clear|Green|Amber|Red))?$")


def _obj(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def _vector(pattern: str, low: int, high: int) -> dict[str, Any]:
    return _obj(["vendor", "vector"], {"vendor": _NONEMPTY, "vector": {
        "type": "string", "minLength": low, "maxLength": high, "pattern": pattern}})


def _tool(url: dict[str, Any]) -> dict[str, Any]:
    return _obj(["id", "name", "version", "vendor"], {"id": _NONEMPTY, "name": _NONEMPTY, "url": url,
                                                      "version": _NONEMPTY, "vendor": _obj(["name"],
                                                                                           {"name": _NONEMPTY})})


_IDENTIFIER = _obj(["type", "name", "value"], {"type": _NONEMPTY, "name": _NONEMPTY, "value": _NONEMPTY,
                                               "url": {"type": "string", "pattern": _URL}})
CONSTRAINTS: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "definitions": {
        "detail_type": {"oneOf": [{"$ref": f"#/definitions/{k}"} for k in ("named_list", "list", "text", "url",
                                                                           "value", "markdown")]},
        "named_field": _obj(["name"], {"name": _NONEMPTY, "description": _STR}),
        "named_list": _obj(["type", "items"], {"type": {"const": "named-list"}, "items": {
            "type": "object", "patternProperties": {"^.*$": {"allOf": [{"$ref": "#/definitions/named_field"},
                                                                      {"$ref": "#/definitions/detail_type"}]}}}}),
        "list": _obj(["type", "items"], {"type": {"const": "list"},
                                         "items": {"type": "array", "items": {"$ref": "#/definitions/detail_type"}}}),
        "text": _obj(["type", "value"], {"type": {"const": "text"}, "value": _STR}),
        "url": _obj(["type", "href"], {"type": {"const": "url"}, "text": _STR, "href": _NONEMPTY}),
        "value": _obj(["type", "value"], {"type": {"const": "value"},
                                          "value": {"type": ["number", "string", "boolean"]}}),
        "markdown": _obj(["type", "value"], {"type": {"const": "markdown"}, "value": _STR}),
    },
    "type": "object",
    "required": ["scan", "version", "vulnerabilities"],
    "properties": {
        "version": {"type": "string", "pattern": r"^[0-9]+\.[0-9]+\.[0-9]+$"},
        "schema": {"type": "string", "pattern": "^https?://.+"},
        "scan": _obj(["analyzer", "end_time", "scanner", "start_time", "status", "type"], {
            "analyzer": _tool({"type": "string", "pattern": "^https?://.+"}),
            "scanner": _tool(_STR),
            "start_time": {"type": "string", "pattern": _TIME},
            "end_time": {"type": "string", "pattern": _TIME},
            "status": {"enum": ["success", "failure"]},
            "type": {"enum": ["container_scanning", "container_scanning_for_registry"]},
        }),
        "vulnerabilities": {"type": "array", "items": _obj(["id", "identifiers", "location"], {
            "id": _NONEMPTY,
            "name": {"type": "string", "maxLength": 255},
            "description": {"type": "string", "maxLength": 1048576},
            "severity": {"enum": ["Info", "Unknown", "Low", "Medium", "High", "Critical"]},
            "solution": {"type": "string", "maxLength": 7000},
            "identifiers": {"type": "array", "minItems": 1, "items": _IDENTIFIER},
            "cvss_vectors": {"type": "array", "minItems": 1, "maxItems": 10, "items": {"oneOf": [
                _vector(f"^({_V2}/)*{_V2}$", 16, 128), _vector(f"^CVSS:3[.][01]/({_V3}/)*{_V3}$", 32, 128),
                _vector(_V4, 32, 256)]}},
            "links": {"type": "array", "items": _obj(["url"], {"name": _STR,
                                                               "url": {"type": "string", "pattern": _URL}})},
            "details": {"$ref": "#/definitions/named_list/properties/items"},
            "location": _obj(["dependency", "operating_system", "image"], {
                "dependency": _obj(["package", "version"], {"package": _obj(["name"], {"name": _STR}),
                                                            "version": _STR, "direct": {"type": "boolean"}}),
                "operating_system": _NONEMPTY,
                "image": _NONEMPTY,
                "default_branch_image": {"type": "string", "maxLength": 255},
            }),
        })},
        "remediations": {"type": "array", "items": _obj(["fixes", "summary", "diff"], {
            "fixes": {"type": "array", "items": _obj(["id"], {"id": _NONEMPTY})},
            "summary": _NONEMPTY, "diff": _NONEMPTY})},
    },
}
_VALIDATOR = jsonschema_rs.validator_for(CONSTRAINTS)


def violations(doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in _VALIDATOR.iter_errors(doc)]


def test_constraints_reject_what_gitlab_rejects() -> None:
    doc = gitlab_document(hand_built(), now=NOW)
    assert violations(doc) == []
    bad = json.loads(json.dumps(doc))
    bad["scan"]["end_time"] = "2024-05-01T12:00:00Z"  # the schema wants no zone designator
    bad["vulnerabilities"][0]["severity"] = "HIGH"
    bad["vulnerabilities"][1]["identifiers"] = []
    bad["vulnerabilities"][1]["cvss_vectors"] = [{"vendor": "x", "vector": "CVSS:3.1/AV:N/AC:L"}]
    del bad["vulnerabilities"][2]["location"]["operating_system"]
    assert len(violations(bad)) == 5


# ---------------------------------------------------------------------------------------------- edge cases


def edge_result() -> ScanResult:
    """The hand-built result plus findings that exercise the corners: a namespaced package without a layer, CVSS
    v2 and v4 and an unusable vector, no references, no fix, a very long and a hostile title, a non-CVE id."""
    base = hand_built()
    layer = LayerRef(1, "sha256:" + "b" * 64, "sha256:" + "b" * 64, "RUN <script>alert(1)</script>")
    log4j = Package(PackageType.MAVEN, "log4j-core", "2.14.1", namespace="org.apache.logging.log4j",
                    found_in="app/lib/log4j-core-2.14.1.jar", extractor="lang/java",
                    purl="pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
    zlib = Package(PackageType.APK, "zlib", "1.2.11-r3", found_in="lib/apk/db/installed", extractor="os/apk",
                   purl="pkg:apk/alpine/zlib@1.2.11-r3", layer=layer)

    def vuln(**kw: Any) -> Vulnerability:
        fields: dict[str, Any] = {"aliases": (), "installed_version": "", "fixed_version": "", "status": "affected",
                                  "severity_source": "", "data_source": "ghsa", "matched_by": "test"}
        fields.update(kw)
        return Vulnerability(**fields)

    extra = (
        Finding("vuln", "CVE-2021-44228", Severity.CRITICAL, "Log4Shell", description="JNDI lookups.",
                remediation="Upgrade log4j-core to 2.15.0 or later.", target="log4j-core@2.14.1", package=log4j,
                references=("https://logging.apache.org/log4j/2.x/security.html", "not a url"),
                vulnerability=vuln(aliases=("GHSA-jfh8-c2jp-5v3q",), installed_version="2.14.1",
                                   fixed_version="2.15.0", status="fixed", severity_source="nvd",
                                   cvss_vector="CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                                   cvss_score=10.0, kev=True, kev_due_date="2021-12-24", risk=99.0)),
        Finding("vuln", "GHSA-xxxx-yyyy-zzzz", Severity.MEDIUM, "x" * 400, target="log4j-core@2.14.1",
                package=log4j, vulnerability=vuln(installed_version="2.14.1", cvss_vector="AV:N/AC:L/Au:N/C:P/I:P/A:P",
                                                  cvss_score=7.5)),
        Finding("vuln", "CVE-2018-25032", Severity.LOW, '<script>alert("x")</script>', target="zlib@1.2.11-r3",
                package=zlib, layer=layer,
                vulnerability=vuln(installed_version="1.2.11-r3", status="will_not_fix", data_source="alpine-secdb",
                                   cvss_vector="CVSS:3.1/AV:N/garbage")),
    )
    packages = (*base.inventory.packages, log4j, zlib)
    return dataclasses.replace(base, findings=(*base.findings, *extra),
                               inventory=dataclasses.replace(base.inventory, packages=packages))


# ---------------------------------------------------------------------------------------------- tests


def _normalised(doc: dict[str, Any]) -> str:
    for tool in ("analyzer", "scanner"):
        doc["scan"][tool]["version"] = "VERSION"
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def test_golden() -> None:
    text = _normalised(gitlab_document(hand_built(), now=NOW))
    path = GOLDEN / "report.gitlab.json"
    if os.environ.get("HULLSCAN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), "see the module docstring to update the golden file"


def test_hand_built_fields() -> None:
    doc = json.loads(render_gitlab(hand_built()))
    assert violations(doc) == []
    assert doc["version"] == SCHEMA_VERSION and doc["scan"]["type"] == "container_scanning"
    eol, urllib3, musl = doc["vulnerabilities"]
    assert eol["identifiers"] == [{"type": "hullscan", "name": "os/end-of-life", "value": "os/end-of-life"}]
    assert eol["location"]["dependency"] == {"package": {"name": "alpine"}, "version": "3.11.5"}
    assert urllib3["severity"] == "High" and urllib3["solution"] == "Upgrade urllib3 to 1.24.2 or later."
    assert [i["type"] for i in urllib3["identifiers"]] == ["cve", "ghsa", "pysec"]
    assert urllib3["identifiers"][0]["url"] == "https://nvd.nist.gov/vuln/detail/CVE-2019-11324"
    assert urllib3["location"] == {"dependency": {"package": {"name": "urllib3"}, "version": "1.24.1"},
                                   "operating_system": "alpine:3.11.5", "image": "example/app:1.0"}
    assert urllib3["details"]["kev"]["value"] == "known exploited, due 2024-01-01"
    assert urllib3["details"]["layer"]["value"] == "2: RUN apk add --no-cache py3-pip && pip install urllib3==1.24.1"
    assert musl["severity"] == "Unknown" and "cvss_vectors" not in musl and "links" not in musl


def test_ids_are_deterministic_uuids() -> None:
    first = gitlab_document(edge_result(), now=NOW)
    second = gitlab_document(edge_result(), now=datetime(2030, 1, 1, tzinfo=UTC))
    ids = [v["id"] for v in first["vulnerabilities"]]
    assert ids == [v["id"] for v in second["vulnerabilities"]]
    assert len(set(ids)) == len(ids) and all(len(i) == 36 and i[14] == "5" for i in ids)
    # The same finding listed twice (two databases, one package) still gets two distinct ids.
    result = hand_built()
    doubled = dataclasses.replace(result, findings=(*result.findings, result.findings[1]))
    ids = [v["id"] for v in gitlab_document(doubled, now=NOW)["vulnerabilities"]]
    assert len(set(ids)) == 4


def test_edge_cases() -> None:
    doc = gitlab_document(edge_result(), now=NOW)
    assert violations(doc) == []
    by_name = {v["identifiers"][0]["value"]: v for v in doc["vulnerabilities"]}
    log4shell = by_name["CVE-2021-44228"]
    assert log4shell["severity"] == "Critical"
    assert log4shell["cvss_vectors"][0]["vector"].startswith("CVSS:4.0/")
    assert log4shell["links"] == [{"url": "https://logging.apache.org/log4j/2.x/security.html"}]
    assert log4shell["location"]["dependency"]["package"]["name"] == "org.apache.logging.log4j/log4j-core"
    assert "layer" not in log4shell["details"]
    ghsa = by_name["GHSA-xxxx-yyyy-zzzz"]
    assert len(ghsa["name"]) == 255 and ghsa["name"].endswith("…")
    assert ghsa["identifiers"][0] == {"type": "ghsa", "name": "GHSA-xxxx-yyyy-zzzz", "value": "GHSA-xxxx-yyyy-zzzz",
                                      "url": "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz"}
    assert ghsa["cvss_vectors"] == [{"vendor": "unknown", "vector": "AV:N/AC:L/Au:N/C:P/I:P/A:P"}]
    assert ghsa["solution"] == "No fix is available yet."
    zlib = by_name["CVE-2018-25032"]
    assert "cvss_vectors" not in zlib  # a vector the schema would reject is left out, not the whole report
    assert zlib["name"] == '<script>alert("x")</script>'  # JSON: no escaping beyond JSON's own
    assert zlib["solution"] == "The vendor will not fix this vulnerability in this release."
    assert doc["scan"]["start_time"] == doc["scan"]["end_time"] == "2024-05-01T12:00:00"


def test_advisory_urls() -> None:
    assert advisory_url("RUSTSEC-2021-0001") == "https://rustsec.org/advisories/RUSTSEC-2021-0001.html"
    assert advisory_url("CWE-79") == "https://cwe.mitre.org/data/definitions/79.html"
    assert advisory_url("GO-2022-0001") == "https://pkg.go.dev/vuln/GO-2022-0001"
    assert advisory_url("os/end-of-life") == ""


@pytest.fixture(scope="module")
def alpine(imported: ImportedStore) -> ScanResult:
    with open_source(str(ALPINE_311), SourceOptions()) as src, Store(imported.path) as store:
        return scan_image(src, ScanOptions(extractors=default_extractors(), store=store))


def test_alpine_scan(alpine: ScanResult) -> None:
    doc = json.loads(render_gitlab(alpine))
    assert violations(doc) == []
    vulns = doc["vulnerabilities"]
    assert len(vulns) == len(alpine.findings) > 20
    assert {v["location"]["image"] for v in vulns} == {"alpine:3.11"}
    assert {v["location"]["operating_system"] for v in vulns} == {"alpine:3.11.5"}
    musl = [v for v in vulns if v["identifiers"][0]["value"] == "CVE-2020-28928"]
    assert {v["location"]["dependency"]["package"]["name"] for v in musl} == {"musl", "musl-utils"}
    assert all(v["location"]["dependency"]["version"] == "1.1.24-r2" for v in musl)
    assert len({v["id"] for v in vulns}) == len(vulns)


def test_a_finding_about_a_file() -> None:
    doc = gitlab_document(hand_built(with_secret=True), now=NOW)
    assert violations(doc) == []
    (secret,) = [v for v in doc["vulnerabilities"] if v["identifiers"][0]["value"] == "aws-access-key-id"]
    assert secret["location"]["dependency"]["package"]["name"] == "/app/.env"
    assert secret["details"]["file"]["value"] == "/app/.env:3"
    assert secret["details"]["evidence"]["value"] == "AWS_KEY=AKIA************MPLE"
    assert secret["details"]["detail_0"] == {"name": "Deleted in", "type": "text",
                                             "value": "layer 3: RUN rm app/.env"}
