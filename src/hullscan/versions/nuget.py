"""NuGet package versions, ordered as ``NuGet.Versioning`` (``VersionComparer.Default``) orders them.

``Major[.Minor[.Patch[.Revision]]][-label[.label...]][+metadata]``: SemVer 2.0.0 with an optional fourth
number, missing numbers being 0 (``1.0 = 1.0.0 = 1.0.0.0``) and leading zeros allowed in them. A release sorts
after its pre-releases; labels compare one by one, numeric labels as integers and before the others, the
others case-insensitively (``1.0.0-RC1 = 1.0.0-rc1``), a shorter list of equal labels first. Metadata is
ignored.

https://learn.microsoft.com/en-us/nuget/concepts/package-versioning

>>> compare("1.0.0-beta", "1.0.0") < 0
True
>>> compare("1.0.0.1", "1.0.0") > 0
True
>>> compare("1.0", "1.0.0.0")
0
>>> compare("1.0.0-RC.1", "1.0.0-rc.1")
0
>>> compare("1.0.0-alpha.2", "1.0.0-alpha.10") < 0
True
"""

from __future__ import annotations

import re

from hullscan.versions._common import InvalidVersion as _InvalidVersion
from hullscan.versions._common import VersionKey, cmp_keys

__all__ = ["InvalidVersion", "compare", "is_valid", "key"]

_GRAMMAR = re.compile(
    r"([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.([0-9]+))?"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
_INT32 = re.compile(r"-?[0-9]+")
_INT32_MAX = 2**31 - 1


class InvalidVersion(_InvalidVersion):
    """Not a NuGet version (``NuGetVersion.TryParse`` returns false)."""


def _label(label: str) -> tuple[int, int | str]:
    # NuGet tests labels with Int32.TryParse: numeric when it parses, then compared as integers.
    if _INT32.fullmatch(label) and -_INT32_MAX - 1 <= int(label) <= _INT32_MAX:
        return (0, int(label))
    return (1, label.upper())


def key(version: str) -> VersionKey:
    """The comparison key of a NuGet version; raises :class:`InvalidVersion` for an invalid one.

    >>> key("4.0.0-preview1.19504.10") < key("4.0.0")
    True
    """
    match = _GRAMMAR.fullmatch(version.strip())
    if match is None:
        raise InvalidVersion(f"not a NuGet version: {version!r}")
    *numbers, labels, _metadata = match.groups()
    parts = tuple(int(n) if n is not None else 0 for n in numbers)
    if max(parts) > _INT32_MAX:
        raise InvalidVersion(f"version number too large: {version!r}")
    if labels is None:
        return (*parts, 1)
    out: list[object] = [*parts, 0]
    for label in labels.split("."):
        # SemVer 2 forbids leading zeros in numeric labels; NuGet enforces it for labels (not metadata).
        if len(label) > 1 and label[0] == "0" and label.isdigit():
            raise InvalidVersion(f"numeric label with a leading zero: {version!r}")
        out.extend(_label(label))
    return tuple(out)


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as ``VersionComparer.Default.Compare`` answers."""
    return cmp_keys(key(a), key(b))


def is_valid(version: str) -> bool:
    try:
        key(version)
    except InvalidVersion:
        return False
    return True
