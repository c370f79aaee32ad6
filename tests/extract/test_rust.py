"""lang/rust-binary and lang/cargo-lock: Trivy's cargo-auditable binary and Cargo.lock fixtures, an auditable
binary made here with binutils (``cargo auditable`` itself cannot be fetched: crates.io is out of reach) and read
back as ``objcopy --dump-section`` reads it, Cargo.lock trimmed by its Cargo.toml, an image scanned end to end,
and damaged sections.

Expected values: EXPECTED.md section 4 "Rust" (Trivy's ``rust/binary`` and ``rust/cargo`` parse tests) and, for
``fs-lockfiles/cargo``, Trivy's ``integration/testdata/cargo.lock.json.golden`` (7 packages: the
dev-dependency ``winapi`` and its subtree are left out).
"""

from __future__ import annotations

import doctest
import io
import json
import re
import struct
import zlib
from pathlib import Path

import msgspec
import pytest

from hullscan.extract import binfmt, cargo_lock, rustbinary
from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.cargo_lock import (
    CargoFile,
    CargoLockExtractor,
    built_crates,
    dependency_ids,
    parse_lock,
    parse_manifest,
)
from hullscan.extract.packages import PackageAssembler
from hullscan.extract.rustbinary import (
    MAX_JSON,
    AuditedCrate,
    RustAuditInfo,
    RustBinaryExtractor,
    decode_section,
    parse_binary,
    to_packages,
)
from hullscan.image.blob import Limits
from hullscan.image.facts import encode_payload
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.image.squash import SquashedView
from hullscan.image.walker import walk_tar
from hullscan.model import FileEntry, FileKind, LayerRef, Package, PackageType
from hullscan.scan import ScanOptions, scan_image
from support.images import TarEntrySpec, build_layer_tar, write_oci_layout
from support.lang_gorust import audit_json, auditable_elf, dump_section, elf64, objcopy_available, tree_entries

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
AUDITABLE = FIXTURES / "lang" / "rust" / "cargo-auditable-test.elf"
CARGO = FIXTURES / "lang" / "cargo"
FS_CARGO = FIXTURES / "fs-lockfiles" / "cargo"

needs_objcopy = pytest.mark.skipif(not objcopy_available(), reason="needs binutils' objcopy and /bin/true")

CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


def ids(packages: list[Package]) -> list[str]:
    return [f"{p.name}@{p.version}" for p in packages]


def squash(extractors: tuple[Extractor[object], ...], *layers: list[TarEntrySpec]) -> SquashedView:
    built = []
    for index, entries in enumerate(layers):
        tar = build_layer_tar(entries)
        facts = walk_tar(io.BytesIO(tar), extractors, limits=Limits(), what=f"layer {index}").build(f"d{index}", 0)
        built.append((LayerRef(index, f"d{index}", f"d{index}", f"step {index}"), facts))
    return SquashedView(built)


# ---------------------------------------------------------------------------------------------- protocol


def test_protocols() -> None:
    binary: Extractor[RustAuditInfo] = RustBinaryExtractor()
    lock: Extractor[CargoFile] = CargoLockExtractor()
    assert (binary.name, binary.version, binary.payload_type) == ("lang/rust-binary", 1, RustAuditInfo)
    assert (lock.name, lock.version, lock.payload_type) == ("lang/cargo-lock", 1, CargoFile)
    assert isinstance(RustBinaryExtractor(), PackageAssembler)
    assert isinstance(CargoLockExtractor(), PackageAssembler)


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("src/app/Cargo.lock", True),
        ("Cargo.toml", True),
        ("src/app/Cargo.lock.orig", False),
        ("root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/regex-1.7.3/Cargo.toml", False),
        ("root/.cargo/git/checkouts/x/abc/Cargo.lock", False),
        ("src/app/vendor/regex/Cargo.toml", False),
    ],
)
def test_lock_wants(path: str, wanted: bool) -> None:
    assert CargoLockExtractor().wants(path, FileEntry(path, FileKind.FILE, 0o644, 100)) is wanted


