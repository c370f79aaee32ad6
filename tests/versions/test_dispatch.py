"""The dispatch table, the shared surface of the scheme modules, and the doctests of every module."""

from __future__ import annotations

import doctest
import importlib
from types import ModuleType

import pytest

import hullscan.versions as versions
from hullscan.versions import (
    SCHEMES,
    InvalidVersion,
    UnknownScheme,
    apk,
    composer,
    dpkg,
    gem,
    golang,
    maven,
    nuget,
    pep440,
    rpm,
    semver,
)

MODULES = [apk, composer, dpkg, gem, golang, maven, nuget, pep440, rpm, semver]


def test_public_surface() -> None:
    assert sorted(versions.__all__) == [
        "InvalidVersion",
        "SCHEMES",
        "Scheme",
        "UnknownScheme",
        "VersionKey",
        "compare",
        "is_valid",
        "key",
        "scheme",
    ]


def test_table() -> None:
    assert dict(SCHEMES) == {
        "deb": dpkg,
        "rpm": rpm,
        "apk": apk,
        "pypi": pep440,
        "npm": semver,
        "cargo": semver,
        "golang": golang,
        "maven": maven,
        "gem": gem,
        "composer": composer,
        "nuget": nuget,
    }
    with pytest.raises(TypeError):
        SCHEMES["conan"] = semver  # type: ignore[index]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_module_surface(module: ModuleType) -> None:
    assert {"InvalidVersion", "compare", "is_valid", "key"} <= set(module.__all__)
    assert issubclass(module.InvalidVersion, InvalidVersion)
    assert issubclass(module.InvalidVersion, ValueError)
    assert module.InvalidVersion is not InvalidVersion


@pytest.mark.parametrize(
    ("package_type", "older", "newer"),
    [
        ("deb", "1.0~rc1-1", "1.0-1"),
        ("rpm", "1.0-1.el9", "1.0-1.el9_2"),
        ("apk", "1.0_rc1-r0", "1.0-r0"),
        ("pypi", "1.0rc1", "1.0"),
        ("npm", "1.0.0-rc.1", "1.0.0"),
        ("cargo", "0.9.9", "0.10.0"),
        ("golang", "v0.0.0-20210101000000-abcdef123456", "v0.1.0"),
        ("maven", "1.0-SNAPSHOT", "1.0"),
        ("gem", "1.0.0.rc1", "1.0.0"),
        ("composer", "1.0.0-beta1", "1.0.0"),
        ("nuget", "1.0.0-beta", "1.0.0"),
    ],
)
def test_dispatch(package_type: str, older: str, newer: str) -> None:
    assert versions.compare(package_type, older, newer) == -1
    assert versions.compare(package_type, newer, older) == 1
    assert versions.compare(package_type, newer, newer) == 0
    assert versions.key(package_type, older) < versions.key(package_type, newer)
    assert versions.key(package_type, older) == SCHEMES[package_type].key(older)
    assert versions.is_valid(package_type, older)


def test_unknown_scheme() -> None:
    with pytest.raises(UnknownScheme, match="no version scheme for package type 'conan'"):
        versions.compare("conan", "1.0", "2.0")
    with pytest.raises(ValueError, match="known: apk, cargo"):
        versions.scheme("Debian")


def test_invalid_through_dispatch() -> None:
    with pytest.raises(InvalidVersion):
        versions.key("deb", "1.0-")
    with pytest.raises(semver.InvalidVersion):
        versions.compare("npm", "1.0", "1.0.0")
    assert not versions.is_valid("apk", "1.0-1")


def test_keys_are_cached() -> None:
    versions.key.cache_clear()
    first = versions.key("deb", "1:2.3-4")
    assert versions.key("deb", "1:2.3-4") is first
    info = versions.key.cache_info()
    assert (info.hits, info.misses) == (1, 1)
    assert info.maxsize is not None and info.maxsize >= 10_000


@pytest.mark.parametrize(
    "module_name", ["hullscan.versions", *(m.__name__ for m in MODULES)], ids=lambda name: name.rsplit(".", 1)[-1]
)
def test_doctests(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
