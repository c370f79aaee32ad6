"""Any licence text a package database holds, as a valid SPDX expression.

Packages carry licences as their ecosystems write them: already SPDX (``MIT OR Apache-2.0``), SPDX-ish
(``GPL-2.0+``, ``gpl-2.0``), names (``MIT License``, ``Apache 2.0``, ``PSF``, PyPI classifiers, Maven
``<name>``\\ s, URLs), Debian short names (``GPL-2+``, ``Expat``) and rpm's ``GPLv2+ and LGPLv2+``. The
extractors already map the spellings they know (:mod:`hullscan.extract.licenses`); what reaches the scanner is
turned into an expression here:

1. a whole text that is one known name (every table in :mod:`hullscan.extract.licenses`, Debian's, SPDX ids and
   the aliases and ScanCode keys of ``license-expression``'s database) is that licence;
2. else the text is split at its operators (``and``, ``or``, ``and/or``, ``with``, ``&``, ``|``,
   parentheses; a comma or semicolon separates groups with the lowest precedence, as in Debian's ``GPL-2+ or
   Artistic, and BSD-3-clause``, and means ``AND`` unless an operator follows it) and each name between them
   is looked up the same way; a name made of several known ids (Alpine's ``MIT BSD``) is their ``AND``; an
   exception nobody knows is dropped (it could only relax its licence);
3. a name still unknown becomes ``LicenseRef-<the name>`` (SPDX's form for licences outside its list), which is
   classified ``unknown``.

The result is parsed by ``license-expression``, which checks the grammar and gives every id its canonical case.
Results are memoised per text: an image repeats a few hundred distinct strings across thousands of packages.

>>> [normalize(t).expression for t in ("Apache 2.0", "GPLv2+ and LGPLv2+", "BSD-3-clause and/or GPL-3+")]
['Apache-2.0', 'GPL-2.0-or-later AND LGPL-2.0-or-later', 'BSD-3-Clause OR GPL-3.0-or-later']
>>> normalize("GPL-2+ with OpenSSL exception"), normalize("Foo Public Licence")
(Normalized(expression='GPL-2.0-or-later', classification=<Category.RESTRICTED: 'restricted'>), \
Normalized(expression='LicenseRef-Foo-Public-Licence', classification=<Category.UNKNOWN: 'unknown'>))
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from hullscan.checks.license.categories import Category
from hullscan.checks.license.classify import classify
from hullscan.checks.license.spdx import Expr, ExpressionError, License, lookup, lookup_scancode_key, parse
from hullscan.checks.license.spdx import render as render_expr
from hullscan.extract.dpkg import normalize_license as debian_license
from hullscan.extract.licenses import (
    PYPI_LICENSE_NAMES,
    license_name_id,
    normalize_license_token,
    normalize_license_tokens,
)

NOASSERTION = "NOASSERTION"
"""SPDX's word for "no licence information": what an empty or placeholder licence field becomes."""

_PLACEHOLDERS = frozenset({"", "unknown", "none", "n/a", "na", "noassertion", "unlicensed?", "see license"})

# Operators between licence names, as packagers write them; the captured text is mapped by _OPERATORS.
_SPLIT = re.compile(r"(\(|\)|&|\||(?:^|\s+)(?:and/or|and|or|with)(?:\s+|$))", re.IGNORECASE)
_OPERATORS = {"and": "AND", "or": "OR", "and/or": "OR", "with": "WITH", "&": "AND", "|": "OR"}
# A comma or semicolon separates groups, with the lowest precedence: Debian's "GPL-2+ or Artistic, and
# BSD-3-clause" is (GPL-2+ or Artistic) and BSD-3-clause (copyright-format 1.0, "License specification").
_GROUPS = re.compile(r"\s*[,;]\s*(?:(and/or|and|or)\s+)?", re.IGNORECASE)
_NOT_IDSTRING = re.compile(r"[^A-Za-z0-9.]+")
_EXCEPTION_VERSION = re.compile(r"(?P<name>.+?)[- ](?P<version>\d[\d.]*)[- ]exception", re.IGNORECASE)


class Normalized(NamedTuple):
    """A licence text as an SPDX expression and its category."""

    expression: str
    classification: Category


def normalize(text: str) -> Normalized:
    """The SPDX expression a licence text stands for, and its category (see the module docstring)."""
    expr = to_expression(text)
    if expr is None:
        return Normalized(NOASSERTION, Category.UNKNOWN)
    return Normalized(render_expr(expr), classify(expr))


@lru_cache(maxsize=1 << 16)
def to_expression(text: str) -> Expr | None:
    """The licence text as an expression tree; ``None`` for an empty or placeholder text (``UNKNOWN``)."""
    text = " ".join(text.split())
    if text.lower() in _PLACEHOLDERS:
        return None
    if (known := _known_id(text)) is not None:
        return License(known)
    built = _build(text)
    # Unbalanced parentheses ("Zlib AND ("): read again without any, AND binding tighter than OR.
    flat = [w for w in built.split() if w not in ("(", ")")]
    while flat and flat[-1] in ("AND", "OR"):
        flat.pop()
    while flat and flat[0] in ("AND", "OR"):
        flat.pop(0)
    for attempt in (built, " ".join(flat)):
        if attempt:
            try:
                return parse(attempt)
            except ExpressionError:
                continue
    ref = license_ref(text)
    sym = lookup(ref)  # ScanCode knows some LicenseRef- ids as aliases (LicenseRef-GPL)
    return License(sym.id if sym is not None and not sym.is_exception else ref)


