"""All of shared/vulndata imported once: record counts per source against PROVENANCE.json, and known records."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from hullscan.vulndb.model import EventKind, NameKind, Status
from hullscan.vulndb.store import Store
from vulndb.helpers import ImportedStore


def _provenance(vulndata: Path) -> dict[str, dict[str, object]]:
    doc = json.loads((vulndata / "PROVENANCE.json").read_text())
    return {s["id"]: s for s in doc["sources"]}


def test_no_warnings(imported: ImportedStore) -> None:
    assert imported.report.warnings == []


def test_record_counts_match_provenance(imported: ImportedStore, vulndata: Path) -> None:
    prov = _provenance(vulndata)
    got = {name: s.records for name, s in imported.report.sources.items()}
    records = {k: v["records"] for k, v in prov.items()}
    # PROVENANCE counts 7,081 for PyPA: the bundle holds 7,080 advisories plus its `vulns/.id-allocator` file.
    assert got["pypa"] == 7080 == records["pypa-osv"] - 1  # type: ignore[operator]
    assert got["go"] == records["golang-vulndb"]["osv"]  # type: ignore[index]
    assert got["go-cve5"] == records["golang-vulndb"]["cve5"]  # type: ignore[index]
    assert got["rustsec"] == records["rustsec-osv"]
    assert got["ghsa"] == records["ghsa-sample"]
    assert got["almalinux"] == sum(records["almalinux-osv"].values())  # type: ignore[attr-defined]
    assert got["rubysec"] == sum(records["rubysec"].values())  # type: ignore[attr-defined]
    assert got["nodejs-security-wg"] == sum(records["nodejs-security-wg"].values())  # type: ignore[attr-defined]
    assert got["friendsofphp"] == records["php-friendsofphp"]
    # One record per (fixed version, id entry) of the 41 secdb files.
    assert got["alpine-secdb"] == records["alpine-secdb"]["fixed_version_entries_x_ids"]  # type: ignore[index]
    assert imported.report.sources["alpine-secdb"].files == records["alpine-secdb"]["files"]  # type: ignore[index]
    assert got["debian-oval"] == sum(records["debian-oval"].values())  # type: ignore[attr-defined]
    # The USN OVAL counts include one "inventory" definition per file (the release check), not an advisory.
    assert got["ubuntu-oval"] == sum(records["ubuntu-usn-oval"].values()) - 2  # type: ignore[attr-defined]
    assert got["redhat-oval"] == records["redhat-oval"]
    assert got["redhat-csaf"] == sum(records["redhat-csaf"].values())  # type: ignore[attr-defined]
    assert got["rocky-oval"] == sum(records["rocky-oval"].values())  # type: ignore[attr-defined]
    nvd = imported.report.sources["nvd"].per_file
    assert nvd["enrichment/nvd/nvdcve-1.1-subset.json.gz"] == records["nvd-1.1-subset"]
    feeds = records["nvd-1.1-feeds"]
    assert nvd["enrichment/nvd/feeds-1.1/nvdcve-1.1-recent.json.gz"] == feeds["recent"]  # type: ignore[index]
    assert nvd["enrichment/nvd/feeds-1.1/nvdcve-1.1-modified.json.gz"] == feeds["modified"]  # type: ignore[index]
    assert sum(v for k, v in nvd.items() if "api-2.0-samples" in k) == records["nvd-2.0-samples"]
    cve5 = imported.report.sources["cve5"]
    assert cve5.files == records["cvelistV5-samples"] + records["cisa-vulnrichment-subset"]  # type: ignore[operator]
    assert got["kev"] == records["cisa-kev"]
    assert got["epss"] == records["epss-sample"]
    # The native RustSec crates are covered by the OSV export; only the toolchain advisories are imported.
    assert got["rustsec-native"] == 20


def test_source_table(store: Store, imported: ImportedStore) -> None:
    rows = {s.name: s for s in store.sources()}
    assert set(rows) == set(imported.report.sources)
    assert rows["pypa"].record_count == 7080
    # Two PyPA records carry modified dates in 2027: they do not count as the newest record.
    assert rows["pypa"].newest_record.startswith("2026-07-23")
    assert rows["kev"].newest_record == "2025-08-25"
    assert rows["pypa"].age_days is not None and rows["pypa"].age_days < 1


def test_pysec_ranges_and_versions(store: Store) -> None:
    rows = [r for r in store.lookup("pypi", "Requests") if r.advisory_id == "PYSEC-2023-74"]
    by_type = {r.range_type: r for r in rows}
    eco = by_type["ECOSYSTEM"]
    assert [(e.kind, e.version) for e in eco.events] == [(EventKind.INTRODUCED, "2.3.0"), (EventKind.FIXED, "2.31.0")]
    assert eco.status is Status.FIXED and eco.fixed_version == "2.31.0"
    assert "2.30.0" in eco.versions and "2.31.0" not in eco.versions and len(eco.versions) == 66
    assert by_type["GIT"].repo == "https://github.com/psf/requests" and by_type["GIT"].versions == ()
    advisory = store.advisory("pypa", "PYSEC-2023-74")
    assert advisory is not None
    assert set(advisory.aliases) == {"CVE-2023-32681", "GHSA-j8r2-6x86-q33q"}
    assert advisory.published.startswith("2023-05-26")


def test_pep503_names(store: Store) -> None:
    assert store.lookup("pypi", "Jinja2") == store.lookup("pypi", "jinja2") != []


def test_go_stdlib_several_fixes(store: Store) -> None:
    rows = [r for r in store.lookup("go", "stdlib") if r.advisory_id == "GO-2024-2687"]
    assert len(rows) == 1
    assert [e.version for e in rows[0].events] == ["0", "1.21.9", "1.22.0-0", "1.22.2"]
    assert rows[0].fixed_version == "1.21.9, 1.22.2"


def test_alpine_311_musl(store: Store) -> None:
    rows = {r.advisory_id: r for r in store.lookup("alpine:3.11", "musl")}
    assert rows["CVE-2019-14697"].fixed_version == "1.1.23-r2"
    assert rows["CVE-2019-14697"].name_kind is NameKind.SOURCE
    assert rows["CVE-2020-28928"].events[-1].version == "1.1.24-r3"


def test_alpine_not_affected(store: Store) -> None:
    rows = {r.advisory_id: r for r in store.lookup("alpine:3.20", "avahi")}
    assert rows["CVE-2021-26720"].status is Status.NOT_AFFECTED and rows["CVE-2021-26720"].events == ()
    assert rows["CVE-2017-6519"].fixed_version == "0.7-r2"


def test_debian_oval_bookworm(store: Store) -> None:
    glibc = {r.advisory_id: r for r in store.lookup("debian:12", "glibc")}
    assert glibc["CVE-1999-0199"].fixed_version == "2.2-1"
    assert glibc["CVE-1999-0199"].status is Status.FIXED
    # Debian writes 0:0 for a CVE still open in the release.
    linux = {r.advisory_id: r for r in store.lookup("debian:12", "linux")}
    assert linux["CVE-2004-0230"].status is Status.AFFECTED and linux["CVE-2004-0230"].fixed_version == ""
    dsa = store.advisory("debian-oval", "DSA-5418-1")
    assert dsa is not None and "CVE-2023-2929" in dsa.aliases


def test_almalinux_epoch_and_severity(store: Store) -> None:
    rows = [r for r in store.lookup("almalinux:9", "openssl") if r.advisory_id == "ALSA-2026:25239"]
    assert rows and rows[0].fixed_version == "1:3.5.5-4.el9_8"
    advisory = store.advisory("almalinux", "ALSA-2026:25239")
    assert advisory is not None
    assert (advisory.severity, advisory.severity_label) == ("HIGH", "Important")
    assert "CVE-2026-7383" in advisory.aliases


def test_ghsa_severity_and_cvss(store: Store) -> None:
    advisory = store.advisory("ghsa", "GHSA-j8r2-6x86-q33q")
    assert advisory is not None
    assert (advisory.severity, advisory.severity_source, advisory.severity_label) == ("MEDIUM", "ghsa", "MODERATE")
    assert advisory.cvss_vector.startswith("CVSS:3.1/") and advisory.cvss_score == 6.1


def test_rustsec_informational(store: Store) -> None:
    rows = store.lookup("crates.io", "libusb")
    assert any(r.advisory_id == "RUSTSEC-2016-0004" and r.informational == "unmaintained" for r in rows)
    advisory = store.advisory("rustsec", "RUSTSEC-2016-0001")
    assert advisory is not None and advisory.cvss_score == 8.1 and advisory.severity == "HIGH"


def test_rust_toolchain_native(store: Store) -> None:
    rows = {r.advisory_id: r for r in store.lookup("runtime", "rust-std")}
    row = rows["CVE-2021-29922"]
    assert row.range_type == "CONSTRAINTS" and row.constraints is not None
    assert row.constraints.safe == (((">=", "1.53.0"),),) and row.fixed_version == "1.53.0"


def test_rubysec_constraints(store: Store) -> None:
    rows = {r.advisory_id: r for r in store.lookup("rubygems", "resque")}
    row = rows["CVE-2023-50725"]
    assert row.constraints is not None and row.constraints.vulnerable is None
    assert row.constraints.safe == (((">=", "2.2.1"),),)
    advisory = store.advisory("rubysec", "CVE-2023-50725")
    assert advisory is not None and advisory.cvss_score == 6.3 and "GHSA-gc3j-vvwf-4rp8" in advisory.aliases


def test_friendsofphp_branches(store: Store) -> None:
    rows = [
        r for r in store.lookup("packagist", "CakePHP/CakePHP") if r.advisory_id == "FOP-cakephp/cakephp/2015-08-06"
    ]
    assert len(rows) == 1 and rows[0].constraints is not None and rows[0].constraints.vulnerable is not None
    assert ((">=", "2.5.0"), ("<", "2.5.9")) in rows[0].constraints.vulnerable
    assert "2.5.9" in rows[0].fixed_version


def test_nodejs_npm_and_core(store: Store) -> None:
    (row,) = [r for r in store.lookup("npm", "bassmaster") if r.advisory_id == "NSWG-ECO-1"]
    assert row.constraints is not None and row.constraints.vulnerable == (((("<=", "1.5.1"),),))
    core = {r.advisory_id: r for r in store.lookup("runtime", "node")}
    assert core["NSWG-CORE-1"].constraints is not None
    assert core["NSWG-CORE-1"].constraints.safe[0] == ((">=", "8.1.4"), ("<", "9.0.0-0"))


def test_ubuntu_binary_packages_and_pro(store: Store) -> None:
    advisory = store.advisory("ubuntu-oval", "USN-6761-1")
    assert advisory is not None and advisory.severity_label == "Medium" and "CVE-2024-30187" in advisory.aliases
    rows = store.lookup("ubuntu:24.04", "anope")
    assert any(r.advisory_id == "USN-6761-1" and r.name_kind is NameKind.BINARY for r in rows)
    # Fixes only published for Ubuntu Pro (ESM) are marked so.
    (pro,) = store._db.execute("SELECT COUNT(*) FROM affected WHERE platform = 'ubuntu-pro'").fetchone()
    assert pro > 0


def test_redhat_csaf_statuses(store: Store) -> None:
    rows = [r for r in store.lookup("redhat:9", "curl") if r.advisory_id == "CVE-2023-38545"]
    assert rows and all(r.status is Status.FIXED and r.platform.startswith("cpe:/") for r in rows)
    statuses = {
        r.status
        for ns in ("redhat:7", "redhat:8", "redhat:9", "redhat:10")
        for name in ("openssl", "compat-openssl11", "openssl098e", "edk2", "shim")
        for r in store.lookup(ns, name)
        if r.advisory_id == "CVE-2024-0727"
    }
    assert Status.FIXED in statuses and (Status.WILL_NOT_FIX in statuses or Status.AFFECTED in statuses)


def test_redhat_oval_module_and_cvss(store: Store) -> None:
    advisory = store.advisory("redhat-oval", "RHSA-2022:1729")
    assert advisory is not None and advisory.severity == "HIGH" and advisory.cvss_score == 7.5
    rows = [r for r in store.lookup("redhat:9", "java-17-openjdk") if r.advisory_id == "RHSA-2022:1729"]
    assert rows and rows[0].fixed_version == "1:17.0.3.0.7-1.el9_0"


def test_enrichment(store: Store) -> None:
    info = store.enrichment(["CVE-2025-48384", "CVE-1999-0001", "CVE-2023-32681", "CVE-0000-0000"])
    assert info["CVE-2025-48384"].kev is not None and info["CVE-2025-48384"].kev.due_date == "2025-09-15"
    epss = info["CVE-1999-0001"].epss
    assert epss is not None and (epss.score, epss.percentile, epss.date) == (0.03351, 0.88255, "2026-09-29")
    assert "CVE-0000-0000" not in info
    (adp,) = store._db.execute("SELECT COUNT(*) FROM cve_cvss WHERE source = 'adp:CISA-ADP'").fetchone()
    assert adp > 0, "vulnrichment's CISA ADP scores are imported"


def test_nvd_record(store: Store) -> None:
    advisory = store.advisory("nvd", "CVE-2014-0160")
    assert advisory is not None and "OpenSSL" in advisory.details
    cvss = store.enrichment(["CVE-2014-0160"])["CVE-2014-0160"].cvss
    assert any(c.source == "nvd" and c.version == "2.0" and c.score == 5.0 for c in cvss)


def test_open_is_cheap(imported: ImportedStore) -> None:
    start = time.perf_counter()
    for _ in range(20):
        Store(imported.path).close()
    assert (time.perf_counter() - start) / 20 < 0.02


def test_lookup_5000_packages_under_a_second(store: Store) -> None:
    keys = _sample_keys(store, 5000)
    start = time.perf_counter()
    result = store.lookup_many(keys)
    elapsed = time.perf_counter() - start
    assert len(result) == 5000 and sum(len(v) for v in result.values()) > 5000
    assert elapsed < 1.0, elapsed
    # Same answers as one query per package.
    for key in keys[:200]:
        assert sorted(result[key], key=repr) == sorted(store.lookup(*key), key=repr)


def _sample_keys(store: Store, n: int) -> list[tuple[str, str]]:
    """What an image's inventory looks like to the store: 3 in 5 packages have advisories, the rest none."""
    rows = store._db.execute("SELECT DISTINCT namespace, package FROM affected ORDER BY namespace, package").fetchall()
    rng = random.Random(5000)
    keys = [(ns, pkg) for ns, pkg in rng.sample(rows, n * 3 // 5)]
    keys += [("pypi", f"no-such-package-{i}") for i in range(n - len(keys))]
    rng.shuffle(keys)
    return keys


@pytest.mark.parametrize(
    "namespace",
    [
        "debian:12",
        "alpine:3.11",
        "ubuntu:22.04",
        "redhat:9",
        "almalinux:8",
        "rocky:9",
        "pypi",
        "npm",
        "go",
        "crates.io",
        "maven",
        "rubygems",
        "packagist",
        "nuget",
    ],
)
def test_every_namespace_has_rows(store: Store, namespace: str) -> None:
    assert namespace in store.namespaces()
