"""``--format html``: one self-contained page (no external assets) a person would rather look at than read.

A header (image, OS, platform, package counts), summary cards and a severity chart (inline SVG), the remediation
summary with its commands, findings per layer with the instruction that made each layer, a findings table that
sorts by any column and filters by text, minimum severity and "fixable only" (a few lines of vanilla JS), and the
inventory folded away. Every value that comes from the image or the advisories goes through ``html.escape``;
links are written only for ``http(s)`` URLs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from html import escape

from hullscan import __version__
from hullscan.match.remediation import Remediation, remediation
from hullscan.model import Finding, Severity
from hullscan.report.gitlab import advisory_url
from hullscan.report.spdx import image_identity
from hullscan.scan import ScanResult

_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.UNKNOWN)
_COLORS = {Severity.CRITICAL: "#8b0000", Severity.HIGH: "#d9480f", Severity.MEDIUM: "#e8a200",
           Severity.LOW: "#2b8a3e", Severity.UNKNOWN: "#868e96"}

_CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d232a;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px;overflow-wrap:anywhere}
header p{margin:4px 0 0;color:#c9d1d9;overflow-wrap:anywhere}header code{color:#fff}
main{padding:18px 28px;max-width:1500px}
section{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:14px 18px;margin:0 0 18px;overflow-x:auto}
h2{font-size:16px;margin:0 0 10px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef0f2;vertical-align:top}
th{cursor:pointer;user-select:none;background:#fafbfc;position:sticky;top:0;white-space:nowrap}
th.sorted-asc::after{content:" \\25B2"}th.sorted-desc::after{content:" \\25BC"}
td.nw{white-space:nowrap}td.wrap{overflow-wrap:anywhere;min-width:14em}td.num{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;min-width:74px;padding:1px 6px;border-radius:4px;color:#fff;font-weight:600;font-size:12px;text-align:center}
.muted{color:#6a737d}.kev{background:#8b0000;color:#fff;border-radius:3px;padding:0 4px;font-size:11px;margin-left:4px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}pre{background:#f6f8fa;padding:8px;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.summary{display:flex;gap:28px;flex-wrap:wrap;align-items:center}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #e1e4e8;border-radius:8px;padding:8px 14px;background:#fff;min-width:96px}
.card b{font-size:22px;display:block}
.filters{display:flex;gap:14px;align-items:center;flex-wrap:wrap;margin-bottom:8px}
.filters input[type=search]{padding:6px 8px;border:1px solid #d0d7de;border-radius:6px;width:320px}
.filters select{padding:5px;border:1px solid #d0d7de;border-radius:6px}
summary{cursor:pointer}summary h2{display:inline}
"""

_JS = """
document.querySelectorAll('table.sortable').forEach(function(t){
  t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
    var asc=!th.classList.contains('sorted-asc');t.querySelectorAll('th').forEach(function(h){h.className=''});
    th.className=asc?'sorted-asc':'sorted-desc';var body=t.tBodies[0];
    var rows=Array.prototype.slice.call(body.rows);rows.sort(function(a,b){
      var x=a.cells[i].getAttribute('data-v'),y=b.cells[i].getAttribute('data-v');
      if(x===null)x=a.cells[i].textContent;if(y===null)y=b.cells[i].textContent;
      var nx=parseFloat(x),ny=parseFloat(y);var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c});
    rows.forEach(function(r){body.appendChild(r)})})})});
(function(){
  var q=document.getElementById('filter'),sev=document.getElementById('min-severity'),fix=document.getElementById('fixable'),
      shown=document.getElementById('shown');if(!q)return;
  function apply(){var text=q.value.toLowerCase(),min=parseInt(sev.value,10),n=0;
    document.querySelectorAll('#findings tbody tr').forEach(function(r){
      var ok=r.textContent.toLowerCase().indexOf(text)>=0&&parseInt(r.getAttribute('data-severity'),10)>=min&&
             (!fix.checked||r.getAttribute('data-fixable')==='1');
      r.style.display=ok?'':'none';if(ok)n++});
    shown.textContent=n}
  [q,sev,fix].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply)});apply()})();
"""


def _sev(s: Severity) -> str:
    return f'<span class="sev" style="background:{_COLORS[s]}">{s}</span>'


def _link(url: str, text: str) -> str:
    """``text`` (already escaped) as a link when ``url`` is http(s); never a ``javascript:`` or data URL."""
    if not url.startswith(("https://", "http://")):
        return text
    return f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer">{text}</a>'


