"""Secrets in files, layer by layer: a secret written in one layer and deleted (or overwritten) in a later one is
still in the image. Every layer's blob ships with it, so ``docker save`` or a registry pull hands it out.

Each layer's matches are read with ``view.layer_payloads``. Sightings of the same secret (same rule, same
fingerprint) at the same path are one finding: it is attributed to the first layer that wrote it, says whether
the final filesystem still shows it, names the later layers that copied it again, and, when it is no longer
visible, the layer whose whiteout, opaque directory or newer entry hid it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hullscan.checks.secret.extractor import SecretFile, SecretMatch
from hullscan.checks.secret.rules import Rule
from hullscan.image.squash import SquashedView
from hullscan.model import LayerRef


@dataclass(frozen=True, slots=True)
class Sighting:
    pos: int
    """Position of the layer in the image (``view.layers``), bottom first."""
    layer: LayerRef
    match: SecretMatch
    visible: bool
    md5: str = ""
    """The MD5 of this layer's copy of the file."""


@dataclass(frozen=True, slots=True)
class SecretHistory:
    """Everything known about one secret at one path across the layers."""

    path: str
    rule: Rule
    sightings: tuple[Sighting, ...]
    removed_by: tuple[str, LayerRef] | None
    """When no sighting is visible: how it was hidden (``deleted``/``overwritten``) and by which layer."""

    @property
    def first(self) -> Sighting:
        return self.sightings[0]

    @property
    def visible(self) -> bool:
        return any(s.visible for s in self.sightings)


def secret_histories(view: SquashedView, extractor: str, rules: dict[str, Rule]) -> list[SecretHistory]:
    """Group every layer's matches by (path, rule, secret) and work out where each went."""
    groups: dict[tuple[str, str, str], list[Sighting]] = {}
    positions = {id(ref): pos for pos, ref in enumerate(view.layers)}
    for path, payload, layer, visible in view.layer_payloads(extractor, SecretFile):
        pos = positions.get(id(layer), layer.index)
        for m in payload.matches:
            if m.rule_id in rules:  # a payload from a rule set since changed would carry another extractor name
                groups.setdefault((path, m.rule_id, m.fingerprint), []).append(
                    Sighting(pos, layer, m, visible, payload.md5))
    if not groups:
        return []
    out: list[SecretHistory] = []
    for (path, rule_id, _), sightings in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1][0].pos, kv[0][1])):
        sightings.sort(key=lambda s: s.pos)
        removed: tuple[str, LayerRef] | None = None
        if not any(s.visible for s in sightings):
            found = view.hidden_by(path, sightings[-1].pos)
            if found is not None:
                later, how = found
                removed = ("overwritten" if how == "replaced" else how, view.layers[later])
        out.append(SecretHistory(path, rules[rule_id], tuple(sightings), removed))
    return out


def describe(ref: LayerRef, limit: int = 100) -> str:
    """``layer 2 (sha256:0123456789ab): RUN rm /root/.ssh/id_rsa`` for a report line."""
    step = " ".join(ref.created_by.split())
    if len(step) > limit:
        step = step[: limit - 1] + "…"
    head = f"layer {ref.index + 1} ({ref.diff_id[:19]})" if ref.diff_id else f"layer {ref.index + 1}"
    return f"{head}: {step}" if step else head
