"""One pass per layer: stream a layer tar once and hand the files extractors want to them.

The walker never unpacks anything to disk and never reads the content of a file no extractor wants (the tar
reader skips over it). It records every entry's metadata (for the squashed view, permission checks and layer
attribution), the overlay markers, and each extractor's payload for each wanted file. One extractor failing on
one file is a warning, never the end of the scan.
"""

from __future__ import annotations

import os
import stat
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

import msgspec

from hullscan.errors import BlobError, HullscanError
from hullscan.extract.base import ExtractError, Extractor
from hullscan.image.blob import Limits
from hullscan.image.facts import FactWarning, LayerFacts, encode_payload
from hullscan.image.squash import normalize_member_path
from hullscan.image.tarstream import TarError, TarReader
from hullscan.model import FileEntry, FileKind

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"

_TAR_KINDS = {
    ord("0"): FileKind.FILE,
    0: FileKind.FILE,
    ord("7"): FileKind.FILE,
    ord("S"): FileKind.FILE,
    ord("5"): FileKind.DIR,
    ord("2"): FileKind.SYMLINK,
    ord("1"): FileKind.HARDLINK,
    ord("3"): FileKind.CHAR,
    ord("4"): FileKind.BLOCK,
    ord("6"): FileKind.FIFO,
}

# Content of recently read wanted files, so a wanted hard link to one of them can be served without a second
# read (a tar stream cannot seek back). Bounded: hard links to huge wanted files are rare.
_LINK_MEMORY_BYTES = 64 << 20

Extractors = Sequence[Extractor[object]]


class _FactsBuilder:
    """Collects what one layer yields."""

    def __init__(self, extractors: Extractors, limits: Limits) -> None:
        self.extractors = extractors
        self.limits = limits
        self.files: list[FileEntry] = []
        self.whiteouts: list[str] = []
        self.opaque: list[str] = []
        self.results: dict[str, dict[str, msgspec.Raw]] = {}
        self.warnings: list[FactWarning] = []

    def marker(self, path: str) -> bool:
        """Record a whiteout marker; True when ``path`` was one."""
        parent, _, base = path.rpartition("/")
        if not base.startswith(WHITEOUT_PREFIX):
            return False
        if base == OPAQUE_MARKER:
            self.opaque.append(parent)
        else:
            target = base[len(WHITEOUT_PREFIX) :]
            if target and target not in (".", ".."):
                self.whiteouts.append(f"{parent}/{target}" if parent else target)
        return True

    def wanting(self, entry: FileEntry) -> list[Extractor[object]]:
        if entry.kind not in (FileKind.FILE, FileKind.HARDLINK):
            return []
        return [e for e in self.extractors if e.wants(entry.path, entry)]

    def run(self, wanting: Iterable[Extractor[object]], path: str, data: bytes) -> None:
        for ext in wanting:
            try:
                payload = ext.extract(path, data)
                if payload is None:
                    continue
                encoded = encode_payload(payload)
            except ExtractError as exc:
                self.warnings.append(FactWarning(str(exc), path, ext.name))
                continue
            except Exception as exc:  # noqa: BLE001 - one bad parser or payload must not end the scan
                self.warnings.append(
                    FactWarning(f"extractor failed: {type(exc).__name__}: {exc}", path, ext.name)
                )
                continue
            self.results.setdefault(ext.name, {})[path] = encoded

    def warn(self, message: str, path: str = "") -> None:
        self.warnings.append(FactWarning(message, path))

    def build(self, diff_id: str, size: int) -> LayerFacts:
        return LayerFacts(
            diff_id=diff_id,
            files=tuple(self.files),
            whiteouts=tuple(self.whiteouts),
            opaque_dirs=tuple(self.opaque),
            results=self.results,
            warnings=tuple(self.warnings),
            uncompressed_size=size,
        )


