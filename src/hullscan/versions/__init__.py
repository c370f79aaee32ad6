"""Version comparison, one module per versioning scheme, and one table from package types to schemes.

Every scheme module exposes the same small surface:

* ``key(version) -> tuple``: a comparison key, built once, that compares natively with ``<`` and ``==``
  exactly as the scheme orders versions (keys of different schemes must not be mixed);
* ``compare(a, b) -> int``: -1, 0 or 1;
* ``is_valid(version) -> bool``;
* ``InvalidVersion``: raised by ``key`` and ``compare`` for what the scheme's grammar rejects. Every one
  subclasses :class:`InvalidVersion` here, which subclasses ``ValueError``.

The table :data:`SCHEMES` maps package types (the PURL types the inventory uses) to those modules. :func:`key`
and :func:`compare` here dispatch through it and keep the most recently used keys in an LRU cache, since a scan
compares the same few installed and fixed versions over and over.

>>> compare("deb", "1.0~rc1", "1.0") < 0
True
>>> compare("npm", "1.0.0-rc.1", "1.0.0") < 0
True
>>> key("apk", "1.2.3-r1") < key("apk", "1.2.3-r2")
True
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Protocol

from hullscan.versions import apk, composer, dpkg, gem, golang, maven, nuget, pep440, rpm, semver
from hullscan.versions._common import InvalidVersion, VersionKey, cmp_keys

__all__ = [
    "SCHEMES",
    "InvalidVersion",
    "Scheme",
    "UnknownScheme",
    "VersionKey",
    "compare",
    "is_valid",
    "key",
    "scheme",
]


class Scheme(Protocol):
    """What a scheme module provides (each module in this package satisfies it)."""

    def key(self, version: str) -> VersionKey: ...

    def compare(self, a: str, b: str) -> int: ...

    def is_valid(self, version: str) -> bool: ...


SCHEMES: Mapping[str, Scheme] = MappingProxyType(
    {
        # OS packages
        "deb": dpkg,
        "rpm": rpm,
        "apk": apk,
        # language packages
        "pypi": pep440,
        "npm": semver,
        "cargo": semver,  # crates.io: SemVer 2.0.0, ordered as npm orders it
        "golang": golang,
        "maven": maven,
        "gem": gem,
        "composer": composer,
        "nuget": nuget,
    }
)
"""Package type (PURL type) -> the module that compares its versions."""

_KEY_CACHE_SIZE = 1 << 16


class UnknownScheme(ValueError):
    """A package type that no versioning scheme is registered for."""


def scheme(package_type: str) -> Scheme:
    """The module that compares versions of ``package_type``, or :class:`UnknownScheme`."""
    try:
        return SCHEMES[package_type]
    except KeyError:
        known = ", ".join(sorted(SCHEMES))
        raise UnknownScheme(f"no version scheme for package type {package_type!r} (known: {known})") from None


@lru_cache(maxsize=_KEY_CACHE_SIZE)
def key(package_type: str, version: str) -> VersionKey:
    """The comparison key of ``version`` under the scheme of ``package_type`` (cached)."""
    return scheme(package_type).key(version)


def compare(package_type: str, a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, equal to or newer than ``b`` under the scheme of ``package_type``."""
    return cmp_keys(key(package_type, a), key(package_type, b))


def is_valid(package_type: str, version: str) -> bool:
    """Whether the scheme of ``package_type`` accepts ``version``."""
    return scheme(package_type).is_valid(version)
