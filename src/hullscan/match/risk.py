"""The risk score: one number (0-100) to sort findings by what to fix first.

    risk = base x (1 + 4 x EPSS) x (2 if in CISA KEV else 1), capped at 100

``base`` is the CVSS base score (0-10) when one is known, else the midpoint of the severity band (LOW 2.5,
MEDIUM 5.5, HIGH 8.0, CRITICAL 9.5, UNKNOWN 1.0). EPSS (0-1) is the probability of exploitation in the next
30 days, so a likely-exploited bug weighs up to five times its base, and a bug known to be exploited in the
wild (KEV) twice more. A CRITICAL 9.8 that is in KEV with EPSS 0.9 scores 90.2; the same bug with EPSS 0.001
and not in KEV scores 9.8; a LOW 3.1 with no EPSS scores 3.1.
"""

from __future__ import annotations

from hullscan.model import Severity

_BAND = {Severity.UNKNOWN: 1.0, Severity.LOW: 2.5, Severity.MEDIUM: 5.5, Severity.HIGH: 8.0, Severity.CRITICAL: 9.5}


def risk_score(severity: Severity, cvss_score: float | None, epss: float | None, kev: bool) -> float:
    """>>> risk_score(Severity.CRITICAL, 9.8, 0.9, True)
    90.2
    """
    base = cvss_score if cvss_score is not None else _BAND[severity]
    value = base * (1 + 4 * (epss or 0.0)) * (2 if kev else 1)
    return round(min(value, 100.0), 1)
