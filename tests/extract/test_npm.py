"""lang/npm and lang/npm-lock: Trivy's package.json fixtures (EXPECTED.md section 4, "Node.js"), the fs-lockfiles
npm and yarn projects, package-lock v1/v2/v3 and yarn classic/berry shapes, broken files, layers, and real installs
made by npm, yarn classic and yarn berry compared with ``npm ls --all --json``, scanned end to end through
``scan_image``.
"""

from __future__ import annotations

import doctest
import json
from collections.abc import Mapping
from pathlib import Path

import msgspec
import pytest
from packageurl import PackageURL

from hullscan.extract import npm, npm_lock
from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.npm import NpmExtractor, NpmManifest, license_ids, parse_package_json
from hullscan.extract.npm_lock import (
    LockFile,
    NpmLockExtractor,
    NpmLockFile,
    parse_package_lock,
    parse_project_manifest,
    parse_yarn_lock,
)
from hullscan.extract.packages import PackageAssembler
from hullscan.image.facts import encode_payload
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.model import FileEntry, FileKind, Package, PackageType
from hullscan.scan import ScanOptions, ScanResult, scan_image
from support.images import TarEntrySpec, write_oci_layout
from support.lang_pynode import NodeInstalls, node_installs, npm_ls_ids, tree_entries
from support.views import Content, Symlink, Whiteout, view_of

SHARED = Path(__file__).resolve().parents[3] / "shared"
NODE = SHARED / "fixtures" / "lang" / "node"
LOCKFILES = SHARED / "fixtures" / "fs-lockfiles"


def installed(*layers: Mapping[str, Content]) -> list[Package]:
    return NpmExtractor().packages(view_of([NpmExtractor()], *layers), None)


def locked(*layers: Mapping[str, Content], include_dev: bool = False) -> list[Package]:
    ext = NpmLockExtractor(include_dev=include_dev)
    return ext.packages(view_of([NpmExtractor(), ext], *layers), None)


def ids(packages: list[Package]) -> set[str]:
    return {f"{p.namespace}/{p.name}@{p.version}" if p.namespace else f"{p.name}@{p.version}" for p in packages}


def deps(packages: list[Package]) -> set[str]:
    """The dependencies a lock declares: its root project left out."""
    return ids([p for p in packages if not p.main_module])


def fixture_dir(root: Path, prefix: str) -> dict[str, Content]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {f"{prefix}/{p.relative_to(root).as_posix()}": p.read_bytes() for p in files}


# ---------------------------------------------------------------------------------------------- the protocol


def test_protocols() -> None:
    ext: Extractor[NpmManifest] = NpmExtractor()
    assert (ext.name, ext.version, ext.payload_type) == ("lang/npm", 1, NpmManifest)
    lock: Extractor[NpmLockFile] = NpmLockExtractor()
    assert (lock.name, lock.version, lock.payload_type) == ("lang/npm-lock", 1, NpmLockFile)
    assert isinstance(NpmExtractor(), PackageAssembler)
    assert isinstance(NpmLockExtractor(), PackageAssembler)


def test_doctests() -> None:
    for module in (npm, npm_lock):
        result = doctest.testmod(module, raise_on_error=False)
        assert result.failed == 0, module.__name__


@pytest.mark.parametrize(
    ("path", "npm_wanted", "lock_wanted"),
    [
        ("app/node_modules/lodash/package.json", True, False),
        ("node_modules/lodash/package.json", True, False),
        ("app/node_modules/@types/node/package.json", True, False),
        ("app/node_modules/a/node_modules/b/package.json", True, False),
        ("app/node_modules/a/node_modules/@s/b/package.json", True, False),
        ("usr/lib/node_modules/npm/package.json", True, False),
        ("usr/lib/node_modules/npm/node_modules/abbrev/package.json", True, False),
        ("app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json", True, False),
        ("app/node_modules/lodash/test/fixtures/package.json", False, False),
        ("app/node_modules/firebase/firestore/package.json", False, False),
        ("app/node_modules/@types/package.json", False, False),
        ("app/node_modules/@/x/package.json", False, False),
        ("app/node_modules/.cache/package.json", False, False),
        ("app/node_modules/.package-lock.json", False, False),
        ("app/node_modules/lodash/package-lock.json", False, False),
        ("app/node_modules/lodash/yarn.lock", False, False),
        ("app/package.json", False, True),
        ("package.json", False, True),
        ("app/package-lock.json", False, True),
        ("app/npm-shrinkwrap.json", False, True),
        ("app/yarn.lock", False, True),
        ("srv/packages/a/package.json", False, True),
        ("app/node_modules/lodash/package.jsonx", False, False),
        ("etc/os-release", False, False),
    ],
)
def test_wants(path: str, npm_wanted: bool, lock_wanted: bool) -> None:
    entry = FileEntry(path, FileKind.FILE, 0o644, 100)
    assert NpmExtractor().wants(path, entry) is npm_wanted
    assert NpmLockExtractor().wants(path, entry) is lock_wanted
    link = FileEntry(path, FileKind.SYMLINK, 0o777, 0)
    assert not NpmExtractor().wants(path, link)
    assert not NpmLockExtractor().wants(path, link)


