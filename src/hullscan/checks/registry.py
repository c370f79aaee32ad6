"""Which scanners run: ``--mode quick|full`` and ``--scanners LIST``, resolved to scanner instances."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from hullscan.checks.base import Mode, Scanner, ScannerConfig
from hullscan.errors import UsageError

ALL = ("vuln", "misconfig", "secret", "file", "malware", "license")
"""Every scanner name, in the order they run and are listed. ``vuln`` is advisory matching (done by
:mod:`hullscan.match`, not a :class:`Scanner`)."""

MODES: dict[str, tuple[str, ...]] = {
    # No file content is read beyond the package databases: the image config and the inventory only.
    "quick": ("vuln", "misconfig"),
    "full": ALL,
}


def resolve_names(mode: Mode, scanners: str | None) -> tuple[str, ...]:
    """The scanner names to run: ``--scanners`` when given (``none`` for none), else the mode's set."""
    if scanners is None:
        return MODES[mode]
    names = [s.strip().lower() for s in scanners.split(",") if s.strip()]
    unknown = [n for n in names if n not in (*ALL, "none")]
    if unknown:
        raise UsageError(f"unknown scanner {unknown[0]!r}: use any of {', '.join(ALL)}, or none")
    return tuple(n for n in ALL if n in names)


_SCANNERS: dict[str, str] = {
    "misconfig": "hullscan.checks.misconfig:MisconfigScanner",
    "secret": "hullscan.checks.secret:SecretScanner",
    "file": "hullscan.checks.file:FileScanner",
    "malware": "hullscan.checks.malware:MalwareScanner",
    "license": "hullscan.checks.license:LicenseScanner",
}
"""Name -> ``module:class``, imported only when the scanner runs (a quick scan never imports YARA or the
secret rules)."""


def _factory(name: str) -> Callable[[ScannerConfig], Scanner] | None:
    target = _SCANNERS.get(name)
    if target is None:
        return None
    module, _, attr = target.partition(":")
    factory: Callable[[ScannerConfig], Scanner] = getattr(importlib.import_module(module), attr)
    return factory


def build_scanners(names: tuple[str, ...], config: ScannerConfig, *, strict: bool = True) -> tuple[Scanner, ...]:
    """The :class:`Scanner` instances for ``names`` (``vuln`` is not one of them). ``UsageError`` for a scanner
    not available in this build (``strict=False``: left out)."""
    out: list[Scanner] = []
    for name in names:
        if name == "vuln":
            continue
        factory = _factory(name)
        if factory is None:
            if not strict:
                continue
            raise UsageError(f"the {name} scanner is not available in this build")
        out.append(factory(config))
    return tuple(out)
