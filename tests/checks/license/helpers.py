"""Shared pieces of the license scanner tests: the fixtures folder, a language image built from it, the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hullscan.cli import main
from support.images import TarEntrySpec, write_oci_layout

SHARED = Path(__file__).resolve().parents[4] / "shared"
LANG = SHARED / "fixtures" / "lang"
SP = "usr/local/lib/python3.11/site-packages"
GEMS = "usr/lib/ruby/gems/3.1.0/specifications"

LANGUAGE_FILES: dict[str, Path] = {
    # Python: metadata as Trivy's parse tests have it (EXPECTED.md "Python")
    f"{SP}/pyphen-0.14.0.dist-info/METADATA": LANG / "python/metadata/pyphen-0.14.0.METADATA",
    f"{SP}/asyncssh-2.14.2.dist-info/METADATA": LANG / "python/metadata/asyncssh-2.14.2.METADATA",
    f"{SP}/zipp-3.12.1.dist-info/METADATA": LANG / "python/metadata/zipp-3.12.1.METADATA",
    f"{SP}/iniconfig-2.0.0.dist-info/METADATA": LANG / "python/metadata/iniconfig-2.0.0.METADATA",
    f"{SP}/distlib-0.3.1-py3.9.egg-info": LANG / "python/metadata/distlib-0.3.1-py3.9.egg-info",
    f"{SP}/typing_extensions-4.4.0.dist-info/METADATA":
        LANG / "python/site-packages/license-file-dist/typing_extensions-4.4.0.dist-info/METADATA",
    f"{SP}/typing_extensions-4.4.0.dist-info/LICENSE.txt":
        LANG / "python/site-packages/license-file-dist/typing_extensions-4.4.0.dist-info/LICENSE.txt",
    f"{SP}/kitchen-1.2.6-py2.7.egg": LANG / "python/site-packages/egg-zip/kitchen-1.2.6-py2.7.egg",
    # npm: installed package.json files (EXPECTED.md "Node.js")
    "app/node_modules/angular/package.json": LANG / "node/legacy_package.json",
    "app/node_modules/mixed-array-license/package.json": LANG / "node/mixed_array_license_package.json",
    # Java: licences from a Jenkins plugin's manifest; two LICENSE files, so none (EXPECTED.md "Java")
    "opt/jenkins/plugins/license-from-jenkins-plugin.jar": LANG / "java/license-from-jenkins-plugin.jar",
    "opt/app/lib/multi-license-1.0.0.jar": LANG / "java/multi-license-1.0.0.jar",
    # Ruby: installed gemspecs (EXPECTED.md "Ruby")
    f"{GEMS}/async-1.25.0.gemspec": LANG / "ruby/license.gemspec",
    f"{GEMS}/test-unit-3.3.7.gemspec": LANG / "ruby/multiple_licenses.gemspec",
}


def language_image(directory: Path) -> str:
    """An OCI layout whose one layer holds the language fixtures above; returns its ``oci:`` reference."""
    entries = [TarEntrySpec.file(path, source.read_bytes()) for path, source in LANGUAGE_FILES.items()]
    layout = write_oci_layout(directory, [entries], history=["COPY fixtures / # buildkit"])
    return f"oci:{layout.path}:{layout.tag}"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def scan_licenses(capsys: pytest.CaptureFixture[str], ref: str, cache: Path, *extra: str) -> list[dict[str, Any]]:
    """``hullscan image REF --scanners license --format json``: the findings of the report."""
    code, out, err = run_cli(capsys, "image", ref, "--scanners", "license", "--format", "json",
                             "--cache-dir", str(cache), *extra)
    assert code == 0, err
    findings: list[dict[str, Any]] = json.loads(out)["findings"]
    return findings


def details(finding: dict[str, Any]) -> dict[str, str]:
    return {d["label"]: d["value"] for d in finding["details"]}
