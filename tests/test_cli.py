"""The command line, end to end, on the real images in ../shared/fixtures/images and broken copies of them."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hullscan.cli import main
from support.images import DebianImages
from support.registry import Registry
from vulndb.helpers import ImportedStore

SHARED = Path(__file__).resolve().parents[2] / "shared"
IMAGES = SHARED / "fixtures" / "images"
ALPINE_311 = IMAGES / "alpine-311.docker-save.tar.gz"
ALPINE_311_DIFF_ID = "sha256:beee9f30bc1f711043e78d4a2be0668955d4b761d587d6f60c2c8dc081efb203"
ALPINE_311_ID = "sha256:a187dde48cd289ac374ad8539930628314bc581a481cdb41409c9289419ddb72"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def advisory_db(imported: ImportedStore, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every CLI test scans for vulnerabilities against the session's import of all of shared/vulndata."""
    monkeypatch.setenv("HULLSCAN_DB", str(imported.path))
    return imported.path


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def scan_json(capsys: pytest.CaptureFixture[str], ref: str, cache: Path, *extra: str) -> dict[str, object]:
    code, out, err = run(capsys, "image", ref, "--format", "json", "--cache-dir", str(cache), *extra)
    assert code == 0, err
    doc: dict[str, object] = json.loads(out)
    return doc


