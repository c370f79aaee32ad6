"""Real Java libraries for the lang/java tests: Debian's Java library packages, unpacked once and cached.

``debian_java_root()`` downloads a fixed list of Debian packages with ``apt-get download`` (the machine's own
apt sources; no root, nothing installed) and unpacks them with ``dpkg-deb -x`` into
``/tmp/hullscan-test-lang/java-debs-<hash of the recipe>/root``. The jars land in ``usr/share/java`` and the
Maven repository Debian builds from them (a ``.pom`` per artifact beside a symlink to the jar) in
``usr/share/maven-repo``: what Maven itself would resolve, and so what the tests hold the extractor to.

``java_tree_entries`` turns such a tree into tar entries for an image built in code, and
``debian_maven_coordinates`` reads the poms (never through hullscan code). ``java_walk`` runs the real layer
walker over in-memory layers, and ``java_scan_image`` scans an OCI layout built from tar entries end to end.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from hullscan.extract.base import Extractor
from hullscan.image.blob import Limits
from hullscan.image.facts import FactWarning, decode_facts, encode_facts
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.image.squash import SquashedView
from hullscan.image.walker import walk_tar
from hullscan.model import LayerRef
from hullscan.scan import ScanOptions, ScanResult, scan_image
from support.images import TarEntrySpec, build_layer_tar, write_oci_layout

DEBIAN_JAVA_PACKAGES: tuple[str, ...] = (
    "libcommons-lang3-java",
    "libjackson2-core-java",
    "liblog4j2-java",
    "libguava-java",
    "libslf4j-java",
    "libcommons-io-java",
    "libcommons-codec-java",
    "libgoogle-gson-java",
    "libhttpclient-java",
    "libhttpcore-java",
    "libguice-java",
    "libcommons-logging-java",
)
"""Maven-built jars (with ``pom.properties``), jars with only a manifest (Guice, commons-logging), a shaded jar
(Guice's cglib), and the packages the task names."""

_DONE = "done"


class JavaBuildError(RuntimeError):
    """Fetching or unpacking the Debian packages failed; the message says how to fix it."""


def lang_cache_dir() -> Path:
    """``$HULLSCAN_TEST_LANG`` if set, else ``/tmp/hullscan-test-lang``."""
    return Path(os.environ.get("HULLSCAN_TEST_LANG") or "/tmp/hullscan-test-lang")


def _recipe_key(packages: tuple[str, ...]) -> str:
    recipe = "\n".join(["apt-get download + dpkg-deb -x", *sorted(packages)])
    return "java-debs-" + hashlib.sha256(recipe.encode()).hexdigest()[:16]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _run(argv: list[str], cwd: Path) -> None:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise JavaBuildError(
            f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-2000:]}\n"
            "The lang/java tests need Debian's apt sources reachable (apt-get download) and dpkg-deb."
        )


