"""Red Hat security data: CSAF 2.0 VEX and advisories (https://security.access.redhat.com/data/csaf/v2/), and
the legacy RHSA OVAL that Red Hat, and Rocky Linux for its RLSAs, publish.

CSAF: every product id of ``product_status`` is ``<platform>:<component>``; the platform resolves through the
product tree to a CPE (``cpe:/a:redhat:enterprise_linux:9::appstream`` -> namespace ``redhat:9``, the CPE kept
as the row's ``platform``), and the component is an NEVRA for ``fixed`` ids (the fixed version is its EVR,
module components ``nodejs:18:<ver>:<ctx>:nodejs-1:18.14...`` give the module stream) or a bare name for the
others. Statuses: ``fixed`` -> fixed; ``known_not_affected`` -> not_affected; ``under_investigation`` ->
undetermined; ``known_affected`` -> affected, or will_not_fix when a ``no_fix_planned`` remediation names the
product. Products of other platforms (OpenShift, Satellite on RHEL 6...) keep the namespace of the RHEL major
their CPE names (``::el8``), and are skipped when there is none.

OVAL: one ``patch`` definition per RHSA/RLSA; binary packages affected before an EVR, module streams from
``Module x:y is enabled`` criteria, severity from ``advisory/severity``, CVEs (with Red Hat's CVSS) as aliases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, as_dict, load_json, open_stream, text
from hullscan.vulndb.importers.debian_oval import strip_zero_epoch
from hullscan.vulndb.importers.oval import iter_definitions
from hullscan.vulndb.model import Advisory, Affected, Event, EventKind, NameKind, Record, Status, normalize_severity
from hullscan.vulndb.scoring import score_vector

_NEVRA = re.compile(r"^(?P<name>.+)-(?P<epoch>\d+):(?P<version>[^-:]+)-(?P<release>[^-:]+)\.(?P<arch>[^.]+)$")
_MODULE_COMPONENT = re.compile(r"^(?P<module>[^:]+:[^:]+):\d+:[0-9a-f]+:(?P<rest>.+)$")
_CPE_MAJOR = (
    re.compile(r"^cpe:/[ao]:redhat:(?:enterprise_linux|rhel_[a-z_]+|rhel)(?::|$)(\d+)?"),
    re.compile(r"::el(\d+)"),
)
_FILE = re.compile(r"(?:rhsa-RHEL|rlsa-)(\d+)\.xml")


def cpe_major(cpe: str) -> str:
    """The RHEL major release a product CPE belongs to, or ``""``.

    >>> cpe_major("cpe:/a:redhat:enterprise_linux:9::appstream"), cpe_major("cpe:/a:redhat:rhel_eus:9.2::baseos")
    ('9', '9')
    >>> cpe_major("cpe:/a:redhat:satellite_client:6::el8"), cpe_major("cpe:/a:redhat:openshift:4.14::el9")
    ('8', '9')
    """
    first = _CPE_MAJOR[0].match(cpe)
    if first and first.group(1):
        return first.group(1)
    if first:
        version = re.match(r"^cpe:/[ao]:redhat:[^:]+:(\d+)", cpe)
        if version:
            return version.group(1)
    suffix = _CPE_MAJOR[1].search(cpe)
    return suffix.group(1) if suffix else ""


def _product_cpes(tree: Any) -> dict[str, str]:
    """product_id -> CPE of every product named in the product tree's branches."""
    out: dict[str, str] = {}
    stack = list(tree.get("branches") or []) if isinstance(tree, dict) else []
    while stack:
        branch = stack.pop()
        if not isinstance(branch, dict):
            continue
        product = branch.get("product")
        if isinstance(product, dict):
            helper = product.get("product_identification_helper") or {}
            cpe = text(helper.get("cpe")) if isinstance(helper, dict) else ""
            if cpe and product.get("product_id"):
                out[text(product["product_id"])] = cpe
        stack.extend(branch.get("branches") or [])
    return out


def _component(component: str) -> tuple[str, str, str, str]:
    """(name, evr, arch, module) of a CSAF component id; evr and arch are empty for unversioned ids."""
    module = ""
    modular = _MODULE_COMPONENT.match(component)
    if modular:
        module, component = modular.group("module"), modular.group("rest")
    nevra = _NEVRA.match(component)
    if not nevra:
        return component, "", "", module
    epoch = nevra.group("epoch")
    evr = f"{nevra.group('version')}-{nevra.group('release')}"
    if epoch != "0":
        evr = f"{epoch}:{evr}"
    return nevra.group("name"), evr, nevra.group("arch"), module


