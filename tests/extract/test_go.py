"""lang/go-binary and lang/go-mod: Trivy's Go fixtures, real binaries built here with Debian's Go toolchain and
compared with ``go version -m``, go.mod/go.sum trees, an image scanned end to end, and damaged binaries.

Expected values: EXPECTED.md section 4 "Go binaries" (Trivy's ``parse_test.go``) and, for
``fs-lockfiles/gomod``, Trivy's ``integration/testdata/gomod.json.golden`` (which needs ``submod2`` to carry
``github.com/docker/distribution v2.7.1+incompatible``, a module only its go.sum names).
"""

from __future__ import annotations

import doctest
import io
import random
import re
import shutil
import struct
import subprocess
from pathlib import Path

import msgspec
import pytest

from hullscan.extract import binfmt, gobinary, gomod
from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.gobinary import (
    MAGIC,
    GoBinaryExtractor,
    GoBuildInfo,
    GoDependency,
    GoModule,
    ldflags_version,
    parse_binary,
    parse_modinfo,
    stdlib_version,
    to_packages,
)
from hullscan.extract.gomod import GoModExtractor, GoModuleFile, parse_go_mod, parse_go_sum
from hullscan.extract.packages import PackageAssembler
from hullscan.image.blob import Limits
from hullscan.image.facts import encode_payload
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.image.squash import SquashedView
from hullscan.image.walker import walk_tar
from hullscan.model import FileEntry, FileKind, LayerRef, Package, PackageType
from hullscan.scan import ScanOptions, scan_image
from support.images import TarEntrySpec, build_layer_tar, write_oci_layout
from support.lang_gorust import (
    APP_MODULE,
    APP_VERSION,
    GO_BINARIES,
    UUID_VERSION,
    elf64,
    go_available,
    go_build,
    parse_version_m,
    tree_entries,
)

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
GO = FIXTURES / "lang" / "go"
GOMOD = FIXTURES / "fs-lockfiles" / "gomod"

needs_go = pytest.mark.skipif(not go_available(), reason="needs Debian's golang-go and golang-github-google-uuid-dev")
builds_go = pytest.mark.slow  # the first run builds the test binaries (about a minute), later runs reuse them


def fixture(name: str) -> bytes:
    return (GO / name).read_bytes()


def info_of(data: bytes) -> GoBuildInfo:
    info = parse_binary(data)
    assert info is not None
    return info


def summary(packages: list[Package]) -> list[tuple[str, str, bool]]:
    return [(f"{p.namespace}/{p.name}" if p.namespace else p.name, p.version, p.main_module) for p in packages]


def squash(extractors: tuple[Extractor[object], ...], *layers: list[TarEntrySpec]) -> SquashedView:
    """The layers through the real walker (wants, extract, warnings) and the squash."""
    built = []
    for index, entries in enumerate(layers):
        tar = build_layer_tar(entries)
        facts = walk_tar(io.BytesIO(tar), extractors, limits=Limits(), what=f"layer {index}").build(f"d{index}", 0)
        built.append((LayerRef(index, f"d{index}", f"d{index}", f"step {index}"), facts))
    return SquashedView(built)


# ---------------------------------------------------------------------------------------------- protocol


def test_protocols() -> None:
    binary: Extractor[GoBuildInfo] = GoBinaryExtractor()
    mod: Extractor[GoModuleFile] = GoModExtractor()
    assert (binary.name, binary.version, binary.payload_type) == ("lang/go-binary", 1, GoBuildInfo)
    assert (mod.name, mod.version, mod.payload_type) == ("lang/go-mod", 1, GoModuleFile)
    assert isinstance(GoBinaryExtractor(), PackageAssembler)
    assert isinstance(GoModExtractor(), PackageAssembler)


@pytest.mark.parametrize(
    ("path", "kind", "mode", "size", "wanted"),
    [
        ("usr/local/bin/app", FileKind.FILE, 0o755, 2_000_000, True),
        ("opt/tool/run", FileKind.FILE, 0o700, 50_000, True),
        ("usr/lib/x/libfoo.so", FileKind.FILE, 0o644, 50_000, False),
        ("usr/bin/copied-without-mode", FileKind.FILE, 0o644, 50_000, True),
        ("opt/tool/bin/copied", FileKind.FILE, 0o644, 50_000, True),
        ("opt/tool/bin/sub/data", FileKind.FILE, 0o644, 50_000, False),
        ("app/data.bin", FileKind.FILE, 0o644, 50_000, False),
        ("usr/local/bin/tiny", FileKind.FILE, 0o755, 200, False),
        ("usr/local/bin/huge", FileKind.FILE, 0o755, 2 << 30, False),
        ("usr/local/bin/link", FileKind.HARDLINK, 0o755, 0, True),
        ("usr/local/bin/link", FileKind.HARDLINK, 0o644, 0, False),
        ("usr/local/bin/sym", FileKind.SYMLINK, 0o777, 0, False),
        ("usr/local/bin", FileKind.DIR, 0o755, 0, False),
    ],
    ids=[
        *("exec", "exec-owner", "not-exec", "bin-dir", "nested-bin-dir", "below-bin-dir", "data", "tiny", "huge"),
        *("hardlink", "hardlink-no-x", "symlink", "dir"),
    ],
)
def test_binary_wants(path: str, kind: FileKind, mode: int, size: int, wanted: bool) -> None:
    assert GoBinaryExtractor().wants(path, FileEntry(path, kind, mode, size)) is wanted


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("src/app/go.mod", True),
        ("go.sum", True),
        ("src/app/go.mod.bak", False),
        ("root/go/pkg/mod/github.com/x/y@v1.0.0/go.mod", False),
        ("src/app/vendor/github.com/x/y/go.mod", False),
        ("vendor/x/go.sum", False),
    ],
)
def test_mod_wants(path: str, wanted: bool) -> None:
    assert GoModExtractor().wants(path, FileEntry(path, FileKind.FILE, 0o644, 100)) is wanted