def test_payloads_survive_the_cache_encoding() -> None:
    manifest = parse_package_json((NODE / "legacy_array_package.json").read_bytes())
    assert manifest is not None
    assert msgspec.json.decode(encode_payload(manifest), type=NpmManifest) == manifest
    lock = NpmLockFile(lock=parse_package_lock((LOCKFILES / "npm" / "package-lock.json").read_bytes()))
    assert msgspec.json.decode(encode_payload(lock), type=NpmLockFile) == lock


# ---------------------------------------------------------------------------------------------- EXPECTED.md: lang/node


# EXPECTED.md, "Node.js" (Trivy's packagejson/parse_test.go): name, version, licences as written, then SPDX ids.
PARSER_CASES = [
    ("package.json", "bootstrap", "5.0.2", ("MIT",), ("MIT",)),
    ("legacy_package.json", "angular", "4.1.2", ("ISC",), ("ISC",)),
    ("legacy_array_package.json", "tv4", "1.3.0", ("Public Domain", "MIT"), ("Public-Domain", "MIT")),
    ("mixed_array_license_package.json", "mixed-array-license", "1.0.0", ("MIT",), ("MIT",)),
    ("empty_array_license_package.json", "empty-array-license", "1.0.0", (), ()),
    ("invalid_license_package.json", "weird-license", "1.0.0", (), ()),
    ("null_license_package.json", "null-license", "1.0.0", (), ()),
    ("unknown_license_object_package.json", "unknown-license-object", "1.0.0", (), ()),
    ("workspace_as_map_package.json", "example", "1.0.0", (), ()),
]


@pytest.mark.parametrize(("file", "name", "version", "raw", "spdx"), PARSER_CASES, ids=[c[0] for c in PARSER_CASES])
def test_package_json_fixture(file: str, name: str, version: str, raw: tuple[str, ...], spdx: tuple[str, ...]) -> None:
    m = parse_package_json((NODE / file).read_bytes(), file)
    assert m is not None
    assert (m.name, m.version, m.licenses) == (name, version, raw)
    (p,) = installed({f"app/node_modules/{name}/package.json": (NODE / file).read_bytes()})
    assert (p.name, p.version, p.licenses) == (name, version, spdx)
    assert p.purl == f"pkg:npm/{name}@{version}"
    assert (p.type, p.extractor, p.found_in) == (PackageType.NPM, "lang/npm", f"app/node_modules/{name}/package.json")
    assert not p.declared


@pytest.mark.parametrize(
    "file", ["without_version_package.json", "without_name_and_version_package.json", "analyzer/noname.json"]
)
def test_manifest_without_name_or_version_is_not_a_package(file: str) -> None:
    """Trivy: an empty ID is skipped (no package, no error)."""
    assert parse_package_json((NODE / file).read_bytes(), file) is None
    assert installed({"app/node_modules/x/package.json": (NODE / file).read_bytes()}) == []


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("invalid_name.json", "not URL-safe"),
        ("invalid_package.json", "not a JSON package manifest"),
        ("analyzer/sad.json", "not a JSON package manifest"),
    ],
)
def test_broken_manifest(file: str, message: str) -> None:
    with pytest.raises(ExtractError, match=message):
        parse_package_json((NODE / file).read_bytes(), file)
    assert installed({"app/node_modules/x/package.json": (NODE / file).read_bytes()}) == []


