"""Debian versions against dpkg itself (``dpkg --compare-versions``) and apt's ``apt_pkg.version_compare``."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hullscan.versions import dpkg
from versions import (
    PROPERTY_SETTINGS,
    SEED,
    Pair,
    apt_available_versions,
    assert_agrees,
    check_key_properties,
    dpkg_status_versions,
    mixed_pairs,
    parse_answers,
    regex_in_files,
    require_tool,
    run,
    sample,
    versions_from_tokens,
    write_pairs,
)

_UPSTREAM_TOKENS = [".0", ".1", ".2", ".10", ".007", "0", "9", "~rc1", "~", "~~", "~beta2", "+dfsg", "+", "+~"]
_UPSTREAM_TOKENS += ["a", "b", "z", "A", "+git20200101.abc", ".", ":", "+really1.0", "-1", "~bpo", "ubuntu", "+b1"]
_REVISIONS = ["", "", "-1", "-2", "-10", "-0", "-1ubuntu1", "-0+deb12u1", "-1~bpo11+1", "-1.1", "-1+b1", "-1~exp1"]
_REVISIONS += ["-1ubuntu0.1~esm2", "-1build1", "-00", "-a", "-1~", "-1+", "-1.0~rc1"]
_EPOCHS = ["", "", "", "0:", "1:", "2:", "10:"]


def random_version(rng: random.Random) -> str:
    upstream = str(rng.randint(0, 12)) + "".join(rng.choice(_UPSTREAM_TOKENS) for _ in range(rng.randint(0, 5)))
    epoch = rng.choice(_EPOCHS)
    if ":" in upstream and not epoch:
        epoch = "0:"  # a colon in the upstream version needs an epoch
    revision = rng.choice(_REVISIONS)
    if "-" in upstream and not revision:
        revision = "-1"  # so is a hyphen
    return epoch + upstream + revision


VERSIONS = st.builds(
    lambda epoch, upstream, revision: epoch + upstream + revision,
    st.sampled_from(["", "1:", "2:"]),
    versions_from_tokens(
        st.sampled_from(["0", "1", "2", "10", "01"]),
        st.sampled_from([".0", ".1", ".5", "~", "~rc1", "+", "+dfsg", "a", "z", "~~", ".", "+b1"]),
    ),
    st.sampled_from(["", "-1", "-2", "-1~", "-1+b1", "-0ubuntu1", "-1.1"]),
)


@pytest.fixture(scope="module")
def real_versions(shared_dir: Path) -> list[str]:
    """Debian and Ubuntu versions: this machine's packages, its apt lists, and the OVAL data in shared/."""
    oval = sorted((shared_dir / "vulndata" / "distro" / "debian" / "oval").glob("*.xml.bz2"))
    oval += sorted((shared_dir / "vulndata" / "distro" / "ubuntu" / "oval").glob("*.xml.bz2"))
    fixed = regex_in_files(oval, r"debian_evr_string\"[^>]*>([^<\s]+)<")
    rng = random.Random(SEED)
    versions = dpkg_status_versions() + sample(apt_available_versions(), 20000, rng) + sample(fixed, 20000, rng)
    assert len(versions) > 10000
    return versions


