"""Shared by the advisory-database tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hullscan.vulndb.update import ImportReport

VULNDATA = Path(__file__).resolve().parents[3] / "shared" / "vulndata"


@dataclass(frozen=True)
class ImportedStore:
    path: Path
    report: ImportReport