def test_analyzer_fixture_private_package_is_kept() -> None:
    """Trivy's analyzer/package.json (private: true) is lodash 5.0.0, MIT: installed, whatever it says about
    publishing."""
    (p,) = installed({"app/node_modules/lodash/package.json": (NODE / "analyzer" / "package.json").read_bytes()})
    assert (p.name, p.version, p.licenses) == ("lodash", "5.0.0", ("MIT",))


@pytest.mark.parametrize(
    ("license_value", "spdx"),
    [
        ('"(MIT OR Apache-2.0)"', ("MIT", "Apache-2.0")),
        ('"MIT AND CC-BY-3.0"', ("MIT", "CC-BY-3.0")),
        ('"SEE LICENSE IN LICENSE.md"', ("SEE LICENSE IN LICENSE.md",)),
        ('"UNLICENSED"', ("UNLICENSED",)),
        ('"Apache License, Version 2.0"', ("Apache-2.0",)),
        ('{"type": "BSD", "url": "http://x"}', ("BSD-3-Clause",)),
        ('["MIT", {"type": "ISC"}, 3, null]', ("MIT", "ISC")),
        ('""', ()),
    ],
)
def test_license_forms(license_value: str, spdx: tuple[str, ...]) -> None:
    data = f'{{"name": "x", "version": "1.0.0", "license": {license_value}}}'.encode()
    m = parse_package_json(data)
    assert m is not None and license_ids(m.licenses) == spdx


def test_legacy_licenses_array() -> None:
    data = b'{"name": "x", "version": "1.0.0", "licenses": [{"type": "MIT"}, {"type": "GPL-2.0"}]}'
    m = parse_package_json(data)
    assert m is not None and license_ids(m.licenses) == ("MIT", "GPL-2.0-only")


@pytest.mark.parametrize(
    ("name", "version"),
    [("lodash", "4.17.21"), ("@types/node", "18.0.0"), ("JSONStream", "1.3.5"), ("@Scope/X", "1.0.0-rc.1"),
     ("a.b_c-d", "0.0.1"), ("x", "1.0.0+build.5"), ("@s/c~!*()'", "1"), ("weird name", "1"), ("x", "git+ssh://h/r")],
)
def test_purl_fast_path_agrees_with_packageurl(name: str, version: str) -> None:
    namespace, short = npm.split_name(name)
    want = PackageURL(type="npm", namespace=namespace or None, name=short, version=version).to_string()
    assert npm.package_url(name, version) == want


def test_scoped_package() -> None:
    (p,) = installed({"app/node_modules/@types/node/package.json": b'{"name": "@types/node", "version": "18.0.0"}'})
    assert (p.namespace, p.name, p.version) == ("@types", "node", "18.0.0")
    assert p.purl == "pkg:npm/%40types/node@18.0.0"
    assert p.key == ("npm", "@types/node", "18.0.0", "")


def test_bom_and_leading_whitespace() -> None:
    m = parse_package_json(b'\xef\xbb\xbf \n {"name": "x", "version": "1.0.0"}')
    assert m is not None and (m.name, m.version) == ("x", "1.0.0")


@pytest.mark.parametrize("data", [b"[]", b'"just a string"', b"", b"\x00\x01", b'{"name": "x", "version": '])
def test_manifest_that_is_not_an_object(data: bytes) -> None:
    with pytest.raises(ExtractError):
        parse_package_json(data, "node_modules/x/package.json")


def test_package_json_inside_a_package_is_ignored() -> None:
    """Test fixtures and subpath stubs inside a package are not installed packages (never even read)."""
    got = installed({
        "app/node_modules/firebase/package.json": b'{"name": "firebase", "version": "9.0.0"}',
        "app/node_modules/firebase/firestore/package.json": b'{"name": "firebase/firestore", "main": "x.js"}',
        "app/node_modules/firebase/test/fixtures/package.json": b'{"name": "fixture", "version": "0.0.1"}',
        "app/package.json": b'{"name": "my-app", "version": "1.0.0"}',
    })
    assert ids(got) == {"firebase@9.0.0"}


def test_symlinked_package_is_read_where_it_really_is() -> None:
    """npm workspaces and pnpm link packages into node_modules; the link is not read, its target (if it is itself
    in a node_modules) is."""
    got = installed({
        "app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json":
            b'{"name": "lodash", "version": "4.17.21"}',
        "app/node_modules/lodash": Symlink(".pnpm/lodash@4.17.21/node_modules/lodash"),
        "app/node_modules/my-workspace": Symlink("../packages/my-workspace"),
        "app/packages/my-workspace/package.json": b'{"name": "my-workspace", "version": "1.0.0", "private": true}',
    })
    assert ids(got) == {"lodash@4.17.21"}


