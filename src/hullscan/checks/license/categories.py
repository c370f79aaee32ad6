"""Licence categories: which SPDX ids are forbidden, restricted, reciprocal, notice, permissive or unencumbered.

The categories and their members are those of Google's licence classifier (``license_type.go`` in
https://github.com/google/licenseclassifier), which Trivy uses and documents
(https://trivy.dev/latest/docs/scanner/license/). Google lists licence *versions* without the GNU ``-only`` /
``-or-later`` suffixes (``GPL-2.0``), so an id is looked up by its base: ``GPL-2.0-or-later`` is ``GPL-2.0``.
A few of Google's names are not SPDX ids (``Commons-Clause``, ``Facebook-*``, ``BCL``, ``Lil-1.0``, ``PIL``,
``Python-2.0-complete``): they match the ``LicenseRef-`` ids normalisation gives them. Google's
``by_exception_only`` licences (Beerware, OFL-1.1, OpenVision) have no category here, as in Trivy:
they are ``unknown``, which asks a human to look.

An SPDX id Google does not list gets the category its ScanCode category implies (:data:`SCANCODE`): ScanCode's
database ships with ``license-expression`` and covers every SPDX id. Anything else (a ``LicenseRef-`` of a name
nobody knows) is ``unknown``.
"""

from __future__ import annotations

from enum import StrEnum

from hullscan.model import Severity


class Category(StrEnum):
    """What a licence asks of whoever ships the software (Google's licence types)."""

    FORBIDDEN = "forbidden"
    """Not to be used at all (network copyleft, non-commercial, the Commons Clause)."""
    RESTRICTED = "restricted"
    """Shipping it means distributing source under the same licence (strong copyleft)."""
    RECIPROCAL = "reciprocal"
    """Free to ship unmodified; modifications of its files must be published (weak, file-level copyleft)."""
    NOTICE = "notice"
    """Free to ship if the copyright notice (sometimes an advertising clause) goes with it."""
    PERMISSIVE = "permissive"
    """Free to ship; not even the notice is required."""
    UNENCUMBERED = "unencumbered"
    """Public domain or free for any use."""
    UNKNOWN = "unknown"
    """Not a licence we can place: someone has to read it."""


RESTRICTIVENESS: dict[Category, int] = {
    Category.UNENCUMBERED: 0,
    Category.PERMISSIVE: 1,
    Category.NOTICE: 2,
    Category.RECIPROCAL: 3,
    Category.RESTRICTED: 4,
    Category.UNKNOWN: 5,
    Category.FORBIDDEN: 6,
}
"""Order for combining: ``AND`` takes the highest, ``OR`` the lowest. ``unknown`` ranks above ``restricted``
(it may be worse than any licence we know) but below ``forbidden`` (which is known to be worse): so ``MIT OR
LicenseRef-x`` is notice (MIT can be chosen) and ``GPL-2.0-only AND LicenseRef-x`` is unknown."""

SEVERITY: dict[Category, Severity] = {
    Category.FORBIDDEN: Severity.CRITICAL,
    Category.RESTRICTED: Severity.HIGH,
    Category.RECIPROCAL: Severity.MEDIUM,
    Category.NOTICE: Severity.LOW,
    Category.PERMISSIVE: Severity.LOW,
    Category.UNENCUMBERED: Severity.LOW,
    Category.UNKNOWN: Severity.UNKNOWN,
}
"""Default severity per category: Trivy's mapping, so results and ``--severity`` filters carry over."""

_CC = ("1.0", "2.0", "2.5", "3.0", "4.0")
"""The Creative Commons licence versions Google lists."""