def test_doctests() -> None:
    for module in (gobinary, gomod):
        result = doctest.testmod(module, raise_on_error=False)
        assert result.attempted > 0
        assert result.failed == 0, module.__name__


# ---------------------------------------------------------------------------------------------- Trivy's fixtures


def test_fixture_go115_pointer_layout() -> None:
    """``test.elf``: go1.15.2, the pre-1.18 layout (string headers reached through the load segments)."""
    data = fixture("test.elf")
    assert data[binfmt.parse(data).section(".go.buildinfo").offset + 15] & 2 == 0  # type: ignore[union-attr]
    got = to_packages(info_of(data), "app/test")
    assert summary(got) == [
        ("github.com/aquasecurity/test", "", True),
        ("stdlib", "1.15.2", False),
        ("github.com/aquasecurity/go-pep440-version", "v0.0.0-20210121094942-22b2f8951d46", False),
        ("github.com/aquasecurity/go-version", "v0.0.0-20210121072130-637058cfe492", False),
        ("golang.org/x/xerrors", "v0.0.0-20200804184101-5ec99f83aff1", False),
    ]
    # Trivy writes the stdlib version with a "v" (stdlib@v1.15.2); hullscan writes Go's own number, as the Go
    # vulnerability database does for the standard library.
    assert f"v{got[1].version}" == "v1.15.2"
    assert [p.purl for p in got] == [
        "pkg:golang/github.com/aquasecurity/test",
        "pkg:golang/stdlib@1.15.2",
        "pkg:golang/github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-22b2f8951d46",
        "pkg:golang/github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492",
        "pkg:golang/golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1",
    ]
    assert got[4].checksum == "h1:go1bK/D/BFZV2I8cIQd1NKEZ+0owSTG1fDTci4IqFcE="
    assert (got[4].namespace, got[4].name) == ("golang.org/x", "xerrors")
    assert all(p.type is PackageType.GOLANG and p.found_in == "app/test" and not p.declared for p in got)
    assert all(p.extractor == "lang/go-binary" for p in got)


def test_fixture_main_version_via_ldflags() -> None:
    info = info_of(fixture("main-version-via-ldflags.elf"))
    assert info.main is not None and info.main.module.version == "(devel)"
    assert info.setting("-ldflags") == "-w -X main.version=v1.0.0"
    assert info.setting("vcs.revision") == "9640d75c13845419f5797e2e3ac3475f8d801d79"
    want = [("github.com/aquasecurity/test", "v1.0.0", True), ("stdlib", "1.22.1", False)]
    assert summary(to_packages(info, "x")) == want


def test_fixture_goexperiment() -> None:
    """aarch64, ``go1.22.1 X:loopvar``, built from a file (``path command-line-arguments``, no ``mod``)."""
    info = info_of(fixture("goexperiment"))
    assert info.go_version == "go1.22.1 X:loopvar"
    assert (info.path, info.main, info.deps) == ("command-line-arguments", None, ())
    assert summary(to_packages(info, "x")) == [("stdlib", "1.22.1", False)]


def test_fixture_not_a_binary() -> None:
    assert parse_binary(fixture("not-a-binary.txt")) is None
    assert GoBinaryExtractor().extract("usr/bin/x", fixture("not-a-binary.txt")) is None


def test_payload_survives_the_cache_encoding() -> None:
    for name in ("test.elf", "main-version-via-ldflags.elf", "goexperiment"):
        info = info_of(fixture(name))
        assert msgspec.json.decode(encode_payload(info), type=GoBuildInfo) == info


