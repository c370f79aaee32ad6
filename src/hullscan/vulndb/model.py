"""What importers produce and the store gives back: frozen, slotted records.

Every feed, whatever its format, becomes :class:`Advisory` records (with their :class:`Affected` entries) or
enrichment records keyed by CVE id (:class:`CvssRecord`, :class:`KevRecord`, :class:`EpssRecord`).

How a matcher reads an :class:`Affected` entry (all comparisons with the namespace's own version scheme,
``hullscan.versions.compare(scheme, a, b)``):

* ``range_type`` ``ECOSYSTEM`` or ``SEMVER``: the ordered OSV ``events`` (https://ossf.github.io/osv-schema/
  #evaluation): a version is affected when it lies in some ``[introduced, fixed)`` or
  ``[introduced, last_affected]`` interval, or before a ``limit``; or when it is listed in ``versions``.
  Distro feeds (secdb, OVAL, tracker, CSAF) are stored the same way: ``introduced 0`` then ``fixed X``.
* ``range_type`` ``GIT``: commit events, kept for completeness; version matchers skip them.
* ``range_type`` ``CONSTRAINTS``: the ecosystem-native requirement syntaxes (RubyGems, npm, Composer, Cargo)
  already expanded into plain comparisons, see :class:`Constraints`.
* ``status`` says what the vendor concluded for the whole package in that namespace; ``not_affected``,
  ``will_not_fix``, ``end_of_life`` rows carry no fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """The vendor's conclusion for one package in one namespace."""

    FIXED = "fixed"
    """A fix exists: versions before ``fixed_version`` (or in the ranges) are affected."""
    AFFECTED = "affected"
    """Affected and no fix is available yet."""
    WILL_NOT_FIX = "will_not_fix"
    """Affected and the vendor does not plan to fix it (Debian ``no-dsa``/ignored, Red Hat ``no_fix_planned``)."""
    NOT_AFFECTED = "not_affected"
    """The vendor says the package in this release was never affected."""
    END_OF_LIFE = "end_of_life"
    """Affected, but the package (or release) is out of support."""
    UNDETERMINED = "undetermined"
    """The vendor has not decided yet (Debian ``undetermined``, Red Hat ``under_investigation``)."""


class EventKind(StrEnum):
    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


@dataclass(frozen=True, slots=True)
class Event:
    """One OSV range event, e.g. ``Event(EventKind.FIXED, "2.31.0")``."""

    kind: EventKind
    version: str


Comparator = tuple[str, str]
"""``(op, version)`` with op one of ``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``."""

Conjunction = tuple[Comparator, ...]
"""Comparators that must all hold; the empty conjunction holds for every version."""


@dataclass(frozen=True, slots=True)
class Constraints:
    """A requirement-based range, expanded into plain comparisons.

    A version is affected when it matches ``vulnerable`` (some conjunction holds; ``None`` means every
    version) and matches no conjunction of ``safe``. RubySec and RustSec only give ``safe``
    (patched + unaffected), FriendsOfPHP only ``vulnerable``, the Node.js feeds both.
    """

    vulnerable: tuple[Conjunction, ...] | None = None
    safe: tuple[Conjunction, ...] = ()


class NameKind(StrEnum):
    """Whether ``Affected.package`` names a source package, a binary package, or an ecosystem package."""

    PACKAGE = "package"
    SOURCE = "source"
    BINARY = "binary"


