"""Matching: which advisories apply to which packages. A pure function of the inventory and the store.

Every finding says how it matched (namespace, the name looked up, the range or fix it fell in) and where its
severity comes from. Findings for the same package and vulnerability from several feeds are merged into one:
the vendor's row with a fix wins, and the aliases of all of them are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hullscan.match.namespaces import distro_namespace, language_namespace, lookup_names, package_scheme
from hullscan.match.ranges import fix_for, is_affected
from hullscan.match.risk import risk_score
from hullscan.model import Finding, Inventory, Package, Severity, Vulnerability
from hullscan.vulndb.model import Advisory, AffectedRow, Enrichment, NameKind, Status, normalize_severity
from hullscan.vulndb.store import Store

CHECK = "vuln"

_SKIPPED = (Status.NOT_AFFECTED, Status.UNDETERMINED)
# Statuses as reports show them (the vendor's word for "no fix").
_REPORTED = {
    Status.FIXED: "fixed",
    Status.AFFECTED: "affected",
    Status.WILL_NOT_FIX: "will_not_fix",
    Status.END_OF_LIFE: "end_of_life",
}
_CVSS_PREFERENCE = ("cna", "adp", "nvd")


@dataclass(frozen=True, slots=True)
class _Hit:
    package: Package
    row: AffectedRow
    name: str
    namespace: str
    fixed: str


def _name_kind_ok(pkg: Package, looked_up: str, row: AffectedRow) -> bool:
    if not pkg.type.is_os or row.name_kind is NameKind.PACKAGE:
        return True
    source = pkg.source_name or pkg.name
    if looked_up == source and row.name_kind is NameKind.SOURCE:
        return True
    return looked_up == pkg.name and row.name_kind is NameKind.BINARY


def _module_ok(pkg: Package, row: AffectedRow) -> bool:
    """RHEL modules: a modular advisory applies only to the same module stream, and only to modular builds."""
    if not row.module:
        return True
    if not pkg.module:
        return False
    name, _, rest = pkg.module.partition(":")
    stream = rest.partition(":")[0]
    return row.module == f"{name}:{stream}"


def _plan(inventory: Inventory) -> list[tuple[Package, str, list[str]]]:
    distro_ns = distro_namespace(inventory.distro) if inventory.distro is not None else None
    plan = []
    for pkg in inventory.packages:
        if not pkg.version or pkg.version == "(devel)":
            continue
        namespace = distro_ns if pkg.type.is_os else language_namespace(pkg)
        if namespace is None:
            continue
        plan.append((pkg, namespace, lookup_names(pkg, namespace)))
    return plan


def _hits(plan: list[tuple[Package, str, list[str]]], store: Store, extended_support: bool) -> list[_Hit]:
    rows = store.lookup_many((ns, name) for _, ns, names in plan for name in names)
    hits: list[_Hit] = []
    for pkg, namespace, names in plan:
        scheme = package_scheme(pkg)
        for name in names:
            for row in rows.get((namespace, name), ()):
                if row.status in _SKIPPED or row.informational:
                    continue
                if row.platform == "ubuntu-pro" and not extended_support:
                    continue
                if not _name_kind_ok(pkg, name, row) or not _module_ok(pkg, row):
                    continue
                try:
                    if not is_affected(scheme, pkg.version, row):
                        continue
                    fixed = fix_for(scheme, pkg.version, row) if row.status is Status.FIXED else ""
                except ValueError:
                    continue  # a version the scheme cannot read: no claim either way
                hits.append(_Hit(pkg, row, name, namespace, fixed))
    return hits


def _vuln_id(row: AffectedRow, advisory: Advisory | None) -> str:
    if row.advisory_id.startswith("CVE-"):
        return row.advisory_id
    aliases = advisory.aliases if advisory is not None else ()
    cves = sorted(a for a in aliases if a.startswith("CVE-"))
    return cves[0] if len(cves) == 1 else row.advisory_id


@dataclass(frozen=True, slots=True)
class _Scores:
    """What one CVE's enrichment says about severity, worked out once per CVE (not once per finding)."""

    vector: str = ""
    score: float | None = None
    fallback: tuple[Severity, str, str, float | None] | None = None
    """The CNA/ADP/NVD severity with its source, vector and score, for advisories without a vendor rating."""


_NO_SCORES = _Scores()


def _scores(enrichment: Enrichment | None) -> _Scores:
    if enrichment is None or not enrichment.cvss:
        return _NO_SCORES
    ranked = sorted(enrichment.cvss, key=lambda c: (_rank(c.source), c.version != "3.1", c.version))
    by_source = sorted(enrichment.cvss, key=lambda c: (_rank(c.source), c.version != "3.1"))
    fallback = next(((Severity[c.severity], c.source, c.vector, c.score) for c in by_source if c.severity), None)
    return _Scores(ranked[0].vector, ranked[0].score, fallback)


