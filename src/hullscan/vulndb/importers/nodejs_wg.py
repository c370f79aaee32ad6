"""The Node.js security working group's advisories (https://github.com/nodejs/security-wg/tree/main/vuln).

* ``vuln/npm/<n>.json`` (frozen since 2020): ``module_name`` with ``vulnerable_versions`` and
  ``patched_versions`` npm ranges -> namespace ``npm``, id ``NSWG-ECO-<n>``.
* ``vuln/core/<n>.json``: the Node.js runtime, ``vulnerable`` release lines minus ``patched`` ranges ->
  namespace ``runtime``, package ``node``, id ``NSWG-CORE-<n>``.

Both become ``CONSTRAINTS`` rows: ``vulnerable`` from the vulnerable range, ``safe`` from the patched one.
``index.json`` repeats the per-file records and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullscan.vulndb.constraints import lower_bounds, npm_range
from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, as_dict, load_json, str_list, text
from hullscan.vulndb.model import Advisory, Affected, Constraints, Record, Status, normalize_severity
from hullscan.vulndb.names import normalize_name
from hullscan.vulndb.scoring import score_vector

_FILE = re.compile(r"(^|/)vuln/(core|npm)/(\d+)\.json$")


class NodejsWgImporter:
    name = "nodejs-security-wg"
    version = 1

    def __init__(self, source: str = "nodejs-security-wg") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return bool(_FILE.search(path))

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        match = _FILE.search(path)
        if not match:
            raise RecordError(f"{path}: not a vuln/core or vuln/npm file")
        kind, number = match.group(2), match.group(3)
        doc = as_dict(load_json(data), path)
        if kind == "npm":
            yield self._npm(doc, number, path)
        else:
            yield self._core(doc, number, path)

    def _npm(self, doc: dict[str, object], number: str, path: str) -> Advisory:
        module = text(doc.get("module_name"))
        if not module:
            raise RecordError(f"{path}: no module_name")
        vulnerable = npm_range(text(doc.get("vulnerable_versions")) or "*")
        patched_text = text(doc.get("patched_versions"))
        patched = npm_range(patched_text) if patched_text and patched_text not in ("<0.0.0", "*") else ()
        vector = text(doc.get("cvss_vector"))
        score = doc.get("cvss_score")
        computed, label = score_vector(vector) if vector else (None, "")
        refs = list(str_list(doc.get("references")))
        return Advisory(
            id=f"NSWG-ECO-{number}",
            source=self.source,
            published=text(doc.get("publish_date")) or text(doc.get("created_at")),
            modified=text(doc.get("updated_at")),
            summary=text(doc.get("title")),
            details="\n\n".join(x for x in (text(doc.get("overview")), text(doc.get("recommendation"))) if x),
            severity=normalize_severity(label),
            severity_source="cvss_v3" if label else "",
            severity_label=label,
            cvss_vector=vector,
            cvss_score=float(score) if isinstance(score, int | float) else computed,
            references=tuple(refs),
            aliases=str_list(doc.get("cves")),
            affected=(
                Affected(
                    namespace="npm",
                    package=normalize_name("npm", module),
                    status=Status.FIXED if patched else Status.AFFECTED,
                    range_type="CONSTRAINTS",
                    constraints=Constraints(vulnerable=vulnerable, safe=patched),
                    fixed_version=lower_bounds(patched),
                ),
            ),
        )

    def _core(self, doc: dict[str, object], number: str, path: str) -> Advisory:
        vulnerable_text = text(doc.get("vulnerable"))
        if not vulnerable_text:
            raise RecordError(f"{path}: no `vulnerable` range")
        patched_text = text(doc.get("patched"))
        patched = npm_range(patched_text) if patched_text else ()
        severity = text(doc.get("severity"))
        vector = text(doc.get("cvss"))
        if vector and not vector.startswith("CVSS:"):
            vector = f"CVSS:{vector}"  # the feed writes "3.0/AV:N/..."
        score = doc.get("cvss_score")
        ref = text(doc.get("ref"))
        return Advisory(
            id=f"NSWG-CORE-{number}",
            source=self.source,
            summary=text(doc.get("description")),
            details=text(doc.get("overview")),
            severity=normalize_severity(severity),
            severity_source="vendor" if normalize_severity(severity) else "",
            severity_label=severity,
            cvss_vector=vector,
            cvss_score=float(score) if isinstance(score, int | float) else None,
            references=(ref,) if ref else (),
            aliases=str_list(doc.get("cve")),
            affected=(
                Affected(
                    namespace="runtime",
                    package="node",
                    status=Status.FIXED if patched else Status.AFFECTED,
                    range_type="CONSTRAINTS",
                    constraints=Constraints(vulnerable=npm_range(vulnerable_text), safe=patched),
                    fixed_version=lower_bounds(patched),
                ),
            ),
        )
