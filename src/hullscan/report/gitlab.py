"""``--format gitlab``: GitLab's container-scanning report (``gl-container-scanning-report.json``).

Format: ``container-scanning-report-format.json`` of gitlab-org/security-products/security-report-schemas,
version 15.2.4 (https://docs.gitlab.com/ee/development/integrations/secure.html). A pipeline job publishes it as
``artifacts: reports: container_scanning``; GitLab then shows the findings in merge requests and the
vulnerability report, and tracks each one across pipelines by its location (image, operating system, package
name) and its primary identifier.

Shape:

- ``scan``: hullscan as both analyzer and scanner, ``type: container_scanning``, start and end time
  (``yyyy-mm-ddThh:mm:ss``, UTC), ``status: success``.
- one vulnerability per finding: a deterministic ``id`` (UUID 5 of the finding, its package and the image, so the
  same finding keeps its id across runs), ``name`` (the title), ``description``, ``severity``
  (``Critical``/``High``/``Medium``/``Low``/``Unknown``), ``solution`` (the upgrade that fixes it),
  ``identifiers`` (the vulnerability id first, then its aliases; CVE, GHSA, CWE… with their URLs),
  ``cvss_vectors``, ``links`` (the advisory's references), ``details`` (installed and fixed version, status,
  layer and the instruction that made it, EPSS, KEV, risk, data source, how it matched) and ``location``
  (``dependency`` = the package and its installed version, ``operating_system``, ``image``).
- Findings that are not about a package (``os/end-of-life``) are located at the operating system itself and
  identified by the check id (identifier type ``hullscan``).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hullscan import __version__
from hullscan.model import Finding, ImageInfo, Severity
from hullscan.scan import ScanResult

SCHEMA_VERSION = "15.2.4"
SCHEMA_URL = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/container-scanning-report-format.json"
)
TOOL = {"id": "hullscan", "name": "hullscan", "url": "https://github.com/hullscan/hullscan",
        "vendor": {"name": "hullscan"}}

_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/hullscan/hullscan#gitlab-vulnerability")
"""Fixed namespace of the vulnerability ids (UUID 5): never change it, GitLab would see every finding as new."""

_SEVERITY = {Severity.CRITICAL: "Critical", Severity.HIGH: "High", Severity.MEDIUM: "Medium",
             Severity.LOW: "Low", Severity.UNKNOWN: "Unknown"}

# Maxima of the schema: longer text is cut (with an ellipsis) rather than making GitLab reject the whole report.
_MAX_NAME = 255
_MAX_SOLUTION = 7000
_MAX_DESCRIPTION = 1 << 20

# The patterns the schema gives ``cvss_vectors`` (v2 without a prefix, v3.0/3.1, v4.0): a vector that does not
# match one is left out, since one invalid value makes GitLab reject the whole report.
_V2_METRIC = (r"(?:AV:[NAL]|AC:[LMH]|Au:[MSN]|[CIA]:[NPC]|E:(?:U|POC|F|H|ND)|RL:(?:OF|TF|W|U|ND)|RC:(?:UC|UR|C|ND)"
              r"|CDP:(?:N|L|LM|MH|H|ND)|TD:(?:N|L|M|H|ND)|[CIA]R:(?:L|M|H|ND))")
_V3_METRIC = (r"(?:AV:[NALP]|AC:[LH]|PR:[NLH]|UI:[NR]|S:[UC]|[CIA]:[NLH]|E:[XUPFH]|RL:[XOTWU]|RC:[XURC]"
              r"|[CIA]R:[XLMH]|MAV:[XNALP]|MAC:[XLH]|MPR:[XNLH]|MUI:[XNR]|MS:[XUC]|M[CIA]:[XNLH])")
_CVSS_PATTERNS = (
    (re.compile(rf"^(?:{_V2_METRIC}/)*{_V2_METRIC}$"), 16, 128),
    (re.compile(rf"^CVSS:3[.][01]/(?:{_V3_METRIC}/)*{_V3_METRIC}$"), 32, 128),
    (re.compile(r"^CVSS:4[.]0/AV:[NALP]/AC:[LH]/AT:[NP]/PR:[NLH]/UI:[NPA]/VC:[HLN]/VI:[HLN]/VA:[HLN]/SC:[HLN]"
                r"/SI:[HLN]/SA:[HLN](/E:[XAPU])?(/CR:[XHML])?(/IR:[XHML])?(/AR:[XHML])?(/MAV:[XNALP])?(/MAC:[XLH])?"
                r"(/MAT:[XNP])?(/MPR:[XNLH])?(/MUI:[XNPA])?(/MVC:[XNLH])?(/MVI:[XNLH])?(/MVA:[XNLH])?"
                r"(/MSC:[XNLH])?(/MSI:[XNLHS])?(/MSA:[XNLHS])?(/S:[XNP])?(/AU:[XNY])?(/R:[XAUI])?(/V:[XDC])?"
                r"(/RE:[XLMH])?(/U:(X|Clear|Green|Amber|Red))?$"), 32, 256),
)

_URLS = (
    ("CVE-", "https://nvd.nist.gov/vuln/detail/{}"),
    ("GHSA-", "https://github.com/advisories/{}"),
    ("GO-", "https://pkg.go.dev/vuln/{}"),
    ("RUSTSEC-", "https://rustsec.org/advisories/{}.html"),
    ("DSA-", "https://security-tracker.debian.org/tracker/{}"),
    ("DLA-", "https://security-tracker.debian.org/tracker/{}"),
    ("USN-", "https://ubuntu.com/security/notices/{}"),
    ("RHSA-", "https://access.redhat.com/errata/{}"),
    ("RHBA-", "https://access.redhat.com/errata/{}"),
    ("RHEA-", "https://access.redhat.com/errata/{}"),
)
_OSV_PREFIXES = ("PYSEC-", "ALSA-", "ALBA-", "ALEA-", "RLSA-", "MAL-", "OSV-", "GSD-", "BIT-", "RSEC-")


def advisory_url(ident: str) -> str:
    """A public page for a vulnerability or advisory id (``""`` when hullscan knows none)."""
    upper = ident.upper()
    if upper.startswith("CWE-") and ident[4:].isdigit():
        return f"https://cwe.mitre.org/data/definitions/{ident[4:]}.html"
    for prefix, template in _URLS:
        if upper.startswith(prefix):
            return template.format(ident)
    if upper.startswith(_OSV_PREFIXES):
        return f"https://osv.dev/vulnerability/{ident}"
    return ""


def _identifier(ident: str, kind: str = "") -> dict[str, str]:
    out = {"type": kind or ident.split("-", 1)[0].lower() or "id", "name": ident, "value": ident}
    url = advisory_url(ident)
    if url:
        out["url"] = url
    return out


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def image_reference(image: ImageInfo) -> str:
    """The image as GitLab names it: ``repository:tag`` when the image has one, else the reference as given."""
    if image.repo_tags:
        return image.repo_tags[0]
    return image.name.removeprefix("registry:").removeprefix("docker://") or "unknown"


def _operating_system(result: ScanResult) -> str:
    d = result.inventory.distro
    return f"{d.family}:{d.release}" if d is not None else "unknown"


def _cvss_vectors(vector: str) -> list[dict[str, str]]:
    vector = vector.strip().removeprefix("CVSS:2.0/")
    ok = any(p.match(vector) and low <= len(vector) <= high for p, low, high in _CVSS_PATTERNS)
    return [{"vendor": "unknown", "vector": vector}] if ok else []


def _text(name: str, value: str) -> dict[str, str]:
    return {"name": name, "type": "text", "value": value}


def _details(f: Finding) -> dict[str, Any]:
    details: dict[str, Any] = {}
    v = f.vulnerability
    if f.package is not None:
        details["package"] = _text("Package", f"{f.package.type.value} {f.package.name} {f.package.version}")
        if f.package.purl:
            details["purl"] = _text("PURL", f.package.purl)
        if f.package.found_in:
            details["found_in"] = _text("Found in", f.package.found_in)
    if f.layer is not None:
        layer = f"{f.layer.index + 1}: {f.layer.created_by}" if f.layer.created_by else str(f.layer.index + 1)
        details["layer"] = _text("Layer", layer)
        if f.layer.diff_id:
            details["layer_diff_id"] = _text("Layer diff ID", f.layer.diff_id)
    if f.path:
        details["file"] = _text("File", f.location)
    if f.evidence:
        details["evidence"] = _text("Seen", f.evidence)
    for i, (label, value) in enumerate(f.details):
        details[f"detail_{i}"] = _text(label.capitalize(), value)
    if v is not None:
        details["fixed_version"] = _text("Fixed version", v.fixed_version or "none yet")
        details["status"] = _text("Status", v.status.replace("_", " "))
        if v.cvss_score is not None:
            details["cvss_score"] = {"name": "CVSS score", "type": "value", "value": v.cvss_score}
        if v.epss_score is not None:
            details["epss"] = {"name": "EPSS score", "type": "value", "value": v.epss_score}
        if v.epss_percentile is not None:
            details["epss_percentile"] = {"name": "EPSS percentile", "type": "value", "value": v.epss_percentile}
        if v.kev:
            details["kev"] = _text("CISA KEV", f"known exploited, due {v.kev_due_date}" if v.kev_due_date
                                   else "known exploited")
        details["risk"] = {"name": "Risk (0-100)", "type": "value", "value": v.risk}
        if v.severity_source:
            details["severity_source"] = _text("Severity from", v.severity_source)
        details["data_source"] = _text("Data source", v.data_source)
        details["matched_by"] = _text("Matched by", v.matched_by)
    return details


def _location(f: Finding, result: ScanResult) -> dict[str, Any]:
    if f.package is not None:
        name = f"{f.package.namespace}/{f.package.name}" if f.package.namespace else f.package.name
        version = f.package.version
    elif result.inventory.distro is not None and f.check.startswith("os/"):
        name, version = result.inventory.distro.family, result.inventory.distro.release
    elif f.path:
        name, version = f.location.rsplit(":", 1)[0] if f.line else f.location, ""
    else:
        name, version = f.target or f.id, ""
    return {
        "dependency": {"package": {"name": name}, "version": version},
        "operating_system": _operating_system(result),
        "image": image_reference(result.image),
    }


def vulnerability_id(f: Finding, image: str) -> str:
    """A UUID 5 of what identifies the finding for a reader: its id, the package and where it was found, the
    image; stable across runs, so GitLab's report and any tooling can match it."""
    p = f.package
    parts = [f.check, f.id, image, p.type.value if p else "", p.namespace if p else "", p.name if p else f.target,
             p.version if p else "", p.found_in if p else ""]
    return str(uuid.uuid5(_ID_NAMESPACE, "\0".join(parts)))


