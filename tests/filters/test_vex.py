"""VEX input: OpenVEX and CycloneDX VEX documents written here after the specs, on hand-built findings and
end to end on alpine-311."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullscan.cli import main
from hullscan.errors import UsageError
from hullscan.filters.vex import apply_vex, load_vex
from hullscan.model import Finding, Package, PackageType, Severity, Vulnerability
from vulndb.helpers import ImportedStore

ALPINE_311 = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"


def finding(fid: str, name: str, aliases: tuple[str, ...] = ()) -> Finding:
    purl = f"pkg:apk/alpine/{name}@1.0-r0?arch=x86_64&distro=3.11.5"
    pkg = Package(PackageType.APK, name, "1.0-r0", purl=purl)
    vuln = Vulnerability(aliases, "1.0-r0", "1.0-r1", "fixed", "", "alpine-secdb", "")
    return Finding("vuln", fid, Severity.HIGH, fid, target=f"{name}@1.0-r0", package=pkg, vulnerability=vuln)


def openvex(*statements: dict[str, object]) -> dict[str, object]:
    return {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/2026-001",
        "author": "Security Team <security@example.com>",
        "timestamp": "2026-11-01T00:00:00Z",
        "version": 1,
        "statements": list(statements),
    }


def write(tmp_path: Path, name: str, doc: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_openvex_statuses_products_and_order(tmp_path: Path) -> None:
    doc = openvex(
        {"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:apk/alpine/musl"}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
        {"vulnerability": {"name": "CVE-2"}, "products": [{"@id": "pkg:oci/app?tag=1.0"}], "status": "fixed"},
        {"vulnerability": {"name": "CVE-3"}, "products": [{"@id": "pkg:apk/alpine/zlib@1.0-r0"}],
         "status": "not_affected", "justification": "component_not_present"},
        {"vulnerability": {"name": "CVE-3"}, "products": [{"@id": "pkg:apk/alpine/zlib@1.0-r0"}],
         "status": "affected"},
        {"vulnerability": {"name": "GHSA-x", "aliases": ["CVE-4"]}, "status": "not_affected",
         "justification": "inline_mitigations_already_exist"},
    )
    statements = load_vex(write(tmp_path, "app.openvex.json", doc))
    found = [finding("CVE-1", "musl"), finding("CVE-1", "zlib"), finding("CVE-2", "busybox"),
             finding("CVE-3", "zlib"), finding("CVE-4", "openssl"), finding("CVE-5", "musl")]
    kept, suppressed = apply_vex(found, statements)
    assert [(f.id, f.target) for f, _ in suppressed] == [
        ("CVE-1", "musl@1.0-r0"), ("CVE-2", "busybox@1.0-r0"), ("CVE-4", "openssl@1.0-r0")]
    assert suppressed[0][1].justification == "vulnerable_code_not_in_execute_path"
    # CVE-3: the later 'affected' statement wins over the earlier 'not_affected'.
    assert [(f.id, f.target) for f in kept] == [("CVE-1", "zlib@1.0-r0"), ("CVE-3", "zlib@1.0-r0"),
                                                ("CVE-5", "musl@1.0-r0")]


def test_cyclonedx_vex(tmp_path: Path) -> None:
    bom = {
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [{"type": "library", "name": "musl", "version": "1.0-r0", "bom-ref": "musl-ref",
                        "purl": "pkg:apk/alpine/musl@1.0-r0?arch=x86_64"}],
        "vulnerabilities": [
            {"id": "CVE-1", "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
             "affects": [{"ref": "musl-ref"}]},
            {"id": "CVE-2", "analysis": {"state": "exploitable"}, "affects": [{"ref": "musl-ref"}]},
            {"id": "CVE-3", "analysis": {"state": "false_positive"},
             "affects": [{"ref": "pkg:apk/alpine/zlib@1.0-r0"}]},
        ],
    }
    statements = load_vex(write(tmp_path, "vex.cdx.json", bom))
    kept, suppressed = apply_vex([finding("CVE-1", "musl"), finding("CVE-2", "musl"), finding("CVE-3", "zlib")],
                                 statements)
    assert [f.id for f, _ in suppressed] == ["CVE-1", "CVE-3"]
    assert [f.id for f in kept] == ["CVE-2"]


@pytest.mark.parametrize(("doc", "message"), [
    ("not json", "not valid JSON"),
    ({"hello": 1}, "neither OpenVEX nor CycloneDX VEX"),
    (openvex({"vulnerability": {"name": "CVE-1"}, "status": "maybe"}), "statement 1: unknown status 'maybe'"),
    ({"bomFormat": "CycloneDX", "vulnerabilities": [{"analysis": {}}]}, "vulnerability 1 has no id"),
], ids=["not-json", "unknown-format", "bad-status", "no-id"])
def test_malformed_vex(tmp_path: Path, doc: object, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(UsageError, match=message):
        load_vex(path)


def test_cli_vex_suppresses(tmp_path: Path, imported: ImportedStore, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HULLSCAN_DB", str(imported.path))
    vex = write(tmp_path, "musl.openvex.json", openvex(
        {"vulnerability": {"name": "CVE-2020-28928"}, "products": [{"@id": "pkg:apk/alpine/musl"}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}))
    code = main(["image", str(ALPINE_311), "--no-cache", "--format", "json", "--vex", str(vex)])
    out, err = capsys.readouterr()
    assert code == 0 and "1 findings suppressed by VEX" in err
    targets = {f["target"] for f in json.loads(out)["findings"] if f["id"] == "CVE-2020-28928"}
    assert targets == {"musl-utils@1.1.24-r2"}  # only musl itself was declared not affected
