"""The one seam to ``license-expression`` (aboutcode): SPDX expressions parsed into a small typed tree.

``license-expression`` ships the ScanCode licence database: every SPDX licence and exception id, the aliases
ScanCode knows for them (``GPL-2.0`` and ``GPL-2.0+`` are ``GPL-2.0-only`` and ``GPL-2.0-or-later``), its own
``LicenseRef-scancode-*`` ids and a category per licence. Its parser builds boolean-algebra objects; this module
turns them into :data:`Expr` (frozen dataclasses narrowed with ``match``) so the classifier and the policy never
touch the library. The library has no type information, hence the one ``type: ignore`` below.

Building the SPDX symbol table costs ~50 ms; it is built once per process, on first use.

>>> render(parse("mit or (apache-2.0 and GPL-2.0+)"))
'MIT OR (Apache-2.0 AND GPL-2.0-or-later)'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import boolean  # type: ignore[import-untyped]  # license-expression's parser; no type information either
import license_expression  # type: ignore[import-untyped]


@dataclass(frozen=True, slots=True)
class License:
    """One licence: an SPDX id or a ``LicenseRef-`` id, with an optional exception (``WITH``)."""

    id: str
    exception: str = ""

    def __str__(self) -> str:
        return f"{self.id} WITH {self.exception}" if self.exception else self.id


@dataclass(frozen=True, slots=True)
class AllOf:
    """``A AND B``: every part applies."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """``A OR B``: the licensee picks one."""

    parts: tuple[Expr, ...]


Expr = License | AllOf | AnyOf


class ExpressionError(ValueError):
    """Text that is not an SPDX expression (unbalanced parentheses, a dangling operator...)."""


_PARSE_ERRORS = (license_expression.ExpressionError, boolean.ParseError, IndexError, TypeError, AttributeError,
                 AssertionError)
"""What the parser raises on text that is no expression: its own errors, boolean.py's, and (for ``()`` and its
like, found by fuzzing) Python's own from inside boolean.py, which checks its arguments with ``assert``."""


@dataclass(frozen=True, slots=True)
class Symbol:
    """A name the licence database knows, as its canonical id."""

    id: str
    is_exception: bool
    category: str
    """ScanCode's category (``Permissive``, ``Copyleft``, ``Copyleft Limited``, ``Public Domain``...)."""


@cache
def _licensing() -> Any:
    return license_expression.get_spdx_licensing()


@cache
def _index() -> tuple[dict[str, Symbol], dict[str, Symbol]]:
    """(lowercased SPDX id or alias -> symbol, lowercased ScanCode licence key -> symbol)."""
    by_name: dict[str, Symbol] = {}
    by_key: dict[str, Symbol] = {}
    for entry in license_expression.get_license_index():
        spdx = entry.get("spdx_license_key")
        if not spdx:
            continue
        sym = Symbol(spdx, bool(entry.get("is_exception")), str(entry.get("category") or ""))
        by_key.setdefault(str(entry["license_key"]).lower(), sym)
        for name in (spdx, *(entry.get("other_spdx_license_keys") or ())):
            by_name.setdefault(str(name).lower(), sym)
    return by_name, by_key


def lookup(name: str) -> Symbol | None:
    """The licence or exception an SPDX id or one of its aliases names, any case; ``None`` if unknown.

    >>> lookup("gpl-2.0+").id, lookup("Classpath-exception-2.0").is_exception, lookup("Expat")
    ('GPL-2.0-or-later', True, None)
    """
    return _index()[0].get(name.lower())


def lookup_scancode_key(key: str) -> Symbol | None:
    """The licence a ScanCode licence key names (``public-domain``, ``bsd-new``), as its SPDX or LicenseRef id.

    >>> lookup_scancode_key("public-domain").id
    'LicenseRef-scancode-public-domain'
    """
    return _index()[1].get(key.lower())


def parse(text: str) -> Expr:
    """An SPDX expression as a tree of canonical ids (unknown ids are kept as written).

    :class:`ExpressionError` for text that is not an expression.
    """
    try:
        parsed = _licensing().parse(text, validate=False, strict=False)
    except _PARSE_ERRORS as exc:
        raise ExpressionError(f"{text!r}: {exc}") from None
    if parsed is None:
        raise ExpressionError(f"{text!r}: empty")
    return _convert(parsed)


def _convert(node: Any) -> Expr:
    if isinstance(node, license_expression.LicenseWithExceptionSymbol):
        return License(str(node.license_symbol.key), str(node.exception_symbol.key))
    if isinstance(node, license_expression.LicenseSymbol):
        return License(str(node.key))
    parts = tuple(_convert(arg) for arg in node.args)
    if isinstance(node, _licensing().AND):
        return AllOf(parts)
    if isinstance(node, _licensing().OR):
        return AnyOf(parts)
    raise ExpressionError(f"unexpected node {node!r}")  # NOT, TRUE, FALSE: not in SPDX's grammar


def render(expr: Expr) -> str:
    """SPDX text; every nested ``AND``/``OR`` is parenthesised, though SPDX binds ``AND`` tighter, so no reader
    has to remember that.

    >>> render(AllOf((AnyOf((License("MIT"), License("ISC"))), License("Zlib"))))
    '(MIT OR ISC) AND Zlib'
    """
    match expr:
        case License():
            return str(expr)
        case AllOf(parts):
            return " AND ".join(_nested(p) for p in parts)
        case AnyOf(parts):
            return " OR ".join(_nested(p) for p in parts)


def _nested(expr: Expr) -> str:
    return str(expr) if isinstance(expr, License) else f"({render(expr)})"


def licenses(expr: Expr) -> tuple[License, ...]:
    """Every licence the expression names, in order, once each."""
    match expr:
        case License():
            return (expr,)
        case AllOf(parts) | AnyOf(parts):
            return tuple(dict.fromkeys(lic for p in parts for lic in licenses(p)))