def _severity(hit: _Hit, advisory: Advisory | None, scores: _Scores) -> tuple[Severity, str, str, float | None]:
    """(severity, its source, cvss vector, cvss score): the vendor's first, then the CNA's/ADP's, then NVD's."""
    vector, score = scores.vector, scores.score
    if advisory is not None and advisory.cvss_vector:
        vector, score = advisory.cvss_vector, advisory.cvss_score
    vendor = normalize_severity(hit.row.severity)
    if vendor:
        return Severity[vendor], hit.row.source, vector, score
    if advisory is not None and advisory.severity:
        return Severity[advisory.severity], advisory.severity_source or advisory.source, vector, score
    if scores.fallback is not None:
        return scores.fallback
    return Severity.UNKNOWN, "", vector, score


def _rank(source: str) -> int:
    for i, prefix in enumerate(_CVSS_PREFERENCE):
        if source.startswith(prefix):
            return i
    return len(_CVSS_PREFERENCE)


def _prefer(a: _Hit, b: _Hit) -> _Hit:
    """Of two feeds' rows for the same package and vulnerability, the one with a fix; else the first."""
    if bool(b.fixed) and not a.fixed:
        return b
    return a


def match_inventory(inventory: Inventory, store: Store) -> list[Finding]:
    """Every vulnerability finding for the inventory's packages, most risky first."""
    plan = _plan(inventory)
    extended = inventory.distro.extended_support if inventory.distro is not None else False
    hits = _hits(plan, store, extended)
    advisories = store.advisories({(h.row.source, h.row.advisory_id) for h in hits})
    merged: dict[tuple[int, str], tuple[_Hit, set[str]]] = {}
    for hit in hits:
        adv = advisories.get((hit.row.source, hit.row.advisory_id))
        vid = _vuln_id(hit.row, adv)
        aliases = {hit.row.advisory_id, *(adv.aliases if adv else ())}
        key = (id(hit.package), vid)
        if key in merged:
            old, old_aliases = merged[key]
            merged[key] = (_prefer(old, hit), old_aliases | aliases)
        else:
            merged[key] = (hit, aliases)
    cves = {a for _, aliases in merged.values() for a in aliases if a.startswith("CVE-")}
    cves |= {vid for (_, vid) in merged if vid.startswith("CVE-")}
    enrichment = store.enrichment(cves)
    scores = {cve: _scores(e) for cve, e in enrichment.items()}
    findings = [
        _finding(vid, hit, aliases, advisories.get((hit.row.source, hit.row.advisory_id)), enrichment, scores)
        for (_, vid), (hit, aliases) in merged.items()
    ]
    findings.sort(key=_order)
    return findings


def _order(f: Finding) -> tuple[float, int, str, str]:
    risk = f.vulnerability.risk if f.vulnerability is not None else 0.0
    return (-risk, -f.severity, f.target, f.id)


def _finding(
    vid: str, hit: _Hit, aliases: Iterable[str], adv: Advisory | None, enrichment: dict[str, Enrichment],
    scores: dict[str, _Scores],
) -> Finding:
    pkg, row = hit.package, hit.row
    key = vid if vid in enrichment else next((a for a in sorted(aliases) if a in enrichment), None)
    enr = enrichment[key] if key is not None else None
    severity, sev_source, vector, score = _severity(hit, adv, scores[key] if key is not None else _NO_SCORES)
    epss = enr.epss if enr is not None else None
    kev = enr.kev if enr is not None else None
    status = _REPORTED.get(row.status, row.status.value)
    if row.status is Status.FIXED and not hit.fixed:
        status = "affected"  # in a range whose fix does not apply above this version (e.g. last_affected)
    how = f"{hit.namespace} {'source package' if hit.name != pkg.name else 'package'} {hit.name}"
    how += f" {pkg.version} < {hit.fixed}" if hit.fixed else f" {pkg.version}: {status}"
    vuln = Vulnerability(
        aliases=tuple(sorted(set(aliases) - {vid})),
        installed_version=pkg.version,
        fixed_version=hit.fixed,
        status=status,
        severity_source=sev_source,
        data_source=row.source,
        matched_by=how,
        cvss_vector=vector,
        cvss_score=score,
        epss_score=epss.score if epss else None,
        epss_percentile=epss.percentile if epss else None,
        kev=kev is not None,
        kev_due_date=kev.due_date if kev else "",
        risk=risk_score(severity, score, epss.score if epss else None, kev is not None),
        published=adv.published if adv else "",
        modified=adv.modified if adv else "",
    )
    title = (adv.summary if adv and adv.summary else "") or f"{vid} in {pkg.name}"
    fix = f"Upgrade {pkg.name} to {hit.fixed} or later." if hit.fixed else ""
    return Finding(
        check=CHECK,
        id=vid,
        severity=severity,
        title=title,
        description=adv.details if adv else "",
        remediation=fix,
        target=f"{pkg.name}@{pkg.version}",
        package=pkg,
        layer=pkg.layer,
        references=adv.references if adv else (),
        vulnerability=vuln,
    )
