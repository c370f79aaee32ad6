"""os/apk: Trivy's apk database fixture, the alpine:3.11 image end to end, damaged databases, layer attribution,
and the licence normalisation other extractors share.

Expected values are read from ../shared/fixtures/expected/*.json (EXPECTED.md sections 1 and 2, "apk"); the
per-package file lists are those of Trivy's apk_test.go (``var pkgs``), which that JSON does not carry.
"""

from __future__ import annotations

import doctest
import gzip
import json
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
import pytest

from hullscan.extract import apk, licenses
from hullscan.extract.apk import (
    DB_PATHS,
    NAME,
    ApkDatabase,
    ApkExtractor,
    ApkRecord,
    decode_checksum,
    dependency_ids,
    parse_installed,
)
from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.licenses import normalize_license_choice, normalize_license_tokens
from hullscan.extract.osrelease import OSReleaseExtractor
from hullscan.extract.packages import PackageAssembler
from hullscan.image.facts import encode_payload
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, Package, PackageType
from hullscan.scan import ScanOptions, scan_image
from support.views import Content, Symlink, Whiteout
from support.views import view_of as _view_of

SHARED = Path(__file__).resolve().parents[3] / "shared"
FIXTURES = SHARED / "fixtures"
INSTALLED = FIXTURES / "ospkg" / "apk" / "installed"
ALPINE_311 = FIXTURES / "images" / "alpine-311.docker-save.tar.gz"
ALPINE_311_DIFF_ID = "sha256:beee9f30bc1f711043e78d4a2be0668955d4b761d587d6f60c2c8dc081efb203"


def expected(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / "expected" / name).read_text(encoding="utf-8"))
    return doc


def installed() -> bytes:
    return INSTALLED.read_bytes()


# ---------------------------------------------------------------------------------------------- image helpers


def view_of(*layers: Mapping[str, Content]) -> SquashedView:
    return _view_of([ApkExtractor()], *layers)


ALPINE_34 = Distro("alpine", "3.4.0")


def packages_of(*layers: dict[str, Content], distro: Distro | None = ALPINE_34) -> list[Package]:
    return ApkExtractor().packages(view_of(*layers), distro)


def stanzas(data: bytes) -> list[bytes]:
    """The fixture's records as separate byte strings (for building databases that differ by a package)."""
    return [s.strip(b"\n") + b"\n" for s in data.split(b"\n\n") if s.strip()]


def database(*records: bytes) -> bytes:
    return b"\n".join(records)


def by_name(packages: list[Package]) -> dict[str, Package]:
    return {p.name: p for p in packages}


# ---------------------------------------------------------------------------------------------- the protocol


def test_protocols() -> None:
    ext: Extractor[ApkDatabase] = ApkExtractor()
    assert (ext.name, ext.version, ext.payload_type) == ("os/apk", 1, ApkDatabase)
    assert isinstance(ApkExtractor(), PackageAssembler)


@pytest.mark.parametrize(
    ("path", "kind", "wanted"),
    [
        ("lib/apk/db/installed", FileKind.FILE, True),
        ("usr/lib/apk/db/installed", FileKind.FILE, True),
        ("lib/apk/db/installed", FileKind.HARDLINK, True),
        ("lib/apk/db/installed", FileKind.SYMLINK, False),
        ("lib/apk/db/scripts.tar", FileKind.FILE, False),
        ("lib/apk/db/other", FileKind.FILE, False),
        ("etc/os-release", FileKind.FILE, False),
        ("x/lib/apk/db/installed", FileKind.FILE, False),
    ],
    ids=["legacy", "usr-merged", "hardlink", "symlink", "scripts", "similar", "unrelated", "nested"],
)
def test_wants(path: str, kind: FileKind, wanted: bool) -> None:
    assert ApkExtractor().wants(path, FileEntry(path, kind, 0o644, 100)) is wanted


def test_extract_ignores_other_paths() -> None:
    assert ApkExtractor().extract("etc/os-release", installed()) is None