def _agrees_with_go_version_m(info: GoBuildInfo, text: str) -> None:
    go_version, rows = parse_version_m(text)
    assert info.go_version == go_version
    expected: list[tuple[str, ...]] = [("path", info.path)] if info.path else []
    if info.main is not None:
        m = info.main.module
        expected.append(("mod", m.path, m.version, m.sum))
    for dep in info.deps:
        row = ("dep", dep.module.path, dep.module.version) + ((dep.module.sum,) if dep.module.sum else ())
        expected.append(row)
        if dep.replace is not None:
            expected.append(("=>", dep.replace.path, dep.replace.version, dep.replace.sum))
    for key, value in info.settings:
        quoted = any(c in value for c in " \t\r\n\"`") and value
        expected.append(("build", f'{key}="{value}"' if quoted else f"{key}={value}"))
    # go version -m drops an empty trailing sum on dep lines only when it was never written; compare loosely there.
    normalise = [r[:3] if r[0] == "dep" and r[3:] == ("",) else r for r in rows]
    assert normalise == expected


@needs_go
@pytest.mark.parametrize("name", ["test.elf", "main-version-via-ldflags.elf", "goexperiment"])
def test_fixture_agrees_with_go_version_m(name: str, tmp_path: Path) -> None:
    copy = tmp_path / name
    shutil.copy(GO / name, copy)
    copy.chmod(0o755)
    text = subprocess.run(["go", "version", "-m", str(copy)], capture_output=True, text=True, check=True).stdout
    _agrees_with_go_version_m(info_of(copy.read_bytes()), text)


_READELF_ROW = re.compile(r"^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s")


@pytest.mark.skipif(shutil.which("readelf") is None, reason="needs binutils' readelf")
def test_section_tables_agree_with_readelf() -> None:
    """binfmt's section tables against binutils on real ELF files of this machine (and the fixtures)."""
    candidates = sorted(p for p in Path("/usr/bin").iterdir() if p.is_file() and not p.is_symlink())
    elves = [p for p in candidates if p.read_bytes()[:4] == b"\x7fELF"][:40]
    elves += [GO / "test.elf", GO / "goexperiment", FIXTURES / "lang" / "rust" / "cargo-auditable-test.elf"]
    for path in elves:
        out = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True, text=True, check=True).stdout
        want = []
        for line in out.splitlines():
            m = _READELF_ROW.match(line)
            if m and m[1] != "0":
                size = 0 if m[3] == "NOBITS" else int(m[6], 16)
                want.append((m[2], int(m[5], 16), size, int(m[4], 16)))
        exe = binfmt.parse(path.read_bytes())
        assert exe is not None and exe.problems == ()
        assert [tuple(s) for s in exe.sections[1:]] == want, path


# ---------------------------------------------------------------------------------------------- module info text


def test_modinfo_replacements_quotes_and_noise() -> None:
    text = "\n".join(
        [
            "go\tgo1.22.0",
            "path\tx.io/app/cmd/app",
            "mod\tx.io/app\tv1.4.0\th1:main=",
            "=>\tx.io/app-fork\tv1.4.1\th1:fork=",
            "dep\tx.io/a\tv1.0.0\th1:a=",
            "=>\tx.io/b\tv1.1.0\th1:b=",
            "",
            "dep\tx.io/local\tv0.3.0",
            "=>\t../local\t(devel)\t",
            "dep\t\t(devel)",
            "dep\tx.io/dev\t(devel)",
            'build\t-ldflags="-s -X \\"main.version=v9\\" -extldflags=-static"',
            'build\t"weird key"=`raw value`',
            "build\tCGO_CFLAGS=",
            "build\t=broken",
            'build\tbroken="unterminated',
            "future\tsomething",
        ]
    )
    info = parse_modinfo("go1.22.0", text)
    assert info.path == "x.io/app/cmd/app"
    fork = GoModule("x.io/app-fork", "v1.4.1", "h1:fork=")
    assert info.main == GoDependency(GoModule("x.io/app", "v1.4.0", "h1:main="), fork)
    assert info.settings == (
        ("-ldflags", '-s -X "main.version=v9" -extldflags=-static'),
        ("weird key", "raw value"),
        ("CGO_CFLAGS", ""),
    )
    assert summary(to_packages(info, "x")) == [
        ("x.io/app", "v1.4.0", True),
        ("stdlib", "1.22.0", False),
        ("x.io/b", "v1.1.0", False),
        ("x.io/local", "", False),
        ("x.io/dev", "", False),
    ]
    assert to_packages(info, "x")[2].checksum == "h1:b="


@pytest.mark.parametrize(
    ("go_version", "std"),
    [
        ("go1.21.5", "1.21.5"),
        ("go1.22.1 X:loopvar", "1.22.1"),
        ("go1.21", "1.21"),
        ("go1.22rc2", "1.22rc2"),
        ("devel go1.23-1f2c Tue Jan 2 2024", ""),
        ("", ""),
    ],
)
def test_stdlib_version(go_version: str, std: str) -> None:
    assert stdlib_version(go_version) == std


