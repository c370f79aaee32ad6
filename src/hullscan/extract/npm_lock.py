"""lang/npm-lock: the Node.js packages an application's lock file declares (``package-lock.json``, ``yarn.lock``).

Only lock files outside every ``node_modules`` folder are read: they belong to an application (the project
root, ``/app``, ``/usr/src/app``), while the ones inside ``node_modules`` are the lock files packages published
by mistake. Every package found is ``declared=True``: the lock says what an install *would* put in place; what is
installed is :mod:`hullscan.extract.npm`'s business.

Files read (one :class:`NpmLockFile` payload each, cached per layer):

* ``package-lock.json`` and ``npm-shrinkwrap.json``
  (https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json): lockfileVersion 1 lists a nested
  ``dependencies`` tree; 2 and 3 a flat ``packages`` map keyed by install path (``node_modules/a/node_modules/b``),
  which wins when a v2 file carries both. The root (``""``), workspace folders (keys outside ``node_modules``)
  and workspace links (``link: true``) are the project itself, not dependencies. An alias
  (``"b": {"name": "real", ...}`` in v2, ``"version": "npm:real@1.0.0"`` in v1) is the real package. An entry
  whose version is not a registry version (``file:``, ``git+...``, a tarball URL) cannot be matched and is left
  out.
* ``yarn.lock``, classic (v1, https://classic.yarnpkg.com/lang/en/docs/yarn-lock/) and berry (v2+, YAML with a
  ``__metadata`` block): one entry per set of requested ranges, with the resolved ``version`` and the
  entry's own dependencies. Berry's ``workspace:``, ``link:``, ``portal:``, ``file:`` and ``patch:`` resolutions
  are the project or a copy of another entry, not registry packages.
* ``package.json`` beside a ``yarn.lock`` (outside ``node_modules``): its ``dependencies`` and
  ``optionalDependencies`` (and those of its workspaces) are where the production graph starts.

**Development dependencies are excluded**, as Trivy does by default (its ``--include-dev-deps`` turns them on):
``dev: true`` entries of a package-lock (``devOptional`` ones are kept, since they are installed in production
as optional dependencies), and the yarn.lock entries that the production graph does not reach from the
``package.json`` beside it. A yarn.lock with no ``package.json`` beside it gives every entry (nothing tells dev
from production). ``NpmLockExtractor(include_dev=True)`` keeps them all; the payload always records the flag, so
the choice is made when packages are assembled and needs no cache version bump.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import msgspec

from hullscan.extract.base import ExtractError
from hullscan.extract.npm import NAME as NPM_EXTRACTOR
from hullscan.extract.npm import NpmManifest, to_package, valid_name
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package

NAME = "lang/npm-lock"
VERSION = 1

LOCK_FILES = frozenset({"package-lock.json", "npm-shrinkwrap.json", "yarn.lock"})
MANIFEST = "package.json"
MAX_LOCK_SIZE = 256 << 20
"""Lock files of large monorepos run to tens of MB."""
MAX_MANIFEST_SIZE = 16 << 20


# ---------------------------------------------------------------------------------------------- payloads


@dataclass(frozen=True, slots=True)
class LockedPackage:
    """One resolved package of a lock file, as the lock records it."""

    name: str
    """The real package name, scope included (aliases resolved)."""
    version: str
    dev: bool = False
    """package-lock only: ``dev: true`` (a dev dependency, or only needed by one)."""
    optional: bool = False
    resolved: str = ""
    integrity: str = ""
    license: str = ""
    """package-lock v2/v3 only: the ``license`` npm 9+ copies from the package's manifest, as written."""
    patterns: tuple[str, ...] = ()
    """yarn.lock only: the ``name@range`` requests this entry satisfies (its key)."""
    dependencies: tuple[str, ...] = ()
    """yarn.lock only: the ``name@range`` requests the entry makes (dependencies and optionalDependencies)."""


@dataclass(frozen=True, slots=True)
class LockFile:
    format: str
    """``npm`` (package-lock / shrinkwrap), ``yarn`` (classic v1) or ``yarn-berry``."""
    lockfile_version: int
    packages: tuple[LockedPackage, ...] = ()
    skipped: int = 0
    root_name: str = ""
    """package-lock only: the project's own name and version (the root, ``packages[""]`` or the top level)."""
    root_version: str = ""
    """Entries left out: not registry packages (``file:``, git, workspace, ``link:``...) or without a version."""


