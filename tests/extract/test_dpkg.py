"""os/dpkg: every dpkg case of ../shared/fixtures/EXPECTED.md, distroless, layer attribution, damage, dpkg-query."""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
import pytest
from packageurl import PackageURL

from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.dpkg import (
    NAME,
    Copyright,
    DebianVersion,
    DpkgExtractor,
    DpkgFile,
    InvalidVersion,
    OwnedFiles,
    Stanza,
    StatusDb,
    dependency_names,
    licenses_of,
    normalize_license,
    package_url,
    parse_copyright,
    parse_file_list,
    parse_md5sums,
    parse_status,
    split_version,
)
from hullscan.extract.packages import PackageAssembler
from hullscan.image.facts import encode_payload
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, Package, PackageType
from support.views import Content, Dir, Symlink, Whiteout
from support.views import view_of as _view_of

SHARED = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
DPKG = SHARED / "ospkg" / "dpkg"
EXPECTED = SHARED / "expected"
STATUS = "var/lib/dpkg/status"

UBUNTU_1804 = Distro("ubuntu", "18.04", codename="bionic")

# ---------------------------------------------------------------------------------------------- helpers


def txtar(name: str) -> dict[str, bytes]:
    """The files of a txtar archive (https://pkg.go.dev/golang.org/x/tools/txtar): ``-- path --`` headers.

    As Go's parser does, the last file gets a final newline when it lacks one.
    """
    files: dict[str, bytes] = {}
    current: str | None = None
    chunk: list[bytes] = []
    for line in (DPKG / f"{name}.txtar").read_bytes().splitlines(keepends=True):
        stripped = line.rstrip(b"\r\n")
        if stripped.startswith(b"-- ") and stripped.endswith(b" --") and len(stripped) > 6:
            if current is not None:
                files[current] = b"".join(chunk)
            current, chunk = stripped[3:-3].decode(), []
        elif current is not None:
            chunk.append(line)
    if current is not None:
        data = b"".join(chunk)
        files[current] = data if not data or data.endswith(b"\n") else data + b"\n"
    return files


def view_of(*layers: Mapping[str, Content]) -> SquashedView:
    return _view_of([DpkgExtractor()], *layers)


def assemble(*layers: Mapping[str, Content], distro: Distro | None = None) -> dict[str, Package]:
    packages = DpkgExtractor().packages(view_of(*layers), distro)
    by_name = {p.name: p for p in packages}
    assert len(by_name) == len(packages), "one package per name in these fixtures"
    return by_name


def expected(name: str) -> list[dict[str, Any]]:
    doc = json.loads((EXPECTED / f"dpkg-{name}.json").read_text())
    packages: list[dict[str, Any]] = doc["packages"]
    return packages


def full_version(epoch: int | None, version: str, release: str) -> str:
    """Trivy's split fields back to the dpkg version string."""
    text = f"{epoch}:{version}" if epoch else version
    return f"{text}-{release}" if release else text


def stanza(name: str, version: str, *, status: str | None = "install ok installed", **fields: str) -> bytes:
    lines = [f"Package: {name}"]
    if status is not None:
        lines.append(f"Status: {status}")
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in fields.items()]
    lines.append(f"Version: {version}")
    lines.append("Description: a package\n a longer description\n .\n with a paragraph")
    return ("\n".join(lines) + "\n").encode()


def status_file(*stanzas: bytes) -> bytes:
    return b"\n".join(stanzas) + b"\n"


# ---------------------------------------------------------------------------------------------- the protocols


def test_extractor_satisfies_the_protocols() -> None:
    extractor: Extractor[DpkgFile] = DpkgExtractor()
    assert (extractor.name, extractor.version, extractor.payload_type) == ("os/dpkg", 2, DpkgFile)
    assert isinstance(DpkgExtractor(), PackageAssembler)


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("var/lib/dpkg/status", True),
        ("var/lib/dpkg/available", True),
        ("var/lib/dpkg/status.d/libc6", True),
        ("var/lib/dpkg/status.d/libc6.md5sums", True),
        ("var/lib/dpkg/info/tar.list", True),
        ("var/lib/dpkg/info/libc6:amd64.list", True),
        ("var/lib/dpkg/info/tar.md5sums", True),
        ("usr/share/doc/zlib1g/copyright", True),
        ("var/lib/dpkg/status-old", False),
        ("var/lib/dpkg/info/tar.postinst", False),
        ("var/lib/dpkg/info/tar.conffiles", False),
        ("var/lib/dpkg/info/.list", False),
        ("var/lib/dpkg/info/sub/tar.list", False),
        ("var/lib/dpkg/status.d/sub/libc6", False),
        ("var/lib/dpkg/status.d/", False),
        ("usr/share/doc/zlib1g/copyright/file", False),
        ("usr/share/doc/ca-certificates/examples/debian/copyright", False),
        ("usr/share/doc//copyright", False),
        ("usr/share/doc/copyright", False),
        ("etc/dpkg/status", False),
    ],
)
def test_wants(path: str, wanted: bool) -> None:
    assert DpkgExtractor().wants(path, FileEntry(path, FileKind.FILE, 0o644, 1000)) is wanted