def test_binary_wants() -> None:
    ext = RustBinaryExtractor()
    assert ext.wants("usr/local/bin/app", FileEntry("usr/local/bin/app", FileKind.FILE, 0o755, 400_000))
    assert not ext.wants("srv/data.bin", FileEntry("srv/data.bin", FileKind.FILE, 0o644, 400_000))


def test_doctests() -> None:
    result = doctest.testmod(cargo_lock, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------- auditable binaries


def test_fixture_auditable_binary() -> None:
    """Trivy's rust/binary fixture: crate_with_features (root) depends on library_crate."""
    info = parse_binary(AUDITABLE.read_bytes())
    assert info == RustAuditInfo(
        (
            AuditedCrate("crate_with_features", "0.1.0", "local", "runtime", (1,), True),
            AuditedCrate("library_crate", "0.1.0", "local"),
        )
    )
    assert rustbinary.dependency_ids(info) == {
        "crate_with_features@0.1.0": ("library_crate@0.1.0",),
        "library_crate@0.1.0": (),
    }
    got = to_packages(info, "usr/bin/app")
    assert [(p.name, p.version, p.main_module, p.purl) for p in got] == [
        ("crate_with_features", "0.1.0", True, "pkg:cargo/crate_with_features@0.1.0"),
        ("library_crate", "0.1.0", False, "pkg:cargo/library_crate@0.1.0"),
    ]
    assert all(p.type is PackageType.CARGO and p.extractor == "lang/rust-binary" and not p.declared for p in got)
    assert msgspec.json.decode(encode_payload(info), type=RustAuditInfo) == info


@needs_objcopy
def test_fixture_section_agrees_with_objcopy(tmp_path: Path) -> None:
    data = AUDITABLE.read_bytes()
    exe = binfmt.parse(data)
    assert exe is not None
    section = exe.section(".dep-v0")
    assert section is not None
    assert binfmt.section_bytes(data, section) == dump_section(AUDITABLE, ".dep-v0", tmp_path)


REAL_CRATES: list[dict[str, object]] = [
    {"name": "hello", "version": "0.2.0", "source": "local", "dependencies": [1, 2, 3], "root": True},
    {"name": "regex", "version": "1.7.3", "source": "crates.io", "dependencies": [4]},
    {"name": "cc", "version": "1.0.83", "source": "crates.io", "kind": "build"},
    {"name": "forked", "version": "0.1.0", "source": "git", "features": ["std"]},
    {"name": "memchr", "version": "2.7.4", "source": "crates.io"},
]


@needs_objcopy
def test_objcopy_made_auditable_binary(tmp_path: Path) -> None:
    """A real ELF (/bin/true) with a .dep-v0 section, as ``cargo auditable`` leaves one; build-only crates out."""
    binary = auditable_elf(tmp_path, audit_json(REAL_CRATES))
    data = binary.read_bytes()
    exe = binfmt.parse(data)
    assert exe is not None and exe.section(".dep-v0") is not None
    section = exe.section(".dep-v0")
    assert section is not None
    assert binfmt.section_bytes(data, section) == dump_section(binary, ".dep-v0", tmp_path)
    info = RustBinaryExtractor().extract("usr/local/bin/hello", data)
    assert info is not None
    assert [(c.name, c.kind, c.source) for c in info.packages][2] == ("cc", "build", "crates.io")
    got = to_packages(info, "usr/local/bin/hello")
    assert ids(got) == ["hello@0.2.0", "regex@1.7.3", "forked@0.1.0", "memchr@2.7.4"]
    assert [p.main_module for p in got] == [True, False, False, False]
    assert rustbinary.dependency_ids(info)["hello@0.2.0"] == ("regex@1.7.3", "forked@0.1.0")
    # The same ELF without the section: a Rust (or any) binary that is not auditable gives nothing.
    assert RustBinaryExtractor().extract("usr/bin/true", Path("/bin/true").read_bytes()) is None


def test_synthetic_sections() -> None:
    section = audit_json([{"name": "a", "version": "1.0.0", "source": "crates.io", "root": True}])
    data = elf64([(".text", b"\xc3" * 64, 0x401000), (".dep-v0", section, 0)])
    info = parse_binary(data)
    assert info is not None and ids(to_packages(info, "x")) == ["a@1.0.0"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (b"not zlib at all", "not zlib data"),
        (zlib.compress(b" " * (MAX_JSON + 10)), "inflates to more than"),
        (zlib.compress(b"{\"packages\": [}"), "not cargo-auditable JSON"),
        (zlib.compress(b"{\"crates\": []}"), "not cargo-auditable JSON"),
        (zlib.compress(json.dumps({"packages": [{"name": "a", "version": 1}]}).encode()), "not cargo-auditable JSON"),
        (audit_json([{"name": "a", "version": "1", "source": "local", "dependencies": [7]}]), "out of range"),
        (audit_json([{"name": "", "version": "1", "source": "local"}]), "no name"),
    ],
    ids=["not-zlib", "bomb", "bad-json", "no-packages", "bad-type", "dangling-index", "no-name"],
)
def test_damaged_sections(section: bytes, message: str) -> None:
    with pytest.raises(ExtractError, match=message):
        decode_section(section)
    data = elf64([(".dep-v0", section, 0)])
    with pytest.raises(ExtractError, match=rf"usr/bin/x: \.dep-v0.*{re.escape(message)}"):
        RustBinaryExtractor().extract("usr/bin/x", data)


