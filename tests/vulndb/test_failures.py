"""Malformed files become warnings; corrupt bundles and missing mirror parts stop the import and leave the
previous database as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hullscan.vulndb.errors import FeedError, StoreError
from hullscan.vulndb.store import SCHEMA_VERSION, Store
from hullscan.vulndb.update import import_directory


def _mirror(tmp_path: Path, vulndata: Path) -> Path:
    """A small mirror: the real RustSec OSV export and KEV catalog (linked, not copied) plus files we break."""
    mirror = tmp_path / "mirror"
    (mirror / "osv").mkdir(parents=True)
    crates = mirror / "osv" / "rustsec" / "crates"
    crates.mkdir(parents=True)
    for src in sorted((vulndata / "osv" / "rustsec" / "crates").glob("RUSTSEC-2016-*.json")):
        (crates / src.name).symlink_to(src)
    kev = mirror / "enrichment" / "cisa-kev"
    kev.mkdir(parents=True)
    (kev / "known_exploited_vulnerabilities.json").symlink_to(
        vulndata / "enrichment" / "cisa-kev" / "known_exploited_vulnerabilities.json"
    )
    return mirror


def test_malformed_files_are_warnings(tmp_path: Path, vulndata: Path) -> None:
    mirror = _mirror(tmp_path, vulndata)
    crates = mirror / "osv" / "rustsec" / "crates"
    (crates / "RUSTSEC-9999-0001.json").write_text('{"hello": "not an OSV record"}')
    (crates / "RUSTSEC-9999-0002.json").write_text('{"id": "RUSTSEC-9999-0002", "affected": [')
    (crates / "RUSTSEC-9999-0003.yaml").write_text("id: RUSTSEC-9999-0003\naffected: [\n  - {package: }\n bad")
    report = import_directory(tmp_path / "db.sqlite", mirror, sources=["rustsec", "kev"], workers=1)
    warned = sorted(w.path.rsplit("/", 1)[-1] for w in report.warnings)
    assert warned == ["RUSTSEC-9999-0001.json", "RUSTSEC-9999-0002.json", "RUSTSEC-9999-0003.yaml"]
    assert all(w.source == "rustsec" for w in report.warnings)
    assert "not an OSV record" in str(report.warnings[0])
    good = len(list((vulndata / "osv" / "rustsec" / "crates").glob("RUSTSEC-2016-*.json")))
    assert report.sources["rustsec"].records == good
    with Store(tmp_path / "db.sqlite") as store:
        assert store.lookup("crates.io", "openssl")


def test_corrupt_bundle_keeps_previous_database(tmp_path: Path, vulndata: Path) -> None:
    mirror = _mirror(tmp_path, vulndata)
    db = tmp_path / "db.sqlite"
    import_directory(db, mirror, sources=["rustsec", "kev"], workers=1)
    before = db.read_bytes()
    bundle = mirror / "osv" / "pypa-advisory-database" / "pypa-advisory-database.tar.gz"
    bundle.parent.mkdir(parents=True)
    real = (vulndata / "osv" / "pypa-advisory-database" / "pypa-advisory-database.tar.gz").read_bytes()
    bundle.write_bytes(real[: len(real) // 3])  # truncated mid-stream
    with pytest.raises(FeedError, match=r"pypa-advisory-database\.tar\.gz.*(corrupt|truncated)"):
        import_directory(db, mirror, sources=["rustsec", "pypa", "kev"], workers=2)
    assert db.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".db.sqlite", ".parts-"))], "temp files removed"
    with Store(db) as store:
        assert store.lookup("crates.io", "openssl")
        assert store.enrichment(["CVE-2025-48384"])["CVE-2025-48384"].kev is not None


def test_garbage_bundle(tmp_path: Path, vulndata: Path) -> None:
    mirror = _mirror(tmp_path, vulndata)
    bundle = mirror / "osv" / "pypa-advisory-database" / "pypa-advisory-database.tar.gz"
    bundle.parent.mkdir(parents=True)
    bundle.write_bytes(b"\x1f\x8b\x08\x00 this is not gzip at all")
    with pytest.raises(FeedError, match="corrupt"):
        import_directory(tmp_path / "db.sqlite", mirror, sources=["pypa"], workers=1)
    assert not (tmp_path / "db.sqlite").exists()


def test_missing_required_directory(tmp_path: Path, vulndata: Path) -> None:
    mirror = _mirror(tmp_path, vulndata)
    db = tmp_path / "db.sqlite"
    import_directory(db, mirror, sources=["kev"], workers=1)
    with pytest.raises(FeedError, match=r"lacks required osv/ghsa-sample/ \(ghsa\)"):
        import_directory(db, mirror, sources=["kev", "ghsa"], workers=1)
    with Store(db) as store:
        assert store.enrichment(["CVE-2025-48384"])


def test_not_a_mirror(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="does not exist"):
        import_directory(tmp_path / "db.sqlite", tmp_path / "nowhere")


def test_schema_version_mismatch(tmp_path: Path, vulndata: Path) -> None:
    db = tmp_path / "db.sqlite"
    import_directory(db, _mirror(tmp_path, vulndata), sources=["kev"], workers=1)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.close()
    with pytest.raises(StoreError, match=r"schema version 2, this hullscan reads version 1 \(newer\)"):
        Store(db)


def test_missing_and_foreign_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no advisory database"):
        Store(tmp_path / "absent.db")
    (tmp_path / "junk.db").write_bytes(b"not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot be read"):
        Store(tmp_path / "junk.db")
