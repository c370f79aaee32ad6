"""The ``file`` scanner: permissions, key material, minimal-image hygiene, caches and layer efficiency.

It reads no file content, only the metadata every layer walk records anyway (``FileEntry`` lists, whiteouts,
opaque directories) plus the inventory's package file lists, so it adds no extractor (``extractors()`` is
``()``), no layer read and no cache entry, and a rescan from the layer cache runs it at memory speed.
Content-based detection (a private key under an innocent name) is the secret scanner's job.
"""

from __future__ import annotations

from collections.abc import Iterator

from hullscan.checks.base import CheckContext, ScannerConfig
from hullscan.checks.file import caches, efficiency, keys, minimal, permissions
from hullscan.checks.file.common import ImageIndex, Owners
from hullscan.extract.base import Extractor
from hullscan.model import Finding


class FileScanner:
    """Findings about the files of the image, from their metadata alone (see the module docstring)."""

    name = "file"

    def __init__(self, config: ScannerConfig, *, wasted_threshold: int = efficiency.DEFAULT_THRESHOLD) -> None:
        self.config = config
        self.wasted_threshold = wasted_threshold
        """Bytes a layer must waste before it gets a ``file/wasted-bytes`` finding."""

    def extractors(self) -> tuple[Extractor[object], ...]:
        return ()

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        index = ImageIndex(ctx.view)
        owners = Owners(ctx.inventory.packages, ctx.view)
        yield from permissions.check(index.squashed(), owners)
        yield from keys.check(index, owners)
        yield from minimal.check(ctx.image, index)
        yield from caches.check(index)
        yield from efficiency.check(index, self.wasted_threshold)
