"""``--format html``: one self-contained page (no external assets) a person would rather look at than read.

A header (image, OS, counts), a severity chart (inline SVG), findings per layer with the instruction that
made each layer, a sortable and filterable findings table, the remediation summary with its commands, and the
inventory folded away. Every value from the image or the advisories is HTML-escaped.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from hullscan import __version__
from hullscan.match.remediation import remediation
from hullscan.model import Finding, Severity
from hullscan.scan import ScanResult

_COLORS = {Severity.CRITICAL: "#8b0000", Severity.HIGH: "#d9480f", Severity.MEDIUM: "#e8a200",
           Severity.LOW: "#2b8a3e", Severity.UNKNOWN: "#868e96"}

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#1d232a;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px;word-break:break-all}
header p{margin:4px 0 0;color:#c9d1d9}main{padding:18px 28px;max-width:1400px}
section{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:14px 18px;margin:0 0 18px}
h2{font-size:16px;margin:0 0 10px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef0f2;vertical-align:top}
th{cursor:pointer;user-select:none;background:#fafbfc;position:sticky;top:0}
th.sorted-asc::after{content:" \\25B2"}th.sorted-desc::after{content:" \\25BC"}
.sev{display:inline-block;min-width:70px;padding:1px 6px;border-radius:4px;color:#fff;font-weight:600;font-size:12px;text-align:center}
.muted{color:#6a737d}.kev{background:#8b0000;color:#fff;border-radius:3px;padding:0 4px;font-size:11px}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}pre{background:#f6f8fa;padding:8px;overflow:auto}
input{padding:6px 8px;border:1px solid #d0d7de;border-radius:6px;width:320px;margin-bottom:8px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #e1e4e8;border-radius:8px;padding:8px 14px;background:#fff}
.card b{font-size:20px;display:block}
"""

_JS = """
document.querySelectorAll('table.sortable').forEach(function(t){
  t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
    var asc=!th.classList.contains('sorted-asc');t.querySelectorAll('th').forEach(function(h){h.className=''});
    th.className=asc?'sorted-asc':'sorted-desc';var body=t.tBodies[0];
    var rows=Array.prototype.slice.call(body.rows);rows.sort(function(a,b){
      var x=a.cells[i].getAttribute('data-v')||a.cells[i].textContent,y=b.cells[i].getAttribute('data-v')||b.cells[i].textContent;
      var nx=parseFloat(x),ny=parseFloat(y);var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?c:-c});
    rows.forEach(function(r){body.appendChild(r)})})})});
var f=document.getElementById('filter');if(f){f.addEventListener('input',function(){var q=f.value.toLowerCase();
  document.querySelectorAll('#findings tbody tr').forEach(function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':''})})}
"""


def _sev(s: Severity) -> str:
    return f'<span class="sev" style="background:{_COLORS[s]}">{s}</span>'


def _chart(findings: tuple[Finding, ...]) -> str:
    counts = Counter(f.severity for f in findings)
    order = [Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.UNKNOWN]
    top = max([counts.get(s, 0) for s in order] + [1])
    bars = []
    for i, s in enumerate(order):
        n = counts.get(s, 0)
        width = round(360 * n / top)
        y = 8 + i * 26
        bars.append(f'<text x="0" y="{y + 14}" font-size="12">{s}</text>'
                    f'<rect x="90" y="{y}" width="{width}" height="18" fill="{_COLORS[s]}" rx="3"/>'
                    f'<text x="{96 + width}" y="{y + 14}" font-size="12">{n}</text>')
    return f'<svg role="img" aria-label="findings by severity" width="520" height="140">{"".join(bars)}</svg>'


