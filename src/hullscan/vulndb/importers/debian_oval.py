"""Debian OVAL (https://www.debian.org/security/oval/oval-definitions-<codename>.xml.bz2).

One ``vulnerability`` definition per (CVE, source package, release), and a few ``patch`` ones (DSAs):
``metadata/title`` is ``CVE-x pkg`` (``DSA-5418-1 chromium``), ``affected/product`` the source package,
``affected/platform`` ``Debian GNU/Linux 12``, and one ``dpkginfo_test`` says the package is affected before
an EVR. Debian's generator writes ``0:0`` for a CVE that is still open in the release: that becomes
``affected`` with no fix (the tracker JSON, when imported, is the authoritative source for ``not_affected``
and ``no-dsa``). The leading ``0:`` epoch is dropped from fixed versions: dpkg compares ``0:1.2-1`` and
``1.2-1`` as equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, open_stream
from hullscan.vulndb.importers.oval import iter_definitions
from hullscan.vulndb.model import Advisory, Affected, Event, EventKind, NameKind, Record, Status
from hullscan.vulndb.names import DEBIAN_CODENAMES

_PLATFORM = re.compile(r"Debian GNU/Linux (\d+)")
_CODENAME = re.compile(r"oval-definitions-([a-z]+)\.xml")


def strip_zero_epoch(evr: str) -> str:
    return evr[2:] if evr.startswith("0:") else evr


class DebianOvalImporter:
    name = "debian-oval"
    version = 1

    def __init__(self, source: str = "debian-oval") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return bool(_CODENAME.search(path))

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        codename = _CODENAME.search(path)
        fallback = DEBIAN_CODENAMES.get(codename.group(1), "") if codename else ""
        seen = False
        for d in iter_definitions(open_stream(data)):
            if d.cls not in ("vulnerability", "patch"):
                continue
            seen = True
            platform = next((m.group(1) for p in d.platforms if (m := _PLATFORM.search(p))), fallback)
            if not platform:
                raise RecordError(f"{path}: definition {d.id} names no Debian release")
            # "vulnerability": one CVE ("CVE-2023-1234 glibc"); "patch": one DSA ("DSA-5418-1 chromium") and its CVEs.
            advisory_id = d.title.split(" ", 1)[0] or next((r[1] for r in d.references if r[0] == "CVE"), d.id)
            aliases = tuple(r[1] for r in d.references if r[0] == "CVE" and r[1] != advisory_id)
            rows: list[Affected] = []
            for pkg in d.packages:
                fixed = "" if pkg.evr in ("0:0", "0") else strip_zero_epoch(pkg.evr)
                rows.append(
                    Affected(
                        namespace=f"debian:{platform}",
                        package=pkg.name,
                        status=Status.FIXED if fixed else Status.AFFECTED,
                        events=(Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, fixed)) if fixed else (),
                        fixed_version=fixed,
                        name_kind=NameKind.SOURCE,
                    )
                )
            yield Advisory(
                id=advisory_id,
                source=self.source,
                details=d.description,
                references=tuple(r[2] for r in d.references if r[2]),
                aliases=aliases,
                affected=tuple(rows),
            )
        if not seen:
            raise RecordError(f"{path}: no Debian OVAL vulnerability definitions")
