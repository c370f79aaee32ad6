"""lock/uv: ``uv.lock``, the TOML lock file uv writes (https://docs.astral.sh/uv/concepts/projects/layout/).

Each ``[[package]]`` has ``name``, ``version`` (absent for a project whose version is dynamic) and ``source``:
``{registry = ...}``, ``{git = ...}``, ``{url = ...}``, ``{path = ...}``, ``{directory = ...}``, or
``{virtual = "."}`` / ``{editable = "."}`` for the project itself and its workspace members, which are
reported as the application (:attr:`LockedPackage.root`).

Edges are ``dependencies = [{name = ..., version = ...?}]``, ``[package.optional-dependencies]`` (extras) and
``[package.dev-dependencies]`` (dependency groups). A package is ``dev`` when the projects reach it only
through a dependency group: everything reachable from a project's dependencies and extras is not. When the
lock file has no project entry, nothing is ``dev``. Packages without a version are left out.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from hullscan.extract.base import ExtractError
from hullscan.extract.lockfile import LockedPackage, LockFile, LockfileExtractor, load_toml
from hullscan.model import PackageType

NAME = "lock/uv"
VERSION = 1

_PROJECT_SOURCES = ("virtual", "editable")


def _edges(table: dict[str, object], key: str) -> Iterator[dict[str, object]]:
    """Dependency entries of ``key``: a list (``dependencies``) or a table of lists (extras, groups)."""
    value = table.get(key)
    lists = value.values() if isinstance(value, dict) else [value]
    for items in lists:
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    yield item


def _is_project(table: dict[str, object]) -> bool:
    source = table.get("source")
    return isinstance(source, dict) and any(k in source for k in _PROJECT_SOURCES)


def parse_uv_lock(data: bytes, path: str = "uv.lock") -> LockFile:
    """Parse a uv.lock.

    >>> lock = parse_uv_lock(b'''[[package]]\\nname = "app"\\nversion = "0.1.0"\\nsource = { virtual = "." }
    ... dependencies = [{ name = "click" }]\\n[package.dev-dependencies]\\ndev = [{ name = "pytest" }]
    ... [[package]]\\nname = "click"\\nversion = "8.1.3"\\n[[package]]\\nname = "pytest"\\nversion = "8.0.0"\\n''')
    >>> [(p.name, p.dev, p.root) for p in lock.packages]
    [('app', False, True), ('click', False, False), ('pytest', True, False)]
    """
    doc = load_toml(data, path, "uv.lock")
    tables = doc.get("package", [])
    if not isinstance(tables, list):
        raise ExtractError(f"{path}: not a uv.lock ('package' is not an array of tables)")
    entries = [t for t in tables if isinstance(t, dict) and isinstance(t.get("name"), str) and t["name"]]
    by_name: dict[str, list[int]] = {}
    for i, table in enumerate(entries):
        by_name.setdefault(str(table["name"]), []).append(i)

    def targets(edge: dict[str, object]) -> list[int]:
        candidates = by_name.get(str(edge.get("name", "")), [])
        wanted = edge.get("version")
        if isinstance(wanted, str):
            exact = [i for i in candidates if entries[i].get("version") == wanted]
            return exact or candidates
        return candidates

    projects = [i for i, t in enumerate(entries) if _is_project(t)]
    prod: set[int] = set(projects)
    queue = deque(projects)
    while queue:
        table = entries[queue.popleft()]
        for key in ("dependencies", "optional-dependencies"):
            for edge in _edges(table, key):
                for j in targets(edge):
                    if j not in prod:
                        prod.add(j)
                        queue.append(j)
    # Without a project there is nothing to tell development packages apart from: none is dev.
    dev: set[int] = set()
    if projects:
        queue = deque(j for i in projects for edge in _edges(entries[i], "dev-dependencies") for j in targets(edge))
        while queue:
            i = queue.popleft()
            if i in prod or i in dev:
                continue
            dev.add(i)
            for key in ("dependencies", "optional-dependencies"):
                queue.extend(j for edge in _edges(entries[i], key) for j in targets(edge))
    packages = []
    for i, table in enumerate(entries):
        version = table.get("version")
        if isinstance(version, str) and version:
            packages.append(
                LockedPackage(name=str(table["name"]), version=version, dev=i in dev, root=_is_project(table))
            )
    return LockFile(tuple(packages))


class UvLockExtractor(LockfileExtractor):
    """Packages pinned by ``uv.lock``."""

    NAME = NAME
    VERSION = VERSION
    TYPE = PackageType.PYPI
    FILENAMES = frozenset({"uv.lock"})

    def parse(self, data: bytes, path: str) -> LockFile:
        return parse_uv_lock(data, path)
