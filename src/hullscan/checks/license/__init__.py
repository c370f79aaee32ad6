"""The ``license`` scanner and licence normalisation for reports.

* :func:`normalize`: any licence text -> (SPDX expression, category); memoised, safe to call per package.
* :class:`LicenseScanner`: findings for forbidden, restricted, reciprocal and unknown licences, or for what a
  ``--license-policy`` denies.

Modules: ``spdx`` (the seam to ``license-expression``), ``categories`` (the category table), ``classify``,
``normalization``, ``policy`` (the YAML file), ``scanner``.
"""

from __future__ import annotations

from hullscan.checks.license.categories import Category
from hullscan.checks.license.normalization import Normalized, normalize
from hullscan.checks.license.policy import LicensePolicy, load_policy
from hullscan.checks.license.scanner import LicenseScanner

__all__ = ["Category", "LicensePolicy", "LicenseScanner", "Normalized", "load_policy", "normalize"]
