"""lang/java: Trivy's jar fixtures, real Debian Java libraries in an image, a Spring-Boot-like fat jar, hostile
archives, the index seam, layers and the small parsers.

Expected values: EXPECTED.md section 4, "Java" (from Trivy's ``pkg/dependency/parser/java/jar/parse_test.go`` and
``pkg/fanal/analyzer/language/java/jar/jar_test.go``); the licence names are those of the same Trivy test at the
fixture snapshot (``wantMaven``, ``wantGradle``, ``wantFatjar``, ``wantDuplicatesJar``), kept as written in the
payload and compared as SPDX ids on the packages. Trivy's ``FilePath`` ``maven.war/WEB-INF/lib/x.jar`` is our
``found_in`` ``maven.war!WEB-INF/lib/x.jar``.

Three fixtures are identified by Trivy through an index, not from their content: ``spring-core-sha1-only.jar``
and ``heuristic-1.0.0-SNAPSHOT.jar`` by a mock Maven Central search (parse_test.go's ``httptest`` server), and
``analyzer-tomcat-embed-websocket-sha1.jar`` by the one-row ``java-db/trivy-java.db``. Offline, the extractor
gives what the archives themselves say (Trivy's ``offline`` case for spring-core); the index cases are tested
through :class:`ArtifactIndex` with the same answers: the mock's, written out below, and the java-db read with
sqlite3 in the test (EXPECTED.md: "found by SHA-1 in java-db"). Nothing at runtime reads the java-db.

The Debian test downloads a fixed set of Debian Java library packages (``apt-get download``), unpacks them, layers
``usr/share/java`` and ``usr/share/maven-repo`` into an image and scans it: every jar that carries Maven's
``pom.properties`` must give exactly the groupId/artifactId/version of the pom Debian installed for it in
``usr/share/maven-repo``; the jars that only have a manifest are held to the version and to the heuristics' known
answers (listed, with what Maven says).
"""

from __future__ import annotations

import doctest
import hashlib
import importlib
import io
import pkgutil
import random
import sqlite3
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import msgspec
import pytest

from hullscan.extract import java
from hullscan.extract.base import ExtractError, Extractor
from hullscan.extract.java import (
    NAME,
    NESTED_SEPARATOR,
    ArchiveLimits,
    JavaArchive,
    JavaExtractor,
    MavenArtifact,
    MavenCoordinates,
    bundle_license_ids,
    classify_license_file,
    clean_version,
    license_ids,
    manifest_artifact_id,
    manifest_group_id,
    parse_archive,
    parse_file_name,
    parse_manifest,
    parse_module_name,
    parse_pom_licenses,
    parse_pom_properties,
    version_key,
)
from hullscan.extract.packages import AssemblyWarnings, PackageAssembler
from hullscan.image.facts import FactWarning, encode_payload
from hullscan.model import FileEntry, FileKind, Package, PackageType
from support.images import TarEntrySpec
from support.lang_java import (
    debian_java_root,
    debian_maven_coordinates,
    debian_maven_poms,
    is_placeholder_version,
    java_layer_entries,
    java_scan_image,
    java_tree_entries,
    java_walk,
    real_jars,
)

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
JAVA = FIXTURES / "lang" / "java"
JAVA_DB = JAVA / "java-db" / "trivy-java.db"

T = TypeVar("T")

Row = tuple[str, str, str, str, tuple[str, ...]]
"""groupId, artifactId, version, path inside the archive (``""``: the archive itself), licences as written."""

APACHE_SW = "The Apache Software License, Version 2.0"
WANT: dict[str, list[Row]] = {
    "maven.war": [
        ("com.example", "web-app", "1.0-SNAPSHOT", "", ()),
        ("com.fasterxml.jackson.core", "jackson-databind", "2.9.10.6", "WEB-INF/lib/jackson-databind-2.9.10.6.jar",
         ("Apache-2.0",)),
        ("com.fasterxml.jackson.core", "jackson-annotations", "2.9.10", "WEB-INF/lib/jackson-annotations-2.9.10.jar",
         ("Apache-2.0",)),
        ("com.fasterxml.jackson.core", "jackson-core", "2.9.10", "WEB-INF/lib/jackson-core-2.9.10.jar",
         ("Apache-2.0",)),
        ("com.cronutils", "cron-utils", "9.1.2", "WEB-INF/lib/cron-utils-9.1.2.jar", ("Apache 2.0",)),
        ("org.slf4j", "slf4j-api", "1.7.30", "WEB-INF/lib/slf4j-api-1.7.30.jar", ()),
        ("org.glassfish", "javax.el", "3.0.0", "WEB-INF/lib/javax.el-3.0.0.jar",
         ("CDDL + GPLv2 with classpath exception",)),
        ("org.apache.commons", "commons-lang3", "3.11", "WEB-INF/lib/commons-lang3-3.11.jar", ("Apache-2.0",)),
    ],
    "gradle.war": [
        ("commons-dbcp", "commons-dbcp", "1.4", "WEB-INF/lib/commons-dbcp-1.4.jar", ("Apache-2.0",)),
        ("commons-pool", "commons-pool", "1.6", "WEB-INF/lib/commons-pool-1.6.jar", ("Apache-2.0",)),
        ("log4j", "log4j", "1.2.17", "WEB-INF/lib/log4j-1.2.17.jar", (APACHE_SW,)),
        ("org.apache.commons", "commons-compress", "1.19", "WEB-INF/lib/commons-compress-1.19.jar", ("Apache-2.0",)),
    ],
    "nested.jar": [
        ("test", "nested", "0.0.1", "", ()),
        ("test", "nested2", "0.0.2", "META-INF/jars/nested2.jar", ()),
        ("test", "nested3", "0.0.3", "META-INF/jars/nested2.jar!META-INF/jars/nested3.jar", ()),
    ],
    # Offline: Trivy's "offline" case (MANIFEST Implementation-Title/Version, groupId from Bundle-SymbolicName).
    "spring-core-sha1-only.jar": [("org.springframework", "Spring Framework", "2.5.6.SEC03", "", ())],
    # Offline: the file name alone; the groupId came from Trivy's mock search (see test_index_*).
    "heuristic-1.0.0-SNAPSHOT.jar": [("", "heuristic", "1.0.0-SNAPSHOT", "", ())],
    "hadoop-shaded-guava-1.1.0-SNAPSHOT.jar": [
        ("com.google.guava", "failureaccess", "1.0.1", "", ()),
        ("com.google.guava", "guava", "29.0-jre", "", ()),
        ("com.google.guava", "listenablefuture", "9999.0-empty-to-avoid-conflict-with-guava", "", ()),
        ("com.google.j2objc", "j2objc-annotations", "1.3", "", (APACHE_SW,)),
        ("org.apache.hadoop.thirdparty", "hadoop-shaded-guava", "1.1.0-SNAPSHOT", "", ()),
    ],
    "io.quarkus.gizmo.gizmo-1.1.jar": [
        ("io.quarkus.gizmo", "gizmo", "1.1", "", (APACHE_SW,)),
        ("log4j", "log4j", "1.2.16", "jars/log4j-1.2.16.jar", (APACHE_SW,)),
        ("log4j", "log4j", "1.2.17", "jars/log4j-1.2.17.jar", (APACHE_SW,)),
        ("com.fasterxml.jackson.core", "jackson-databind", "2.12.3", "", ()),
        ("com.fasterxml.jackson.core", "jackson-databind", "2.13.4", "", ()),
    ],
    "multi-license-1.0.0.jar": [("com.example", "multi-license", "1.0.0", "", ())],
    "license-from-jenkins-plugin.jar": [
        ("com.example", "jenkins-plugin", "1.0.0", "", ("Apache License, Version 2.0", "MIT License")),
    ],
    # Offline (EXPECTED.md's answer needs the java-db: test_index_java_db). The licence is its LICENSE file's. The
    # artifactId is its Bundle-Name (its title, "Apache Tomcat", is prose); the groupId is what its module name
    # (org.apache.tomcat.embed.websocket) and its Bundle-SymbolicName suggest; Maven's is org.apache.tomcat.embed.
    "analyzer-tomcat-embed-websocket-sha1.jar": [
        ("org.apache.tomcat", "tomcat-embed-websocket", "9.0.65", "", ("Apache-2.0",)),
    ],
    "analyzer-test.par": [
        ("com.example", "par-app", "3.0.0", "", ()),
        ("com.fasterxml.jackson.core", "jackson-core", "2.9.10", "lib/jackson-core-2.9.10.jar", ("Apache-2.0",)),
    ],
    "jackson-annotations-2.15.0-rc2.jar": [
        ("com.fasterxml.jackson.core", "jackson-annotations", "2.15.0-rc2", "", (APACHE_SW,)),
    ],
}
SHA1 = {
    "spring-core-sha1-only.jar": "c666f5bc47eb64ed3bbd13505a26f58be71f33f0",
    "analyzer-tomcat-embed-websocket-sha1.jar": "bd70dfeb39cc83c6934be24fa377b21e541dbe76",
}


def rows(archive: JavaArchive | Iterable[MavenArtifact]) -> set[Row]:
    artifacts = archive.artifacts if isinstance(archive, JavaArchive) else archive
    return {(a.group_id, a.artifact_id, a.version, a.archive, a.licenses) for a in artifacts}


