"""lang/python: Trivy's Python metadata and site-packages fixtures (EXPECTED.md section 4, "Python"), PEP 503 names,
RECORD file lists, licence files, broken files, layers, and real installs made by pip and setuptools compared with
what ``pip list`` and ``importlib.metadata`` say about them, scanned end to end through ``scan_image``.
"""

from __future__ import annotations

import doctest
import email.parser
import hashlib
import importlib.metadata
import io
import os
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path

import msgspec
import pytest
from packageurl import PackageURL

from hullscan.extract import python
from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.packages import PackageAssembler
from hullscan.extract.python import (
    NAME,
    InstalledFiles,
    PythonDist,
    PythonExtractor,
    PythonFile,
    classify_license_text,
    declared_licenses,
    normalize_name,
    package_licenses,
    parse_egg,
    parse_metadata,
    parse_record,
)
from hullscan.image.facts import encode_payload
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.model import FileEntry, FileKind, Package, PackageType
from hullscan.scan import ScanOptions, ScanResult, scan_image
from support.images import TarEntrySpec, write_oci_layout
from support.lang_pynode import PythonInstalls, python_installs, tree_entries
from support.views import Content, Whiteout, view_of

SHARED = Path(__file__).resolve().parents[3] / "shared"
PYTHON = SHARED / "fixtures" / "lang" / "python"
METADATA = PYTHON / "metadata"
SITE = PYTHON / "site-packages"

SP = "usr/local/lib/python3.11/site-packages"


def packages_of(*layers: Mapping[str, Content]) -> list[Package]:
    return PythonExtractor().packages(view_of([PythonExtractor()], *layers), None)


def by_name(packages: list[Package]) -> dict[str, Package]:
    return {p.name: p for p in packages}


def tree(fixture: str, prefix: str = SP) -> dict[str, Content]:
    """A fixture directory of site-packages/ as image files under ``prefix``."""
    root = SITE / fixture
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {f"{prefix}/{p.relative_to(root).as_posix()}": p.read_bytes() for p in files}


# ---------------------------------------------------------------------------------------------- the protocol


def test_protocols() -> None:
    ext: Extractor[PythonFile] = PythonExtractor()
    assert (ext.name, ext.version, ext.payload_type) == ("lang/python", 1, PythonFile)
    assert isinstance(PythonExtractor(), PackageAssembler)


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        (f"{SP}/six-1.16.0.dist-info/METADATA", True),
        (f"{SP}/six-1.16.0.dist-info/RECORD", True),
        (f"{SP}/six-1.16.0.dist-info/LICENSE", True),
        (f"{SP}/six-1.16.0.dist-info/licenses/LICENSE.txt", True),
        (f"{SP}/six-1.16.0.dist-info/licenses/vendored/COPYING", True),
        (f"{SP}/six-1.16.0.dist-info/WHEEL", False),
        (f"{SP}/six-1.16.0.dist-info/entry_points.txt", False),
        ("usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", True),
        ("usr/lib/python3/dist-packages/six-1.16.0.egg-info/installed-files.txt", True),
        ("usr/lib/python3/dist-packages/six-1.16.0.egg-info/SOURCES.txt", False),
        ("usr/lib/python3/dist-packages/distlib-0.3.1-py3.9.egg-info", True),
        (f"{SP}/kitchen-1.2.6-py2.7.egg", True),
        (f"{SP}/kitchen-1.2.6-py2.7.egg/EGG-INFO/PKG-INFO", True),
        (f"{SP}/kitchen/METADATA", False),
        (f"{SP}/kitchen/PKG-INFO", False),
        (f"{SP}/.egg", False),
        (f"{SP}/x/RECORD", False),
        (f"{SP}/six.py", False),
        (f"{SP}/LICENSE", False),
        ("etc/os-release", False),
    ],
)
def test_wants(path: str, wanted: bool) -> None:
    assert PythonExtractor().wants(path, FileEntry(path, FileKind.FILE, 0o644, 100)) is wanted


def test_wants_only_regular_files() -> None:
    path = f"{SP}/six-1.16.0.dist-info/METADATA"
    assert PythonExtractor().wants(path, FileEntry(path, FileKind.HARDLINK, 0o644, 100))
    assert not PythonExtractor().wants(path, FileEntry(path, FileKind.SYMLINK, 0o777, 0))
    assert not PythonExtractor().wants(f"{SP}/x.egg-info", FileEntry(f"{SP}/x.egg-info", FileKind.DIR, 0o755, 0))
    assert not PythonExtractor().wants(path, FileEntry(path, FileKind.FILE, 0o644, python.MAX_METADATA_SIZE + 1))


