"""The Debian security tracker JSON importer, on a sample written in the tracker's documented shape.

The real file (https://security-tracker.debian.org/tracker/data/json) is not part of shared/vulndata; the
shape follows the tracker's `json` view: source package -> CVE -> releases -> status, repositories,
fixed_version, urgency and the no-dsa fields.
"""

from __future__ import annotations

import json
from pathlib import Path

from hullscan.vulndb.importers.debian_tracker import DebianTrackerImporter
from hullscan.vulndb.model import Advisory, Status
from hullscan.vulndb.store import Store
from hullscan.vulndb.update import import_directory

SAMPLE = {
    "openssl": {
        "CVE-2023-0286": {
            "description": "X.400 address type confusion in X.509 GeneralName",
            "scope": "remote",
            "debianbug": 1031254,
            "releases": {
                "bookworm": {
                    "status": "resolved",
                    "repositories": {"bookworm": "3.0.11-1~deb12u2"},
                    "fixed_version": "3.0.8-1",
                    "urgency": "not yet assigned",
                },
                "bullseye": {
                    "status": "resolved",
                    "repositories": {"bullseye": "1.1.1w-0+deb11u1"},
                    "fixed_version": "1.1.1n-0+deb11u4",
                    "urgency": "not yet assigned",
                },
                "sid": {
                    "status": "resolved",
                    "repositories": {"sid": "3.1.4-2"},
                    "fixed_version": "3.0.8-1",
                    "urgency": "not yet assigned",
                },
            },
        },
        "CVE-2010-0928": {
            "description": "OpenSSL 0.9.8i on the Gaisler Research LEON3 SoC ...",
            "scope": "local",
            "releases": {
                "bookworm": {
                    "status": "open",
                    "repositories": {"bookworm": "3.0.11-1~deb12u2"},
                    "urgency": "unimportant",
                },
            },
        },
    },
    "linux": {
        "CVE-2023-1234": {
            "description": "example kernel issue",
            "scope": "local",
            "releases": {
                "bookworm": {
                    "status": "open",
                    "repositories": {"bookworm": "6.1.76-1"},
                    "urgency": "low",
                    "nodsa": "Minor issue",
                    "nodsa_reason": "ignored",
                },
                "bullseye": {
                    "status": "open",
                    "repositories": {"bullseye": "5.10.209-2"},
                    "urgency": "low",
                    "nodsa": "Minor issue",
                    "nodsa_reason": "postponed",
                },
                "buster": {"status": "open", "repositories": {"buster": "4.19.304-1"}, "urgency": "end-of-life"},
                "trixie": {
                    "status": "undetermined",
                    "repositories": {"trixie": "6.6.15-2"},
                    "urgency": "not yet assigned",
                },
                "hamm-and-eggs": {"status": "open", "repositories": {}, "urgency": "low"},
            },
        },
    },
    "bind9": {
        "CVE-2016-6170": {
            "description": "not relevant for Debian's build",
            "releases": {
                "bookworm": {
                    "status": "resolved",
                    "repositories": {"bookworm": "1:9.18.24-1"},
                    "fixed_version": "0",
                    "urgency": "unimportant",
                },
            },
        },
    },
}


def _records() -> dict[str, Advisory]:
    records = DebianTrackerImporter().iter_records(json.dumps(SAMPLE).encode(), "json")
    return {r.id: r for r in records if isinstance(r, Advisory)}


def test_statuses() -> None:
    records = _records()
    rows = {(a.namespace, a.package): a for a in records["CVE-2023-1234"].affected}
    assert rows[("debian:12", "linux")].status is Status.WILL_NOT_FIX  # no-dsa, ignored
    assert rows[("debian:11", "linux")].status is Status.AFFECTED  # no-dsa, postponed
    assert rows[("debian:10", "linux")].status is Status.END_OF_LIFE
    assert rows[("debian:13", "linux")].status is Status.UNDETERMINED
    assert len(rows) == 4, "unknown codenames are skipped"
    fixed = {a.namespace: a for a in records["CVE-2023-0286"].affected}
    assert fixed["debian:12"].status is Status.FIXED and fixed["debian:12"].fixed_version == "3.0.8-1"
    assert fixed["debian:11"].fixed_version == "1.1.1n-0+deb11u4"
    assert fixed["debian:unstable"].events[-1].version == "3.0.8-1"
    (unimportant,) = records["CVE-2010-0928"].affected
    assert (unimportant.status, unimportant.severity, unimportant.fixed_version) == (Status.AFFECTED, "unimportant", "")
    (not_affected,) = records["CVE-2016-6170"].affected
    assert not_affected.status is Status.NOT_AFFECTED and not_affected.events == ()
    assert records["CVE-2023-0286"].summary.startswith("X.400")


def test_imported_from_a_mirror(tmp_path: Path) -> None:
    tracker = tmp_path / "mirror" / "distro" / "debian" / "security-tracker"
    tracker.mkdir(parents=True)
    (tracker / "json").write_text(json.dumps(SAMPLE))
    report = import_directory(tmp_path / "db.sqlite", tmp_path / "mirror", sources=["debian-tracker"], workers=1)
    assert report.sources["debian-tracker"].records == 4  # one advisory per CVE
    with Store(tmp_path / "db.sqlite") as store:
        rows = {r.advisory_id: r for r in store.lookup("debian:12", "openssl")}
        assert rows["CVE-2023-0286"].fixed_version == "3.0.8-1"
        assert rows["CVE-2010-0928"].severity == "unimportant"
