"""Matching 5,000 packages against an advisory database built from shared/vulndata (target: under 1 s).

The packages are drawn from names the database really has advisories for (Debian 12 source packages, Alpine
3.18 origins, PyPI, npm, Go, crates.io), each at an old version so that most ranges apply: a worst case for
the matcher. The baseline in the same run is the store lookup alone.

Run: .venv/bin/python bench/match_speed.py [--db PATH]   (imports shared/vulndata into a temp DB when no --db)
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from hullscan.match import match_inventory
from hullscan.match.namespaces import distro_namespace
from hullscan.model import Distro, Inventory, Package, PackageType
from hullscan.vulndb.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared"
_TYPES = {"pypi": PackageType.PYPI, "npm": PackageType.NPM, "go": PackageType.GOLANG, "crates.io": PackageType.CARGO}


def _packages(db: Path, distro: Distro, count: int, old: bool = True) -> list[Package]:
    """``count`` packages with advisories; ``old``: at versions below every fix (most ranges apply), else at
    versions above every fix (each one still looked up and compared, few findings: the common case)."""
    deb, lang, go = ("1.0-1", "0.0.1", "v0.0.1") if old else ("99:99.0-1", "9999.0.0", "v9999.0.0")
    ns = distro_namespace(distro)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT DISTINCT namespace, package FROM affected WHERE namespace IN (?, 'pypi', 'npm', 'go', 'crates.io')",
        (ns,),
    ).fetchall()
    con.close()
    rng = random.Random(5000)
    picked = rng.sample(rows, min(count, len(rows)))
    out = []
    for namespace, name in picked:
        if namespace == ns:
            out.append(Package(PackageType.DEB, name, deb, source_name=name, source_version=deb))
        elif namespace == "go":
            out.append(Package(PackageType.GOLANG, name, go))
        else:
            out.append(Package(_TYPES[namespace], name, lang))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from hullscan.vulndb.update import import_directory

            db = Path(tmp) / "advisories.db"
            t = time.perf_counter()
            import_directory(db, SHARED / "vulndata")
            print(f"imported shared/vulndata in {time.perf_counter() - t:.1f} s")
        distro = Distro("debian", "12.5")
        for old in (False, True):
            packages = _packages(db, distro, args.count, old)
            inventory = Inventory(distro=distro, packages=tuple(packages))
            with Store(db) as store:
                lookup = best = float("inf")
                findings = []
                for _ in range(3):
                    t = time.perf_counter()
                    store.lookup_many((distro_namespace(distro) or "", p.name) for p in packages)
                    lookup = min(lookup, time.perf_counter() - t)
                    t = time.perf_counter()
                    findings = match_inventory(inventory, store)
                    best = min(best, time.perf_counter() - t)
            what = "old versions (worst case)" if old else "current versions"
            print(f"{what}: packages {len(packages)}  findings {len(findings)}  store lookup only {lookup:.3f} s  "
                  f"full match {best:.3f} s ({best / lookup:.1f}x the lookup; best of 3)  target < 1 s")


if __name__ == "__main__":
    main()
