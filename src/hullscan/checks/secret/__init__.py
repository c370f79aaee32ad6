"""The secret scanner (``--scanners secret``): see :mod:`.scanner`, the rules in :mod:`.builtin`, the engine in
:mod:`.engine` and the config file format in :mod:`.config`."""

from hullscan.checks.secret.scanner import SecretScanner

__all__ = ["SecretScanner"]
