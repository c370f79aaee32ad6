"""Squash: replay layer facts bottom-up into the filesystem a container would see.

Overlay rules (https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts): a ``.wh.NAME``
marker deletes ``NAME`` (and everything under it) from the layers below; ``.wh..wh..opq`` hides every lower
entry in its directory; entries of a later layer replace earlier ones at the same path. Every surviving entry
remembers the layer that last wrote it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence
from typing import TypeVar

import msgspec

from hullscan.image.facts import LayerFacts
from hullscan.model import FileEntry, FileKind, LayerRef

T = TypeVar("T")

MAX_SYMLINK_HOPS = 40  # as Linux's MAXSYMLINKS


class SquashedView:
    """The squashed filesystem of an image, with each entry's layer of origin and the extractors' payloads."""

    def __init__(self, layers: Sequence[tuple[LayerRef, LayerFacts]]) -> None:
        self.layers: tuple[LayerRef, ...] = tuple(ref for ref, _ in layers)
        self._facts: tuple[LayerFacts, ...] = tuple(f for _, f in layers)
        files: dict[str, tuple[FileEntry, int]] = {}
        for pos, (_ref, facts) in enumerate(layers):
            if facts.whiteouts or facts.opaque_dirs:
                deleted = set(facts.whiteouts)
                if "" in facts.opaque_dirs:
                    files = {}  # an opaque marker at the root hides every lower layer
                # A whiteout deletes the path and everything below it; an opaque directory keeps itself but
                # hides what the lower layers put inside it. One C-level prefix test per path.
                prefixes = tuple(f"{p}/" for p in (*facts.whiteouts, *facts.opaque_dirs) if p)
                files = {
                    path: value
                    for path, value in files.items()
                    if path not in deleted and not path.startswith(prefixes)
                }
            for entry in facts.files:
                files[entry.path] = (entry, pos)
        self._files = files
        self._kinds: list[dict[str, FileKind]] | None = None
        self._deleted: list[tuple[frozenset[str], frozenset[str]]] | None = None

    # ------------------------------------------------------------------ files

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, path: str) -> bool:
        return path in self._files

    def entries(self) -> Iterator[tuple[FileEntry, LayerRef]]:
        for entry, pos in self._files.values():
            yield entry, self.layers[pos]

    def entry(self, path: str) -> tuple[FileEntry, LayerRef] | None:
        """The entry at exactly ``path`` (no symlink resolution), with the layer that last wrote it."""
        found = self._files.get(path.strip("/"))
        if found is None:
            return None
        return found[0], self.layers[found[1]]

    def resolve(self, path: str) -> str | None:
        """Follow symlinks (in every component) inside the image; ``None`` when the path does not exist.

        Absolute targets are taken relative to the image root and ``..`` stops at the root, as inside a
        chroot: nothing ever resolves outside the image.
        """
        parts = [p for p in path.split("/") if p and p != "."]
        resolved: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            resolved.append(part)
            current = "/".join(resolved)
            found = self._files.get(current)
            if found is None:
                if parts:
                    continue  # tars may omit parent directories: an implicit directory
                return None
            entry = found[0]
            if entry.kind is FileKind.SYMLINK:
                hops += 1
                if hops > MAX_SYMLINK_HOPS:
                    return None
                resolved.pop()
                target = entry.linkname
                if target.startswith("/"):
                    resolved = []
                parts = [p for p in target.split("/") if p and p != "."] + parts
        return "/".join(resolved)

    # ------------------------------------------------------------------ extractor payloads

    def payload(self, extractor: str, path: str, payload_type: type[T]) -> tuple[T, LayerRef] | None:
        """The payload an extractor produced for the file now visible at ``path`` (symlinks followed)."""
        real = self.resolve(path)
        if real is None:
            return None
        found = self._files.get(real)
        if found is None:
            return None
        _, pos = found
        raw = self._facts[pos].results.get(extractor, {}).get(real)
        if raw is None:
            return None
        return msgspec.json.decode(raw, type=payload_type), self.layers[pos]

    def payloads(self, extractor: str, payload_type: type[T]) -> Iterator[tuple[str, T, LayerRef]]:
        """Every payload of one extractor that survives in the squashed view, in path order."""
        for pos, facts in enumerate(self._facts):
            for path, raw in facts.results.get(extractor, {}).items():
                found = self._files.get(path)
                if found is not None and found[1] == pos:
                    yield path, msgspec.json.decode(raw, type=payload_type), self.layers[pos]

    def layer_payloads(self, extractor: str, payload_type: type[T]) -> Iterator[tuple[str, T, LayerRef, bool]]:
        """Every payload of one extractor in every layer, visible or not: ``(path, payload, layer, visible)``,
        where ``visible`` says whether this layer's copy of ``path`` is the one the squashed image shows (a
        secret written in one layer and deleted or overwritten in a later one is still shipped in the image)."""
        for pos, facts in enumerate(self._facts):
            for path, raw in facts.results.get(extractor, {}).items():
                found = self._files.get(path)
                yield path, msgspec.json.decode(raw, type=payload_type), self.layers[pos], (
                    found is not None and found[1] == pos)

    def hidden_by(self, path: str, pos: int) -> tuple[int, str] | None:
        """The first layer above position ``pos`` (bottom first, as :attr:`layers`) that hides layer ``pos``'s
        copy of ``path`` from the squashed image: ``(position, "deleted")`` for a whiteout or opaque directory on
        it or a directory above it, or a directory above it replaced by a file or symlink; ``(position,
        "replaced")`` for a new entry at the same path. ``None`` when no later layer touches it. The bytes of a
        hidden copy are still shipped in its layer's tar: what secret, malware and waste reports say."""
        if self._kinds is None or self._deleted is None:
            self._kinds = [{e.path: e.kind for e in f.files} for f in self._facts]
            self._deleted = [(frozenset(f.whiteouts), frozenset(f.opaque_dirs)) for f in self._facts]
        parents: list[str] | None = None
        for later in range(pos + 1, len(self._facts)):
            kinds = self._kinds[later]
            whiteouts, opaque = self._deleted[later]
            if path in whiteouts or "" in opaque:
                return later, "deleted"
            if whiteouts or opaque or kinds:
                if parents is None:
                    parents = _parents(path)
                for parent in parents:
                    if parent in whiteouts or parent in opaque:
                        return later, "deleted"
                    kind = kinds.get(parent)
                    if kind is not None and kind is not FileKind.DIR:
                        return later, "deleted"  # the directory was replaced by a file or a symlink
            if path in kinds:
                return later, "replaced"
        return None

    def layer_facts(self) -> Iterator[tuple[LayerRef, LayerFacts]]:
        """Each layer's own facts (its entries, whiteouts and opaque directories), bottom layer first."""
        yield from zip(self.layers, self._facts, strict=True)

    def history(self, extractor: str, path: str, payload_type: type[T]) -> list[tuple[T, LayerRef]]:
        """Every version of one file's payload, bottom layer first (for attributing what a layer added)."""
        out: list[tuple[T, LayerRef]] = []
        for pos, facts in enumerate(self._facts):
            raw = facts.results.get(extractor, {}).get(path)
            if raw is not None:
                out.append((msgspec.json.decode(raw, type=payload_type), self.layers[pos]))
        return out


def _parents(path: str) -> list[str]:
    """The directories above ``path``, nearest first (``a/b/c`` -> ``a/b``, ``a``)."""
    out = []
    parent = path.rpartition("/")[0]
    while parent:
        out.append(parent)
        parent = parent.rpartition("/")[0]
    return out


def normalize_member_path(name: str) -> str | None:
    """A tar member name as a clean relative path, or ``None`` when it would escape the root.

    ``./etc/passwd`` and ``/etc/passwd`` become ``etc/passwd``; ``a/../../x`` is hostile and refused.
    """
    if "\x00" in name:
        return None
    path = posixpath.normpath("/" + name.lstrip("/")) if name else "/"
    # normpath of an absolute path cannot climb above "/", so check the raw components too.
    depth = 0
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            depth -= 1
            if depth < 0:
                return None
        else:
            depth += 1
    return path.lstrip("/")
