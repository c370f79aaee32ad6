"""Semantic Versioning 2.0.0 as npm's ``semver`` package orders it; also used for Cargo (crates.io).

``MAJOR.MINOR.PATCH[-prerelease][+build]`` with an optional leading ``v`` (npm accepts it, node-semver's strict
mode). Precedence: the three numbers as integers; a version with a pre-release sorts before the same version
without one; pre-release identifiers compare one by one, numeric ones as integers and before alphanumeric
ones, alphanumeric ones in ASCII order, and a shorter list of equal identifiers first. Build metadata is
ignored, as ``semver.compare`` and Cargo's version requirements ignore it.

https://semver.org/#spec-item-11

>>> compare("1.0.0-rc.1", "1.0.0") < 0
True
>>> compare("1.0.0-alpha.10", "1.0.0-alpha.9") > 0
True
>>> compare("1.0.0-alpha", "1.0.0-alpha.0") < 0
True
>>> compare("1.0.0+build.1", "v1.0.0")
0
>>> sorted(["1.0.0", "1.0.0-beta", "1.0.0-alpha.beta", "1.0.0-alpha.1", "1.0.0-alpha"], key=key)
['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0']
"""

from __future__ import annotations

import re

from hullscan.versions._common import InvalidVersion as _InvalidVersion
from hullscan.versions._common import VersionKey, cmp_keys

__all__ = ["InvalidVersion", "compare", "is_valid", "key", "prerelease_key"]

_NUMBER = r"0|[1-9][0-9]*"
_IDENTIFIER = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_GRAMMAR = re.compile(
    rf"v?({_NUMBER})\.({_NUMBER})\.({_NUMBER})"
    rf"(?:-({_IDENTIFIER}(?:\.{_IDENTIFIER})*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_MAX_LENGTH = 256  # node-semver's MAX_LENGTH
_MAX_SAFE_INTEGER = 2**53 - 1  # node-semver rejects larger version numbers
_RELEASE = 1  # after the three numbers: 1 for a release, 0 followed by the identifiers for a pre-release
_PRERELEASE = 0


class InvalidVersion(_InvalidVersion):
    """Not a semantic version (``semver.valid()`` would return null)."""


def prerelease_key(prerelease: str | None) -> VersionKey:
    """The tail of a key: ``(1,)`` without a pre-release, else ``(0, tag, value, ...)`` per identifier.

    Numeric identifiers are tagged 0 and alphanumeric ones 1, so the former sort first; a list that is a
    prefix of another is shorter and sorts first, as the specification asks.
    """
    if prerelease is None:
        return (_RELEASE,)
    out: list[object] = [_PRERELEASE]
    for identifier in prerelease.split("."):
        if identifier.isdigit():
            out.append(0)
            out.append(int(identifier))
        else:
            out.append(1)
            out.append(identifier)
    return tuple(out)


def key(version: str) -> VersionKey:
    """The comparison key of a semantic version; raises :class:`InvalidVersion` for an invalid one.

    >>> key("1.2.3") < key("1.10.0")
    True
    """
    text = version.strip()
    match = _GRAMMAR.fullmatch(text) if len(text) <= _MAX_LENGTH else None
    if match is None:
        raise InvalidVersion(f"not a semantic version: {version!r}")
    major, minor, patch, prerelease = match.groups()
    numbers = (int(major), int(minor), int(patch))
    if max(numbers) > _MAX_SAFE_INTEGER:
        raise InvalidVersion(f"version number too large: {version!r}")
    return (*numbers, *prerelease_key(prerelease))


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as ``semver.compare(a, b)`` answers."""
    return cmp_keys(key(a), key(b))


def is_valid(version: str) -> bool:
    try:
        key(version)
    except InvalidVersion:
        return False
    return True
