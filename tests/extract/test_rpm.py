"""os/rpm: the three rpm database formats (real ones from ../shared/fixtures/ospkg/rpm), header blobs, the
distroless manifest, PURLs, layer attribution, and damaged or hostile input.

Fixture expectations: ../shared/fixtures/EXPECTED.md section "RPM" and expected/rpm-*.json. When Debian's rpm is
installed, the SQLite and BerkeleyDB fixtures are also compared field by field with ``rpm -qa``.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import sqlite3
import struct
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pytest

from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.rpm import (
    MANIFEST_PATH,
    NAME,
    RpmDatabase,
    RpmExtractor,
    RpmPackage,
    parse_manifest,
    split_source_rpm,
)
from hullscan.extract.rpmdb import (
    HeaderError,
    RpmdbError,
    RpmHeader,
    detect_format,
    parse_header,
    read_rpmdb,
)
from hullscan.extract.rpmdb import sqlite as sqlite_module
from hullscan.extract.rpmdb.bdb import read_bdb
from hullscan.extract.rpmdb.ndb import read_ndb
from hullscan.extract.rpmdb.sqlite import SqliteError, read_sqlite
from hullscan.image.facts import LayerFacts, decode_facts, encode_facts, encode_payload
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType

SHARED = Path(__file__).resolve().parents[3] / "shared"
RPM_DIR = SHARED / "fixtures" / "ospkg" / "rpm"
EXPECTED_DIR = SHARED / "fixtures" / "expected"

SLE15_NDB = RPM_DIR / "sle15-bci.Packages.db"
MARINER_SQLITE = RPM_DIR / "cbl-mariner-2.0.rpmdb.sqlite"
UBI8_BDB = RPM_DIR / "ubi8-libuuid.Packages.bdb"
HEADER_BLOB = RPM_DIR / "header-blob.bin"

MARINER = Distro("cbl-mariner", "2.0")


def expected(name: str) -> list[dict[str, Any]]:
    packages: list[dict[str, Any]] = json.loads((EXPECTED_DIR / name).read_text())["packages"]
    return packages


def headers_of(path: Path) -> list[RpmHeader]:
    headers, warnings = read_rpmdb(path.read_bytes())
    assert warnings == []
    return headers


# ---------------------------------------------------------------------------------------------- builders


# Tag numbers and types (rpm lib/rpmtag.h), for headers built in code.
INT32, INT64, STRING, BIN, STRING_ARRAY, I18NSTRING = 4, 5, 6, 7, 8, 9
Value = str | int | bytes | list[str] | list[int]


def header_blob(entries: Sequence[tuple[int, int, Value]]) -> bytes:
    """A header blob as rpm stores it in a database: il, dl, index entries, aligned data store."""
    index = b""
    data = bytearray()
    for tag, typ, value in entries:
        align = {INT32: 4, INT64: 8}.get(typ, 1)
        data.extend(bytes(-len(data) % align))
        offset = len(data)
        if typ in (STRING, I18NSTRING):
            assert isinstance(value, str)
            data.extend(value.encode() + b"\0")
            count = 1
        elif typ == STRING_ARRAY:
            assert isinstance(value, list)
            data.extend(b"".join(str(v).encode() + b"\0" for v in value))
            count = len(value)
        elif typ in (INT32, INT64):
            values = value if isinstance(value, list) else [value]
            data.extend(struct.pack(f">{len(values)}{'I' if typ == INT32 else 'Q'}", *values))
            count = len(values)
        else:
            assert isinstance(value, bytes)
            data.extend(value)
            count = len(value)
        index += struct.pack(">iIiI", tag, typ, offset, count)
    return struct.pack(">II", len(entries), len(data)) + index + bytes(data)


def rpm_header(
    name: str,
    version: str = "1.0",
    release: str = "1",
    *,
    arch: str = "x86_64",
    epoch: int | None = None,
    source_rpm: str | None = None,
    vendor: str = "Example Corp",
    files: Sequence[str] = (),
    modularity_label: str = "",
) -> bytes:
    entries: list[tuple[int, int, Value]] = [
        (1000, STRING, name),
        (1001, STRING, version),
        (1002, STRING, release),
        (1004, I18NSTRING, f"{name} summary"),
        (1009, INT32, 1234),
        (1011, STRING, vendor),
        (1014, STRING, "MIT"),
        (1022, STRING, arch),
        (1044, STRING, source_rpm if source_rpm is not None else f"{name}-{version}-{release}.src.rpm"),
        (261, BIN, bytes(range(16))),
    ]
    if epoch is not None:
        entries.append((1003, INT32, epoch))
    if modularity_label:
        entries.append((5096, STRING, modularity_label))
    if files:
        dirs = sorted({f.rsplit("/", 1)[0] + "/" for f in files})
        entries += [
            (1116, INT32, [dirs.index(f.rsplit("/", 1)[0] + "/") for f in files]),
            (1117, STRING_ARRAY, [f.rsplit("/", 1)[1] for f in files]),
            (1118, STRING_ARRAY, dirs),
        ]
    return header_blob(entries)


def sqlite_db(blobs: Sequence[bytes]) -> bytes:
    """An rpmdb.sqlite with rpm's Packages table holding ``blobs`` (hnum 1, 2, ...), serialized in memory."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
    conn.executemany("INSERT INTO Packages (blob) VALUES (?)", [(b,) for b in blobs])
    conn.commit()
    data = conn.serialize()
    conn.close()
    return data


