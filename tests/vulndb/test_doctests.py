"""The examples in the docstrings of the pure helpers (names, requirement expansion, CVSS scoring) run."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from hullscan.vulndb import constraints, model, names, scoring
from hullscan.vulndb.importers import redhat


@pytest.mark.parametrize("module", [constraints, model, names, scoring, redhat], ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<1.2.3", ((("<", "1.2.3"),),)),
        (">1.2", (((">=", "1.3.0"),),)),
        ("~1.2.3", (((">=", "1.2.3"), ("<", "1.3.0-0")),)),
        ("^0.0.3", (((">=", "0.0.3"), ("<", "0.0.4-0")),)),
        ("*", ((),)),
        (">= 2.0.0 < 2.3.1 || >=3.0.0 <3.0.1", (((">=", "2.0.0"), ("<", "2.3.1")), ((">=", "3.0.0"), ("<", "3.0.1")))),
    ],
)
def test_npm_ranges(text: str, expected: tuple[tuple[tuple[str, str], ...], ...]) -> None:
    assert constraints.npm_range(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("~> 2.2", ((">=", "2.2"), ("<", "3"))),
        ("~> 1.0.0.rc1", ((">=", "1.0.0.rc1"), ("<", "1.1"))),
        ("!= 1.0, < 2", (("!=", "1.0"), ("<", "2"))),
    ],
)
def test_gem_requirements(text: str, expected: tuple[tuple[str, str], ...]) -> None:
    assert constraints.gem_requirement(text) == expected
