"""Composer (Packagist) versions, normalised and ordered as ``composer/semver`` 3 does.

Composer first normalises a version (``VersionParser::normalize``): ``v1.2`` becomes ``1.2.0.0``, stability
suffixes are spelled out (``1.0-b2`` is ``1.0.0.0-beta2``, ``1.0-p1`` is ``1.0.0.0-patch1``, ``1.0-rc1`` is
``1.0.0.0-RC1``), build metadata is dropped, date versions keep their parts (``2010-01-02`` is
``2010.01.02``) and numeric branches point past every release (``1.2.x-dev`` is ``1.2.9999999.9999999-dev``).
Normalised versions are then ordered by PHP's ``version_compare``: parts are split where digits meet
letters and at ``.-_+``; numbers compare as integers; words by stability,
``dev < alpha = a < beta = b < RC = rc < number < patch = pl = p``, any other word before ``dev``; a version
with extra parts is newer when the next one is a number or a ``patch``, older otherwise.

Branch names (``dev-master``, ``dev-feature/x``) have no order: Composer only tests them for equality, so
:func:`key` raises :class:`InvalidVersion` for them.

https://getcomposer.org/doc/articles/versions.md  https://www.php.net/manual/en/function.version-compare.php

>>> compare("1.0.0-beta2", "1.0.0") < 0
True
>>> compare("1.0.0-patch1", "1.0.0") > 0
True
>>> compare("v1.2", "1.2.0.0")
0
>>> compare("1.0-RC1", "1.0.0-rc.1")
0
>>> normalize("1.2.x-dev")
'1.2.9999999.9999999-dev'
"""

from __future__ import annotations

import re

from hullscan.versions._common import InvalidVersion as _InvalidVersion
from hullscan.versions._common import VersionKey, cmp_keys

__all__ = ["InvalidVersion", "compare", "is_valid", "key", "normalize"]

_MODIFIER = r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?"
_CLASSIC = re.compile(r"v?(\d{1,5})(\.\d++)?(\.\d++)?(\.\d++)?" + _MODIFIER, re.IGNORECASE | re.ASCII)
_DATE = re.compile(r"v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)" + _MODIFIER, re.IGNORECASE | re.ASCII)
_ALIAS = re.compile(r"([^,\s]++) ++as ++([^,\s]++)")
_STABILITY_FLAG = re.compile(r"@(?:stable|RC|beta|alpha|dev)$", re.IGNORECASE)
_BUILD = re.compile(r"([^,\s+]++)\+[^\s]++")
_DEV_SUFFIX = re.compile(r"(.*?)[.-]?dev", re.IGNORECASE)
_BRANCH = re.compile(r"v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?", re.IGNORECASE | re.ASCII)
_STABILITIES = {"a": "alpha", "b": "beta", "p": "patch", "pl": "patch", "rc": "RC"}
_PHP_TRIM = " \t\n\r\0\x0b"

# PHP's version_compare: canonicalisation and the order of "special forms" (prefix match, first entry wins).
_CANONICAL_SPLIT = re.compile(r"[0-9]+|[^0-9]+")
_SPECIAL_FORMS: tuple[tuple[str, int], ...] = (
    ("dev", 0),
    ("alpha", 1),
    ("a", 1),
    ("beta", 2),
    ("b", 2),
    ("RC", 3),
    ("rc", 3),
    ("#", 4),
    ("pl", 5),
    ("p", 5),
)
_NUMBER_FORM = 4
_UNKNOWN_FORM = -1
# A missing part meets the other version's next part as "#": after every word below a number, and before every
# number (they are >= 0) and "patch".
_END = (_NUMBER_FORM, -1)


class InvalidVersion(_InvalidVersion):
    """Not a version Composer can normalise, or a branch name, which Composer does not order."""


def _expand_stability(stability: str) -> str:
    lower = stability.lower()
    return _STABILITIES.get(lower, lower)


def _normalize_branch(name: str) -> str | None:
    match = _BRANCH.fullmatch(name.strip(_PHP_TRIM))
    if match is None:
        return None
    parts = [match.group(i) if match.group(i) is not None else ".x" for i in range(1, 5)]
    version = "".join(parts).replace("*", "x").replace("X", "x")
    return version.replace("x", "9999999") + "-dev"


def normalize(version: str) -> str:
    """``VersionParser::normalize``: the normalised form, or :class:`InvalidVersion`.

    Branch names come back as ``dev-NAME`` (and :func:`key` rejects them).

    >>> normalize("1.0.0-alpha.3")
    '1.0.0.0-alpha3'
    """
    text = version.strip(_PHP_TRIM)
    alias = _ALIAS.fullmatch(text)
    if alias:
        text = alias.group(1)
    flag = _STABILITY_FLAG.search(text)
    if flag:
        text = text[: flag.start()]
    if text in ("master", "trunk", "default"):
        text = "dev-" + text
    if text[:4].lower() == "dev-":
        return "dev-" + text[4:]
    build = _BUILD.fullmatch(text)
    if build:
        text = build.group(1)
    classic = _CLASSIC.fullmatch(text)
    if classic:
        groups = classic.groups()
        normalized = groups[0] + "".join(part or ".0" for part in groups[1:4])
        modifiers = groups[4:]
    else:
        date = _DATE.fullmatch(text)
        if date is None:
            dev = _DEV_SUFFIX.fullmatch(text)
            branch = _normalize_branch(dev.group(1)) if dev else None
            if branch is None:
                raise InvalidVersion(f'Invalid version string "{version}"')
            return branch
        normalized = re.sub(r"\D", ".", date.group(1), flags=re.ASCII)
        modifiers = date.groups()[1:]
    stability, number, dev_suffix = modifiers
    if stability:
        if stability == "stable":
            return normalized
        normalized += "-" + _expand_stability(stability) + (number.lstrip(".-") if number else "")
    if dev_suffix:
        normalized += "-dev"
    return normalized


def _form(word: str) -> int:
    for name, order in _SPECIAL_FORMS:
        if word.startswith(name):
            return order
    return _UNKNOWN_FORM


def version_compare_key(version: str) -> VersionKey:
    """A key that orders like PHP's ``version_compare`` on already normalised versions.

    >>> version_compare_key("1.0.0.0-beta1") < version_compare_key("1.0.0.0")
    True
    """
    out: list[int] = []
    # '-', '_', '+' and any other non-alphanumeric character separate parts, as does a digit/non-digit switch.
    for chunk in re.split(r"[^0-9A-Za-z]+", version):
        for part in _CANONICAL_SPLIT.findall(chunk):
            if part[0].isdigit():
                out.append(_NUMBER_FORM)
                out.append(int(part))
            else:
                out.append(_form(part))
                out.append(0)
    out.extend(_END)
    return tuple(out)


def key(version: str) -> VersionKey:
    """The key of a Composer version: its normalised form, ordered as ``version_compare``.

    >>> key("1.0.0") < key("1.0.1-alpha") < key("1.0.1")
    True
    """
    normalized = normalize(version)
    if normalized.startswith("dev-"):
        raise InvalidVersion(f"branch {version!r} has no version order")
    return version_compare_key(normalized)


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as ``Comparator::compare`` answers on the two normalised versions."""
    return cmp_keys(key(a), key(b))


def is_valid(version: str) -> bool:
    try:
        key(version)
    except InvalidVersion:
        return False
    return True
