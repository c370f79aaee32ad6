"""lang/dotnet: every ``.deps.json`` fixture variant of EXPECTED.md, the runtime-target rules, layers and damage.

Expected values: EXPECTED.md "Ruby, PHP, .NET, Conda" (Trivy's core_deps parse_test.go). ``ambiguous-root`` and
``missing-target`` are not listed in EXPECTED.md; their expectations were read from the files (two unreferenced
projects: no root; a runtime target missing from ``targets``: every library is kept). Projects are reported as
the application (``main_module``), as Trivy reports them with relationship root/workspace. A real ``dotnet``
build is not reachable from this machine (no NuGet feed, no SDK in Debian's archive), so the fixtures and
hand-made variants stand in for one.
"""

from __future__ import annotations

import base64
import doctest
import json
from pathlib import Path

import msgspec
import pytest

from hullscan.extract import dotnet
from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.dotnet import NAME, DepsFile, DotnetDepsExtractor, parse_deps
from hullscan.extract.packages import PackageAssembler
from hullscan.image.facts import encode_payload
from hullscan.model import FileEntry, FileKind, Package, PackageType
from support.images import TarEntrySpec
from support.lang_locks import LangLayer, locks_scan_image, locks_walk

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
DOTNET = FIXTURES / "lang" / "dotnet"
APP = "app/ExampleApp1.deps.json"


def fixture(name: str) -> bytes:
    return (DOTNET / name).read_bytes()


def packages_of(*layers: LangLayer) -> list[Package]:
    view, _ = locks_walk([DotnetDepsExtractor()], *layers)
    return DotnetDepsExtractor().packages(view, None)


def summary(packages: list[Package]) -> list[tuple[str, str, bool]]:
    return sorted((p.name, p.version, p.main_module) for p in packages)


def test_protocols() -> None:
    ext: Extractor[DepsFile] = DotnetDepsExtractor()
    assert (ext.name, ext.version, ext.payload_type) == ("lang/dotnet", 1, DepsFile)
    assert isinstance(DotnetDepsExtractor(), PackageAssembler)


@pytest.mark.parametrize(
    ("path", "kind", "wanted"),
    [
        (APP, FileKind.FILE, True),
        ("ExampleApp1.deps.json", FileKind.FILE, True),
        (APP, FileKind.HARDLINK, True),
        (APP, FileKind.SYMLINK, False),
        ("app/.deps.json", FileKind.FILE, False),
        ("app/ExampleApp1.runtimeconfig.json", FileKind.FILE, False),
        ("app/ExampleApp1.deps.json.bak", FileKind.FILE, False),
        ("app/deps.json", FileKind.FILE, False),
    ],
    ids=["app", "at-root", "hardlink", "symlink", "suffix-only", "runtimeconfig", "backup", "no-name"],
)
def test_wants(path: str, kind: FileKind, wanted: bool) -> None:
    assert DotnetDepsExtractor().wants(path, FileEntry(path, kind, 0o644, 10)) is wanted


def test_doctests() -> None:
    result = doctest.testmod(dotnet, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("happy.deps.json", [("ExampleApp1", "1.0.0", True), ("Newtonsoft.Json", "13.0.1", False)]),
        (
            "without-runtime.deps.json",
            [("JsonDiffPatch", "2.0.61", False), ("Libuv", "1.9.1", False),
             ("System.Collections.Immutable", "1.3.0", False), ("hello2", "1.0.0", True)],
        ),
        (
            "self-contained.deps.json",
            [("ExampleApp1", "1.0.0", True), ("Microsoft.AspNetCore.App.Runtime.linux-x64", "8.0.0", False),
             ("Microsoft.NETCore.App.Runtime.linux-x64", "8.0.0", False), ("Newtonsoft.Json", "13.0.1", False)],
        ),
        (
            "multi-project.deps.json",
            [("Api", "1.0.0", True), ("Data", "1.0.0", True), ("Newtonsoft.Json", "13.0.3", False),
             ("Web", "1.0.0", True)],
        ),
        ("no-libraries.deps.json", []),
        (
            "analyzer-datacollector.deps.json",
            [("Microsoft.VisualStudio.TestPlatform.Common", "17.2.0-release-20220408-11", True),
             ("Newtonsoft.Json", "9.0.1", False)],
        ),
        # Read from the files (not in EXPECTED.md):
        ("missing-target.deps.json", [("ExampleApp1", "1.0.0", True), ("Newtonsoft.Json", "13.0.1", False)]),
        (
            "ambiguous-root.deps.json",
            [("Newtonsoft.Json", "13.0.3", False), ("Web", "1.0.0", True), ("Worker", "1.0.0", True)],
        ),
    ],
    ids=["happy", "without-runtime", "self-contained", "multi-project", "no-libraries", "datacollector",
         "missing-target", "ambiguous-root"],
)
def test_fixture(name: str, want: list[tuple[str, str, bool]]) -> None:
    got = packages_of({APP: fixture(name)})
    assert summary(got) == want
    for p in got:
        assert (p.type, p.found_in, p.extractor, p.namespace) == (PackageType.NUGET, APP, NAME, "")
        assert p.purl == f"pkg:nuget/{p.name}@{p.version}"
        assert not p.declared
        assert p.layer is not None and p.layer.index == 0


@pytest.mark.parametrize(
    ("name", "root"),
    [
        ("happy.deps.json", "ExampleApp1"),
        ("multi-project.deps.json", "Web"),
        ("without-runtime.deps.json", "hello2"),
        ("missing-target.deps.json", "ExampleApp1"),
        ("ambiguous-root.deps.json", None),
        ("analyzer-datacollector.deps.json", "Microsoft.VisualStudio.TestPlatform.Common"),
    ],
)
def test_root_project(name: str, root: str | None) -> None:
    roots = [lib.name for lib in parse_deps(fixture(name)).libraries if lib.root]
    assert roots == ([root] if root else [])