@dataclass(frozen=True, slots=True)
class ProjectManifest:
    """An application's ``package.json``: where its production dependency graph starts."""

    name: str = ""
    version: str = ""
    dependencies: tuple[tuple[str, str], ...] = ()
    """``dependencies`` and ``optionalDependencies``: (name, range), in file order."""
    dev_dependencies: tuple[tuple[str, str], ...] = ()
    workspaces: tuple[str, ...] = ()
    """Workspace globs (``packages/*``), from the array form or ``{"packages": [...]}``."""


@dataclass(frozen=True, slots=True)
class NpmLockFile:
    """The payload of one file: exactly one field is set, by the kind of file it was read from."""

    lock: LockFile | None = None
    manifest: ProjectManifest | None = None


# ---------------------------------------------------------------------------------------------- package-lock.json


def _is_registry_version(version: str) -> bool:
    """``1.2.3``, ``1.0.0-beta.1+build``: yes; ``file:../x``, ``git+ssh://...``, ``https://.../x.tgz``: no."""
    return bool(version) and ":" not in version and "/" not in version


def _alias(name: str, version: str) -> tuple[str, str]:
    """v1's alias form ``"version": "npm:real@1.0.0"`` -> (``real``, ``1.0.0``)."""
    if version.startswith("npm:"):
        spec = version[4:]
        at = spec.find("@", 1)
        if at > 0:
            return spec[:at], spec[at + 1 :]
    return name, version


def _v1_walk(deps: object, out: list[LockedPackage], skipped: list[int], depth: int = 0) -> None:
    if not isinstance(deps, dict) or depth > 256:
        return
    for key, entry in deps.items():
        if not isinstance(entry, dict):
            skipped[0] += 1
            continue
        version = entry.get("version")
        name, version = _alias(str(key), version if isinstance(version, str) else "")
        if _is_registry_version(version):
            out.append(
                LockedPackage(
                    name=name,
                    version=version,
                    dev=entry.get("dev") is True,
                    optional=entry.get("optional") is True,
                    resolved=_str(entry.get("resolved")),
                    integrity=_str(entry.get("integrity")),
                )
            )
        else:
            skipped[0] += 1
        _v1_walk(entry.get("dependencies"), out, skipped, depth + 1)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


_NODE_MODULES = "node_modules/"


def parse_package_lock(data: bytes, path: str = "package-lock.json") -> LockFile:
    """Parse a package-lock.json or npm-shrinkwrap.json (lockfileVersion 1, 2 or 3)."""
    try:
        doc = msgspec.json.decode(data.removeprefix(b"\xef\xbb\xbf"))
    except msgspec.DecodeError as exc:
        raise ExtractError(f"{path}: not a JSON lock file: {exc}") from None
    if not isinstance(doc, dict):
        raise ExtractError(f"{path}: not an npm lock file (the top level is not an object)")
    raw_version = doc.get("lockfileVersion", 1)
    lockfile_version = raw_version if isinstance(raw_version, int) and not isinstance(raw_version, bool) else 0
    out: list[LockedPackage] = []
    skipped = [0]
    packages = doc.get("packages")
    root = packages.get("") if isinstance(packages, dict) else None
    if not isinstance(root, dict) or not _str(root.get("name")):
        root = doc
    if isinstance(packages, dict) and packages:
        for key, entry in packages.items():
            if not isinstance(key, str) or _NODE_MODULES not in f"/{key}" or not isinstance(entry, dict):
                continue  # the root project ("") and workspace folders
            if entry.get("link") is True:
                continue  # a workspace or file: link; its target is listed under its own folder
            name = _str(entry.get("name")) or key.rpartition(_NODE_MODULES)[2]
            version = _str(entry.get("version"))
            if not _is_registry_version(version) or not name:
                skipped[0] += 1
                continue
            out.append(
                LockedPackage(
                    name=name,
                    version=version,
                    dev=entry.get("dev") is True,
                    optional=entry.get("optional") is True or entry.get("devOptional") is True,
                    resolved=_str(entry.get("resolved")),
                    integrity=_str(entry.get("integrity")),
                    license=_str(entry.get("license")),
                )
            )
    elif "dependencies" in doc:
        _v1_walk(doc.get("dependencies"), out, skipped)
    elif "packages" not in doc and "lockfileVersion" not in doc:
        raise ExtractError(f"{path}: not an npm lock file (no lockfileVersion, packages or dependencies)")
    return LockFile("npm", lockfile_version, tuple(out), skipped[0], _str(root.get("name")), _str(root.get("version")))


