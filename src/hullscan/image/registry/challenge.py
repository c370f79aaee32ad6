"""``WWW-Authenticate`` challenges: what a registry's ``401`` asks for.

A pure parser (RFC 7235), kept out of the client so that the header grammar can be read and tested without any
HTTP: the client answers the first challenge with ``Basic`` credentials or a ``Bearer`` token
(https://distribution.github.io/distribution/spec/auth/token/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Challenge", "parse_challenge"]


@dataclass(frozen=True, slots=True)
class Challenge:
    """A parsed ``WWW-Authenticate`` header: the scheme (lowercase) and its parameters."""

    scheme: str
    params: tuple[tuple[str, str], ...] = ()

    def param(self, key: str) -> str:
        for k, v in self.params:
            if k == key:
                return v
        return ""


_CHALLENGE_PARAM = re.compile(r'\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)')


def parse_challenge(header: str) -> Challenge | None:
    """Parse ``Bearer realm="https://auth",service="reg",scope="repository:x:pull"`` (RFC 7235).

    >>> parse_challenge('Bearer realm="https://a/token",service="r"').param("realm")
    'https://a/token'
    """
    header = header.strip()
    scheme, _, rest = header.partition(" ")
    if not scheme or "=" in scheme:
        return None
    params: list[tuple[str, str]] = []
    pos = 0
    while pos < len(rest):
        m = _CHALLENGE_PARAM.match(rest, pos)
        if m is None or m.end() == pos:
            break  # a second challenge or junk: the first one is what we answer
        quoted, plain = m.group(2), m.group(3)
        value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else plain
        params.append((m.group(1).lower(), value))
        pos = m.end()
    return Challenge(scheme.lower(), tuple(params))
