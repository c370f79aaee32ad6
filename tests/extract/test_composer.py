"""lang/composer: Composer's ``vendor/composer/installed.json`` in both generations, layers and damage.

Expected values: EXPECTED.md "Ruby, PHP, .NET, Conda" (``lang/php/installed.json`` -> pear/log 1.13.3 MIT and
pear/pear_exception v1.0.2 BSD-2-Clause, from Trivy's vendor_test.go). ``fs-lockfiles/composer-vendor/installed.json``
has no expected list in EXPECTED.md; its three packages were read from the file itself. A real Composer install is
not reachable from this machine (no Packagist, and Debian's php-composer packages install no vendor/ tree of
Packagist packages), so the Composer 1 form is built here from the same package objects.
"""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import msgspec
import pytest

from hullscan.extract import composer
from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.composer import (
    NAME,
    ComposerInstalled,
    ComposerInstalledExtractor,
    parse_installed,
)
from hullscan.extract.packages import PackageAssembler
from hullscan.image.facts import encode_payload
from hullscan.model import FileEntry, FileKind, Package, PackageType
from support.images import TarEntrySpec
from support.lang_locks import LangLayer, locks_scan_image, locks_walk

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
PEAR = FIXTURES / "lang" / "php" / "installed.json"
GUZZLE = FIXTURES / "fs-lockfiles" / "composer-vendor" / "installed.json"
INSTALLED = "var/www/app/vendor/composer/installed.json"


def packages_of(*layers: LangLayer) -> list[Package]:
    view, _ = locks_walk([ComposerInstalledExtractor()], *layers)
    return ComposerInstalledExtractor().packages(view, None)