def test_extract_ignores_other_paths() -> None:
    assert PythonExtractor().extract("etc/os-release", b"Name: x\nVersion: 1\n") is None


def test_payload_survives_the_cache_encoding() -> None:
    data = (SITE / "egg-zip/kitchen-1.2.6-py2.7.egg").read_bytes()
    payload = PythonExtractor().extract(f"{SP}/kitchen-1.2.6-py2.7.egg", data)
    assert payload is not None
    assert msgspec.json.decode(encode_payload(payload), type=PythonFile) == payload


def test_doctests() -> None:
    result = doctest.testmod(python, raise_on_error=False)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------- EXPECTED.md: metadata/

# EXPECTED.md, "Python", metadata/ (Trivy's parse_test.go): name, version and the licences as Trivy lists them;
# then the SPDX ids the inventory carries.
METADATA_CASES = [
    ("setuptools-51.3.3-py3.8.egg-info.PKG-INFO", "setuptools", "51.3.3", ["UNKNOWN"], ()),
    ("unidecode-egg-info.PKG-INFO", "Unidecode", "0.4.1", ["UNKNOWN"], ()),
    ("distlib-0.3.1-py3.9.egg-info", "distlib", "0.3.1", ["Python license"], ("Python license",)),
    ("simple-0.1.0.METADATA", "simple", "0.1.0", [], ()),
    ("distlib-0.3.1.METADATA", "distlib", "0.3.1", ["Python Software Foundation License"], ("PSF-2.0",)),
    ("asyncssh-2.14.2.METADATA", "asyncssh", "2.14.2", ["Eclipse Public License v2.0"], ("EPL-2.0",)),
    (
        "pyphen-0.14.0.METADATA",
        "pyphen",
        "0.14.0",
        [
            "GNU General Public License v2 or later (GPLv2+)",
            "GNU Lesser General Public License v2 or later (LGPLv2+)",
            "Mozilla Public License 1.1 (MPL 1.1)",
        ],
        ("GPL-2.0-or-later", "LGPL-2.0-or-later", "MPL-1.1"),
    ),
    ("iniconfig-2.0.0.METADATA", "iniconfig", "2.0.0", ["MIT"], ("MIT",)),
    ("zipp-3.12.1.METADATA", "zipp", "3.12.1", ["MIT License"], ("MIT",)),
    ("networkx-3.0.METADATA", "networkx", "3.0", ["file://LICENSE.txt"], ()),
]


@pytest.mark.parametrize(("file", "name", "version", "trivy", "spdx"), METADATA_CASES,
                         ids=[c[0] for c in METADATA_CASES])
def test_metadata_fixture(file: str, name: str, version: str, trivy: list[str], spdx: tuple[str, ...]) -> None:
    dist = parse_metadata((METADATA / file).read_bytes(), file)
    assert (dist.name, dist.version) == (name, version)
    assert list(declared_licenses(dist)) == trivy
    assert package_licenses(dist) == spdx


def test_metadata_fixture_in_an_image() -> None:
    """Every metadata fixture where it would be installed: dist-info, egg-info directory, egg-info file."""
    layer: dict[str, Content] = {}
    for file, name, version, *_ in METADATA_CASES:
        data = (METADATA / file).read_bytes()
        if file.endswith(".METADATA"):
            layer[f"{SP}/{name}-{version}.dist-info/METADATA"] = data
        elif file.endswith(".PKG-INFO"):
            layer[f"{SP}/{name}-{version}.egg-info/PKG-INFO"] = data
        else:
            layer[f"{SP}/{file}"] = data  # an egg-info *file*
    got = {(p.name, p.version) for p in packages_of(layer)}
    assert got == {(normalize_name(name), version) for _, name, version, *_ in METADATA_CASES}


def test_description_with_bytes_that_are_not_utf8() -> None:
    """unidecode's PKG-INFO: the long description holds raw bytes; name and version are read all the same."""
    data = (METADATA / "unidecode-egg-info.PKG-INFO").read_bytes()
    dist = parse_metadata(data + b"\nDescription: \xe5\x8c\x97\xff\xfe\n", "PKG-INFO")
    assert (dist.name, dist.version) == ("Unidecode", "0.4.1")


