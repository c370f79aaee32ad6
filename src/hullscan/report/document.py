"""The versioned report document (what ``--format json`` prints). Fields are added, never renamed.

Every field is described in ``report-v1.schema.json`` (:data:`SCHEMA_FILE`, shipped in the wheel) and for
people in docs/json-report.md; tests/report/test_json_schema.py keeps the schema and this module in step.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from hullscan import __version__
from hullscan.extract.eol import eol_date
from hullscan.model import Distro, Finding, LayerRef, Package, Vulnerability
from hullscan.scan import ScanResult

REPORT_SCHEMA = "hullscan.report/v1"
SCHEMA_FILE = Path(__file__).with_name("report-v1.schema.json")


def _layer_ref(ref: LayerRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"index": ref.index, "digest": ref.digest, "diff_id": ref.diff_id, "created_by": ref.created_by}


def _os(distro: Distro | None, layer: LayerRef | None) -> dict[str, Any] | None:
    if distro is None:
        return None
    eol = eol_date(distro)
    return {
        "family": distro.family,
        "release": distro.release,
        "codename": distro.codename,
        "pretty_name": distro.pretty_name,
        "source_file": distro.source_file,
        "extended_support": distro.extended_support,
        "eol_date": eol.isoformat() if eol else None,
        "end_of_life": eol is not None and eol < date.today(),
        "layer": _layer_ref(layer),
    }


def package_document(p: Package) -> dict[str, Any]:
    return {
        "type": p.type.value,
        "name": p.name,
        "namespace": p.namespace,
        "version": p.version,
        "epoch": p.epoch,
        "release": p.release,
        "arch": p.arch,
        "source_name": p.source_name,
        "source_version": p.source_version,
        "licenses": list(p.licenses),
        "maintainer": p.maintainer,
        "checksum": p.checksum,
        "module": p.module,
        "purl": p.purl,
        "found_in": p.found_in,
        "extractor": p.extractor,
        "files": len(p.files),
        "layer": _layer_ref(p.layer),
        "declared": p.declared,
        "main_module": p.main_module,
    }


def report_document(result: ScanResult) -> dict[str, Any]:
    image = result.image
    cfg = image.config
    inv = result.inventory
    return {
        "schema": REPORT_SCHEMA,
        "generator": {"name": "hullscan", "version": __version__},
        "artifact": {
            "name": image.name,
            "source": image.source,
            "image_id": image.image_id,
            "manifest_digest": image.manifest_digest,
            "repo_tags": list(image.repo_tags),
            "repo_digests": list(image.repo_digests),
            "os": cfg.os if cfg else "",
            "architecture": cfg.architecture if cfg else "",
            "variant": cfg.variant if cfg else "",
            "created": cfg.created if cfg else "",
            "layers": [
                {
                    "index": layer.index,
                    "digest": layer.digest,
                    "diff_id": layer.diff_id,
                    "media_type": layer.media_type,
                    "size": layer.size,
                    "created_by": layer.created_by,
                }
                for layer in image.layers
            ],
        },
        "os": _os(inv.distro, inv.distro_layer),
        "summary": {
            "files": inv.file_count,
            "packages": dict(sorted(Counter(p.type.value for p in inv.packages).items())),
            "layers": result.stats.layers,
            "layers_from_cache": result.stats.layers_from_cache,
            "warnings": len(inv.warnings),
            "findings": len(result.findings),
            "by_severity": dict(Counter(str(f.severity) for f in result.findings)),
        },
        "warnings": [
            {"message": w.message, "path": w.path, "extractor": w.extractor, "layer": _layer_ref(w.layer)}
            for w in inv.warnings
        ],
        "packages": [package_document(p) for p in inv.packages],
        "findings": [finding_document(f) for f in result.findings],
        "remediation": _remediation(result),
        **({"filters": result.filters.document()} if result.filters is not None else {}),
    }


def _remediation(result: ScanResult) -> dict[str, Any]:
    from hullscan.match.remediation import remediation

    rem = remediation(result.findings)
    return {
        "summary": rem.summary,
        "fixable": rem.fixable,
        "total": rem.total,
        "upgrades": [{"type": u.package.type.value, "name": u.package.name, "from": u.package.version,
                      "to": u.to_version, "fixes": list(u.fixes)} for u in rem.upgrades],
        "commands": list(rem.commands),
    }


def finding_document(f: Finding) -> dict[str, Any]:
    return {
        "scanner": f.scanner,
        "check": f.check,
        "id": f.id,
        "category": f.category,
        "severity": str(f.severity),
        "title": f.title,
        "description": f.description,
        "remediation": f.remediation,
        "target": f.target,
        "package": None if f.package is None else {"type": f.package.type.value, "name": f.package.name,
                                                   "version": f.package.version, "purl": f.package.purl},
        "layer": _layer_ref(f.layer),
        "references": list(f.references),
        "path": f.path,
        "line": f.line,
        "evidence": f.evidence,
        "details": [{"label": label, "value": value} for label, value in f.details],
        "vulnerability": None if f.vulnerability is None else _vulnerability(f.vulnerability),
    }


def _vulnerability(v: Vulnerability) -> dict[str, Any]:
    return {
        "aliases": list(v.aliases),
        "installed_version": v.installed_version,
        "fixed_version": v.fixed_version,
        "status": v.status,
        "severity_source": v.severity_source,
        "cvss": {"vector": v.cvss_vector, "score": v.cvss_score} if v.cvss_vector or v.cvss_score else None,
        "epss": {"score": v.epss_score, "percentile": v.epss_percentile} if v.epss_score is not None else None,
        "kev": {"due_date": v.kev_due_date} if v.kev else None,
        "risk": v.risk,
        "data_source": v.data_source,
        "matched_by": v.matched_by,
        "published": v.published,
        "modified": v.modified,
    }
