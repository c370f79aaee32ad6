"""The Debian security tracker's JSON (https://security-tracker.debian.org/tracker/data/json).

Shape: ``{source package: {CVE id: {description, scope, debianbug, releases: {codename: {status,
repositories: {suite: version}, fixed_version, urgency, nodsa, nodsa_reason}}}}}``.

Per release the tracker's state maps to our statuses:

* ``resolved`` with ``fixed_version`` ``0`` -> ``not_affected`` (the tracker's ``<not-affected>``);
* ``resolved`` with a version -> ``fixed`` (events ``introduced 0``, ``fixed <version>``);
* ``open`` with urgency ``end-of-life`` -> ``end_of_life``;
* ``open`` with ``nodsa_reason`` ``ignored`` -> ``will_not_fix`` (``<no-dsa>``, the team decided not to fix);
* ``open`` otherwise (``postponed``, ``unimportant``, ``not yet assigned``...) -> ``affected``;
* ``undetermined`` -> ``undetermined``.

The urgency (``unimportant``, ``low``, ``medium``, ``high``, ``not yet assigned``; a trailing ``*`` or ``**``
marks it as guessed) is kept as the row's vendor severity. Releases are codenames, mapped to version numbers
(``bookworm`` -> ``debian:12``); unknown codenames are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullscan.vulndb.importers.base import Data, as_dict, load_json, text
from hullscan.vulndb.model import Advisory, Affected, Event, EventKind, NameKind, Record, Status
from hullscan.vulndb.names import DEBIAN_CODENAMES


def release_status(release: dict[str, Any]) -> tuple[Status, str]:
    """(status, fixed version) of one release entry of the tracker."""
    status = text(release.get("status"))
    fixed = text(release.get("fixed_version"))
    urgency = text(release.get("urgency")).rstrip("*")
    if status == "resolved":
        if fixed in ("", "0"):
            return Status.NOT_AFFECTED, ""
        return Status.FIXED, fixed
    if status == "undetermined":
        return Status.UNDETERMINED, ""
    if urgency == "end-of-life":
        return Status.END_OF_LIFE, ""
    if text(release.get("nodsa_reason")) == "ignored":
        return Status.WILL_NOT_FIX, ""
    return Status.AFFECTED, ""


class DebianTrackerImporter:
    name = "debian-tracker"
    version = 1

    def __init__(self, source: str = "debian-tracker") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return path.endswith((".json", ".json.gz", ".json.bz2", "/json")) or path == "json"

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        doc = as_dict(load_json(data), path)
        # Regroup per CVE: one advisory per CVE, one affected row per (source package, release).
        by_cve: dict[str, tuple[str, list[Affected]]] = {}
        for package, cves in doc.items():
            for cve, entry in as_dict(cves, f"{path}: {package}").items():
                entry = as_dict(entry, f"{path}: {package}/{cve}")
                description, rows = by_cve.setdefault(cve, (text(entry.get("description")), []))
                for codename, release in as_dict(entry.get("releases") or {}, f"{path}: {cve}").items():
                    version = DEBIAN_CODENAMES.get(codename)
                    if version is None:
                        continue
                    release = as_dict(release, f"{path}: {cve}/{codename}")
                    status, fixed = release_status(release)
                    events = (Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, fixed)) if fixed else ()
                    rows.append(
                        Affected(
                            namespace=f"debian:{version}",
                            package=package,
                            status=status,
                            events=events,
                            fixed_version=fixed,
                            severity=text(release.get("urgency")),
                            name_kind=NameKind.SOURCE,
                        )
                    )
        for cve, (description, rows) in by_cve.items():
            yield Advisory(
                id=cve,
                source=self.source,
                summary=description,
                references=(f"https://security-tracker.debian.org/tracker/{cve}",),
                affected=tuple(rows),
            )
