"""The registry of extractors: an explicit, ordered tuple, grouped by family. Nothing registers itself."""

from __future__ import annotations

from hullscan.extract.apk import ApkExtractor
from hullscan.extract.base import Extractor
from hullscan.extract.cargo_lock import CargoLockExtractor
from hullscan.extract.dpkg import DpkgExtractor
from hullscan.extract.gobinary import GoBinaryExtractor
from hullscan.extract.gomod import GoModExtractor
from hullscan.extract.java import JavaExtractor
from hullscan.extract.npm import NpmExtractor
from hullscan.extract.npm_lock import NpmLockExtractor
from hullscan.extract.osrelease import OSReleaseExtractor
from hullscan.extract.python import PythonExtractor
from hullscan.extract.rpm import RpmExtractor
from hullscan.extract.rustbinary import RustBinaryExtractor


def default_extractors() -> tuple[Extractor[object], ...]:
    return (
        # os/*
        OSReleaseExtractor(),
        ApkExtractor(),
        DpkgExtractor(),
        RpmExtractor(),
        # lang/* (installed packages)
        PythonExtractor(),
        NpmExtractor(),
        JavaExtractor(),
        GoBinaryExtractor(),
        RustBinaryExtractor(),
        # declared in lock and manifest files
        NpmLockExtractor(),
        GoModExtractor(),
        CargoLockExtractor(),
    )