# ------------------------------------------------------------------------------------------ EXPECTED.md: site-packages/


@pytest.mark.parametrize(
    ("fixture", "name", "version", "spdx", "trivy"),
    [
        ("happy-egg", "distlib", "0.3.1", ("Python license",), ["Python license"]),
        ("happy-dist", "distlib", "0.3.1", ("Python license",), ["Python license"]),
        ("classifier-license-egg", "setuptools", "51.3.3", ("MIT",), ["MIT License"]),
        ("classifier-license-dist", "setuptools", "51.3.3", ("MIT",), ["MIT License"]),
        # Trivy's classifier reads the PSF licence stack as BeOpen, CNRI-Python-GPL-Compatible, LicenseRef-MIT-Lucent
        # and Python-2.0; SPDX's Python-2.0 *is* that stack, and that is what we say.
        ("license-file-dist", "typing-extensions", "4.4.0", ("Python-2.0",), ["file://licenses/LICENSE.txt"]),
        ("egg-zip", "kitchen", "1.2.6", ("LGPL-2.0-or-later",),
         ["GNU Library or Lesser General Public License (LGPL)"]),
        ("egg-zip-with-license-file", "sample-package", "0.1", ("MIT",), ["file://EGG-INFO/LICENSE.txt"]),
    ],
)
def test_site_packages_fixture(fixture: str, name: str, version: str, spdx: tuple[str, ...], trivy: list[str]) -> None:
    (p,) = packages_of(tree(fixture))
    assert (p.name, p.version, p.licenses) == (name, version, spdx)
    assert p.type is PackageType.PYPI
    assert p.extractor == "lang/python"
    assert p.purl == f"pkg:pypi/{name}@{version}"
    assert p.layer is not None and p.layer.index == 0
    data = tree(fixture)[p.found_in]
    assert isinstance(data, bytes)
    payload = PythonExtractor().extract(p.found_in, data)
    assert payload is not None and payload.dist is not None
    assert list(declared_licenses(payload.dist)) == trivy


def test_egg_zip_checksum_and_found_in() -> None:
    """EXPECTED.md: kitchen's Digest is the sha1 of EGG-INFO/PKG-INFO inside the zip; found_in is the egg."""
    (p,) = packages_of(tree("egg-zip"))
    assert p.checksum == "sha1:4e13b6e379966771e896ee43cf8e240bf6083dca"
    assert p.found_in == f"{SP}/kitchen-1.2.6-py2.7.egg"


def test_egg_without_pkg_info_is_not_a_package() -> None:
    """EXPECTED.md: no-req-files/no-required-files.egg gives no result, and no warning."""
    data = (SITE / "no-req-files/no-required-files.egg").read_bytes()
    assert PythonExtractor().extract(f"{SP}/no-required-files.egg", data) is None
    assert packages_of(tree("no-req-files")) == []


def test_found_in_is_the_metadata_file() -> None:
    got = packages_of(tree("happy-dist"), tree("happy-egg", "usr/lib/python3/dist-packages"))
    assert {p.found_in for p in got} == {
        f"{SP}/distlib-0.3.1.dist-info/METADATA",
        "usr/lib/python3/dist-packages/distlib-0.3.1.egg-info/PKG-INFO",
    }
    # The same distribution in two places is two packages: each site-packages is its own environment.
    assert {p.key for p in got} == {("pypi", "distlib", "0.3.1", "")}


# ---------------------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Django", "django"),
        ("typing_extensions", "typing-extensions"),
        ("jaraco.classes", "jaraco-classes"),
        ("zope.interface", "zope-interface"),
        ("Foo__Bar--baz..qux", "foo-bar-baz-qux"),
        ("ruamel.yaml.clib", "ruamel-yaml-clib"),
        (" simple ", "simple"),
    ],
)
def test_pep503_names(raw: str, normal: str) -> None:
    assert normalize_name(raw) == normal
    data = f"Metadata-Version: 2.1\nName: {raw}\nVersion: 1.0\n".encode()
    (p,) = packages_of({f"{SP}/x-1.0.dist-info/METADATA": data})
    assert (p.name, p.purl) == (normal, f"pkg:pypi/{normal}@1.0")