def _chart(findings: Iterable[Finding]) -> str:
    counts = Counter(f.severity for f in findings)
    top = max([counts.get(s, 0) for s in _ORDER] + [1])
    bars = []
    for i, s in enumerate(_ORDER):
        n = counts.get(s, 0)
        width = round(380 * n / top) if n else 0
        y = 6 + i * 28
        bars.append(f'<text x="0" y="{y + 15}" font-size="12" fill="#1d232a">{s}</text>'
                    f'<rect x="92" y="{y}" width="380" height="20" fill="#f1f3f5" rx="3"/>'
                    f'<rect x="92" y="{y}" width="{width}" height="20" fill="{_COLORS[s]}" rx="3">'
                    f"<title>{s}: {n}</title></rect>"
                    f'<text x="{98 + width}" y="{y + 15}" font-size="12" font-weight="600" fill="#1d232a">{n}</text>')
    return (f'<svg role="img" aria-label="findings by severity" width="520" height="{6 + 28 * len(_ORDER)}" '
            f'viewBox="0 0 520 {6 + 28 * len(_ORDER)}"><title>Findings by severity</title>{"".join(bars)}</svg>')


def _cards(result: ScanResult, rem: Remediation) -> str:
    kev = sum(1 for f in result.findings if f.vulnerability is not None and f.vulnerability.kev)
    items = [("findings", len(result.findings)), ("fixable", rem.fixable), ("known exploited", kev),
             ("packages", len(result.inventory.packages)), ("layers", len(result.image.layers)),
             ("files", result.inventory.file_count)]
    return "".join(f'<div class="card"><b>{n:,}</b>{escape(label)}</div>' for label, n in items)


