"""Where each source's data lives: upstream URLs for ``hullscan db update``, and paths in a mirror laid out like
``shared/vulndata`` for ``hullscan db update --from DIR|URL``.

The defaults are the table :data:`DEFAULT_SOURCES`; a TOML file can override it (:func:`load_sources`)::

    [sources.alpine-secdb]
    upstream = ["https://mirror.example/secdb/v3.20/main.json"]   # replaces the list
    [sources.ghsa]
    enabled = false
    [sources.debian-tracker]
    enabled = true

A mirror path ending in ``/`` is a directory: read as it is from a local mirror, and fetched as
``<path without the slash>.tar.gz`` from a mirror served over HTTP (a directory has no portable listing).
Upstream git repositories are fetched as the archive GitHub serves for their default branch; the importers find
their files inside by pattern, whatever the archive's top directory is called.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hullscan.errors import UsageError


@dataclass(frozen=True, slots=True)
class Feed:
    """One file (or, in a mirror, one directory) of a source."""

    location: str
    """An upstream URL, or a path relative to a mirror's root (``osv/rustsec/`` for a directory)."""
    checksum: str = ""
    """A ``.meta`` file beside it publishing the sha256 of the uncompressed content (NVD)."""

    @property
    def is_directory(self) -> bool:
        return self.location.endswith("/")


@dataclass(frozen=True, slots=True)
class SourceSpec:
    name: str
    """The source's name in the store (``pypa``, ``debian-oval``)."""
    importer: str
    """A key of :data:`hullscan.vulndb.update.IMPORTERS`."""
    mirror: tuple[Feed, ...]
    upstream: tuple[Feed, ...] = ()
    include: str = ""
    """A regular expression a file's path must match, on top of the importer's own choice."""
    enabled: bool = True
    optional: bool = False
    """May be absent from a mirror (the Debian tracker JSON is not in every mirror)."""
    homepage: str = ""


def _github(repo: str, branch: str) -> Feed:
    return Feed(f"https://github.com/{repo}/archive/refs/heads/{branch}.tar.gz")


_ALPINE_BRANCHES = (*(f"v3.{n}" for n in range(2, 23)), "edge")
_NVD = "https://nvd.nist.gov/feeds/json/cve/2.0"