def test_payload_survives_the_cache_encoding() -> None:
    db = parse_installed(installed())
    assert msgspec.json.decode(encode_payload(db), type=ApkDatabase) == db


def test_doctests() -> None:
    for module in (apk, licenses):
        result = doctest.testmod(module, raise_on_error=False)
        assert result.attempted > 0
        assert result.failed == 0, module.__name__


# ---------------------------------------------------------------------------------------------- the fixture

# Trivy's apk_test.go, "var pkgs": InstalledFiles per package (R: lines joined to their F: directory).
FILES: dict[str, tuple[str, ...]] = {
    "musl": ("lib/libc.musl-x86_64.so.1", "lib/ld-musl-x86_64.so.1"),
    "busybox": ("bin/busybox", "bin/sh", "etc/securetty", "etc/udhcpd.conf", "etc/logrotate.d/acpid"),
    "alpine-baselayout": (
        "etc/hosts",
        "etc/sysctl.conf",
        "etc/group",
        "etc/protocols",
        "etc/fstab",
        "etc/mtab",
        "etc/profile",
        "etc/TZ",
        "etc/shells",
        "etc/motd",
        "etc/inittab",
        "etc/hostname",
        "etc/modules",
        "etc/services",
        "etc/shadow",
        "etc/passwd",
        "etc/profile.d/color_prompt",
        "etc/sysctl.d/00-alpine.conf",
        "etc/modprobe.d/i386.conf",
        "etc/modprobe.d/blacklist.conf",
        "etc/modprobe.d/aliases.conf",
        "etc/modprobe.d/kms.conf",
        "etc/crontabs/root",
        "sbin/mkmntdirs",
        "var/spool/cron/crontabs",
    ),
    "alpine-keys": (
        "etc/apk/keys/alpine-devel@lists.alpinelinux.org-4d07755e.rsa.pub",
        "etc/apk/keys/alpine-devel@lists.alpinelinux.org-524d27bb.rsa.pub",
        "etc/apk/keys/alpine-devel@lists.alpinelinux.org-5243ef4b.rsa.pub",
        "etc/apk/keys/alpine-devel@lists.alpinelinux.org-5261cecb.rsa.pub",
        "etc/apk/keys/alpine-devel@lists.alpinelinux.org-4a6a0840.rsa.pub",
    ),
    "zlib": ("lib/libz.so.1.2.8", "lib/libz.so.1"),
    "libcrypto1.0": (
        "lib/libcrypto.so.1.0.0",
        "usr/bin/c_rehash",
        "usr/lib/libcrypto.so.1.0.0",
        "usr/lib/engines/libubsec.so",
        "usr/lib/engines/libatalla.so",
        "usr/lib/engines/libcapi.so",
        "usr/lib/engines/libgost.so",
        "usr/lib/engines/libcswift.so",
        "usr/lib/engines/libchil.so",
        "usr/lib/engines/libgmp.so",
        "usr/lib/engines/libnuron.so",
        "usr/lib/engines/lib4758cca.so",
        "usr/lib/engines/libsureware.so",
        "usr/lib/engines/libpadlock.so",
        "usr/lib/engines/libaep.so",
    ),
    "libssl1.0": ("lib/libssl.so.1.0.0", "usr/lib/libssl.so.1.0.0"),
    "apk-tools": ("sbin/apk",),
    "scanelf": ("usr/bin/scanelf",),
    "musl-utils": ("sbin/ldconfig", "usr/bin/iconv", "usr/bin/ldd", "usr/bin/getconf", "usr/bin/getent"),
    "libc-utils": (),
    "pkgconf": (
        "usr/bin/pkgconf",
        "usr/bin/pkg-config",
        "usr/lib/libpkgconf.so.3.0.0",
        "usr/lib/libpkgconf.so.3",
        "usr/share/aclocal/pkg.m4",
    ),
    "sqlite-libs": ("usr/lib/libsqlite3.so.0", "usr/lib/libsqlite3.so.0.8.6"),
    "test": (
        "usr/lib/libsqlite3.so",
        "usr/lib/pkgconfig/sqlite3.pc",
        "usr/include/sqlite3ext.h",
        "usr/include/sqlite3.h",
    ),
    "ada-libs": ("usr/lib/libada.so.2", "usr/lib/libada.so.2.7.4"),
}


