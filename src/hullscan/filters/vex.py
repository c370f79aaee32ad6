"""VEX input: what a supplier (or the team itself) states about a vulnerability in a product, applied to findings.

Two formats, told apart by their content:

**OpenVEX** (https://github.com/openvex/spec; also wrapped in an in-toto statement or a DSSE envelope).
Each of ``statements[]`` names a ``vulnerability`` (``name``, else ``@id``; plus ``aliases``), the ``products``
it is about and a ``status``:

* ``not_affected`` and ``fixed`` suppress the finding; ``affected`` and ``under_investigation`` keep it (the
  statement, with its ``justification``, ``impact_statement`` and ``action_statement``, goes with it into the
  report);
* a product is a PURL (``@id`` or ``identifiers.purl``) or hashes. A package PURL matches the finding's
  package (a PURL without a version matches every version; without qualifiers, it ignores the package's: see
  :mod:`hullscan.filters._purl`). An image-level product (``pkg:oci/…``, ``pkg:docker/…`` or a ``sha-256``
  hash) applies to every package of the scanned image when it identifies that image (digest, repository,
  tag, arch as far as both sides know them), or, when it lists ``subcomponents``, to the packages those
  PURLs match;
* a statement without products (they may come from the in-toto subject) is about the scanned image;
* statements are ordered by ``timestamp`` (the statement's, else its document's): for a given finding the
  latest matching statement decides; equal times go to the one read last.

**CycloneDX VEX** (https://cyclonedx.org/capabilities/vex/): a BOM whose ``vulnerabilities[]`` carry
``id`` (plus ``references[].id`` as aliases), ``analysis.state`` and ``affects[].ref``. A ref is a component's
``bom-ref`` (resolved to its ``purl`` through ``components``, nested ones included; ``metadata.component`` is
the image), a BOM-Link (``urn:cdx:…#bom-ref``) or a PURL. ``not_affected``, ``false_positive``, ``resolved``
and ``resolved_with_pedigree`` suppress; ``exploitable`` and ``in_triage`` keep. ``affects[].versions`` narrow
a ref to exact versions or to ``vers:`` ranges (versions marked ``affected`` are left out of a suppressing
statement). A ref that resolves to nothing matches nothing.

Several documents may be given; their statements are merged. Anything malformed is a
:class:`~hullscan.errors.UsageError` naming the file and line.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cmp_to_key
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote

from hullscan.errors import UsageError
from hullscan.filters._located import Located, LocatedError, load_json
from hullscan.filters._purl import Purl, package_purl, parse_purl
from hullscan.model import Finding, ImageInfo

if TYPE_CHECKING:
    from hullscan.scan import ScanResult

OPENVEX_SUPPRESS = frozenset({"not_affected", "fixed"})
OPENVEX_STATUSES = OPENVEX_SUPPRESS | {"affected", "under_investigation"}
CYCLONEDX_SUPPRESS = frozenset({"not_affected", "false_positive", "resolved", "resolved_with_pedigree"})
CYCLONEDX_STATES = CYCLONEDX_SUPPRESS | {"exploitable", "in_triage"}
IMAGE_PURL_TYPES = frozenset({"oci", "docker"})
_NEVER = datetime.min.replace(tzinfo=UTC)
_ID_IN_URL = re.compile(r"([A-Za-z]+-[A-Za-z0-9._:-]+)/?$")


@dataclass(frozen=True, slots=True)
class VexProduct:
    """What a statement is about: a package or the image, by PURL or by hashes."""

    purl: str = ""
    hashes: tuple[str, ...] = ()
    """``sha256:<hex>`` and the like, lower case."""
    subcomponents: tuple[str, ...] = ()
    """PURLs of the packages inside the product the statement is about."""
    versions: tuple[tuple[str, str], ...] = ()
    """CycloneDX ``affects[].versions``: ``("version", "1.2.3")`` or ``("range", "vers:…")``; any one matching is
    enough; empty means every version."""
    image: bool = False
    """The document's own subject (CycloneDX ``metadata.component`` without PURL or hashes): the scanned image."""
    ref: str = ""
    """The identifier as the document wrote it, for messages."""

    @property
    def is_image(self) -> bool:
        """An image-level product: the document's subject, an image PURL, or hashes alone (a package PURL with
        hashes is that package)."""
        if self.image:
            return True
        if self.purl:
            return parse_purl(self.purl).type in IMAGE_PURL_TYPES
        return bool(self.hashes)


