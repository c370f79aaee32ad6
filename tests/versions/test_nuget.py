"""NuGet versions. No .NET runs on this machine, so: the rules NuGet documents, as cases, and agreement with
SemVer 2.0.0 (checked against node-semver in test_semver) where the two schemes coincide."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hullscan.versions import nuget, semver
from versions import PROPERTY_SETTINGS, check_key_properties, regex_in_files


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1.0.0", 0),
        ("1", "1.0.0.0", 0),
        ("1.0.0.0", "1.0.0", 0),
        ("01.02.03", "1.2.3", 0),
        ("1.0.0.1", "1.0.0", 1),
        ("1.0.0.10", "1.0.0.9", 1),
        ("1.0.1", "1.0.0.99", 1),
        ("1.0.0-alpha", "1.0.0", -1),
        ("1.0.0-alpha", "1.0.0-beta", -1),
        ("1.0.0-beta", "1.0.0-rc", -1),
        ("1.0.0-rc.1", "1.0.0-rc.2", -1),
        ("1.0.0-rc.2", "1.0.0-rc.10", -1),
        ("1.0.0-rc.1", "1.0.0-rc.1.1", -1),
        ("1.0.0-1", "1.0.0-a", -1),
        ("1.0.0-Alpha", "1.0.0-alpha", 0),
        ("1.0.0-RC", "1.0.0-beta", 1),
        ("1.0.0-B", "1.0.0-a", 1),
        ("1.0.0+build", "1.0.0", 0),
        ("1.0.0-beta+1", "1.0.0-beta+2", 0),
        ("1.0.0.0-beta", "1.0.0-beta", 0),
        ("4.0.0-preview1.19504.10", "4.0.0-preview2.19525.4", -1),
        ("6.0.0-rc.2.21480.5", "6.0.0", -1),
        ("2.1.0-preview1-final", "2.1.0-preview1-26216-02", 1),
    ],
)
def test_documented_order(a: str, b: str, expected: int) -> None:
    assert nuget.compare(a, b) == expected
    assert nuget.compare(b, a) == -expected


@pytest.mark.parametrize(
    "version",
    ["", "a", "1.", "1.0.0.0.0", "1.0.0-", "1.0.0-01", "1.0.0-a..b", "1.0.0+", "1.0.0-a_b", "v1.0.0", "2147483648.0"],
)
def test_invalid(version: str) -> None:
    with pytest.raises(nuget.InvalidVersion):
        nuget.key(version)
    assert not nuget.is_valid(version)


def test_metadata_may_have_leading_zeros() -> None:
    assert nuget.is_valid("1.0.0+001")


def test_advisory_versions_parse(shared_dir: Path) -> None:
    """The NuGet versions in the GitHub advisory sample."""
    files = sorted((shared_dir / "vulndata" / "osv" / "ghsa-sample").rglob("*.json"))
    nuget_files = [f for f in files if '"NuGet"' in f.read_text(encoding="utf-8")]
    versions = regex_in_files(nuget_files, r'"(?:introduced|fixed|last_affected)": "([^"]+)"')
    assert versions
    assert all(nuget.is_valid(v) for v in versions), versions


_NUMBER = st.sampled_from(["0", "1", "2", "10"])
_LABEL = st.sampled_from(["0", "1", "2", "10", "alpha", "beta", "rc", "a-b", "x1", "1x", "-"])
SEMVER_VERSIONS = st.builds(
    lambda core, labels: ".".join(core) + ("-" + ".".join(labels) if labels else ""),
    st.tuples(_NUMBER, _NUMBER, _NUMBER),
    st.lists(_LABEL, max_size=3),
)
VERSIONS = st.builds(
    lambda core, labels, meta: ".".join(core) + ("-" + ".".join(labels) if labels else "") + meta,
    st.lists(_NUMBER, min_size=1, max_size=4),
    st.lists(_LABEL | st.sampled_from(["Alpha", "RC", "BETA"]), max_size=3),
    st.sampled_from(["", "", "+1", "+meta.01"]),
)


@PROPERTY_SETTINGS
@given(SEMVER_VERSIONS, SEMVER_VERSIONS)
def test_agrees_with_semver_where_the_schemes_coincide(a: str, b: str) -> None:
    """Three numbers and lower-case labels: NuGet's order is SemVer 2.0.0's."""
    assert nuget.compare(a, b) == semver.compare(a, b)


@PROPERTY_SETTINGS
@given(VERSIONS, VERSIONS, VERSIONS)
def test_key_properties(a: str, b: str, c: str) -> None:
    check_key_properties(nuget.key, nuget.compare, a, b, c)
