"""lock/*: requirements.txt, poetry.lock, Pipfile.lock, uv.lock, Gemfile.lock, composer.lock and pnpm-lock.yaml.

Fixtures: ``../shared/fixtures/fs-lockfiles/<name>/`` (Trivy's repository-scan inputs) and
``lang/php/composer_happy.lock``. EXPECTED.md gives no package lists for them (their goldens are not in
shared/), so the expected packages below were read from the files themselves; the rules applied (pins only in
requirements.txt, ``develop`` flagged, the uv project as the application) are each module's docstring.
``composer-vendor`` and ``dotnet`` are installed-package inputs, tested in test_composer.py and test_dotnet.py;
no Gemfile.lock fixture exists, so Bundler writes a real one here.

Real tools, run once per recipe and cached (support.lang_locks.locks_cached_build), each compared with its own
tool's reading of the lock file:

* uv (PyPI) -> uv.lock, against ``uv export`` (production and dev-only), and ``uv pip compile
  --generate-hashes`` -> requirements.txt with hashes and continuations, against the same pins;
* Poetry 2 (PyPI) -> poetry.lock with ``groups``, against ``poetry show --only main`` / ``--only dev``;
* Pipenv (PyPI) -> Pipfile.lock, against ``pipenv requirements`` / ``--dev-only``;
* pnpm 7, 8 and 9 (npm registry) -> lockfile v5.4, v6.0 and v9.0 for one package.json with a peer
  dependency, an optional one and a dev one, against ``pnpm list --json --depth Infinity --prod`` / ``--dev``;
* Bundler 2.3 (Debian's ``ruby``; ``bundle lock --local``, offline, from the installed gems) -> Gemfile.lock,
  against ``bundle list``.
"""

from __future__ import annotations

import base64
import contextlib
import doctest
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from hullscan.extract import lockfile
from hullscan.extract.base import ExtractError
from hullscan.extract.lockfile import LockedPackage, LockFile, LockfileExtractor, in_skipped_dir, scrub
from hullscan.extract.lockfile import composer_lock as composer_lock_module
from hullscan.extract.lockfile import gemfile as gemfile_module
from hullscan.extract.lockfile import pipenv as pipenv_module
from hullscan.extract.lockfile import pnpm as pnpm_module
from hullscan.extract.lockfile import poetry as poetry_module
from hullscan.extract.lockfile import requirements as requirements_module
from hullscan.extract.lockfile import uv as uv_module
from hullscan.extract.lockfile.composer_lock import ComposerLockExtractor, parse_composer_lock
from hullscan.extract.lockfile.gemfile import GemfileLockExtractor, parse_gemfile_lock
from hullscan.extract.lockfile.pipenv import PipenvLockExtractor, parse_pipfile_lock
from hullscan.extract.lockfile.pnpm import PnpmLockExtractor, parse_pnpm_lock
from hullscan.extract.lockfile.poetry import PoetryLockExtractor, parse_poetry_lock
from hullscan.extract.lockfile.requirements import RequirementsExtractor, parse_requirements, pinned
from hullscan.extract.lockfile.uv import UvLockExtractor, parse_uv_lock
from hullscan.extract.packages import PackageAssembler
from hullscan.image.facts import encode_payload
from hullscan.model import FileEntry, FileKind, Package, PackageType
from hullscan.scan import ScanOptions, scan_rootfs
from support.images import TarEntrySpec
from support.lang_locks import LangLayer, locks_cached_build, locks_dir_entries, locks_scan_image, locks_walk

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
FS = FIXTURES / "fs-lockfiles"

ALL: list[LockfileExtractor] = [
    RequirementsExtractor(),
    PoetryLockExtractor(),
    PipenvLockExtractor(),
    UvLockExtractor(),
    GemfileLockExtractor(),
    ComposerLockExtractor(),
    PnpmLockExtractor(),
]
NAMES = {
    "lock/requirements": ("requirements.txt", PackageType.PYPI),
    "lock/poetry": ("poetry.lock", PackageType.PYPI),
    "lock/pipenv": ("Pipfile.lock", PackageType.PYPI),
    "lock/uv": ("uv.lock", PackageType.PYPI),
    "lock/gemfile": ("Gemfile.lock", PackageType.GEM),
    "lock/composer": ("composer.lock", PackageType.COMPOSER),
    "lock/pnpm": ("pnpm-lock.yaml", PackageType.NPM),
}
Row = tuple[str, str, str, bool, bool]
"""(namespace, name, version, dev, root)"""


def rows(lock: LockFile) -> list[Row]:
    return [(p.namespace, p.name, p.version, p.dev, p.root) for p in lock.packages]


def packages_of(ext: LockfileExtractor, *layers: LangLayer) -> list[Package]:
    view, _ = locks_walk([ext], *layers)
    return ext.packages(view, None)


# ---------------------------------------------------------------------------------------------- protocol


@pytest.mark.parametrize("ext", ALL, ids=lambda e: e.name)
def test_protocols(ext: LockfileExtractor) -> None:
    filename, kind = NAMES[ext.name]
    assert (ext.version, ext.payload_type, ext.TYPE) == (1, LockFile, kind)
    assert isinstance(ext, PackageAssembler)
    entry = FileEntry(f"srv/app/{filename}", FileKind.FILE, 0o644, 10)
    assert ext.wants(f"srv/app/{filename}", entry)
    assert ext.wants(filename, entry)
    assert not ext.wants(f"srv/app/{filename}", FileEntry(filename, FileKind.SYMLINK, 0o777, 0))
    assert ext.wants(f"srv/app/{filename}", FileEntry(filename, FileKind.HARDLINK, 0o644, 0))
    for skipped in ("node_modules", "vendor", "site-packages", "dist-packages"):
        assert not ext.wants(f"srv/app/{skipped}/dep/{filename}", entry)
    assert not ext.wants(f"srv/app/{filename}.orig", entry)
    assert ext.extract(f"srv/app/{filename}.orig", b"") is None
    # Exactly one extractor wants each file.
    assert [e.name for e in ALL if e.wants(f"srv/app/{filename}", entry)] == [ext.name]


@pytest.mark.parametrize(
    ("name", "wanted"),
    [("requirements.txt", True), ("requirements-dev.txt", True), ("requirements_prod.txt", True),
     ("requirements.in", False), ("dev-requirements.txt", False), ("gems.locked", False)],
)
def test_wanted_names(name: str, wanted: bool) -> None:
    entry = FileEntry(name, FileKind.FILE, 0o644, 1)
    assert RequirementsExtractor().wants(f"app/{name}", entry) is wanted
    assert GemfileLockExtractor().wants("app/gems.locked", entry)


