"""Real container images for the test suite, built without a Docker daemon.

Two kinds of builders live here:

* ``debian_images()`` builds a real Debian bookworm image from Debian packages: ``mmdebstrap`` makes a
  minbase root filesystem, ``umoci`` packs it into a two-layer OCI image (base rootfs, then a layer that adds
  a file and deletes one, so the second layer carries a real whiteout), and ``skopeo`` converts it into every
  transport the scanner reads (OCI layout, OCI archive, docker-archive, gzipped docker-archive, zstd OCI
  layout). The result is cached on disk across runs, keyed by this file's own hash.
* ``write_oci_layout`` / ``write_docker_archive`` / ``build_multiarch_index`` build small images in pure
  Python from in-memory tar layers, for the cases a real build cannot produce on demand (hostile member
  names, opaque directories, multi-platform indexes, both ``docker save`` layouts).

The facts recorded next to each image (digests, diffIDs, dpkg packages) are read straight from the JSON and
files that the tools wrote, never through hullscan code, so tests can hold hullscan to them.

Specs followed:
  OCI image layout / manifest / index / config: https://github.com/opencontainers/image-spec (v1.1)
  Whiteouts: https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
  docker save (legacy and 25+): moby image/tarexport/save.go
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

import zstandard

# --------------------------------------------------------------------------------------------------------------
# Media types (OCI image-spec v1.1, Docker distribution manifest v2)

MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
MT_OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
MT_DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MT_DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"

REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name"
CONTAINERD_IMAGE_NAME_ANNOTATION = "io.containerd.image.name"

Compression = Literal["gzip", "zstd", "none"]
EntryKind = Literal["file", "dir", "symlink", "hardlink", "fifo", "chardev", "blockdev"]

LAYER_MEDIA_TYPES: Mapping[Compression, str] = {
    "none": MT_OCI_LAYER,
    "gzip": MT_OCI_LAYER_GZIP,
    "zstd": MT_OCI_LAYER_ZSTD,
}

# Fixed timestamp for code-built images, so their digests are stable from run to run.
FIXED_CREATED = "2024-01-01T00:00:00Z"

JsonObject = Mapping[str, object]


class ImageBuildError(RuntimeError):
    """A tool used to build a test image failed; the message carries its output."""


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, *, decompress: Compression = "none") -> str:
    """Digest of a file's bytes, or of its decompressed bytes (how a diffID is computed)."""
    with path.open("rb") as raw:
        if decompress == "gzip":
            with gzip.GzipFile(fileobj=raw) as stream:
                return _sha256_stream(stream.read)
        if decompress == "zstd":
            with zstandard.ZstdDecompressor().stream_reader(raw) as zstream:
                return _sha256_stream(zstream.read)
        return _sha256_stream(raw.read)


def _sha256_stream(read: Callable[[int], bytes]) -> str:
    h = hashlib.sha256()
    while chunk := read(1 << 20):
        h.update(chunk)
    return "sha256:" + h.hexdigest()


def compression_of_media_type(media_type: str) -> Compression:
    if media_type.endswith("+gzip") or media_type.endswith(".gzip"):
        return "gzip"
    if media_type.endswith("+zstd") or media_type.endswith(".zstd"):
        return "zstd"
    return "none"


# --------------------------------------------------------------------------------------------------------------
# In-memory tar layers


@dataclass(frozen=True, slots=True)
class TarEntrySpec:
    """One tar member, written verbatim: ``name`` is not normalised, so ``../../etc/evil`` and ``/etc/abs``
    reach the archive exactly as given (that is the point of hostile-name fixtures)."""

    name: str
    kind: EntryKind = "file"
    data: bytes = b""
    linkname: str = ""
    mode: int | None = None
    uid: int = 0
    gid: int = 0
    uname: str = ""
    gname: str = ""
    mtime: int = 0
    devmajor: int = 0
    devminor: int = 0
    pax_headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def file(cls, name: str, data: bytes | str = b"", *, mode: int = 0o644, uid: int = 0, gid: int = 0) -> TarEntrySpec:
        raw = data.encode() if isinstance(data, str) else data
        return cls(name=name, kind="file", data=raw, mode=mode, uid=uid, gid=gid)

    @classmethod
    def directory(cls, name: str, *, mode: int = 0o755) -> TarEntrySpec:
        return cls(name=name, kind="dir", mode=mode)

    @classmethod
    def symlink(cls, name: str, target: str) -> TarEntrySpec:
        return cls(name=name, kind="symlink", linkname=target, mode=0o777)

    @classmethod
    def hardlink(cls, name: str, target: str) -> TarEntrySpec:
        """``target`` is the member name of an earlier entry in the same layer."""
        return cls(name=name, kind="hardlink", linkname=target, mode=0o644)

    @classmethod
    def whiteout(cls, path: str) -> TarEntrySpec:
        """Delete ``path`` (file or directory) from lower layers: an empty ``.wh.<name>`` file beside it."""
        p = PurePosixPath(path)
        parent = str(p.parent)
        name = f".wh.{p.name}" if parent in (".", "") else f"{parent}/.wh.{p.name}"
        return cls(name=name, kind="file", mode=0)

    @classmethod
    def opaque(cls, directory: str) -> TarEntrySpec:
        """Hide everything lower layers put in ``directory``: ``<directory>/.wh..wh..opq``."""
        d = directory.rstrip("/")
        return cls(name=f"{d}/.wh..wh..opq" if d else ".wh..wh..opq", kind="file", mode=0)