# Trivy's TestParser_ParseLDFlags cases (pkg/dependency/parser/golang/binary/parse_test.go), as flag strings.
T = "github.com/aquasecurity/trivy"
TP = f"{T}/pkg"
ARGO = "github.com/argoproj/argo-cd/v2"


@pytest.mark.parametrize(
    ("module", "flags", "want"),
    [
        (T, f"-s -w -X=foo=bar -X='{TP}/version/app.ver=v0.50.1'", "v0.50.1"),
        (T, f"-s -w -X=foo=bar -X='{TP}/version.Version=v0.50.1'", "v0.50.1"),
        (T, f"-s -w -X=foo=bar -X='{TP}/version.Ver=v0.50.1'", "v0.50.1"),
        (T, f'-s -w -X=foo=bar -X="{TP}/version.Ver=0.50.1"', "0.50.1"),
        (T, f"-X='{T}/cmd/Any.Ver=0.50.0' -X='{TP}/version.Ver=0.50.1'", "0.50.0"),
        (T, f"-X='{T}/cmd/Any.Ver=0.50.0'", "0.50.0"),
        (T, f"-X='{T}/cmd/Any.Ver=0.50.0' -X='{TP}/Any.Ver=0.50.1'", "0.50.0"),
        (T, f"-X='{TP}/Common.Ver=0.50.1'", "0.50.1"),
        (T, f"-X='{TP}/Any.Ver=0.50.0' -X='{TP}/Common.Ver=0.50.1'", "0.50.1"),
        (T, f"-X='{TP}/Any.Ver=0.50.1'", "0.50.1"),
        (T, f"-X='{TP}/Common.Ver=0.50.0' -X='{TP}/Main.Ver=0.50.1'", ""),
        (T, f"-X='{TP}/Any.Ver=0.50.1' -X='{TP}/Any-pref.Ver=0.50.0'", ""),
        (ARGO, f"-s -w -X='{ARGO}/common.kubectlVersion=v0.26.11'", ""),
        ("github.com/aquasecurity/test", "", ""),
        ("x.io/app", "-X main.version=not-a-version", ""),
        ("x.io/app", "-Xmain.version=1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5"),
        ("x.io/app", "-X 'main.version=1.0", ""),  # unbalanced quote: nothing believed
    ],
)
def test_ldflags_version(module: str, flags: str, want: str) -> None:
    assert ldflags_version(module, flags) == want


def test_pseudo_version_gives_way_to_ldflags() -> None:
    """Go 1.24 stamps the main module with a VCS pseudo-version; an explicit -X version is better."""
    text = "mod\tx.io/app\tv0.0.0-20240101000000-abcdefabcdef+dirty\t\nbuild\t-ldflags=\"-X main.version=v2.0.0\"\n"
    assert summary(to_packages(parse_modinfo("go1.24.0", text), "x"))[0] == ("x.io/app", "v2.0.0", True)
    text = "mod\tx.io/app\tv1.5.0\t\nbuild\t-ldflags=\"-X main.version=v2.0.0\"\n"
    assert summary(to_packages(parse_modinfo("go1.24.0", text), "x"))[0] == ("x.io/app", "v1.5.0", True)


# ---------------------------------------------------------------------------------------------- real binaries


@builds_go
@needs_go
@pytest.mark.parametrize("name", GO_BINARIES)
def test_real_build_agrees_with_go_version_m(name: str) -> None:
    build = go_build()
    info = info_of(build.binary(name).read_bytes())
    _agrees_with_go_version_m(info, build.version_m(name))


@builds_go
@needs_go
@pytest.mark.parametrize(
    ("name", "fmt", "main_version"),
    [
        ("app", "elf", APP_VERSION),
        ("app-stripped", "elf", APP_VERSION),
        ("app.exe", "pe", ""),
        ("app-darwin", "macho", ""),
    ],
)
def test_real_build_packages(name: str, fmt: str, main_version: str) -> None:
    data = go_build().binary(name).read_bytes()
    assert binfmt.detect(data) == fmt
    got = to_packages(info_of(data), f"usr/local/bin/{name}")
    std = stdlib_version(subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, check=True).stdout)
    assert summary(got) == [
        (APP_MODULE, main_version, True),
        ("stdlib", std, False),
        ("example.com/greet", "", False),  # replaced by ../greet: a directory, no version to report
        ("github.com/google/uuid", UUID_VERSION, False),
    ]
    assert got[3].purl == f"pkg:golang/github.com/google/uuid@{UUID_VERSION}"


@builds_go
@needs_go
def test_real_build_gopath_mode() -> None:
    """A GOPATH-mode build (Debian's /usr/share/gocode) records no modules: only the toolchain is known."""
    assert summary(to_packages(info_of(go_build().binary("gopath-app").read_bytes()), "x"))[0][0] == "stdlib"
    assert len(to_packages(info_of(go_build().binary("gopath-app").read_bytes()), "x")) == 1


# ---------------------------------------------------------------------------------------------- go.mod / go.sum

