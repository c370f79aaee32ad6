"""Alpine versions.

No apk-tools runs on this machine (Debian does not package it), and apk-tools' own test vectors are GPL-2.0, so
they are not copied here. Instead: vectors of our own that cover the same rules (each says which rule), and a
second, literal implementation of apk-tools' algorithm (``src/version.c``: a token walk that compares as it
goes, no keys) that the keys must agree with on every real Alpine secdb version pair and on generated ones.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hullscan.versions import apk
from versions import PROPERTY_SETTINGS, SEED, assert_agrees, check_key_properties, mixed_pairs, sign

# --- a literal token walk, written from apk-tools' description of its comparison ---------------------------

INITIAL, DIGIT, LETTER, SUFFIX, SUFFIX_NO, COMMIT, REVISION, END, INVALID = range(9)
SUFFIX_VALUES = {"alpha": 1, "beta": 2, "pre": 3, "rc": 4, "cvs": 6, "svn": 7, "git": 8, "hg": 9, "p": 10}
SUFFIX_NONE = 5
Token = tuple[int, str]


def tokenize(version: str) -> list[Token]:
    """The tokens apk reads, ending with END or INVALID."""
    tokens: list[Token] = []
    digits = re.match(r"[0-9]*", version)
    assert digits is not None
    if not digits.group():
        return [(INVALID, "")]
    tokens.append((INITIAL, digits.group()))
    rest = version[digits.end() :]
    kind = INITIAL
    while rest:
        ch = rest[0]
        if ch.islower() and ch.isascii():
            if kind > DIGIT:
                return [*tokens, (INVALID, "")]
            kind, value, rest = LETTER, ch, rest[1:]
        elif ch == "." or ch.isdigit():
            if ch == ".":
                if kind > DIGIT:
                    return [*tokens, (INVALID, "")]
                rest = rest[1:]
            if kind in (INITIAL, DIGIT, LETTER):  # LETTER: apk-tools 2 also read digits after the letter
                new_kind = DIGIT
            elif kind == SUFFIX:
                new_kind = SUFFIX_NO
            else:
                return [*tokens, (INVALID, "")]
            number = re.match(r"[0-9]*", rest)
            assert number is not None
            if not number.group():
                return [*tokens, (INVALID, "")]
            if kind == LETTER and ch == ".":
                return [*tokens, (INVALID, "")]
            # a number right after the letter compares as a plain number (apk-tools 2)
            value = number.group() if kind != LETTER else str(int(number.group()))
            kind, rest = new_kind, rest[number.end() :]
        elif ch == "_":
            if kind > SUFFIX_NO:
                return [*tokens, (INVALID, "")]
            name = re.match(r"[a-z]*", rest[1:])
            assert name is not None
            if name.group() not in SUFFIX_VALUES:
                return [*tokens, (INVALID, "")]
            kind, value, rest = SUFFIX, name.group(), rest[1 + name.end() :]
        elif ch == "~":
            if kind >= COMMIT:
                return [*tokens, (INVALID, "")]
            commit = re.match(r"[0-9a-f]*", rest[1:])
            assert commit is not None
            if not commit.group():
                return [*tokens, (INVALID, "")]
            kind, value, rest = COMMIT, commit.group(), rest[1 + commit.end() :]
        elif ch == "-":
            if kind >= REVISION or not rest.startswith("-r"):
                return [*tokens, (INVALID, "")]
            number = re.match(r"[0-9]*", rest[2:])
            assert number is not None
            if not number.group():
                return [*tokens, (INVALID, "")]
            kind, value, rest = REVISION, number.group(), rest[2 + number.end() :]
        else:
            return [*tokens, (INVALID, "")]
        tokens.append((kind, value))
    return [*tokens, (END, "")]


def _token_cmp(kind: int, a: str, b: str) -> int:
    if kind == DIGIT and (a[0] == "0" or b[0] == "0"):
        return sign((a > b) - (a < b))  # leading zero on either side: string sort
    if kind in (INITIAL, DIGIT, SUFFIX_NO, REVISION):
        return sign(int(a) - int(b))
    if kind == SUFFIX:
        return sign(SUFFIX_VALUES[a] - SUFFIX_VALUES[b])
    return sign((a > b) - (a < b))  # letter, commit hash


def model_compare(a: str, b: str) -> int:
    """apk-tools' comparison, token by token."""
    ta, tb = tokenize(a), tokenize(b)
    for (kind_a, value_a), (kind_b, value_b) in zip(ta, tb, strict=False):
        if kind_a != kind_b or kind_a >= END:
            break
        result = _token_cmp(kind_a, value_a, value_b)
        if result:
            return result
    if kind_a == kind_b:
        return 0
    if kind_a == SUFFIX and SUFFIX_VALUES[value_a] < SUFFIX_NONE:
        return -1
    if kind_b == SUFFIX and SUFFIX_VALUES[value_b] < SUFFIX_NONE:
        return 1
    return -1 if kind_a > kind_b else 1


