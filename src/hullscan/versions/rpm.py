"""RPM versions: ``[epoch:]version[-release]``, compared as librpm does.

``rpmvercmp`` (rpmio/rpmvercmp.c, rpm 4.18) skips every character that is not an ASCII letter, digit, ``~`` or
``^``, and walks both strings segment by segment:

* ``~`` sorts before everything, even the end of the string (``1.0~rc1 < 1.0``);
* ``^`` sorts after the end of the string but before any further segment (``1.0 < 1.0^git1 < 1.0.1``);
* a numeric segment is newer than an alphabetic one; numbers compare as integers, letters as ASCII strings;
* when one string runs out of segments, it is the older one.

An EVR compares the epoch (missing means 0), then the version, then the release. A version without a release
sorts before the same version with any release, even ``~1`` or an empty one (as ``rpm.vercmp`` in rpm 4.18
answers).

https://rpm-software-management.github.io/rpm/manual/dependencies.html#versioning

>>> compare("1.0~rc1", "1.0") < 0
True
>>> compare("1.0^git1", "1.0") > 0
True
>>> compare("1.0^git1", "1.0.1") < 0
True
>>> compare("1:1.0-1.el9", "2.0-1.el9") > 0
True
>>> compare("1.0_1", "1.0.1")
0
"""

from __future__ import annotations

import re

from hullscan.versions._common import InvalidVersion as _InvalidVersion
from hullscan.versions._common import VersionKey, cmp_keys

__all__ = ["InvalidVersion", "compare", "is_valid", "key", "key_evr"]

_SEGMENTS = re.compile(r"[A-Za-z]+|[0-9]+|[~^]")
_EPOCH = re.compile(r"([0-9]*):")

# Segment tags, in rpmvercmp's order. A tag is followed by the segment's value for letters and numbers.
_TILDE, _END, _CARET, _ALPHA, _NUMBER = 0, 1, 2, 3, 4
_NO_RELEASE = -1  # rpm 4.18 orders an EVR without a release before the same version with any release


class InvalidVersion(_InvalidVersion):
    """An empty version (rpm itself compares anything; an empty version is no version at all)."""


def _segments(part: str, out: list[object]) -> None:
    for segment in _SEGMENTS.findall(part):
        first = segment[0]
        if first == "~":
            out.append(_TILDE)
        elif first == "^":
            out.append(_CARET)
        elif first <= "9":
            out.append(_NUMBER)
            out.append(int(segment))
        else:
            out.append(_ALPHA)
            out.append(segment)
    # The end tag keeps the keys of version and release aligned and orders the end between '~' and '^'.
    out.append(_END)


def key_evr(epoch: int | None, version: str, release: str | None) -> VersionKey:
    """The key of an EVR given as its parts (as rpm headers store them)."""
    if not version.strip():
        raise InvalidVersion("version is empty")
    out: list[object] = [epoch or 0]
    _segments(version, out)
    if release is None:
        out.append(_NO_RELEASE)
    else:
        _segments(release, out)
    return tuple(out)


def key(version: str) -> VersionKey:
    """The key of ``[epoch:]version[-release]``, split as rpm's ``parseEVR`` splits it.

    >>> key("0:1.2-3") == key("1.2-3")
    True
    """
    text = version.strip()
    epoch: int | None = None
    match = _EPOCH.match(text)
    if match:
        epoch = int(match.group(1) or 0)
        text = text[match.end() :]
    evr_version, hyphen, release = text.rpartition("-")
    if not hyphen:
        return key_evr(epoch, text, None)
    return key_evr(epoch, evr_version, release)


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as ``rpm.vercmp(a, b)`` answers in rpm 4.18."""
    return cmp_keys(key(a), key(b))


def is_valid(version: str) -> bool:
    try:
        key(version)
    except InvalidVersion:
        return False
    return True