ROOT_MOD_PACKAGES = [
    ("github.com/testdata/testdata", "", True),
    ("github.com/open-policy-agent/opa", "v0.35.0", False),
    ("golang.org/x/net", "v0.0.0-20211111083644-e5c967477495", False),
    ("golang.org/x/sys", "v0.0.0-20211205182925-97ca703d548d", False),
    ("github.com/docker/distribution", "v2.7.1+incompatible", False),
    ("github.com/docker/docker", "v20.10.11+incompatible", False),
    ("github.com/docker/go-connections", "v0.4.0", False),
    ("github.com/docker/go-units", "v0.4.0", False),
    ("go.opencensus.io", "v0.23.0", False),
    ("go4.org/intern", "v0.0.0-20211027215823-ae77deb06f29", False),
    ("go4.org/unsafe/assume-no-moving-gc", "v0.0.0-20211027215541-db492cf91b37", False),
    ("golang.org/x/crypto", "v0.0.0-20201002170205-7f63de1d35b0", False),
    ("golang.org/x/text", "v0.3.6", False),
    ("golang.org/x/time", "v0.0.0-20210723032227-1f47c861a9ac", False),
    ("google.golang.org/genproto", "v0.0.0-20210602131652-f16073e35f0c", False),
    ("google.golang.org/grpc", "v1.38.0", False),
    ("google.golang.org/protobuf", "v1.27.1", False),
    ("gopkg.in/yaml.v2", "v2.4.0", False),
    ("gopkg.in/yaml.v3", "v3.0.0-20210107192922-496545a6307b", False),
]
GO_SUM_EXTRAS = [
    ("github.com/pmezard/go-difflib", "v1.0.0", False),
    ("github.com/stretchr/testify", "v1.7.0", False),
    ("gopkg.in/check.v1", "v0.0.0-20161208181325-20d25e280405", False),
    ("gopkg.in/yaml.v3", "v3.0.0-20200313102051-9f266ea9e77c", False),
]


def _gomod_tree(prefix: str = "src/app") -> list[TarEntrySpec]:
    return tree_entries(GOMOD, prefix)


def test_fs_lockfiles_gomod() -> None:
    view = squash((GoModExtractor(),), _gomod_tree())
    got = GoModExtractor().packages(view, None)
    by_file: dict[str, list[Package]] = {}
    for p in got:
        by_file.setdefault(p.found_in.rpartition("/")[0], []).append(p)
    assert sorted(by_file) == ["src/app", "src/app/submod", "src/app/submod2"]
    # go 1.17: go.mod is complete, go.sum adds nothing.
    root = [p for p in got if p.found_in == "src/app/go.mod"]
    assert summary(root) == ROOT_MOD_PACKAGES
    assert not [p for p in got if p.found_in == "src/app/go.sum"]
    # go 1.15: go.sum's built modules are added; go-spew and objx appear only as "/go.mod" lines and are not.
    submod = by_file["src/app/submod"]
    assert summary(submod) == [
        ("github.com/testdata/testdata/submod", "", True),
        ("github.com/docker/distribution", "v2.7.1+incompatible", False),
        *GO_SUM_EXTRAS,
    ]
    submod2 = summary(by_file["src/app/submod2"])
    assert submod2[:2] == [
        ("github.com/testdata/testdata/submod2", "", True),
        ("github.com/davecgh/go-spew", "v1.1.0", False),
    ]
    # Trivy's gomod golden: submod2 reports GMS-2022-20 on docker/distribution, which only its go.sum names.
    assert ("github.com/docker/distribution", "v2.7.1+incompatible", False) in submod2
    # Trivy's golden also names these (with their vulnerabilities) in go.mod.
    ids = {(f"{p.namespace}/{p.name}", p.version) for p in root}
    assert {("github.com/open-policy-agent/opa", "v0.35.0"), ("golang.org/x/text", "v0.3.6")} <= ids
    for p in got:
        assert p.declared and p.type is PackageType.GOLANG and p.extractor == "lang/go-mod"
    dist = next(p for p in root if p.name == "distribution")
    assert dist.purl == "pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible"
    assert dist.checksum == "h1:a5mlkVzth6W5A4fOsS3D2EO5BUmsJpcB+cRlLU7cSug="


def test_go_sum_alone() -> None:
    go_sum = TarEntrySpec.file("app/go.sum", (GOMOD / "submod2" / "go.sum").read_bytes())
    view = squash((GoModExtractor(),), [go_sum])
    got = GoModExtractor().packages(view, None)
    # Content-hash lines only, the last version of each module; go-spew and objx have only "/go.mod" lines.
    assert summary(got) == [*GO_SUM_EXTRAS, ("github.com/docker/distribution", "v2.7.1+incompatible", False)]
    assert {p.found_in for p in got} == {"app/go.sum"}


