"""Downloading feed files over HTTP(S) with urllib3: conditional requests, retries, published checksums.

The one seam to the network: :class:`Downloader` takes an optional ``urllib3.PoolManager``, so tests can run
against a server on 127.0.0.1 with the same code. A body cut short (fewer bytes than ``Content-Length``, or a
chunked body that stops) is retried, then reported as :class:`~hullscan.vulndb.errors.DownloadError`.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

import urllib3
from urllib3.util import Retry, Timeout

from hullscan import __version__
from hullscan.vulndb.errors import DownloadError
from hullscan.vulndb.importers.base import open_stream

_CHUNK = 1 << 20
_SHA256 = re.compile(rb"^sha256:([0-9A-Fa-f]{64})\s*$", re.M)


def parse_meta_sha256(meta: bytes) -> str:
    """The ``sha256:`` line of an NVD ``.meta`` file (upper-case hex), or ``""``."""
    match = _SHA256.search(meta)
    return match.group(1).decode().upper() if match else ""


def sha256_uncompressed(path: Path) -> str:
    """The sha256 of a file's content after decompression (what NVD's ``.meta`` publishes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as raw:
        stream = open_stream(raw)
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest().upper()


@dataclass(frozen=True, slots=True)
class FetchResult:
    path: Path
    not_modified: bool = False
    missing: bool = False
    """The server answered 404."""
    etag: str = ""
    last_modified: str = ""
    sha256: str = ""
    """Of the bytes as downloaded."""


class Downloader:
    def __init__(
        self,
        pool: urllib3.PoolManager | None = None,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        timeout: float = 120.0,
    ) -> None:
        self.pool = pool or urllib3.PoolManager(headers={"User-Agent": f"hullscan/{__version__}"})
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.timeout = Timeout(connect=20.0, read=timeout)

    def fetch(
        self, url: str, dest: Path, *, etag: str = "", last_modified: str = "", checksum_url: str = ""
    ) -> FetchResult:
        """Download ``url`` to ``dest``; with validators, a ``304`` gives ``not_modified`` and no file."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        dest.parent.mkdir(parents=True, exist_ok=True)
        error: Exception | None = None
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                result = self._get(url, dest, headers)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                error = exc
                with contextlib.suppress(OSError):
                    dest.unlink()
                continue
            if result.not_modified or result.missing:
                return result
            if checksum_url:
                self._verify(url, dest, checksum_url)
            return result
        raise DownloadError(f"download of {url} failed after {self.attempts} attempt(s): {error}")

    def _get(self, url: str, dest: Path, headers: dict[str, str]) -> FetchResult:
        retry = Retry(
            total=2,
            backoff_factor=self.backoff,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        response = self.pool.request(
            "GET", url, headers=headers, preload_content=False, retries=retry, timeout=self.timeout
        )
        try:
            if response.status == 304:
                return FetchResult(
                    dest,
                    not_modified=True,
                    etag=response.headers.get("ETag", ""),
                    last_modified=response.headers.get("Last-Modified", ""),
                )
            if response.status == 404:
                return FetchResult(dest, missing=True)
            if response.status != 200:
                raise DownloadError(f"download of {url} failed: HTTP {response.status} {response.reason or ''}".strip())
            digest = hashlib.sha256()
            size = 0
            with open(dest, "wb") as out:
                for chunk in response.stream(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            expected = response.headers.get("Content-Length")
            if (
                expected is not None
                and expected.isdigit()
                and int(expected) != size
                and not response.headers.get("Content-Encoding")
            ):
                raise urllib3.exceptions.ProtocolError(f"got {size} of {expected} bytes")
            return FetchResult(
                dest,
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
                sha256=digest.hexdigest(),
            )
        finally:
            response.release_conn()

    def _verify(self, url: str, dest: Path, checksum_url: str) -> None:
        meta = dest.with_name(dest.name + ".meta")
        result = self._get(checksum_url, meta, {})
        if result.missing:
            raise DownloadError(f"checksum file {checksum_url} not found")
        expected = parse_meta_sha256(meta.read_bytes())
        if not expected:
            raise DownloadError(f"{checksum_url} publishes no sha256")
        try:
            actual = sha256_uncompressed(dest)
        except (OSError, EOFError) as exc:
            raise DownloadError(f"{url}: downloaded file does not decompress ({exc})") from None
        if actual != expected:
            raise DownloadError(
                f"{url}: sha256 {actual[:16]}... does not match {expected[:16]}... published in {checksum_url}"
            )