def test_skipped_dirs_are_whole_components() -> None:
    assert in_skipped_dir("app/node_modules/x/pnpm-lock.yaml")
    assert in_skipped_dir("node_modules/x/pnpm-lock.yaml")
    assert not in_skipped_dir("app/my_node_modules/pnpm-lock.yaml")
    assert not in_skipped_dir("app/vendorized/composer.lock")
    assert not in_skipped_dir("vendor.lock")


@pytest.mark.parametrize(
    "module",
    [lockfile, requirements_module, poetry_module, pipenv_module, uv_module, gemfile_module, composer_lock_module,
     pnpm_module],
    ids=lambda m: m.__name__.rpartition(".")[2],
)
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------- fs-lockfiles fixtures


def test_pip_fixture() -> None:
    """Every ``==`` pin; ``MarkupSafe>2.0.0`` is a range and is skipped."""
    got = rows(parse_requirements((FS / "pip" / "requirements.txt").read_bytes()))
    assert got == [
        ("", "click", "8.0.0", False, False),
        ("", "Flask", "2.0.0", False, False),
        ("", "itsdangerous", "2.0.0", False, False),
        ("", "Jinja2", "3.0.0", False, False),
        ("", "Werkzeug", "0.11", False, False),
        ("", "oauth2-client", "4.0.0", False, False),
        ("", "python-gitlab", "2.0.0", False, False),
    ]


def test_poetry_fixture() -> None:
    got = rows(parse_poetry_lock((FS / "poetry" / "poetry.lock").read_bytes()))
    assert got == [("", "click", "8.1.3", False, False), ("", "colorama", "0.4.6", False, False),
                   ("", "werkzeug", "0.14", False, False)]


def test_pipenv_fixture() -> None:
    assert rows(parse_pipfile_lock((FS / "pipenv" / "Pipfile.lock").read_bytes())) == [
        ("", "werkzeug", "0.11.1", False, False)
    ]


def test_pipenv_trivy_ci_fixture() -> None:
    """55 default entries, one of them a VCS one without a version; 37 develop entries, 6 of them also default."""
    lock = parse_pipfile_lock((FS / "trivy-ci-test" / "Pipfile.lock").read_bytes())
    default = [p for p in lock.packages if not p.dev]
    dev = [p for p in lock.packages if p.dev]
    assert (len(default), len(dev)) == (54, 31)
    assert "django-postgres-extra" not in {p.name for p in lock.packages}
    assert {p.name for p in dev} >= {"black", "pandas", "numpy", "selenium"}
    assert {"six", "pytz", "urllib3"} <= {p.name for p in default} and not {"six", "pytz"} & {p.name for p in dev}
    assert next(p for p in dev if p.name == "black").version == "18.6b4"


def test_uv_fixture() -> None:
    got = rows(parse_uv_lock((FS / "uv" / "uv.lock").read_bytes()))
    assert got == [
        ("", "click", "8.1.3", False, False),
        ("", "colorama", "0.4.6", False, False),
        ("", "uv-test", "0.1.0", False, True),
        ("", "werkzeug", "0.11.1", False, False),
    ]


def test_composer_fixture() -> None:
    lock = parse_composer_lock((FS / "composer" / "composer.lock").read_bytes())
    assert rows(lock) == [
        ("guzzlehttp", "guzzle", "7.4.4", False, False),
        ("guzzlehttp", "psr7", "1.8.3", False, False),
    ]
    assert [p.licenses for p in lock.packages] == [("MIT",), ("MIT",)]


def test_composer_happy_lock() -> None:
    happy = (FIXTURES / "lang/php/composer_happy.lock").read_bytes()
    got = packages_of(ComposerLockExtractor(include_dev=True), {"srv/app/composer.lock": happy})
    assert [(p.namespace, p.name, p.version, p.licenses) for p in got] == [
        ("guzzlehttp", "guzzle", "6.5.8", ("MIT",)),
        ("guzzlehttp", "promises", "1.5.2", ("MIT",)),
        ("guzzlehttp", "psr7", "1.9.0", ("MIT",)),
        ("psr", "http-message", "1.0.1", ("MIT",)),
        ("ralouphie", "getallheaders", "3.0.3", ("MIT",)),
        ("symfony", "polyfill-intl-idn", "v1.27.0", ("MIT",)),
        ("symfony", "polyfill-intl-normalizer", "v1.27.0", ("MIT",)),
        ("symfony", "polyfill-php72", "v1.27.0", ("MIT", "BSD-2-Clause")),  # "MIT or BSD-2-Clause"
        ("pear", "log", "1.13.3", ("MIT",)),  # packages-dev
        ("pear", "pear_exception", "v1.0.2", ("BSD-2-Clause",)),  # packages-dev
    ]
    assert got[0].purl == "pkg:composer/guzzlehttp/guzzle@6.5.8"
    # By default (as Trivy, and lang/npm-lock) the packages-dev are left out.
    prod_only = packages_of(ComposerLockExtractor(), {"srv/app/composer.lock": happy})
    assert [p.name for p in prod_only] == [p.name for p in got[:8]]


def test_pnpm_fixture() -> None:
    lock = parse_pnpm_lock((FS / "pnpm" / "pnpm-lock.yaml").read_bytes())
    assert rows(lock) == [("", "jquery", "3.3.9", False, False), ("", "lodash", "4.17.4", False, False)]
    # resolution.integrity: sha512 for jquery, sha1 for lodash ("5QNHYR1+aQlDIIu9r+vLwvuGbUY=").
    assert lock.packages[0].checksum.startswith("sha512:") and len(lock.packages[0].checksum) == 7 + 128
    assert lock.packages[1].checksum == "sha1:" + base64.b64decode("5QNHYR1+aQlDIIu9r+vLwvuGbUY=").hex()


def _fixture_tree_entries(prefix: str) -> list[TarEntrySpec]:
    files = sorted(p for p in FS.rglob("*") if p.is_file())
    return locks_dir_entries((f, f"{prefix}/{f.relative_to(FS)}") for f in files)


EXPECTED_TREE = {
    ("lock/composer", "composer/composer.lock"): 2,
    ("lock/pipenv", "pipenv/Pipfile.lock"): 1,
    ("lock/pipenv", "trivy-ci-test/Pipfile.lock"): 54,  # the 31 develop-only ones are left out by default
    ("lock/pnpm", "pnpm/pnpm-lock.yaml"): 2,
    ("lock/poetry", "poetry/poetry.lock"): 3,
    ("lock/requirements", "pip/requirements.txt"): 7,
    ("lock/uv", "uv/uv.lock"): 4,
}


