"""The misconfig scanner through the command line: an image archive built in code with the usual mistakes, a
clean one, the shared alpine images and the real Debian image."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hullscan.cli import main
from support.images import DebianImages, TarEntrySpec, write_docker_archive, write_oci_layout

IMAGES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "images"

LISTS = "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"
ROOTFS = [TarEntrySpec.file("bin/sh", b"\x7fELF", mode=0o755),
          TarEntrySpec.file("etc/os-release", 'ID=debian\nVERSION_ID="12"\n')]


def history(*lines: tuple[str, bool]) -> list[dict[str, object]]:
    return [{"created": "2024-01-01T00:00:00Z", "created_by": line, **({} if layer else {"empty_layer": True})}
            for line, layer in lines]


PROBLEM_HISTORY = history(
    ("/bin/sh -c #(nop) ADD file:9a3c in / ", True),
    ('/bin/sh -c #(nop)  CMD ["bash"]', False),
    ("|1 GITHUB_TOKEN=ghp_aaaabbbbccccddddeeeeffff0000111122 /bin/sh -c apt-get update "
     "&& apt-get install -y openssh-server", True),
    ("/bin/sh -c #(nop)  ENV DB_PASSWORD=Tr0ub4dor&3xyz", False),
    ("/bin/sh -c #(nop)  EXPOSE 22/tcp", False),
    ("/bin/sh -c curl -fsSL https://get.example.com/setup | sh", True),
    ('/bin/sh -c #(nop)  CMD ["/usr/sbin/sshd", "-D"]', False),
)
PROBLEM_CONFIG = {
    "Env": ["PATH=/usr/bin:/bin", "DB_PASSWORD=Tr0ub4dor&3xyz"],
    "ExposedPorts": {"22/tcp": {}},
    "Cmd": ["/usr/sbin/sshd", "-D"],
    "Labels": {"org.opencontainers.image.base.name": "docker.io/library/debian:latest"},
}


def scan(capsys: pytest.CaptureFixture[str], ref: str, cache: Path) -> list[dict[str, Any]]:
    code = main(["image", ref, "--scanners", "misconfig", "--format", "json", "--cache-dir", str(cache)])
    out, err = capsys.readouterr()
    assert code == 0, err
    findings: list[dict[str, Any]] = json.loads(out)["findings"]
    return [f for f in findings if f["check"].startswith("misconfig/")]


def details(finding: dict[str, Any]) -> dict[str, str]:
    return {d["label"]: d["value"] for d in finding["details"]}


def test_problem_image_docker_archive(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    layers = [
        ROOTFS,
        [TarEntrySpec.file(LISTS, b"Package: x\n"), TarEntrySpec.file("usr/sbin/sshd", b"\x7fELF", mode=0o755)],
        [TarEntrySpec.file("usr/local/bin/setup-done", b"")],
    ]
    archive = write_docker_archive(tmp_path / "problem.tar", layers, tag="problem:1",
                                   config_overrides={"history": PROBLEM_HISTORY, "config": PROBLEM_CONFIG})
    found = scan(capsys, archive.ref, tmp_path / "cache")
    by_id = {f["id"]: f for f in found}
    assert sorted(by_id) == ["HS001", "HS002", "HS008", "HS009", "HS015", "HS017", "HS018", "HS019", "HS021",
                             "HS030"]
    # the RUN that left the lists is history entry 2, the image's second layer
    lists = by_id["HS009"]
    assert lists["layer"]["index"] == 1 and lists["layer"]["diff_id"] == archive.diff_ids[1]
    assert details(lists)["history index"] == "2"
    assert details(lists)["cache files left in the layer"] == "1"
    assert lists["target"].startswith("RUN apt-get update && apt-get install -y openssh-server")
    # secrets are masked everywhere the report shows them
    text = json.dumps(found)
    assert "Tr0ub4dor" not in text and "ccccdddd" not in text
    env = by_id["HS017"]
    assert env["severity"] == "CRITICAL" and env["layer"] is None
    assert details(env)["instruction"] == "ENV DB_PASSWORD=Tr************"
    assert details(env)["layer"] == "none (the instruction made no layer)"
    assert details(by_id["HS015"])["trivy"] == "DS004"
    assert by_id["HS021"]["layer"]["index"] == 2


def test_clean_image_oci_layout(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    clean_history = history(
        ("/bin/sh -c #(nop) ADD file:9a3c in / ", True),
        ('/bin/sh -c #(nop)  CMD ["bash"]', False),
        ("RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates "
         "&& rm -rf /var/lib/apt/lists/* # buildkit", True),
        ("COPY app /app # buildkit", True),
        ("WORKDIR /app", False),
        ("USER 10001", False),
        ('HEALTHCHECK &{["CMD" "/app/app" "-health"] "30s" "3s" "0s" "0s" \'\\x00\'}', False),
        ('ENTRYPOINT ["/app/app"]', False),
    )
    config = {"User": "10001", "WorkingDir": "/app", "Entrypoint": ["/app/app"],
              "Healthcheck": {"Test": ["CMD", "/app/app", "-health"], "Interval": 30000000000},
              "Labels": {"org.opencontainers.image.base.name": "docker.io/library/debian:12-slim"}}
    layers = [ROOTFS, [TarEntrySpec.file("etc/ssl/certs/ca-certificates.crt", b"pem")],
              [TarEntrySpec.file("app/app", b"\x7fELF", mode=0o755)]]
    layout = write_oci_layout(tmp_path / "clean", layers, {"history": clean_history, "config": config}, tag="1")
    assert scan(capsys, layout.ref, tmp_path / "cache") == []


@pytest.mark.parametrize("name", ["alpine-310", "alpine-311"])
def test_shared_alpine_images(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    # history: "ADD file:... in /" (the rootfs tarball, which is what ADD is for) and CMD ["/bin/sh"]
    found = scan(capsys, f"docker-archive:{IMAGES / f'{name}.docker-save.tar.gz'}", tmp_path / "cache")
    assert sorted(f["id"] for f in found) == ["HS001", "HS002"]
    assert all(f["layer"] is None for f in found)


def test_real_debian_image(capsys: pytest.CaptureFixture[str], tmp_path: Path, debian_images: DebianImages) -> None:
    # mmdebstrap rootfs (not a Dockerfile line), a RUN that adds a file and deletes /etc/motd, CMD bash; no USER
    found = scan(capsys, debian_images.oci_ref, tmp_path / "cache")
    assert sorted(f["id"] for f in found) == ["HS001", "HS002"]
    root = next(f for f in found if f["id"] == "HS001")
    assert root["target"] == "image config: no USER"
    assert details(root)["cis-docker"] == "4.1"


@pytest.mark.parametrize("fmt", ["json", "table", "sarif", "html"])
def test_build_argument_secrets_never_reach_a_report(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                     fmt: str) -> None:
    # The layer list of every report prints each layer's instruction: the masked one.
    layers = [ROOTFS, [TarEntrySpec.file("etc/x", b"x")], [TarEntrySpec.file("etc/y", b"y")]]
    archive = write_docker_archive(tmp_path / "secret.tar", layers, tag="secret:1",
                                   config_overrides={"history": PROBLEM_HISTORY, "config": PROBLEM_CONFIG})
    code = main(["image", archive.ref, "--scanners", "misconfig", "--format", fmt, "--cache-dir",
                 str(tmp_path / "cache")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "GITHUB_TOKEN=gh" in out  # the instruction is still shown, its value masked
    assert "ccccdddd" not in out and "Tr0ub4dor" not in out
