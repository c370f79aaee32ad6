"""Building the advisory database: from a mirror directory, or by downloading the feeds.

Either way a new database is written to a temporary file beside the target and swapped in with
``os.replace`` only when every source was read: a corrupt bundle, a missing part of a mirror, a failed or
short download or a checksum mismatch raises, and the old database stays as it was, still open-able by scans
running meanwhile. One advisory file that does not parse is a warning naming it; the import goes on.

Bundles (``.tar.gz``) are read member by member with :mod:`tarfile`, never extracted to disk.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import io
import lzma
import multiprocessing
import os
import re
import shutil
import sys
import tarfile
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import yaml

from hullscan.vulndb.download import Downloader, FetchResult
from hullscan.vulndb.errors import DownloadError, FeedError, RecordError, StoreError, VulnDBError
from hullscan.vulndb.importers.alpine_secdb import AlpineSecdbImporter
from hullscan.vulndb.importers.base import Importer
from hullscan.vulndb.importers.cve5 import Cve5Importer
from hullscan.vulndb.importers.debian_oval import DebianOvalImporter
from hullscan.vulndb.importers.debian_tracker import DebianTrackerImporter
from hullscan.vulndb.importers.epss import EpssImporter
from hullscan.vulndb.importers.friendsofphp import FriendsOfPhpImporter
from hullscan.vulndb.importers.kev import KevImporter
from hullscan.vulndb.importers.nodejs_wg import NodejsWgImporter
from hullscan.vulndb.importers.nvd import NvdImporter
from hullscan.vulndb.importers.osv import OsvImporter
from hullscan.vulndb.importers.redhat import RedHatCsafImporter, RedHatOvalImporter
from hullscan.vulndb.importers.rubysec import RubySecImporter
from hullscan.vulndb.importers.rustsec import RustSecImporter
from hullscan.vulndb.importers.ubuntu_oval import UbuntuOvalImporter
from hullscan.vulndb.model import Advisory, EpssRecord, KevRecord, Record, SourceStatus
from hullscan.vulndb.sources import SourceSpec, load_sources
from hullscan.vulndb.store import Store, StoreWriter

# importer key -> factory(source name). Explicit, greppable; no registration by import side effect.
IMPORTERS: dict[str, Callable[[str], Importer]] = {
    "osv": OsvImporter,
    "alpine-secdb": AlpineSecdbImporter,
    "debian-tracker": DebianTrackerImporter,
    "debian-oval": DebianOvalImporter,
    "ubuntu-oval": UbuntuOvalImporter,
    "redhat-oval": RedHatOvalImporter,
    "rocky-oval": lambda source: RedHatOvalImporter(source, family="rocky"),
    "redhat-csaf": RedHatCsafImporter,
    "rubysec": RubySecImporter,
    "friendsofphp": FriendsOfPhpImporter,
    "rustsec": RustSecImporter,
    "nodejs-security-wg": NodejsWgImporter,
    "nvd": NvdImporter,
    "cve5": Cve5Importer,
    "kev": KevImporter,
    "epss": EpssImporter,
}

# Decompression and archive errors: the bundle itself is damaged, which stops the import.
_CORRUPT = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, OSError)
# Content errors: one file does not have the shape its format requires; a warning, the import goes on.
_MALFORMED = (
    RecordError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    yaml.YAMLError,
    SyntaxError,
    UnicodeDecodeError,
)


@dataclass(frozen=True, slots=True)
class FeedWarning:
    """A file that was skipped, and why."""

    source: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path}: {self.message}"


@dataclass(slots=True)
class SourceReport:
    name: str
    records: int = 0
    """Records read: advisories for advisory sources, rows for KEV and EPSS."""
    files: int = 0
    newest: str = ""
    per_file: dict[str, int] = field(default_factory=dict)
    warnings: list[FeedWarning] = field(default_factory=list)
    carried_over: bool = False
    """Not modified upstream: the rows were copied from the previous database."""
    seconds: float = 0.0


@dataclass(slots=True)
class ImportReport:
    path: Path
    sources: dict[str, SourceReport] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def warnings(self) -> list[FeedWarning]:
        return [w for s in self.sources.values() for w in s.warnings]


# ---------------------------------------------------------------------------------------------- reading files

Opener = Callable[[], BinaryIO]


def _is_bundle(name: str) -> bool:
    return name.endswith((".tar.gz", ".tgz", ".tar"))


def _iter_tar(bundle: Path, label: str) -> Iterator[tuple[str, Opener]]:
    try:
        with tarfile.open(bundle, "r|*") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                fh = tar.extractfile(member)
                if fh is None:
                    continue
                data = fh.read()
                yield member.name, lambda data=data: io.BytesIO(data)  # type: ignore[misc]
    except _CORRUPT as exc:
        raise FeedError(f"{label}: corrupt or truncated bundle ({exc})") from None


def _open_binary(path: Path) -> BinaryIO:
    return path.open("rb")


def iter_feed_files(path: Path, label: str) -> Iterator[tuple[str, Opener]]:
    """``(relative path, opener)`` of every file of a feed: a directory (walked, bundles inside opened), a
    ``.tar.gz`` bundle (members), or one file."""
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = file.relative_to(path).as_posix()
            if _is_bundle(file.name):
                for name, opener in _iter_tar(file, f"{label}/{rel}"):
                    yield f"{rel}!{name}", opener
            else:
                yield rel, functools.partial(_open_binary, file)
    elif _is_bundle(path.name):
        yield from _iter_tar(path, label)
    else:
        yield path.name, functools.partial(_open_binary, path)


# ---------------------------------------------------------------------------------------------- importing


def _record_date(record: Record) -> str:
    match record:
        case Advisory():
            return record.modified or record.published
        case KevRecord():
            return record.date_added
        case EpssRecord():
            return record.date
    return ""


def _counts(record: Record) -> bool:
    return isinstance(record, Advisory | KevRecord | EpssRecord)


_FUTURE = timedelta(days=2)


def _newest(current: str, candidate: str) -> str:
    """The later of two ISO dates, ignoring placeholders and dates in the future (PyPA has some in 2027)."""
    if not candidate or candidate.startswith("0001"):
        return current
    limit = (datetime.now(UTC) + _FUTURE).strftime("%Y-%m-%d")
    if candidate[:10] > limit:
        return current
    return max(current, candidate[:19]) if current else candidate[:19]


def import_source(
    writer: StoreWriter, spec: SourceSpec, feeds: Sequence[tuple[Path, str]], report: SourceReport
) -> None:
    """Read every wanted file of ``feeds`` (``(local path, label)``) with the spec's importer into ``writer``."""
    started = time.monotonic()
    importer = IMPORTERS[spec.importer](spec.name)
    include = re.compile(spec.include) if spec.include else None
    for path, label in feeds:
        for rel, opener in iter_feed_files(path, label):
            member = rel.rpartition("!")[2]
            if not importer.wants(member) or (include and not include.search(member)):
                continue
            shown = f"{label}/{rel}" if path.is_dir() else (f"{label}!{rel}" if _is_bundle(path.name) else label)
            try:
                with opener() as stream:
                    records = list(importer.iter_records(stream, member))
            except _MALFORMED as exc:
                report.warnings.append(FeedWarning(spec.name, shown, _describe(exc)))
                continue
            except (EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, OSError) as exc:
                raise FeedError(f"{spec.name}: {shown}: corrupt or truncated ({exc})") from None
            report.files += 1
            count = 0
            for record in records:
                writer.add(record)
                if _counts(record):
                    count += 1
                    report.newest = _newest(report.newest, _record_date(record))
            report.per_file[shown] = count
            report.records += count
    report.seconds += time.monotonic() - started


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _selected(specs: Sequence[SourceSpec], names: Sequence[str] | None) -> list[SourceSpec]:
    if names is None:
        return [s for s in specs if s.enabled]
    known = {s.name: s for s in specs}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise VulnDBError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [known[n] for n in names]


