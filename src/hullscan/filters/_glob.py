"""Path globs for ignore-file ``paths``, with the syntax Trivy's ``.trivyignore.yaml`` takes (Go's doublestar).

* ``*`` matches any run of characters within one path segment, ``?`` one character (never ``/``);
* ``**`` as a whole segment matches zero or more segments (``usr/**/METADATA``, ``**/site-packages/**``);
* ``[abc]``, ``[a-z]``, ``[!abc]`` / ``[^abc]`` match one character of (not of) a class;
* ``{a,b}`` matches either alternative (alternatives may hold globs);
* ``\\`` escapes the next character.

The whole path must match. Leading ``/`` and ``./`` are ignored on both sides: image paths are written
without them (``lib/apk/db/installed``).

>>> glob_match("usr/lib/python3*/site-packages/**", "usr/lib/python3.11/site-packages/x.dist-info/METADATA")
True
>>> glob_match("usr/*/METADATA", "usr/lib/x/METADATA")
False
>>> glob_match("**/METADATA", "METADATA")
True
"""

from __future__ import annotations

import re
from functools import lru_cache


def normalize_path(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


def glob_match(pattern: str, path: str) -> bool:
    return compile_glob(pattern).fullmatch(normalize_path(path)) is not None


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """The pattern as a regular expression; ``ValueError`` for an unclosed ``[`` or ``{`` or a trailing ``\\``."""
    regex, _ = _translate(normalize_path(pattern), 0, in_braces=False)
    return re.compile(regex, re.DOTALL)


def _translate(p: str, i: int, *, in_braces: bool) -> tuple[str, int]:
    """Translate ``p`` from ``i`` up to the end (or, inside braces, up to the ``,`` or ``}`` that ends the
    alternative, which is not consumed)."""
    out: list[str] = []
    n = len(p)
    while i < n:
        c = p[i]
        if in_braces and c in ",}":
            break
        if c == "*":
            j = i
            while j < n and p[j] == "*":
                j += 1
            whole_segment = (i == 0 or p[i - 1] == "/") and (j == n or p[j] == "/")
            if j - i >= 2 and whole_segment:
                if j == n:  # trailing "**": everything below (and, after "dir/", the empty rest)
                    out.append(".*")
                else:  # "**/": zero or more whole segments
                    out.append("(?:[^/]*/)*")
                    j += 1
            else:
                out.append("[^/]*")
            i = j
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = i + 1
            negate = j < n and p[j] in "!^"
            if negate:
                j += 1
            parts: list[str] = []
            first = True
            while j < n and (p[j] != "]" or first):
                first = False
                if p[j] == "\\" and j + 1 < n:
                    parts.append(re.escape(p[j + 1]))
                    j += 2
                elif p[j] == "-" and parts and j + 1 < n and p[j + 1] != "]":
                    parts.append("-")
                    j += 1
                else:
                    parts.append(re.escape(p[j]))
                    j += 1
            if j >= n:
                raise ValueError(f"unclosed '[' at {i + 1}")
            body = "".join(parts)
            out.append(f"[^/{body}]" if negate else f"(?!/)[{body}]")
            i = j + 1
        elif c == "{":
            alternatives: list[str] = []
            j = i + 1
            while True:
                alt, j = _translate(p, j, in_braces=True)
                alternatives.append(alt)
                if j >= n:
                    raise ValueError(f"unclosed '{{' at {i + 1}")
                if p[j] == "}":
                    break
                j += 1  # the ","
            out.append("(?:" + "|".join(alternatives) + ")")
            i = j + 1
        elif c == "\\":
            if i + 1 >= n:
                raise ValueError("trailing '\\'")
            out.append(re.escape(p[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out), i
