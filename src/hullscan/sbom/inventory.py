"""What reading an SBOM gives back (:class:`SbomInventory`) and the one error it raises (:class:`SbomError`).

Kept apart from the readers so that every format module, the entry point (``hullscan.sbom.reader``) and the
callers share the same two types without importing the parsers.
"""

from __future__ import annotations

from dataclasses import dataclass

from hullscan.errors import HullscanError
from hullscan.model import Distro, Inventory, Package


class SbomError(HullscanError):
    """An SBOM document cannot be read. ``str(err)`` names the document and the problem in one line."""


@dataclass(frozen=True, slots=True)
class SbomInventory:
    """What an SBOM document says is in the artifact it describes."""

    format: str
    """``cyclonedx`` or ``spdx``."""
    spec_version: str
    """``1.6`` (CycloneDX) or ``2.3`` (SPDX)."""
    encoding: str
    """``json``, ``xml`` (CycloneDX) or ``tag-value`` (SPDX)."""
    name: str
    """The subject: CycloneDX ``metadata.component.name``, the SPDX document ``name``; may be empty."""
    distro: Distro | None
    packages: tuple[Package, ...]
    """The packages of a PURL type hullscan has an ecosystem for (OS and language packages), in document order."""
    other: tuple[tuple[str, str, str], ...] = ()
    """Every other package as (purl, name, version): PURL types hullscan has no ecosystem for, and elements
    with a version but no PURL; purl is ``""`` when the element has none."""
    tools: tuple[str, ...] = ()
    """The generators the document names (``syft 1.18.1``, ``hullscan 0.1.0``)."""

    def inventory(self) -> Inventory:
        """The packages as the inventory a scan would have produced (no files, no layers of the image)."""
        return Inventory(distro=self.distro, packages=self.packages)
