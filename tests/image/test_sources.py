"""Every image source against real images: the Debian image built by the suite in each transport, images
built in code for the edge cases, and a real registry on 127.0.0.1."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from pathlib import Path

import pytest

from hullscan.cache.directory import DirectoryCache
from hullscan.errors import AuthError, ImageError, ManifestError
from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.model import FileKind, Platform
from hullscan.scan import ScanOptions, ScanResult, scan_image
from support.images import (
    DebianImages,
    MultiArchLayout,
    TarEntrySpec,
    write_docker_archive,
    write_oci_layout,
)
from support.registry import Registry


def scan(ref: str, cache: DirectoryCache | None = None, **opts: object) -> ScanResult:
    with open_source(ref, SourceOptions(**opts)) as src:  # type: ignore[arg-type]
        return scan_image(src, ScanOptions(extractors=default_extractors(), cache=cache))


# ------------------------------------------------------------------------------------------ the Debian image

TRANSPORTS = ["oci_ref", "oci_zstd_ref", "oci_archive_ref", "docker_archive_ref", "docker_archive_gz", "bare_oci"]


def _ref(images: DebianImages, which: str) -> str:
    if which == "docker_archive_gz":
        return str(images.docker_archive_gz)
    if which == "bare_oci":
        return str(images.oci_dir)
    ref: str = getattr(images, which)
    return ref


@pytest.mark.parametrize("which", TRANSPORTS)
def test_debian_image_in_every_transport(debian_images: DebianImages, which: str) -> None:
    result = scan(_ref(debian_images, which))
    assert result.image.config is not None
    assert result.image.config.diff_ids == tuple(debian_images.diff_ids)
    assert [layer.created_by for layer in result.image.layers] == list(debian_images.layer_created_by)
    distro = result.inventory.distro
    assert distro is not None and distro.family == "debian" and distro.codename == "bookworm"
    assert distro.release.startswith(debian_images.os_release["VERSION_ID"] + ".")
    # Layer 2 adds a file and whites out /etc/motd.
    added = result.view.entry(debian_images.added_path)
    assert added is not None and added[1].index == 1
    assert result.view.entry(debian_images.deleted_path) is None
    passwd = result.view.entry("etc/passwd")
    assert passwd is not None and passwd[1].index == 0 and passwd[0].kind is FileKind.FILE
    assert result.inventory.warnings == ()


def test_oci_manifest_digest_and_zstd_layers(debian_images: DebianImages) -> None:
    gz = scan(debian_images.oci_ref)
    zst = scan(debian_images.oci_zstd_ref)
    assert gz.image.manifest_digest == debian_images.manifest_digest
    assert [layer.digest for layer in gz.image.layers] == list(debian_images.layer_digests)
    assert zst.image.manifest_digest == debian_images.zstd_manifest_digest
    assert [layer.digest for layer in zst.image.layers] == list(debian_images.zstd_layer_digests)
    assert len(zst.view) == len(gz.view)


def test_cached_rescan_reads_no_blob(debian_images: DebianImages, tmp_path: Path) -> None:
    cache = DirectoryCache(tmp_path / "cache")
    first = scan(debian_images.oci_ref, cache)
    assert first.stats.blobs_read == 2
    second = scan(debian_images.docker_archive_ref, cache)  # same diffIDs, another transport
    assert second.stats.blobs_read == 0 and second.stats.layers_from_cache == 2
    assert second.inventory.distro == first.inventory.distro
    assert len(second.view) == len(first.view)


def test_concurrent_scans_share_the_cache(debian_images: DebianImages, tmp_path: Path) -> None:
    cache = DirectoryCache(tmp_path / "cache")
    results: list[ScanResult] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(scan(debian_images.oci_ref, cache))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({len(r.view) for r in results}) == 1
    entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(entries) == 2 and not any(p.name.startswith(".tmp") for p in entries)
    assert scan(debian_images.oci_ref, cache).stats.blobs_read == 0


# ------------------------------------------------------------------------------------------ built in code

OS_RELEASE = TarEntrySpec.file("etc/os-release", 'ID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine"\n')


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "docker25-oci"])
@pytest.mark.parametrize("compression", ["none", "gzip", "zstd"])
def test_docker_archive_layouts(tmp_path: Path, legacy: bool, compression: str) -> None:
    archive = write_docker_archive(
        tmp_path / "img.tar",
        [[OS_RELEASE], [TarEntrySpec.file("app/run.sh", "#!/bin/sh\n")]],
        compression=compression,  # type: ignore[arg-type]
        tag="example/app:1.0",
        legacy=legacy,
    )
    result = scan(f"docker-archive:{archive.path}:example/app:1.0")
    assert result.image.config is not None
    assert result.image.config.diff_ids == archive.diff_ids
    assert result.image.repo_tags == ("example/app:1.0",)
    assert result.inventory.distro is not None and result.inventory.distro.release == "3.19.1"
    assert result.view.entry("app/run.sh") is not None


def test_docker_archive_with_several_images(tmp_path: Path) -> None:
    a = write_docker_archive(tmp_path / "a.tar", [[OS_RELEASE]], tag="one:1")
    b = write_docker_archive(tmp_path / "b.tar", [[TarEntrySpec.file("etc/alpine-release", "3.18.4\n")]],
                             tag="two:2")
    merged = tmp_path / "both.tar"
    manifests = []
    with tarfile.open(merged, "w") as out:
        for src in (a.path, b.path):
            with tarfile.open(src) as tf:
                for m in tf:
                    if m.name == "manifest.json":
                        manifests += json.load(tf.extractfile(m))  # type: ignore[arg-type]
                    elif m.name not in out.getnames():
                        out.addfile(m, tf.extractfile(m) if m.isfile() else None)
        data = json.dumps(manifests).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
    with pytest.raises(ManifestError, match=r"holds 2 images.*one:1, two:2"):
        scan(str(merged))
    two = scan(f"{merged}:two:2")
    assert two.inventory.distro is not None and two.inventory.distro.release == "3.18.4"
    one = scan(f"docker-archive:{merged}:docker.io/library/one:1")
    assert one.inventory.distro is not None and one.inventory.distro.release == "3.19.1"


def test_hostile_layer_stays_inside_the_image(tmp_path: Path) -> None:
    layout = write_oci_layout(
        tmp_path / "oci",
        [[
            TarEntrySpec.file("../../../../tmp/evil", "x"),
            TarEntrySpec.file("/abs/file", "y"),
            TarEntrySpec.symlink("etc/os-release", "../../../../../etc/os-release"),
            TarEntrySpec.file("etc/debian_version", "12.4\n"),
            TarEntrySpec.hardlink("etc/passwd-link", "../../../etc/passwd"),
        ]],
    )
    result = scan(layout.ref)
    paths = {e.path for e, _ in result.view.entries()}
    assert paths == {"abs/file", "etc/os-release", "etc/debian_version"}
    # The escaping symlink resolves inside the image (to /etc/os-release itself, a loop), never outside.
    assert result.view.resolve("etc/os-release") in (None, "etc/os-release")
    messages = [w.message for w in result.inventory.warnings]
    assert any("outside the image" in m and "evil" in m for m in messages)
    assert any("hard link" in m for m in messages)
    assert not (tmp_path / "tmp" / "evil").exists()


def test_opaque_dir_and_whiteouts_across_layers(tmp_path: Path) -> None:
    layout = write_oci_layout(
        tmp_path / "oci",
        [
            [TarEntrySpec.file("etc/os-release", "ID=debian\nVERSION_ID=11\n"), TarEntrySpec.file("opt/a/1", "1"),
             TarEntrySpec.file("opt/a/2", "2")],
            [TarEntrySpec.opaque("opt/a"), TarEntrySpec.file("opt/a/3", "3"), TarEntrySpec.whiteout("etc/os-release"),
             TarEntrySpec.file("usr/lib/os-release", "ID=debian\nVERSION_ID=12\n")],
        ],
    )
    result = scan(layout.ref)
    paths = {e.path for e, _ in result.view.entries()}
    assert "opt/a/3" in paths and "opt/a/1" not in paths and "opt/a/2" not in paths
    assert "etc/os-release" not in paths
    distro = result.inventory.distro
    assert distro is not None and distro.release == "12" and result.inventory.distro_layer is not None
    assert result.inventory.distro_layer.index == 1


def test_multiarch_index_by_platform(multiarch_index: MultiArchLayout) -> None:
    arm = scan(multiarch_index.ref, platform=Platform.parse("linux/arm64"))
    assert arm.image.manifest_digest == multiarch_index.manifest_digests["linux/arm64/v8"]
    amd = scan(multiarch_index.ref, platform=Platform.parse("linux/amd64"))
    assert amd.image.manifest_digest == multiarch_index.manifest_digests["linux/amd64"]
    with pytest.raises(ManifestError, match="no image for platform linux/s390x"):
        scan(multiarch_index.ref, platform=Platform.parse("linux/s390x"))


# ------------------------------------------------------------------------------------------ registries


@pytest.fixture(scope="module")
def pushed_anonymous(registry_anonymous: Registry, debian_images: DebianImages) -> str:
    registry_anonymous.push(debian_images.oci_ref, "debian:bookworm")
    return registry_anonymous.ref("debian:bookworm")


def test_registry_scan_matches_the_archive(pushed_anonymous: str, debian_images: DebianImages) -> None:
    result = scan(f"registry:{pushed_anonymous}", insecure=True)
    assert result.image.config is not None
    assert result.image.config.diff_ids == tuple(debian_images.diff_ids)
    assert result.inventory.distro is not None and result.inventory.distro.codename == "bookworm"


def test_registry_with_basic_auth(registry_basic: Registry, debian_images: DebianImages) -> None:
    registry_basic.push(debian_images.oci_ref, "private/debian:1")
    ref = registry_basic.ref("private/debian:1")
    ok = scan(ref, insecure=True, username=registry_basic.username, password=registry_basic.password)
    assert ok.image.config is not None and ok.image.config.diff_ids == tuple(debian_images.diff_ids)
    with pytest.raises(AuthError, match="rejected the credentials"):
        scan(ref, insecure=True, username=registry_basic.username, password="wrong")


def test_registry_with_token_auth(registry_token: Registry, debian_images: DebianImages) -> None:
    registry_token.push(debian_images.oci_ref, "team/debian:t")
    ref = registry_token.ref("team/debian:t")
    ok = scan(ref, insecure=True, username=registry_token.username, password=registry_token.password)
    assert ok.inventory.distro is not None and ok.inventory.distro.family == "debian"
    with pytest.raises(AuthError):
        scan(ref, insecure=True)


def test_unreachable_registry() -> None:
    with pytest.raises(ImageError, match="cannot reach"):
        scan("127.0.0.1:9/nothing:1", insecure=True, retries=0)
