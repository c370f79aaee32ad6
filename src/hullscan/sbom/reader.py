"""Reading an SBOM back into an inventory: CycloneDX (JSON 1.2–1.7, XML) and SPDX 2.2/2.3 (JSON, tag-value).

Documents written by hullscan round-trip (its ``hullscan:`` properties and annotations restore layer, arch,
epoch, source package, …); documents of other tools (Syft, Trivy, cdxgen) are read through their PURLs
(https://github.com/package-url/purl-spec) and the few properties those tools are known to write
(``syft:metadata:originPackage``, ``aquasecurity:trivy:SrcName``…).

What comes out (:class:`SbomInventory`):

- ``distro``: the ``operating-system`` component (CycloneDX) or the ``OPERATING-SYSTEM`` package (SPDX); else
  the ``distro`` qualifier of the OS packages' PURLs (``alpine-3.11.5``, ``debian-12``, Trivy's apk ``3.11.5``).
- ``packages``: every element whose PURL type hullscan has an ecosystem for, as :class:`hullscan.model.Package`:
  OS packages (``deb``, ``apk``, ``rpm``) and language packages (``pypi``, ``npm``, ``maven``, ``golang``,
  ``cargo``, ``gem``, ``composer``, ``nuget``...).
- ``other``: every other element that is a package (a PURL of another type, or at least a version), as
  ``(purl, name, version)``. Elements with neither a PURL nor a version (Trivy's lockfile grouping nodes), the
  described image itself (``container``, ``pkg:oci``/``pkg:docker``) and files are skipped.

A document that cannot be read raises :class:`SbomError` with one line that names it and says what is wrong.

This module is the entry point: it tells the formats and encodings apart and hands the document to its reader
(``cyclonedx``, ``spdx``; XML and tag-value are first converted to the JSON form by ``cyclonedx_xml`` and
``spdx_tagvalue``); ``packages`` maps what both formats describe to the model, ``inventory`` holds the result type.
"""

from __future__ import annotations

import re

import msgspec

from hullscan.sbom.cyclonedx import CycloneDxReader
from hullscan.sbom.cyclonedx_xml import xml_to_json
from hullscan.sbom.inventory import SbomError, SbomInventory
from hullscan.sbom.spdx import SpdxReader
from hullscan.sbom.spdx_tagvalue import tag_value_to_json

__all__ = ["SbomError", "SbomInventory", "read_sbom"]


def read_sbom(data: bytes, name: str) -> SbomInventory:
    """Parse a CycloneDX or SPDX document. ``name`` (a file name) is used in error messages only."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return CycloneDxReader(name, "xml").read(xml_to_json(data, name))
    if head.startswith((b"{", b"[")):
        try:
            document = msgspec.json.decode(data)
        except msgspec.DecodeError as exc:
            raise SbomError(f"{name}: not valid JSON ({exc})") from None
        if not isinstance(document, dict):
            raise SbomError(f"{name}: not an SBOM: the JSON document is not an object")
        if document.get("bomFormat") == "CycloneDX":
            return CycloneDxReader(name, "json").read(document)
        if "spdxVersion" in document:
            return SpdxReader(name, "json").read(document)
        if "@context" in document and "spdx" in str(document.get("@context")).lower():
            raise SbomError(f"{name}: SPDX 3 (JSON-LD) documents are not supported; use SPDX 2.2/2.3")
        raise SbomError(f"{name}: neither a CycloneDX nor an SPDX document (no 'bomFormat' or 'spdxVersion' key)")
    if re.search(rb"^\s*SPDXVersion\s*:", data[:65536], re.MULTILINE):
        return SpdxReader(name, "tag-value").read(tag_value_to_json(data, name))
    raise SbomError(f"{name}: not an SBOM: neither JSON, XML nor SPDX tag-value")
