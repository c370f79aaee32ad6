"""Layer walk speed and memory against the floor, and the cost of a cached rescan.

Prints, for the Debian test image and a ~500 MB JDK image (both built once, see _images.py):
- inflate: decompress every layer blob and discard the bytes (single thread): below this nothing can go;
- floor: decompress every layer blob and read its tar stream, doing nothing else (isal + tarfile);
- walk: hullscan's own scan of the image without cache (verification, extractors, facts, squash);
- ratio walk/floor (target <= 1.3), each the best of N runs measured in this same process;
- peak RSS of a whole `hullscan image` run in a child process (target < 150 MB on the large image);
- a second scan of a cached image: wall time of the whole command and layers read (target 0 and < 0.3 s).

Run: .venv/bin/python bench/walk.py [--runs N] [--skip-large]
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _images import debian, large_jdk_layout
from hullscan.extract.registry import default_extractors
from hullscan.image.blob import CHUNK, sniff_compression
from hullscan.image.layout import blob_name
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.scan import ScanOptions, scan_image

HULLSCAN = [sys.executable, "-m", "hullscan"]


def _decompressed(raw: BinaryIO) -> BinaryIO:
    from isal import igzip

    buffered = io.BufferedReader(cast(io.RawIOBase, raw), CHUNK)
    kind = sniff_compression(buffered.peek(4)[:4])
    if kind == "gzip":
        return cast(BinaryIO, igzip.GzipFile(fileobj=buffered))  # type: ignore[no-untyped-call]
    if kind == "zstd":
        import zstandard

        return cast(BinaryIO, zstandard.ZstdDecompressor().stream_reader(buffered))
    return cast(BinaryIO, buffered)


def _layer_blobs(layout: Path) -> list[Path]:
    with open_source(f"oci:{layout}", SourceOptions()) as src:
        return [layout / blob_name(d.digest) for d in src.resolve().manifest.layers]


def floor(layout: Path) -> int:
    """Decompress each layer and iterate its tar headers with tarfile, doing nothing else: the floor."""
    members = 0
    for blob in _layer_blobs(layout):
        with blob.open("rb") as raw, tarfile.open(fileobj=_decompressed(raw), mode="r|") as tf:
            for _ in tf:
                tf.members.clear()  # type: ignore[attr-defined]
                members += 1
    return members


def inflate_only(layout: Path) -> int:
    """Decompress each layer and throw the bytes away: what no tar reader can go below (single thread)."""
    total = 0
    for blob in _layer_blobs(layout):
        with blob.open("rb") as raw:
            stream = _decompressed(raw)
            while chunk := stream.read(CHUNK):
                total += len(chunk)
    return total


def walk(layout: Path) -> int:
    with open_source(f"oci:{layout}", SourceOptions()) as src:
        result = scan_image(src, ScanOptions(extractors=default_extractors()))
    return result.inventory.file_count


def best(fn: Callable[[Path], int], layout: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(layout)
        times.append(time.perf_counter() - t)
    return min(times)


def peak_rss_mb(layout: Path) -> float:
    # VmHWM, not ru_maxrss: the latter keeps the high-water mark of this (big) process from before exec.
    code = (
        "import sys; from hullscan.cli import main; rc = main(sys.argv[1:]); "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
        "print(hwm, file=sys.stderr); sys.exit(rc)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "image", f"oci:{layout}", "--no-cache", "-q", "-f", "json"],
        capture_output=True, text=True, check=True,
    )
    return int(proc.stderr.strip().splitlines()[-1]) / 1024


def cached_rescan(ref: str) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as cache:
        cmd = [*HULLSCAN, "image", ref, "--cache-dir", cache, "-q", "-f", "json"]
        subprocess.run(cmd, capture_output=True, check=True)
        times = []
        doc: dict[str, dict[str, int]] = {}
        for _ in range(5):
            t = time.perf_counter()
            out = subprocess.run(cmd, capture_output=True, check=True).stdout
            times.append(time.perf_counter() - t)
            doc = json.loads(out)
        return min(times), doc["summary"]["layers"], doc["summary"]["layers_from_cache"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()

    deb = debian()
    images = [("debian bookworm minbase (2 gzip layers)", Path(deb.oci_dir))]
    if not args.skip_large:
        images.append(("debian + default-jdk-headless (1 gzip layer)", large_jdk_layout()))

    print(f"{'image':<46} {'inflate s':>9} {'floor s':>8} {'walk s':>8} {'walk/floor':>10} "
          f"{'walk/inflate':>12} {'peak RSS MB':>12}")
    for label, layout in images:
        i = best(inflate_only, layout, args.runs)
        f = best(floor, layout, args.runs)
        w = best(walk, layout, args.runs)
        rss = peak_rss_mb(layout)
        print(f"{label:<46} {i:9.3f} {f:8.3f} {w:8.3f} {w / f:10.2f} {w / i:12.2f} {rss:12.1f}")

    print()
    print(f"{'cached rescan (whole command, best of 5)':<46} {'seconds':>8} {'layers':>8} {'cached':>8}")
    for ref in (deb.oci_ref, deb.docker_archive_ref):
        secs, layers, cached = cached_rescan(ref)
        print(f"{ref.split('/')[-1][:46]:<46} {secs:8.3f} {layers:8d} {cached:8d}")
    print(f"\n(this process's peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
