"""``--mode full`` end to end: one image built in code with a problem for every scanner, through the CLI, into
every report format; and ``--compliance cis-docker`` over the same image."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hullscan.cli import main
from support.images import DockerArchive, TarEntrySpec, write_docker_archive

# Realistic-looking but fake (the shape GitHub's fine-grained tokens and AWS keys have), split so that no
# scanner of this repository flags the test source itself.
GITHUB_TOKEN = "ghp_" + "R8x2Lq9ZcV4mN7pT1wK3yB6dF0hJ5sA2eG8u"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
KEY = ("-----BEGIN OPENSSH PRIVATE KEY-----\n"
       "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
       "QyNTUxOQAAACBvZ2b6VQb8Kq4iWj3aN1q0uQjHhE8xN7m2wA0vVqv0QwAAAJgH9Xr5B/V6\n"
       "-----END OPENSSH PRIVATE KEY-----\n")
HISTORY = [
    {"created_by": "/bin/sh -c #(nop) ADD file:0a1b in / "},
    {"created_by": "/bin/sh -c apt-get update && apt-get install -y curl"},
    {"created_by": "/bin/sh -c #(nop) COPY dir:2c3d in /app "},
    {"created_by": "/bin/sh -c rm -f /root/.ssh/id_ed25519"},
    {"created_by": '/bin/sh -c #(nop)  CMD ["/app/run.sh"]', "empty_layer": True},
]


@pytest.fixture(scope="module")
def problem_image(tmp_path_factory: pytest.TempPathFactory) -> DockerArchive:
    base = [
        TarEntrySpec.file("etc/os-release", 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n'),
        TarEntrySpec.file("etc/debian_version", "12.7\n"),
        TarEntrySpec.file("bin/sh", b"\x7fELF" + b"\0" * 64, mode=0o755),
    ]
    run = [
        TarEntrySpec.file("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", b"x" * 50_000),
        TarEntrySpec.file("usr/local/bin/helper", b"\x7fELF" + b"\0" * 64, mode=0o4755),  # setuid, no package
        TarEntrySpec.directory("srv/drop", mode=0o777),
        TarEntrySpec.file("root/.ssh/id_ed25519", KEY, mode=0o600),
    ]
    app = [
        TarEntrySpec.file("app/run.sh", "#!/bin/sh\nexec /app/server\n", mode=0o755),
        TarEntrySpec.file("app/.env", f"LOG_LEVEL=debug\nGITHUB_TOKEN={GITHUB_TOKEN}\n"),
        TarEntrySpec.file("app/tools/eicar.com", EICAR, mode=0o755),
    ]
    cleanup = [TarEntrySpec.whiteout("root/.ssh/id_ed25519")]
    config = {"history": HISTORY, "config": {"Cmd": ["/app/run.sh"]}}
    return write_docker_archive(tmp_path_factory.mktemp("full") / "problem.tar", [base, run, app, cleanup],
                                config_overrides=config, tag="problem:1")


def scan(capsys: pytest.CaptureFixture[str], archive: DockerArchive, tmp: Path, *extra: str) -> tuple[int, str]:
    code = main(["image", archive.ref, "--cache-dir", str(tmp / "cache"), "--scanners",
                 "misconfig,secret,file,malware,license", "--mode", "full", *extra])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return code, out


def test_every_scanner_finds_its_problem(capsys: pytest.CaptureFixture[str], problem_image: DockerArchive,
                                        tmp_path: Path) -> None:
    code, out = scan(capsys, problem_image, tmp_path, "--format", "json", "--fail-on", "HIGH")
    doc: dict[str, Any] = json.loads(out)
    found = {(f["check"], f["path"]) for f in doc["findings"]}
    assert ("secret/github-pat", "app/.env") in found
    assert ("secret/private-key", "root/.ssh/id_ed25519") in found  # deleted in layer 4: still shipped
    assert ("malware/yara", "app/tools/eicar.com") in found
    assert ("file/setuid", "usr/local/bin/helper") in found
    assert ("file/world-writable", "srv/drop") in found
    assert any(check == "file/cache-apt-lists" for check, _ in found)
    assert {"misconfig/HS001", "misconfig/HS002"} <= {check for check, _ in found}
    key = next(f for f in doc["findings"] if f["check"] == "secret/private-key")
    assert key["layer"]["index"] == 1
    assert any("layer 4" in d["value"] for d in key["details"])
    assert code == 1  # --fail-on HIGH: a private key, a token, malware
    assert GITHUB_TOKEN not in out and "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU" not in out


@pytest.mark.parametrize("fmt", ["table", "sarif", "gitlab", "html", "cyclonedx"])
def test_no_report_format_leaks_a_secret(capsys: pytest.CaptureFixture[str], problem_image: DockerArchive,
                                         tmp_path: Path, fmt: str) -> None:
    _, out = scan(capsys, problem_image, tmp_path, "--format", fmt)
    assert out and GITHUB_TOKEN not in out and GITHUB_TOKEN[4:20] not in out


def test_cis_docker_compliance(capsys: pytest.CaptureFixture[str], problem_image: DockerArchive,
                               tmp_path: Path) -> None:
    _, out = scan(capsys, problem_image, tmp_path, "--compliance", "cis-docker", "--format", "json")
    doc = json.loads(out)
    status = {c["id"]: c["status"] for c in doc["controls"]}
    assert status["4.1"] == "fail" and status["4.6"] == "fail"  # root, no HEALTHCHECK
    assert status["4.8"] == "fail" and status["4.10"] == "fail"  # setuid helper; key and token
    assert status["4.4"] == "not-checked"  # the vuln scanner was not asked for
    assert status["4.5"] == "manual"
    code = main(["image", problem_image.ref, "--compliance", "cis-docker", "--format", "sarif"])
    assert code == 2 and "--compliance writes table or json" in capsys.readouterr().err


def test_any_scanner_finding_can_be_ignored(capsys: pytest.CaptureFixture[str], problem_image: DockerArchive,
                                            tmp_path: Path) -> None:
    ignore = tmp_path / ".hullscanignore"
    ignore.write_text("github-pat   # rotated on 2026-11-01\nHS001 exp:2099-01-01\n")
    _, out = scan(capsys, problem_image, tmp_path, "--format", "json", "--ignorefile", str(ignore))
    doc = json.loads(out)
    checks = {f["check"] for f in doc["findings"]}
    assert "secret/github-pat" not in checks and "misconfig/HS001" not in checks
    assert "secret/private-key" in checks and "misconfig/HS002" in checks
    assert {i["id"] for i in doc["filters"]["ignored"]} == {"github-pat", "HS001"}


def test_a_clean_image_passes_every_scanner(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """No false positives: a tidy image (non-root user, HEALTHCHECK, COPY, no caches left, no setuid, no keys,
    permissive licences) gives no finding from any scanner in full mode."""
    base = [
        TarEntrySpec.file("etc/os-release", 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n'),
        TarEntrySpec.file("etc/debian_version", "12.7\n"),
        TarEntrySpec.file("bin/sh", b"\x7fELF" + b"\0" * 64, mode=0o755),
        TarEntrySpec.directory("tmp", mode=0o1777),  # world-writable with the sticky bit: fine
        TarEntrySpec.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/sbin/nologin\n"),
    ]
    app = [
        TarEntrySpec.file("app/server.py", "import os\nprint(os.environ.get('PORT', '8080'))\n", mode=0o755),
        TarEntrySpec.file("app/config.yaml", "log_level: info\nlisten: 0.0.0.0:8080\n"),
        TarEntrySpec.file("usr/lib/python3/dist-packages/requests-2.32.3.dist-info/METADATA",
                          "Metadata-Version: 2.1\nName: requests\nVersion: 2.32.3\nLicense: Apache-2.0\n"),
    ]
    history = [
        {"created_by": "/bin/sh -c #(nop) ADD file:0a1b in / "},
        {"created_by": "COPY app /app # buildkit"},
        {"created_by": "USER 10001", "empty_layer": True},
        {"created_by": 'HEALTHCHECK &{["CMD" "/app/server.py" "--health"] "30s" "3s" "0s" "0s" \'\\x00\'}',
         "empty_layer": True},
        {"created_by": 'CMD ["/app/server.py"]', "empty_layer": True},
    ]
    config = {"history": history, "config": {
        "User": "10001", "Cmd": ["/app/server.py"],
        "Healthcheck": {"Test": ["CMD", "/app/server.py", "--health"], "Interval": 30000000000},
        "Labels": {"org.opencontainers.image.base.name": "docker.io/library/debian:12-slim"}}}
    archive = write_docker_archive(tmp_path / "clean.tar", [base, app], config_overrides=config, tag="clean:1")
    code, out = scan(capsys, archive, tmp_path, "--format", "json", "--fail-on", "LOW")
    doc = json.loads(out)
    assert doc["findings"] == [] and code == 0
    assert {p["name"] for p in doc["packages"]} == {"requests"}  # the scan did read the image


def test_compiled_rules_live_in_the_cache_dir_only(capsys: pytest.CaptureFixture[str], problem_image: DockerArchive,
                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hullscan.checks.secret import engine

    monkeypatch.setattr(engine, "_COMPILED", {})  # as a new process starts
    scan(capsys, problem_image, tmp_path, "--format", "json")
    assert len(list((tmp_path / "cache" / "hyperscan").iterdir())) == 1  # the secret rules, compiled once
    assert main(["cache", "clean", "--cache-dir", str(tmp_path / "cache")]) == 0
    assert not (tmp_path / "cache" / "hyperscan").exists()
    capsys.readouterr()
    monkeypatch.setattr(engine, "_COMPILED", {})
    monkeypatch.setenv("HULLSCAN_CACHE_DIR", str(tmp_path / "default-cache"))
    code = main(["image", problem_image.ref, "--no-cache", "--scanners", "secret", "--format", "json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["findings"]
    assert not (tmp_path / "default-cache").exists()  # --no-cache: nothing written anywhere


def test_a_secret_in_a_file_the_distribution_shipped_unmodified_is_low(capsys: pytest.CaptureFixture[str],
                                                                       tmp_path: Path) -> None:
    """Debian's chromium ships a Google API key in /etc/chromium.d/apikeys: dpkg's Conffiles MD5 says the file is
    the package's own, so it is reported LOW; the same file edited by the image's author keeps its severity."""
    import hashlib

    key = "AIza" + "SyB7x9Qk2LmN4pR6tV8wY0zA3cE5gH7jK9m"
    shipped = f'export GOOGLE_API_KEY="{key}"\n'
    digest = hashlib.md5(shipped.encode(), usedforsecurity=False).hexdigest()
    status = ("Package: chromium-common\nStatus: install ok installed\nVersion: 130.0-1\nArchitecture: amd64\n"
              f"Maintainer: Debian Chromium Team <x@example.org>\nConffiles:\n /etc/chromium.d/apikeys {digest}\n"
              " /etc/chromium.d/default-flags 0123456789abcdef0123456789abcdef\n\n")
    base = [
        TarEntrySpec.file("etc/os-release", 'ID=debian\nVERSION_ID="12"\n'),
        TarEntrySpec.file("var/lib/dpkg/status", status),
        TarEntrySpec.file("etc/chromium.d/apikeys", shipped),
    ]
    edited = [TarEntrySpec.file("etc/chromium.d/apikeys", shipped + 'export EXTRA="1"\n')]

    def severity(layers: list[list[TarEntrySpec]], name: str) -> tuple[str, dict[str, str]]:
        archive = write_docker_archive(tmp_path / f"{name}.tar", layers, tag=f"{name}:1")
        code = main(["image", archive.ref, "--scanners", "secret", "--format", "json", "--cache-dir",
                     str(tmp_path / "cache")])
        out = capsys.readouterr().out
        assert code == 0 and key not in out
        (f,) = json.loads(out)["findings"]
        return f["severity"], {d["label"]: d["value"] for d in f["details"]}

    sev, details = severity([base], "pristine")
    assert sev == "LOW" and details["shipped unmodified by"] == "deb package chromium-common"
    sev, details = severity([base, edited], "edited")
    assert sev == "HIGH" and "shipped unmodified by" not in details
