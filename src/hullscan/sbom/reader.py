"""Reading an SBOM back into an inventory: CycloneDX (JSON 1.2–1.7, XML) and SPDX 2.2/2.3 (JSON, tag-value).

Documents written by hullscan round-trip (its ``hullscan:`` properties and annotations restore layer, arch,
epoch, source package, …); documents of other tools (Syft, Trivy, cdxgen) are read through their PURLs
(https://github.com/package-url/purl-spec) and the few properties those tools are known to write
(``syft:metadata:originPackage``, ``aquasecurity:trivy:SrcName``…).

What comes out (:class:`SbomInventory`):

- ``distro``: the ``operating-system`` component (CycloneDX) or the ``OPERATING-SYSTEM`` package (SPDX); else
  the ``distro`` qualifier of the OS packages' PURLs (``alpine-3.11.5``, ``debian-12``, Trivy's apk ``3.11.5``).
- ``packages``: every element whose PURL type is ``deb``, ``apk`` or ``rpm``, as :class:`hullscan.model.Package`.
- ``other``: every other element that is a package (a PURL, or at least a version): language packages and the
  like, as ``(purl, name, version)`` — kept apart until the model has language package types. Elements with
  neither a PURL nor a version (Trivy's lockfile grouping nodes), the described image itself (``container``,
  ``pkg:oci``/``pkg:docker``) and files are skipped.

A document that cannot be read raises :class:`SbomError` with one line that names it and says what is wrong.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
from packageurl import PackageURL

from hullscan.errors import HullscanError
from hullscan.extract.osrelease import OS_RELEASE_FAMILIES
from hullscan.model import Distro, Inventory, LayerRef, Package, PackageType
from hullscan.report.spdx import PROPERTY_PREFIX, split_and, split_epoch


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
    """OS packages (PURL type deb, apk or rpm), in document order."""
    other: tuple[tuple[str, str, str], ...] = ()
    """Every other package as (purl, name, version): PURL types hullscan has no ecosystem for, and elements
    with a version but no PURL; purl is ``""`` when the element has none."""
    tools: tuple[str, ...] = ()
    """The generators the document names (``syft 1.18.1``, ``hullscan 0.1.0``)."""

    def inventory(self) -> Inventory:
        """The OS part as the inventory a scan would have produced (no files, no layers of the image)."""
        return Inventory(distro=self.distro, packages=self.packages)


# ---------------------------------------------------------------------------------------------- entry point


def read_sbom(data: bytes, name: str) -> SbomInventory:
    """Parse a CycloneDX or SPDX document. ``name`` (a file name) is used in error messages only."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return _Reader(name, "xml").cyclonedx(_xml_to_json(data, name))
    if head.startswith((b"{", b"[")):
        try:
            document = msgspec.json.decode(data)
        except msgspec.DecodeError as exc:
            raise SbomError(f"{name}: not valid JSON ({exc})") from None
        if not isinstance(document, dict):
            raise SbomError(f"{name}: not an SBOM: the JSON document is not an object")
        if document.get("bomFormat") == "CycloneDX":
            return _Reader(name, "json").cyclonedx(document)
        if "spdxVersion" in document:
            return _Reader(name, "json").spdx(document)
        if "@context" in document and "spdx" in str(document.get("@context")).lower():
            raise SbomError(f"{name}: SPDX 3 (JSON-LD) documents are not supported; use SPDX 2.2/2.3")
        raise SbomError(f"{name}: neither a CycloneDX nor an SPDX document (no 'bomFormat' or 'spdxVersion' key)")
    if re.search(rb"^\s*SPDXVersion\s*:", data[:65536], re.MULTILINE):
        return _Reader(name, "tag-value").spdx(_tag_value_to_json(data, name))
    raise SbomError(f"{name}: not an SBOM: neither JSON, XML nor SPDX tag-value")


# ---------------------------------------------------------------------------------------------- shared


