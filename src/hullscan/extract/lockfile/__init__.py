"""lock/*: packages that a project's lock file pins, read where a source tree or a root filesystem keeps one.

A lock file says what a project *declared* it would install (``poetry.lock``, ``Gemfile.lock``...), not what
the image holds, so every package read from one has :attr:`Package.declared` set. They are read in images
too: an application copied with its lock file and installed somewhere the installed-package extractors
cannot see (a zipapp, a bundled vendor directory) is still worth an inventory line.

Every lock format here shares one payload, :class:`LockFile`: the packages as the file pins them, with the
raw licence strings and a ``dev`` flag for the packages only a development group needs (Pipfile.lock's
``develop``, composer.lock's ``packages-dev``, Poetry's non-main groups, uv's dev-dependencies, pnpm's
``dev: true``). Parsers only read; :class:`LockfileExtractor` turns the payloads that survive in the squashed
view into packages, one per distinct name and version in each file.

**Development-only packages are left out by default**, as Trivy does and as ``lang/npm-lock`` does here: they are
not installed where the application runs. ``include_dev=True`` reports them too; the payload always records the
flag, so the choice never needs a rescan of the layer.

Lock files inside ``node_modules``, ``vendor``, ``site-packages`` or ``dist-packages`` belong to packages
that were installed (a dependency's own ``poetry.lock`` shipped in its sdist, a vendored library's
``composer.lock``); they say nothing about this application and are not read.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass

from packageurl import PackageURL

from hullscan.extract.base import ExtractError
from hullscan.extract.licenses import normalize_license_token, normalize_license_tokens
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType

SKIPPED_DIRS = ("node_modules", "vendor", "site-packages", "dist-packages")
"""Directory names under which a lock file belongs to an installed dependency, not to the application."""

_SKIPPED_MARKERS = tuple(f"/{d}/" for d in SKIPPED_DIRS)


@dataclass(frozen=True, slots=True)
class LockedPackage:
    """One package a lock file pins, as written (licences raw, names not normalised)."""

    name: str
    version: str
    namespace: str = ""
    """npm scope (``@babel``), Composer vendor (``guzzlehttp``)."""
    dev: bool = False
    """Only a development dependency group needs it."""
    root: bool = False
    """The project the lock file belongs to (uv's ``virtual``/``editable`` source), not a dependency."""
    licenses: tuple[str, ...] = ()
    checksum: str = ""
    """``algorithm:hex`` when the file records a digest of the package itself."""


@dataclass(frozen=True, slots=True)
class LockFile:
    """The payload for one lock file: its packages in file order."""

    packages: tuple[LockedPackage, ...] = ()


def in_skipped_dir(path: str) -> bool:
    """Whether ``path`` lies under a directory whose lock files are not the application's (see module doc).

    >>> in_skipped_dir("srv/app/poetry.lock"), in_skipped_dir("srv/app/node_modules/x/pnpm-lock.yaml")
    (False, True)
    """
    rooted = f"/{path}"
    return any(marker in rooted for marker in _SKIPPED_MARKERS)


def basename(path: str) -> str:
    return path.rpartition("/")[2]


_EXPRESSION = re.compile(r"[()]|\s(?:and|or|with)\s", re.IGNORECASE)


def license_names(items: Iterable[str]) -> tuple[str, ...]:
    """Licences from a list where each item names one licence, or is an SPDX expression; SPDX ids where known.

    An item such as ``"Apache License 2.0"`` is one licence and stays whole; ``"MIT or BSD-2-Clause"`` and
    ``"(MIT OR Apache-2.0)"`` are expressions and give one entry per licence.

    >>> license_names(["MIT", "ruby", "MIT or BSD-2-Clause", "Apache License 2.0", ""])
    ('MIT', 'Ruby', 'BSD-2-Clause', 'Apache License 2.0')
    """
    out: list[str] = []
    for item in items:
        text = item.strip()
        if not text:
            continue
        names = normalize_license_tokens(text) if _EXPRESSION.search(text) else (normalize_license_token(text),)
        for name in names:
            if name not in out:
                out.append(name)
    return tuple(out)


def package_url(kind: PackageType, name: str, version: str, namespace: str = "") -> str:
    """``pkg:<type>/[namespace/]name@version`` (https://github.com/package-url/purl-spec)."""
    return PackageURL(type=kind.value, namespace=namespace or None, name=name, version=version or None).to_string()


class LockfileExtractor:
    """What every ``lock/*`` extractor shares: which files it wants, and packages from its payloads.

    A subclass sets :attr:`NAME`, :attr:`VERSION`, :attr:`TYPE` and :attr:`FILENAMES` (or overrides
    :meth:`wants_name`) and implements :meth:`parse`.
    """

    NAME = "lock/unknown"
    VERSION = 1
    TYPE = PackageType.PYPI
    FILENAMES: frozenset[str] = frozenset()

    def __init__(self, *, include_dev: bool = False) -> None:
        self.include_dev = include_dev
        """Whether packages only a development group needs are reported (they are always parsed)."""

    @property
    def name(self) -> str:
        return self.NAME

    @property
    def version(self) -> int:
        return self.VERSION

    @property
    def payload_type(self) -> type[LockFile]:
        return LockFile

    def wants_name(self, name: str) -> bool:
        return name in self.FILENAMES

    def wants(self, path: str, entry: FileEntry) -> bool:
        return (
            entry.kind in (FileKind.FILE, FileKind.HARDLINK)
            and self.wants_name(basename(path))
            and not in_skipped_dir(path)
        )

    def extract(self, path: str, data: bytes) -> LockFile | None:
        if not self.wants_name(basename(path)):
            return None
        return self.parse(data, path)

    def parse(self, data: bytes, path: str) -> LockFile:
        raise NotImplementedError

    def to_package(self, locked: LockedPackage, found_in: str, layer: LayerRef | None) -> Package:
        return Package(
            type=self.TYPE,
            name=locked.name,
            version=locked.version,
            namespace=locked.namespace,
            licenses=license_names(locked.licenses),
            checksum=locked.checksum,
            found_in=found_in,
            extractor=self.NAME,
            purl=package_url(self.TYPE, locked.name, locked.version, locked.namespace),
            layer=layer,
            declared=True,
            main_module=locked.root,
        )

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        """One package per distinct (namespace, name, version) of each lock file in the squashed view."""
        out: list[Package] = []
        for path, lock, layer in view.payloads(self.NAME, LockFile):
            seen: set[tuple[str, str, str]] = set()
            for locked in lock.packages:
                if locked.dev and not self.include_dev:
                    continue
                key = (locked.namespace, locked.name, locked.version)
                if key in seen:
                    continue
                seen.add(key)
                out.append(self.to_package(locked, path, layer))
        return out


def decode_text(data: bytes, path: str, what: str) -> str:
    """A lock file's text: UTF-8 (a BOM allowed) or UTF-16 with a BOM; binary content is an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ExtractError(f"{path}: not a {what} (bad UTF-16)") from None
    if b"\x00" in data:
        raise ExtractError(f"{path}: binary content where a {what} was expected")
    return data.decode("utf-8-sig", errors="replace")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def scrub(value: object) -> object:
    """``value`` with lone surrogates (``"\\ud800"`` in JSON or YAML) replaced by U+FFFD in every string.

    Payloads are encoded as UTF-8 for the layer cache, which a lone surrogate cannot be.

    >>> scrub({"a" + chr(0xD800): ["x" + chr(0xDFFF), 1]}) == {"a\N{REPLACEMENT CHARACTER}": ["x\ufffd", 1]}
    True
    """
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def load_json(data: bytes, path: str, what: str) -> object:
    """A JSON document, or :class:`ExtractError` naming the file and what it should have been."""
    try:
        doc: object = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExtractError(f"{path}: not a valid {what}: {exc}") from None
    # Only a file that escapes a surrogate can hold a lone one: the rest skip the walk.
    return scrub(doc) if _SURROGATE_ESCAPE.search(data) else doc


def load_toml(data: bytes, path: str, what: str) -> dict[str, object]:
    """A TOML document, or :class:`ExtractError` naming the file and what it should have been."""
    try:
        return tomllib.loads(decode_text(data, path, what))
    except tomllib.TOMLDecodeError as exc:
        raise ExtractError(f"{path}: not a valid {what}: {exc}") from None