def license_ref(name: str) -> str:
    """``LicenseRef-`` and the name with every run of characters SPDX does not allow turned into ``-``.

    >>> license_ref("BSD-3-clause-with-weird numbering"), license_ref("LicenseRef-Foo")
    ('LicenseRef-BSD-3-clause-with-weird-numbering', 'LicenseRef-Foo')
    """
    cleaned = _NOT_IDSTRING.sub("-", name).strip("-") or "unnamed"
    return cleaned if cleaned.startswith("LicenseRef-") else f"LicenseRef-{cleaned}"


def _known_id(name: str) -> str | None:
    """The canonical id of one licence name, when some table knows it.

    Our tables come first, so their conventions (a bare ``GPL`` is ``GPL-2.0-or-later``) agree with what the
    extractors report; the name itself, as an SPDX id or alias, comes last; then ScanCode's licence keys.
    """
    candidates = (
        normalize_license_token(name),  # GPLv2+, GPL2, bsd, apache2 ... (the name itself when none of these)
        license_name_id(name),  # SPDX full names, Maven names, licence URLs
        PYPI_LICENSE_NAMES.get(name.lower()),  # PyPI classifiers and License-field spellings
        debian_license(name),  # copyright-format 1.0 short names: Expat, GPL-2+, BSD-4-clause-UC ...
        name,
    )
    for candidate in candidates:
        if candidate and (sym := lookup(candidate)) and not sym.is_exception:
            return sym.id
    # ScanCode's own keys (public-domain, bsd-new ...), which also covers our tables' Public-Domain token.
    for candidate in candidates:
        if candidate and (sym := lookup_scancode_key(candidate)):
            return sym.id
    return None


def _exception_id(name: str) -> str | None:
    """The SPDX exception a free-text exception name stands for (``Linux-syscall-note exception``)."""
    candidates = [name, name.replace(" ", "-")]
    if name.lower().endswith(" exception"):
        bare = name[: -len(" exception")]
        candidates += [bare, bare.replace(" ", "-"), f"{bare.replace(' ', '-')}-exception"]
    if m := _EXCEPTION_VERSION.fullmatch(name):  # "Bison-2.2 exception" -> Bison-exception-2.2
        candidates.append(f"{m.group('name')}-exception-{m.group('version')}")
    for candidate in candidates:
        if (sym := lookup(candidate)) and sym.is_exception:
            return sym.id
    return None


def _leaf(name: str) -> str:
    """One name between operators, as expression text: an id, an AND of ids, or a LicenseRef."""
    if (known := _known_id(name)) is not None:
        return known
    tokens = normalize_license_tokens(name)
    if len(tokens) > 1:
        ids = [_known_id(t) for t in tokens]
        if all(ids):
            return "(" + " AND ".join(i for i in ids if i) + ")"
    return license_ref(name)


def _build(text: str) -> str:
    """The text rewritten as an SPDX expression string (not yet checked), or ``""`` when nothing is left."""
    separators = list(_GROUPS.finditer(text))
    if not separators:
        return _build_group(text)
    if any(_depth(text, m.start()) != 0 for m in separators) or _depth(text, len(text)) != 0:
        # Inside parentheses (or with unbalanced ones) a comma is one more AND (or the operator after it).
        return _build_group(_GROUPS.sub(lambda m: f" {m.group(1) or 'and'} ", text))
    pieces = _GROUPS.split(text)  # group, operator-or-None, group, ...
    out: list[str] = []
    for i in range(0, len(pieces), 2):
        group = _build_group(pieces[i])
        if not group:
            continue
        if out:
            out.append(_OPERATORS.get((pieces[i - 1] or "and").lower(), "AND"))
        out.append(f"({group})")
    return " ".join(out)


def _depth(text: str, end: int) -> int:
    """How many parentheses are open at ``end``."""
    return text.count("(", 0, end) - text.count(")", 0, end)


def _build_group(text: str) -> str:
    """One comma-free group of names and operators as expression text."""
    out: list[str] = []
    pending_with = False
    for piece in _SPLIT.split(text):
        word = piece.strip()
        if not word:
            continue
        op = _OPERATORS.get(word.lower())
        if word == "(":
            if out and out[-1] not in ("AND", "OR", "("):
                out.append("AND")  # "MIT (X11)": a name, then a parenthesised one: both apply
            out.append(word)
        elif word == ")":
            if out and out[-1] == "(":  # "()": nothing inside, nothing to keep
                out.pop()
                if out and out[-1] == "AND":
                    out.pop()
            else:
                out.append(word)
        elif op == "WITH":
            pending_with = bool(out) and out[-1] not in ("AND", "OR", "(")
        elif op is not None:
            if out and out[-1] not in ("AND", "OR", "("):
                out.append(op)
        elif pending_with:
            pending_with = False
            if (exception := _exception_id(word)) is not None:
                out += ["WITH", exception]
        else:
            if out and out[-1] not in ("AND", "OR", "("):
                out.append("AND")  # ")" then a name: both apply
            out.append(_leaf(word))
    while out and out[-1] in ("AND", "OR"):
        out.pop()
    return " ".join(out)