def test_section_past_the_end_of_the_file() -> None:
    data = bytearray(elf64([(".dep-v0", audit_json([]), 0)]))
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    struct.pack_into("<Q", data, shoff + 64 + 24, len(data) + 100)  # section 1's sh_offset
    with pytest.raises(ExtractError, match="past the end"):
        RustBinaryExtractor().extract("usr/bin/x", bytes(data))


@pytest.mark.parametrize(
    "data",
    [
        b"#!/bin/sh\necho hi\n" + b"#" * 2048,
        AUDITABLE.read_bytes()[:3000],  # truncated: the section table at the end is gone
        AUDITABLE.read_bytes()[:40],
        b"\x7fELF\x02\x01" + bytes(2000),
    ],
    ids=["script", "truncated", "header-only", "zero-header"],
)
def test_not_auditable(data: bytes) -> None:
    assert RustBinaryExtractor().extract("usr/bin/x", data) is None


# ---------------------------------------------------------------------------------------------- Cargo.lock

NORMAL = [
    *("normal@0.1.0", "libc@0.2.54", "typemap@0.3.3", "url@1.7.2", "unsafe-any@0.4.2", "matches@0.1.8"),
    *("idna@0.1.5", "percent-encoding@1.0.1"),
]
NORMAL_DEPS = {
    "normal@0.1.0": ("libc@0.2.54",),
    "typemap@0.3.3": ("unsafe-any@0.4.2",),
    "url@1.7.2": ("idna@0.1.5", "matches@0.1.8", "percent-encoding@1.0.1"),
}
V3 = [
    *("aho-corasick@0.7.20", "app@0.1.0", "libc@0.2.140", "memchr@1.0.2", "memchr@2.5.0", "regex@1.7.3"),
    *("regex-syntax@0.5.6", "regex-syntax@0.6.29", "ucd-util@0.1.10"),
]
V3_DEPS = {
    "aho-corasick@0.7.20": ("memchr@2.5.0",),
    "app@0.1.0": ("memchr@1.0.2", "regex-syntax@0.5.6", "regex@1.7.3"),
    "memchr@1.0.2": ("libc@0.2.140",),
    "regex@1.7.3": ("aho-corasick@0.7.20", "memchr@2.5.0", "regex-syntax@0.6.29"),
    "regex-syntax@0.5.6": ("ucd-util@0.1.10",),
}


