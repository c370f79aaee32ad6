"""Secrets in the image configuration: ``Env``, ``Labels`` and the ``created_by`` line of every history entry.

The config is part of the image as much as any layer: ``docker inspect`` and ``docker history --no-trunc`` show
it to anyone who pulls. Build arguments end up in history (``RUN |1 TOKEN=... /bin/sh -c ...``), ``ENV`` lines
in both ``Env`` and history. Each source is scanned as one text, one entry per line, so that a finding can say
which entry (``config:Env`` line 3 is the third variable; ``history[4]`` is the fifth history entry).

A secret seen in ``Env`` or ``Labels`` and again in the history line of a step that made no layer (the ``ENV`` or
``LABEL`` that set it) is one finding, the config's, naming that history entry; a step that made a layer gets
its own finding, attributed to that layer. This runs on a few kilobytes per image, with ``re`` only (no
database to compile).
"""

from __future__ import annotations

from dataclasses import dataclass

from hullscan.checks.secret.engine import SecretEngine
from hullscan.checks.secret.extractor import SecretMatch, to_matches
from hullscan.model import ImageInfo, LayerRef


@dataclass(frozen=True, slots=True)
class ConfigSighting:
    path: str
    """``config:Env``, ``config:Labels`` or ``history[N]``."""
    match: SecretMatch
    layer: LayerRef | None
    """For history entries that made a layer: that layer."""
    also_in: tuple[str, ...] = ()
    """History entries repeating a config secret."""


def _joined(entries: list[str]) -> tuple[bytes, list[int]]:
    """Entries one per line (their own line breaks kept) and, per resulting line, the 1-based entry number."""
    lines: list[int] = []
    for n, entry in enumerate(entries, start=1):
        lines.extend([n] * (entry.count("\n") + 1))
    return "\n".join(entries).encode(), lines


def config_secrets(image: ImageInfo, layers: tuple[LayerRef, ...], engine: SecretEngine) -> tuple[
        list[ConfigSighting], set[bytes]]:
    """The findings' raw material, and the clear secret values (kept in memory, to mask layer descriptions)."""
    config = image.config
    if config is None:
        return [], set()
    values: set[bytes] = set()
    out: list[ConfigSighting] = []
    by_secret: dict[tuple[str, str], int] = {}

    def scan(path: str, entries: list[str]) -> list[SecretMatch]:
        data, line_of = _joined(entries)
        raw = engine.find_reference(path, data, check_path=False)
        for m in raw:
            values.update(m.values(data))
        return list(to_matches(raw, data, line_of=line_of))

    for path, entries in (("config:Env", list(config.container.env)),
                          ("config:Labels", [f"{k}={v}" for k, v in config.container.labels])):
        for m in scan(path, entries):
            by_secret.setdefault((m.rule_id, m.fingerprint), len(out))
            out.append(ConfigSighting(path, m, None))

    layer_of: dict[int, LayerRef] = {}
    made = [i for i, h in enumerate(config.history) if not h.empty_layer]
    for k, i in enumerate(made[: len(layers)]):
        layer_of[i] = layers[k]
    for i, entry in enumerate(config.history):
        path = f"history[{i}]"
        for m in scan(path, [entry.created_by]):
            seen = by_secret.get((m.rule_id, m.fingerprint))
            if seen is not None and entry.empty_layer:  # the ENV/LABEL step that put it in the config
                first = out[seen]
                out[seen] = ConfigSighting(first.path, first.match, first.layer, (*first.also_in, path))
                continue
            out.append(ConfigSighting(path, m, layer_of.get(i)))
    return out, values
