"""Feed importers, one module per format, all behind :class:`~hullscan.vulndb.importers.base.Importer`."""

from __future__ import annotations

from hullscan.vulndb.importers.base import Data, Importer

__all__ = ["Data", "Importer"]