def test_fixture_packages() -> None:
    want = expected("apk-installed.json")["packages"]
    got = packages_of({"lib/apk/db/installed": installed()})
    assert len(got) == len(want) == 15
    # In database order, field by field, as EXPECTED.md's "apk" section and apk-installed.json say.
    assert [
        {
            "ID": f"{p.name}@{p.version}",
            "Name": p.name,
            "Version": p.version,
            "SrcName": p.source_name,
            "SrcVersion": p.source_version,
            # Trivy flattens a choice of licences into a list; we keep it one expression (flattened here)
            "Licenses": list(normalize_license_tokens(" AND ".join(p.licenses))),
            "Maintainer": p.maintainer,
            "Arch": p.arch,
            "Digest": p.checksum,
        }
        for p in got
    ] == [{k: v for k, v in w.items() if k != "DependsOn"} for w in want]
    assert by_name(got)["ada-libs"].licenses == ("(Apache-2.0 OR MIT) AND MPL-2.0",)
    for p in got:
        assert p.type is PackageType.APK
        assert (p.found_in, p.extractor) == ("lib/apk/db/installed", "os/apk")
        assert p.epoch is None
        assert p.layer is not None and p.layer.index == 0


def test_fixture_musl() -> None:
    musl = by_name(packages_of({"lib/apk/db/installed": installed()}))["musl"]
    assert (musl.name, musl.version, musl.source_name, musl.arch) == ("musl", "1.1.14-r10", "musl", "x86_64")
    assert musl.checksum == "sha1:d68b402f35f57750f49156b0cb4e886a2ad35d2d"
    assert musl.licenses == ("MIT",)
    assert musl.maintainer == "Timo Teräs <timo.teras@iki.fi>"
    assert musl.purl == "pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64&distro=3.4.0"


def test_fixture_files() -> None:
    got = packages_of({"lib/apk/db/installed": installed()})
    assert {p.name: p.files for p in got} == FILES
    # Directories (F: lines) are not files, and no path is absolute.
    assert all(not f.startswith("/") for p in got for f in p.files)
    assert "etc/network" not in by_name(got)["busybox"].files


def test_fixture_dependencies() -> None:
    want = {w["Name"]: tuple(w.get("DependsOn", ())) for w in expected("apk-installed.json")["packages"]}
    assert dependency_ids(parse_installed(installed()).records) == want


def test_record_without_version_is_dropped() -> None:
    data = installed()
    assert data.count(b"\nP:") + data.startswith(b"P:") == 16
    assert b"P:invalidPackageWithoutAVersion\n" in data
    names = [r.name for r in parse_installed(data).records]
    assert len(names) == 15
    assert "invalidPackageWithoutAVersion" not in names


def test_sources() -> None:
    got = {p.name: p.source_name for p in packages_of({"lib/apk/db/installed": installed()})}
    assert {name: src for name, src in got.items() if name != src} == {
        "libcrypto1.0": "openssl",
        "libssl1.0": "openssl",
        "scanelf": "pax-utils",
        "musl-utils": "musl",
        "libc-utils": "libc-dev",
        "sqlite-libs": "sqlite",
        "test": "test-parent",
        "ada-libs": "ada",
    }


def test_no_origin_falls_back_to_the_name() -> None:
    (p,) = packages_of({"lib/apk/db/installed": b"P:lonely\nV:1.0-r0\nA:aarch64\n"})
    assert (p.source_name, p.source_version) == ("lonely", "1.0-r0")
    assert (p.licenses, p.checksum, p.files) == ((), "", ())


