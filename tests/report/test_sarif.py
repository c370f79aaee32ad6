"""SARIF 2.1.0 output, checked by Microsoft's SARIF Multitool (`validate`: the schema plus the spec's rules).

The multitool is the reference validator of the SARIF TC; it ships as a self-contained Linux binary inside the
npm package @microsoft/sarif-multitool-linux, installed once per machine under /tmp/hullscan-test-tools.
"""

from __future__ import annotations

import fcntl
import json
import subprocess
from pathlib import Path

import pytest

from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.report.sarif import render_sarif, sarif_document
from hullscan.scan import ScanOptions, ScanResult, scan_image
from hullscan.vulndb.store import Store
from report.test_golden import _result as hand_built
from vulndb.helpers import ImportedStore

TOOLS = Path("/tmp/hullscan-test-tools/sarif-multitool-5.7.0")
ALPINE_311 = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"


@pytest.fixture(scope="session")
def multitool() -> Path:
    binary = TOOLS / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
    TOOLS.mkdir(parents=True, exist_ok=True)
    with (TOOLS.parent / ".sarif-multitool.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not binary.exists():
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(TOOLS),
                            "@microsoft/sarif-multitool-linux@5.7.0"], check=True, capture_output=True, timeout=600)
    return binary


def validate(multitool: Path, text: str, tmp_path: Path) -> str:
    log = tmp_path / "report.sarif"
    log.write_text(text)
    proc = subprocess.run([str(multitool), "validate", str(log), "-o", str(tmp_path / "validation.sarif")],
                          capture_output=True, text=True, timeout=120, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    return output


def test_alpine_scan_is_valid_sarif(multitool: Path, imported: ImportedStore, tmp_path: Path) -> None:
    with open_source(str(ALPINE_311), SourceOptions()) as src, Store(imported.path) as store:
        result = scan_image(src, ScanOptions(extractors=default_extractors(), store=store))
    output = validate(multitool, render_sarif(result), tmp_path)
    assert ": error " not in output and ": warning " not in output, output
    doc = json.loads(render_sarif(result))
    run = doc["runs"][0]
    assert len(run["results"]) == len(result.findings) == 46
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {f.id for f in result.findings}
    musl = [r for r in run["results"] if r["ruleId"] == "CVE-2020-28928"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in musl} == {
        "lib/apk/db/installed"}
    assert all("Fixed in 1.1.24-r3" in r["message"]["text"] for r in musl)
    assert len({r["partialFingerprints"]["hullscanFinding/v1"] for r in run["results"]}) == 46


def test_hand_built_result(multitool: Path, tmp_path: Path) -> None:
    result: ScanResult = hand_built()
    output = validate(multitool, render_sarif(result), tmp_path)
    assert ": error " not in output, output
    doc = sarif_document(result)
    results = doc["runs"][0]["results"]
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r["level"] for r in results] == ["error", "error", "note"]
    cve = next(r for r in rules if r["id"] == "CVE-2019-11324")
    assert cve["properties"]["security-severity"] == "7.5" and cve["helpUri"].startswith("https://nvd.nist.gov")
    eol = next(r for r in rules if r["id"] == "os/end-of-life")
    assert eol["properties"]["security-severity"] == "8.0"
    # An image-level finding is located at the image reference.
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "docker-archive:app.tar"