# ---------------------------------------------------------------------------------------------- fs-lockfiles/npm


NPM_LOCK_PROD = {
    "asap@2.0.6", "jquery@3.3.9", "js-tokens@4.0.0", "loose-envify@1.4.0", "object-assign@4.1.1", "promise@8.0.3",
    "prop-types@15.7.2", "react@16.8.6", "react-is@16.8.6", "redux@4.0.1", "scheduler@0.13.6",
    "symbol-observable@1.2.0",
}


def test_fs_lockfiles_npm() -> None:
    files = fixture_dir(LOCKFILES / "npm", "app")
    assert ids(installed(files)) == {
        "jquery@3.3.9", "promise@8.0.3", "react@16.8.6", "react-is@16.8.6", "redux@4.0.1", "z-lock@1.0.0"
    }
    assert all(p.licenses == ("MIT",) for p in installed(files))
    got = locked(files)
    assert deps(got) == NPM_LOCK_PROD  # z-lock is "dev": true
    assert deps(locked(files, include_dev=True)) == NPM_LOCK_PROD | {"z-lock@1.0.0"}
    assert all(p.declared and p.extractor == "lang/npm-lock" and p.found_in == "app/package-lock.json" for p in got)
    # The lock has no project name: no root package. Licences come from what is installed beside the lock.
    assert not any(p.main_module for p in got)
    by = {p.name: p for p in got}
    assert by["jquery"].licenses == ("MIT",)
    assert by["asap"].licenses == ()  # not in node_modules


def test_fs_lockfiles_npm_v1_against_the_json() -> None:
    """The v1 lock read independently: every entry of the nested dependencies tree, dev or not."""
    doc = json.loads((LOCKFILES / "npm" / "package-lock.json").read_text())
    want: dict[str, bool] = {}

    def walk(node: dict[str, dict[str, object]]) -> None:
        for name, entry in node.items():
            want[f"{name}@{entry['version']}"] = entry.get("dev") is True
            walk(entry.get("dependencies", {}))  # type: ignore[arg-type]

    walk(doc["dependencies"])
    lock = parse_package_lock((LOCKFILES / "npm" / "package-lock.json").read_bytes())
    assert {f"{p.name}@{p.version}": p.dev for p in lock.packages} == want
    assert (lock.format, lock.lockfile_version, lock.skipped) == ("npm", 1, 0)


# ---------------------------------------------------------------------------------------------- fs-lockfiles/yarn


def test_fs_lockfiles_yarn() -> None:
    """Trivy's yarn.json.golden: integration@1.0.0 (the root) and jquery@3.2.1; promise and asap are dev only."""
    files = fixture_dir(LOCKFILES / "yarn", "app")
    got = locked(files)
    assert ids(got) == {"integration@1.0.0", "jquery@3.2.1"}
    (root,) = [p for p in got if p.main_module]
    assert (root.name, root.version, root.declared) == ("integration", "1.0.0", True)
    jquery = next(p for p in got if p.name == "jquery")
    assert jquery.licenses == ("MIT",)  # from app/node_modules/jquery/package.json
    assert deps(locked(files, include_dev=True)) == {"asap@2.0.6", "jquery@3.2.1", "promise@8.0.3"}
    assert ids(installed(files)) == {"jquery@3.2.1"}


def test_yarn_lock_without_package_json_gives_every_entry() -> None:
    got = locked({"app/yarn.lock": (LOCKFILES / "yarn" / "yarn.lock").read_bytes()})
    assert deps(got) == {"asap@2.0.6", "jquery@3.2.1", "promise@8.0.3"}


# ---------------------------------------------------------------------------------------------- package-lock v2/v3


