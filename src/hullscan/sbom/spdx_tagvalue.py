"""An SPDX 2.x tag-value document converted to the JSON form's dict, so one reader (``hullscan.sbom.spdx``) serves both.

Only the parts the reader uses are converted: document name, version and creators, packages and their fields,
extracted licences, relationships. File and snippet sections are skipped.
"""

from __future__ import annotations

from typing import Any

from hullscan.sbom.inventory import SbomError

_TV_PACKAGE_KEYS = {
    "PackageVersion": "versionInfo",
    "PackageSupplier": "supplier",
    "PackageLicenseDeclared": "licenseDeclared",
    "PackageLicenseConcluded": "licenseConcluded",
    "PackageSourceInfo": "sourceInfo",
    "PrimaryPackagePurpose": "primaryPackagePurpose",
    "PackageDescription": "description",
}


def tag_value_to_json(data: bytes, name: str) -> dict[str, Any]:
    """An SPDX 2.x tag-value document as the JSON form's dict, for the parts the reader uses.

    Spec: https://spdx.github.io/spdx-spec/v2.3/conformance/ (tag: value lines, ``<text>…</text>`` spans lines).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SbomError(f"{name}: SPDX tag-value is not UTF-8 ({exc})") from None
    document: dict[str, Any] = {"packages": [], "relationships": [], "hasExtractedLicensingInfos": []}
    creators: list[str] = []
    section: dict[str, Any] | None = None  # the package or extracted licence being filled, None otherwise
    section_kind = "document"
    lines = iter(text.splitlines())
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tag, sep, value = line.partition(":")
        if not sep:
            raise SbomError(f"{name}: line {number}: expected 'Tag: value' in SPDX tag-value")
        tag, value = tag.strip(), value.strip()
        if value.startswith("<text>"):
            value = value.removeprefix("<text>")
            while "</text>" not in value:
                nxt = next(lines, None)
                if nxt is None:
                    raise SbomError(f"{name}: line {number}: <text> is never closed")
                value += "\n" + nxt
            value = value.partition("</text>")[0]
        if tag == "PackageName":
            section = {"name": value}
            section_kind = "package"
            document["packages"].append(section)
        elif tag in ("FileName", "SnippetSPDXID"):
            section, section_kind = None, "file"
        elif tag == "LicenseID":
            section = {"licenseId": value}
            section_kind = "license"
            document["hasExtractedLicensingInfos"].append(section)
        elif tag == "SPDXVersion":
            document["spdxVersion"] = value
        elif tag == "DocumentName":
            document["name"] = value
        elif tag == "Creator":
            creators.append(value)
        elif tag == "Relationship":
            parts = value.split()
            if len(parts) == 3:
                document["relationships"].append(
                    {"spdxElementId": parts[0], "relationshipType": parts[1], "relatedSpdxElement": parts[2]}
                )
        elif section_kind == "package" and section is not None:
            if tag == "SPDXID":
                section["SPDXID"] = value
            elif tag in _TV_PACKAGE_KEYS:
                section[_TV_PACKAGE_KEYS[tag]] = value
            elif tag == "PackageChecksum":
                alg, _, digest = value.partition(":")
                section.setdefault("checksums", []).append({"algorithm": alg.strip(), "checksumValue": digest.strip()})
            elif tag == "ExternalRef":
                parts = value.split(None, 2)
                if len(parts) == 3:
                    section.setdefault("externalRefs", []).append(
                        {"referenceCategory": parts[0], "referenceType": parts[1], "referenceLocator": parts[2]}
                    )
        elif section_kind == "license" and section is not None:
            if tag == "ExtractedText":
                section["extractedText"] = value
            elif tag == "LicenseName":
                section["name"] = value
        elif section_kind == "document" and tag == "SPDXID":
            document["SPDXID"] = value
    document["creationInfo"] = {"creators": creators}
    return document