def sha1_hex(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def nested_sha1(data: bytes, inner: str) -> str:
    """SHA-1 of the archive at ``inner`` (``a.jar!b.jar``), read with zipfile here, not with the extractor."""
    for name in inner.split("!"):
        data = zipfile.ZipFile(io.BytesIO(data)).read(name)
    return sha1_hex(data)


def packages_of(*layers: Mapping[str, bytes | None], extractor: JavaExtractor | None = None) -> list[Package]:
    ext = extractor or JavaExtractor()
    view, _ = java_walk([ext], *layers)
    return ext.packages(view, None)


def walk_warnings(*layers: Mapping[str, bytes | None]) -> tuple[list[Package], list[str]]:
    """Packages and every warning a scan would report: the walker's and the assembler's."""
    ext = JavaExtractor()
    view, walked = java_walk([ext], *layers)
    return ext.packages(view, None), [w.message for w in walked] + [w.message for w in ext.warnings(view)]


# ---------------------------------------------------------------------------------------------- jar builders


def pom_properties(group: str, artifact: str, version: str) -> bytes:
    return f"#Generated by Maven\ngroupId={group}\nartifactId={artifact}\nversion={version}\n".encode()


def manifest(**headers: str) -> bytes:
    lines = ["Manifest-Version: 1.0", *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def make_jar(entries: Mapping[str, bytes], *, stored: bool = False, prefix: bytes = b"") -> bytes:
    buf = io.BytesIO()
    buf.write(prefix)
    with zipfile.ZipFile(buf, "a" if prefix else "w", compression=zipfile.ZIP_STORED if stored
                         else zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def maven_jar(group: str, artifact: str, version: str, extra: Mapping[str, bytes] | None = None) -> bytes:
    return make_jar({
        "META-INF/MANIFEST.MF": manifest(Implementation_Title=artifact, Implementation_Version=version),
        f"META-INF/maven/{group}/{artifact}/pom.properties": pom_properties(group, artifact, version),
        f"{artifact.replace('-', '/')}/Main.class": b"\xca\xfe\xba\xbe" + bytes(64),
        **(extra or {}),
    })


@dataclass(frozen=True, slots=True)
class RawEntry:
    """A zip member written byte for byte: lets a test declare sizes and data zipfile would not write."""

    name: str
    compressed: bytes
    crc: int
    size: int
    method: int = zipfile.ZIP_DEFLATED
    extra: bytes = field(default=b"")


def raw_zip(entries: Iterable[RawEntry]) -> bytes:
    """A zip archive from raw members (APPNOTE.TXT 4.3.7, 4.3.12, 4.3.16; no zip64: every size < 4 GiB)."""
    out = io.BytesIO()
    central = io.BytesIO()
    count = 0
    for e in entries:
        name = e.name.encode()
        offset = out.tell()
        out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, e.method, 0, 0x21, e.crc, len(e.compressed),
                              e.size, len(name), 0))
        out.write(name)
        out.write(e.compressed)
        central.write(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, e.method, 0, 0x21, e.crc,
                                  len(e.compressed), e.size, len(name), 0, 0, 0, 0, 0, offset))
        central.write(name)
        count += 1
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def deflated_zeros(gib: int = 1) -> RawEntry:
    """``gib`` GiB of zeros as one deflate stream of ~1 MB: 1 MiB compressed once, full-flushed (so every copy is
    the same bytes and the stream stays valid), repeated."""
    chunk = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(1024 * gib):
        crc = zlib.crc32(chunk, crc)
    return RawEntry("zeros.bin", segment * (1024 * gib) + tail, crc, (1 << 30) * gib)


# ---------------------------------------------------------------------------------------------- the protocol


def test_protocols() -> None:
    ext: Extractor[JavaArchive] = JavaExtractor()
    assert (ext.name, ext.version, ext.payload_type) == ("lang/java", 2, JavaArchive)
    assert isinstance(JavaExtractor(), PackageAssembler)
    assert isinstance(JavaExtractor(), AssemblyWarnings)


@pytest.mark.parametrize(
    ("path", "kind", "wanted"),
    [
        ("opt/app/app.jar", FileKind.FILE, True),
        ("usr/local/tomcat/webapps/ROOT.war", FileKind.FILE, True),
        ("opt/app.ear", FileKind.FILE, True),
        ("opt/app.par", FileKind.FILE, True),
        ("var/jenkins_home/plugins/git.jpi", FileKind.FILE, True),
        ("var/jenkins_home/plugins/git.hpi", FileKind.FILE, True),
        ("opt/APP.JAR", FileKind.FILE, True),
        ("opt/app.jar", FileKind.HARDLINK, True),
        ("usr/share/java/guava-31.1-jre.jar", FileKind.SYMLINK, False),
        ("opt/app.jar", FileKind.DIR, False),
        ("opt/app.zip", FileKind.FILE, False),
        ("opt/jar", FileKind.FILE, False),
        ("opt/app.jar.sha1", FileKind.FILE, False),
        ("opt/a.rar", FileKind.FILE, False),
    ],
    ids=["jar", "war", "ear", "par", "jpi", "hpi", "upper-case", "hardlink", "symlink", "directory", "zip",
         "bare-jar", "checksum-file", "rar"],
)
def test_wants(path: str, kind: FileKind, wanted: bool) -> None:
    assert JavaExtractor().wants(path, FileEntry(path, kind, 0o644, 100)) is wanted


def test_empty_file_is_no_archive_and_no_warning() -> None:
    assert JavaExtractor().extract("opt/placeholder.jar", b"") is None


def test_payload_survives_the_cache_encoding() -> None:
    payload = parse_archive((JAVA / "maven.war").read_bytes(), "maven.war")
    assert msgspec.json.decode(encode_payload(payload), type=JavaArchive) == payload


def test_doctests() -> None:
    attempted = 0
    for module_info in pkgutil.iter_modules(java.__path__):
        module = importlib.import_module(f"{java.__name__}.{module_info.name}")
        result = doctest.testmod(module, raise_on_error=False)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted > 0


# ---------------------------------------------------------------------------------------------- Trivy's fixtures


@pytest.mark.parametrize("name", sorted(WANT))
def test_trivy_fixture(name: str) -> None:
    data = (JAVA / name).read_bytes()
    payload = parse_archive(data, f"opt/{name}")
    assert payload.warnings == ()
    assert rows(payload) == set(WANT[name])
    assert len(payload.artifacts) == len(WANT[name])  # repeats (gizmo's pom.properties) are listed once

    packages = packages_of({f"opt/{name}": data})
    assert len(packages) == len(WANT[name])
    got = {(p.namespace, p.name, p.version, p.found_in): p for p in packages}
    for group, artifact, version, inner, licences in WANT[name]:
        found_in = f"opt/{name}!{inner}" if inner else f"opt/{name}"
        p = got[(group, artifact, version, found_in)]
        assert (p.type, p.extractor, p.files) == (PackageType.MAVEN, NAME, (f"opt/{name}",))
        assert p.licenses == license_ids(licences)
        sha1 = nested_sha1(data, inner) if inner else sha1_hex(data)
        assert p.checksum == f"sha1:{sha1}"
        assert p.layer is not None and p.layer.index == 0
        if group:
            assert p.purl.startswith(f"pkg:maven/{group}/")
    if name in SHA1:
        assert {p.checksum for p in packages} == {f"sha1:{SHA1[name]}"}


def test_trivy_licences_as_spdx_ids() -> None:
    by_name = {p.name: p.licenses for p in packages_of({"maven.war": (JAVA / "maven.war").read_bytes()})}
    assert by_name == {
        "web-app": (),
        "jackson-databind": ("Apache-2.0",),
        "jackson-annotations": ("Apache-2.0",),
        "jackson-core": ("Apache-2.0",),
        "cron-utils": ("Apache-2.0",),
        "slf4j-api": (),
        "javax.el": ("CDDL + GPLv2 with classpath exception",),  # not an SPDX expression: kept as written
        "commons-lang3": ("Apache-2.0",),
    }
    (jenkins,) = packages_of({"p.jar": (JAVA / "license-from-jenkins-plugin.jar").read_bytes()})
    assert jenkins.licenses == ("Apache-2.0", "MIT")


def test_trivy_purls() -> None:
    got = {p.purl for p in packages_of({f"opt/{n}": (JAVA / n).read_bytes() for n in (
        "spring-core-sha1-only.jar", "heuristic-1.0.0-SNAPSHOT.jar", "nested.jar")})}
    assert got == {
        "pkg:maven/org.springframework/Spring%20Framework@2.5.6.SEC03",
        "pkg:maven/heuristic@1.0.0-SNAPSHOT",
        "pkg:maven/test/nested@0.0.1",
        "pkg:maven/test/nested2@0.0.2",
        "pkg:maven/test/nested3@0.0.3",
    }


def test_trivy_fixtures_in_an_image(tmp_path: Path) -> None:
    """Every fixture archive in a two-layer image, scanned end to end: the layer of each file, no warning."""
    names = sorted(WANT)
    wars = [n for n in names if n.endswith((".war", ".par"))]
    jars = [n for n in names if n not in wars]
    result = java_scan_image(
        tmp_path / "oci",
        [JavaExtractor()],
        [
            [TarEntrySpec.file(f"usr/local/tomcat/webapps/{n}", (JAVA / n).read_bytes()) for n in wars],
            [TarEntrySpec.file(f"opt/app/lib/{n}", (JAVA / n).read_bytes()) for n in jars],
        ],
    )
    inventory = result.inventory
    assert inventory.warnings == ()
    assert len(inventory.packages) == sum(len(v) for v in WANT.values())
    for p in inventory.packages:
        outer = p.found_in.split("!", 1)[0]
        assert p.layer is not None
        assert p.layer.index == (0 if outer.startswith("usr/local/tomcat/webapps/") else 1)
        assert p.layer.created_by == f"step {p.layer.index}"
    web_app = next(p for p in inventory.packages if p.name == "web-app")
    assert web_app.found_in == "usr/local/tomcat/webapps/maven.war"
    deep = next(p for p in inventory.packages if p.name == "nested3")
    assert deep.found_in == "opt/app/lib/nested.jar!META-INF/jars/nested2.jar!META-INF/jars/nested3.jar"


