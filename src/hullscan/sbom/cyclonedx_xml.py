"""A CycloneDX XML BOM converted to the JSON form's dict, so one reader (``hullscan.sbom.cyclonedx``) serves both.

Only the parts the reader uses are converted. The XML is parsed with the standard library after refusing any
DTD, which rules out entity expansion and external entities.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from hullscan.sbom.inventory import SbomError


def xml_to_json(data: bytes, name: str) -> dict[str, Any]:
    """A CycloneDX XML BOM as the JSON form's dict, for the parts the reader uses."""
    # CycloneDX XML has no use for a DTD; refusing one rules out entity expansion and external entities.
    if re.search(rb"<!(DOCTYPE|ENTITY)", data[: 1 << 20] if len(data) > 1 << 20 else data, re.IGNORECASE):
        raise SbomError(f"{name}: XML with a DTD is refused (CycloneDX XML needs none)")
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DTD, see above
    except ET.ParseError as exc:
        raise SbomError(f"{name}: not valid XML ({exc})") from None
    m = re.fullmatch(r"\{http://cyclonedx\.org/schema/bom/(1\.\d+)\}bom", root.tag)
    if not m:
        raise SbomError(f"{name}: an XML document but not a CycloneDX BOM (root element {root.tag!r})")
    ns = "{" + root.tag[1:].partition("}")[0] + "}"

    def text(el: ET.Element, tag: str) -> str | None:
        child = el.find(ns + tag)
        return child.text.strip() if child is not None and child.text else None

    def component(el: ET.Element) -> dict[str, Any]:
        out: dict[str, Any] = {"type": el.get("type", "library")}
        if el.get("bom-ref"):
            out["bom-ref"] = el.get("bom-ref")
        for key in ("name", "version", "purl", "publisher", "author", "description"):
            value = text(el, key)
            if value is not None:
                out[key] = value
        supplier = el.find(ns + "supplier")
        if supplier is not None and text(supplier, "name"):
            out["supplier"] = {"name": text(supplier, "name")}
        licenses: list[dict[str, Any]] = []
        for choice in el.findall(f"{ns}licenses/*"):
            if choice.tag == ns + "expression" and choice.text:
                licenses.append({"expression": choice.text.strip()})
            elif choice.tag == ns + "license":
                lic = {k: v for k in ("id", "name") if (v := text(choice, k))}
                if lic:
                    licenses.append({"license": lic})
        if licenses:
            out["licenses"] = licenses
        hashes = [
            {"alg": h.get("alg", ""), "content": (h.text or "").strip()} for h in el.findall(f"{ns}hashes/{ns}hash")
        ]
        if hashes:
            out["hashes"] = hashes
        props = [{"name": p.get("name", ""), "value": p.text or ""} for p in el.findall(f"{ns}properties/{ns}property")]
        if props:
            out["properties"] = props
        nested = [component(c) for c in el.findall(f"{ns}components/{ns}component")]
        if nested:
            out["components"] = nested
        return out

    document: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": m.group(1), "metadata": {}}
    metadata = root.find(ns + "metadata")
    if metadata is not None:
        meta_component = metadata.find(ns + "component")
        if meta_component is not None:
            document["metadata"]["component"] = component(meta_component)
        tool_elements = metadata.findall(f"{ns}tools/{ns}tool")  # 1.2-1.4
        tool_elements += metadata.findall(f"{ns}tools/{ns}components/{ns}component")  # 1.5+
        tools = [{"name": text(t, "name") or "", "version": text(t, "version") or ""} for t in tool_elements]
        document["metadata"]["tools"] = tools
    document["components"] = [component(c) for c in root.findall(f"{ns}components/{ns}component")]
    return document
