"""``--mode full`` (every scanner over every file) against ``--mode quick`` on the Debian python image, cold cache.

Target (issue 6): full mode at most 2x quick mode. Both as whole commands (``hullscan image``), best of N, with
the layer cache cleaned before each run; the advisory database is imported once from shared/vulndata (or given
with --db). Also prints the per-scanner cost: each file-content scanner alone next to ``--scanners none``.

Run: .venv/bin/python bench/modes.py [--db PATH] [--runs N]
"""

from __future__ import annotations

import argparse
import os
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
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ}
        db = args.db or Path(tmp) / "advisories.db"
        if args.db is None:
            subprocess.run([sys.executable, "-m", "hullscan", "db", "update", "--from", str(SHARED / "vulndata"),
                            "--db", str(db), "-q"], check=True, env=env)
        cache = f"{tmp}/cache"
        base = [sys.executable, "-m", "hullscan", "image", f"oci:{layout}", "--db", str(db), "--cache-dir", cache,
                "-q", "--format", "json", "--max-db-age", "100000"]
        clean = [sys.executable, "-m", "hullscan", "cache", "clean", "--cache-dir", cache]
        quick = best([*base, "--mode", "quick"], args.runs, env, clean, ok=(0, 1))
        full = best([*base, "--mode", "full"], args.runs, env, clean, ok=(0, 1))
        none = best([*base, "--scanners", "none"], args.runs, env, clean, ok=(0, 1))
        alone = {name: best([*base, "--scanners", name], args.runs, env, clean, ok=(0, 1))
                 for name in ("secret", "malware", "file", "license", "misconfig")}
    print(f"image: {layout} (Debian bookworm + python3)")
    print(f"--mode quick            {quick:7.3f} s")
    print(f"--mode full             {full:7.3f} s   full/quick {full / quick:.2f}  (target <= 2)")
    print(f"--scanners none         {none:7.3f} s   (inventory only: the floor)")
    for name, t in alone.items():
        print(f"--scanners {name:<12} {t:7.3f} s   +{t - none:6.3f} s over the floor")


if __name__ == "__main__":
    main()
