"""Golden files for the table and JSON writers, on a scan result built by hand (every field set).

A writer change that alters what users read or parse shows up here as a diff. To accept an intended change:
HULLSCAN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/report/test_golden.py, then review the diff of the files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hullscan.image.squash import SquashedView
from hullscan.model import (
    ContainerConfig,
    Distro,
    Finding,
    HistoryEntry,
    ImageConfig,
    ImageInfo,
    Inventory,
    Layer,
    LayerRef,
    Package,
    PackageType,
    Severity,
    Vulnerability,
    Warning_,
)
from hullscan.report.json import render_json
from hullscan.report.table import render_table
from hullscan.scan import ScanResult, ScanStats

GOLDEN = Path(__file__).parent / "golden"
D0 = "sha256:" + "a" * 64
D1 = "sha256:" + "b" * 64


def _result(*, with_secret: bool = False) -> ScanResult:
    """A hand-built result; ``with_secret`` adds a finding about a file (path, line, masked evidence, details)."""
    l0 = LayerRef(0, D0, D0, "ADD alpine-minirootfs.tar.gz /")
    l1 = LayerRef(1, D1, D1, "RUN apk add --no-cache py3-pip && pip install urllib3==1.24.1")
    musl = Package(PackageType.APK, "musl", "1.1.24-r2", arch="x86_64", source_name="musl",
                   source_version="1.1.24-r2", licenses=("MIT",), checksum="sha1:" + "c" * 40,
                   files=("lib/ld-musl-x86_64.so.1",), found_in="lib/apk/db/installed", extractor="os/apk",
                   purl="pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5", layer=l0)
    urllib3 = Package(PackageType.PYPI, "urllib3", "1.24.1", licenses=("MIT",),
                      found_in="usr/lib/python3.8/site-packages/urllib3-1.24.1.dist-info/METADATA",
                      extractor="lang/python", purl="pkg:pypi/urllib3@1.24.1", layer=l1)
    distro = Distro("alpine", "3.11.5", pretty_name="Alpine Linux v3.11", source_file="etc/alpine-release")
    inventory = Inventory(distro=distro, distro_layer=l0, packages=(musl, urllib3), file_count=1234,
                          warnings=(Warning_("damaged record skipped", "lib/apk/db/installed", l0, "os/apk"),))
    vuln = Vulnerability(
        aliases=("GHSA-mh33-7rrq-662w", "PYSEC-2019-133"), installed_version="1.24.1", fixed_version="1.24.2",
        status="fixed", severity_source="ghsa", data_source="pypa",
        matched_by="pypi package urllib3 1.24.1 < 1.24.2", cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        cvss_score=7.5, epss_score=0.012, epss_percentile=0.78, kev=True, kev_due_date="2024-01-01", risk=15.9,
        published="2019-04-18T21:29:00Z", modified="2024-09-25T00:00:00Z",
    )
    findings: tuple[Finding, ...] = (
        Finding("os/end-of-life", "os/end-of-life", Severity.HIGH, "alpine 3.11.5 reached end of life on 2021-11-01",
                remediation="Rebuild the image on a supported alpine release.", target="alpine 3.11.5", layer=l0),
        Finding("vuln", "CVE-2019-11324", Severity.HIGH, "Certificate check bypass in urllib3",
                description="urllib3 before 1.24.2 mishandles certain cases where the desired set of CA "
                            "certificates is different from the OS store.",
                remediation="Upgrade urllib3 to 1.24.2 or later.", target="urllib3@1.24.1", package=urllib3,
                layer=l1, references=("https://nvd.nist.gov/vuln/detail/CVE-2019-11324",), vulnerability=vuln),
        Finding("vuln", "CVE-2020-28928", Severity.UNKNOWN, "CVE-2020-28928 in musl",
                remediation="Upgrade musl to 1.1.24-r3 or later.", target="musl@1.1.24-r2", package=musl, layer=l0,
                vulnerability=Vulnerability((), "1.1.24-r2", "1.1.24-r3", "fixed", "", "alpine-secdb",
                                            "alpine:3.11 package musl 1.1.24-r2 < 1.1.24-r3", risk=1.0)),
    )
    secret = (
        Finding("secret/aws-access-key-id", "aws-access-key-id", Severity.CRITICAL, "AWS access key ID",
                remediation="Rotate the key; rebuild without it (deleting it in a later layer does not remove it).",
                target="app/.env", layer=l1, path="app/.env", line=3, evidence="AWS_KEY=AKIA************MPLE",
                details=(("deleted in", "layer 3: RUN rm app/.env"),), category="AWS"),
    )
    config = ImageConfig(
        digest="sha256:" + "d" * 64, os="linux", architecture="amd64", variant="", created="2024-01-01T00:00:00Z",
        diff_ids=(D0, D1), history=(HistoryEntry(l0.created_by), HistoryEntry(l1.created_by)),
        container=ContainerConfig(user="app", cmd=("python3",)),
    )
    image = ImageInfo(
        name="docker-archive:app.tar", source="docker-archive", manifest_digest="sha256:" + "e" * 64,
        config=config, repo_tags=("example/app:1.0",),
        layers=(Layer(0, D0, D0, "application/vnd.oci.image.layer.v1.tar+gzip", 2_800_000, l0.created_by),
                Layer(1, D1, D1, "application/vnd.oci.image.layer.v1.tar+gzip", 11_500_000, l1.created_by)),
    )
    if with_secret:
        findings += secret
    return ScanResult(image, SquashedView([]), inventory, ScanStats(layers=2, layers_from_cache=1), findings)


@pytest.mark.parametrize(("name", "render"), [("report.txt", lambda r: render_table(r, list_packages=True)),
                                              ("report.json", render_json)])
def test_golden(name: str, render: object) -> None:
    text = render(_result(with_secret=True))  # type: ignore[operator]
    path = GOLDEN / name
    if os.environ.get("HULLSCAN_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; see the module docstring to update it"
