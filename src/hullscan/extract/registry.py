"""The registry of extractors: an explicit, ordered tuple, grouped by family. Nothing registers itself."""

from __future__ import annotations

from hullscan.extract.apk import ApkExtractor
from hullscan.extract.base import Extractor
from hullscan.extract.cargo_lock import CargoLockExtractor
from hullscan.extract.composer import ComposerInstalledExtractor
from hullscan.extract.dotnet import DotnetDepsExtractor
from hullscan.extract.dpkg import DpkgExtractor
from hullscan.extract.gem import GemspecExtractor
from hullscan.extract.gobinary import GoBinaryExtractor
from hullscan.extract.gomod import GoModExtractor
from hullscan.extract.java import JavaExtractor
from hullscan.extract.lockfile.composer_lock import ComposerLockExtractor
from hullscan.extract.lockfile.gemfile import GemfileLockExtractor
from hullscan.extract.lockfile.pipenv import PipenvLockExtractor
from hullscan.extract.lockfile.pnpm import PnpmLockExtractor
from hullscan.extract.lockfile.poetry import PoetryLockExtractor
from hullscan.extract.lockfile.requirements import RequirementsExtractor
from hullscan.extract.lockfile.uv import UvLockExtractor
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
        GemspecExtractor(),
        ComposerInstalledExtractor(),
        DotnetDepsExtractor(),
        # declared in lock and manifest files
        NpmLockExtractor(),
        PnpmLockExtractor(),
        GoModExtractor(),
        CargoLockExtractor(),
        RequirementsExtractor(),
        PoetryLockExtractor(),
        PipenvLockExtractor(),
        UvLockExtractor(),
        GemfileLockExtractor(),
        ComposerLockExtractor(),
    )
