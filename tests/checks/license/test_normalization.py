"""Licence texts as packages write them, normalised to SPDX expressions and classified.

The strings are real: Debian copyright ``License:`` names (from the bookworm image and the Trivy fixtures), rpm
``License:`` tags (Fedora/RHEL style), Alpine ``L:`` fields, PyPI classifiers and ``License`` fields, Maven
``<license><name>``\\ s and URLs, npm ``license`` values.
"""

from __future__ import annotations

import doctest
import importlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hullscan.checks.license import Category, normalize
from hullscan.checks.license.normalization import NOASSERTION, license_ref, to_expression
from hullscan.checks.license.spdx import ExpressionError, licenses, lookup, parse, render

EXPECTED = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "expected"

C = Category

REAL_WORLD: list[tuple[str, str, Category]] = [
    # already SPDX, in any case or with deprecated ids
    ("MIT", "MIT", C.NOTICE),
    ("mit", "MIT", C.NOTICE),
    ("Apache-2.0", "Apache-2.0", C.NOTICE),
    ("GPL-2.0", "GPL-2.0-only", C.RESTRICTED),
    ("GPL-2.0+", "GPL-2.0-or-later", C.RESTRICTED),
    ("LGPL-2.1-or-later", "LGPL-2.1-or-later", C.RESTRICTED),
    ("AGPL-3.0-only", "AGPL-3.0-only", C.FORBIDDEN),
    ("MPL-2.0", "MPL-2.0", C.RECIPROCAL),
    ("EPL-1.0", "EPL-1.0", C.RECIPROCAL),
    ("CC0-1.0", "CC0-1.0", C.UNENCUMBERED),
    ("Unlicense", "Unlicense", C.UNENCUMBERED),
    ("0BSD", "0BSD", C.UNENCUMBERED),
    ("MIT-0", "MIT-0", C.PERMISSIVE),
    ("WTFPL", "WTFPL", C.FORBIDDEN),
    ("CC-BY-NC-SA-4.0", "CC-BY-NC-SA-4.0", C.FORBIDDEN),
    ("CC-BY-SA-4.0", "CC-BY-SA-4.0", C.RESTRICTED),
    ("(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause", C.NOTICE),
    ("( Apache-2.0 OR MIT ) AND MPL-2.0", "(Apache-2.0 OR MIT) AND MPL-2.0", C.RECIPROCAL),  # Alpine
    ("GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0", C.RESTRICTED),
    ("GPL-3.0-only WITH GCC-exception-3.1", "GPL-3.0-only WITH GCC-exception-3.1", C.RESTRICTED),  # conda
    # free-text names
    ("Apache 2.0", "Apache-2.0", C.NOTICE),
    ("Apache License 2.0", "Apache-2.0", C.NOTICE),
    ("The Apache Software License, Version 2.0", "Apache-2.0", C.NOTICE),  # Maven
    ("Apache Software License", "Apache-2.0", C.NOTICE),  # PyPI classifier
    ("MIT License", "MIT", C.NOTICE),
    ("The MIT License (MIT)", "MIT", C.NOTICE),
    ("BSD", "BSD-3-Clause", C.NOTICE),
    ("BSD License", "BSD-3-Clause", C.NOTICE),
    ("Artistic", "Artistic-1.0-Perl", C.NOTICE),
    ("PSF", "PSF-2.0", C.NOTICE),
    ("Python Software Foundation License", "PSF-2.0", C.NOTICE),
    ("Eclipse Public License v2.0", "EPL-2.0", C.RECIPROCAL),
    ("GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later", C.RESTRICTED),
    ("GNU Library or Lesser General Public License (LGPL)", "LGPL-2.0-or-later", C.RESTRICTED),
    ("Mozilla Public License 1.1 (MPL 1.1)", "MPL-1.1", C.RECIPROCAL),
    ("Eclipse Distribution License - v 1.0", "BSD-3-Clause", C.NOTICE),
    ("https://www.apache.org/licenses/LICENSE-2.0.txt", "Apache-2.0", C.NOTICE),
    ("http://www.eclipse.org/legal/epl-v10.html", "EPL-1.0", C.RECIPROCAL),
    ("zlib/libpng license", "Zlib", C.NOTICE),
    # the GNU family as packagers spell it (rpm, Alpine, Debian)
    ("GPLv2+", "GPL-2.0-or-later", C.RESTRICTED),
    ("GPL2", "GPL-2.0-only", C.RESTRICTED),
    ("GPL", "GPL-2.0-or-later", C.RESTRICTED),
    ("LGPL", "LGPL-2.0-or-later", C.RESTRICTED),
    ("GPL-2+", "GPL-2.0-or-later", C.RESTRICTED),
    ("LGPL-2.1+", "LGPL-2.1-or-later", C.RESTRICTED),
    ("GPLv2+ and LGPLv2+", "GPL-2.0-or-later AND LGPL-2.0-or-later", C.RESTRICTED),  # rpm
    ("GPLv3+ and GPLv3+ with exceptions and GFDL", "GPL-3.0-or-later AND GPL-3.0-or-later AND LicenseRef-GFDL",
     C.UNKNOWN),  # rpm's gcc: the unversioned GFDL is no SPDX id
    ("MIT and BSD and ISC", "MIT AND BSD-3-Clause AND ISC", C.NOTICE),  # rpm
    ("(LGPLv3+ or GPLv2+) and GPLv3+", "(LGPL-3.0-or-later OR GPL-2.0-or-later) AND GPL-3.0-or-later",
     C.RESTRICTED),  # CBL-Mariner rpmdb
    ("BSD AND Public Domain AND (ASL 2.0 OR CC0 1.0 OR OpenSSL)",
     "BSD-3-Clause AND LicenseRef-scancode-public-domain AND (Apache-2.0 OR CC0-1.0 OR OpenSSL)", C.NOTICE),
    ("BSD or GPLv2", "BSD-3-Clause OR GPL-2.0-only", C.NOTICE),
    ("MPLv2.0", "MPL-2.0", C.RECIPROCAL),
    ("GPLv2+ WITH exceptions", "GPL-2.0-or-later", C.RESTRICTED),
    ("LGPL-2.1-or-later AND LGPL-2.1-or-later WITH GCC-exception-2.0 AND GPL-2.0-or-later",
     "LGPL-2.1-or-later AND LGPL-2.1-or-later WITH GCC-exception-2.0 AND GPL-2.0-or-later", C.RESTRICTED),  # SUSE
    ("MIT BSD GPL2+", "MIT AND BSD-3-Clause AND GPL-2.0-or-later", C.RESTRICTED),  # Alpine musl-utils
    # Debian copyright-format 1.0 short names and operators
    ("Expat", "MIT", C.NOTICE),
    ("GPL-2+ or Artistic", "GPL-2.0-or-later OR Artistic-1.0-Perl", C.NOTICE),
    ("GPL-1+ or Artistic, and BSD-3-clause", "(GPL-1.0-or-later OR Artistic-1.0-Perl) AND BSD-3-Clause",
     C.NOTICE),
    ("BSD-3-clause and/or GPL-3+", "BSD-3-Clause OR GPL-3.0-or-later", C.NOTICE),
    ("ISC and/or LGPL-2.1+", "ISC OR LGPL-2.1-or-later", C.NOTICE),
    ("BSD-4-clause-UC", "BSD-4-Clause-UC", C.NOTICE),
    ("public-domain", "LicenseRef-scancode-public-domain", C.UNENCUMBERED),
    ("Public-Domain", "LicenseRef-scancode-public-domain", C.UNENCUMBERED),
    ("GPL-2.0-or-later WITH Texinfo exception", "GPL-2.0-or-later WITH Texinfo-exception", C.RESTRICTED),
    ("GPL-3.0-or-later WITH Bison-2.2 exception", "GPL-3.0-or-later WITH Bison-exception-2.2", C.RESTRICTED),
    ("GPL-2.0-only WITH Linux-syscall-note exception", "GPL-2.0-only WITH Linux-syscall-note", C.RESTRICTED),
    ("GPL-2.0-or-later WITH distribution exception", "GPL-2.0-or-later", C.RESTRICTED),  # unknown: dropped
    ("GFDL-1.3-only", "GFDL-1.3-only", C.RECIPROCAL),  # ScanCode: Copyleft Limited
    # Google's by-exception-only licences stay unknown, as in Trivy
    ("Beerware", "Beerware", C.UNKNOWN),
    ("OFL-1.1", "OFL-1.1", C.UNKNOWN),
    # nobody knows these: LicenseRef, unknown
    ("BSD-4-clause-POWERDOG", "LicenseRef-BSD-4-clause-POWERDOG", C.UNKNOWN),
    ("MIT/X11", "LicenseRef-MIT-X11", C.UNKNOWN),
    ("permissive", "LicenseRef-permissive", C.UNKNOWN),
    ("Dual License", "LicenseRef-Dual-License", C.UNKNOWN),
    ("MIT OR LicenseRef-foo", "MIT OR LicenseRef-foo", C.NOTICE),  # OR: MIT may be chosen
    ("GPL-2.0-only AND LicenseRef-foo", "GPL-2.0-only AND LicenseRef-foo", C.UNKNOWN),
    ("AGPL-3.0-only AND LicenseRef-foo", "AGPL-3.0-only AND LicenseRef-foo", C.FORBIDDEN),
    # broken operators are repaired rather than lost
    ("GPL-2.0-or-later OR", "GPL-2.0-or-later", C.RESTRICTED),
    ("Zlib AND (", "Zlib", C.NOTICE),
    ("(MIT OR ISC", "MIT OR ISC", C.NOTICE),
]