def test_runtime_target_rules() -> None:
    deps = parse_deps(fixture("without-runtime.deps.json"))
    assert deps.target_found
    runtime = {lib.name: lib.runtime for lib in deps.libraries}
    # Present in the target without runtime/runtimeTargets/native assets: compile-time only.
    assert not runtime["Microsoft.NETCore.App"] and not runtime["NETStandard.Library"]
    assert not runtime["Microsoft.NETCore.Platforms"] and not runtime["System.Net.Http"]
    # runtimeTargets alone (native libuv per RID) counts; absent from the target: kept.
    assert runtime["Libuv"] and runtime["System.Collections.Immutable"]
    assert not parse_deps(fixture("missing-target.deps.json")).target_found


def test_checksum_from_sha512() -> None:
    (newtonsoft,) = [p for p in packages_of({APP: fixture("happy.deps.json")}) if p.name == "Newtonsoft.Json"]
    # The file's "sha512-ppPF...0A==", as hex.
    raw = "ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A=="
    assert newtonsoft.checksum == "sha512:" + base64.b64decode(raw).hex()
    assert newtonsoft.checksum.startswith("sha512:a693c5a4172fc5db1f52")
    (app,) = [p for p in packages_of({APP: fixture("happy.deps.json")}) if p.name == "ExampleApp1"]
    assert app.checksum == ""


def test_other_library_types_are_skipped() -> None:
    doc = {
        "runtimeTarget": {"name": "t"},
        "targets": {"t": {}},
        "libraries": {
            "A/1.0.0": {"type": "package"},
            "B/1.0.0": {"type": "reference"},
            "C/1.0.0": {"type": "referenceassembly"},
            "D/1.0.0": {"type": "msbuildproject"},
            "E/1.0.0": {"type": "Package"},
            "no-version": {"type": "package"},
            "F/": {"type": "package"},
            "G/2.0.0": "junk",
        },
    }
    assert summary(packages_of({APP: json.dumps(doc).encode()})) == [("A", "1.0.0", False), ("E", "1.0.0", False)]


def test_case_insensitive_target_lookup() -> None:
    doc = {
        "runtimeTarget": {"name": "t"},
        "targets": {"t": {"newtonsoft.json/13.0.1": {}, "App/1.0.0": {"runtime": {"App.dll": {}}}}},
        "libraries": {"Newtonsoft.Json/13.0.1": {"type": "package"}, "App/1.0.0": {"type": "project"}},
    }
    assert summary(packages_of({APP: json.dumps(doc).encode()})) == [("App", "1.0.0", True)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (fixture("invalid.deps.json"), "not a valid .deps.json file"),
        (b"[]", "top level is not an object"),
        (b'{"libraries": []}', "'libraries' is not an object"),
        (b"\x7fELF\x02\x01\x01\x00", "not a valid .deps.json file"),
    ],
    ids=["invalid-fixture", "array", "libraries-array", "elf"],
)
def test_broken_file(data: bytes, message: str) -> None:
    with pytest.raises(ExtractError, match=message):
        parse_deps(data, APP)
    view, warnings = locks_walk([DotnetDepsExtractor()], {APP: data})
    assert DotnetDepsExtractor().packages(view, None) == []
    assert [(w.path, w.extractor) for w in warnings] == [(APP, NAME)]


def test_weird_but_valid_shapes() -> None:
    for doc in ({}, {"libraries": None}, {"runtimeTarget": "x", "targets": [], "libraries": {}},
                {"runtimeTarget": {"name": 3}, "targets": {"3": []}, "libraries": {"A/1": {"type": "package"}}}):
        parse_deps(json.dumps(doc).encode())


def test_image_with_two_applications(tmp_path: Path) -> None:
    layers = [
        [TarEntrySpec.file("app/web/Web.deps.json", fixture("multi-project.deps.json"))],
        [TarEntrySpec.file("app/collector/datacollector.deps.json", fixture("analyzer-datacollector.deps.json"))],
    ]
    result = locks_scan_image(tmp_path / "oci", [DotnetDepsExtractor()], layers)
    assert result.inventory.warnings == ()
    got = [(p.name, p.version, p.found_in, p.layer.index if p.layer else -1) for p in result.inventory.packages]
    assert sorted(got) == [
        ("Api", "1.0.0", "app/web/Web.deps.json", 0),
        ("Data", "1.0.0", "app/web/Web.deps.json", 0),
        ("Microsoft.VisualStudio.TestPlatform.Common", "17.2.0-release-20220408-11",
         "app/collector/datacollector.deps.json", 1),
        ("Newtonsoft.Json", "13.0.3", "app/web/Web.deps.json", 0),
        ("Newtonsoft.Json", "9.0.1", "app/collector/datacollector.deps.json", 1),
        ("Web", "1.0.0", "app/web/Web.deps.json", 0),
    ]


def test_fs_lockfiles_fixture_is_the_analyzer_one() -> None:
    same = FIXTURES / "fs-lockfiles" / "dotnet" / "datacollector.deps.json"
    assert summary(packages_of({APP: same.read_bytes()})) == summary(
        packages_of({APP: fixture("analyzer-datacollector.deps.json")})
    )


def test_payload_survives_the_cache_encoding() -> None:
    deps = parse_deps(fixture("self-contained.deps.json"))
    assert msgspec.json.decode(encode_payload(deps), type=DepsFile) == deps


def test_lone_surrogate_escape() -> None:
    data = b'{"libraries": {"A\\ud800/1.0.0": {"type": "package"}}}'
    assert summary(packages_of({APP: data})) == [("A\ufffd", "1.0.0", False)]
