"""Turning the ``REF`` a user typed into an image source.

Forms: ``docker-archive:PATH[:TAG]``, ``oci:DIR[:TAG|@DIGEST]``, ``oci-archive:PATH[:TAG|@DIGEST]``,
``registry:NAME`` or a bare ``NAME[:TAG|@DIGEST]`` (a registry image), and a plain existing path, whose kind is
detected from its content.
"""

from __future__ import annotations

from pathlib import Path

from hullscan.errors import UsageError
from hullscan.image.source import ImageSource, SourceOptions

TRANSPORTS = ("docker-archive", "oci-archive", "oci", "registry", "docker")


def split_path(spec: str) -> tuple[Path, str]:
    """``/x/y.tar:alpine:3.11`` -> (``/x/y.tar``, ``alpine:3.11``): the longest prefix that exists is the path."""
    if Path(spec).exists() or not spec:
        return Path(spec), ""
    for i in range(len(spec) - 1, 0, -1):
        if spec[i] in ":@" and Path(spec[:i]).exists():
            return Path(spec[:i]), spec[i + 1 :] if spec[i] == ":" else spec[i:]
    raise UsageError(f"no such file or directory: {spec.split(':')[0] if ':' in spec else spec}")


def detect_kind(path: Path) -> str:
    """``oci``, ``oci-archive`` or ``docker-archive``, from what the path holds."""
    if path.is_dir():
        if (path / "index.json").is_file() or (path / "oci-layout").is_file():
            return "oci"
        raise UsageError(f"{path} is a directory but not an OCI image layout; to scan a root filesystem use "
                         f"'hullscan rootfs {path}'")
    from hullscan.image.archive import TarArchive

    archive = TarArchive(path, str(path))
    try:
        if archive.exists("manifest.json"):
            return "docker-archive"
        if archive.exists("index.json"):
            return "oci-archive"
    finally:
        archive.close()
    raise UsageError(f"{path} is a tar archive but neither a docker save archive nor an OCI layout")


def open_source(ref: str, options: SourceOptions, *, max_metadata_size: int = 16 << 20) -> ImageSource:
    """The source that ``ref`` names. Raises UsageError for an unknown form, ImageError for a bad image."""
    transport, sep, rest = ref.partition(":")
    if sep and transport in TRANSPORTS and not (transport == "oci" and rest.startswith("//")):
        if transport in ("registry", "docker"):
            return _registry(rest.removeprefix("//"), options)
        path, selector = split_path(rest)
        kind = transport
    else:
        candidate = Path(ref)
        if candidate.exists():
            path, selector, kind = candidate, "", ""
        elif ref.startswith(("/", "./", "../")) or ".tar" in ref or ".tgz" in ref:
            path, selector = split_path(ref)  # a path with a :TAG or @DIGEST selector, or a missing file
            kind = ""
        else:
            return _registry(ref, options)
        kind = kind or detect_kind(path)
    if kind == "docker-archive":
        from hullscan.image.docker_archive import DockerArchiveSource

        return DockerArchiveSource(path, selector=selector, options=options, max_metadata_size=max_metadata_size)
    from hullscan.image.layout import OCILayoutSource

    if kind == "oci" and not path.is_dir():
        raise UsageError(f"oci:{path}: not a directory (use oci-archive: for a tar)")
    return OCILayoutSource(
        path, selector=selector, archive=kind == "oci-archive", options=options,
        max_metadata_size=max_metadata_size,
    )


def _registry(name: str, options: SourceOptions) -> ImageSource:
    if not name:
        raise UsageError("empty registry reference")
    from hullscan.image.registry import RegistrySource

    return RegistrySource(name, options)
