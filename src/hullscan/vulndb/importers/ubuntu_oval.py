"""Ubuntu USN OVAL (https://security-metadata.canonical.com/oval/com.ubuntu.<codename>.usn.oval.xml.bz2).

One ``patch`` definition per USN, keyed by **binary** package names (through constant variables) with a
``less than`` EVR. The USN's severity and issue date come from ``metadata/advisory``; its CVEs (with Ubuntu's
priority and CVSS) become aliases. Fixes the state marks ``Available with Ubuntu Pro`` are rows of platform
``ubuntu-pro``. Kernel and livepatch notices test the running kernel (``uname``), not packages: they keep
their advisory row without affected rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, open_stream
from hullscan.vulndb.importers.debian_oval import strip_zero_epoch
from hullscan.vulndb.importers.oval import iter_definitions
from hullscan.vulndb.model import Advisory, Affected, Event, EventKind, NameKind, Record, Status, normalize_severity
from hullscan.vulndb.names import UBUNTU_CODENAMES
from hullscan.vulndb.scoring import score_vector

_FILE = re.compile(r"com\.ubuntu\.([a-z]+)\.usn\.oval\.xml")


def _iso_date(value: str) -> str:
    """Ubuntu writes ``public="20240104"``; OVAL ``issued`` is already ``2024-06-10``."""
    if re.fullmatch(r"\d{8}", value):
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value


class UbuntuOvalImporter:
    name = "ubuntu-oval"
    version = 1

    def __init__(self, source: str = "ubuntu-oval") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return bool(_FILE.search(path))

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        match = _FILE.search(path)
        release = UBUNTU_CODENAMES.get(match.group(1), "") if match else ""
        if not release:
            raise RecordError(f"{path}: cannot tell the Ubuntu release from the file name")
        namespace = f"ubuntu:{release}"
        for d in iter_definitions(open_stream(data)):
            if d.cls != "patch":
                continue
            usn = next((r[1] for r in d.references if r[0] == "USN"), d.title.split(" ", 1)[0])
            rows: dict[tuple[str, str, str], Affected] = {}
            for pkg in d.packages:
                fixed = strip_zero_epoch(pkg.evr)
                platform = "ubuntu-pro" if "Ubuntu Pro" in pkg.comment else ""
                rows.setdefault(
                    (pkg.name, fixed, platform),
                    Affected(
                        namespace=namespace,
                        package=pkg.name,
                        status=Status.FIXED,
                        events=(Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, fixed)),
                        fixed_version=fixed,
                        severity=d.severity,
                        platform=platform,
                        name_kind=NameKind.BINARY,
                    ),
                )
            cves = [c.id for c in d.cves if c.id] or [r[1] for r in d.references if r[0] == "CVE"]
            vector = next((c.attrs.get("cvss_vector", "") for c in d.cves if c.attrs.get("cvss_vector")), "")
            yield Advisory(
                id=usn,
                source=self.source,
                published=_iso_date(d.issued),
                summary=d.title.split(" -- ", 1)[-1],
                details=d.description,
                severity=normalize_severity(d.severity),
                severity_source="vendor" if d.severity else "",
                severity_label=d.severity,
                cvss_vector=vector,
                cvss_score=score_vector(vector)[0] if vector else None,
                references=tuple(r[2] for r in d.references if r[2]),
                aliases=tuple(dict.fromkeys(cves)),
                affected=tuple(rows.values()),
            )