def test_fs_lockfiles_tree_in_an_image(tmp_path: Path) -> None:
    """The whole fs-lockfiles folder copied into an image: every lock file found, all declared, none warned about."""
    result = locks_scan_image(tmp_path / "oci", ALL, [_fixture_tree_entries("src")], history=["COPY . /src"])
    assert result.inventory.warnings == ()
    counts: dict[tuple[str, str], int] = {}
    for p in result.inventory.packages:
        key = (p.extractor, p.found_in.removeprefix("src/"))
        counts[key] = counts.get(key, 0) + 1
        assert p.declared
        assert p.layer is not None and p.layer.created_by == "COPY . /src"
    assert counts == EXPECTED_TREE


def test_fs_lockfiles_tree_as_a_source_tree() -> None:
    """``hullscan rootfs`` on a source checkout: the same packages, paths relative to the tree."""
    result = scan_rootfs(FS, ScanOptions(extractors=tuple(ALL)))
    counts: dict[tuple[str, str], int] = {}
    for p in result.inventory.packages:
        counts[(p.extractor, p.found_in)] = counts.get((p.extractor, p.found_in), 0) + 1
    assert counts == EXPECTED_TREE
    uv_root = [p for p in result.inventory.packages if p.main_module]
    assert [(p.name, p.version, p.purl) for p in uv_root] == [("uv-test", "0.1.0", "pkg:pypi/uv-test@0.1.0")]
    jinja = next(p for p in result.inventory.packages if p.name == "Jinja2")
    assert (jinja.type, jinja.purl, jinja.found_in) == (PackageType.PYPI, "pkg:pypi/jinja2@3.0.0",
                                                         "pip/requirements.txt")


def test_dev_packages_only_with_include_dev() -> None:
    data = (FS / "trivy-ci-test" / "Pipfile.lock").read_bytes()
    assert len(packages_of(PipenvLockExtractor(), {"app/Pipfile.lock": data})) == 54
    assert len(packages_of(PipenvLockExtractor(include_dev=True), {"app/Pipfile.lock": data})) == 85
    # The choice is made when packages are assembled: the cached payload holds them all, flagged.
    view, _ = locks_walk([PipenvLockExtractor()], {"app/Pipfile.lock": data})
    assert len(PipenvLockExtractor(include_dev=True).packages(view, None)) == 85


def test_layers_and_whiteouts() -> None:
    poetry = (FS / "poetry" / "poetry.lock").read_bytes()
    ext = PoetryLockExtractor()
    got = packages_of(ext, {"app/poetry.lock": b"[[package]]\nname = \"click\"\nversion = \"8.0.0\"\n"},
                      {"app/poetry.lock": poetry})
    assert [(p.name, p.version, p.layer.index if p.layer else -1) for p in got] == [
        ("click", "8.1.3", 1), ("colorama", "0.4.6", 1), ("werkzeug", "0.14", 1)]
    assert packages_of(ext, {"app/poetry.lock": poetry}, {"app/poetry.lock": None}) == []


def test_duplicates_in_one_file_are_reported_once() -> None:
    got = packages_of(RequirementsExtractor(), {"app/requirements.txt": b"a==1\na==1\na==2\n"})
    assert [(p.name, p.version) for p in got] == [("a", "1"), ("a", "2")]


@pytest.mark.parametrize("ext", ALL, ids=lambda e: e.name)
def test_payload_survives_the_cache_encoding(ext: LockfileExtractor) -> None:
    lock = LockFile((LockedPackage("n", "1", "ns", True, True, ("MIT",), "sha1:00"),))
    assert msgspec.json.decode(encode_payload(lock), type=ext.payload_type) == lock


# ---------------------------------------------------------------------------------------------- broken inputs


BROKEN: list[tuple[LockfileExtractor, str, bytes, str]] = [
    (PoetryLockExtractor(), "poetry.lock", b"[[package]\nname=", "not a valid poetry.lock"),
    (PoetryLockExtractor(), "poetry.lock", b"package = 3\n", "'package' is not an array of tables"),
    (UvLockExtractor(), "uv.lock", b"version = 1\n[[package]]\nname = \"x\"\nversion = ", "not a valid uv.lock"),
    (UvLockExtractor(), "uv.lock", b'package = "x"\n', "'package' is not an array of tables"),
    (PipenvLockExtractor(), "Pipfile.lock", b'{"default": {', "not a valid Pipfile.lock"),
    (PipenvLockExtractor(), "Pipfile.lock", b"[1, 2]", "top level is not an object"),
    (ComposerLockExtractor(), "composer.lock", b"{", "not a valid composer.lock"),
    (ComposerLockExtractor(), "composer.lock", b'{"packages": 3}', "no 'packages' list"),
    (PnpmLockExtractor(), "pnpm-lock.yaml", b"lockfileVersion: '6.0'\npackages: [\n", "not a valid pnpm-lock.yaml"),
    (PnpmLockExtractor(), "pnpm-lock.yaml", b"just: a map\n", "no lockfileVersion"),
    (PnpmLockExtractor(), "pnpm-lock.yaml", b"lockfileVersion: '9.0'\npackages: [1]\n", "'packages' is not a map"),
    (PnpmLockExtractor(), "pnpm-lock.yaml", b"- a\n- b\n", "no lockfileVersion"),
    (PnpmLockExtractor(), "pnpm-lock.yaml", b"lockfileVersion: !!python/object:os.system x\n",
     "not a valid pnpm-lock.yaml"),
    (GemfileLockExtractor(), "Gemfile.lock", b"    rack (2.2.3)\n", "no section header"),
    (RequirementsExtractor(), "requirements.txt", b"a==1\x00\x00", "binary content"),
    (PoetryLockExtractor(), "poetry.lock", b"\x7fELF\x02\x01\x01\x00", "binary content"),
]


@pytest.mark.parametrize(("ext", "filename", "data", "message"), BROKEN,
                         ids=[f"{b[1]}-{i}" for i, b in enumerate(BROKEN)])
def test_broken_lock_file(ext: LockfileExtractor, filename: str, data: bytes, message: str) -> None:
    with pytest.raises(ExtractError, match=re.escape(message)):
        ext.parse(data, f"app/{filename}")
    view, warnings = locks_walk([ext], {f"app/{filename}": data, "app/other": b"x"})
    assert ext.packages(view, None) == []
    assert [(w.path, w.extractor) for w in warnings] == [(f"app/{filename}", ext.name)]
    assert message in warnings[0].message


