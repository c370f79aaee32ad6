"""The category of a licence and of a whole SPDX expression.

A licence ``X WITH Y`` is classified as ``X``: an exception only relaxes its licence (Google lists the GPL with
the classpath, GCC or bison exception in the GPL's own category; Trivy reads ``WITH`` the same way). An
expression combines its parts by :data:`~hullscan.checks.license.categories.RESTRICTIVENESS`: for ``OR`` the
licensee may pick the most permissive choice; for ``AND`` every obligation applies, so the most restrictive
wins.

>>> from hullscan.checks.license.spdx import parse
>>> classify(parse("GPL-2.0-or-later OR MIT")), classify(parse("GPL-2.0-or-later AND MIT"))
(<Category.NOTICE: 'notice'>, <Category.RESTRICTED: 'restricted'>)
"""

from __future__ import annotations

from functools import cache

from hullscan.checks.license.categories import BY_EXCEPTION_ONLY, BY_ID, RESTRICTIVENESS, SCANCODE, Category
from hullscan.checks.license.spdx import AllOf, AnyOf, Expr, License, lookup

GOOGLE = "Google licence classifier"
"""The source of a category taken from :mod:`~hullscan.checks.license.categories`' table."""

GNU_SUFFIXES = ("-only", "-or-later", "+")
"""SPDX writes the GNU licences' versions this way (``GPL-2.0-only``, ``GPL-2.0-or-later``, deprecated
``GPL-2.0+``); Google's table lists the version alone."""


def base_id(license_id: str) -> str:
    """The id without a GNU ``-only``/``-or-later``/``+`` suffix.

    >>> base_id("LGPL-2.1-or-later"), base_id("GPL-2.0+"), base_id("MIT")
    ('LGPL-2.1', 'GPL-2.0', 'MIT')
    """
    for suffix in GNU_SUFFIXES:
        if license_id.endswith(suffix) and len(license_id) > len(suffix):
            return license_id[: -len(suffix)]
    return license_id


@cache
def classify_id(license_id: str) -> tuple[Category, str]:
    """A licence id's category, and what placed it there (:data:`GOOGLE`, or ScanCode's category; ``""`` for
    unknown).

    >>> classify_id("GPL-3.0-or-later"), classify_id("GFDL-1.3-only"), classify_id("LicenseRef-foo")
    ((<Category.RESTRICTED: 'restricted'>, 'Google licence classifier'), (<Category.RECIPROCAL: 'reciprocal'>, \
'ScanCode category Copyleft Limited'), (<Category.UNKNOWN: 'unknown'>, ''))
    """
    lowered = license_id.lower()
    # A few of Google's names are no SPDX ids (Commons-Clause, Facebook-*, BCL, PIL...): they arrive as
    # LicenseRef-<name> or as ScanCode's LicenseRef-scancode-<name>.
    bare = lowered.removeprefix("licenseref-").removeprefix("scancode-")
    found = BY_ID.get(lowered) or BY_ID.get(base_id(lowered)) or BY_ID.get(bare)
    if found is not None:
        return found, GOOGLE
    if lowered in BY_EXCEPTION_ONLY:
        return Category.UNKNOWN, ""
    sym = lookup(license_id)
    if sym is not None and not sym.is_exception and (mapped := SCANCODE.get(sym.category)):
        return mapped, f"ScanCode category {sym.category}"
    return Category.UNKNOWN, ""


def classify_license(lic: License) -> Category:
    """One licence's category (an exception changes nothing, see the module docstring)."""
    return classify_id(lic.id)[0]


def classify(expr: Expr) -> Category:
    """The category of an expression: ``OR`` the least restrictive part, ``AND`` the most restrictive."""
    match expr:
        case License():
            return classify_license(expr)
        case AllOf(parts):
            return max((classify(p) for p in parts), key=RESTRICTIVENESS.__getitem__)
        case AnyOf(parts):
            return min((classify(p) for p in parts), key=RESTRICTIVENESS.__getitem__)