def _per_layer(result: ScanResult) -> str:
    rows = []
    for layer in result.image.layers:
        here = [f for f in result.findings if f.layer is not None and f.layer.index == layer.index]
        counts = Counter(f.severity for f in here)
        cells = "".join(f"<td data-v='{counts.get(s, 0)}'>{counts.get(s, 0) or ''}</td>"
                        for s in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.UNKNOWN))
        rows.append(f"<tr><td data-v='{layer.index + 1}'>{layer.index + 1}</td>"
                    f"<td><code>{escape(layer.created_by or '-')}</code></td>{cells}</tr>")
    head = "".join(f"<th>{s}</th>" for s in ("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"))
    return (f'<table class="sortable"><thead><tr><th>#</th><th>Created by</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _findings(findings: tuple[Finding, ...]) -> str:
    rows = []
    for f in findings:
        v = f.vulnerability
        ident = escape(f.id)
        if f.references:
            ident = f'<a href="{escape(f.references[0], quote=True)}" rel="noopener noreferrer">{ident}</a>'
        fixed = escape(v.fixed_version) if v and v.fixed_version else (escape(v.status) if v else "")
        extra = (' <span class="kev">KEV</span>' if v and v.kev else "")
        epss = f"{v.epss_score:.3f}" if v and v.epss_score is not None else ""
        layer = str(f.layer.index + 1) if f.layer is not None else ""
        rows.append(
            f"<tr><td data-v='{int(f.severity)}'>{_sev(f.severity)}</td><td>{ident}{extra}</td>"
            f"<td>{escape(f.target)}</td><td>{fixed}</td>"
            f"<td data-v='{v.risk if v else 0}'>{v.risk if v else ''}</td><td>{epss}</td>"
            f"<td>{escape(layer)}</td><td>{escape(f.title)}</td></tr>")
    return ('<input id="filter" placeholder="Filter findings (id, package, title...)">'
            '<table id="findings" class="sortable"><thead><tr><th>Severity</th><th>Id</th><th>Package</th>'
            '<th>Fixed in</th><th>Risk</th><th>EPSS</th><th>Layer</th><th>Title</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def render_html(result: ScanResult) -> str:
    image, inv = result.image, result.inventory
    distro = f"{inv.distro.family} {inv.distro.release}" if inv.distro else "unknown OS"
    counts = Counter(p.type.value for p in inv.packages)
    rem = remediation(result.findings)
    cards = "".join(f'<div class="card"><b>{n}</b>{escape(label)}</div>' for label, n in (
        ("findings", len(result.findings)), ("packages", len(inv.packages)), ("layers", len(image.layers)),
        ("files", inv.file_count)))
    packages = "".join(
        f"<tr><td>{escape(p.type.value)}</td><td>{escape(p.name)}</td><td>{escape(p.version)}</td>"
        f"<td>{p.layer.index + 1 if p.layer else ''}</td><td><code>{escape(p.purl)}</code></td></tr>"
        for p in inv.packages)
    upgrades = "".join(f"<li><b>{escape(u.package.name)}</b> {escape(u.package.version)} &rarr; "
                       f"{escape(u.to_version)} <span class='muted'>({len(u.fixes)} fixed)</span></li>"
                       for u in rem.upgrades)
    commands = "".join(f"<pre>{escape(c)}</pre>" for c in rem.commands)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>hullscan: {escape(image.name)}</title><style>{_CSS}</style></head>
<body><header><h1>{escape(image.name)}</h1>
<p>{escape(distro)} &middot; {escape(", ".join(f"{n} {t}" for t, n in sorted(counts.items())) or "no packages")}
 &middot; image id <code>{escape(image.image_id or "-")}</code> &middot; hullscan {escape(__version__)}</p></header>
<main>
<section><h2>Summary</h2><div class="cards">{cards}</div>{_chart(result.findings)}</section>
<section><h2>Remediation: {escape(rem.summary)}</h2><ul>{upgrades}</ul>{commands}</section>
<section><h2>Findings per layer</h2>{_per_layer(result)}</section>
<section><h2>Findings</h2>{_findings(result.findings)}</section>
<section><details><summary><h2 style="display:inline">Inventory ({len(inv.packages)} packages)</h2></summary>
<table class="sortable"><thead><tr><th>Type</th><th>Name</th><th>Version</th><th>Layer</th><th>PURL</th></tr></thead>
<tbody>{packages}</tbody></table></details></section>
</main><script>{_JS}</script></body></html>
"""