def test_wants_regular_files_of_sane_size_only() -> None:
    extractor = DpkgExtractor()
    assert not extractor.wants(STATUS, FileEntry(STATUS, FileKind.DIR, 0o755, 0))
    assert not extractor.wants(STATUS, FileEntry(STATUS, FileKind.SYMLINK, 0o777, 0, linkname="x"))
    assert extractor.wants(STATUS, FileEntry(STATUS, FileKind.HARDLINK, 0o644, 0, linkname="x"))
    copyright_ = "usr/share/doc/x/copyright"
    assert not extractor.wants(copyright_, FileEntry(copyright_, FileKind.FILE, 0o644, 100 << 20))


# ---------------------------------------------------------------------------------------------- EXPECTED.md cases


def test_valid() -> None:
    """valid.txtar: 90 of 91 stanzas (one is ``deinstall ok config-files``), every field as Trivy has it."""
    files = txtar("valid")
    packages = assemble(files, distro=UBUNTU_1804)
    want = expected("valid")
    assert len(want) == 90
    assert sorted(packages) == sorted(w["Name"] for w in want)
    for w in want:
        p = packages[w["Name"]]
        epoch = w.get("Epoch")
        got = (p.name, p.version, p.epoch, p.release, p.arch, p.source_name, p.source_version, p.maintainer)
        assert got == (
            w["Name"],
            full_version(epoch, w["Version"], w.get("Release", "")),
            epoch,
            w.get("Release", ""),
            w["Arch"],
            w["SrcName"],
            full_version(w.get("SrcEpoch"), w["SrcVersion"], w.get("SrcRelease", "")),
            w["Maintainer"],
        ), w["ID"]
        assert f"{p.name}@{p.version}" == w["ID"]
        assert (p.type, p.found_in, p.extractor) == (PackageType.DEB, STATUS, NAME)
        assert p.layer is not None and p.layer.index == 0
    db = parse_status(files[STATUS])
    assert (len(db.packages), db.skipped, db.not_installed) == (90, 0, 1)


def test_valid_depends_resolve_as_trivy_does() -> None:
    """``DependsOn``: the names in ``Depends`` that are installed, as ``name@version`` (Trivy's resolution)."""
    db = parse_status(txtar("valid")[STATUS])
    ids = {s.name: f"{s.name}@{s.version}" for s in db.packages}
    resolved = {s.name: sorted(ids[n] for n in dependency_names(s.depends) if n in ids) for s in db.packages}
    for w in expected("valid"):
        assert resolved[w["Name"]] == sorted(w.get("DependsOn", [])), w["ID"]


def test_version_split_samples() -> None:
    packages = assemble(txtar("valid"))
    assert (packages["bsdutils"].epoch, packages["bsdutils"].release) == (1, "0.4ubuntu3.1")
    assert split_version(packages["bsdutils"].version) == DebianVersion(1, "2.31.1", "0.4ubuntu3.1")
    assert (packages["adduser"].epoch, packages["adduser"].release, packages["adduser"].arch) == (None, "", "all")
    assert split_version(packages["libgcc1"].version).upstream == "8-20180414"
    # No version in Source: the source is the binary's full version, epoch included.
    assert (packages["diffutils"].source_name, packages["diffutils"].source_version) == ("diffutils", "1:3.6-1")
    # A version in Source: exactly that, even without the binary's epoch.
    assert (packages["bsdutils"].source_name, packages["bsdutils"].source_version) == (
        "util-linux",
        "2.31.1-0.4ubuntu3.1",
    )


def test_corrupsed() -> None:
    """Damaged stanzas are skipped, every whole one is kept, and the skip is counted and warned about."""
    files = txtar("corrupsed")
    view = view_of(files)
    packages = {p.name: p for p in DpkgExtractor().packages(view, None)}
    want = expected("corrupsed")
    assert (
        sorted(packages)
        == sorted(w["Name"] for w in want)
        == [
            "libgcc1",
            "libpam-modules-bin",
            "libpam-runtime",
            "makedev",
        ]
    )
    for w in want:
        p = packages[w["Name"]]
        assert (p.version, p.epoch, p.release, p.arch, p.source_name) == (
            full_version(w.get("Epoch"), w["Version"], w["Release"]),
            w.get("Epoch"),
            w["Release"],
            w["Arch"],
            w["SrcName"],
        )
    assert parse_status(files[STATUS]).skipped == 2
    [warning] = DpkgExtractor().warnings(view)
    assert (warning.message, warning.path, warning.extractor) == ("2 damaged package records skipped", STATUS, NAME)
    assert warning.layer is not None and warning.layer.index == 0


