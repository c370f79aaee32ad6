"""Orchestration: the only module that knows every stage.

source ─► resolve ─► per-layer facts (cache, or one pass over the blob) ─► squash ─► inventory
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from hullscan.cache.directory import DirectoryCache, layer_key
from hullscan.checks.base import ScannerConfig
from hullscan.errors import HullscanError, ImageError, UsageError
from hullscan.extract.base import Extractor, signature
from hullscan.extract.osrelease import detect_distro
from hullscan.extract.packages import AssemblyWarnings, PackageAssembler
from hullscan.image.blob import LayerStream, Limits
from hullscan.image.facts import LayerFacts
from hullscan.image.oci import layer_history
from hullscan.image.source import ImageSource
from hullscan.image.squash import SquashedView
from hullscan.image.walker import walk_rootfs, walk_tar
from hullscan.model import Finding, ImageInfo, Inventory, Layer, LayerRef, Package, Warning_

if TYPE_CHECKING:
    from hullscan.checks.base import Scanner
    from hullscan.filters.pipeline import FilterReport
    from hullscan.vulndb.store import Store


class Progress:
    """Receives progress events; the CLI draws bars from them. The default does nothing."""

    def layer_start(self, layer: Layer, total_layers: int) -> None: ...
    def layer_bytes(self, done: int) -> None: ...
    def layer_done(self, layer: Layer, cached: bool) -> None: ...


@dataclass(frozen=True, slots=True)
class ScanOptions:
    extractors: tuple[Extractor[object], ...]
    limits: Limits = field(default_factory=Limits)
    cache: DirectoryCache | None = None
    progress: Progress = field(default_factory=Progress)
    rootfs_skip: tuple[str, ...] = ()
    store: Store | None = None
    """The advisory store to match against; ``None`` gives the inventory and the non-vulnerability checks only."""
    scanners: tuple[Scanner, ...] = ()
    """Detectors beyond package matching (secrets, misconfiguration...); see :mod:`hullscan.checks.base`."""
    scanner_config: ScannerConfig = field(default_factory=ScannerConfig)

    def all_extractors(self) -> tuple[Extractor[object], ...]:
        """The package extractors and every scanner's, each name once."""
        out = list(self.extractors)
        names = {e.name for e in out}
        for scanner in self.scanners:
            for ext in scanner.extractors():
                if ext.name not in names:
                    names.add(ext.name)
                    out.append(ext)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class ScanStats:
    layers: int = 0
    layers_from_cache: int = 0
    blobs_read: int = 0
    bytes_read: int = 0
    uncompressed_bytes: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class ScanResult:
    image: ImageInfo
    view: SquashedView
    inventory: Inventory
    stats: ScanStats
    findings: tuple[Finding, ...] = ()
    filters: FilterReport | None = None
    """What the ignore files, VEX and selection flags took out (set by the CLI after filtering)."""


def detect(inventory: Inventory, store: Store | None = None, today: date | None = None) -> tuple[Finding, ...]:
    """Every check over the inventory (and the advisory store, when one is given): EOL first, then
    vulnerabilities by risk."""
    from hullscan.checks import os_eol

    findings = os_eol.check(inventory, today or date.today())
    if store is not None:
        from hullscan.match import match_inventory

        findings += match_inventory(inventory, store)
    return tuple(findings)


def run_scanners(image: ImageInfo, view: SquashedView, inventory: Inventory, findings: tuple[Finding, ...],
                 options: ScanOptions, today: date | None = None) -> tuple[Finding, ...]:
    """The package findings followed by every scanner's, in scanner order."""
    if not options.scanners:
        return findings
    from hullscan.checks.base import CheckContext

    ctx = CheckContext(image, view, inventory, findings, options.scanner_config, today or date.today())
    out = list(findings)
    for scanner in options.scanners:
        out.extend(scanner.check(ctx))
    return tuple(out)


def _ticker(progress: Progress, stream: LayerStream) -> Callable[[], None]:
    """Report bytes read at most once per MiB: a layer has thousands of files, the bar needs no more."""
    last = 0

    def tick() -> None:
        nonlocal last
        done = stream.outer.count
        if done - last >= 1 << 20:
            last = done
            progress.layer_bytes(done)

    return tick


def _layer_ref(layer: Layer) -> LayerRef:
    return LayerRef(layer.index, layer.digest, layer.diff_id, layer.created_by)


