"""Matching end to end with real data: the real images and installs against all of shared/vulndata.

Each expectation is computed here independently of hullscan's matcher, from the raw feed files: the Alpine
secdb JSON for 3.11, and the explicit ``versions`` lists that the PyPA OSV records carry.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
import yaml

from hullscan import versions
from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.match import match_inventory
from hullscan.match.namespaces import distro_namespace
from hullscan.match.risk import risk_score
from hullscan.model import Distro, Finding, Severity
from hullscan.scan import ScanOptions, ScanResult, scan_image
from hullscan.vulndb.store import Store
from support.images import DebianImages, TarEntrySpec, write_oci_layout
from support.lang_java import java_tree_entries
from support.lang_pynode import python_installs
from vulndb.helpers import ImportedStore

SHARED = Path(__file__).resolve().parents[3] / "shared"


def scan(ref: str, db: Path) -> ScanResult:
    with open_source(ref, SourceOptions()) as src, Store(db) as store:
        return scan_image(src, ScanOptions(extractors=default_extractors(), store=store))


def vulns(result: ScanResult) -> list[Finding]:
    return [f for f in result.findings if f.vulnerability is not None]


def test_alpine_311_against_the_secdb(imported: ImportedStore) -> None:
    result = scan(str(SHARED / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"), imported.path)
    # Independently: every (origin, CVE) whose secdb fix is newer than the installed version.
    secdb = SHARED / "vulndata" / "distro" / "alpine-secdb" / "secdb.alpinelinux.org" / "v3.11"
    fixes: dict[str, list[tuple[str, str]]] = {}
    for repo in ("main.json", "community.json"):
        for entry in json.loads((secdb / repo).read_text())["packages"]:
            pkg = entry["pkg"]
            for fixed, ids in pkg.get("secfixes", {}).items():
                for cve in ids:
                    fixes.setdefault(pkg["name"], []).append((fixed, cve.split()[0]))
    expected = set()
    for p in result.inventory.packages:
        for fixed, cve in fixes.get(p.source_name, []):
            if fixed != "0" and versions.compare("apk", p.version, fixed) < 0:
                expected.add((p.name, cve))
    got = {(f.package.name, f.id) for f in vulns(result) if f.package is not None}
    assert got == expected and len(got) > 20
    musl = [f for f in vulns(result) if f.package is not None and f.package.name == "musl"]
    assert any(f.id == "CVE-2020-28928" and f.vulnerability is not None
               and f.vulnerability.fixed_version == "1.1.24-r3" for f in musl)
    for f in vulns(result):
        v = f.vulnerability
        assert v is not None and v.data_source == "alpine-secdb" and v.status == "fixed"
        assert f.layer is not None and f.layer.diff_id.startswith("sha256:beee9f30")
        assert "alpine:3.11" in v.matched_by


def test_debian_image_against_debian_data(imported: ImportedStore, debian_images: DebianImages) -> None:
    result = scan(debian_images.oci_ref, imported.path)
    found = vulns(result)
    assert found, "the bookworm image has open CVEs in the 2023 Debian OVAL data"
    for f in found:
        v = f.vulnerability
        assert v is not None and f.package is not None
        assert v.data_source.startswith("debian") and "debian:12" in v.matched_by
        if v.fixed_version:
            assert versions.compare("deb", f.package.version, v.fixed_version) < 0


def _pysec_affected(name: str, version: str) -> set[str]:
    """PYSEC ids whose explicit `versions` list names this version, read straight from the bundle."""
    bundle = SHARED / "vulndata" / "osv" / "pypa-advisory-database" / "pypa-advisory-database.tar.gz"
    ids = set()
    with tarfile.open(bundle) as tf:
        for m in tf:
            if not m.isfile() or f"/vulns/{name}/" not in f"/{m.name}":
                continue
            doc = yaml.safe_load(tf.extractfile(m))  # type: ignore[arg-type]
            if doc.get("withdrawn"):
                continue
            for aff in doc.get("affected", []):
                if version in aff.get("versions", []):
                    ids.add(doc["id"])
    return ids


@pytest.mark.slow
def test_site_packages_against_pypa(imported: ImportedStore, tmp_path: Path) -> None:
    installs = python_installs()
    layout = write_oci_layout(tmp_path / "py", [
        [TarEntrySpec.file("etc/os-release", 'ID=debian\nVERSION_ID="12"\n')],
        java_tree_entries(installs.site, prefix="usr/local/lib/python3.11/site-packages/"),
    ])
    result = scan(layout.ref, imported.path)
    urllib3 = [f for f in vulns(result) if f.package is not None and f.package.name == "urllib3"]
    expected = _pysec_affected("urllib3", "1.24.1")
    assert expected, "the PyPA data lists urllib3 1.24.1 as affected"
    found_ids = {f.id for f in urllib3} | {a for f in urllib3 for a in f.vulnerability.aliases}  # type: ignore[union-attr]
    assert expected <= found_ids
    for f in urllib3:
        assert f.layer is not None and f.layer.index == 1


def test_namespaces_and_risk() -> None:
    assert distro_namespace(Distro("debian", "12.5")) == "debian:12"
    assert distro_namespace(Distro("ubuntu", "22.04")) == "ubuntu:22.04"
    assert distro_namespace(Distro("debian", "buster/sid")) is None
    assert distro_namespace(Distro("wolfi", "20230201")) is None
    assert risk_score(Severity.CRITICAL, 9.8, 0.9, True) == 90.2
    assert risk_score(Severity.LOW, None, None, False) == 2.5
    assert risk_score(Severity.HIGH, 10.0, 1.0, True) == 100.0


def test_match_is_pure_over_an_inventory(imported: ImportedStore) -> None:
    """The matcher needs only an inventory: an SBOM's inventory matches like the image's."""
    result = scan(str(SHARED / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"), imported.path)
    with Store(imported.path) as store:
        again = match_inventory(result.inventory, store)
    assert [(f.id, f.target) for f in again] == [(f.id, f.target) for f in vulns(result)]


def test_remediation_for_alpine_311(imported: ImportedStore) -> None:
    from hullscan.match.remediation import remediation

    result = scan(str(SHARED / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"), imported.path)
    rem = remediation(result.findings)
    assert rem.total == len(vulns(result)) and rem.fixable == rem.total
    by_name = {u.package.name: u for u in rem.upgrades}
    # The smallest upgrade that fixes every finding is the highest of the per-finding fixes.
    for name, upgrade in by_name.items():
        fixes = [f.vulnerability.fixed_version for f in vulns(result)
                 if f.package is not None and f.package.name == name and f.vulnerability is not None]
        assert all(versions.compare("apk", upgrade.to_version, v) >= 0 for v in fixes)
        assert upgrade.to_version in fixes
    assert rem.commands[0].startswith("apk add --no-cache --upgrade ") and "musl" in rem.commands[0]
    assert rem.summary == f"upgrade {len(rem.upgrades)} packages to fix {rem.total} of {rem.total} vulnerabilities"
