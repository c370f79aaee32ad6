"""``--format sarif``: SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/), as GitHub code scanning
reads it (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).

Shape:

- one run; ``tool.driver`` is hullscan with its version and one rule per distinct finding id (a CVE, a GHSA, a
  check such as ``os/end-of-life``): short and full description, ``help`` (text and markdown: the fix and the
  references), ``helpUri`` (the first reference), and ``properties``: ``security-severity`` (the number GitHub
  ranks alerts by: the CVSS score, else 9.5 / 8.0 / 5.5 / 2.5 for CRITICAL / HIGH / MEDIUM / LOW, 0.0 unknown),
  ``precision`` and ``tags``.
- one result per finding: ``level`` (``error`` for CRITICAL and HIGH, ``warning`` for MEDIUM, ``note`` for LOW and
  UNKNOWN), a message naming the package, its installed and fixed version and the layer instruction that brought
  it, one location (GitHub requires one): the file inside the image the package was read from
  (``lib/apk/db/installed``), or the image's name for findings about the image itself, with ``startLine`` 1;
  ``partialFingerprints`` that ignore the image digest and the installed version, so an alert stays the same
  alert across rebuilds until the package is fixed; ``properties`` with the details (PURL, versions, EPSS, KEV,
  risk, layer).
- ``automationDetails.id`` is ``hullscan/<image repository>/``: GitHub keeps one set of alerts per image.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hullscan import __version__
from hullscan.model import Finding, ImageInfo, Severity
from hullscan.report.spdx import image_identity
from hullscan.scan import ScanResult

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/hullscan/hullscan"
FINGERPRINT = "hullscanFinding/v1"

_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note",
          Severity.UNKNOWN: "note"}
_BAND = {Severity.CRITICAL: 9.5, Severity.HIGH: 8.0, Severity.MEDIUM: 5.5, Severity.LOW: 2.5, Severity.UNKNOWN: 0.0}
_SHORT = 1000
_FULL = 10000


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split()) if limit <= _SHORT else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def security_severity(f: Finding) -> str:
    """GitHub's ``security-severity``: the CVSS score when there is one, else the middle of the severity's band."""
    score = f.vulnerability.cvss_score if f.vulnerability is not None else None
    return f"{score if score is not None else _BAND[f.severity]:.1f}"


def image_uri(image: ImageInfo) -> str:
    """Where image-level findings are located: the image's repository (``example/app``), or the reference as
    given without its transport and leading ``/`` (GitHub wants a relative path, not ``docker-archive:/x.tar``)."""
    name, _ = image_identity(image)
    for transport in ("docker-archive:", "oci-archive:", "oci:", "registry:", "docker://", "rootfs:"):
        name = name.removeprefix(transport)
    return name.lstrip("/") or "image"


def _score(f: Finding) -> float:
    score = f.vulnerability.cvss_score if f.vulnerability is not None else None
    return score if score is not None else 0.0


def _packages(findings: list[Finding]) -> list[str]:
    return sorted({f.package.name for f in findings if f.package is not None})


def _rule(findings: list[Finding]) -> dict[str, Any]:
    """The rule of one finding id, described from all its findings (a CVE can affect several packages)."""
    f = findings[0]
    worst = max(findings, key=lambda x: (x.severity, _score(x)))
    packages = _packages(findings)
    title = f.title
    default_title = f.package is not None and title == f"{f.id} in {f.package.name}"
    if default_title:
        title = f"{f.id} in {', '.join(packages)}"  # the matcher's default title, for every affected package
    full = f.description or title
    if packages and f.vulnerability is not None and (f.description or not default_title):
        full += f"\n\nAffected packages in this image: {', '.join(packages)}."
    refs = list(dict.fromkeys(r for x in findings for r in x.references))
    fixes = list(dict.fromkeys(x.remediation for x in findings if x.remediation))
    help_text = "\n".join(fixes) or "No fix is available yet."
    markdown = f"**{f.id}**: {_cut(title, _SHORT)}\n\n" + "\n".join(f"- {x}" for x in fixes or [help_text])
    if refs:
        markdown += "\n\nReferences:\n" + "\n".join(f"- <{r}>" for r in refs[:20])
    tags = ["security", "vulnerability" if f.vulnerability is not None else f.check.split("/")[0],
            str(worst.severity)]
    tags += list(dict.fromkeys(x.package.type.value for x in findings if x.package is not None))
    rule: dict[str, Any] = {
        "id": rule_id(f),
        "name": "Vulnerability" if f.vulnerability is not None else "".join(
            part.capitalize() for part in f.check.replace("-", "/").split("/")),
        "shortDescription": {"text": _cut(title, _SHORT)},
        "fullDescription": {"text": _cut(full, _FULL)},
        "help": {"text": _cut(help_text, _FULL), "markdown": _cut(markdown, _FULL)},
        "defaultConfiguration": {"level": _LEVEL[worst.severity]},
        "properties": {
            "security-severity": security_severity(worst),
            "precision": "very-high",
            "tags": tags,
        },
    }
    urls = [r for r in refs if r.startswith(("http://", "https://"))]
    if urls:
        rule["helpUri"] = urls[0]
    return rule


def rule_id(f: Finding) -> str:
    """A vulnerability's rule is its id (a CVE); any other finding's is its check (``secret/github-pat``,
    ``misconfig/HS001``), followed by the id when the check names a family of them (``malware/yara/EICAR``,
    ``license/forbidden/AGPL-3.0-only``), so the rules of different scanners never collide and each rule's text
    fits every result under it."""
    if f.vulnerability is not None:
        return f.id
    if f.id == f.check or f.check.endswith(f"/{f.id}"):
        return f.check
    return f"{f.check}/{f.id}"


def _message(f: Finding, image: str) -> str:
    v = f.vulnerability
    layer = f.layer
    where = ""
    if layer is not None:
        where = f" (layer {layer.index + 1}" + (f": {_cut(layer.created_by, 200)})" if layer.created_by else ")")
    if v is None or f.package is None:
        at = f" at /{f.path}" + (f" line {f.line}" if f.line else "") if f.path else ""
        seen = f" Seen: {f.evidence}." if f.evidence else ""
        facts = "".join(f" {label.capitalize()}: {value}." for label, value in f.details)
        return f"{f.title}{at} in {image}{where}.{seen}{facts}"
    fix = f"Fixed in {v.fixed_version}." if v.fixed_version else f"No fix yet ({v.status.replace('_', ' ')})."
    kev = " Known exploited (CISA KEV)." if v.kev else ""
    return (f"{f.id} in {f.package.name} {v.installed_version} ({f.package.type.value}) of {image}{where}. "
            f"Severity {f.severity}" + (f" ({v.severity_source})" if v.severity_source else "") + f". {fix}{kev}")


def _location(f: Finding, image_path: str) -> dict[str, Any]:
    if f.path:
        uri = f.path
    elif f.package is not None and f.package.found_in:
        uri = f.package.found_in.split("!", 1)[0]
    else:
        uri = image_path
    return {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": max(1, f.line)}},
            "message": {"text": f.target or image_path}}


def _fingerprint(f: Finding, image_path: str) -> str:
    """Stable across rebuilds (no image digest) and upgrades that do not fix: no installed version, not even in the
    path (``urllib3-1.24.1.dist-info/METADATA``)."""
    p = f.package
    where = (p.found_in.replace(p.version, "") if p.version else p.found_in) if p else f.path
    key = [f.check, f.id, image_path, p.type.value if p else "", p.namespace if p else "", p.name if p else f.target,
           where]
    return hashlib.sha256("\0".join(key).encode()).hexdigest()


def _properties(f: Finding) -> dict[str, Any]:
    props: dict[str, Any] = {"check": f.check, "severity": str(f.severity)}
    if f.category:
        props["category"] = f.category
    if f.evidence:
        props["evidence"] = f.evidence
    if f.details:
        props["details"] = dict(f.details)
    if f.package is not None:
        props["package"] = {"type": f.package.type.value, "name": f.package.name, "version": f.package.version,
                            "purl": f.package.purl}
    if f.layer is not None:
        props["layer"] = {"index": f.layer.index, "diffId": f.layer.diff_id, "createdBy": f.layer.created_by}
    v = f.vulnerability
    if v is not None:
        props.update({"installedVersion": v.installed_version, "fixedVersion": v.fixed_version, "status": v.status,
                      "aliases": list(v.aliases), "dataSource": v.data_source, "risk": v.risk, "kev": v.kev})
        if v.cvss_vector:
            props["cvssVector"] = v.cvss_vector
        if v.epss_score is not None:
            props["epss"] = v.epss_score
        if v.kev_due_date:
            props["kevDueDate"] = v.kev_due_date
    return props


def sarif_document(result: ScanResult) -> dict[str, Any]:
    image = result.image.name
    image_path = image_uri(result.image)
    by_id: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_id.setdefault(rule_id(f), []).append(f)
    rules = [_rule(group) for group in by_id.values()]
    index = {rid: i for i, rid in enumerate(by_id)}
    results = []
    seen: dict[str, int] = {}
    for f in result.findings:
        fingerprint = _fingerprint(f, image_path)
        count = seen[fingerprint] = seen.get(fingerprint, 0) + 1
        if count > 1:  # the same package listed twice: distinct results need distinct fingerprints
            fingerprint = f"{fingerprint}:{count}"
        results.append({
            "ruleId": rule_id(f),
            "ruleIndex": index[rule_id(f)],
            "level": _LEVEL[f.severity],
            "message": {"text": _message(f, image)},
            "locations": [_location(f, image_path)],
            "partialFingerprints": {FINGERPRINT: fingerprint},
            "properties": _properties(f),
        })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "hullscan",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "automationDetails": {"id": f"hullscan/{image_path}/"},
            "results": results,
        }],
    }


def render_sarif(result: ScanResult) -> str:
    return json.dumps(sarif_document(result), indent=2, ensure_ascii=False) + "\n"
