"""CVE JSON 5 records (https://github.com/CVEProject/cve-schema): cvelistV5, CISA's vulnrichment (with the
"CISA ADP Vulnrichment" container), and the Go CNA's records.

Each record becomes an enrichment advisory (source ``cve5``: title, description, dates, references, the CNA's
CVSS or else the ADP's) and one :class:`~hullscan.vulndb.model.CvssRecord` per CVSS metric: the CNA's as source
``cna``, each ADP container's as ``adp:<shortName>`` (``adp:CISA-ADP``). Rejected records are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, as_dict, load_json, text
from hullscan.vulndb.model import Advisory, CvssRecord, Record, normalize_severity
from hullscan.vulndb.scoring import rating

_METRIC_KEYS = (("cvssV4_0", "4.0"), ("cvssV3_1", "3.1"), ("cvssV3_0", "3.0"), ("cvssV2_0", "2.0"))


class Cve5Importer:
    name = "cve5"
    version = 1

    def __init__(self, source: str = "cve5") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return name.endswith(".json") and (name.startswith(("CVE-", "GO-")))

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        doc = as_dict(load_json(data), path)
        meta = as_dict(doc.get("cveMetadata"), f"{path}: cveMetadata")
        cve = text(meta.get("cveId"))
        if not cve:
            raise RecordError(f"{path}: no cveMetadata.cveId")
        if text(meta.get("state")).upper() == "REJECTED":
            return
        containers = as_dict(doc.get("containers"), f"{path}: containers")
        cna = containers.get("cna") or {}
        scores = list(_metrics(cve, "cna", cna))
        for adp in containers.get("adp") or []:
            short = text((adp.get("providerMetadata") or {}).get("shortName")) or "adp"
            scores += _metrics(cve, f"adp:{short}", adp)
        description = next(
            (text(d.get("value")) for d in cna.get("descriptions") or [] if text(d.get("lang")).startswith("en")), ""
        )
        refs = [text(r.get("url")) for r in cna.get("references") or [] if isinstance(r, dict) and r.get("url")]
        best = next((s for s in scores if s.score is not None), None)
        yield Advisory(
            id=cve,
            source=self.source,
            published=text(meta.get("datePublished")),
            modified=text(meta.get("dateUpdated")),
            summary=text(cna.get("title")),
            details=description,
            severity=best.severity if best else "",
            severity_source=best.source if best else "",
            severity_label=best.severity if best else "",
            cvss_vector=best.vector if best else "",
            cvss_score=best.score if best else None,
            references=tuple(dict.fromkeys(refs)),
        )
        yield from scores


def _metrics(cve: str, who: str, container: dict[str, Any]) -> list[CvssRecord]:
    out: list[CvssRecord] = []
    seen: set[str] = set()
    for metric in container.get("metrics") or []:
        if not isinstance(metric, dict):
            continue
        for key, version in _METRIC_KEYS:
            data = metric.get(key)
            if not isinstance(data, dict) or version in seen:
                continue
            seen.add(version)
            try:
                score = float(data["baseScore"]) if data.get("baseScore") is not None else None
            except (TypeError, ValueError):
                score = None
            label = normalize_severity(text(data.get("baseSeverity"))) or rating(score, version)
            out.append(CvssRecord(cve, who, version, text(data.get("vectorString")), score, label))
    return out
