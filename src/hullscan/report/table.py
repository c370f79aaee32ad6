"""``--format table``: a summary for people at a terminal."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hullscan.extract.eol import eol_date
from hullscan.match.remediation import remediation
from hullscan.model import Finding, Layer, LayerRef, Severity
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


def render_table(result: ScanResult, *, list_packages: bool = False, color: bool = False) -> str:
    """The report; ``color`` adds ANSI colors (the CLI sets it when writing to a terminal without NO_COLOR)."""
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
    lines += _findings(result, color=color)
    return "\n".join(lines) + "\n"


SECTIONS = {
    "os": "Operating system",
    "vuln": "Vulnerabilities",
    "secret": "Secrets",
    "misconfig": "Image configuration",
    "file": "Files and layers",
    "malware": "Malware",
    "license": "Licenses",
}
"""Scanner -> section title, in the order the sections are printed (unknown scanners follow)."""

_COLORS = {
    Severity.CRITICAL: "\x1b[1;31m",
    Severity.HIGH: "\x1b[31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[34m",
    Severity.UNKNOWN: "\x1b[2m",
}
_BOLD = "\x1b[1m"
_RESET = "\x1b[0m"


def _sev(severity: Severity, color: bool) -> str:
    """The severity label padded to one column width, colored when writing to a terminal."""
    label = f"{severity!s:<8}"
    return f"{_COLORS[severity]}{label}{_RESET}" if color else label


def _bold(text: str, color: bool) -> str:
    return f"{_BOLD}{text}{_RESET}" if color else text


def _where(layer: LayerRef | None, has_layers: bool) -> str:
    if layer is None or not has_layers:
        return ""
    return f"  [layer {layer.index + 1}]"


def _findings(result: ScanResult, *, color: bool) -> list[str]:
    """The summary by severity, then one section per scanner; vulnerabilities grouped by package."""
    findings = result.findings
    if not findings:
        return ["", "Findings: none"]
    has_layers = result.image.config is not None
    counts: Counter[Severity] = Counter(f.severity for f in findings)
    summary = "  ".join(f"{_sev(s, color).rstrip()} {counts.get(s, 0)}" for s in sorted(Severity, reverse=True))
    by_scanner: dict[str, list[Finding]] = {}
    for f in findings:
        by_scanner.setdefault(f.scanner, []).append(f)
    order = [s for s in SECTIONS if s in by_scanner] + [s for s in by_scanner if s not in SECTIONS]
    lines = ["", _bold(f"Findings: {len(findings)}", color) + f"   {summary}"]
    if len(order) > 1:
        lines.append("  " + ", ".join(f"{len(by_scanner[s])} {SECTIONS.get(s, s).lower()}" for s in order))
    for scanner in order:
        group = by_scanner[scanner]
        lines += ["", _bold(f"{SECTIONS.get(scanner, scanner)} ({len(group)})", color)]
        if scanner == "vuln":
            lines += _vulnerabilities(group, has_layers, color)
        else:
            lines += _other(group, has_layers, color)
    rem = remediation(findings)
    if rem.total:
        lines += ["", _bold(f"Remediation: {rem.summary}", color)]
        for u in rem.upgrades[:30]:
            lines.append(f"  {u.package.name} {u.package.version} -> {u.to_version}  ({len(u.fixes)} fixed)")
        if len(rem.upgrades) > 30:
            lines.append(f"  … and {len(rem.upgrades) - 30} more (see --format json)")
        lines += [f"  $ {c}" for c in rem.commands]
    return lines


def _vulnerabilities(group: list[Finding], has_layers: bool, color: bool) -> list[str]:
    """Grouped by package, packages in the order of their first finding (the --sort order)."""
    packages: dict[tuple[str, ...], list[Finding]] = {}
    for f in group:
        p = f.package
        key = (p.type.value, p.namespace, p.name, p.version, p.found_in) if p is not None else ("", f.target)
        packages.setdefault(key, []).append(f)
    lines: list[str] = []
    for items in packages.values():
        first = items[0]
        p = first.package
        head = f"{p.name} {p.version} ({p.type.value})" if p is not None else first.target
        fixes = {f.vulnerability.fixed_version for f in items if f.vulnerability and f.vulnerability.fixed_version}
        fixable = sum(1 for f in items if f.vulnerability is not None and f.vulnerability.fixed_version)
        note = f"  {fixable} of {len(items)} fixed upstream" if fixes else "  no fix yet"
        lines.append(f"  {_bold(head, color)}{note}{_where(first.layer, has_layers)}")
        if p is not None and p.found_in and not p.type.is_os:
            lines.append(f"    in /{p.found_in}")
        for f in items:
            v = f.vulnerability
            assert v is not None
            fix = v.fixed_version or {"affected": "no fix yet"}.get(v.status, v.status.replace("_", " "))
            flags = ("  KEV" if v.kev else "") + (f"  EPSS {v.epss_score:.2f}" if v.epss_score is not None else "")
            lines.append(f"    {_sev(f.severity, color)}  {f.id:<20}  fix: {_short(fix, 24):<24}  "
                         f"{_short(f.title, 60)}{flags}")
    return lines


def _other(group: list[Finding], has_layers: bool, color: bool) -> list[str]:
    lines: list[str] = []
    for f in group:
        where = f.location or f.target
        head = f"  {_sev(f.severity, color)}  {f.id}  {_short(f.title, 70)}"
        lines.append(head + _where(f.layer, has_layers))
        if where and where != f.title:
            lines.append(f"  {'':<8}  at: {_short(where, 100)}")
        if f.evidence:
            lines.append(f"  {'':<8}  seen: {_short(f.evidence, 100)}")
        for label, value in f.details:
            lines.append(f"  {'':<8}  {label}: {_short(value, 100)}")
        if f.remediation:
            lines.append(f"  {'':<8}  fix: {_short(f.remediation, 110)}")
    return lines
