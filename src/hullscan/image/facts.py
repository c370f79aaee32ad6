"""Per-layer facts: everything one pass over one layer yields. The unit of caching.

What a layer yields depends only on its bytes (diffID) and the extractors that read it, so a ``LayerFacts`` can
be stored under ``diffID + extractor signature`` and reused by any image that shares the layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from hullscan.model import FileEntry

FACTS_FORMAT = 1
"""Bump when the shape of LayerFacts (or the walker's rules) changes: it is part of every cache key."""


@dataclass(frozen=True, slots=True)
class FactWarning:
    """A file in the layer that could not be read as expected."""

    message: str
    path: str = ""
    extractor: str = ""


@dataclass(frozen=True, slots=True)
class LayerFacts:
    diff_id: str
    files: tuple[FileEntry, ...]
    """Every entry of the layer in tar order, whiteout markers excluded."""
    whiteouts: tuple[str, ...] = ()
    """Paths this layer deletes from the layers below (``.wh.NAME`` markers, resolved to ``NAME``)."""
    opaque_dirs: tuple[str, ...] = ()
    """Directories whose lower-layer content this layer hides (``.wh..wh..opq``)."""
    results: dict[str, dict[str, msgspec.Raw]] = field(default_factory=dict)
    """extractor name -> path -> the extractor's payload, JSON-encoded (decoded lazily by payload type)."""
    warnings: tuple[FactWarning, ...] = ()
    uncompressed_size: int = 0


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(LayerFacts)


def encode_facts(facts: LayerFacts) -> bytes:
    return _encoder.encode(facts)


def decode_facts(data: bytes) -> LayerFacts:
    return _decoder.decode(data)


def encode_payload(payload: object) -> msgspec.Raw:
    return msgspec.Raw(_encoder.encode(payload))
