"""Licences of real images: Debian bookworm's DEP-5 copyright files, and the language fixtures, end to end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checks.license.helpers import details, language_image, run_cli, scan_licenses
from hullscan.checks.base import ScannerConfig
from hullscan.checks.license import Category, LicenseScanner, normalize
from hullscan.checks.license.spdx import licenses, lookup, parse, render
from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.model import Finding, PackageType
from hullscan.scan import ScanOptions, ScanResult, scan_image
from support.images import DebianImages


@pytest.fixture(scope="module")
def debian_scan(debian_images: DebianImages, tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    policy = tmp_path_factory.mktemp("policy") / "os-packages.yaml"
    policy.write_text("os-packages: true\n")  # the distribution's packages are what this image has
    scanner = LicenseScanner(ScannerConfig(license_policy=policy))
    options = ScanOptions(extractors=default_extractors(), scanners=(scanner,))
    with open_source(debian_images.oci_ref, SourceOptions()) as src:
        return scan_image(src, options)


def by_package(findings: tuple[Finding, ...], name: str) -> dict[str, Finding]:
    return {f.id: f for f in findings if f.package is not None and f.package.name == name}


def copyright_licenses(debian_images: DebianImages, package: str) -> set[str]:
    """The ``License:`` short names of a package's machine-readable copyright file in the image's rootfs."""
    text = (debian_images.rootfs / "usr/share/doc" / package / "copyright").read_text(errors="replace")
    return {m.group(1).strip() for m in re.finditer(r"^License: *(\S[^\n]*)$", text, re.MULTILINE)}


def test_bash_is_gpl3_or_later_and_restricted(debian_images: DebianImages, debian_scan: ScanResult) -> None:
    assert "GPL-3+" in copyright_licenses(debian_images, "bash")  # what Debian wrote
    assert normalize("GPL-3+") == ("GPL-3.0-or-later", Category.RESTRICTED)
    bash = by_package(debian_scan.findings, "bash")
    finding = bash["GPL-3.0-or-later"]
    assert (finding.check, str(finding.severity), finding.category) == ("license/restricted", "HIGH", "restricted")
    assert finding.target.startswith("bash@5.")
    assert finding.layer is not None and finding.layer.index == 0
    assert finding.layer.created_by.startswith("mmdebstrap")
    assert details(_as_json(finding))["expression"] == "GPL-3.0-or-later"
    # bash's copyright also names licences nobody has an SPDX id for: unknown, so someone reads them
    assert any(f.check == "license/unknown" for f in bash.values())


def test_debian_packages_classified(debian_images: DebianImages, debian_scan: ScanResult) -> None:
    findings = debian_scan.findings
    assert set(by_package(findings, "libc6")) == {"LGPL-2.1-only", "GPL-2.0-only"}
    assert by_package(findings, "base-files")["GPL-2.0-or-later"].check == "license/restricted"
    assert by_package(findings, "zlib1g") == {}  # Zlib: a notice licence, not reported by default
    assert by_package(findings, "debconf") == {}  # BSD-2-Clause
    assert copyright_licenses(debian_images, "zlib1g") == {"Zlib"}
    # every finding is a valid SPDX expression whose ids the licence database knows (or LicenseRef-)
    for f in findings:
        if f.id == "NOASSERTION":  # a copyright file that says "License: none"
            assert f.check == "license/unknown"
            continue
        expr = parse(f.id)
        assert render(expr) == f.id
        assert all(lic.id.startswith("LicenseRef-") or lookup(lic.id) for lic in licenses(expr)), f.id
        assert f.check in {"license/forbidden", "license/restricted", "license/reciprocal", "license/unknown"}
    debs = [p for p in debian_scan.inventory.packages if p.type is PackageType.DEB]
    restricted = {p.name for p in debs if any(normalize(lic).classification is Category.RESTRICTED
                                               for lic in p.licenses)}
    assert restricted == {f.package.name for f in findings if f.check == "license/restricted" and f.package}
    assert len(restricted) > 50


def test_policy_denying_gpl3_through_the_cli(debian_images: DebianImages, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("deny:\n  - GPL-3.0   # both -only and -or-later\nreport: []\n")
    findings = scan_licenses(capsys, debian_images.oci_ref, tmp_path / "cache", "--license-policy", str(policy))
    assert findings, "GPL-3.0 is in a minimal Debian image (bash, coreutils, tar...)"
    assert {f["check"] for f in findings} == {"license/denied"}
    targets = {f["target"].split("@")[0] for f in findings}
    assert {"bash", "coreutils", "tar"} <= targets
    assert "zlib1g" not in targets and "libc6" not in targets
    for f in findings:
        assert f["severity"] == "HIGH"
        assert any(lic.id.startswith("GPL-3.0") for lic in licenses(parse(f["id"]))), f["id"]
        assert details(f)["policy"] == f"{policy}: denied by 'GPL-3.0' (line 2)"
        assert f["layer"]["index"] == 0 and f["package"]["type"] == "deb"
    bash = next(f for f in findings if f["target"].startswith("bash@") and f["id"] == "GPL-3.0-or-later")
    assert bash["category"] == "restricted"
    assert bash["references"] == ["https://spdx.org/licenses/GPL-3.0-or-later.html"]


def test_malformed_policy_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("allow:\n  - MIT\n  - Apache License\n")
    ref = language_image(tmp_path / "layout")
    code, out, err = run_cli(capsys, "image", ref, "--scanners", "license", "--license-policy", str(policy),
                             "--cache-dir", str(tmp_path / "cache"))
    assert code == 2 and out == ""
    assert f"{policy}:3: unknown license 'Apache License'" in err
    assert "Traceback" not in err


def test_language_fixtures_classified(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every licence of the language fixtures (EXPECTED.md), with a policy that reports every category."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("report: [forbidden, restricted, reciprocal, notice, permissive, unencumbered, unknown]\n")
    ref = language_image(tmp_path / "layout")
    findings = scan_licenses(capsys, ref, tmp_path / "cache", "--license-policy", str(policy))
    got = {(f["package"]["type"], f["package"]["name"], f["id"]): f["category"] for f in findings}
    assert got == {
        ("pypi", "pyphen", "GPL-2.0-or-later"): "restricted",  # classifiers: GPLv2+, LGPLv2+, MPL 1.1
        ("pypi", "pyphen", "LGPL-2.0-or-later"): "restricted",
        ("pypi", "pyphen", "MPL-1.1"): "reciprocal",
        ("pypi", "asyncssh", "EPL-2.0"): "reciprocal",  # License field "Eclipse Public License v2.0"
        ("pypi", "zipp", "MIT"): "notice",  # classifier "MIT License"
        ("pypi", "iniconfig", "MIT"): "notice",  # License-Expression
        ("pypi", "distlib", "Python-2.0"): "notice",  # License field "Python license"
        ("pypi", "typing-extensions", "Python-2.0"): "notice",  # the PSF licence file
        ("pypi", "kitchen", "LGPL-2.0-or-later"): "restricted",  # zipped egg, classifier "(LGPL)"
        ("npm", "angular", "ISC"): "notice",  # legacy licence object
        ("npm", "mixed-array-license", "MIT"): "notice",
        ("maven", "jenkins-plugin", "Apache-2.0"): "notice",  # Plugin-License-Name headers
        ("maven", "jenkins-plugin", "MIT"): "notice",
        ("gem", "async", "MIT"): "notice",
        ("gem", "test-unit", "Ruby"): "reciprocal",
        ("gem", "test-unit", "LicenseRef-BSDL"): "unknown",  # Ruby's own spellings, no SPDX id
        ("gem", "test-unit", "LicenseRef-PSFL"): "unknown",
    }  # multi-license.jar: two LICENSE files, so no licence at all, so no finding
    severities = {f["category"]: f["severity"] for f in findings}
    assert severities == {"restricted": "HIGH", "reciprocal": "MEDIUM", "notice": "LOW", "unknown": "UNKNOWN"}
    pyphen = next(f for f in findings if f["id"] == "MPL-1.1")
    assert pyphen["path"].endswith("pyphen-0.14.0.dist-info/METADATA")
    assert pyphen["layer"]["created_by"] == "COPY fixtures / # buildkit"


def _as_json(finding: Finding) -> dict[str, list[dict[str, str]]]:
    return {"details": [{"label": k, "value": v} for k, v in finding.details]}