def bdb_db(values: Sequence[bytes], *, order: str = "<", page_size: int = 512, inline: bool = False) -> bytes:
    """A BerkeleyDB hash database with one bucket: record i+1 -> values[i], each in an overflow chain (or
    stored on the bucket page with ``inline``). Layout per BerkeleyDB db_page.h, in byte order ``order``."""
    pages: list[bytearray] = [bytearray(page_size)]  # page 0: metadata, filled in last

    def new_page(kind: int) -> tuple[int, bytearray]:
        page = bytearray(page_size)
        struct.pack_into(order + "I", page, 8, len(pages))
        page[25] = kind
        pages.append(page)
        return len(pages) - 1, page

    _, bucket = new_page(13)
    items: list[tuple[bytes, bytes]] = []
    for number, value in enumerate(values, 1):
        key = b"\x01" + struct.pack(order + "I", number)
        if inline:
            items.append((key, b"\x01" + value))
            continue
        capacity = page_size - 26
        chunks = [value[i : i + capacity] for i in range(0, len(value), capacity)]
        first = len(pages)
        for i, chunk in enumerate(chunks):
            pgno, page = new_page(7)
            struct.pack_into(order + "I", page, 16, pgno + 1 if i < len(chunks) - 1 else 0)
            struct.pack_into(order + "H", page, 22, len(chunk))
            page[26 : 26 + len(chunk)] = chunk
        items.append((key, b"\x03\x00\x00\x00" + struct.pack(order + "II", first, len(value))))
    offsets: list[int] = []
    top = page_size
    for key, value in items:
        top -= len(key)
        bucket[top : top + len(key)] = key
        offsets.append(top)
        top -= len(value)
        bucket[top : top + len(value)] = value
        offsets.append(top)
    assert 26 + 2 * len(offsets) <= top, "too many records for one bucket page"
    struct.pack_into(f"{order}{len(offsets)}H", bucket, 26, *offsets)
    struct.pack_into(order + "HH", bucket, 20, len(offsets), top)
    meta = pages[0]
    struct.pack_into(order + "IIII", meta, 12, 0x00061561, 9, page_size, 0)
    meta[25] = 8
    struct.pack_into(order + "I", meta, 32, len(pages) - 1)  # last page
    struct.pack_into(order + "III", meta, 72, 0, 0, 0)  # max bucket, high mask, low mask
    struct.pack_into(order + "I", meta, 96, 1)  # spares[0]: bucket 0 is page 1
    return b"".join(pages)


# ---------------------------------------------------------------------------------------------- image helpers


def layer(index: int, files: dict[str, bytes | None]) -> tuple[LayerRef, LayerFacts]:
    """One layer as the walker records it: entries plus os/rpm payloads. ``None`` content is a whiteout."""
    extractor = RpmExtractor()
    entries: dict[str, FileEntry] = {}
    results: dict[str, msgspec.Raw] = {}
    whiteouts: list[str] = []
    for path, content in files.items():
        if content is None:
            whiteouts.append(path)
            continue
        parent = path.rpartition("/")[0]
        while parent:
            entries.setdefault(parent, FileEntry(parent, FileKind.DIR, 0o755, 0))
            parent = parent.rpartition("/")[0]
        entry = FileEntry(path, FileKind.FILE, 0o644, len(content))
        entries[path] = entry
        if extractor.wants(path, entry):
            payload = extractor.extract(path, content)
            if payload is not None:
                results[path] = encode_payload(payload)
    diff_id = f"sha256:{index:064x}"
    facts = LayerFacts(
        diff_id=diff_id,
        files=tuple(entries.values()),
        whiteouts=tuple(whiteouts),
        results={NAME: results} if results else {},
    )
    facts = decode_facts(encode_facts(facts))  # through the cache encoding, as a rescan sees it
    return LayerRef(index=index, digest=diff_id, diff_id=diff_id, created_by=f"step {index}"), facts


def view_of(*layers: dict[str, bytes | None]) -> SquashedView:
    return SquashedView([layer(i, files) for i, files in enumerate(layers)])


def by_name(packages: Sequence[Package]) -> dict[str, Package]:
    return {p.name: p for p in packages}


# ---------------------------------------------------------------------------------------------- real databases


def test_ndb_sle15_matches_go_rpmdb_in_db_order() -> None:
    headers = headers_of(SLE15_NDB)
    want = expected("rpm-sle15-bci-ndb.json")
    assert len(headers) == len(want) == 35
    for h, e in zip(headers, want, strict=True):
        assert (h.epoch, h.name, h.version, h.release, h.arch) == (
            e["Epoch"],
            e["Name"],
            e["Version"],
            e["Release"],
            e["Arch"],
        )
        assert (h.source_rpm, h.size, h.license, h.vendor, h.sigmd5) == (
            e["SourceRpm"],
            e["Size"],
            e["License"],
            e["Vendor"],
            e["SigMD5"],
        )
        assert (h.summary, h.modularity_label) == (e["Summary"], e["Modularitylabel"])
    assert (headers[0].name, headers[-1].name) == ("system-user-root", "rpm-ndb")


def test_sqlite_mariner_all_129_packages() -> None:
    headers = headers_of(MARINER_SQLITE)
    got = [(h.name, h.epoch or 0, h.version, h.release, h.arch, h.source_rpm, h.vendor, h.license) for h in headers]
    want = [
        (e["Name"], e["EpochNum"], e["Version"], e["Release"], e["Arch"], e["SourceRpm"], e["Vendor"], e["License"])
        for e in expected("rpm-cbl-mariner-2.0-sqlite.json")
    ]
    assert got == want
    assert len(got) == 129


def test_sqlite_mariner_curl() -> None:
    curl = next(h for h in headers_of(MARINER_SQLITE) if h.name == "curl")
    assert (curl.version, curl.release, curl.arch, curl.epoch) == ("7.76.0", "6.cm2", "x86_64", None)
    assert (curl.source_rpm, curl.license, curl.vendor) == ("curl-7.76.0-6.cm2.src.rpm", "MIT", "Microsoft Corporation")
    assert (curl.size, curl.sigmd5) == (326023, "b5f5369ae91df3672fa3338669ec5ca2")
    assert curl.file_names() == [
        "/usr/bin/curl",
        "/usr/bin/curl-config",
        "/usr/share/licenses/curl",
        "/usr/share/licenses/curl/COPYING",
        "/usr/share/man/man1/curl-config.1.gz",
        "/usr/share/man/man1/curl.1.gz",
    ]