V3_LOCK = {
    "name": "my-app",
    "version": "2.0.0",
    "lockfileVersion": 3,
    "packages": {
        "": {"name": "my-app", "version": "2.0.0", "workspaces": ["packages/*"]},
        "node_modules/a": {"version": "1.0.0", "license": "MIT"},
        "node_modules/a/node_modules/b": {"version": "2.0.0"},
        "node_modules/@s/c": {"version": "3.0.0"},
        "node_modules/alias": {"name": "real-name", "version": "4.0.0"},
        "node_modules/devonly": {"version": "5.0.0", "dev": True},
        "node_modules/devopt": {"version": "5.1.0", "devOptional": True},
        "node_modules/opt": {"version": "5.2.0", "optional": True},
        "node_modules/ws-a": {"resolved": "packages/ws-a", "link": True},
        "packages/ws-a": {"name": "ws-a", "version": "0.1.0"},
        "packages/ws-a/node_modules/d": {"version": "6.0.0"},
        "node_modules/local": {"version": "file:../local"},
        "node_modules/dup": {"version": "7.0.0"},
        "node_modules/a/node_modules/dup": {"version": "7.0.0"},
    },
}


def test_package_lock_v3() -> None:
    got = locked({"srv/app/package-lock.json": json.dumps(V3_LOCK).encode()})
    assert next(p for p in got if p.name == "a").licenses == ("MIT",)  # npm 9+ copies it into the lock
    assert deps(got) == {
        "a@1.0.0", "b@2.0.0", "@s/c@3.0.0", "real-name@4.0.0", "devopt@5.1.0", "opt@5.2.0", "d@6.0.0", "dup@7.0.0"
    }
    (root,) = [p for p in got if p.main_module]
    assert (root.name, root.version, root.purl) == ("my-app", "2.0.0", "pkg:npm/my-app@2.0.0")
    assert next(p for p in got if p.name == "c").purl == "pkg:npm/%40s/c@3.0.0"
    assert "devonly@5.0.0" in deps(locked({"srv/app/package-lock.json": json.dumps(V3_LOCK).encode()},
                                          include_dev=True))
    lock = parse_package_lock(json.dumps(V3_LOCK).encode())
    assert lock.skipped == 1  # file:../local


def test_package_lock_v2_prefers_packages_over_dependencies() -> None:
    doc = {**V3_LOCK, "lockfileVersion": 2, "dependencies": {"only-in-v1-section": {"version": "9.9.9"}}}
    lock = parse_package_lock(json.dumps(doc).encode())
    assert "only-in-v1-section" not in {p.name for p in lock.packages}
    assert lock.lockfile_version == 2


def test_package_lock_v1_aliases_and_nesting() -> None:
    doc = {
        "name": "old-app",
        "version": "1.0.0",
        "lockfileVersion": 1,
        "dependencies": {
            "alias": {"version": "npm:real@1.2.3"},
            "@s/a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0", "dev": True}}},
            "git-dep": {"version": "github:user/repo#abc123"},
            "tarball": {"version": "https://example.com/x.tgz"},
        },
    }
    got = locked({"package-lock.json": json.dumps(doc).encode()})
    assert ids(got) == {"old-app@1.0.0", "real@1.2.3", "@s/a@1.0.0"}
    assert parse_package_lock(json.dumps(doc).encode()).skipped == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not a JSON lock file"),
        (b"[1, 2]", "top level is not an object"),
        (b'{"hello": "world"}', "not an npm lock file"),
    ],
)
def test_broken_package_lock(data: bytes, message: str) -> None:
    with pytest.raises(ExtractError, match=message):
        parse_package_lock(data, "app/package-lock.json")
    assert locked({"app/package-lock.json": data}) == []


def test_shrinkwrap() -> None:
    got = locked({"app/npm-shrinkwrap.json": json.dumps(V3_LOCK).encode()})
    assert "a@1.0.0" in deps(got)


# ---------------------------------------------------------------------------------------------- yarn.lock shapes


