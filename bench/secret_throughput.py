"""Throughput of the secret engine over real text: MB/s, as ratios against baselines measured in the same run.

Corpus: the text files (no NUL in the first 8 KiB) under /usr/share and /usr/lib/python3* of this machine, read
into memory first, up to ``--mb`` megabytes. Measured, each over the whole corpus:

* ``bytes.find`` baseline: lower-case each file and look for every keyword of the rule set (what the keyword
  prefilter alone costs, before any regex);
* ``re`` baseline: one pass of a trivial pattern (``\\x00``) per file;
* ``keyword + re``: :meth:`SecretEngine.find_reference`, the rule set run the pre-Hyperscan way;
* ``hyperscan + re``: :meth:`SecretEngine.find`, what the scanner runs.

It also checks that both engines report identical matches. Run: ``.venv/bin/python bench/secret_throughput.py``.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from hullscan.checks.secret.config import builtin_config
from hullscan.checks.secret.engine import SecretEngine

ROOTS = (Path("/usr/share"), *sorted(Path("/usr/lib").glob("python3*")))


def corpus(limit: int) -> list[bytes]:
    files: list[bytes] = []
    total = 0
    for root in ROOTS:
        for dirpath, _dirs, names in os.walk(root):
            for name in sorted(names):
                path = Path(dirpath, name)
                try:
                    if not path.is_file() or path.is_symlink() or path.stat().st_size > 10 << 20:
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                if not data or b"\x00" in data[:8192]:
                    continue
                files.append(data)
                total += len(data)
                if total >= limit:
                    return files
    return files


def timed(label: str, files: list[bytes], fn: Callable[[bytes], object], repeat: int) -> float:
    size = sum(len(f) for f in files)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for data in files:
            fn(data)
        best = min(best, time.perf_counter() - start)
    mbps = size / best / 1e6
    print(f"{label:<28} {best:8.3f} s  {mbps:10.1f} MB/s")
    return mbps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="corpus size in MB (default 200)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    files = corpus(args.mb * 1_000_000)
    size = sum(len(f) for f in files)
    print(f"corpus: {len(files)} text files, {size / 1e6:.1f} MB")
    cfg = builtin_config()
    engine = SecretEngine(cfg.rules, cfg.allow_rules, cfg.exclude_block)
    start = time.perf_counter()
    assert engine.accelerated
    print(f"{len(cfg.rules)} rules, {len(engine.keywords)} keywords; database compiled in "
          f"{time.perf_counter() - start:.2f} s")

    keywords = [k.encode() for k in engine.keywords]
    trivial = re.compile(rb"\x00")

    def keyword_scan(data: bytes) -> object:
        lowered = data.lower()
        return [k for k in keywords if lowered.find(k) >= 0]

    base_find = timed("baseline bytes.find", files, keyword_scan, args.repeat)
    base_re = timed("baseline re (trivial)", files, trivial.search, args.repeat)
    slow = timed("keyword + re", files, lambda d: engine.find_reference("corpus/f", d), max(1, args.repeat - 2))
    fast = timed("hyperscan + re", files, lambda d: engine.find("corpus/f", d), args.repeat)
    print(f"hyperscan + re: {fast / base_find:.2f}x bytes.find, {fast / base_re:.2f}x trivial re, "
          f"{fast / slow:.1f}x keyword + re")

    same = all(
        [(m.rule.id, m.start, m.secrets) for m in engine.find("corpus/f", d)]
        == [(m.rule.id, m.start, m.secrets) for m in engine.find_reference("corpus/f", d)]
        for d in files
    )
    hits = sum(len(engine.find("corpus/f", d)) for d in files)
    print(f"identical findings: {same} ({hits} matches in the corpus)")


if __name__ == "__main__":
    main()
