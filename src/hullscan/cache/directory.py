"""The local directory cache of layer facts.

Each entry is one file, ``layers/<key[:2]>/<key>.json.zst``, written to a temporary name in the same directory
and renamed into place, so two scans running at once never see a half-written entry and the last writer wins
with identical content. An entry that does not decode is treated as a miss and removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import msgspec
import zstandard

from hullscan.errors import CacheError
from hullscan.image.facts import FACTS_FORMAT, LayerFacts, decode_facts, encode_facts


def layer_key(diff_id: str, extractor_signature: str) -> str:
    """Cache key of one layer's facts: its diffID, every extractor's ``name@version``, and the facts format."""
    text = f"hullscan-facts/{FACTS_FORMAT}\n{diff_id}\n{extractor_signature}"
    return hashlib.sha256(text.encode()).hexdigest()


def default_cache_dir() -> Path:
    env = os.environ.get("HULLSCAN_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("hullscan"))


class DirectoryCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._layers = root / "layers"

    def _path(self, key: str) -> Path:
        return self._layers / key[:2] / f"{key}.json.zst"

    def get(self, key: str) -> LayerFacts | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CacheError(f"cache {self.root}: cannot read {path.name} ({exc.strerror})") from None
        try:
            return decode_facts(zstandard.ZstdDecompressor().decompress(data))
        except (zstandard.ZstdError, msgspec.DecodeError, msgspec.ValidationError):
            with contextlib.suppress(OSError):
                path.unlink()
            return None

    def put(self, key: str, facts: LayerFacts) -> None:
        path = self._path(key)
        data = zstandard.ZstdCompressor(level=3).compress(encode_facts(facts))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise CacheError(f"cache {self.root}: cannot write ({exc.strerror})") from None

    def clean(self) -> int:
        """Remove every entry (layer facts and the scanners' compiled rule databases); returns how many files were
        removed."""
        count = 0
        for part in (self._layers, self.root / "hyperscan"):
            if not part.exists():
                continue
            count += sum(1 for p in part.rglob("*") if p.is_file())
            try:
                shutil.rmtree(part)
            except OSError as exc:
                raise CacheError(f"cache {self.root}: cannot clean ({exc.strerror})") from None
        return count
