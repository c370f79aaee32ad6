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


def test_rpm_image_end_to_end(tmp_path: Path) -> None:
    """An image built in code around the real CBL-Mariner SQLite rpmdb, and one around UBI8's BerkeleyDB."""
    from support.images import TarEntrySpec, write_oci_layout

    rpm = SHARED / "fixtures" / "ospkg" / "rpm"
    mariner = write_oci_layout(tmp_path / "mariner", [
        [TarEntrySpec.file("etc/os-release", 'ID=mariner\nVERSION_ID="2.0"\nNAME="Common Base Linux Mariner"\n')],
        [TarEntrySpec.file("var/lib/rpm/rpmdb.sqlite", (rpm / "cbl-mariner-2.0.rpmdb.sqlite").read_bytes())],
    ])
    result = scan(mariner.ref)
    rpms = result.inventory.packages
    assert len(rpms) == 129 and {p.type for p in rpms} == {PackageType.RPM}
    assert {p.layer.index for p in rpms if p.layer is not None} == {1}
    curl = next(p for p in rpms if p.name == "curl")
    assert (curl.version, curl.arch, curl.source_name) == ("7.76.0-6.cm2", "x86_64", "curl")
    assert "usr/bin/curl" in curl.files
    assert curl.purl.startswith("pkg:rpm/mariner/curl@7.76.0-6.cm2?arch=x86_64")

    ubi = write_oci_layout(tmp_path / "ubi", [
        [TarEntrySpec.file("etc/redhat-release", "Red Hat Enterprise Linux release 8.8 (Ootpa)\n"),
         TarEntrySpec.file("var/lib/rpm/Packages", (rpm / "ubi8-libuuid.Packages.bdb").read_bytes())],
    ])
    (libuuid,) = scan(ubi.ref).inventory.packages
    assert (libuuid.name, libuuid.version, libuuid.source_name) == ("libuuid", "2.32.1-42.el8_8", "util-linux")


def test_language_packages_owned_by_os_packages_are_reported_once(tmp_path: Path) -> None:
    """Debian's python3-six owns its dist-info: it is the deb that matters (the distro patches it), not PyPI's six.
    A pip-installed package in /usr/local stays a PyPI package."""
    from support.images import TarEntrySpec, write_oci_layout

    status = (
        "Package: python3-six\nStatus: install ok installed\nArchitecture: all\nVersion: 1.16.0-4\n"
        "Source: six\nMaintainer: Debian Python Team <team+python@tracker.debian.org>\nDescription: six\n"
    )
    dist = "usr/lib/python3/dist-packages/six-1.16.0.dist-info"
    local = "usr/local/lib/python3.11/dist-packages/urllib3-1.24.1.dist-info"
    layout = write_oci_layout(tmp_path / "img", [
        [TarEntrySpec.file("etc/os-release", 'ID=debian\nVERSION_ID="12"\n'),
         TarEntrySpec.file("var/lib/dpkg/status", status),
         TarEntrySpec.file("var/lib/dpkg/info/python3-six.list", f"/usr\n/{dist}\n/{dist}/METADATA\n"),
         TarEntrySpec.file(f"{dist}/METADATA", "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n")],
        [TarEntrySpec.file(f"{local}/METADATA", "Metadata-Version: 2.1\nName: urllib3\nVersion: 1.24.1\n")],
    ])
    result = scan(layout.ref)
    assert sorted((p.type.value, p.name, p.version) for p in result.inventory.packages) == [
        ("deb", "python3-six", "1.16.0-4"),
        ("pypi", "urllib3", "1.24.1"),
    ]
    urllib3 = next(p for p in result.inventory.packages if p.name == "urllib3")
    assert urllib3.layer is not None and urllib3.layer.index == 1
