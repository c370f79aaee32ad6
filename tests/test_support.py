"""The test infrastructure itself works, checked without any hullscan code: built images are what the
OCI / Docker formats say they are (and real tools read them), and each registry mode answers as Distribution
should."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest
import zstandard

from support.images import (
    MT_OCI_INDEX,
    MT_OCI_LAYER,
    MT_OCI_LAYER_GZIP,
    MT_OCI_LAYER_ZSTD,
    MT_OCI_MANIFEST,
    REF_NAME_ANNOTATION,
    Compression,
    DebianImages,
    MultiArchLayout,
    TarEntrySpec,
    build_multiarch_index,
    chain_ids,
    compression_of_media_type,
    sha256_file,
    write_docker_archive,
    write_oci_layout,
)
from support.registry import Credentials, Registry, ResourceAccess, fetch_token, http_get

ACCEPT_MANIFESTS = ", ".join(
    [
        MT_OCI_MANIFEST,
        MT_OCI_INDEX,
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ]
)


def _json(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_bytes())
    return data


def _blob(layout: Path, digest: str) -> Path:
    algo, _, hexdigest = digest.partition(":")
    return layout / "blobs" / algo / hexdigest


def _tar_members(data: bytes) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        return {m.name: m for m in tar.getmembers()}


def _read_member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive, mode="r:") as tar:
        fh = tar.extractfile(name)
        assert fh is not None, name
        return fh.read()


def _decompress(data: bytes, compression: Compression) -> bytes:
    if compression == "gzip":
        return gzip.decompress(data)
    if compression == "zstd":
        out: bytes = zstandard.ZstdDecompressor().decompressobj().decompress(data)
        return out
    return data


def _skopeo(*args: str) -> str:
    proc = subprocess.run(
        ["skopeo", "--insecure-policy", *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _check_oci_image(layout: Path, manifest_digest: str, compression: Compression) -> dict[str, object]:
    """Every blob of one image matches its descriptor's digest and size; diffIDs hash the uncompressed
    layers. Returns the config."""
    manifest_path = _blob(layout, manifest_digest)
    assert sha256_file(manifest_path) == manifest_digest
    manifest = _json(manifest_path)
    assert manifest["schemaVersion"] == 2
    config_desc = manifest["config"]
    assert isinstance(config_desc, dict)
    config_path = _blob(layout, config_desc["digest"])
    assert sha256_file(config_path) == config_desc["digest"]
    assert config_path.stat().st_size == config_desc["size"]
    config = _json(config_path)
    rootfs = config["rootfs"]
    assert isinstance(rootfs, dict)
    layers = manifest["layers"]
    assert isinstance(layers, list)
    assert len(layers) == len(rootfs["diff_ids"])
    for desc, diff_id in zip(layers, rootfs["diff_ids"], strict=True):
        path = _blob(layout, desc["digest"])
        assert sha256_file(path) == desc["digest"]
        assert path.stat().st_size == desc["size"]
        assert compression_of_media_type(desc["mediaType"]) == compression
        assert sha256_file(path, decompress=compression) == diff_id
    return config


# --------------------------------------------------------------------------------------------------------------
# The real Debian image


def test_debian_oci_layout_parses_and_diff_ids_match(debian_images: DebianImages) -> None:
    layout = debian_images.oci_dir
    assert _json(layout / "oci-layout") == {"imageLayoutVersion": "1.0.0"}
    index = _json(layout / "index.json")
    manifests = index["manifests"]
    assert isinstance(manifests, list)
    [desc] = [m for m in manifests if m["annotations"][REF_NAME_ANNOTATION] == debian_images.tag]
    assert desc["mediaType"] == MT_OCI_MANIFEST
    assert desc["digest"] == debian_images.manifest_digest
    assert _blob(layout, desc["digest"]).stat().st_size == desc["size"]

    config = _check_oci_image(layout, debian_images.manifest_digest, "gzip")
    assert sha256_file(_blob(layout, debian_images.config_digest)) == debian_images.config_digest
    assert config["architecture"] == "amd64"
    assert config["os"] == "linux"
    rootfs = config["rootfs"]
    assert isinstance(rootfs, dict)
    assert tuple(rootfs["diff_ids"]) == debian_images.diff_ids
    assert len(debian_images.diff_ids) == 2
    assert debian_images.layer_media_types == (MT_OCI_LAYER_GZIP, MT_OCI_LAYER_GZIP)

    history = config["history"]
    assert isinstance(history, list)
    created_by = [h["created_by"] for h in history]
    assert created_by[0].startswith("mmdebstrap --variant=minbase bookworm")
    assert "rm /etc/motd" in created_by[1]
    assert [h.get("empty_layer", False) for h in history] == [False, False, True]
    assert debian_images.layer_created_by == tuple(created_by[:2])
    inner = config["config"]
    assert isinstance(inner, dict)
    assert inner["Cmd"] == ["bash"]


def test_debian_second_layer_adds_a_file_and_whites_one_out(debian_images: DebianImages) -> None:
    top = _blob(debian_images.oci_dir, debian_images.layer_digests[1])
    members = _tar_members(gzip.decompress(top.read_bytes()))
    assert debian_images.added_path.lstrip("/") in members
    assert "etc/.wh.motd" in members  # debian_images.deleted_path == "/etc/motd"
    assert debian_images.deleted_path == "/etc/motd"
    with tarfile.open(top, mode="r:gz") as tar:
        fh = tar.extractfile(debian_images.added_path.lstrip("/"))
        assert fh is not None
        assert fh.read() == debian_images.added_content
    # the base layer still has the file the second layer deletes, and a dpkg database
    with tarfile.open(_blob(debian_images.oci_dir, debian_images.layer_digests[0]), mode="r:gz") as tar:
        names = set(tar.getnames())
    assert {"etc/motd", "var/lib/dpkg/status", "etc/os-release"} <= {n.removeprefix("./") for n in names}


def test_debian_rootfs_and_package_facts(debian_images: DebianImages) -> None:
    assert (debian_images.rootfs / "var/lib/dpkg/status").is_file()
    assert (debian_images.rootfs / "etc/motd").is_file()
    assert debian_images.os_release["ID"] == "debian"
    assert debian_images.os_release["VERSION_ID"] == "12"
    names = {p.name for p in debian_images.packages}
    assert {"base-files", "dpkg", "apt", "bash", "libc6"} <= names
    libc = debian_images.package("libc6")
    assert libc.source_name == "glibc"
    assert libc.version.startswith("2.36")
    assert libc.architecture == "amd64"


def test_debian_zstd_layout(debian_images: DebianImages) -> None:
    layout = debian_images.oci_zstd_dir
    config = _check_oci_image(layout, debian_images.zstd_manifest_digest, "zstd")
    rootfs = config["rootfs"]
    assert isinstance(rootfs, dict)
    assert tuple(rootfs["diff_ids"]) == debian_images.diff_ids  # same content, other compression
    manifest = _json(_blob(layout, debian_images.zstd_manifest_digest))
    layers = manifest["layers"]
    assert isinstance(layers, list)
    assert {layer["mediaType"] for layer in layers} == {MT_OCI_LAYER_ZSTD}
    with _blob(layout, debian_images.zstd_layer_digests[0]).open("rb") as fh:
        assert fh.read(4) == b"\x28\xb5\x2f\xfd"  # zstd frame magic


def test_debian_oci_archive(debian_images: DebianImages) -> None:
    index = json.loads(_read_member(debian_images.oci_archive, "index.json"))
    [desc] = index["manifests"]
    assert desc["annotations"][REF_NAME_ANNOTATION] == debian_images.tag
    assert desc["digest"] == debian_images.manifest_digest
    manifest = _read_member(debian_images.oci_archive, "blobs/sha256/" + desc["digest"].removeprefix("sha256:"))
    assert "sha256:" + hashlib.sha256(manifest).hexdigest() == debian_images.manifest_digest


def test_debian_docker_archives(debian_images: DebianImages) -> None:
    archive = debian_images.docker_archive
    [entry] = json.loads(_read_member(archive, "manifest.json"))
    assert entry["RepoTags"] == ["docker.io/library/debian:bookworm"]
    config = _read_member(archive, entry["Config"])
    assert "sha256:" + hashlib.sha256(config).hexdigest() == debian_images.config_digest
    assert len(entry["Layers"]) == 2
    for name, diff_id in zip(entry["Layers"], debian_images.diff_ids, strict=True):
        with tarfile.open(archive, mode="r:") as tar:
            fh = tar.extractfile(name)  # follows skopeo's <id>/layer.tar symlinks
            assert fh is not None
            h = hashlib.sha256()
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        assert "sha256:" + h.hexdigest() == diff_id
    # the .tar.gz variant is exactly the archive, gzipped
    assert sha256_file(debian_images.docker_archive_gz, decompress="gzip") == sha256_file(archive)
    with debian_images.docker_archive_gz.open("rb") as fh:
        assert fh.read(2) == b"\x1f\x8b"


def test_debian_image_pushes_unchanged(debian_images: DebianImages, registry_anonymous: Registry) -> None:
    digest = registry_anonymous.push(debian_images.oci_ref, "library/debian:bookworm")
    assert digest == debian_images.manifest_digest
    status, headers, body = http_get(
        f"{registry_anonymous.url}/v2/library/debian/manifests/bookworm", {"Accept": ACCEPT_MANIFESTS}
    )
    assert status == 200
    assert headers["Docker-Content-Digest"] == debian_images.manifest_digest
    assert json.loads(body)["config"]["digest"] == debian_images.config_digest


# --------------------------------------------------------------------------------------------------------------
# Images built in code


def _layers_with_everything() -> list[list[TarEntrySpec]]:
    base = [
        TarEntrySpec.directory("etc"),
        TarEntrySpec.file("etc/os-release", 'ID=debian\nVERSION_ID="12"\n'),
        TarEntrySpec.file("etc/motd", "hello\n"),
        TarEntrySpec.directory("opt/app"),
        TarEntrySpec.file("opt/app/old.txt", "old"),
        TarEntrySpec.file("usr/bin/tool", b"\x7fELF", mode=0o755),
        TarEntrySpec.hardlink("usr/bin/tool-alias", "usr/bin/tool"),
        TarEntrySpec.symlink("usr/bin/sh", "/bin/dash"),
    ]
    top = [
        TarEntrySpec.whiteout("etc/motd"),
        TarEntrySpec.opaque("opt/app"),
        TarEntrySpec.file("opt/app/new.txt", "new"),
        TarEntrySpec.file("../../etc/evil", "escape"),
        TarEntrySpec.file("/etc/absolute", "absolute"),
        TarEntrySpec.file("dir/" + "x" * 150, "long name needs a PAX header"),
    ]
    return [base, top]


@pytest.mark.parametrize("compression", ["gzip", "zstd", "none"])
def test_write_oci_layout(tmp_path: Path, compression: Compression) -> None:
    built = write_oci_layout(
        tmp_path / "layout", _layers_with_everything(), {"config": {"User": "1000"}}, compression, tag="case"
    )
    index = _json(tmp_path / "layout" / "index.json")
    manifests = index["manifests"]
    assert isinstance(manifests, list)
    [desc] = manifests
    assert desc["digest"] == built.manifest_digest
    assert desc["annotations"] == {REF_NAME_ANNOTATION: "case"}
    config = _check_oci_image(built.path, built.manifest_digest, compression)
    assert config["config"] == {"User": "1000"}
    assert len(built.diff_ids) == 2
    assert {MT_OCI_LAYER, MT_OCI_LAYER_GZIP, MT_OCI_LAYER_ZSTD} >= set(built.image.layer_media_types)

    members = _tar_members(_decompress(_blob(built.path, built.layer_digests[1]).read_bytes(), compression))
    # member names reach the tar verbatim, hostile ones included
    assert {"etc/.wh.motd", "opt/app/.wh..wh..opq", "../../etc/evil", "/etc/absolute", "dir/" + "x" * 150} <= set(
        members
    )
    base = _tar_members(_decompress(_blob(built.path, built.layer_digests[0]).read_bytes(), compression))
    assert base["usr/bin/tool-alias"].islnk() and base["usr/bin/tool-alias"].linkname == "usr/bin/tool"
    assert base["usr/bin/sh"].issym() and base["usr/bin/sh"].linkname == "/bin/dash"
    assert base["usr/bin/tool"].mode == 0o755

    # a real tool agrees: skopeo reads it and verifies every blob digest while copying
    _skopeo("copy", "--quiet", built.ref, f"oci:{tmp_path / 'copy'}:case")
    inspected = json.loads(_skopeo("inspect", built.ref))
    assert inspected["Digest"] == built.manifest_digest


def test_write_oci_layout_is_deterministic_and_shares_a_layout(tmp_path: Path) -> None:
    one = write_oci_layout(tmp_path / "a", _layers_with_everything(), tag="one")
    again = write_oci_layout(tmp_path / "b", _layers_with_everything(), tag="one")
    assert one.manifest_digest == again.manifest_digest
    two = write_oci_layout(tmp_path / "a", [[TarEntrySpec.file("x", "y")]], tag="two")
    manifests = _json(tmp_path / "a" / "index.json")["manifests"]
    assert isinstance(manifests, list)
    assert [m["digest"] for m in manifests] == [one.manifest_digest, two.manifest_digest]


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "docker25-oci"])
def test_write_docker_archive(tmp_path: Path, legacy: bool) -> None:
    archive = write_docker_archive(
        tmp_path / "img.tar", _layers_with_everything(), None, "none", "example/app:1.0", legacy=legacy
    )
    [entry] = json.loads(_read_member(archive.path, "manifest.json"))
    assert entry["RepoTags"] == ["example/app:1.0"]
    assert entry["Config"] == archive.config_path
    assert "sha256:" + hashlib.sha256(_read_member(archive.path, entry["Config"])).hexdigest() == archive.config_digest
    for name, diff_id in zip(entry["Layers"], archive.diff_ids, strict=True):
        assert "sha256:" + hashlib.sha256(_read_member(archive.path, name)).hexdigest() == diff_id
    with tarfile.open(archive.path) as tar:
        names = tar.getnames()
    assert names == sorted(names)  # docker writes members in path order
    repositories = json.loads(_read_member(archive.path, "repositories"))
    assert set(repositories) == {"example/app"}
    if legacy:
        assert all(n.endswith("/layer.tar") for n in entry["Layers"])
        assert "index.json" not in names
    else:
        assert all(n.startswith("blobs/sha256/") for n in entry["Layers"])
        assert json.loads(_read_member(archive.path, "oci-layout")) == {"imageLayoutVersion": "1.0.0"}
        index = json.loads(_read_member(archive.path, "index.json"))
        [desc] = index["manifests"]
        assert desc["digest"] == archive.manifest_digest
        assert desc["annotations"]["io.containerd.image.name"] == "docker.io/example/app:1.0"
        manifest = json.loads(_read_member(archive.path, "blobs/sha256/" + desc["digest"].removeprefix("sha256:")))
        assert [layer["digest"] for layer in manifest["layers"]] == list(archive.diff_ids)

    # skopeo loads it as docker load would, keeping the config bytes
    _skopeo("copy", "--quiet", archive.ref, f"oci:{tmp_path / 'oci'}:t")
    oci_index = _json(tmp_path / "oci" / "index.json")
    manifests = oci_index["manifests"]
    assert isinstance(manifests, list)
    oci_manifest = _json(_blob(tmp_path / "oci", manifests[0]["digest"]))
    config = oci_manifest["config"]
    assert isinstance(config, dict)
    assert config["digest"] == archive.config_digest


def test_chain_ids() -> None:
    a, b = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    assert chain_ids([a, b]) == [a, "sha256:" + hashlib.sha256(f"{a} {b}".encode()).hexdigest()]


def test_multiarch_index(multiarch_index: MultiArchLayout, tmp_path: Path) -> None:
    layout = multiarch_index.path
    top_manifests = _json(layout / "index.json")["manifests"]
    assert isinstance(top_manifests, list)
    [top] = top_manifests
    assert top["mediaType"] == MT_OCI_INDEX
    assert top["digest"] == multiarch_index.index_digest
    image_index = _json(_blob(layout, multiarch_index.index_digest))
    assert image_index["mediaType"] == MT_OCI_INDEX
    manifests = image_index["manifests"]
    assert isinstance(manifests, list)
    platforms = {
        "/".join(filter(None, [m["platform"]["os"], m["platform"]["architecture"], m["platform"].get("variant")])): m
        for m in manifests
    }
    assert set(platforms) == {"linux/amd64", "linux/arm64/v8"}
    for platform, desc in platforms.items():
        assert desc["digest"] == multiarch_index.manifest_digests[platform]
        config = _check_oci_image(layout, desc["digest"], "gzip")
        assert config["architecture"] == desc["platform"]["architecture"]
        top_layer = _json(_blob(layout, desc["digest"]))["layers"][-1]  # type: ignore[index]
        with tarfile.open(_blob(layout, top_layer["digest"]), mode="r:gz") as tar:
            fh = tar.extractfile("etc/platform")
            assert fh is not None
            assert fh.read().decode().strip() == platform

    # skopeo picks the arm64 image out of the index by platform
    _skopeo("copy", "--quiet", "--override-arch", "arm64", multiarch_index.ref, f"oci:{tmp_path / 'arm'}:x")
    arm = _json(tmp_path / "arm" / "index.json")["manifests"]
    assert isinstance(arm, list)
    assert arm[0]["digest"] == multiarch_index.image_for("linux/arm64").manifest_digest


def test_multiarch_index_is_deterministic(tmp_path: Path, multiarch_index: MultiArchLayout) -> None:
    assert build_multiarch_index(tmp_path / "again").index_digest == multiarch_index.index_digest


# --------------------------------------------------------------------------------------------------------------
# Registries


def test_registry_anonymous(registry_anonymous: Registry, multiarch_index: MultiArchLayout) -> None:
    status, headers, _ = http_get(f"{registry_anonymous.url}/v2/")
    assert status == 200
    assert headers["Docker-Distribution-Api-Version"] == "registry/2.0"
    assert registry_anonymous.host == f"127.0.0.1:{registry_anonymous.port}"
    assert registry_anonymous.credentials is None

    digest = registry_anonymous.push(multiarch_index.ref, "test/multi:latest", all_images=True)
    assert digest == multiarch_index.index_digest
    status, headers, body = http_get(
        f"{registry_anonymous.url}/v2/test/multi/manifests/latest", {"Accept": ACCEPT_MANIFESTS}
    )
    assert status == 200
    assert headers["Content-Type"] == MT_OCI_INDEX
    assert headers["Docker-Content-Digest"] == multiarch_index.index_digest
    for child in json.loads(body)["manifests"]:
        status, _, _ = http_get(
            f"{registry_anonymous.url}/v2/test/multi/manifests/{child['digest']}", {"Accept": ACCEPT_MANIFESTS}
        )
        assert status == 200


def test_registry_basic(registry_basic: Registry, tmp_path: Path) -> None:
    status, headers, _ = http_get(f"{registry_basic.url}/v2/")
    assert status == 401
    assert headers["Www-Authenticate"].startswith("Basic realm=")
    assert registry_basic.credentials is not None
    status, _, _ = http_get(f"{registry_basic.url}/v2/", {"Authorization": registry_basic.credentials.basic_header})
    assert status == 200
    wrong = Credentials(registry_basic.credentials.username, "wrong")
    status, _, _ = http_get(f"{registry_basic.url}/v2/", {"Authorization": wrong.basic_header})
    assert status == 401

    image = write_oci_layout(tmp_path / "img", [[TarEntrySpec.file("hello", "world")]], tag="v1")
    assert registry_basic.push(image.ref, "test/hello:v1") == image.manifest_digest
    status, headers, _ = http_get(
        f"{registry_basic.url}/v2/test/hello/manifests/v1",
        {"Authorization": registry_basic.credentials.basic_header, "Accept": ACCEPT_MANIFESTS},
    )
    assert status == 200
    assert headers["Docker-Content-Digest"] == image.manifest_digest


def test_registry_token(registry_token: Registry, tmp_path: Path) -> None:
    status, headers, _ = http_get(f"{registry_token.url}/v2/")
    assert status == 401
    challenge = headers["Www-Authenticate"]
    assert challenge.startswith(f'Bearer realm="{registry_token.realm}"')
    assert f'service="{registry_token.service}"' in challenge

    image = write_oci_layout(tmp_path / "img", [[TarEntrySpec.file("hello", "token")]], tag="v1")
    assert registry_token.push(image.ref, "test/private:v1") == image.manifest_digest
    manifest_url = f"{registry_token.url}/v2/test/private/manifests/v1"

    status, headers, _ = http_get(manifest_url, {"Accept": ACCEPT_MANIFESTS})
    assert status == 401
    assert 'scope="repository:test/private:pull"' in headers["Www-Authenticate"]

    token = fetch_token(registry_token, ["repository:test/private:pull"])
    status, headers, _ = http_get(manifest_url, {"Authorization": f"Bearer {token}", "Accept": ACCEPT_MANIFESTS})
    assert status == 200
    assert headers["Docker-Content-Digest"] == image.manifest_digest
    assert registry_token.token_server is not None
    last = registry_token.token_server.requests[-1]
    assert (last.account, last.scopes, last.granted) == ("hullscan", ("repository:test/private:pull",), True)

    # a token for another repository does not open this one
    other = fetch_token(registry_token, ["repository:test/other:pull"])
    status, _, _ = http_get(manifest_url, {"Authorization": f"Bearer {other}", "Accept": ACCEPT_MANIFESTS})
    assert status == 401


def test_registry_token_server_checks_credentials(registry_token: Registry) -> None:
    assert registry_token.token_server is not None and registry_token.credentials is not None
    wrong = Credentials(registry_token.credentials.username, "wrong")
    with pytest.raises(RuntimeError, match="401"):
        fetch_token(registry_token, ["repository:test/private:pull"], wrong)
    status, _, _ = http_get(f"{registry_token.realm}?service={registry_token.service}")
    assert status == 401


def test_registry_token_formats(registry_token: Registry) -> None:
    """Distribution accepts both header styles (x5c chain, libtrust kid) and checks aud and exp."""
    server = registry_token.token_server
    assert server is not None
    access = [ResourceAccess("registry", "catalog", ("*",))]
    url = f"{registry_token.url}/v2/_catalog"

    def status_with(token: str) -> int:
        return http_get(url, {"Authorization": f"Bearer {token}"})[0]

    assert status_with(server.issue_token("hullscan", access, header_style="x5c")) == 200
    assert status_with(server.issue_token("hullscan", access, header_style="kid")) == 200
    assert status_with(server.issue_token("hullscan", access, audience="someone-else")) == 401
    assert status_with(server.issue_token("hullscan", access, ttl=-3600)) == 401
