"""What every file check shares: one index of the layers and the squashed view, ownership by OS packages,
and the small formatting helpers that make findings read alike (mode strings, byte counts).

The index is built once per scan from metadata only (``FileEntry`` lists, whiteouts, opaque directories), so
every check below stays a walk over tuples in memory, never a read of file content.
"""

from __future__ import annotations

import posixpath
import stat
from collections import defaultdict
from collections.abc import Iterator

from hullscan.image.facts import LayerFacts
from hullscan.image.squash import SquashedView
from hullscan.model import FileEntry, FileKind, LayerRef, Package

REGULAR = (FileKind.FILE, FileKind.HARDLINK)
"""Entry kinds that are a regular file's inode (a hard link shares its target's mode and bytes)."""

_TYPE_BITS = {
    FileKind.FILE: stat.S_IFREG,
    FileKind.HARDLINK: stat.S_IFREG,
    FileKind.DIR: stat.S_IFDIR,
    FileKind.SYMLINK: stat.S_IFLNK,
    FileKind.CHAR: stat.S_IFCHR,
    FileKind.BLOCK: stat.S_IFBLK,
    FileKind.FIFO: stat.S_IFIFO,
}


def mode_string(entry: FileEntry) -> str:
    """``ls -l`` style evidence: ``-rwsr-xr-x root:root``. Only uid/gid 0 get a name: the image's
    ``/etc/passwd`` is not read (this scanner reads no file content), and 0 is root everywhere."""
    owner = "root" if entry.uid == 0 else str(entry.uid)
    group = "root" if entry.gid == 0 else str(entry.gid)
    return f"{stat.filemode(_TYPE_BITS[entry.kind] | (entry.mode & 0o7777))} {owner}:{group}"


def human_bytes(n: int) -> str:
    """``12.3 MiB``: binary units, one decimal, as image tools (dive, docker history) print sizes."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{n} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def file_count(n: int) -> str:
    """``1 file``, ``1,234 files``."""
    return f"{n:,} file" if n == 1 else f"{n:,} files"


def bytes_detail(n: int) -> str:
    """A byte count for a details row: readable and exact (``5.2 MiB (5,452,595 bytes)``)."""
    return f"{human_bytes(n)} ({n:,} bytes)"


def layer_number(ref: LayerRef) -> int:
    """The 1-based layer number every report prints (``LayerRef.index`` counts from 0)."""
    return ref.index + 1


def describe_layer(ref: LayerRef) -> str:
    """``layer 2 (RUN apt-get update ...)``: the layer number the reports print, bottom first, and its step."""
    step = " ".join(ref.created_by.split())
    if len(step) > 100:
        step = step[:97] + "..."
    n = layer_number(ref)
    return f"layer {n} ({step})" if step else f"layer {n}"


class ImageIndex:
    """Layers and squashed view, indexed once for every file check.

    ``pos`` is a layer's position bottom-first, as the squash replays them; ``layers[pos]`` is its
    :class:`LayerRef` (whose ``index`` is what reports print). ``visible`` maps each path of the squashed view
    to ``(entry, pos)``: plain tuples, because an image can have a few hundred thousand entries.
    """

    def __init__(self, view: SquashedView) -> None:
        self.view = view
        self.layers: tuple[LayerRef, ...] = tuple(ref for ref, _ in view.layer_facts())
        self.facts: tuple[LayerFacts, ...] = tuple(f for _, f in view.layer_facts())
        # The view hands out its own LayerRef objects: look them up by identity (hashing a dataclass per entry
        # would cost more than the rest of the index), by value for any other object.
        by_id = {id(ref): pos for pos, ref in enumerate(self.layers)}
        by_value = {ref: pos for pos, ref in enumerate(self.layers)}
        try:
            visible = {entry.path: (entry, by_id[id(ref)]) for entry, ref in view.entries()}
        except KeyError:
            visible = {entry.path: (entry, by_value[ref]) for entry, ref in view.entries()}
        self.visible: dict[str, tuple[FileEntry, int]] = visible
        self._written: list[dict[str, FileEntry]] | None = None

    def squashed(self) -> Iterator[tuple[FileEntry, LayerRef]]:
        """Every visible entry with the layer that last wrote it."""
        layers = self.layers
        for entry, pos in self.visible.values():
            yield entry, layers[pos]

    def is_visible(self, path: str, pos: int) -> bool:
        """Whether layer ``pos``'s copy of ``path`` is the one the squashed image shows."""
        v = self.visible.get(path)
        return v is not None and v[1] == pos

    def remover(self, path: str, pos: int) -> tuple[int, bool] | None:
        """The first layer above ``pos`` that deletes or replaces ``path``: ``(position, replaced)``, where
        ``replaced`` says it wrote a new entry at the same path (rather than deleting it or a directory above
        it). ``None`` when no later layer touches it (see :meth:`SquashedView.hidden_by`)."""
        found = self.view.hidden_by(path, pos)
        return None if found is None else (found[0], found[1] == "replaced")

    def entry_in(self, pos: int, path: str) -> FileEntry | None:
        """Layer ``pos``'s own entry at ``path`` (the last one, as the squash keeps), if it has one."""
        return self._by_path()[pos].get(path)

    def _by_path(self) -> list[dict[str, FileEntry]]:
        if self._written is None:
            self._written = [{e.path: e for e in f.files} for f in self.facts]
        return self._written


class Owners:
    """Which OS package (dpkg, apk, rpm) installed a path, by the package's own file list.

    File lists name paths as the package shipped them; on merged-``/usr`` systems the tar holds
    ``usr/bin/su`` while dpkg lists ``bin/su`` (``bin`` being a symlink). A miss on the exact path therefore
    resolves the listed paths with the same file name through the image's symlinks, which is cheap because only
    the few candidates (setuid files, key files) are ever asked about.
    """

    def __init__(self, packages: tuple[Package, ...], view: SquashedView) -> None:
        self._packages = packages
        self._view = view
        self._exact: dict[str, Package] | None = None
        self._by_name: defaultdict[str, list[tuple[str, Package]]] = defaultdict(list)

    def _index(self) -> dict[str, Package]:
        # Built on the first question: an image with no setuid file or key file never pays for it.
        if self._exact is None:
            self._exact = {}
            for p in self._packages:
                if not p.type.is_os:
                    continue
                for f in p.files:
                    path = f.strip("/")
                    self._exact.setdefault(path, p)
                    self._by_name[posixpath.basename(path)].append((path, p))
        return self._exact

    def owner(self, path: str) -> Package | None:
        found = self._index().get(path)
        if found is not None:
            return found
        for listed, package in self._by_name.get(posixpath.basename(path), ()):
            if self._view.resolve(listed) == path:
                return package
        return None