def test_only_apt() -> None:
    [apt] = DpkgExtractor().packages(view_of(txtar("only-apt")), None)
    [w] = expected("only-apt")
    assert (apt.name, apt.version, apt.arch, apt.source_name, apt.maintainer) == (
        "apt",
        "1.6.3ubuntu0.1",
        "amd64",
        "apt",
        w["Maintainer"],
    )
    assert DpkgExtractor().warnings(view_of(txtar("only-apt"))) == []


def test_digest_from_available() -> None:
    packages = assemble(txtar("digest"))
    assert {n: p.checksum for n, p in packages.items()} == {
        "sed": "",  # available lists sed 4.7-1, not the installed 4.4-2
        "tar": "sha256:bd8e963c6edcf1c806df97cd73560794c347aa94b9aaaf3b88eea585bb2d2f3c",
    }
    for w in expected("digest"):
        assert packages[w["Name"]].checksum == w.get("Digest", "")


def test_digest_matches_the_architecture() -> None:
    sha = {arch: c * 64 for arch, c in (("amd64", "a"), ("i386", "b"))}
    available = (
        b"\n".join(
            f"Package: libz1\nVersion: 1.3-1\nArchitecture: {arch}\nSHA256: {digest}\n".encode()
            for arch, digest in sha.items()
        )
        + b"\nPackage: noarch\nVersion: 1\nSHA256: "
        + b"c" * 64
        + b"\n"
    )
    view = view_of(
        {
            STATUS: status_file(
                stanza("libz1", "1.3-1", Architecture="i386", Multi_Arch="same"),
                stanza("libz1", "1.3-1", Architecture="arm64", Multi_Arch="same"),
                stanza("noarch", "1", Architecture="all"),
            ),
            "var/lib/dpkg/available": available,
        }
    )
    checksums = {(p.name, p.arch): p.checksum for p in DpkgExtractor().packages(view, None)}
    assert checksums == {
        ("libz1", "i386"): f"sha256:{sha['i386']}",
        ("libz1", "arm64"): "",
        ("noarch", "all"): "sha256:" + "c" * 64,
    }


def test_md5sums() -> None:
    [tar] = DpkgExtractor().packages(view_of(txtar("md5sums")), None)
    doc = json.loads((EXPECTED / "dpkg-md5sums.json").read_text())
    assert len(tar.files) == 13
    assert tar.files == tuple(p.lstrip("/") for p in doc["installed_files_tar"])
    assert tar.files[0] == "usr/bin/tar"


def test_third_party() -> None:
    packages = assemble(txtar("third-party"))
    docker = packages["docker-ce"]
    assert (docker.version, docker.epoch, docker.release) == ("5:20.10.7~3-0~debian-buster", 5, "buster")
    assert split_version(docker.version).upstream == "20.10.7~3-0~debian"
    assert (docker.source_name, docker.source_version) == ("docker-ce", "5:20.10.7~3-0~debian-buster")
    assert docker.maintainer == "Docker <support@docker.com>"
    assert packages["apt"].maintainer.startswith("Ubuntu Developers")
    for w in expected("third-party"):
        p = packages[w["Name"]]
        assert f"{p.name}@{p.version}" == w["ID"]


@pytest.mark.parametrize(
    ("fixture", "package", "licenses"),
    [
        (
            "license-pattern-and-classifier-copyright",
            "zlib1g",
            ("GPL-1.0-or-later", "Artistic-2.0", "BSD-4-clause-POWERDOG", "Zlib"),
        ),
        ("common-license-copyright", "adduser", ("GPL-2.0-only",)),
        ("all-patterns-copyright", "apt", ("GPL-2.0-or-later", "GPL-2.0-only")),
        ("no-license-copyright", "tzdata", ()),
    ],
    ids=["machine-readable", "common-license", "all-patterns", "no-license"],
)
def test_copyright(fixture: str, package: str, licenses: tuple[str, ...]) -> None:
    data = (DPKG / "copyright" / fixture).read_bytes()
    packages = assemble(
        {
            STATUS: status_file(stanza(package, "1.0-1", Architecture="all")),
            f"usr/share/doc/{package}/copyright": data,
        }
    )
    assert packages[package].licenses == licenses
    assert licenses_of(parse_copyright(data)) == licenses


@pytest.mark.parametrize("name", ["valid", "corrupsed", "only-apt", "digest", "md5sums", "third-party"])
def test_extracted_folder_gives_the_same_packages(name: str) -> None:
    """``extracted/<name>/`` holds the txtar's files as plain files (there without the final newline Go's txtar
    parser adds to the last file)."""
    root = DPKG / "extracted" / name
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert sorted(files) == sorted(txtar(name))
    assert DpkgExtractor().packages(view_of(files), None) == DpkgExtractor().packages(view_of(txtar(name)), None)


# ---------------------------------------------------------------------------------------------- distroless