def test_go_mod_deleted_in_a_later_layer_leaves_go_sum() -> None:
    base = [
        TarEntrySpec.file("app/go.mod", (GOMOD / "submod" / "go.mod").read_bytes()),
        TarEntrySpec.file("app/go.sum", (GOMOD / "submod" / "go.sum").read_bytes()),
    ]
    view = squash((GoModExtractor(),), base, [TarEntrySpec.whiteout("app/go.mod")])
    got = GoModExtractor().packages(view, None)
    assert {p.found_in for p in got} == {"app/go.sum"}
    assert all(p.layer is not None and p.layer.index == 0 for p in got)


def test_go_mod_directives() -> None:
    text = b"""// a comment
module "x.io/app" // trailing comment

go 1.22.0
toolchain go1.22.5
godebug default=go1.21

require x.io/single v1.0.0
require (
    x.io/a v1.0.0 // indirect
    x.io/b v1.1.0 // indirect; some note
    x.io/c v1.2.0 // not indirect
    `x.io/quoted` v1.3.0
    x.io/local v0.1.0
    x.io/local2 v0.1.0
    x.io/pinned v1.0.0
)
replace (
    x.io/a => x.io/a-fork v1.0.5
    x.io/b v9.9.9 => x.io/b-never v1.0.0
    x.io/local => ./local
    x.io/local2 v0.1.0 => ../local2
    x.io/pinned => x.io/pinned-general v2.0.0
    x.io/pinned v1.0.0 => x.io/pinned-exact v3.0.0
)
exclude x.io/c v1.1.9
retract [v0.9.0, v0.9.5]
require x.io/broken
require ( extra
"""
    mod = parse_go_mod(text)
    assert (mod.module, mod.go, mod.toolchain) == ("x.io/app", "1.22.0", "go1.22.5")
    assert [(r.path, r.indirect) for r in mod.requires] == [
        ("x.io/single", False),
        ("x.io/a", True),
        ("x.io/b", True),
        ("x.io/c", False),
        ("x.io/quoted", False),
        ("x.io/local", False),
        ("x.io/local2", False),
        ("x.io/pinned", False),
    ]
    assert mod.excludes == (("x.io/c", "v1.1.9"),)
    assert summary(gomod.mod_packages(mod, "go.mod")) == [
        ("x.io/app", "", True),
        ("x.io/single", "v1.0.0", False),
        ("x.io/a-fork", "v1.0.5", False),
        ("x.io/b", "v1.1.0", False),  # the replace names another version
        ("x.io/c", "v1.2.0", False),
        ("x.io/quoted", "v1.3.0", False),
        ("x.io/local", "", False),
        ("x.io/local2", "", False),
        ("x.io/pinned-exact", "v3.0.0", False),  # a replace naming the version wins
    ]


@pytest.mark.parametrize("data", [b"\x7fELF\x02\x01\x01\x00\x00\x00", random.Random(3).randbytes(512) + b"\x00"])
def test_go_mod_binary_garbage(data: bytes) -> None:
    with pytest.raises(ExtractError, match="binary content"):
        GoModExtractor().extract("app/go.mod", data)
    with pytest.raises(ExtractError, match="binary content"):
        GoModExtractor().extract("app/go.sum", data)


def test_go_mod_text_garbage() -> None:
    assert parse_go_mod(b"not a go.mod (at all)\n)))\nrequire\n") == gomod.GoMod()
    assert parse_go_sum(b"one two\nthree four five six\n").lines == ()


# ---------------------------------------------------------------------------------------------- hostile binaries

_CHECKED = (ExtractError,)


def _outcome(data: bytes) -> str:
    """'ok', 'none' or 'error': anything else (an exception of another type) fails the test."""
    try:
        info = GoBinaryExtractor().extract("usr/bin/x", data)
    except _CHECKED:
        return "error"
    return "none" if info is None else "ok"


def test_script_with_executable_bit() -> None:
    script = b"#!/bin/sh\nexec /usr/bin/env python3 \"$@\"\n" + b"# padding\n" * 200
    assert GoBinaryExtractor().extract("usr/local/bin/run", script) is None


