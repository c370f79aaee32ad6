"""The scanner protocol: what every detector beyond the package inventory plugs into.

A scanner has a stable ``name`` (``secret``, ``misconfig``, ``file``, ``malware``, ``license``; users pick them
with ``--scanners`` or ``--mode``) and two hooks:

- :meth:`Scanner.extractors`: extra extractors the layer walk runs for it. They see every layer's files once,
  as the package extractors do, and their payloads are cached per layer with the rest (a scanner whose output
  depends on user input, such as custom rules, puts a digest of that input into its extractor's ``name``).
  Scanners that read only the image config, the squashed file list or the inventory return ``()``.
- :meth:`Scanner.check`: after the walk, turn what was collected into :class:`~hullscan.model.Finding`\\ s.
  ``check`` ids are ``<scanner>/<rule>`` (``secret/aws-access-key-id``, ``misconfig/HS001``); findings about a
  file set ``path`` (and ``line``), never carry an unmasked secret, and name the layer that brought the problem.

A scanner's constructor takes the :class:`ScannerConfig`; bad user input (a rule file that does not parse) is
a :class:`~hullscan.errors.UsageError` raised there, before any layer is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from hullscan.extract.base import Extractor
from hullscan.model import Finding, ImageInfo, Inventory

if TYPE_CHECKING:
    from hullscan.image.squash import SquashedView

Mode = Literal["quick", "full"]


@dataclass(frozen=True, slots=True)
class ScannerConfig:
    """What the user said about the scanners (command-line flags and the files they name)."""

    mode: Mode = "quick"
    """``quick``: no file-content scanning beyond the package databases (malware, when asked for, reads only
    executables and scripts); ``full``: every scanner, every file."""
    secret_config: Path | None = None
    """``--secret-config``: YAML with custom rules, allow rules and disabled rule ids."""
    malware_rules: tuple[Path, ...] = ()
    """``--malware-rules``: directories or files of YARA rules, used with the built-in ones."""
    malware_hashes: tuple[Path, ...] = ()
    """``--malware-hashes``: files of SHA-256 digests (one per line, ``#`` comments) of known-bad files."""
    clamd: str = ""
    """``--clamd``: ``unix:/path/to/socket`` or ``tcp:host:port`` of a running clamd; empty: no ClamAV."""
    license_policy: Path | None = None
    """``--license-policy``: YAML allow/deny lists turning license violations into findings."""
    max_scan_size: int = 10 << 20
    """Files larger than this are not content-scanned for secrets (malware has its own limit in full mode)."""
    cache_dir: Path | None = None
    """Where scanners may keep what they compile from their rules (the secret scanner's Hyperscan database), so
    the next run loads it instead of compiling again; ``None`` (``--no-cache``): nowhere."""


@dataclass(frozen=True, slots=True)
class CheckContext:
    """Everything a scanner's :meth:`Scanner.check` may look at."""

    image: ImageInfo
    view: SquashedView
    """The squashed filesystem; ``view.layer_facts()`` and ``view.layer_payloads()`` give every layer's own."""
    inventory: Inventory
    findings: tuple[Finding, ...]
    """The findings of the package checks (vulnerabilities, OS end of life) made before this scanner ran."""
    config: ScannerConfig
    today: date


class Scanner(Protocol):
    """A detector over the image beyond package matching (see the module docstring)."""

    @property
    def name(self) -> str: ...

    def extractors(self) -> tuple[Extractor[object], ...]:
        """Extractors to run during the layer walk (``()`` for none)."""
        ...

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        """The findings, once every layer was read."""
        ...
