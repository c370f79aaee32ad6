"""The HTML report: one self-contained page; structure checked with the stdlib parser, escaping with a hostile
title, and rendered by headless Chromium in a smoke test when it is installed (the page must load and render)."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from pathlib import Path

from hullscan.report.html import render_html
from report.test_golden import _result as hand_built


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts = 0
        self.external: list[str] = []
        self.finding_rows = 0
        self._in_findings = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "script":
            self.scripts += 1
            if a.get("src"):
                self.external.append(str(a["src"]))
        if tag == "link" and a.get("href"):
            self.external.append(str(a["href"]))
        if tag == "table" and a.get("id") == "findings":
            self._in_findings = True
        if tag == "tr" and self._in_findings:
            self.finding_rows += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_findings = False


def test_structure_and_self_containment() -> None:
    result = hand_built()
    page = render_html(result)
    parsed = _Collector()
    parsed.feed(page)
    assert parsed.external == [] and parsed.scripts == 1  # our inline script only, nothing fetched
    assert parsed.finding_rows == len(result.findings) + 1  # header row + one per finding
    assert "upgrade 2 packages to fix 2 of 2 vulnerabilities" in page
    assert "<svg" in page and "KEV" in page
    assert "RUN apk add --no-cache py3-pip &amp;&amp; pip install urllib3==1.24.1" in page  # per-layer table


def test_hostile_content_is_escaped() -> None:
    result = hand_built()
    evil = dataclasses.replace(result.findings[1], title='<script>alert("x")</script>',
                               references=('javascript:alert(1)" onmouseover="x',))
    page = render_html(dataclasses.replace(result, findings=(result.findings[0], evil)))
    parsed = _Collector()
    parsed.feed(page)
    assert parsed.scripts == 1
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'onmouseover="x' not in page


def test_chromium_renders_it(tmp_path: Path) -> None:
    """Smoke test in a real browser: the page loads and paints (a screenshot of a non-trivial size)."""
    import shutil
    import subprocess

    chromium = shutil.which("chromium")
    assert chromium is not None, "chromium is installed by .ci/install-deps.sh"
    page = tmp_path / "report.html"
    page.write_text(render_html(hand_built()))
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1300,1200",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 20_000
