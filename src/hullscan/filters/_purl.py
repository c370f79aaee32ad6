"""PURL constraints, as ignore files and VEX documents use them (https://github.com/package-url/purl-spec).

A constraint PURL matches a package's PURL when type, namespace and name are equal (after the spec's
per-type normalisation, which ``packageurl-python`` applies: ``pkg:pypi/Django_Rest`` is ``django-rest``), and

* its version, when it has one, is the package's version (``pkg:apk/alpine/musl`` matches every version);
* each of its qualifiers is on the package's PURL with the same value (``pkg:deb/debian/curl?arch=i386``
  matches only the i386 build; a constraint without qualifiers ignores the package's);
* its subpath, when it has one, is the package's.

This is Trivy's rule for ``.trivyignore.yaml`` PURLs and go-vex's for OpenVEX products.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from packageurl import PackageURL


@dataclass(frozen=True, slots=True)
class Purl:
    """A parsed, normalised PURL; ``version`` is percent-decoded (``sha256:…`` for ``pkg:oci``)."""

    type: str
    namespace: str
    name: str
    version: str
    qualifiers: tuple[tuple[str, str], ...]
    subpath: str
    text: str

    def qualifier(self, key: str) -> str | None:
        for k, v in self.qualifiers:
            if k == key:
                return v
        return None

    def matches(self, target: Purl) -> bool:
        """Whether this constraint matches ``target`` (see the module docstring)."""
        if (self.type, self.namespace, self.name) != (target.type, target.namespace, target.name):
            return False
        if self.version and self.version != target.version:
            return False
        if self.subpath and self.subpath != target.subpath:
            return False
        if self.qualifiers:
            theirs = dict(target.qualifiers)
            return all(theirs.get(k) == v for k, v in self.qualifiers)
        return True


def parse_purl(text: str) -> Purl:
    """The parsed PURL, or ``ValueError`` with the library's reason."""
    return _parse(text.strip())


@lru_cache(maxsize=1 << 14)
def _parse(text: str) -> Purl:
    p = PackageURL.from_string(text)
    raw = p.qualifiers
    qualifiers = tuple(sorted(raw.items())) if isinstance(raw, dict) else ()
    return Purl(
        type=p.type.lower(),
        namespace=p.namespace or "",
        name=p.name,
        version=p.version or "",
        qualifiers=qualifiers,
        subpath=(p.subpath or "").strip("/"),
        text=text,
    )


def package_purl(text: str) -> Purl | None:
    """A package's own PURL, parsed; ``None`` when it has none or it does not parse (nothing can match it)."""
    if not text:
        return None
    try:
        return _parse(text)
    except ValueError:
        return None
