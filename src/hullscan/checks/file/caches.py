"""``file/cache-<kind>``: package-manager caches left in the image, with the bytes they cost.

Every byte of a download cache is shipped to every host that pulls the image and is never used at run time.
One finding is made per cache directory that holds any bytes in the squashed view, LOW, with the total, the
file count and each layer (and its build step) that wrote into it, so the fix lands in the right RUN line.
A cache that a later layer deletes is still in the earlier layer's tar: that shows up as ``file/wasted-bytes``
for that layer, not here.

Kinds and their cleanup: ``apt-lists`` (``var/lib/apt/lists``), ``apt-cache`` (``var/cache/apt``: ``.deb``
archives and ``pkgcache.bin``), ``apk`` (``var/cache/apk``), ``dnf``, ``yum``, ``pip``, ``npm``
(``.npm/_cacache``), ``yarn`` (v1 and berry), ``go-build``, ``go-mod``, ``maven`` (``.m2/repository``),
``gradle`` (``.gradle/caches``); per-user caches under ``root/`` and ``home/<user>/``.

``__pycache__`` is deliberately not a cache kind here: byte-compiled modules are read at run time (Debian's
python packages write them on install), and removing them only moves the compilation to every container start,
or fails on a read-only root filesystem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from hullscan.checks.file.common import ImageIndex, bytes_detail, describe_layer, file_count, human_bytes
from hullscan.model import FileKind, Finding, Severity

_HOME = r"(?:root|home/[^/]+)"


@dataclass(frozen=True, slots=True)
class CacheKind:
    name: str
    pattern: str
    """A regex for the cache directory, anchored at the image root, ending with ``/``."""
    what: str
    remediation: str


KINDS = (
    CacheKind("apt-lists", r"var/lib/apt/lists/", "APT package lists",
              "Remove the lists in the same RUN that uses them: `RUN apt-get update && apt-get install -y "
              "--no-install-recommends PKG && rm -rf /var/lib/apt/lists/*`."),
    CacheKind("apt-cache", r"var/cache/apt/", "APT package archives and caches",
              "Clean in the same RUN as the install: `... && apt-get clean && rm -rf /var/cache/apt/archives/*.deb "
              "/var/cache/apt/*.bin`, or use `RUN --mount=type=cache,target=/var/cache/apt`."),
    CacheKind("apk", r"var/cache/apk/", "Alpine apk cache",
              "Install with `apk add --no-cache PKG` (no index or package cache is written), or "
              "`rm -rf /var/cache/apk/*` in the same RUN."),
    CacheKind("dnf", r"var/cache/dnf/", "DNF metadata and package cache",
              "Run `dnf clean all && rm -rf /var/cache/dnf` in the same RUN as `dnf install`."),
    CacheKind("yum", r"var/cache/yum/", "YUM metadata and package cache",
              "Run `yum clean all && rm -rf /var/cache/yum` in the same RUN as `yum install`."),
    CacheKind("pip", rf"{_HOME}/\.cache/pip/", "pip wheel and HTTP cache",
              "Install with `pip install --no-cache-dir` (or `ENV PIP_NO_CACHE_DIR=1`), or use "
              "`RUN --mount=type=cache,target=/root/.cache/pip`."),
    CacheKind("npm", rf"{_HOME}/\.npm/_cacache/", "npm content cache",
              "Run `npm ci && npm cache clean --force` in one RUN, or use "
              "`RUN --mount=type=cache,target=/root/.npm`."),
    CacheKind("yarn", rf"usr/local/share/\.cache/yarn/|{_HOME}/\.cache/yarn/|{_HOME}/\.yarn/berry/cache/",
              "Yarn package cache",
              "Run `yarn install --frozen-lockfile && yarn cache clean` in one RUN, or use "
              "`RUN --mount=type=cache,target=/usr/local/share/.cache/yarn`."),
    CacheKind("go-build", rf"{_HOME}/\.cache/go-build/", "Go build cache",
              "Build in a separate stage and copy only the binary, or run `go clean -cache` in the same RUN "
              "(`RUN --mount=type=cache,target=/root/.cache/go-build` keeps it out of the image)."),
    CacheKind("go-mod", rf"(?:{_HOME}/)?go/pkg/mod/", "Go module cache",
              "Build in a separate stage and copy only the binary, or run `go clean -modcache` in the same RUN "
              "(`RUN --mount=type=cache,target=/go/pkg/mod` keeps it out of the image)."),
    CacheKind("maven", rf"{_HOME}/\.m2/repository/", "Maven local repository",
              "Build in a separate stage and copy only the artifact, or use "
              "`RUN --mount=type=cache,target=/root/.m2`."),
    CacheKind("gradle", rf"{_HOME}/\.gradle/caches/", "Gradle caches",
              "Build in a separate stage and copy only the artifact, or use "
              "`RUN --mount=type=cache,target=/root/.gradle`."),
)
_BY_GROUP = {f"k{i}": kind for i, kind in enumerate(KINDS)}
_ROOTS = ("var/", "root/", "home/", "usr/local/share/", "go/")
"""Every cache pattern starts with one of these: a C-level test skips most paths before the regex."""
_CACHE_DIR = re.compile("|".join(f"(?P<k{i}>{kind.pattern})" for i, kind in enumerate(KINDS)))


@dataclass(slots=True)
class _Usage:
    kind: CacheKind
    directory: str
    bytes: int = 0
    files: int = 0
    by_layer: dict[int, list[int]] = field(default_factory=dict)
    """layer position -> [bytes, files]"""


def usage(index: ImageIndex) -> list[_Usage]:
    """Bytes per cache directory in the squashed view (regular files only: hard links add no bytes)."""
    found: dict[str, _Usage] = {}
    for path, (entry, pos) in index.visible.items():
        if not path.startswith(_ROOTS) or entry.kind is not FileKind.FILE or entry.size <= 0:
            continue
        m = _CACHE_DIR.match(path)
        if m is None or m.lastgroup is None:
            continue
        directory = m.group(0)
        u = found.get(directory)
        if u is None:
            u = found[directory] = _Usage(_BY_GROUP[m.lastgroup], directory.rstrip("/"))
        u.bytes += entry.size
        u.files += 1
        per = u.by_layer.setdefault(pos, [0, 0])
        per[0] += entry.size
        per[1] += 1
    return sorted(found.values(), key=lambda u: u.directory)


def check(index: ImageIndex) -> Iterator[Finding]:
    for u in usage(index):
        kind = u.kind
        biggest = max(u.by_layer.items(), key=lambda item: (item[1][0], item[0]))[0]
        ref = index.layers[biggest]
        details: list[tuple[str, str]] = [("bytes", bytes_detail(u.bytes)), ("files", f"{u.files:,}")]
        for pos, (n, count) in sorted(u.by_layer.items()):
            details.append((f"written by {describe_layer(index.layers[pos])}",
                            f"{human_bytes(n)} in {file_count(count)}"))
        check_id = f"file/cache-{kind.name}"
        yield Finding(
            check=check_id, id=check_id, severity=Severity.LOW,
            title=f"{kind.what} left in the image: {human_bytes(u.bytes)} in /{u.directory}",
            description=(
                f"/{u.directory} holds {human_bytes(u.bytes)} in {file_count(u.files)} that only the build needed. "
                "Every pull and every node's disk pays for them, and stale package indexes can mislead tools "
                "run in the container."
            ),
            remediation=kind.remediation,
            target="/" + u.directory, layer=ref, path=u.directory,
            evidence=f"{human_bytes(u.bytes)} in {file_count(u.files)}", details=tuple(details), category="cache",
        )
