"""OSV records, JSON or YAML (https://ossf.github.io/osv-schema/): PyPA, Go, RustSec, GHSA, AlmaLinux, ...

Every ecosystem is mapped to a store namespace (``AlmaLinux:8`` -> ``almalinux:8``, ``PyPI`` -> ``pypi``) and
every package name normalised for it. Each ``ECOSYSTEM``/``SEMVER`` range becomes one affected row holding its
ordered events; ``GIT`` ranges are kept as rows of their own; explicit ``versions`` ride on the first version
range of their entry (or on a range-less row when there is none).

Severity: GHSA's ``database_specific.severity``, else the vendor's word AlmaLinux puts before the summary
(``Important: openssl security update``), else the rating of the CVSS vector in ``severity[]`` (base score
computed here). Withdrawn records keep their advisory row but get no affected rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, as_dict, load_json, load_yaml, str_list, text
from hullscan.vulndb.model import (
    Advisory,
    Affected,
    Event,
    EventKind,
    NameKind,
    Record,
    Status,
    normalize_severity,
)
from hullscan.vulndb.names import normalize_name, osv_namespace
from hullscan.vulndb.scoring import cvss_version, score_vector

_EVENT_KINDS = {k.value: k for k in EventKind}
_VENDOR_PREFIX = re.compile(r"^(Critical|Important|Moderate|Low):\s*")
_RPM_FAMILIES = frozenset({"almalinux", "rocky", "redhat", "mageia", "opensuse", "suse", "azurelinux", "photon"})
_SOURCE_FAMILIES = frozenset({"debian", "ubuntu", "alpine", "wolfi", "chainguard"})
_CVSS_PREFERENCE = ("CVSS_V3", "CVSS_V4", "CVSS_V2")


def clean_date(value: Any) -> str:
    """An OSV timestamp as text; Go's repository placeholder ``0001-01-01T00:00:00Z`` becomes empty."""
    stamp = text(value)
    return "" if stamp.startswith("0001-") else stamp


class OsvImporter:
    name = "osv"
    version = 1

    def __init__(self, source: str, *, include: str = r"\.(json|ya?ml)$", exclude: str = r"(^|/)\.") -> None:
        self.source = source
        self._include = re.compile(include)
        self._exclude = re.compile(exclude)

    def wants(self, path: str) -> bool:
        return bool(self._include.search(path)) and not self._exclude.search(path)

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        doc = load_yaml(data) if path.endswith((".yaml", ".yml")) else load_json(data)
        yield parse_osv(doc, self.source, path)


def _kind_for(namespace: str) -> NameKind:
    family = namespace.partition(":")[0]
    if family in _RPM_FAMILIES:
        return NameKind.BINARY
    if family in _SOURCE_FAMILIES:
        return NameKind.SOURCE
    return NameKind.PACKAGE


def _events(raw: Any, where: str) -> tuple[Event, ...]:
    if not isinstance(raw, list):
        raise RecordError(f"{where}: range without events")
    out: list[Event] = []
    for item in raw:
        for key, value in as_dict(item, where).items():
            kind = _EVENT_KINDS.get(key)
            if kind is not None:
                out.append(Event(kind, text(value)))
    return tuple(out)