def test_repeated_name_keeps_the_first_record() -> None:
    db = b"P:musl\nV:1.2.4-r0\nA:x86_64\n\nP:musl\nV:1.2.3-r0\nA:x86_64\n"
    assert [(p.name, p.version) for p in packages_of({"lib/apk/db/installed": db})] == [("musl", "1.2.4-r0")]


def test_crlf_and_no_trailing_newline() -> None:
    db = b"P:musl\r\nV:1.2.4-r0\r\nA:x86_64\r\nF:lib\r\nR:ld-musl-x86_64.so.1\r\n\r\nP:zlib\r\nV:1.3-r0"
    got = packages_of({"lib/apk/db/installed": db})
    assert [(p.name, p.version, p.arch, p.files) for p in got] == [
        ("musl", "1.2.4-r0", "x86_64", ("lib/ld-musl-x86_64.so.1",)),
        ("zlib", "1.3-r0", "", ()),
    ]


def test_files_at_the_root() -> None:
    (p,) = packages_of({"lib/apk/db/installed": b"P:x\nV:1-r0\nR:toplevel\nF:/usr/bin/\nR:tool\n"})
    assert p.files == ("toplevel", "usr/bin/tool")


# ---------------------------------------------------------------------------------------------- purl


@pytest.mark.parametrize(
    ("distro", "purl"),
    [
        (Distro("alpine", "3.19.1"), "pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64&distro=3.19.1"),
        (Distro("wolfi", "20230201"), "pkg:apk/wolfi/musl@1.1.14-r10?arch=x86_64&distro=20230201"),
        (Distro("chainguard", "20230214"), "pkg:apk/chainguard/musl@1.1.14-r10?arch=x86_64&distro=20230214"),
        (None, "pkg:apk/alpine/musl@1.1.14-r10?arch=x86_64"),
    ],
    ids=["alpine", "wolfi", "chainguard", "no-distro"],
)
def test_purl(distro: Distro | None, purl: str) -> None:
    musl = by_name(packages_of({"lib/apk/db/installed": installed()}, distro=distro))["musl"]
    assert musl.purl == purl


def test_purl_of_an_unusual_version() -> None:
    test = by_name(packages_of({"lib/apk/db/installed": installed()}))["test"]
    assert test.purl == "pkg:apk/alpine/test@2.9.11_pre20061021-r2?arch=x86_64&distro=3.4.0"


# ---------------------------------------------------------------------------------------------- checksums


@pytest.mark.parametrize(
    ("raw", "digest"),
    [
        ("Q11otALzX1d1D0kVawy06IairTXS0=", "sha1:d68b402f35f57750f49156b0cb4e886a2ad35d2d"),
        ("Q2" + "A" * 43 + "=", "sha256:" + "0" * 64),
        ("D68B402F35F57750F49156B0CB4E886A", "md5:d68b402f35f57750f49156b0cb4e886a"),
        ("Q1not*base64", ""),
        ("Q1AAAA", ""),  # 3 bytes, not a SHA-1
        ("Q9AAAAAAAAAAAAAAAAAAAAAAAAAA=", ""),
        ("", ""),
    ],
    ids=["sha1", "sha256", "md5-hex", "bad-base64", "short", "unknown-prefix", "empty"],
)
def test_decode_checksum(raw: str, digest: str) -> None:
    assert decode_checksum(raw) == digest


# ---------------------------------------------------------------------------------------------- damage


def _cut_at(data: bytes, marker: bytes, extra: int = 0) -> bytes:
    at = data.index(marker) + extra
    return data[:at]


