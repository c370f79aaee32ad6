"""Cost of the file scanner against the squash it runs after.

The file scanner reads metadata only, so its whole cost is Python over FileEntry tuples. Baseline: building the
SquashedView from the same layer facts (the scan always pays that). Prints the time of each and the ratio
file-check / squash, the best of N runs, for a synthetic image of N layers x M entries with deletions, chmod
rewrites, hard links, setuid files and caches mixed in. Target: <= 3 (about six passes over the entries, each
a dict lookup or a few C-level string tests, against the squash's one pass building a dict) - well under the
cost of walking the layer tars themselves, which is what a scan of such an image spends its time on.

Run: .venv/bin/python bench/file_checks.py [--layers 5] [--entries 40000] [--runs 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date

from hullscan.checks.base import CheckContext, ScannerConfig
from hullscan.checks.file import FileScanner
from hullscan.image.facts import LayerFacts
from hullscan.image.squash import SquashedView
from hullscan.model import FileEntry, FileKind, ImageInfo, Inventory, LayerRef, Package, PackageType


def synthetic(layers: int, entries: int) -> list[tuple[LayerRef, LayerFacts]]:
    out = []
    for n in range(layers):
        files: list[FileEntry] = []
        for i in range(entries):
            directory = f"usr/lib/pkg{n}_{i // 50}"
            if i % 50 == 0:
                files.append(FileEntry(directory, FileKind.DIR, 0o755, 0))
            path = f"{directory}/f{i}.so"
            mode = 0o4755 if i % 5000 == 1 else 0o644
            files.append(FileEntry(path, FileKind.FILE, mode, 1000 + i))
            if i % 100 == 2:
                files.append(FileEntry(path + ".link", FileKind.HARDLINK, 0o644, 0, linkname=path))
            if i % 1000 == 3:
                files.append(FileEntry(f"root/.cache/pip/l{n}/c{i}", FileKind.FILE, 0o644, 4096))
        if n:
            # chmod of a tenth of the previous layer (full copies), and a whiteout of one of its directories
            files += [FileEntry(f"usr/lib/pkg{n - 1}_{i // 50}/f{i}.so", FileKind.FILE, 0o755, 1000 + i)
                      for i in range(0, entries, 10)]
        whiteouts = (f"usr/lib/pkg{n - 1}_7",) if n else ()
        diff_id = f"sha256:{n:064x}"
        out.append((LayerRef(n, diff_id, diff_id, f"RUN step {n}"),
                    LayerFacts(diff_id=diff_id, files=tuple(files), whiteouts=whiteouts)))
    return out


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", type=int, default=5)
    parser.add_argument("--entries", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    layers = synthetic(args.layers, args.entries)
    view = SquashedView(layers)
    owned = tuple(e.path for _, f in layers for e in f.files if e.mode & 0o4000)[::2]
    inventory = Inventory(distro=None, packages=(Package(PackageType.DEB, "base", "1", files=owned),))
    image = ImageInfo(name="bench", source="oci", manifest_digest="", config=None, layers=())
    ctx = CheckContext(image, view, inventory, (), ScannerConfig(mode="full"), date(2024, 1, 1))
    scanner = FileScanner(ScannerConfig(mode="full"))
    findings = list(scanner.check(ctx))
    total = sum(len(f.files) for _, f in layers)
    squash = best(lambda: SquashedView(layers), args.runs)
    check = best(lambda: list(scanner.check(ctx)), args.runs)
    print(f"entries in layers   {total:,} ({len(view):,} visible), findings {len(findings)}")
    print(f"squash (baseline)   {squash * 1000:8.1f} ms")
    print(f"file checks         {check * 1000:8.1f} ms")
    print(f"ratio checks/squash {check / squash:8.2f}   (target <= 3)")


if __name__ == "__main__":
    main()
