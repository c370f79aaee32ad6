"""lock/composer: ``composer.lock``, the JSON lock file Composer writes (https://getcomposer.org/doc/01-basic-usage.md).

``packages`` holds what the application needs and ``packages-dev`` what ``require-dev`` adds; each entry is the
same package object as in ``vendor/composer/installed.json`` (see :mod:`hullscan.extract.composer`): name
``vendor/package``, version, licence list.
"""

from __future__ import annotations

from hullscan.extract.base import ExtractError
from hullscan.extract.composer import composer_packages
from hullscan.extract.lockfile import LockFile, LockfileExtractor, load_json
from hullscan.model import PackageType

NAME = "lock/composer"
VERSION = 1


def parse_composer_lock(data: bytes, path: str = "composer.lock") -> LockFile:
    """Parse a composer.lock.

    >>> lock = parse_composer_lock(b'{"packages": [{"name": "guzzlehttp/guzzle", "version": "7.4.4"}], '
    ...                            b'"packages-dev": [{"name": "pear/log", "version": "1.13.3"}]}')
    >>> [(p.namespace, p.name, p.version, p.dev) for p in lock.packages]
    [('guzzlehttp', 'guzzle', '7.4.4', False), ('pear', 'log', '1.13.3', True)]
    """
    doc = load_json(data, path, "composer.lock")
    if not isinstance(doc, dict) or not isinstance(doc.get("packages", []), list):
        raise ExtractError(f"{path}: not a composer.lock (no 'packages' list)")
    dev = doc.get("packages-dev")
    packages = composer_packages(doc.get("packages", []))
    packages.extend(composer_packages(dev if isinstance(dev, list) else [], dev=True))
    return LockFile(tuple(packages))


class ComposerLockExtractor(LockfileExtractor):
    """Packages pinned by ``composer.lock`` (``packages-dev`` ones flagged ``dev``)."""

    NAME = NAME
    VERSION = VERSION
    TYPE = PackageType.COMPOSER
    FILENAMES = frozenset({"composer.lock"})

    def parse(self, data: bytes, path: str) -> LockFile:
        return parse_composer_lock(data, path)