@pytest.mark.parametrize(("text", "expression", "category"), REAL_WORLD, ids=[t for t, _, _ in REAL_WORLD])
def test_real_world_strings(text: str, expression: str, category: Category) -> None:
    assert normalize(text) == (expression, category)


@pytest.mark.parametrize("text", [t for t, _, _ in REAL_WORLD])
def test_every_result_is_a_valid_spdx_expression(text: str) -> None:
    expression, _ = normalize(text)
    # the library reads it back to the same expression, and only LicenseRef- ids are outside its database
    assert render(parse(expression)) == expression
    for lic in licenses(parse(expression)):
        assert lic.id.startswith("LicenseRef-") or lookup(lic.id) is not None, lic
        assert not lic.exception or lookup(lic.exception) is not None, lic


def rpm_license_tags() -> list[str]:
    """Every ``License:`` tag of the real rpm databases in the shared fixtures (EXPECTED.md, "rpm")."""
    tags: set[str] = set()
    for name in ("rpm-cbl-mariner-2.0-sqlite.json", "rpm-sle15-bci-ndb.json", "rpm-ubi8-libuuid-bdb.json"):
        doc = json.loads((EXPECTED / name).read_text())
        tags.update(p["License"] for p in doc["packages"] if p.get("License"))
    return sorted(tags)