# ---------------------------------------------------------------------------------------------- the index seam


class JavaDbIndex:
    """Trivy's java-db (SQLite: ``artifacts(id, group_id, artifact_id)``, ``indices(artifact_id, version, sha1
    BLOB, archive_type)``), read here only: the test's stand-in for an index a deployment would plug in."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        self.asked: list[str] = []

    def by_sha1(self, sha1: str) -> MavenCoordinates | None:
        self.asked.append(sha1)
        row = self._db.execute(
            "SELECT a.group_id, a.artifact_id, i.version FROM indices i JOIN artifacts a ON a.id = i.artifact_id "
            "WHERE i.sha1 = ?",
            (bytes.fromhex(sha1),),
        ).fetchone()
        return MavenCoordinates(*row) if row else None

    def group_id(self, artifact_id: str, version: str) -> str | None:
        return None


class TrivyMockCentral:
    """The answers of parse_test.go's mock Maven Central: SHA-1 c666f5bc... is spring-core 5.3.3; an artifactId
    search for ``heuristic`` finds org.springframework (versionCount 10) and com.example (100), the most
    versions winning."""

    def by_sha1(self, sha1: str) -> MavenCoordinates | None:
        if sha1 == "c666f5bc47eb64ed3bbd13505a26f58be71f33f0":
            return MavenCoordinates("org.springframework", "spring-core", "5.3.3")
        return None

    def group_id(self, artifact_id: str, version: str) -> str | None:
        candidates = {"heuristic": [("org.springframework", 10), ("com.example", 100)]}.get(artifact_id, [])
        return max(candidates, key=lambda c: c[1])[0] if candidates else None


def test_index_java_db() -> None:
    """EXPECTED.md: found by SHA-1 in java-db -> tomcat-embed-websocket 9.0.65, Digest sha1:bd70dfeb..., Apache-2.0."""
    index = JavaDbIndex(JAVA_DB)
    name = "analyzer-tomcat-embed-websocket-sha1.jar"
    (p,) = packages_of({f"opt/{name}": (JAVA / name).read_bytes()}, extractor=JavaExtractor(index=index))
    assert (p.namespace, p.name, p.version) == ("org.apache.tomcat.embed", "tomcat-embed-websocket", "9.0.65")
    assert p.checksum == "sha1:bd70dfeb39cc83c6934be24fa377b21e541dbe76"
    assert p.licenses == ("Apache-2.0",)
    assert p.purl == "pkg:maven/org.apache.tomcat.embed/tomcat-embed-websocket@9.0.65"
    assert p.found_in == f"opt/{name}"


def test_index_mock_central() -> None:
    """EXPECTED.md: spring-core-sha1-only.jar online -> spring-core 5.3.3; heuristic -> com.example:heuristic."""
    ext = JavaExtractor(index=TrivyMockCentral())
    got = {(p.namespace, p.name, p.version) for p in packages_of(
        {"a/spring-core-sha1-only.jar": (JAVA / "spring-core-sha1-only.jar").read_bytes(),
         "a/heuristic-1.0.0-SNAPSHOT.jar": (JAVA / "heuristic-1.0.0-SNAPSHOT.jar").read_bytes()},
        extractor=ext)}
    assert got == {("org.springframework", "spring-core", "5.3.3"), ("com.example", "heuristic", "1.0.0-SNAPSHOT")}


def test_index_is_not_asked_about_archives_their_pom_names() -> None:
    index = JavaDbIndex(JAVA_DB)
    war = (JAVA / "maven.war").read_bytes()
    got = packages_of({"maven.war": war}, extractor=JavaExtractor(index=index))
    assert rows(MavenArtifact(p.namespace, p.name, p.version) for p in got) == {
        (g, a, v, "", ()) for g, a, v, _, _ in WANT["maven.war"]}
    # Only the war itself names no artifact of its own by file name (its pom.properties is web-app's).
    assert index.asked == [sha1_hex(war)]


def test_index_hit_replaces_a_manifest_guess_inside_a_war() -> None:
    tomcat = (JAVA / "analyzer-tomcat-embed-websocket-sha1.jar").read_bytes()
    war = make_jar({"WEB-INF/lib/websocket.jar": tomcat}, stored=True)
    got = packages_of({"app.war": war}, extractor=JavaExtractor(index=JavaDbIndex(JAVA_DB)))
    assert [(p.namespace, p.name, p.version, p.found_in) for p in got] == [
        ("org.apache.tomcat.embed", "tomcat-embed-websocket", "9.0.65", "app.war!WEB-INF/lib/websocket.jar")]


# ---------------------------------------------------------------------------------------------- real Debian jars

# The Debian packages of bench/lang_vs_syft.py (its JAVA_PACKAGES): ~200 real jars, 70 of them without Maven's
# pom.properties, so named by their manifest and file name alone.
DEBIAN_BENCH_PACKAGES: tuple[str, ...] = (
    "libcommons-lang3-java", "libcommons-io-java", "libcommons-codec-java", "libcommons-collections4-java",
    "libcommons-compress-java", "libcommons-logging-java", "libcommons-text-java", "libcommons-cli-java",
    "libguava-java", "libjackson2-core-java", "libjackson2-databind-java", "libjackson2-annotations-java",
    "liblog4j2-java", "libslf4j-java", "libguice-java", "libhttpclient-java", "libhttpcore-java",
    "libjsoup-java", "libgoogle-gson-java", "libjna-java", "libasm-java", "libbcprov-java", "libbcpkix-java",
    "libjetty9-java", "libservlet-api-java", "libjaxb-api-java", "libactivation-java", "libxerces2-java",
    "libjdom2-java", "libdom4j-java", "libjaxen-java", "libxom-java", "libplexus-utils2-java",
    "libplexus-classworlds-java", "libmaven3-core-java", "libwagon-provider-api-java",
    "libmaven-resolver-java", "libsisu-inject-java", "libsisu-plexus-java", "libjsr305-java",
    "libatinject-jsr330-api-java", "libaopalliance-java", "libcglib-java", "libobjenesis-java",
    "libmockito-java", "libhamcrest-java", "junit4", "libopentest4j-java",
    "libapiguardian-java", "libtomcat9-java", "libjakarta-servlet-api-java", "libnetty-java",
    "libsnappy-java", "liblz4-java", "libzstd-jni-java", "libxz-java", "libantlr4-runtime-java",
)

# Jars whose Maven coordinates the jar itself does not carry: no pom.properties, and a manifest that names another
# groupId (or none) or a file Debian renamed. What the heuristics give; Debian's maven-repo pom says otherwise (in
# the comments). Every other jar of DEBIAN_BENCH_PACKAGES that has a pom agrees with it exactly.
DEBIAN_HEURISTIC: dict[str, tuple[str, str, str]] = {
    # Nothing but the file name (no manifest headers): no groupId. Maven: aopalliance, org.ow2.asm, org.dom4j,
    # org.hamcrest, org.jsr-305; Debian's jsr305.jar is com.google.code.findbugs:jsr305:0.1-SNAPSHOT.
    "usr/share/java/aopalliance-1.0.jar": ("", "aopalliance", "1.0"),
    "usr/share/java/asm-all-9.4.jar": ("", "asm-all", "9.4"),
    "usr/share/java/dom4j-2.1.1.jar": ("", "dom4j", "2.1.1"),
    "usr/share/java/hamcrest-integration-1.3.1-SNAPSHOT.jar": ("", "hamcrest-integration", "1.3.1-SNAPSHOT"),
    "usr/share/java/jsr305-0.1~+svn49.jar": ("", "jsr305", "0.1~+svn49"),
    "usr/share/maven-repo/org/jsr-305/jsr305/0.1-SNAPSHOT/jsr305-0.1-SNAPSHOT.jar": ("", "jsr305", "0.1-SNAPSHOT"),
    # Tomcat's files renamed tomcat9-*, whose manifest says only "Apache Tomcat": Maven's org.apache.tomcat:tomcat-*.
    "usr/share/java/tomcat9-catalina-ant-9.0.70.jar": ("", "tomcat9-catalina-ant", "9.0.70"),
    **{f"usr/share/java/tomcat9-i18n-{lang}-9.0.70.jar": ("", f"tomcat9-i18n-{lang}", "9.0.70")
       for lang in ("cs", "de", "es", "fr", "ja", "ko", "pt-BR", "ru", "zh-CN")},
    "usr/share/java/tomcat9-jdbc-9.0.70.jar": ("org.apache.tomcat", "tomcat9-jdbc", "9.0.70"),  # Bundle-Name: prose
    # Tomcat's API jars: Bundle-SymbolicName org.apache.tomcat-<x> (read as org.apache + tomcat-<x>, as Jackson's
    # com.fasterxml.jackson.core.jackson-databind is), module names java.* that say nothing of the groupId; Maven:
    # org.apache.tomcat (the other Tomcat jars' module names, org.apache.tomcat.<x>, give it).
    **{f"usr/share/java/tomcat9-{api}-9.0.70.jar": ("org.apache", f"tomcat-{api}", "9.0.70")
       for api in ("annotations-api", "el-api", "jaspic-api", "jsp-api", "servlet-api", "websocket-api")},
    # A symbolic or module name of another root package than the groupId. Maven: org.ow2.asm, commons-logging
    # (whose manifest says Implementation-Vendor-Id org.apache), com.google.inject.extensions, org.jdom,
    # net.java.dev.jna, xerces, xom.
    "usr/share/java/asm-9.4.jar": ("org.objectweb", "asm", "9.4"),
    "usr/share/java/asm-analysis-9.4.jar": ("org.objectweb.asm.tree", "asm-analysis", "9.4"),
    "usr/share/java/asm-commons-9.4.jar": ("org.objectweb.asm", "asm-commons", "9.4"),
    "usr/share/java/asm-tree-9.4.jar": ("org.objectweb.asm", "asm-tree", "9.4"),
    "usr/share/java/asm-util-9.4.jar": ("org.objectweb.asm", "asm-util", "9.4"),
    "usr/share/java/commons-logging-1.2.jar": ("org.apache.commons", "commons-logging", "1.2"),
    "usr/share/java/commons-logging-adapters-1.2.jar": ("org.apache.commons", "commons-logging-adapters", "1.2"),
    "usr/share/java/commons-logging-api-1.2.jar": ("org.apache.commons", "commons-logging-api", "1.2"),
    "usr/share/java/guice-assistedinject.jar": ("com.google.inject", "guice-assistedinject", "4.2.3"),
    "usr/share/java/guice-grapher.jar": ("com.google.inject", "guice-grapher", "4.2.3"),
    "usr/share/java/guice-jmx.jar": ("com.google.inject.tools", "guice-jmx", "4.2.3"),
    "usr/share/java/guice-jndi.jar": ("com.google.inject", "guice-jndi", "4.2.3"),
    "usr/share/java/guice-multibindings.jar": ("com.google.inject", "guice-multibindings", "4.2.3"),
    "usr/share/java/guice-servlet.jar": ("com.google.inject", "guice-servlet", "4.2.3"),
    "usr/share/java/guice-spring.jar": ("com.google.inject", "guice-spring", "4.2.3"),
    "usr/share/java/guice-throwingproviders.jar": ("com.google.inject", "guice-throwingproviders", "4.2.3"),
    "usr/share/java/jdom2-2.0.5.jar": ("org.jdom2", "jdom2", "2.0.5"),
    "usr/share/java/jna-5.13.0.jar": ("com.sun", "jna", "5.13.0"),
    "usr/share/java/xercesImpl-2.12.0.jar": ("org.apache", "xercesImpl", "2.12.0"),
    "usr/share/java/xom-1.3.8.jar": ("nu.xom", "xom", "1.3.8"),
    # Renamed by Debian, and nothing in the manifest names the artifact: Maven's javax.inject:javax.inject:1.
    "usr/share/java/atinject-jsr330-api-1.0.jar": ("javax.inject", "atinject-jsr330-api", "1.0"),
}


def has_pom_properties(data: bytes) -> bool:
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    return any(n.startswith("META-INF/maven/") and n.endswith("/pom.properties") for n in names)


@pytest.fixture(scope="module")
def debian_java() -> Path:
    return debian_java_root()


@pytest.mark.slow
def test_debian_java_libraries_in_an_image(tmp_path: Path, debian_java: Path) -> None:
    root = debian_java
    want = debian_maven_coordinates(root)
    real_jars = sorted(p.relative_to(root).as_posix() for p in (root / "usr/share/java").glob("*.jar")
                       if not p.is_symlink())
    assert set(want) == set(real_jars)  # every jar Debian ships here has a pom in its maven-repo
    assert len(real_jars) >= 40

    result = java_scan_image(tmp_path / "oci", [JavaExtractor()],
                             [java_tree_entries(root / "usr", prefix="usr/")])
    inventory = result.inventory
    assert inventory.warnings == ()
    by_file: dict[str, set[tuple[str, str, str]]] = {}
    for p in inventory.packages:
        by_file.setdefault(p.found_in, set()).add((p.namespace, p.name, p.version))
        assert p.checksum == "sha1:" + sha1_hex((root / p.found_in).read_bytes())
        assert p.purl == f"pkg:maven/{p.namespace}/{p.name}@{p.version}".replace("pkg:maven//", "pkg:maven/")
    # Symlinks (guava-31.1-jre.jar -> guava.jar) and maven-repo links are not read twice: only real files.
    assert set(by_file) == set(real_jars)

    exact = 0
    for jar in real_jars:
        data = (root / jar).read_bytes()
        if has_pom_properties(data):
            assert want[jar] <= by_file[jar], jar  # Maven's own coordinates, exactly
            exact += 1
        else:
            (guess,) = by_file[jar]
            assert guess == DEBIAN_HEURISTIC.get(jar, guess), jar
            if guess not in want[jar]:
                assert jar in DEBIAN_HEURISTIC, (jar, guess, want[jar])
            assert {version_key(v) for _, _, v in want[jar]} == {version_key(guess[2])}, jar
    assert exact >= 30
    # A shaded dependency is reported beside the jar that carries it: Debian's guice.jar embeds cglib.
    assert by_file["usr/share/java/guice.jar"] == {
        ("com.google.inject", "guice", "4.2.3"), ("cglib", "cglib", "3.2.12")}


@pytest.mark.slow
def test_debian_jars_inside_a_war(debian_java: Path) -> None:
    """Real jars as a web application's WEB-INF/lib: each found with its maven-repo coordinates and its own SHA-1."""
    root = debian_java
    want = debian_maven_coordinates(root)
    libs = ["commons-lang3.jar", "jackson-core.jar", "log4j-core.jar", "guava.jar", "slf4j-api.jar"]
    war = make_jar({"WEB-INF/web.xml": b"<web-app/>",
                    **{f"WEB-INF/lib/{n}": (root / "usr/share/java" / n).read_bytes() for n in libs}})
    got = packages_of({"srv/app.war": war})
    for name in libs:
        found = {(p.namespace, p.name, p.version) for p in got if p.found_in == f"srv/app.war!WEB-INF/lib/{name}"}
        assert found == want[f"usr/share/java/{name}"], name
        (checksum,) = {p.checksum for p in got if p.found_in == f"srv/app.war!WEB-INF/lib/{name}"}
        assert checksum == "sha1:" + sha1_hex((root / "usr/share/java" / name).read_bytes())


