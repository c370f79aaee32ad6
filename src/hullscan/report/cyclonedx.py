"""``--format cyclonedx``: a CycloneDX 1.6 JSON BOM of the image's inventory.

Spec: https://cyclonedx.org/docs/1.6/json/ . Built as plain data and encoded with msgspec: cyclonedx-python-lib
is quadratic at image scale (LIBRARIES.md). Tests validate the output against the official 1.6 schema.

Shape:

- ``metadata.component``: the image (``type: container``; name and version from its repo tag, the image id as
  a SHA-256 hash, a ``pkg:oci`` PURL when a repository and digest are known) or the root filesystem
  (``type: file``).
- one ``operating-system`` component for the distro (name = family, version = release).
- one ``library`` component per package: ``bom-ref`` (its PURL; ``#2``, ``#3``… appended on a collision),
  name, version, PURL, licences (``license.id`` for ids of the SPDX License List, ``license.name`` for free
  text, one ``expression`` when every licence is valid and one of them is compound), hashes, the maintainer as
  ``publisher`` and ``hullscan:`` properties (layer, created_by, found_in, source, arch, epoch, module…).
- ``dependencies``: the image depends on the OS component and on every package; packages and the OS depend on
  nothing yet (package-to-package edges need the extractors' dependency data).
- ``vulnerabilities`` (when the scan matched any): one per vulnerability id with its data source (name and URL),
  the rating (severity, CVSS score, vector and method ``CVSSv2``/``CVSSv3``/``CVSSv31``/``CVSSv4``/``other``), CWE
  ids, description and detail, the recommended upgrade, advisories (reference URLs), published/updated, the
  affected components (``affects``: bom-ref, installed version ``affected``, fixed version ``unaffected``), and
  ``hullscan:`` properties for EPSS, CISA KEV, the risk score, the status and how it matched.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hullscan import __version__
from hullscan.model import Distro, Finding, Package, Vulnerability
from hullscan.report.spdx import (
    PROPERTY_PREFIX,
    distro_facts,
    encode_document,
    image_identity,
    image_purl,
    join_and,
    license_expression,
    license_id,
    package_facts,
    package_purl,
    parse_checksum,
    timestamp,
)

if TYPE_CHECKING:
    from hullscan.scan import ScanResult

SPEC_VERSION = "1.6"
SCHEMA_URL = "http://cyclonedx.org/schema/bom-1.6.schema.json"

_CDX_ALGORITHMS = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512"}


def _properties(facts: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": key, "value": value} for key, value in facts]


def cyclonedx_licenses(licenses: tuple[str, ...]) -> list[dict[str, Any]]:
    """The ``licenses`` array: one ``license`` per entry, by ``id`` when the entry is an id of the SPDX License
    List and by ``name`` otherwise; or a single ``expression`` when every entry is a valid SPDX expression and
    one of them is more than a listed id (1.6 forbids mixing the two forms)."""
    out: list[dict[str, Any]] = []
    for kind, value in _license_choices(licenses):
        out.append({"expression": value} if kind == "expression" else {"license": {kind: value}})
    return out


@lru_cache(maxsize=4096)
def _license_choices(licenses: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(``expression`` | ``id`` | ``name``, value) pairs; cached, since images repeat a few licence sets."""
    texts = list(dict.fromkeys(t.strip() for t in licenses if t.strip() not in ("", "NOASSERTION", "NONE")))
    expressions = [license_expression(t) for t in texts]
    valid = [e for e in expressions if e is not None]
    if valid and len(valid) == len(texts) and any(license_id(e) is None for e in valid):
        return (("expression", join_and(valid)),)
    out: list[tuple[str, str]] = []
    for text, expression in zip(texts, expressions, strict=True):
        listed = license_id(expression) if expression is not None else None
        out.append(("id", listed) if listed is not None else ("name", text))
    return tuple(out)


def _component(p: Package, bom_ref: str, purl: str) -> dict[str, Any]:
    component: dict[str, Any] = {"bom-ref": bom_ref, "type": "library"}
    if p.maintainer:
        component["publisher"] = p.maintainer
    component["name"] = p.name
    if p.version:
        component["version"] = p.version
    checksum = parse_checksum(p.checksum)
    if checksum is not None:
        component["hashes"] = [{"alg": _CDX_ALGORITHMS[checksum[0]], "content": checksum[1]}]
    licenses = cyclonedx_licenses(p.licenses)
    if licenses:
        component["licenses"] = licenses
    component["purl"] = purl
    component["properties"] = _properties(package_facts(p))
    return component


