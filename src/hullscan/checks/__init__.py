"""Checks: pure functions from the inventory (and, later, the advisory store) to findings."""
