"""VEX input: OpenVEX and CycloneDX VEX documents written here after their specs, on findings built by hand."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from filters.builders import (
    BUSYBOX,
    CONFIG_DIGEST,
    LOG4J,
    MANIFEST_DIGEST,
    MUSL,
    MUSL_UTILS,
    REQUESTS,
    SPRING_BOOT,
    ZLIB,
    apk,
    image,
    result,
    vuln,
    write,
)
from hullscan.errors import UsageError
from hullscan.filters.vex import Suppressed, VexContext, VexStatements, apply_vex, decide, load_vex
from hullscan.model import Finding, Severity

SHA = MANIFEST_DIGEST.removeprefix("sha256:")


def openvex(*statements: dict[str, Any], timestamp: str = "2026-11-01T09:00:00Z") -> dict[str, Any]:
    return {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/public/vex-0b7d1c7f6b2a",
        "author": "Platform Security <security@example.com>",
        "role": "Document Creator",
        "timestamp": timestamp,
        "version": 1,
        "statements": list(statements),
    }


def targets(items: Iterable[Finding | Suppressed]) -> list[tuple[str, str]]:
    findings = [i.finding if isinstance(i, Suppressed) else i for i in items]
    return [(f.id, f.target) for f in findings]


# ---------------------------------------------------------------------------------------------- OpenVEX


def test_the_spec_example_spring_boot_log4shell(tmp_path: Path) -> None:
    """The example at the end of the OpenVEX spec (valid JSON here: the spec's has trailing commas)."""
    doc = {
        "@context": "https://openvex.dev/ns",
        "@id": "https://openvex.dev/docs/public/vex-2e67563e128250cbcb3e98930df948dd053e43271d70dc50cfa22d57e03fe96f",
        "author": "Spring Builds <spring-builds@users.noreply.github.com>",
        "role": "Project Release Bot",
        "timestamp": "2023-01-16T19:07:16.853479631-06:00",
        "version": 1,
        "statements": [{
            "vulnerability": {
                "@id": "https://nvd.nist.gov/vuln/detail/CVE-2021-44228",
                "name": "CVE-2021-44228",
                "description": "Remote code injection in Log4j",
                "aliases": ["GHSA-jfh8-c2jp-5v3q"],
            },
            "products": [{
                "@id": "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3",
                "identifiers": {"purl": "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3"},
                "hashes": {"sha-256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
            }],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path",
            "impact_statement": "Spring Boot users are only affected by this vulnerability if they have switched the "
                                "default logging system to Log4J2.",
        }],
    }
    statements = load_vex(write(tmp_path, "spring.openvex.json", doc))
    st = statements.statements[0]
    assert (st.vulnerability, st.aliases, st.status, st.suppress) == (
        "CVE-2021-44228", ("GHSA-jfh8-c2jp-5v3q",), "not_affected", True)
    assert st.timestamp is not None and st.timestamp.year == 2023 and st.line == 9
    spring = vuln("GHSA-jfh8-c2jp-5v3q", SPRING_BOOT, severity=Severity.CRITICAL, fixed="2.6.1",
                  aliases=("CVE-2021-44228",))  # reported under its GHSA id: the alias matches
    log4j = vuln("CVE-2021-44228", LOG4J, severity=Severity.CRITICAL, fixed="2.15.0")
    kept, suppressed = apply_vex([spring, log4j], statements)
    assert [s.finding for s in suppressed] == [spring] and kept == (log4j,)
    assert suppressed[0].reason.startswith("not_affected (vulnerable_code_not_in_execute_path): Spring Boot users")


def test_statuses_versions_and_qualifiers(tmp_path: Path) -> None:
    doc = openvex(
        {"vulnerability": {"name": "CVE-2020-28928"}, "products": [{"@id": "pkg:apk/alpine/musl"}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
        {"vulnerability": {"name": "CVE-2022-37434"}, "products": [{"@id": "pkg:apk/alpine/zlib@1.2.11-r3"}],
         "status": "fixed", "status_notes": "rebuilt with the upstream inflateGetHeader patch"},
        {"vulnerability": {"name": "CVE-2021-28831"},
         "products": [{"@id": "pkg:apk/alpine/busybox@1.31.1-r9?arch=aarch64"}], "status": "not_affected",
         "justification": "component_not_present"},  # the arm64 build only: ours is x86_64
        {"vulnerability": {"name": "CVE-2018-18074"}, "products": [{"@id": "pkg:pypi/requests@2.19.1"}],
         "status": "affected", "action_statement": "Upgrade requests to 2.20.0 in the next release"},
        {"vulnerability": {"name": "CVE-2018-25032"}, "products": [{"@id": "pkg:apk/alpine/zlib"}],
         "status": "under_investigation"},
        {"vulnerability": {"name": "CVE-2019-14697"}, "products": [{"@id": "pkg:apk/alpine/musl@1.1.22-r2"}],
         "status": "not_affected", "justification": "vulnerable_code_not_present"},  # another version
    )
    findings = [
        vuln("CVE-2020-28928", MUSL, fixed="1.1.24-r3"),
        vuln("CVE-2020-28928", MUSL_UTILS, fixed="1.1.24-r3"),
        vuln("CVE-2022-37434", ZLIB, severity=Severity.CRITICAL, fixed="1.2.12-r2"),
        vuln("CVE-2021-28831", BUSYBOX, fixed="1.31.1-r10"),
        vuln("CVE-2018-18074", REQUESTS, fixed="2.20.0"),
        vuln("CVE-2018-25032", ZLIB, fixed="1.2.12-r0"),
        vuln("CVE-2019-14697", MUSL, fixed="1.1.24-r3"),
    ]
    statements = load_vex(write(tmp_path, "alpine.openvex.json", doc))
    kept, suppressed = apply_vex(findings, statements)
    assert targets(suppressed) == [("CVE-2020-28928", "musl@1.1.24-r2"), ("CVE-2022-37434", "zlib@1.2.11-r3")]
    assert suppressed[1].statement.statement == "rebuilt with the upstream inflateGetHeader patch"
    assert targets(kept) == [
        ("CVE-2020-28928", "musl-utils@1.1.24-r2"), ("CVE-2021-28831", "busybox@1.31.1-r9"),
        ("CVE-2018-18074", "requests@2.19.1"), ("CVE-2018-25032", "zlib@1.2.11-r3"),
        ("CVE-2019-14697", "musl@1.1.24-r2")]
    decisions = decide(findings, statements)
    assert decisions[4] is not None and decisions[4].status == "affected"
    assert decisions[4].action == "Upgrade requests to 2.20.0 in the next release"
    assert decisions[5] is not None and decisions[5].status == "under_investigation"
    assert decisions[1] is None and decisions[3] is None


def test_the_latest_statement_decides(tmp_path: Path) -> None:
    """Statements override older ones about the same vulnerability and product, by timestamp (inherited from
    the document when the statement has none), across documents; equal times go to the one read last."""
    musl = vuln("CVE-2020-28928", MUSL, fixed="1.1.24-r3")
    zlib = vuln("CVE-2022-37434", ZLIB, fixed="1.2.12-r2")
    first = write(tmp_path, "a.json", openvex(
        {"vulnerability": {"name": "CVE-2020-28928"}, "products": [{"@id": "pkg:apk/alpine/musl"}],
         "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path",
         "timestamp": "2026-03-01T00:00:00Z"},
        {"vulnerability": {"name": "CVE-2020-28928"}, "products": [{"@id": "pkg:apk/alpine/musl"}],
         "status": "under_investigation", "timestamp": "2026-01-01T00:00:00Z"},  # older, though later in the file
        {"vulnerability": {"name": "CVE-2022-37434"}, "products": [{"@id": "pkg:apk/alpine/zlib"}],
         "status": "not_affected", "justification": "vulnerable_code_not_present"},  # the document's time
        timestamp="2026-05-01T00:00:00Z",
    ))
    second = write(tmp_path, "b.json", openvex(
        {"vulnerability": {"name": "CVE-2022-37434"}, "products": [{"@id": "pkg:apk/alpine/zlib"}],
         "status": "affected", "action_statement": "upgrade zlib"},
        timestamp="2026-05-01T02:00:00+02:00",  # the same instant as a.json's: read last, so it wins
    ))
    both = load_vex(first) + load_vex(second)
    assert isinstance(both, VexStatements) and both.sources == (str(first), str(second))
    kept, suppressed = apply_vex([musl, zlib], both)
    assert [s.finding for s in suppressed] == [musl] and kept == (zlib,)
    kept, suppressed = apply_vex([musl, zlib], load_vex(second) + load_vex(first))
    assert [s.finding for s in suppressed] == [musl, zlib]


def test_image_products_and_subcomponents(tmp_path: Path) -> None:
    """An image product applies to every package of that image, or to its listed subcomponents; it must be
    the scanned image as far as digest, repository, tag and arch tell."""
    musl = vuln("CVE-2020-28928", MUSL, fixed="1.1.24-r3")
    musl_utils = vuln("CVE-2020-28928", MUSL_UTILS, fixed="1.1.24-r3")
    zlib = vuln("CVE-2022-37434", ZLIB, fixed="1.2.12-r2")
    scanned = result([musl, musl_utils, zlib])
    ctx = VexContext.of(scanned)
    ours = f"pkg:oci/app@sha256%3A{SHA}?repository_url=registry.example.com/team/app&tag=1.4.2&arch=amd64"

    def run(product: dict[str, Any], cve: str = "CVE-2020-28928") -> list[tuple[str, str]]:
        doc = openvex({"vulnerability": {"name": cve}, "products": [product], "status": "not_affected",
                       "justification": "vulnerable_code_not_in_execute_path"})
        statements = load_vex(write(tmp_path, "image.openvex.json", doc))
        return targets(apply_vex([musl, musl_utils, zlib], statements, ctx).suppressed)

    both = [("CVE-2020-28928", "musl@1.1.24-r2"), ("CVE-2020-28928", "musl-utils@1.1.24-r2")]
    assert run({"@id": ours}) == both
    assert run({"@id": ours, "subcomponents": [{"@id": "pkg:apk/alpine/musl-utils"}]}) == both[1:]
    assert run({"@id": ours, "subcomponents": [{"identifiers": {"purl": "pkg:apk/alpine/musl@1.1.24-r2"}}]}) == both[:1]
    assert run({"@id": "pkg:oci/app"}) == both  # no digest: any build of that repository
    assert run({"@id": f"pkg:oci/app@sha256%3A{'0' * 64}"}) == []  # another image
    assert run({"@id": f"pkg:oci/other@sha256%3A{SHA}"}) == []  # another name
    assert run({"@id": f"pkg:oci/app@sha256%3A{SHA}?repository_url=docker.io/library/app"}) == []
    assert run({"@id": f"pkg:oci/app@sha256%3A{SHA}?tag=1.4.1"}) == []
    assert run({"@id": f"pkg:oci/app@sha256%3A{SHA}?arch=arm64"}) == []
    assert run({"@id": "pkg:oci/app@" + CONFIG_DIGEST.replace(":", "%3A")}) == both  # the image id also counts
    assert run({"@id": "pkg:docker/team/app@1.4.2?repository_url=registry.example.com"}) == both
    assert run({"hashes": {"sha-256": SHA}}) == both
    assert run({"hashes": {"sha-256": "0" * 64}}) == []
    # Without a context (no image known), an image-level product applies: the document was given for this scan.
    doc = openvex({"vulnerability": {"name": "CVE-2022-37434"}, "products": [{"@id": "pkg:oci/whatever"}],
                   "status": "fixed"})
    assert targets(apply_vex([zlib], load_vex(write(tmp_path, "any.json", doc))).suppressed) == [
        ("CVE-2022-37434", "zlib@1.2.11-r3")]


def test_docker_hub_names_are_normalised(tmp_path: Path) -> None:
    musl = vuln("CVE-2020-28928", MUSL, fixed="1.1.24-r3")
    ctx = VexContext.of(result([musl], image(tags=("alpine:3.11",))))
    for product in ("pkg:oci/alpine?repository_url=index.docker.io/library/alpine&tag=3.11",
                    "pkg:docker/library/alpine@3.11", "pkg:docker/alpine?repository_url=docker.io"):
        doc = openvex({"vulnerability": {"name": "CVE-2020-28928"}, "products": [{"@id": product}],
                       "status": "not_affected", "justification": "component_not_present"})
        assert len(apply_vex([musl], load_vex(write(tmp_path, "hub.json", doc)), ctx).suppressed) == 1, product


def test_application_product_with_subcomponents(tmp_path: Path) -> None:
    """A package product with subcomponents: about those dependencies, as shipped inside that application."""
    log4j = vuln("CVE-2021-44228", LOG4J, severity=Severity.CRITICAL, fixed="2.15.0")
    doc = openvex({"vulnerability": {"name": "CVE-2021-44228"},
                   "products": [{"@id": "pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3",
                                 "subcomponents": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core"}]}],
                   "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"})
    statements = load_vex(write(tmp_path, "app.json", doc))
    with_app = VexContext.of(result([log4j, vuln("CVE-2022-22965", SPRING_BOOT)]))
    without_app = VexContext.of(result([log4j]))
    assert len(apply_vex([log4j], statements, with_app).suppressed) == 1
    assert apply_vex([log4j], statements, without_app).suppressed == ()


def test_openvex_v001_strings_and_statement_subcomponents(tmp_path: Path) -> None:
    doc = {
        "@context": "https://openvex.dev/ns",
        "@id": "https://openvex.dev/docs/example/vex-9fb3463de1b57",
        "author": "Wolfi J Inkinson",
        "timestamp": "2023-01-08T18:02:03.647787998-06:00",
        "version": "1",
        "statements": [
            {"vulnerability": "CVE-2020-28928", "products": ["pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64"],
             "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
            {"vulnerability": "CVE-2022-37434", "products": [f"pkg:oci/app@sha256%3A{SHA}"],
             "subcomponents": ["pkg:apk/alpine/zlib"], "status": "fixed"},
        ],
    }
    findings = [vuln("CVE-2020-28928", MUSL), vuln("CVE-2022-37434", ZLIB), vuln("CVE-2022-37434", BUSYBOX)]
    out = apply_vex(findings, load_vex(write(tmp_path, "old.json", doc)), VexContext.of(result(findings)))
    assert targets(out.suppressed) == [("CVE-2020-28928", "musl@1.1.24-r2"), ("CVE-2022-37434", "zlib@1.2.11-r3")]


def test_in_toto_attestation_and_dsse_envelope(tmp_path: Path) -> None:
    """Statements without products take the attestation's subject: here the scanned image, by digest."""
    predicate = openvex({"vulnerability": {"name": "CVE-2020-28928"}, "status": "not_affected",
                         "justification": "vulnerable_code_cannot_be_controlled_by_adversary"})
    attestation = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "registry.example.com/team/app", "digest": {"sha256": SHA}}],
        "predicateType": "https://openvex.dev/ns/v0.2.0",
        "predicate": predicate,
    }
    findings = [vuln("CVE-2020-28928", MUSL), vuln("CVE-2020-28928", MUSL_UTILS)]
    ctx = VexContext.of(result(findings))
    out = apply_vex(findings, load_vex(write(tmp_path, "att.json", attestation)), ctx)
    assert len(out.suppressed) == 2
    other = dict(attestation, subject=[{"name": "x", "digest": {"sha256": "1" * 64}}])
    assert apply_vex(findings, load_vex(write(tmp_path, "other.json", other)), ctx).suppressed == ()
    envelope = {"payloadType": "application/vnd.in-toto+json",
                "payload": base64.b64encode(json.dumps(attestation).encode()).decode(), "signatures": []}
    assert len(apply_vex(findings, load_vex(write(tmp_path, "dsse.json", envelope)), ctx).suppressed) == 2


# ---------------------------------------------------------------------------------------------- CycloneDX VEX


def cyclonedx(vulnerabilities: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2026-11-01T09:00:00Z",
            "component": {"type": "container", "bom-ref": "image", "name": "registry.example.com/team/app",
                          "version": "1.4.2"},
        },
        "components": [
            {"type": "library", "bom-ref": "musl-ref", "name": "musl", "version": "1.1.24-r2",
             "purl": "pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5"},
            {"type": "application", "bom-ref": "app", "name": "app", "components": [
                {"type": "library", "bom-ref": "log4j", "name": "log4j-core", "version": "2.14.1",
                 "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}]},
        ],
        "vulnerabilities": vulnerabilities,
        **extra,
    }


def test_cyclonedx_vex(tmp_path: Path) -> None:
    bom = cyclonedx([
        {"id": "CVE-2020-28928", "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2020-28928"},
         "analysis": {"state": "not_affected", "justification": "code_not_reachable",
                      "detail": "wcsnrtombs is never called", "lastUpdated": "2026-10-30T12:00:00Z"},
         "affects": [{"ref": "musl-ref"}]},
        {"id": "CVE-2021-44228", "references": [{"id": "GHSA-jfh8-c2jp-5v3q", "source": {"name": "GitHub"}}],
         "analysis": {"state": "resolved", "response": ["update"]},
         "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#log4j"}]},  # a BOM-Link, nested
        {"id": "CVE-2022-37434", "analysis": {"state": "false_positive"},
         "affects": [{"ref": "pkg:apk/alpine/zlib"}]},  # a PURL as the ref
        {"id": "CVE-2021-28831", "analysis": {"state": "exploitable", "response": ["will_not_fix"]},
         "affects": [{"ref": "image"}]},
        {"id": "CVE-2018-25032", "analysis": {"state": "in_triage"}, "affects": [{"ref": "pkg:apk/alpine/zlib"}]},
        {"id": "CVE-2019-14697", "analysis": {"state": "not_affected"}, "affects": [{"ref": "no-such-ref"}]},
        {"id": "CVE-2018-18074", "ratings": [{"severity": "medium"}],
         "affects": [{"ref": "pkg:pypi/requests@2.19.1"}]},  # no analysis: a report, not a statement
    ])
    statements = load_vex(write(tmp_path, "app.cdx.json", bom))
    assert [s.vulnerability for s in statements] == [
        "CVE-2020-28928", "CVE-2021-44228", "CVE-2022-37434", "CVE-2021-28831", "CVE-2018-25032", "CVE-2019-14697"]
    findings = [
        vuln("CVE-2020-28928", MUSL), vuln("CVE-2020-28928", MUSL_UTILS),
        vuln("GHSA-jfh8-c2jp-5v3q", LOG4J),  # matched through the references' alias
        vuln("CVE-2022-37434", ZLIB), vuln("CVE-2021-28831", BUSYBOX), vuln("CVE-2018-25032", ZLIB),
        vuln("CVE-2019-14697", MUSL), vuln("CVE-2018-18074", REQUESTS),
    ]
    kept, suppressed = apply_vex(findings, statements, VexContext.of(result(findings)))
    assert targets(suppressed) == [("CVE-2020-28928", "musl@1.1.24-r2"), ("GHSA-jfh8-c2jp-5v3q", "log4j-core@2.14.1"),
                                   ("CVE-2022-37434", "zlib@1.2.11-r3")]
    assert suppressed[0].reason == "not_affected (code_not_reachable): wcsnrtombs is never called"
    assert suppressed[1].statement.action == "update"
    assert len(kept) == 5
    decisions = decide(findings, statements, VexContext.of(result(findings)))
    assert decisions[4] is not None and decisions[4].status == "exploitable"  # the image-level ref
    assert decisions[6] is None  # an unresolvable ref matches nothing


def test_cyclonedx_affected_versions(tmp_path: Path) -> None:
    bom = cyclonedx([
        {"id": "CVE-2020-28928", "analysis": {"state": "not_affected"},
         "affects": [{"ref": "pkg:apk/alpine/musl", "versions": [{"version": "1.1.24-r2"}]}]},
        {"id": "CVE-2022-37434", "analysis": {"state": "resolved"},
         "affects": [{"ref": "pkg:apk/alpine/zlib", "versions": [{"range": "vers:alpine/>=1.2.11-r1|<1.2.12"}]}]},
        {"id": "CVE-2021-28831", "analysis": {"state": "not_affected"},
         "affects": [{"ref": "pkg:apk/alpine/busybox", "versions": [{"range": "vers:apk/<1.31.1-r9"}]}]},
        {"id": "CVE-2018-25032", "analysis": {"state": "not_affected"},
         "affects": [{"ref": "pkg:apk/alpine/zlib",
                      "versions": [{"version": "1.2.11-r3", "status": "affected"}]}]},
    ])
    findings = [vuln("CVE-2020-28928", MUSL), vuln("CVE-2020-28928", apk("musl", "1.1.24-r3")),
                vuln("CVE-2022-37434", ZLIB), vuln("CVE-2021-28831", BUSYBOX), vuln("CVE-2018-25032", ZLIB)]
    out = apply_vex(findings, load_vex(write(tmp_path, "versions.cdx.json", bom)))
    assert targets(out.suppressed) == [("CVE-2020-28928", "musl@1.1.24-r2"), ("CVE-2022-37434", "zlib@1.2.11-r3")]


# ---------------------------------------------------------------------------------------------- malformed


@pytest.mark.parametrize(("doc", "message"), [
    ('{\n  "@context": "https://openvex.dev/ns",\n  "statements": [,]\n}', r"bad\.json:3: not valid JSON"),
    ({"hello": 1}, r"bad\.json:1: neither an OpenVEX document nor a CycloneDX BOM"),
    (openvex({"vulnerability": {"name": "CVE-2020-28928"}, "status": "not_affected"},
             {"vulnerability": {"name": "CVE-1"}, "status": "maybe"}),
     r"bad\.json:15: unknown status 'maybe'"),
    (openvex({"products": [{"@id": "pkg:apk/alpine/musl"}], "status": "fixed"}),
     r"bad\.json:9: the statement needs a 'vulnerability'"),
    (openvex({"vulnerability": {"aliases": ["CVE-1"]}, "status": "fixed"}), r"bad\.json:10: .*needs a 'name'"),
    (openvex({"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:apk"}], "status": "fixed"}),
     r"bad\.json:14: invalid PURL 'pkg:apk'"),
    (openvex({"vulnerability": {"name": "CVE-1"}, "status": "fixed", "timestamp": "yesterday"}),
     r"bad\.json:9: invalid timestamp 'yesterday'"),
    ({"@context": "https://openvex.dev/ns", "statements": {"a": 1}}, r"bad\.json:1: .*needs a 'statements' list"),
    (cyclonedx([{"analysis": {"state": "not_affected"}, "affects": [{"ref": "musl-ref"}]}]),
     r"bad\.json:\d+: the vulnerability has no 'id'"),
    (cyclonedx([{"id": "CVE-1", "analysis": {"state": "wontfix"}, "affects": [{"ref": "musl-ref"}]}]),
     r"bad\.json:\d+: unknown analysis state 'wontfix'"),
    (cyclonedx([{"id": "CVE-1", "analysis": {"state": "not_affected"}}]), r"bad\.json:\d+: .*needs 'affects'"),
    ({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}, r"bad\.json:1: .*is not a VEX document"),
    ('<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>', r"bad\.json:1: XML VEX"),
    ({"document": {"category": "csaf_vex"}}, r"bad\.json:1: CSAF VEX documents are not supported"),
    ("[1, 2]", r"bad\.json:1: a VEX document must be a JSON object"),
], ids=["not-json", "unknown-format", "bad-status", "no-vulnerability", "no-name", "bad-purl", "bad-timestamp",
        "statements-not-list", "cdx-no-id", "cdx-bad-state", "cdx-no-affects", "sbom-not-vex", "xml", "csaf",
        "not-object"])
def test_malformed_vex_names_file_and_line(tmp_path: Path, doc: object, message: str) -> None:
    path = write(tmp_path, "bad.json", doc)
    with pytest.raises(UsageError, match=message):
        load_vex(path)


def test_missing_vex_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot read VEX file .*nope\.json: no such file"):
        load_vex(tmp_path / "nope.json")
