"""RubyGems versions, ordered as ``Gem::Version#<=>`` (RubyGems 3.3) orders them.

A version is digits and letters separated by dots (``1.2.3``, ``1.0.0.rc1``, ``2.0.0.pre.alpha``); a ``-`` reads
as ``.pre.``. It is split into numeric and alphabetic segments; any letter makes a pre-release. Trailing zeros
of the release part and of the pre-release part are dropped (``1.0.0 = 1``, ``1.0.a = 1.a``), then segments
compare one by one, a missing segment counting as 0: numbers as integers, words as byte strings, and a word
before any number (``1.0.a < 1.0 < 1.0.0.1``).

https://guides.rubygems.org/patterns/#prerelease-gems

>>> compare("1.0.0.rc1", "1.0.0") < 0
True
>>> compare("1.0.a", "1.0.b") < 0
True
>>> compare("1.0", "1")
0
>>> compare("1.0-1", "1.0.pre.1")
0
>>> sorted(["1.0", "1.0.a", "1.0.a.1", "1.0.b", "1.0.1", "0.9"], key=key)
['0.9', '1.0.a', '1.0.a.1', '1.0.b', '1.0', '1.0.1']
"""

from __future__ import annotations

import re

from hullscan.versions._common import InvalidVersion as _InvalidVersion
from hullscan.versions._common import VersionKey, cmp_keys

__all__ = ["InvalidVersion", "compare", "is_valid", "key"]

# Gem::Version::ANCHORED_VERSION_PATTERN (the surrounding whitespace is stripped first).
_GRAMMAR = re.compile(r"[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")
_SEGMENTS = re.compile(r"[0-9]+|[a-zA-Z]+")
_RUBY_STRIP = " \t\n\v\f\r\0"

# Tags of a key: a word, a 0 that a word follows, the end, a 0 that a number follows, a number. A missing
# segment counts as 0, so the end sorts after words and before numbers, and a 0 in the middle sorts by what
# comes after it (the end of a version never follows a 0: trailing zeros are dropped).
_WORD, _ZERO_THEN_WORD, _END, _ZERO_THEN_NUMBER, _NUMBER = range(5)


class InvalidVersion(_InvalidVersion):
    """A malformed version number string (``Gem::Version.new`` raises ArgumentError)."""


def _drop_trailing_zeros(segments: list[int | str]) -> list[int | str]:
    end = len(segments)
    while end and segments[end - 1] == 0:
        end -= 1
    return segments[:end]


def canonical_segments(version: str) -> list[int | str]:
    """``Gem::Version#canonical_segments``: numbers and words with the trailing zeros of each part dropped.

    >>> canonical_segments("1.0.0.rc.0.1.0")
    [1, 'rc', 0, 1]
    """
    text = version.strip(_RUBY_STRIP)
    if not text:
        text = "0"  # an empty or blank version is "0"
    elif not _GRAMMAR.fullmatch(text):
        raise InvalidVersion(f"Malformed version number string {version}")
    segments: list[int | str] = [int(s) if s[0].isdigit() else s for s in _SEGMENTS.findall(text.replace("-", ".pre."))]
    first_word = next((i for i, s in enumerate(segments) if isinstance(s, str)), len(segments))
    return _drop_trailing_zeros(segments[:first_word]) + _drop_trailing_zeros(segments[first_word:])


def key(version: str) -> VersionKey:
    """The comparison key of a gem version; raises :class:`InvalidVersion` for a malformed one.

    >>> key("1.10") > key("1.9")
    True
    """
    segments = canonical_segments(version)
    out: list[object] = []
    after = _END
    for segment in reversed(segments):
        if isinstance(segment, str):
            out.append(segment)
            out.append(_WORD)
            after = _ZERO_THEN_WORD
        elif segment:
            out.append(segment)
            out.append(_NUMBER)
            after = _ZERO_THEN_NUMBER
        else:
            out.append(after)
    out.reverse()
    out.append(_END)
    return tuple(out)


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as ``Gem::Version.new(a) <=> Gem::Version.new(b)`` answers."""
    return cmp_keys(key(a), key(b))


def is_valid(version: str) -> bool:
    try:
        key(version)
    except InvalidVersion:
        return False
    return True