BERRY_LOCK = b"""# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"@scope/prod-pkg@npm:^1.0.0, @scope/prod-pkg@npm:^1.0.1":
  version: 1.0.2
  resolution: "@scope/prod-pkg@npm:1.0.2"
  dependencies:
    shared-pkg: "npm:^1.0.0"
    aliased: "npm:real-pkg@^2.0.0"
  checksum: 10c0/abc
  languageName: node
  linkType: hard

"aliased@npm:real-pkg@^2.0.0":
  version: 2.1.0
  resolution: "real-pkg@npm:2.1.0"
  languageName: node
  linkType: hard

"dev-only-transitive@npm:^1.0.0":
  version: 1.0.0
  resolution: "dev-only-transitive@npm:1.0.0"
  languageName: node
  linkType: hard

"dev-pkg@npm:^1.0.0":
  version: 1.0.0
  resolution: "dev-pkg@npm:1.0.0"
  dependencies:
    dev-only-transitive: ^1.0.0
  bin:
    dev-tool: ./bin/tool.js
  languageName: node
  linkType: hard

"my-app@workspace:.":
  version: 0.0.0-use.local
  resolution: "my-app@workspace:."
  dependencies:
    "@scope/prod-pkg": "npm:^1.0.0"
    dev-pkg: "npm:^1.0.0"
  languageName: unknown
  linkType: soft

"resolve@patch:resolve@npm%3A^1.20.0#~builtin<compat/resolve>":
  version: 1.22.1
  resolution: "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1&hash=07638b"
  languageName: node
  linkType: hard

"shared-pkg@npm:^1.0.0":
  version: 1.0.0
  resolution: "shared-pkg@npm:1.0.0"
  languageName: node
  linkType: hard
"""
BERRY_PROJECT = b"""{"name": "my-app", "version": "0.0.0", "private": true,
  "dependencies": {"@scope/prod-pkg": "^1.0.0"}, "devDependencies": {"dev-pkg": "^1.0.0"}}"""


def test_yarn_berry() -> None:
    lock = parse_yarn_lock(BERRY_LOCK)
    assert (lock.format, lock.lockfile_version, lock.skipped) == ("yarn-berry", 8, 2)  # workspace and patch
    got = locked({"app/yarn.lock": BERRY_LOCK, "app/package.json": BERRY_PROJECT})
    assert ids(got) == {"my-app@0.0.0", "@scope/prod-pkg@1.0.2", "shared-pkg@1.0.0", "real-pkg@2.1.0"}
    everything = locked({"app/yarn.lock": BERRY_LOCK, "app/package.json": BERRY_PROJECT}, include_dev=True)
    assert deps(everything) == deps(got) | {"dev-pkg@1.0.0", "dev-only-transitive@1.0.0"}


CLASSIC_LOCK = b"""# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
  dependencies:
    "@babel/highlight" "^7.12.13"

"@babel/highlight@^7.12.13":
  version "7.13.10"
  resolved "https://registry.yarnpkg.com/@babel/highlight/-/highlight-7.13.10.tgz#a8b2a66148f5b27d666b15d81774347a731d52d1"
  dependencies:
    js-tokens "^4.0.0"

js-tokens@^4.0.0:
  version "4.0.0"

my-alias@npm:lodash@^4.17.0:
  version "4.17.21"

local-thing@file:../local:
  version "0.0.1"

dev-tool@^1.0.0:
  version "1.0.0"
  optionalDependencies:
    js-tokens "^4.0.0"
"""


def test_yarn_classic() -> None:
    lock = parse_yarn_lock(CLASSIC_LOCK)
    assert (lock.format, lock.lockfile_version, lock.skipped) == ("yarn", 1, 1)  # file:
    project = b"""{"name": "c", "version": "1.0.0", "dependencies": {"@babel/code-frame": "^7.10.4",
      "my-alias": "npm:lodash@^4.17.0"}, "devDependencies": {"dev-tool": "^1.0.0"}}"""
    got = locked({"yarn.lock": CLASSIC_LOCK, "package.json": project})
    assert deps(got) == {"@babel/code-frame@7.12.13", "@babel/highlight@7.13.10", "js-tokens@4.0.0", "lodash@4.17.21"}
    assert next(p for p in got if p.name == "code-frame").purl == "pkg:npm/%40babel/code-frame@7.12.13"


def test_yarn_workspaces() -> None:
    project = b'{"name": "mono", "version": "1.0.0", "private": true, "workspaces": ["packages/*"]}'
    workspace = b'{"name": "ws", "version": "1.0.0", "dependencies": {"js-tokens": "^4.0.0"}}'
    got = locked({"yarn.lock": CLASSIC_LOCK, "package.json": project, "packages/ws/package.json": workspace})
    assert deps(got) == {"js-tokens@4.0.0"}
    as_map = b'{"name": "mono", "version": "1.0.0", "workspaces": {"packages": ["packages/*"]}}'
    assert parse_project_manifest(as_map).workspaces == ("packages/*",)
    assert parse_project_manifest((NODE / "workspace_as_map_package.json").read_bytes()).workspaces == ("packages/*",)