def stated_versions(path: str, data: bytes) -> set[tuple[str, ...]]:
    """The versions a jar states of itself (its file name's, its manifest's), as :func:`version_key` keys."""
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    headers = parse_manifest(zipfile.ZipFile(io.BytesIO(data)).read("META-INF/MANIFEST.MF")) \
        if "META-INF/MANIFEST.MF" in names else {}
    versions = [parse_file_name(path)[1], *(clean_version(headers.get(h, "")) for h in (
        "implementation-version", "bundle-version", "specification-version"))]
    return {version_key(v) for v in versions if v}


def agrees_with_a_pom(ours: set[tuple[str, str, str]], poms: set[tuple[str, str, str]],
                      stated: set[tuple[str, ...]]) -> bool:
    """Whether one of our artifacts is one of the poms': groupId and artifactId equal, versions equal as Maven
    compares them, a Debian alias version (``debian``, ``9.x``) standing for a version the jar states itself."""
    for group, artifact, version in ours:
        for pom_group, pom_artifact, pom_version in poms:
            if (group, artifact) != (pom_group, pom_artifact):
                continue
            if version_key(version) in ({version_key(pom_version)} if not is_placeholder_version(pom_version)
                                        else stated):
                return True
    return False


@pytest.fixture(scope="module")
def debian_java_bench() -> Path:
    return debian_java_root(DEBIAN_BENCH_PACKAGES)


@pytest.mark.slow
def test_debian_bench_jars_agree_with_the_maven_repo(tmp_path: Path, debian_java_bench: Path) -> None:
    """Every real jar of the benchmark's Debian packages (symlinks resolved, each file once), scanned in an image:
    its own coordinates are those of a pom Debian installed for it in usr/share/maven-repo (except the jars listed
    in DEBIAN_HEURISTIC, which do not carry theirs), and no artifactId or version has whitespace in it."""
    root = debian_java_bench
    poms = debian_maven_poms(root)
    jars = real_jars(root)
    assert len(jars) >= 190 and len(poms) >= 190

    result = java_scan_image(tmp_path / "oci", [JavaExtractor()], [java_tree_entries(root)])
    assert result.inventory.warnings == ()
    own: dict[str, set[tuple[str, str, str]]] = {}
    for p in result.inventory.packages:
        assert not any(ch.isspace() for ch in p.name + p.version), (p.found_in, p.namespace, p.name, p.version)
        assert p.version[:1].isdigit(), (p.found_in, p.name, p.version)
        if NESTED_SEPARATOR not in p.found_in:
            own.setdefault(p.found_in, set()).add((p.namespace, p.name, p.version))
    assert set(own) <= set(jars)

    agree = 0
    problems: list[str] = []
    for jar in jars:
        if jar not in poms:
            continue  # xercesSamples.jar: Debian has no pom for it
        ours = own.get(jar, set())
        data = (root / jar).read_bytes()
        if agrees_with_a_pom(ours, poms[jar], stated_versions(jar, data)):
            agree += 1
            if jar in DEBIAN_HEURISTIC:
                problems.append(f"{jar}: now agrees with its pom {sorted(ours)}: drop it from DEBIAN_HEURISTIC")
        elif ours != {DEBIAN_HEURISTIC.get(jar)}:
            wanted = sorted(p for p in poms[jar] if not is_placeholder_version(p[2])) or sorted(poms[jar])
            problems.append(f"{jar}: ours {sorted(ours)}, Debian's pom {wanted}")
    assert not problems, f"{len(problems)} jars disagree with Debian's maven-repo:\n" + "\n".join(problems)
    assert agree == len(poms) - len(DEBIAN_HEURISTIC)


# ---------------------------------------------------------------------------------------------- a Spring Boot fat jar


