"""Session-wide test infrastructure: real images and real registries (see tests/support/).

Fixtures that build or start something are session-scoped (built once per pytest run, per xdist worker; the
Debian build is also cached on disk across runs), and every test that uses one is marked ``slow``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.images import DebianImages, MultiArchLayout, build_multiarch_index
from support.images import debian_images as build_debian_images
from support.registry import Registry, run_registry
from vulndb.helpers import ImportedStore

# Tests that use any of these get the "slow" marker (deselect them with -m "not slow").
SLOW_FIXTURES = frozenset(
    {"debian_images", "registry_anonymous", "registry_basic", "registry_token", "multiarch_index"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``shared/`` beside the repository (real advisory data, package databases, …)."""
    path = Path(__file__).resolve().parents[2] / "shared"
    if not path.is_dir():
        pytest.fail(
            f"shared data folder {path} is missing: the tests expect the project's shared/ folder "
            "beside the repository checkout (…/shared next to …/main)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def debian_images() -> DebianImages:
    """A real Debian bookworm minbase image (mmdebstrap + umoci + skopeo) in every transport.

    Built once (about a minute), then reused from $HULLSCAN_TEST_IMAGES or /tmp/hullscan-test-images."""
    return build_debian_images()


@pytest.fixture(scope="session")
def multiarch_index(tmp_path_factory: pytest.TempPathFactory) -> MultiArchLayout:
    """An OCI layout with an image index of linux/amd64 and linux/arm64/v8 images, tagged ``multi``."""
    return build_multiarch_index(tmp_path_factory.mktemp("multiarch") / "layout")


@pytest.fixture(scope="session")
def registry_anonymous(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """Distribution registry without auth."""
    with run_registry(tmp_path_factory.mktemp("registry-anonymous"), "anonymous") as registry:
        yield registry


@pytest.fixture(scope="session")
def registry_basic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """Distribution registry with htpasswd (HTTP basic) auth; ``.credentials`` / ``.creds`` log in."""
    with run_registry(tmp_path_factory.mktemp("registry-basic"), "basic") as registry:
        yield registry


@pytest.fixture(scope="session")
def registry_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """Distribution registry with token auth; ``.token_server`` issues JWTs for ``.credentials``."""
    with run_registry(tmp_path_factory.mktemp("registry-token"), "token") as registry:
        yield registry


@pytest.fixture(scope="session")
def vulndata() -> Path:
    """shared/vulndata beside the checkout: real advisory data, read where it lies."""
    from vulndb.helpers import VULNDATA

    if not (VULNDATA / "PROVENANCE.json").is_file():
        pytest.fail(f"real advisory data missing at {VULNDATA} (shared/vulndata beside the checkout)", pytrace=False)
    return VULNDATA


@pytest.fixture(scope="session")
def imported(vulndata: Path, tmp_path_factory: pytest.TempPathFactory) -> ImportedStore:
    """All of shared/vulndata imported once per session (about half a minute) into a temporary database."""
    from hullscan.vulndb.update import import_directory

    path = tmp_path_factory.mktemp("vulndb") / "advisories.db"
    return ImportedStore(path, import_directory(path, vulndata))