DISTROLESS: dict[str, Content] = {
    "var/lib/dpkg/status.d/libc6": (
        b"Package: libc6\nVersion: 2.36-9+deb12u7\nArchitecture: amd64\n"
        b"Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\nInstalled-Size: 12986\n"
        b"Depends: libgcc-s1\nMulti-Arch: same\nDescription: GNU C Library: Shared libraries\nSource: glibc\n"
    ),
    "var/lib/dpkg/status.d/libc6.md5sums": (
        b"d5b9e0a0a8d0ffc5b6f5c5c8a8b2c3d1  usr/lib/x86_64-linux-gnu/libc.so.6\n"
        b"0123456789abcdef0123456789abcdef  usr/share/doc/libc6/copyright\n"
    ),
    "var/lib/dpkg/status.d/openssl": (
        b"Package: openssl\nVersion: 3.0.14-1~deb12u2\nArchitecture: amd64\n"
        b"Depends: libc6 (>= 2.34), libssl3 (>= 3.0.9)\nDescription: Secure Sockets Layer toolkit\n"
    ),
    "usr/share/doc/libc6/copyright": b"License: LGPL-2.1+\nSee /usr/share/common-licenses/LGPL-2.1\n",
}


def test_distroless_status_d() -> None:
    libssl = {
        "var/lib/dpkg/status.d/libssl3": (
            b"Package: libssl3\nVersion: 3.0.14-1~deb12u2\nArchitecture: amd64\nSource: openssl\n"
            b"Description: Secure Sockets Layer toolkit - shared libraries\n"
        )
    }
    packages = assemble(DISTROLESS, libssl, distro=Distro("debian", "12.7"))
    assert sorted(packages) == ["libc6", "libssl3", "openssl"]
    libc6, libssl3, openssl = packages["libc6"], packages["libssl3"], packages["openssl"]
    assert (libc6.source_name, libc6.source_version) == ("glibc", "2.36-9+deb12u7")
    assert (openssl.source_name, libssl3.source_name) == ("openssl", "openssl")
    assert libc6.files == ("usr/lib/x86_64-linux-gnu/libc.so.6", "usr/share/doc/libc6/copyright")
    assert libc6.licenses == ("LGPL-2.1-or-later", "LGPL-2.1-only")
    assert openssl.files == ()
    assert {p.found_in for p in packages.values()} == {f"var/lib/dpkg/status.d/{n}" for n in packages}
    # Each status.d file has its own history: libssl3 came with the second layer, the others with the first.
    assert {n: p.layer.index for n, p in packages.items() if p.layer} == {"libc6": 0, "libssl3": 1, "openssl": 0}
    assert libc6.purl == "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12.7&upstream=glibc"


def test_distroless_stanza_with_status_is_still_filtered() -> None:
    files: dict[str, Content] = {
        "var/lib/dpkg/status.d/gone": stanza("gone", "1.0", status="deinstall ok config-files"),
        "var/lib/dpkg/status.d/here": stanza("here", "1.0", status=None),
    }
    assert sorted(assemble(files)) == ["here"]


# ---------------------------------------------------------------------------------------------- layers


def test_layer_attribution_across_three_layers() -> None:
    base = stanza("base-files", "12.4+deb12u5", Architecture="amd64")
    libc6_old = stanza("libc6", "2.36-9", Architecture="amd64", Source="glibc")
    libc6_new = stanza("libc6", "2.36-9+deb12u7", Architecture="amd64", Source="glibc")
    curl = stanza("curl", "7.88.1-10+deb12u5", Architecture="amd64")
    packages = assemble(
        {STATUS: status_file(base, libc6_old)},
        {STATUS: status_file(base, libc6_old, curl)},  # installs curl
        {STATUS: status_file(base, libc6_new, curl)},  # upgrades libc6
    )
    assert {n: p.layer.index for n, p in packages.items() if p.layer} == {"base-files": 0, "curl": 1, "libc6": 2}
    assert packages["curl"].layer is not None and packages["curl"].layer.created_by == "step 1"
    assert packages["libc6"].version == "2.36-9+deb12u7"


def test_removed_then_reinstalled_is_attributed_to_the_reinstall() -> None:
    a, b = stanza("a", "1"), stanza("b", "1")
    packages = assemble({STATUS: status_file(a, b)}, {STATUS: status_file(a)}, {STATUS: status_file(a, b)})
    assert {n: p.layer.index for n, p in packages.items() if p.layer} == {"a": 0, "b": 2}


def test_whiteout_of_the_status_file_removes_its_packages() -> None:
    assert assemble({STATUS: status_file(stanza("a", "1"))}, {STATUS: Whiteout()}) == {}


def test_unreadable_later_status_hides_the_earlier_one() -> None:
    """The file the container sees is the broken one: the older layer's packages are not claimed."""
    view = view_of({STATUS: status_file(stanza("a", "1"))}, {STATUS: b"\x00\x01garbage\xff" * 50})
    assert DpkgExtractor().packages(view, None) == []