@pytest.mark.parametrize("name", ["test.elf", "main-version-via-ldflags.elf", "goexperiment"])
def test_truncated_binaries(name: str) -> None:
    data = fixture(name)
    buildinfo = binfmt.parse(data).section(".go.buildinfo")  # type: ignore[union-attr]
    assert buildinfo is not None
    bi = buildinfo.offset
    cuts = {0, 3, 4, 16, 52, 63, 64, 100, 1000, 4096, len(data) // 2, bi, bi + 20, bi + 40, len(data) - 1}
    for cut in sorted(cuts):
        outcome = _outcome(data[:cut])
        # Cut after the build info (and the strings it points to), the writable segment still yields it.
        assert outcome in (("none", "error") if cut < buildinfo.offset + 64 else ("none", "error", "ok")), cut


def test_section_headers_past_the_end_fall_back_to_a_scan() -> None:
    for name in ("test.elf", "main-version-via-ldflags.elf"):
        data = bytearray(fixture(name))
        struct.pack_into("<Q", data, 0x28, len(data) + 4096)  # e_shoff
        exe = binfmt.parse(bytes(data))
        assert exe is not None and exe.sections == () and "past the end" in exe.problems[0]
        # The build info is still found in the writable load segment, in both layouts.
        assert parse_binary(bytes(data)) == parse_binary(fixture(name))


def test_absurd_section_count() -> None:
    data = bytearray(fixture("main-version-via-ldflags.elf"))
    struct.pack_into("<H", data, 0x3C, 0)  # e_shnum = 0: extended numbering, count in section 0's sh_size
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    struct.pack_into("<Q", data, shoff + 32, 1 << 60)
    exe = binfmt.parse(bytes(data))
    assert exe is not None and exe.sections == () and exe.problems
    assert _outcome(bytes(data)) == "ok"  # found by the scan


def _inline_buildinfo(version: bytes, modinfo: bytes) -> bytes:
    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not n:
                return bytes(out)

    header = MAGIC + bytes([8, 2]) + bytes(16)
    return header + varint(len(version)) + version + varint(len(modinfo)) + modinfo


_SENTINELS = (b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6", b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2")


def test_synthetic_inline_build_info() -> None:
    modinfo = _SENTINELS[0] + b"path\tx.io/a\nmod\tx.io/a\tv1.0.0\t\n" + _SENTINELS[1]
    data = elf64([(".go.buildinfo", _inline_buildinfo(b"go1.21.5", modinfo), 0x500000)])
    assert summary(to_packages(info_of(data), "x")) == [("x.io/a", "v1.0.0", True), ("stdlib", "1.21.5", False)]
    # Module info without its sentinels is ignored, as Go does, but the toolchain is still known.
    data = elf64([(".go.buildinfo", _inline_buildinfo(b"go1.21.5", b"path\tx.io/a\n"), 0x500000)])
    assert summary(to_packages(info_of(data), "x")) == [("stdlib", "1.21.5", False)]


@pytest.mark.parametrize(
    "blob",
    [
        MAGIC + bytes([8, 2]) + bytes(16) + b"\xff" * 9 + b"\x01",  # length 2**63: absurd
        MAGIC + bytes([8, 2]) + bytes(16) + b"\xff" * 12,  # varint that never ends
        MAGIC + bytes([8, 2]) + bytes(16) + b"\x80\x80\x80\x04go",  # 8 MiB promised, 2 bytes there
        MAGIC + bytes([8, 2]) + bytes(16) + b"\x08go1.21.5\xff\xff\xff\x7f",  # module info past the end
        MAGIC + bytes([3, 0]) + bytes(16),  # pointer size 3
        MAGIC + bytes([8, 0]) + struct.pack("<QQ", 0xDEAD0000, 0xBEEF0000),  # pointers outside the file
        MAGIC + bytes([8, 0]),  # header cut short
        b"not the magic at all" + bytes(32),
    ],
    ids=[
        *("huge-length", "endless-varint", "short-string", "modinfo-past-end", "pointer-size", "wild-pointers"),
        *("short-header", "no-magic"),
    ],
)
def test_damaged_build_info_section(blob: bytes) -> None:
    data = elf64([(".go.buildinfo", blob, 0x500000)], loads=[".go.buildinfo"])
    with pytest.raises(ExtractError, match=r"usr/bin/x: Go build info"):
        GoBinaryExtractor().extract("usr/bin/x", data)


def test_pointer_layout_through_load_segments() -> None:
    """The pre-1.18 layout: pointers to string headers, followed through a PT_LOAD segment."""
    base = 0x600000
    version, modinfo = b"go1.16.15", _SENTINELS[0] + b"mod\tx.io/old\t(devel)\t\n" + _SENTINELS[1]
    # Header (32 bytes), then two string headers, then the string bytes, all in one section at `base`.
    strings_at = base + 32 + 32
    body = struct.pack("<QQ", strings_at, len(version)) + struct.pack("<QQ", strings_at + len(version), len(modinfo))
    blob = MAGIC + bytes([8, 0]) + struct.pack("<QQ", base + 32, base + 48) + body + version + modinfo
    data = elf64([(".go.buildinfo", blob, base)], loads=[".go.buildinfo"])
    assert summary(to_packages(info_of(data), "x")) == [("x.io/old", "", True), ("stdlib", "1.16.15", False)]


def test_random_mutations_never_crash() -> None:
    """Flip bytes in the headers and the build info of a real binary: only a payload, None or ExtractError."""
    original = fixture("main-version-via-ldflags.elf")
    shoff = struct.unpack_from("<Q", original, 0x28)[0]
    bi = binfmt.parse(original).section(".go.buildinfo").offset  # type: ignore[union-attr]
    regions = [(0, 64), (64, 64 + 56 * 8), (shoff, shoff + 64 * 16), (bi, bi + 64)]
    rng = random.Random(2024)
    outcomes = set()
    for _ in range(400):
        data = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            start, end = rng.choice(regions)
            data[rng.randrange(start, min(end, len(data)))] = rng.randrange(256)
        outcomes.add(_outcome(bytes(data)))
    assert outcomes <= {"ok", "none", "error"}
    assert "ok" in outcomes


@pytest.mark.parametrize(
    "data",
    [
        b"MZ" + bytes(100),  # a DOS stub without a PE header
        b"MZ" + bytes(58) + struct.pack("<I", 64) + b"PE\x00\x00" + bytes(20),  # optional header missing
        b"\xcf\xfa\xed\xfe" + bytes(12) + struct.pack("<II", 5, 1 << 20) + bytes(8),  # load commands past the end
        b"\xcf\xfa\xed\xfe" + bytes(12) + struct.pack("<II", 1, 8) + bytes(8) + struct.pack("<II", 0x19, 4),
        b"\x7fELF\x03\x01" + bytes(100),  # unknown class
        b"\x7fELF",
    ],
    ids=["dos", "pe-no-optional", "macho-commands", "macho-bad-cmdsize", "elf-class", "elf-magic-only"],
)
def test_other_damaged_headers(data: bytes) -> None:
    assert _outcome(data + bytes(1100)) in ("none", "error")
    assert _outcome(data) in ("none", "error")


# ---------------------------------------------------------------------------------------------- end to end


def _scan(tmp_path: Path, layers: list[list[TarEntrySpec]]) -> tuple[list[Package], tuple[object, ...]]:
    image = write_oci_layout(tmp_path / "layout", layers, history=[f"RUN step {i}" for i in range(len(layers))])
    options = ScanOptions(extractors=(GoBinaryExtractor(), GoModExtractor()), cache=None)
    result = scan_image(open_source(image.ref, SourceOptions()), options)
    return list(result.inventory.packages), result.inventory.warnings


def test_image_end_to_end(tmp_path: Path) -> None:
    """Trivy's binaries in one layer, a go.mod tree and a script too; a later layer replaces one binary and
    deletes a go.mod directory."""
    script = b"#!/bin/sh\necho hello\n" + b"#" * 2000 + b"\n"
    layer0 = [
        TarEntrySpec.file("usr/local/bin/trivy-test", fixture("test.elf"), mode=0o755),
        TarEntrySpec.file("usr/local/bin/versioned", fixture("main-version-via-ldflags.elf"), mode=0o755),
        TarEntrySpec.file("usr/local/bin/run.sh", script, mode=0o755),
        TarEntrySpec.file("usr/share/doc/notes.txt", fixture("not-a-binary.txt") * 100, mode=0o644),
        *_gomod_tree("src/app"),
    ]
    layer1 = [
        TarEntrySpec.file("usr/local/bin/versioned", fixture("goexperiment"), mode=0o755),
        TarEntrySpec.whiteout("src/app/submod2"),
    ]
    packages, warnings = _scan(tmp_path, [layer0, layer1])
    assert warnings == ()
    binaries = [p for p in packages if p.extractor == "lang/go-binary"]
    by_file: dict[str, set[tuple[str, str, bool]]] = {}
    for p in binaries:
        by_file.setdefault(p.found_in, set()).update(summary([p]))
    assert by_file == {
        "usr/local/bin/trivy-test": set(summary(to_packages(info_of(fixture("test.elf")), ""))),
        "usr/local/bin/versioned": {("stdlib", "1.22.1", False)},
    }
    for p in binaries:
        assert p.layer is not None
        assert p.layer.index == (0 if p.found_in.endswith("trivy-test") else 1)
        assert p.layer.created_by == f"RUN step {p.layer.index}"
    mods = [p for p in packages if p.extractor == "lang/go-mod"]
    assert {p.found_in.rpartition("/")[0] for p in mods} == {"src/app", "src/app/submod"}
    assert all(p.layer is not None and p.layer.index == 0 for p in mods)


@builds_go
@needs_go
def test_real_binary_in_an_image(tmp_path: Path) -> None:
    build = go_build()
    layer = [
        TarEntrySpec.file("app/server", build.binary("app").read_bytes(), mode=0o755),
        TarEntrySpec.file("app/server.exe", build.binary("app.exe").read_bytes(), mode=0o644),  # not wanted
        TarEntrySpec.file("usr/bin/stripped", build.binary("app-stripped").read_bytes(), mode=0o644),  # bin dir
    ]
    packages, warnings = _scan(tmp_path, [layer])
    assert warnings == ()
    assert {p.found_in for p in packages} == {"app/server", "usr/bin/stripped"}
    server = [p for p in packages if p.found_in == "app/server"]
    assert ("github.com/google/uuid", UUID_VERSION, False) in summary(server)
    assert (APP_MODULE, APP_VERSION, True) in summary(server)