def _lock_packages(name: str) -> list[Package]:
    lock = parse_lock((CARGO / name).read_bytes())
    return [cargo_lock.to_package(c, f"app/{name}") for c in lock.packages]


@pytest.mark.parametrize(
    ("name", "want", "deps", "version"),
    [
        ("cargo_normal.lock", NORMAL, NORMAL_DEPS, 1),
        ("cargo_mixed.lock", NORMAL, NORMAL_DEPS, 1),  # tables out of order, comments, a """string"""
        ("cargo_v3.lock", V3, V3_DEPS, 3),  # two versions of memchr and regex-syntax, named "name version"
    ],
)
def test_trivy_cargo_fixtures(name: str, want: list[str], deps: dict[str, tuple[str, ...]], version: int) -> None:
    lock = parse_lock((CARGO / name).read_bytes())
    assert lock.lock_version == version
    assert sorted(ids(_lock_packages(name))) == sorted(want)
    assert {k: v for k, v in dependency_ids(lock).items() if v} == deps


def test_trivy_cargo_invalid() -> None:
    with pytest.raises(ExtractError, match=r"app/Cargo\.lock: not valid TOML"):
        CargoLockExtractor().extract("app/Cargo.lock", (CARGO / "cargo_invalid.lock").read_bytes())


def test_lock_package_fields() -> None:
    got = {p.name: p for p in _lock_packages("cargo_v3.lock")}
    assert got["app"].main_module and not got["regex"].main_module
    assert got["aho-corasick"].checksum == "sha256:cc936419f96fa211c1b9166887b38e5e40b19958e5b895be7c1f93adec7071ac"
    assert got["app"].checksum == ""
    assert all(p.declared and p.type is PackageType.CARGO and p.extractor == "lang/cargo-lock" for p in got.values())
    assert got["regex"].purl == "pkg:cargo/regex@1.7.3"
    # Lock file v1: the checksum comes from [metadata].
    v1 = {p.name: p for p in _lock_packages("cargo_normal.lock")}
    assert v1["libc"].checksum == "sha256:c6785aa7dd976f5fbf3b71cfd9cd49d7f783c1ff565a858d71031c6c313aa5c6"


GOLDEN_CARGO = [
    *("app@0.1.0", "memchr@1.0.2", "regex@1.7.3", "aho-corasick@0.7.20", "libc@0.2.171", "memchr@2.7.4"),
    "regex-syntax@0.6.29",
]


def test_fs_lockfiles_cargo_with_manifest() -> None:
    view = squash((CargoLockExtractor(),), tree_entries(FS_CARGO, "src/app"))
    got = CargoLockExtractor().packages(view, None)
    assert sorted(ids(got)) == sorted(GOLDEN_CARGO)
    assert {p.found_in for p in got} == {"src/app/Cargo.lock"}
    assert [p.name for p in got if p.main_module] == ["app"]


def test_fs_lockfiles_cargo_without_manifest() -> None:
    lock = TarEntrySpec.file("src/app/Cargo.lock", (FS_CARGO / "Cargo.lock").read_bytes())
    view = squash((CargoLockExtractor(),), [lock])
    got = CargoLockExtractor().packages(view, None)
    assert sorted(ids(got)) == sorted(
        [*GOLDEN_CARGO, "winapi@0.3.9", "winapi-i686-pc-windows-gnu@0.4.0", "winapi-x86_64-pc-windows-gnu@0.4.0"]
    )