def _affected(entry: dict[str, Any], withdrawn: bool, where: str) -> list[Affected]:
    package = as_dict(entry.get("package"), f"{where}: affected[].package")
    ecosystem, name = text(package.get("ecosystem")), text(package.get("name"))
    if not ecosystem or not name:
        raise RecordError(f"{where}: affected package without ecosystem or name")
    if withdrawn:
        return []
    namespace = osv_namespace(ecosystem)
    key = normalize_name(namespace, name)
    kind = _kind_for(namespace)
    db_specific = entry.get("database_specific") or {}
    eco_specific = entry.get("ecosystem_specific") or {}
    informational = text(db_specific.get("informational")) if isinstance(db_specific, dict) else ""
    vendor_severity = text(eco_specific.get("severity")) if isinstance(eco_specific, dict) else ""
    versions = str_list(entry.get("versions"))
    rows: list[Affected] = []
    versions_placed = False
    for rng in entry.get("ranges") or []:
        rng = as_dict(rng, f"{where}: ranges[]")
        range_type = text(rng.get("type")).upper() or "ECOSYSTEM"
        events = _events(rng.get("events"), where)
        fixed = [e.version for e in events if e.kind is EventKind.FIXED]
        carry = range_type != "GIT" and not versions_placed
        versions_placed = versions_placed or carry
        rows.append(
            Affected(
                namespace=namespace,
                package=key,
                status=Status.FIXED if fixed else Status.AFFECTED,
                range_type=range_type,
                events=events,
                versions=versions if carry else (),
                fixed_version=", ".join(fixed),
                severity=vendor_severity,
                name_kind=kind,
                repo=text(rng.get("repo")) if range_type == "GIT" else "",
                informational=informational,
            )
        )
    if versions and not versions_placed:
        rows.append(
            Affected(
                namespace=namespace,
                package=key,
                status=Status.AFFECTED,
                versions=versions,
                severity=vendor_severity,
                name_kind=kind,
                informational=informational,
            )
        )
    return rows


def _severity(doc: dict[str, Any], summary: str) -> tuple[str, str, str, str, float | None]:
    """(normalised severity, its source, the source's label, CVSS vector, CVSS score)."""
    vector, score = "", None
    vectors = {
        text(s.get("type")).upper(): text(s.get("score")) for s in doc.get("severity") or [] if isinstance(s, dict)
    }
    for kind in _CVSS_PREFERENCE:
        if vectors.get(kind):
            vector = vectors[kind]
            score, _ = score_vector(vector)
            break
    db_specific = doc.get("database_specific")
    if isinstance(db_specific, dict) and text(db_specific.get("severity")):
        label = text(db_specific.get("severity"))
        return (
            normalize_severity(label),
            "ghsa" if doc.get("id", "").startswith("GHSA-") else "vendor",
            label,
            vector,
            score,
        )
    prefix = _VENDOR_PREFIX.match(summary)
    if prefix:
        return normalize_severity(prefix.group(1)), "vendor", prefix.group(1), vector, score
    for kind, value in vectors.items():
        if not kind.startswith("CVSS") and value:  # e.g. {"type": "Ubuntu", "score": "medium"}
            return normalize_severity(value), "vendor", value, vector, score
    if vector:
        computed, label = score_vector(vector)
        version = cvss_version(vector)
        return label, f"cvss_v{version.split('.')[0]}", label, vector, computed
    return "", "", "", vector, score


def parse_osv(doc: Any, source: str, path: str = "") -> Advisory:
    """One OSV document (already decoded) as an :class:`Advisory`."""
    where = path or source
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
        raise RecordError(f"{where}: not an OSV record (no string `id`)")
    if "affected" not in doc and "modified" not in doc:
        raise RecordError(f"{where}: not an OSV record (neither `affected` nor `modified`)")
    advisory_id = doc["id"].strip()
    withdrawn = clean_date(doc.get("withdrawn"))
    summary = text(doc.get("summary"))
    affected: list[Affected] = []
    for entry in doc.get("affected") or []:
        affected += _affected(as_dict(entry, f"{where}: affected[]"), bool(withdrawn), where)
    aliases = list(str_list(doc.get("aliases")))
    if not aliases:  # AlmaLinux lists the CVEs an ALSA fixes under `related`
        aliases = list(str_list(doc.get("related")))
    severity, severity_source, label, vector, score = _severity(doc, summary)
    references = tuple(text(r.get("url")) for r in doc.get("references") or [] if isinstance(r, dict) and r.get("url"))
    return Advisory(
        id=advisory_id,
        source=source,
        published=clean_date(doc.get("published")),
        modified=clean_date(doc.get("modified")),
        withdrawn=withdrawn,
        summary=summary,
        details=text(doc.get("details")),
        severity=severity,
        severity_source=severity_source,
        severity_label=label,
        cvss_vector=vector,
        cvss_score=score,
        references=references,
        aliases=tuple(dict.fromkeys(aliases)),
        affected=tuple(affected),
    )
