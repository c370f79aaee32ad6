"""The whole inventory of real images against the package managers' own view of them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.model import PackageType
from hullscan.scan import ScanOptions, ScanResult, scan_image
from support.images import DebianImages

SHARED = Path(__file__).resolve().parents[2] / "shared"


def scan(ref: str) -> ScanResult:
    with open_source(ref, SourceOptions()) as src:
        return scan_image(src, ScanOptions(extractors=default_extractors()))


def test_debian_packages_equal_dpkg_query(debian_images: DebianImages) -> None:
    admindir = debian_images.rootfs / "var" / "lib" / "dpkg"
    out = subprocess.run(
        ["dpkg-query", f"--admindir={admindir}", "-W", "-f", "${Package} ${Version} ${Architecture}\n"],
        capture_output=True, text=True, check=True,
    ).stdout
    expected = sorted(tuple(line.split(" ")) for line in out.splitlines())
    result = scan(debian_images.oci_ref)
    debs = [p for p in result.inventory.packages if p.type is PackageType.DEB]
    assert sorted((p.name, p.version, p.arch) for p in debs) == expected
    assert len(debs) == len(expected) > 50
    # Everything came with the base layer, and says so.
    assert {p.layer.index for p in debs if p.layer is not None} == {0}
    assert all(p.layer is not None and p.layer.created_by.startswith("mmdebstrap") for p in debs)
    libc = next(p for p in debs if p.name == "libc6")
    assert libc.source_name == "glibc" and libc.purl.startswith("pkg:deb/debian/libc6@")
    assert "distro=debian-12" in libc.purl
    assert any(f.endswith("libc.so.6") for f in libc.files)
    assert result.inventory.warnings == ()


def test_debian_sources_equal_dpkg_query(debian_images: DebianImages) -> None:
    admindir = debian_images.rootfs / "var" / "lib" / "dpkg"
    out = subprocess.run(
        ["dpkg-query", f"--admindir={admindir}", "-W", "-f", "${Package} ${source:Package} ${source:Version}\n"],
        capture_output=True, text=True, check=True,
    ).stdout
    expected = {tuple(line.split(" ")) for line in out.splitlines()}
    result = scan(debian_images.docker_archive_ref)
    assert {(p.name, p.source_name, p.source_version) for p in result.inventory.packages} == expected


def test_alpine_311_end_to_end() -> None:
    result = scan(str(SHARED / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"))
    apks = result.inventory.packages
    assert len(apks) == 14 and {p.type for p in apks} == {PackageType.APK}
    musl = next(p for p in apks if p.name == "musl")
    assert musl.purl == "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5"