def walk_tar(
    tar_stream: BinaryIO,
    extractors: Extractors,
    *,
    limits: Limits,
    what: str,
    tick: Callable[[], None] | None = None,
) -> _FactsBuilder:
    """Read one layer tar from ``tar_stream`` (uncompressed) in a single forward pass."""
    builder = _FactsBuilder(extractors, limits)
    recent: OrderedDict[str, bytes] = OrderedDict()
    recent_bytes = 0
    try:
        peek = getattr(tar_stream, "peek", None)
        if peek is not None and not peek(1):
            return builder  # an empty layer: valid, if unusual
        reader = TarReader(tar_stream)
        for member in reader:
            if tick is not None:
                tick()
            path = normalize_member_path(member.name)
            if path is None:
                builder.warn(f"entry with a path outside the image skipped: {member.name!r}")
                continue
            if not path or builder.marker(path):
                continue
            kind = _TAR_KINDS.get(member.type)
            if kind is None:
                continue  # GNU dump dirs, volume labels and vendor types are not files
            linkname = member.linkname
            if kind is FileKind.HARDLINK:
                target = normalize_member_path(linkname)
                if target is None:
                    builder.warn(f"hard link to a path outside the image skipped: {member.name!r}")
                    continue
                linkname = target
            entry = FileEntry(
                path=path,
                kind=kind,
                mode=member.mode,
                size=member.size if kind is FileKind.FILE else 0,
                uid=member.uid,
                gid=member.gid,
                linkname=linkname,
            )
            builder.files.append(entry)
            wanting = builder.wanting(entry)
            if not wanting:
                continue
            if kind is FileKind.HARDLINK:
                data = recent.get(linkname)
                if data is None:
                    builder.warn(f"hard link target {linkname!r} was not read; content unavailable", path)
                    continue
            elif member.size > limits.max_file_size:
                builder.warn(f"file of {member.size} bytes is over the --max-file-size limit; not read", path)
                continue
            else:
                data = reader.read()
                if len(data) <= _LINK_MEMORY_BYTES:
                    recent[path] = data
                    recent_bytes += len(data)
                    while recent_bytes > _LINK_MEMORY_BYTES:
                        _, old = recent.popitem(last=False)
                        recent_bytes -= len(old)
            builder.run(wanting, path, data)
    except HullscanError:
        raise
    except (TarError, EOFError, OSError, zlib.error, ValueError) as exc:
        raise BlobError(f"{what}: corrupt or truncated layer ({_describe(exc)})") from None
    except Exception as exc:
        # zstandard.ZstdError and friends: decompressor failures are corrupt input, not bugs.
        if type(exc).__module__.startswith(("zstandard", "isal")):
            raise BlobError(f"{what}: corrupt or truncated layer ({_describe(exc)})") from None
        raise
    return builder


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


# ------------------------------------------------------------------------------------------- root filesystems

# Kernel and device trees: not part of any image, and reading them can hang or never end.
ROOTFS_SKIP = frozenset({"proc", "sys", "dev", "run", "tmp/.X11-unix"})


def _kind_of(st: os.stat_result) -> FileKind | None:
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return FileKind.FILE
    if stat.S_ISDIR(mode):
        return FileKind.DIR
    if stat.S_ISLNK(mode):
        return FileKind.SYMLINK
    if stat.S_ISCHR(mode):
        return FileKind.CHAR
    if stat.S_ISBLK(mode):
        return FileKind.BLOCK
    if stat.S_ISFIFO(mode):
        return FileKind.FIFO
    return None  # sockets


def walk_rootfs(
    root: Path,
    extractors: Extractors,
    *,
    limits: Limits,
    skip: Iterable[str] = (),
    tick: Callable[[], None] | None = None,
) -> LayerFacts:
    """Walk a root filesystem directory as if it were one layer. Symlinks are recorded, never followed."""
    builder = _FactsBuilder(extractors, limits)
    skipped = set(ROOTFS_SKIP) | {s.strip("/") for s in skip}
    stack = [""]
    total = 0
    while stack:
        rel_dir = stack.pop()
        try:
            it = os.scandir(root / rel_dir if rel_dir else root)
        except OSError as exc:
            builder.warn(f"directory not readable: {exc.strerror}", rel_dir)
            continue
        with it:
            for dirent in it:
                rel = f"{rel_dir}/{dirent.name}" if rel_dir else dirent.name
                if rel in skipped:
                    continue
                try:
                    st = dirent.stat(follow_symlinks=False)
                except OSError:
                    continue
                kind = _kind_of(st)
                if kind is None:
                    continue
                if tick is not None:
                    tick()
                linkname = ""
                if kind is FileKind.SYMLINK:
                    try:
                        linkname = os.readlink(dirent.path)
                    except OSError:
                        linkname = ""
                entry = FileEntry(
                    path=rel,
                    kind=kind,
                    mode=st.st_mode & 0o7777,
                    size=st.st_size if kind is FileKind.FILE else 0,
                    uid=st.st_uid,
                    gid=st.st_gid,
                    linkname=linkname,
                )
                builder.files.append(entry)
                if kind is FileKind.DIR:
                    stack.append(rel)
                    continue
                if kind is FileKind.FILE:
                    total += st.st_size
                    wanting = builder.wanting(entry)
                    if not wanting:
                        continue
                    if st.st_size > limits.max_file_size:
                        builder.warn(f"file of {st.st_size} bytes is over the --max-file-size limit", rel)
                        continue
                    try:
                        fd = os.open(dirent.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                        with os.fdopen(fd, "rb") as fh:
                            data = fh.read(limits.max_file_size + 1)
                    except OSError as exc:
                        builder.warn(f"file not readable: {exc.strerror}", rel)
                        continue
                    builder.run(wanting, rel, data)
    return builder.build("", total)