@pytest.mark.parametrize("version", ["1.0", "2.0.post1", "1.0+local.7", "1!2.0", "1.0rc1", "1.0.dev3"])
def test_purl_fast_path_agrees_with_packageurl(version: str) -> None:
    for name in ("six", "typing-extensions", "jaraco-classes"):
        assert python.package_url(name, version) == PackageURL(type="pypi", name=name, version=version).to_string()


# ---------------------------------------------------------------------------------------------- metadata parsing


def test_header_rules() -> None:
    data = (
        b"Metadata-Version: 2.1\r\n"
        b"name: lower-case-keys\r\n"
        b"VERSION: 2.0.post1\r\n"
        b"License: Some licence\r\n"
        b"  continued on a second line\r\n"
        b"Name: second-name-is-ignored\r\n"
        b"License-File: LICENSE\r\n"
        b"License-File: NOTICE\r\n"
        b"Classifier: License :: OSI Approved\r\n"
        b"\r\n"
        b"Classifier: License :: OSI Approved :: MIT License\r\n"  # in the body: not a header
    )
    dist = parse_metadata(data)
    assert (dist.name, dist.version) == ("lower-case-keys", "2.0.post1")
    assert dist.license == "Some licence\ncontinued on a second line"
    assert dist.license_files == ("LICENSE", "NOTICE")
    assert dist.license_classifiers == ()  # "OSI Approved" alone names no licence


def test_license_expression_wins() -> None:
    data = (
        b"Metadata-Version: 2.4\nName: x\nVersion: 1\nLicense-Expression: Apache-2.0 OR MIT\n"
        b"License: BSD\nClassifier: License :: OSI Approved :: BSD License\n"
    )
    dist = parse_metadata(data)
    assert declared_licenses(dist) == ("Apache-2.0 OR MIT",)
    assert package_licenses(dist) == ("Apache-2.0 OR MIT",)  # a choice stays one expression


@pytest.mark.parametrize(
    ("license_field", "spdx"),
    [
        ("MIT", ("MIT",)),
        ("BSD", ("BSD-3-Clause",)),
        ("Apache 2.0", ("Apache-2.0",)),
        ("Apache License 2.0", ("Apache-2.0",)),
        ("GPLv2+", ("GPL-2.0-or-later",)),
        ("MIT OR Apache-2.0", ("MIT", "Apache-2.0")),
        ("Mozilla Public License 2.0", ("MPL-2.0",)),  # SPDX's full name
        ("UNKNOWN", ()),
        ("Dual License", ("Dual License",)),
        ("Copyright (c) 2020 Someone. All rights reserved.", ("Copyright (c) 2020 Someone. All rights reserved.",)),
    ],
)
def test_license_field(license_field: str, spdx: tuple[str, ...]) -> None:
    dist = parse_metadata(f"Name: x\nVersion: 1\nLicense: {license_field}\n".encode())
    assert package_licenses(dist) == spdx


def test_license_field_holding_a_whole_licence_text() -> None:
    text = (SITE / "egg-zip-with-license-file/sample_package.egg").read_bytes()
    with zipfile.ZipFile(io.BytesIO(text)) as zf:
        mit = zf.read("EGG-INFO/LICENSE.txt").decode()
    field = "\n        ".join(mit.splitlines())
    dist = parse_metadata(f"Name: x\nVersion: 1\nLicense: {field}\n".encode())
    assert package_licenses(dist) == ("MIT",)


@pytest.mark.parametrize(
    ("text", "spdx"),
    [
        (b"                                 Apache License\n                           Version 2.0, January 2004",
         ("Apache-2.0",)),
        (b"Redistribution and use in source and binary forms, with or without\nmodification ... Neither the name of",
         ("BSD-3-Clause",)),
        (b"Redistribution and use in source and binary forms, with or without modification", ("BSD-2-Clause",)),
        (b"Mozilla Public License Version 2.0\n==================================", ("MPL-2.0",)),
        (b"Permission to use, copy, modify, and/or distribute this software for any purpose", ("ISC",)),
        (b"All rights reserved. Do not copy.", ()),
    ],
)
def test_classify_license_text(text: bytes, spdx: tuple[str, ...]) -> None:
    assert classify_license_text(text) == spdx


