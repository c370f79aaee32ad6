"""The file scanner as a whole: registered, reads no content, silent on a clean image."""

from __future__ import annotations

from checks.file.helpers import DEBIAN_OS_RELEASE, L, d, deb, dev, f, hard, link, scan
from hullscan.checks.base import ScannerConfig
from hullscan.checks.file import FileScanner
from hullscan.checks.registry import build_scanners

CLEAN = (
    L([
        f("etc/os-release", content=DEBIAN_OS_RELEASE),
        d("tmp", mode=0o1777), d("var/tmp", mode=0o1777),
        f("usr/bin/dash", mode=0o755), link("usr/bin/sh", "dash"), f("usr/bin/bash", mode=0o755),
        link("bin", "usr/bin"),
        f("usr/bin/su", mode=0o4755), f("usr/bin/chage", mode=0o2755, gid=42),
        f("usr/bin/perl5.36", mode=0o755), hard("usr/bin/perl", "usr/bin/perl5.36", 0o755),
        d("var/lib/apt/lists"), f("var/lib/apt/lists/lock", size=0),
        d("var/cache/apt/archives/partial"),
        f("etc/ssh/ssh_host_ed25519_key.pub"), f("etc/ssl/certs/ca-certificates.crt", size=200_000),
        dev("dev/null"), d("var/mail", mode=0o2775),
    ], created_by="ADD rootfs.tar /"),
    L([f("app/main.py", size=4000), f("app/config.yaml", size=300)], created_by="COPY app /app"),
    L([f("app/config.yaml", size=320)], whiteouts=("tmp/build",), created_by="COPY config.yaml /app/"),
)
CLEAN_PACKAGES = (deb("login", "/bin/su"), deb("passwd", "/usr/bin/chage"))


def test_registered_under_its_name() -> None:
    [scanner] = build_scanners(("vuln", "file"), ScannerConfig())
    assert isinstance(scanner, FileScanner)
    assert scanner.name == "file"
    assert scanner.extractors() == ()  # metadata only: no extra reads in the layer walk


def test_clean_image_has_no_finding_beyond_reviewed_distro_setuid() -> None:
    found = scan(*CLEAN, packages=CLEAN_PACKAGES)
    # su and chage are the distro's own: listed at LOW for the CIS review, nothing else is reported.
    assert {(x.check, x.path, x.category, str(x.severity)) for x in found} == {
        ("file/setuid", "usr/bin/su", "distro", "LOW"),
        ("file/setgid", "usr/bin/chage", "distro", "LOW"),
    }


def test_clean_image_without_special_bits_has_no_finding() -> None:
    no_bits = tuple(L([e for e in layer.entries if not e[0].mode & 0o6000 or e[0].kind.value == "dir"],
                      layer.whiteouts, layer.opaque, layer.created_by) for layer in CLEAN)
    assert scan(*no_bits) == []
