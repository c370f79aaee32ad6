"""lang/rust-binary: the crates compiled into a Rust executable built with ``cargo auditable``.

``cargo auditable build`` (https://github.com/rust-secure-code/cargo-auditable) embeds the resolved dependency
tree in a section named ``.dep-v0`` (ELF and PE; ``__DATA,.dep-v0`` in Mach-O): zlib-compressed JSON whose format
is specified at https://github.com/rust-secure-code/cargo-auditable/blob/master/PARSING.md::

    {"packages": [
      {"name": "crate_with_features", "version": "0.1.0", "source": "local", "dependencies": [1], "root": true},
      {"name": "library_crate", "version": "0.1.0", "source": "local"}]}

``source`` is ``crates.io``, ``git``, ``local``, ``registry`` or ``other``; ``kind`` is ``runtime`` (the default)
or ``build`` (build-time only: build scripts and proc macros, not in the binary); ``dependencies`` are indices
into ``packages``; one package has ``root: true``.

:class:`RustBinaryExtractor` keeps the list as written (:class:`RustAuditInfo`, cached per layer);
:meth:`RustBinaryExtractor.packages` reports the runtime crates (build-only crates are left out, as Trivy and
cargo-audit do) as ``pkg:cargo/<name>@<version>``, the root crate as the main module.

Binaries without the section (most Rust binaries) give no payload; the decompressed JSON is capped at
:data:`MAX_JSON` so a hostile section cannot inflate without bound.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import msgspec
from packageurl import PackageURL

from hullscan.extract import binfmt
from hullscan.extract.base import ExtractError
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, LayerRef, Package, PackageType

NAME = "lang/rust-binary"
VERSION = 1

SECTION = ".dep-v0"
MAX_JSON = 8 << 20
"""The decompressed size believed; cargo-auditable's own reader stops at the same 8 MiB."""
RUNTIME = "runtime"
BUILD = "build"


@dataclass(frozen=True, slots=True)
class AuditedCrate:
    """One entry of the ``packages`` list, as written."""

    name: str
    version: str
    source: str = ""
    kind: str = RUNTIME
    dependencies: tuple[int, ...] = ()
    root: bool = False


@dataclass(frozen=True, slots=True)
class RustAuditInfo:
    """The payload for one auditable binary."""

    packages: tuple[AuditedCrate, ...] = ()


class _WirePackage(msgspec.Struct, forbid_unknown_fields=False):
    name: str
    version: str
    source: str = ""
    kind: str = RUNTIME
    dependencies: list[int] = msgspec.field(default_factory=list)
    root: bool = False


class _Wire(msgspec.Struct, forbid_unknown_fields=False):
    packages: list[_WirePackage]


_decoder = msgspec.json.Decoder(_Wire)


def decode_section(raw: bytes, path: str = "") -> RustAuditInfo:
    """The crate list of a ``.dep-v0`` section's bytes. Raises :class:`ExtractError` for anything malformed."""
    where = f"{path}: " if path else ""
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(raw, MAX_JSON)
    except zlib.error as exc:
        raise ExtractError(f"{where}{SECTION} is not zlib data ({exc})") from None
    if inflater.unconsumed_tail:
        raise ExtractError(f"{where}{SECTION} inflates to more than {MAX_JSON} bytes")
    try:
        wire = _decoder.decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ExtractError(f"{where}{SECTION} is not cargo-auditable JSON ({exc})") from None
    count = len(wire.packages)
    crates: list[AuditedCrate] = []
    for index, pkg in enumerate(wire.packages):
        if not pkg.name or any(not 0 <= dep < count for dep in pkg.dependencies):
            raise ExtractError(f"{where}{SECTION}: package {index} has no name or a dependency out of range")
        crates.append(AuditedCrate(pkg.name, pkg.version, pkg.source, pkg.kind, tuple(pkg.dependencies), pkg.root))
    return RustAuditInfo(tuple(crates))


def parse_binary(data: bytes, path: str = "") -> RustAuditInfo | None:
    """The audit data of an executable; ``None`` when it has none or is no executable the tables can be read of."""
    try:
        exe = binfmt.parse(data)
    except binfmt.BinaryFormatError:
        return None  # damaged tables: nothing to locate the section by (and most likely not an auditable binary)
    if exe is None:
        return None
    section = exe.section(SECTION)
    if section is None:
        return None
    try:
        raw = binfmt.section_bytes(data, section)
    except binfmt.BinaryFormatError as exc:
        raise ExtractError(f"{path}: {exc}" if path else str(exc)) from None
    return decode_section(raw, path)


def dependency_ids(info: RustAuditInfo) -> dict[str, tuple[str, ...]]:
    """``name@version`` of each runtime crate -> the runtime crates it depends on, in the order written."""
    crates = info.packages
    return {
        f"{c.name}@{c.version}": tuple(
            f"{crates[d].name}@{crates[d].version}" for d in c.dependencies if crates[d].kind == RUNTIME
        )
        for c in crates
        if c.kind == RUNTIME
    }


def package_url(name: str, version: str) -> str:
    return PackageURL(type=PackageType.CARGO.value, name=name, version=version or None).to_string()


def to_packages(info: RustAuditInfo, found_in: str, layer: LayerRef | None = None) -> list[Package]:
    """The runtime crates, in the order written."""
    return [
        Package(
            type=PackageType.CARGO,
            name=crate.name,
            version=crate.version,
            found_in=found_in,
            extractor=NAME,
            purl=package_url(crate.name, crate.version),
            layer=layer,
            main_module=crate.root,
        )
        for crate in info.packages
        if crate.kind == RUNTIME
    ]


class RustBinaryExtractor:
    """Reads cargo-auditable's dependency list from executables and assembles their crates."""

    name = NAME
    version = VERSION
    payload_type = RustAuditInfo

    def wants(self, path: str, entry: FileEntry) -> bool:
        return binfmt.wants_executable(path, entry)

    def extract(self, path: str, data: bytes) -> RustAuditInfo | None:
        return parse_binary(data, path)

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        out: list[Package] = []
        for path, info, layer in view.payloads(NAME, RustAuditInfo):
            out.extend(to_packages(info, path, layer))
        return out
