"""The file scanner through the command line, on real image archives built from tar layers (and on the real
Debian image): every problem it looks for, and a clean image that yields nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hullscan.cli import main
from support.images import DebianImages, TarEntrySpec, write_oci_layout

MiB = 1 << 20

PROBLEM_LAYERS = [
    [
        TarEntrySpec.directory("tmp", mode=0o1777),
        TarEntrySpec.file("usr/bin/dash", b"\x7fELF dash", mode=0o755),
        TarEntrySpec.symlink("usr/bin/sh", "dash"),
        TarEntrySpec.file("etc/os-release", 'PRETTY_NAME="Distroless"\nID=debian\nVERSION_ID="12"\n'),
    ],
    [
        TarEntrySpec.file("usr/local/bin/suid-helper", b"\x7fELF", mode=0o4755),
        TarEntrySpec.directory("srv/upload", mode=0o777),
        TarEntrySpec.file("etc/ssh/ssh_host_ed25519_key", b"-----BEGIN OPENSSH PRIVATE KEY-----", mode=0o600),
        TarEntrySpec.file("root/.ssh/authorized_keys", b"ssh-ed25519 AAAA test", mode=0o600),
        TarEntrySpec.file("root/.ssh/id_rsa", b"-----BEGIN RSA PRIVATE KEY-----", mode=0o600),
        TarEntrySpec.file("usr/bin/gcc-12", b"\x7fELF gcc", mode=0o755),
        TarEntrySpec.symlink("usr/bin/gcc", "gcc-12"),
        TarEntrySpec.file("var/lib/apt/lists/deb.debian.org_Packages", b"P" * 70_000),
        TarEntrySpec.file("root/.cache/pip/http/blob", b"w" * 30_000),
        TarEntrySpec.file("opt/sdk.tar", b"\0" * (2 * MiB)),
        TarEntrySpec.file("opt/tool.bin", b"\1" * (MiB + 1), mode=0o644),
    ],
    [
        TarEntrySpec.whiteout("opt/sdk.tar"),
        TarEntrySpec.file("opt/tool.bin", b"\1" * (MiB + 1), mode=0o755),
    ],
]
HISTORY = ["ADD rootfs.tar /", "RUN install-everything", "RUN rm /opt/sdk.tar && chmod +x /opt/tool.bin"]

CLEAN_LAYERS = [
    [
        TarEntrySpec.directory("tmp", mode=0o1777),
        TarEntrySpec.file("usr/bin/dash", b"\x7fELF dash", mode=0o755),
        TarEntrySpec.symlink("usr/bin/sh", "dash"),
        TarEntrySpec.file("etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\nVERSION_ID="12"\n'),
        TarEntrySpec.file("etc/ssh/ssh_host_ed25519_key.pub", b"ssh-ed25519 AAAA"),
    ],
    [TarEntrySpec.file("app/main.py", b"print('hi')\n", mode=0o644)],
]


def scan(capsys: pytest.CaptureFixture[str], ref: str, cache: Path) -> list[dict[str, Any]]:
    code = main(["image", ref, "--scanners", "file", "--format", "json", "--cache-dir", str(cache)])
    out, err = capsys.readouterr()
    assert code == 0, err
    findings: list[dict[str, Any]] = json.loads(out)["findings"]
    return findings


def details(finding: dict[str, Any]) -> dict[str, str]:
    return {d["label"]: d["value"] for d in finding["details"]}


def test_every_problem_in_a_real_image(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    image = write_oci_layout(tmp_path / "layout", PROBLEM_LAYERS, history=HISTORY, tag="problems")
    findings = scan(capsys, f"oci:{image.path}:problems", tmp_path / "cache")
    by_check: dict[str, list[dict[str, Any]]] = {}
    for x in findings:
        by_check.setdefault(x["check"], []).append(x)
    assert sorted(by_check) == [
        "file/authorized-keys", "file/cache-apt-lists", "file/cache-pip", "file/compiler-in-image",
        "file/layer-efficiency", "file/private-key-file", "file/setuid", "file/shell-in-minimal",
        "file/ssh-host-key", "file/wasted-bytes", "file/world-writable",
    ]
    assert all(x["scanner"] == "file" for x in findings)

    [setuid] = by_check["file/setuid"]
    assert (setuid["severity"], setuid["category"], setuid["path"]) == ("HIGH", "unowned", "usr/local/bin/suid-helper")
    assert setuid["evidence"] == "-rwsr-xr-x root:root"
    assert setuid["layer"]["created_by"] == "RUN install-everything"
    assert setuid["layer"]["diff_id"] == image.diff_ids[1]

    [ww] = by_check["file/world-writable"]
    assert ww["target"] == "/srv/upload"
    [host_key] = by_check["file/ssh-host-key"]
    assert host_key["severity"] == "HIGH"
    [shell] = by_check["file/shell-in-minimal"]
    assert shell["path"] == "usr/bin/dash"
    assert details(shell)["minimal because"] == "os-release says Distroless"
    [compiler] = by_check["file/compiler-in-image"]
    assert compiler["severity"] == "MEDIUM"  # a compiler in an image that declares itself minimal
    assert by_check["file/private-key-file"][0]["path"] == "root/.ssh/id_rsa"

    [apt] = by_check["file/cache-apt-lists"]
    assert details(apt)["bytes"] == "68.4 KiB (70,000 bytes)"
    [wasted] = by_check["file/wasted-bytes"]
    assert wasted["layer"]["diff_id"] == image.diff_ids[1]
    wd = details(wasted)
    assert wd["wasted bytes"] == f"3.0 MiB ({2 * MiB + MiB + 1:,} bytes)"
    assert wd["rewritten with the same size"].startswith("1.0 MiB in 1 file")
    assert wd["removed by layer 3 (RUN rm /opt/sdk.tar && chmod +x /opt/tool.bin)"] == "3.0 MiB in 2 files"
    [table] = by_check["file/layer-efficiency"]
    assert details(table)["layer 3 (RUN rm /opt/sdk.tar && chmod +x /opt/tool.bin)"].startswith("1.0 MiB added")


def test_clean_real_image_has_no_finding(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    image = write_oci_layout(tmp_path / "layout", CLEAN_LAYERS, tag="clean")
    assert scan(capsys, f"oci:{image.path}:clean", tmp_path / "cache") == []


def test_debian_setuid_binaries_are_the_distros(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                debian_images: DebianImages) -> None:
    findings = scan(capsys, debian_images.oci_ref, tmp_path / "cache")
    special = [x for x in findings if x["check"] in ("file/setuid", "file/setgid")]
    paths = {x["path"] for x in special}
    # The classic ones of Debian's minbase: passwd and login's tools, util-linux's mount and su.
    assert {"usr/bin/passwd", "usr/bin/su", "usr/bin/mount", "usr/bin/umount", "usr/bin/chage"} <= paths
    assert all(x["category"] == "distro" and x["severity"] == "LOW" for x in special), special
    assert all(details(x)["owner package"] != "none" for x in special)
    assert [x for x in findings if x not in special] == []