def spring_boot_jar() -> bytes:
    """A Spring-Boot-like executable jar: a launch script before the zip, stored nested jars in BOOT-INF/lib,
    one of which carries a jar of its own (two levels deep), and the application's own pom.properties."""
    deep = maven_jar("org.example.deep", "deep-lib", "0.3.1")
    middle = maven_jar("org.example", "middle-lib", "2.0", {"lib/deep-lib-0.3.1.jar": deep})
    shaded = make_jar({
        "META-INF/MANIFEST.MF": manifest(Implementation_Title="shaded-util", Implementation_Version="5.1"),
        "META-INF/maven/com.google.guava/guava/pom.properties": pom_properties("com.google.guava", "guava", "31.1-jre"),
        "META-INF/maven/org.ow2.asm/asm/pom.properties": pom_properties("org.ow2.asm", "asm", "9.4"),
    })
    gradle_built = make_jar({"META-INF/MANIFEST.MF": manifest(Bundle_SymbolicName="io.netty.netty-common",
                                                              Bundle_Name="Netty/Common",
                                                              Bundle_Version="4.1.86.Final")})
    return make_jar(
        {
            "META-INF/MANIFEST.MF": manifest(
                Main_Class="org.springframework.boot.loader.JarLauncher", Start_Class="com.example.app.Application",
                Spring_Boot_Version="3.2.0", Implementation_Title="demo-app", Implementation_Version="1.0.0",
                Spring_Boot_Lib="BOOT-INF/lib/",
            ),
            "META-INF/maven/com.example/demo-app/pom.properties": pom_properties("com.example", "demo-app", "1.0.0"),
            "org/springframework/boot/loader/JarLauncher.class": b"\xca\xfe\xba\xbe" + bytes(32),
            "BOOT-INF/classes/com/example/app/Application.class": b"\xca\xfe\xba\xbe" + bytes(32),
            "BOOT-INF/classes/application.properties": b"server.port=8080\n",
            "BOOT-INF/lib/spring-core-6.1.1.jar": maven_jar("org.springframework", "spring-core", "6.1.1"),
            "BOOT-INF/lib/middle-lib-2.0.jar": middle,
            "BOOT-INF/lib/shaded-util-5.1.jar": shaded,
            "BOOT-INF/lib/netty-common-4.1.86.Final.jar": gradle_built,
            "BOOT-INF/classpath.idx": b'- "BOOT-INF/lib/spring-core-6.1.1.jar"\n',
        },
        stored=True,
        prefix=b"#!/bin/bash\n# launch script of a fully executable Spring Boot jar\nexec java -jar \"$0\" \"$@\"\n",
    )


def test_spring_boot_fat_jar() -> None:
    data = spring_boot_jar()
    packages, warnings = walk_warnings({"app/demo-app.jar": data})
    assert warnings == []
    got = {(p.namespace, p.name, p.version, p.found_in) for p in packages}
    top = "app/demo-app.jar"
    assert got == {
        ("com.example", "demo-app", "1.0.0", top),  # its manifest describes the same artifact: listed once
        ("org.springframework", "spring-core", "6.1.1", f"{top}!BOOT-INF/lib/spring-core-6.1.1.jar"),
        ("org.example", "middle-lib", "2.0", f"{top}!BOOT-INF/lib/middle-lib-2.0.jar"),
        ("org.example.deep", "deep-lib", "0.3.1", f"{top}!BOOT-INF/lib/middle-lib-2.0.jar!lib/deep-lib-0.3.1.jar"),
        # A shaded jar: the artifacts it swallowed, and itself from its file name and manifest.
        ("com.google.guava", "guava", "31.1-jre", f"{top}!BOOT-INF/lib/shaded-util-5.1.jar"),
        ("org.ow2.asm", "asm", "9.4", f"{top}!BOOT-INF/lib/shaded-util-5.1.jar"),
        ("", "shaded-util", "5.1", f"{top}!BOOT-INF/lib/shaded-util-5.1.jar"),
        # No pom.properties: groupId from Bundle-SymbolicName, artifactId and version from the file name.
        ("io.netty", "netty-common", "4.1.86.Final", f"{top}!BOOT-INF/lib/netty-common-4.1.86.Final.jar"),
    }
    checksums = {p.found_in: p.checksum for p in packages}
    assert checksums[top] == "sha1:" + sha1_hex(data)
    for found_in, checksum in checksums.items():
        if "!" in found_in:
            assert checksum == "sha1:" + nested_sha1(data, found_in.split("!", 1)[1])


# ---------------------------------------------------------------------------------------------- hostile archives


@pytest.fixture(scope="module")
def zeros_gib() -> RawEntry:
    return deflated_zeros()


def _bounded(fn: Callable[[], T], *, seconds: float = 10.0, megabytes: int = 64) -> T:
    """Run ``fn()`` and check that it took little time and Python memory (tracemalloc peak)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = fn()
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, elapsed
    assert peak < megabytes << 20, peak
    return result


def test_zip_bomb_entry_is_never_decompressed(zeros_gib: RawEntry) -> None:
    valid = pom_properties("com.example", "bomb", "1.0")
    data = raw_zip([
        zeros_gib,
        RawEntry("META-INF/maven/com.example/bomb/pom.properties", valid, zlib.crc32(valid), len(valid),
                 method=zipfile.ZIP_STORED),
    ])
    assert len(data) < 2 << 20
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("zeros.bin") as fh:
        assert fh.read(1 << 20) == bytes(1 << 20)  # a real deflate stream of zeros, declared 1 GiB
    packages, warnings = _bounded(lambda: walk_warnings({"opt/bomb-1.0.jar": data}))
    assert [(p.name, p.version) for p in packages] == [("bomb", "1.0")]
    assert warnings == []


@pytest.mark.parametrize("name", ["META-INF/MANIFEST.MF", "WEB-INF/lib/inner.jar", "x/pom.properties",
                                  "META-INF/maven/g/a/pom.xml", "module-info.class"])
def test_zip_bomb_in_a_file_we_read(zeros_gib: RawEntry, name: str) -> None:
    bomb = RawEntry(name, zeros_gib.compressed, zeros_gib.crc, zeros_gib.size)
    valid = pom_properties("g", "a", "1.0")
    data = raw_zip([bomb, RawEntry("META-INF/maven/g/a/pom.properties", valid, zlib.crc32(valid), len(valid),
                                   method=zipfile.ZIP_STORED)])
    packages, warnings = _bounded(lambda: walk_warnings({"opt/app.war": data}))
    assert [(p.namespace, p.name, p.version) for p in packages] == [("g", "a", "1.0")]
    assert len(warnings) == 1
    assert name in warnings[0] and "not read" in warnings[0]


def test_declared_size_smaller_than_the_data_is_a_warning() -> None:
    """A member that inflates to more than its declared size is cut at that size and fails its CRC."""
    text = manifest(Implementation_Title="x", Implementation_Version="1") * 100
    entry = RawEntry("META-INF/MANIFEST.MF", zlib.compress(text)[2:-4], zlib.crc32(text), 10)
    packages, warnings = walk_warnings({"opt/x-1.jar": raw_zip([entry])})
    assert [(p.name, p.version) for p in packages] == [("x", "1")]  # from the file name
    assert len(warnings) == 1 and "META-INF/MANIFEST.MF" in warnings[0] and "unreadable" in warnings[0]


def test_names_that_climb_out() -> None:
    inner = maven_jar("evil", "evil", "6.6.6")
    data = make_jar({
        "../../evil": b"#!/bin/sh\n",
        "../../evil.jar": inner,
        "/abs/evil.war": inner,
        "lib/../../../up.jar": inner,
        "META-INF/maven/com.example/good/pom.properties": pom_properties("com.example", "good", "1.0"),
        "lib/fine-2.0.jar": maven_jar("com.example", "fine", "2.0"),
    })
    packages, warnings = walk_warnings({"opt/app.jar": data})
    assert {(p.name, p.found_in) for p in packages} == {("good", "opt/app.jar"),
                                                       ("fine", "opt/app.jar!lib/fine-2.0.jar")}
    assert len(warnings) == 3
    assert all("leaves the archive" in w for w in warnings)
    assert not any(".." in p.found_in for p in packages)


def test_fifty_levels_of_nesting() -> None:
    data = b""
    for level in reversed(range(50)):
        entries = {f"META-INF/maven/chain/level-{level}/pom.properties": pom_properties("chain", f"level-{level}", "1")}
        if data:
            entries[f"META-INF/lib/level-{level + 1}-1.jar"] = data
        data = make_jar(entries, stored=True)
    packages, warnings = _bounded(lambda: walk_warnings({"opt/level-0-1.jar": data}))
    assert sorted(p.name for p in packages) == sorted(f"level-{i}" for i in range(9))  # depth 0 to 8
    assert len(warnings) == 1 and "nested more than 8 deep" in warnings[0]
    deepest = max(packages, key=lambda p: p.found_in.count("!"))
    assert deepest.found_in.count("!") == 8


def test_truncated_archive_is_one_warning() -> None:
    data = (JAVA / "gradle.war").read_bytes()
    packages, warnings = walk_warnings({"opt/gradle.war": data[: len(data) // 2]})
    assert packages == []
    assert len(warnings) == 1 and "opt/gradle.war" in warnings[0]
    with pytest.raises(ExtractError, match="not a zip archive"):
        parse_archive(data[: len(data) // 2], "opt/gradle.war")


def test_truncated_nested_archive_is_skipped() -> None:
    inner = maven_jar("com.example", "inner", "1.0")
    data = make_jar({"META-INF/maven/com.example/outer/pom.properties": pom_properties("com.example", "outer", "2"),
                     "lib/inner-1.0.jar": inner[: len(inner) - 30]})
    packages, warnings = walk_warnings({"opt/outer.jar": data})
    assert [p.name for p in packages] == ["outer"]
    assert len(warnings) == 1 and "opt/outer.jar" not in warnings[0] and "lib/inner-1.0.jar" in warnings[0]


def test_central_directory_that_lies() -> None:
    """An end record whose central directory is not one: zipfile's error becomes the warning."""
    data = bytearray(maven_jar("g", "a", "1"))
    central = data.rfind(b"PK\x01\x02")
    data[central : central + 4] = b"XX\x01\x02"
    with pytest.raises(ExtractError, match="not a readable zip archive"):
        parse_archive(bytes(data), "opt/a-1.jar")


