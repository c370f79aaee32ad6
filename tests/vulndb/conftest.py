"""Fixtures of the advisory-database tests (``vulndata`` and ``imported`` live in tests/conftest.py: the CLI tests
use the same imported database).

The data is read where it lies (``…/shared/vulndata`` beside the repository), never copied into the repo.
Importing all of it takes about half a minute on two cores, so it happens once per test session.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hullscan.vulndb.store import Store
from vulndb.helpers import ImportedStore


@pytest.fixture
def store(imported: ImportedStore) -> Iterator[Store]:
    with Store(imported.path) as opened:
        yield opened