@pytest.mark.parametrize("ext", ALL, ids=lambda e: e.name)
def test_truncated_fixtures_never_crash(ext: LockfileExtractor) -> None:
    """Every prefix of a real lock file (at 97 cut points) parses or raises ExtractError: nothing else."""
    sources = {
        "lock/requirements": FS / "pip/requirements.txt", "lock/poetry": FS / "poetry/poetry.lock",
        "lock/pipenv": FS / "trivy-ci-test/Pipfile.lock", "lock/uv": FS / "uv/uv.lock",
        "lock/composer": FIXTURES / "lang/php/composer_happy.lock", "lock/pnpm": FS / "pnpm/pnpm-lock.yaml",
    }
    data = GEMFILE_LOCK if ext.name == "lock/gemfile" else sources[ext.name].read_bytes()
    for i in range(97):
        with contextlib.suppress(ExtractError):
            ext.parse(data[: len(data) * i // 96], "x")


# ---------------------------------------------------------------------------------------------- requirements.txt


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("flask==2.0.0", ("flask", "2.0.0")),
        ("Flask == 2.0.0", ("Flask", "2.0.0")),
        ("flask===2.0.0", ("flask", "2.0.0")),
        ("requests[security,socks]==2.31.0", ("requests", "2.31.0")),
        ('pywin32==306 ; sys_platform == "win32"', ("pywin32", "306")),
        ("cryptography==42.0.5 --hash=sha256:abc --hash=sha256:def", ("cryptography", "42.0.5")),
        ("name (==1.0)", ("name", "1.0")),
        ("zope.interface==6.0", ("zope.interface", "6.0")),
        ("torch==2.1.0+cpu", ("torch", "2.1.0+cpu")),
        ("pkg==1!2.0.post1", ("pkg", "1!2.0.post1")),
        ("MarkupSafe>2.0.0", None),
        ("a>=1,<2", None),
        ("a==1.*", None),
        ("a==1,!=1.1", None),
        ("a~=1.0", None),
        ("a!=1.0", None),
        ("a", None),
        ("-r base.txt", None),
        ("--requirement base.txt", None),
        ("-c constraints.txt", None),
        ("-e git+https://github.com/x/y.git#egg=y", None),
        ("--index-url https://example.org/simple", None),
        ("git+https://github.com/x/y.git@v1.0#egg=y", None),
        ("y @ https://example.org/y-1.0-py3-none-any.whl", None),
        ("./local/pkg", None),
        ("pkg-1.0-py3-none-any.whl", None),
        ("a==${VERSION}", None),
    ],
)
def test_requirement_lines(line: str, want: tuple[str, str] | None) -> None:
    assert pinned(line) == want


def test_requirements_file_structure() -> None:
    data = (
        b"\xef\xbb\xbf# top comment\n"
        b"-i https://pypi.org/simple\n"
        b"alpha==1.0 \\\n"
        b"    --hash=sha256:aaaa \\\n"
        b"    --hash=sha256:bbbb\n"
        b"    # via beta\n"
        b"beta==2.0  # pinned for a reason\n"
        b"gamma>=3\n"
        b"\n"
        b"delta==4.0 ; python_version < '3.12' \\\n"
        b"    --hash=sha256:cccc\n"
        b"epsilon==5.0\\\n"
    )
    assert [(p.name, p.version) for p in parse_requirements(data).packages] == [
        ("alpha", "1.0"), ("beta", "2.0"), ("delta", "4.0"), ("epsilon", "5.0")]


def test_requirements_utf16_and_crlf() -> None:
    data = "a==1\r\nb==2\r\n".encode("utf-16")
    assert [(p.name, p.version) for p in parse_requirements(data).packages] == [("a", "1"), ("b", "2")]


def test_requirements_that_are_not() -> None:
    assert parse_requirements(b"this is some prose, not requirements\n").packages == ()
    assert parse_requirements(b"").packages == ()


# ---------------------------------------------------------------------------------------------- poetry, uv, pipenv


def test_poetry_groups_and_categories() -> None:
    data = b"""
[[package]]
name = "a"
version = "1"
category = "main"

[[package]]
name = "b"
version = "2"
category = "dev"

[[package]]
name = "c"
version = "3"
groups = ["main", "dev"]

[[package]]
name = "d"
version = "4"
groups = ["dev", "test"]

[[package]]
name = "e"
version = "5"

[[package]]
name = "f"

[package.source]
type = "git"
url = "https://example.org/f.git"
"""
    assert [(p.name, p.version, p.dev) for p in parse_poetry_lock(data).packages] == [
        ("a", "1", False), ("b", "2", True), ("c", "3", False), ("d", "4", True), ("e", "5", False)]


def test_uv_dev_reachability() -> None:
    data = b"""
version = 1

[[package]]
name = "app"
version = "1.0.0"
source = { editable = "." }
dependencies = [{ name = "shared" }, { name = "lib", version = "2.0.0" }]

[package.optional-dependencies]
extra = [{ name = "opt" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }, { name = "shared" }]

[[package]]
name = "member"
source = { editable = "packages/member" }

[[package]]
name = "lib"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "lib"
version = "2.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "shared"
version = "1"

[[package]]
name = "opt"
version = "1"

[[package]]
name = "pytest"
version = "8"
dependencies = [{ name = "pluggy" }, { name = "shared" }]

[[package]]
name = "pluggy"
version = "1"

[[package]]
name = "stray"
version = "1"
"""
    assert rows(parse_uv_lock(data)) == [
        ("", "app", "1.0.0", False, True),
        ("", "lib", "1.0.0", False, False),  # unreachable from the project: kept, not dev
        ("", "lib", "2.0.0", False, False),
        ("", "shared", "1", False, False),
        ("", "opt", "1", False, False),
        ("", "pytest", "8", True, False),
        ("", "pluggy", "1", True, False),
        ("", "stray", "1", False, False),
    ]  # "member" has no version: left out


def test_uv_without_a_project_has_no_dev() -> None:
    data = b'[[package]]\nname = "a"\nversion = "1"\n[package.dev-dependencies]\ndev = [{ name = "b" }]\n' \
           b'[[package]]\nname = "b"\nversion = "2"\n'
    assert [p.dev for p in parse_uv_lock(data).packages] == [False, False]


def test_pipenv_entries_without_a_pin() -> None:
    doc = {"default": {"a": {"version": "==1.0"}, "b": {"git": "https://x/b.git", "ref": "abc"},
                       "c": {"version": "*"}, "d": "junk", "e": {"version": "==1.0", "markers": "os_name == 'nt'"}},
           "develop": None}
    assert [(p.name, p.version) for p in parse_pipfile_lock(json.dumps(doc).encode()).packages] == [
        ("a", "1.0"), ("e", "1.0")]