@pytest.mark.parametrize(
    "manifest",
    [
        b"[workspace]\nmembers = ['app']\n",
        b"[package]\nname = 'other'\nversion = '0.1.0'\n",
        b"[package]\nname = 'app'\nversion = '9.9.9'\n",
    ],
    ids=["workspace", "other-package", "other-version"],
)
def test_manifest_that_cannot_trim(manifest: bytes) -> None:
    lock = parse_lock((FS_CARGO / "Cargo.lock").read_bytes())
    assert len(built_crates(lock, parse_manifest(manifest))) == 10


def test_manifest_renamed_and_target_dependencies() -> None:
    manifest = parse_manifest(
        b"[package]\nname = 'app'\nversion = '0.1.0'\n[dependencies]\nre = { package = 'regex', version = '1' }\n"
        b"[target.'cfg(windows)'.dependencies]\nwinapi = '0.3'\n[dev-dependencies]\nmemchr = '1'\n"
    )
    lock = parse_lock((FS_CARGO / "Cargo.lock").read_bytes())
    got = sorted(f"{c.name}@{c.version}" for c in built_crates(lock, manifest))
    # winapi is a target dependency now (kept); memchr 1.0.2 only a dev-dependency (gone with libc).
    assert "winapi@0.3.9" in got and "memchr@1.0.2" not in got and "libc@0.2.171" not in got
    assert "memchr@2.7.4" in got  # still reached through regex


def test_lock_errors() -> None:
    with pytest.raises(ExtractError, match="no name or version"):
        parse_lock(b"[[package]]\nname = 'x'\n")
    with pytest.raises(ExtractError, match="not an array"):
        parse_lock(b"package = 3\n")
    with pytest.raises(ExtractError, match="not valid TOML"):
        parse_lock(b"\xff\xfe\x00binary")
    with pytest.raises(ExtractError, match="not valid TOML"):
        CargoLockExtractor().extract("x/Cargo.toml", b"[package\n")
    assert parse_lock(b"# empty\n").packages == ()


# ---------------------------------------------------------------------------------------------- end to end


@needs_objcopy
def test_image_end_to_end(tmp_path: Path) -> None:
    binary = auditable_elf(tmp_path, audit_json(REAL_CRATES)).read_bytes()
    layer0 = [
        TarEntrySpec.file("usr/local/bin/hello", binary, mode=0o755),
        TarEntrySpec.file("usr/local/bin/fixture", AUDITABLE.read_bytes(), mode=0o755),
        TarEntrySpec.file("usr/bin/true", Path("/bin/true").read_bytes(), mode=0o755),
        *tree_entries(FS_CARGO, "src/app"),
        TarEntrySpec.file("root/.cargo/registry/src/x/regex-1.7.3/Cargo.lock", (CARGO / "cargo_v3.lock").read_bytes()),
    ]
    layer1 = [
        TarEntrySpec.whiteout("usr/local/bin/fixture"),
        TarEntrySpec.file("srv/Cargo.lock", (CARGO / "cargo_invalid.lock").read_bytes()),
    ]
    image = write_oci_layout(tmp_path / "layout", [layer0, layer1], history=["RUN build", "RUN cleanup"])
    options = ScanOptions(extractors=(RustBinaryExtractor(), CargoLockExtractor()), cache=None)
    inventory = scan_image(open_source(image.ref, SourceOptions()), options).inventory
    assert [(w.path, w.extractor) for w in inventory.warnings] == [("srv/Cargo.lock", "lang/cargo-lock")]
    assert inventory.warnings[0].layer is not None and inventory.warnings[0].layer.index == 1
    by_file: dict[str, list[str]] = {}
    for p in inventory.packages:
        by_file.setdefault(p.found_in, []).append(f"{p.name}@{p.version}")
        assert p.layer is not None and p.layer.index == 0 and p.layer.created_by == "RUN build"
    assert {k: sorted(v) for k, v in by_file.items()} == {
        "usr/local/bin/hello": sorted(["hello@0.2.0", "regex@1.7.3", "forked@0.1.0", "memchr@2.7.4"]),
        "src/app/Cargo.lock": sorted(GOLDEN_CARGO),
    }
