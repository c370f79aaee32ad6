"""SBOM documents as input: read a CycloneDX or SPDX document back into an inventory (``hullscan sbom-scan``).

Writing SBOMs is the report writers' job (``hullscan.report.cyclonedx``, ``hullscan.report.spdx``).
"""

from hullscan.sbom.reader import SbomError, SbomInventory, read_sbom

__all__ = ["SbomError", "SbomInventory", "read_sbom"]