def _per_layer(result: ScanResult) -> str:
    packages = Counter(p.layer.index for p in result.inventory.packages if p.layer is not None)
    rows = []
    for layer in result.image.layers:
        here = Counter(f.severity for f in result.findings if f.layer is not None and f.layer.index == layer.index)
        cells = "".join(f"<td class='num' data-v='{here.get(s, 0)}'>{here.get(s, 0) or ''}</td>" for s in _ORDER)
        rows.append(f"<tr><td class='num' data-v='{layer.index + 1}'>{layer.index + 1}</td>"
                    f"<td class='wrap'><code>{escape(layer.created_by or '-')}</code></td>"
                    f"<td class='num' data-v='{packages.get(layer.index, 0)}'>{packages.get(layer.index, 0)}</td>"
                    f"{cells}<td class='num' data-v='{sum(here.values())}'>{sum(here.values())}</td></tr>")
    head = "".join(f"<th>{s}</th>" for s in _ORDER)
    return (f'<table class="sortable"><thead><tr><th>#</th><th>Created by</th><th>Packages</th>{head}'
            f"<th>Total</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _finding_row(f: Finding) -> str:
    v = f.vulnerability
    refs = [r for r in f.references if r.startswith(("https://", "http://"))]
    if refs or v is not None:
        ident = _link(refs[0] if refs else advisory_url(f.id), escape(f.id))
    else:
        ident = f"<span title=\"{escape(f.check, quote=True)}\">{escape(f.id)}</span>"
    target = escape(f.location or f.target)
    extra = "".join(f"<div class='muted'>{escape(label)}: {escape(value)}</div>"
                    for label, value in (("seen", f.evidence), *f.details) if value)
    if v is not None and v.kev:
        due = f", due {v.kev_due_date}" if v.kev_due_date else ""
        ident += f'<span class="kev" title="{escape(f"CISA known exploited vulnerability{due}", quote=True)}">KEV</span>'
    fixed = escape(v.fixed_version) if v is not None and v.fixed_version else ""
    status = escape(v.status.replace("_", " ")) if v is not None else ""
    risk = v.risk if v is not None else -1.0
    epss = f"{v.epss_score:.3f}" if v is not None and v.epss_score is not None else ""
    layer = f.layer.index + 1 if f.layer is not None else 0
    created_by = escape(f.layer.created_by, quote=True) if f.layer is not None else ""
    tip = escape(" ".join((f.description or f.remediation).split())[:600], quote=True)
    fixable = "1" if v is not None and v.fixed_version else "0"
    return (f"<tr data-severity='{int(f.severity)}' data-fixable='{fixable}'>"
            f"<td class='nw' data-v='{int(f.severity)}'>{_sev(f.severity)}</td>"
            f"<td class='nw'>{ident}</td><td class='wrap'>{target}</td>"
            f"<td class='nw'>{fixed}</td><td class='nw'>{status}</td>"
            f"<td class='num' data-v='{risk}'>{risk if v is not None else ''}</td>"
            f"<td class='num' data-v='{v.epss_score if v is not None and v.epss_score is not None else -1}'>{epss}</td>"
            f"<td class='num' data-v='{layer}' title=\"{created_by}\">{layer or ''}</td>"
            f"<td class='wrap' title=\"{tip}\">{escape(f.title)}{extra}</td></tr>")


def _findings(findings: tuple[Finding, ...]) -> str:
    if not findings:
        return "<p>No findings.</p>"
    options = "".join(f"<option value='{int(s)}'>{s} and above</option>" for s in _ORDER[:-1])
    return ('<div class="filters"><input type="search" id="filter" placeholder="Filter: id, package, title…">'
            f"<label>Severity <select id='min-severity'><option value='0'>all</option>{options}</select></label>"
            "<label><input type='checkbox' id='fixable'> fixable only</label>"
            f"<span class='muted'>showing <b id='shown'>{len(findings)}</b> of {len(findings)}</span></div>"
            '<table id="findings" class="sortable"><thead><tr><th>Severity</th><th>Id</th><th>Package or file</th>'
            "<th>Fixed in</th><th>Status</th><th>Risk</th><th>EPSS</th><th>Layer</th><th>Title</th></tr></thead>"
            f"<tbody>{''.join(_finding_row(f) for f in findings)}</tbody></table>")


def _remediation(rem: Remediation) -> str:
    upgrades = "".join(f"<li><b>{escape(u.package.name)}</b> {escape(u.package.version)} &rarr; "
                       f"{escape(u.to_version)} <span class='muted'>(fixes {len(u.fixes)})</span></li>"
                       for u in rem.upgrades)
    commands = "".join(f"<pre>{escape(c)}</pre>" for c in rem.commands)
    return f"<h2>Remediation: {escape(rem.summary)}</h2>" + (f"<ul>{upgrades}</ul>" if upgrades else "") + commands


def _inventory(result: ScanResult) -> str:
    rows = "".join(
        f"<tr><td class='nw'>{escape(p.type.value)}</td><td class='wrap'>{escape(p.name)}</td>"
        f"<td class='wrap'>{escape(p.version)}</td>"
        f"<td class='num' data-v='{p.layer.index + 1 if p.layer else 0}'>{p.layer.index + 1 if p.layer else ''}</td>"
        f"<td class='wrap'><code>{escape(p.found_in)}</code></td><td class='wrap'><code>{escape(p.purl)}</code></td></tr>"
        for p in result.inventory.packages)
    return (f"<details><summary><h2>Inventory ({len(result.inventory.packages):,} packages)</h2></summary>"
            '<table class="sortable"><thead><tr><th>Type</th><th>Name</th><th>Version</th><th>Layer</th>'
            f"<th>Found in</th><th>PURL</th></tr></thead><tbody>{rows}</tbody></table></details>")


def render_html(result: ScanResult) -> str:
    image, inv = result.image, result.inventory
    name, version = image_identity(image)
    title = f"{name}:{version}" if version and not version.startswith("sha256:") else name
    distro = inv.distro
    os_text = (distro.pretty_name or f"{distro.family} {distro.release}") if distro is not None else "unknown OS"
    counts = Counter(p.type.value for p in inv.packages)
    packages = ", ".join(f"{n:,} {t}" for t, n in sorted(counts.items())) or "no packages"
    cfg = image.config
    platform = "/".join(p for p in (cfg.os, cfg.architecture, cfg.variant) if p) if cfg is not None else ""
    facts = [os_text, f"{len(inv.packages):,} packages ({packages})"]
    facts += [platform] if platform else []
    rem = remediation(result.findings)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>hullscan: {escape(title)}</title><style>{_CSS}</style></head>
<body><header><h1>{escape(title)}</h1>
<p>{" &middot; ".join(escape(x) for x in facts)}</p>
<p>{escape(image.name)} &middot; image id <code>{escape(image.image_id or "-")}</code>
 &middot; scanned by hullscan {escape(__version__)}</p></header>
<main>
<section><h2>Summary</h2><div class="summary"><div class="cards">{_cards(result, rem)}</div>{_chart(result.findings)}</div></section>
<section>{_remediation(rem)}</section>
<section><h2>Findings per layer</h2>{_per_layer(result)}</section>
<section><h2>Findings</h2>{_findings(result.findings)}</section>
<section>{_inventory(result)}</section>
</main><script>{_JS}</script></body></html>
"""