@pytest.mark.parametrize(
    "data", [b"\x00\x01binary", b"this is not\na yarn lock\n"], ids=["binary", "prose"]
)
def test_broken_yarn_lock(data: bytes) -> None:
    with pytest.raises(ExtractError):
        parse_yarn_lock(data, "app/yarn.lock")


def test_yarn_lock_cut_short() -> None:
    """A yarn.lock cut at any line keeps the entries before the cut and never raises."""
    lines = CLASSIC_LOCK.splitlines(keepends=True)
    full = [p.name for p in parse_yarn_lock(CLASSIC_LOCK).packages]
    for n in range(len(lines) + 1):
        names = [p.name for p in parse_yarn_lock(b"".join(lines[:n])).packages]
        assert names == full[: len(names)], n


def test_empty_lock_files() -> None:
    assert parse_yarn_lock(b"") == LockFile("yarn", 1)
    assert parse_yarn_lock(b"# yarn lockfile v1\n\n") == LockFile("yarn", 1)
    assert parse_package_lock(b'{"lockfileVersion": 3, "packages": {}}').packages == ()


# ---------------------------------------------------------------------------------------------- layers


def test_npm_install_in_a_later_layer() -> None:
    base = {"app/node_modules/a/package.json": b'{"name": "a", "version": "1.0.0"}'}
    got = installed(
        base,
        {"app/node_modules/a": Whiteout(), "app/node_modules/a/package.json": b'{"name": "a", "version": "1.1.0"}',
         "app/node_modules/b/package.json": b'{"name": "b", "version": "2.0.0"}'},
    )
    got_layers = {(p.name, p.version, p.layer.index if p.layer else -1) for p in got}
    assert got_layers == {("a", "1.1.0", 1), ("b", "2.0.0", 1)}
    assert installed(base, {"app/node_modules": Whiteout()}) == []


def test_lock_layer_is_the_lock_files_layer() -> None:
    got = locked({"app/package.json": BERRY_PROJECT}, {"app/yarn.lock": BERRY_LOCK})
    assert {p.layer.index for p in got if p.layer} == {1}


# ---------------------------------------------------------------------------------------------- real installs


@pytest.fixture(scope="module")
def node() -> NodeInstalls:
    return node_installs()


PROJECTS = {"npm": "app", "yarn-classic": "srv/yarn-classic", "yarn-berry": "srv/yarn-berry"}
LAYERS = {"npm": 0, "yarn-classic": 1, "yarn-berry": 2}


