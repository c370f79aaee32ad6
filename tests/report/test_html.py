"""The HTML report: one self-contained page. Structure is checked with the stdlib parser, escaping with hostile
content, and the page is loaded in headless Chromium (apt package ``chromium``, .ci/install-deps.sh): it must
paint, and its script must sort and filter the findings table in a real browser."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.report.html import render_html
from hullscan.scan import ScanOptions, ScanResult, scan_image
from hullscan.vulndb.store import Store
from report.test_gitlab import edge_result
from report.test_golden import _result as hand_built
from vulndb.helpers import ImportedStore

ALPINE_311 = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts = 0
        self.external: list[str] = []
        self.links: list[str] = []
        self.handlers: list[str] = []
        self.finding_rows = 0
        self.sections: list[str] = []
        self._in_findings = False
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        self.handlers += [k for k in a if k.startswith("on")]
        if tag == "script":
            self.scripts += 1
            if a.get("src"):
                self.external.append(str(a["src"]))
        if tag in ("link", "img", "iframe", "object", "embed") and (a.get("href") or a.get("src")):
            self.external.append(str(a.get("href") or a.get("src")))
        if tag == "a":
            self.links.append(str(a.get("href")))
        if tag == "table" and a.get("id") == "findings":
            self._in_findings = True
        if tag == "tr" and self._in_findings:
            self.finding_rows += 1
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_findings = False
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.sections.append(data.split(":")[0].split(" (")[0])


def _parse(page: str) -> _Collector:
    parsed = _Collector()
    parsed.feed(page)
    parsed.close()
    return parsed


def test_structure_and_self_containment() -> None:
    result = hand_built()
    page = render_html(result)
    parsed = _parse(page)
    assert parsed.external == [] and parsed.scripts == 1  # our inline script only, nothing fetched
    assert parsed.sections == ["Summary", "Remediation", "Findings per layer", "Findings", "Inventory"]
    assert parsed.finding_rows == len(result.findings) + 1  # header row + one per finding
    assert "<h1>example/app:1.0</h1>" in page and "Alpine Linux v3.11" in page and "2 packages (1 apk, 1 pypi)" in page
    assert "upgrade 2 packages to fix 2 of 2 vulnerabilities" in page
    assert "<pre>pip install --upgrade &#x27;urllib3&gt;=1.24.2&#x27;</pre>" in page
    assert "<svg" in page and ">KEV</span>" in page
    assert "RUN apk add --no-cache py3-pip &amp;&amp; pip install urllib3==1.24.1" in page  # per-layer table
    assert "<details><summary>" in page  # the inventory is folded
    # Ids link to their first reference, or to a public page for the id when the advisory gives none.
    assert parsed.links == ["https://nvd.nist.gov/vuln/detail/CVE-2019-11324",
                            "https://nvd.nist.gov/vuln/detail/CVE-2020-28928"]


def test_hostile_content_is_escaped() -> None:
    result = edge_result()
    evil = dataclasses.replace(result.findings[1], title='<script>alert("x")</script>',
                               description='"><img src=x onerror=alert(1)>',
                               references=('javascript:alert(1)" onmouseover="x',))
    pkg = dataclasses.replace(result.inventory.packages[0], name="<b>bold</b>", purl="pkg:apk/<i>")
    inventory = dataclasses.replace(result.inventory, packages=(pkg, *result.inventory.packages[1:]))
    page = render_html(dataclasses.replace(result, findings=(result.findings[0], evil, *result.findings[2:]),
                                           inventory=inventory))
    parsed = _parse(page)
    assert parsed.scripts == 1 and parsed.handlers == [] and parsed.external == []
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<script>alert" not in page and "<img" not in page and "<b>bold" not in page
    assert 'onmouseover="x' not in page and "javascript:" not in page  # not a link at all
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the edge result's layer instruction


def test_a_finding_about_a_file() -> None:
    result = hand_built(with_secret=True)
    secret = dataclasses.replace(result.findings[-1], details=(("deleted in", "<b>layer 3</b>"),))
    page = render_html(dataclasses.replace(result, findings=(*result.findings[:-1], secret)))
    parsed = _parse(page)
    assert parsed.finding_rows == len(result.findings) + 1 and parsed.handlers == []
    assert "<td class='wrap'>/app/.env:3</td>" in page
    assert "seen: AWS_KEY=AKIA************MPLE" in page and "deleted in: &lt;b&gt;layer 3&lt;/b&gt;" in page
    assert "aws-access-key-id" not in parsed.links  # no made-up advisory link for a check without references


def test_no_findings() -> None:
    page = render_html(dataclasses.replace(hand_built(), findings=()))
    assert "<p>No findings.</p>" in page and "no vulnerabilities found" in page
    assert _parse(page).scripts == 1


def _chromium() -> str:
    chromium = shutil.which("chromium")
    assert chromium is not None, "chromium is installed by .ci/install-deps.sh"
    return chromium


def _browser(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           "--no-first-run",
                           f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120, check=True)


def test_chromium_paints_it(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(edge_result()), encoding="utf-8")
    shot = tmp_path / "shot.png"
    _browser(tmp_path, "--window-size=1300,1200", f"--screenshot={shot}", page.as_uri())
    assert shot.stat().st_size > 20_000


_PROBE = """<script>
function ids(){return Array.prototype.map.call(document.querySelectorAll('#findings tbody tr'),function(r){
  return r.style.display==='none'?'':r.cells[1].firstChild.textContent}).filter(Boolean).join(',')}
