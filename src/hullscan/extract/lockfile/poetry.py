"""lock/poetry: ``poetry.lock``, the TOML lock file Poetry writes (https://python-poetry.org/docs/basic-usage/).

Every ``[[package]]`` table has ``name`` and ``version``. Which group needs it is written two ways:
``category = "main" | "dev"`` (lock files before Poetry 1.5) and ``groups = ["main", "dev"]`` (Poetry 2). A
package is ``dev`` when its category is ``dev``, or it has groups and ``main`` is not among them. Packages
from a path, a URL or a VCS (``[package.source] type = "directory" | "file" | "url" | "git"``) are kept: the
lock file pins them at that version too.
"""

from __future__ import annotations

from hullscan.extract.base import ExtractError
from hullscan.extract.lockfile import LockedPackage, LockFile, LockfileExtractor, load_toml
from hullscan.model import PackageType

NAME = "lock/poetry"
VERSION = 1


def _is_dev(table: dict[str, object]) -> bool:
    if table.get("category") == "dev":
        return True
    groups = table.get("groups")
    return isinstance(groups, list) and bool(groups) and "main" not in groups


def parse_poetry_lock(data: bytes, path: str = "poetry.lock") -> LockFile:
    """Parse a poetry.lock.

    >>> parse_poetry_lock(b'[[package]]\\nname = "click"\\nversion = "8.1.3"\\ncategory = "dev"\\n').packages
    (LockedPackage(name='click', version='8.1.3', namespace='', dev=True, root=False, licenses=(), checksum=''),)
    """
    doc = load_toml(data, path, "poetry.lock")
    tables = doc.get("package", [])
    if not isinstance(tables, list):
        raise ExtractError(f"{path}: not a poetry.lock ('package' is not an array of tables)")
    packages = []
    for table in tables:
        if not isinstance(table, dict):
            continue
        name, version = table.get("name"), table.get("version")
        if isinstance(name, str) and isinstance(version, str) and name and version:
            packages.append(LockedPackage(name=name, version=version, dev=_is_dev(table)))
    return LockFile(tuple(packages))


class PoetryLockExtractor(LockfileExtractor):
    """Packages pinned by ``poetry.lock``."""

    NAME = NAME
    VERSION = VERSION
    TYPE = PackageType.PYPI
    FILENAMES = frozenset({"poetry.lock"})

    def parse(self, data: bytes, path: str) -> LockFile:
        return parse_poetry_lock(data, path)