def test_bdb_ubi8_libuuid() -> None:
    (header,) = headers_of(UBI8_BDB)
    (want,) = expected("rpm-ubi8-libuuid-bdb.json")
    assert (header.name, header.epoch, header.version, header.release, header.arch) == (
        "libuuid",
        None,
        "2.32.1",
        "42.el8_8",
        "x86_64",
    )
    assert (header.source_rpm, header.license, header.vendor, header.size, header.sigmd5) == (
        want["SourceRpm"],
        want["License"],
        want["Vendor"],
        want["Size"],
        want["SigMD5"],
    )
    assert header.summary == want["Summary"]
    assert header.file_names() == want["InstalledFileNames"]
    assert len(header.file_names()) == 7


def test_header_blob_parses_nevra_but_not_its_file_list() -> None:
    header = parse_header(HEADER_BLOB.read_bytes())
    assert (header.name, header.epoch, header.version, header.release, header.arch) == (
        "publicsuffix-list-dafsa",
        None,
        "20210518",
        "2.fc35",
        "noarch",
    )
    # As go-rpmdb's InstalledFiles(): the blob's DIRINDEXES point past its DIRNAMES.
    with pytest.raises(HeaderError, match="DIRINDEXES entry 4 out of range"):
        header.file_names()


@pytest.mark.parametrize(
    ("path", "fmt"),
    [(SLE15_NDB, "ndb"), (MARINER_SQLITE, "sqlite"), (UBI8_BDB, "bdb"), (HEADER_BLOB, None)],
    ids=["ndb", "sqlite", "bdb", "header-blob"],
)
def test_detect_format(path: Path, fmt: str | None) -> None:
    assert detect_format(path.read_bytes()) == fmt


def test_fixtures_are_left_untouched(tmp_path: Path) -> None:
    """Reading from bytes never writes beside the database (no -wal/-shm files)."""
    copy = tmp_path / "rpmdb.sqlite"
    shutil.copyfile(MARINER_SQLITE, copy)
    read_rpmdb(copy.read_bytes())
    assert [p.name for p in tmp_path.iterdir()] == ["rpmdb.sqlite"]
    assert copy.read_bytes() == MARINER_SQLITE.read_bytes()


# ---------------------------------------------------------------------------------------------- against rpm itself

RPM = shutil.which("rpm")
QUERY = (
    "%{NAME}\x1f%{EPOCH}\x1f%{VERSION}\x1f%{RELEASE}\x1f%{ARCH}\x1f%{SOURCERPM}\x1f%{LICENSE}\x1f%{VENDOR}"
    "\x1f%{SIZE}\x1f%{SIGMD5}\x1f%{MODULARITYLABEL}\x1f[%{FILENAMES}\x1e]\n"
)


def _none(value: str) -> str:
    return "" if value == "(none)" else value


