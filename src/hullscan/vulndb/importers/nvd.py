"""NVD CVE data: the JSON 1.1 data feeds (``CVE_Items``), and CVE API 2.0 responses or the 2.0 data feeds
(``vulnerabilities[].cve``), gzip or not.

Each CVE becomes an enrichment advisory (source ``nvd``: description, dates, references, the preferred CVSS)
and one :class:`~hullscan.vulndb.model.CvssRecord` per CVSS version: NVD's own (``Primary``) assessments as
source ``nvd``, the CNA's (``Secondary`` in API 2.0) as ``cna``. Feeds are imported oldest first, so the
modified and recent feeds overwrite the yearly ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, as_dict, load_json, text
from hullscan.vulndb.model import Advisory, CvssRecord, Record, normalize_severity
from hullscan.vulndb.scoring import rating

_V2_METRICS = ("cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2")


class NvdImporter:
    name = "nvd"
    version = 1

    def __init__(self, source: str = "nvd") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return path.endswith((".json", ".json.gz"))

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        doc = as_dict(load_json(data), path)
        if "CVE_Items" in doc:
            for item in doc["CVE_Items"]:
                yield from self._item_11(as_dict(item, path))
        elif "vulnerabilities" in doc:
            for item in doc["vulnerabilities"]:
                yield from self._item_20(as_dict(as_dict(item, path).get("cve"), path))
        else:
            raise RecordError(f"{path}: neither an NVD 1.1 feed nor an API 2.0 response")

    def _advisory(
        self, cve: str, published: str, modified: str, description: str, refs: list[str], scores: list[CvssRecord]
    ) -> Advisory:
        best = next((s for s in sorted(scores, key=_preference) if s.score is not None), None)
        return Advisory(
            id=cve,
            source=self.source,
            published=published,
            modified=modified,
            details=description,
            severity=best.severity if best else "",
            severity_source=f"nvd_v{best.version}" if best else "",
            severity_label=best.severity if best else "",
            cvss_vector=best.vector if best else "",
            cvss_score=best.score if best else None,
            references=tuple(dict.fromkeys(refs)),
        )

    def _item_11(self, item: dict[str, Any]) -> Iterator[Record]:
        cve_part = as_dict(item.get("cve"), "CVE_Items[].cve")
        cve = text((cve_part.get("CVE_data_meta") or {}).get("ID"))
        if not cve:
            raise RecordError("CVE item without CVE_data_meta.ID")
        description = next(
            (
                text(d.get("value"))
                for d in (cve_part.get("description") or {}).get("description_data") or []
                if d.get("lang", "en") == "en"
            ),
            "",
        )
        refs = [text(r.get("url")) for r in (cve_part.get("references") or {}).get("reference_data") or []]
        impact = item.get("impact") or {}
        scores: list[CvssRecord] = []
        v3 = (impact.get("baseMetricV3") or {}).get("cvssV3")
        if v3:
            scores.append(
                CvssRecord(
                    cve,
                    "nvd",
                    text(v3.get("version")) or "3.1",
                    text(v3.get("vectorString")),
                    _float(v3.get("baseScore")),
                    normalize_severity(text(v3.get("baseSeverity"))),
                )
            )
        v2 = impact.get("baseMetricV2") or {}
        if v2.get("cvssV2"):
            score = _float(v2["cvssV2"].get("baseScore"))
            scores.append(
                CvssRecord(
                    cve,
                    "nvd",
                    "2.0",
                    text(v2["cvssV2"].get("vectorString")),
                    score,
                    normalize_severity(text(v2.get("severity"))) or rating(score, "2.0"),
                )
            )
        yield self._advisory(
            cve, text(item.get("publishedDate")), text(item.get("lastModifiedDate")), description, refs, scores
        )
        yield from scores

    def _item_20(self, cve_doc: dict[str, Any]) -> Iterator[Record]:
        cve = text(cve_doc.get("id"))
        if not cve:
            raise RecordError("vulnerabilities[].cve without id")
        description = next(
            (text(d.get("value")) for d in cve_doc.get("descriptions") or [] if d.get("lang") == "en"), ""
        )
        refs = [text(r.get("url")) for r in cve_doc.get("references") or [] if isinstance(r, dict)]
        scores: list[CvssRecord] = []
        seen: set[tuple[str, str]] = set()
        metrics = cve_doc.get("metrics") or {}
        for key in _V2_METRICS:
            for metric in metrics.get(key) or []:
                data = metric.get("cvssData") or {}
                who = "nvd" if metric.get("type", "Primary") == "Primary" else "cna"
                version = text(data.get("version")) or key[-2:].replace("V", "").replace("40", "4.0")
                if (who, version) in seen:
                    continue
                seen.add((who, version))
                score = _float(data.get("baseScore"))
                label = text(data.get("baseSeverity")) or text(metric.get("baseSeverity"))
                scores.append(
                    CvssRecord(
                        cve,
                        who,
                        version,
                        text(data.get("vectorString")),
                        score,
                        normalize_severity(label) or rating(score, version),
                    )
                )
        yield self._advisory(
            cve, text(cve_doc.get("published")), text(cve_doc.get("lastModified")), description, refs, scores
        )
        yield from scores


def _preference(record: CvssRecord) -> tuple[int, int]:
    """NVD's own score before the CNA's; v3.1, v3.0, v4.0, then v2."""
    order = {"3.1": 0, "3.0": 1, "4.0": 2, "2.0": 3}
    return (0 if record.source == "nvd" else 1, order.get(record.version, 4))


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
