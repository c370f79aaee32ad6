"""Helpers for the Ruby / PHP / .NET and lock-file extractor tests (tests/extract/test_gem.py, test_composer.py,
test_dotnet.py, test_lockfiles.py).

* :func:`locks_walk` runs the real layer walker over in-memory layers and returns the squashed view and the
  walker's warnings, so a test sees exactly what a scan would (wants, extract, ExtractError -> warning).
* :func:`locks_scan_image` writes an OCI layout from tar entries and scans it end to end with ``scan_image``.
* :func:`locks_dir_entries` turns files of a real directory tree into tar entries at chosen image paths.
* :func:`locks_cached_build` runs a build recipe (a real tool against a real registry) once, caching its output
  under ``/tmp/hullscan-test-lang/<name>-<hash of the recipe>`` behind an fcntl lock, as
  ``support.images.debian_images`` does for the Debian build.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from hullscan.extract.base import Extractor
from hullscan.image.blob import Limits
from hullscan.image.facts import FactWarning
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.image.squash import SquashedView
from hullscan.image.walker import walk_tar
from hullscan.model import LayerRef
from hullscan.scan import ScanOptions, ScanResult, scan_image
from support.images import TarEntrySpec, build_layer_tar, write_oci_layout

LangLayer = Mapping[str, bytes | None]
"""Image path -> content; ``None`` deletes the path from the layers below (a whiteout)."""

CACHE_ROOT_ENV = "HULLSCAN_TEST_LANG"
DEFAULT_CACHE_ROOT = "/tmp/hullscan-test-lang"


def locks_layer_entries(files: LangLayer) -> list[TarEntrySpec]:
    entries: list[TarEntrySpec] = []
    for path, content in files.items():
        entries.append(TarEntrySpec.whiteout(path) if content is None else TarEntrySpec.file(path, content))
    return entries


def locks_walk(
    extractors: Sequence[Extractor[object]], *layers: LangLayer
) -> tuple[SquashedView, list[FactWarning]]:
    """The squashed view of ``layers`` as the real walker reads them, and every warning it recorded."""
    refs = []
    warnings: list[FactWarning] = []
    for index, files in enumerate(layers):
        tar = build_layer_tar(locks_layer_entries(files))
        diff_id = "sha256:" + hashlib.sha256(tar).hexdigest()
        builder = walk_tar(io.BytesIO(tar), extractors, limits=Limits(), what=f"layer {index}")
        facts = builder.build(diff_id, len(tar))
        warnings.extend(facts.warnings)
        refs.append((LayerRef(index=index, digest=diff_id, diff_id=diff_id, created_by=f"step {index}"), facts))
    return SquashedView(refs), warnings


def locks_scan_image(
    directory: Path, extractors: Sequence[Extractor[object]], layers: Sequence[Sequence[TarEntrySpec]],
    history: Sequence[str] | None = None,
) -> ScanResult:
    """Build an OCI layout of ``layers`` in ``directory`` and scan it with ``scan_image`` (no cache)."""
    layout = write_oci_layout(directory, layers, history=history)
    return scan_image(open_source(layout.ref, SourceOptions()), ScanOptions(extractors=tuple(extractors)))


def locks_dir_entries(files: Iterable[tuple[Path, str]]) -> list[TarEntrySpec]:
    """Tar entries for real files: ``(file on disk, path in the image)`` pairs, content read now."""
    return [TarEntrySpec.file(image_path.lstrip("/"), disk.read_bytes()) for disk, image_path in files]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def locks_cached_build(name: str, recipe: str, build: Callable[[Path], None]) -> Path:
    """The directory ``build`` filled for ``recipe``, built once and reused while the recipe is unchanged.

    ``build`` receives an empty work directory; only when it returns is the directory renamed into place (with a
    ``.done`` marker), so a killed build is never mistaken for a finished one.
    """
    root = Path(os.environ.get(CACHE_ROOT_ENV) or DEFAULT_CACHE_ROOT)
    final = root / f"{name}-{hashlib.sha256(recipe.encode()).hexdigest()[:16]}"
    if (final / ".done").is_file():
        return final
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f".{final.name}.lock"):
        if (final / ".done").is_file():
            return final
        for stale in root.glob(f".{final.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if final.exists():
            shutil.rmtree(final)
        work = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=root))
        try:
            build(work)
            (work / ".done").write_text(recipe)
            work.chmod(0o755)
            work.rename(final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return final