@pytest.mark.skipif(RPM is None, reason="Debian's rpm is not installed (apt-get install rpm; .ci/install-deps.sh)")
@pytest.mark.parametrize(
    ("fixture", "filename", "backend"),
    [(MARINER_SQLITE, "rpmdb.sqlite", "sqlite"), (UBI8_BDB, "Packages", "bdb_ro")],
    ids=["sqlite", "bdb"],
)
def test_agrees_with_rpm(tmp_path: Path, fixture: Path, filename: str, backend: str) -> None:
    # rpm writes beside the database it reads (-shm/-wal, indexes): give it a private copy.
    shutil.copyfile(fixture, tmp_path / filename)
    assert RPM is not None
    out = subprocess.run(
        [RPM, "--dbpath", str(tmp_path), "--define", f"_db_backend {backend}", "-qa", "--qf", QUERY],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    rows = [line.split("\x1f") for line in out.split("\n") if line]  # not splitlines(): \x1e is a "line break"
    want = [
        (
            r[0],
            None if r[1] == "(none)" else int(r[1]),
            r[2],
            r[3],
            r[4],
            _none(r[5]),
            _none(r[6]),
            _none(r[7]),
            int(r[8]),
            _none(r[9]),
            _none(r[10]),
            [f for f in r[11].split("\x1e") if f],
        )
        for r in rows
    ]
    got = [
        (
            h.name,
            h.epoch,
            h.version,
            h.release,
            h.arch,
            h.source_rpm,
            h.license,
            h.vendor,
            h.size,
            h.sigmd5,
            h.modularity_label,
            h.file_names(),
        )
        for h in headers_of(fixture)
    ]
    assert len(got) == len(want) > 0
    assert got == want


# ---------------------------------------------------------------------------------------------- the extractor


def test_extractor_satisfies_the_protocol() -> None:
    extractor: Extractor[RpmDatabase] = RpmExtractor()
    assert (extractor.name, extractor.version, extractor.payload_type) == ("os/rpm", 1, RpmDatabase)


@pytest.mark.parametrize(
    ("path", "kind", "size", "wanted"),
    [
        ("var/lib/rpm/Packages", FileKind.FILE, 1 << 20, True),
        ("var/lib/rpm/Packages.db", FileKind.FILE, 1 << 20, True),
        ("var/lib/rpm/rpmdb.sqlite", FileKind.FILE, 1 << 20, True),
        ("usr/lib/sysimage/rpm/Packages", FileKind.FILE, 1 << 20, True),
        ("usr/lib/sysimage/rpm/Packages.db", FileKind.FILE, 1 << 20, True),
        ("usr/lib/sysimage/rpm/rpmdb.sqlite", FileKind.HARDLINK, 1 << 20, True),
        ("var/lib/rpmmanifest/container-manifest-2", FileKind.FILE, 4096, True),
        ("var/lib/rpmmanifest/container-manifest-1", FileKind.FILE, 4096, False),
        ("var/lib/rpm/Packages", FileKind.SYMLINK, 0, False),
        ("var/lib/rpm/Packages", FileKind.DIR, 0, False),
        ("var/lib/rpm/Providename", FileKind.FILE, 4096, False),
        ("var/lib/rpm/rpmdb.sqlite-wal", FileKind.FILE, 4096, False),
        ("opt/var/lib/rpm/Packages", FileKind.FILE, 4096, False),
        ("var/lib/rpm/Packages", FileKind.FILE, 2 << 30, False),
        ("var/lib/rpmmanifest/container-manifest-2", FileKind.FILE, 1 << 30, False),
    ],
    ids=[
        "bdb",
        "ndb",
        "sqlite",
        "sysimage-bdb",
        "sysimage-ndb",
        "sysimage-sqlite-hardlink",
        "manifest",
        "manifest-1",
        "symlink",
        "dir",
        "index",
        "wal",
        "elsewhere",
        "too-big",
        "manifest-too-big",
    ],
)
def test_wants(path: str, kind: FileKind, size: int, wanted: bool) -> None:
    assert RpmExtractor().wants(path, FileEntry(path, kind, 0o644, size)) is wanted


@pytest.mark.parametrize(
    ("fixture", "path", "fmt", "count"),
    [
        (SLE15_NDB, "usr/lib/sysimage/rpm/Packages.db", "ndb", 35),
        (MARINER_SQLITE, "var/lib/rpm/rpmdb.sqlite", "sqlite", 129),
        (UBI8_BDB, "var/lib/rpm/Packages", "bdb", 1),
    ],
    ids=["ndb", "sqlite", "bdb"],
)
def test_extract_fixture(fixture: Path, path: str, fmt: str, count: int) -> None:
    db = RpmExtractor().extract(path, fixture.read_bytes())
    assert db is not None
    assert (db.format, len(db.packages), db.warnings) == (fmt, count, ())
    assert all(not f.startswith("/") for p in db.packages for f in p.files)
    # The payload goes through the layer cache as JSON.
    assert msgspec.json.decode(encode_payload(db), type=RpmDatabase) == db


def test_extract_libuuid_payload() -> None:
    db = RpmExtractor().extract("var/lib/rpm/Packages", UBI8_BDB.read_bytes())
    assert db is not None
    (pkg,) = db.packages
    assert pkg == RpmPackage(
        name="libuuid",
        version="2.32.1",
        release="42.el8_8",
        arch="x86_64",
        source_rpm="util-linux-2.32.1-42.el8_8.src.rpm",
        source_name="util-linux",
        source_version="2.32.1",
        source_release="42.el8_8",
        license="BSD",
        vendor="Red Hat, Inc.",
        size=35104,
        sigmd5="c1e561f13d39aee443a1f00258fba000",
        summary="Universally unique ID library",
        files=(
            "usr/lib/.build-id",
            "usr/lib/.build-id/df/ef6a880adac817216ab9866779a0725e017647",
            "usr/lib64/libuuid.so.1",
            "usr/lib64/libuuid.so.1.3.0",
            "usr/share/licenses/libuuid",
            "usr/share/licenses/libuuid/COPYING",
            "usr/share/licenses/libuuid/COPYING.BSD-3",
        ),
    )


def test_gpg_pubkey_is_skipped() -> None:
    data = sqlite_db(
        [
            rpm_header("gpg-pubkey", "fd431d51", "4ae0493b", arch="", source_rpm=""),
            rpm_header("bash", "5.1.8", "6.el9"),
        ]
    )
    db = RpmExtractor().extract("var/lib/rpm/rpmdb.sqlite", data)
    assert db is not None
    assert [p.name for p in db.packages] == ["bash"]


def test_empty_database_file_is_no_payload() -> None:
    assert RpmExtractor().extract("var/lib/rpm/Packages", b"") is None


@pytest.mark.parametrize(
    ("filename", "parsed"),
    [
        ("util-linux-2.32.1-42.el8_8.src.rpm", ("util-linux", "2.32.1", "42.el8_8")),
        ("glibc-2.34-2.cm2.src.rpm", ("glibc", "2.34", "2.cm2")),
        ("python3-3.9.18-1.nosrc.rpm", ("python3", "3.9.18", "1")),
        ("a-b-c-d-1.0-1.fc40.src.rpm", ("a-b-c-d", "1.0", "1.fc40")),
        ("1.0-1.src.rpm", None),
        ("name-1.0.src.rpm", None),
        ("curl-7.76.0-6.cm2.src", None),
        ("curl-7.76.0-6.cm2", None),
        ("", None),
    ],
    ids=["util-linux", "glibc", "nosrc", "dashes-in-name", "no-name", "no-release", "no-rpm", "no-arch", "empty"],
)
def test_split_source_rpm(filename: str, parsed: tuple[str, str, str] | None) -> None:
    assert split_source_rpm(filename) == parsed


# ---------------------------------------------------------------------------------------------- manifest

MANIFEST = (
    "filesystem\t1.1-8.cm2\t1663112306\t1636593045\tMicrosoft Corporation\t(none)\t7506\tx86_64\t0\t"
    "filesystem-1.1-8.cm2.src.rpm\n"
    "ca-certificates-base\t2.0.0-1.cm2\t1663112306\t1636593045\tMicrosoft Corporation\t1\t233\tnoarch\t1\t"
    "ca-certificates-2.0.0-1.cm2.src.rpm\n"
    "gpg-pubkey\t3135ce90-5e6fda74\t1663112306\t1585400436\t(none)\t(none)\t0\t(none)\t0\t(none)\n"
    "\n"
    "broken line without tabs\n"
    "curl\t7.76.0-6.cm2\t1663112306\t1636593045\tMicrosoft Corporation\tx\t326023\tx86_64\t0\tcurl.src.rpm\n"
)


def test_manifest() -> None:
    db = RpmExtractor().extract(MANIFEST_PATH, MANIFEST.encode())
    assert db is not None
    assert db.format == "manifest"
    assert [(p.name, p.epoch, p.version, p.release, p.arch) for p in db.packages] == [
        ("filesystem", None, "1.1", "8.cm2", "x86_64"),
        ("ca-certificates-base", 1, "2.0.0", "1.cm2", "noarch"),
    ]
    base = db.packages[1]
    assert (base.source_name, base.source_version, base.source_release, base.vendor, base.size) == (
        "ca-certificates",
        "2.0.0",
        "1.cm2",
        "Microsoft Corporation",
        233,
    )
    assert db.warnings == (
        "line 5: 1 tab-separated fields, expected 10",
        "line 6: epoch 'x' is not a number",
    )


def test_manifest_binary_content_is_an_error() -> None:
    with pytest.raises(ExtractError, match="binary content"):
        RpmExtractor().extract(MANIFEST_PATH, b"curl\t\x00\x01")


def test_manifest_of_garbage_does_not_crash() -> None:
    db = parse_manifest(random.Random(3).randbytes(2000).decode("latin-1").replace("\x00", ""))
    assert db.format == "manifest"


# ---------------------------------------------------------------------------------------------- packages()


def test_packages_from_the_mariner_image() -> None:
    view = view_of({"var/lib/rpm/rpmdb.sqlite": MARINER_SQLITE.read_bytes()})
    packages = RpmExtractor().packages(view, MARINER)
    assert len(packages) == 129
    curl = by_name(packages)["curl"]
    assert curl == Package(
        type=PackageType.RPM,
        name="curl",
        version="7.76.0-6.cm2",
        arch="x86_64",
        epoch=None,
        release="6.cm2",
        source_name="curl",
        source_version="7.76.0-6.cm2",
        licenses=("MIT",),
        maintainer="Microsoft Corporation",
        checksum="md5:b5f5369ae91df3672fa3338669ec5ca2",
        files=(
            "usr/bin/curl",
            "usr/bin/curl-config",
            "usr/share/licenses/curl",
            "usr/share/licenses/curl/COPYING",
            "usr/share/man/man1/curl-config.1.gz",
            "usr/share/man/man1/curl.1.gz",
        ),
        found_in="var/lib/rpm/rpmdb.sqlite",
        extractor="os/rpm",
        purl="pkg:rpm/mariner/curl@7.76.0-6.cm2?arch=x86_64&distro=cbl-mariner-2.0",
        layer=view.layers[0],
    )
    tools = by_name(packages)["ca-certificates-tools"]
    assert (tools.version, tools.epoch, tools.release) == ("1:2.0.0-1.cm2", 1, "1.cm2")
    assert (tools.source_name, tools.source_version) == ("ca-certificates", "1:2.0.0-1.cm2")
    assert tools.purl == "pkg:rpm/mariner/ca-certificates-tools@2.0.0-1.cm2?arch=noarch&distro=cbl-mariner-2.0&epoch=1"


@pytest.mark.parametrize(
    ("distro", "vendor", "purl"),
    [
        (
            Distro("redhat", "8.8"),
            "Red Hat, Inc.",
            "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=redhat-8.8",
        ),
        (Distro("alma", "9.4"), "AlmaLinux", "pkg:rpm/almalinux/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=alma-9.4"),
        (Distro("sles", "15.3"), "SUSE LLC", "pkg:rpm/suse/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=sles-15.3"),
        (
            Distro("opensuse-leap", "15.5"),
            "openSUSE",
            "pkg:rpm/opensuse/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=opensuse-leap-15.5",
        ),
        (
            Distro("azurelinux", "3.0"),
            "Microsoft",
            "pkg:rpm/azurelinux/libuuid@2.32.1-42.el8_8?arch=x86_64&distro=azurelinux-3.0",
        ),
        (None, "Red Hat, Inc.", "pkg:rpm/redhat/libuuid@2.32.1-42.el8_8?arch=x86_64"),
        (None, "Nobody in particular", "pkg:rpm/libuuid@2.32.1-42.el8_8?arch=x86_64"),
    ],
    ids=["rhel", "alma", "sles", "opensuse", "azurelinux", "no-distro-vendor", "no-distro-unknown-vendor"],
)
def test_purl_namespace(distro: Distro | None, vendor: str, purl: str) -> None:
    view = view_of(
        {"var/lib/rpm/rpmdb.sqlite": sqlite_db([rpm_header("libuuid", "2.32.1", "42.el8_8", vendor=vendor)])}
    )
    (pkg,) = RpmExtractor().packages(view, distro)
    assert pkg.purl == purl


def test_modularity_label() -> None:
    label = "nodejs:18:8090020240216084423:a75119d5"
    blob = rpm_header("nodejs", "18.19.0", "1.module+el8.9.0+21297+1a4bd0ed", epoch=1, modularity_label=label)
    view = view_of({"var/lib/rpm/rpmdb.sqlite": sqlite_db([blob])})
    (pkg,) = RpmExtractor().packages(view, Distro("redhat", "8.9"))
    assert pkg.module == label
    assert pkg.purl == (
        "pkg:rpm/redhat/nodejs@18.19.0-1.module%2Bel8.9.0%2B21297%2B1a4bd0ed?arch=x86_64&distro=redhat-8.9"
        "&epoch=1&modularitylabel=nodejs:18:8090020240216084423:a75119d5"
    )


def test_layer_attribution() -> None:
    base = sqlite_db([rpm_header("bash", "5.1.8", "6.el9"), rpm_header("openssl", "3.0.7", "24.el9")])
    updated = sqlite_db(
        [rpm_header("bash", "5.1.8", "6.el9"), rpm_header("openssl", "3.0.7", "27.el9"), rpm_header("curl", "7.76.1")]
    )
    view = view_of(
        {"var/lib/rpm/rpmdb.sqlite": base},
        {"etc/motd": b"hello"},
        {"var/lib/rpm/rpmdb.sqlite": updated},
    )
    packages = by_name(RpmExtractor().packages(view, Distro("redhat", "9.4")))
    assert packages["bash"].layer == view.layers[0]
    assert packages["openssl"].version == "3.0.7-27.el9"
    assert packages["openssl"].layer == view.layers[2]
    assert packages["curl"].layer == view.layers[2]
    assert packages["curl"].layer is not None
    assert packages["curl"].layer.created_by == "step 2"


def test_deleted_database_gives_no_packages() -> None:
    view = view_of({"var/lib/rpm/rpmdb.sqlite": sqlite_db([rpm_header("bash")])}, {"var/lib/rpm": None})
    assert RpmExtractor().packages(view, None) == []


def test_database_wins_over_manifest_and_old_formats() -> None:
    view = view_of(
        {
            MANIFEST_PATH: MANIFEST.encode(),
            "var/lib/rpm/Packages": bdb_db([rpm_header("stale", "0.1")]),
            "usr/lib/sysimage/rpm/rpmdb.sqlite": sqlite_db([rpm_header("live", "2.0")]),
        }
    )
    packages = RpmExtractor().packages(view, None)
    assert [(p.name, p.found_in) for p in packages] == [("live", "usr/lib/sysimage/rpm/rpmdb.sqlite")]


def test_manifest_only_image() -> None:
    view = view_of({MANIFEST_PATH: MANIFEST.encode()})
    packages = RpmExtractor().packages(view, MARINER)
    assert [p.name for p in packages] == ["filesystem", "ca-certificates-base"]
    assert packages[1].purl == (
        "pkg:rpm/mariner/ca-certificates-base@2.0.0-1.cm2?arch=noarch&distro=cbl-mariner-2.0&epoch=1"
    )
    assert packages[1].files == ()


# ---------------------------------------------------------------------------------------------- BerkeleyDB


@pytest.mark.parametrize("order", ["<", ">"], ids=["little-endian", "big-endian"])
@pytest.mark.parametrize("inline", [False, True], ids=["overflow-pages", "on-page"])
def test_bdb_built_in_code(order: str, inline: bool) -> None:
    blobs = [rpm_header(f"pkg{i}", files=[f"/usr/bin/tool{i}"]) for i in range(3)]
    if inline:
        blobs = [header_blob([(1000, STRING, f"p{i}")]) for i in range(3)]
    records, warnings = read_bdb(bdb_db(blobs, order=order, inline=inline))
    assert warnings == []
    assert records == [(i + 1, blob) for i, blob in enumerate(blobs)]


def test_bdb_truncated_mid_page_keeps_what_was_read() -> None:
    blobs = [rpm_header(f"pkg{i}", files=[f"/usr/bin/tool{i}"] * 3) for i in range(4)]
    data = bdb_db(blobs)
    cut = len(data) - 200  # in the middle of the last page: the last record's overflow chain
    headers, warnings = read_rpmdb(data[:cut])
    assert [h.name for h in headers] == ["pkg0", "pkg1", "pkg2"]
    assert any("BerkeleyDB truncated" in w for w in warnings)
    assert any("overflow page" in w and "missing" in w for w in warnings)


def test_bdb_fixture_truncated_mid_page() -> None:
    data = UBI8_BDB.read_bytes()
    cut = len(data) // 2 + 1000
    headers, warnings = read_rpmdb(data[:cut])
    assert headers == []
    assert warnings[0].startswith("BerkeleyDB truncated: metadata names 23 pages of 4096 bytes")
    with pytest.raises(ExtractError, match=r"var/lib/rpm/Packages: no package could be read: BerkeleyDB truncated"):
        RpmExtractor().extract("var/lib/rpm/Packages", data[:cut])


def test_bdb_overflow_loop_does_not_hang() -> None:
    data = bytearray(bdb_db([bytes(2000)]))
    # The chain is pages 2..5; make page 3 point back to page 2.
    struct.pack_into("<I", data, 3 * 512 + 16, 2)
    records, warnings = read_bdb(bytes(data))
    assert records == []
    assert any("overflow chain loops at page 2" in w for w in warnings)


def test_bdb_bucket_chain_loop_does_not_hang() -> None:
    data = bytearray(bdb_db([rpm_header("a")]))
    struct.pack_into("<I", data, 512 + 16, 1)  # bucket page 1 continues on page 1
    records, warnings = read_bdb(bytes(data))
    assert [n for n, _ in records] == [1]
    assert any("page chain loops at page 1" in w for w in warnings)


@pytest.mark.parametrize(
    ("offset", "value", "message"),
    [
        (16, 7, "unsupported BerkeleyDB hash version 7"),
        (20, 1000, "invalid BerkeleyDB page size 1000"),
        (72, 10_000, "10001 buckets but"),
    ],
    ids=["version", "page-size", "buckets"],
)
def test_bdb_bad_metadata(offset: int, value: int, message: str) -> None:
    data = bytearray(bdb_db([rpm_header("a")]))
    struct.pack_into("<I", data, offset, value)
    with pytest.raises(RpmdbError, match=message):
        read_rpmdb(bytes(data))


def test_bdb_btree_is_named() -> None:
    data = bytearray(bdb_db([rpm_header("a")]))
    struct.pack_into("<I", data, 12, 0x00053162)
    with pytest.raises(RpmdbError, match="btree"):
        read_rpmdb(bytes(data))


# ---------------------------------------------------------------------------------------------- NDB, SQLite damage


def test_ndb_truncated_keeps_what_was_read() -> None:
    data = SLE15_NDB.read_bytes()
    headers, warnings = read_rpmdb(data[: len(data) // 2])
    assert 0 < len(headers) < 35
    assert [h.name for h in headers] == [h.name for h in headers_of(SLE15_NDB)][: len(headers)]
    assert warnings == [
        f"NDB truncated: the blobs of {35 - len(headers)} packages run past the end of the file "
        f"({len(data) // 2} bytes)"
    ]


def test_ndb_checksum_mismatch() -> None:
    data = bytearray(SLE15_NDB.read_bytes())
    # The first slot (slot 2, right after the 32-byte header) names the blob of package 1: flip a byte in the
    # middle of its data store (the summary text), which the header parser cannot notice.
    block = struct.unpack_from("<I", data, 32 + 8)[0]
    data[block * 16 + 16 + 1000] ^= 0x01
    records, warnings = read_ndb(bytes(data), verify=True)
    assert len(records) == 34
    assert 1 not in {index for index, _ in records}
    assert warnings == ["NDB slot 2 (package 1): blob checksum (Adler-32) mismatch; skipped"]
    # As rpm reads it: the checksum is not verified, the blob is read as it is.
    records, warnings = read_ndb(bytes(data))
    assert (len(records), warnings) == (35, [])


@pytest.mark.parametrize(
    ("offset", "value", "message"),
    [(16, 0x41424344, "blob head magic missing"), (20, 7, "blob belongs to package 7"), (28, 5, "does not fit")],
    ids=["magic", "index", "length"],
)
def test_ndb_damaged_blob_head(offset: int, value: int, message: str) -> None:
    data = bytearray(SLE15_NDB.read_bytes())
    block = struct.unpack_from("<I", data, 32 + 8)[0]
    struct.pack_into("<I", data, block * 16 + offset - 16, value)
    records, warnings = read_ndb(bytes(data))
    assert len(records) == 34
    assert len(warnings) == 1
    assert message in warnings[0]


def test_sqlite_truncated_keeps_what_was_read() -> None:
    data = MARINER_SQLITE.read_bytes()
    headers, warnings = read_rpmdb(data[: len(data) // 2])
    assert 0 < len(headers) < 129
    all_names = [h.name for h in headers_of(MARINER_SQLITE)]
    assert {h.name for h in headers} < set(all_names)
    assert warnings[0] == f"SQLite truncated: the header declares {len(data)} bytes, the file holds {len(data) // 2}"
    assert any("rows are unreadable" in w for w in warnings)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"SQLite format 3\x00" + bytes(range(256)) * 16, "SQLite database cannot be read"),
        (b"SQLite format 3\x00" + b"\x00" * 10, "SQLite header truncated"),
        (random.Random(1).randbytes(4096), "not an rpm database"),
        (b"", "not an rpm database"),
    ],
    ids=["garbage-sqlite", "short-sqlite", "random", "empty"],
)
def test_unreadable_database(data: bytes, message: str) -> None:
    with pytest.raises(RpmdbError, match=message):
        read_rpmdb(data)
    if data:
        with pytest.raises(ExtractError, match=f"var/lib/rpm/rpmdb.sqlite: .*{message}"):
            RpmExtractor().extract("var/lib/rpm/rpmdb.sqlite", data)


def test_sqlite_without_packages_table() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE Other (x)")
    data = conn.serialize()
    conn.close()
    with pytest.raises(SqliteError, match="no Packages table"):
        read_sqlite(data)


def test_sqlite_view_cannot_hang_the_reader() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIEW Packages AS WITH RECURSIVE n(hnum) AS (SELECT 1 UNION ALL SELECT hnum + 1 FROM n) "
        "SELECT hnum, zeroblob(10) AS blob FROM n"
    )
    data = conn.serialize()
    conn.close()
    with pytest.raises(SqliteError, match="Packages is a view"):
        read_sqlite(data)


def test_sqlite_step_limit_stops_a_runaway_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_module, "MAX_VM_STEPS", 800)  # the fixture needs ~1,200 (setup + 7 per row)
    monkeypatch.setattr(sqlite_module, "_PROGRESS_INTERVAL", 10)
    records, warnings = read_sqlite(MARINER_SQLITE.read_bytes())
    assert 0 < len(records) < 129
    assert warnings == [
        f"SQLite: read abandoned after row {records[-1][0]}: it took more steps than any rpm database needs"
    ]


