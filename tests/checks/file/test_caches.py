"""file/cache-<kind>: bytes per cache directory and the layers that wrote them."""

from __future__ import annotations

import pytest

from checks.file.helpers import L, by_check, d, detail, f, scan
from hullscan.model import Severity


def test_apt_lists_with_bytes_and_layers() -> None:
    found = scan(
        L([d("var/lib/apt/lists"), f("var/lib/apt/lists/lock", size=0),
           f("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", size=150_000)],
          created_by="RUN apt-get update"),
        L([f("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4",
             size=9_000_000)], created_by="RUN apt-get update && apt-get install -y curl"),
    )
    [cache] = by_check(found, "file/cache-apt-lists")
    assert cache.severity is Severity.LOW
    assert cache.path == "var/lib/apt/lists"
    assert cache.target == "/var/lib/apt/lists"
    assert detail(cache, "bytes") == "8.7 MiB (9,150,000 bytes)"
    assert detail(cache, "files") == "2"
    assert detail(cache, "written by layer 1 (RUN apt-get update)") == "146.5 KiB in 1 file"
    assert detail(cache, "written by layer 2 (RUN apt-get update && apt-get install -y curl)") == "8.6 MiB in 1 file"
    assert cache.layer is not None and cache.layer.index == 1  # the layer that wrote most of it
    assert "rm -rf /var/lib/apt/lists/*" in cache.remediation
    assert len(found) == 1


@pytest.mark.parametrize(("path", "kind", "fix"), [
    ("var/cache/apt/archives/curl_7.88_amd64.deb", "apt-cache", "apt-get clean"),
    ("var/cache/apt/pkgcache.bin", "apt-cache", "apt-get clean"),
    ("var/cache/apk/APKINDEX.1234.tar.gz", "apk", "--no-cache"),
    ("var/cache/dnf/fedora.solv", "dnf", "dnf clean all"),
    ("var/cache/yum/x86_64/7/base/repomd.xml", "yum", "yum clean all"),
    ("root/.cache/pip/http-v2/a/b/c", "pip", "--no-cache-dir"),
    ("home/app/.cache/pip/wheels/x.whl", "pip", "--no-cache-dir"),
    ("root/.npm/_cacache/content-v2/sha512/ab/cd", "npm", "npm cache clean --force"),
    ("usr/local/share/.cache/yarn/v6/npm-left-pad.tgz", "yarn", "yarn cache clean"),
    ("home/node/.yarn/berry/cache/lodash.zip", "yarn", "yarn cache clean"),
    ("root/.cache/go-build/ab/abcdef-d", "go-build", "go clean -cache"),
    ("go/pkg/mod/cache/download/golang.org/x/net/@v/v0.1.0.zip", "go-mod", "go clean -modcache"),
    ("root/.m2/repository/org/x/x.jar", "maven", "type=cache"),
    ("home/gradle/.gradle/caches/modules-2/x.jar", "gradle", "type=cache"),
])
def test_cache_kinds(path: str, kind: str, fix: str) -> None:
    [cache] = scan(L([f(path, size=4096)]))
    assert cache.check == f"file/cache-{kind}"
    assert fix in cache.remediation
    assert cache.evidence == "4.0 KiB in 1 file"


def test_one_finding_per_cache_directory() -> None:
    found = scan(L([f("root/.cache/pip/a", size=100), f("home/app/.cache/pip/b", size=200)]))
    assert sorted(x.path for x in by_check(found, "file/cache-pip")) == ["home/app/.cache/pip", "root/.cache/pip"]


def test_empty_deleted_and_non_caches() -> None:
    found = scan(
        L([f("var/cache/apk/lock", size=0), d("var/cache/apt/archives/partial"),
           f("root/.cache/pip/big.whl", size=5000),
           f("usr/lib/python3/dist-packages/x/__pycache__/y.cpython-311.pyc", size=5000),
           f("var/cache/debconf/config.dat", size=5000),
           f("usr/local/lib/node_modules/npm/package.json", size=5000)]),
        L(whiteouts=("root/.cache",)),
    )
    assert found == []
