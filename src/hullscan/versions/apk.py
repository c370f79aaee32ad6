"""Alpine package versions, compared as apk-tools does (its current src/version.c, apk-tools 3).

Grammar: ``digits{.digits}{letter}{_suffix{digits}}{~hash}{-rN}``, where a suffix is one of the pre-release
suffixes ``alpha beta pre rc`` or the post-release suffixes ``cvs svn git hg p``, and ``~hash`` is a lower-case
hexadecimal commit id. Versions are compared token by token:

* the first number and every ``.number`` compare as integers, except that a ``.number`` with a leading zero on
  either side compares as a string (``1.01 < 1.1``, ``8.2.0 < 8.2.001``);
* letters, suffixes (``alpha < beta < pre < rc < cvs < svn < git < hg < p``) and numbers in their own order;
* when the two versions have different kinds of token at the same place, a pre-release suffix is older than
  anything; otherwise the version whose token comes later in the grammar is older, so the end of the version
  is older than ``-r1``, which is older than ``~hash``, ``_p``, a letter or a further ``.number``.

apk-tools 2 (Alpine up to 3.22) also accepted digits right after the letter, as in ``7.5p1-r0``; old secdb
entries still carry such versions, so they are accepted and read as a further number (``7.5p1 < 7.5p2``).
apk-tools 2 differs otherwise only where a ``.0`` meets a ``.0``-led number with more zeros (it counted the
zeros, so ``8.2.0 > 8.2.001`` there, where apk-tools 3 sorts them as strings).

https://wiki.alpinelinux.org/wiki/APKBUILD_Reference#pkgver

>>> compare("1.2.3-r0", "1.2.3-r1") < 0
True
>>> compare("1.0_rc1", "1.0") < 0
True
>>> compare("1.0_p1", "1.0") > 0
True
>>> compare("1.0a", "1.0.1") < 0
True
>>> sorted(["1.0", "1.0_alpha", "1.0-r1", "1.0_p1", "1.0a", "1.0.1"], key=key)
['1.0_alpha', '1.0', '1.0-r1', '1.0_p1', '1.0a', '1.0.1']
"""

from __future__ import annotations

import re

from hullscan.versions._common import InvalidVersion as _InvalidVersion
from hullscan.versions._common import VersionKey, cmp_keys

__all__ = ["InvalidVersion", "compare", "is_valid", "key"]

_GRAMMAR = re.compile(
    r"""
    ([0-9]+)                                  # the first number
    ((?:\.[0-9]+)*)                           # .number ...
    (?:([a-z])([0-9]+)?)?                     # one letter (apk-tools 2 also took digits after it)
    ((?:_[a-z]+[0-9]*)*)                      # _suffix[number] ... (names checked below)
    (?:~([0-9a-f]+))?                         # ~commit-hash
    (?:-r([0-9]+))?                           # -rN
    """,
    re.VERBOSE,
)
_SUFFIX = re.compile(r"_([a-z]+)([0-9]*)")

# Ranks of the token kinds where two versions differ in kind (see the module docstring); the higher the rank,
# the newer the version. A rank is followed by the token's value, except for the end.
_PRE_SUFFIX, _END, _REVISION, _COMMIT, _SUFFIX_NUMBER, _POST_SUFFIX, _LETTER, _DIGITS = range(8)
_PRE_SUFFIXES = {"alpha": 0, "beta": 1, "pre": 2, "rc": 3}
_POST_SUFFIXES = {"cvs": 0, "svn": 1, "git": 2, "hg": 3, "p": 4}


class InvalidVersion(_InvalidVersion):
    """Not a valid apk version (``apk version --check`` would reject it)."""


def _dotted(digits: str) -> tuple[int, int | str]:
    # A leading zero on either side makes apk compare the two as strings; every zero-led string sorts before
    # every other one ('0' is the smallest digit), so the two kinds order consistently.
    return (0, digits) if digits[0] == "0" else (1, int(digits))


def key(version: str) -> VersionKey:
    """The comparison key of an apk version; raises :class:`InvalidVersion` for an invalid one.

    >>> key("2.4.7-r0") < key("2.4.10-r0")
    True
    """
    match = _GRAMMAR.fullmatch(version)
    if match is None:
        raise InvalidVersion(f"not an apk version: {version!r}")
    first, dotted, letter, letter_number, suffixes, commit, revision = match.groups()
    out: list[object] = [int(first)]
    if dotted:
        for digits in dotted[1:].split("."):
            out.append(_DIGITS)
            out.append(_dotted(digits))
    if letter:
        out.append(_LETTER)
        out.append(letter)
        if letter_number:
            # apk-tools 2 read "7.5p1" as 7, 5, p, 1 (old secdb entries of openssh); apk-tools 3 rejects it.
            out.append(_DIGITS)
            out.append((1, int(letter_number)))
    if suffixes:
        for name, number in _SUFFIX.findall(suffixes):
            if name in _PRE_SUFFIXES:
                out.append(_PRE_SUFFIX)
                out.append(_PRE_SUFFIXES[name])
            elif name in _POST_SUFFIXES:
                out.append(_POST_SUFFIX)
                out.append(_POST_SUFFIXES[name])
            else:
                raise InvalidVersion(f"unknown suffix _{name} in apk version {version!r}")
            if number:
                out.append(_SUFFIX_NUMBER)
                out.append(int(number))
    if commit:
        out.append(_COMMIT)
        out.append(commit)
    if revision is not None:
        out.append(_REVISION)
        out.append(int(revision))
    out.append(_END)
    return tuple(out)


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as ``apk version -t a b`` answers ``<``, ``=`` or ``>``."""
    return cmp_keys(key(a), key(b))


def is_valid(version: str) -> bool:
    try:
        key(version)
    except InvalidVersion:
        return False
    return True