# ---------------------------------------------------------------------------------------------- yarn.lock


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        if "\\" not in text:
            return text[1:-1]
        try:
            value = json.loads(text)
        except ValueError:
            return text[1:-1]
        return value if isinstance(value, str) else text[1:-1]
    return text


def _split_patterns(key: str) -> list[str]:
    """``"a@^1", a@~1.2`` -> [``a@^1``, ``a@~1.2``]: a top-level key lists the requests its entry satisfies."""
    if '"' not in key:
        return [p for p in (part.strip() for part in key.split(",")) if p]
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in key:
        if ch == '"':
            quoted = not quoted
            current.append(ch)
        elif ch == "," and not quoted:
            out.append(_unquote("".join(current)))
            current = []
        else:
            current.append(ch)
    if current:
        out.append(_unquote("".join(current)))
    return [p for p in out if p]


def _key_value(line: str) -> tuple[str, str]:
    """One indented line as (key, value): ``version "1.0.0"`` (classic), ``version: 1.0.0`` (berry),
    ``"@a/b" "^1"``, ``dependencies:`` (an empty value)."""
    if line.startswith('"'):
        end = line.find('"', 1)
        if "\\" in line[:end]:  # an escaped quote inside the key: walk it
            end = 1
            while end < len(line) and line[end] != '"':
                end += 2 if line[end] == "\\" else 1
        if end < 0:
            end = len(line)
        key = _unquote(line[: end + 1])
        rest = line[end + 1 :].removeprefix(":")
    else:
        # Unquoted keys hold no spaces; berry ends them with a colon (`version: 1.0.0`, `dependencies:`).
        key, _, rest = line.partition(" ")
        key = key.removesuffix(":")
    return key, _unquote(rest)


def split_pattern(pattern: str) -> tuple[str, str]:
    """``@babel/core@^7.0.0`` -> (``@babel/core``, ``^7.0.0``); ``lodash@npm:^4`` -> (``lodash``, ``npm:^4``)."""
    at = pattern.find("@", 1)
    if at < 0:
        return pattern, ""
    return pattern[:at], pattern[at + 1 :]


_METADATA = "__metadata"
_LOCAL_PROTOCOLS = ("file:", "link:", "portal:")
_BERRY_SKIPPED_PROTOCOLS = ("workspace:", "link:", "portal:", "file:", "patch:", "exec:")
_YarnEntry = tuple[list[str], dict[str, str], list[str]]


def _yarn_entries(text: str) -> Iterator[_YarnEntry]:
    """(patterns, fields, dependency requests) for every top-level entry of a yarn.lock, both formats."""
    patterns: list[str] | None = None
    fields: dict[str, str] = {}
    deps: list[str] = []
    block = ""  # the level-1 block we are in ("dependencies", "optionalDependencies", or another)
    for raw in text.splitlines():
        stripped = raw.lstrip(" ")
        if not stripped or stripped[0] == "#" or stripped.isspace():
            continue
        indent = len(raw) - len(stripped)
        line = stripped.rstrip()
        if indent == 0:
            if patterns is not None:
                yield patterns, fields, deps
            patterns, fields, deps, block = None, {}, [], ""
            if not line.endswith(":"):
                raise ValueError(f"unexpected top-level line {line[:80]!r}")
            key = line[:-1].strip()
            patterns = [_METADATA] if key == _METADATA else _split_patterns(key)
            continue
        if patterns is None:
            continue
        key, value = _key_value(line)
        if indent <= 2:
            block = key if line.endswith(":") and not value else ""
            if not block:
                fields.setdefault(key, value)
        elif block in ("dependencies", "optionalDependencies") and indent <= 4:
            # classic: `name "range"`; berry: `name: range` (berry writes `name: "npm:^1"` only for aliases)
            deps.append(f"{key}@{value}")
    if patterns is not None:
        yield patterns, fields, deps


