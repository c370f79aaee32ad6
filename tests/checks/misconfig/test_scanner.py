"""The scanner through its protocol: layer evidence for cache rules, the registry, a rootfs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from checks.misconfig.helpers import GOOD, image
from hullscan.checks.base import CheckContext, ScannerConfig
from hullscan.checks.misconfig import MisconfigScanner
from hullscan.checks.registry import build_scanners
from hullscan.model import ImageInfo, Inventory
from support.views import Dir, view_of

BASE = ["/bin/sh -c #(nop) ADD file:abc in / ", '/bin/sh -c #(nop)  CMD ["/bin/sh"]']
INSTALL = "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl # buildkit"
LISTS = "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4"


def run_check(img: ImageInfo, *layers: Mapping[str, bytes | Dir]) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    view = view_of([], *layers)
    ctx = CheckContext(img, view, Inventory(None), (), ScannerConfig(), date(2025, 1, 1))
    return [(f.id, f.details) for f in MisconfigScanner(ScannerConfig()).check(ctx)]


def test_lists_left_in_the_layer_are_counted() -> None:
    img = image([*BASE, INSTALL], GOOD)
    layer = {LISTS: b"x", "var/lib/apt/lists/lock": b"", "usr/bin/curl": b""}
    ((rule, details),) = run_check(img, {"bin/sh": b""}, layer)
    assert rule == "HS009"
    assert ("cache files left in the layer", "1") in details


def test_lists_not_in_the_layer_are_not_reported() -> None:
    # e.g. RUN --mount=type=cache,target=/var/lib/apt/lists: the text misses the rm, the layer has no lists
    img = image([*BASE, INSTALL], GOOD)
    assert run_check(img, {"bin/sh": b""}, {"var/lib/apt/lists/partial": Dir(), "usr/bin/curl": b""}) == []


def test_pip_cache_in_a_home_directory() -> None:
    img = image([*BASE, "RUN /bin/sh -c pip install flask # buildkit"], GOOD)
    found = run_check(img, {"bin/sh": b""}, {"home/app/.cache/pip/http/ab/cd": b"x"})
    assert [rule for rule, _ in found] == ["HS012"]


def test_registry_builds_it() -> None:
    (scanner,) = build_scanners(("vuln", "misconfig"), ScannerConfig())
    assert isinstance(scanner, MisconfigScanner) and scanner.name == "misconfig" and scanner.extractors() == ()