@pytest.mark.parametrize("tag", rpm_license_tags())
def test_rpm_license_tags(tag: str) -> None:
    """Operators are read, never swallowed into one LicenseRef; names we know become SPDX ids."""
    expression, category = normalize(tag)
    assert render(parse(expression)) == expression
    if re.search(r"\s(and|or|AND|OR)\s", tag):
        assert " AND " in expression or " OR " in expression, expression
    refs = [lic.id for lic in licenses(parse(expression)) if lic.id.startswith("LicenseRef-")]
    assert len(refs) <= 1, expression  # at most one vendor name per tag (Inner-Net, SUSE-Public-Domain...)
    if not refs:
        assert category is not Category.UNKNOWN


def test_rpm_tags_are_many() -> None:
    assert len(rpm_license_tags()) > 50


@pytest.mark.parametrize("text", ["", "   ", "UNKNOWN", "none", "NOASSERTION"])
def test_placeholders_are_noassertion(text: str) -> None:
    assert normalize(text) == (NOASSERTION, Category.UNKNOWN)
    assert to_expression(text) is None


def test_normalize_is_memoised() -> None:
    to_expression.cache_clear()
    normalize("GPLv2+ and LGPLv2+")
    normalize("GPLv2+ and LGPLv2+")
    info = to_expression.cache_info()
    assert (info.hits, info.misses) == (1, 1)


def test_license_ref_keeps_only_idstring_characters() -> None:
    assert license_ref("Foo (Bar) 1.0+") == "LicenseRef-Foo-Bar-1.0"
    assert license_ref("+++") == "LicenseRef-unnamed"


def test_parse_rejects_non_expressions() -> None:
    with pytest.raises(ExpressionError):
        parse("MIT OR")


@pytest.mark.parametrize("module", ["spdx", "classify", "normalization"])
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(f"hullscan.checks.license.{module}"), raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


WORDS = ["MIT", "GPL-2+", "and", "or", "with", "and/or", "AND", "OR", "WITH", "(", ")", ",", ";", "|", "&", "+", "-",
         "Apache 2.0", "LGPLv2+", "Classpath-exception-2.0", "exception", "BSD", "GPL", "v2", "2.0", "ü", "\t",
         "LicenseRef-GPL", "Public Domain", "Expat", "MIT License"]


@settings(max_examples=600, deadline=None)
@given(st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=10).map(" ".join),
    st.lists(st.sampled_from(WORDS), max_size=10).map("".join),
    st.text(max_size=40),
))
def test_any_text_gives_a_valid_expression(text: str) -> None:
    """Whatever a package database holds, normalisation ends in an expression the library reads back (fuzzing
    found ``()``, ``) GPL`` and ``LicenseRef-GPL``, an alias, this way)."""
    expression, _ = normalize(text)
    if expression != NOASSERTION:
        assert render(parse(expression)) == expression
