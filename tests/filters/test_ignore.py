"""Ignore files, plain and YAML, on findings built by hand and end to end through the CLI on alpine-311."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from hullscan.cli import main
from hullscan.errors import UsageError
from hullscan.filters.ignore import apply_ignore, load_ignore
from hullscan.model import Finding, Package, PackageType, Severity, Vulnerability
from vulndb.helpers import ImportedStore

TODAY = date(2026, 11, 26)
ALPINE_311 = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"


def finding(fid: str, name: str = "musl", purl: str = "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64",
            found_in: str = "lib/apk/db/installed", aliases: tuple[str, ...] = ()) -> Finding:
    pkg = Package(PackageType.APK, name, "1.1.24-r2", purl=purl, found_in=found_in)
    vuln = Vulnerability(aliases, "1.1.24-r2", "1.1.24-r3", "fixed", "", "alpine-secdb", "")
    return Finding("vuln", fid, Severity.HIGH, fid, target=f"{name}@1.1.24-r2", package=pkg, vulnerability=vuln)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_plain_ids_comments_and_expiry(tmp_path: Path) -> None:
    rules = load_ignore(write(tmp_path, ".hullscanignore", (
        "# accepted risks\n"
        "CVE-1  # comment after the id\n"
        "CVE-2 exp:2026-11-26\n"
        "CVE-3 exp:2026-11-25\n"
        "\n"
        "GHSA-xxxx\n"
    )))
    found = [finding("CVE-1"), finding("CVE-2"), finding("CVE-3"), finding("PYSEC-9", aliases=("GHSA-xxxx",)),
             finding("CVE-4")]
    out = apply_ignore(found, rules, TODAY)
    assert [f.id for f in out.kept] == ["CVE-3", "CVE-4"]  # CVE-3's entry expired yesterday
    assert [f.id for f, _ in out.ignored] == ["CVE-1", "CVE-2", "PYSEC-9"]  # an alias matches too
    assert [(r.id, r.where.rsplit(":", 1)[1]) for r in out.expired] == [("CVE-3", "4")]


def test_yaml_paths_purls_and_statement(tmp_path: Path) -> None:
    rules = load_ignore(write(tmp_path, "ignore.yaml", (
        "vulnerabilities:\n"
        "  - id: CVE-1\n"
        "    purls: [pkg:apk/alpine/musl]\n"
        "    statement: not reachable\n"
        "  - id: CVE-2\n"
        "    paths: ['usr/lib/python3*/**']\n"
        "    expired_at: 2030-01-01\n"
    )))
    musl = finding("CVE-1")
    other = finding("CVE-1", name="musl-utils", purl="pkg:apk/alpine/musl-utils@1.1.24-r2")
    py = finding("CVE-2", found_in="usr/lib/python3.11/site-packages/x.dist-info/METADATA")
    elsewhere = finding("CVE-2", found_in="opt/app/x.dist-info/METADATA")
    out = apply_ignore([musl, other, py, elsewhere], rules, TODAY)
    assert [f for f, _ in out.ignored] == [musl, py]
    assert out.ignored[0][1].statement == "not reachable"
    assert list(out.kept) == [other, elsewhere]


@pytest.mark.parametrize(("name", "text", "message"), [
    (".hullscanignore", "CVE-1 until:2026-01-01\n", r"\.hullscanignore:1: unexpected 'until:2026-01-01'"),
    (".hullscanignore", "CVE-1\nCVE-2 exp:2026-13-01\n", r":2: invalid date"),
    ("x.yaml", "vulnerabilities:\n  - id: CVE-1\n   bad: [\n", r"x\.yaml:\d+: not valid YAML"),
    ("x.yaml", "vulnerabilities:\n  - statement: no id\n", r"vulnerabilities\[1\]: each entry needs an 'id'"),
    ("x.yaml", "- CVE-1\n", r"expected a mapping"),
], ids=["bad-token", "bad-date", "bad-yaml", "no-id", "not-a-mapping"])
def test_malformed_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load_ignore(write(tmp_path, name, text))


def test_cli_ignores_and_warns(tmp_path: Path, imported: ImportedStore, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HULLSCAN_DB", str(imported.path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".hullscanignore").write_text("CVE-2020-28928\nCVE-2022-37434 exp:2020-01-01\n")
    code = main(["image", str(ALPINE_311), "--no-cache", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0
    ids = {(f["id"], f["target"]) for f in json.loads(out)["findings"]}
    assert not any(fid == "CVE-2020-28928" for fid, _ in ids)  # gone for musl and musl-utils
    assert ("CVE-2022-37434", "zlib@1.2.11-r3") in ids  # its entry expired
    assert "expired on 2020-01-01" in err and "2 findings ignored" in err
    code = main(["image", str(ALPINE_311), "--no-cache", "--ignorefile", str(tmp_path / "missing")])
    assert code == 2 and "cannot read ignore file" in capsys.readouterr().err
