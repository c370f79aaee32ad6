"""SARIF 2.1.0 output, checked two ways:

- against the SARIF 2.1.0 JSON schema (``sarif-2.1.0.json``) with jsonschema-rs, format assertions on;
- by Microsoft's SARIF Multitool ``validate``, the SARIF TC's reference validator: the schema plus the spec's
  rules (``Sarif``) and GitHub code scanning's ingestion rules (``Gh``: a location on every result, regions,
  fully formatted messages, array limits).

No PyPI package ships the SARIF schema (sarif-om, sarif-tools, sarif-pydantic, pydantic-sarif do not); the npm
package @microsoft/sarif-multitool-linux ships both the schema and the multitool (a self-contained Linux binary).
It is installed once per machine under /tmp/hullscan-test-tools. A golden file pins the whole output of a small
hand-built result: HULLSCAN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/report/test_sarif.py to accept a change.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.report.sarif import render_sarif, sarif_document
from hullscan.scan import ScanOptions, ScanResult, scan_image
from hullscan.vulndb.store import Store
from report.test_gitlab import edge_result
from report.test_golden import GOLDEN
from report.test_golden import _result as hand_built
from vulndb.helpers import ImportedStore

TOOLS = Path("/tmp/hullscan-test-tools/sarif-multitool-5.7.0")
PACKAGE = TOOLS / "node_modules" / "@microsoft" / "sarif-multitool-linux"
ALPINE_311 = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"


@pytest.fixture(scope="session")
def multitool() -> Path:
    binary = PACKAGE / "Sarif.Multitool"
    TOOLS.mkdir(parents=True, exist_ok=True)
    with (TOOLS.parent / ".sarif-multitool.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not binary.exists():
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(TOOLS),
                            "@microsoft/sarif-multitool-linux@5.7.0"], check=True, capture_output=True, timeout=600)
    return binary


@pytest.fixture(scope="session")
def schema(multitool: Path) -> jsonschema_rs.Validator:
    document = json.loads((PACKAGE / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert document["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema_rs.validator_for(document, validate_formats=True)


def schema_errors(validator: jsonschema_rs.Validator, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(doc)]


def multitool_output(multitool: Path, text: str, tmp_path: Path) -> str:
    log = tmp_path / "report.sarif"
    log.write_text(text, encoding="utf-8")
    proc = subprocess.run([str(multitool), "validate", str(log), "--rule-kind", "Sarif;Gh",
                           "-o", str(tmp_path / "validation.sarif"), "--log", "ForceOverwrite"],
                          capture_output=True, text=True, timeout=120, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    return output


def _problems(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": error " in line or ": warning " in line]


def test_schema_catches_mistakes(schema: jsonschema_rs.Validator) -> None:
    doc = sarif_document(hand_built())
    assert schema_errors(schema, doc) == []
    doc["runs"][0]["results"][0]["level"] = "critical"
    doc["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert len(schema_errors(schema, doc)) == 2


def test_golden() -> None:
    doc = sarif_document(hand_built())
    driver = doc["runs"][0]["tool"]["driver"]
    driver["version"] = driver["semanticVersion"] = "VERSION"
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    path = GOLDEN / "report.sarif"
    if os.environ.get("HULLSCAN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), "see the module docstring to update the golden file"


def test_hand_built_result(multitool: Path, schema: jsonschema_rs.Validator, tmp_path: Path) -> None:
    result: ScanResult = hand_built()
    text = render_sarif(result)
    assert _problems(multitool_output(multitool, text, tmp_path)) == []
    doc = json.loads(text)
    assert schema_errors(schema, doc) == []
    run = doc["runs"][0]
    results, rules = run["results"], run["tool"]["driver"]["rules"]
    assert [r["level"] for r in results] == ["error", "error", "note"]
    cve = next(r for r in rules if r["id"] == "CVE-2019-11324")
    assert cve["properties"]["security-severity"] == "7.5" and cve["helpUri"].startswith("https://nvd.nist.gov")
    assert cve["properties"]["tags"] == ["security", "vulnerability", "HIGH", "pypi"]
    eol = next(r for r in rules if r["id"] == "os/end-of-life")
    assert eol["properties"]["security-severity"] == "8.0" and "helpUri" not in eol
    musl = next(r for r in rules if r["id"] == "CVE-2020-28928")
    assert musl["properties"]["security-severity"] == "0.0"  # UNKNOWN, no CVSS
    # An image-level finding is located at the image's repository, a relative path as GitHub wants.
    assert results[0]["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "example/app"},
                                                              "region": {"startLine": 1}}
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "usr/lib/python3.8/site-packages/urllib3-1.24.1.dist-info/METADATA")
    message = results[1]["message"]["text"]
    for part in ("urllib3 1.24.1", "Fixed in 1.24.2", "layer 2: RUN apk add", "Known exploited"):
        assert part in message
    assert results[1]["properties"]["kevDueDate"] == "2024-01-01"
    assert run["automationDetails"]["id"] == "hullscan/example/app/"


def test_a_finding_about_a_file_is_located_at_its_line(multitool: Path, schema: jsonschema_rs.Validator,
                                                       tmp_path: Path) -> None:
    text = render_sarif(hand_built(with_secret=True))
    assert _problems(multitool_output(multitool, text, tmp_path)) == []
    doc = json.loads(text)
    assert schema_errors(schema, doc) == []
    run = doc["runs"][0]
    (secret,) = [r for r in run["results"] if r["ruleId"] == "secret/aws-access-key-id"]
    assert secret["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "app/.env"},
                                                          "region": {"startLine": 3}}
    assert secret["level"] == "error" and "AKIA************MPLE" in secret["message"]["text"]
    assert "Deleted in: layer 3" in secret["message"]["text"]
    assert secret["properties"]["details"] == {"deleted in": "layer 3: RUN rm app/.env"}
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "secret/aws-access-key-id")
    assert rule["properties"]["tags"][:2] == ["security", "secret"] and rule["name"] == "SecretAwsAccessKeyId"


def test_fingerprints_survive_rebuilds_and_non_fixing_upgrades() -> None:
    result = hand_built()
    before = sarif_document(result)["runs"][0]["results"]
    urllib3 = result.findings[1]
    assert urllib3.package is not None
    package = dataclasses.replace(urllib3.package, version="1.24.3",
                                  found_in=urllib3.package.found_in.replace("1.24.1", "1.24.3"))
    bumped = dataclasses.replace(urllib3, package=package)
    image = dataclasses.replace(result.image, manifest_digest="sha256:" + "f" * 64)
    after = sarif_document(dataclasses.replace(result, image=image,
                                               findings=(result.findings[0], bumped, result.findings[2])))
    assert [r["partialFingerprints"] for r in after["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in before]
    doubled = dataclasses.replace(result, findings=(*result.findings, urllib3))
    prints = [r["partialFingerprints"]["hullscanFinding/v1"] for r in sarif_document(doubled)["runs"][0]["results"]]
    assert len(set(prints)) == 4


def test_edge_cases(multitool: Path, schema: jsonschema_rs.Validator, tmp_path: Path) -> None:
    text = render_sarif(edge_result())
    assert _problems(multitool_output(multitool, text, tmp_path)) == []
    doc = json.loads(text)
    assert schema_errors(schema, doc) == []
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["CVE-2021-44228"]["properties"]["security-severity"] == "10.0"
    assert rules["CVE-2021-44228"]["helpUri"] == "https://logging.apache.org/log4j/2.x/security.html"
    assert rules["GHSA-xxxx-yyyy-zzzz"]["properties"]["security-severity"] == "7.5"  # the CVSS score wins
    assert len(rules["GHSA-xxxx-yyyy-zzzz"]["shortDescription"]["text"]) == 400
    assert rules["CVE-2018-25032"]["properties"]["security-severity"] == "2.5"  # LOW, no score
    results = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    assert "(layer" not in results["CVE-2021-44228"]["message"]["text"]  # no layer known
    assert results["CVE-2018-25032"]["message"]["text"].endswith("No fix yet (will not fix).")


@pytest.fixture(scope="module")
def alpine(imported: ImportedStore) -> ScanResult:
    with open_source(str(ALPINE_311), SourceOptions()) as src, Store(imported.path) as store:
        return scan_image(src, ScanOptions(extractors=default_extractors(), store=store))


def test_alpine_scan_is_valid_sarif(multitool: Path, schema: jsonschema_rs.Validator, alpine: ScanResult,
                                    tmp_path: Path) -> None:
    text = render_sarif(alpine)
    assert _problems(multitool_output(multitool, text, tmp_path)) == []
    doc = json.loads(text)
    assert schema_errors(schema, doc) == []
    run = doc["runs"][0]
    assert len(run["results"]) == len(alpine.findings) == 46
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == list(dict.fromkeys(f.id for f in alpine.findings))
    musl = [r for r in run["results"] if r["ruleId"] == "CVE-2020-28928"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in musl} == {
        "lib/apk/db/installed"}
    assert all("Fixed in 1.1.24-r3" in r["message"]["text"] for r in musl)
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "CVE-2020-28928")
    assert "musl, musl-utils" in rule["fullDescription"]["text"]
    assert len({r["partialFingerprints"]["hullscanFinding/v1"] for r in run["results"]}) == 46
    eol = next(r for r in run["results"] if r["ruleId"] == "os/end-of-life")
    assert eol["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "alpine"