@pytest.mark.parametrize("shape", ["few-listed-files", "many-listed-files"])
def test_file_lists_and_licences_follow_the_image(shape: str) -> None:
    """Listed paths that the image has as directories are dropped, whichever way they are looked up."""
    extra: dict[str, Content] = (
        {f"srv/data/{i}": b"" for i in range(200)}  # the image dwarfs the file lists: one lookup per path
        if shape == "few-listed-files"
        else {"var/lib/dpkg/info/bulk.list": b"".join(b"/opt/bulk/%d\n" % i for i in range(200))}
    )
    files: dict[str, Content] = {
        **extra,
        STATUS: status_file(
            stanza("libfoo1", "1.0-1", Architecture="amd64", Multi_Arch="same", Source="foo"),
            stanza("foo-bin", "1.0-1", Architecture="amd64", Source="foo"),
        ),
        # Multi-Arch: same packages have their info files named <name>:<arch>.
        "var/lib/dpkg/info/libfoo1:amd64.list": b"/.\n/usr\n/usr/lib\n/usr/lib/libfoo.so.1\n/var/lib/foo\n",
        "var/lib/dpkg/info/foo-bin.list": b"/.\n/usr\n/usr/bin\n/usr/bin/foo\n/usr/bin/foo with space\n",
        "var/lib/dpkg/info/foo-bin.md5sums": b"00000000000000000000000000000000  usr/bin/foo\n",
        "var/lib/foo": Dir(),  # an empty directory: the .list alone cannot tell
        "usr/lib/libfoo.so.1": b"\x7fELF",
        # The doc directory of libfoo1 is a symlink to foo-bin's.
        "usr/share/doc/libfoo1": Symlink("foo-bin"),
        "usr/share/doc/foo-bin/copyright": b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        b"\nFiles: *\nCopyright: 2024 Foo\nLicense: Expat or Apache-2.0\n",
    }
    packages = assemble(files)
    assert packages["libfoo1"].files == ("usr/lib/libfoo.so.1",)
    assert packages["foo-bin"].files == ("usr/bin/foo", "usr/bin/foo with space")  # .list before .md5sums
    assert packages["libfoo1"].licenses == packages["foo-bin"].licenses == ("MIT", "Apache-2.0")


# ---------------------------------------------------------------------------------------------- damage


def _cut_points(data: bytes) -> list[tuple[str, int]]:
    """Offsets inside installed stanzas of valid's status: mid-version, mid-description, mid-field-name."""
    text = data.decode()
    points: list[tuple[str, int]] = []
    for label, name, marker, into in (
        ("mid-version", "libgcc1", "\nVersion: ", 13),
        ("mid-description", "sed", "\nDescription: ", 20),
        ("mid-field-name", "tar", "\nArchitecture: ", 5),
        ("after-package-line", "zlib1g", "\nStatus: ", 1),
    ):
        start = text.index(f"Package: {name}\n")
        points.append((label, len(text[: text.index(marker, start) + into].encode())))
    return points


@pytest.mark.parametrize("label", ["mid-version", "mid-description", "mid-field-name", "after-package-line"])
def test_status_cut_mid_record(label: str) -> None:
    data = txtar("valid")[STATUS]
    full = parse_status(data).packages
    cut = dict(_cut_points(data))[label]
    truncated = data[:cut]
    whole_names = [s.name for s in parse_status(data[: truncated.rindex(b"\n\n") + 2]).packages]
    db = parse_status(truncated)
    assert [s.name for s in db.packages] == whole_names == [s.name for s in full[: len(whole_names)]]
    assert db.skipped == 1
    [warning] = DpkgExtractor().warnings(view_of({STATUS: truncated}))
    assert warning.message == "1 damaged package record skipped"


def test_nul_tail_after_a_crash_keeps_every_package() -> None:
    """A status file whose tail became NUL bytes (a crash before the data was flushed)."""
    db = parse_status(txtar("valid")[STATUS] + b"\x00" * 4096)
    assert (len(db.packages), db.skipped) == (90, 1)


def test_merged_stanzas_are_damaged() -> None:
    """A lost empty line runs two stanzas together: two Package fields, neither trusted."""
    data = stanza("a", "1") + stanza("b", "1") + b"\n" + stanza("c", "1")
    db = parse_status(data)
    assert ([s.name for s in db.packages], db.skipped) == (["c"], 1)


