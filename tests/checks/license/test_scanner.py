"""The scanner over an inventory built in code: which packages become findings, and what a finding says."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullscan.checks.base import ScannerConfig
from hullscan.checks.license import LicenseScanner
from hullscan.checks.registry import build_scanners
from hullscan.errors import UsageError
from hullscan.model import Finding, LayerRef, Package, PackageType, Severity

LAYER = LayerRef(2, "sha256:aa", "sha256:bb", "RUN apt-get install -y foo")


def pkg(name: str, *licenses: str, type_: PackageType = PackageType.PYPI) -> Package:
    return Package(type_, name, "1.0-1", licenses=licenses, layer=LAYER, found_in="var/lib/dpkg/status")


def scan(*packages: Package, policy: Path | None = None) -> list[Finding]:
    return list(LicenseScanner(ScannerConfig(license_policy=policy)).findings(packages))


def test_registered_and_reads_only_the_inventory() -> None:
    (scanner,) = build_scanners(("license",), ScannerConfig())
    assert isinstance(scanner, LicenseScanner)
    assert scanner.name == "license" and scanner.extractors() == ()


def test_default_reports_forbidden_restricted_reciprocal_unknown() -> None:
    findings = scan(
        pkg("mit", "MIT"),
        pkg("agpl", "AGPL-3.0-or-later"),
        pkg("gpl", "GPLv2+"),
        pkg("mpl", "MPL-2.0", type_=PackageType.NPM),
        pkg("odd", "BSD-4-clause-POWERDOG"),
        pkg("pd", "public-domain"),
        pkg("dual", "GPL-2.0-only OR MIT"),
        pkg("none"),
    )
    got = [(f.package.name if f.package else "", f.check, f.id, f.severity) for f in findings]
    assert got == [
        ("agpl", "license/forbidden", "AGPL-3.0-or-later", Severity.CRITICAL),
        ("gpl", "license/restricted", "GPL-2.0-or-later", Severity.HIGH),
        ("mpl", "license/reciprocal", "MPL-2.0", Severity.MEDIUM),
        ("odd", "license/unknown", "LicenseRef-BSD-4-clause-POWERDOG", Severity.UNKNOWN),
    ]


def test_a_finding_explains_itself() -> None:
    (finding,) = scan(pkg("bash", "GPL-3+"))
    assert finding.check == "license/restricted" and finding.scanner == "license"
    assert finding.id == "GPL-3.0-or-later"
    assert finding.target == "bash@1.0-1"
    assert finding.package is not None and finding.package.name == "bash"
    assert finding.layer == LAYER
    assert finding.category == "restricted"
    assert finding.path == "var/lib/dpkg/status"
    assert finding.references == ("https://spdx.org/licenses/GPL-3.0-or-later.html",)
    assert finding.title == "bash@1.0-1: restricted license GPL-3.0-or-later"
    assert "source code" in finding.description and finding.remediation
    assert dict(finding.details) == {
        "license": "GPL-3+",
        "expression": "GPL-3.0-or-later",
        "classification": "restricted",
        "classified by": "GPL-3.0-or-later: Google licence classifier",
        "package type": "pypi",
    }


def test_os_packages_only_by_the_lists_unless_the_policy_says(tmp_path: Path) -> None:
    gpl_deb = pkg("bash", "GPL-3+", type_=PackageType.DEB)
    assert scan(gpl_deb) == []  # the distribution's own GPL software is not a finding by default
    deny = tmp_path / "deny.yaml"
    deny.write_text("deny: [GPL-3.0]\n")
    assert [f.check for f in scan(gpl_deb, policy=deny)] == ["license/denied"]  # the lists still apply
    everything = tmp_path / "os.yaml"
    everything.write_text("os-packages: true\n")
    assert [f.check for f in scan(gpl_deb, policy=everything)] == ["license/restricted"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("os-packages: maybe\n")
    with pytest.raises(UsageError, match=r"bad.yaml:1: 'os-packages' must be true or false"):
        scan(gpl_deb, policy=bad)


def test_the_same_expression_twice_is_one_finding() -> None:
    findings = scan(pkg("tar", "GPL-3+", "GPL-3.0-or-later", "GPLv3+", "GPL-2.0-only"))
    assert [f.id for f in findings] == ["GPL-3.0-or-later", "GPL-2.0-only"]


def test_a_policy_turns_violations_into_denied_findings(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("# no GPLv3 in our images\ndeny:\n  - GPL-3.0\nreport: [unknown]\nignore-packages: [gcc-*]\n")
    findings = scan(
        pkg("bash", "GPL-3.0-or-later", "GPL-2.0-or-later", "MIT-like"),
        pkg("libc6", "LGPL-2.1-only"),
        pkg("gcc-12-base", "GPL-3.0-only"),
        policy=path,
    )
    got = [(f.target, f.check, f.id, f.severity) for f in findings]
    assert got == [
        ("bash@1.0-1", "license/denied", "GPL-3.0-or-later", Severity.HIGH),
        ("bash@1.0-1", "license/unknown", "LicenseRef-MIT-like", Severity.UNKNOWN),
    ]  # GPL-2.0 and LGPL-2.1: restricted, which this policy does not report; gcc-* ignored
    denied = findings[0]
    assert dict(denied.details)["policy"] == f"{path}: denied by 'GPL-3.0' (line 3)"
    assert denied.category == "restricted"
    assert denied.title == "bash@1.0-1: license GPL-3.0-or-later is denied by the license policy"


def test_allow_list_misses_say_so(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("allow: [notice, unencumbered]\nseverity: {denied: MEDIUM}\n")
    (finding,) = scan(pkg("mit", "MIT"), pkg("zlib", "Zlib"), pkg("ruby", "Ruby"), policy=path)
    assert (finding.target, finding.check, finding.severity) == ("ruby@1.0-1", "license/denied", Severity.MEDIUM)
    assert dict(finding.details)["policy"].endswith("denied by not in the allow list")
