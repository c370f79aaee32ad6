"""Extractors: one module per file format, each a pure parser behind the :class:`Extractor` protocol.

The registry of extractors is the explicit tuple in :mod:`hullscan.extract.registry`; importing a module never
registers anything.
"""

from hullscan.extract.base import ExtractError, Extractor

__all__ = ["ExtractError", "Extractor"]
