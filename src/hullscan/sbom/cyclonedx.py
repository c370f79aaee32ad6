"""Reading a CycloneDX BOM (JSON 1.2–1.7, or XML already converted by ``hullscan.sbom.cyclonedx_xml``).

One module per format so each reader fits in a head: this one knows where CycloneDX keeps a component's
name, PURL, licences, hashes, maintainer and properties, including nested components and both shapes of
``metadata.tools`` (an array up to 1.4, ``{components, services}`` from 1.5).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hullscan.model import Distro
from hullscan.report.spdx import split_and
from hullscan.sbom.base import DocumentReader, preferred_checksum
from hullscan.sbom.inventory import SbomInventory
from hullscan.sbom.packages import Entry, os_distro


class CycloneDxReader(DocumentReader):
    """Reads a CycloneDX document in its JSON form."""

    def read(self, document: dict[str, Any]) -> SbomInventory:
        spec = self._text(document, "specVersion", "the BOM")
        if not re.fullmatch(r"1\.[0-7]", spec):
            raise self.fail(f"unsupported CycloneDX specVersion {spec!r} (1.2 to 1.7 are read)")
        metadata = document.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise self.fail("'metadata' is not an object")
        subject = ""
        component = metadata.get("component")
        if isinstance(component, dict):
            subject = self._text(component, "name", "metadata.component")
        tools = self._tools(metadata.get("tools"))
        distro: Distro | None = None
        entries: list[Entry] = []
        for where, comp in self._components(document, "components", "component"):
            name = self._text(comp, "name", where)
            ref = comp.get("bom-ref")
            label = f"{where}{f' ({ref})' if isinstance(ref, str) and ref else ''}"
            if not name:
                raise self.fail(f"CycloneDX {label} has no name")
            kind = self._text(comp, "type", label) or "library"
            version = self._text(comp, "version", label)
            properties = self._properties(comp, label)
            if kind == "operating-system":
                if distro is None:
                    distro = os_distro(name, version, properties, self._text(comp, "description", label))
                continue
            if kind in ("container", "file"):
                continue
            entries.append(
                Entry(
                    where=label,
                    name=name,
                    version=version,
                    purl=self._text(comp, "purl", label),
                    licenses=self._licenses(comp, label),
                    checksum=self._checksum(comp, label),
                    maintainer=self._maintainer(comp, label),
                    properties=properties,
                )
            )
        return self._finish("cyclonedx", spec, subject, distro, entries, tools)

    def _components(self, parent: dict[str, Any], key: str, label: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for i, comp in enumerate(self._list(parent, key, label), 1):
            where = f"{label} #{i}" if label == "component" else f"{label}.{i}"
            if not isinstance(comp, dict):
                raise self.fail(f"CycloneDX {where} is not an object")
            yield where, comp
            yield from self._components(comp, "components", where)

    def _properties(self, comp: dict[str, Any], where: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for prop in self._list(comp, "properties", where):
            if isinstance(prop, dict) and isinstance(prop.get("name"), str):
                value = prop.get("value")
                out.setdefault(prop["name"], value if isinstance(value, str) else "")
        return out

    def _licenses(self, comp: dict[str, Any], where: str) -> tuple[str, ...]:
        out: list[str] = []
        for choice in self._list(comp, "licenses", where):
            if not isinstance(choice, dict):
                continue
            expression = choice.get("expression")
            if isinstance(expression, str) and expression.strip():
                out += split_and(expression.strip())
            lic = choice.get("license")
            if isinstance(lic, dict):
                text = lic.get("id") or lic.get("name")
                if isinstance(text, str) and text.strip():
                    out.append(text.strip())
        return tuple(dict.fromkeys(out))

    def _checksum(self, comp: dict[str, Any], where: str) -> str:
        found: dict[str, str] = {}
        for h in self._list(comp, "hashes", where):
            if isinstance(h, dict) and isinstance(h.get("alg"), str) and isinstance(h.get("content"), str):
                found.setdefault(h["alg"].lower().replace("-", ""), h["content"].lower())
        return preferred_checksum(found)

    def _maintainer(self, comp: dict[str, Any], where: str) -> str:
        for key in ("publisher", "author"):
            text = self._text(comp, key, where)
            if text:
                return text
        supplier = comp.get("supplier")
        if isinstance(supplier, dict) and isinstance(supplier.get("name"), str):
            return str(supplier["name"])
        for author in self._list(comp, "authors", where):
            if isinstance(author, dict) and isinstance(author.get("name"), str):
                return str(author["name"])
        return ""

    def _tools(self, tools: Any) -> list[str]:
        items: list[Any] = []
        if isinstance(tools, list):  # 1.2-1.4: an array of tools
            items = tools
        elif isinstance(tools, dict):  # 1.5+: {components: [...], services: [...]}
            for key in ("components", "services"):
                value = tools.get(key)
                if isinstance(value, list):
                    items += value
        out = []
        for tool in items:
            if isinstance(tool, dict) and isinstance(tool.get("name"), str):
                version = tool.get("version")
                out.append(f"{tool['name']} {version}" if isinstance(version, str) and version else tool["name"])
        return out
