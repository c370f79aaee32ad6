"""The JSON report against its published schema (src/hullscan/report/report-v1.schema.json).

Three real documents must validate: the golden report, a report with a ``filters`` section that took findings
out in every way it can, and a real scan of ../shared's alpine 3.11 image through the command line. The schema
must reject what a careless change would produce (a wrong severity, a field dropped, a field added or renamed),
and the walk in :func:`_undescribed` ties every key :func:`report_document` emits to a described property, so
the schema and the code cannot drift apart. The jq recipes of docs/json-report.md run against the golden report.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from filters.builders import write
from hullscan.checks.registry import ALL as SCANNERS
from hullscan.cli import main
from hullscan.filters import FilterOptions, apply_filters
from hullscan.filters.vex import CYCLONEDX_STATES, OPENVEX_STATUSES
from hullscan.model import PackageType, Severity
from hullscan.report.document import REPORT_SCHEMA, SCHEMA_FILE, report_document
from hullscan.scan import ScanResult
from hullscan.vulndb.model import Status
from report.test_golden import GOLDEN, _result

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[3] / "shared"
ALPINE_311 = SHARED / "fixtures" / "images" / "alpine-311.docker-save.tar.gz"
DOCS = ROOT / "docs" / "json-report.md"
TODAY = date(2026, 11, 26)


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> jsonschema_rs.Validator:
    # Format assertions on: `eol_date`, `expires` and `timestamp` must really be dates.
    return jsonschema_rs.validator_for(_schema(), validate_formats=True, offline=True)


def _leaves(error: jsonschema_rs.ValidationError) -> Iterator[jsonschema_rs.ValidationError]:
    """The errors inside an ``anyOf`` (null or an object), so a bad field nested in a nullable object is named
    by its own path; the alternatives that only fail on their type (``null``) are left out."""
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.AnyOf):
        inner = [e for branch in kind.context for e in branch
                 if not (e.kind.name == "type" and e.instance_path == error.instance_path)]
        if inner:
            for e in inner:
                yield from _leaves(e)
            return
    yield error


def _errors(document: Any) -> list[str]:
    """``path: message`` per violation; empty when valid."""
    return [f"{'/'.join(str(p) for p in e.instance_path) or '(root)'}: {e.message}"
            for error in _validator().iter_errors(document) for e in _leaves(error)]


def _golden() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((GOLDEN / "report.json").read_text(encoding="utf-8"))
    return doc


def _filtered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The golden result through every kind of filter, so each list of the ``filters`` section has entries. The
    files are named relative to ``tmp_path`` (the working directory from here on), as a CI job names them."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".hullscanignore.yaml", (
        "vulnerabilities:\n"
        "  - id: CVE-2020-28928\n"
        "    purls: [pkg:apk/alpine/musl]\n"
        "    expired_at: 2026-12-31\n"
        "    statement: wcsnrtombs is not reachable from our service\n"
        "  - id: CVE-2099-0001\n"  # matches nothing: reported as unused
        "secrets:\n"
        "  - id: aws-access-key-id\n"
        "    paths: [app/.env]\n"
        "    expired_at: 2026-01-31\n"  # expired: the secret stays
    ))
    write(tmp_path, "app.openvex.json", {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://openvex.dev/docs/public/vex-hullscan-schema-test",
        "author": "Platform Security <security@example.com>",
        "timestamp": "2026-11-01T09:00:00Z",
        "version": 1,
        "statements": [
            {"vulnerability": {"name": "CVE-2019-11324"}, "products": [{"@id": "pkg:pypi/urllib3"}],
             "status": "affected", "action_statement": "upgrade urllib3 in the next release"},
            {"vulnerability": {"name": "os/end-of-life"}, "status": "not_affected",
             "justification": "inline_mitigations_already_exist", "impact_statement": "rebuilt weekly"},
        ],
    })
    options = FilterOptions.from_cli(ignorefile=".hullscanignore.yaml", vex=["app.openvex.json"],
                                     severity="CRITICAL")
    filtered, report = apply_filters(_result(with_secret=True), options.load(), TODAY)
    return report_document(dataclasses.replace(filtered, filters=report))


# ---------------------------------------------------------------------------------------------- the schema


def test_the_schema_is_draft_2020_12_and_names_this_version() -> None:
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert jsonschema_rs.meta.is_valid(schema)
    assert schema["$id"] == "https://hullscan.dev/schemas/report-v1.json"
    assert schema["properties"]["schema"]["const"] == REPORT_SCHEMA
    assert REPORT_SCHEMA.endswith("/v1") and SCHEMA_FILE.name == "report-v1.schema.json"


@pytest.mark.parametrize(("definition", "expected"), [
    ("severity", ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"]),
    ("status", ["fixed", "affected", "will_not_fix", "not_affected", "end_of_life"]),
    ("scanner", ["vuln", "os", "secret", "misconfig", "file", "malware", "license"]),
])
def test_closed_lists(definition: str, expected: list[str]) -> None:
    assert _schema()["$defs"][definition]["enum"] == expected


def test_the_lists_follow_the_code() -> None:
    """A new severity, package type, scanner or status in the code fails here until the schema has it."""
    defs = _schema()["$defs"]
    assert set(defs["severity"]["enum"]) == {s.name for s in Severity}
    assert set(defs["packageType"]["enum"]) == {t.value for t in PackageType}
    assert set(defs["scanner"]["enum"]) == {*SCANNERS, "os"}
    assert set(defs["status"]["enum"]) == {s.value for s in Status} - {Status.UNDETERMINED.value}
    assert set(defs["vexStatement"]["properties"]["status"]["enum"]) == OPENVEX_STATUSES | CYCLONEDX_STATES


def _objects(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema of the schema that declares ``properties``, with its JSON pointer."""
    if isinstance(node, dict):
        if "properties" in node:
            yield where, node
        for key, value in node.items():
            yield from _objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, f"{where}/{i}")


