"""VEX input: statements that a vulnerability does not affect a product, applied to the findings.

Formats:

* OpenVEX (https://github.com/openvex/spec): ``statements[]`` with ``vulnerability`` (``name`` or ``@id``, plus
  ``aliases``), ``products[]`` (``@id`` a PURL, or ``identifiers.purl``; ``subcomponents[]`` likewise) and
  ``status``. ``not_affected`` and ``fixed`` suppress the finding; ``affected`` and ``under_investigation`` keep
  it. Later statements about the same vulnerability and product win (the spec's order of statements).
* CycloneDX VEX (https://cyclonedx.org/capabilities/vex/): ``vulnerabilities[]`` with ``id``, ``analysis.state``
  and ``affects[].ref``; the ref is a component ``bom-ref`` (resolved to its PURL through ``components[]``) or a
  PURL itself. ``not_affected``, ``false_positive`` and ``resolved`` suppress.

A product PURL without a version (or qualifiers) matches every version of the package; an image-level product
(``pkg:oci/...``) or a statement without products applies to every package. A malformed document is a usage
error naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullscan.errors import UsageError
from hullscan.model import Finding

_OPENVEX_SUPPRESS = {"not_affected", "fixed"}
_OPENVEX_STATUSES = _OPENVEX_SUPPRESS | {"affected", "under_investigation"}
_CDX_SUPPRESS = {"not_affected", "false_positive", "resolved", "resolved_with_pedigree"}


@dataclass(frozen=True, slots=True)
class VexStatement:
    vulnerability: str
    aliases: tuple[str, ...]
    products: tuple[str, ...]
    """PURLs; empty means every package."""
    suppress: bool
    status: str
    justification: str = ""
    source: str = ""

    def matches(self, finding: Finding) -> bool:
        ids = {finding.id, *(finding.vulnerability.aliases if finding.vulnerability else ())}
        if self.vulnerability not in ids and not ids.intersection(self.aliases):
            return False
        if not self.products:
            return True
        purl = finding.package.purl if finding.package is not None else ""
        return any(_purl_matches(p, purl) for p in self.products)


def _purl_matches(product: str, purl: str) -> bool:
    if product.startswith("pkg:oci/"):
        return True  # a statement about the whole image
    if not purl:
        return False
    bare_product = product.split("?")[0]
    if "@" in bare_product:
        return purl.split("?")[0] == bare_product
    return purl.split("?")[0].split("@")[0] == bare_product


def _purls(items: object) -> list[str]:
    out: list[str] = []
    if not isinstance(items, list):
        return out
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            ident = item.get("@id") or (item.get("identifiers") or {}).get("purl")
            if isinstance(ident, str):
                out.append(ident)
            out += _purls(item.get("subcomponents"))
    return out


def _openvex(doc: dict[str, Any], name: str) -> list[VexStatement]:
    statements = doc.get("statements")
    if not isinstance(statements, list):
        raise UsageError(f"{name}: OpenVEX document without 'statements'")
    out = []
    for i, st in enumerate(statements, start=1):
        where = f"{name}: statement {i}"
        if not isinstance(st, dict):
            raise UsageError(f"{where}: not an object")
        vuln = st.get("vulnerability")
        if isinstance(vuln, str):
            vid, aliases = vuln, []
        elif isinstance(vuln, dict):
            vid = vuln.get("name") or vuln.get("@id") or ""
            aliases = [a for a in vuln.get("aliases") or [] if isinstance(a, str)]
        else:
            raise UsageError(f"{where}: no vulnerability")
        status = st.get("status")
        if status not in _OPENVEX_STATUSES:
            raise UsageError(f"{where}: unknown status {status!r}")
        out.append(VexStatement(str(vid), tuple(aliases), tuple(_purls(st.get("products"))),
                                status in _OPENVEX_SUPPRESS, str(status), str(st.get("justification") or ""),
                                name))
    return out


def _cyclonedx(doc: dict[str, Any], name: str) -> list[VexStatement]:
    refs: dict[str, str] = {}

    def walk(components: object) -> None:
        if isinstance(components, list):
            for c in components:
                if isinstance(c, dict):
                    if isinstance(c.get("bom-ref"), str) and isinstance(c.get("purl"), str):
                        refs[c["bom-ref"]] = c["purl"]
                    walk(c.get("components"))

    walk(doc.get("components"))
    out = []
    for i, v in enumerate(doc.get("vulnerabilities") or [], start=1):
        if not isinstance(v, dict) or not isinstance(v.get("id"), str):
            raise UsageError(f"{name}: vulnerability {i} has no id")
        analysis = v.get("analysis") or {}
        state = analysis.get("state", "") if isinstance(analysis, dict) else ""
        products = []
        for a in v.get("affects") or []:
            ref = a.get("ref") if isinstance(a, dict) else None
            if isinstance(ref, str):
                products.append(refs.get(ref, ref))
        aliases = [r.get("id") for r in v.get("references") or [] if isinstance(r, dict) and r.get("id")]
        out.append(VexStatement(v["id"], tuple(str(a) for a in aliases), tuple(products), state in _CDX_SUPPRESS,
                                str(state), str(analysis.get("justification", "") if isinstance(analysis, dict)
                                                else ""), name))
    return out


def load_vex(path: Path) -> list[VexStatement]:
    try:
        doc = json.loads(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot read VEX file {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise UsageError(f"VEX file {path} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise UsageError(f"VEX file {path}: not a JSON object")
    context = str(doc.get("@context", ""))
    if "openvex" in context or "statements" in doc:
        return _openvex(doc, str(path))
    if doc.get("bomFormat") == "CycloneDX":
        return _cyclonedx(doc, str(path))
    raise UsageError(f"VEX file {path}: neither OpenVEX nor CycloneDX VEX")


def apply_vex(
    findings: Sequence[Finding], statements: Iterable[VexStatement]
) -> tuple[tuple[Finding, ...], tuple[tuple[Finding, VexStatement], ...]]:
    """(kept, suppressed with the statement that suppressed it). The last matching statement decides."""
    statements = list(statements)
    kept: list[Finding] = []
    suppressed: list[tuple[Finding, VexStatement]] = []
    for f in findings:
        decisive = None
        for st in statements:
            if st.matches(f):
                decisive = st
        if decisive is not None and decisive.suppress:
            suppressed.append((f, decisive))
        else:
            kept.append(f)
    return tuple(kept), tuple(suppressed)