@dataclass(frozen=True, slots=True)
class VexStatement:
    vulnerability: str
    aliases: tuple[str, ...]
    products: tuple[VexProduct, ...]
    """Empty: the statement is about the scanned image as a whole."""
    status: str
    """As the document wrote it: OpenVEX ``status`` or CycloneDX ``analysis.state``."""
    suppress: bool
    justification: str = ""
    statement: str = ""
    """Free text: OpenVEX ``impact_statement`` / ``status_notes``, CycloneDX ``analysis.detail``."""
    action: str = ""
    """OpenVEX ``action_statement``, CycloneDX ``analysis.response``."""
    timestamp: datetime | None = None
    source: str = ""
    line: int = 0
    format: str = ""
    """``openvex`` or ``cyclonedx``."""

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(i.casefold() for i in (self.vulnerability, *self.aliases) if i)

    @property
    def reason(self) -> str:
        """``not_affected (vulnerable_code_not_in_execute_path): …`` for a report line."""
        text = self.status + (f" ({self.justification})" if self.justification else "")
        return text + (f": {self.statement}" if self.statement else "")

    def matches(self, finding: Finding, context: VexContext | None = None) -> bool:
        finding_ids = {finding.id.casefold()}
        if finding.vulnerability is not None:
            finding_ids.update(a.casefold() for a in finding.vulnerability.aliases)
        if not self.ids & finding_ids:
            return False
        ctx = context or VexContext()
        if not self.products:
            return True
        target = package_purl(finding.package.purl) if finding.package is not None else None
        return any(_product_matches(p, target, ctx) for p in self.products)


@dataclass(frozen=True, slots=True)
class VexStatements:
    """The statements of one or more VEX documents, in reading order."""

    statements: tuple[VexStatement, ...] = ()
    sources: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[VexStatement]:
        return iter(self.statements)

    def __len__(self) -> int:
        return len(self.statements)

    def __add__(self, other: VexStatements) -> VexStatements:
        return VexStatements(self.statements + other.statements, self.sources + other.sources)


class Suppressed(NamedTuple):
    finding: Finding
    statement: VexStatement

    @property
    def reason(self) -> str:
        return self.statement.reason


class VexOutcome(NamedTuple):
    kept: tuple[Finding, ...]
    suppressed: tuple[Suppressed, ...]


# ---------------------------------------------------------------------------------------------- the scanned image


def _normalize_repository(repo: str) -> str:
    repo = repo.lower().split("://", 1)[-1].strip("/")
    first, _, rest = repo.partition("/")
    if not rest or ("." not in first and ":" not in first and first != "localhost"):
        first, rest = "docker.io", repo
    if first in ("index.docker.io", "registry-1.docker.io"):
        first = "docker.io"
    if first == "docker.io" and "/" not in rest:
        rest = "library/" + rest
    return f"{first}/{rest}"