@pytest.mark.parametrize(
    "data",
    [
        random.Random(3).randbytes(8192),
        b"this is not a jar\n" * 100,
        b"\x7fELF\x02\x01\x01" + bytes(500),
        b"PK\x03\x04" + bytes(100),  # a local header and nothing else
    ],
    ids=["random", "text", "elf", "local-header-only"],
)
def test_not_a_zip_named_jar(data: bytes) -> None:
    packages, warnings = walk_warnings({"opt/app.jar": data})
    assert packages == []
    assert len(warnings) == 1 and "opt/app.jar" in warnings[0] and "zip" in warnings[0]


def test_corrupt_metadata_member() -> None:
    props = pom_properties("g", "a", "1")
    data = raw_zip([RawEntry("META-INF/maven/g/a/pom.properties", b"\xff" * 40, zlib.crc32(props), len(props)),
                    RawEntry("META-INF/maven/g/b/pom.properties", props.replace(b"=a", b"=b"),
                             zlib.crc32(props.replace(b"=a", b"=b")), len(props), method=zipfile.ZIP_STORED)])
    packages, warnings = walk_warnings({"opt/x.jar": data})
    assert [p.name for p in packages] == ["b"]
    assert len(warnings) == 1 and "META-INF/maven/g/a/pom.properties" in warnings[0]


def test_too_many_entries() -> None:
    data = make_jar({f"c/C{i}.class": b"" for i in range(300)})
    with pytest.raises(ExtractError, match="300 entries"):
        parse_archive(data, "opt/big.jar", ArchiveLimits(max_entries=200))
    # The real limit holds a jar of many classes (rt.jar-sized: 20k entries).
    many = make_jar({f"c/C{i}.class": b"" for i in range(20_000)}
                    | {"META-INF/maven/g/many/pom.properties": pom_properties("g", "many", "1")})
    assert rows(parse_archive(many, "many.jar")) == {("g", "many", "1", "", ())}


def test_fan_out_is_bounded_by_the_archive_count() -> None:
    leaf = maven_jar("g", "leaf", "1")
    level1 = make_jar({f"lib/l{i}.jar": leaf for i in range(20)}, stored=True)
    level2 = make_jar({f"lib/m{i}.jar": level1 for i in range(20)}, stored=True)
    top = make_jar({f"lib/t{i}.jar": level2 for i in range(20)}, stored=True)  # 8,000 leaves in 8,421 archives
    payload = _bounded(lambda: parse_archive(top, "top.jar", ArchiveLimits(max_archives=100)))
    assert len(payload.archives) == 100
    assert len(payload.warnings) == 1 and "more than 100 nested archives" in payload.warnings[0]


def test_decompressed_bytes_budget() -> None:
    inner = maven_jar("g", "inner", "1", {"blob.bin": random.Random(1).randbytes(200_000)})
    top = make_jar({f"lib/inner{i}-1.jar": inner for i in range(10)}, stored=True)
    metadata = len(manifest(Implementation_Title="inner", Implementation_Version="1")) + len(
        pom_properties("g", "inner", "1"))
    payload = parse_archive(top, "top.jar", ArchiveLimits(max_total_bytes=5 * (len(inner) + metadata) + 10))
    assert len([a for a in payload.artifacts if a.artifact_id == "inner"]) == 5
    assert len(payload.warnings) == 5
    assert all("decompressed per archive" in w for w in payload.warnings)


# ---------------------------------------------------------------------------------------------- identity rules


def test_pom_properties_beat_a_manifest_of_the_same_artifact() -> None:
    data = make_jar({
        "META-INF/MANIFEST.MF": manifest(Bundle_SymbolicName="com.google.guava", Bundle_Name="Guava: Google Core",
                                         Bundle_Version="31.1.0.jre"),
        "META-INF/maven/com.google.guava/guava/pom.properties": pom_properties("com.google.guava", "guava",
                                                                              "31.1-jre"),
    })
    assert rows(parse_archive(data, "guava.jar")) == {("com.google.guava", "guava", "31.1-jre", "", ())}


def test_manifest_of_another_artifact_beside_a_shaded_pom() -> None:
    data = make_jar({
        "META-INF/MANIFEST.MF": manifest(Bundle_SymbolicName="com.google.inject", Bundle_Name="guice",
                                         Bundle_Version="4.2.3"),
        "META-INF/maven/cglib/cglib/pom.properties": pom_properties("cglib", "cglib", "3.2.12"),
    })
    assert {(a.group_id, a.artifact_id, a.version, a.source) for a in parse_archive(data, "guice.jar").artifacts} == {
        ("cglib", "cglib", "3.2.12", "pom.properties"), ("com.google.inject", "guice", "4.2.3", "MANIFEST.MF")}


def test_jenkins_plugin() -> None:
    data = make_jar({
        "META-INF/MANIFEST.MF": manifest(Group_Id="org.jenkins-ci.plugins", Short_Name="git", Long_Name="Git plugin",
                                         Plugin_Version="5.2.1", Plugin_License_Name="MIT License",
                                         Implementation_Title="git", Implementation_Version="5.2.1"),
        "WEB-INF/lib/git.jar": make_jar({"META-INF/MANIFEST.MF": manifest()}),
        "WEB-INF/lib/joda-time-2.12.5.jar": maven_jar("joda-time", "joda-time", "2.12.5"),
    })
    got = packages_of({"var/jenkins_home/plugins/git.jpi": data})
    assert {(p.namespace, p.name, p.version, p.licenses) for p in got} == {
        ("org.jenkins-ci.plugins", "git", "5.2.1", ("MIT",)),
        ("joda-time", "joda-time", "2.12.5", ()),
    }


@pytest.mark.parametrize(
    ("file_name", "headers", "want"),
    [
        # Prose titles are no artifactId: the file name is; its version beats a stale manifest's.
        ("xercesImpl-2.12.0.jar", {"Bundle_SymbolicName": "org.apache.xerces", "Bundle_Name": "Xerces XML parser",
                                   "Bundle_Version": "2.11.0"}, ("org.apache", "xercesImpl", "2.12.0", "file-name")),
        ("asm-tree-9.4.jar", {"Implementation_Title": "Tree API of ASM, a very small and fast Java bytecode framework",
                              "Implementation_Version": "9.4-SNAPSHOT", "Bundle_SymbolicName": "org.objectweb.asm.tree",
                              "Bundle_Name": "org.objectweb.asm.tree"},
         ("org.objectweb.asm", "asm-tree", "9.4", "file-name")),
        ("mockito-core-2.23.0.jar", {"Bundle_SymbolicName": "org.mockito.mockito-core", "Bundle_Version": "unspecified",
                                     "Bundle_Name": "Mockito Mock Library for Java. Core bundle requires Byte Buddy."},
         ("org.mockito", "mockito-core", "2.23.0", "file-name")),
        ("jna-5.13.0.jar", {"Implementation_Title": "com.sun.jna", "Implementation_Version": "5.13.0 (b0)",
                            "Bundle_SymbolicName": "com.sun.jna", "Bundle_Name": "jna"},
         ("com.sun", "jna", "5.13.0", "file-name")),
        # An artifactId-like Bundle-Name beats a renamed file.
        ("tomcat9-api-9.0.70.jar", {"Implementation_Title": "Apache Tomcat", "Implementation_Version": "9.0.70",
                                    "Bundle_SymbolicName": "org.apache.tomcat-api", "Bundle_Name": "tomcat-api"},
         ("org.apache", "tomcat-api", "9.0.70", "MANIFEST.MF")),
        ("lz4-java-1.8.0.jar", {"Bundle_SymbolicName": "lz4-java-1.8.0", "Bundle_Name": "lz4-java-1.8.0",
                                "Bundle_Version": "0", "Automatic_Module_Name": "org.lz4.java"},
         ("org.lz4", "lz4-java", "1.8.0", "file-name")),
        # No version in the file name: the manifest's name, lowered, and its version.
        ("junit4.jar", {"Implementation_Title": "JUnit", "Implementation_Version": "4.13.2",
                        "Implementation_Vendor_Id": "junit", "Bundle_Version": "4.12"},
         ("junit", "junit", "4.13.2", "MANIFEST.MF")),
        ("objenesis.jar", {"Implementation_Title": "Objenesis", "Implementation_Version": "3.3",
                           "Bundle_SymbolicName": "org.objenesis"},
         ("org.objenesis", "objenesis", "3.3", "MANIFEST.MF")),
        # Trivy's offline answer, when nothing else names the artifact: a short title as written.
        ("spring.jar", {"Implementation_Title": "Spring Framework", "Implementation_Version": "2.5.6.SEC03",
                        "Bundle_SymbolicName": "org.springframework.core", "Bundle_Name": "Spring Core"},
         ("org.springframework", "Spring Framework", "2.5.6.SEC03", "MANIFEST.MF")),
        # ... but never a sentence, nor a version that is none.
        ("mockito.jar", {"Bundle_SymbolicName": "org.mockito.mockito-core", "Bundle_Version": "2.23.0",
                         "Bundle_Name": "Mockito Mock Library for Java. Core bundle requires Byte Buddy."}, None),
        ("mockito.jar", {"Bundle_SymbolicName": "org.mockito", "Bundle_Version": "unspecified",
                         "Bundle_Name": "Mockito"}, None),
    ],
    ids=["stale-manifest-version", "prose-title-snapshot", "sentence-and-unspecified", "junk-version-suffix",
         "renamed-file", "version-glued-on", "lower-cased-title", "file-spelling", "trivy-offline-title",
         "no-sentence", "no-junk-version"],
)
def test_manifest_and_file_name_identity(file_name: str, headers: dict[str, str],
                                         want: tuple[str, str, str, str] | None) -> None:
    data = make_jar({"META-INF/MANIFEST.MF": manifest(**headers), "a/B.class": b""})
    got = [(a.group_id, a.artifact_id, a.version, a.source) for a in parse_archive(data, f"opt/{file_name}").artifacts]
    assert got == ([want] if want else [])


