"""From a format-neutral SBOM element and its PURL to a :class:`hullscan.model.Package` or a :class:`Distro`.

Both formats are first read into :class:`Entry` rows (``hullscan.sbom.cyclonedx``, ``hullscan.sbom.spdx``);
what a row means does not depend on the format it came from, so the mapping lives here once: the PURL type
picks the ecosystem (https://github.com/package-url/purl-spec), hullscan's own ``hullscan:`` properties restore
what it wrote (layer, arch, epoch, source package, …), and the few properties other tools are known to write
(``syft:metadata:originPackage``, ``aquasecurity:trivy:SrcName``…) fill in the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from packageurl import PackageURL

from hullscan.extract.osrelease import OS_RELEASE_FAMILIES
from hullscan.model import Distro, LayerRef, Package, PackageType
from hullscan.report.spdx import PROPERTY_PREFIX, split_epoch


@dataclass(slots=True)
class Entry:
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


OS_TYPES = {t.value: t for t in PackageType if t.is_os}
LANG_TYPES = {t.value: t for t in PackageType if not t.is_os}
IMAGE_PURL_TYPES = ("oci", "docker")
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


def distro_from_purl(purl: PackageURL) -> Distro | None:
    """The distribution an OS package's PURL names in its ``distro`` qualifier, if any."""
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


def os_distro(name: str, version: str, props: dict[str, str], description: str) -> Distro:
    """The distribution an ``operating-system`` element (CycloneDX component, SPDX package) describes."""

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


def lang_package(entry: Entry, purl: PackageURL, fmt: str) -> Package:
    """An element whose PURL type is a language ecosystem hullscan knows (``LANG_TYPES``)."""
    props = entry.properties
    found_in = (
        props.get(PROPERTY_PREFIX + "found_in", "")
        or props.get("syft:location:0:path", "").lstrip("/")
        or props.get("aquasecurity:trivy:FilePath", "")
    )
    return Package(
        type=LANG_TYPES[purl.type],
        name=purl.name,
        namespace=purl.namespace or "",
        version=entry.version or purl.version or "",
        licenses=entry.licenses,
        checksum=entry.checksum,
        found_in=found_in,
        extractor=props.get(PROPERTY_PREFIX + "extractor", "") or f"sbom/{fmt}",
        purl=entry.purl,
    )


def os_package(entry: Entry, purl: PackageURL, fmt: str) -> Package:
    """An element whose PURL type is an OS package type (``OS_TYPES``: deb, apk, rpm)."""
    ptype = OS_TYPES[purl.type]
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

    source_name, source_version = _source(entry, ptype, qualifiers)
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


def _source(entry: Entry, ptype: PackageType, qualifiers: dict[str, str]) -> tuple[str, str]:
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