def _os_component(distro: Distro, result: ScanResult) -> dict[str, Any]:
    component: dict[str, Any] = {
        "bom-ref": f"os:{distro.family}@{distro.release}",
        "type": "operating-system",
        "name": distro.family,
        "version": distro.release,
    }
    if distro.pretty_name:
        component["description"] = distro.pretty_name
    facts = distro_facts(distro)
    layer = result.inventory.distro_layer
    if layer is not None:
        facts += [
            (PROPERTY_PREFIX + "layer_index", str(layer.index)),
            (PROPERTY_PREFIX + "layer_diff_id", layer.diff_id),
        ]
    if facts:
        component["properties"] = _properties(facts)
    return component


def _image_component(result: ScanResult) -> dict[str, Any]:
    image = result.image
    name, version = image_identity(image)
    rootfs = image.source == "rootfs"
    purl = image_purl(image)
    component: dict[str, Any] = {
        "bom-ref": purl or f"hullscan:{'rootfs' if rootfs else 'image'}:{image.image_id or image.name}",
        "type": "file" if rootfs else "container",
        "name": name,
    }
    if version:
        component["version"] = version
    if image.image_id.startswith("sha256:"):
        component["hashes"] = [{"alg": "SHA-256", "content": image.image_id.removeprefix("sha256:")}]
    if purl:
        component["purl"] = purl
    facts = [(PROPERTY_PREFIX + "reference", image.name), (PROPERTY_PREFIX + "source", image.source)]
    facts += [(PROPERTY_PREFIX + "image_id", image.image_id)] if image.image_id else []
    facts += [(PROPERTY_PREFIX + "manifest_digest", image.manifest_digest)] if image.manifest_digest else []
    facts += [(PROPERTY_PREFIX + "repo_tag", tag) for tag in image.repo_tags]
    facts += [(PROPERTY_PREFIX + "repo_digest", digest) for digest in image.repo_digests]
    if image.config is not None:
        facts += [
            (PROPERTY_PREFIX + "os", image.config.os),
            (PROPERTY_PREFIX + "architecture", image.config.architecture),
        ]
        if image.config.variant:
            facts.append((PROPERTY_PREFIX + "variant", image.config.variant))
    facts += [(PROPERTY_PREFIX + f"layer:{layer.index}", layer.diff_id) for layer in image.layers if layer.diff_id]
    component["properties"] = _properties([(k, v) for k, v in facts if v])
    return component