def test_license_file_in_licenses_dir() -> None:
    """Metadata 2.4 (PEP 639): License-File paths are under .dist-info/licenses/."""
    mit = b"Permission is hereby granted, free of charge, to any person obtaining a copy of this software"
    got = packages_of({
        f"{SP}/x-1.dist-info/METADATA": b"Metadata-Version: 2.4\nName: x\nVersion: 1\nLicense-File: LICENSE\n",
        f"{SP}/x-1.dist-info/licenses/LICENSE": mit,
    })
    assert got[0].licenses == ("MIT",)


# ---------------------------------------------------------------------------------------------- files


def test_record_gives_the_files() -> None:
    record = (
        b"six.py,sha256=abc,34549\n"
        b"six-1.16.0.dist-info/METADATA,sha256=def,1795\n"
        b"six-1.16.0.dist-info/RECORD,,\n"
        b'"odd,name.py",sha256=x,1\n'
        b"../../../bin/six-tool,sha256=y,2\n"
    )
    (p,) = packages_of({
        f"{SP}/six-1.16.0.dist-info/METADATA": b"Name: six\nVersion: 1.16.0\n",
        f"{SP}/six-1.16.0.dist-info/RECORD": record,
    })
    assert p.files == (
        f"{SP}/six.py",
        f"{SP}/six-1.16.0.dist-info/METADATA",
        f"{SP}/six-1.16.0.dist-info/RECORD",
        f"{SP}/odd,name.py",
        "usr/local/bin/six-tool",
    )


def test_installed_files_txt_gives_an_egg_info_its_files() -> None:
    (p,) = packages_of({
        "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO": b"Name: six\nVersion: 1.16.0\n",
        "usr/lib/python3/dist-packages/six-1.16.0.egg-info/installed-files.txt": b"../six.py\nPKG-INFO\n",
    })
    assert p.files == (
        "usr/lib/python3/dist-packages/six.py",
        "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO",
    )


def test_record_without_metadata_is_no_package() -> None:
    assert packages_of({f"{SP}/six-1.16.0.dist-info/RECORD": b"six.py,,\n"}) == []


def test_parse_record_rejects_binary() -> None:
    with pytest.raises(ExtractError, match="binary content"):
        parse_record(b"\x00\x01\x02", f"{SP}/x.dist-info/RECORD")
    assert parse_record(b"", "RECORD") == InstalledFiles(())


# ---------------------------------------------------------------------------------------------- broken files


def test_metadata_without_a_version_is_broken() -> None:
    data = (METADATA / "zipp-3.12.1.METADATA").read_bytes()
    truncated = data[: data.index(b"Version: 3.12.1") + len(b"Vers")]
    with pytest.raises(ExtractError, match="without a Name and a Version"):
        parse_metadata(truncated, "METADATA")


def test_every_prefix_of_a_metadata_file() -> None:
    """A METADATA cut at any byte parses to the same name/version or raises ExtractError; never anything else."""
    data = (METADATA / "pyphen-0.14.0.METADATA").read_bytes()
    full = parse_metadata(data)
    for end in range(len(data) + 1):
        try:
            dist = parse_metadata(data[:end])
        except ExtractError:
            continue
        assert dist.name == full.name
        assert full.version.startswith(dist.version)


@pytest.mark.parametrize(
    "data",
    [b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)), b"", b"\n\n", b"this is not metadata\n"],
    ids=["binary", "empty", "blank", "prose"],
)
def test_metadata_that_is_not_metadata(data: bytes) -> None:
    with pytest.raises(ExtractError):
        parse_metadata(data, "METADATA")


def _egg(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not a zip archive", "not a readable egg"),
        (_egg({"EGG-INFO/PKG-INFO": b"Name: x\nVersion: 1\n"})[:-30], "not a readable egg"),
        (_egg({"EGG-INFO/PKG-INFO": b"Name: x\n"}), "without a Name and a Version"),
    ],
    ids=["not-a-zip", "truncated-zip", "no-version"],
)
def test_broken_egg(data: bytes, message: str) -> None:
    with pytest.raises(ExtractError, match=message):
        parse_egg(data, f"{SP}/x-1.egg")


def test_egg_member_past_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python, "MAX_ZIP_MEMBER_SIZE", 1000)
    bomb = _egg({"EGG-INFO/PKG-INFO": b"Name: x\nVersion: 1\n" + b" " * 100_000})
    assert len(bomb) < 2000  # it compresses to almost nothing
    with pytest.raises(ExtractError, match="limit"):
        parse_egg(bomb, f"{SP}/x-1.egg")


