"""A whole vulnerability scan against Syft listing packages, on the Debian python image, in the same run.

Targets (issue 5): `hullscan image` cold (no layer cache) at most 1.5x the time `syft` needs just to list the
packages; with a warm layer cache under 1 s. Both as whole commands, best of N. The advisory database is
imported once from shared/vulndata (or given with --db).

Run: .venv/bin/python bench/scan_vs_syft.py [--db PATH] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _images import python_layout
from _timing import best

SHARED = Path(__file__).resolve().parents[2] / "shared"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    layout = python_layout()
    syft = shutil.which("syft") or str(Path(sys.executable).parent / "syft")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false", "SYFT_CACHE_DIR": f"{tmp}/syft"}
        db = args.db or Path(tmp) / "advisories.db"
        if args.db is None:
            subprocess.run([sys.executable, "-m", "hullscan", "db", "update", "--from", str(SHARED / "vulndata"),
                            "--db", str(db), "-q"], check=True, env=env)
        cache = f"{tmp}/cache"
        scan = [sys.executable, "-m", "hullscan", "image", f"oci:{layout}", "--db", str(db), "--cache-dir", cache,
                "-q", "--format", "json", "--max-db-age", "100000"]
        clean = [sys.executable, "-m", "hullscan", "cache", "clean", "--cache-dir", cache]
        cold = best(scan, args.runs, env, before=clean)
        warm = best(scan, args.runs, env)
        syft_t = best([syft, "scan", f"oci-dir:{layout}", "-o", "json", "-q"], args.runs, env)
    print(f"image: {layout} (Debian bookworm + python3, one layer)")
    print(f"syft (list packages)      {syft_t:7.3f} s")
    print(f"hullscan image, cold      {cold:7.3f} s   ratio {cold / syft_t:.2f}  (target <= 1.5)")
    print(f"hullscan image, warm      {warm:7.3f} s   (target < 1 s)")


if __name__ == "__main__":
    main()
