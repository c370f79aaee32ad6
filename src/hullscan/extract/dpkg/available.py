"""dpkg's ``available`` file: the ``SHA256`` of the ``.deb`` each package came from, when apt recorded it.

The same paragraph format as the status file, but other fields, and a damaged record is simply ignored: all it
can cost is a package's checksum, never the package.
"""

from __future__ import annotations

import re

from hullscan.extract.dpkg.deb822 import _COMMON_FIELDS, _decode, _field_table, _fields, _paragraphs
from hullscan.extract.dpkg.model import Available, Digest

_AVAILABLE_FIELDS = ("Package", "Version", "Architecture", "SHA256")
_AVAILABLE_TABLE = _field_table(_AVAILABLE_FIELDS, _COMMON_FIELDS)
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def parse_available(data: bytes) -> Available:
    """The ``SHA256`` of each record of dpkg's ``available`` file (damaged records are ignored)."""
    digests: list[Digest] = []
    for paragraph in _paragraphs(_decode(data)):
        fields = _fields(paragraph, _AVAILABLE_TABLE)
        if fields is None:
            continue
        name, version, sha256 = fields.get("Package", ""), fields.get("Version", ""), fields.get("SHA256", "")
        if name and version and _SHA256.fullmatch(sha256):
            digests.append(Digest(name, version, fields.get("Architecture", ""), sha256.lower()))
    return Available(tuple(digests))
