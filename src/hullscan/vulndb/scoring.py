"""CVSS base scores from vectors, with Red Hat Product Security's ``cvss`` library (CVSS 2.0, 3.x, 4.0).

Feeds such as OSV give only a vector (``severity[].score``); the score and the qualitative rating are computed
here so every row in the store carries both. A vector the library rejects keeps its text and gets no score.
"""

from __future__ import annotations

import functools

import cvss  # type: ignore[import-untyped]  # ships no type information
from cvss.exceptions import CVSSError  # type: ignore[import-untyped]


def _rating(score: float) -> str:
    # CVSS v3.1 specification, section 5 (qualitative severity rating scale); v4.0 uses the same bands.
    if score >= 9.0:
        return "CRITICAL"
    if score >= 7.0:
        return "HIGH"
    if score >= 4.0:
        return "MEDIUM"
    if score > 0.0:
        return "LOW"
    return ""


def _rating_v2(score: float) -> str:
    # NVD's CVSS v2 bands: 0-3.9 low, 4-6.9 medium, 7-10 high.
    if score >= 7.0:
        return "HIGH"
    if score >= 4.0:
        return "MEDIUM"
    if score > 0.0:
        return "LOW"
    return ""


def cvss_version(vector: str) -> str:
    """``3.1``, ``3.0``, ``4.0`` from the vector's prefix; ``2.0`` for a prefix-less v2 vector.

    >>> cvss_version("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), cvss_version("AV:N/AC:L/Au:N/C:P/I:P/A:P")
    ('3.1', '2.0')
    """
    if vector.startswith("CVSS:"):
        return vector[5:].split("/", 1)[0]
    return "2.0"


@functools.lru_cache(maxsize=8192)
def score_vector(vector: str) -> tuple[float | None, str]:
    """The base score and rating (``LOW``..``CRITICAL``) of a CVSS vector, or ``(None, "")`` if it is invalid.

    >>> score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    (9.8, 'CRITICAL')
    >>> score_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    (9.3, 'CRITICAL')
    >>> score_vector("nonsense")
    (None, '')
    """
    vector = vector.strip()
    version = cvss_version(vector)
    try:
        if version.startswith("4"):
            score = float(cvss.CVSS4(vector).base_score)
        elif version.startswith("3"):
            score = float(cvss.CVSS3(vector).base_score)
        else:
            score = float(cvss.CVSS2(vector).base_score)
            return score, _rating_v2(score)
    except (CVSSError, ValueError, KeyError, IndexError, TypeError):
        return None, ""
    return score, _rating(score)


def rating(score: float | None, version: str = "3.1") -> str:
    """The qualitative rating of a numeric score (``""`` for ``None``)."""
    if score is None:
        return ""
    return _rating_v2(score) if version.startswith("2") else _rating(score)
