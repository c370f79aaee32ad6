"""The advisory database: a versioned SQLite store, the feed importers that fill it, and its update.

Scans open a :class:`Store` (cheap) and call :meth:`Store.lookup_many` / :meth:`Store.advisories` /
:meth:`Store.enrichment`; ``hullscan db update`` calls :func:`hullscan.vulndb.update.fetch_and_import` (or
``import_directory`` with ``--from DIR``); ``hullscan db status`` calls ``update.status``. The update side (HTTP,
every importer) is not imported here: a scan only needs the store.
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
    "KevRecord",
    "NameKind",
    "SourceStatus",
    "Status",
    "Store",
    "StoreError",
    "VulnDBError",
    "default_db_path",
    "normalize_name",
]