def parse_yarn_lock(data: bytes, path: str = "yarn.lock") -> LockFile:
    """Parse a yarn.lock, classic (v1) or berry (v2+)."""
    if b"\x00" in data[:8192]:
        raise ExtractError(f"{path}: binary content where a yarn.lock was expected")
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    out: list[LockedPackage] = []
    skipped = 0
    berry = False
    lockfile_version = 1
    try:
        entries = list(_yarn_entries(text))
    except ValueError as exc:
        raise ExtractError(f"{path}: not a yarn.lock: {exc}") from None
    for patterns, fields, deps in entries:
        if patterns == [_METADATA]:
            berry = True
            try:
                lockfile_version = int(fields.get("version", "0"))
            except ValueError:
                lockfile_version = 0
            continue
        version = fields.get("version", "")
        resolution = fields.get("resolution", "")
        if resolution:
            name, reference = split_pattern(resolution)
            if reference.startswith(_BERRY_SKIPPED_PROTOCOLS):
                skipped += 1
                continue
        else:
            name, reference = split_pattern(patterns[0]) if patterns else ("", "")
            if reference.startswith("npm:"):  # an alias: "b@npm:real@^1.0.0"
                name = split_pattern(reference[4:])[0]
            elif reference.startswith(_LOCAL_PROTOCOLS):
                skipped += 1  # a local folder or tarball: the project's own code, not a registry package
                continue
        if not name or not _is_registry_version(version) or version.startswith("0.0.0-use.local"):
            skipped += 1
            continue
        out.append(
            LockedPackage(
                name=name,
                version=version,
                resolved=fields.get("resolved", "") or resolution,
                integrity=fields.get("integrity", "") or fields.get("checksum", ""),
                patterns=tuple(patterns),
                dependencies=tuple(deps),
            )
        )
    if not out and not berry and not entries and text.strip() and not text.lstrip().startswith("#"):
        raise ExtractError(f"{path}: not a yarn.lock")
    return LockFile("yarn-berry" if berry else "yarn", lockfile_version, tuple(out), skipped)


# ---------------------------------------------------------------------------------------------- package.json


class _Project(msgspec.Struct):
    name: object = None
    version: object = None
    dependencies: object = None
    optionalDependencies: object = None  # the JSON field names
    devDependencies: object = None
    workspaces: object = None


_project_decoder = msgspec.json.Decoder(_Project)


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        return ()
    return tuple((k, v) for k, v in value.items() if isinstance(k, str) and isinstance(v, str))


def parse_project_manifest(data: bytes, path: str = "package.json") -> ProjectManifest:
    try:
        raw = _project_decoder.decode(data.removeprefix(b"\xef\xbb\xbf"))
    except msgspec.DecodeError as exc:
        raise ExtractError(f"{path}: not a JSON package manifest: {exc}") from None
    workspaces = raw.workspaces
    if isinstance(workspaces, dict):
        workspaces = workspaces.get("packages")
    return ProjectManifest(
        name=_str(raw.name),
        version=_str(raw.version),
        dependencies=_pairs(raw.dependencies) + _pairs(raw.optionalDependencies),
        dev_dependencies=_pairs(raw.devDependencies),
        workspaces=tuple(w for w in workspaces if isinstance(w, str)) if isinstance(workspaces, list) else (),
    )


# ---------------------------------------------------------------------------------------------- production graph


def _yarn_production(lock: LockFile, roots: Iterable[tuple[str, str]]) -> set[int]:
    """Indexes of the yarn.lock entries reachable from ``roots`` (name, range) through the entries' dependencies."""
    by_pattern: dict[str, int] = {}
    by_name: dict[str, list[int]] = {}
    for i, p in enumerate(lock.packages):
        for pattern in p.patterns:
            by_pattern[pattern] = i
        by_name.setdefault(p.name, []).append(i)

    def lookup(name: str, range_: str) -> list[int]:
        for candidate in (f"{name}@{range_}", f"{name}@npm:{range_}"):
            if candidate in by_pattern:
                return [by_pattern[candidate]]
        # A request the lock spells differently (a workspace's own range, a hand-edited lock): every locked version
        # of the name, rather than missing a production package.
        return by_name.get(name, [])

    reached: set[int] = set()
    todo = [i for name, range_ in roots for i in lookup(name, range_)]
    while todo:
        i = todo.pop()
        if i in reached:
            continue
        reached.add(i)
        for request in lock.packages[i].dependencies:
            todo.extend(lookup(*split_pattern(request)))
    return reached


def _workspace_roots(project_dir: str, manifest: ProjectManifest,
                     manifests: dict[str, ProjectManifest]) -> list[tuple[str, str]]:
    """The production requests of a project's workspaces (``package.json`` files matched by its globs)."""
    if not manifest.workspaces:
        return []
    prefix = f"{project_dir}/" if project_dir else ""
    globs = [posixpath.normpath(f"{prefix}{w.rstrip('/')}/{MANIFEST}") for w in manifest.workspaces]
    roots: list[tuple[str, str]] = []
    for path, other in manifests.items():
        if path.startswith(prefix) and any(fnmatch.fnmatchcase(path, g) for g in globs):
            roots += other.dependencies
    return roots