@pytest.mark.parametrize(
    "broken",
    [
        b"Package: x\nStatus: install ok installed\nVersion: 1.0\nthis line is no field\n",
        b"Package: x\nStatus: install ok\nVersion: 1.0\n",
        b"Package: x\nStatus: install ok exploded\nVersion: 1.0\n",
        b"Package: x\nStatus: install ok installed\nVersion: 1:\n",
        b"Package: x\nStatus: install ok installed\nVersion: 1.0 beta\n",
        b"Package: x\nStatus: install ok installed\nVersion: 1.0\nSource: y (2.0\n",
        b"Package: x\nStatus: install ok installed\nVersion: 1.0\nSource: y (2.0#)\n",
        b" continuation first\nPackage: x\nStatus: install ok installed\nVersion: 1.0\n",
        b"Package: x y\nStatus: install ok installed\nVersion: 1.0\n",
    ],
    ids=[
        "no-field",
        "short-status",
        "bad-state",
        "empty-after-epoch",
        "blank",
        "source-cut",
        "source-version",
        "leading-continuation",
        "bad-name",
    ],
)
def test_damaged_stanza_is_skipped(broken: bytes) -> None:
    db = parse_status(status_file(stanza("ok", "1.0"), broken))
    assert ([s.name for s in db.packages], db.skipped) == (["ok"], 1)


@pytest.mark.parametrize(
    ("status", "kept"),
    [
        ("install ok installed", True),
        ("hold ok installed", True),
        ("deinstall ok config-files", False),
        ("purge ok not-installed", False),
        ("install ok half-installed", False),
        ("install ok unpacked", False),
        ("install reinstreq half-installed", False),
        ("deinstall ok installed", False),
    ],
)
def test_status_states(status: str, kept: bool) -> None:
    db = parse_status(status_file(stanza("x", "1.0", status=status)))
    assert (len(db.packages), db.not_installed, db.skipped) == (int(kept), int(not kept), 0)


def test_field_names_are_case_insensitive() -> None:
    db = parse_status(b"package: x\nSTATUS: install ok installed\nversion: 1.0-1\nArchitecture: all\n")
    assert db.packages == (Stanza("x", "1.0-1", "all", "x", "1.0-1"),)


def test_empty_status_file_is_no_package_and_no_error() -> None:
    assert parse_status(b"") == StatusDb()
    assert parse_status(b"\n\n") == StatusDb()


@pytest.mark.parametrize("seed", range(6), ids=[f"random-{i}" for i in range(6)])
def test_binary_garbage_never_crashes(seed: int) -> None:
    rng = random.Random(seed)
    data = rng.randbytes(4000)
    paths = [
        STATUS,
        "var/lib/dpkg/status.d/x",
        "var/lib/dpkg/available",
        "var/lib/dpkg/info/x.list",
        "var/lib/dpkg/info/x.md5sums",
        "usr/share/doc/x/copyright",
    ]
    extractor = DpkgExtractor()
    for path in paths:
        with contextlib.suppress(ExtractError):
            payload = extractor.extract(path, data)
            assert payload is None or isinstance(payload, DpkgFile)
    # Garbage that still reads as text lines, and a view made of garbage: nothing crashes.
    text_garbage = bytes(rng.choice(b"abc: \n\t-+.()|,0123") for _ in range(4000))
    with contextlib.suppress(ExtractError):
        parse_status(text_garbage)
    view = view_of(dict.fromkeys(paths, data), dict.fromkeys(paths, text_garbage))
    assert all(isinstance(p, Package) for p in extractor.packages(view, None))
    extractor.warnings(view)


def test_all_garbage_status_is_an_extract_error() -> None:
    with pytest.raises(ExtractError, match="no readable package record"):
        parse_status(b"\x00\x01\x02\xff" * 100)


def test_binary_file_lists_and_copyright_are_extract_errors() -> None:
    with pytest.raises(ExtractError):
        parse_file_list(b"/usr/bin/x\x00\x00")
    with pytest.raises(ExtractError):
        parse_copyright(b"License: MIT\x00")


# ---------------------------------------------------------------------------------------------- parsers


def test_file_list_drops_directories_and_root() -> None:
    data = b"".join(
        f"{line}\n".encode()
        for line in ("/.", "/bin", "/bin/tar", "/etc", "/etc/rmt", "/usr", "/usr/sbin", "/usr/sbin/rmt-tar")
    )
    assert parse_file_list(data) == OwnedFiles(("bin/tar", "etc/rmt", "usr/sbin/rmt-tar"))
    assert parse_file_list(b"") == OwnedFiles()


def test_file_list_with_directories_first() -> None:
    """Many packages list their directories before any file: a parent is a directory wherever it appears."""
    data = b"/.\n/usr\n/usr/bin\n/usr/lib\n/usr/lib/x86_64-linux-gnu\n/usr/bin/foo\n"
    data += b"/usr/lib/x86_64-linux-gnu/libfoo.so.1\n"
    assert parse_file_list(data) == OwnedFiles(("usr/bin/foo", "usr/lib/x86_64-linux-gnu/libfoo.so.1"))


