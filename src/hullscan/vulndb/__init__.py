"""The advisory database: a versioned SQLite store, the feed importers that fill it, and its update.

Scans open a :class:`Store` (cheap) and call :meth:`Store.lookup_many` / :meth:`Store.advisories` /
:meth:`Store.enrichment`; ``hullscan db update`` calls :func:`fetch_and_import` (or :func:`import_directory`
with ``--from DIR``); ``hullscan db status`` calls :func:`status`.
"""

from __future__ import annotations

from hullscan.vulndb.errors import DownloadError, FeedError, StoreError, VulnDBError
from hullscan.vulndb.model import (
    Advisory,
    Affected,
    AffectedRow,
    Constraints,
    CvssRecord,
    Enrichment,
    EpssRecord,
    Event,
    EventKind,
    KevRecord,
    NameKind,
    SourceStatus,
    Status,
)
from hullscan.vulndb.names import normalize_name
from hullscan.vulndb.store import SCHEMA_VERSION, Store, default_db_path
from hullscan.vulndb.update import ImportReport, fetch_and_import, import_directory, status

__all__ = [
    "SCHEMA_VERSION",
    "Advisory",
    "Affected",
    "AffectedRow",
    "Constraints",
    "CvssRecord",
    "DownloadError",
    "Enrichment",
    "EpssRecord",
    "Event",
    "EventKind",
    "FeedError",
    "ImportReport",
    "KevRecord",
    "NameKind",
    "SourceStatus",
    "Status",
    "Store",
    "StoreError",
    "VulnDBError",
    "default_db_path",
    "fetch_and_import",
    "import_directory",
    "normalize_name",
    "status",
]