@dataclass(frozen=True, slots=True)
class Affected:
    """One package in one namespace that an advisory is about, and which of its versions are affected."""

    namespace: str
    """``debian:12``, ``alpine:3.18``, ``ubuntu:22.04``, ``redhat:9``, ``almalinux:8``, ``rocky:9``, or an
    ecosystem: ``pypi``, ``npm``, ``go``, ``crates.io``, ``maven``, ``rubygems``, ``packagist``, ``nuget``,
    ``runtime`` (language runtimes: ``node``, ``ruby``, ``rust-std``...)."""
    package: str
    """Normalised with :func:`hullscan.vulndb.names.normalize_name` for the namespace."""
    status: Status = Status.FIXED
    range_type: str = "ECOSYSTEM"
    """``ECOSYSTEM``, ``SEMVER``, ``GIT`` or ``CONSTRAINTS``."""
    events: tuple[Event, ...] = ()
    versions: tuple[str, ...] = ()
    """Explicitly listed affected versions (OSV ``versions``)."""
    constraints: Constraints | None = None
    fixed_version: str = ""
    """The fix, for display and remediation: the one fixed version of distro rows; for ranges with several
    fixes (Go stdlib) every ``fixed`` event in order, joined by ``", "``."""
    severity: str = ""
    """The vendor's severity or urgency for this package, as the vendor writes it (``unimportant``, ``High``)."""
    module: str = ""
    """RHEL-family modularity stream, ``name:stream`` (``nodejs:18``); empty for non-modular packages."""
    platform: str = ""
    """Where inside the namespace the row applies: the Red Hat product CPE of a CSAF row, ``ubuntu-pro`` for a
    fix only available with Ubuntu Pro (ESM); empty for the whole release."""
    name_kind: NameKind = NameKind.PACKAGE
    repo: str = ""
    """The repository of a ``GIT`` range."""
    informational: str = ""
    """RustSec ``informational`` (``unmaintained``, ``unsound``, ``notice``): not a vulnerability by default."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AffectedRow(Affected):
    """An :class:`Affected` entry as the store returns it, with the advisory it belongs to."""

    advisory_id: str
    source: str


@dataclass(frozen=True, slots=True)
class Advisory:
    """One advisory of one source (an OSV record, an OVAL definition, a CVE of a distro tracker...)."""

    id: str
    source: str
    published: str = ""
    """ISO 8601 (``2023-05-26T18:15:00Z`` or a date); empty when the feed has none."""
    modified: str = ""
    withdrawn: str = ""
    summary: str = ""
    details: str = ""
    severity: str = ""
    """Normalised: ``LOW``, ``MEDIUM``, ``HIGH``, ``CRITICAL`` or empty (see :func:`normalize_severity`)."""
    severity_source: str = ""
    """Where ``severity_label`` comes from: ``vendor``, ``ghsa``, ``cvss_v3``, ``cvss_v4``..."""
    severity_label: str = ""
    """The word the source used (``Important``, ``MODERATE``, ``medium``)."""
    cvss_vector: str = ""
    cvss_score: float | None = None
    references: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    affected: tuple[Affected, ...] = ()


@dataclass(frozen=True, slots=True)
class CvssRecord:
    """One CVSS assessment of a CVE by one party."""

    cve: str
    source: str
    """``nvd``, ``cna``, ``adp`` (``adp:<shortName>`` when the container names its provider)."""
    version: str
    """``2.0``, ``3.0``, ``3.1``, ``4.0``."""
    vector: str
    score: float | None
    severity: str = ""
    """Normalised ``LOW``/``MEDIUM``/``HIGH``/``CRITICAL`` (``NONE`` scores give an empty string)."""


@dataclass(frozen=True, slots=True)
class KevRecord:
    """A CVE in CISA's Known Exploited Vulnerabilities catalog."""

    cve: str
    date_added: str
    due_date: str = ""
    ransomware: str = ""
    """``Known`` or ``Unknown`` as the catalog says."""
    vendor: str = ""
    product: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class EpssRecord:
    """FIRST EPSS probability of exploitation in the next 30 days, and its percentile."""

    cve: str
    score: float
    percentile: float
    date: str = ""


Record = Advisory | CvssRecord | KevRecord | EpssRecord


@dataclass(frozen=True, slots=True)
class Enrichment:
    """What the enrichment tables know about one CVE."""

    cve: str
    cvss: tuple[CvssRecord, ...] = ()
    kev: KevRecord | None = None
    epss: EpssRecord | None = None


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One row of ``hullscan db status``."""

    name: str
    record_count: int
    newest_record: str
    imported_at: str
    upstream_url: str = ""
    age_days: float | None = None
    """Days since ``imported_at``."""


_SEVERITY_WORDS = {
    "critical": "CRITICAL",
    "high": "HIGH",
    "important": "HIGH",
    "moderate": "MEDIUM",
    "medium": "MEDIUM",
    "low": "LOW",
    "negligible": "LOW",
    "unimportant": "LOW",
    "minor": "LOW",
}


def normalize_severity(label: str) -> str:
    """Map a vendor's word to ``LOW``/``MEDIUM``/``HIGH``/``CRITICAL``; unknown words give ``""``.

    >>> normalize_severity("Important"), normalize_severity("MODERATE"), normalize_severity("not yet assigned")
    ('HIGH', 'MEDIUM', '')
    """
    return _SEVERITY_WORDS.get(label.strip().lower().rstrip("*"), "")