EXAMPLES = [
    ("1.0", "1.0", 0),
    ("1.0", "1.0-0", 0),
    ("0:1.0", "1.0", 0),
    ("1.0~rc1", "1.0", -1),
    ("1.0~~", "1.0~", -1),
    ("1.0~", "1.0", -1),
    ("1.0", "1.0a", -1),
    ("1.0a", "1.0+", -1),
    ("1.0+", "1.0.1", -1),
    ("1.0", "1.0.0", -1),
    ("1.01", "1.1", 0),
    ("1:0.1", "9.9", 1),
    ("1.0-1", "1.0-1ubuntu1", -1),
    ("2.36-9+deb12u4", "2.36-9+deb12u10", -1),
    ("1.0-1~bpo11+1", "1.0-1", -1),
    ("1.2.3-1", "1.2.3-1.1", -1),
    ("7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1),
    ("1.0+dfsg-1", "1.0-1", 1),
    ("2:1.0", "1:9.9", 1),
    ("1.0-a", "1.0-0", 1),
    ("a", "1", 1),
]


@pytest.mark.parametrize(("a", "b", "expected"), EXAMPLES)
def test_policy_examples(a: str, b: str, expected: int) -> None:
    assert dpkg.compare(a, b) == expected
    assert dpkg.compare(b, a) == -expected


def test_examples_agree_with_dpkg(tmp_path: Path) -> None:
    pairs = [(a, b) for a, b, _ in EXAMPLES]
    assert _dpkg_answers(pairs, tmp_path) == [expected for _, _, expected in EXAMPLES]


@pytest.mark.parametrize(
    "version",
    ["", "   ", "1.0 1", ":1.0", "a:1.0", "-1:1.0", "1:", "1.0-", "-1", "99999999999:1.0"],
    ids=[
        "empty",
        "blank",
        "space",
        "empty-epoch",
        "alpha-epoch",
        "negative-epoch",
        "nothing-after-colon",
        "empty-revision",
        "empty-upstream",
        "huge-epoch",
    ],
)
def test_invalid(version: str) -> None:
    with pytest.raises(dpkg.InvalidVersion):
        dpkg.key(version)
    assert not dpkg.is_valid(version)


def test_invalid_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="revision number is empty"):
        dpkg.compare("1.0-", "1.0")


def _apt_pkg_answers(pairs: list[Pair], tmp_path: Path) -> list[int]:
    python = shutil.which("python3", path="/usr/bin:/bin")
    if python is None or subprocess.run([python, "-c", "import apt_pkg"], check=False).returncode != 0:
        pytest.skip("the system python3 has no apt_pkg (Debian package python3-apt)")
    code = (
        "import sys, apt_pkg\n"
        "apt_pkg.init_system()\n"
        "for line in open(sys.argv[1], encoding='utf-8'):\n"
        "    a, b = line.rstrip('\\n').split('\\t')\n"
        "    print(apt_pkg.version_compare(a, b))\n"
    )
    return parse_answers(run([python, "-c", code, str(write_pairs(tmp_path / "pairs", pairs))]), len(pairs))


def _dpkg_answers(pairs: list[Pair], tmp_path: Path) -> list[int]:
    require_tool("dpkg")
    script = (
        'while IFS="$(printf "\\t")" read -r a b; do '
        'if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then echo -1; '
        'elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0; '
        'else echo 1; fi; done < "$1"'
    )
    return parse_answers(run(["sh", "-c", script, "sh", str(write_pairs(tmp_path / "pairs", pairs))]), len(pairs))


def test_agrees_with_apt_pkg_on_real_versions(real_versions: list[str], tmp_path: Path) -> None:
    """~20,000 pairs of real Debian/Ubuntu versions (random pairs, neighbours, identities)."""
    rng = random.Random(SEED)
    pairs = mixed_pairs(real_versions, 16000, rng)
    assert len(pairs) >= 15000
    assert_agrees(pairs, _apt_pkg_answers(pairs, tmp_path), dpkg.compare)


def test_agrees_with_apt_pkg_on_generated_versions(tmp_path: Path) -> None:
    """10,000 pairs of generated versions full of ~, +, letters, epochs and revisions."""
    rng = random.Random(SEED + 1)
    versions = [random_version(rng) for _ in range(4000)]
    pairs = mixed_pairs(versions, 10000, rng)
    assert_agrees(pairs, _apt_pkg_answers(pairs, tmp_path), dpkg.compare)


def test_agrees_with_dpkg(real_versions: list[str], tmp_path: Path) -> None:
    """1,200 pairs through ``dpkg --compare-versions`` itself: half real, half generated."""
    rng = random.Random(SEED + 2)
    generated = [random_version(rng) for _ in range(600)]
    pairs = rng.sample(mixed_pairs(real_versions, 2000, rng), 600) + rng.sample(mixed_pairs(generated, 2000, rng), 600)
    assert_agrees(pairs, _dpkg_answers(pairs, tmp_path), dpkg.compare)


def test_every_real_version_parses(real_versions: list[str]) -> None:
    bad = [v for v in real_versions if not dpkg.is_valid(v)]
    assert not bad, bad[:20]


@PROPERTY_SETTINGS
@given(VERSIONS, VERSIONS, VERSIONS)
def test_key_properties(a: str, b: str, c: str) -> None:
    check_key_properties(dpkg.key, dpkg.compare, a, b, c)
