"""os/release: every release file in ../shared/fixtures/os-release, priorities between them, and EOL dates."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import msgspec
import pytest

from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.eol import eol_date, is_eol, release_key
from hullscan.extract.osrelease import (
    RELEASE_FILES,
    OSReleaseExtractor,
    ReleaseFile,
    detect_distro,
    is_distroless,
)
from hullscan.image.facts import encode_payload
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind
from support.views import Content, Symlink, Whiteout
from support.views import view_of as _view_of

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "os-release"

# ---------------------------------------------------------------------------------------------- image helpers


def view_of(*layers: Mapping[str, Content]) -> SquashedView:
    return _view_of([OSReleaseExtractor()], *layers)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def detect(*layers: dict[str, Content]) -> Distro | None:
    found = detect_distro(view_of(*layers))
    return found[0] if found else None


# ---------------------------------------------------------------------------------------------- fixtures

# (fixture file, path inside the image, family, release); family None = no distro. EXPECTED.md section 3.
CASES: list[tuple[str, str, str | None, str]] = [
    ("os-release/activestate", "etc/os-release", "activestate", "1.0"),
    ("os-release/alma", "etc/os-release", "alma", "9.4"),
    ("os-release/alpine", "etc/os-release", "alpine", "3.15.4"),
    ("os-release/azurelinux-3.0", "etc/os-release", "azurelinux", "3.0"),
    ("os-release/bottlerocket", "etc/os-release", "bottlerocket", "1.34.0"),
    ("os-release/centos", "etc/os-release", "centos", "7"),
    ("os-release/centos-stream", "etc/os-release", "centos-stream", "8"),
    ("os-release/coreos", "etc/os-release", "coreos", "3.15.4"),
    ("os-release/echo", "etc/os-release", "echo", "1"),
    ("os-release/fedora", "etc/os-release", "fedora", "42"),
    ("os-release/mariner-1.0", "etc/os-release", "cbl-mariner", "1.0"),
    ("os-release/mariner-2.0", "etc/os-release", "cbl-mariner", "2.0"),
    ("os-release/minimos", "etc/os-release", "minimos", "20241031"),
    ("os-release/no-id", "etc/os-release", None, ""),
    ("os-release/no-version", "etc/os-release", None, ""),
    ("os-release/opensuseleap-15.2.1", "etc/os-release", "opensuse-leap", "15.2.1"),
    ("os-release/opensuseleap-42.3", "etc/os-release", "opensuse-leap", "42.3"),
    ("os-release/opensusetumbleweed", "etc/os-release", "opensuse-tumbleweed", "20220412"),
    ("os-release/oracle", "etc/os-release", "oracle", "8.10"),
    ("os-release/photon", "etc/os-release", "photon", "4.0"),
    ("os-release/rhel", "etc/os-release", "redhat", "9.4"),
    ("os-release/rocky", "etc/os-release", "rocky", "9.3"),
    ("os-release/slemicro", "etc/os-release", "slem", "5.3"),
    ("os-release/slemicro-rancher", "etc/os-release", "slem", "5.4"),
    ("os-release/slemicro6.0", "etc/os-release", "slem", "6.0"),
    ("os-release/sles", "etc/os-release", "sles", "15.3"),
    ("os-release/unknown", "etc/os-release", None, ""),
    ("redhat-release/alma.almalinux-release", "etc/almalinux-release", "alma", "8.4"),
    ("redhat-release/centos.centos-release", "etc/centos-release", "centos", "7.6.1810"),
    ("redhat-release/fedora_29.fedora-release", "etc/fedora-release", "fedora", "29"),
    ("redhat-release/oracle_7.oracle-release", "etc/oracle-release", "oracle", "7.6"),
    ("redhat-release/redhat_6.redhat-release", "etc/redhat-release", "redhat", "6.2"),
    ("redhat-release/rocky.rocky-release", "etc/rocky-release", "rocky", "8.4"),
    ("misc/debian_version.debian_9", "etc/debian_version", "debian", "9.8"),
    ("misc/debian_version.debian_sid", "etc/debian_version", "debian", "buster/sid"),
    ("misc/lsb-release.ubuntu", "etc/lsb-release", "ubuntu", "18.04"),
    ("misc/alpine-release", "etc/alpine-release", "alpine", "3.11.6"),
    # status.json alone says nothing about the release: no distro (it only adds ESM to an Ubuntu one).
    ("misc/esm_enabled_status.json", "var/lib/ubuntu-advantage/status.json", None, ""),
    ("misc/esm_disabled_status.json", "var/lib/ubuntu-advantage/status.json", None, ""),
]


def test_every_fixture_has_a_case() -> None:
    on_disk = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*") if p.is_file()}
    assert on_disk == {name for name, *_ in CASES}


@pytest.mark.parametrize(("name", "path", "family", "release"), CASES, ids=[c[0] for c in CASES])
def test_fixture(name: str, path: str, family: str | None, release: str) -> None:
    found = detect_distro(view_of({path: fixture(name)}))
    if family is None:
        assert found is None
        return
    assert found is not None
    distro, layer = found
    assert (distro.family, distro.release) == (family, release)
    assert distro.source_file == path
    assert layer.index == 0
    assert not distro.extended_support


@pytest.mark.parametrize(
    ("status", "extended"),
    [("esm_enabled_status.json", True), ("esm_disabled_status.json", False)],
    ids=["esm-enabled", "esm-disabled"],
)
def test_ubuntu_esm(status: str, extended: bool) -> None:
    distro = detect(
        {
            "etc/lsb-release": fixture("misc/lsb-release.ubuntu"),
            "var/lib/ubuntu-advantage/status.json": fixture(f"misc/{status}"),
        }
    )
    assert distro is not None
    assert (distro.family, distro.release, distro.codename) == ("ubuntu", "18.04", "bionic")
    assert distro.extended_support is extended


def test_esm_status_payload() -> None:
    payload = OSReleaseExtractor().extract(
        "var/lib/ubuntu-advantage/status.json", fixture("misc/esm_enabled_status.json")
    )
    assert payload is not None
    assert payload.get("esm-infra") == "enabled"
    assert payload.get("fips") == "n/a"


def test_esm_ignored_for_other_families() -> None:
    distro = detect(
        {
            "etc/os-release": fixture("os-release/rhel"),
            "var/lib/ubuntu-advantage/status.json": fixture("misc/esm_enabled_status.json"),
        }
    )
    assert distro is not None
    assert distro.family == "redhat"
    assert not distro.extended_support


@pytest.mark.parametrize(
    ("name", "codename", "pretty"),
    [
        ("os-release/rhel", "Plow", "Red Hat Enterprise Linux 9.4 (Plow)"),
        ("os-release/centos", "Core", "CentOS Linux 7 (Core)"),
        ("os-release/sles", "", "SUSE Linux Enterprise Server 15 SP3"),
    ],
    ids=["rhel", "centos", "sles"],
)
def test_codename_and_pretty_name(name: str, codename: str, pretty: str) -> None:
    distro = detect({"etc/os-release": fixture(name)})
    assert distro is not None
    assert (distro.codename, distro.pretty_name) == (codename, pretty)


# ---------------------------------------------------------------------------------------------- symlinks

DEBIAN_12 = b"""PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
"""
UBUNTU_2404 = b"""PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
UBUNTU_CODENAME=noble
"""


@pytest.mark.parametrize("target", ["../usr/lib/os-release", "/usr/lib/os-release"], ids=["relative", "absolute"])
def test_symlinked_os_release(target: str) -> None:
    found = detect_distro(
        view_of({"usr/lib/os-release": fixture("os-release/rocky"), "etc/os-release": Symlink(target)})
    )
    assert found is not None
    distro, layer = found
    assert (distro.family, distro.release) == ("rocky", "9.3")
    assert distro.source_file == "usr/lib/os-release"
    assert layer.index == 0


def test_symlink_is_not_wanted() -> None:
    entry = FileEntry("etc/os-release", FileKind.SYMLINK, 0o777, 0, linkname="../usr/lib/os-release")
    assert not OSReleaseExtractor().wants("etc/os-release", entry)


def test_dangling_symlink_falls_back_to_vendor_file() -> None:
    distro = detect({"etc/os-release": Symlink("../usr/lib/os-release"), "etc/alpine-release": b"3.19.1\n"})
    assert distro is not None
    assert (distro.family, distro.release) == ("alpine", "3.19.1")


# ---------------------------------------------------------------------------------------------- priorities


def test_debian_point_release_from_debian_version() -> None:
    found = detect_distro(view_of({"etc/os-release": DEBIAN_12, "etc/debian_version": b"12.5\n"}))
    assert found is not None
    distro, _ = found
    assert (distro.family, distro.release, distro.codename) == ("debian", "12.5", "bookworm")
    assert distro.source_file == "etc/debian_version"


def test_debian_point_release_layer_is_the_one_that_updated_it() -> None:
    found = detect_distro(
        view_of(
            {"etc/os-release": DEBIAN_12, "etc/debian_version": b"12.4\n"},
            {"etc/debian_version": b"12.5\n"},
        )
    )
    assert found is not None
    distro, layer = found
    assert distro.release == "12.5"
    assert (layer.index, layer.created_by) == (1, "step 1")


def test_debian_version_of_another_release_does_not_override() -> None:
    distro = detect({"etc/os-release": DEBIAN_12, "etc/debian_version": b"11.9\n"})
    assert distro is not None
    assert (distro.release, distro.source_file) == ("12", "etc/os-release")


def test_debian_testing_without_version_id() -> None:
    os_release = b'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nID=debian\n'
    distro = detect({"etc/os-release": os_release, "etc/debian_version": b"trixie/sid\n"})
    assert distro is not None
    assert (distro.family, distro.release) == ("debian", "trixie/sid")


def test_ubuntu_ignores_its_debian_version() -> None:
    distro = detect({"etc/os-release": UBUNTU_2404, "etc/debian_version": b"trixie/sid\n"})
    assert distro is not None
    assert (distro.family, distro.release, distro.codename) == ("ubuntu", "24.04", "noble")


def test_lsb_release_beats_debian_version_without_os_release() -> None:
    distro = detect({"etc/lsb-release": fixture("misc/lsb-release.ubuntu"), "etc/debian_version": b"buster/sid\n"})
    assert distro is not None
    assert (distro.family, distro.release) == ("ubuntu", "18.04")


@pytest.mark.parametrize(
    ("os_release", "debian_version"),
    [
        (b'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\nVERSION_ID="21.3"\n', b"bookworm/sid\n"),
        (b'NAME="Kali GNU/Linux"\nID=kali\nID_LIKE=debian\nVERSION_ID="2024.2"\n', b"kali-rolling\n"),
    ],
    ids=["linuxmint", "kali"],
)
def test_debian_derivative_is_not_debian(os_release: bytes, debian_version: bytes) -> None:
    assert detect({"etc/os-release": os_release, "etc/debian_version": debian_version}) is None


def test_alpine_release_file_decides_the_release() -> None:
    distro = detect({"etc/os-release": fixture("os-release/alpine"), "etc/alpine-release": b"3.15.4\n"})
    assert distro is not None
    assert (distro.family, distro.release, distro.source_file) == ("alpine", "3.15.4", "etc/alpine-release")


def test_wolfi_keeps_its_family_beside_an_alpine_release() -> None:
    wolfi = b'ID=wolfi\nNAME="Wolfi"\nPRETTY_NAME="Wolfi"\nVERSION_ID="20230201"\n'
    distro = detect({"etc/os-release": wolfi, "etc/alpine-release": b"3.19.0\n"})
    assert distro is not None
    assert (distro.family, distro.release) == ("wolfi", "20230201")


def test_chainguard() -> None:
    chainguard = b'ID=chainguard\nNAME="Chainguard"\nPRETTY_NAME="Chainguard"\nVERSION_ID="20230214"\n'
    distro = detect({"etc/os-release": chainguard})
    assert distro is not None
    assert (distro.family, distro.release) == ("chainguard", "20230214")


def test_centos_release_refines_os_release() -> None:
    distro = detect(
        {
            "etc/os-release": fixture("os-release/centos"),
            "etc/centos-release": fixture("redhat-release/centos.centos-release"),
        }
    )
    assert distro is not None
    assert (distro.family, distro.release, distro.source_file) == ("centos", "7.6.1810", "etc/centos-release")


def test_etc_os_release_beats_usr_lib() -> None:
    distro = detect({"etc/os-release": fixture("os-release/rocky"), "usr/lib/os-release": fixture("os-release/alma")})
    assert distro is not None
    assert distro.family == "rocky"


def test_whiteout_of_etc_os_release_falls_back_to_usr_lib() -> None:
    found = detect_distro(
        view_of(
            {"etc/os-release": fixture("os-release/rocky"), "usr/lib/os-release": fixture("os-release/alma")},
            {"etc/os-release": Whiteout()},
        )
    )
    assert found is not None
    distro, layer = found
    assert (distro.family, distro.source_file, layer.index) == ("alma", "usr/lib/os-release", 0)


def test_unknown_os_release_falls_back_to_vendor_files() -> None:
    distro = detect(
        {
            "etc/os-release": fixture("os-release/unknown"),
            "etc/redhat-release": b"Red Hat Enterprise Linux release 8.10 (Ootpa)\n",
        }
    )
    assert distro is not None
    assert (distro.family, distro.release, distro.codename) == ("redhat", "8.10", "Ootpa")


def test_oracle_release_beats_its_redhat_release() -> None:
    distro = detect(
        {
            "etc/oracle-release": fixture("redhat-release/oracle_7.oracle-release"),
            "etc/redhat-release": b"Red Hat Enterprise Linux Server release 7.6 (Maipo)\n",
        }
    )
    assert distro is not None
    assert (distro.family, distro.release) == ("oracle", "7.6")


def test_os_release_beats_vendor_files() -> None:
    distro = detect(
        {"etc/os-release": fixture("os-release/alma"), "etc/redhat-release": b"Red Hat Enterprise Linux release 9.4\n"}
    )
    assert distro is not None
    assert (distro.family, distro.release) == ("alma", "9.4")


@pytest.mark.parametrize(
    ("files", "family", "release"),
    [
        ({"etc/os-release": b'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nVERSION_ID="2"\n'}, "amazon", "2"),
        ({"etc/os-release": b'NAME="Amazon Linux"\nID="amzn"\nVERSION_ID="2023"\n'}, "amazon", "2023"),
        ({"etc/system-release": b"Amazon Linux release 2 (Karoo)\n"}, "amazon", "2"),
        ({"etc/system-release": b"Amazon Linux AMI release 2018.03\n"}, "amazon", "2018.03"),
        ({"etc/system-release-cpe": b"cpe:/o:centos:linux:6:GA\n"}, "centos", "6"),
        ({"etc/system-release-cpe": b"cpe:2.3:o:amazon:amazon_linux:2\n"}, "amazon", "2"),
        ({"etc/centos-release": b"CentOS Stream release 9\n"}, "centos-stream", "9"),
        ({"etc/mariner-release": b"CBL-Mariner 2.0.20220226\nMARINER_BUILD_NUMBER=abc\n"}, "cbl-mariner", "2.0"),
        ({"etc/azurelinux-release": b"AZURELINUX_BUILD_NUMBER=3.0.20240401\n"}, "azurelinux", "3.0"),
        ({"etc/photon-release": b"VMware Photon OS 3.0\nPHOTON_BUILD_NUMBER=a1b2c3d\n"}, "photon", "3.0"),
        (
            {"etc/SuSE-release": b"SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 5\n"},
            "sles",
            "12.5",
        ),
        (
            {"etc/SuSE-release": b"openSUSE 42.3 (x86_64)\nVERSION = 42.3\nCODENAME = Malachite\n"},
            "opensuse-leap",
            "42.3",
        ),
    ],
    ids=[
        "amzn-2",
        "amzn-2023",
        "system-release-al2",
        "system-release-al1",
        "cpe-centos-6",
        "cpe-2.3-amazon",
        "centos-stream-release",
        "mariner-release",
        "azurelinux-release",
        "photon-release",
        "suse-release-sles",
        "suse-release-leap",
    ],
)
def test_other_release_files(files: dict[str, Content], family: str, release: str) -> None:
    distro = detect(files)
    assert distro is not None
    assert (distro.family, distro.release) == (family, release)


def test_distroless() -> None:
    os_release = (
        b'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\n'
        b'VERSION="Debian GNU/Linux 12 (bookworm)"\nHOME_URL="https://github.com/GoogleContainerTools/distroless"\n'
    )
    view = view_of({"etc/os-release": os_release, "etc/debian_version": b"12.7\n"})
    found = detect_distro(view)
    assert found is not None
    distro, _ = found
    assert (distro.family, distro.release, distro.pretty_name) == ("debian", "12.7", "Distroless")
    assert is_distroless(view)
    assert not is_distroless(view_of({"etc/os-release": DEBIAN_12}))


def test_empty_image() -> None:
    assert detect_distro(view_of({"bin/sh": b"#!"})) is None


# ---------------------------------------------------------------------------------------------- the parser


def test_extractor_satisfies_the_protocol() -> None:
    extractor: Extractor[ReleaseFile] = OSReleaseExtractor()
    assert (extractor.name, extractor.version, extractor.payload_type) == ("os/release", 1, ReleaseFile)


@pytest.mark.parametrize(
    ("path", "kind", "size", "wanted"),
    [
        ("etc/os-release", FileKind.FILE, 500, True),
        ("usr/lib/os-release", FileKind.FILE, 500, True),
        ("etc/debian_version", FileKind.FILE, 5, True),
        ("var/lib/ubuntu-advantage/status.json", FileKind.FILE, 20_000, True),
        ("etc/os-release", FileKind.FILE, 1_000_000, False),
        ("etc/os-release", FileKind.DIR, 0, False),
        ("etc/os-release", FileKind.HARDLINK, 0, False),
        ("etc/passwd", FileKind.FILE, 500, False),
        ("usr/share/doc/os-release", FileKind.FILE, 500, False),
    ],
    ids=["os-release", "usr-lib", "debian-version", "ua-status", "too-big", "dir", "hardlink", "other", "elsewhere"],
)
def test_wants(path: str, kind: FileKind, size: int, wanted: bool) -> None:
    assert OSReleaseExtractor().wants(path, FileEntry(path, kind, 0o644, size)) is wanted


def test_every_release_file_is_wanted() -> None:
    extractor = OSReleaseExtractor()
    assert all(extractor.wants(p, FileEntry(p, FileKind.FILE, 0o644, 100)) for p in RELEASE_FILES)


def test_os_release_quoting() -> None:
    text = (
        b"# a comment\n"
        b'NAME="Some \\"quoted\\" \\\\ name"\n'
        b"ID='single'\n"
        b"VERSION_ID=1.2\n"
        b"  SPACED = value  \n"
        b"not an assignment\n"
        b"ID=override\n"
    )
    payload = OSReleaseExtractor().extract("etc/os-release", text)
    assert payload is not None
    assert payload.get("NAME") == 'Some "quoted" \\ name'
    assert payload.get("ID") == "override"
    assert payload.get("VERSION_ID") == "1.2"
    assert payload.get("SPACED") == "value"
    assert payload.first_line == "# a comment"


def test_payload_round_trips_through_msgspec() -> None:
    payload = OSReleaseExtractor().extract("etc/os-release", fixture("os-release/fedora"))
    assert payload is not None
    assert msgspec.json.decode(encode_payload(payload), type=ReleaseFile) == payload


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("etc/os-release", b"ID=debian\x00\x01\x02VERSION_ID=12"),
        ("etc/os-release", b"\xff\xfe\xfa garbage"),
        ("etc/alpine-release", bytes(range(256))),
        ("var/lib/ubuntu-advantage/status.json", b"{not json"),
    ],
    ids=["nul-bytes", "not-utf8", "all-bytes", "broken-json"],
)
def test_garbage_raises_extract_error(path: str, data: bytes) -> None:
    with pytest.raises(ExtractError):
        OSReleaseExtractor().extract(path, data)


@pytest.mark.parametrize(
    ("path", "data"),
    [("etc/os-release", b""), ("etc/debian_version", b"\n \n"), ("etc/lsb-release", b"   ")],
    ids=["empty", "blank-lines", "spaces"],
)
def test_blank_file_is_no_payload(path: str, data: bytes) -> None:
    assert OSReleaseExtractor().extract(path, data) is None


def test_status_json_of_another_shape() -> None:
    payload = OSReleaseExtractor().extract("var/lib/ubuntu-advantage/status.json", b'[1, {"services": 2}]')
    assert payload == ReleaseFile(kind="ubuntu-advantage-status")


@pytest.mark.parametrize("seed", range(8), ids=[f"random-{i}" for i in range(8)])
def test_random_bytes_never_crash(seed: int) -> None:
    data = random.Random(seed).randbytes(300)
    files: dict[str, Content] = dict.fromkeys(RELEASE_FILES, data)
    for path in RELEASE_FILES:
        with contextlib.suppress(ExtractError):
            OSReleaseExtractor().extract(path, data)
    # Whatever survived parsing must not make detection crash (it may or may not find a distro).
    found = detect_distro(view_of(files))
    assert found is None or isinstance(found[0], Distro)


@pytest.mark.parametrize(
    "text",
    [b"ID=debian\nVERSION_ID=\n", b"ID=\nVERSION_ID=12\n", b"=\n==\nID\n", b"VERSION_ID=12\nID=Debian\n"],
    ids=["empty-version", "empty-id", "no-keys", "uppercase-id"],
)
def test_odd_os_release_does_not_crash(text: bytes) -> None:
    found = detect_distro(view_of({"etc/os-release": text}))
    if found is not None:
        assert found[0].family == "debian"


# ---------------------------------------------------------------------------------------------- end of life


@pytest.mark.parametrize(
    ("family", "release", "extended", "end"),
    [
        ("debian", "10.13", False, date(2024, 6, 30)),
        ("debian", "12.5", False, date(2028, 6, 30)),
        ("ubuntu", "18.04", False, date(2023, 5, 31)),
        ("ubuntu", "18.04", True, date(2028, 4, 30)),
        ("ubuntu", "23.10", True, date(2024, 7, 31)),
        ("alpine", "3.11.5", False, date(2021, 11, 1)),
        ("redhat", "9.4", False, date(2032, 5, 31)),
        ("centos", "7.6.1810", False, date(2024, 6, 30)),
        ("centos-stream", "8", False, date(2024, 5, 31)),
        ("rocky", "8.4", False, date(2029, 5, 31)),
        ("alma", "8.4", False, date(2029, 3, 1)),
        ("oracle", "7.6", False, date(2024, 12, 31)),
        ("amazon", "2018.03", False, date(2023, 12, 31)),
        ("amazon", "2", False, date(2026, 6, 30)),
        ("amazon", "2023.4.20240319", False, date(2029, 6, 30)),
        ("sles", "15.3", False, date(2022, 12, 31)),
        ("cbl-mariner", "2.0", False, date(2025, 7, 31)),
    ],
    ids=[
        "debian-10",
        "debian-12",
        "ubuntu-18.04",
        "ubuntu-18.04-esm",
        "ubuntu-interim-esm",
        "alpine-3.11",
        "rhel-9",
        "centos-7",
        "centos-stream-8",
        "rocky-8",
        "alma-8",
        "oracle-7",
        "amazon-1",
        "amazon-2",
        "amazon-2023",
        "sles-15sp3",
        "mariner-2",
    ],
)
def test_eol_date(family: str, release: str, extended: bool, end: date) -> None:
    distro = Distro(family, release, extended_support=extended)
    assert eol_date(distro) == end
    assert not is_eol(distro, end)
    assert is_eol(distro, date.fromordinal(end.toordinal() + 1))


@pytest.mark.parametrize(
    ("family", "release"),
    [("wolfi", "20230201"), ("debian", "buster/sid"), ("alpine", "edge"), ("ubuntu", "99.04"), ("sles", "15")],
    ids=["rolling", "testing", "alpine-edge", "future", "sles-15-ga"],
)
def test_unknown_eol(family: str, release: str) -> None:
    distro = Distro(family, release)
    assert eol_date(distro) is None
    assert not is_eol(distro, date(2100, 1, 1))


def test_eol_of_a_detected_fixture() -> None:
    distro = detect({"etc/os-release": fixture("os-release/alpine")})
    assert distro is not None
    assert release_key(distro.family, distro.release) == "3.15"
    assert is_eol(distro, date(2024, 1, 1))
    assert not is_eol(distro, date(2023, 6, 1))
