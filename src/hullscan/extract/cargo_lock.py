"""lang/cargo-lock: the crates a ``Cargo.lock`` pins, trimmed to what the project builds when its ``Cargo.toml``
is beside it.

``Cargo.lock`` is TOML (https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html): one
``[[package]]`` table per crate with ``name``, ``version``, ``source`` (absent for the workspace's own crates and
path dependencies), ``checksum`` (a SHA-256 of the ``.crate`` file, v2 and later) and ``dependencies``. A
dependency is written ``name`` when the name is unique in the file, ``name version`` otherwise, and (v1)
``name version (source)``. Lock file v1 keeps the checksums in a ``[metadata]`` table instead, keyed
``"checksum <name> <version> (<source>)"``. The ``version = N`` line at the top (3, 4) is absent in v1/v2.

A lock file also pins the dev-dependencies of the workspace's crates, which are never part of what is built
for release. When the ``Cargo.toml`` next to the lock file names a ``[package]`` that the lock file has, only
the crates reachable from it through its ``[dependencies]``, ``[build-dependencies]`` and their
``[target.'cfg(...)']`` variants are reported (as Trivy does with the same two files); without a usable
manifest every locked crate is reported.

Packages are ``declared`` (pinned, not seen installed); the crates without ``source`` (the workspace's own) are
``main_module``. PURLs are ``pkg:cargo/<name>@<version>``; checksums ``sha256:<hex>``.

Lock files and manifests of downloaded crates (``.cargo/registry/``, ``.cargo/git/``, ``vendor/``) describe how
those crates were developed, not what is installed, and are not read.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from packageurl import PackageURL

from hullscan.extract.base import ExtractError
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType

NAME = "lang/cargo-lock"
VERSION = 1

LOCK_FILE = "Cargo.lock"
MANIFEST_FILE = "Cargo.toml"
MAX_FILE_SIZE = 32 << 20
_SKIPPED_DIRS = (".cargo/registry/", ".cargo/git/")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_METADATA_CHECKSUM = re.compile(r"checksum (\S+) (\S+) \((.+)\)")


@dataclass(frozen=True, slots=True)
class LockedCrate:
    """One ``[[package]]`` table, as written (v1 checksums moved in from ``[metadata]``)."""

    name: str
    version: str
    source: str = ""
    checksum: str = ""
    dependencies: tuple[str, ...] = ()
    """As written: ``name``, ``name version`` or ``name version (source)``."""


@dataclass(frozen=True, slots=True)
class CargoLock:
    lock_version: int
    """The ``version`` key (3, 4); 1 when absent (v1 and v2 files carry none)."""
    packages: tuple[LockedCrate, ...] = ()


@dataclass(frozen=True, slots=True)
class CargoManifest:
    """What a ``Cargo.toml`` says about its package's dependencies (names of packages, renames resolved)."""

    name: str = ""
    version: str = ""
    dependencies: tuple[str, ...] = ()
    """``[dependencies]`` and ``[build-dependencies]``, platform-specific ones included."""
    dev_dependencies: tuple[str, ...] = ()
    workspace: bool = False
    """Has a ``[workspace]`` table: other members' manifests would be needed to trim, so nothing is trimmed."""


@dataclass(frozen=True, slots=True)
class CargoFile:
    """The payload: one of the two, according to the file read."""

    lock: CargoLock | None = None
    manifest: CargoManifest | None = None


# ---------------------------------------------------------------------------------------------- parsing


