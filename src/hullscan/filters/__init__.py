"""Filters between the findings and the report: ignore files, VEX documents, severity/status selection,
ordering and the CI exit code. :func:`apply_filters` runs them all."""

from hullscan.filters.ignore import Ignored, IgnoreOutcome, IgnoreRule, IgnoreRules, apply_ignore, load_ignore
from hullscan.filters.pipeline import FilterOptions, FilterReport, apply_filters
from hullscan.filters.select import (
    exit_code,
    filter_severity,
    ignore_status,
    ignore_unfixed,
    parse_severities,
    parse_statuses,
    sort_findings,
)
from hullscan.filters.vex import Suppressed, VexContext, VexOutcome, VexStatement, VexStatements, apply_vex, load_vex

__all__ = [
    "FilterOptions",
    "FilterReport",
    "IgnoreOutcome",
    "IgnoreRule",
    "IgnoreRules",
    "Ignored",
    "Suppressed",
    "VexContext",
    "VexOutcome",
    "VexStatement",
    "VexStatements",
    "apply_filters",
    "apply_ignore",
    "apply_vex",
    "exit_code",
    "filter_severity",
    "ignore_status",
    "ignore_unfixed",
    "load_ignore",
    "load_vex",
    "parse_severities",
    "parse_statuses",
    "sort_findings",
]
