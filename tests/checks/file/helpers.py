"""Layers for the file checks, built entry by entry: exact modes, owners, sizes, hard links, whiteouts and
opaque directories, which ``support.views`` (content-driven, always 0644) cannot express.

The facts go through the cache encoding and back, as a rescan would see them; a file given ``content`` is also
read by the OS-release extractor, so distroless detection runs on a real payload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import msgspec

from hullscan.checks.base import CheckContext, ScannerConfig
from hullscan.checks.file import FileScanner
from hullscan.extract.osrelease import OSReleaseExtractor
from hullscan.image.facts import LayerFacts, decode_facts, encode_facts, encode_payload
from hullscan.image.squash import SquashedView
from hullscan.model import (
    ContainerConfig,
    FileEntry,
    FileKind,
    Finding,
    ImageConfig,
    ImageInfo,
    Inventory,
    LayerRef,
    Package,
    PackageType,
)

MiB = 1 << 20

DISTROLESS_OS_RELEASE = (
    b'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\n'
    b'HOME_URL="https://github.com/GoogleContainerTools/distroless"\n'
)
DEBIAN_OS_RELEASE = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'


def f(path: str, size: int = 10, mode: int = 0o644, *, uid: int = 0, gid: int = 0,
      content: bytes | None = None) -> tuple[FileEntry, bytes | None]:
    """A regular file (``content`` sets its size and is offered to the extractors)."""
    if content is not None:
        size = len(content)
    return FileEntry(path, FileKind.FILE, mode, size, uid, gid), content


def d(path: str, mode: int = 0o755) -> tuple[FileEntry, bytes | None]:
    return FileEntry(path, FileKind.DIR, mode, 0), None


def link(path: str, target: str) -> tuple[FileEntry, bytes | None]:
    return FileEntry(path, FileKind.SYMLINK, 0o777, 0, linkname=target), None


def hard(path: str, target: str, mode: int = 0o644) -> tuple[FileEntry, bytes | None]:
    return FileEntry(path, FileKind.HARDLINK, mode, 0, linkname=target), None


def dev(path: str, mode: int = 0o666) -> tuple[FileEntry, bytes | None]:
    return FileEntry(path, FileKind.CHAR, mode, 0), None


@dataclass(frozen=True, slots=True)
class L:
    """One layer: its entries, what it deletes, and the build step that made it."""

    entries: Sequence[tuple[FileEntry, bytes | None]] = ()
    whiteouts: tuple[str, ...] = ()
    opaque: tuple[str, ...] = ()
    created_by: str = ""


def _facts(index: int, layer: L) -> tuple[LayerRef, LayerFacts]:
    extractor = OSReleaseExtractor()
    results: dict[str, dict[str, msgspec.Raw]] = {}
    for entry, content in layer.entries:
        if content is not None and extractor.wants(entry.path, entry):
            payload = extractor.extract(entry.path, content)
            if payload is not None:
                results.setdefault(extractor.name, {})[entry.path] = encode_payload(payload)
    diff_id = f"sha256:{index + 1:064x}"
    facts = decode_facts(encode_facts(LayerFacts(
        diff_id=diff_id, files=tuple(e for e, _ in layer.entries), whiteouts=layer.whiteouts,
        opaque_dirs=layer.opaque, results=results)))
    return LayerRef(index, f"sha256:{index + 0xA0:064x}", diff_id, layer.created_by or f"RUN step {index + 1}"), facts


def view(*layers: L) -> SquashedView:
    return SquashedView([_facts(i, layer) for i, layer in enumerate(layers)])


def deb(name: str, *files: str) -> Package:
    return Package(PackageType.DEB, name, "1.0-1", files=tuple(files))


def context(v: SquashedView, packages: Sequence[Package] = (), labels: Sequence[tuple[str, str]] = ()) -> CheckContext:
    config = ImageConfig(digest="sha256:" + "c" * 64, os="linux", architecture="amd64", variant="", created="",
                         diff_ids=tuple(ref.diff_id for ref in v.layers), history=(),
                         container=ContainerConfig(labels=tuple(labels)))
    image = ImageInfo(name="test", source="oci", manifest_digest="", config=config, layers=())
    return CheckContext(image=image, view=v, inventory=Inventory(distro=None, packages=tuple(packages)),
                        findings=(), config=ScannerConfig(mode="full"), today=date(2024, 6, 1))


def scan(*layers: L, packages: Sequence[Package] = (), labels: Sequence[tuple[str, str]] = (),
         threshold: int = MiB) -> list[Finding]:
    """Every finding of the file scanner over ``layers`` (bottom first)."""
    scanner = FileScanner(ScannerConfig(mode="full"), wasted_threshold=threshold)
    return list(scanner.check(context(view(*layers), packages, labels)))


def by_check(findings: Sequence[Finding], check: str) -> list[Finding]:
    return [x for x in findings if x.check == check]


def detail(finding: Finding, label: str) -> str:
    values = [v for k, v in finding.details if k == label]
    assert len(values) == 1, (label, finding.details)
    return values[0]
