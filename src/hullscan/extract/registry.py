"""The registry of extractors: an explicit, ordered tuple, grouped by family. Nothing registers itself."""

from __future__ import annotations

from hullscan.extract.apk import ApkExtractor
from hullscan.extract.base import Extractor
from hullscan.extract.dpkg import DpkgExtractor
from hullscan.extract.osrelease import OSReleaseExtractor
from hullscan.extract.rpm import RpmExtractor


def default_extractors() -> tuple[Extractor[object], ...]:
    return (
        # os/*
        OSReleaseExtractor(),
        ApkExtractor(),
        DpkgExtractor(),
        RpmExtractor(),
    )
