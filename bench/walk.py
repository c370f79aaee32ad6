"""Layer walk speed and memory against the floor, and the cost of a cached rescan.

Prints, for the Debian test image and a ~500 MB JDK image (both built once, see _images.py):
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _images import debian, large_jdk_layout  # noqa: E402

from hullscan.extract.registry import default_extractors  # noqa: E402
from hullscan.image.blob import CHUNK, sniff_compression  # noqa: E402
from hullscan.image.layout import blob_name  # noqa: E402
from hullscan.image.reference import open_source  # noqa: E402
from hullscan.image.source import SourceOptions  # noqa: E402
from hullscan.scan import ScanOptions, scan_image  # noqa: E402

HULLSCAN = [sys.executable, "-m", "hullscan"]


def floor(layout: Path) -> int:
    """Decompress each layer and iterate its tar headers: the least any scanner must do."""
    from isal import igzip

    with open_source(f"oci:{layout}", SourceOptions()) as src:
        layers = src.resolve().manifest.layers
    members = 0
    for desc in layers:
        with (layout / blob_name(desc.digest)).open("rb") as raw:
            buffered = io.BufferedReader(raw, CHUNK)
            kind = sniff_compression(buffered.peek(4)[:4])
            if kind == "gzip":
                stream = igzip.GzipFile(fileobj=buffered)
            elif kind == "zstd":
                import zstandard

                stream = zstandard.ZstdDecompressor().stream_reader(buffered)
            else:
                stream = buffered
            with tarfile.open(fileobj=stream, mode="r|") as tf:
                for _ in tf:
                    tf.members.clear()
                    members += 1
    return members


def walk(layout: Path) -> int:
    with open_source(f"oci:{layout}", SourceOptions()) as src:
        result = scan_image(src, ScanOptions(extractors=default_extractors()))
    return result.inventory.file_count


def best(fn: object, layout: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(layout)  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return min(times)


def peak_rss_mb(layout: Path) -> float:
    code = (
        "import resource,sys; from hullscan.cli import main; rc = main(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)"
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

    print(f"{'image':<46} {'floor s':>8} {'walk s':>8} {'ratio':>6} {'peak RSS MB':>12}")
    for label, layout in images:
        f = best(floor, layout, args.runs)
        w = best(walk, layout, args.runs)
        rss = peak_rss_mb(layout)
        print(f"{label:<46} {f:8.3f} {w:8.3f} {w / f:6.2f} {rss:12.1f}")

    print()
    print(f"{'cached rescan (whole command, best of 5)':<46} {'seconds':>8} {'layers':>8} {'cached':>8}")
    for ref in (deb.oci_ref, deb.docker_archive_ref):
        secs, layers, cached = cached_rescan(ref)
        print(f"{ref.split('/')[-1][:46]:<46} {secs:8.3f} {layers:8d} {cached:8d}")
    print(f"\n(this process's peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
