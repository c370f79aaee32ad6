"""Alpine secdb (https://secdb.alpinelinux.org/), JSON, and the legacy alpine-secdb repository's YAML.

``packages[].pkg.secfixes`` maps the first fixed apk version to the ids it fixes, per origin (source) package
and branch. Each (version, entry) pair becomes one advisory record: an entry holding several ids separated by
spaces (``CVE-2016-9840 XSA-123``) names one problem, so the first id is the advisory and the rest its aliases.
The key ``"0"`` means the package was never affected in that branch (``not_affected``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hullscan.vulndb.errors import RecordError
from hullscan.vulndb.importers.base import Data, as_dict, load_json, load_yaml, text
from hullscan.vulndb.model import Advisory, Affected, Event, EventKind, NameKind, Record, Status

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*[-_][\w.:-]+$")


class AlpineSecdbImporter:
    name = "alpine-secdb"
    version = 1

    def __init__(self, source: str = "alpine-secdb") -> None:
        self.source = source

    def wants(self, path: str) -> bool:
        return path.endswith((".json", ".yaml", ".yml")) and not path.rsplit("/", 1)[-1].startswith(".")

    def iter_records(self, data: Data, path: str) -> Iterator[Record]:
        doc = load_yaml(data) if path.endswith((".yaml", ".yml")) else load_json(data)
        doc = as_dict(doc, path)
        branch = text(doc.get("distroversion"))
        if not branch or not isinstance(doc.get("packages"), list):
            raise RecordError(f"{path}: not a secdb file (no distroversion or packages)")
        namespace = f"alpine:{branch.removeprefix('v')}"
        for item in doc["packages"]:
            pkg = as_dict(as_dict(item, path).get("pkg"), path)
            name = text(pkg.get("name"))
            secfixes = pkg.get("secfixes") or {}
            if not name or not isinstance(secfixes, dict):
                continue
            for version_key, entries in secfixes.items():
                version = text(version_key)
                if isinstance(entries, str):
                    entries = [entries]
                for entry in entries or []:
                    # "CVE_2019-2426" appears once (v3.7-v3.9 openjdk7): read it as the CVE it names.
                    ids = [re.sub(r"^CVE_", "CVE-", t) for t in text(entry).split() if _ID.match(t)]
                    if not ids:
                        continue
                    if version == "0":
                        affected = Affected(namespace, name, Status.NOT_AFFECTED, name_kind=NameKind.SOURCE)
                    else:
                        affected = Affected(
                            namespace,
                            name,
                            Status.FIXED,
                            events=(Event(EventKind.INTRODUCED, "0"), Event(EventKind.FIXED, version)),
                            fixed_version=version,
                            name_kind=NameKind.SOURCE,
                        )
                    yield Advisory(id=ids[0], source=self.source, aliases=tuple(ids[1:]), affected=(affected,))
