"""lang/composer: PHP packages Composer installed, read from ``vendor/composer/installed.json``.

Composer records what it put into ``vendor/`` in that file (https://getcomposer.org/doc/07-runtime.md). Two
shapes exist:

* Composer 1: a JSON array of package objects;
* Composer 2: ``{"packages": [...], "dev": true, "dev-package-names": [...]}``.

Each package object has ``name`` (``vendor/package``: the PURL namespace and name), ``version`` as Composer
normalised it for display (``1.13.3``, ``v1.0.2``, ``dev-main``) and ``license`` (a list, sometimes a string).
Packages without a name or a version are left out; a file that is not JSON, or not one of the two shapes, is a
warning. ``composer.lock`` shares the package object and is read by ``lock/composer``
(:mod:`hullscan.extract.lockfile.composer_lock`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hullscan.extract.base import ExtractError
from hullscan.extract.lockfile import LockedPackage, license_names, load_json, package_url
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType

NAME = "lang/composer"
VERSION = 1

INSTALLED_SUFFIX = "vendor/composer/installed.json"


@dataclass(frozen=True, slots=True)
class ComposerInstalled:
    """The payload for one ``installed.json``: the packages in file order (``dev`` from dev-package-names)."""

    packages: tuple[LockedPackage, ...] = ()


def _license_field(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, list):
        return tuple(item for item in raw if isinstance(item, str))
    return ()


def composer_package(raw: object, *, dev: bool = False) -> LockedPackage | None:
    """One package object of installed.json or composer.lock; ``None`` when it has no usable name or version.

    >>> composer_package({"name": "pear/log", "version": "1.13.3", "license": ["MIT"]})
    LockedPackage(name='log', version='1.13.3', namespace='pear', dev=False, root=False, licenses=('MIT',), checksum='')
    """
    if not isinstance(raw, dict):
        return None
    full = raw.get("name")
    version = raw.get("version")
    if not isinstance(full, str) or not isinstance(version, str) or not full.strip() or not version.strip():
        return None
    vendor, _, project = full.strip().rpartition("/")
    return LockedPackage(
        name=project,
        version=version.strip(),
        namespace=vendor,
        dev=dev,
        licenses=_license_field(raw.get("license")),
    )


def composer_packages(items: Iterable[object], *, dev: bool = False,
                      dev_names: frozenset[str] = frozenset()) -> list[LockedPackage]:
    out: list[LockedPackage] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else None
        found = composer_package(item, dev=dev or name in dev_names)
        if found is not None:
            out.append(found)
    return out


def parse_installed(data: bytes, path: str = INSTALLED_SUFFIX) -> ComposerInstalled:
    """Parse an installed.json of either Composer generation.

    >>> parse_installed(b'{"packages": [{"name": "psr/log", "version": "3.0.0"}], "dev-package-names": []}')
    ComposerInstalled(packages=(LockedPackage(name='log', version='3.0.0', namespace='psr', dev=False, root=False, \
licenses=(), checksum=''),))
    """
    doc = load_json(data, path, "Composer installed.json")
    if isinstance(doc, list):  # Composer 1
        return ComposerInstalled(tuple(composer_packages(doc)))
    if isinstance(doc, dict) and isinstance(doc.get("packages"), list):
        names = doc.get("dev-package-names")
        dev_names = frozenset(n for n in names if isinstance(n, str)) if isinstance(names, list) else frozenset()
        return ComposerInstalled(tuple(composer_packages(doc["packages"], dev_names=dev_names)))
    raise ExtractError(f"{path}: not a Composer installed.json (neither a list nor an object with 'packages')")


def to_package(locked: LockedPackage, found_in: str, layer: LayerRef | None = None) -> Package:
    return Package(
        type=PackageType.COMPOSER,
        name=locked.name,
        version=locked.version,
        namespace=locked.namespace,
        licenses=license_names(locked.licenses),
        found_in=found_in,
        extractor=NAME,
        purl=package_url(PackageType.COMPOSER, locked.name, locked.version, locked.namespace),
        layer=layer,
    )


def is_installed_json(path: str) -> bool:
    return path == INSTALLED_SUFFIX or path.endswith("/" + INSTALLED_SUFFIX)


class ComposerInstalledExtractor:
    """Reads Composer's installed.json and reports every package it lists."""

    name = NAME
    version = VERSION
    payload_type = ComposerInstalled

    def wants(self, path: str, entry: FileEntry) -> bool:
        return entry.kind in (FileKind.FILE, FileKind.HARDLINK) and is_installed_json(path)

    def extract(self, path: str, data: bytes) -> ComposerInstalled | None:
        if not is_installed_json(path):
            return None
        return parse_installed(data, path)

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        out: list[Package] = []
        for path, installed, layer in view.payloads(NAME, ComposerInstalled):
            seen: set[tuple[str, str, str]] = set()
            for locked in installed.packages:
                key = (locked.namespace, locked.name, locked.version)
                if key not in seen:
                    seen.add(key)
                    out.append(to_package(locked, path, layer))
        return out