def model_valid(version: str) -> bool:
    return tokenize(version)[-1][0] == END


# --- our own vectors, by rule ------------------------------------------------------------------------------

VECTORS = [
    # numbers compare as integers, the first one even with leading zeros
    ("1", "2", -1),
    ("10", "9", 1),
    ("007", "7", 0),
    ("007", "1.0", 1),
    ("1.2", "1.10", -1),
    ("1.2.3", "1.2.3", 0),
    ("3.10.2", "3.9.18", 1),
    ("20240101", "2.0", 1),
    # more components are newer
    ("1.2", "1.2.0", -1),
    ("1.2.0", "1.2.0.1", -1),
    # a .number with a leading zero compares as a string
    ("1.01", "1.1", -1),
    ("1.05", "1.1", -1),
    ("1.0", "1.00", -1),
    ("1.09", "1.10", -1),
    ("5.2.0", "5.2.001", -1),
    ("5.2.0013", "5.2.002", -1),
    ("1.002", "1.0011", 1),
    # the letter
    ("1.2a", "1.2b", -1),
    ("1.2z", "1.3", -1),
    ("1.2", "1.2a", -1),
    ("1.2a", "1.2.1", -1),
    ("1.2a", "1.2_p1", 1),
    ("1.2a", "1.2-r1", 1),
    # pre-release suffixes are older than the plain version, in their order
    ("1.0_alpha", "1.0", -1),
    ("1.0_alpha", "1.0_beta", -1),
    ("1.0_beta", "1.0_pre", -1),
    ("1.0_pre", "1.0_rc", -1),
    ("1.0_rc9", "1.0", -1),
    ("1.0_alpha2", "1.0_alpha10", -1),
    ("1.0_alpha", "1.0_alpha1", -1),
    ("1.0_rc1", "1.0-r1", -1),
    ("1.0_rc1", "0.9", 1),
    ("1.0_alpha_pre1", "1.0_alpha", -1),
    ("1.0_alpha1_rc1", "1.0_alpha1", -1),
    # post-release suffixes are newer, in their order, and after every pre-release one
    ("1.0_cvs", "1.0", 1),
    ("1.0_cvs", "1.0_svn", -1),
    ("1.0_svn", "1.0_git", -1),
    ("1.0_git", "1.0_hg", -1),
    ("1.0_hg", "1.0_p", -1),
    ("1.0_rc", "1.0_cvs", -1),
    ("1.0_p1", "1.0_p2", -1),
    ("1.0_p9", "1.0_p10", -1),
    ("1.0_git20240101", "1.0_git20231231", 1),
    ("1.0_p1", "1.0.1", -1),
    ("1.0_p1", "1.0-r9", 1),
    ("1.0_p1_p2", "1.0_p1", 1),
    ("1.0_p", "1.0_p0", -1),
    # the commit hash
    ("1.0~abc123", "1.0", 1),
    ("1.0~abc123", "1.0~abc124", -1),
    ("1.0~1234", "1.0~2345", -1),
    ("1.0~abc", "1.0-r5", 1),
    ("1.0~abc-r1", "1.0~abc-r0", 1),
    ("1.0_rc1~abc", "1.0_rc1", 1),
    ("1.0_rc1~abc", "1.0", -1),
    # the revision
    ("1.0-r0", "1.0", 1),
    ("1.0-r0", "1.0-r1", -1),
    ("1.0-r9", "1.0-r10", -1),
    ("1.0-r10", "1.0.1-r0", -1),
    ("1.0-r1", "1.0a-r0", -1),
    ("2.36-r0", "2.36.1-r0", -1),
    # apk-tools 2's digits after the letter
    ("7.5p1-r0", "7.5p2-r0", -1),
    ("7.5p1", "7.5p", 1),
    ("7.5p1", "7.5_p1", 1),
    ("7.5p1", "7.5.1", -1),
]