def test_every_object_is_closed_and_every_field_always_present() -> None:
    """``additionalProperties: false`` makes a renamed or stray field fail; ``required`` listing every property
    is the promise that a key is always there (null when it does not apply), never left out."""
    for where, node in _objects(_schema()):
        assert node.get("additionalProperties") is False, where
        optional = set(node["properties"]) - set(node["required"])
        assert optional == ({"filters"} if where == "#" else set()), where


def test_every_property_is_described() -> None:
    for where, node in _objects(_schema()):
        for name, prop in node["properties"].items():
            assert _description(prop).strip(), f"{where}/properties/{name}"


# ---------------------------------------------------------------------------------------------- valid reports


def test_the_golden_report_is_valid() -> None:
    doc = _golden()
    assert _errors(doc) == []
    assert {f["scanner"] for f in doc["findings"]} == {"os", "vuln", "secret"}


def test_a_report_without_an_os_or_secrets_is_valid() -> None:
    result = _result()
    bare = dataclasses.replace(result, inventory=dataclasses.replace(result.inventory, distro=None, warnings=()))
    doc = report_document(bare)
    assert doc["os"] is None and "filters" not in doc
    assert _errors(doc) == []


def test_a_report_with_a_filters_section_is_valid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _filtered(tmp_path, monkeypatch)
    filters = doc["filters"]
    assert (filters["findings_before"], filters["findings_after"]) == (4, 1)
    assert [f["id"] for f in doc["findings"]] == ["aws-access-key-id"]
    assert [(i["id"], i["rule"]["expires"]) for i in filters["ignored"]] == [("CVE-2020-28928", "2026-12-31")]
    assert [r["id"] for r in filters["expired_rules"]] == ["aws-access-key-id"]
    assert [r["id"] for r in filters["unused_rules"]] == ["CVE-2099-0001"]
    assert [(s["id"], s["statement"]["timestamp"]) for s in filters["vex_suppressed"]] == [
        ("os/end-of-life", "2026-11-01T09:00:00+00:00")]
    assert [a["statement"]["action"] for a in filters["vex_affected"]] == ["upgrade urllib3 in the next release"]
    assert filters["left_out"] == {"severity": 1, "unfixed": 0, "status": 0}
    assert _errors(doc) == []