@dataclass(frozen=True, slots=True)
class VexContext:
    """What the statements are matched against besides the finding: the scanned image and its packages.

    The default (no image known) lets every image-level product apply: the documents were given for this scan.
    """

    image: ImageInfo | None = None
    package_purls: tuple[Purl, ...] | None = None
    """Every package of the image (for products that are packages with ``subcomponents``); ``None``: unknown."""
    _digests: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)
    _repositories: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)
    _tags: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        image = self.image
        if image is None:
            return
        digests = {d.lower() for d in (image.manifest_digest, image.image_id) if d}
        repositories: set[str] = set()
        tags: set[str] = set()
        for ref in image.repo_digests:
            repo, _, digest = ref.partition("@")
            digests.add(digest.lower())
            repositories.add(_normalize_repository(repo))
        for ref in image.repo_tags:
            repo, sep, tag = ref.rpartition(":")
            if sep and "/" not in tag:
                repositories.add(_normalize_repository(repo))
                tags.add(tag)
            elif "/" not in ref:
                tags.add(ref)  # an OCI layout's ref name
        object.__setattr__(self, "_digests", frozenset(digests))
        object.__setattr__(self, "_repositories", frozenset(repositories))
        object.__setattr__(self, "_tags", frozenset(tags))

    @classmethod
    def of(cls, result: ScanResult) -> VexContext:
        purls = (package_purl(p.purl) for p in result.inventory.packages)
        return cls(result.image, tuple(p for p in purls if p is not None))

    def is_image(self, product: VexProduct) -> bool:
        """Whether an image-level product identifies the scanned image."""
        if self.image is None or product.image:
            return True
        if product.hashes:
            return bool(self._digests.intersection(product.hashes))
        p = parse_purl(product.purl)
        if p.type == "oci":
            repo = p.qualifier("repository_url")
            names = {r.rsplit("/", 1)[-1] for r in self._repositories}
            if names and p.name.lower() not in names:
                return False
        else:  # pkg:docker/<namespace>/<name>@<tag or digest>?repository_url=<registry>
            repo = f"{p.namespace}/{p.name}" if p.namespace else p.name
            registry = p.qualifier("repository_url")
            if registry:
                repo = f"{registry.rstrip('/')}/{repo}"
        if repo and self._repositories and _normalize_repository(repo) not in self._repositories:
            return False
        version = p.version.lower()
        if version:
            known = self._digests if version.startswith("sha") or p.type == "oci" else self._tags
            if version not in known:
                return False
        tag = p.qualifier("tag")
        if tag and self._tags and tag not in self._tags:
            return False
        arch = p.qualifier("arch")
        have = self.image.config.architecture if self.image.config is not None else ""
        return not (arch and have and arch != have)

    def has_package(self, purl: str) -> bool:
        if self.package_purls is None:
            return True
        constraint = parse_purl(purl)
        return any(constraint.matches(p) for p in self.package_purls)


def _product_matches(product: VexProduct, target: Purl | None, ctx: VexContext) -> bool:
    if product.is_image:
        if not ctx.is_image(product):
            return False
        if not product.subcomponents:
            return True
        return target is not None and any(parse_purl(s).matches(target) for s in product.subcomponents)
    if not product.purl or target is None:
        return False
    if product.subcomponents:
        # A package (an application) and the dependencies inside it the statement is about.
        return (any(parse_purl(s).matches(target) for s in product.subcomponents)
                and ctx.has_package(product.purl))
    return parse_purl(product.purl).matches(target) and _version_matches(product.versions, target)


# ---------------------------------------------------------------------------------------------- vers ranges


def _version_matches(specs: tuple[tuple[str, str], ...], target: Purl) -> bool:
    if not specs:
        return True
    for kind, value in specs:
        if kind == "version":
            if value == target.version or _compare(target.type, target.version, value) == 0:
                return True
        elif _in_vers(value, target):
            return True
    return False


_VERS_SCHEMES = {"alpine": "apk", "debian": "deb", "ubuntu": "deb", "semver": "npm", "go": "golang"}
_VERS_OPS = ("<=", ">=", "!=", "<", ">", "=")


def _compare(ptype: str, a: str, b: str) -> int | None:
    from hullscan import versions

    try:
        return versions.compare(ptype, a, b)
    except ValueError:
        return None


def _same_scheme(vers_scheme: str, ptype: str) -> bool:
    from hullscan.versions import SCHEMES

    if vers_scheme in (ptype, "generic"):
        return True
    mine = SCHEMES.get(ptype)
    return mine is not None and SCHEMES.get(vers_scheme) is mine


