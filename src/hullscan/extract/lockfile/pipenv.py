"""lock/pipenv: ``Pipfile.lock``, the JSON lock file Pipenv writes (https://pipenv.pypa.io/).

``default`` holds the packages the application needs and ``develop`` those of ``[dev-packages]``; each entry
maps a name to ``{"version": "==1.2.3", "hashes": [...], "markers": ...}``. Entries without a ``==`` version
(``git``, ``path`` and ``file`` sources) are skipped. A package in both sections is the application's, not
only a development one.
"""

from __future__ import annotations

from hullscan.extract.base import ExtractError
from hullscan.extract.lockfile import LockedPackage, LockFile, LockfileExtractor, load_json
from hullscan.model import PackageType

NAME = "lock/pipenv"
VERSION = 1


def _section(doc: dict[str, object], key: str) -> dict[str, str]:
    """``name -> version`` of one section, for entries pinned with ``==``."""
    section = doc.get(key)
    out: dict[str, str] = {}
    if not isinstance(section, dict):
        return out
    for name, entry in section.items():
        version = entry.get("version") if isinstance(entry, dict) else None
        if isinstance(version, str) and version.startswith("==") and version.lstrip("="):
            out[str(name)] = version.lstrip("=").strip()
    return out


def parse_pipfile_lock(data: bytes, path: str = "Pipfile.lock") -> LockFile:
    """Parse a Pipfile.lock.

    >>> lock = parse_pipfile_lock(b'{"default": {"werkzeug": {"version": "==0.11.1"}}, "develop": {"pytest": '
    ...                           b'{"version": "==8.0.0"}, "werkzeug": {"version": "==0.11.1"}}}')
    >>> [(p.name, p.version, p.dev) for p in lock.packages]
    [('werkzeug', '0.11.1', False), ('pytest', '8.0.0', True)]
    """
    doc = load_json(data, path, "Pipfile.lock")
    if not isinstance(doc, dict):
        raise ExtractError(f"{path}: not a Pipfile.lock (top level is not an object)")
    default = _section(doc, "default")
    packages = [LockedPackage(name=n, version=v) for n, v in default.items()]
    packages.extend(
        LockedPackage(name=n, version=v, dev=True)
        for n, v in _section(doc, "develop").items()
        if default.get(n) != v
    )
    return LockFile(tuple(packages))


class PipenvLockExtractor(LockfileExtractor):
    """Packages pinned by ``Pipfile.lock`` (``develop`` ones flagged ``dev``)."""

    NAME = NAME
    VERSION = VERSION
    TYPE = PackageType.PYPI
    FILENAMES = frozenset({"Pipfile.lock"})

    def parse(self, data: bytes, path: str) -> LockFile:
        return parse_pipfile_lock(data, path)
