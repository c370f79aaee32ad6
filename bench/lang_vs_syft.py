"""Language inventory against Syft on the same archive: a node_modules of 1,000+ packages and a few hundred jars.

The image (built once, cached under $HULLSCAN_BENCH_IMAGES): layer 1 is a real `npm install` of
react-scripts (a 1,300-package tree), layer 2 the jars of ~60 Debian Java library packages
(`apt-get download` + `dpkg-deb -x`, as the tests do). Both tools run as whole commands on the docker-archive,
best of N; the npm and Maven package sets are compared and every difference is listed.

Run: .venv/bin/python bench/lang_vs_syft.py [--runs N]
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _images import BENCH_DIR  # noqa: E402
from support.images import write_docker_archive  # noqa: E402
from support.lang_java import debian_java_root, java_tree_entries  # noqa: E402

NPM_PACKAGES = ("react-scripts@5.0.1",)
JAVA_PACKAGES = (
    "libcommons-lang3-java", "libcommons-io-java", "libcommons-codec-java", "libcommons-collections4-java",
    "libcommons-compress-java", "libcommons-logging-java", "libcommons-text-java", "libcommons-cli-java",
    "libguava-java", "libjackson2-core-java", "libjackson2-databind-java", "libjackson2-annotations-java",
    "liblog4j2-java", "libslf4j-java", "libguice-java", "libhttpclient-java", "libhttpcore-java",
    "libjsoup-java", "libgoogle-gson-java", "libjna-java", "libasm-java", "libbcprov-java", "libbcpkix-java",
    "libjetty9-java", "libservlet-api-java", "libjaxb-api-java", "libactivation-java", "libxerces2-java",
    "libjdom2-java", "libdom4j-java", "libjaxen-java", "libxom-java", "libplexus-utils2-java",
    "libplexus-classworlds-java", "libmaven3-core-java", "libwagon-provider-api-java",
    "libmaven-resolver-java", "libsisu-inject-java", "libsisu-plexus-java", "libjsr305-java",
    "libatinject-jsr330-api-java", "libaopalliance-java", "libcglib-java", "libobjenesis-java",
    "libmockito-java", "libhamcrest-java", "junit4", "libopentest4j-java",
    "libapiguardian-java", "libtomcat9-java", "libjakarta-servlet-api-java", "libnetty-java",
    "libsnappy-java", "liblz4-java", "libzstd-jni-java", "libxz-java", "libantlr4-runtime-java",
)


def _node_modules() -> Path:
    target = BENCH_DIR / "node-react-scripts"
    if (target / "node_modules").is_dir():
        return target
    work = Path(tempfile.mkdtemp(prefix=".node-", dir=BENCH_DIR))
    (work / "package.json").write_text(json.dumps({"name": "bench-app", "version": "1.0.0", "private": True}))
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", *NPM_PACKAGES],
                   cwd=work, check=True, stdout=subprocess.DEVNULL)
    work.rename(target)
    return target


def build_archive() -> Path:
    archive = BENCH_DIR / "lang-bench.docker.tar"
    if archive.exists():
        return archive
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    node = java_tree_entries(_node_modules(), prefix="app/")
    jars = java_tree_entries(debian_java_root(JAVA_PACKAGES))
    tmp = archive.with_suffix(".tmp")
    write_docker_archive(tmp, [node, jars], tag="bench/lang:1", history=["COPY app /app", "RUN apt-get install"])
    tmp.rename(archive)
    return archive


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, bytes]:
    best, out = float("inf"), b""
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, check=True, env=env).stdout
        best = min(best, time.perf_counter() - t)
    return best, out


def lang_packages(cdx: bytes) -> dict[str, set[str]]:
    """npm and maven package ids (namespace/name@version) in a CycloneDX document."""
    from packageurl import PackageURL

    out: dict[str, set[str]] = {"npm": set(), "maven": set()}
    for comp in json.loads(cdx).get("components", []):
        purl = comp.get("purl", "")
        if purl.startswith(("pkg:npm/", "pkg:maven/")):
            p = PackageURL.from_string(purl)
            ns = f"{p.namespace}/" if p.namespace else ""
            out[p.type].add(f"{ns}{p.name}@{p.version}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    archive = build_archive()
    syft = shutil.which("syft") or str(Path(sys.executable).parent / "syft")
    env = {**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"}
    with tempfile.TemporaryDirectory() as tmp:
        env["SYFT_CACHE_DIR"] = tmp
        ours_t, ours_doc = timed([sys.executable, "-m", "hullscan", "sbom", f"docker-archive:{archive}",
                                  "--no-cache", "-q"], args.runs, env)
        syft_t, syft_doc = timed([syft, "scan", f"docker-archive:{archive}", "-o", "cyclonedx-json", "-q"],
                                 args.runs, env)
    ours, theirs = lang_packages(ours_doc), lang_packages(syft_doc)
    print(f"image: {archive} ({archive.stat().st_size / 1e6:.0f} MB)")
    print(f"{'tool':<10} {'best s':>8} {'npm':>6} {'maven':>6}")
    print(f"{'hullscan':<10} {ours_t:8.3f} {len(ours['npm']):6d} {len(ours['maven']):6d}")
    print(f"{'syft':<10} {syft_t:8.3f} {len(theirs['npm']):6d} {len(theirs['maven']):6d}")
    print(f"ratio hullscan/syft: {ours_t / syft_t:.2f}   (target <= 1.0)")
    for eco in ("npm", "maven"):
        only_ours, only_theirs = sorted(ours[eco] - theirs[eco]), sorted(theirs[eco] - ours[eco])
        print(f"{eco}: {len(ours[eco] & theirs[eco])} in both, {len(only_ours)} only hullscan, "
              f"{len(only_theirs)} only syft")
        for p in only_ours:
            print(f"  only hullscan: {p}")
        for p in only_theirs:
            print(f"  only syft:     {p}")


if __name__ == "__main__":
    main()
