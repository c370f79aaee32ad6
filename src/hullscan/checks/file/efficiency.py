"""``file/wasted-bytes`` and ``file/layer-efficiency``: bytes shipped in a layer that the image never shows.

A layer tar is immutable: when a later layer deletes a file (a whiteout or an opaque directory) or writes the
same path again, the earlier bytes are still downloaded, unpacked and stored on every host. That includes a
metadata-only change: ``RUN chmod +x big.bin`` or ``RUN chown -R app /app`` in a later layer stores a whole new
copy of every file it touches. :func:`efficiency_table` measures it per layer from metadata alone:

* a layer's *added* bytes are the sizes of its regular files; a hard link adds none (the tar stores its inode's
  bytes once, on the first name);
* its *wasted* bytes are those of files no name of which (the file or any hard link to it in the same layer) is
  visible in the squashed image. Each wasted file is attributed to the first later layer that removed or
  replaced it; a replacement with a regular file of the same size is counted as "same size", the signature of
  chmod/chown/touch (content is never read, so it is a likely cause, not a proof);
* the image's efficiency is ``(added - wasted) / added`` over all layers, as dive reports it.

A layer whose wasted bytes reach the threshold (1 MiB by default) gets a LOW ``file/wasted-bytes`` finding
naming the layers that removed them and the largest paths; when any layer does, one ``file/layer-efficiency``
finding carries the whole table in its details, for reports that want the per-layer picture.

If a tar has the same path twice, the squash keeps the last copy; the earlier one is not counted (image
builders do not write such layers).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from hullscan.checks.file.common import ImageIndex, bytes_detail, describe_layer, file_count, human_bytes, layer_number
from hullscan.model import FileKind, Finding, LayerRef, Severity

WASTED = "file/wasted-bytes"
TABLE = "file/layer-efficiency"
DEFAULT_THRESHOLD = 1 << 20
TOP_PATHS = 5


@dataclass(frozen=True, slots=True)
class Removal:
    """Bytes of one layer that one later layer deleted or replaced."""

    layer: LayerRef
    bytes: int
    files: int


@dataclass(frozen=True, slots=True)
class LayerEfficiency:
    """One layer's row of the table."""

    layer: LayerRef
    added_bytes: int
    added_files: int
    wasted_bytes: int
    wasted_files: int
    removed_by: tuple[Removal, ...]
    """Later layers that deleted or replaced this layer's files, bottom first."""
    same_size_bytes: int
    """Wasted bytes in files a later layer rewrote with a regular file of the same size (likely chmod/chown)."""
    same_size_files: int
    largest: tuple[tuple[str, int], ...]
    """The biggest wasted files, largest first: (path, bytes)."""

    @property
    def efficiency(self) -> float:
        """Percentage of this layer's bytes still visible (100.0 for a layer with no file bytes)."""
        return 100.0 if self.added_bytes == 0 else 100.0 * (self.added_bytes - self.wasted_bytes) / self.added_bytes


@dataclass(frozen=True, slots=True)
class EfficiencyTable:
    layers: tuple[LayerEfficiency, ...]

    @property
    def added_bytes(self) -> int:
        return sum(row.added_bytes for row in self.layers)

    @property
    def wasted_bytes(self) -> int:
        return sum(row.wasted_bytes for row in self.layers)

    @property
    def efficiency(self) -> float:
        added = self.added_bytes
        return 100.0 if added == 0 else 100.0 * (added - self.wasted_bytes) / added


def _layer_row(index: ImageIndex, pos: int, top: int) -> LayerEfficiency:
    entries = index.facts[pos].files
    links: defaultdict[str, list[str]] = defaultdict(list)
    for entry in entries:
        if entry.kind is FileKind.HARDLINK:
            links[entry.linkname].append(entry.path)
    visible = index.visible
    added = added_files = wasted = wasted_files = same_bytes = same_files = 0
    removed: dict[int, list[int]] = {}
    largest: list[tuple[int, str]] = []
    seen: set[str] = set()
    for entry in reversed(entries):  # the last copy of a path is the one the squash keeps
        if entry.kind is not FileKind.FILE:
            continue
        path = entry.path
        if path in seen:
            continue
        seen.add(path)
        size = entry.size
        added += size
        added_files += 1
        shown = visible.get(path)
        if size <= 0 or (shown is not None and shown[1] == pos):
            continue
        if path in links and any(index.is_visible(link, pos) for link in links[path]):
            continue  # another name of the same inode is still shown: its bytes are in use
        wasted += size
        wasted_files += 1
        found = index.remover(path, pos)
        if found is not None:
            later, replaced = found
            per = removed.setdefault(later, [0, 0])
            per[0] += size
            per[1] += 1
            if replaced:
                new = index.entry_in(later, path)
                if new is not None and new.kind is FileKind.FILE and new.size == size:
                    same_bytes += size
                    same_files += 1
        if len(largest) < top:
            heapq.heappush(largest, (size, path))
        else:
            heapq.heappushpop(largest, (size, path))
    return LayerEfficiency(
        layer=index.layers[pos],
        added_bytes=added,
        added_files=added_files,
        wasted_bytes=wasted,
        wasted_files=wasted_files,
        removed_by=tuple(Removal(index.layers[p], n, f) for p, (n, f) in sorted(removed.items())),
        same_size_bytes=same_bytes,
        same_size_files=same_files,
        largest=tuple((path, size) for size, path in sorted(largest, key=lambda t: (-t[0], t[1]))),
    )


