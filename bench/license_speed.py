"""The license scanner on big images: its cost beside the inventory scan it follows, memoised and not.

Images (built once and cached by the other benchmarks under $HULLSCAN_BENCH_IMAGES): Debian bookworm minbase
plus default-jdk-headless (``_images.large_jdk_layout``), and the language image of ``lang_vs_syft.py`` (1,300
npm packages and the jars of ~60 Debian Java libraries) when it exists.

Figures, per image, as ratios against the baseline measured in the same run, the inventory scan itself
(layer walk + extractors, no cache):

* ``cold``: the scanner over every package with empty memo caches and the licence database not yet loaded;
* ``warm``: the same once the caches are filled (a server scanning image after image);
* normalising every licence string with the memo, and from scratch (what the memo saves), also for the rpm
  ``License:`` tags of the shared fixtures (free text that has to be parsed, the slow path).

Run: .venv/bin/python bench/license_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _images import BENCH_DIR, large_jdk_layout  # noqa: E402
from hullscan.checks.base import ScannerConfig  # noqa: E402
from hullscan.checks.license import LicenseScanner  # noqa: E402
from hullscan.checks.license.classify import classify_id  # noqa: E402
from hullscan.checks.license.normalization import to_expression  # noqa: E402
from hullscan.checks.license.spdx import _index, _licensing  # noqa: E402
from hullscan.extract.registry import default_extractors  # noqa: E402
from hullscan.image.reference import open_source  # noqa: E402
from hullscan.image.source import SourceOptions  # noqa: E402
from hullscan.model import Package  # noqa: E402
from hullscan.scan import ScanOptions, scan_image  # noqa: E402


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def clear_caches() -> None:
    for cached in (to_expression, classify_id, _licensing, _index):
        cached.cache_clear()


def inventory(ref: str) -> tuple[Package, ...]:
    with open_source(ref, SourceOptions()) as src:
        return scan_image(src, ScanOptions(extractors=default_extractors())).inventory.packages


def bench(label: str, ref: str, runs: int) -> None:
    baseline = best(lambda: inventory(ref), runs)
    packages = inventory(ref)
    strings = [lic for p in packages for lic in p.licenses]
    scanner = LicenseScanner(ScannerConfig())

    def scan() -> int:
        return sum(1 for _ in scanner.findings(packages))

    def cold() -> int:
        clear_caches()
        return scan()

    cold_s = best(cold, runs)
    scan()
    warm_s = best(scan, runs)
    findings = scan()
    print(f"{label}: {len(packages)} packages, {len(strings)} licences ({len(set(strings))} distinct), "
          f"{findings} findings")
    print(f"  inventory scan (baseline)   {baseline:8.3f} s   1.00")
    print(f"  license scanner, cold       {cold_s:8.3f} s   {cold_s / baseline:.3f}x")
    print(f"  license scanner, warm       {warm_s:8.3f} s   {warm_s / baseline:.3f}x")
    normalisation(strings, runs)


def normalisation(strings: list[str], runs: int) -> None:
    """Normalising the strings with the memo (warm) against without it (every string from scratch)."""
    unmemoised = to_expression.__wrapped__
    for text in strings:
        to_expression(text)
    memo_s = best(lambda: [to_expression(t) for t in strings], runs)
    raw_s = best(lambda: [unmemoised(t) for t in strings], runs)
    print(f"  normalising every licence: memoised {memo_s * 1e3:.2f} ms (1.00), from scratch {raw_s * 1e3:.2f} ms "
          f"({raw_s / memo_s:.0f}x; {len(strings) / raw_s:,.0f} strings/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    importlib.import_module("license_expression")  # import cost is not what is measured
    bench("debian + default-jdk-headless", f"oci:{large_jdk_layout()}", args.runs)
    lang = BENCH_DIR / "lang-bench.docker.tar"
    if lang.exists():
        bench("npm react-scripts + Debian jars", f"docker-archive:{lang}", args.runs)
    tags = rpm_tags()
    print(f"rpm License tags of the shared fixtures ({len(tags)} distinct free-text expressions):")
    normalisation(tags * 20, args.runs)
    print(f"(best of {args.runs} runs each)")


def rpm_tags() -> list[str]:
    expected = ROOT.parent / "shared" / "fixtures" / "expected"
    tags: set[str] = set()
    for name in ("rpm-cbl-mariner-2.0-sqlite.json", "rpm-sle15-bci-ndb.json"):
        tags.update(p["License"] for p in json.loads((expected / name).read_text())["packages"] if p.get("License"))
    return sorted(tags)


if __name__ == "__main__":
    main()
