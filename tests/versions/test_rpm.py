"""RPM versions against librpm 4.18 (``rpm.vercmp`` in rpm's embedded Lua, one process for all pairs)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hullscan.versions import rpm
from versions import (
    PROPERTY_SETTINGS,
    SEED,
    Pair,
    assert_agrees,
    check_key_properties,
    mixed_pairs,
    parse_answers,
    regex_in_files,
    regex_in_tarball,
    require_tool,
    run,
    sample,
    versions_from_tokens,
    write_pairs,
)

_TOKENS = [".0", ".1", ".2", ".10", ".007", "0", "9", "~rc1", "~", "~~", "^", "^git1", "^20240101", "a", "b", "Z"]
_TOKENS += ["_1", "+", "+git", ".el9", ".el9_2", "p1", "..", "~^", "^~", "rc2", "beta", ".fc40", "%"]
_RELEASES = [
    "",
    "",
    "-1",
    "-2",
    "-10",
    "-1.el9",
    "-1.el9_2.1",
    "-0.rc1.el8",
    "-1~",
    "-1^a",
    "-1.fc40",
    "-3.module+el8.1",
]
_EPOCHS = ["", "", "", "0:", "1:", "2:", "12:"]


def random_version(rng: random.Random) -> str:
    version = str(rng.randint(0, 12)) + "".join(rng.choice(_TOKENS) for _ in range(rng.randint(0, 5)))
    return rng.choice(_EPOCHS) + version + rng.choice(_RELEASES)


VERSIONS = st.builds(
    lambda epoch, version, release: epoch + version + release,
    st.sampled_from(["", "1:", "2:"]),
    versions_from_tokens(
        st.sampled_from(["0", "1", "2", "10", "01", "a"]),
        st.sampled_from([".0", ".1", "~", "^", "~rc1", "^git1", "a", "Z", "_", "..", "+", "10"]),
    ),
    st.sampled_from(["", "-1", "-2", "-1.el9", "-~", "-^1", "-a"]),
)


def rpm_answers(pairs: list[Pair], tmp_path: Path) -> list[int]:
    """``rpm.vercmp(a, b)`` for every pair, in one rpm process."""
    require_tool("rpm")
    path = write_pairs(tmp_path / "pairs", pairs)
    lua = (
        "%{lua: for line in io.lines(rpm.expand('%{_hullscan_pairs}')) do "
        "local a, b = line:match('^(.-)\\t(.*)$'); io.stdout:write(rpm.vercmp(a, b), '\\n') end}"
    )
    return parse_answers(run(["rpm", "--define", f"_hullscan_pairs {path}", "--eval", lua]), len(pairs))


@pytest.fixture(scope="module")
def real_versions(shared_dir: Path) -> list[str]:
    """RPM EVRs of AlmaLinux (OSV), Red Hat and Rocky (OVAL) advisories."""
    vulndata = shared_dir / "vulndata"
    rng = random.Random(SEED)
    alma = regex_in_tarball(vulndata / "osv" / "almalinux" / "almalinux-osv-database.tar.gz", r'"fixed": "([^"]+)"')
    oval = sorted((vulndata / "distro" / "redhat" / "oval").glob("*.xml.bz2"))
    oval += sorted((vulndata / "distro" / "rocky" / "oval").glob("*.xml.bz2"))
    evrs = regex_in_files(oval, r"evr_string\"[^>]*>([^<\s]+)<")
    versions = sample(alma, 15000, rng) + sample(evrs, 15000, rng)
    assert len(versions) > 5000
    return versions


EXAMPLES = [
    ("1.0", "1.0", 0),
    ("1.0", "1.0.0", -1),
    ("1.0~rc1", "1.0", -1),
    ("1.0~rc1", "1.0~rc2", -1),
    ("1.0~~", "1.0~", -1),
    ("1.0^", "1.0", 1),
    ("1.0^git1", "1.0.1", -1),
    ("1.0^git1", "1.0~rc1", 1),
    ("1.0~rc1^git1", "1.0~rc1", 1),
    ("1.0a", "1.0", 1),
    ("1.0a", "1.0.1", -1),
    ("1.a", "1.1", -1),
    ("1.010", "1.10", 0),
    ("1_0", "1.0", 0),
    ("1.0.", "1.0", 0),
    ("2.0", "10", -1),
    ("a", "B", 1),
    ("1:1.0-1", "2.0-1", 1),
    ("0:1.0-1", "1.0-1", 0),
    ("1.0-1", "1.0", 1),
    ("1.0-~1", "1.0", 1),
    ("1.0-1.el9", "1.0-1.el9_2", -1),
    ("4.18.0-348.el8", "4.18.0-348.2.1.el8_5", -1),
]


@pytest.mark.parametrize(("a", "b", "expected"), EXAMPLES)
def test_rpmvercmp_examples(a: str, b: str, expected: int) -> None:
    assert rpm.compare(a, b) == expected
    assert rpm.compare(b, a) == -expected


def test_examples_agree_with_rpm(tmp_path: Path) -> None:
    pairs = [(a, b) for a, b, _ in EXAMPLES]
    assert rpm_answers(pairs, tmp_path) == [expected for _, _, expected in EXAMPLES]


def test_key_evr_matches_key() -> None:
    assert rpm.key_evr(1, "2.0", "3.el9") == rpm.key("1:2.0-3.el9")
    assert rpm.key_evr(None, "2.0", None) == rpm.key("2.0")


@pytest.mark.parametrize("version", ["", " ", "-1", "1:-1"], ids=["empty", "blank", "no-version", "epoch-no-version"])
def test_invalid(version: str) -> None:
    with pytest.raises(rpm.InvalidVersion):
        rpm.key(version)


def test_agrees_with_rpm_on_real_versions(real_versions: list[str], tmp_path: Path) -> None:
    """~15,000 pairs of real EVRs (random pairs, neighbours, identities)."""
    pairs = mixed_pairs(real_versions, 12000, random.Random(SEED))
    assert len(pairs) >= 12000
    assert_agrees(pairs, rpm_answers(pairs, tmp_path), rpm.compare)


def test_agrees_with_rpm_on_generated_versions(tmp_path: Path) -> None:
    """~12,000 pairs of generated EVRs full of ~, ^, letters and odd separators."""
    rng = random.Random(SEED + 1)
    pairs = mixed_pairs([random_version(rng) for _ in range(5000)], 12000, rng)
    assert_agrees(pairs, rpm_answers(pairs, tmp_path), rpm.compare)


@PROPERTY_SETTINGS
@given(VERSIONS, VERSIONS, VERSIONS)
def test_key_properties(a: str, b: str, c: str) -> None:
    check_key_properties(rpm.key, rpm.compare, a, b, c)
