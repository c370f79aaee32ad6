"""The official JSON schemas of the SBOM formats hullscan writes, and validators built from them.

For tests and CI, not for scans: the schemas and the validator come from the ``test`` extra, never vendored.

- CycloneDX 1.2–1.7 (``bom-X.Y.schema.json`` with the ``spdx.schema.json`` licence-id enum and
  ``jsf-0.82.schema.json`` it references): as shipped by ``cyclonedx-python-lib``, the CycloneDX project's own
  library (``cyclonedx/schema/_res/*.SNAPSHOT.schema.json``).
- SPDX 2.2 and 2.3 (``schemas/spdx-schema.json`` of spdx/spdx-spec): as shipped by ``lib4sbom``
  (``lib4sbom/schemas/spdx/2.3-schema.json``); the SPDX project's own ``spdx-tools`` ships no JSON schema.
  The 2.3 schema has one known error, corrected in 2.3.1, that the validator fixes (see ``_with_erratum``).

Validation uses ``jsonschema-rs`` (milliseconds for a 5,000-component BOM where python ``jsonschema`` takes
tens of seconds, LIBRARIES.md), offline: every ``$ref`` resolves to a bundled file.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from hullscan.errors import HullscanError

if TYPE_CHECKING:
    import jsonschema_rs

CYCLONEDX_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
SPDX_VERSIONS = ("2.2", "2.3")
_CYCLONEDX_BASE = "http://cyclonedx.org/schema/"


class SchemaUnavailableError(HullscanError):
    """The package that ships a schema, or the validator, is not installed (``pip install -e '.[test]'``)."""


def _package_dir(package: str, *parts: str) -> Traversable:
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        raise SchemaUnavailableError(
            f"the {package} package is not installed: it ships the SBOM schemas (install the 'test' extra)"
        ) from None
    for part in parts:
        root = root / part
    return root


def _load(path: Traversable) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemaUnavailableError(f"schema file {path} is missing from its package") from None


def _require_jsonschema_rs() -> None:
    if find_spec("jsonschema_rs") is None:
        raise SchemaUnavailableError("jsonschema-rs is not installed (install the 'test' extra)")


def cyclonedx_schema(version: str = "1.6") -> dict[str, Any]:
    """The CycloneDX BOM JSON schema of ``version``, as the CycloneDX project publishes it."""
    if version not in CYCLONEDX_VERSIONS:
        raise SchemaUnavailableError(f"no CycloneDX {version} schema (known: {', '.join(CYCLONEDX_VERSIONS)})")
    schema: dict[str, Any] = _load(_package_dir("cyclonedx", "schema", "_res") / f"bom-{version}.SNAPSHOT.schema.json")
    return schema


def spdx_schema(version: str = "2.3") -> dict[str, Any]:
    """The SPDX ``version`` JSON schema (spdx/spdx-spec ``schemas/spdx-schema.json``)."""
    if version not in SPDX_VERSIONS:
        raise SchemaUnavailableError(f"no SPDX {version} schema (known: {', '.join(SPDX_VERSIONS)})")
    schema: dict[str, Any] = _load(_package_dir("lib4sbom", "schemas", "spdx") / f"{version}-schema.json")
    return schema


@cache
def cyclonedx_validator(version: str = "1.6") -> jsonschema_rs.Validator:
    """A compiled validator for CycloneDX ``version`` JSON, format assertions on (dates, URIs, e-mails)."""
    _require_jsonschema_rs()
    import jsonschema_rs

    res = _package_dir("cyclonedx", "schema", "_res")
    # The bom schema refers to its neighbours by relative name; cyclonedx-python-lib renamed them *.SNAPSHOT.*.
    neighbours: list[tuple[str, Any]] = []
    for name in ("spdx", "jsf-0.82", "cryptography-defs"):
        path = res / f"{name}.SNAPSHOT.schema.json"
        if path.is_file():
            contents = _load(path)
            neighbours += [
                (f"{_CYCLONEDX_BASE}{name}.SNAPSHOT.schema.json", contents),
                (f"{_CYCLONEDX_BASE}{name}.schema.json", contents),
            ]
    registry = jsonschema_rs.Registry(neighbours)
    return jsonschema_rs.validator_for(
        cyclonedx_schema(version), registry=registry, validate_formats=True, offline=True
    )


def _with_erratum(schema: dict[str, Any]) -> dict[str, Any]:
    """The 2.3 schema with the one value that 2.3.1 corrected: ``primaryPackagePurpose`` ``OPERATING-SYSTEM``.

    The SPDX 2.3 text (clause 7.24) spells the purpose ``OPERATING-SYSTEM``, but the JSON schema published
    with 2.3 lists ``OPERATING_SYSTEM``; the 2.3.1 schema (still for ``spdxVersion: SPDX-2.3`` documents)
    lists ``OPERATING-SYSTEM``. hullscan writes the spec's spelling, so validation adds it to the enum and
    changes nothing else (``PACKAGE_MANAGER``, which 2.3.1 also admits, stays rejected).
    """
    patched: dict[str, Any] = json.loads(json.dumps(schema))
    purpose = patched["properties"]["packages"]["items"]["properties"]["primaryPackagePurpose"]
    if "OPERATING-SYSTEM" not in purpose["enum"]:
        purpose["enum"] = [*purpose["enum"], "OPERATING-SYSTEM"]
    return patched


@cache
def spdx_validator(version: str = "2.3", *, erratum: bool = True) -> jsonschema_rs.Validator:
    """A compiled validator for SPDX ``version`` JSON documents; ``erratum``: see :func:`_with_erratum`."""
    _require_jsonschema_rs()
    import jsonschema_rs

    schema = spdx_schema(version)
    if erratum and version == "2.3":
        schema = _with_erratum(schema)
    return jsonschema_rs.validator_for(schema, validate_formats=True, offline=True)


def _errors(validator: jsonschema_rs.Validator, document: Any, limit: int) -> list[str]:
    out: list[str] = []
    for error in validator.iter_errors(document):
        where = "/".join(str(part) for part in error.instance_path) or "(root)"
        out.append(f"{where}: {error.message}")
        if len(out) >= limit:
            break
    return out


def validate_cyclonedx(document: Any, version: str = "1.6", *, limit: int = 20) -> list[str]:
    """Schema violations of a CycloneDX document (parsed JSON), ``path: message`` each; empty when valid."""
    return _errors(cyclonedx_validator(version), document, limit)


def validate_spdx(document: Any, version: str = "2.3", *, erratum: bool = True, limit: int = 20) -> list[str]:
    """Schema violations of an SPDX document (parsed JSON), ``path: message`` each; empty when valid."""
    return _errors(spdx_validator(version, erratum=erratum), document, limit)
