"""``--format json``: the report document, indented, keys in a stable order."""

from __future__ import annotations

import json

from hullscan.report.document import report_document
from hullscan.scan import ScanResult


def render_json(result: ScanResult) -> str:
    return json.dumps(report_document(result), indent=2, ensure_ascii=False) + "\n"