def test_md5sums_text_and_binary_mode() -> None:
    data = b"25de5fcdc3c8ebd9c9f599fb7a899b40  usr/bin/tar\n25DE5FCDC3C8EBD9C9F599FB7A899B41 *usr/bin/x y\n\n"
    assert parse_md5sums(data) == OwnedFiles(("usr/bin/tar", "usr/bin/x y"),
                                             ("25de5fcdc3c8ebd9c9f599fb7a899b40", "25de5fcdc3c8ebd9c9f599fb7a899b41"))


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("1:2.31.1-0.4ubuntu3.1", (1, "2.31.1", "0.4ubuntu3.1")),
        ("3.116ubuntu1", (None, "3.116ubuntu1", "")),
        ("8-20180414-1ubuntu2", (None, "8-20180414", "1ubuntu2")),
        ("5:20.10.7~3-0~debian-buster", (5, "20.10.7~3-0~debian", "buster")),
        ("0:1.0", (0, "1.0", "")),
        ("1:2:3-4", (1, "2:3", "4")),
        ("1.0+dfsg~rc1-2+b3", (None, "1.0+dfsg~rc1", "2+b3")),
        ("a1.0", (None, "a1.0", "")),  # "should" start with a digit: dpkg only warns
    ],
)
def test_split_version(text: str, parts: tuple[int | None, str, str]) -> None:
    version = split_version(text)
    assert (version.epoch, version.upstream, version.revision) == parts
    assert str(version) == text


@pytest.mark.parametrize(
    "text",
    ["", " 1.0", "1.0 ", "1 .0", ":1.0", "a:1.0", "1:", "1.0-", "-1", "1.0#", "1.0-1_2", "1:2-3:4", "99999999999:1"],
)
def test_invalid_versions(text: str) -> None:
    with pytest.raises(InvalidVersion):
        split_version(text)


