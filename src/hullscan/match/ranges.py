"""Is this version affected? OSV events, explicit version lists and expanded requirement constraints.

Semantics of events: https://ossf.github.io/osv-schema/#evaluation. Within one range the events are ordered by
version; a version is affected when the last ``introduced`` at or below it is not followed (at or below it) by
a ``fixed``, and it is not above a ``last_affected`` nor at or above a ``limit``.
"""

from __future__ import annotations

import functools
from functools import cmp_to_key
from typing import Any

from hullscan import versions
from hullscan.vulndb.model import Affected, Constraints, Event, EventKind

_ZERO = ("0", "")


def _cmp(scheme: str, a: str, b: str) -> int:
    ka, kb = versions.key(scheme, a), versions.key(scheme, b)  # cached keys, compared natively
    return 0 if ka == kb else (-1 if ka < kb else 1)


def _sorted_events(scheme: str, events: tuple[Event, ...]) -> list[Event]:
    def order(x: Event, y: Event) -> int:
        if x.kind is EventKind.INTRODUCED and x.version in _ZERO:
            return -1 if not (y.kind is EventKind.INTRODUCED and y.version in _ZERO) else 0
        if y.kind is EventKind.INTRODUCED and y.version in _ZERO:
            return 1
        return _cmp(scheme, x.version, y.version)

    return sorted(events, key=cmp_to_key(order))


_Prepared = tuple[tuple[EventKind, bool, Any], ...]


@functools.lru_cache(maxsize=1 << 16)
def _prepared(scheme: str, events: tuple[Event, ...]) -> _Prepared:
    """The events in evaluation order, each with its version's comparison key (``None`` for ``introduced 0``).
    Cached: the store hands out the same event tuples for the many rows that share them, and this is the
    matcher's hot path."""
    return tuple((ev.kind, ev.kind is EventKind.INTRODUCED and ev.version in _ZERO,
                  None if ev.kind is EventKind.INTRODUCED and ev.version in _ZERO else versions.key(scheme, ev.version))
                 for ev in _sorted_events(scheme, events))


def in_events(scheme: str, version: str, events: tuple[Event, ...]) -> bool:
    vk = versions.key(scheme, version)
    affected = False
    for kind, zero, key in _prepared(scheme, events):
        if kind is EventKind.INTRODUCED:
            if zero or vk >= key:
                affected = True
        elif kind is EventKind.FIXED:
            if vk >= key:
                affected = False
        elif kind is EventKind.LAST_AFFECTED:
            if vk > key:
                affected = False
        elif kind is EventKind.LIMIT and vk >= key:
            return False
    return affected


_OPS = {
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
    "==": lambda c: c == 0,
    "=": lambda c: c == 0,
    "!=": lambda c: c != 0,
}


def _holds(scheme: str, version: str, conjunction: tuple[tuple[str, str], ...]) -> bool:
    for op, bound in conjunction:
        test = _OPS.get(op)
        if test is None or not test(_cmp(scheme, version, bound)):
            return False
    return True


def in_constraints(scheme: str, version: str, c: Constraints) -> bool:
    vulnerable = c.vulnerable is None or any(_holds(scheme, version, conj) for conj in c.vulnerable)
    return vulnerable and not any(_holds(scheme, version, conj) for conj in c.safe)


def is_affected(scheme: str, version: str, row: Affected) -> bool:
    """Whether ``version`` falls in the row's affected set. Raises ValueError for versions the scheme rejects."""
    if row.range_type == "GIT":
        return False
    if row.versions:
        if version in row.versions:
            return True
        # OSV lists canonical spellings; compare by version only when the list is all there is (a record with
        # ranges is decided by its ranges, and comparing against long lists is the matcher's hot path).
        if not row.events and row.range_type != "CONSTRAINTS":
            return any(_cmp(scheme, version, v) == 0 for v in row.versions)
    if row.range_type == "CONSTRAINTS":
        return row.constraints is not None and in_constraints(scheme, version, row.constraints)
    if row.events:
        return in_events(scheme, version, row.events)
    # A distro row with no range: the vendor says every version is affected (no fix yet / will not fix).
    return not row.versions


def fix_for(scheme: str, version: str, row: Affected) -> str:
    """The smallest ``fixed`` event above ``version`` (a package can sit in one of several ranges)."""
    fixes = [e.version for e in row.events if e.kind is EventKind.FIXED and _cmp(scheme, e.version, version) > 0]
    if not fixes:
        return "" if row.events else row.fixed_version
    def order(a: str, b: str) -> int:
        return _cmp(scheme, a, b)

    return min(fixes, key=cmp_to_key(order))