@pytest.mark.parametrize(
    ("cut", "count", "ada_files"),
    [
        (lambda d: _cut_at(d, b"P:ada-libs\n", len(b"P:ada-l")), 14, None),
        (lambda d: _cut_at(d, b"P:ada-libs\n", len(b"P:ada-libs\n")), 14, None),
        (lambda d: _cut_at(d, b"R:libada.so.2.7.4", len(b"R:libada.so.2")), 15, ("usr/lib/libada.so.2",)),
        (lambda d: _cut_at(d, b"R:libada.so.2.7.4"), 15, ("usr/lib/libada.so.2",)),
    ],
    ids=["mid-name", "before-version", "mid-file-line", "before-last-file"],
)
def test_database_cut_mid_record(cut: Any, count: int, ada_files: tuple[str, ...] | None) -> None:
    data: bytes = cut(installed())
    got = by_name(packages_of({"lib/apk/db/installed": data}))
    assert len(got) == count
    # Everything before the cut is intact.
    assert got["musl"].checksum == "sha1:d68b402f35f57750f49156b0cb4e886a2ad35d2d"
    assert got["test"].files == FILES["test"]
    if ada_files is None:
        assert "ada-libs" not in got
    else:
        assert got["ada-libs"].version == "2.7.4-r0"
        assert got["ada-libs"].files[: len(ada_files)] == ada_files


def test_every_prefix_parses() -> None:
    """A database cut at any byte never raises and yields a prefix of the full list (the last record maybe partial:
    ``P:`` precedes ``V:``, so a record that is kept has its whole name)."""
    data = installed()
    full = [r.name for r in parse_installed(data).records]
    # Around every line break (a field cut short, a record's blank line missing) and each byte of the first record.
    breaks = [i for i, byte in enumerate(data) if byte == 0x0A]
    offsets = {*range(256), len(data), *(b + d for b in breaks for d in (-1, 0, 1))}
    for end in sorted(offsets):
        names = [r.name for r in parse_installed(data[:end]).records]
        assert names == full[: len(names)], end


@pytest.mark.parametrize(
    "data",
    [
        random.Random(7).randbytes(4096),
        gzip.compress(INSTALLED.read_bytes(), mtime=0),
        b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8,
        b"P:musl\nV:1.2.4-r0\n\x00\x00\x00",
    ],
    ids=["random", "gzip", "elf", "nul-in-text"],
)
def test_binary_garbage(data: bytes) -> None:
    with pytest.raises(ExtractError, match=r"lib/apk/db/installed: binary content"):
        ApkExtractor().extract("lib/apk/db/installed", data)
    # In an image, the file is a warning and no packages, not a crash.
    assert packages_of({"lib/apk/db/installed": data}) == []


def test_text_that_is_not_a_database() -> None:
    data = "\n".join(f"line {i}: {'é' * i}" for i in range(50)).encode("latin-1")
    with pytest.raises(ExtractError, match="not an apk installed database"):
        parse_installed(data, "usr/lib/apk/db/installed")


@pytest.mark.parametrize("data", [b"", b"\n\n", b"P:invalidPackageWithoutAVersion\n"], ids=["empty", "blank", "none"])
def test_database_without_packages(data: bytes) -> None:
    assert parse_installed(data) == ApkDatabase(())
    assert packages_of({"lib/apk/db/installed": data}) == []


def test_invalid_utf8_in_a_free_text_field() -> None:
    data = b"P:musl\nV:1.2.4-r0\nm:Timo Ter\xe4s <timo.teras@iki.fi>\nL:MIT\n"
    (p,) = packages_of({"lib/apk/db/installed": data})
    assert (p.name, p.version, p.licenses) == ("musl", "1.2.4-r0", ("MIT",))
    assert p.maintainer == "Timo Ter\ufffds <timo.teras@iki.fi>"


def test_stray_lines_inside_records_are_ignored() -> None:
    data = b"P:musl\nthis is not a field\nV:1.2.4-r0\n\n==garbage==\n\nP:zlib\nV:1.3-r0\n"
    assert [(r.name, r.version) for r in parse_installed(data).records] == [("musl", "1.2.4-r0"), ("zlib", "1.3-r0")]


# ---------------------------------------------------------------------------------------------- layers