def scan_image(source: ImageSource, options: ScanOptions) -> ScanResult:
    started = time.perf_counter()
    resolved = source.resolve()
    config = resolved.config
    manifest = resolved.manifest
    if len(manifest.layers) != len(config.diff_ids):
        raise ImageError(
            f"{source.name}: the manifest lists {len(manifest.layers)} layers but the config has "
            f"{len(config.diff_ids)} diff_ids"
        )
    # Reports print each layer's instruction: build arguments and ENV values that hold credentials are masked
    # there (the scanners read the raw history from the config).
    from hullscan.checks.misconfig.hits import redact

    created_by = [redact(text) for text in layer_history(config)]
    layers = tuple(
        Layer(
            index=i,
            digest=desc.digest or diff_id,
            diff_id=diff_id,
            media_type=desc.media_type,
            size=desc.size,
            created_by=created_by[i],
        )
        for i, (desc, diff_id) in enumerate(zip(manifest.layers, config.diff_ids, strict=True))
    )
    extractors = options.all_extractors()
    sig = signature(extractors)
    facts: dict[str, LayerFacts] = {}
    if options.cache is not None:
        for layer in layers:
            if layer.diff_id not in facts:
                hit = options.cache.get(layer_key(layer.diff_id, sig))
                if hit is not None:
                    facts[layer.diff_id] = hit
                    options.progress.layer_done(layer, cached=True)
    from_cache = len(facts)

    # Each distinct diffID is read once, even when the manifest repeats a layer.
    todo: dict[str, tuple[Layer, int]] = {}
    for i, layer in enumerate(layers):
        if layer.diff_id not in facts and layer.diff_id not in todo:
            todo[layer.diff_id] = (layer, i)
    by_digest = {id(manifest.layers[i]): layer for layer, i in todo.values()}
    fresh: dict[str, LayerFacts] = {}
    bytes_read = 0
    uncompressed = 0
    if todo:
        descs = [manifest.layers[i] for _, i in todo.values()]
        for desc, raw in source.iter_blobs(descs):
            layer = by_digest[id(desc)]
            what = f"{source.name}: layer {layer.index + 1}/{len(layers)} {layer.digest[:19]}"
            options.progress.layer_start(layer, len(layers))
            stream = LayerStream(
                raw, digest=desc.digest, diff_id=layer.diff_id, size=desc.size, what=what,
                limits=options.limits,
            )
            try:
                builder = walk_tar(
                    stream.tar,
                    extractors,
                    limits=options.limits,
                    what=what,
                    tick=_ticker(options.progress, stream),
                )
                size = stream.finish()
            except HullscanError:
                raise
            except (OSError, EOFError, ValueError) as exc:
                raise ImageError(f"{what}: corrupt or truncated layer ({exc})") from None
            finally:
                stream.close()
            bytes_read += stream.outer.count
            uncompressed += size
            fresh[layer.diff_id] = builder.build(layer.diff_id, size)
            options.progress.layer_done(layer, cached=False)
    # The cache is written only once every layer was read and verified: a failed scan leaves it as it was.
    if options.cache is not None:
        for diff_id, f in fresh.items():
            options.cache.put(layer_key(diff_id, sig), f)
    facts.update(fresh)

    image = ImageInfo(
        name=source.name,
        source=source.kind,
        manifest_digest=resolved.manifest_digest,
        config=config,
        layers=layers,
        repo_tags=resolved.repo_tags,
        repo_digests=resolved.repo_digests,
    )
    view = SquashedView([(_layer_ref(layer), facts[layer.diff_id]) for layer in layers])
    stats = ScanStats(
        layers=len(layers),
        layers_from_cache=from_cache,
        blobs_read=len(fresh),
        bytes_read=bytes_read,
        uncompressed_bytes=uncompressed,
        seconds=time.perf_counter() - started,
    )
    inventory = build_inventory(view, layers, facts, extractors)
    findings = run_scanners(image, view, inventory, detect(inventory, options.store), options)
    return ScanResult(image, view, inventory, stats, findings)


def scan_rootfs(root: Path, options: ScanOptions) -> ScanResult:
    started = time.perf_counter()
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory")
    layer = Layer(index=0, digest="", diff_id="", media_type="", size=0, created_by="")
    extractors = options.all_extractors()
    facts = walk_rootfs(root, extractors, limits=options.limits, skip=options.rootfs_skip)
    image = ImageInfo(name=f"rootfs:{root}", source="rootfs", manifest_digest="", config=None, layers=(layer,))
    view = SquashedView([(_layer_ref(layer), facts)])
    stats = ScanStats(layers=1, uncompressed_bytes=facts.uncompressed_size,
                      seconds=time.perf_counter() - started)
    inventory = build_inventory(view, (layer,), {"": facts}, extractors)
    findings = run_scanners(image, view, inventory, detect(inventory, options.store), options)
    return ScanResult(image, view, inventory, stats, findings)


def drop_os_owned(packages: list[Package], view: SquashedView) -> list[Package]:
    """Report a language package once, as the OS package, when an OS package owns the file it was found in.

    Debian's ``python3-*`` in ``dist-packages``, node modules in ``/usr/share/nodejs``, jars in
    ``/usr/share/java``, Alpine's ``py3-*``: the distro patches them and its advisories say so, so matching them
    as PyPI/npm/Maven packages would report fixed bugs and miss the distro's own.
    """
    owned: set[str] = set()
    for p in packages:
        if p.type.is_os:
            owned.update(p.files)
    if not owned:
        return packages
    kept = []
    for p in packages:
        if not p.type.is_os and p.found_in:
            outer = p.found_in.split("!", 1)[0]  # a jar nested in an archive: the archive on disk decides
            if outer in owned or view.resolve(outer) in owned:
                continue
        kept.append(p)
    return kept


def build_inventory(
    view: SquashedView,
    layers: Sequence[Layer],
    facts: dict[str, LayerFacts],
    extractors: Sequence[Extractor[object]],
) -> Inventory:
    warnings: list[Warning_] = []
    seen: set[str] = set()
    for layer in layers:
        if layer.diff_id in seen:
            continue
        seen.add(layer.diff_id)
        for w in facts[layer.diff_id].warnings:
            warnings.append(Warning_(w.message, w.path, _layer_ref(layer), w.extractor))
    distro = detect_distro(view)
    packages: list[Package] = []
    for ext in extractors:
        if isinstance(ext, PackageAssembler):
            packages.extend(ext.packages(view, distro[0] if distro else None))
        if isinstance(ext, AssemblyWarnings):
            warnings.extend(ext.warnings(view))
    packages = drop_os_owned(packages, view)
    packages.sort(key=lambda p: (p.type.value, p.namespace, p.name, p.version, p.arch, p.found_in))
    return Inventory(
        distro=distro[0] if distro else None,
        distro_layer=distro[1] if distro else None,
        packages=tuple(packages),
        file_count=len(view),
        warnings=tuple(warnings),
    )