@dataclass(slots=True)
class _Entry:
    """One package-like element of either format, before it becomes a Package or an ``other`` row."""

    where: str
    name: str
    version: str
    purl: str
    licenses: tuple[str, ...] = ()
    checksum: str = ""
    maintainer: str = ""
    properties: dict[str, str] = field(default_factory=dict)
    """Name -> first value."""
    source: tuple[str, str] = ("", "")
    """(name, version) from a format field (SPDX ``sourceInfo``)."""


_OS_TYPES = {t.value: t for t in PackageType if t.is_os}
_LANG_TYPES = {t.value: t for t in PackageType if not t.is_os}
_IMAGE_PURL_TYPES = ("oci", "docker")
_CHECKSUM_PREFERENCE = ("sha256", "sha1", "md5", "sha512", "sha384")
# Family names other tools use that os-release IDs do not give.
_FAMILY_ALIASES = {"redhat": "redhat", "rhel": "redhat", "amazonlinux": "amazon", "oraclelinux": "oracle"}


def _family(name: str) -> str:
    key = name.strip().lower()
    return _FAMILY_ALIASES.get(key) or OS_RELEASE_FAMILIES.get(key, key)


def _split_rpm_nvr(text: str) -> tuple[str, str]:
    """``bash-5.1.8-6.el9.src.rpm`` -> (``bash``, ``5.1.8-6.el9``)."""
    text = text.removesuffix(".rpm").removesuffix(".src").removesuffix(".nosrc")
    parts = text.rsplit("-", 2)
    if len(parts) == 3:
        return parts[0], f"{parts[1]}-{parts[2]}"
    return text, ""


_DISTRO_QUALIFIER = re.compile(r"^(?P<family>[a-z][a-z0-9._-]*?)-(?P<release>\d[\w.~+-]*)$", re.IGNORECASE)


