"""The advisory store: one SQLite file, read by scans, rebuilt whole by updates.

Schema (version :data:`SCHEMA_VERSION`; plain SQL types that PostgreSQL reads unchanged)::

    meta      (key, value)                                   schema_version, built_at, builder
    source    (name, record_count, newest_record, imported_at, upstream_url, etag, last_modified)
    feed      (source, url, etag, last_modified, sha256, fetched_at)        validators per downloaded file
    advisory  (source, id, published, modified, withdrawn, summary, details,
               severity, severity_source, severity_label, cvss_vector, cvss_score, refs)     PK (source, id)
    affected  (source, advisory_id, namespace, package, name_kind, status, range_type,
               events, versions, constraints, fixed_version, severity, module, platform, repo, informational)
               index (namespace, package), index (source, advisory_id)
    alias     (source, id, alias)                            PK (source, id, alias), index (alias)
    cve_cvss  (cve, source, version, vector, score, severity) PK (cve, source, version)
    kev       (cve, date_added, due_date, ransomware, vendor, product, name)
    epss      (cve, score, percentile, score_date)

``events``, ``versions``, ``constraints`` and ``refs`` hold JSON text: OSV-shaped events
(``[{"introduced": "0"}, {"fixed": "1.2"}]``), a list of versions, ``{"vulnerable": [[["<", "1.2"]]], "safe": []}``
(see :class:`~hullscan.vulndb.model.Constraints`), a list of URLs.

The file is never updated in place: :mod:`hullscan.vulndb.update` writes a new one beside it with
:class:`StoreWriter` and swaps it in with ``os.replace``, so a scan that has the old file open keeps reading a
consistent database, and a failed update leaves the old one as it was.
"""

# Every SQL string in this module is assembled from constant fragments and "?" placeholders; values are always
# bound parameters, never formatted in.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from hullscan.vulndb.errors import StoreError
from hullscan.vulndb.model import (
    Advisory,
    AffectedRow,
    Constraints,
    CvssRecord,
    Enrichment,
    EpssRecord,
    Event,
    EventKind,
    KevRecord,
    NameKind,
    Record,
    SourceStatus,
    Status,
)
from hullscan.vulndb.names import normalize_name

SCHEMA_VERSION = 1