def test_egg_with_a_corrupt_member() -> None:
    good = _egg({"EGG-INFO/PKG-INFO": b"Name: x\nVersion: 1\n" * 50})
    at = good.index(b"PK\x01\x02")  # flip a byte of the compressed data, before the central directory
    bad = good[: at - 10] + bytes([good[at - 10] ^ 0xFF]) + good[at - 9 :]
    with pytest.raises(ExtractError):
        parse_egg(bad, f"{SP}/x-1.egg")


# ---------------------------------------------------------------------------------------------- layers


def test_upgrade_in_a_later_layer() -> None:
    got = packages_of(
        {f"{SP}/six-1.15.0.dist-info/METADATA": b"Name: six\nVersion: 1.15.0\n",
         f"{SP}/idna-2.10.dist-info/METADATA": b"Name: idna\nVersion: 2.10\n"},
        {f"{SP}/six-1.15.0.dist-info": Whiteout(),
         f"{SP}/six-1.16.0.dist-info/METADATA": b"Name: six\nVersion: 1.16.0\n"},
    )
    assert {(p.name, p.version, p.layer.index if p.layer else -1) for p in got} == {
        ("six", "1.16.0", 1),
        ("idna", "2.10", 0),
    }


def test_uninstall_in_a_later_layer() -> None:
    got = packages_of(
        {f"{SP}/six-1.15.0.dist-info/METADATA": b"Name: six\nVersion: 1.15.0\n"},
        {f"{SP}/six-1.15.0.dist-info": Whiteout()},
    )
    assert got == []


# ---------------------------------------------------------------------------------------------- real installs


def _layered_image(installs: PythonInstalls, tmp: Path) -> ScanResult:
    layers = [
        tree_entries(installs.site, SP),
        [
            *tree_entries(installs.egg_info_site, "usr/lib/python3/dist-packages"),
            TarEntrySpec.file(f"usr/lib/python3/dist-packages/{installs.egg.name}", installs.egg.read_bytes()),
        ],
        [
            # Broken files: each is a warning, none ends the scan.
            TarEntrySpec.file(f"{SP}/broken-1.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: broken\nVers"),
            TarEntrySpec.file(f"{SP}/binary-1.0.dist-info/METADATA", b"\x7fELF\x00\x00\x00\x01" * 8),
            TarEntrySpec.file(f"{SP}/notazip-1.0-py3.11.egg", b"<html>404 Not Found</html>"),
            TarEntrySpec.file(f"{SP}/cut-1.0-py3.11.egg", installs.egg.read_bytes()[:300]),
        ],
    ]
    image = write_oci_layout(tmp / "layout", layers, history=["pip install", "setuptools", "broken files"])
    return scan_image(open_source(image.ref, SourceOptions()), ScanOptions(extractors=(PythonExtractor(),), cache=None))


@pytest.fixture(scope="module")
def installs() -> PythonInstalls:
    return python_installs()


@pytest.fixture(scope="module")
def scanned(installs: PythonInstalls, tmp_path_factory: pytest.TempPathFactory) -> ScanResult:
    return _layered_image(installs, tmp_path_factory.mktemp("python-image"))


@pytest.mark.slow
def test_pip_target_install_matches_pip_list(installs: PythonInstalls, scanned: ScanResult) -> None:
    got = {(p.name, p.version) for p in scanned.inventory.packages if p.found_in.startswith(f"{SP}/")}
    want = {(normalize_name(d["name"]), d["version"]) for d in installs.pip_list("site")}
    assert got == want
    assert {"urllib3", "requests", "six", "typing-extensions", "jaraco-classes", "markdown"} <= {n for n, _ in got}
    for p in scanned.inventory.packages:
        if p.found_in.startswith(f"{SP}/"):
            assert p.layer is not None and (p.layer.index, p.layer.created_by) == (0, "pip install"), p.name
            assert p.found_in.endswith(".dist-info/METADATA")
            assert p.purl == f"pkg:pypi/{p.name}@{p.version}"


