"""Squashed views built in memory, as the walker would record each layer, for extractor tests.

Each layer is a mapping path -> content: bytes for a regular file, :class:`Symlink`, :class:`Dir` or
:class:`Whiteout`. Parent directories are added, every extractor that wants a file parses it (an
``ExtractError`` becomes a warning), and the facts go through the cache encoding and back, as a rescan would
see them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from hullscan.extract.base import ExtractError
from hullscan.image.facts import FactWarning, LayerFacts, decode_facts, encode_facts, encode_payload
from hullscan.image.squash import SquashedView
from hullscan.model import FileEntry, FileKind, LayerRef


@dataclass(frozen=True, slots=True)
class Symlink:
    target: str


@dataclass(frozen=True, slots=True)
class Dir:
    """An (empty) directory entry of its own."""


@dataclass(frozen=True, slots=True)
class Whiteout:
    """Deletes the path (and what is under it) from the layers below."""


Content = bytes | Symlink | Dir | Whiteout


def facts_of_layer(
    index: int, files: Mapping[str, Content], extractors: Sequence[Any]
) -> tuple[LayerRef, LayerFacts, list[FactWarning]]:
    entries: dict[str, FileEntry] = {}
    results: dict[str, dict[str, msgspec.Raw]] = {}
    warnings: list[FactWarning] = []
    whiteouts: list[str] = []
    for path, content in files.items():
        if isinstance(content, Whiteout):
            whiteouts.append(path)
            continue
        parent = path.rpartition("/")[0]
        while parent:
            entries.setdefault(parent, FileEntry(parent, FileKind.DIR, 0o755, 0))
            parent = parent.rpartition("/")[0]
        if isinstance(content, Symlink):
            entries[path] = FileEntry(path, FileKind.SYMLINK, 0o777, 0, linkname=content.target)
            continue
        if isinstance(content, Dir):
            entries[path] = FileEntry(path, FileKind.DIR, 0o755, 0)
            continue
        entry = FileEntry(path, FileKind.FILE, 0o644, len(content))
        entries[path] = entry
        for ext in extractors:
            if not ext.wants(path, entry):
                continue
            try:
                payload = ext.extract(path, content)
            except ExtractError as exc:
                warnings.append(FactWarning(str(exc), path, ext.name))
                continue
            if payload is not None:
                results.setdefault(ext.name, {})[path] = encode_payload(payload)
    diff_id = f"sha256:{index:064x}"
    facts = decode_facts(encode_facts(LayerFacts(
        diff_id=diff_id, files=tuple(entries.values()), whiteouts=tuple(whiteouts), results=results,
        warnings=tuple(warnings),
    )))
    return LayerRef(index, diff_id, diff_id, f"step {index}"), facts, warnings


def view_of(extractors: Sequence[Any], *layers: Mapping[str, Content]) -> SquashedView:
    """The squashed view of ``layers`` (bottom first) as read by ``extractors``."""
    return SquashedView([facts_of_layer(i, files, extractors)[:2] for i, files in enumerate(layers)])
