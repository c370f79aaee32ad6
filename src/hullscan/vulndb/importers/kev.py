"""CISA's Known Exploited Vulnerabilities catalog
(https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json), JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, as_dict, load_json, read_bytes, text
from hullscan.vulndb.model import KevRecord, Record


class KevImporter:
    name = "kev"
    version = 1

    def __init__(self, source: str = "kev") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return (
            path.rsplit("/", 1)[-1].startswith("known_exploited_vulnerabilities")
            and path.endswith((".json", ".csv"))
            and not path.endswith("_schema.json")
        )

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        if path.endswith(".csv"):
            rows = list(csv.DictReader(io.StringIO(read_bytes(data).decode("utf-8-sig"))))
        else:
            doc = as_dict(load_json(data), path)
            if not isinstance(doc.get("vulnerabilities"), list):
                raise RecordError(f"{path}: not a KEV catalog (no vulnerabilities list)")
            rows = doc["vulnerabilities"]
        for row in rows:
            cve = text(row.get("cveID"))
            if not cve:
                raise RecordError(f"{path}: KEV entry without cveID")
            yield KevRecord(
                cve=cve,
                date_added=text(row.get("dateAdded")),
                due_date=text(row.get("dueDate")),
                ransomware=text(row.get("knownRansomwareCampaignUse")),
                vendor=text(row.get("vendorProject")),
                product=text(row.get("product")),
                name=text(row.get("vulnerabilityName")),
            )
