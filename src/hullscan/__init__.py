"""hullscan: a container image security scanner."""

__version__ = "0.1.0"

__all__ = ["__version__"]
