"""Images for the benchmarks: the test suite's Debian image and a larger one with a JDK, built once and kept.

The large image is one layer: ``mmdebstrap --variant=minbase --include=default-jdk-headless`` writes the root
filesystem as a tar, which is gzipped and wrapped in an OCI layout by hand (image-spec, image-layout.md).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.images import DebianImages, debian_images  # noqa: E402

BENCH_DIR = Path(os.environ.get("HULLSCAN_BENCH_IMAGES", "/tmp/hullscan-bench-images"))
MIRROR = os.environ.get("HULLSCAN_DEBIAN_MIRROR", "http://deb.debian.org/debian")


def debian() -> DebianImages:
    return debian_images()


def _blob(blobs: Path, data: bytes) -> tuple[str, int]:
    digest = hashlib.sha256(data).hexdigest()
    (blobs / digest).write_bytes(data)
    return f"sha256:{digest}", len(data)


def large_jdk_layout() -> Path:
    """An OCI layout (directory) of Debian bookworm minbase plus default-jdk-headless (~500 MB unpacked)."""
    return debian_layout("jdk-oci", "default-jdk-headless")


def python_layout() -> Path:
    """Debian bookworm minbase plus python3, pip and a few Debian Python libraries: 'the Debian python image'."""
    return debian_layout("python-oci", "python3,python3-pip,python3-requests,python3-yaml")


def debian_layout(name: str, include: str) -> Path:
    """An OCI layout of ``mmdebstrap --variant=minbase --include=INCLUDE bookworm``, one gzip layer."""
    layout = BENCH_DIR / name
    if (layout / "index.json").exists():
        return layout
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    work = BENCH_DIR / f"{name}-build"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    tar = work / "rootfs.tar"
    subprocess.run(
        ["mmdebstrap", "--variant=minbase", f"--include={include}", "--mode=root",
         "bookworm", str(tar), MIRROR],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    h = hashlib.sha256()
    gz_path = work / "layer.tar.gz"
    with tar.open("rb") as src, gzip.open(gz_path, "wb", compresslevel=6) as dst:
        while chunk := src.read(1 << 20):
            h.update(chunk)
            dst.write(chunk)
    diff_id = f"sha256:{h.hexdigest()}"
    out = work / "oci"
    blobs = out / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    layer_data = gz_path.read_bytes()
    layer_digest, layer_size = _blob(blobs, layer_data)
    config = {
        "architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["bash"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "2024-01-01T00:00:00Z",
                     "created_by": f"mmdebstrap --variant=minbase --include={include} bookworm"}],
    }
    cfg_digest, cfg_size = _blob(blobs, json.dumps(config).encode())
    manifest = {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfg_digest, "size": cfg_size},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest,
                    "size": layer_size}],
    }
    man_digest, man_size = _blob(blobs, json.dumps(manifest).encode())
    (out / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (out / "index.json").write_text(json.dumps({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": man_digest,
                       "size": man_size, "annotations": {"org.opencontainers.image.ref.name": "latest"}}],
    }))
    out.rename(layout)
    shutil.rmtree(work, ignore_errors=True)
    return layout