_TABLE: dict[Category, frozenset[str]] = {
    Category.FORBIDDEN: frozenset({
        "AGPL-1.0", "AGPL-3.0",
        *(f"CC-BY-{kind}-{v}" for kind in ("NC", "NC-ND", "NC-SA") for v in _CC),
        "Commons-Clause", "Facebook-2-Clause", "Facebook-3-Clause", "Facebook-Examples", "WTFPL",
    }),
    Category.RESTRICTED: frozenset({
        "BCL", *(f"CC-BY-{kind}-{v}" for kind in ("ND", "SA") for v in _CC),
        "GPL-1.0", "GPL-2.0", "GPL-3.0", "LGPL-2.0", "LGPL-2.1", "LGPL-3.0",
        # Google lists the GPL with the autoconf, bison, classpath, font and GCC exceptions here too; an
        # exception is classified as its licence (see classify.py), which gives the same answer.
        "NPL-1.0", "NPL-1.1", "OSL-1.0", "OSL-1.1", "OSL-2.0", "OSL-2.1", "OSL-3.0", "QPL-1.0", "Sleepycat",
    }),
    Category.RECIPROCAL: frozenset({
        "APSL-1.0", "APSL-1.1", "APSL-1.2", "APSL-2.0", "CDDL-1.0", "CDDL-1.1", "CPL-1.0", "EPL-1.0", "EPL-2.0",
        "FreeImage", "IPL-1.0", "MPL-1.0", "MPL-1.1", "MPL-2.0", "Ruby",
    }),
    Category.NOTICE: frozenset({
        "AFL-1.1", "AFL-1.2", "AFL-2.0", "AFL-2.1", "AFL-3.0", "Apache-1.0", "Apache-1.1", "Apache-2.0",
        "Artistic-1.0", "Artistic-1.0-cl8", "Artistic-1.0-Perl", "Artistic-2.0", "BSL-1.0",
        "BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-FreeBSD", "BSD-2-Clause-NetBSD", "BSD-3-Clause",
        "BSD-3-Clause-Attribution", "BSD-3-Clause-Clear", "BSD-3-Clause-LBNL", "BSD-4-Clause", "BSD-4-Clause-UC",
        "BSD-Protection", *(f"CC-BY-{v}" for v in _CC), "FTL", "ImageMagick", "ISC", "Libpng", "Lil-1.0",
        "Linux-OpenIB", "LPL-1.0", "LPL-1.02", "MIT", "MS-PL", "NCSA", "OpenSSL", "PHP-3.0", "PHP-3.01", "PIL",
        "PostgreSQL", "Python-2.0", "Python-2.0-complete", "SGI-B-1.0", "SGI-B-1.1", "SGI-B-2.0",
        "Unicode-DFS-2015", "Unicode-DFS-2016", "Unicode-TOU", "UPL-1.0", "W3C", "W3C-19980720", "W3C-20150513",
        "X11", "Xnet", "Zend-2.0", "Zlib", "zlib-acknowledgement", "ZPL-1.1", "ZPL-2.0", "ZPL-2.1",
    }),
    # Google's permissive list is empty. MIT-0 is our one entry: the MIT licence without its notice clause.
    Category.PERMISSIVE: frozenset({"MIT-0"}),
    Category.UNENCUMBERED: frozenset({"0BSD", "CC0-1.0", "Unlicense"}),
}

BY_EXCEPTION_ONLY = frozenset({"beerware", "ofl-1.1", "openvision"})
"""Google's ``by_exception_only`` (lowercased): deliberately left ``unknown``, not given a ScanCode category."""

SCANCODE: dict[str, Category] = {
    "Permissive": Category.NOTICE,  # ScanCode's "Permissive" includes MIT and BSD: the notice must go along
    "Public Domain": Category.UNENCUMBERED,
    "Copyleft": Category.RESTRICTED,
    "Copyleft Limited": Category.RECIPROCAL,
}
"""ScanCode categories that map onto one of Google's; the rest (``Proprietary Free``, ``Commercial``,
``Source-available``, ``Free Restricted``, ``Patent License``, ``CLA``...) stay ``unknown``."""

BY_ID: dict[str, Category] = {lic.lower(): cat for cat, ids in _TABLE.items() for lic in ids}
"""Lowercased id (without ``-only``/``-or-later``) -> category."""