def _toml(data: bytes, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ExtractError(f"{path}: not valid TOML ({exc})") from None


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_lock(data: bytes, path: str = LOCK_FILE) -> CargoLock:
    """A ``Cargo.lock``. Raises :class:`ExtractError` for invalid TOML or a package without name or version.

    >>> lock = parse_lock(b'version = 3\\n[[package]]\\nname = "app"\\nversion = "0.1.0"\\ndependencies = ["libc"]\\n')
    >>> lock.lock_version, lock.packages[0]
    (3, LockedCrate(name='app', version='0.1.0', source='', checksum='', dependencies=('libc',)))
    """
    doc = _toml(data, path)
    raw_packages = doc.get("package", [])
    if not isinstance(raw_packages, list):
        raise ExtractError(f"{path}: 'package' is not an array of tables")
    metadata = doc.get("metadata", {})
    checksums: dict[tuple[str, str, str], str] = {}
    if isinstance(metadata, dict):
        for key, value in metadata.items():
            m = _METADATA_CHECKSUM.fullmatch(key)
            if m and isinstance(value, str):
                checksums[(m[1], m[2], m[3])] = value
    crates: list[LockedCrate] = []
    for index, table in enumerate(raw_packages):
        if not isinstance(table, dict):
            raise ExtractError(f"{path}: package {index} is not a table")
        name, version, source = _str(table.get("name")), _str(table.get("version")), _str(table.get("source"))
        if not name or not version:
            raise ExtractError(f"{path}: package {index} has no name or version")
        deps = table.get("dependencies", [])
        dependencies = tuple(d for d in deps if isinstance(d, str)) if isinstance(deps, list) else ()
        checksum = _str(table.get("checksum")) or checksums.get((name, version, source), "")
        crates.append(LockedCrate(name, version, source, checksum, dependencies))
    lock_version = doc.get("version", 1)
    return CargoLock(lock_version if isinstance(lock_version, int) else 1, tuple(crates))


def _dependency_names(table: object) -> list[str]:
    """Package names of a dependency table: the key, or ``package = "..."`` when the dependency is renamed."""
    if not isinstance(table, dict):
        return []
    names = []
    for key, spec in table.items():
        renamed = spec.get("package") if isinstance(spec, dict) else None
        names.append(renamed if isinstance(renamed, str) and renamed else key)
    return names


def parse_manifest(data: bytes, path: str = MANIFEST_FILE) -> CargoManifest:
    """The dependency names of a ``Cargo.toml``.

    >>> m = parse_manifest(b'[package]\\nname = "app"\\n[dependencies]\\nre = { package = "regex" }\\n'
    ...                    b'[target.unix.build-dependencies]\\ncc = "1"\\n[dev-dependencies]\\nwinapi = "*"\\n')
    >>> m.name, m.dependencies, m.dev_dependencies
    ('app', ('regex', 'cc'), ('winapi',))
    """
    doc = _toml(data, path)
    package = doc.get("package", {})
    package = package if isinstance(package, dict) else {}
    normal: list[str] = []
    dev: list[str] = []
    tables: list[Mapping[str, object]] = [doc]
    targets = doc.get("target", {})
    if isinstance(targets, dict):
        tables.extend(t for t in targets.values() if isinstance(t, dict))
    for table in tables:
        normal += _dependency_names(table.get("dependencies"))
        normal += _dependency_names(table.get("build-dependencies"))
        normal += _dependency_names(table.get("build_dependencies"))
        dev += _dependency_names(table.get("dev-dependencies"))
        dev += _dependency_names(table.get("dev_dependencies"))
    version = package.get("version")
    return CargoManifest(
        name=_str(package.get("name")),
        version=version if isinstance(version, str) else "",  # `version.workspace = true` is a table
        dependencies=tuple(dict.fromkeys(normal)),
        dev_dependencies=tuple(dict.fromkeys(dev)),
        workspace="workspace" in doc,
    )


# ---------------------------------------------------------------------------------------------- interpretation


class _Index:
    """Resolves the dependency strings of a lock file to its crates."""

    def __init__(self, crates: Iterable[LockedCrate]) -> None:
        self.by_name: dict[str, list[LockedCrate]] = {}
        for crate in crates:
            self.by_name.setdefault(crate.name, []).append(crate)

    def resolve(self, spec: str) -> LockedCrate | None:
        name, _, rest = spec.partition(" ")
        candidates = self.by_name.get(name, [])
        if not rest:
            return candidates[0] if len(candidates) == 1 else None
        version, _, source = rest.partition(" ")
        source = source.removeprefix("(").removesuffix(")")
        for crate in candidates:
            if crate.version == version and (not source or crate.source == source):
                return crate
        return None


def dependency_ids(lock: CargoLock) -> dict[str, tuple[str, ...]]:
    """``name@version`` -> the ``name@version`` of each dependency that resolves, sorted (as Trivy lists them)."""
    index = _Index(lock.packages)
    result: dict[str, tuple[str, ...]] = {}
    for crate in lock.packages:
        deps = {f"{d.name}@{d.version}" for spec in crate.dependencies if (d := index.resolve(spec)) is not None}
        result[f"{crate.name}@{crate.version}"] = tuple(sorted(deps))
    return result


def built_crates(lock: CargoLock, manifest: CargoManifest | None) -> list[LockedCrate]:
    """The crates the manifest's package builds (its dev-dependencies' subtrees left out), in lock order; every
    crate when the manifest cannot say (absent, a workspace, or a package the lock file does not have)."""
    if manifest is None or manifest.workspace or not manifest.name:
        return list(lock.packages)
    roots = [c for c in lock.packages if c.name == manifest.name and not c.source]
    if manifest.version:
        roots = [c for c in roots if c.version == manifest.version]
    if len(roots) != 1:
        return list(lock.packages)
    root = roots[0]
    index = _Index(lock.packages)
    dev_only = set(manifest.dev_dependencies) - set(manifest.dependencies)
    keep: set[int] = {id(root)}
    queue: deque[LockedCrate] = deque()
    for spec in root.dependencies:
        dep = index.resolve(spec)
        if dep is not None and dep.name not in dev_only and id(dep) not in keep:
            keep.add(id(dep))
            queue.append(dep)
    while queue:
        for spec in queue.popleft().dependencies:
            dep = index.resolve(spec)
            if dep is not None and id(dep) not in keep:
                keep.add(id(dep))
                queue.append(dep)
    return [c for c in lock.packages if id(c) in keep]


def package_url(name: str, version: str) -> str:
    return PackageURL(type=PackageType.CARGO.value, name=name, version=version or None).to_string()


def to_package(crate: LockedCrate, found_in: str, layer: LayerRef | None = None) -> Package:
    checksum = f"sha256:{crate.checksum}" if _SHA256.fullmatch(crate.checksum) else ""
    return Package(
        type=PackageType.CARGO,
        name=crate.name,
        version=crate.version,
        checksum=checksum,
        found_in=found_in,
        extractor=NAME,
        purl=package_url(crate.name, crate.version),
        layer=layer,
        declared=True,
        main_module=not crate.source,
    )


def _skipped(path: str) -> bool:
    return any(part in path for part in _SKIPPED_DIRS) or path.startswith("vendor/") or "/vendor/" in path


class CargoLockExtractor:
    """Reads ``Cargo.lock`` files (and the ``Cargo.toml`` beside them) and assembles the crates they pin."""

    name = NAME
    version = VERSION
    payload_type = CargoFile

    def wants(self, path: str, entry: FileEntry) -> bool:
        base = path.rpartition("/")[2]
        return (
            base in (LOCK_FILE, MANIFEST_FILE)
            and entry.kind in (FileKind.FILE, FileKind.HARDLINK)
            and entry.size <= MAX_FILE_SIZE
            and not _skipped(path)
        )

    def extract(self, path: str, data: bytes) -> CargoFile | None:
        base = path.rpartition("/")[2]
        if base == LOCK_FILE:
            return CargoFile(lock=parse_lock(data, path))
        if base == MANIFEST_FILE:
            return CargoFile(manifest=parse_manifest(data, path))
        return None

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        out: list[Package] = []
        for path, payload, layer in view.payloads(NAME, CargoFile):
            if payload.lock is None:
                continue
            manifest_path = posixpath.join(posixpath.dirname(path), MANIFEST_FILE)
            beside = view.payload(NAME, manifest_path, CargoFile)
            manifest = beside[0].manifest if beside is not None else None
            out.extend(to_package(c, path, layer) for c in built_crates(payload.lock, manifest))
        return out
