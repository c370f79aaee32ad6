"""The extractor protocol: how the layer walker talks to every file parser.

The walker streams each layer once. For every entry it asks each extractor ``wants(path, entry)``; only when
one says yes is the file's content read, and then handed to ``extract(path, data)``. What ``extract`` returns
is the extractor's *payload* for that file: a frozen dataclass that msgspec can encode, because payloads are
cached per layer (key: the layer's diffID plus every extractor's ``name@version``). Bump ``version`` whenever
the payload for the same bytes would change.

Extractors are pure: bytes in, payload out. A file that cannot be parsed raises :class:`ExtractError` (or
returns ``None`` when the file is simply not of interest after all); the walker records a warning naming the
file and the layer and goes on.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from hullscan.model import FileEntry

P = TypeVar("P")
P_co = TypeVar("P_co", covariant=True)


class ExtractError(Exception):
    """A file that an extractor wanted could not be parsed. The message becomes a warning in the report."""


class Extractor(Protocol[P_co]):
    """A parser for one file format.

    ``name`` is stable and hierarchical (``os/release``, ``os/dpkg``, ``lang/python``): it appears in reports,
    configuration and cache keys.
    """

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def payload_type(self) -> type[P_co]: ...

    def wants(self, path: str, entry: FileEntry) -> bool:
        """Whether this extractor needs the content of ``path`` (no leading ``/``). Must be cheap."""
        ...

    def extract(self, path: str, data: bytes) -> P_co | None:
        """Parse one file. Raise :class:`ExtractError` for content that is broken."""
        ...


def signature(extractors: tuple[Extractor[object], ...]) -> str:
    """The part of the cache key that names the extractors: sorted ``name@version`` joined by commas."""
    return ",".join(sorted(f"{e.name}@{e.version}" for e in extractors))