def debian_java_root(packages: tuple[str, ...] = DEBIAN_JAVA_PACKAGES) -> Path:
    """The unpacked packages (a directory holding ``usr/share/java`` and ``usr/share/maven-repo``), built once.

    Concurrent callers are serialised by an fcntl lock beside the cache directory; the work happens in a
    temporary sibling that is renamed into place only when complete."""
    base = lang_cache_dir()
    final = base / _recipe_key(packages)
    if (final / _DONE).is_file():
        return final / "root"
    base.mkdir(parents=True, exist_ok=True)
    with _locked(base / f".{final.name}.lock"):
        if (final / _DONE).is_file():
            return final / "root"
        for stale in base.glob(f".{final.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if final.exists():
            shutil.rmtree(final)
        work = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=base))
        try:
            debs = work / "debs"
            debs.mkdir()
            _run(["apt-get", "download", *packages], debs)
            root = work / "root"
            root.mkdir()
            for deb in sorted(debs.glob("*.deb")):
                _run(["dpkg-deb", "-x", str(deb), str(root)], work)
            (work / "versions.txt").write_text("\n".join(sorted(p.name for p in debs.glob("*.deb"))) + "\n")
            (work / _DONE).write_text("ok\n")
            work.chmod(0o755)
            work.rename(final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return final / "root"


def java_tree_entries(root: Path, *, prefix: str = "") -> list[TarEntrySpec]:
    """Every directory, file and symlink under ``root`` as tar entries (paths relative to ``root``, under
    ``prefix``), in sorted order."""
    out: list[TarEntrySpec] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        here = Path(dirpath)
        rel_dir = here.relative_to(root).as_posix()
        if rel_dir != ".":
            out.append(TarEntrySpec.directory(f"{prefix}{rel_dir}"))
        for name in sorted(filenames + [d for d in dirnames if (here / d).is_symlink()]):
            path = here / name
            rel = f"{prefix}{path.relative_to(root).as_posix()}"
            if path.is_symlink():
                out.append(TarEntrySpec.symlink(rel, os.readlink(path)))
            elif path.is_file():
                out.append(TarEntrySpec.file(rel, path.read_bytes(), mode=path.stat().st_mode & 0o7777))
    return out


def _resolve_inside(root: Path, path: Path) -> Path | None:
    """Follow symlinks as if ``root`` were ``/`` (Debian's maven-repo links are absolute or ``../``-relative)."""
    current = path
    for _ in range(40):
        if not current.is_symlink():
            return current if current.exists() else None
        target = os.readlink(current)
        current = root / target.lstrip("/") if target.startswith("/") else current.parent / target
        current = Path(os.path.normpath(current))
    return None


def _pom_text(element: ET.Element, name: str) -> str:
    for child in element:
        if child.tag.rpartition("}")[2] == name:
            return (child.text or "").strip()
    return ""


def read_pom_coordinates(pom: Path) -> tuple[str, str, str]:
    """``(groupId, artifactId, version)`` of a pom, the groupId and version inherited from ``<parent>``."""
    # Trusted input: poms from Debian's own packages, read by the test only.
    project = ET.fromstring(pom.read_bytes())  # noqa: S314
    parent = next((c for c in project if c.tag.rpartition("}")[2] == "parent"), None)
    group = _pom_text(project, "groupId") or (_pom_text(parent, "groupId") if parent is not None else "")
    version = _pom_text(project, "version") or (_pom_text(parent, "version") if parent is not None else "")
    return group, _pom_text(project, "artifactId"), version


def debian_maven_coordinates(root: Path) -> dict[str, set[tuple[str, str, str]]]:
    """For each real jar under ``usr/share/java`` (path relative to ``root``), the Maven coordinates of the poms
    in ``usr/share/maven-repo`` whose jar links to it. Debian's compatibility versions (``debian``, ``3.x``)
    are left out: they are aliases Debian adds, not what upstream published."""
    out: dict[str, set[tuple[str, str, str]]] = {}
    repo = root / "usr/share/maven-repo"
    for pom in sorted(repo.rglob("*.pom")):
        version_dir = pom.parent.name
        if version_dir == "debian" or version_dir.endswith(".x"):
            continue
        coordinates = read_pom_coordinates(pom)
        for link in sorted(pom.parent.glob("*.jar")):
            real = _resolve_inside(root, link)
            if real is None or not real.is_relative_to(root / "usr/share/java"):
                continue
            out.setdefault(real.relative_to(root).as_posix(), set()).add(coordinates)
    return out


def is_placeholder_version(version: str) -> bool:
    """Debian's alias versions in its maven-repo: ``debian`` and the compatibility ``9.x``, ``0.x``."""
    return version == "debian" or version.endswith(".x")


def real_jars(root: Path) -> list[str]:
    """Every jar file under ``root`` that is a real file (symlinks resolved as if ``root`` were ``/``, each target
    once), as paths relative to ``root``."""
    out: set[str] = set()
    for path in root.rglob("*.jar"):
        real = _resolve_inside(root, path)
        if real is not None and real.is_file() and real.is_relative_to(root):
            out.add(real.relative_to(root).as_posix())
    return sorted(out)


def debian_maven_poms(root: Path) -> dict[str, set[tuple[str, str, str]]]:
    """For each real jar under ``root`` (anywhere, the maven-repo included), the coordinates of every pom in
    ``usr/share/maven-repo`` whose jar links to it, Debian's alias versions (:func:`is_placeholder_version`)
    included."""
    out: dict[str, set[tuple[str, str, str]]] = {}
    for pom in sorted((root / "usr/share/maven-repo").rglob("*.pom")):
        coordinates = read_pom_coordinates(pom)
        for link in sorted(pom.parent.glob("*.jar")):
            real = _resolve_inside(root, link)
            if real is None or not real.is_relative_to(root):
                continue
            out.setdefault(real.relative_to(root).as_posix(), set()).add(coordinates)
    return out


# ---------------------------------------------------------------------------------------------- images

JavaLayer = Mapping[str, bytes | None]
"""Image path -> content; ``None`` deletes the path from the layers below (a whiteout)."""


def java_layer_entries(files: JavaLayer) -> list[TarEntrySpec]:
    return [TarEntrySpec.whiteout(p) if data is None else TarEntrySpec.file(p, data) for p, data in files.items()]


def java_walk(extractors: Sequence[Extractor[object]], *layers: JavaLayer) -> tuple[SquashedView, list[FactWarning]]:
    """The squashed view of ``layers`` as the real walker reads them (through the cache encoding and back, as a
    rescan sees them), and every warning the walker recorded."""
    refs = []
    warnings: list[FactWarning] = []
    for index, files in enumerate(layers):
        tar = build_layer_tar(java_layer_entries(files))
        diff_id = "sha256:" + hashlib.sha256(tar).hexdigest()
        facts = walk_tar(io.BytesIO(tar), extractors, limits=Limits(), what=f"layer {index}").build(diff_id, len(tar))
        facts = decode_facts(encode_facts(facts))
        warnings.extend(facts.warnings)
        refs.append((LayerRef(index=index, digest=diff_id, diff_id=diff_id, created_by=f"step {index}"), facts))
    return SquashedView(refs), warnings


def java_scan_image(
    directory: Path, extractors: Sequence[Extractor[object]], layers: Sequence[Sequence[TarEntrySpec]]
) -> ScanResult:
    """Build an OCI layout of ``layers`` in ``directory`` and scan it with ``scan_image`` (no cache)."""
    layout = write_oci_layout(directory, layers, history=[f"step {i}" for i in range(len(layers))])
    return scan_image(open_source(layout.ref, SourceOptions()), ScanOptions(extractors=tuple(extractors)))
