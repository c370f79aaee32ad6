"""Parsing of OCI and Docker manifests, indexes and image configs, shared by every image source.

Specs: https://github.com/opencontainers/image-spec (manifest.md, image-index.md, config.md) and Docker's
image manifest v2 schema 2 (https://distribution.github.io/distribution/spec/manifest-v2-2/).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from hullscan.errors import ManifestError
from hullscan.model import ContainerConfig, Descriptor, HistoryEntry, ImageConfig, Platform

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"

INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
SCHEMA1_TYPES = frozenset({DOCKER_SCHEMA1, DOCKER_SCHEMA1_SIGNED})

ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name"

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$")


def valid_digest(digest: str) -> bool:
    return bool(_DIGEST.match(digest))


@dataclass(frozen=True, slots=True)
class Manifest:
    """An image manifest: one config and the ordered layers."""

    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]


@dataclass(frozen=True, slots=True)
class Index:
    """An image index or Docker manifest list."""

    media_type: str
    manifests: tuple[Descriptor, ...]


def load_json(data: bytes, what: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{what} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ManifestError(f"{what} is not a JSON object")
    return doc


def _str(doc: dict[str, Any], key: str, what: str, *, required: bool = True) -> str:
    value = doc.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise ManifestError(f"{what}: field {key!r} is missing or not a string")
    return value


def parse_descriptor(doc: object, what: str) -> Descriptor:
    if not isinstance(doc, dict):
        raise ManifestError(f"{what}: descriptor is not an object")
    digest = _str(doc, "digest", what)
    if not valid_digest(digest):
        raise ManifestError(f"{what}: invalid digest {digest!r}")
    size = doc.get("size", -1)
    if not isinstance(size, int) or isinstance(size, bool) or size < -1:
        raise ManifestError(f"{what}: invalid size {size!r}")
    platform = None
    plat = doc.get("platform")
    if isinstance(plat, dict):
        platform = Platform(
            str(plat.get("os", "")).lower(),
            str(plat.get("architecture", "")).lower(),
            str(plat.get("variant", "") or "").lower(),
        )
    annotations = doc.get("annotations") or {}
    if not isinstance(annotations, dict):
        raise ManifestError(f"{what}: annotations are not an object")
    return Descriptor(
        media_type=_str(doc, "mediaType", what, required=False),
        digest=digest,
        size=size,
        platform=platform,
        annotations=tuple((str(k), str(v)) for k, v in annotations.items()),
    )


def media_type_of(doc: dict[str, Any], fallback: str = "") -> str:
    """The media type a document declares, or what its shape says it is (OCI makes the field optional)."""
    mt = doc.get("mediaType")
    if isinstance(mt, str) and mt:
        return mt
    if doc.get("schemaVersion") == 1:
        return DOCKER_SCHEMA1
    if "manifests" in doc:
        return OCI_INDEX
    if "layers" in doc and "config" in doc:
        return OCI_MANIFEST
    return fallback


def parse_manifest(data: bytes, what: str) -> Manifest:
    doc = load_json(data, what)
    mt = media_type_of(doc)
    if mt in SCHEMA1_TYPES:
        raise ManifestError(f"{what}: Docker schema 1 manifests are unsupported (deprecated since 2017)")
    if mt not in MANIFEST_TYPES:
        raise ManifestError(f"{what}: not an image manifest (media type {mt or 'unknown'!r})")
    layers = doc.get("layers")
    if not isinstance(layers, list):
        raise ManifestError(f"{what}: 'layers' is missing")
    return Manifest(
        media_type=mt,
        config=parse_descriptor(doc.get("config"), f"{what} config"),
        layers=tuple(parse_descriptor(layer, f"{what} layer {i + 1}") for i, layer in enumerate(layers)),
    )


def parse_index(data: bytes, what: str) -> Index:
    doc = load_json(data, what)
    mt = media_type_of(doc, OCI_INDEX)
    manifests = doc.get("manifests")
    if mt not in INDEX_TYPES or not isinstance(manifests, list):
        raise ManifestError(f"{what}: not an image index")
    return Index(mt, tuple(parse_descriptor(m, f"{what} entry {i + 1}") for i, m in enumerate(manifests)))


def select_platform(index: Index, wanted: Platform, what: str) -> Descriptor:
    """The index entry for ``wanted``; attestation manifests (``unknown/unknown``) never match."""
    candidates = [d for d in index.manifests if d.platform is not None and wanted.matches(d.platform)]
    if not candidates:
        have = ", ".join(sorted({str(d.platform) for d in index.manifests if d.platform})) or "none"
        raise ManifestError(f"{what}: no image for platform {wanted} (available: {have}); use --platform")
    # Prefer an exact variant match over an entry that merely does not name one.
    exact = [d for d in candidates if d.platform is not None and d.platform.variant == wanted.variant]
    return (exact or candidates)[0]


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    if isinstance(value, str):
        return (value,)
    return ()


def _keys(value: object) -> tuple[str, ...]:
    return tuple(str(k) for k in value) if isinstance(value, dict) else ()


def parse_config(data: bytes, digest: str, what: str) -> ImageConfig:
    doc = load_json(data, what)
    rootfs = doc.get("rootfs")
    if not isinstance(rootfs, dict) or not isinstance(rootfs.get("diff_ids"), list):
        raise ManifestError(f"{what}: 'rootfs.diff_ids' is missing")
    diff_ids = tuple(str(d) for d in rootfs["diff_ids"])
    for d in diff_ids:
        if not valid_digest(d):
            raise ManifestError(f"{what}: invalid diff_id {d!r}")
    history = []
    for h in doc.get("history") or []:
        if isinstance(h, dict):
            history.append(
                HistoryEntry(
                    created_by=str(h.get("created_by", "")),
                    created=str(h.get("created", "")),
                    comment=str(h.get("comment", "")),
                    empty_layer=bool(h.get("empty_layer", False)),
                )
            )
    cfg = doc.get("config") or {}
    if not isinstance(cfg, dict):
        cfg = {}
    labels = cfg.get("Labels") or {}
    hc = cfg.get("Healthcheck")
    container = ContainerConfig(
        user=str(cfg.get("User") or ""),
        env=_strings(cfg.get("Env")),
        entrypoint=_strings(cfg.get("Entrypoint")),
        cmd=_strings(cfg.get("Cmd")),
        working_dir=str(cfg.get("WorkingDir") or ""),
        labels=tuple((str(k), str(v)) for k, v in labels.items()) if isinstance(labels, dict) else (),
        exposed_ports=_keys(cfg.get("ExposedPorts")),
        volumes=_keys(cfg.get("Volumes")),
        healthcheck=_strings(hc.get("Test")) if isinstance(hc, dict) else None,
        stop_signal=str(cfg.get("StopSignal") or ""),
    )
    return ImageConfig(
        digest=digest,
        os=str(doc.get("os", "")),
        architecture=str(doc.get("architecture", "")),
        variant=str(doc.get("variant", "") or ""),
        created=str(doc.get("created", "") or ""),
        diff_ids=diff_ids,
        history=tuple(history),
        container=container,
    )


def layer_history(config: ImageConfig) -> list[str]:
    """``created_by`` for each layer: the history entries that are not ``empty_layer``, in order.

    When the history does not account for every layer (hand-made or squashed images), the layers it does not
    cover get an empty string rather than a wrong attribution.
    """
    lines = [h.created_by for h in config.history if not h.empty_layer]
    if len(lines) != len(config.diff_ids):
        return lines[: len(config.diff_ids)] + [""] * max(0, len(config.diff_ids) - len(lines))
    return lines