@pytest.mark.slow
def test_egg_info_install_matches_pip_list(installs: PythonInstalls, scanned: ScanResult) -> None:
    prefix = "usr/lib/python3/dist-packages/"
    got = {(p.name, p.version) for p in scanned.inventory.packages
           if p.found_in.startswith(prefix) and ".egg-info/" in p.found_in}
    want = {(normalize_name(d["name"]), d["version"]) for d in installs.pip_list("eggsite")}
    assert got == want == {("toml", "0.10.2")}
    toml = next(p for p in scanned.inventory.packages if p.name == "toml")
    assert toml.licenses == ("MIT",)
    assert toml.layer is not None and toml.layer.index == 1


@pytest.mark.slow
def test_zipped_egg_matches_its_pkg_info(installs: PythonInstalls, scanned: ScanResult) -> None:
    """The egg setuptools built, against the stdlib's own reading of its EGG-INFO/PKG-INFO."""
    with zipfile.ZipFile(installs.egg) as zf:
        pkg_info = zf.read("EGG-INFO/PKG-INFO")
    headers = email.parser.BytesParser().parsebytes(pkg_info, headersonly=True)
    (egg,) = [p for p in scanned.inventory.packages if p.found_in.endswith(".egg")]
    assert (egg.name, egg.version) == (normalize_name(headers["Name"]), headers["Version"]) == ("six", "1.16.0")
    assert egg.checksum == "sha1:" + hashlib.sha1(pkg_info, usedforsecurity=False).hexdigest()
    assert egg.licenses == ("MIT",)


@pytest.mark.slow
def test_files_match_importlib_metadata(installs: PythonInstalls, scanned: ScanResult) -> None:
    """Package.files from RECORD equals what importlib.metadata says each distribution installed."""
    checked = 0
    for p in scanned.inventory.packages:
        if not p.found_in.startswith(f"{SP}/"):
            continue
        dist_info = p.found_in.rpartition("/")[0].rpartition("/")[2]
        dist = importlib.metadata.Distribution.at(installs.site / dist_info)
        want = {
            f"{SP}/{os.path.normpath(os.path.relpath(str(dist.locate_file(f)), installs.site))}"
            for f in dist.files or ()
        }
        assert set(p.files) == {os.path.normpath(f) for f in want}, p.name
        checked += 1
    assert checked == len(installs.pip_list("site"))


@pytest.mark.slow
def test_licenses_of_real_wheels(scanned: ScanResult) -> None:
    got = {p.name: p.licenses for p in scanned.inventory.packages}
    assert got["urllib3"] == ("MIT",)
    assert got["requests"] == ("Apache-2.0",)
    assert got["six"] == ("MIT",)
    assert got["idna"] == ("BSD-3-Clause",)


@pytest.mark.slow
def test_broken_files_are_warnings(scanned: ScanResult) -> None:
    warned = {(w.path, w.extractor) for w in scanned.inventory.warnings}
    assert warned == {
        (f"{SP}/broken-1.0.dist-info/METADATA", NAME),
        (f"{SP}/binary-1.0.dist-info/METADATA", NAME),
        (f"{SP}/notazip-1.0-py3.11.egg", NAME),
        (f"{SP}/cut-1.0-py3.11.egg", NAME),
    }
    assert all(w.layer is not None and w.layer.index == 2 for w in scanned.inventory.warnings)
    assert not {"broken", "binary", "notazip", "cut"} & {p.name for p in scanned.inventory.packages}


# ---------------------------------------------------------------------------------------------- speed


def test_metadata_parsing_is_linear() -> None:
    """A 4 MB description after the header costs nothing: only the header is decoded."""
    head = (METADATA / "pyphen-0.14.0.METADATA").read_bytes()
    big = head + b"\n\n" + b"long description line\n" * 200_000
    started = time.perf_counter()
    for _ in range(20):
        parse_metadata(big)
    assert time.perf_counter() - started < 2.0
    # An old-style PKG-INFO carries the description as an indented header: linear in its size.
    old = b"Name: x\nVersion: 1\nDescription: start\n" + b"        more text of the description\n" * 100_000
    started = time.perf_counter()
    assert parse_metadata(old).version == "1"
    assert time.perf_counter() - started < 2.0


def test_payload_type_is_typed() -> None:
    """Payloads hold no dict[str, Any]: every field is a typed tuple, string or dataclass."""
    dist = PythonDist("x", "1")
    assert msgspec.json.decode(encode_payload(PythonFile(dist=dist)), type=PythonFile).dist == dist
