"""Fixtures of the advisory-database tests: the real advisory data of ``shared/vulndata``, imported once.

The data is read where it lies (``…/shared/vulndata`` beside the repository), never copied into the repo.
Importing all of it takes about half a minute on two cores, so it happens once per test session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hullscan.vulndb.store import Store
from hullscan.vulndb.update import import_directory
from vulndb.helpers import VULNDATA, ImportedStore


@pytest.fixture(scope="session")
def vulndata() -> Path:
    if not (VULNDATA / "PROVENANCE.json").is_file():
        pytest.fail(f"real advisory data missing at {VULNDATA} (shared/vulndata beside the checkout)", pytrace=False)
    return VULNDATA


@pytest.fixture(scope="session")
def imported(vulndata: Path, tmp_path_factory: pytest.TempPathFactory) -> ImportedStore:
    """All of shared/vulndata, imported into a session-wide database (every enabled source)."""
    path = tmp_path_factory.mktemp("vulndb") / "advisories.db"
    report = import_directory(path, vulndata)
    return ImportedStore(path, report)


@pytest.fixture
def store(imported: ImportedStore) -> Iterator[Store]:
    with Store(imported.path) as opened:
        yield opened