# ---------------------------------------------------------------------------------------------- the extractor


def _kind(path: str) -> str | None:
    base = path.rpartition("/")[2]
    if base != MANIFEST and base not in LOCK_FILES:
        return None
    if path.startswith(_NODE_MODULES) or "/node_modules/" in path:
        return None
    if base == MANIFEST:
        return "manifest"
    return "yarn" if base == "yarn.lock" else "npm"


@dataclass(slots=True)
class _Found:
    view: SquashedView | None = None
    locks: list[tuple[str, LockFile, LayerRef]] = field(default_factory=list)
    manifests: dict[str, ProjectManifest] = field(default_factory=dict)


class NpmLockExtractor:
    """Application lock files: package-lock.json / npm-shrinkwrap.json and yarn.lock, production dependencies."""

    def __init__(self, *, include_dev: bool = False) -> None:
        self.include_dev = include_dev

    name = NAME
    version = VERSION
    payload_type = NpmLockFile

    def wants(self, path: str, entry: FileEntry) -> bool:
        if entry.kind is not FileKind.FILE and entry.kind is not FileKind.HARDLINK:
            return False
        kind = _kind(path)
        if kind is None:
            return False
        return entry.size <= (MAX_MANIFEST_SIZE if kind == "manifest" else MAX_LOCK_SIZE)

    def extract(self, path: str, data: bytes) -> NpmLockFile | None:
        match _kind(path):
            case "npm":
                return NpmLockFile(lock=parse_package_lock(data, path))
            case "yarn":
                return NpmLockFile(lock=parse_yarn_lock(data, path))
            case "manifest":
                try:
                    return NpmLockFile(manifest=parse_project_manifest(data, path))
                except ExtractError:
                    return None  # a project's package.json matters only beside a yarn.lock; see packages()
            case _:
                return None

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        """The production packages of every lock file in the image (all of them with ``include_dev``)."""
        found = _Found(view)
        for path, payload, layer in view.payloads(NAME, NpmLockFile):
            if payload.lock is not None:
                found.locks.append((path, payload.lock, layer))
            elif payload.manifest is not None:
                found.manifests[path] = payload.manifest
        out: list[Package] = []
        for path, lock, layer in found.locks:
            out += self._lock_packages(path, lock, layer, found)
        return out

    def _lock_packages(self, path: str, lock: LockFile, layer: LayerRef, found: _Found) -> list[Package]:
        project_dir = path.rpartition("/")[0]
        manifest = found.manifests.get(f"{project_dir}/{MANIFEST}" if project_dir else MANIFEST)
        keep: Iterable[LockedPackage]
        if lock.format == "npm":
            keep = lock.packages if self.include_dev else [p for p in lock.packages if not p.dev]
            root = (lock.root_name, lock.root_version)
        else:
            if manifest is None or self.include_dev:
                keep = lock.packages
            else:
                roots = [*manifest.dependencies, *_workspace_roots(project_dir, manifest, found.manifests)]
                reached = _yarn_production(lock, roots)
                keep = [p for i, p in enumerate(lock.packages) if i in reached]
            root = (manifest.name, manifest.version) if manifest is not None else ("", "")
        out: list[Package] = []
        if all(root) and valid_name(root[0]):
            # The application itself (Trivy's "root" package): named, so a report can say whose lock this is.
            project = NpmManifest(root[0], root[1])
            out.append(dataclasses.replace(to_package(project, path, layer, extractor=NAME, declared=True),
                                           main_module=True))
        seen: set[tuple[str, str]] = {root}
        for p in keep:
            if (p.name, p.version) in seen:
                continue
            seen.add((p.name, p.version))
            # Licences: from the installed manifest beside the lock (lang/npm's payload), else from the lock.
            manifest_of = _installed(found.view, project_dir, p) or NpmManifest(
                p.name, p.version, (p.license,) if p.license else ()
            )
            out.append(to_package(manifest_of, path, layer, extractor=NAME, declared=True))
        return out


def _installed(view: SquashedView | None, project_dir: str, p: LockedPackage) -> NpmManifest | None:
    """The manifest lang/npm read for this package in the project's own node_modules (for its licences), if that
    is the locked version."""
    if view is None:
        return None
    prefix = f"{project_dir}/" if project_dir else ""
    got = view.payload(NPM_EXTRACTOR, f"{prefix}node_modules/{p.name}/package.json", NpmManifest)
    if got is None or (got[0].name, got[0].version) != (p.name, p.version):
        return None
    return got[0]