SCHEMA: tuple[str, ...] = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE source (
        name TEXT PRIMARY KEY, record_count INTEGER NOT NULL, newest_record TEXT, imported_at TEXT NOT NULL,
        upstream_url TEXT, etag TEXT, last_modified TEXT)""",
    """CREATE TABLE feed (
        source TEXT NOT NULL, url TEXT NOT NULL, etag TEXT, last_modified TEXT, sha256 TEXT, fetched_at TEXT,
        PRIMARY KEY (source, url))""",
    """CREATE TABLE advisory (
        source TEXT NOT NULL, id TEXT NOT NULL, published TEXT, modified TEXT, withdrawn TEXT,
        summary TEXT, details TEXT, severity TEXT, severity_source TEXT, severity_label TEXT,
        cvss_vector TEXT, cvss_score DOUBLE PRECISION, refs TEXT,
        PRIMARY KEY (source, id))""",
    """CREATE TABLE affected (
        source TEXT NOT NULL, advisory_id TEXT NOT NULL, namespace TEXT NOT NULL, package TEXT NOT NULL,
        name_kind TEXT NOT NULL, status TEXT NOT NULL, range_type TEXT NOT NULL,
        events TEXT, versions TEXT, constraints TEXT, fixed_version TEXT, severity TEXT,
        module TEXT, platform TEXT, repo TEXT, informational TEXT)""",
    """CREATE TABLE alias (
        source TEXT NOT NULL, id TEXT NOT NULL, alias TEXT NOT NULL, PRIMARY KEY (source, id, alias))""",
    """CREATE TABLE cve_cvss (
        cve TEXT NOT NULL, source TEXT NOT NULL, version TEXT NOT NULL, vector TEXT, score DOUBLE PRECISION,
        severity TEXT, PRIMARY KEY (cve, source, version))""",
    """CREATE TABLE kev (
        cve TEXT PRIMARY KEY, date_added TEXT, due_date TEXT, ransomware TEXT, vendor TEXT, product TEXT,
        name TEXT)""",
    "CREATE TABLE epss (cve TEXT PRIMARY KEY, score DOUBLE PRECISION, percentile DOUBLE PRECISION, score_date TEXT)",
)

# Built after the bulk load: inserting into indexed tables is several times slower.
INDEXES: tuple[str, ...] = (
    "CREATE INDEX affected_namespace_package ON affected (namespace, package)",
    "CREATE INDEX affected_advisory ON affected (source, advisory_id)",
    "CREATE INDEX alias_alias ON alias (alias)",
)

_AFFECTED_COLUMNS = (
    "advisory_id, source, namespace, package, name_kind, status, range_type, events, versions, constraints, "
    "fixed_version, severity, module, platform, repo, informational"
)
_LOOKUP_SQL = f"SELECT {_AFFECTED_COLUMNS} FROM affected WHERE namespace = ? AND package = ?"
_BATCH = 500  # names per IN (...) query: well below SQLite's and PostgreSQL's parameter limits


def default_db_path() -> Path:
    """``<user cache dir>/hullscan/db/advisories.db`` (``$HULLSCAN_CACHE_DIR`` overrides the cache dir)."""
    from hullscan.cache.directory import default_cache_dir

    return default_cache_dir() / "db" / "advisories.db"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------- encoding


def _events_json(events: Sequence[Event]) -> str | None:
    if not events:
        return None
    return json.dumps([{e.kind.value: e.version} for e in events], separators=(",", ":"))


_decode = msgspec.json.decode  # several times json.loads's speed on the many small arrays a match reads


@functools.lru_cache(maxsize=1 << 14)
def _references(text: str | None) -> tuple[str, ...]:
    return tuple(_decode(text)) if text else ()


_EVENT_KIND = {k.value: k for k in EventKind}
_STATUS = {s.value: s for s in Status}
_NAME_KIND = {k.value: k for k in NameKind}


@functools.lru_cache(maxsize=1 << 16)
def _events_from(text: str | None) -> tuple[Event, ...]:
    # Cached: the same few event lists ("introduced 0, fixed X") recur across advisories of a package.
    if not text:
        return ()
    out: list[Event] = []
    for item in _decode(text):
        ((kind, version),) = item.items()
        out.append(Event(_EVENT_KIND[kind], version))
    return tuple(out)


@functools.lru_cache(maxsize=1 << 12)
def _versions_from(text: str | None) -> tuple[str, ...]:
    return tuple(_decode(text)) if text else ()


def _constraints_json(c: Constraints | None) -> str | None:
    if c is None:
        return None
    vulnerable = None if c.vulnerable is None else [[list(cmp) for cmp in conj] for conj in c.vulnerable]
    safe = [[list(cmp) for cmp in conj] for conj in c.safe]
    return json.dumps({"vulnerable": vulnerable, "safe": safe}, separators=(",", ":"))


def _constraints_from(text: str | None) -> Constraints | None:
    if not text:
        return None
    data = _decode(text)

    def conjunctions(items: list[list[list[str]]]) -> tuple[tuple[tuple[str, str], ...], ...]:
        return tuple(tuple((op, version) for op, version in conj) for conj in items)

    vulnerable = None if data["vulnerable"] is None else conjunctions(data["vulnerable"])
    return Constraints(vulnerable=vulnerable, safe=conjunctions(data["safe"]))


def _row_to_affected(row: tuple[Any, ...]) -> AffectedRow:
    (
        advisory_id,
        source,
        namespace,
        package,
        name_kind,
        status,
        range_type,
        events,
        versions,
        constraints,
        fixed_version,
        severity,
        module,
        platform,
        repo,
        informational,
    ) = row
    return AffectedRow(
        advisory_id=advisory_id,
        source=source,
        namespace=namespace,
        package=package,
        name_kind=_NAME_KIND[name_kind],
        status=_STATUS[status],
        range_type=range_type,
        events=_events_from(events),
        versions=_versions_from(versions),
        constraints=_constraints_from(constraints),
        fixed_version=fixed_version or "",
        severity=severity or "",
        module=module or "",
        platform=platform or "",
        repo=repo or "",
        informational=informational or "",
    )


# ---------------------------------------------------------------------------------------------- reading


class Store:
    """A read-only view of one advisory database file. Cheap to open: one connection, two small queries."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreError(
                f"no advisory database at {self.path}: run `hullscan db update` (or `--from DIR` to import a mirror)"
            )
        try:
            self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(Exception):
                self._db.close()
            raise StoreError(
                f"advisory database {self.path} cannot be read ({exc}): run `hullscan db update`"
            ) from None
        declared = int(meta.get("schema_version", version))
        if declared != SCHEMA_VERSION:
            self._db.close()
            age = "newer" if declared > SCHEMA_VERSION else "older"
            raise StoreError(
                f"advisory database {self.path} has schema version {declared}, this hullscan reads version "
                f"{SCHEMA_VERSION} ({age}): run `hullscan db update` to rebuild it"
            )
        self.meta: dict[str, str] = meta

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- matching ------------------------------------------------------------------------------------

    def lookup(self, namespace: str, package: str) -> list[AffectedRow]:
        """Every affected row for ``package`` (normalised for ``namespace``) in ``namespace``."""
        rows = self._db.execute(_LOOKUP_SQL, (namespace, normalize_name(namespace, package))).fetchall()
        return [_row_to_affected(r) for r in rows]

    def lookup_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[AffectedRow]]:
        """:meth:`lookup` for many ``(namespace, package)`` pairs at once, with batched ``IN`` queries.

        The result is keyed by the pairs as given; pairs without rows map to an empty list.
        """
        wanted: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for namespace, package in keys:
            wanted.setdefault((namespace, normalize_name(namespace, package)), []).append((namespace, package))
        result: dict[tuple[str, str], list[AffectedRow]] = {k: [] for ks in wanted.values() for k in ks}
        by_namespace: dict[str, list[str]] = {}
        for namespace, name in wanted:
            by_namespace.setdefault(namespace, []).append(name)
        for namespace, names in by_namespace.items():
            for start in range(0, len(names), _BATCH):
                chunk = names[start : start + _BATCH]
                sql = (
                    f"SELECT {_AFFECTED_COLUMNS} FROM affected WHERE namespace = ? "
                    f"AND package IN ({','.join('?' * len(chunk))})"
                )
                for row in self._db.execute(sql, (namespace, *chunk)):
                    affected = _row_to_affected(row)
                    for key in wanted[(namespace, affected.package)]:
                        result[key].append(affected)
        return result

    def namespaces(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT DISTINCT namespace FROM affected ORDER BY namespace")]

    # --- advisories ------------------------------------------------------------------------------------

    def advisories(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Advisory]:
        """Advisories (without their affected entries) by ``(source, id)``, with their aliases."""
        by_source: dict[str, list[str]] = {}
        for source, advisory_id in set(keys):
            by_source.setdefault(source, []).append(advisory_id)
        out: dict[tuple[str, str], Advisory] = {}
        for source, ids in by_source.items():
            for start in range(0, len(ids), _BATCH):
                chunk = ids[start : start + _BATCH]
                marks = ",".join("?" * len(chunk))
                aliases: dict[str, list[str]] = {}
                for aid, alias in self._db.execute(
                    f"SELECT id, alias FROM alias WHERE source = ? AND id IN ({marks}) ORDER BY alias", (source, *chunk)
                ):
                    aliases.setdefault(aid, []).append(alias)
                for row in self._db.execute(
                    "SELECT id, published, modified, withdrawn, summary, details, severity, severity_source, "
                    "severity_label, cvss_vector, cvss_score, refs FROM advisory "
                    f"WHERE source = ? AND id IN ({marks})",
                    (source, *chunk),
                ):
                    (
                        aid,
                        published,
                        modified,
                        withdrawn,
                        summary,
                        details,
                        severity,
                        severity_source,
                        severity_label,
                        vector,
                        score,
                        refs,
                    ) = row
                    out[(source, aid)] = Advisory(
                        id=aid,
                        source=source,
                        published=published or "",
                        modified=modified or "",
                        withdrawn=withdrawn or "",
                        summary=summary or "",
                        details=details or "",
                        severity=severity or "",
                        severity_source=severity_source or "",
                        severity_label=severity_label or "",
                        cvss_vector=vector or "",
                        cvss_score=score,
                        references=_references(refs),
                        aliases=tuple(aliases.get(aid, ())),
                    )
        return out

    def advisory(self, source: str, advisory_id: str) -> Advisory | None:
        return self.advisories([(source, advisory_id)]).get((source, advisory_id))

    def ids_for_alias(self, alias: str) -> list[tuple[str, str]]:
        """``(source, id)`` of every advisory that names ``alias`` (a CVE or GHSA id) among its aliases."""
        return [(s, i) for s, i in self._db.execute("SELECT source, id FROM alias WHERE alias = ?", (alias,))]

    # --- enrichment -------------------------------------------------------------------------------------

    def enrichment(self, cve_ids: Iterable[str]) -> dict[str, Enrichment]:
        """CVSS assessments, KEV entry and EPSS score of each CVE id that has any."""
        ids = sorted(set(cve_ids))
        cvss: dict[str, list[CvssRecord]] = {}
        kev: dict[str, KevRecord] = {}
        epss: dict[str, EpssRecord] = {}
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            marks = ",".join("?" * len(chunk))
            for cve, source, version, vector, score, severity in self._db.execute(
                f"SELECT cve, source, version, vector, score, severity FROM cve_cvss WHERE cve IN ({marks})", chunk
            ):
                cvss.setdefault(cve, []).append(CvssRecord(cve, source, version, vector or "", score, severity or ""))
            for cve, added, due, ransomware, vendor, product, name in self._db.execute(
                f"SELECT cve, date_added, due_date, ransomware, vendor, product, name FROM kev WHERE cve IN ({marks})",
                chunk,
            ):
                kev[cve] = KevRecord(
                    cve, added or "", due or "", ransomware or "", vendor or "", product or "", name or ""
                )
            for cve, score, percentile, date in self._db.execute(
                f"SELECT cve, score, percentile, score_date FROM epss WHERE cve IN ({marks})", chunk
            ):
                epss[cve] = EpssRecord(cve, score, percentile, date or "")
        out: dict[str, Enrichment] = {}
        for cve in set(cvss) | set(kev) | set(epss):
            out[cve] = Enrichment(cve, tuple(cvss.get(cve, ())), kev.get(cve), epss.get(cve))
        return out

    # --- status -----------------------------------------------------------------------------------------

    def sources(self) -> list[SourceStatus]:
        now = datetime.now(UTC)
        out: list[SourceStatus] = []
        for name, count, newest, imported, url in self._db.execute(
            "SELECT name, record_count, newest_record, imported_at, upstream_url FROM source ORDER BY name"
        ):
            age: float | None = None
            with contextlib.suppress(ValueError):
                age = (now - datetime.fromisoformat(imported.replace("Z", "+00:00"))).total_seconds() / 86400
            out.append(SourceStatus(name, count, newest or "", imported, url or "", age))
        return out

    def feed_validators(self) -> dict[tuple[str, str], tuple[str, str, str]]:
        """``(source, url) -> (etag, last_modified, sha256)`` of the files the last update downloaded."""
        return {
            (s, u): (e or "", m or "", h or "")
            for s, u, e, m, h in self._db.execute("SELECT source, url, etag, last_modified, sha256 FROM feed")
        }

    def count(self, table: str, source: str | None = None) -> int:
        if table not in {"advisory", "affected", "alias", "cve_cvss", "kev", "epss"}:
            raise ValueError(f"unknown table {table}")
        if source is None:
            return int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        return int(self._db.execute(f"SELECT COUNT(*) FROM {table} WHERE source = ?", (source,)).fetchone()[0])


# ---------------------------------------------------------------------------------------------- writing


class StoreWriter:
    """Builds a new database file from records. Single use: add records, then :meth:`finish`."""

    _FLUSH = 5000

    def __init__(self, path: Path, *, builder: str = "") -> None:
        self.path = Path(path)
        if self.path.exists():
            self.path.unlink()
        self._db = sqlite3.connect(self.path)
        # A throwaway file until it is swapped in: no journal, no fsync per transaction (fsync once at the end).
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("PRAGMA cache_size = -65536")
        for statement in SCHEMA:
            self._db.execute(statement)
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._db.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [("schema_version", str(SCHEMA_VERSION)), ("built_at", now_iso()), ("builder", builder)],
        )
        self._advisories: list[tuple[Any, ...]] = []
        self._affected: list[tuple[Any, ...]] = []
        self._aliases: list[tuple[str, str, str]] = []
        self._cvss: list[tuple[Any, ...]] = []
        self._kev: list[tuple[Any, ...]] = []
        self._epss: list[tuple[Any, ...]] = []

    def add(self, record: Record) -> None:
        match record:
            case Advisory():
                self._add_advisory(record)
            case CvssRecord():
                self._cvss.append(
                    (record.cve, record.source, record.version, record.vector, record.score, record.severity)
                )
            case KevRecord():
                self._kev.append(
                    (
                        record.cve,
                        record.date_added,
                        record.due_date,
                        record.ransomware,
                        record.vendor,
                        record.product,
                        record.name,
                    )
                )
            case EpssRecord():
                self._epss.append((record.cve, record.score, record.percentile, record.date))
        if len(self._affected) + len(self._advisories) + len(self._cvss) >= self._FLUSH:
            self.flush()

    def _add_advisory(self, a: Advisory) -> None:
        self._advisories.append(
            (
                a.source,
                a.id,
                a.published or None,
                a.modified or None,
                a.withdrawn or None,
                a.summary or None,
                a.details or None,
                a.severity or None,
                a.severity_source or None,
                a.severity_label or None,
                a.cvss_vector or None,
                a.cvss_score,
                json.dumps(list(a.references)) if a.references else None,
            )
        )
        for alias in a.aliases:
            if alias and alias != a.id:
                self._aliases.append((a.source, a.id, alias))
        for f in a.affected:
            self._affected.append(
                (
                    a.id,
                    a.source,
                    f.namespace,
                    f.package,
                    f.name_kind.value,
                    f.status.value,
                    f.range_type,
                    _events_json(f.events),
                    json.dumps(list(f.versions)) if f.versions else None,
                    _constraints_json(f.constraints),
                    f.fixed_version or None,
                    f.severity or None,
                    f.module or None,
                    f.platform or None,
                    f.repo or None,
                    f.informational or None,
                )
            )

    def flush(self) -> None:
        db = self._db
        if self._advisories:
            # Last writer wins: NVD's modified feed after its yearly feed, a re-published advisory.
            db.executemany(
                "INSERT INTO advisory (source, id, published, modified, withdrawn, summary, details, severity, "
                "severity_source, severity_label, cvss_vector, cvss_score, refs) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, id) DO UPDATE SET "
                "published = COALESCE(excluded.published, advisory.published), "
                "modified = COALESCE(excluded.modified, advisory.modified), withdrawn = excluded.withdrawn, "
                "summary = COALESCE(excluded.summary, advisory.summary), "
                "details = COALESCE(excluded.details, advisory.details), "
                "severity = COALESCE(excluded.severity, advisory.severity), "
                "severity_source = COALESCE(excluded.severity_source, advisory.severity_source), "
                "severity_label = COALESCE(excluded.severity_label, advisory.severity_label), "
                "cvss_vector = COALESCE(excluded.cvss_vector, advisory.cvss_vector), "
                "cvss_score = COALESCE(excluded.cvss_score, advisory.cvss_score), "
                "refs = COALESCE(excluded.refs, advisory.refs)",
                self._advisories,
            )
            self._advisories.clear()
        if self._affected:
            db.executemany(
                f"INSERT INTO affected ({_AFFECTED_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self._affected,
            )
            self._affected.clear()
        if self._aliases:
            db.executemany(
                "INSERT INTO alias (source, id, alias) VALUES (?, ?, ?) ON CONFLICT (source, id, alias) DO NOTHING",
                self._aliases,
            )
            self._aliases.clear()
        if self._cvss:
            db.executemany(
                "INSERT INTO cve_cvss (cve, source, version, vector, score, severity) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (cve, source, version) DO UPDATE SET vector = excluded.vector, score = excluded.score, "
                "severity = excluded.severity",
                self._cvss,
            )
            self._cvss.clear()
        if self._kev:
            db.executemany(
                "INSERT INTO kev (cve, date_added, due_date, ransomware, vendor, product, name) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (cve) DO UPDATE SET date_added = excluded.date_added, "
                "due_date = excluded.due_date, ransomware = excluded.ransomware",
                self._kev,
            )
            self._kev.clear()
        if self._epss:
            db.executemany(
                "INSERT INTO epss (cve, score, percentile, score_date) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (cve) DO UPDATE SET score = excluded.score, percentile = excluded.percentile, "
                "score_date = excluded.score_date",
                self._epss,
            )
            self._epss.clear()

    def set_source(
        self,
        name: str,
        record_count: int,
        newest_record: str,
        *,
        upstream_url: str = "",
        imported_at: str | None = None,
    ) -> None:
        self._db.execute(
            "INSERT INTO source (name, record_count, newest_record, imported_at, upstream_url) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET record_count = excluded.record_count, "
            "newest_record = excluded.newest_record, imported_at = excluded.imported_at, "
            "upstream_url = excluded.upstream_url",
            (name, record_count, newest_record or None, imported_at or now_iso(), upstream_url or None),
        )

    def set_feed(self, source: str, url: str, etag: str, last_modified: str, sha256: str) -> None:
        self._db.execute(
            "INSERT INTO feed (source, url, etag, last_modified, sha256, fetched_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (source, url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
            "sha256 = excluded.sha256, fetched_at = excluded.fetched_at",
            (source, url, etag or None, last_modified or None, sha256 or None, now_iso()),
        )
        # The source row keeps the validators of its first feed for a quick look (`db status --verbose`).
        self._db.execute(
            "UPDATE source SET etag = COALESCE(etag, ?), last_modified = COALESCE(last_modified, ?) WHERE name = ?",
            (etag or None, last_modified or None, source),
        )

    def copy_source(self, old_path: Path, source: str) -> int:
        """Carry one source's rows over from the previous database (its feeds were not modified upstream)."""
        self.flush()
        self._db.commit()
        self._db.execute("ATTACH DATABASE ? AS old", (f"{Path(old_path).resolve().as_uri()}?mode=ro",))
        try:
            for table in ("advisory", "affected", "alias"):
                self._db.execute(f"INSERT INTO {table} SELECT * FROM old.{table} WHERE source = ?", (source,))
            self._db.execute("INSERT INTO source SELECT * FROM old.source WHERE name = ?", (source,))
            # Checked just now and found current upstream.
            self._db.execute("UPDATE source SET imported_at = ? WHERE name = ?", (now_iso(), source))
            self._db.execute("INSERT INTO feed SELECT * FROM old.feed WHERE source = ?", (source,))
            if source in _ENRICHMENT_TABLES:
                table = _ENRICHMENT_TABLES[source]
                self._db.execute(f"INSERT INTO {table} SELECT * FROM old.{table}")
            elif source == "nvd" or source == "cve5":
                self._db.execute(
                    "INSERT INTO cve_cvss SELECT * FROM old.cve_cvss WHERE "
                    + ("source = 'nvd'" if source == "nvd" else "source <> 'nvd'")
                    + " ON CONFLICT (cve, source, version) DO NOTHING"
                )
            row = self._db.execute("SELECT record_count FROM source WHERE name = ?", (source,)).fetchone()
        finally:
            self._db.commit()
            self._db.execute("DETACH DATABASE old")
        return int(row[0]) if row else 0

    def merge(self, part: Path) -> None:
        """Append every row of another (partial) database built by a :class:`StoreWriter` for other sources."""
        self.flush()
        self._db.commit()
        self._db.execute("ATTACH DATABASE ? AS part", (f"{Path(part).resolve().as_uri()}?mode=ro",))
        try:
            # "WHERE true" lets SQLite parse ON CONFLICT after INSERT ... SELECT; PostgreSQL accepts it too.
            self._db.execute("INSERT INTO advisory SELECT * FROM part.advisory WHERE true ON CONFLICT DO NOTHING")
            self._db.execute("INSERT INTO affected SELECT * FROM part.affected")
            self._db.execute("INSERT INTO alias SELECT * FROM part.alias WHERE true ON CONFLICT DO NOTHING")
            self._db.execute(
                "INSERT INTO cve_cvss SELECT * FROM part.cve_cvss WHERE true ON CONFLICT (cve, source, version) "
                "DO UPDATE SET vector = excluded.vector, score = excluded.score, severity = excluded.severity"
            )
            self._db.execute(
                "INSERT INTO kev SELECT * FROM part.kev WHERE true ON CONFLICT (cve) DO UPDATE SET "
                "date_added = excluded.date_added, due_date = excluded.due_date, "
                "ransomware = excluded.ransomware, vendor = excluded.vendor, "
                "product = excluded.product, name = excluded.name"
            )
            self._db.execute(
                "INSERT INTO epss SELECT * FROM part.epss WHERE true ON CONFLICT (cve) DO UPDATE SET "
                "score = excluded.score, percentile = excluded.percentile, "
                "score_date = excluded.score_date"
            )
            self._db.commit()
        finally:
            self._db.execute("DETACH DATABASE part")

    def finish(self, *, indexes: bool = True) -> None:
        """Write what is buffered, build the indexes, and close the file (synced to disk)."""
        self.flush()
        if indexes:
            for statement in INDEXES:
                self._db.execute(statement)
            self._db.execute("ANALYZE")
        self._db.commit()
        self._db.close()
        with open(self.path, "rb+") as fh:
            os.fsync(fh.fileno())

    def abort(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


_ENRICHMENT_TABLES = {"kev": "kev", "epss": "epss"}