def summary(packages: list[Package]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    return [(p.namespace, p.name, p.version, p.licenses) for p in packages]


def test_protocols() -> None:
    ext: Extractor[ComposerInstalled] = ComposerInstalledExtractor()
    assert (ext.name, ext.version, ext.payload_type) == ("lang/composer", 1, ComposerInstalled)
    assert isinstance(ComposerInstalledExtractor(), PackageAssembler)


@pytest.mark.parametrize(
    ("path", "kind", "wanted"),
    [
        (INSTALLED, FileKind.FILE, True),
        ("vendor/composer/installed.json", FileKind.FILE, True),
        (INSTALLED, FileKind.HARDLINK, True),
        (INSTALLED, FileKind.SYMLINK, False),
        ("var/www/app/vendor/composer/installed.php", FileKind.FILE, False),
        ("var/www/app/composer.json", FileKind.FILE, False),
        ("var/www/app/myvendor/composer/installed.json", FileKind.FILE, False),
        ("var/www/app/installed.json", FileKind.FILE, False),
    ],
    ids=["app", "at-root", "hardlink", "symlink", "installed-php", "composer-json", "lookalike", "bare"],
)
def test_wants(path: str, kind: FileKind, wanted: bool) -> None:
    assert ComposerInstalledExtractor().wants(path, FileEntry(path, kind, 0o644, 10)) is wanted


def test_doctests() -> None:
    result = doctest.testmod(composer, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


def test_trivy_fixture() -> None:
    got = packages_of({INSTALLED: PEAR.read_bytes()})
    assert summary(got) == [
        ("pear", "log", "1.13.3", ("MIT",)),
        ("pear", "pear_exception", "v1.0.2", ("BSD-2-Clause",)),
    ]
    assert [p.purl for p in got] == ["pkg:composer/pear/log@1.13.3", "pkg:composer/pear/pear_exception@v1.0.2"]
    for p in got:
        assert (p.type, p.found_in, p.extractor) == (PackageType.COMPOSER, INSTALLED, NAME)
        assert not p.declared and not p.main_module
        assert p.layer is not None and p.layer.index == 0


def test_fs_lockfiles_fixture(tmp_path: Path) -> None:
    """Read from the file: guzzlehttp/psr7 1.8.3, psr/http-message 1.1, ralouphie/getallheaders 3.0.3, all MIT."""
    layer = [TarEntrySpec.file(INSTALLED, GUZZLE.read_bytes())]
    result = locks_scan_image(tmp_path / "oci", [ComposerInstalledExtractor()], [layer])
    assert result.inventory.warnings == ()
    assert summary(list(result.inventory.packages)) == [
        ("guzzlehttp", "psr7", "1.8.3", ("MIT",)),
        ("psr", "http-message", "1.1", ("MIT",)),
        ("ralouphie", "getallheaders", "3.0.3", ("MIT",)),
    ]
    assert all(p.layer and p.layer.diff_id == result.image.layers[0].diff_id for p in result.inventory.packages)


def test_composer_1_list_form() -> None:
    doc = json.loads(PEAR.read_bytes())
    got = packages_of({INSTALLED: json.dumps(doc["packages"]).encode()})
    assert summary(got) == summary(packages_of({INSTALLED: PEAR.read_bytes()}))


def test_dev_package_names_are_flagged() -> None:
    doc = json.loads(PEAR.read_bytes())
    doc["dev-package-names"] = ["pear/pear_exception"]
    installed = parse_installed(json.dumps(doc).encode())
    assert [(p.name, p.dev) for p in installed.packages] == [("log", False), ("pear_exception", True)]
    # Installed in vendor/ all the same: both are reported.
    assert len(packages_of({INSTALLED: json.dumps(doc).encode()})) == 2


@pytest.mark.parametrize(
    ("license", "want"),
    [
        ("MIT", ("MIT",)),
        (["MIT", "GPL-2.0-or-later"], ("MIT", "GPL-2.0-or-later")),
        (["(LGPL-2.1-only or GPL-3.0-or-later)"], ("LGPL-2.1-only", "GPL-3.0-or-later")),
        ([], ()),
        (None, ()),
        (42, ()),
        (["MIT", 3], ("MIT",)),
    ],
    ids=["string", "list", "expression", "empty", "null", "number", "mixed"],
)
def test_license_shapes(license: object, want: tuple[str, ...]) -> None:
    doc = {"packages": [{"name": "a/b", "version": "1.0.0", "license": license}]}
    (p,) = packages_of({INSTALLED: json.dumps(doc).encode()})
    assert p.licenses == want


def test_entries_without_name_or_version_are_skipped() -> None:
    doc = {"packages": [{"name": "a/b"}, {"version": "1"}, "junk", {"name": "", "version": "1"},
                        {"name": "c/d", "version": "2.0.0"}, {"name": "c/d", "version": "2.0.0"}]}
    assert summary(packages_of({INSTALLED: json.dumps(doc).encode()})) == [("c", "d", "2.0.0", ())]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not a valid Composer installed.json"),
        (b'{"packages": {}}', "neither a list nor an object with 'packages'"),
        (b'"a string"', "neither a list nor an object"),
        (b"\xff\xfe\x00garbage", "not a valid Composer installed.json"),
        (PEAR.read_bytes()[:300], "not a valid Composer installed.json"),
    ],
    ids=["not-json", "packages-not-list", "string", "binary", "truncated"],
)
def test_broken_file(data: bytes, message: str) -> None:
    with pytest.raises(ExtractError, match=message):
        parse_installed(data, INSTALLED)
    view, warnings = locks_walk([ComposerInstalledExtractor()], {INSTALLED: data})
    assert ComposerInstalledExtractor().packages(view, None) == []
    assert [(w.path, w.extractor) for w in warnings] == [(INSTALLED, NAME)]


def test_two_applications_and_layers() -> None:
    other = "srv/api/vendor/composer/installed.json"
    got = packages_of({INSTALLED: PEAR.read_bytes()}, {other: GUZZLE.read_bytes()})
    assert sorted({(p.found_in, p.layer.index if p.layer else -1) for p in got}) == [(other, 1), (INSTALLED, 0)]
    # composer update in a later layer replaces the file: the packages move to that layer, removed ones go.
    doc = json.loads(PEAR.read_bytes())
    doc["packages"] = doc["packages"][:1]
    updated = packages_of({INSTALLED: PEAR.read_bytes()}, {INSTALLED: json.dumps(doc).encode()})
    assert [(p.name, p.layer.index if p.layer else -1) for p in updated] == [("log", 1)]


def test_payload_survives_the_cache_encoding() -> None:
    installed = parse_installed(PEAR.read_bytes())
    assert msgspec.json.decode(encode_payload(installed), type=ComposerInstalled) == installed


def test_lone_surrogate_escape() -> None:
    """JSON may escape a lone surrogate, which UTF-8 (the layer cache) cannot hold: it becomes U+FFFD."""
    data = b'{"packages": [{"name": "a/b\\ud800", "version": "1.0.0", "license": ["\\udc00"]}]}'
    (p,) = packages_of({INSTALLED: data})
    assert (p.name, p.licenses) == ("b\ufffd", ("\ufffd",))
