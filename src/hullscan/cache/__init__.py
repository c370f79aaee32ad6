"""Layer-fact caches: a key per layer (diffID + extractor versions), the same for every backend."""

from hullscan.cache.directory import DirectoryCache, layer_key

__all__ = ["DirectoryCache", "layer_key"]
