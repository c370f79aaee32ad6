"""Every built-in rule, in the order they run and are listed (``hullscan`` documents them from here)."""

from __future__ import annotations

from hullscan.checks.secret.builtin_apps import APP_RULES
from hullscan.checks.secret.builtin_cloud import CLOUD_RULES
from hullscan.checks.secret.rules import Rule

BUILTIN_RULES: tuple[Rule, ...] = (*CLOUD_RULES, *APP_RULES)

RULES_VERSION = 4
"""Bump with every change to a built-in rule or allow rule: it is the extractor's version, so cached layers
are scanned again."""
