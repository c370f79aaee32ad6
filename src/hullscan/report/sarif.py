"""``--format sarif``: SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/), as GitHub code scanning
reads it.

One run; one rule per distinct finding id (a CVE, a GHSA, a check such as ``os/end-of-life``), carrying the
``security-severity`` GitHub sorts by (the CVSS score, else the middle of the severity band); one result per
finding, located at the file the package was found in (GitHub requires a location: image-level findings point
at the image reference), with a fingerprint that stays stable across scans of the same image.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hullscan import __version__
from hullscan.model import Finding, Severity
from hullscan.scan import ScanResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note",
          Severity.UNKNOWN: "note"}
_BAND = {Severity.CRITICAL: 9.5, Severity.HIGH: 8.0, Severity.MEDIUM: 5.5, Severity.LOW: 2.5, Severity.UNKNOWN: 0.0}


def _security_severity(f: Finding) -> str:
    score = f.vulnerability.cvss_score if f.vulnerability is not None else None
    return f"{score if score is not None else _BAND[f.severity]:.1f}"


def _rule(f: Finding) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": f.id,
        "name": f.check.replace("/", "-") if f.vulnerability is None else "Vulnerability",
        "shortDescription": {"text": f.title[:1000]},
        "fullDescription": {"text": (f.description or f.title)[:10000]},
        "help": {"text": f.remediation or f.title, "markdown": f"**{f.id}**: {f.remediation or f.title}"},
        "properties": {
            "security-severity": _security_severity(f),
            "precision": "very-high",
            "tags": ["security", "vulnerability" if f.vulnerability is not None else f.check.split("/")[0],
                     str(f.severity)],
        },
    }
    if f.references:
        rule["helpUri"] = f.references[0]
    return rule


def _message(f: Finding, image: str) -> str:
    v = f.vulnerability
    layer = f.layer
    where = f" (layer {layer.index + 1}: {layer.created_by[:200]})" if layer is not None and layer.created_by else ""
    if v is None or f.package is None:
        return f"{f.title} in {image}{where}"
    fix = f"Fixed in {v.fixed_version}." if v.fixed_version else f"No fix yet ({v.status.replace('_', ' ')})."
    return (f"{f.id} in {f.package.name} {v.installed_version} ({f.package.type.value}) of {image}{where}. "
            f"Severity {f.severity} ({v.severity_source or 'unrated'}). {fix}")


def _location(f: Finding, image: str) -> dict[str, Any]:
    uri = f.package.found_in.split("!", 1)[0] if f.package is not None and f.package.found_in else image
    return {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": 1}},
            "message": {"text": f.target or image}}


def sarif_document(result: ScanResult) -> dict[str, Any]:
    image = result.image.name
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results = []
    for f in result.findings:
        if f.id not in index:
            index[f.id] = len(rules)
            rules.append(_rule(f))
        fingerprint = hashlib.sha256(
            f"{f.id}\0{f.target}\0{f.package.purl if f.package else ''}\0{result.image.image_id}".encode()
        ).hexdigest()
        results.append({
            "ruleId": f.id,
            "ruleIndex": index[f.id],
            "level": _LEVEL[f.severity],
            "message": {"text": _message(f, image)},
            "locations": [_location(f, image)],
            "partialFingerprints": {"hullscanFinding/v1": fingerprint},
        })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "hullscan",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/hullscan/hullscan",
                "rules": rules,
            }},
            "automationDetails": {"id": f"hullscan/{image}/"},
            "results": results,
        }],
    }


def render_sarif(result: ScanResult) -> str:
    return json.dumps(sarif_document(result), indent=2, ensure_ascii=False) + "\n"