@pytest.mark.parametrize(("a", "b", "expected"), VECTORS)
def test_vectors(a: str, b: str, expected: int) -> None:
    assert model_compare(a, b) == expected, "the model disagrees with the vector"
    assert apk.compare(a, b) == expected
    assert apk.compare(b, a) == -expected


INVALID_VERSIONS = [
    "",
    "a",
    ".1",
    "_pre1",
    "-r1",
    "1.",
    "1..2",
    "1.0bc",
    "1.0a.1",
    "1.0_",
    "1.0_foo",
    "1.0_pre_",
    "1.0__alpha",
    "1.0_1",
    "1.0-",
    "1.0-r",
    "1.0-1",
    "1.0-r1-r2",
    "1.0-r1.1",
    "1.0-r1_p1",
    "1.0-r1~abc",
    "1.0~",
    "1.0~xyz",
    "1.0~ABC",
    "1.0~abc_p1",
    "1.0~abc~def",
    "1.0 ",
    "1.0A",
]


@pytest.mark.parametrize("version", INVALID_VERSIONS)
def test_invalid(version: str) -> None:
    assert not model_valid(version)
    with pytest.raises(apk.InvalidVersion):
        apk.key(version)


@pytest.fixture(scope="module")
def secdb_versions(shared_dir: Path) -> list[str]:
    """Every fixed version in the Alpine secdb (v3.2 to edge): about 4,200 distinct ones."""
    versions: list[str] = []
    for path in sorted((shared_dir / "vulndata" / "distro" / "alpine-secdb").rglob("*.json")):
        for package in json.loads(path.read_text(encoding="utf-8"))["packages"]:
            versions += package["pkg"]["secfixes"]
    assert len(set(versions)) > 4000
    return versions


def test_secdb_versions_parse_as_apk_does(secdb_versions: list[str]) -> None:
    """Valid exactly when the model says so; the few invalid ones are typos in the secdb ("1.18.-r2")."""
    disagree = [v for v in set(secdb_versions) if apk.is_valid(v) != model_valid(v)]
    assert not disagree
    invalid = {v for v in secdb_versions if not apk.is_valid(v)}
    assert len(invalid) < 30, sorted(invalid)


def test_agrees_with_model_on_secdb_versions(secdb_versions: list[str]) -> None:
    """~15,000 pairs of real secdb versions."""
    valid = [v for v in secdb_versions if apk.is_valid(v)]
    pairs = mixed_pairs(valid, 16000, random.Random(SEED))
    assert len(pairs) >= 14000
    assert_agrees(pairs, [model_compare(a, b) for a, b in pairs], apk.compare)


_PARTS = st.tuples(
    st.sampled_from(["0", "1", "2", "10", "007"]),
    st.lists(st.sampled_from([".0", ".1", ".01", ".10", ".001", ".2", ".00"]), max_size=3),
    st.sampled_from(["", "", "a", "b", "z", "p1", "p2"]),
    st.lists(
        st.sampled_from(["_alpha", "_beta2", "_pre", "_rc1", "_rc10", "_cvs", "_git2024", "_p", "_p1", "_hg"]),
        max_size=2,
    ),
    st.sampled_from(["", "", "~abc", "~0123", "~f"]),
    st.sampled_from(["", "-r0", "-r1", "-r10"]),
)
VERSIONS = _PARTS.map(lambda parts: parts[0] + "".join(parts[1]) + parts[2] + "".join(parts[3]) + parts[4] + parts[5])


@PROPERTY_SETTINGS
@given(VERSIONS, VERSIONS)
def test_agrees_with_model(a: str, b: str) -> None:
    assert apk.compare(a, b) == model_compare(a, b)


@PROPERTY_SETTINGS
@given(VERSIONS, VERSIONS, VERSIONS)
def test_key_properties(a: str, b: str, c: str) -> None:
    check_key_properties(apk.key, apk.compare, a, b, c)
