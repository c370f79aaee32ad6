"""Images for the misconfiguration tests, built as model objects: a history and a container config."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from hullscan.checks.misconfig.scanner import scan
from hullscan.model import ContainerConfig, Finding, HistoryEntry, ImageConfig, ImageInfo, Layer

Step = str | tuple[str, bool]
"""A history line; a bare string makes a layer when it is a RUN/COPY/ADD, a tuple says so explicitly."""

_LAYER_MAKERS = ("RUN ", "COPY ", "ADD ", "/bin/sh -c #(nop) ADD", "/bin/sh -c #(nop) COPY")


def _makes_layer(line: str) -> bool:
    if line.endswith("# buildkit"):
        return True
    if line.startswith("/bin/sh -c #(nop)"):
        return line.startswith(("/bin/sh -c #(nop) ADD", "/bin/sh -c #(nop) COPY"))
    return line.startswith(_LAYER_MAKERS) or not line.split(" ", 1)[0].isupper()


def image(steps: Sequence[Step], container: ContainerConfig | None = None, name: str = "test") -> ImageInfo:
    history: list[HistoryEntry] = []
    for step in steps:
        line, layer = step if isinstance(step, tuple) else (step, _makes_layer(step))
        history.append(HistoryEntry(created_by=line, empty_layer=not layer))
    layers = []
    for i, entry in enumerate(h for h in history if not h.empty_layer):
        digest = f"sha256:{i:064x}"  # as support.views numbers its layers, so a view can stand for the files
        layers.append(Layer(i, digest, digest, "application/vnd.oci.image.layer.v1.tar", 0, entry.created_by))
    config = ImageConfig(
        digest="sha256:" + hashlib.sha256(name.encode()).hexdigest(), os="linux", architecture="amd64", variant="",
        created="", diff_ids=tuple(layer.diff_id for layer in layers), history=tuple(history),
        container=container or ContainerConfig(),
    )
    return ImageInfo(name=name, source="test", manifest_digest="", config=config, layers=tuple(layers))


GOOD = ContainerConfig(user="app", healthcheck=("CMD", "/app/healthy"), cmd=("/app/run",))
"""A config that passes every config rule."""


def findings(img: ImageInfo) -> list[Finding]:
    return list(scan(img, None, None))


def ids(img: ImageInfo) -> list[str]:
    return sorted(f.id for f in findings(img))
