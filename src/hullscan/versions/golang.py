"""Go versions: module versions (``golang.org/x/mod/semver``) and Go toolchain versions (``go/version``).

Module versions are semantic versions with a ``v`` prefix, where ``v1`` and ``v1.2`` are shorthands for
``v1.0.0`` and ``v1.2.0``. Build metadata is ignored, so ``v2.0.0+incompatible`` equals ``v2.0.0``. A
pseudo-version is an ordinary pre-release: ``v0.0.0-20210101000000-abcdef123456`` sorts before ``v0.0.0``,
and ``v1.2.4-0.20210101000000-abcdef123456`` after ``v1.2.3`` and before ``v1.2.4``. OSV records write the same
versions without the ``v``, which is accepted too.

Toolchain versions (``go1.21.5``, ``go1.21rc2``, or without ``go``) follow ``go/version.Compare``:
``1.21 < 1.21rc1 < 1.21.0 < 1.21.1``; before Go 1.21 a missing patch meant ``.0`` (``1.20 == 1.20.0``).
A toolchain pre-release ``1.21rc2`` gets the same key as the module version ``1.21.0-rc.2``. A bare ``1.21`` is
read as a module version (``1.21.0``, as OSV writes the standard library's versions); ``go1.21``, the
language version, sorts before ``go1.21rc1``.

https://go.dev/ref/mod#versions  https://go.dev/doc/toolchain#version

>>> compare("v0.0.0-20210101000000-abcdef123456", "v0.0.0") < 0
True
>>> compare("v1.2.4-0.20210101000000-abcdef123456", "v1.2.3") > 0
True
>>> compare("v2.0.0+incompatible", "v2.0.0")
0
>>> compare("v1.2", "v1.2.0")
0
>>> sorted(["go1.21.0", "go1.21rc2", "go1.21", "go1.20.14", "go1.21rc10"], key=key)
['go1.20.14', 'go1.21', 'go1.21rc2', 'go1.21rc10', 'go1.21.0']
"""

from __future__ import annotations

import re

from hullscan.versions._common import InvalidVersion as _InvalidVersion
from hullscan.versions._common import VersionKey, cmp_keys
from hullscan.versions.semver import prerelease_key

__all__ = ["InvalidVersion", "compare", "is_valid", "key"]

_NUMBER = r"0|[1-9][0-9]*"
_IDENTIFIER = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
# x/mod/semver: pre-release and build only after a full MAJOR.MINOR.PATCH.
_MODULE = re.compile(
    rf"({_NUMBER})(?:\.({_NUMBER})(?:\.({_NUMBER})"
    rf"(?:-({_IDENTIFIER}(?:\.{_IDENTIFIER})*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?)?"
)
# go/version (internal/gover): 1, 1.21, 1.21.5, 1.21rc2, 1.21rc; no pre-release on a patch release.
_TOOLCHAIN = re.compile(rf"({_NUMBER})(?:\.({_NUMBER})(?:\.({_NUMBER})|([a-z]+)({_NUMBER})?)?)?")


class InvalidVersion(_InvalidVersion):
    """Neither a Go module version nor a Go toolchain version."""


def _module_key(match: re.Match[str]) -> VersionKey:
    major, minor, patch, prerelease = match.groups()
    return (int(major), int(minor or 0), int(patch or 0), *prerelease_key(prerelease))


def _toolchain_key(match: re.Match[str]) -> VersionKey:
    major, minor, patch, kind, number = match.groups()
    if minor is None:  # "1" is 1.0.0
        return (int(major), 0, 0, *prerelease_key(None))
    if patch is not None:
        return (int(major), int(minor), int(patch), *prerelease_key(None))
    if kind is None and int(minor) < 21:  # before Go 1.21, "1.20" was the release 1.20.0
        return (int(major), int(minor), 0, *prerelease_key(None))
    # 1.21 (the language version) < 1.21rc1 < 1.21.0: the former is the empty pre-release, the lowest one.
    if kind is None:
        return (int(major), int(minor), 0, 0)
    return (int(major), int(minor), 0, *prerelease_key(kind if number is None else f"{kind}.{number}"))


def key(version: str) -> VersionKey:
    """The comparison key of a Go module or toolchain version; raises :class:`InvalidVersion` otherwise.

    ``v``-prefixed strings are module versions, ``go``-prefixed strings toolchain versions; a bare string is a
    module version when it parses as one, else a toolchain version.

    >>> key("go1.21.5") == key("v1.21.5") == key("1.21.5")
    True
    """
    text = version.strip()
    if text.startswith("go"):
        toolchain = _TOOLCHAIN.fullmatch(text, 2)
        if toolchain is None:
            raise InvalidVersion(f"not a Go toolchain version: {version!r}")
        return _toolchain_key(toolchain)
    module = _MODULE.fullmatch(text, 1 if text.startswith("v") else 0)
    if module is not None:
        return _module_key(module)
    if not text.startswith("v"):
        toolchain = _TOOLCHAIN.fullmatch(text)
        if toolchain is not None:
            return _toolchain_key(toolchain)
    raise InvalidVersion(f"not a Go version: {version!r}")


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as ``semver.Compare`` (modules) or ``version.Compare`` (toolchains) answers."""
    return cmp_keys(key(a), key(b))


def is_valid(version: str) -> bool:
    try:
        key(version)
    except InvalidVersion:
        return False
    return True
