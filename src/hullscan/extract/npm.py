"""lang/npm: Node.js packages installed in ``node_modules`` trees (npm, yarn classic, pnpm, global installs).

An installed package is a directory directly under a ``node_modules`` folder, ``node_modules/<name>/`` or
``node_modules/@<scope>/<name>/``, and its ``package.json`` says what it is. That is how npm itself reads a tree
(https://docs.npmjs.com/cli/v10/configuring-npm/folders#node-modules), and it decides which ``package.json``
files are read:

* ``node_modules/a/node_modules/b/package.json`` (a nested copy), ``usr/lib/node_modules/npm/package.json`` (a
  global install) and pnpm's ``node_modules/.pnpm/b@1.0.0/node_modules/b/package.json`` are packages;
* ``node_modules/a/test/fixtures/package.json``, ``node_modules/a/lib/sub/package.json`` (subpath stubs such as
  ``firebase/firestore``) and an application's own ``package.json`` outside any ``node_modules`` are not:
  they sit inside a package, or are a project (see :mod:`hullscan.extract.npm_lock` for those);
* ``node_modules/.bin``, ``node_modules/.cache``, ``node_modules/.pnpm`` and a bare ``@scope`` are not package
  directories. Symbolic links (npm workspaces, pnpm's flat ``node_modules``) are never read: their target is
  read where it really is.

A manifest without a name or a version is not an installed package (no payload, no warning, as Trivy and Syft
skip it). ``private: true`` does not exclude a package found here: it is installed, whatever it says about
publishing (Trivy's ``analyzer/package.json`` test and Syft's ``pkg-json/private`` fixture keep it). A name that
is not URL-safe, or content that is not a JSON object, is a broken file (a warning).

Licences come in every historical form (https://docs.npmjs.com/cli/v10/configuring-npm/package-json#license):
an SPDX expression string, the legacy ``{"type": ..., "url": ...}`` object, an array of those, and the older
``licenses`` array. The payload keeps the names as written; :func:`license_ids` maps them to SPDX ids when
packages are assembled.

PURLs follow the purl spec's npm type: the scope is the namespace, percent-encoded
(``pkg:npm/%40types/node@18.0.0``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import msgspec
from packageurl import PackageURL

from hullscan.extract.base import ExtractError
from hullscan.extract.python import license_name_ids
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType

NAME = "lang/npm"
VERSION = 1

MAX_MANIFEST_SIZE = 16 << 20
"""A package.json is a few KB; the largest real ones (with embedded readmes) are well under a MB."""

# npm's validate-npm-package-name: a name is URL-safe (encodeURIComponent leaves it alone), optionally scoped.
_VALID_NAME = re.compile(r"(?:@[A-Za-z0-9\-._~!*'()]+/)?[A-Za-z0-9\-._~!*'()]+")



def valid_name(name: str) -> bool:
    """Whether ``name`` is a URL-safe npm package name, optionally scoped (``@types/node``)."""
    return _VALID_NAME.fullmatch(name) is not None


# ---------------------------------------------------------------------------------------------- payload


@dataclass(frozen=True, slots=True)
class NpmManifest:
    """What an installed package's ``package.json`` says about it (nothing interpreted)."""

    name: str
    """The full name, scope included (``@types/node``)."""
    version: str
    licenses: tuple[str, ...] = ()
    """Licence names as written: one expression string, or the ``type`` of each legacy licence object."""
    private: bool = False


class _Manifest(msgspec.Struct):
    """The fields read from a package.json; everything else is skipped by the decoder without being built."""

    name: object = None
    version: object = None
    license: object = None
    licenses: object = None
    private: object = None


_decoder = msgspec.json.Decoder(_Manifest)


def _license_names(value: object) -> list[str]:
    """Licence names from a ``license`` or ``licenses`` value in any of its historical forms."""
    match value:
        case str():
            return [value.strip()] if value.strip() else []
        case {"type": str() as kind}:
            return [kind.strip()] if kind.strip() else []
        case list():
            out: list[str] = []
            for item in value:
                out += _license_names(item) if isinstance(item, str | dict) else []
            return out
        case _:
            return []  # a number, null, an object without a type: no licence


def parse_package_json(data: bytes, path: str = "package.json") -> NpmManifest | None:
    """Parse an installed package's manifest; ``None`` when it has no name or no version.

    >>> m = parse_package_json(b'{"name": "@types/node", "version": "18.0.0", "license": {"type": "MIT"}}')
    >>> m.name, m.version, m.licenses
    ('@types/node', '18.0.0', ('MIT',))
    """
    try:
        raw = _decoder.decode(data.removeprefix(b"\xef\xbb\xbf"))
    except msgspec.DecodeError as exc:
        raise ExtractError(f"{path}: not a JSON package manifest: {exc}") from None
    name = raw.name if isinstance(raw.name, str) else ""
    version = raw.version if isinstance(raw.version, str) else ""
    name, version = name.strip(), version.strip()
    if name and not valid_name(name):
        raise ExtractError(f"{path}: package name {name!r} is not URL-safe")
    if not name or not version:
        return None
    licenses = _license_names(raw.license) or _license_names(raw.licenses)
    return NpmManifest(name=name, version=version, licenses=tuple(licenses), private=raw.private is True)