BASE = [s for s in stanzas(installed()) if b"\nV:" in s]
# musl, busybox, alpine-baselayout, alpine-keys, zlib: the first five packages of the fixture, as a base layer.
BASE_DB = database(*BASE[:5])
CURL = b"C:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\nP:curl\nV:8.5.0-r0\nA:x86_64\nL:curl\no:curl\nD:musl\nF:usr/bin\nR:curl\n"


def test_apk_add_in_a_later_layer() -> None:
    got = by_name(
        packages_of(
            {"lib/apk/db/installed": BASE_DB, "etc/alpine-release": b"3.4.0\n"},
            {"lib/apk/db/installed": database(*BASE[:5], CURL), "usr/bin/curl": b"\x7fELF"},
        )
    )
    assert set(got) == {"musl", "busybox", "alpine-baselayout", "alpine-keys", "zlib", "curl"}
    curl = got.pop("curl")
    assert curl.layer is not None
    assert (curl.layer.index, curl.layer.created_by) == (1, "step 1")
    assert curl.files == ("usr/bin/curl",)
    assert curl.licenses == ("curl",)
    for p in got.values():
        assert p.layer is not None
        assert (p.layer.index, p.layer.created_by) == (0, "step 0"), p.name


def test_upgrade_is_attributed_to_the_upgrading_layer() -> None:
    upgraded = BASE[0].replace(b"V:1.1.14-r10", b"V:1.1.14-r11")
    got = by_name(
        packages_of(
            {"lib/apk/db/installed": BASE_DB},
            {"lib/apk/db/installed": database(upgraded, *BASE[1:5])},
        )
    )
    assert got["musl"].version == "1.1.14-r11"
    assert got["musl"].layer is not None and got["musl"].layer.index == 1
    assert got["busybox"].layer is not None and got["busybox"].layer.index == 0


def test_apk_del_in_a_later_layer() -> None:
    got = packages_of({"lib/apk/db/installed": BASE_DB}, {"lib/apk/db/installed": database(*BASE[:4])})
    assert [p.name for p in got] == ["musl", "busybox", "alpine-baselayout", "alpine-keys"]
    assert all(p.layer is not None and p.layer.index == 0 for p in got)


def test_reinstall_after_removal_is_attributed_to_the_reinstall() -> None:
    got = by_name(
        packages_of(
            {"lib/apk/db/installed": BASE_DB},
            {"lib/apk/db/installed": database(*BASE[:4])},
            {"lib/apk/db/installed": BASE_DB},
        )
    )
    assert got["zlib"].layer is not None and got["zlib"].layer.index == 2
    assert got["musl"].layer is not None and got["musl"].layer.index == 0


def test_database_deleted_in_a_later_layer() -> None:
    assert packages_of({"lib/apk/db/installed": BASE_DB}, {"lib/apk/db/installed": Whiteout()}) == []


def test_usr_merged_database_through_a_symlink() -> None:
    got = packages_of(
        {"usr/lib/apk/db/installed": installed(), "lib": Symlink("usr/lib")},
        distro=Distro("wolfi", "20230201"),
    )
    assert len(got) == 15  # read once, although both DB_PATHS reach it
    assert {p.found_in for p in got} == {"usr/lib/apk/db/installed"}
    assert by_name(got)["musl"].purl == "pkg:apk/wolfi/musl@1.1.14-r10?arch=x86_64&distro=20230201"


def test_legacy_path_wins_when_both_are_real_files() -> None:
    got = packages_of({DB_PATHS[0]: BASE_DB, DB_PATHS[1]: database(CURL)})
    assert {p.found_in for p in got} == {"lib/apk/db/installed"}
    assert "curl" not in by_name(got)


def test_no_database() -> None:
    assert packages_of({"etc/alpine-release": b"3.19.1\n"}) == []


# ---------------------------------------------------------------------------------------------- end to end


