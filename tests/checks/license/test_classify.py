"""Categories of licences and expressions: Google's table, ScanCode's fallback, AND/OR, exceptions."""

from __future__ import annotations

import pytest

from hullscan.checks.license import normalize
from hullscan.checks.license.categories import _TABLE, BY_ID, RESTRICTIVENESS, SEVERITY, Category
from hullscan.checks.license.classify import GOOGLE, base_id, classify, classify_id
from hullscan.checks.license.spdx import AllOf, AnyOf, License, lookup, parse
from hullscan.model import Severity

C = Category


@pytest.mark.parametrize(
    ("license_id", "category"),
    [
        ("AGPL-3.0-or-later", C.FORBIDDEN),
        ("AGPL-1.0-only", C.FORBIDDEN),
        ("CC-BY-NC-ND-3.0", C.FORBIDDEN),
        ("Commons-Clause", C.FORBIDDEN),
        ("GPL-1.0-or-later", C.RESTRICTED),
        ("GPL-3.0-only", C.RESTRICTED),
        ("LGPL-2.1-only", C.RESTRICTED),
        ("OSL-3.0", C.RESTRICTED),
        ("Sleepycat", C.RESTRICTED),
        ("CC-BY-SA-3.0", C.RESTRICTED),
        ("MPL-2.0", C.RECIPROCAL),
        ("CDDL-1.1", C.RECIPROCAL),
        ("EPL-2.0", C.RECIPROCAL),
        ("Ruby", C.RECIPROCAL),
        ("Apache-2.0", C.NOTICE),
        ("BSD-2-Clause", C.NOTICE),
        ("Zlib", C.NOTICE),
        ("Python-2.0", C.NOTICE),
        ("OpenSSL", C.NOTICE),
        ("CC-BY-4.0", C.NOTICE),
        ("MIT-0", C.PERMISSIVE),
        ("CC0-1.0", C.UNENCUMBERED),
        ("0BSD", C.UNENCUMBERED),
    ],
)
def test_google_categories(license_id: str, category: Category) -> None:
    assert classify_id(license_id) == (category, GOOGLE)


GOOGLE_NAMES = frozenset({"Commons-Clause", "Facebook-2-Clause", "Facebook-3-Clause", "Facebook-Examples", "BCL",
                          "Lil-1.0", "PIL", "Python-2.0-complete"})
"""Names in Google's table that are not SPDX ids."""


def test_every_table_entry_is_a_real_spdx_id() -> None:
    """The table is written in SPDX ids (GNU ones by their version), but for a few names of Google's own."""
    for ids in _TABLE.values():
        for license_id in ids - GOOGLE_NAMES:
            sym = lookup(license_id)
            assert sym is not None and not sym.is_exception, license_id
    assert len(BY_ID) == sum(len(ids) for ids in _TABLE.values())  # no id in two categories


@pytest.mark.parametrize(("text", "category"), [("Commons-Clause", C.FORBIDDEN), ("Facebook-3-Clause", C.FORBIDDEN),
                                                ("BCL", C.RESTRICTED), ("PIL", C.NOTICE)])
def test_googles_own_names_arrive_as_license_refs(text: str, category: Category) -> None:
    expression, found = normalize(text)
    assert expression.startswith("LicenseRef-") and found is category


@pytest.mark.parametrize(
    ("license_id", "category", "source"),
    [
        ("curl", C.NOTICE, "ScanCode category Permissive"),
        ("HPND", C.NOTICE, "ScanCode category Permissive"),
        ("CPAL-1.0", C.RESTRICTED, "ScanCode category Copyleft"),
        ("EUPL-1.2", C.RECIPROCAL, "ScanCode category Copyleft Limited"),
        ("GFDL-1.3-or-later", C.RECIPROCAL, "ScanCode category Copyleft Limited"),
        ("LicenseRef-scancode-public-domain", C.UNENCUMBERED, "ScanCode category Public Domain"),
        ("Beerware", C.UNKNOWN, ""),  # Google: by exception only
        ("OpenVision", C.UNKNOWN, ""),
        ("LicenseRef-BSD-4-clause-POWERDOG", C.UNKNOWN, ""),
        ("Classpath-exception-2.0", C.UNKNOWN, ""),  # an exception is no licence
    ],
)
def test_outside_googles_table(license_id: str, category: Category, source: str) -> None:
    assert classify_id(license_id) == (category, source)


def test_base_id() -> None:
    assert [base_id(i) for i in ("GPL-2.0-only", "GPL-2.0-or-later", "GPL-2.0+", "MIT", "-only")] == [
        "GPL-2.0", "GPL-2.0", "GPL-2.0", "MIT", "-only"]


def test_or_takes_the_most_permissive_and_the_most_restrictive() -> None:
    assert classify(parse("GPL-3.0-only OR MIT")) is C.NOTICE
    assert classify(parse("GPL-3.0-only AND MIT")) is C.RESTRICTED
    assert classify(parse("(AGPL-3.0-only OR MPL-2.0) AND Apache-2.0")) is C.RECIPROCAL
    assert classify(parse("(AGPL-3.0-only AND MPL-2.0) OR GPL-2.0-only")) is C.RESTRICTED
    assert classify(parse("CC0-1.0 OR MIT-0")) is C.UNENCUMBERED


def test_unknown_ranks_between_restricted_and_forbidden() -> None:
    unknown = License("LicenseRef-x")
    assert classify(AllOf((License("GPL-2.0-only"), unknown))) is C.UNKNOWN
    assert classify(AnyOf((License("GPL-2.0-only"), unknown))) is C.RESTRICTED
    assert classify(AllOf((License("AGPL-3.0-only"), unknown))) is C.FORBIDDEN
    assert classify(AnyOf((License("AGPL-3.0-only"), unknown))) is C.UNKNOWN
    order = sorted(RESTRICTIVENESS, key=RESTRICTIVENESS.__getitem__)
    assert order == [C.UNENCUMBERED, C.PERMISSIVE, C.NOTICE, C.RECIPROCAL, C.RESTRICTED, C.UNKNOWN, C.FORBIDDEN]


def test_an_exception_is_classified_as_its_licence() -> None:
    assert classify(parse("GPL-2.0-only WITH Classpath-exception-2.0")) is C.RESTRICTED
    assert classify(License("Apache-2.0", "LLVM-exception")) is C.NOTICE


def test_severities_are_trivys() -> None:
    assert SEVERITY == {
        C.FORBIDDEN: Severity.CRITICAL, C.RESTRICTED: Severity.HIGH, C.RECIPROCAL: Severity.MEDIUM,
        C.NOTICE: Severity.LOW, C.PERMISSIVE: Severity.LOW, C.UNENCUMBERED: Severity.LOW,
        C.UNKNOWN: Severity.UNKNOWN,
    }
