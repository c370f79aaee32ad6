"""Filters between the findings and the report: ignore files (and, later, VEX)."""