def test_alpine_311_image() -> None:
    want = expected("image-alpine-311.json")
    source = open_source(str(ALPINE_311), SourceOptions())
    result = scan_image(source, ScanOptions(extractors=(OSReleaseExtractor(), ApkExtractor()), cache=None))
    inventory = result.inventory
    assert inventory.warnings == ()
    assert inventory.distro is not None
    assert (inventory.distro.family, inventory.distro.release) == ("alpine", "3.11.5")

    got = inventory.packages
    assert len(got) == 14
    assert [f"{p.name}@{p.version}" for p in got] == [w["ID"] for w in want["packages"]]
    for p, w in zip(got, want["packages"], strict=True):
        assert (p.name, p.version, p.arch) == (w["Name"], w["Version"], w["Arch"])
        assert (p.source_name, p.source_version) == (w["SrcName"], w["SrcVersion"])
        assert list(p.licenses) == w["Licenses"], p.name
        assert p.checksum == w["Digest"]
        assert p.maintainer == w.get("Maintainer", "")
        assert p.purl == f"pkg:apk/alpine/{p.name}@{p.version}?arch=x86_64&distro=3.11.5"
        assert p.found_in == want["package_db_path"]
        assert p.extractor == "os/apk"
        assert p.layer is not None
        assert p.layer.diff_id == ALPINE_311_DIFF_ID == want["diff_ids"][0]
        assert p.layer.created_by == want["config"]["history_created_by"][0]

    sources = {p.name: p.source_name for p in got if p.source_name != p.name}
    assert sources == {
        "ca-certificates-cacert": "ca-certificates",
        "libc-utils": "libc-dev",
        "libcrypto1.1": "openssl",
        "libssl1.1": "openssl",
        "musl-utils": "musl",
        "scanelf": "pax-utils",
        "ssl_client": "busybox",
    }
    musl = next(p for p in got if p.name == "musl")
    assert musl.purl == "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5"
    assert musl.files == ("lib/libc.musl-x86_64.so.1", "lib/ld-musl-x86_64.so.1")


def test_alpine_311_dependencies() -> None:
    want = expected("image-alpine-311.json")["packages"]
    result = scan_image(
        open_source(str(ALPINE_311), SourceOptions()), ScanOptions(extractors=(ApkExtractor(),), cache=None)
    )
    found = result.view.payload(NAME, "lib/apk/db/installed", ApkDatabase)
    assert found is not None
    db, _ = found
    assert dependency_ids(db.records) == {w["Name"]: tuple(w.get("DependsOn", ())) for w in want}
    # Without a distro the PURL still names Alpine, without the distro qualifier.
    assert result.inventory.distro is None
    assert all(p.purl.endswith("?arch=x86_64") for p in result.inventory.packages)


# ---------------------------------------------------------------------------------------------- dependencies


def test_dependencies_through_provides_and_constraints() -> None:
    records = [
        ApkRecord("musl", "1.2.4-r0", provides=("so:libc.musl-x86_64.so.1=1",)),
        ApkRecord("busybox", "1.36.1-r5", depends=("so:libc.musl-x86_64.so.1",), provides=("/bin/sh", "cmd:sh")),
        ApkRecord(
            "alpine-baselayout",
            "3.4.3-r1",
            depends=("/bin/sh", "!conflict", "musl>=1.2", "missing", "alpine-baselayout"),
            provides=("cmd:mkmntdirs",),
        ),
        ApkRecord("shadow", "4.13-r0", provides=("busybox",)),  # a package name beats a provide
        ApkRecord("other", "1-r0", depends=("busybox~1.36",)),
    ]
    assert dependency_ids(records) == {
        "musl": (),
        "busybox": ("musl@1.2.4-r0",),
        "alpine-baselayout": ("busybox@1.36.1-r5", "musl@1.2.4-r0"),
        "shadow": (),
        "other": ("busybox@1.36.1-r5",),
    }


# ---------------------------------------------------------------------------------------------- licences