def _vulnerability(f: Finding, result: ScanResult, image: str, seen: set[str]) -> dict[str, Any]:
    v = f.vulnerability
    vid = vulnerability_id(f, image)
    n = 1
    while vid in seen:  # the same finding twice (two databases list one package): keep ids unique
        n += 1
        vid = str(uuid.uuid5(_ID_NAMESPACE, f"{vid}#{n}"))
    seen.add(vid)
    if v is None:
        identifiers = [_identifier(f.id, "hullscan")]
    else:
        identifiers = [_identifier(f.id)] + [_identifier(a) for a in v.aliases if a != f.id]
    entry: dict[str, Any] = {
        "id": vid,
        "name": _cut(f.title or f.id, _MAX_NAME),
        "description": _cut(f.description or f.title or f.id, _MAX_DESCRIPTION),
        "severity": _SEVERITY[f.severity],
    }
    solution = f.remediation
    if not solution and v is not None:
        solution = {"affected": "No fix is available yet.",
                    "will_not_fix": "The vendor will not fix this vulnerability in this release.",
                    "end_of_life": "The release is end of life: upgrade to a supported release."}.get(v.status, "")
    if solution:
        entry["solution"] = _cut(solution, _MAX_SOLUTION)
    entry["identifiers"] = identifiers
    if v is not None and v.cvss_vector:
        vectors = _cvss_vectors(v.cvss_vector)
        if vectors:
            entry["cvss_vectors"] = vectors
    links = [{"url": u} for u in dict.fromkeys(f.references) if u.startswith(("http://", "https://"))]
    if links:
        entry["links"] = links
    details = _details(f)
    if details:
        entry["details"] = details
    entry["location"] = _location(f, result)
    return entry


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def gitlab_document(result: ScanResult, *, now: datetime | None = None) -> dict[str, Any]:
    """The report as plain data; ``now`` (the end of the scan) makes it reproducible."""
    end = now or datetime.now(UTC)
    start = end - timedelta(seconds=max(result.stats.seconds, 0.0))
    image = image_reference(result.image)
    seen: set[str] = set()
    return {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": {
            "analyzer": {**TOOL, "version": __version__},
            "scanner": {**TOOL, "version": __version__},
            "type": "container_scanning",
            "start_time": _time(start),
            "end_time": _time(end),
            "status": "success",
        },
        "vulnerabilities": [_vulnerability(f, result, image, seen) for f in result.findings],
        "remediations": [],
    }


def render_gitlab(result: ScanResult) -> str:
    return json.dumps(gitlab_document(result), indent=2, ensure_ascii=False) + "\n"
