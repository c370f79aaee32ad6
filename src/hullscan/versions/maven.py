"""Maven versions, ordered as Maven's ``ComparableVersion`` (maven-artifact 3.8.7) orders them.

A version is lower-cased and cut into items at ``.``, at ``-`` and where digits meet letters. Numbers are
integers; words are qualifiers, ordered ``alpha < beta < milestone < rc = cr < snapshot < "" = ga = final =
release < sp``, then any other word in alphabetical order (``a1``, ``b1``, ``m1`` before a digit are alpha,
beta and milestone). A ``-`` opens a sub-list, and so does a word after a dot when digits follow it or it ends
the version (``1.0.RC1`` reads as ``1.0-RC1``), so ``1-1 < 1.1``. Trailing null items (``0``, ``""``, empty
lists) are dropped: ``1.0 = 1 = 1.0.0 = 1-ga = 1.Final``. Where one version has run out of items, the other's
next item is compared with "nothing": a number above 0 or a qualifier after release makes the longer version
newer (``1.0.1 > 1``, ``1-sp > 1``), a pre-release qualifier makes it older (``1-rc1 < 1``, ``1-SNAPSHOT < 1``).

Maven's own comparison is not transitive in a few corners: ``1.0 < 1.0.BUILD-SNAPSHOT`` (an unknown word after
release), ``1.0.BUILD-SNAPSHOT < 1.0.RC1`` (a word sorts before a sub-list) and ``1.0.RC1 < 1.0``. A key must be
a total order, so it settles such a cycle the way the comparisons with the plain version read: an item whose
comparison with "nothing" says "older" (``-RC1``) sorts before every item that says "newer" (``.BUILD``), and an
item equal to "nothing" (a ``0`` or ``ga`` in the middle) by what follows it. Every comparison outside these
cycles agrees with Maven.

https://maven.apache.org/pom.html#version-order-specification

>>> compare("1.0-SNAPSHOT", "1.0") < 0
True
>>> compare("1.0-alpha-1", "1.0-beta-1") < 0
True
>>> compare("1.0.0.Final", "1.0")
0
>>> compare("1.0-rc1", "1.0-cr1")
0
>>> compare("1.0-sp1", "1.0") > 0
True
>>> sorted(["1.1", "1-1", "1", "1-SNAPSHOT", "1-rc1", "1.0.1"], key=key)
['1-rc1', '1-SNAPSHOT', '1', '1-1', '1.0.1', '1.1']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hullscan.versions._common import InvalidVersion as _InvalidVersion
from hullscan.versions._common import VersionKey, cmp_keys

__all__ = ["InvalidVersion", "compare", "is_valid", "key"]

_QUALIFIERS = {"alpha": 0, "beta": 1, "milestone": 2, "rc": 3, "snapshot": 4, "": 5, "sp": 6}
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORT_BEFORE_DIGIT = {"a": "alpha", "b": "beta", "m": "milestone"}
_RELEASE = _QUALIFIERS[""]
_UNKNOWN = len(_QUALIFIERS)

# Item kinds in Maven's order when two items meet: a word < a list < a number.
_WORD, _LIST, _NUMBER = 0, 1, 2
# A slot of a key is (sign, kind, value), where sign is how the rest of the list from that slot compares with
# "nothing": -1 older, 0 equal, 1 newer. The end of a list is (0,): after every -1 slot, before every 1 slot.
_END: tuple[int] = (0,)


class InvalidVersion(_InvalidVersion):
    """An empty version (Maven orders any other string)."""


@dataclass(slots=True)
class _List:
    items: list[int | str | _List] = field(default_factory=list)


def _word(text: str, followed_by_digit: bool) -> str:
    if followed_by_digit and len(text) == 1:
        text = _SHORT_BEFORE_DIGIT.get(text, text)
    return _ALIASES.get(text, text)


def _parse(version: str) -> _List:
    # The tokenizer of ComparableVersion.parseVersion: '.' ends an item, '-' ends one and opens a sub-list, and
    # a switch between digits and non-digits ends an item and opens a sub-list.
    text = version.lower()
    root = _List()
    current = root
    opened: list[_List] = [root]
    is_digit = False
    start = 0

    def item(end: int) -> int | str:
        chunk = text[start:end]
        return int(chunk) if is_digit else _word(chunk, False)

    def sub_list() -> None:
        nonlocal current
        child = _List()
        current.items.append(child)
        current = child
        opened.append(child)

    for i, ch in enumerate(text):
        if ch == ".":
            current.items.append(0 if i == start else item(i))
            start = i + 1
        elif ch == "-":
            current.items.append(0 if i == start else item(i))
            start = i + 1
            sub_list()
        elif ch.isdecimal():
            if not is_digit and i > start:
                if current.items:  # a word followed by digits opens a sub-list: 1.0.RC1 reads as 1.0-RC1
                    sub_list()
                current.items.append(_word(text[start:i], True))
                start = i
                sub_list()
            is_digit = True
        else:
            if is_digit and i > start:
                current.items.append(int(text[start:i]))
                start = i
                sub_list()
            is_digit = False
    if len(text) > start:
        if not is_digit and current.items:  # so does a word at the end: 1.0.sp reads as 1.0-sp
            sub_list()
        current.items.append(item(len(text)))
    # Maven normalises each list when it is popped off its stack: innermost lists first.
    for lst in reversed(opened):
        _normalize(lst)
    return root


def _is_null(item: int | str | _List) -> bool:
    if isinstance(item, int):
        return item == 0
    if isinstance(item, str):
        return item == ""
    return not item.items


def _normalize(lst: _List) -> None:
    # Drop null items from the end, looking past non-null sub-lists (so 1.0-alpha becomes 1-alpha).
    items = lst.items
    for i in range(len(items) - 1, -1, -1):
        item = items[i]
        if _is_null(item):
            del items[i]
        elif not isinstance(item, _List):
            break


def _word_rank(word: str) -> tuple[int, str]:
    rank = _QUALIFIERS.get(word)
    return (_UNKNOWN, word) if rank is None else (rank, "")


def _sign_vs_nothing(item: int | str | _List) -> int:
    # How Maven compares the item with a missing one (Item.compareTo(null)).
    if isinstance(item, int):
        return 1 if item else 0
    if isinstance(item, str):
        rank = _word_rank(item)[0]
        return (rank > _RELEASE) - (rank < _RELEASE)
    # a list compares with nothing as its first item that does not equal nothing (MNG-6964)
    return next((sign for sign in map(_sign_vs_nothing, item.items) if sign), 0)


def _list_key(lst: _List) -> VersionKey:
    slots: list[tuple[object, ...]] = []
    tail = 0
    for item in reversed(lst.items):
        sign = _sign_vs_nothing(item)
        if sign:
            tail = sign
        if isinstance(item, int):
            slots.append((tail, _NUMBER, item))
        elif isinstance(item, str):
            slots.append((tail, _WORD, _word_rank(item)))
        else:
            slots.append((tail, _LIST, _list_key(item)))
    slots.reverse()
    slots.append(_END)
    return tuple(slots)


def key(version: str) -> VersionKey:
    """The comparison key of a Maven version; raises :class:`InvalidVersion` only for an empty string.

    >>> key("2.0.0.RELEASE") > key("2.0.0.RC1") > key("2.0.0.M1")
    True
    """
    if not version.strip():
        raise InvalidVersion("version string is empty")
    return _list_key(_parse(version))


def compare(a: str, b: str) -> int:
    """-1, 0 or 1, as ``new ComparableVersion(a).compareTo(new ComparableVersion(b))`` answers (see above)."""
    return cmp_keys(key(a), key(b))


def is_valid(version: str) -> bool:
    return bool(version.strip())