def test_sqlite_rows_of_the_wrong_type() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob)")
    conn.executemany("INSERT INTO Packages VALUES (?, ?)", [(1, rpm_header("a")), (2, "text"), (3, None)])
    conn.commit()
    data = conn.serialize()
    conn.close()
    records, warnings = read_sqlite(data)
    assert [n for n, _ in records] == [1]
    assert warnings == ["SQLite: 2 Packages rows without an integer hnum and a blob were skipped"]


# ---------------------------------------------------------------------------------------------- hostile headers


def _patched(blob: bytes, entry: int, field: int, value: int) -> bytes:
    """``blob`` with field (0 tag, 1 type, 2 offset, 3 count) of index entry ``entry`` replaced."""
    out = bytearray(blob)
    struct.pack_into(">I", out, 8 + 16 * entry + 4 * field, value)
    return bytes(out)


HOSTILE: list[tuple[bytes, str]] = [
    (b"\x00\x00\x00", "shorter than its 8-byte preamble"),
    (struct.pack(">II", 0, 0), "no index entries"),
    (struct.pack(">II", 0x100000, 0), "claims 1048576 index entries"),
    (struct.pack(">II", 1, 0x7FFFFFFF), "data store of 2147483647 bytes"),
    (struct.pack(">II", 2, 100) + bytes(40), "but the blob has 48 bytes"),
    # NAME is entry 2 of header-blob.bin (after the region and the i18n table).
    (_patched(HEADER_BLOB.read_bytes(), 2, 2, 0xFFFFFF00), r"tag NAME \(1000\): offset 4294967040 outside"),
    (_patched(HEADER_BLOB.read_bytes(), 2, 1, 4), r"tag NAME \(1000\): unexpected data type 4"),
    (header_blob([(1000, BIN, b"no-terminator")]), r"NAME \(1000\): unexpected data type 7"),
    (header_blob([(1000, STRING, "x")])[:-1] + b"y", r"tag NAME \(1000\): string not terminated"),
    (
        _patched(header_blob([(1000, STRING, "x"), (1117, STRING_ARRAY, ["a", "b"])]), 1, 3, 0xFFFF),
        r"tag BASENAMES \(1117\): count 65535 exceeds",
    ),
    (
        _patched(header_blob([(1000, STRING, "x"), (1117, STRING_ARRAY, ["a", "b"])]), 1, 3, 3),
        r"BASENAMES \(1117\): strings not terminated",
    ),
    (
        _patched(header_blob([(1000, STRING, "x"), (1116, INT32, [1, 2])]), 1, 3, 1 << 30),
        r"tag DIRINDEXES \(1116\): 1073741824 x 4 bytes run past the end",
    ),
    (_patched(header_blob([(1000, STRING, "abc"), (1009, INT32, 7)]), 1, 2, 2), r"SIZE \(1009\): offset 2 not aligned"),
    (header_blob([(1001, STRING, "1.0")]), "header has no NAME"),
]