DEFAULT_SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        "pypa",
        "osv",
        (Feed("osv/pypa-advisory-database/pypa-advisory-database.tar.gz"),),
        (_github("pypa/advisory-database", "main"),),
        include=r"(^|/)vulns/",
        homepage="https://github.com/pypa/advisory-database",
    ),
    SourceSpec(
        "go",
        "osv",
        (Feed("osv/golang-vulndb/golang-vulndb-data.tar.gz"),),
        (_github("golang/vulndb", "master"),),
        include=r"(^|/)data/osv/",
        homepage="https://vuln.go.dev",
    ),
    SourceSpec(
        "go-cve5",
        "cve5",
        (Feed("osv/golang-vulndb/golang-vulndb-data.tar.gz"),),
        (_github("golang/vulndb", "master"),),
        include=r"(^|/)data/cve/v5/",
        homepage="https://vuln.go.dev",
    ),
    SourceSpec(
        "rustsec",
        "osv",
        (Feed("osv/rustsec/"),),
        (_github("rustsec/advisory-db", "osv"),),
        include=r"(^|/)crates/",
        homepage="https://rustsec.org",
    ),
    SourceSpec(
        "ghsa",
        "osv",
        (Feed("osv/ghsa-sample/"),),
        (_github("github/advisory-database", "main"),),
        include=r"(^|/)advisories/github-reviewed/",
        homepage="https://github.com/advisories",
    ),
    SourceSpec(
        "almalinux",
        "osv",
        (Feed("osv/almalinux/almalinux-osv-database.tar.gz"),),
        (_github("AlmaLinux/osv-database", "master"),),
        include=r"(^|/)advisories/",
        homepage="https://errata.almalinux.org",
    ),
    SourceSpec(
        "rustsec-native",
        "rustsec",
        (Feed("native/rustsec-toml/"),),
        (_github("rustsec/advisory-db", "main"),),
        homepage="https://rustsec.org",
    ),
    SourceSpec(
        "rubysec",
        "rubysec",
        (Feed("native/rubysec/"),),
        (_github("rubysec/ruby-advisory-db", "master"),),
        homepage="https://rubysec.com",
    ),
    SourceSpec(
        "nodejs-security-wg",
        "nodejs-security-wg",
        (Feed("native/nodejs-security-wg/"),),
        (_github("nodejs/security-wg", "main"),),
        homepage="https://github.com/nodejs/security-wg",
    ),
    SourceSpec(
        "friendsofphp",
        "friendsofphp",
        (Feed("native/php-friendsofphp/"),),
        (_github("FriendsOfPHP/security-advisories", "master"),),
        homepage="https://github.com/FriendsOfPHP/security-advisories",
    ),
    SourceSpec(
        "alpine-secdb",
        "alpine-secdb",
        (Feed("distro/alpine-secdb/secdb.alpinelinux.org/"),),
        tuple(
            Feed(f"https://secdb.alpinelinux.org/{b}/{r}.json") for b in _ALPINE_BRANCHES for r in ("main", "community")
        ),
        homepage="https://secdb.alpinelinux.org",
    ),
    # Superseded by secdb.alpinelinux.org for the same branches; kept readable, off by default.
    SourceSpec(
        "alpine-secdb-legacy",
        "alpine-secdb",
        (Feed("distro/alpine-secdb/legacy-alpine-secdb-repo/"),),
        (_github("alpinelinux/alpine-secdb", "master"),),
        enabled=False,
        homepage="https://github.com/alpinelinux/alpine-secdb",
    ),
    SourceSpec(
        "debian-tracker",
        "debian-tracker",
        (Feed("distro/debian/security-tracker/json"),),
        (Feed("https://security-tracker.debian.org/tracker/data/json"),),
        optional=True,
        homepage="https://security-tracker.debian.org",
    ),
    SourceSpec(
        "debian-oval",
        "debian-oval",
        (Feed("distro/debian/oval/"),),
        tuple(
            Feed(f"https://www.debian.org/security/oval/oval-definitions-{c}.xml.bz2")
            for c in ("buster", "bullseye", "bookworm", "trixie")
        ),
        homepage="https://www.debian.org/security/oval/",
    ),
    SourceSpec(
        "ubuntu-oval",
        "ubuntu-oval",
        (Feed("distro/ubuntu/oval/"),),
        tuple(
            Feed(f"https://security-metadata.canonical.com/oval/com.ubuntu.{c}.usn.oval.xml.bz2")
            for c in ("focal", "jammy", "noble")
        ),
        homepage="https://ubuntu.com/security/oval",
    ),
    SourceSpec(
        "redhat-oval",
        "redhat-oval",
        (Feed("distro/redhat/oval/"),),
        tuple(Feed(f"https://www.redhat.com/security/data/oval/com.redhat.rhsa-RHEL{n}.xml.bz2") for n in (8, 9)),
        homepage="https://access.redhat.com/security/data/oval/",
    ),
    # Red Hat publishes VEX as one dated .tar.zst archive (named in archive_latest.txt): mirror import only.
    SourceSpec(
        "redhat-csaf",
        "redhat-csaf",
        (Feed("distro/redhat/csaf-vex/"), Feed("distro/redhat/csaf-advisory/")),
        homepage="https://security.access.redhat.com/data/csaf/v2/",
    ),
    SourceSpec(
        "rocky-oval",
        "rocky-oval",
        (Feed("distro/rocky/oval/"),),
        tuple(Feed(f"https://dl.rockylinux.org/pub/oval/org.rockylinux.rlsa-{n}.xml.bz2") for n in (8, 9)),
        homepage="https://dl.rockylinux.org/pub/oval/",
    ),
    SourceSpec(
        "nvd",
        "nvd",
        (
            Feed("enrichment/nvd/nvdcve-1.1-subset.json.gz"),
            Feed(
                "enrichment/nvd/feeds-1.1/nvdcve-1.1-modified.json.gz",
                "enrichment/nvd/feeds-1.1/nvdcve-1.1-modified.meta",
            ),
            Feed(
                "enrichment/nvd/feeds-1.1/nvdcve-1.1-recent.json.gz", "enrichment/nvd/feeds-1.1/nvdcve-1.1-recent.meta"
            ),
            Feed("enrichment/nvd/api-2.0-samples/"),
        ),
        tuple(
            Feed(f"{_NVD}/nvdcve-2.0-{name}.json.gz", f"{_NVD}/nvdcve-2.0-{name}.meta")
            for name in ("modified", "recent")
        ),
        homepage="https://nvd.nist.gov/vuln/data-feeds",
    ),
    SourceSpec(
        "cve5",
        "cve5",
        (Feed("enrichment/cve5/cvelistV5-samples/"), Feed("enrichment/cve5/vulnrichment-subset.tar.gz")),
        (_github("cisagov/vulnrichment", "develop"),),
        homepage="https://github.com/cisagov/vulnrichment",
    ),
    SourceSpec(
        "kev",
        "kev",
        (Feed("enrichment/cisa-kev/known_exploited_vulnerabilities.json"),),
        (Feed("https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"),),
        homepage="https://www.cisa.gov/known-exploited-vulnerabilities-catalog",
    ),
    SourceSpec(
        "epss",
        "epss",
        (Feed("enrichment/epss/epss_scores-sample.csv"),),
        (Feed("https://epss.cyentia.com/epss_scores-current.csv.gz"),),
        homepage="https://www.first.org/epss/",
    ),
)


