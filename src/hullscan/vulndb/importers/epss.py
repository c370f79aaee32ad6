"""FIRST EPSS scores (https://epss.cyentia.com/epss_scores-current.csv.gz): a ``#model_version:...,
score_date:...`` comment line, the header ``cve,epss,percentile``, then one row per CVE (gzip or not)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, read_bytes
from hullscan.vulndb.model import EpssRecord, Record


class EpssImporter:
    name = "epss"
    version = 1

    def __init__(self, source: str = "epss") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return path.endswith((".csv", ".csv.gz"))

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        lines = io.StringIO(read_bytes(data).decode("utf-8"))
        first = lines.readline()
        score_date = ""
        if first.startswith("#"):
            for part in first[1:].strip().split(","):
                key, _, value = part.partition(":")
                if key == "score_date":
                    score_date = value[:10]
        else:
            lines.seek(0)
        reader = csv.DictReader(lines)
        if not reader.fieldnames or not {"cve", "epss", "percentile"} <= set(reader.fieldnames):
            raise RecordError(f"{path}: not an EPSS CSV (header {reader.fieldnames})")
        for row in reader:
            try:
                yield EpssRecord(row["cve"], float(row["epss"]), float(row["percentile"]), score_date)
            except (TypeError, ValueError):
                raise RecordError(f"{path}: bad EPSS row {row}") from None
