"""``--format table``: a summary for people at a terminal."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hullscan.extract.eol import eol_date
from hullscan.match.remediation import remediation
from hullscan.model import Layer, Severity
from hullscan.scan import ScanResult


def _size(n: int) -> str:
    if n < 0:
        return "?"
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"  # pragma: no cover


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _os_line(result: ScanResult) -> str:
    d = result.inventory.distro
    if d is None:
        return "unknown (no OS release file found)"
    text = f"{d.family} {d.release}"
    if d.codename:
        text += f" ({d.codename})"
    if d.extended_support:
        text += " [extended support]"
    eol = eol_date(d)
    if eol is not None and eol < date.today():
        text += f" [END OF LIFE since {eol.isoformat()}: no more security fixes]"
    return text


def _layer_row(layer: Layer) -> str:
    digest = (layer.digest or layer.diff_id).removeprefix("sha256:")[:12] or "-"
    return f"  {layer.index + 1:>3}  {digest:<12}  {_size(layer.size):>9}  {_short(layer.created_by, 80) or '-'}"


def render_table(result: ScanResult, *, list_packages: bool = False) -> str:
    image = result.image
    inv = result.inventory
    cfg = image.config
    lines = [f"{image.name} ({_os_line(result)})", ""]
    if cfg is not None:
        lines.append(f"  image id    {image.image_id}")
        if image.manifest_digest:
            lines.append(f"  manifest    {image.manifest_digest}")
        if image.repo_tags:
            lines.append(f"  tags        {', '.join(image.repo_tags)}")
        platform = "/".join(p for p in (cfg.os, cfg.architecture, cfg.variant) if p)
        lines.append(f"  platform    {platform or '-'}")
    stats = result.stats
    if image.source.startswith("sbom:"):
        lines.append(f"  read from   a {image.source.removeprefix('sbom:')} SBOM (no layers or files)")
    else:
        lines.append(
            f"  layers      {stats.layers}"
            + (f" ({stats.layers_from_cache} from cache)" if cfg is not None else "")
        )
        lines.append(f"  files       {inv.file_count:,}")
    if inv.distro is not None:
        where = inv.distro.source_file
        if inv.distro_layer is not None and cfg is not None:
            where += f", layer {inv.distro_layer.index + 1}"
        lines.append(f"  os          {_os_line(result)}  (from {where})")
    counts = Counter(p.type.value for p in inv.packages)
    lines.append(
        "  packages    "
        + (", ".join(f"{n:,} {t}" for t, n in sorted(counts.items())) if counts else "none found")
    )
    if list_packages and inv.packages:
        lines += ["", "Packages", f"  {'TYPE':<4}  {'NAME':<32}  {'VERSION':<28}  {'ARCH':<8}  LAYER"]
        for p in inv.packages:
            layer = str(p.layer.index + 1) if p.layer is not None and cfg is not None else "-"
            lines.append(f"  {p.type.value:<4}  {_short(p.name, 32):<32}  {_short(p.version, 28):<28}  "
                         f"{p.arch or '-':<8}  {layer}")
    if cfg is not None and image.layers:
        lines += ["", "Layers", "    #  DIGEST             SIZE  CREATED BY"]
        lines += [_layer_row(layer) for layer in image.layers]
    if inv.warnings:
        lines += ["", f"Warnings ({len(inv.warnings)})"]
        for w in inv.warnings[:50]:
            where = f"{w.path}: " if w.path else ""
            layer = f" [layer {w.layer.index + 1}]" if w.layer is not None and cfg is not None else ""
            lines.append(f"  {where}{w.message}{layer}")
        if len(inv.warnings) > 50:
            lines.append(f"  … and {len(inv.warnings) - 50} more (see --format json)")
    if not result.findings:
        lines += ["", "Findings: none"]
    else:
        by_severity: Counter[Severity] = Counter(f.severity for f in result.findings)
        summary = ", ".join(f"{n} {s}" for s, n in sorted(by_severity.items(), reverse=True))
        lines += ["", f"Findings ({len(result.findings)}: {summary})"]
        for f in result.findings:
            layer = f"  [layer {f.layer.index + 1}]" if f.layer is not None and cfg is not None else ""
            v = f.vulnerability
            if v is None:
                lines.append(f"  {f.severity!s:<8}  {f.id}  {f.title}{layer}")
                if f.remediation:
                    lines.append(f"  {'':<8}  fix: {f.remediation}")
                continue
            fix = v.fixed_version or {"affected": "no fix yet"}.get(v.status, v.status.replace("_", " "))
            flags = (" KEV" if v.kev else "") + (f" EPSS {v.epss_score:.2f}" if v.epss_score is not None else "")
            lines.append(f"  {f.severity!s:<8}  {f.id:<20}  {_short(f.target, 40):<40}  fix: {fix}{flags}{layer}")
        rem = remediation(result.findings)
        if rem.total:
            lines += ["", f"Remediation: {rem.summary}"]
            for u in rem.upgrades[:30]:
                lines.append(f"  {u.package.name} {u.package.version} -> {u.to_version}  ({len(u.fixes)} fixed)")
            lines += [f"  $ {c}" for c in rem.commands]
    return "\n".join(lines) + "\n"
