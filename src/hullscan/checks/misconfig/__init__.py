"""Misconfiguration of the image: its config and the Dockerfile rebuilt from its history.

``dockerfile`` rebuilds the instructions, ``shell`` reads RUN scripts, ``rules`` is the catalogue (ids
``HS001``... with their Trivy/hadolint/CIS counterparts), ``run`` and ``image`` hold the rule logic, and
``scanner`` turns hits into findings.
"""

from hullscan.checks.misconfig.scanner import MisconfigScanner

__all__ = ["MisconfigScanner"]