@pytest.mark.parametrize(("blob", "message"), HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_header(blob: bytes, message: str) -> None:
    with pytest.raises(HeaderError, match=message):
        parse_header(blob)


def test_hostile_header_inside_a_database_is_a_warning() -> None:
    bad = _patched(HEADER_BLOB.read_bytes(), 2, 2, 0xFFFFFF00)
    data = sqlite_db([rpm_header("good1"), bad, rpm_header("good2")])
    headers, warnings = read_rpmdb(data)
    assert [h.name for h in headers] == ["good1", "good2"]
    assert warnings == ["header 2: tag NAME (1000): offset 4294967040 outside the 4144-byte data store"]
    db = RpmExtractor().extract("var/lib/rpm/rpmdb.sqlite", data)
    assert db is not None
    assert [p.name for p in db.packages] == ["good1", "good2"]
    assert db.warnings == tuple(warnings)


def test_broken_file_list_keeps_the_package() -> None:
    data = sqlite_db([HEADER_BLOB.read_bytes()])
    db = RpmExtractor().extract("var/lib/rpm/rpmdb.sqlite", data)
    assert db is not None
    assert [(p.name, p.files) for p in db.packages] == [("publicsuffix-list-dafsa", ())]
    assert db.warnings == (
        "file list of publicsuffix-list-dafsa: publicsuffix-list-dafsa: DIRINDEXES entry 4 out of range (4 DIRNAMES)",
    )


def test_dribble_entries_replace_region_entries() -> None:
    """rpm headerImport: the last index entry for a tag wins."""
    blob = header_blob([(1000, STRING, "name"), (1001, STRING, "1.0"), (1001, STRING, "2.0")])
    assert parse_header(blob).version == "2.0"


def test_old_filenames() -> None:
    blob = header_blob([(1000, STRING, "old"), (1027, STRING_ARRAY, ["/bin/sh", "/etc/old.conf"])])
    header = parse_header(blob)
    assert header.file_names() == ["/bin/sh", "/etc/old.conf"]
    assert header.file_names(relative=True) == ["bin/sh", "etc/old.conf"]


def test_longsize_when_size_is_absent() -> None:
    blob = header_blob([(1000, STRING, "huge"), (5009, INT64, 5 << 30)])
    assert parse_header(blob).size == 5 << 30


def test_none_strings_are_empty() -> None:
    blob = header_blob([(1000, STRING, "x"), (1011, STRING, "(none)"), (1044, STRING, "(none)")])
    header = parse_header(blob)
    assert (header.vendor, header.source_rpm) == ("", "")


@pytest.mark.parametrize("seed", range(6), ids=[f"fuzz-{i}" for i in range(6)])
def test_mutated_header_blobs_never_crash(seed: int) -> None:
    rng = random.Random(seed)
    original = HEADER_BLOB.read_bytes()
    for _ in range(150):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(0, 8 + 69 * 16) if rng.random() < 0.7 else rng.randrange(len(data))
            data[pos] = rng.randrange(256)
        try:
            header = parse_header(bytes(data))
        except HeaderError:
            continue
        with contextlib.suppress(HeaderError):
            header.file_names()


@pytest.mark.parametrize("fixture", [SLE15_NDB, MARINER_SQLITE, UBI8_BDB], ids=["ndb", "sqlite", "bdb"])
def test_truncated_and_mutated_databases_never_crash(fixture: Path) -> None:
    rng = random.Random(fixture.name)
    original = fixture.read_bytes()
    for _ in range(8):
        cut = rng.randrange(len(original))
        data = bytearray(original[:cut])
        for _ in range(rng.randint(0, 20)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            headers, warnings = read_rpmdb(bytes(data))
        except RpmdbError:
            continue
        assert all(isinstance(h, RpmHeader) for h in headers)
        assert all(isinstance(w, str) for w in warnings)