def _in_vers(spec: str, target: Purl) -> bool:
    """Whether the package's version is in a ``vers:`` range (https://github.com/package-url/vers-spec), compared
    under the package's own scheme. Anything that cannot be compared is out of the range."""
    body = spec.strip().removeprefix("vers:")
    scheme, _, constraints = body.partition("/")
    ptype = target.type
    if not _same_scheme(_VERS_SCHEMES.get(scheme, scheme), ptype):
        return False
    if constraints.strip() == "*":
        return True
    parsed: list[tuple[str, str]] = []
    for raw in constraints.split("|"):
        c = raw.strip()
        op = next((o for o in _VERS_OPS if c.startswith(o)), "=")
        parsed.append((op, unquote(c[len(op):] if c.startswith(op) else c).strip()))
    version = target.version
    rest: list[tuple[str, str, int]] = []
    for op, v in parsed:
        cmp = _compare(ptype, version, v)
        if cmp is None:
            return False
        if op == "=" and cmp == 0:
            return True
        if op == "!=" and cmp == 0:
            return False
        if op not in ("=", "!="):
            rest.append((op, v, cmp))
    if not rest:
        return False

    def order(a: tuple[str, str, int], b: tuple[str, str, int]) -> int:
        return _compare(ptype, a[1], b[1]) or 0

    rest.sort(key=cmp_to_key(order))

    def ok(op: str, cmp: int) -> bool:
        return {"<": cmp < 0, "<=": cmp <= 0, ">": cmp > 0, ">=": cmp >= 0}[op]

    if len(rest) == 1:
        return ok(rest[0][0], rest[0][2])
    for i, (op, _, cmp) in enumerate(rest):
        if i == 0 and op in ("<", "<=") and ok(op, cmp):
            return True
        if i == len(rest) - 1 and op in (">", ">=") and ok(op, cmp):
            return True
        if i + 1 < len(rest):
            nop, _, ncmp = rest[i + 1]
            if op in (">", ">=") and nop in ("<", "<=") and ok(op, cmp) and ok(nop, ncmp):
                return True
    return False