class RedHatCsafImporter:
    name = "redhat-csaf"
    version = 1

    def __init__(self, source: str = "redhat-csaf") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return path.endswith(".json") and not path.rsplit("/", 1)[-1].startswith(".")

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        doc = as_dict(load_json(data), path)
        document = as_dict(doc.get("document"), f"{path}: document")
        if not text(document.get("category")).startswith("csaf"):
            raise RecordError(f"{path}: not a CSAF document")
        tracking = as_dict(document.get("tracking"), f"{path}: document.tracking")
        cpes = _product_cpes(doc.get("product_tree"))
        label = text((document.get("aggregate_severity") or {}).get("text"))
        rows: dict[tuple[Any, ...], Affected] = {}
        cves: list[str] = []
        vector, score = "", None
        for vuln in doc.get("vulnerabilities") or []:
            vuln = as_dict(vuln, f"{path}: vulnerabilities[]")
            if vuln.get("cve"):
                cves.append(text(vuln["cve"]))
            for entry in vuln.get("scores") or []:
                v3 = (entry or {}).get("cvss_v3") or {}
                if v3.get("vectorString") and (score is None or float(v3.get("baseScore") or 0) > score):
                    vector, score = text(v3["vectorString"]), float(v3.get("baseScore") or 0) or None
            no_fix: set[str] = set()
            for remediation in vuln.get("remediations") or []:
                if (remediation or {}).get("category") == "no_fix_planned":
                    no_fix.update(text(p) for p in remediation.get("product_ids") or [])
            status_lists = vuln.get("product_status") or {}
            for key, status in (
                ("fixed", Status.FIXED),
                ("known_affected", Status.AFFECTED),
                ("known_not_affected", Status.NOT_AFFECTED),
                ("under_investigation", Status.UNDETERMINED),
            ):
                for product_id in status_lists.get(key) or []:
                    product_id = text(product_id)
                    platform_id, sep, component = product_id.partition(":")
                    cpe = cpes.get(platform_id, "")
                    major = cpe_major(cpe)
                    if not sep or not major:
                        continue
                    name, evr, arch, module = _component(component)
                    row_status = Status.WILL_NOT_FIX if status is Status.AFFECTED and product_id in no_fix else status
                    if row_status is Status.FIXED and not evr:
                        continue
                    kind = NameKind.SOURCE if arch == "src" else NameKind.BINARY
                    rows.setdefault(
                        (major, name, evr, module, cpe, row_status, kind),
                        Affected(
                            namespace=f"redhat:{major}",
                            package=name,
                            status=row_status,
                            events=(Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, evr)) if evr else (),
                            fixed_version=evr,
                            severity=label,
                            module=module,
                            platform=cpe,
                            name_kind=kind,
                        ),
                    )
        advisory_id = text(tracking.get("id"))
        if not advisory_id:
            raise RecordError(f"{path}: CSAF document without tracking id")
        refs = tuple(text(r.get("url")) for r in document.get("references") or [] if isinstance(r, dict))
        yield Advisory(
            id=advisory_id,
            source=self.source,
            published=text(tracking.get("initial_release_date")),
            modified=text(tracking.get("current_release_date")),
            summary=text(document.get("title")),
            severity=normalize_severity(label),
            severity_source="vendor" if label else "",
            severity_label=label,
            cvss_vector=vector,
            cvss_score=score,
            references=refs,
            aliases=tuple(c for c in dict.fromkeys(cves) if c != advisory_id),
            affected=tuple(rows.values()),
        )


class RedHatOvalImporter:
    """RHSA OVAL (Red Hat) and RLSA OVAL (Rocky Linux): ``family`` is ``redhat`` or ``rocky``."""

    name = "redhat-oval"
    version = 1

    def __init__(self, source: str = "redhat-oval", family: str = "redhat") -> None:
        self.source = source
        self.family = family

    def wants(self, path: str) -> bool:
        return ".xml" in path

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        match = _FILE.search(path)
        fallback = match.group(1) if match else ""
        for d in iter_definitions(open_stream(data)):
            if d.cls != "patch":
                continue
            major = next((m.group(1) for p in d.platforms if (m := re.search(r"(\d+)\s*$", p))), fallback)
            if not major:
                raise RecordError(f"{path}: definition {d.id} names no release")
            advisory_id = next(
                (r[1] for r in d.references if r[0] in ("RHSA", "RLSA", "RHBA", "RHEA")),
                d.title.split(": ", 1)[0] or d.id,
            )
            rows: dict[tuple[str, str, str], Affected] = {}
            for pkg in d.packages:
                evr = strip_zero_epoch(pkg.evr)
                rows.setdefault(
                    (pkg.name, evr, pkg.module),
                    Affected(
                        namespace=f"{self.family}:{major}",
                        package=pkg.name,
                        status=Status.FIXED,
                        events=(Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, evr)),
                        fixed_version=evr,
                        severity=d.severity,
                        module=pkg.module,
                        name_kind=NameKind.BINARY,
                    ),
                )
            vector, score = "", None
            for cve in d.cves:
                raw = cve.attrs.get("cvss3", "")
                if "/" in raw:
                    head, _, vec = raw.partition("/")
                    value: float | None
                    try:
                        value = float(head)
                    except ValueError:
                        value, _ = score_vector(vec)
                    if value is not None and (score is None or value > score):
                        vector, score = vec, value
            title = d.title.split(": ", 1)[-1]  # "RHSA-2022:1729: java-17-openjdk security update (Important)"
            yield Advisory(
                id=advisory_id,
                source=self.source,
                published=d.issued,
                modified=d.updated or d.issued,
                summary=title,
                details=d.description,
                severity=normalize_severity(d.severity),
                severity_source="vendor" if d.severity else "",
                severity_label=d.severity,
                cvss_vector=vector,
                cvss_score=score,
                references=tuple(r[2] for r in d.references if r[2]),
                aliases=tuple(dict.fromkeys(c.id for c in d.cves if c.id)),
                affected=tuple(rows.values()),
            )