# ---------------------------------------------------------------------------------------------- Gemfile.lock

GEMFILE_LOCK = b"""GIT
  remote: https://github.com/rails/rails.git
  revision: 0123456789abcdef
  branch: main
  specs:
    actionpack (7.2.0.alpha)
      rack (>= 2.2.4)

PATH
  remote: .
  specs:
    myapp (0.1.0)
      rack (~> 2.2)

PATH
  remote: vendor/engines/billing
  specs:
    billing (1.2.0)

GEM
  remote: https://rubygems.org/
  specs:
    nokogiri (1.16.0-x86_64-linux)
      racc (~> 1.4)
    nokogiri (1.16.0-arm64-darwin)
      racc (~> 1.4)
    racc (1.7.3)
    rack (2.2.8.1)
    zeitwerk (2.6.12)

PLATFORMS
  arm64-darwin
  x86_64-linux

DEPENDENCIES
  actionpack!
  myapp!
  nokogiri
  rack (~> 2.2)

RUBY VERSION
   ruby 3.3.0p0

BUNDLED WITH
   2.5.3
"""


def test_gemfile_lock_sections() -> None:
    assert rows(parse_gemfile_lock(GEMFILE_LOCK)) == [
        ("", "actionpack", "7.2.0.alpha", False, False),
        ("", "myapp", "0.1.0", False, True),
        ("", "billing", "1.2.0", False, False),
        ("", "nokogiri", "1.16.0", False, False),
        ("", "nokogiri", "1.16.0", False, False),
        ("", "racc", "1.7.3", False, False),
        ("", "rack", "2.2.8.1", False, False),
        ("", "zeitwerk", "2.6.12", False, False),
    ]
    got = packages_of(GemfileLockExtractor(), {"app/Gemfile.lock": GEMFILE_LOCK})
    assert [p.name for p in got].count("nokogiri") == 1
    myapp = next(p for p in got if p.name == "myapp")
    assert (myapp.main_module, myapp.declared, myapp.purl) == (True, True, "pkg:gem/myapp@0.1.0")


def test_gemfile_lock_crlf() -> None:
    got = parse_gemfile_lock(GEMFILE_LOCK.replace(b"\n", b"\r\n"))
    assert len(got.packages) == 8


# ---------------------------------------------------------------------------------------------- pnpm shapes

PNPM_V5 = b"""lockfileVersion: 5.4

importers:
  .:
    specifiers: {}

packages:

  /@babel/core/7.0.0_eslint@8.0.0:
    resolution: {integrity: sha1-5QNHYR1+aQlDIIu9r+vLwvuGbUY=}
    dev: true

  /no/1.0.0:
    dev: false

  /on/2.10:
    resolution: {integrity: sha512-!!!}

  registry.example.com/private-pkg/1.0.0_react@18.2.0:
    dev: false

  github.com/user/repo/0123456789abcdef:
    name: from-git
    version: 3.1.0
    dev: false

  file:vendor/local.tgz:
    name: local
    version: file:vendor/local.tgz
"""

PNPM_V9 = b"""---
lockfileVersion: '9.0'
importers:
  .:
    configDependencies: {}
packages: {}
---
lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      app-lib:
        specifier: 1.0.0
        version: 1.0.0(peer@2.0.0)
      ws-pkg:
        specifier: workspace:*
        version: link:packages/ws-pkg
    devDependencies:
      jest:
        specifier: 29.0.0
        version: 29.0.0
      shared:
        specifier: 1.0.0
        version: 1.0.0

  packages/ws-pkg:
    dependencies:
      '@scope/inner':
        specifier: 1.0.0
        version: 1.0.0

packages:

  '@scope/inner@1.0.0':
    resolution: {integrity: sha512-AAAA}

  app-lib@1.0.0:
    resolution: {integrity: sha512-AAAA}

  peer@2.0.0:
    resolution: {integrity: sha512-AAAA}

  jest@29.0.0:
    resolution: {integrity: sha512-AAAA}

  jest-dep@1.0.0:
    resolution: {integrity: sha512-AAAA}

  shared@1.0.0:
    resolution: {integrity: sha512-AAAA}

  tarball@https://codeload.github.com/u/tarball/tar.gz/abc:
    resolution: {tarball: https://codeload.github.com/u/tarball/tar.gz/abc}
    version: 0.9.0

snapshots:

  '@scope/inner@1.0.0': {}

  app-lib@1.0.0(peer@2.0.0):
    dependencies:
      peer: 2.0.0
      shared: 1.0.0

  peer@2.0.0: {}

  jest@29.0.0:
    dependencies:
      jest-dep: 1.0.0
      tarball: https://codeload.github.com/u/tarball/tar.gz/abc

  jest-dep@1.0.0: {}

  shared@1.0.0: {}

  tarball@https://codeload.github.com/u/tarball/tar.gz/abc: {}
"""


def test_pnpm_v5_shapes() -> None:
    assert rows(parse_pnpm_lock(PNPM_V5)) == [
        ("@babel", "core", "7.0.0", True, False),
        ("", "no", "1.0.0", False, False),  # a name YAML 1.1 would read as a boolean
        ("", "on", "2.10", False, False),  # and a version it would read as 2.1
        ("", "private-pkg", "1.0.0", False, False),
        ("", "from-git", "3.1.0", False, False),
    ]  # "local" has a file: version: not a release


def test_pnpm_v9_dev_from_importers() -> None:
    lock = parse_pnpm_lock(PNPM_V9)
    assert rows(lock) == [
        ("@scope", "inner", "1.0.0", False, False),
        ("", "app-lib", "1.0.0", False, False),
        ("", "peer", "2.0.0", False, False),
        ("", "jest", "29.0.0", True, False),
        ("", "jest-dep", "1.0.0", True, False),
        ("", "shared", "1.0.0", False, False),  # a dev dependency that production also reaches
        ("", "tarball", "0.9.0", True, False),
    ]
    got = packages_of(PnpmLockExtractor(), {"app/pnpm-lock.yaml": PNPM_V9})
    inner = next(p for p in got if p.name == "inner")
    assert (inner.namespace, inner.purl) == ("@scope", "pkg:npm/%40scope/inner@1.0.0")


