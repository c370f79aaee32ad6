"""FriendsOfPHP security advisories (https://github.com/FriendsOfPHP/security-advisories): Packagist packages.

``reference: composer://vendor/package`` names the package; each of ``branches`` is one affected range whose
``versions`` constraints all hold; the ``<`` bounds are the fixed versions. The advisory id is the CVE when
there is one, else ``FOP-<vendor>/<package>/<file>``; the only dates are the branches' ``time``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullscan.vulndb.constraints import composer_constraints, upper_bounds
from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, as_dict, load_yaml, str_list, text
from hullscan.vulndb.model import Advisory, Affected, Conjunction, Constraints, Record, Status
from hullscan.vulndb.names import normalize_name


class FriendsOfPhpImporter:
    name = "friendsofphp"
    version = 1

    def __init__(self, source: str = "friendsofphp") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return path.endswith((".yaml", ".yml")) and path.count("/") >= 2

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        doc = as_dict(load_yaml(data), path)
        reference = text(doc.get("reference"))
        if not reference.startswith("composer://"):
            raise RecordError(f"{path}: no composer:// reference")
        package = normalize_name("packagist", reference.removeprefix("composer://"))
        ranges: list[Conjunction] = []
        times: list[str] = []
        for branch in as_dict(doc.get("branches") or {}, f"{path}: branches").values():
            branch = as_dict(branch, f"{path}: branch")
            ranges.append(composer_constraints(str_list(branch.get("versions"))))
            if branch.get("time"):
                times.append(text(branch["time"]))
        if not ranges:
            raise RecordError(f"{path}: no branches")
        cve = text(doc.get("cve"))
        stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        advisory_id = cve if re.match(r"^CVE-\d+-\d+$", cve) else f"FOP-{package}/{stem}"
        alternatives = tuple(ranges)
        fixed = upper_bounds(alternatives)
        link = text(doc.get("link"))
        yield Advisory(
            id=advisory_id,
            source=self.source,
            published=min(times) if times else "",
            summary=text(doc.get("title")),
            references=(link,) if link else (),
            aliases=(cve,) if cve and cve != advisory_id else (),
            affected=(
                Affected(
                    namespace="packagist",
                    package=package,
                    status=Status.FIXED if fixed else Status.AFFECTED,
                    range_type="CONSTRAINTS",
                    constraints=Constraints(vulnerable=alternatives, safe=()),
                    fixed_version=fixed,
                ),
            ),
        )