def _feeds(value: Any, where: str) -> tuple[Feed, ...]:
    if not isinstance(value, list):
        raise UsageError(f"{where}: expected a list of locations")
    out: list[Feed] = []
    for item in value:
        if isinstance(item, str):
            out.append(Feed(item))
        elif isinstance(item, dict) and isinstance(item.get("location"), str):
            out.append(Feed(item["location"], str(item.get("checksum", ""))))
        else:
            raise UsageError(f"{where}: a location is a string or a table with `location` (and `checksum`)")
    return tuple(out)


def load_sources(config: Path | None = None) -> tuple[SourceSpec, ...]:
    """The default source table, with the overrides of a TOML ``config`` file applied."""
    if config is None:
        return DEFAULT_SOURCES
    try:
        doc = tomllib.loads(Path(config).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read sources config {config}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"sources config {config}: {exc}") from None
    overrides = doc.get("sources", {})
    if not isinstance(overrides, dict):
        raise UsageError(f"sources config {config}: [sources] must be a table")
    known = {s.name: s for s in DEFAULT_SOURCES}
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise UsageError(f"sources config {config}: unknown source(s) {', '.join(unknown)}; known: {', '.join(known)}")
    out: list[SourceSpec] = []
    for spec in DEFAULT_SOURCES:
        table = overrides.get(spec.name)
        if table is None:
            out.append(spec)
            continue
        if not isinstance(table, dict):
            raise UsageError(f"sources config {config}: [sources.{spec.name}] must be a table")
        where = f"sources config {config}: [sources.{spec.name}]"
        changes: dict[str, Any] = {}
        if "enabled" in table:
            changes["enabled"] = bool(table["enabled"])
        if "upstream" in table:
            changes["upstream"] = _feeds(table["upstream"], where)
        if "mirror" in table:
            changes["mirror"] = _feeds(table["mirror"], where)
        out.append(replace(spec, **changes))
    return tuple(out)
