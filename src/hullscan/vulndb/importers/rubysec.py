"""RubySec advisories (https://github.com/rubysec/ruby-advisory-db): ``gems/<gem>/*.yml``, ``rubies/<engine>/*.yml``.

A version is affected when it satisfies neither ``patched_versions`` nor ``unaffected_versions`` (RubyGems
requirements, a comma meaning AND): both go to the ``safe`` side of a ``CONSTRAINTS`` row. Gems are in
namespace ``rubygems``; interpreters (``ruby``, ``jruby``, ``mruby``...) in ``runtime``. ``cvss_v2/v3/v4``
are base scores without vectors: the newest version present is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullscan.vulndb.constraints import gem_requirement, lower_bounds
from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, as_dict, load_yaml, str_list, text
from hullscan.vulndb.model import Advisory, Affected, Constraints, Record, Status
from hullscan.vulndb.scoring import rating


class RubySecImporter:
    name = "rubysec"
    version = 1

    def __init__(self, source: str = "rubysec") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return bool(re.search(r"(^|/)(gems|rubies)/[^/]+/[^/]+\.ya?ml$", path))

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        doc = as_dict(load_yaml(data), path)
        if doc.get("gem"):
            namespace, package = "rubygems", text(doc["gem"])
        elif doc.get("engine"):
            namespace, package = "runtime", text(doc["engine"])
        else:
            raise RecordError(f"{path}: neither `gem` nor `engine`")
        stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        aliases = []
        if doc.get("cve"):
            aliases.append(f"CVE-{text(doc['cve']).removeprefix('CVE-')}")
        if doc.get("ghsa"):
            aliases.append(f"GHSA-{text(doc['ghsa']).removeprefix('GHSA-')}")
        if doc.get("osvdb"):
            aliases.append(f"OSVDB-{text(doc['osvdb'])}")
        safe = tuple(gem_requirement(r) for r in str_list(doc.get("patched_versions")))
        safe += tuple(gem_requirement(r) for r in str_list(doc.get("unaffected_versions")))
        fixed = lower_bounds(tuple(gem_requirement(r) for r in str_list(doc.get("patched_versions"))))
        score, version = None, ""
        for key, ver in (("cvss_v4", "4.0"), ("cvss_v3", "3.1"), ("cvss_v2", "2.0")):
            if doc.get(key) not in (None, ""):
                score, version = float(doc[key]), ver
                break
        label = rating(score, version)
        url = text(doc.get("url"))
        related = doc.get("related") or {}
        references = ([url] if url else []) + list(str_list(related.get("url") if isinstance(related, dict) else None))
        yield Advisory(
            id=stem,
            source=self.source,
            published=text(doc.get("date")),
            summary=text(doc.get("title")),
            details=text(doc.get("description")),
            severity=label,
            severity_source=f"cvss_v{version[0]}" if label else "",
            severity_label=label,
            cvss_score=score,
            references=tuple(dict.fromkeys(references)),
            aliases=tuple(a for a in aliases if a != stem),
            affected=(
                Affected(
                    namespace=namespace,
                    package=package,
                    status=Status.FIXED if fixed else Status.AFFECTED,
                    range_type="CONSTRAINTS",
                    constraints=Constraints(vulnerable=None, safe=safe),
                    fixed_version=fixed,
                ),
            ),
        )