def test_alpine_311_docker_archive(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    doc = scan_json(capsys, f"docker-archive:{ALPINE_311}", cache)
    art = doc["artifact"]
    assert isinstance(art, dict)
    assert art["image_id"] == ALPINE_311_ID
    assert art["repo_tags"] == ["alpine:3.11"]
    assert [layer["diff_id"] for layer in art["layers"]] == [ALPINE_311_DIFF_ID]
    assert "ADD file:" in art["layers"][0]["created_by"]
    assert doc["os"] == {
        "family": "alpine", "release": "3.11.5", "codename": "", "pretty_name": "Alpine Linux v3.11",
        "source_file": "etc/alpine-release", "extended_support": False,
        "eol_date": "2021-11-01", "end_of_life": True,
        "layer": {"index": 0, "digest": ALPINE_311_DIFF_ID, "diff_id": ALPINE_311_DIFF_ID,
                  "created_by": art["layers"][0]["created_by"]},
    }


def test_alpine_310_detected_by_content_and_tag(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    ref = f"{IMAGES / 'alpine-310.docker-save.tar.gz'}:alpine:3.10"
    doc = scan_json(capsys, ref, cache)
    art = doc["artifact"]
    assert isinstance(art, dict) and isinstance(doc["os"], dict)
    assert art["source"] == "docker-archive"
    assert [layer["diff_id"] for layer in art["layers"]] == [
        "sha256:531743b7098cb2aaf615641007a129173f63ed86ca32fe7b5a246a1c47286028"
    ]
    assert doc["os"]["release"].startswith("3.10")


@pytest.mark.parametrize("ref", ["oci:{d}/test.oci", "oci:{d}/test_image_tag.oci:0.0.1", "{d}/test.oci"],
                         ids=["untagged", "tag", "detected"])
def test_oci_layouts(capsys: pytest.CaptureFixture[str], cache: Path, ref: str) -> None:
    doc = scan_json(capsys, ref.format(d=IMAGES), cache)
    art = doc["artifact"]
    assert isinstance(art, dict)
    assert [layer["diff_id"] for layer in art["layers"]] == [
        "sha256:9c27e219663c25e0f28493790cc0b88bc973ba3b1686355f221c38a36978ac63"
    ]
    assert doc["os"] is None  # hello-world has no OS
    # quick mode's image-config checks: hello-world runs as root and has no HEALTHCHECK
    assert doc["summary"] == {"files": 1, "packages": {}, "layers": 1, "layers_from_cache": 0, "warnings": 0,
                              "findings": 2, "by_severity": {"HIGH": 1, "LOW": 1}}
    findings = doc["findings"]
    assert isinstance(findings, list)
    assert sorted(f["check"] for f in findings) == ["misconfig/HS001", "misconfig/HS002"]


def test_oci_unknown_tag(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    code, out, err = run(capsys, "image", f"oci:{IMAGES}/test_image_tag.oci:0.0.0", "--cache-dir", str(cache))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "invalid OCI image ref" in err and "0.0.1" in err


def test_second_scan_reads_no_layer(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    first = scan_json(capsys, str(ALPINE_311), cache)
    second = scan_json(capsys, str(ALPINE_311), cache)
    assert first["summary"] == {**second["summary"], "layers_from_cache": 0}  # type: ignore[dict-item]
    assert second["summary"]["layers_from_cache"] == 1  # type: ignore[index]
    assert first["os"] == second["os"]
    code, _, err = run(capsys, "cache", "clean", "--cache-dir", str(cache))
    assert code == 0 and "removed 1" in err
    third = scan_json(capsys, str(ALPINE_311), cache)
    assert third["summary"]["layers_from_cache"] == 0  # type: ignore[index]


def test_no_cache_writes_nothing(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    scan_json(capsys, str(ALPINE_311), cache, "--no-cache")
    assert not cache.exists()


def test_output_file_and_table(capsys: pytest.CaptureFixture[str], cache: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "report.txt"
    code, out, _ = run(capsys, "image", str(ALPINE_311), "--cache-dir", str(cache), "-o", str(out_file))
    assert code == 0 and out == ""
    text = out_file.read_text()
    assert "alpine 3.11.5" in text and ALPINE_311_ID in text and "beee9f30bc1f" in text


# ------------------------------------------------------------------------------------------ bad input


def _error(capsys: pytest.CaptureFixture[str], cache: Path, ref: str, *extra: str) -> str:
    code, out, err = run(capsys, "image", ref, "--cache-dir", str(cache), *extra)
    assert code == 2, err
    assert out == ""
    assert err.startswith("hullscan: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def _cache_files(cache: Path) -> list[Path]:
    return sorted(p for p in cache.rglob("*") if p.is_file()) if cache.exists() else []


def _copy_oci(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of test.oci and the path of its one layer blob."""
    layout = tmp_path / "img.oci"
    shutil.copytree(IMAGES / "test.oci", layout)
    for p in layout.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    index = json.loads((layout / "index.json").read_text())
    manifest_hex = index["manifests"][0]["digest"].split(":")[1]
    manifest = json.loads((layout / "blobs" / "sha256" / manifest_hex).read_bytes())
    layer_hex = manifest["layers"][0]["digest"].split(":")[1]
    return layout, layout / "blobs" / "sha256" / layer_hex


def test_missing_path(capsys: pytest.CaptureFixture[str], cache: Path, tmp_path: Path) -> None:
    err = _error(capsys, cache, str(tmp_path / "nope.tar"))
    assert "no such file" in err


def test_garbage_archive(capsys: pytest.CaptureFixture[str], cache: Path, tmp_path: Path) -> None:
    bad = tmp_path / "garbage.tar"
    bad.write_bytes(b"\x00garbage" * 1000)
    err = _error(capsys, cache, f"docker-archive:{bad}")
    assert "garbage.tar" in err


def test_truncated_docker_archive(capsys: pytest.CaptureFixture[str], cache: Path, tmp_path: Path) -> None:
    raw = gzip.decompress(ALPINE_311.read_bytes())
    bad = tmp_path / "cut.tar"
    bad.write_bytes(raw[: len(raw) // 2])
    _error(capsys, cache, f"docker-archive:{bad}")
    assert _cache_files(cache) == []


def test_corrupt_layer_names_image_and_layer(capsys: pytest.CaptureFixture[str], cache: Path,
                                             tmp_path: Path) -> None:
    layout, layer = _copy_oci(tmp_path)
    data = bytearray(layer.read_bytes())
    data[len(data) // 2] ^= 0xFF
    layer.write_bytes(bytes(data))
    err = _error(capsys, cache, f"oci:{layout}")
    assert f"oci:{layout}" in err and "layer 1/1" in err
    assert _cache_files(cache) == []


def test_substituted_layer_is_a_digest_mismatch(capsys: pytest.CaptureFixture[str], cache: Path,
                                                 tmp_path: Path) -> None:
    layout, layer = _copy_oci(tmp_path)
    # A valid gzip of a valid tar, but not the blob the manifest names.
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("evil")
        tf.addfile(info, io.BytesIO(b""))
    layer.write_bytes(gzip.compress(buf.getvalue()))
    err = _error(capsys, cache, f"oci:{layout}")
    assert "mismatch" in err and "layer 1/1" in err
    assert _cache_files(cache) == []


def test_missing_layer_blob(capsys: pytest.CaptureFixture[str], cache: Path, tmp_path: Path) -> None:
    layout, layer = _copy_oci(tmp_path)
    layer.unlink()
    err = _error(capsys, cache, f"oci:{layout}")
    assert "missing" in err


def test_bad_manifest(capsys: pytest.CaptureFixture[str], cache: Path, tmp_path: Path) -> None:
    layout, _ = _copy_oci(tmp_path)
    (layout / "index.json").write_text("{not json")
    err = _error(capsys, cache, f"oci:{layout}")
    assert "index.json" in err and "JSON" in err


def test_hostile_digest_in_index(capsys: pytest.CaptureFixture[str], cache: Path, tmp_path: Path) -> None:
    layout, _ = _copy_oci(tmp_path)
    index = json.loads((layout / "index.json").read_text())
    index["manifests"][0]["digest"] = "sha256:../../../../etc/passwd"
    (layout / "index.json").write_text(json.dumps(index))
    err = _error(capsys, cache, f"oci:{layout}")
    assert "invalid digest" in err


def test_cache_survives_a_failed_scan(capsys: pytest.CaptureFixture[str], cache: Path, tmp_path: Path) -> None:
    scan_json(capsys, str(ALPINE_311), cache)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in _cache_files(cache)}
    layout, layer = _copy_oci(tmp_path)
    layer.write_bytes(b"\x1f\x8b" + b"\x00" * 64)
    _error(capsys, cache, f"oci:{layout}")
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in _cache_files(cache)} == before


def test_bad_platform(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    err = _error(capsys, cache, str(ALPINE_311), "--platform", "amd64")
    assert "os/arch" in err


def test_directory_that_is_not_a_layout(capsys: pytest.CaptureFixture[str], cache: Path, tmp_path: Path) -> None:
    err = _error(capsys, cache, str(tmp_path))
    assert "hullscan rootfs" in err


def test_usage_error_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["image"])
    assert exc.value.code == 2


def test_console_script_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "hullscan", "image", "--help"], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0
    assert "docker-archive:PATH" in proc.stdout and "exit codes" in proc.stdout


def test_rootfs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "usr" / "lib").mkdir(parents=True)
    (root / "usr/lib/os-release").write_text('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
    (root / "etc/os-release").symlink_to("../usr/lib/os-release")
    (root / "etc/debian_version").write_text("12.7\n")
    code, out, err = run(capsys, "rootfs", str(root), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["os"]["family"], doc["os"]["release"], doc["os"]["codename"]) == ("debian", "12.7", "bookworm")
    assert doc["summary"]["files"] == 6  # etc, usr, usr/lib and the three files


# ------------------------------------------------------------------------------------------ registries


def test_registry_via_cli_with_env_credentials(capsys: pytest.CaptureFixture[str], cache: Path,
                                               monkeypatch: pytest.MonkeyPatch, registry_basic: Registry,
                                               debian_images: DebianImages) -> None:
    registry_basic.push(debian_images.oci_ref, "cli/debian:1")
    monkeypatch.setenv("HULLSCAN_USERNAME", registry_basic.username or "")
    monkeypatch.setenv("HULLSCAN_PASSWORD", registry_basic.password or "")
    doc = scan_json(capsys, registry_basic.ref("cli/debian:1"), cache, "--insecure")
    art = doc["artifact"]
    assert isinstance(art, dict) and art["source"] == "registry"
    assert [layer["diff_id"] for layer in art["layers"]] == list(debian_images.diff_ids)
    monkeypatch.setenv("HULLSCAN_PASSWORD", "not-the-password")
    err = _error(capsys, cache, f"registry:{registry_basic.ref('cli/debian:1')}", "--insecure")
    assert "rejected the credentials" in err and "not-the-password" not in err


def test_unreachable_registry_via_cli(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    err = _error(capsys, cache, "registry:127.0.0.1:9/x/y:1", "--insecure", "--timeout", "2", "--retries", "0")
    assert "127.0.0.1:9" in err


# ------------------------------------------------------------------------------------------ SBOMs


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx-json"])
def test_sbom_round_trip(capsys: pytest.CaptureFixture[str], cache: Path, tmp_path: Path, fmt: str) -> None:
    sbom = tmp_path / f"alpine.{fmt}.json"
    code, out, err = run(capsys, "sbom", str(ALPINE_311), "--format", fmt, "-o", str(sbom), "--cache-dir", str(cache))
    assert code == 0 and out == "", err
    direct = scan_json(capsys, str(ALPINE_311), cache)
    code, out, err = run(capsys, "sbom-scan", str(sbom), "--format", "json")
    assert code == 0, err
    again = json.loads(out)
    assert again["artifact"]["source"] == f"sbom:{fmt.removesuffix('-json')}"
    fields = ("type", "name", "version", "arch", "source_name", "purl")
    assert [{k: p[k] for k in fields} for p in again["packages"]] == [
        {k: p[k] for k in fields} for p in direct["packages"]  # type: ignore[attr-defined]
    ]
    assert (again["os"]["family"], again["os"]["release"]) == ("alpine", "3.11.5")


def test_sbom_of_a_root_filesystem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "alpine-release").write_text("3.19.0\n")
    code, out, err = run(capsys, "sbom", str(tmp_path))
    assert code == 0, err
    doc = json.loads(out)
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    assert any(c["type"] == "operating-system" and c["version"] == "3.19.0" for c in doc["components"])


def test_sbom_scan_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": "world"}')
    code, out, err = run(capsys, "sbom-scan", str(bad))
    assert code == 2 and out == "" and err.count("\n") == 1 and "bad.json" in err
    code, _, err = run(capsys, "sbom-scan", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in err


# ------------------------------------------------------------------------------------------ findings and exit codes


def test_end_of_life_os_is_a_finding(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    doc = scan_json(capsys, str(ALPINE_311), cache)
    findings = doc["findings"]
    assert isinstance(findings, list)
    (eol,) = [f for f in findings if f["check"] == "os/end-of-life"]
    assert (eol["check"], eol["severity"], eol["target"]) == ("os/end-of-life", "HIGH", "alpine 3.11.5")
    assert "2021-11-01" in eol["title"] and eol["layer"]["diff_id"] == ALPINE_311_DIFF_ID


@pytest.mark.parametrize(("fail_on", "code"), [("CRITICAL", 0), ("HIGH", 1), ("low", 1)])
def test_fail_on_sets_the_exit_code(capsys: pytest.CaptureFixture[str], cache: Path, fail_on: str,
                                    code: int) -> None:
    got, out, _ = run(capsys, "image", str(ALPINE_311), "--cache-dir", str(cache), "--fail-on", fail_on)
    assert got == code
    assert "os/end-of-life" in out


def test_fail_on_a_supported_os_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (tmp_path / "etc" / "debian_version").write_text("12.7\n")
    code, out, _ = run(capsys, "rootfs", str(tmp_path), "--fail-on", "LOW")
    assert code == 0 and "Findings: none" in out


def test_exit_code_and_sort(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    base = ("image", str(ALPINE_311), "--cache-dir", str(cache), "--scanners", "vuln")
    assert run(capsys, *base, "--exit-code", "7")[0] == 7  # any finding
    assert run(capsys, *base, "--exit-code", "7", "--fail-on", "CRITICAL")[0] == 0
    assert run(capsys, *base, "--exit-code", "7", "--severity", "CRITICAL")[0] == 0  # nothing left after filtering
    code, out, _ = run(capsys, *base, "--format", "json", "--sort", "package")
    names = [f["target"].split("@")[0] for f in json.loads(out)["findings"]]
    assert code == 0 and names == sorted(names)
    code, out, _ = run(capsys, *base, "--format", "json", "--ignore-unfixed", "--severity", "UNKNOWN")
    doc = json.loads(out)
    assert doc["findings"] and all(f["vulnerability"]["fixed_version"] for f in doc["findings"])


def test_ignore_status(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    base = ("image", str(ALPINE_311), "--cache-dir", str(cache), "--format", "json", "--scanners", "vuln")
    code, out, _ = run(capsys, *base, "--ignore-status", "fixed")
    assert code == 0 and [f["check"] for f in json.loads(out)["findings"]] == ["os/end-of-life"]
    code, _, err = run(capsys, *base, "--ignore-status", "wontfix")
    assert code == 2 and "unknown status 'wontfix'" in err


def test_ignore_files_and_vex_on_the_command_line(capsys: pytest.CaptureFixture[str], cache: Path,
                                                 tmp_path: Path) -> None:
    base = ("image", str(ALPINE_311), "--cache-dir", str(cache), "--format", "json")
    code, out, _ = run(capsys, *base)
    vulns = [f for f in json.loads(out)["findings"] if f["vulnerability"] is not None]
    assert len(vulns) >= 3
    first, second, third = (f["id"] for f in vulns[:3])
    plain = tmp_path / "ignore.txt"
    plain.write_text(f"# accepted\n{first}\n{second} exp:2000-01-01\n")
    trivy_yaml = tmp_path / ".trivyignore.yaml"
    trivy_yaml.write_text(f"vulnerabilities:\n  - id: {third}\n    statement: not reachable\n")
    code, out, err = run(capsys, *base, "--ignorefile", str(plain), "--ignorefile", str(trivy_yaml))
    doc = json.loads(out)
    ids = {f["id"] for f in doc["findings"]}
    assert code == 0 and first not in ids and third not in ids and second in ids  # expired entries apply no more
    ignored = doc["filters"]["ignored"]
    assert {i["id"] for i in ignored} == {first, third}  # an id can name findings in several packages
    assert "expired on 2000-01-01" in err and f"{len(ignored)} ignored" in err
    assert doc["filters"]["findings_before"] == len(doc["findings"]) + len(ignored)

    vex = tmp_path / "app.openvex.json"
    vex.write_text(json.dumps({
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1", "author": "test",
        "timestamp": "2026-01-01T00:00:00Z", "version": 1,
        "statements": [{"vulnerability": {"name": second}, "products": [{"@id": "pkg:apk/alpine/none"}],
                        "status": "not_affected", "justification": "component_not_present"},
                       {"vulnerability": {"name": second}, "status": "not_affected",
                        "justification": "vulnerable_code_not_in_execute_path"}],
    }))
    code, out, err = run(capsys, *base, "--vex", str(vex), "--fail-on", "UNKNOWN", "--severity", "CRITICAL,HIGH,"
                         "MEDIUM,LOW,UNKNOWN")
    ids = {f["id"] for f in json.loads(out)["findings"]}
    assert second not in ids and "suppressed by VEX" in err and code == 1

    broken = tmp_path / "broken.yaml"
    broken.write_text("vulnerabilities: [\n")
    code, _, err = run(capsys, *base, "--ignorefile", str(broken))
    assert code == 2 and str(broken) in err and err.count("\n") == 1


def test_gitlab_report_from_the_command_line(capsys: pytest.CaptureFixture[str], cache: Path) -> None:
    code, out, _ = run(capsys, "image", str(ALPINE_311), "--cache-dir", str(cache), "--format", "gitlab")
    doc = json.loads(out)
    assert code == 0 and doc["scan"]["type"] == "container_scanning"
    names = {v["location"]["dependency"]["package"]["name"] for v in doc["vulnerabilities"]
             if "dependency" in v["location"]}
    assert "musl" in names and doc["vulnerabilities"][0]["location"]["operating_system"] == "alpine:3.11.5"