# ---------------------------------------------------------------------------------------------- interpretation


def split_name(full: str) -> tuple[str, str]:
    """``@types/node`` -> (``@types``, ``node``); ``lodash`` -> (``""``, ``lodash``)."""
    if full.startswith("@") and "/" in full:
        scope, _, name = full.partition("/")
        return scope, name
    return "", full


def license_ids(names: tuple[str, ...]) -> tuple[str, ...]:
    """Licence names as SPDX ids where known: expressions are split, ``SEE LICENSE IN x`` and unknown text kept.

    >>> license_ids(("(MIT OR Apache-2.0)",)), license_ids(("Public Domain", "MIT"))
    (('MIT', 'Apache-2.0'), ('Public-Domain', 'MIT'))
    >>> license_ids(("SEE LICENSE IN LICENSE.md",))
    ('SEE LICENSE IN LICENSE.md',)
    """
    out: list[str] = []
    for name in names:
        if name.upper().startswith(("SEE LICENSE IN", "SEE LICENCE IN", "UNLICENSED")):
            out.append(name)
        else:
            out += license_name_ids(name)
    return tuple(dict.fromkeys(out))


_PLAIN = re.compile(r"[A-Za-z0-9._-]+")


def package_url(full_name: str, version: str) -> str:
    """``pkg:npm/%40types/node@18.0.0``, as packageurl-python writes it (the name lowercased, the scope not).

    Names and versions of plain characters (nearly all) are written directly: packageurl-python costs ~60 µs a
    PURL, which is most of the assembly time of a large lock file. Anything else goes through it.

    >>> package_url("@types/node", "18.0.0"), package_url("JSONStream", "1.3.5")
    ('pkg:npm/%40types/node@18.0.0', 'pkg:npm/jsonstream@1.3.5')
    """
    namespace, name = split_name(full_name)
    scope = namespace[1:]
    if _PLAIN.fullmatch(name) and _PLAIN.fullmatch(version) and (not namespace or _PLAIN.fullmatch(scope)):
        prefix = f"pkg:npm/%40{scope}/" if namespace else "pkg:npm/"
        return f"{prefix}{name.lower()}@{version}"
    return PackageURL(type=PackageType.NPM.value, namespace=namespace or None, name=name, version=version).to_string()


def to_package(manifest: NpmManifest, found_in: str, layer: LayerRef | None = None, *, extractor: str = NAME,
               declared: bool = False) -> Package:
    namespace, name = split_name(manifest.name)
    return Package(
        type=PackageType.NPM,
        name=name,
        version=manifest.version,
        namespace=namespace,
        licenses=license_ids(manifest.licenses),
        found_in=found_in,
        extractor=extractor,
        purl=package_url(manifest.name, manifest.version),
        layer=layer,
        declared=declared,
    )


# ---------------------------------------------------------------------------------------------- the extractor


def is_installed_manifest(path: str) -> bool:
    """Whether ``path`` is the ``package.json`` of a package directory directly under a ``node_modules``.

    >>> [is_installed_manifest(p) for p in ("app/node_modules/a/package.json", "node_modules/@s/a/package.json",
    ...  "node_modules/a/test/package.json", "node_modules/.cache/package.json", "app/package.json")]
    [True, True, False, False, False]
    """
    if not path.endswith("/package.json"):
        return False
    parts = path.split("/")
    n = len(parts)
    if n >= 3 and parts[-3] == "node_modules":
        return not parts[-2].startswith(("@", "."))
    if n >= 4 and parts[-4] == "node_modules":
        scope = parts[-3]
        return len(scope) > 1 and scope.startswith("@") and not parts[-2].startswith(".")
    return False


class NpmExtractor:
    """Installed Node.js packages: every ``node_modules/<name>/package.json``."""

    name = NAME
    version = VERSION
    payload_type = NpmManifest

    def wants(self, path: str, entry: FileEntry) -> bool:
        return (
            (entry.kind is FileKind.FILE or entry.kind is FileKind.HARDLINK)
            and entry.size <= MAX_MANIFEST_SIZE
            and is_installed_manifest(path)
        )

    def extract(self, path: str, data: bytes) -> NpmManifest | None:
        if not is_installed_manifest(path):
            return None
        return parse_package_json(data, path)

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        """One package per installed manifest in the image, from the layer that wrote that manifest."""
        return [to_package(manifest, path, layer) for path, manifest, layer in view.payloads(NAME, NpmManifest)]
