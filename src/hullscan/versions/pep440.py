"""Python package versions: PEP 440, parsed by ``packaging.version``, with a fallback for legacy strings.

A valid version's key orders exactly as :class:`packaging.version.Version` does (epoch, release with trailing
zeros ignored, pre-release, post-release, dev release, local version label), but is a plain tuple that compares
without calling back into Python.

Old distributions installed in images still carry versions that PEP 440 rejects (``2004d``, ``1.0-SNAPSHOT``,
``0.4.0-git``). :func:`key` does not fail on them: like setuptools' former ``LegacyVersion``, it orders them
before every valid version, and among themselves by their numeric and alphabetic runs. :func:`strict_key`
raises :class:`InvalidVersion` instead.

https://packaging.python.org/en/latest/specifications/version-specifiers/

>>> compare("1.0rc1", "1.0") < 0
True
>>> compare("1.0.post1", "1.0") > 0
True
>>> compare("1.0.dev0", "1.0a1") < 0
True
>>> compare("1.0", "1.0.0")
0
>>> compare("1!0.1", "2.0") > 0
True
>>> compare("not.a.version", "0.0.1") < 0
True
"""

from __future__ import annotations

import re

from packaging.version import InvalidVersion as _PackagingInvalidVersion
from packaging.version import Version

from hullscan.versions._common import InvalidVersion as _InvalidVersion
from hullscan.versions._common import VersionKey, cmp_keys

__all__ = ["InvalidVersion", "compare", "is_valid", "key", "strict_key"]

# Sentinels inside the key, chosen so that plain tuples order as packaging's Infinity/NegativeInfinity do.
_PRE_NONE_DEV_ONLY: tuple[int] = (0,)  # 1.0.dev0 sorts before 1.0a0
_PRE_NONE: tuple[int] = (2,)  # a final release sorts after its pre-releases
_POST_NONE: tuple[int] = (0,)
_DEV_NONE: tuple[int] = (1,)  # no dev release sorts after any dev release

_SIMPLE = re.compile(r"[0-9]+(?:\.[0-9]+)*")  # most versions: digits and dots, nothing to normalise
_LEGACY_RUNS = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_REPLACE = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}


class InvalidVersion(_InvalidVersion):
    """Not a PEP 440 version (raised by :func:`strict_key` only)."""


def strict_key(version: str) -> VersionKey:
    """The key of a valid PEP 440 version; raises :class:`InvalidVersion` for anything else.

    >>> strict_key("1.0") == strict_key("1.0.0")
    True
    """
    if _SIMPLE.fullmatch(version):
        release = tuple(map(int, version.split(".")))
        return (0, _trim(release), _PRE_NONE, _POST_NONE, _DEV_NONE, ())
    try:
        parsed = Version(version)
    except _PackagingInvalidVersion as err:
        raise InvalidVersion(str(err)) from None
    pre = parsed.pre
    post = parsed.post
    dev = parsed.dev
    if pre is not None:
        pre_key: tuple[object, ...] = (1, *pre)
    elif post is None and dev is not None:
        pre_key = _PRE_NONE_DEV_ONLY
    else:
        pre_key = _PRE_NONE
    post_key = _POST_NONE if post is None else (1, post)
    dev_key = _DEV_NONE if dev is None else (0, dev)
    local = parsed.local
    # A local label's numeric parts sort after its alphanumeric ones; no label sorts before any label.
    # (packaging gives the label normalised: lower case, parts joined with '.', numbers without leading zeros)
    local_key = () if local is None else tuple((1, int(p)) if p.isdigit() else (0, p) for p in local.split("."))
    return (parsed.epoch, _trim(parsed.release), pre_key, post_key, dev_key, local_key)


def _trim(release: tuple[int, ...]) -> tuple[int, ...]:
    # Trailing zeros do not count: 1.0 == 1.0.0.
    end = len(release)
    while end > 1 and release[end - 1] == 0:
        end -= 1
    return release[:end]


def _legacy_key(version: str) -> VersionKey:
    # setuptools' pre-PEP 440 ordering: numbers zero-padded to compare as strings, words prefixed with '*',
    # 'dev' before 'alpha'..., trailing zeros and a '-' before a pre-release tag dropped. Epoch -1 puts every
    # legacy version before every PEP 440 one (whose epoch is >= 0).
    parts: list[str] = []
    for run in _LEGACY_RUNS.split(version.lower()):
        run = _LEGACY_REPLACE.get(run, run)
        if not run or run == ".":
            continue
        part = run.zfill(8) if run[0].isdigit() else "*" + run
        if part.startswith("*"):
            if part < "*final":
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == "00000000":
                parts.pop()
        parts.append(part)
    while parts and parts[-1] == "00000000":
        parts.pop()
    parts.append("*final")
    return (-1, tuple(parts))


def key(version: str) -> VersionKey:
    """The key of any version string: PEP 440 order for valid ones, legacy order (before them) for the rest.

    >>> key("2004d") < key("0.1") < key("0.1.post1")
    True
    """
    try:
        return strict_key(version)
    except InvalidVersion:
        return _legacy_key(version)


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as ``packaging.version.Version`` orders ``a`` and ``b`` (legacy strings first)."""
    return cmp_keys(key(a), key(b))


def is_valid(version: str) -> bool:
    """Whether PEP 440 accepts the version."""
    try:
        Version(version)
    except _PackagingInvalidVersion:
        return False
    return True