def test_a_real_scan_through_the_command_line_is_valid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .hullscanignore from the working directory
    code = main(["image", str(ALPINE_311), "--format", "json", "--scanners", "none",
                 "--cache-dir", str(tmp_path / "cache")])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == REPORT_SCHEMA
    assert doc["os"]["family"] == "alpine" and doc["summary"]["packages"] == {"apk": 14}
    assert [f["check"] for f in doc["findings"]] == ["os/end-of-life"]
    assert "filters" in doc
    assert _errors(doc) == []


# ---------------------------------------------------------------------------------------------- invalid reports


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value
    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]
    return change


def _rename(path: str, new: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[new] = node.pop(last)
    return change


@pytest.mark.parametrize(("change", "expected"), [
    pytest.param(_set("findings/3/severity", "SEVERE"), "findings/3/severity: ", id="unknown-severity"),
    pytest.param(_set("findings/1/severity", "high"), "findings/1/severity: ", id="lower-case-severity"),
    pytest.param(_set("summary/by_severity/SEVERE", 1), "summary/by_severity: ", id="unknown-severity-count"),
    pytest.param(_set("findings/1/vulnerability/status", "patched"), "findings/1/vulnerability/status: ",
                 id="unknown-status"),
    pytest.param(_set("findings/0/scanner", "virus"), "findings/0/scanner: ", id="unknown-scanner"),
    pytest.param(_set("packages/0/type", "apt"), "packages/0/type: ", id="unknown-package-type"),
    pytest.param(_delete("summary"), "(root): \"summary\" is a required property", id="missing-section"),
    pytest.param(_delete("findings/1/vulnerability/fixed_version"),
                 "findings/1/vulnerability: \"fixed_version\" is a required property", id="missing-field"),
    pytest.param(_delete("findings/3/evidence"), "findings/3: \"evidence\" is a required property",
                 id="missing-finding-field"),
    pytest.param(_set("findings/0/cvss_score", 7.5), "findings/0: Additional properties are not allowed",
                 id="unknown-field"),
    pytest.param(_set("artifact/layers/0/compressed", True), "artifact/layers/0: Additional properties",
                 id="unknown-layer-field"),
    pytest.param(_set("extra", {}), "(root): Additional properties are not allowed", id="unknown-section"),
    pytest.param(_rename("findings/1/vulnerability/fixed_version", "fix_version"),
                 "findings/1/vulnerability: Additional properties are not allowed ('fix_version' was unexpected)",
                 id="renamed-field"),
    pytest.param(_set("findings/0/line", None), "findings/0/line: ", id="null-line"),
    pytest.param(_set("findings/2/package/purl", None), "findings/2/package/purl: ", id="null-purl"),
    pytest.param(_set("findings/1/vulnerability/risk", 140.0), "findings/1/vulnerability/risk: ", id="risk-over-100"),
    pytest.param(_set("os/eol_date", "01/11/2021"), "os/eol_date: ", id="not-a-date"),
    pytest.param(_set("artifact/image_id", "dddd"), "artifact/image_id: ", id="not-a-digest"),
    pytest.param(_set("schema", "hullscan.report/v2"), "schema: ", id="other-version"),
])
def test_the_schema_rejects(change: Callable[[dict[str, Any]], None], expected: str) -> None:
    doc = _golden()
    change(doc)
    errors = _errors(doc)
    assert any(e.startswith(expected) for e in errors), errors


def test_the_schema_rejects_a_changed_filters_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _filtered(tmp_path, monkeypatch)
    broken = copy.deepcopy(doc)
    broken["filters"]["left_out"]["vex"] = 1
    broken["filters"]["ignored"][0]["rule"]["expires"] = "next year"
    del broken["filters"]["vex_affected"][0]["statement"]["format"]
    errors = _errors(broken)
    assert any(e.startswith("filters/left_out: Additional properties") for e in errors), errors
    assert any(e.startswith("filters/ignored/0/rule/expires: ") for e in errors), errors
    assert any(e.startswith("filters/vex_affected/0/statement: \"format\" is a required") for e in errors), errors
    assert _errors(doc) == []


# ---------------------------------------------------------------------------------------------- no drift


def _pointer(ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = _schema()
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _resolve(node: dict[str, Any], seen: set[str]) -> dict[str, Any]:
    while "$ref" in node:
        seen.add(node["$ref"].split("/")[2])
        node = _pointer(node["$ref"])
    return node


def _description(node: dict[str, Any]) -> str:
    """A property's description, its own or that of the definition it refers to."""
    while "description" not in node and "$ref" in node:
        node = _pointer(node["$ref"])
    return str(node.get("description", ""))


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number",
               type(None): "null"}


def _branch(node: dict[str, Any], value: Any, seen: set[str]) -> dict[str, Any]:
    """The alternative of an ``anyOf`` that describes ``value`` (they differ by type: null or an object...)."""
    node = _resolve(node, seen)
    if "anyOf" not in node:
        return node
    kind = _JSON_TYPES[type(value)]
    for alternative in node["anyOf"]:
        resolved = _resolve(alternative, seen)
        types = resolved.get("type")
        if kind == types or (isinstance(types, list) and kind in types):
            return resolved
    raise AssertionError(f"no alternative for a {kind} in {node}")


def _undescribed(value: Any, node: dict[str, Any], where: str, seen: set[str]) -> Iterator[str]:
    """Every key of ``value`` the schema does not describe, and every described key ``value`` lacks."""
    node = _branch(node, value, seen)
    if isinstance(value, dict):
        if "properties" not in node:  # a map: by_severity, packages per type
            for key, item in value.items():
                yield from _undescribed(item, node["additionalProperties"], f"{where}/{key}", seen)
            return
        properties: dict[str, Any] = node["properties"]
        for key, item in value.items():
            if key not in properties:
                yield f"{where}/{key}: emitted but not in the schema"
            elif not _description(properties[key]):
                yield f"{where}/{key}: no description"
            else:
                yield from _undescribed(item, properties[key], f"{where}/{key}", seen)
        for key in set(node["required"]) - value.keys():
            yield f"{where}/{key}: in the schema but not emitted"
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _undescribed(item, node["items"], f"{where}/{i}", seen)


def test_every_key_report_document_emits_is_described(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The golden result through every filter, plus one without an OS: together they reach every definition of
    the schema, null and non-null alike, so a key added to report_document or FilterReport.document without
    a schema entry, or a schema entry for a key no longer emitted, fails here."""
    seen: set[str] = set()
    result: ScanResult = _result(with_secret=True)
    without_os = dataclasses.replace(result, inventory=dataclasses.replace(result.inventory, distro=None))
    problems = [p for doc in (_filtered(tmp_path, monkeypatch), report_document(without_os))
                for p in _undescribed(doc, _schema(), "", seen)]
    assert problems == []
    assert seen == set(_schema()["$defs"]), "a definition no document reached"


# ---------------------------------------------------------------------------------------------- the docs


def _jq_examples() -> list[tuple[str, str]]:
    """``$ jq …`` lines of the docs' ``console`` blocks, each with the output shown under it."""
    examples: list[tuple[str, str]] = []
    for block in re.findall(r"^```console\n(.*?)^```", DOCS.read_text(encoding="utf-8"), re.M | re.S):
        command, _, output = block.partition("\n")
        assert command.startswith("$ jq "), command
        examples.append((command.removeprefix("$ "), output))
    return examples


def test_the_docs_show_jq_recipes() -> None:
    examples = _jq_examples()
    assert len(examples) >= 9
    assert all(shlex.split(command)[-1] == "report.json" for command, _ in examples)


JQ_RECIPES = _jq_examples()


@pytest.mark.parametrize(("command", "shown"), JQ_RECIPES, ids=[f"recipe-{i + 1}" for i in range(len(JQ_RECIPES))])
def test_the_docs_jq_recipes_give_what_they_show(
    command: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each recipe runs on the golden report (the docs' example), or for the ``filters`` section on the golden
    result filtered as in :func:`_filtered`, and prints what the docs say it prints."""
    jq = shutil.which("jq")
    assert jq is not None, "jq is missing: .ci/install-deps.sh installs it"
    where = GOLDEN
    if ".filters" in command:
        (tmp_path / "report.json").write_text(json.dumps(_filtered(tmp_path, monkeypatch)), encoding="utf-8")
        where = tmp_path
    run = subprocess.run([jq, *shlex.split(command)[1:]], cwd=where, capture_output=True, text=True, check=False)
    assert run.stderr == ""
    assert run.stdout == shown, command