@pytest.fixture(scope="module")
def scanned(node: NodeInstalls, tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    layers = [
        tree_entries(node.npm_project, PROJECTS["npm"]),
        tree_entries(node.yarn_classic_project, PROJECTS["yarn-classic"]),
        tree_entries(node.yarn_berry_project, PROJECTS["yarn-berry"]),
        [
            TarEntrySpec.file("app/node_modules/broken/package.json", b'{"name": "broken", "version": '),
            TarEntrySpec.file("app/node_modules/bad-name/package.json", b'{"name": "bad name!", "version": "1.0.0"}'),
            TarEntrySpec.file("opt/other/package-lock.json", b"<<<<<<< HEAD\n"),
            TarEntrySpec.file("opt/other2/yarn.lock", b"\x00\x00\x00\x00"),
        ],
    ]
    image = write_oci_layout(tmp_path_factory.mktemp("node-image") / "layout", layers,
                             history=["npm install", "yarn install", "yarn berry install", "broken files"])
    options = ScanOptions(extractors=(NpmExtractor(), NpmLockExtractor()), cache=None)
    return scan_image(open_source(image.ref, SourceOptions()), options)


def _in(result: ScanResult, extractor: str, prefix: str) -> list[Package]:
    return [p for p in result.inventory.packages if p.extractor == extractor and p.found_in.startswith(f"{prefix}/")]


@pytest.mark.slow
@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_node_modules_match_npm_ls(node: NodeInstalls, scanned: ScanResult, project: str) -> None:
    """Every installed package (dev ones too: they are installed) against ``npm ls --all --json``."""
    got = _in(scanned, "lang/npm", PROJECTS[project])
    assert ids(got) == npm_ls_ids(node.npm_ls(project, prod=False))
    assert {"express@4.17.1", "@types/node@18.0.0", "is-number@7.0.0"} <= ids(got)
    assert {p.layer.index for p in got if p.layer is not None} == {LAYERS[project]}


@pytest.mark.slow
@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_lock_file_matches_npm_ls(node: NodeInstalls, scanned: ScanResult, project: str) -> None:
    """The lock file's production packages against ``npm ls --all --omit=dev``; its root is the project."""
    got = _in(scanned, "lang/npm-lock", PROJECTS[project])
    assert deps(got) == npm_ls_ids(node.npm_ls(project, prod=True))
    assert "is-number@7.0.0" not in ids(got)
    roots = [p for p in got if p.main_module]
    assert [(p.name, p.version) for p in roots] == [(node.npm_ls(project, prod=True)["name"], "1.0.0")]
    assert all(p.declared for p in got)


@pytest.mark.slow
def test_lock_file_with_dev_matches_npm_ls_all(node: NodeInstalls, scanned: ScanResult) -> None:
    ext = NpmLockExtractor(include_dev=True)
    got = ext.packages(scanned.view, None)
    for project, prefix in PROJECTS.items():
        mine = [p for p in got if p.found_in.startswith(f"{prefix}/")]
        assert deps(mine) == npm_ls_ids(node.npm_ls(project, prod=False)), project


@pytest.mark.slow
def test_real_install_details(scanned: ScanResult) -> None:
    npm_pkgs = _in(scanned, "lang/npm", "app")
    types_node = next(p for p in npm_pkgs if p.name == "node")
    assert (types_node.namespace, types_node.purl) == ("@types", "pkg:npm/%40types/node@18.0.0")
    assert types_node.found_in == "app/node_modules/@types/node/package.json"
    express = next(p for p in npm_pkgs if p.name == "express")
    assert express.licenses == ("MIT",)
    assert express.layer is not None and express.layer.created_by == "npm install"
    lock_express = next(p for p in _in(scanned, "lang/npm-lock", "app") if p.name == "express")
    assert (lock_express.found_in, lock_express.licenses) == ("app/package-lock.json", ("MIT",))


@pytest.mark.slow
def test_real_install_broken_files_are_warnings(scanned: ScanResult) -> None:
    warned = {(w.path, w.extractor) for w in scanned.inventory.warnings}
    assert warned == {
        ("app/node_modules/broken/package.json", "lang/npm"),
        ("app/node_modules/bad-name/package.json", "lang/npm"),
        ("opt/other/package-lock.json", "lang/npm-lock"),
        ("opt/other2/yarn.lock", "lang/npm-lock"),
    }


@pytest.mark.slow
def test_node_tree_speed(scanned: ScanResult) -> None:
    """Assembly from the squashed view is quick (the walk itself is measured by scan_image)."""
    import time

    started = time.perf_counter()
    for _ in range(10):
        NpmExtractor().packages(scanned.view, None)
        NpmLockExtractor().packages(scanned.view, None)
    assert time.perf_counter() - started < 5.0


def test_large_lock_files_parse_in_linear_time() -> None:
    """30,000 entries: a monorepo-sized package-lock.json (~6 MB) and yarn.lock (~8 MB)."""
    import time

    packages: dict[str, object] = {"": {"name": "big", "version": "1.0.0"}}
    for i in range(30_000):
        packages[f"node_modules/p{i}"] = {"version": f"1.{i % 50}.0", "integrity": "sha512-" + "A" * 86,
                                          "dev": i % 3 == 0, "license": "MIT"}
    big = json.dumps({"name": "big", "version": "1.0.0", "lockfileVersion": 3, "packages": packages}).encode()
    yarn = "".join(
        f'p{i}@^1.0.0:\n  version "1.0.{i}"\n  integrity sha512-{"A" * 86}\n  dependencies:\n'
        f'    p{(i + 1) % 30_000} "^1.0.0"\n\n'
        for i in range(30_000)
    ).encode()
    project = b'{"name": "big", "version": "1.0.0", "dependencies": {"p0": "^1.0.0"}}'
    started = time.perf_counter()
    assert len(parse_package_lock(big).packages) == 30_000
    got = locked({"yarn.lock": yarn, "package.json": project})
    assert len(deps(got)) == 30_000  # a chain: p0 -> p1 -> ... -> p29999
    assert time.perf_counter() - started < 15.0
