"""``secret/scan``: the per-layer half of the secret scanner. Reads text files during the layer walk and keeps,
for each file with secrets, the masked matches (never a clear secret: payloads are cached on disk).

Which files are read (``wants``, decided from the path and tar header alone, before any byte is read):

* regular files of 1 byte up to ``ScannerConfig.max_scan_size`` (10 MiB by default): larger files are logs,
  databases and bundles whose scan would cost more than it finds;
* not under a path a global allow rule skips: test and example files, Markdown, ``vendor/``, and the package
  managed ``usr/share``, ``usr/include``, ``usr/lib`` trees (documentation, headers, libraries shipped by the
  distribution, as in Trivy's model), unless the config disables those allow rules;
* not of an extension that is always binary (images, fonts, archives, shared objects, compiled code). Jar,
  wheel and other archives are not opened: their members are build outputs, not configuration.

``extract`` then drops content with a NUL byte in its first 8 KiB (binary) and runs the engine.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from hullscan.checks.secret.engine import RawMatch, SecretEngine, fingerprint
from hullscan.checks.secret.mask import mask, snippet
from hullscan.model import FileEntry, FileKind

NAME = "secret/scan"
BINARY_SNIFF = 8192

_BINARY_EXTENSIONS = re.compile(
    r"\.(?:png|jpe?g|gif|bmp|ico|icns|webp|tiff?|psd|xcf|heic|avif|svgz|pdf|woff2?|ttf|otf|eot|pfb|mp[34]|m4a|wav|ogg|"
    r"oga|flac|opus|avi|mov|mkv|webm|zip|jar|war|ear|aar|apk|whl|egg|gz|tgz|bz2|tbz2?|xz|txz|zst|lz4|lzma|7z|rar|"
    r"cab|deb|rpm|iso|img|qcow2|vmdk|so(?:\.[0-9]+)*|a|o|ko|dll|exe|dylib|lib|obj|class|pyc|pyo|beam|wasm|node|"
    r"mo|gmo|db|sqlite3?|cdb|pack|idx|bin|dat|res|pak|npy|npz|pkl|pt|onnx|h5|parquet|avro)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """One secret in one file, safe to store and print."""

    rule_id: str
    line: int
    """1-based line where the match starts."""
    masked: str
    """The secret, masked (several secrets of one match: masked and joined by a blank)."""
    snippet: str
    """The line around it with every secret of the file masked, cut to a few dozen characters each side."""
    fingerprint: str
    """Tells sightings of the same secret apart from others without revealing it (see engine.fingerprint)."""


@dataclass(frozen=True, slots=True)
class SecretFile:
    """The payload of ``secret/scan`` for one file."""

    matches: tuple[SecretMatch, ...]
    md5: str = ""
    """The file's MD5, to tell a file still exactly as an OS package installed it (dpkg records MD5s)."""


def to_matches(raw: list[RawMatch], data: bytes, *, line_of: list[int] | None = None) -> tuple[SecretMatch, ...]:
    """The storable form of ``raw`` (matches in ``data``): masked values, masked snippets, line numbers.

    ``line_of`` maps a line number to another (history and env are scanned joined, one entry per line)."""
    spans = [s for m in raw for s in m.secrets]
    values = [data[s:e] for s, e in spans]
    out: list[SecretMatch] = []
    line, counted = 1, 0
    for m in sorted(raw, key=lambda m: (m.start, m.rule.id)):
        line += data.count(b"\n", counted, m.start)
        counted = m.start
        out.append(SecretMatch(
            rule_id=m.rule.id,
            line=line_of[line - 1] if line_of else line,
            masked=" ".join(mask(v) for v in m.values(data)),
            snippet=snippet(data, m.start, m.end, spans, values),
            fingerprint=fingerprint(m.rule.id, m.values(data)),
        ))
    return tuple(out)


class SecretExtractor:
    """Finds secrets in the text files of each layer (see the module docstring)."""

    payload_type = SecretFile

    def __init__(self, engine: SecretEngine, *, max_size: int, config_digest: str = "", version: int = 1) -> None:
        self.engine = engine
        self.max_size = max_size
        # A custom config changes what the same bytes yield: its digest goes into the name, hence the cache key.
        self.name = f"{NAME}+{config_digest[:16]}" if config_digest else NAME
        self.version = version

    def wants(self, path: str, entry: FileEntry) -> bool:
        return (
            entry.kind is FileKind.FILE
            and 0 < entry.size <= self.max_size
            and not _BINARY_EXTENSIONS.search(path)
            and not self.engine.path_allowed(path)
        )

    def extract(self, path: str, data: bytes) -> SecretFile | None:
        if b"\x00" in data[:BINARY_SNIFF]:
            return None
        raw = self.engine.find(path, data)
        if not raw:
            return None
        return SecretFile(to_matches(raw, data), hashlib.md5(data, usedforsecurity=False).hexdigest())