@pytest.mark.parametrize(
    ("raw", "spdx"),
    [
        # EXPECTED.md, "apk" and "alpine-311".
        ("GPL2", ("GPL-2.0-only",)),
        ("GPL", ("GPL-2.0-or-later",)),
        ("zlib", ("Zlib",)),
        ("openssl", ("OpenSSL",)),
        ("BSD", ("BSD-3-Clause",)),
        ("MIT BSD GPL2+", ("MIT", "BSD-3-Clause", "GPL-2.0-or-later")),
        ("( Apache-2.0 OR MIT ) AND MPL-2.0", ("Apache-2.0", "MIT", "MPL-2.0")),
        ("MPL-2.0 GPL-2.0-or-later", ("MPL-2.0", "GPL-2.0-or-later")),
        ("Public-Domain", ("Public-Domain",)),
        # Other spellings found in apk, rpm and dpkg databases.
        ("(MIT OR Apache-2.0)", ("MIT", "Apache-2.0")),
        ("MPL 2.0 GPL2+", ("MPL-2.0", "GPL-2.0-or-later")),
        ("GPL 2+", ("GPL-2.0-or-later",)),
        ("GPLv3+", ("GPL-3.0-or-later",)),
        ("GPL-2.0", ("GPL-2.0-only",)),
        ("gpl-2.0-only OR GPL-3.0-only", ("GPL-2.0-only", "GPL-3.0-only")),
        ("LGPL-2.1-or-later", ("LGPL-2.1-or-later",)),
        ("LGPL2.1+", ("LGPL-2.1-or-later",)),
        ("LGPL", ("LGPL-2.0-or-later",)),
        ("AGPL3", ("AGPL-3.0-only",)),
        ("GPL4", ("GPL4",)),
        ("Apache 2.0", ("Apache-2.0",)),
        ("ASL 2.0", ("Apache-2.0",)),
        ("Public Domain", ("Public-Domain",)),
        ("MIT, BSD-2-Clause; ISC", ("MIT", "BSD-2-Clause", "ISC")),
        ("MIT MIT AND mit", ("MIT",)),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", ("GPL-2.0-or-later WITH Classpath-exception-2.0",)),
        ("GPL2+ WITH Linux-syscall-note OR MIT", ("GPL-2.0-or-later WITH Linux-syscall-note", "MIT")),
        ("MIT AND 2.0", ("MIT", "2.0")),
        ("SomethingElse-1.0", ("SomethingElse-1.0",)),
        ("", ()),
        ("  ( )  ", ()),
    ],
)
def test_normalize_license_tokens(raw: str, spdx: tuple[str, ...]) -> None:
    assert normalize_license_tokens(raw) == spdx


@pytest.mark.parametrize(
    ("raw", "expression"),
    [
        ("MIT OR GPL-2.0", "MIT OR GPL-2.0-only"),
        ("(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause"),
        ("GPL2+ WITH Linux-syscall-note OR MIT", "GPL-2.0-or-later WITH Linux-syscall-note OR MIT"),
        ("MIT AND GPL2", None),  # every licence applies: a flat list says it
        ("MIT BSD GPL2+", None),
        ("Apache 2.0", None),
    ],
)
def test_normalize_license_choice(raw: str, expression: str | None) -> None:
    assert normalize_license_choice(raw) == expression


def test_a_choice_of_licences_stays_one_expression() -> None:
    record = (b"P:dual\nV:1.0-r0\nA:x86_64\nL:MIT OR GPL-2.0\nC:Q1" + b"A" * 27 + b"=\n")
    plain = (b"P:plain\nV:1.0-r0\nA:x86_64\nL:MIT BSD\nC:Q1" + b"B" * 27 + b"=\n")
    pkgs = by_name(packages_of({"lib/apk/db/installed": database(record, plain)}))
    assert pkgs["dual"].licenses == ("MIT OR GPL-2.0-only",)
    assert pkgs["plain"].licenses == ("MIT", "BSD-3-Clause")