@pytest.mark.parametrize(
    ("name", "spdx"),
    [
        ("GPL-2", "GPL-2.0-only"),
        ("GPL-2+", "GPL-2.0-or-later"),
        ("GPLv2+", "GPL-2.0-or-later"),
        ("GPL-1+", "GPL-1.0-or-later"),
        ("GPL-3.0+", "GPL-3.0-or-later"),
        ("GPL-3.0-only", "GPL-3.0-only"),
        ("gpl-3", "GPL-3.0-only"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("LGPL-2.1+", "LGPL-2.1-or-later"),
        ("LGPL-2", "LGPL-2.0-only"),
        ("AGPL-3+", "AGPL-3.0-or-later"),
        ("GFDL-1.3", "GFDL-1.3-only"),
        ("Apache-2.0", "Apache-2.0"),
        ("Apache-2", "Apache-2.0"),
        ("Artistic", "Artistic-2.0"),
        ("BSD", "BSD-3-Clause"),
        ("BSD-3-clause", "BSD-3-Clause"),
        ("BSD-2-clause", "BSD-2-Clause"),
        ("BSD-1-clause", "BSD-1-Clause"),
        ("Expat", "MIT"),
        ("The MIT License", "MIT"),
        ("zlib", "Zlib"),
        ("MPL-2.0", "MPL-2.0"),
        ("CC0", "CC0-1.0"),
        ("GPL", "GPL-2.0-or-later"),
        ("GPL-2+ with Autoconf exception", "GPL-2.0-or-later WITH Autoconf-exception-generic"),
        ("GPL-2+ with OpenSSL exception", "GPL-2.0-or-later WITH OpenSSL exception"),
        ("BSD-4-clause-POWERDOG", "BSD-4-clause-POWERDOG"),
        ("public-domain", "public-domain"),
    ],
)
def test_normalize_license(name: str, spdx: str) -> None:
    assert normalize_license(name) == spdx


def test_copyright_prose_after_license_is_not_a_name() -> None:
    data = b"License: This program is free software; you can redistribute it\nLicense: GPL-2+ | MIT.\n"
    assert parse_copyright(data) == Copyright(("GPL-2+", "MIT"))


@pytest.mark.parametrize(
    ("stanza_", "distro", "purl"),
    [
        (
            Stanza("libc6", "2.27-3ubuntu1", "amd64", "glibc", "2.27-3ubuntu1"),
            UBUNTU_1804,
            "pkg:deb/ubuntu/libc6@2.27-3ubuntu1?arch=amd64&distro=ubuntu-18.04&upstream=glibc",
        ),
        (
            Stanza("bsdutils", "1:2.31.1-0.4ubuntu3.1", "amd64", "util-linux", "2.31.1-0.4ubuntu3.1"),
            UBUNTU_1804,
            "pkg:deb/ubuntu/bsdutils@1:2.31.1-0.4ubuntu3.1?arch=amd64&distro=ubuntu-18.04"
            "&upstream=util-linux%402.31.1-0.4ubuntu3.1",
        ),
        (Stanza("tar", "1.29b-2", "amd64", "tar", "1.29b-2"), None, "pkg:deb/debian/tar@1.29b-2?arch=amd64"),
        (
            Stanza("libstdc++6", "8-20180414-1ubuntu2", "amd64", "gcc-8", "8-20180414-1ubuntu2"),
            Distro("debian", "12.5"),
            "pkg:deb/debian/libstdc%2B%2B6@8-20180414-1ubuntu2?arch=amd64&distro=debian-12.5&upstream=gcc-8",
        ),
    ],
    ids=["source-name", "source-version", "no-distro", "escaped"],
)
def test_package_url(stanza_: Stanza, distro: Distro | None, purl: str) -> None:
    assert package_url(stanza_, distro) == purl


def test_packages_carry_their_purl() -> None:
    packages = assemble(txtar("valid"), distro=UBUNTU_1804)
    assert packages["adduser"].purl == "pkg:deb/ubuntu/adduser@3.116ubuntu1?arch=all&distro=ubuntu-18.04"


@pytest.mark.parametrize("distro", [UBUNTU_1804, Distro("debian", "trixie/sid"), None], ids=str)
def test_purls_are_packageurl_pythons(distro: Distro | None) -> None:
    """The hand-joined PURL is exactly what packageurl-python builds, for every package of valid and more."""
    stanzas = [
        *parse_status(txtar("valid")[STATUS]).packages,
        Stanza("odd name+é", "1:2.0~rc1+dfsg-1+b2", "", "odd src", "1:2.0~rc1+dfsg-1"),
    ]
    for s in stanzas:
        qualifiers = {"arch": s.arch}
        if distro is not None:
            qualifiers["distro"] = f"{distro.family}-{distro.release}"
        if s.source_version != s.version:
            qualifiers["upstream"] = f"{s.source_name}@{s.source_version}"
        elif s.source_name != s.name:
            qualifiers["upstream"] = s.source_name
        namespace = distro.family if distro else "debian"
        reference = PackageURL("deb", namespace, s.name, s.version, qualifiers).to_string()
        assert package_url(s, distro) == reference
        assert PackageURL.from_string(reference).to_string() == reference


@pytest.mark.parametrize(
    "path", [STATUS, "var/lib/dpkg/info/tar.list", "var/lib/dpkg/available", "usr/share/doc/zlib1g/copyright"]
)
def test_payloads_round_trip_through_msgspec(path: str) -> None:
    data = {
        STATUS: txtar("valid")[STATUS],
        "var/lib/dpkg/info/tar.list": b"/.\n/bin\n/bin/tar\n",
        "var/lib/dpkg/available": txtar("digest")["var/lib/dpkg/available"],
        "usr/share/doc/zlib1g/copyright": (DPKG / "copyright" / "common-license-copyright").read_bytes(),
    }[path]
    payload = DpkgExtractor().extract(path, data)
    assert payload is not None
    assert msgspec.json.decode(encode_payload(payload), type=DpkgFile) == payload


# ---------------------------------------------------------------------------------------------- real dpkg

DPKG_ADMINDIR = Path("/var/lib/dpkg")
DPKG_QUERY = shutil.which("dpkg-query")


@pytest.mark.skipif(
    DPKG_QUERY is None or not (DPKG_ADMINDIR / "status").is_file(), reason="needs dpkg-query and /var/lib/dpkg"
)
def test_same_packages_as_dpkg_query() -> None:
    """This machine's own database: our parser and dpkg-query agree on every installed package.

    ``dpkg-query -W`` lists every package dpkg knows, including those only in ``config-files`` or
    ``half-installed`` state; ``${db:Status-Abbrev}`` is ``ii `` (want install, installed, no error) or ``hi ``
    (held) for exactly the packages our parser counts as installed. ``${source:Package}`` and
    ``${source:Version}`` are dpkg's own source fallbacks (the binary's name and version when ``Source`` omits
    them). dpkg-query also replays pending journal entries from ``updates/``, which we do not read: with any
    present, the two views legitimately differ.
    """
    assert DPKG_QUERY is not None
    updates = DPKG_ADMINDIR / "updates"
    if updates.is_dir() and any(p.name.isdigit() for p in updates.iterdir()):
        pytest.skip("dpkg has unapplied journal entries in /var/lib/dpkg/updates")
    fmt = "${db:Status-Abbrev}|${Package}|${Version}|${Architecture}|${source:Package}|${source:Version}\n"
    for _ in range(5):  # another process may be installing packages right now: retry until the file holds still
        before = (DPKG_ADMINDIR / "status").read_bytes()
        out = subprocess.run(
            [DPKG_QUERY, f"--admindir={DPKG_ADMINDIR}", "-W", "-f", fmt],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if (DPKG_ADMINDIR / "status").read_bytes() == before:
            break
    else:
        pytest.skip("/var/lib/dpkg/status kept changing while dpkg-query ran")
    theirs = sorted(tuple(line.split("|")[1:]) for line in out.splitlines() if line.split("|", 1)[0] in ("ii ", "hi "))
    db = parse_status(before)
    ours = sorted((s.name, s.version, s.arch, s.source_name, s.source_version) for s in db.packages)
    assert db.skipped == 0
    assert len(ours) > 10
    assert ours == theirs
