"""Reading an SPDX 2.2/2.3 document (JSON, or tag-value already converted by ``hullscan.sbom.spdx_tagvalue``).

One module per format so each reader fits in a head: this one knows where SPDX keeps a package's PURL (an
external reference), licences (with ``LicenseRef-`` resolved through the extracted licensing infos), checksums,
supplier, ``sourceInfo`` and the annotations hullscan writes in place of CycloneDX properties.
"""

from __future__ import annotations

import re
from typing import Any

from hullscan.model import Distro
from hullscan.report.spdx import PROPERTY_PREFIX, split_and
from hullscan.sbom.base import DocumentReader, preferred_checksum
from hullscan.sbom.inventory import SbomInventory
from hullscan.sbom.packages import Entry, os_distro


class SpdxReader(DocumentReader):
    """Reads an SPDX 2.x document in its JSON form."""

    def read(self, document: dict[str, Any]) -> SbomInventory:
        version = self._text(document, "spdxVersion", "the document")
        if not re.fullmatch(r"SPDX-2\.\d+", version):
            raise self.fail(f"unsupported spdxVersion {version!r} (SPDX-2.2 and SPDX-2.3 are read)")
        refs: dict[str, str] = {}
        for i, info in enumerate(self._list(document, "hasExtractedLicensingInfos", "the document"), 1):
            if not isinstance(info, dict):
                raise self.fail(f"hasExtractedLicensingInfos #{i} is not an object")
            ref = self._text(info, "licenseId", f"hasExtractedLicensingInfos #{i}")
            text = self._text(info, "name", ref) or self._text(info, "extractedText", ref).strip()
            if ref and text and "\n" not in text and len(text) <= 200:
                refs[ref] = text
        creation = document.get("creationInfo")
        tools = []
        if isinstance(creation, dict):
            for creator in self._list(creation, "creators", "creationInfo"):
                if isinstance(creator, str) and creator.startswith("Tool:"):
                    tools.append(creator.removeprefix("Tool:").strip())
        distro: Distro | None = None
        entries: list[Entry] = []
        for i, pkg in enumerate(self._list(document, "packages", "the document"), 1):
            if not isinstance(pkg, dict):
                raise self.fail(f"SPDX package #{i} is not an object")
            spdxid = self._text(pkg, "SPDXID", f"SPDX package #{i}")
            where = f"SPDX package #{i}{f' ({spdxid})' if spdxid else ''}"
            name = self._text(pkg, "name", where)
            if not name:
                raise self.fail(f"{where} has no name")
            if not spdxid:
                raise self.fail(f"{where} has no SPDXID")
            version_info = self._text(pkg, "versionInfo", where)
            purpose = self._text(pkg, "primaryPackagePurpose", where).replace("_", "-")
            properties = self._annotations(pkg, where)
            if purpose == "OPERATING-SYSTEM":
                if distro is None:
                    distro = os_distro(name, version_info, properties, self._text(pkg, "description", where))
                continue
            if purpose in ("CONTAINER", "FILE"):
                continue
            source = ("", "")
            m = re.match(r"built package from:\s*(\S+)(?:\s+(\S+))?", self._text(pkg, "sourceInfo", where))
            if m:
                source = (m.group(1), m.group(2) or "")
            entries.append(
                Entry(
                    where=where,
                    name=name,
                    version=version_info,
                    purl=self._package_purl(pkg, where),
                    licenses=self._licenses(pkg, where, refs),
                    checksum=self._checksum(pkg, where),
                    maintainer=self._actor(self._text(pkg, "supplier", where)),
                    properties=properties,
                    source=source,
                )
            )
        subject = self._text(document, "name", "the document")
        return self._finish("spdx", version.removeprefix("SPDX-"), subject, distro, entries, tools)

    def _package_purl(self, pkg: dict[str, Any], where: str) -> str:
        for ref in self._list(pkg, "externalRefs", where):
            if (
                isinstance(ref, dict)
                and ref.get("referenceCategory") in ("PACKAGE-MANAGER", "PACKAGE_MANAGER")
                and ref.get("referenceType") == "purl"
                and isinstance(ref.get("referenceLocator"), str)
            ):
                return str(ref["referenceLocator"])
        return ""

    def _licenses(self, pkg: dict[str, Any], where: str, refs: dict[str, str]) -> tuple[str, ...]:
        for key in ("licenseDeclared", "licenseConcluded"):
            text = self._text(pkg, key, where).strip()
            if text and text not in ("NOASSERTION", "NONE"):
                return tuple(dict.fromkeys(refs.get(part, part) for part in split_and(text)))
        return ()

    def _checksum(self, pkg: dict[str, Any], where: str) -> str:
        found: dict[str, str] = {}
        for c in self._list(pkg, "checksums", where):
            if isinstance(c, dict) and isinstance(c.get("algorithm"), str) and isinstance(c.get("checksumValue"), str):
                found.setdefault(c["algorithm"].lower().replace("-", ""), c["checksumValue"].lower())
        return preferred_checksum(found)

    @staticmethod
    def _actor(text: str) -> str:
        """``Person: Name (mail)`` -> ``Name <mail>``; NOASSERTION -> ``""``."""
        kind, sep, rest = text.partition(":")
        if not sep or kind.strip() not in ("Person", "Organization", "Tool"):
            return ""
        rest = rest.strip()
        m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", rest)
        if m and m.group(2):
            return f"{m.group(1)} <{m.group(2)}>" if m.group(1) else f"<{m.group(2)}>"
        return rest

    def _annotations(self, pkg: dict[str, Any], where: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for note in self._list(pkg, "annotations", where):
            if not isinstance(note, dict):
                continue
            comment = note.get("comment")
            annotator = note.get("annotator")
            if (
                isinstance(comment, str)
                and isinstance(annotator, str)
                and annotator.replace(" ", "").startswith("Tool:hullscan")
                and comment.startswith(PROPERTY_PREFIX)
            ):
                key, _, value = comment.partition(": ")
                out.setdefault(key, value)
        return out