def test_module_descriptor_names_the_group() -> None:
    headers = {"Implementation_Title": "Apache Tomcat", "Implementation_Version": "9.0.70",
               "Bundle_SymbolicName": "org.apache.tomcat-catalina-ha", "Bundle_Name": "tomcat-catalina-ha"}
    plain = make_jar({"META-INF/MANIFEST.MF": manifest(**headers),
                      "module-info.class": module_info_class("org.apache.tomcat.catalina.ha")})
    release = make_jar({"META-INF/MANIFEST.MF": manifest(**headers, Multi_Release="true"),
                        "META-INF/versions/11/module-info.class": module_info_class("org.apache.tomcat.catalina.ha")})
    ignored = make_jar({"META-INF/MANIFEST.MF": manifest(**headers),
                        "META-INF/versions/11/module-info.class": module_info_class("org.apache.tomcat.catalina.ha")})
    want = ("org.apache.tomcat", "tomcat-catalina-ha", "9.0.70")
    for data in (plain, release):
        assert [(a.group_id, a.artifact_id, a.version) for a in parse_archive(data, "x.jar").artifacts] == [want]
    # Not a multi-release jar: its versioned entries are not its own.
    assert [a.group_id for a in parse_archive(ignored, "x.jar").artifacts] == ["org.apache"]


def test_jar_that_names_nothing() -> None:
    data = make_jar({"META-INF/MANIFEST.MF": manifest(Created_By="javac"), "a/B.class": b""})
    payload = parse_archive(data, "opt/tool.jar")
    assert payload.artifacts == () and payload.warnings == ()
    assert len(payload.archives) == 1  # still recorded, so an index can name it by SHA-1


def test_same_jar_at_two_paths_and_a_repeat_inside_one() -> None:
    jar = maven_jar("g", "a", "1.0")
    war = make_jar({"WEB-INF/lib/a-1.0.jar": jar, "WEB-INF/lib/copy/a-1.0.jar": jar,
                    "META-INF/maven/g/a/pom.properties": pom_properties("g", "a", "1.0.0")})
    got = packages_of({"opt/one/a-1.0.jar": jar, "opt/two/a-1.0.jar": jar, "opt/app.war": war})
    assert sorted(p.found_in for p in got) == [
        "opt/app.war", "opt/app.war!WEB-INF/lib/a-1.0.jar", "opt/app.war!WEB-INF/lib/copy/a-1.0.jar",
        "opt/one/a-1.0.jar", "opt/two/a-1.0.jar"]


# ---------------------------------------------------------------------------------------------- layers


def test_upgrade_in_a_later_layer() -> None:
    old, new = maven_jar("g", "lib", "1.0"), maven_jar("g", "lib", "1.1")
    got = packages_of({"opt/app/lib.jar": old, "opt/app/other.jar": maven_jar("g", "other", "3")},
                      {"opt/app/lib.jar": new})
    versions = {p.name: (p.version, p.layer.index if p.layer else None) for p in got}
    assert versions == {"lib": ("1.1", 1), "other": ("3", 0)}


def test_deleted_in_a_later_layer() -> None:
    got = packages_of({"opt/app/lib.jar": maven_jar("g", "lib", "1.0")}, {"opt/app/lib.jar": None})
    assert got == []


def test_warnings_of_a_deleted_archive_are_gone() -> None:
    bad = make_jar({"lib/../x.jar": maven_jar("g", "x", "1")})
    ext = JavaExtractor()
    view, _ = java_walk([ext], {"opt/a.jar": bad})
    assert len(ext.warnings(view)) == 1
    view, _ = java_walk([ext], {"opt/a.jar": bad}, {"opt/a.jar": None})
    assert ext.warnings(view) == []


def test_walker_warning_for_a_broken_archive_names_the_extractor(tmp_path: Path) -> None:
    result = java_scan_image(tmp_path / "oci", [JavaExtractor()],
                             [java_layer_entries({"opt/broken.jar": b"not a zip", "opt/good-1.jar": b""})])
    (warning,) = result.inventory.warnings
    assert (warning.path, warning.extractor) == ("opt/broken.jar", NAME)
    assert result.inventory.packages == ()


def test_walker_warning_type() -> None:
    _, warnings = java_walk([JavaExtractor()], {"opt/broken.war": b"garbage"})
    assert warnings == [FactWarning("opt/broken.war: not a zip archive (no end of central directory record)",
                                    "opt/broken.war", NAME)]


# ---------------------------------------------------------------------------------------------- small parsers


def test_manifest_parsing() -> None:
    text = (b"Manifest-Version: 1.0\rBundle-SymbolicName: org.example.very.long.na\r\n me;singleton:=true\n"
            b"bundle-name: %bundle.name\nIMPLEMENTATION-VERSION:2.0 \nNot a header\n\nName: org/x/\n"
            b"Implementation-Version: 9.9\n")
    assert parse_manifest(text) == {
        "manifest-version": "1.0",
        "bundle-symbolicname": "org.example.very.long.name;singleton:=true",
        "implementation-version": "2.0",
    }
    assert parse_manifest(b"") == {}
    assert parse_manifest(b"\n\nA: b\n") == {"a": "b"}


@pytest.mark.parametrize(
    ("data", "want"),
    [
        (b"groupId=g\nartifactId=a\nversion=1\n", ("g", "a", "1")),
        (b"groupId : g\r\nartifactId:a\r\nversion 1\r\n", ("g", "a", "1")),
        (b"# comment\n! comment\n  groupId=g\nartifactId=a\\\n   rt\nversion=1.0\\:beta\n", ("g", "art", "1.0:beta")),
        (b"groupId=g\nartifactId=a\n", None),
        (b"groupId=\nartifactId=a\nversion=1\n", None),
        (b"\xff\xfe garbage", None),
        (b"groupId=${groupId}\nartifactId=${artifactId}\nversion=${version}\n", None),
    ],
    ids=["plain", "separators", "continuation-escape", "no-version", "empty-group", "binary", "template"],
)
def test_pom_properties_parsing(data: bytes, want: tuple[str, str, str] | None) -> None:
    got = parse_pom_properties(data)
    assert (None if got is None else (got.group_id, got.artifact_id, got.version)) == want


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("commons-lang3-3.12.0.jar", ("commons-lang3", "3.12.0")),
        ("spring-core-5.3.4-SNAPSHOT.jar", ("spring-core", "5.3.4-SNAPSHOT")),
        ("netty-all-4.1.86.Final.jar", ("netty-all", "4.1.86.Final")),
        ("lib/javax.el-3.0.0.jar", ("javax.el", "3.0.0")),
        ("app-2.war", ("app", "2")),
        ("git-5.2.1.HPI", ("git", "5.2.1")),
        ("spring-core-sha1-only.jar", ("", "")),
        ("app.jar", ("", "")),
        ("-1.0.jar", ("", "")),
    ],
)
def test_file_names(name: str, want: tuple[str, str]) -> None:
    assert parse_file_name(name) == want


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [("1.1", "1.1.0", True), ("2.17", "2.17.0.0", True), ("1.0-SNAPSHOT", "1-SNAPSHOT", True),
     ("1.0.Final", "1", True), ("2.15.0.rc2", "2.15.0-rc2", True), ("01.2", "1.2", True),
     ("1.0.1", "1.1", False), ("1.0-rc1", "1.0", False), ("2.9.10.6", "2.9.10", False)],
)
def test_version_key(a: str, b: str, equal: bool) -> None:
    assert (version_key(a) == version_key(b)) is equal


@pytest.mark.parametrize(
    ("headers", "file_artifact", "group"),
    [
        ({"implementation-vendor-id": "org.apache", "bundle-symbolicname": "x.y"}, "", "org.apache"),
        ({"bundle-symbolicname": "org.springframework.core", "bundle-name": "Spring Core"}, "",
         "org.springframework"),
        ({"bundle-symbolicname": "org.apache.commons.lang3", "bundle-name": "Apache Commons Lang"}, "",
         "org.apache.commons"),
        ({"bundle-symbolicname": "com.google.inject"}, "guice", "com.google.inject"),
        ({"bundle-symbolicname": "single"}, "", "single"),
        ({"automatic-module-name": "org.slf4j"}, "", "org.slf4j"),
        ({"automatic-module-name": "org.apache.commons.io"}, "", "org.apache.commons"),
        ({"implementation-vendor": "The Apache Software Foundation"}, "", ""),
        ({"specification-vendor": "org.eclipse"}, "", "org.eclipse"),
        ({}, "", ""),
        # A groupId keeps two segments: org.objenesis, not org.
        ({"bundle-symbolicname": "org.objenesis", "bundle-name": "Objenesis"}, "objenesis", "org.objenesis"),
        # Apache's parent pom says org.apache; the symbolic name is more specific.
        ({"implementation-vendor-id": "org.apache", "bundle-symbolicname": "org.apache.httpcomponents.httpclient"},
         "httpclient", "org.apache.httpcomponents"),
        ({"implementation-vendor-id": "junit", "bundle-symbolicname": "org.junit"}, "junit", "junit"),
        # A name with its version glued on is no groupId; the module name spells lz4-java as org.lz4 + java.
        ({"bundle-symbolicname": "lz4-java-1.8.0", "automatic-module-name": "org.lz4.java"}, "lz4-java", "org.lz4"),
        ({"automatic-module-name": "io.netty.codec.dns"}, "netty-codec-dns", "io.netty"),
        ({"implementation-vendor-id": "Sun Microsystems"}, "", ""),
    ],
    ids=["vendor-id", "symbolic-name", "symbolic-name-fuzzy", "symbolic-name-is-group", "one-segment",
         "module-name", "module-name-cut", "prose-vendor", "id-like-vendor", "nothing", "two-segments",
         "more-specific", "vendor-id-first", "version-glued-on", "module-spells-artifact", "prose-vendor-id"],
)
def test_manifest_group_id(headers: dict[str, str], file_artifact: str, group: str) -> None:
    assert manifest_group_id(headers, file_artifact) == group