class _Reader:
    def __init__(self, name: str, encoding: str) -> None:
        self.name = name
        self.encoding = encoding
        self.distro_hint: Distro | None = None

    def fail(self, message: str) -> SbomError:
        return SbomError(f"{self.name}: {message}")

    # ------------------------------------------------------------------ helpers

    def _text(self, obj: dict[str, Any], key: str, where: str) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail(f"{where}: '{key}' is not a string")
        return str(value)

    def _list(self, obj: dict[str, Any], key: str, where: str) -> list[Any]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(f"{where}: '{key}' is not an array")
        return value

    def _purl(self, text: str, where: str) -> PackageURL | None:
        if not text:
            return None
        try:
            return PackageURL.from_string(text)
        except ValueError as exc:
            raise self.fail(f"{where}: invalid PURL {text!r} ({exc})") from None

    def _finish(
        self,
        fmt: str,
        spec_version: str,
        subject: str,
        distro: Distro | None,
        entries: list[_Entry],
        tools: list[str],
    ) -> SbomInventory:
        packages: list[Package] = []
        other: list[tuple[str, str, str]] = []
        hint: Distro | None = None
        for entry in entries:
            purl = self._purl(entry.purl, entry.where)
            if purl is not None and purl.type in _IMAGE_PURL_TYPES:
                continue
            if purl is not None and purl.type in _LANG_TYPES:
                packages.append(self._lang_package(entry, purl, fmt))
                continue
            if purl is None or purl.type not in _OS_TYPES:
                if entry.purl or entry.version:
                    other.append((entry.purl, entry.name, entry.version or (purl.version if purl else "") or ""))
                continue
            packages.append(self._package(entry, purl, fmt))
            if hint is None:
                hint = self._distro_from_purl(purl)
        return SbomInventory(
            format=fmt,
            spec_version=spec_version,
            encoding=self.encoding,
            name=subject,
            distro=distro or hint,
            packages=tuple(packages),
            other=tuple(other),
            tools=tuple(tools),
        )

    @staticmethod
    def _distro_from_purl(purl: PackageURL) -> Distro | None:
        qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
        text = qualifiers.get("distro", "")
        if not text:
            return None
        m = _DISTRO_QUALIFIER.match(text)
        if m:
            return Distro(family=_family(m.group("family")), release=m.group("release"))
        if text[0].isdigit() and purl.namespace:  # Trivy's apk PURLs: distro=3.11.5, namespace alpine
            return Distro(family=_family(purl.namespace), release=text)
        return None

    @staticmethod
    def _lang_package(entry: _Entry, purl: PackageURL, fmt: str) -> Package:
        props = entry.properties
        found_in = (
            props.get(PROPERTY_PREFIX + "found_in", "")
            or props.get("syft:location:0:path", "").lstrip("/")
            or props.get("aquasecurity:trivy:FilePath", "")
        )
        return Package(
            type=_LANG_TYPES[purl.type],
            name=purl.name,
            namespace=purl.namespace or "",
            version=entry.version or purl.version or "",
            licenses=entry.licenses,
            checksum=entry.checksum,
            found_in=found_in,
            extractor=props.get(PROPERTY_PREFIX + "extractor", "") or f"sbom/{fmt}",
            purl=entry.purl,
        )

    def _package(self, entry: _Entry, purl: PackageURL, fmt: str) -> Package:
        ptype = _OS_TYPES[purl.type]
        qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
        props = entry.properties

        def prop(key: str) -> str:
            return props.get(PROPERTY_PREFIX + key, "")

        version = entry.version or purl.version or ""
        epoch, bare = split_epoch(version)
        q_epoch = qualifiers.get("epoch", "")
        if epoch is None and q_epoch.isdigit() and int(q_epoch) > 0:
            epoch = int(q_epoch)
            version = f"{epoch}:{version}"
        release = prop("release")
        if prop("type"):  # written by hullscan: its facts are the package's, absent ones were empty
            epoch = int(prop("epoch")) if prop("epoch").isdigit() else None
        elif ptype is not PackageType.APK and "-" in bare:
            release = bare.rpartition("-")[2]

        source_name, source_version = self._source(entry, ptype, qualifiers)
        layer = None
        if prop("layer_index").lstrip("-").isdigit() and prop("layer_diff_id"):
            layer = LayerRef(
                index=int(prop("layer_index")),
                digest=prop("layer_digest"),
                diff_id=prop("layer_diff_id"),
                created_by=prop("created_by"),
            )
        found_in = (
            prop("found_in")
            or props.get("syft:location:0:path", "").lstrip("/")
            or props.get("aquasecurity:trivy:FilePath", "")
        )
        return Package(
            type=ptype,
            name=entry.name or purl.name,
            version=version,
            arch=prop("arch") or qualifiers.get("arch", ""),
            epoch=epoch,
            release=release,
            source_name=source_name,
            source_version=source_version,
            licenses=entry.licenses,
            maintainer=entry.maintainer,
            checksum=entry.checksum,
            module=prop("module") or props.get("aquasecurity:trivy:Modularitylabel", ""),
            found_in=found_in,
            extractor=prop("extractor") or f"sbom/{fmt}",
            purl=entry.purl,
            layer=layer,
        )

    @staticmethod
    def _source(entry: _Entry, ptype: PackageType, qualifiers: dict[str, str]) -> tuple[str, str]:
        props = entry.properties
        if PROPERTY_PREFIX + "source_name" in props:
            return props[PROPERTY_PREFIX + "source_name"], props.get(PROPERTY_PREFIX + "source_version", "")
        trivy = props.get("aquasecurity:trivy:SrcName", "")
        if trivy:
            version = props.get("aquasecurity:trivy:SrcVersion", "")
            if version and props.get("aquasecurity:trivy:SrcRelease"):
                version += "-" + props["aquasecurity:trivy:SrcRelease"]
            if version and props.get("aquasecurity:trivy:SrcEpoch", "0") not in ("", "0"):
                version = f"{props['aquasecurity:trivy:SrcEpoch']}:{version}"
            return trivy, version
        if ptype is PackageType.APK and props.get("syft:metadata:originPackage"):
            return props["syft:metadata:originPackage"], ""
        if ptype is PackageType.DEB and props.get("syft:metadata:source"):
            return props["syft:metadata:source"], props.get("syft:metadata:sourceVersion", "")
        if ptype is PackageType.RPM and props.get("syft:metadata:sourceRpm"):
            return _split_rpm_nvr(props["syft:metadata:sourceRpm"])
        if entry.source[0]:
            return entry.source
        upstream = qualifiers.get("upstream", "")
        if upstream:
            if upstream.endswith(".rpm"):
                return _split_rpm_nvr(upstream)
            upstream_name, _, upstream_version = upstream.partition("@")
            return upstream_name, upstream_version
        return "", ""

    # ------------------------------------------------------------------ CycloneDX

    def cyclonedx(self, document: dict[str, Any]) -> SbomInventory:
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
        tools = self._cdx_tools(metadata.get("tools"))
        distro: Distro | None = None
        entries: list[_Entry] = []
        for where, comp in self._cdx_components(document, "components", "component"):
            name = self._text(comp, "name", where)
            ref = comp.get("bom-ref")
            label = f"{where}{f' ({ref})' if isinstance(ref, str) and ref else ''}"
            if not name:
                raise self.fail(f"CycloneDX {label} has no name")
            kind = self._text(comp, "type", label) or "library"
            version = self._text(comp, "version", label)
            properties = self._cdx_properties(comp, label)
            if kind == "operating-system":
                if distro is None:
                    distro = self._distro(name, version, properties, self._text(comp, "description", label))
                continue
            if kind in ("container", "file"):
                continue
            entries.append(
                _Entry(
                    where=label,
                    name=name,
                    version=version,
                    purl=self._text(comp, "purl", label),
                    licenses=self._cdx_licenses(comp, label),
                    checksum=self._cdx_checksum(comp, label),
                    maintainer=self._cdx_maintainer(comp, label),
                    properties=properties,
                )
            )
        return self._finish("cyclonedx", spec, subject, distro, entries, tools)

    def _cdx_components(self, parent: dict[str, Any], key: str, label: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for i, comp in enumerate(self._list(parent, key, label), 1):
            where = f"{label} #{i}" if label == "component" else f"{label}.{i}"
            if not isinstance(comp, dict):
                raise self.fail(f"CycloneDX {where} is not an object")
            yield where, comp
            yield from self._cdx_components(comp, "components", where)

    def _cdx_properties(self, comp: dict[str, Any], where: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for prop in self._list(comp, "properties", where):
            if isinstance(prop, dict) and isinstance(prop.get("name"), str):
                value = prop.get("value")
                out.setdefault(prop["name"], value if isinstance(value, str) else "")
        return out

    def _cdx_licenses(self, comp: dict[str, Any], where: str) -> tuple[str, ...]:
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

    def _cdx_checksum(self, comp: dict[str, Any], where: str) -> str:
        found: dict[str, str] = {}
        for h in self._list(comp, "hashes", where):
            if isinstance(h, dict) and isinstance(h.get("alg"), str) and isinstance(h.get("content"), str):
                found.setdefault(h["alg"].lower().replace("-", ""), h["content"].lower())
        for alg in _CHECKSUM_PREFERENCE:
            if alg in found:
                return f"{alg}:{found[alg]}"
        return ""

    def _cdx_maintainer(self, comp: dict[str, Any], where: str) -> str:
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

    def _cdx_tools(self, tools: Any) -> list[str]:
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

    def _distro(self, name: str, version: str, props: dict[str, str], description: str) -> Distro:
        def prop(key: str) -> str:
            return props.get(PROPERTY_PREFIX + key, "")

        return Distro(
            family=_family(name),
            release=version,
            codename=prop("codename"),
            pretty_name=prop("pretty_name") or description,
            source_file=prop("source_file"),
            extended_support=prop("extended_support") == "true",
        )

    # ------------------------------------------------------------------ SPDX

    def spdx(self, document: dict[str, Any]) -> SbomInventory:
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
        entries: list[_Entry] = []
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
            properties = self._spdx_annotations(pkg, where)
            if purpose == "OPERATING-SYSTEM":
                if distro is None:
                    distro = self._distro(name, version_info, properties, self._text(pkg, "description", where))
                continue
            if purpose in ("CONTAINER", "FILE"):
                continue
            source = ("", "")
            m = re.match(r"built package from:\s*(\S+)(?:\s+(\S+))?", self._text(pkg, "sourceInfo", where))
            if m:
                source = (m.group(1), m.group(2) or "")
            entries.append(
                _Entry(
                    where=where,
                    name=name,
                    version=version_info,
                    purl=self._spdx_purl(pkg, where),
                    licenses=self._spdx_licenses(pkg, where, refs),
                    checksum=self._spdx_checksum(pkg, where),
                    maintainer=self._spdx_actor(self._text(pkg, "supplier", where)),
                    properties=properties,
                    source=source,
                )
            )
        subject = self._text(document, "name", "the document")
        return self._finish("spdx", version.removeprefix("SPDX-"), subject, distro, entries, tools)

    def _spdx_purl(self, pkg: dict[str, Any], where: str) -> str:
        for ref in self._list(pkg, "externalRefs", where):
            if (
                isinstance(ref, dict)
                and ref.get("referenceCategory") in ("PACKAGE-MANAGER", "PACKAGE_MANAGER")
                and ref.get("referenceType") == "purl"
                and isinstance(ref.get("referenceLocator"), str)
            ):
                return str(ref["referenceLocator"])
        return ""

    def _spdx_licenses(self, pkg: dict[str, Any], where: str, refs: dict[str, str]) -> tuple[str, ...]:
        for key in ("licenseDeclared", "licenseConcluded"):
            text = self._text(pkg, key, where).strip()
            if text and text not in ("NOASSERTION", "NONE"):
                return tuple(dict.fromkeys(refs.get(part, part) for part in split_and(text)))
        return ()

    def _spdx_checksum(self, pkg: dict[str, Any], where: str) -> str:
        found: dict[str, str] = {}
        for c in self._list(pkg, "checksums", where):
            if isinstance(c, dict) and isinstance(c.get("algorithm"), str) and isinstance(c.get("checksumValue"), str):
                found.setdefault(c["algorithm"].lower().replace("-", ""), c["checksumValue"].lower())
        for alg in _CHECKSUM_PREFERENCE:
            if alg in found:
                return f"{alg}:{found[alg]}"
        return ""

    @staticmethod
    def _spdx_actor(text: str) -> str:
        """``Person: Name (mail)`` -> ``Name <mail>``; NOASSERTION -> ``""``."""
        kind, sep, rest = text.partition(":")
        if not sep or kind.strip() not in ("Person", "Organization", "Tool"):
            return ""
        rest = rest.strip()
        m = re.fullmatch(r"(.*?)\s*\(([^()]*)\)", rest)
        if m and m.group(2):
            return f"{m.group(1)} <{m.group(2)}>" if m.group(1) else f"<{m.group(2)}>"
        return rest

    def _spdx_annotations(self, pkg: dict[str, Any], where: str) -> dict[str, str]:
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


# ---------------------------------------------------------------------------------------------- CycloneDX XML


def _xml_to_json(data: bytes, name: str) -> dict[str, Any]:
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


# ---------------------------------------------------------------------------------------------- SPDX tag-value

_TV_PACKAGE_KEYS = {
    "PackageVersion": "versionInfo",
    "PackageSupplier": "supplier",
    "PackageLicenseDeclared": "licenseDeclared",
    "PackageLicenseConcluded": "licenseConcluded",
    "PackageSourceInfo": "sourceInfo",
    "PrimaryPackagePurpose": "primaryPackagePurpose",
    "PackageDescription": "description",
}


def _tag_value_to_json(data: bytes, name: str) -> dict[str, Any]:
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
