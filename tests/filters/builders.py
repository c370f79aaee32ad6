"""Findings, packages and scan results built by hand, with real ids, PURLs and paths."""

from __future__ import annotations

import json
from pathlib import Path

from hullscan.image.squash import SquashedView
from hullscan.model import (
    ContainerConfig,
    Finding,
    ImageConfig,
    ImageInfo,
    Inventory,
    Package,
    PackageType,
    Severity,
    Vulnerability,
)
from hullscan.scan import ScanResult, ScanStats

APK_DB = "lib/apk/db/installed"
ALPINE_QUALIFIERS = "?arch=x86_64&distro=3.11.5"


def apk(name: str, version: str) -> Package:
    return Package(PackageType.APK, name, version, purl=f"pkg:apk/alpine/{name}@{version}{ALPINE_QUALIFIERS}",
                   found_in=APK_DB, source_name=name)


def pypi(name: str, version: str, site: str = "usr/local/lib/python3.11/site-packages") -> Package:
    return Package(PackageType.PYPI, name, version, purl=f"pkg:pypi/{name.lower()}@{version}",
                   found_in=f"{site}/{name}-{version}.dist-info/METADATA")


def maven(group: str, artifact: str, version: str, jar: str) -> Package:
    return Package(PackageType.MAVEN, artifact, version, namespace=group,
                   purl=f"pkg:maven/{group}/{artifact}@{version}", found_in=jar)


def deb(name: str, version: str) -> Package:
    return Package(PackageType.DEB, name, version, purl=f"pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-12",
                   found_in="var/lib/dpkg/status", source_name=name)


def vuln(
    fid: str,
    pkg: Package,
    *,
    severity: Severity = Severity.HIGH,
    fixed: str = "",
    status: str | None = None,
    aliases: tuple[str, ...] = (),
    risk: float = 0.0,
) -> Finding:
    v = Vulnerability(
        aliases=aliases,
        installed_version=pkg.version,
        fixed_version=fixed,
        status=status or ("fixed" if fixed else "affected"),
        severity_source="nvd",
        data_source="test",
        matched_by="by hand",
        risk=risk,
    )
    return Finding("vuln", fid, severity, f"{fid} in {pkg.name}", target=f"{pkg.name}@{pkg.version}",
                   package=pkg, vulnerability=v)


def eol() -> Finding:
    return Finding("os/end-of-life", "os/end-of-life", Severity.HIGH, "alpine 3.11.5 reached end of life on "
                   "2021-11-01", target="alpine 3.11.5")


MUSL = apk("musl", "1.1.24-r2")
MUSL_UTILS = apk("musl-utils", "1.1.24-r2")
ZLIB = apk("zlib", "1.2.11-r3")
BUSYBOX = apk("busybox", "1.31.1-r9")
LIBCRYPTO = apk("libcrypto1.1", "1.1.1d-r3")
REQUESTS = pypi("requests", "2.19.1")
URLLIB3 = pypi("urllib3", "1.24.1", site="usr/lib/python3/dist-packages")
LOG4J = maven("org.apache.logging.log4j", "log4j-core", "2.14.1", "opt/app/lib/log4j-core-2.14.1.jar")
SPRING_BOOT = maven("org.springframework.boot", "spring-boot", "2.6.0-M3", "opt/app/app.jar")

# The digests of a hand-made image: manifest, config (image id), and the repo digest of a pushed copy.
MANIFEST_DIGEST = "sha256:" + "4f" * 32
CONFIG_DIGEST = "sha256:a187dde48cd289ac374ad8539930628314bc581a481cdb41409c9289419ddb72"


def image(
    *, tags: tuple[str, ...] = ("registry.example.com/team/app:1.4.2",), digests: tuple[str, ...] = ()
) -> ImageInfo:
    config = ImageConfig(CONFIG_DIGEST, "linux", "amd64", "", "2026-10-01T00:00:00Z", (), (), ContainerConfig())
    return ImageInfo(
        name="registry:registry.example.com/team/app:1.4.2",
        source="registry",
        manifest_digest=MANIFEST_DIGEST,
        config=config,
        layers=(),
        repo_tags=tags,
        repo_digests=digests or tuple(f"{t.rpartition(':')[0]}@{MANIFEST_DIGEST}" for t in tags),
    )


def result(findings: list[Finding], info: ImageInfo | None = None) -> ScanResult:
    packages = tuple(dict.fromkeys(f.package for f in findings if f.package is not None))
    return ScanResult(info or image(), SquashedView([]), Inventory(None, packages=packages), ScanStats(),
                      tuple(findings))


def write(tmp_path: Path, name: str, content: str | object) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2))
    return path
