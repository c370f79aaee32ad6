"""``fetch_and_import`` over real HTTP against a local mirror on 127.0.0.1.

The real upstreams (NVD, CISA, FIRST, secdb.alpinelinux.org...) are not reachable from the test machines, so
the server here serves a mirror laid out like shared/vulndata built from copies of a few real feeds: the same
download code (urllib3, conditional requests, checksums, retries) runs against it. It can cut a body short
and serve a wrong checksum.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hullscan.vulndb.download import Downloader
from hullscan.vulndb.errors import DownloadError
from hullscan.vulndb.store import Store
from hullscan.vulndb.update import fetch_and_import, status

CONFIG = """
[[sources.nvd.mirror]]
location = "enrichment/nvd/feeds-1.1/nvdcve-1.1-recent.json.gz"
checksum = "enrichment/nvd/feeds-1.1/nvdcve-1.1-recent.meta"
"""
SOURCES = ["alpine-secdb", "nvd", "kev", "epss"]


@dataclass
class MirrorServer:
    root: Path
    url: str = ""
    cut: set[str] = field(default_factory=set)
    """Paths whose body is cut in half (the connection closes mid-body)."""
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    """(path, If-None-Match, status) of every request."""


def _handler(server: MirrorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = self.path.lstrip("/")
            file = server.root / path
            if not file.is_file():
                server.requests.append((path, "", 404))
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = file.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                server.requests.append((path, etag, 304))
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            server.requests.append((path, self.headers.get("If-None-Match", ""), 200))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            if path in server.cut:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    return Handler


def _build_mirror(root: Path, vulndata: Path) -> None:
    for rel in (
        "enrichment/cisa-kev/known_exploited_vulnerabilities.json",
        "enrichment/epss/epss_scores-sample.csv",
        "enrichment/nvd/feeds-1.1/nvdcve-1.1-recent.json.gz",
        "enrichment/nvd/feeds-1.1/nvdcve-1.1-recent.meta",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(vulndata / rel, root / rel)
    # A directory of the layout is served as <dir>.tar.gz.
    secdb = vulndata / "distro" / "alpine-secdb" / "secdb.alpinelinux.org"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for branch in ("v3.11", "v3.20"):
            tar.add(secdb / branch / "main.json", arcname=f"{branch}/main.json")
    target = root / "distro" / "alpine-secdb" / "secdb.alpinelinux.org.tar.gz"
    target.parent.mkdir(parents=True)
    target.write_bytes(buffer.getvalue())


@pytest.fixture
def mirror(tmp_path: Path, vulndata: Path) -> Iterator[MirrorServer]:
    root = tmp_path / "served"
    _build_mirror(root, vulndata)
    state = MirrorServer(root)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(CONFIG)
    return path


def _fetch(db: Path, config: Path, mirror: MirrorServer) -> object:
    return fetch_and_import(
        db, config, mirror=mirror.url, sources=SOURCES, downloader=Downloader(attempts=2, backoff=0.0, timeout=10)
    )


def test_fetch_then_not_modified(tmp_path: Path, config: Path, mirror: MirrorServer) -> None:
    db = tmp_path / "db" / "advisories.db"
    report = fetch_and_import(
        db, config, mirror=mirror.url, sources=SOURCES, downloader=Downloader(attempts=2, backoff=0.0, timeout=10)
    )
    counts = {name: s.records for name, s in report.sources.items()}
    assert counts["kev"] == 1404 and counts["epss"] == 39 and counts["nvd"] == 762
    assert counts["alpine-secdb"] > 1000
    with Store(db) as store:
        assert {r.advisory_id for r in store.lookup("alpine:3.11", "musl")} >= {"CVE-2019-14697"}
        assert store.enrichment(["CVE-2025-48384"])["CVE-2025-48384"].kev is not None
        validators = store.feed_validators()
    assert validators[("kev", mirror.url + "enrichment/cisa-kev/known_exploited_vulnerabilities.json")][0]
    assert {s.name for s in status(db)} == set(SOURCES)

    # Second update: every file answers 304 to its ETag; the rows are carried over from the old database.
    mirror.requests.clear()
    again = fetch_and_import(
        db, config, mirror=mirror.url, sources=SOURCES, downloader=Downloader(attempts=2, backoff=0.0, timeout=10)
    )
    assert all(s.carried_over for s in again.sources.values())
    assert {code for path, _, code in mirror.requests if not path.endswith(".meta")} == {304}
    assert {name: s.records for name, s in again.sources.items()} == counts
    with Store(db) as store:
        assert {r.advisory_id for r in store.lookup("alpine:3.11", "musl")} >= {"CVE-2019-14697"}
        assert store.enrichment(["CVE-1999-0001"])["CVE-1999-0001"].epss is not None
        assert {s.name: s.record_count for s in store.sources()}["nvd"] == 762


def test_interrupted_download_keeps_old_database(tmp_path: Path, config: Path, mirror: MirrorServer) -> None:
    db = tmp_path / "advisories.db"
    _fetch(db, config, mirror)
    before = db.read_bytes()
    (mirror.root / "enrichment/epss/epss_scores-sample.csv").write_text(
        "#model_version:v1,score_date:2030-01-01\ncve,epss,percentile\nCVE-1999-0001,0.5,0.5\n"
    )
    mirror.cut.add("enrichment/epss/epss_scores-sample.csv")
    with pytest.raises(DownloadError, match=r"epss_scores-sample\.csv.*2 attempt"):
        _fetch(db, config, mirror)
    assert db.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".advisories.db", ".hullscan-feeds-"))]
    with Store(db) as store:
        epss = store.enrichment(["CVE-1999-0001"])["CVE-1999-0001"].epss
        assert epss is not None and epss.score == 0.03351


def test_wrong_checksum_keeps_old_database(tmp_path: Path, config: Path, mirror: MirrorServer, vulndata: Path) -> None:
    db = tmp_path / "advisories.db"
    _fetch(db, config, mirror)
    before = db.read_bytes()
    # The feed changes (another real NVD feed) but its .meta still publishes the old sha256.
    shutil.copyfile(
        vulndata / "enrichment/nvd/feeds-1.1/nvdcve-1.1-modified.json.gz",
        mirror.root / "enrichment/nvd/feeds-1.1/nvdcve-1.1-recent.json.gz",
    )
    with pytest.raises(DownloadError, match="does not match"):
        fetch_and_import(
            db,
            config,
            mirror=mirror.url,
            sources=["nvd", "kev"],
            downloader=Downloader(attempts=1, backoff=0.0, timeout=10),
        )
    assert db.read_bytes() == before
    with Store(db) as store:
        assert {s.name: s.record_count for s in store.sources()}["nvd"] == 762


def test_missing_feed_is_an_error(tmp_path: Path, config: Path, mirror: MirrorServer) -> None:
    (mirror.root / "enrichment/cisa-kev/known_exploited_vulnerabilities.json").unlink()
    with pytest.raises(DownloadError, match="not found"):
        _fetch(tmp_path / "advisories.db", config, mirror)
    assert not (tmp_path / "advisories.db").exists()
