"""Benchmark: import all of shared/vulndata into a new advisory database, then look up 5,000 packages.

Run on demand: ``.venv/bin/python bench/vulndb_import.py [--workers N] [--keep PATH]``. Prints the import time
per source and in total (target: under 90 s on the project's 2-core machine), the time to open the store, and
the time to look up 5,000 (namespace, package) pairs, batched and one query per package (target: under 1 s).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from hullscan.vulndb.store import Store
from hullscan.vulndb.update import import_directory

VULNDATA = Path(__file__).resolve().parents[2] / "shared" / "vulndata"


def _keys(store: Store, n: int, seed: int = 5000) -> list[tuple[str, str]]:
    """A realistic mix: packages with advisories across every namespace, plus names that have none."""
    rows = store._db.execute("SELECT DISTINCT namespace, package FROM affected").fetchall()
    rng = random.Random(seed)
    hits = rng.sample(rows, min(len(rows), n * 3 // 5))
    misses = [("pypi", f"no-such-package-{i}") for i in range(n - len(hits))]
    keys = [(ns, pkg) for ns, pkg in hits] + misses
    rng.shuffle(keys)
    return keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", type=Path, help="write the database here instead of a temporary directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "advisories.db"
        start = time.perf_counter()
        report = import_directory(path, VULNDATA, workers=args.workers)
        total = time.perf_counter() - start
        for name, source in report.sources.items():
            print(f"  {name:22} {source.records:7,d} records {source.files:6,d} files  {source.seconds:6.1f} s (cpu)")
        print(
            f"import of {VULNDATA}: {total:.1f} s, {path.stat().st_size / 2**20:.0f} MiB, "
            f"{len(report.warnings)} warnings"
        )

        start = time.perf_counter()
        for _ in range(100):
            Store(path).close()
        print(f"open store: {(time.perf_counter() - start) * 10:.2f} ms")

        with Store(path) as store:
            keys = _keys(store, 5000)
            start = time.perf_counter()
            result = store.lookup_many(keys)
            batched = time.perf_counter() - start
            rows = sum(len(v) for v in result.values())
            start = time.perf_counter()
            for namespace, package in keys:
                store.lookup(namespace, package)
            single = time.perf_counter() - start
        print(
            f"lookup of 5,000 packages ({rows:,d} affected rows): batched IN queries {batched * 1000:.0f} ms, "
            f"one query per package {single * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
