"""What every version scheme shares: the error base and the shape of a comparison key.

A *key* is a plain tuple built once per version string. Two keys of the same scheme compare natively with ``<``
and ``==`` exactly as the scheme orders the versions, so a matcher can build each key once (or load it from a
cache) and then compare millions of times at tuple speed.
"""

from __future__ import annotations

from typing import TypeAlias

VersionKey: TypeAlias = tuple[object, ...]
"""A comparison key. Only keys of the same scheme may be compared with each other."""


class InvalidVersion(ValueError):
    """A version string that its scheme's grammar rejects. Each scheme module subclasses it."""


def cmp_keys(a: VersionKey, b: VersionKey) -> int:
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b``."""
    return (a > b) - (a < b)