def test_manifest_group_id_from_the_module_descriptor() -> None:
    """Tomcat's Bundle-SymbolicName org.apache.tomcat-api reads as org.apache + tomcat-api; its module-info.class
    (org.apache.tomcat.api) spells the artifactId after the more specific org.apache.tomcat."""
    headers = {"bundle-symbolicname": "org.apache.tomcat-api", "bundle-name": "tomcat-api"}
    assert manifest_group_id(headers, "tomcat-api") == "org.apache"
    assert manifest_group_id(headers, "tomcat-api", "org.apache.tomcat.api") == "org.apache.tomcat"
    assert manifest_group_id(headers, "tomcat-api", "java.servlet") == "org.apache"  # says nothing of the groupId


@pytest.mark.parametrize(
    ("value", "want"),
    [("5.13.0 (b0)", "5.13.0"), ("unspecified", ""), ("  1.2.3  ", "1.2.3"), ("", ""), ("v1.0", ""),
     ("9.4-SNAPSHOT", "9.4-SNAPSHOT")],
)
def test_clean_version(value: str, want: str) -> None:
    assert clean_version(value) == want


@pytest.mark.parametrize(
    ("headers", "file_name", "want"),
    [
        ({"implementation-title": "Apache Tomcat", "bundle-name": "tomcat-api"}, "tomcat9-api-9.0.70.jar",
         ("tomcat-api", "")),
        ({"implementation-title": "Mockito Mock Library for Java. Core bundle requires Byte Buddy and Objenesis."},
         "mockito-core-2.23.0.jar", ("", "")),
        ({"implementation-title": "ASM, a very small and fast Java bytecode manipulation framework",
          "bundle-name": "org.objectweb.asm.tree", "bundle-symbolicname": "org.objectweb.asm.tree"},
         "asm-tree-9.4.jar", ("", "")),
        ({"implementation-title": "com.sun.jna", "bundle-symbolicname": "com.sun.jna", "bundle-name": "jna"},
         "jna-5.13.0.jar", ("jna", "")),
        ({"implementation-title": "JUnit"}, "junit4.jar", ("junit", "")),
        ({"bundle-name": "Objenesis"}, "objenesis.jar", ("objenesis", "")),
        ({"implementation-title": "HikariCP"}, "HikariCP-5.0.1.jar", ("HikariCP", "")),
        ({"bundle-name": "lz4-java-1.8.0", "bundle-version": "0"}, "lz4-java-1.8.0.jar", ("lz4-java", "1.8.0")),
        ({"bundle-name": "log4j-1.2-api", "bundle-version": "2.19.0"}, "log4j-compat.jar", ("log4j-1.2-api", "")),
        ({"bundle-name": "Netty/Common"}, "netty-common-4.1.86.Final.jar", ("", "")),
        ({"bundle-name": "1.0"}, "x.jar", ("", "")),
    ],
    ids=["bundle-name", "sentence", "prose-and-package-name", "symbolic-name-as-title", "lower-case",
         "file-spelling", "file-spelling-mixed-case", "version-glued-on", "version-not-stated", "slash", "digits"],
)
def test_manifest_artifact_id(headers: dict[str, str], file_name: str, want: tuple[str, str]) -> None:
    assert manifest_artifact_id(headers, file_name) == want


def module_info_class(name: str) -> bytes:
    """A ``module-info.class`` (JVMS 4.1, 4.7.25) for module ``name`` requiring java.base, with a long constant in
    its pool (two entries)."""
    def utf8(text: str) -> bytes:
        return b"\x01" + struct.pack(">H", len(text)) + text.encode()

    pool = [utf8("module-info"), b"\x07" + struct.pack(">H", 1), utf8(name), b"\x13" + struct.pack(">H", 3),
            utf8("Module"), utf8("java.base"), b"\x13" + struct.pack(">H", 6), b"\x05" + bytes(8)]
    body = struct.pack(">HHH", 4, 0, 0) + struct.pack(">H", 1) + struct.pack(">HHH", 7, 0x8000, 0) + bytes(8)
    return (b"\xca\xfe\xba\xbe" + struct.pack(">HHH", 0, 53, 10) + b"".join(pool)
            + struct.pack(">HHHHHHH", 0x8000, 2, 0, 0, 0, 0, 1) + struct.pack(">HI", 5, len(body)) + body)


def test_module_name_parsing() -> None:
    data = module_info_class("org.example.lib")
    assert parse_module_name(data) == "org.example.lib"
    assert parse_module_name(data[:40]) == ""  # cut short
    assert parse_module_name(b"PK\x03\x04" + data[4:]) == ""  # not a class file
    assert parse_module_name(module_info_class("not a module name")) == ""
    assert parse_module_name(data.replace(b"\x13", b"\x63")) == ""  # an unknown constant tag


def test_pom_licenses() -> None:
    pom = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <!-- <licenses><license><name>Commented out</name></license></licenses> -->
  <licenses>
    <license>
      <name>Eclipse Public License - v 1.0</name>
      <url>http://www.eclipse.org/legal/epl-v10.html</url>
    </license>
    <license><name>GNU Lesser &amp; General  Public\n License</name></license>
    <license><url>https://opensource.org/licenses/MIT</url></license>
    <license><url>https://example.org/custom</url></license>
    <license><name><![CDATA[Caf\xe9 License]]></name></license>
  </licenses>
  <dependencies><dependency><artifactId>x</artifactId></dependency></dependencies>
</project>"""
    assert parse_pom_licenses(pom) == (
        "Eclipse Public License - v 1.0", "GNU Lesser & General Public License", "MIT", "Café License")
    assert parse_pom_licenses(b"<project><parent/></project>") == ()
    assert parse_pom_licenses(b"\xff\xfe<<<") == ()


@pytest.mark.parametrize(
    ("header", "want"),
    [
        ("https://www.apache.org/licenses/LICENSE-2.0.txt", ("Apache-2.0",)),
        ("Apache-2.0", ("Apache-2.0",)),
        ('"Apache License, Version 2.0";link="http://www.apache.org/licenses/LICENSE-2.0.html"', ("Apache-2.0",)),
        ("EPL-2.0, GPL-2.0-with-classpath-exception;link=x", ("EPL-2.0", "GPL-2.0-with-classpath-exception")),
        ("<<EXTERNAL>>", ()),
        ("see LICENSE.txt", ()),
        ("", ()),
    ],
)
def test_bundle_license(header: str, want: tuple[str, ...]) -> None:
    assert bundle_license_ids(header) == want


@pytest.mark.parametrize(
    ("names", "want"),
    [
        (("The Apache Software License, Version 2.0",), ("Apache-2.0",)),
        (("Apache License, Version 2.0", "Apache-2.0"), ("Apache-2.0",)),
        (("Eclipse Public License - v 1.0",), ("EPL-1.0",)),
        (("Eclipse Public License v2.0",), ("EPL-2.0",)),
        (("GNU Lesser General Public License, Version 2.1",), ("LGPL-2.1-only",)),
        (("MIT License",), ("MIT",)),
        (("The MIT License (MIT)",), ("MIT",)),
        (("New BSD License",), ("BSD-3-Clause",)),
        (("Bouncy Castle Licence",), ("Bouncy Castle Licence",)),
        (("http://www.eclipse.org/legal/epl-v10.html",), ("EPL-1.0",)),
        (("https://spdx.org/licenses/MPL-2.0.html",), ("MPL-2.0",)),
        (("MIT OR Apache-2.0",), ("MIT", "Apache-2.0")),
        (("GPL2 w/ CPE",), ("GPL-2.0-only WITH Classpath-exception-2.0",)),
        (("",), ()),
    ],
)
def test_license_ids(names: tuple[str, ...], want: tuple[str, ...]) -> None:
    assert license_ids(names) == want


def test_license_file_classification() -> None:
    apache = (b"\n                                 Apache License\n                           Version 2.0, "
              b"January 2004\n")
    assert classify_license_file(apache) == ("Apache-2.0",)
    assert classify_license_file(b"Copyright (c) 2020 X\n\nPermission is hereby granted, free of charge, to any "
                                 b"person obtaining a copy of this software") == ("MIT",)
    assert classify_license_file(b"All rights reserved.") == ()
    # The one LICENSE file of a jar with a single artifact gives its licence; two files: whose is unknown.
    props = {"META-INF/maven/g/a/pom.properties": pom_properties("g", "a", "1")}
    one = parse_archive(make_jar({**props, "META-INF/LICENSE.txt": apache}), "a.jar")
    two = parse_archive(make_jar({**props, "META-INF/LICENSE.txt": apache, "LICENSE": apache}), "a.jar")
    nested_dir = parse_archive(make_jar({**props, "META-INF/licenses/LICENSE": apache}), "a.jar")
    assert [a.licenses for a in one.artifacts] == [("Apache-2.0",)]
    assert [a.licenses for a in two.artifacts] == [()]
    assert [a.licenses for a in nested_dir.artifacts] == [()]
