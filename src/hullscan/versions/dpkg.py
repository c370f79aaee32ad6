"""Debian package versions: ``[epoch:]upstream_version[-debian_revision]``.

Follows Debian Policy 5.6.12 and dpkg's ``verrevcmp`` (lib/dpkg/version.c): the epoch compares as an integer,
then the upstream version, then the revision, each with the same algorithm. A string is cut into alternating
non-digit and digit runs. Non-digit runs compare character by character where ``~`` sorts before everything,
even the end of the run, letters sort before all other characters, and the end sits between the two. Digit
runs compare as integers, an empty run counting as 0. A missing revision equals ``0``.

https://www.debian.org/doc/debian-policy/ch-controlfields.html#version

>>> compare("1.0~rc1", "1.0") < 0
True
>>> compare("1:0.9", "2.0") > 0
True
>>> compare("1.0", "1.0-0")
0
>>> compare("2.30-1+deb12u2", "2.30-1+b1") > 0
True
>>> sorted(["1.0", "1.0~~", "1.0~", "1.0a", "1.0+", "1.0.1"], key=key)
['1.0~~', '1.0~', '1.0', '1.0a', '1.0+', '1.0.1']
"""

from __future__ import annotations

import re
from functools import lru_cache

from hullscan.versions._common import InvalidVersion as _InvalidVersion
from hullscan.versions._common import VersionKey, cmp_keys

__all__ = ["InvalidVersion", "compare", "is_valid", "key"]

_MAX_EPOCH = 2**31 - 1  # dpkg stores the epoch in an int and rejects larger ones
_RUNS = re.compile(r"([^0-9]*)([0-9]*)")
_WHITESPACE = re.compile(r"\s")


class InvalidVersion(_InvalidVersion):
    """Not a Debian version: empty parts, a bad epoch, embedded whitespace."""


def _order(ch: str) -> tuple[int, ...]:
    # dpkg's order(): '~' -1, end of run 0, letters their ASCII code, every other byte its code + 256.
    # Non-ASCII characters are compared as their UTF-8 bytes, as dpkg sees them.
    if ch == "~":
        return (-1,)
    code = ord(ch)
    if code < 128:
        return (code,) if ch.isalpha() else (code + 256,)
    return tuple(b + 256 for b in ch.encode("utf-8", "surrogatepass"))


@lru_cache(maxsize=4096)
def _non_digit(run: str) -> tuple[int, ...]:
    # The run's character orders, then 0 for its end. No character orders to 0, so two runs' tuples stay
    # aligned: a run that ends early meets the other run's next character with 0, just as dpkg compares it.
    out: list[int] = []
    for ch in run:
        out.extend(_order(ch))
    out.append(0)
    return tuple(out)


def _runs(part: str, out: list[int]) -> None:
    # findall ends with the empty match ('', ''), which becomes the (0, 0) end marker: a part that ends meets
    # the other part's next non-digit run (never empty after the first) and compares as dpkg's end of string.
    for non_digit, digits in _RUNS.findall(part):
        out.extend(_non_digit(non_digit))
        out.append(int(digits) if digits else 0)


def key(version: str) -> VersionKey:
    """The comparison key of a Debian version; raises :class:`InvalidVersion` for what dpkg rejects.

    Like ``dpkg --compare-versions``, versions that dpkg only warns about (an upstream version that does not
    start with a digit, unusual characters) are accepted and compared.

    >>> key("1.0") < key("1.0.1")
    True
    """
    text = version.strip()
    if not text:
        raise InvalidVersion("version string is empty")
    if _WHITESPACE.search(text):
        raise InvalidVersion(f"version string has embedded spaces: {version!r}")
    epoch_text, colon, rest = text.partition(":")
    if colon:
        if not epoch_text:
            raise InvalidVersion(f"epoch in version is empty: {version!r}")
        if not (epoch_text.isascii() and epoch_text.isdigit()):
            raise InvalidVersion(f"epoch in version is not number: {version!r}")
        epoch = int(epoch_text)
        if epoch > _MAX_EPOCH:
            raise InvalidVersion(f"epoch in version is too big: {version!r}")
        if not rest:
            raise InvalidVersion(f"nothing after colon in version number: {version!r}")
    else:
        epoch, rest = 0, text
    upstream, hyphen, revision = rest.rpartition("-")
    if not hyphen:
        upstream, revision = rest, "0"
    elif not revision:
        raise InvalidVersion(f"revision number is empty: {version!r}")
    if not upstream:
        raise InvalidVersion(f"version number is empty: {version!r}")
    out: list[int] = [epoch]
    _runs(upstream, out)
    _runs(revision, out)
    return tuple(out)


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as ``dpkg --compare-versions a lt|eq|gt b`` would answer."""
    return cmp_keys(key(a), key(b))


def is_valid(version: str) -> bool:
    try:
        key(version)
    except InvalidVersion:
        return False
    return True
