"""RustSec advisories in their native form (https://github.com/rustsec/advisory-db): a ```` ```toml ````
front block in Markdown, ``crates/<crate>/RUSTSEC-*.md`` and ``rust/<component>/*.md``.

The OSV export of the same repository (branch ``osv``, read by :mod:`.osv`) is the preferred source for
crates.io: it carries the same data with ranges already computed. This importer is used for what the export
does not cover, the Rust toolchain itself (``rust/std``, ``rust/cargo``, ``rust/rustdoc``), stored in namespace
``runtime`` as ``rust-<component>``; pass ``include_crates=True`` to read the crate advisories too.

A version is affected when it matches no ``versions.patched`` and no ``versions.unaffected`` requirement
(Cargo syntax): both go to the ``safe`` side of a ``CONSTRAINTS`` row.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator

from hullscan.vulndb.constraints import cargo_requirement, lower_bounds
from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, as_dict, read_bytes, str_list, text
from hullscan.vulndb.model import Advisory, Affected, Constraints, Record, Status, normalize_severity
from hullscan.vulndb.names import normalize_name
from hullscan.vulndb.scoring import score_vector

_FRONT = re.compile(r"^```toml\s*\n(.*?)\n```\s*\n?(.*)$", re.S)


class RustSecImporter:
    name = "rustsec"
    version = 1

    def __init__(self, source: str = "rustsec-native", *, include_crates: bool = False) -> None:
        self.source = source
        self.include_crates = include_crates

    def wants(self, path: str) -> bool:
        if not path.endswith(".md"):
            return False
        if re.search(r"(^|/)rust/[^/]+/[^/]+\.md$", path):
            return True
        return self.include_crates and bool(re.search(r"(^|/)crates/[^/]+/[^/]+\.md$", path))

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        yield parse_rustsec(read_bytes(data).decode("utf-8"), self.source, path)


def parse_rustsec(markdown: str, source: str, path: str = "") -> Advisory:
    match = _FRONT.match(markdown.lstrip())
    if not match:
        raise RecordError(f"{path}: no ```toml front block")
    try:
        doc = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        raise RecordError(f"{path}: {exc}") from None
    advisory = as_dict(doc.get("advisory"), f"{path}: [advisory]")
    versions = doc.get("versions") or {}
    package = text(advisory.get("package"))
    if not advisory.get("id") or not package:
        raise RecordError(f"{path}: [advisory] without id or package")
    toolchain = bool(re.search(r"(^|/)rust/", path))
    namespace = "runtime" if toolchain else "crates.io"
    key = f"rust-{package}" if toolchain and not package.startswith("rust") else normalize_name(namespace, package)
    patched = tuple(cargo_requirement(r) for r in str_list(versions.get("patched")))
    safe = patched + tuple(cargo_requirement(r) for r in str_list(versions.get("unaffected")))
    fixed = lower_bounds(patched)
    body = match.group(2).strip()
    title, _, details = body.partition("\n")
    vector = text(advisory.get("cvss"))
    score, label = score_vector(vector) if vector else (None, "")
    withdrawn = text(advisory.get("withdrawn"))
    return Advisory(
        id=text(advisory["id"]),
        source=source,
        published=text(advisory.get("date")),
        withdrawn=withdrawn,
        summary=title.lstrip("# ").strip(),
        details=details.strip(),
        severity=normalize_severity(label),
        severity_source="cvss_v" + vector[5] if label else "",
        severity_label=label,
        cvss_vector=vector,
        cvss_score=score,
        references=(text(advisory["url"]),) if advisory.get("url") else (),
        aliases=str_list(advisory.get("aliases")),
        affected=()
        if withdrawn
        else (
            Affected(
                namespace=namespace,
                package=key,
                status=Status.FIXED if fixed else Status.AFFECTED,
                range_type="CONSTRAINTS",
                constraints=Constraints(vulnerable=None, safe=safe),
                fixed_version=fixed,
                informational=text(advisory.get("informational")),
            ),
        ),
    )