# ---------------------------------------------------------------------------------------------- loading


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _timestamp(value: object, where: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise UsageError(f"{where}: invalid timestamp {value!r}")
    try:
        ts = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{where}: invalid timestamp {value!r} (expected RFC 3339)") from None
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


def _checked_purl(text: str, where: str) -> str:
    try:
        parse_purl(text)
    except ValueError as exc:
        raise UsageError(f"{where}: invalid PURL {text!r}: {exc}") from None
    return text.strip()


def _hashes(value: object) -> tuple[str, ...]:
    if not isinstance(value, dict):
        return ()
    out = []
    for alg, digest in value.items():
        if isinstance(digest, str) and digest:
            name = str(alg).lower().replace("-", "")
            out.append(f"{name}:{digest.lower()}")
    return tuple(out)


def _openvex_components(items: object, name: str, line: int, *, product: bool) -> list[VexProduct]:
    """Products (or subcomponents) as the spec writes them: objects, or plain strings in v0.0.1 documents."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise UsageError(f"{name}:{line}: 'products' and 'subcomponents' must be lists")
    out = []
    for item in items:
        hashes: tuple[str, ...] = ()
        subs: tuple[str, ...] = ()
        if isinstance(item, str):
            ident, where = item.strip(), f"{name}:{line}"
        elif isinstance(item, Located):
            where = f"{name}:{item.line}"
            identifiers = item.get("identifiers")
            ident = _text(identifiers.get("purl")) if isinstance(identifiers, dict) else ""
            ident = ident or _text(item.get("@id"))
            hashes = _hashes(item.get("hashes"))
            subs = tuple(s.purl for s in _openvex_components(item.get("subcomponents"), name, item.line,
                                                             product=False) if s.purl) if product else ()
        else:
            raise UsageError(f"{name}:{line}: a product must be an object or a PURL string")
        purl = _checked_purl(ident, where) if ident.startswith("pkg:") else ""
        out.append(VexProduct(purl=purl, hashes=hashes, subcomponents=subs, ref=ident))
    return out


def _openvex(doc: Located, name: str, subject: tuple[VexProduct, ...] = ()) -> list[VexStatement]:
    statements = doc.get("statements")
    if not isinstance(statements, list):
        raise UsageError(f"{name}:{doc.line}: an OpenVEX document needs a 'statements' list")
    doc_time = _timestamp(doc.get("timestamp"), f"{name}:{doc.line}")
    out = []
    for st in statements:
        if not isinstance(st, Located):
            raise UsageError(f"{name}:{doc.line}: each statement must be an object")
        where = f"{name}:{st.line}"
        vuln = st.get("vulnerability")
        if isinstance(vuln, str) and vuln.strip():
            vid, aliases = vuln.strip(), []
        elif isinstance(vuln, Located):
            raw_aliases = vuln.get("aliases") or []
            if not isinstance(raw_aliases, list):
                raise UsageError(f"{name}:{vuln.line}: 'aliases' must be a list of ids")
            aliases = [a.strip() for a in raw_aliases if isinstance(a, str) and a.strip()]
            iri = _text(vuln.get("@id"))
            vid = _text(vuln.get("name"))
            m = _ID_IN_URL.search(iri) if iri else None
            if m is not None:
                aliases.append(m.group(1))
            vid = vid or (m.group(1) if m else iri)
            if not vid:
                raise UsageError(f"{name}:{vuln.line}: the vulnerability needs a 'name'")
        else:
            raise UsageError(f"{where}: the statement needs a 'vulnerability'")
        status = st.get("status")
        if status not in OPENVEX_STATUSES:
            raise UsageError(f"{where}: unknown status {status!r} (expected one of "
                             f"{', '.join(sorted(OPENVEX_STATUSES))})")
        products = _openvex_components(st.get("products"), name, st.line, product=True)
        shared = _openvex_components(st.get("subcomponents"), name, st.line, product=False)  # v0.0.1
        if shared:
            subs = tuple(s.purl for s in shared if s.purl)
            base = products or list(subject) or [VexProduct(image=True, ref="(the scanned image)")]
            products = [VexProduct(p.purl, p.hashes, p.subcomponents + subs, p.versions, p.image, p.ref)
                        for p in base]
        elif not products:
            products = list(subject)
        when = _timestamp(st.get("last_updated") or st.get("timestamp"), where) or doc_time
        out.append(VexStatement(
            vulnerability=vid,
            aliases=tuple(dict.fromkeys(a for a in aliases if a != vid)),
            products=tuple(products),
            status=str(status),
            suppress=status in OPENVEX_SUPPRESS,
            justification=_text(st.get("justification")),
            statement=_text(st.get("impact_statement")) or _text(st.get("status_notes")),
            action=_text(st.get("action_statement")),
            timestamp=when,
            source=name,
            line=st.line,
            format="openvex",
        ))
    return out


def _cyclonedx(doc: Located, name: str) -> list[VexStatement]:
    vulnerabilities = doc.get("vulnerabilities")
    if vulnerabilities is None:
        raise UsageError(f"{name}:{doc.line}: a CycloneDX BOM without 'vulnerabilities' is not a VEX document")
    if not isinstance(vulnerabilities, list):
        raise UsageError(f"{name}:{doc.line_of('vulnerabilities')}: 'vulnerabilities' must be a list")
    refs: dict[str, VexProduct] = {}

    def walk(components: object) -> None:
        if isinstance(components, list):
            for c in components:
                if isinstance(c, Located):
                    ref, purl = _text(c.get("bom-ref")), _text(c.get("purl"))
                    if ref:
                        refs[ref] = VexProduct(purl=_checked_purl(purl, f"{name}:{c.line}") if purl else "",
                                               hashes=_cdx_hashes(c.get("hashes")), ref=ref)
                    walk(c.get("components"))

    walk(doc.get("components"))
    metadata = doc.get("metadata")
    doc_time = None
    if isinstance(metadata, Located):
        doc_time = _timestamp(metadata.get("timestamp"), f"{name}:{metadata.line}")
        subject = metadata.get("component")
        if isinstance(subject, Located) and _text(subject.get("bom-ref")):
            purl = _text(subject.get("purl"))
            product = VexProduct(purl=_checked_purl(purl, f"{name}:{subject.line}") if purl else "",
                                 hashes=_cdx_hashes(subject.get("hashes")), ref=_text(subject.get("bom-ref")))
            if not product.is_image:  # the subject is the image, whatever it is called
                product = VexProduct(hashes=product.hashes, image=not product.hashes, ref=product.ref)
            refs[product.ref] = product
            walk(subject.get("components"))
    out = []
    for v in vulnerabilities:
        if not isinstance(v, Located):
            raise UsageError(f"{name}:{doc.line_of('vulnerabilities')}: each vulnerability must be an object")
        where = f"{name}:{v.line}"
        vid = _text(v.get("id"))
        if not vid:
            raise UsageError(f"{where}: the vulnerability has no 'id'")
        analysis = v.get("analysis")
        if analysis is None:
            continue  # a vulnerability report entry, not a statement about it
        if not isinstance(analysis, Located):
            raise UsageError(f"{where}: 'analysis' must be an object")
        state = analysis.get("state")
        if state is None:
            continue
        if state not in CYCLONEDX_STATES:
            raise UsageError(f"{name}:{analysis.line}: unknown analysis state {state!r} (expected one of "
                             f"{', '.join(sorted(CYCLONEDX_STATES))})")
        suppress = state in CYCLONEDX_SUPPRESS
        affects = v.get("affects")
        if not isinstance(affects, list) or not affects:
            raise UsageError(f"{where}: the vulnerability needs 'affects' (the components it is about)")
        products = []
        for a in affects:
            if not isinstance(a, Located) or not _text(a.get("ref")):
                raise UsageError(f"{where}: each 'affects' entry needs a 'ref'")
            products.append(_cdx_product(_text(a.get("ref")), a, refs, suppress, name))
        aliases = [_text(r.get("id")) for r in v.get("references") or [] if isinstance(r, Located)]
        response = analysis.get("response")
        when = (_timestamp(analysis.get("lastUpdated"), f"{name}:{analysis.line}")
                or _timestamp(analysis.get("firstIssued"), f"{name}:{analysis.line}")
                or _timestamp(v.get("updated"), where) or doc_time)
        out.append(VexStatement(
            vulnerability=vid,
            aliases=tuple(dict.fromkeys(a for a in aliases if a and a != vid)),
            products=tuple(products),
            status=str(state),
            suppress=suppress,
            justification=_text(analysis.get("justification")),
            statement=_text(analysis.get("detail")),
            action=", ".join(r for r in response if isinstance(r, str)) if isinstance(response, list) else "",
            timestamp=when,
            source=name,
            line=v.line,
            format="cyclonedx",
        ))
    return out


def _cdx_hashes(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    out = []
    for h in value:
        if isinstance(h, dict) and isinstance(h.get("alg"), str) and isinstance(h.get("content"), str):
            out.append(f"{h['alg'].lower().replace('-', '')}:{h['content'].lower()}")
    return tuple(out)


def _cdx_product(ref: str, affect: Located, refs: dict[str, VexProduct], suppress: bool, name: str) -> VexProduct:
    key = ref
    if ref.startswith("urn:cdx:") and "#" in ref:
        key = unquote(ref.split("#", 1)[1])
    product = refs.get(key)
    if product is None:
        purl = _checked_purl(key, f"{name}:{affect.line}") if key.startswith("pkg:") else ""
        product = VexProduct(purl=purl, ref=ref)  # unresolvable: neither PURL nor hashes, matches nothing
    versions = affect.get("versions")
    if isinstance(versions, list) and versions:
        specs = []
        for entry in versions:
            if not isinstance(entry, Located):
                continue
            if suppress and entry.get("status") == "affected":
                continue  # a suppressing statement is not about the versions it calls affected
            if _text(entry.get("version")):
                specs.append(("version", _text(entry.get("version"))))
            elif _text(entry.get("range")):
                specs.append(("range", _text(entry.get("range"))))
        if not specs:  # every listed version is called affected: nothing left to suppress
            return VexProduct(ref=ref)
        product = VexProduct(product.purl, product.hashes, product.subcomponents, tuple(specs), product.image,
                             product.ref)
    return product


def _unwrap(doc: Located, name: str) -> tuple[Located, tuple[VexProduct, ...]]:
    """The OpenVEX document inside a DSSE envelope or an in-toto statement, with the statement's subjects."""
    if isinstance(doc.get("payload"), str) and "payloadType" in doc:
        try:
            inner = load_json(base64.b64decode(doc["payload"], validate=True).decode("utf-8"))
        except (binascii.Error, UnicodeDecodeError, LocatedError) as exc:
            raise UsageError(f"{name}:{doc.line}: the DSSE payload is not base64-encoded JSON ({exc})") from None
        if not isinstance(inner, Located):
            raise UsageError(f"{name}:{doc.line}: the DSSE payload is not a JSON object")
        doc = inner
    if "predicate" in doc and "openvex" in str(doc.get("predicateType", "")):
        subject = []
        for s in doc.get("subject") or []:
            if isinstance(s, Located):
                hashes = _hashes(s.get("digest"))
                if hashes:
                    subject.append(VexProduct(hashes=hashes, ref=_text(s.get("name")) or hashes[0]))
        predicate = doc["predicate"]
        if not isinstance(predicate, Located):
            raise UsageError(f"{name}:{doc.line}: the in-toto predicate must be an object")
        return predicate, tuple(subject)
    return doc, ()


def load_vex(path: Path) -> VexStatements:
    """Read one OpenVEX or CycloneDX VEX document (JSON). ``UsageError`` naming file and line."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"cannot read VEX file {name}: no such file") from None
    except OSError as exc:
        raise UsageError(f"cannot read VEX file {name}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise UsageError(f"{name}:{line}: the VEX file is not UTF-8 text") from None
    if text.lstrip().startswith("<"):
        raise UsageError(f"{name}:1: XML VEX documents are not supported: give CycloneDX VEX as JSON")
    try:
        doc = load_json(text)
    except LocatedError as exc:
        raise UsageError(f"{name}:{exc.line}: {exc.message}") from None
    if not isinstance(doc, Located):
        raise UsageError(f"{name}:1: a VEX document must be a JSON object")
    doc, subject = _unwrap(doc, name)
    if "openvex" in str(doc.get("@context", "")) or "statements" in doc:
        statements = _openvex(doc, name, subject)
    elif doc.get("bomFormat") == "CycloneDX":
        statements = _cyclonedx(doc, name)
    elif isinstance(doc.get("document"), dict) and "csaf" in str(doc["document"].get("category", "")):
        raise UsageError(f"{name}:{doc.line}: CSAF VEX documents are not supported: use OpenVEX or CycloneDX VEX")
    else:
        raise UsageError(f"{name}:{doc.line}: neither an OpenVEX document nor a CycloneDX BOM")
    return VexStatements(tuple(statements), (name,))


# ---------------------------------------------------------------------------------------------- applying


def decide(
    findings: Sequence[Finding], statements: Iterable[VexStatement], context: VexContext | None = None
) -> list[VexStatement | None]:
    """For each finding, the statement that decides it (the latest matching one), or ``None``."""
    ordered = list(statements)
    by_id: dict[str, list[int]] = {}
    for i, st in enumerate(ordered):
        for vid in st.ids:
            by_id.setdefault(vid, []).append(i)
    out: list[VexStatement | None] = []
    for f in findings:
        ids = {f.id.casefold(), *(a.casefold() for a in (f.vulnerability.aliases if f.vulnerability else ()))}
        candidates = sorted({i for vid in ids for i in by_id.get(vid, ())})
        best: tuple[datetime, int] | None = None
        for i in candidates:
            st = ordered[i]
            if st.matches(f, context):
                rank = (st.timestamp or _NEVER, i)
                if best is None or rank > best:
                    best = rank
        out.append(ordered[best[1]] if best is not None else None)
    return out


def apply_vex(
    findings: Sequence[Finding], statements: Iterable[VexStatement], context: VexContext | None = None
) -> VexOutcome:
    """(kept, suppressed with the statement that suppressed each). ``context`` (see :meth:`VexContext.of`)
    checks image-level products against the scanned image; without it they apply to any image."""
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for f, st in zip(findings, decide(findings, statements, context), strict=True):
        if st is not None and st.suppress:
            suppressed.append(Suppressed(f, st))
        else:
            kept.append(f)
    return VexOutcome(tuple(kept), tuple(suppressed))
