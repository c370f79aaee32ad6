"""What the CycloneDX and SPDX readers share: typed access to the decoded document and the last step.

Both readers walk a JSON-shaped dict (the XML and tag-value forms are converted to it first), must turn a
wrong type anywhere into one :class:`SbomError` line that names the document and the element, and end the
same way: their :class:`Entry` rows are sorted into OS packages, language packages and ``other`` rows
(:meth:`DocumentReader._finish`).
"""

from __future__ import annotations

from typing import Any

from packageurl import PackageURL

from hullscan.model import Distro, Package
from hullscan.sbom.inventory import SbomError, SbomInventory
from hullscan.sbom.packages import (
    IMAGE_PURL_TYPES,
    LANG_TYPES,
    OS_TYPES,
    Entry,
    distro_from_purl,
    lang_package,
    os_package,
)

_CHECKSUM_PREFERENCE = ("sha256", "sha1", "md5", "sha512", "sha384")


def preferred_checksum(found: dict[str, str]) -> str:
    """``alg:digest`` of the strongest common algorithm among ``found`` (algorithm -> digest), else ``""``."""
    for alg in _CHECKSUM_PREFERENCE:
        if alg in found:
            return f"{alg}:{found[alg]}"
    return ""


class DocumentReader:
    """Reads one decoded document; subclasses add the format (``read``)."""

    def __init__(self, name: str, encoding: str) -> None:
        self.name = name
        self.encoding = encoding

    def fail(self, message: str) -> SbomError:
        return SbomError(f"{self.name}: {message}")

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
        entries: list[Entry],
        tools: list[str],
    ) -> SbomInventory:
        packages: list[Package] = []
        other: list[tuple[str, str, str]] = []
        hint: Distro | None = None
        for entry in entries:
            purl = self._purl(entry.purl, entry.where)
            if purl is not None and purl.type in IMAGE_PURL_TYPES:
                continue
            if purl is not None and purl.type in LANG_TYPES:
                packages.append(lang_package(entry, purl, fmt))
                continue
            if purl is None or purl.type not in OS_TYPES:
                if entry.purl or entry.version:
                    other.append((entry.purl, entry.name, entry.version or (purl.version if purl else "") or ""))
                continue
            packages.append(os_package(entry, purl, fmt))
            if hint is None:
                hint = distro_from_purl(purl)
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