FAST_YAML_CASES = [
    PNPM_V5.decode(),
    PNPM_V9.decode(),
    "a: 'it''s'\nb: \"x\"\nc: ~\nd: null\ne: [a, 'b, c', {x: y}]\nf: {}\ng: []\n",
    "k: v # a comment\n# a line comment\nlist:\n- a\n- b\nafter: 1\n",
    "deep:\n  a:\n    b:\n      c: d\n  e: f\ntop: 2\n",
    "empty:\nnext: 1\n",
    "key with spaces: value with spaces\nurl@https://x/y: {tarball: https://x/y.tgz}\n",
    # Beyond what pnpm writes: the full loader's answer.
    "a: |\n  block\n  text\nb: 1\n",
    "a: &anchor {x: 1}\nb: *anchor\n",
    "a:\n  - x: 1\n    y: 2\n",
    "a: \"esc\\u00e9\"\n",
    "? complex\n: key\n",
    "a: 1\na: 2\n",
    "--- \na: 1\n",
]


@pytest.mark.parametrize("text", FAST_YAML_CASES, ids=range(len(FAST_YAML_CASES)))
def test_fast_yaml_reader_agrees_with_pyyaml(text: str) -> None:
    """The one-pass reader of pnpm's YAML gives PyYAML's documents, or steps aside for PyYAML."""
    full = list(yaml.load_all(text, Loader=pnpm_module._Loader))
    assert pnpm_module.load_yaml_documents(text, "x") == full
    try:
        fast = pnpm_module.fast_load_documents(text)
    except pnpm_module._Unsupported:
        return
    assert fast == full


def test_pnpm_yaml_is_loaded_safely() -> None:
    with pytest.raises(ExtractError):
        parse_pnpm_lock(b"lockfileVersion: '9.0'\npackages: !!python/object/apply:os.system ['true']\n")


def test_pnpm_empty_lock() -> None:
    assert parse_pnpm_lock(b"lockfileVersion: '9.0'\nimporters:\n  .: {}\n").packages == ()


# ---------------------------------------------------------------------------------------------- speed


def test_speed_of_large_lock_files() -> None:
    """A 20,000-package pnpm v9 lock and a 20,000-line requirements file: each parses in well under 3 s."""
    pkgs = "".join(f"  pkg{i}@1.0.{i}:\n    resolution: {{integrity: sha512-AAAA}}\n\n" for i in range(20000))
    snaps = "".join(f"  pkg{i}@1.0.{i}:\n    dependencies:\n      pkg{i + 1}: 1.0.{i + 1}\n\n" for i in range(19999))
    deps = "      pkg0:\n        specifier: 1.0.0\n        version: 1.0.0\n"
    data = (f"lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n{deps}\npackages:\n{pkgs}"
            f"snapshots:\n{snaps}").encode()
    started = time.perf_counter()
    lock = parse_pnpm_lock(data)
    pnpm_seconds = time.perf_counter() - started
    assert len(lock.packages) == 20000 and not any(p.dev for p in lock.packages)
    reqs = "".join(f"package-{i}=={i}.0.0 \\\n    --hash=sha256:{i:064x}\n" for i in range(20000)).encode()
    started = time.perf_counter()
    assert len(parse_requirements(reqs).packages) == 20000
    req_seconds = time.perf_counter() - started
    assert pnpm_seconds < 3.0 and req_seconds < 3.0, (pnpm_seconds, req_seconds)


# ---------------------------------------------------------------------------------------------- real tools


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    done = subprocess.run(argv, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


PY_PROJECT = """[project]
name = "hullscan-probe"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["requests==2.31.0", "six==1.16.0"]

[project.optional-dependencies]
yaml = ["pyyaml==6.0.1"]

[dependency-groups]
dev = ["iniconfig==2.0.0", "packaging==24.0"]

[tool.poetry]
package-mode = false

[tool.poetry.group.dev.dependencies]
iniconfig = "2.0.0"
packaging = "24.0"

[[tool.poetry.source]]
name = "pypi-simple"
url = "https://pypi.org/simple/"
priority = "primary"
"""
# No dependency with a platform marker (click pulls colorama on Windows only): `poetry show` hides packages whose
# markers this machine does not meet, while the lock file (and uv export) list them.
# Poetry asks PyPI's JSON API for metadata by default; only the simple index is reachable from here, so the
# project names it as its primary source (Poetry then reads the metadata from the distribution files).

PIPFILE = """[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
requests = "==2.31.0"
six = "==1.16.0"

[dev-packages]
iniconfig = "==2.0.0"
six = "==1.16.0"
"""

PY_TOOLS = "uv==0.13.9 poetry==2.5.1 pipenv==2026.10.3"


def _build_python_locks(work: Path) -> None:
    env = {"XDG_CACHE_HOME": str(work / "cache"), "UV_CACHE_DIR": str(work / "cache" / "uv"),
           "POETRY_CACHE_DIR": str(work / "cache" / "poetry"), "PIPENV_VENV_IN_PROJECT": "1", "PIPENV_YES": "1",
           "PIPENV_IGNORE_VIRTUALENVS": "1", "PIP_CACHE_DIR": str(work / "cache" / "pip"), "VIRTUAL_ENV": ""}
    _run([sys.executable, "-m", "venv", str(work / "venv")], work)
    bin_dir = work / "venv" / "bin"
    _run([str(bin_dir / "pip"), "install", "-q", *PY_TOOLS.split()], work, env)
    out = work / "out"
    out.mkdir()
    # uv: lock, export production and dev-only, and a hashed requirements file.
    uv_dir = work / "uv"
    uv_dir.mkdir()
    (uv_dir / "pyproject.toml").write_text(PY_PROJECT)
    uv = str(bin_dir / "uv")
    _run([uv, "lock"], uv_dir, env)
    shutil.copy(uv_dir / "uv.lock", out / "uv.lock")
    export = [uv, "export", "--format", "requirements-txt", "--no-hashes", "--no-emit-project"]
    (out / "uv-prod.txt").write_text(_run([*export, "--no-dev", "--all-extras"], uv_dir, env))
    (out / "uv-dev.txt").write_text(_run([*export, "--only-dev"], uv_dir, env))
    _run([uv, "pip", "compile", "pyproject.toml", "--universal", "--all-extras", "--generate-hashes", "-o",
          str(out / "requirements.txt")], uv_dir, env)
    # Poetry 2: lock (with groups), and what it shows per group.
    poetry_dir = work / "poetry"
    poetry_dir.mkdir()
    (poetry_dir / "pyproject.toml").write_text(PY_PROJECT)
    poetry = str(bin_dir / "poetry")
    _run([poetry, "lock"], poetry_dir, env)
    shutil.copy(poetry_dir / "poetry.lock", out / "poetry.lock")
    for group in ("main", "dev"):
        (out / f"poetry-{group}.txt").write_text(_run([poetry, "show", "--only", group, "--no-ansi"], poetry_dir, env))
    # Pipenv: lock, and its requirements for production and for dev only.
    pipenv_dir = work / "pipenv"
    pipenv_dir.mkdir()
    (pipenv_dir / "Pipfile").write_text(PIPFILE)
    pipenv = str(bin_dir / "pipenv")
    _run([pipenv, "lock"], pipenv_dir, env)
    shutil.copy(pipenv_dir / "Pipfile.lock", out / "Pipfile.lock")
    (out / "pipenv-prod.txt").write_text(_run([pipenv, "requirements"], pipenv_dir, env))
    (out / "pipenv-dev.txt").write_text(_run([pipenv, "requirements", "--dev-only"], pipenv_dir, env))
    for leftover in ("venv", "cache", "uv", "poetry", "pipenv"):
        shutil.rmtree(work / leftover, ignore_errors=True)


@pytest.fixture(scope="module")
def python_locks() -> Path:
    recipe = "\n".join([PY_TOOLS, PY_PROJECT, PIPFILE, sys.version, "uv pip compile --universal"])
    return locks_cached_build("pylocks", recipe, _build_python_locks) / "out"


def _pins(text: str) -> set[tuple[str, str]]:
    """``name==version`` lines of a requirements export, names normalised (PEP 503)."""
    out = set()
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line.strip())
        if m:
            out.add((re.sub(r"[-_.]+", "-", m.group(1)).lower(), m.group(2)))
    return out