def cyclonedx_document(
    result: ScanResult, *, serial: uuid.UUID | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The CycloneDX 1.6 BOM as plain data. ``serial`` and ``now`` make the output reproducible."""
    distro = result.inventory.distro
    image_component = _image_component(result)
    components: list[dict[str, Any]] = []
    refs: list[str] = []
    if distro is not None:
        os_component = _os_component(distro, result)
        components.append(os_component)
        refs.append(os_component["bom-ref"])
    seen: dict[str, int] = {image_component["bom-ref"]: 1, **dict.fromkeys(refs, 1)}
    ref_of: dict[int, str] = {}
    for p in result.inventory.packages:
        purl = package_purl(p, distro)
        bom_ref = purl
        count = seen.get(purl, 0) + 1
        seen[purl] = count
        if count > 1:  # the same PURL twice (e.g. two databases list the package): keep refs unique
            bom_ref = f"{purl}#{count}"
            while bom_ref in seen:
                count += 1
                bom_ref = f"{purl}#{count}"
            seen[bom_ref] = 1
        components.append(_component(p, bom_ref, purl))
        refs.append(bom_ref)
        ref_of[id(p)] = bom_ref

    doc: dict[str, Any] = {
        "$schema": SCHEMA_URL,
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": (serial or uuid.uuid4()).urn,
        "version": 1,
        "metadata": {
            "timestamp": timestamp(now),
            "tools": {"components": [{"type": "application", "name": "hullscan", "version": __version__}]},
            "component": image_component,
        },
        "components": components,
        "dependencies": [
            {"ref": image_component["bom-ref"], "dependsOn": refs},
            *({"ref": ref} for ref in refs),
        ],
    }
    vulnerabilities = _vulnerabilities(result, ref_of)
    if vulnerabilities:
        doc["vulnerabilities"] = vulnerabilities
    return doc


_CDX_SEVERITY = {"CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low", "UNKNOWN": "unknown"}


def _rating_method(vector: str) -> str:
    """The 1.6 ``scoreMethod`` of a CVSS vector (``other`` without one)."""
    if vector.startswith("CVSS:4"):
        return "CVSSv4"
    if vector.startswith("CVSS:3.1"):
        return "CVSSv31"
    if vector.startswith("CVSS:3"):
        return "CVSSv3"
    return "CVSSv2" if vector else "other"


def _date_time(text: str) -> str:
    """An ISO 8601 date or date-time as the schema's ``date-time`` (UTC, ``Z``); ``""`` when it is not one."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=1)
def _source_urls() -> dict[str, str]:
    from hullscan.vulndb.sources import DEFAULT_SOURCES

    return {s.name: s.homepage for s in DEFAULT_SOURCES if s.homepage}


def _source(name: str) -> dict[str, str]:
    url = _source_urls().get(name, "")
    return {"name": name, "url": url} if url else {"name": name}


def _vulnerability(f: Finding, v: Vulnerability) -> dict[str, Any]:
    rating: dict[str, Any] = {"source": _source(v.severity_source or v.data_source)}
    if v.cvss_score is not None:
        rating["score"] = v.cvss_score
    rating["severity"] = _CDX_SEVERITY[str(f.severity)]
    rating["method"] = _rating_method(v.cvss_vector)
    if v.cvss_vector:
        rating["vector"] = v.cvss_vector
    entry: dict[str, Any] = {"bom-ref": f"vuln:{f.id}", "id": f.id, "source": _source(v.data_source)}
    others = [a for a in v.aliases if a != f.id and not a.upper().startswith("CWE-")]
    if others:
        entry["references"] = [{"id": a, "source": {"name": a.split("-")[0]}} for a in others]
    entry["ratings"] = [rating]
    cwes = sorted({int(a[4:]) for a in v.aliases if a.upper().startswith("CWE-") and a[4:].isdigit()})
    if cwes:
        entry["cwes"] = cwes
    entry["description"] = f.title
    if f.description:
        entry["detail"] = f.description
    if f.remediation:
        entry["recommendation"] = f.remediation
    advisories = [{"url": u} for u in dict.fromkeys(f.references) if u.startswith(("http://", "https://"))]
    if advisories:
        entry["advisories"] = advisories
    for key, value in (("published", v.published), ("updated", v.modified)):
        moment = _date_time(value) if value else ""
        if moment:
            entry[key] = moment
    entry["affects"] = []
    properties = [("risk", f"{v.risk}"), ("status", v.status), ("matched_by", v.matched_by)]
    if v.epss_score is not None:
        properties.append(("epss", f"{v.epss_score}"))
    if v.epss_percentile is not None:
        properties.append(("epss_percentile", f"{v.epss_percentile}"))
    if v.kev:
        properties.append(("kev", "true"))
        if v.kev_due_date:
            properties.append(("kev_due_date", v.kev_due_date))
    entry["properties"] = [{"name": PROPERTY_PREFIX + k, "value": value} for k, value in properties if value]
    return entry


def _vulnerabilities(result: ScanResult, ref_of: dict[int, str]) -> list[dict[str, Any]]:
    """CycloneDX 1.6 ``vulnerabilities``: one entry per vulnerability id, affecting each package it was found in
    (``affected`` at the installed version, ``unaffected`` at the version that fixes it).

    Findings that are not vulnerabilities (``os/end-of-life``) and findings about a package the BOM does not list
    are left out: ``affects`` must point at a component of the same document.
    """
    by_identity = {(p.key, p.found_in): ref_of[id(p)] for p in result.inventory.packages if id(p) in ref_of}
    by_id: dict[str, dict[str, Any]] = {}
    for f in result.findings:
        v = f.vulnerability
        if v is None or f.package is None:
            continue
        ref = ref_of.get(id(f.package)) or by_identity.get((f.package.key, f.package.found_in))
        if ref is None:
            continue
        entry = by_id.get(f.id)
        if entry is None:
            entry = by_id[f.id] = _vulnerability(f, v)
        if any(a["ref"] == ref for a in entry["affects"]):
            continue
        versions = [{"version": v.installed_version or f.package.version, "status": "affected"}]
        if v.fixed_version:
            versions.append({"version": v.fixed_version.split(", ")[0], "status": "unaffected"})
        entry["affects"].append({"ref": ref, "versions": versions})
    return list(by_id.values())


def render_cyclonedx(result: ScanResult) -> str:
    return encode_document(cyclonedx_document(result))