def efficiency_table(index: ImageIndex, *, top: int = TOP_PATHS) -> EfficiencyTable:
    """Per layer, bottom first: bytes added, bytes wasted (shipped but never visible), and who removed them."""
    return EfficiencyTable(tuple(_layer_row(index, pos, top) for pos in range(len(index.facts))))


def table_details(table: EfficiencyTable) -> tuple[tuple[str, str], ...]:
    """The table as (label, value) rows every report format prints as is."""
    rows = [("image", f"{human_bytes(table.added_bytes)} in layers, {human_bytes(table.wasted_bytes)} wasted, "
                      f"{table.efficiency:.1f}% efficient")]
    for row in table.layers:
        rows.append((describe_layer(row.layer),
                     f"{human_bytes(row.added_bytes)} added in {file_count(row.added_files)}, "
                     f"{human_bytes(row.wasted_bytes)} wasted in {file_count(row.wasted_files)} "
                     f"({row.efficiency:.1f}% kept)"))
    return tuple(rows)


_REMEDIATION = (
    "Create and delete temporary files in the same RUN instruction (`RUN curl -o x.tgz ... && tar xf x.tgz && "
    "rm x.tgz`), or build in a separate stage and COPY only the results (multi-stage build). Set permissions and "
    "ownership when a file is added (`COPY --chmod=0755 --chown=app:app`) rather than with a later "
    "`RUN chmod`/`RUN chown`, which stores a full second copy of every file it touches."
)


def _wasted_finding(row: LayerEfficiency) -> Finding:
    ref = row.layer
    details: list[tuple[str, str]] = [
        ("wasted bytes", bytes_detail(row.wasted_bytes)),
        ("files", f"{row.wasted_files:,}"),
        ("layer", f"{layer_number(ref)} ({ref.digest or ref.diff_id})"),
        ("instruction", " ".join(ref.created_by.split()) or "(unknown)"),
        ("layer bytes", f"{human_bytes(row.added_bytes)} added, {row.efficiency:.1f}% still visible"),
    ]
    for r in row.removed_by:
        details.append((f"removed by {describe_layer(r.layer)}", f"{human_bytes(r.bytes)} in {file_count(r.files)}"))
    if row.same_size_files:
        details.append(("rewritten with the same size", f"{human_bytes(row.same_size_bytes)} in "
                        f"{file_count(row.same_size_files)} (likely chmod/chown/touch in a later layer)"))
    for path, size in row.largest:
        details.append(("largest", f"/{path} ({human_bytes(size)})"))
    return Finding(
        check=WASTED, id=WASTED, severity=Severity.LOW,
        title=f"{human_bytes(row.wasted_bytes)} shipped in layer {layer_number(ref)} but deleted or overwritten later",
        description=(
            f"Layer {layer_number(ref)} adds {file_count(row.wasted_files)} ({human_bytes(row.wasted_bytes)}) that "
            "later layers delete or replace. They are invisible in containers but still downloaded and stored "
            "with the image."
        ),
        remediation=_REMEDIATION,
        target=describe_layer(ref),
        layer=ref,
        evidence=f"{human_bytes(row.wasted_bytes)} in {file_count(row.wasted_files)}",
        details=tuple(details),
        category="efficiency",
    )


def check(index: ImageIndex, threshold: int = DEFAULT_THRESHOLD) -> Iterator[Finding]:
    table = efficiency_table(index)
    flagged = [row for row in table.layers if row.wasted_bytes and row.wasted_bytes >= threshold]
    for row in flagged:
        yield _wasted_finding(row)
    if flagged:
        yield Finding(
            check=TABLE, id=TABLE, severity=Severity.LOW,
            title=(f"Image efficiency {table.efficiency:.1f}%: {human_bytes(table.wasted_bytes)} of "
                   f"{human_bytes(table.added_bytes)} in layers is never visible"),
            description="Bytes each layer adds and how many of them later layers delete or overwrite.",
            remediation=_REMEDIATION,
            target="image",
            evidence=f"{table.efficiency:.1f}% efficient",
            details=table_details(table),
            category="efficiency",
        )
