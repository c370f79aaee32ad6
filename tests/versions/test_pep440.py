"""PEP 440 versions against ``packaging.version.Version``; legacy strings against setuptools' LegacyVersion."""

from __future__ import annotations

import importlib.metadata
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.version import InvalidVersion as PackagingInvalidVersion
from packaging.version import Version

from hullscan.versions import pep440
from versions import (
    PROPERTY_SETTINGS,
    SEED,
    assert_agrees,
    check_key_properties,
    mixed_pairs,
    parse_answers,
    regex_in_tarball,
    sign,
    write_pairs,
)


def packaging_compare(a: str, b: str) -> int:
    va, vb = Version(a), Version(b)
    return sign((va > vb) - (va < vb))


_RELEASES = st.lists(st.integers(0, 12) | st.sampled_from([0, 0, 10, 2024, 99999999999]), min_size=1, max_size=5)
_SPELLINGS = st.sampled_from(["", ".", "-", "_"])
VALID = st.builds(
    lambda v, epoch, release, pre, post, dev, local: v + epoch + ".".join(map(str, release)) + pre + post + dev + local,
    st.sampled_from(["", "", "v", "V"]),
    st.sampled_from(["", "", "", "0!", "1!", "2!"]),
    _RELEASES,
    st.builds(
        lambda sep, tag, n: sep + tag + n,
        _SPELLINGS,
        st.sampled_from(["a", "b", "rc", "c", "alpha", "beta", "pre", "preview", "RC"]),
        st.sampled_from(["", "0", "1", "2", "10"]),
    )
    | st.just(""),
    st.builds(
        lambda sep, tag, n: sep + tag + n,
        _SPELLINGS,
        st.sampled_from(["post", "rev", "r"]),
        st.sampled_from(["", "0", "1", "3"]),
    )
    | st.sampled_from(["", "", "-1", "-7"]),
    st.builds(lambda sep, n: sep + "dev" + n, _SPELLINGS, st.sampled_from(["", "0", "1", "5"])) | st.just(""),
    st.sampled_from(["", "", "", "+local", "+1", "+ubuntu.1", "+abc.5", "+5.abc", "+cpu", "+cu118", "+1.2.3"]),
)
LEGACY = st.sampled_from(["2004d", "1.0-SNAPSHOT", "0.4.0-git", "dev", "1.0.x", "french toast", "1.0.0-1-g123", "1.x"])


@pytest.fixture(scope="module")
def real_versions(shared_dir: Path) -> list[str]:
    """Versions named in the PyPA advisories (explicit version lists and range events), plus installed ones."""
    tarball = shared_dir / "vulndata" / "osv" / "pypa-advisory-database" / "pypa-advisory-database.tar.gz"
    found = regex_in_tarball(tarball, r"""^(?:  - |    - (?:introduced|fixed|last_affected): )['"]?([^'"\s]+)['"]?$""")
    installed = [dist.version for dist in importlib.metadata.distributions()]
    assert len(set(found)) > 5000
    return found + installed


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1.0.0", 0),
        ("1.0.dev0", "1.0a0", -1),
        ("1.0a1", "1.0a2", -1),
        ("1.0a2", "1.0b1", -1),
        ("1.0b1", "1.0rc1", -1),
        ("1.0rc1", "1.0", -1),
        ("1.0", "1.0.post0", -1),
        ("1.0.post0.dev1", "1.0.post0", -1),
        ("1.0a1.post1", "1.0a2.dev0", -1),
        ("1.0", "1.0+local", -1),
        ("1.0+abc", "1.0+1", -1),
        ("1.0+1.abc", "1.0+1.1", -1),
        ("1.0+abc", "1.0+abc.1", -1),
        ("1!1.0", "2.0", 1),
        ("1.0-RC1", "1.0rc1", 0),
        ("v1.0", "1.0", 0),
        ("1.0-1", "1.0.post1", 0),
        ("2004d", "0.0.1", -1),
        ("2004d", "2004e", -1),
        ("1.0-SNAPSHOT", "1.0.0", -1),
    ],
)
def test_examples(a: str, b: str, expected: int) -> None:
    assert pep440.compare(a, b) == expected
    assert pep440.compare(b, a) == -expected


def test_strict_key_rejects_legacy() -> None:
    with pytest.raises(pep440.InvalidVersion):
        pep440.strict_key("2004d")
    assert not pep440.is_valid("2004d")
    assert pep440.is_valid("1.0.post1")


def test_agrees_with_packaging_on_real_versions(real_versions: list[str]) -> None:
    """~15,000 pairs of versions from the PyPA advisory database."""
    valid = [v for v in real_versions if pep440.is_valid(v)]
    pairs = mixed_pairs(valid, 16000, random.Random(SEED))
    assert len(pairs) >= 15000
    assert_agrees(pairs, [packaging_compare(a, b) for a, b in pairs], pep440.compare)


@PROPERTY_SETTINGS
@given(VALID, VALID)
def test_agrees_with_packaging_on_generated_versions(a: str, b: str) -> None:
    assert pep440.compare(a, b) == packaging_compare(a, b)


_LEGACY_REFERENCE = """
import sys, warnings
warnings.simplefilter("ignore")
try:
    from pkg_resources._vendor.packaging.version import LegacyVersion
except ImportError:
    sys.exit(3)
for line in open(sys.argv[1], encoding="utf-8"):
    a, b = (LegacyVersion(v) for v in line.rstrip("\\n").split("\\t"))
    print((a > b) - (a < b))
"""


def test_legacy_order_agrees_with_setuptools(real_versions: list[str], tmp_path: Path) -> None:
    """~1,500 pairs of invalid versions order as setuptools' LegacyVersion did (setuptools <= 65 vendors it)."""
    rng = random.Random(SEED)
    legacy = [*real_versions, "2004d", "2004e", "1.0-SNAPSHOT", "0.4.0-git", "1.0.x", "1.0-dev-1", "1.0.0-1-g1"]
    legacy += ["1.0-final", "abc", "1.0-", "-1", "1..0", "1.0 beta", "1.0-0-rc", "1.0-pre-1", "1.0.x-dev", "2.0b"]
    pairs = mixed_pairs([v for v in legacy if not pep440.is_valid(v)], 2000, rng)
    path = write_pairs(tmp_path / "pairs", pairs)
    result = subprocess.run(
        [sys.executable, "-c", _LEGACY_REFERENCE, str(path)], capture_output=True, text=True, check=False
    )
    if result.returncode == 3:
        pytest.skip("no setuptools with a vendored LegacyVersion in this environment")
    assert result.returncode == 0, result.stderr
    assert_agrees(pairs, parse_answers(result.stdout, len(pairs)), pep440.compare)


def test_legacy_sorts_before_valid() -> None:
    with pytest.raises(PackagingInvalidVersion):
        Version("2004d")
    assert pep440.key("2004d") < pep440.key("0")
    assert pep440.key("99999.0-SNAPSHOT") < pep440.key("0.0.0.dev0")


@PROPERTY_SETTINGS
@given(VALID | LEGACY, VALID | LEGACY, VALID | LEGACY)
def test_key_properties(a: str, b: str, c: str) -> None:
    check_key_properties(pep440.key, pep440.compare, a, b, c)