_TAR_TYPES: Mapping[EntryKind, bytes] = {
    "file": tarfile.REGTYPE,
    "dir": tarfile.DIRTYPE,
    "symlink": tarfile.SYMTYPE,
    "hardlink": tarfile.LNKTYPE,
    "fifo": tarfile.FIFOTYPE,
    "chardev": tarfile.CHRTYPE,
    "blockdev": tarfile.BLKTYPE,
}
_DEFAULT_MODES: Mapping[EntryKind, int] = {
    "file": 0o644,
    "dir": 0o755,
    "symlink": 0o777,
    "hardlink": 0o644,
    "fifo": 0o644,
    "chardev": 0o666,
    "blockdev": 0o660,
}


def build_layer_tar(entries: Sequence[TarEntrySpec], *, tar_format: int = tarfile.PAX_FORMAT) -> bytes:
    """An uncompressed layer tar of ``entries`` in the order given; its sha256 is the layer's diffID."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tar_format) as tar:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.type = _TAR_TYPES[entry.kind]
            info.mode = _DEFAULT_MODES[entry.kind] if entry.mode is None else entry.mode
            info.uid, info.gid = entry.uid, entry.gid
            info.uname, info.gname = entry.uname, entry.gname
            info.mtime = entry.mtime
            info.linkname = entry.linkname
            info.devmajor, info.devminor = entry.devmajor, entry.devminor
            if entry.pax_headers:
                info.pax_headers = dict(entry.pax_headers)
            if entry.kind == "file":
                info.size = len(entry.data)
                tar.addfile(info, io.BytesIO(entry.data))
            else:
                tar.addfile(info)
    return buf.getvalue()


def compress(data: bytes, compression: Compression) -> bytes:
    if compression == "gzip":
        return gzip.compress(data, mtime=0)  # mtime=0: same bytes, same digest, every run
    if compression == "zstd":
        out: bytes = zstandard.ZstdCompressor(level=3).compress(data)
        return out
    return data


def chain_ids(diff_ids: Sequence[str]) -> list[str]:
    """ChainID per the OCI config spec: ChainID(L0)=DiffID(L0), ChainID(Ln)=sha256(ChainID(Ln-1)+" "+DiffID(Ln))."""
    out: list[str] = []
    for diff_id in diff_ids:
        out.append(diff_id if not out else sha256_digest(f"{out[-1]} {diff_id}".encode()))
    return out


# --------------------------------------------------------------------------------------------------------------
# OCI layouts built in code


@dataclass(frozen=True, slots=True)
class BuiltImage:
    """One image manifest written into a blob store, with the digests a test can assert against."""

    manifest_digest: str
    manifest_size: int
    config_digest: str
    layer_digests: tuple[str, ...]
    diff_ids: tuple[str, ...]
    layer_media_types: tuple[str, ...]
    architecture: str
    os: str
    variant: str | None

    @property
    def platform(self) -> str:
        base = f"{self.os}/{self.architecture}"
        return f"{base}/{self.variant}" if self.variant else base


@dataclass(frozen=True, slots=True)
class OciLayoutImage:
    """An image in an OCI layout directory, reachable as ``oci:<path>:<tag>``."""

    path: Path
    tag: str
    image: BuiltImage

    @property
    def ref(self) -> str:
        return f"oci:{self.path}:{self.tag}"

    @property
    def manifest_digest(self) -> str:
        return self.image.manifest_digest

    @property
    def config_digest(self) -> str:
        return self.image.config_digest

    @property
    def diff_ids(self) -> tuple[str, ...]:
        return self.image.diff_ids

    @property
    def layer_digests(self) -> tuple[str, ...]:
        return self.image.layer_digests


def _json_bytes(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _put_blob(blobs_dir: Path, data: bytes) -> tuple[str, int]:
    digest = sha256_digest(data)
    blobs_dir.mkdir(parents=True, exist_ok=True)
    path = blobs_dir / digest.removeprefix("sha256:")
    if not path.exists():
        path.write_bytes(data)
    return digest, len(data)


def _image_config(
    diff_ids: Sequence[str],
    *,
    architecture: str,
    os_name: str,
    variant: str | None,
    history: Sequence[str] | None,
    overrides: JsonObject | None,
) -> dict[str, object]:
    created_by = list(history) if history is not None else [f"hullscan-test layer {i}" for i in range(len(diff_ids))]
    config: dict[str, object] = {
        "created": FIXED_CREATED,
        "architecture": architecture,
        "os": os_name,
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
        "history": [{"created": FIXED_CREATED, "created_by": line} for line in created_by],
    }
    if variant:
        config["variant"] = variant
    if overrides:
        config.update(overrides)  # top-level keys replace; pass "rootfs" to build a deliberately broken image
    return config


def write_image_blobs(
    blobs_dir: Path,
    layers: Sequence[Sequence[TarEntrySpec]],
    config_overrides: JsonObject | None = None,
    compression: Compression = "gzip",
    *,
    architecture: str = "amd64",
    os_name: str = "linux",
    variant: str | None = None,
    history: Sequence[str] | None = None,
    manifest_media_type: str = MT_OCI_MANIFEST,
) -> BuiltImage:
    """Write layer, config and manifest blobs into ``blobs_dir`` (a ``blobs/sha256`` folder)."""
    layer_descs: list[dict[str, object]] = []
    diff_ids: list[str] = []
    media_type = LAYER_MEDIA_TYPES[compression]
    for entries in layers:
        tar_bytes = build_layer_tar(entries)
        diff_ids.append(sha256_digest(tar_bytes))
        digest, size = _put_blob(blobs_dir, compress(tar_bytes, compression))
        layer_descs.append({"mediaType": media_type, "digest": digest, "size": size})
    config = _image_config(
        diff_ids,
        architecture=architecture,
        os_name=os_name,
        variant=variant,
        history=history,
        overrides=config_overrides,
    )
    config_digest, config_size = _put_blob(blobs_dir, _json_bytes(config))
    config_media_type = (
        MT_OCI_CONFIG if manifest_media_type == MT_OCI_MANIFEST else ("application/vnd.docker.container.image.v1+json")
    )
    manifest = {
        "schemaVersion": 2,
        "mediaType": manifest_media_type,
        "config": {"mediaType": config_media_type, "digest": config_digest, "size": config_size},
        "layers": layer_descs,
    }
    manifest_digest, manifest_size = _put_blob(blobs_dir, _json_bytes(manifest))
    return BuiltImage(
        manifest_digest=manifest_digest,
        manifest_size=manifest_size,
        config_digest=config_digest,
        layer_digests=tuple(str(d["digest"]) for d in layer_descs),
        diff_ids=tuple(diff_ids),
        layer_media_types=tuple(media_type for _ in layer_descs),
        architecture=architecture,
        os=os_name,
        variant=variant,
    )


def _add_to_index(layout: Path, descriptor: dict[str, object], tag: str) -> None:
    """Add (or replace, by ref name) one descriptor in ``layout/index.json``."""
    index_path = layout / "index.json"
    manifests: list[dict[str, object]] = []
    if index_path.exists():
        existing = json.loads(index_path.read_bytes())
        manifests = [
            m for m in existing.get("manifests", []) if (m.get("annotations") or {}).get(REF_NAME_ANNOTATION) != tag
        ]
    manifests.append(descriptor)
    index = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": manifests}
    index_path.write_bytes(_json_bytes(index))
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')


def write_oci_layout(
    directory: Path,
    layers: Sequence[Sequence[TarEntrySpec]],
    config_overrides: JsonObject | None = None,
    compression: Compression = "gzip",
    tag: str = "latest",
    *,
    architecture: str = "amd64",
    os_name: str = "linux",
    variant: str | None = None,
    history: Sequence[str] | None = None,
) -> OciLayoutImage:
    """An OCI image layout at ``directory`` holding one image tagged ``tag``, built from in-memory layers.

    Writing into an existing layout adds the image beside the ones there (a tag already present is replaced),
    so several images can share one layout and its blobs."""
    directory.mkdir(parents=True, exist_ok=True)
    image = write_image_blobs(
        directory / "blobs" / "sha256",
        layers,
        config_overrides,
        compression,
        architecture=architecture,
        os_name=os_name,
        variant=variant,
        history=history,
    )
    descriptor: dict[str, object] = {
        "mediaType": MT_OCI_MANIFEST,
        "digest": image.manifest_digest,
        "size": image.manifest_size,
        "annotations": {REF_NAME_ANNOTATION: tag},
    }
    _add_to_index(directory, descriptor, tag)
    return OciLayoutImage(path=directory, tag=tag, image=image)


@dataclass(frozen=True, slots=True)
class MultiArchLayout:
    """An OCI layout whose index.json points at an image index (as ``skopeo copy --all`` writes one)."""

    path: Path
    tag: str
    index_digest: str
    index_size: int
    images: tuple[BuiltImage, ...]

    @property
    def ref(self) -> str:
        return f"oci:{self.path}:{self.tag}"

    @property
    def manifest_digests(self) -> Mapping[str, str]:
        """``{"linux/amd64": "sha256:…", "linux/arm64/v8": "sha256:…"}``"""
        return {img.platform: img.manifest_digest for img in self.images}

    def image_for(self, platform: str) -> BuiltImage:
        """The image for ``os/arch`` or ``os/arch/variant``; ``linux/arm64`` also finds ``linux/arm64/v8``."""
        for img in self.images:
            if platform in (img.platform, f"{img.os}/{img.architecture}"):
                return img
        raise KeyError(platform)


DEFAULT_PLATFORMS: tuple[tuple[str, str, str | None], ...] = (("linux", "amd64", None), ("linux", "arm64", "v8"))

MULTIARCH_OS_RELEASE = (
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
    'NAME="Debian GNU/Linux"\n'
    'VERSION_ID="12"\n'
    'VERSION="12 (bookworm)"\n'
    "VERSION_CODENAME=bookworm\n"
    "ID=debian\n"
    'HOME_URL="https://www.debian.org/"\n'
)


def build_multiarch_index(
    directory: Path,
    tag: str = "multi",
    platforms: Sequence[tuple[str, str, str | None]] = DEFAULT_PLATFORMS,
    compression: Compression = "gzip",
) -> MultiArchLayout:
    """One image per platform, each with two layers: ``/etc/os-release`` (the same blob on every platform)
    and ``/etc/platform`` holding ``os/arch[/variant]`` so a test can tell which image it got."""
    blobs = directory / "blobs" / "sha256"
    images: list[BuiltImage] = []
    for os_name, arch, variant in platforms:
        platform = f"{os_name}/{arch}/{variant}" if variant else f"{os_name}/{arch}"
        base = [TarEntrySpec.directory("etc"), TarEntrySpec.file("etc/os-release", MULTIARCH_OS_RELEASE)]
        top = [TarEntrySpec.directory("etc"), TarEntrySpec.file("etc/platform", platform + "\n")]
        images.append(
            write_image_blobs(
                blobs,
                [base, top],
                None,
                compression,
                architecture=arch,
                os_name=os_name,
                variant=variant,
                history=["ADD os-release /etc/os-release", f"RUN echo {platform} > /etc/platform"],
            )
        )
    manifests: list[dict[str, object]] = []
    for img in images:
        plat: dict[str, str] = {"architecture": img.architecture, "os": img.os}
        if img.variant:
            plat["variant"] = img.variant
        manifests.append(
            {"mediaType": MT_OCI_MANIFEST, "digest": img.manifest_digest, "size": img.manifest_size, "platform": plat}
        )
    index = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": manifests}
    index_digest, index_size = _put_blob(blobs, _json_bytes(index))
    _add_to_index(
        directory,
        {
            "mediaType": MT_OCI_INDEX,
            "digest": index_digest,
            "size": index_size,
            "annotations": {REF_NAME_ANNOTATION: tag},
        },
        tag,
    )
    return MultiArchLayout(
        path=directory, tag=tag, index_digest=index_digest, index_size=index_size, images=tuple(images)
    )


# --------------------------------------------------------------------------------------------------------------
# docker save archives built in code


@dataclass(frozen=True, slots=True)
class DockerArchive:
    """A ``docker save`` tar file; ``layer_paths`` are the member names manifest.json lists, bottom-up."""

    path: Path
    repo_tags: tuple[str, ...]
    legacy: bool
    config_digest: str
    diff_ids: tuple[str, ...]
    layer_paths: tuple[str, ...]
    config_path: str
    manifest_digest: str | None  # the OCI manifest blob of the Docker 25+ layout; None for legacy

    @property
    def ref(self) -> str:
        return f"docker-archive:{self.path}"


def _tar_add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


def _tar_add_dir(tar: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    tar.addfile(info)


def _split_repo_tag(repo_tag: str) -> tuple[str, str]:
    name, _, tag = repo_tag.rpartition(":")
    if not name or "/" in tag:
        return repo_tag, "latest"
    return name, tag


def write_docker_archive(
    file: Path,
    layers: Sequence[Sequence[TarEntrySpec]],
    config_overrides: JsonObject | None = None,
    compression: Compression = "none",
    tag: str = "hullscan/test:latest",
    *,
    legacy: bool = True,
    architecture: str = "amd64",
    os_name: str = "linux",
    history: Sequence[str] | None = None,
    extra_repo_tags: Sequence[str] = (),
) -> DockerArchive:
    """A ``docker save`` archive of one image.

    ``legacy=True``: the layout Docker wrote before 25.0 — ``<v1id>/layer.tar`` + ``<v1id>/json`` +
    ``<v1id>/VERSION``, ``<config-hex>.json``, ``manifest.json`` and ``repositories``.
    ``legacy=False``: the Docker 25+ layout, which is also an OCI image layout — ``blobs/sha256/*``,
    ``index.json``, ``oci-layout``, plus ``manifest.json`` whose paths point into ``blobs/``.
    Docker writes layers uncompressed; ``compression`` other than "none" compresses them anyway (``docker
    load`` accepts that), for testing readers that must sniff. Members are in Docker's order (sorted paths)."""
    repo_tags = (tag, *extra_repo_tags)
    tars = [build_layer_tar(entries) for entries in layers]
    diff_ids = [sha256_digest(t) for t in tars]
    layer_blobs = [compress(t, compression) for t in tars]
    config = _image_config(
        diff_ids, architecture=architecture, os_name=os_name, variant=None, history=history, overrides=config_overrides
    )
    config_bytes = _json_bytes(config)
    config_digest = sha256_digest(config_bytes)
    config_hex = config_digest.removeprefix("sha256:")
    members: dict[str, bytes | None] = {}  # name -> data (None: directory)
    repositories: dict[str, dict[str, str]] = {}
    manifest_digest: str | None = None

    if legacy:
        parent = ""
        v1_ids: list[str] = []
        for chain_id, blob in zip(chain_ids(diff_ids), layer_blobs, strict=True):
            v1_id = hashlib.sha256(_json_bytes({"parent": parent, "chain_id": chain_id})).hexdigest()
            v1_json: dict[str, object] = {"id": v1_id, "created": "1970-01-01T00:00:00Z", "os": os_name}
            if parent:
                v1_json["parent"] = parent
            members[f"{v1_id}/"] = None
            members[f"{v1_id}/VERSION"] = b"1.0"
            members[f"{v1_id}/json"] = _json_bytes(v1_json)
            members[f"{v1_id}/layer.tar"] = blob
            v1_ids.append(v1_id)
            parent = v1_id
        config_path = f"{config_hex}.json"
        members[config_path] = config_bytes
        layer_paths = [f"{v}/layer.tar" for v in v1_ids]
        top_id = v1_ids[-1] if v1_ids else ""
    else:
        media_type = LAYER_MEDIA_TYPES[compression]
        layer_descs: list[dict[str, object]] = []
        members["blobs/"] = None
        members["blobs/sha256/"] = None
        layer_paths = []
        for blob in layer_blobs:
            digest = sha256_digest(blob)
            members[f"blobs/sha256/{digest.removeprefix('sha256:')}"] = blob
            layer_paths.append(f"blobs/sha256/{digest.removeprefix('sha256:')}")
            layer_descs.append({"mediaType": media_type, "digest": digest, "size": len(blob)})
        config_path = f"blobs/sha256/{config_hex}"
        members[config_path] = config_bytes
        platform = {"architecture": architecture, "os": os_name}
        manifest = {
            "schemaVersion": 2,
            "mediaType": MT_OCI_MANIFEST,
            "config": {"mediaType": MT_OCI_CONFIG, "digest": config_digest, "size": len(config_bytes)},
            "layers": layer_descs,
        }
        manifest_bytes = _json_bytes(manifest)
        manifest_digest = sha256_digest(manifest_bytes)
        members[f"blobs/sha256/{manifest_digest.removeprefix('sha256:')}"] = manifest_bytes
        index_manifests = []
        for rt in repo_tags:
            _, t = _split_repo_tag(rt)
            index_manifests.append(
                {
                    "mediaType": MT_OCI_MANIFEST,
                    "digest": manifest_digest,
                    "size": len(manifest_bytes),
                    "platform": platform,
                    "annotations": {CONTAINERD_IMAGE_NAME_ANNOTATION: _docker_io_name(rt), REF_NAME_ANNOTATION: t},
                }
            )
        members["index.json"] = _json_bytes(
            {"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": index_manifests}
        )
        members["oci-layout"] = b'{"imageLayoutVersion":"1.0.0"}'
        top_id = diff_ids[-1].removeprefix("sha256:") if diff_ids else ""

    for rt in repo_tags:
        name, t = _split_repo_tag(rt)
        repositories.setdefault(name, {})[t] = top_id
    manifest_json = [{"Config": config_path, "RepoTags": list(repo_tags), "Layers": layer_paths}]
    members["manifest.json"] = _json_bytes(manifest_json)
    members["repositories"] = _json_bytes(repositories)

    file.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(file, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(members):
            data = members[name]
            if data is None:
                _tar_add_dir(tar, name)
            else:
                _tar_add_bytes(tar, name, data)
    return DockerArchive(
        path=file,
        repo_tags=repo_tags,
        legacy=legacy,
        config_digest=config_digest,
        diff_ids=tuple(diff_ids),
        layer_paths=tuple(layer_paths),
        config_path=config_path,
        manifest_digest=manifest_digest,
    )


def _docker_io_name(repo_tag: str) -> str:
    """``debian:bookworm`` -> ``docker.io/library/debian:bookworm`` (what Docker writes in index.json)."""
    first = repo_tag.split("/", 1)[0]
    if "/" in repo_tag and ("." in first or ":" in first or first == "localhost"):
        return repo_tag
    if "/" not in repo_tag:
        return f"docker.io/library/{repo_tag}"
    return f"docker.io/{repo_tag}"


def gzip_file(src: Path, dst: Path, *, level: int = 6) -> Path:
    """``gzip < src > dst`` (e.g. ``docker save img | gzip``), deterministic (mtime 0, no file name)."""
    with (
        src.open("rb") as fin,
        dst.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=level, mtime=0) as fout,
    ):
        shutil.copyfileobj(fin, fout, 1 << 20)
    return dst


# --------------------------------------------------------------------------------------------------------------
# The real Debian image


DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = os.environ.get("HULLSCAN_DEBIAN_MIRROR", "http://deb.debian.org/debian")
DEBIAN_TAG = "bookworm"
DEBIAN_REPO_TAG = "debian:bookworm"
LAYER2_ADDED_PATH = "etc/hullscan/layer2.txt"
LAYER2_ADDED_CONTENT = b"added by the second layer of the hullscan test image\n"
LAYER2_DELETED_PATH = "etc/motd"
BASE_CREATED_BY = f"mmdebstrap --variant=minbase {DEBIAN_SUITE} / {DEBIAN_MIRROR}"
LAYER2_CREATED_BY = (
    f"/bin/sh -c mkdir -p /etc/hullscan && echo 'added by the second layer' > /{LAYER2_ADDED_PATH}"
    f" && rm /{LAYER2_DELETED_PATH}"
)
CMD_CREATED_BY = '/bin/sh -c #(nop)  CMD ["bash"]'

# Like Debian's -slim images: no man pages, translations or docs, but keep copyright files (license scanning).
_DPKG_OPTIONS = (
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/locale/*",
    "path-include=/usr/share/locale/locale.alias",
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/info/*",
)

_FACTS_FILE = "facts.json"


@dataclass(frozen=True, slots=True)
class DpkgPackage:
    """One installed package as /var/lib/dpkg/status records it."""

    name: str
    version: str
    architecture: str
    source_name: str
    source_version: str


@dataclass(frozen=True, slots=True)
class DebianImages:
    """A real Debian bookworm minbase image in every transport, plus facts read from the built files.

    The image has two layers: ``layer_created_by[0]`` (the mmdebstrap rootfs) and ``layer_created_by[1]``,
    which adds ``/etc/hullscan/layer2.txt`` and whites out ``/etc/motd``; its config history also has an
    ``empty_layer`` CMD entry. ``rootfs`` is the unmodified mmdebstrap tree (so it still has /etc/motd)."""

    root: Path
    rootfs: Path
    tag: str
    repo_tag: str
    oci_dir: Path
    oci_zstd_dir: Path
    oci_archive: Path
    docker_archive: Path
    docker_archive_gz: Path
    manifest_digest: str
    config_digest: str
    layer_digests: tuple[str, ...]
    layer_media_types: tuple[str, ...]
    diff_ids: tuple[str, ...]
    history_created_by: tuple[str, ...]
    layer_created_by: tuple[str, ...]
    zstd_manifest_digest: str
    zstd_layer_digests: tuple[str, ...]
    added_path: str
    added_content: bytes
    deleted_path: str
    packages: tuple[DpkgPackage, ...]
    os_release: Mapping[str, str] = field(compare=False)
    build_seconds: Mapping[str, float] = field(compare=False)
    from_cache: bool = field(compare=False)

    @property
    def oci_ref(self) -> str:
        return f"oci:{self.oci_dir}:{self.tag}"

    @property
    def oci_zstd_ref(self) -> str:
        return f"oci:{self.oci_zstd_dir}:{self.tag}"

    @property
    def oci_archive_ref(self) -> str:
        return f"oci-archive:{self.oci_archive}:{self.tag}"

    @property
    def docker_archive_ref(self) -> str:
        return f"docker-archive:{self.docker_archive}"

    def package(self, name: str) -> DpkgPackage:
        for pkg in self.packages:
            if pkg.name == name:
                return pkg
        raise KeyError(name)


def _run(argv: Sequence[str], *, log: Path, timeout: float = 600.0, env: Mapping[str, str] | None = None) -> None:
    with log.open("ab") as fh:
        fh.write(("$ " + " ".join(argv) + "\n").encode())
        fh.flush()
        try:
            proc = subprocess.run(
                list(argv), stdout=fh, stderr=subprocess.STDOUT, timeout=timeout, check=False, env=env
            )
        except FileNotFoundError as exc:
            raise ImageBuildError(f"{argv[0]} is not installed (run .ci/install-deps.sh)") from exc
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-4000:]
        raise ImageBuildError(f"{' '.join(argv)} exited {proc.returncode}; end of {log}:\n{tail}")


def _skopeo(*args: str, log: Path) -> None:
    # --insecure-policy: do not depend on /etc/containers/policy.json being present or permissive.
    _run(["skopeo", "--insecure-policy", *args], log=log)


def build_debian_rootfs(workdir: Path, *, suite: str = DEBIAN_SUITE, mirror: str = DEBIAN_MIRROR) -> Path:
    """``mmdebstrap --variant=minbase --mode=root`` into ``workdir/rootfs``; returns that directory."""
    if os.geteuid() != 0:
        raise ImageBuildError("building the Debian test image needs root (mmdebstrap --mode=root, umoci)")
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / "rootfs"
    argv = [
        "mmdebstrap",
        "--variant=minbase",
        "--mode=root",
        "--format=directory",
        '--aptopt=Acquire::Retries "3"',
        *(f"--dpkgopt={opt}" for opt in _DPKG_OPTIONS),
        suite,
        str(target),
        mirror,
    ]
    _run(argv, log=workdir / "mmdebstrap.log", timeout=900.0)
    return target


def pack_debian_image(rootfs: Path, workdir: Path, tag: str = DEBIAN_TAG) -> Path:
    """Pack ``rootfs`` into a two-layer OCI layout at ``workdir/umoci`` with umoci; returns the layout path.

    Layer 1 is the whole rootfs (``umoci insert``); layer 2 comes from ``umoci unpack`` / change /
    ``umoci repack``, which writes the added file and an ``etc/.wh.motd`` whiteout."""
    layout = workdir / "umoci"
    bundle = workdir / "bundle"
    log = workdir / "umoci.log"
    image = f"{layout}:{tag}"
    _run(["umoci", "init", "--layout", str(layout)], log=log)
    _run(["umoci", "new", "--image", image], log=log)
    _run(
        [
            "umoci",
            "config",
            "--image",
            image,
            "--no-history",
            "--architecture",
            "amd64",
            "--os",
            "linux",
            "--config.env",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "--config.label",
            "org.opencontainers.image.title=hullscan-test-debian",
            "--config.label",
            "org.opencontainers.image.version=12",
        ],
        log=log,
    )
    _run(
        [
            "umoci",
            "insert",
            "--image",
            image,
            "--history.created_by",
            BASE_CREATED_BY,
            "--history.comment",
            "debian minbase rootfs",
            str(rootfs),
            "/",
        ],
        log=log,
    )
    _run(["umoci", "unpack", "--image", image, str(bundle)], log=log)
    changed = bundle / "rootfs"
    (changed / LAYER2_ADDED_PATH).parent.mkdir(parents=True, exist_ok=True)
    (changed / LAYER2_ADDED_PATH).write_bytes(LAYER2_ADDED_CONTENT)
    (changed / LAYER2_DELETED_PATH).unlink()
    _run(["umoci", "repack", "--image", image, "--history.created_by", LAYER2_CREATED_BY, str(bundle)], log=log)
    shutil.rmtree(bundle)
    _run(
        ["umoci", "config", "--image", image, "--config.cmd", "bash", "--history.created_by", CMD_CREATED_BY],
        log=log,
    )
    _run(["umoci", "gc", "--layout", str(layout)], log=log)
    return layout


def parse_dpkg_status(text: str) -> tuple[DpkgPackage, ...]:
    """Installed packages from a dpkg status file (deb822 paragraphs), sorted by name."""
    packages: list[DpkgPackage] = []
    for para in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in para.splitlines():
            if line[:1] in (" ", "\t"):
                if key:
                    fields[key] += "\n" + line
                continue
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        if "Package" not in fields or not fields.get("Status", "").endswith(" installed"):
            continue
        version = fields.get("Version", "")
        source_name, source_version = fields["Package"], version
        if src := fields.get("Source"):
            name, _, rest = src.partition(" ")
            source_name = name
            if rest.startswith("(") and rest.endswith(")"):
                source_version = rest[1:-1]
        packages.append(
            DpkgPackage(
                name=fields["Package"],
                version=version,
                architecture=fields.get("Architecture", ""),
                source_name=source_name,
                source_version=source_version,
            )
        )
    return tuple(sorted(packages, key=lambda p: p.name))


def parse_os_release(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.startswith("#"):
            out[key.strip()] = value.strip().strip('"')
    return out


def read_oci_layout_facts(layout: Path, tag: str) -> dict[str, object]:
    """Digests and history of ``tag`` in an OCI layout, read from the JSON files themselves."""
    index = json.loads((layout / "index.json").read_bytes())
    [desc] = [m for m in index["manifests"] if (m.get("annotations") or {}).get(REF_NAME_ANNOTATION) == tag]
    manifest_digest: str = desc["digest"]
    blobs = layout / "blobs" / "sha256"
    manifest = json.loads((blobs / manifest_digest.removeprefix("sha256:")).read_bytes())
    config_digest: str = manifest["config"]["digest"]
    config = json.loads((blobs / config_digest.removeprefix("sha256:")).read_bytes())
    history = config.get("history", [])
    return {
        "manifest_digest": manifest_digest,
        "config_digest": config_digest,
        "layer_digests": [layer["digest"] for layer in manifest["layers"]],
        "layer_media_types": [layer["mediaType"] for layer in manifest["layers"]],
        "diff_ids": list(config["rootfs"]["diff_ids"]),
        "history_created_by": [h.get("created_by", "") for h in history],
        "layer_created_by": [h.get("created_by", "") for h in history if not h.get("empty_layer")],
    }


def _build_debian_images(workdir: Path) -> None:
    """Build everything into ``workdir`` and write ``facts.json`` (relative paths) last."""
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    rootfs = build_debian_rootfs(workdir)
    timings["mmdebstrap"] = time.monotonic() - t0

    t0 = time.monotonic()
    umoci_layout = pack_debian_image(rootfs, workdir)
    timings["umoci"] = time.monotonic() - t0

    t0 = time.monotonic()
    log = workdir / "skopeo.log"
    src = f"oci:{umoci_layout}:{DEBIAN_TAG}"
    _skopeo("copy", "--quiet", src, f"oci:{workdir / 'oci'}:{DEBIAN_TAG}", log=log)
    _skopeo("copy", "--quiet", src, f"oci-archive:{workdir / 'debian.oci.tar'}:{DEBIAN_TAG}", log=log)
    _skopeo("copy", "--quiet", src, f"docker-archive:{workdir / 'debian.docker.tar'}:{DEBIAN_REPO_TAG}", log=log)
    _skopeo(
        "copy",
        "--quiet",
        "--dest-compress",
        "--dest-compress-format",
        "zstd",
        src,
        f"oci:{workdir / 'oci-zstd'}:{DEBIAN_TAG}",
        log=log,
    )
    timings["skopeo"] = time.monotonic() - t0
    shutil.rmtree(umoci_layout)

    # skopeo writes docker-archive layers uncompressed whatever --dest-compress says, so the gzip variant is
    # the whole archive gzipped, as `docker save IMAGE | gzip > image.tar.gz` would make it.
    t0 = time.monotonic()
    gzip_file(workdir / "debian.docker.tar", workdir / "debian.docker.tar.gz")
    timings["gzip"] = time.monotonic() - t0

    facts = read_oci_layout_facts(workdir / "oci", DEBIAN_TAG)
    zstd_facts = read_oci_layout_facts(workdir / "oci-zstd", DEBIAN_TAG)
    facts["zstd_manifest_digest"] = zstd_facts["manifest_digest"]
    facts["zstd_layer_digests"] = zstd_facts["layer_digests"]
    facts["build_seconds"] = timings
    (workdir / _FACTS_FILE).write_text(json.dumps(facts, indent=2))


def _load_debian_images(root: Path, *, from_cache: bool) -> DebianImages:
    facts = json.loads((root / _FACTS_FILE).read_bytes())
    rootfs = root / "rootfs"
    status = (rootfs / "var/lib/dpkg/status").read_text(encoding="utf-8")
    return DebianImages(
        root=root,
        rootfs=rootfs,
        tag=DEBIAN_TAG,
        repo_tag=DEBIAN_REPO_TAG,
        oci_dir=root / "oci",
        oci_zstd_dir=root / "oci-zstd",
        oci_archive=root / "debian.oci.tar",
        docker_archive=root / "debian.docker.tar",
        docker_archive_gz=root / "debian.docker.tar.gz",
        manifest_digest=facts["manifest_digest"],
        config_digest=facts["config_digest"],
        layer_digests=tuple(facts["layer_digests"]),
        layer_media_types=tuple(facts["layer_media_types"]),
        diff_ids=tuple(facts["diff_ids"]),
        history_created_by=tuple(facts["history_created_by"]),
        layer_created_by=tuple(facts["layer_created_by"]),
        zstd_manifest_digest=facts["zstd_manifest_digest"],
        zstd_layer_digests=tuple(facts["zstd_layer_digests"]),
        added_path="/" + LAYER2_ADDED_PATH,
        added_content=LAYER2_ADDED_CONTENT,
        deleted_path="/" + LAYER2_DELETED_PATH,
        packages=parse_dpkg_status(status),
        os_release=parse_os_release((rootfs / "etc/os-release").read_text(encoding="utf-8")),
        build_seconds={str(k): float(v) for k, v in facts["build_seconds"].items()},
        from_cache=from_cache,
    )


def cache_key() -> str:
    """Changes whenever this file changes, so an edited builder never reuses an old build."""
    digest = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return f"debian-{DEBIAN_SUITE}-{digest}"


def images_cache_dir() -> Path:
    """``$HULLSCAN_TEST_IMAGES/<key>`` if the variable is set, else ``/tmp/hullscan-test-images/<key>``."""
    base = os.environ.get("HULLSCAN_TEST_IMAGES") or "/tmp/hullscan-test-images"
    return Path(base) / cache_key()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def debian_images(target: Path | None = None) -> DebianImages:
    """Build the Debian test images once, or reuse a finished build at ``target``.

    Safe against concurrent callers (pytest-xdist workers, two pytest runs): an fcntl lock beside the
    target serialises builders, the build goes into a temporary sibling directory, and only a finished
    build is renamed into place, so a reader sees either nothing or a complete ``facts.json``."""
    final = target or images_cache_dir()
    final.parent.mkdir(parents=True, exist_ok=True)
    if (final / _FACTS_FILE).is_file():
        return _load_debian_images(final, from_cache=True)
    with _file_lock(final.parent / f".{final.name}.lock"):
        if (final / _FACTS_FILE).is_file():
            return _load_debian_images(final, from_cache=True)
        # Anything left here now is the debris of a killed build: we hold the lock, so nobody is writing it.
        for stale in final.parent.glob(f".{final.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if final.exists():
            shutil.rmtree(final)
        work = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
        try:
            _build_debian_images(work)
            work.chmod(0o755)
            work.rename(final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return _load_debian_images(final, from_cache=False)