def _temp_path(store_path: Path) -> Path:
    store_path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{store_path.name}.", suffix=".tmp", dir=store_path.parent)
    os.close(fd)
    return Path(name)


def _swap(writer: StoreWriter, store_path: Path) -> None:
    writer.finish()
    os.replace(writer.path, store_path)
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(store_path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def import_directory(
    store_path: Path,
    directory: Path,
    *,
    sources: Sequence[str] | None = None,
    config: Path | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import a mirror laid out like ``shared/vulndata`` into a new database at ``store_path``.

    ``sources`` restricts the import to the named sources (default: every enabled one). A missing required
    part of the mirror, or a corrupt bundle, raises :class:`FeedError` and leaves ``store_path`` untouched.
    Sources are read by ``workers`` processes (default: one per CPU, at most 4).
    """
    workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    started = time.monotonic()
    directory = Path(directory)
    if not directory.is_dir():
        raise FeedError(f"mirror directory {directory} does not exist")
    specs = _selected(load_sources(config), sources)
    plan: list[tuple[SourceSpec, list[tuple[Path, str]]]] = []
    missing: list[str] = []
    for spec in specs:
        feeds: list[tuple[Path, str]] = []
        for feed in spec.mirror:
            local = directory / feed.location.rstrip("/")
            if local.exists() and (local.is_dir() == feed.is_directory):
                feeds.append((local, feed.location.rstrip("/")))
                if feed.checksum:
                    _verify_local(local, directory / feed.checksum, spec.name)
            elif not spec.optional:
                missing.append(f"{feed.location} ({spec.name})")
        if feeds:
            plan.append((spec, feeds))
    if missing:
        raise FeedError(f"mirror {directory} lacks required " + ", ".join(missing))
    report = ImportReport(Path(store_path))
    writer = StoreWriter(_temp_path(Path(store_path)), builder=f"import {directory}")
    try:
        for spec, source_report in _run_plan(writer, plan, workers):
            report.sources[spec.name] = source_report
            writer.set_source(spec.name, source_report.records, source_report.newest, upstream_url=spec.homepage)
        _swap(writer, Path(store_path))
    except BaseException:
        writer.abort()
        raise
    report.seconds = time.monotonic() - started
    return report


def _import_part(spec: SourceSpec, feeds: list[tuple[Path, str]], part: Path) -> SourceReport:
    """Worker process: one source into a database file of its own, merged by the parent."""
    writer = StoreWriter(part, builder=f"part {spec.name}")
    report = SourceReport(spec.name)
    try:
        import_source(writer, spec, feeds, report)
        writer.finish(indexes=False)
    except BaseException:
        writer.abort()
        raise
    return report


def _feed_bytes(feeds: list[tuple[Path, str]]) -> int:
    total = 0
    for path, _ in feeds:
        if path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        else:
            total += path.stat().st_size
    return total


def _run_plan(
    writer: StoreWriter, plan: list[tuple[SourceSpec, list[tuple[Path, str]]]], workers: int
) -> Iterator[tuple[SourceSpec, SourceReport]]:
    """Import each planned source; with ``workers > 1`` in worker processes, merged in plan order."""
    if workers <= 1 or len(plan) <= 1:
        for spec, feeds in plan:
            source_report = SourceReport(spec.name)
            import_source(writer, spec, feeds, source_report)
            yield spec, source_report
        return
    # fork is cheapest and does not re-import the caller's __main__; with other threads running (an HTTP
    # server, a progress bar) forking is unsafe, so a fork server starts the workers instead.
    method = "fork" if threading.active_count() == 1 and sys.platform == "linux" else "forkserver"
    context = multiprocessing.get_context(method)
    partdir = Path(tempfile.mkdtemp(prefix=".parts-", dir=writer.path.parent))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # Largest first, so the longest source does not start last (LPT scheduling).
            order = sorted(range(len(plan)), key=lambda i: -_feed_bytes(plan[i][1]))
            futures = {i: pool.submit(_import_part, plan[i][0], plan[i][1], partdir / f"{i}.db") for i in order}
            for i, (spec, _) in enumerate(plan):
                source_report = futures[i].result()
                writer.merge(partdir / f"{i}.db")
                (partdir / f"{i}.db").unlink()
                yield spec, source_report
    finally:
        shutil.rmtree(partdir, ignore_errors=True)


def _verify_local(path: Path, meta: Path, source: str) -> None:
    from hullscan.vulndb.download import parse_meta_sha256, sha256_uncompressed

    if not meta.is_file():
        return
    expected = parse_meta_sha256(meta.read_bytes())
    if expected and sha256_uncompressed(path) != expected:
        raise FeedError(f"{source}: {path.name} does not match the sha256 in {meta.name}")


# ---------------------------------------------------------------------------------------------- downloading


def _feed_urls(spec: SourceSpec, mirror: str | None) -> list[tuple[str, str, str]]:
    """``(url, checksum url, local label)`` of each file to download for ``spec``."""
    out: list[tuple[str, str, str]] = []
    if mirror is not None:
        base = mirror.rstrip("/") + "/"
        for feed in spec.mirror:
            location = feed.location.rstrip("/") + (".tar.gz" if feed.is_directory else "")
            out.append((base + location, base + feed.checksum if feed.checksum else "", location))
    else:
        for feed in spec.upstream:
            out.append((feed.location, feed.checksum, _label_for_url(feed.location)))
    return out


def _label_for_url(url: str) -> str:
    tail = url.split("://", 1)[-1]
    host, _, path = tail.partition("/")
    return f"{host}/{path}"


def fetch_and_import(
    store_path: Path,
    sources_config: Path | None = None,
    *,
    mirror: str | None = None,
    sources: Sequence[str] | None = None,
    downloader: Downloader | None = None,
) -> ImportReport:
    """Download the feeds (from upstream, or from a mirror base URL laid out like ``shared/vulndata``) and
    build a new database from them.

    Conditional requests use the ETag/Last-Modified the previous database recorded for each file: when every
    file of a source answers ``304 Not Modified`` the source's rows are copied from the previous database.
    Files with a published checksum (NVD's ``.meta``) are verified. Any failed, short or mismatching download
    raises :class:`DownloadError` and the previous database stays in place.
    """
    started = time.monotonic()
    store_path = Path(store_path)
    specs = _selected(load_sources(sources_config), sources)
    downloader = downloader or Downloader()
    old: Store | None = None
    validators: dict[tuple[str, str], tuple[str, str, str]] = {}
    old_sources: set[str] = set()
    if store_path.exists():
        with contextlib.suppress(StoreError):
            old = Store(store_path)
            validators = old.feed_validators()
            old_sources = {s.name for s in old.sources()}
            old.close()
    report = ImportReport(store_path)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=".hullscan-feeds-", dir=store_path.parent))
    writer = StoreWriter(_temp_path(store_path), builder=f"fetch {mirror or 'upstream'}")
    try:
        for spec in specs:
            urls = _feed_urls(spec, mirror)
            if not urls:
                continue
            source_report = report.sources.setdefault(spec.name, SourceReport(spec.name))
            can_reuse = spec.name in old_sources
            results: list[FetchResult] = []
            for url, checksum, label in urls:
                known = validators.get((spec.name, url), ("", "", "")) if can_reuse else ("", "", "")
                results.append(
                    downloader.fetch(
                        url, workdir / spec.name / label, etag=known[0], last_modified=known[1], checksum_url=checksum
                    )
                )
            if all(r.not_modified for r in results):
                source_report.records = writer.copy_source(store_path, spec.name)
                source_report.carried_over = True
                continue
            for i, result in enumerate(results):
                if result.not_modified:  # the others changed: this one is needed again, in full
                    url, checksum, label = urls[i]
                    results[i] = downloader.fetch(url, workdir / spec.name / label, checksum_url=checksum)
            feeds = [(r.path, label) for r, (_, _, label) in zip(results, urls, strict=True)]
            missing = [label for r, (_, _, label) in zip(results, urls, strict=True) if r.missing]
            if missing and not spec.optional:
                raise DownloadError(f"{spec.name}: not found: {', '.join(missing)}")
            feeds = [f for f, r in zip(feeds, results, strict=True) if not r.missing]
            if not feeds:
                continue
            import_source(writer, spec, feeds, source_report)
            upstream = spec.homepage if mirror is None else mirror
            writer.set_source(spec.name, source_report.records, source_report.newest, upstream_url=upstream)
            for result, (url, _, _) in zip(results, urls, strict=True):
                if not result.missing:
                    writer.set_feed(spec.name, url, result.etag, result.last_modified, result.sha256)
        _swap(writer, store_path)
    except BaseException:
        writer.abort()
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report


def status(store_path: Path) -> list[SourceStatus]:
    """Each source of the database: record count, newest record, when it was imported and how long ago."""
    with Store(Path(store_path)) as store:
        return store.sources()
