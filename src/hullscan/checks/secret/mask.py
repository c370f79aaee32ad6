"""Masking: how a secret, and the line around it, are shown without giving the secret away.

A secret of 20 characters or more keeps its first and last 4 characters (``AKIA************CDEF``), as a
vendor console shows a key's ends so that a user can tell which key leaked; a shorter one, whose ends would
give away too much of it, is all asterisks. At most 32 asterisks are shown, so a private key stays one line.

The one-line snippet masks every secret found anywhere in the same content, and every other occurrence of
those secrets' values, before it is cut to length: cutting first could leave half of a neighbouring secret
unmasked at the edge.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_PARTIAL = 20
KEEP = 4
MAX_STARS = 32
CONTEXT = 60
"""Characters of the line kept on each side of the match in a snippet."""
MAX_SNIPPET = 240


def mask(secret: bytes | str) -> str:
    """The masked form of one secret.

    >>> mask("AKIA0123456789ABCDEF")
    'AKIA************CDEF'
    >>> mask("plainSecret")
    '***********'
    """
    text = secret.decode("utf-8", "replace") if isinstance(secret, bytes) else secret
    n = len(text)
    if n < MIN_PARTIAL:
        return "*" * n
    return text[:KEEP] + "*" * min(n - 2 * KEEP, MAX_STARS) + text[-KEEP:]


def _covered(data: bytes, lo: int, hi: int, spans: Iterable[tuple[int, int]], values: Iterable[bytes]) -> list[bool]:
    """Which bytes of ``data[lo:hi]`` belong to a secret (by position, or by value anywhere in the window)."""
    cover = [False] * (hi - lo)
    for start, end in spans:
        for k in range(max(start, lo), min(end, hi)):
            cover[k - lo] = True
    # Search a little beyond the window so that an occurrence straddling its edge is still masked.
    values = [v for v in set(values) if v]
    reach = max((len(v) for v in values), default=0)
    region_lo, region_hi = max(0, lo - reach), min(len(data), hi + reach)
    region = data[region_lo:region_hi]
    for value in values:
        at = region.find(value)
        while at >= 0:
            for k in range(max(region_lo + at, lo), min(region_lo + at + len(value), hi)):
                cover[k - lo] = True
            at = region.find(value, at + 1)
    return cover


def _render(data: bytes, lo: int, hi: int, cover: list[bool]) -> str:
    """``data[lo:hi]`` as text, every covered run replaced by its mask, line breaks as single spaces."""
    parts: list[str] = []
    k = lo
    while k < hi:
        run_start = k
        flag = cover[k - lo]
        while k < hi and cover[k - lo] == flag:
            k += 1
        chunk = data[run_start:k]
        if flag:
            parts.append(mask(chunk.strip()) if chunk.strip() else " ")
        else:
            parts.append(chunk.decode("utf-8", "replace"))
    return " ".join("".join(parts).replace("\r", "").split("\n")).strip()


def snippet(
    data: bytes, start: int, end: int, secret_spans: Iterable[tuple[int, int]], secret_values: Iterable[bytes]
) -> str:
    """The masked text of the line(s) holding ``data[start:end]``, cut to about :data:`CONTEXT` on each side."""
    line_lo = data.rfind(b"\n", 0, start) + 1
    line_hi = data.find(b"\n", end)
    line_hi = len(data) if line_hi < 0 else line_hi
    lo, hi = max(line_lo, start - 2 * CONTEXT), min(line_hi, end + 2 * CONTEXT)
    spans = list(secret_spans)
    cover = _covered(data, lo, hi, spans, secret_values)
    before = _render(data, lo, start, cover[: start - lo]) if start > lo else ""
    middle = _render(data, start, end, cover[start - lo : end - lo])
    after = _render(data, end, hi, cover[end - lo :]) if hi > end else ""
    if len(before) > CONTEXT:
        before = "…" + before[-CONTEXT:]
    if len(after) > CONTEXT:
        after = after[:CONTEXT] + "…"
    text = f"{before}{' ' if before and data[start - 1 : start].isspace() else ''}{middle}" \
           f"{' ' if after and data[end : end + 1].isspace() else ''}{after}"
    return text if len(text) <= MAX_SNIPPET else text[: MAX_SNIPPET - 1] + "…"