var sev=document.getElementById('min-severity');sev.value='3';sev.dispatchEvent(new Event('change'));
document.body.setAttribute('data-high',document.getElementById('shown').textContent+':'+ids());
sev.value='0';sev.dispatchEvent(new Event('change'));
var fix=document.getElementById('fixable');fix.checked=true;fix.dispatchEvent(new Event('change'));
document.body.setAttribute('data-fixable',ids());fix.checked=false;fix.dispatchEvent(new Event('change'));
var q=document.getElementById('filter');q.value='LOG4J';q.dispatchEvent(new Event('input'));
document.body.setAttribute('data-text',ids());q.value='';q.dispatchEvent(new Event('input'));
document.querySelectorAll('#findings th')[5].click();document.querySelectorAll('#findings th')[5].click();
document.body.setAttribute('data-risk-desc',ids());
</script></body>"""


def test_chromium_runs_the_sort_and_filters(tmp_path: Path) -> None:
    """The page's own script, in a real browser: filter by minimum severity, fixable only and text; sort by risk."""
    page = tmp_path / "report.html"
    page.write_text(render_html(edge_result()).replace("</body>", _PROBE), encoding="utf-8")
    dom = _browser(tmp_path, "--dump-dom", page.as_uri()).stdout
    attrs = {k: v for k, v in _body_attrs(dom).items() if k.startswith("data-")}
    assert attrs == {
        "data-high": "3:os/end-of-life,CVE-2019-11324,CVE-2021-44228",
        "data-fixable": "CVE-2019-11324,CVE-2020-28928,CVE-2021-44228",
        "data-text": "CVE-2021-44228,GHSA-xxxx-yyyy-zzzz",
        "data-risk-desc": "CVE-2021-44228,CVE-2019-11324,CVE-2020-28928,GHSA-xxxx-yyyy-zzzz,CVE-2018-25032,"
                          "os/end-of-life",
    }


def _body_attrs(dom: str) -> dict[str, str]:
    found: dict[str, str] = {}

    class Body(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "body":
                found.update({k: v or "" for k, v in attrs})

    Body().feed(dom)
    return found


@pytest.fixture(scope="module")
def alpine(imported: ImportedStore) -> ScanResult:
    with open_source(str(ALPINE_311), SourceOptions()) as src, Store(imported.path) as store:
        return scan_image(src, ScanOptions(extractors=default_extractors(), store=store))


def test_alpine_scan(alpine: ScanResult) -> None:
    page = render_html(alpine)
    parsed = _parse(page)
    assert parsed.finding_rows == len(alpine.findings) + 1 and parsed.external == []
    assert "<h1>alpine:3.11</h1>" in page
    assert f"upgrade 8 packages to fix {len(alpine.findings) - 1} of {len(alpine.findings) - 1}" in page
    assert "apk add --no-cache --upgrade apk-tools busybox" in page