def _norm(packages: Iterable[LockedPackage], *, dev: bool) -> set[tuple[str, str]]:
    return {(re.sub(r"[-_.]+", "-", p.name).lower(), p.version) for p in packages if p.dev is dev and not p.root}


@pytest.mark.slow
def test_real_uv_lock(python_locks: Path) -> None:
    lock = parse_uv_lock((python_locks / "uv.lock").read_bytes())
    prod, dev = _pins((python_locks / "uv-prod.txt").read_text()), _pins((python_locks / "uv-dev.txt").read_text())
    assert ("requests", "2.31.0") in prod and ("iniconfig", "2.0.0") in dev and ("pyyaml", "6.0.1") in prod
    assert _norm(lock.packages, dev=False) == prod
    assert _norm(lock.packages, dev=True) == dev - prod
    assert [(p.name, p.version) for p in lock.packages if p.root] == [("hullscan-probe", "0.1.0")]


@pytest.mark.slow
def test_real_uv_pip_compile_requirements(python_locks: Path) -> None:
    """``uv pip compile --generate-hashes``: continuations, hashes and ``# via`` comments; the production pins."""
    text = (python_locks / "requirements.txt").read_text()
    assert "--hash=sha256:" in text and "\\\n" in text
    got = {(re.sub(r"[-_.]+", "-", p.name).lower(), p.version)
           for p in parse_requirements(text.encode()).packages}
    assert got == _pins((python_locks / "uv-prod.txt").read_text())


def _poetry_show(text: str) -> set[tuple[str, str]]:
    out = set()
    for line in text.splitlines():
        parts = [p for p in line.split() if p != "(!)"]
        if len(parts) >= 2:
            out.add((parts[0].lower(), parts[1]))
    return out


@pytest.mark.slow
def test_real_poetry_lock(python_locks: Path) -> None:
    lock = parse_poetry_lock((python_locks / "poetry.lock").read_bytes())
    assert b"groups = [" in (python_locks / "poetry.lock").read_bytes()
    assert _norm(lock.packages, dev=False) == _poetry_show((python_locks / "poetry-main.txt").read_text())
    assert _norm(lock.packages, dev=True) == _poetry_show((python_locks / "poetry-dev.txt").read_text())


@pytest.mark.slow
def test_real_pipfile_lock(python_locks: Path) -> None:
    lock = parse_pipfile_lock((python_locks / "Pipfile.lock").read_bytes())
    prod = _pins((python_locks / "pipenv-prod.txt").read_text())
    develop = _pins((python_locks / "pipenv-dev.txt").read_text())
    assert ("six", "1.16.0") in prod & develop and ("iniconfig", "2.0.0") in develop
    assert _norm(lock.packages, dev=False) == prod
    assert _norm(lock.packages, dev=True) == develop - prod
    # pipenv's requirements output is a requirements file in its own right (-i line, markers).
    assert _norm(parse_requirements((python_locks / "pipenv-prod.txt").read_bytes()).packages, dev=False) == prod


PNPM_PACKAGE_JSON = json.dumps({
    "name": "hullscan-probe", "version": "1.0.0", "private": True,
    "dependencies": {"react-dom": "18.2.0", "react": "18.2.0", "@sindresorhus/is": "4.6.0"},
    "devDependencies": {"is-number": "7.0.0", "loose-envify": "1.4.0"},
    "optionalDependencies": {"ms": "2.1.3"},
}, indent=2)
PNPM_VERSIONS = {"7.33.7": "5.4", "8.15.9": "6.0", "9.15.9": "9.0"}


def _build_pnpm_locks(work: Path) -> None:
    env = {"npm_config_cache": str(work / "npm-cache"), "npm_config_update_notifier": "false"}
    for version in PNPM_VERSIONS:
        tool = work / f"tool-{version}"
        tool.mkdir()
        _run(["npm", "install", "--silent", "--no-audit", "--no-fund", f"pnpm@{version}"], tool, env)
        project = work / f"pnpm-{version}"
        project.mkdir()
        (project / "package.json").write_text(PNPM_PACKAGE_JSON)
        pnpm = str(tool / "node_modules" / ".bin" / "pnpm")
        _run([pnpm, "install", "--store-dir", str(work / "store"), "--reporter", "silent"], project, env)
        out = work / "out" / version
        out.mkdir(parents=True)
        shutil.copy(project / "pnpm-lock.yaml", out / "pnpm-lock.yaml")
        for kind in ("prod", "dev"):
            listing = _run([pnpm, "list", "--json", "--depth", "Infinity", f"--{kind}"], project, env)
            (out / f"list-{kind}.json").write_text(listing)
    for leftover in work.iterdir():
        if leftover.name != "out":
            shutil.rmtree(leftover, ignore_errors=True)


@pytest.fixture(scope="module")
def pnpm_locks() -> Path:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    recipe = "\n".join([PNPM_PACKAGE_JSON, *PNPM_VERSIONS])
    return locks_cached_build("pnpmlocks", recipe, _build_pnpm_locks) / "out"


