"""End to end through ``hullscan image ... --scanners secret``: a real OCI layout built in code, where a private
key is added in layer 1 and deleted in layer 2, plus secrets in ENV and in a build argument kept by history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checks.secret.samples import SAMPLES
from hullscan.cli import main
from support.images import TarEntrySpec, write_docker_archive, write_oci_layout

_, KEY_HEAD, KEY_BODY, KEY_TAIL = SAMPLES["private-key"]
_, _, NPM, _ = SAMPLES["npm-access-token"]
_, _, GH, _ = SAMPLES["github-pat"]
FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "secrets"


def scan(capsys: pytest.CaptureFixture[str], ref: str, cache: Path, *extra: str) -> tuple[dict[str, Any], str]:
    code = main(["image", ref, "--scanners", "secret", "--format", "json", "--cache-dir", str(cache), *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    doc: dict[str, Any] = json.loads(out)
    return doc, out


@pytest.fixture
def leaky_image(tmp_path: Path) -> str:
    layer1 = [
        TarEntrySpec.directory("root/.ssh", mode=0o700),
        TarEntrySpec.file("root/.ssh/id_ed25519", KEY_HEAD + KEY_BODY + KEY_TAIL, mode=0o600),
        TarEntrySpec.file("app/run.sh", "#!/bin/sh\nexec ./server\n", mode=0o755),
    ]
    layer2 = [TarEntrySpec.whiteout("root/.ssh/id_ed25519"), TarEntrySpec.file("app/ready", "1\n")]
    image = write_oci_layout(
        tmp_path / "oci", [layer1, layer2],
        config_overrides={"config": {"Env": ["PATH=/usr/bin:/bin", f"NPM_TOKEN={NPM}"]}},
        history=["COPY id_ed25519 /root/.ssh/ # buildkit", "RUN rm /root/.ssh/id_ed25519 # buildkit"],
    )
    return image.ref


def test_deleted_private_key_and_env_secret(capsys: pytest.CaptureFixture[str], leaky_image: str,
                                            tmp_path: Path) -> None:
    doc, out = scan(capsys, leaky_image, tmp_path / "cache")
    findings = {f["check"]: f for f in doc["findings"]}
    assert set(findings) == {"secret/private-key", "secret/npm-access-token"}
    key = findings["secret/private-key"]
    assert (key["scanner"], key["path"], key["line"], key["severity"]) == ("secret", "root/.ssh/id_ed25519", 1, "HIGH")
    assert key["layer"]["index"] == 0 and key["layer"]["created_by"].startswith("COPY id_ed25519")
    details = {d["label"]: d["value"] for d in key["details"]}
    assert details["added in"].startswith("layer 1 (sha256:") and "COPY id_ed25519" in details["added in"]
    assert details["deleted in"].startswith("layer 2 (sha256:") and "RUN rm /root/.ssh/id_ed25519" in details[
        "deleted in"]
    assert key["evidence"] == KEY_BODY[:4] + "*" * 32 + KEY_BODY[-4:]
    env = findings["secret/npm-access-token"]
    assert (env["path"], env["line"], env["layer"]) == ("config:Env", 2, None)
    # Not one line of the key's body, nor the token, anywhere in the report.
    for line in KEY_BODY.splitlines():
        assert line not in out and line[4:-4] not in out
    assert NPM not in out and NPM[4:-4] not in out

    # A rescan from the layer cache finds the same.
    again, _ = scan(capsys, leaky_image, tmp_path / "cache")
    assert again["summary"]["layers_from_cache"] == 2
    assert again["findings"] == doc["findings"]


def test_build_argument_in_history(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    image = write_docker_archive(
        tmp_path / "img.tar", [[TarEntrySpec.file("app/main.py", "print(1)\n")]], tag="leaky:1",
        history=[f"RUN |1 GH_TOKEN={GH} /bin/sh -c pip install -r requirements.txt"],
    )
    doc, _ = scan(capsys, image.ref, tmp_path / "cache")
    (f,) = doc["findings"]
    assert (f["check"], f["path"], f["line"]) == ("secret/github-pat", "history[0]", 1)
    assert f["layer"]["index"] == 0
    assert GH not in json.dumps(doc["findings"])  # masked in the finding, its layer and details
    assert "GH_TOKEN=ghp_" in f["layer"]["created_by"]


def test_custom_config_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    image = write_oci_layout(tmp_path / "oci", [[
        TarEntrySpec.file("app/secret.txt", (FIXTURES / "secret.txt").read_bytes()),
        TarEntrySpec.file("app/creds.env", (FIXTURES / "builtin-rule-secret.txt").read_bytes()),
    ]])
    cache = tmp_path / "cache"
    plain, _ = scan(capsys, image.ref, cache)
    assert sorted(f["id"] for f in plain["findings"]) == ["aws-access-key-id", "github-pat"]
    custom, _ = scan(capsys, image.ref, cache, "--secret-config", str(FIXTURES / "exclude-block.yaml"))
    assert custom["summary"]["layers_from_cache"] == 0  # another rule set: the cached layer is not reused
    got = sorted((f["id"], f["path"], f["line"]) for f in custom["findings"])
    assert got == [("aws-access-key-id", "app/creds.env", 2), ("github-pat", "app/creds.env", 1),
                   ("rule1", "app/secret.txt", 4)]


def test_bad_config_is_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    image = write_oci_layout(tmp_path / "oci", [[TarEntrySpec.file("a", "b")]])
    cfg = FIXTURES / "config-with-incorrect-severity.yaml"
    code = main(["image", image.ref, "--scanners", "secret", "--secret-config", str(cfg),
                 "--cache-dir", str(tmp_path / "c")])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.strip().count("\n") == 0 and f"{cfg}:5:" in err


def test_rootfs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "srv").mkdir(parents=True)
    (root / "srv" / ".env").write_text(f"NPM_TOKEN={NPM}\n")
    (root / "srv" / "logo.png").write_bytes(f"NPM_TOKEN={NPM}\n".encode())  # never read: a binary extension
    code = main(["rootfs", str(root), "--scanners", "secret", "--format", "json", "--cache-dir", str(tmp_path / "c")])
    out, err = capsys.readouterr()
    assert code == 0, err
    (f,) = json.loads(out)["findings"]
    assert (f["id"], f["path"], f["line"]) == ("npm-access-token", "srv/.env", 1)
    assert NPM not in out