def _pnpm_list(path: Path) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()

    def walk(deps: dict[str, Any]) -> None:
        for name, info in deps.items():
            out.add((name, info["version"]))
            walk(info.get("dependencies", {}))

    for project in json.loads(path.read_text()):
        for key in ("dependencies", "devDependencies", "optionalDependencies"):
            walk(project.get(key, {}))
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("version", "lockfile_version"), list(PNPM_VERSIONS.items()))
def test_real_pnpm_lock(pnpm_locks: Path, version: str, lockfile_version: str) -> None:
    data = (pnpm_locks / version / "pnpm-lock.yaml").read_bytes()
    assert data.startswith(f"lockfileVersion: {lockfile_version}".encode()) or data.startswith(
        f"lockfileVersion: '{lockfile_version}'".encode())
    assert pnpm_module.fast_load_documents(data.decode()) == list(
        yaml.load_all(data.decode(), Loader=pnpm_module._Loader))
    lock = parse_pnpm_lock(data)
    named = {(f"{p.namespace}/{p.name}" if p.namespace else p.name, p.version, p.dev) for p in lock.packages}
    prod = _pnpm_list(pnpm_locks / version / "list-prod.json")
    dev = _pnpm_list(pnpm_locks / version / "list-dev.json")
    assert ("react-dom", "18.2.0") in prod and ("ms", "2.1.3") in prod and ("is-number", "7.0.0") in dev
    assert {(n, v) for n, v, d in named if not d} == prod
    assert {(n, v) for n, v, d in named if d} == dev - prod
    assert all(p.checksum.startswith("sha512:") for p in lock.packages)


@pytest.mark.slow
def test_real_bundler_gemfile_lock(tmp_path: Path) -> None:
    """Bundler resolves a Gemfile against the gems Debian installed (``bundle lock --local``: no network)."""
    bundle = shutil.which("bundle") or next(iter(sorted(Path("/usr/bin").glob("bundle3.*"))), None)
    if bundle is None:
        pytest.skip("bundler is not installed (Debian package 'ruby')")
    (tmp_path / "Gemfile").write_text(
        'source "https://rubygems.org"\ngem "rack"\ngem "rake"\ngroup :development do\n  gem "minitest"\n'
        '  gem "test-unit"\nend\n'
    )
    env = {"BUNDLE_GEMFILE": str(tmp_path / "Gemfile"), "HOME": str(tmp_path)}
    try:
        _run([str(bundle), "lock", "--local"], tmp_path, env, timeout=120)
    except RuntimeError as exc:
        pytest.skip(f"bundle lock --local cannot resolve with the installed gems: {exc}")
    listing = _run([str(bundle), "list"], tmp_path, env, timeout=120)
    theirs = {(m.group(1), m.group(2)) for m in re.finditer(r"^\s+\* (\S+) \(([^)]+)\)$", listing, re.MULTILINE)}
    assert ("test-unit", next(v for n, v in theirs if n == "test-unit")) in theirs
    result = locks_scan_image(tmp_path / "oci", [GemfileLockExtractor()],
                              [[TarEntrySpec.file("srv/app/Gemfile.lock", (tmp_path / "Gemfile.lock").read_bytes())]])
    assert result.inventory.warnings == ()
    assert {(p.name, p.version) for p in result.inventory.packages} == theirs
    assert all(p.declared and p.type is PackageType.GEM for p in result.inventory.packages)


# ---------------------------------------------------------------------------------------------- lone surrogates


@pytest.mark.parametrize(
    ("ext", "filename", "data", "name"),
    [
        (PipenvLockExtractor(), "Pipfile.lock", b'{"default": {"a\\ud800": {"version": "==1.0"}}}', "a\ufffd"),
        (ComposerLockExtractor(), "composer.lock", b'{"packages": [{"name": "v/p\\udfff", "version": "1.0.0"}]}',
         "p\ufffd"),
        (PipenvLockExtractor(), "Pipfile.lock", b'{"default": {"emoji\\ud83d\\ude00": {"version": "==1.0"}}}',
         "emoji\U0001f600"),
    ],
    ids=["json-high", "json-low", "json-valid-pair"],
)
def test_lone_surrogates_do_not_break_the_cache_encoding(
    ext: LockfileExtractor, filename: str, data: bytes, name: str
) -> None:
    """``"\\ud800"`` is valid JSON and YAML but no UTF-8: the payload (encoded for the layer cache) must still be."""
    view, warnings = locks_walk([ext], {f"app/{filename}": data})
    assert warnings == []
    assert [p.name for p in ext.packages(view, None)] == [name]


def test_lone_surrogate_in_yaml() -> None:
    """libyaml refuses a surrogate escape (a warning); PyYAML's pure-Python reader accepts it (then scrubbed)."""
    data = b'lockfileVersion: "9.0"\npackages:\n  "a\\ud800@1.0.0": {}\n'
    view, warnings = locks_walk([PnpmLockExtractor()], {"app/pnpm-lock.yaml": data})
    names = [p.name for p in PnpmLockExtractor().packages(view, None)]
    assert (names, len(warnings)) in ((["a\ufffd"], 0), ([], 1))
    docs = scrub(list(yaml.load_all(data.decode(), Loader=yaml.SafeLoader)))
    assert docs == [{"lockfileVersion": "9.0", "packages": {"a\ufffd@1.0.0": {}}}]


@pytest.mark.parametrize("ext", ALL, ids=lambda e: e.name)
def test_mutated_lock_files_never_crash(ext: LockfileExtractor) -> None:
    """300 random byte mutations of a real lock file each parse (and encode) or raise ExtractError: nothing else."""
    sources = {
        "lock/requirements": FS / "pip/requirements.txt", "lock/poetry": FS / "poetry/poetry.lock",
        "lock/pipenv": FS / "trivy-ci-test/Pipfile.lock", "lock/uv": FS / "uv/uv.lock",
        "lock/composer": FIXTURES / "lang/php/composer_happy.lock", "lock/pnpm": FS / "pnpm/pnpm-lock.yaml",
    }
    data = GEMFILE_LOCK if ext.name == "lock/gemfile" else sources[ext.name].read_bytes()
    rng = random.Random(ext.name)
    alphabet = b" \n:-{}[]\"'#\\@/()0123456789az\t\x00\xff"
    for _ in range(300):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(len(mutated))
            roll = rng.random()
            if roll < 0.4:
                mutated[pos] = rng.choice(alphabet)
            elif roll < 0.7:
                mutated[pos:pos] = bytes([rng.choice(alphabet)])
            else:
                del mutated[pos : pos + rng.randint(1, 20)]
        with contextlib.suppress(ExtractError):
            encode_payload(ext.parse(bytes(mutated), "x"))
