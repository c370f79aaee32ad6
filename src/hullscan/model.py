"""The model every stage hands to the next: frozen, slotted dataclasses with typed fields.

These are internal types. Report writers render their own versioned documents from them (see ``report/``),
so a field added here never silently changes what users parse.
"""

from __future__ import annotations

import platform as _platform
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from hullscan.errors import UsageError

# ---------------------------------------------------------------------------------------------- platforms

_MACHINE_TO_OCI = {
    "x86_64": ("amd64", ""),
    "amd64": ("amd64", ""),
    "aarch64": ("arm64", "v8"),
    "arm64": ("arm64", "v8"),
    "armv7l": ("arm", "v7"),
    "armv6l": ("arm", "v6"),
    "i386": ("386", ""),
    "i686": ("386", ""),
    "ppc64le": ("ppc64le", ""),
    "s390x": ("s390x", ""),
    "riscv64": ("riscv64", ""),
}


@dataclass(frozen=True, slots=True)
class Platform:
    """An OCI platform, ``os/architecture[/variant]`` (https://github.com/opencontainers/image-spec/blob/main/image-index.md)."""

    os: str
    architecture: str
    variant: str = ""

    @classmethod
    def parse(cls, text: str) -> Platform:
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise UsageError(f"invalid platform {text!r}: expected os/arch[/variant], e.g. linux/amd64")
        os_, arch = parts[0].lower(), parts[1].lower()
        variant = parts[2].lower() if len(parts) == 3 else ""
        return cls(os_, arch, variant)

    @classmethod
    def host(cls) -> Platform:
        arch, variant = _MACHINE_TO_OCI.get(_platform.machine().lower(), (_platform.machine().lower(), ""))
        return cls("linux", arch, variant)

    def matches(self, other: Platform) -> bool:
        """Whether an image built for ``other`` serves a request for ``self``.

        An empty variant on either side matches any variant; arm64's ``v8`` is its default variant.
        """
        if self.os != other.os or self.architecture != other.architecture:
            return False
        if not self.variant or not other.variant:
            return True
        return self.variant == other.variant

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


# ---------------------------------------------------------------------------------------------- images


@dataclass(frozen=True, slots=True)
class Descriptor:
    """An OCI content descriptor: what a manifest or index says about a blob."""

    media_type: str
    digest: str
    size: int
    platform: Platform | None = None
    annotations: tuple[tuple[str, str], ...] = ()

    def annotation(self, key: str) -> str | None:
        for k, v in self.annotations:
            if k == key:
                return v
        return None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One line of the image config's ``history``: the build step that made (or did not make) a layer."""

    created_by: str = ""
    created: str = ""
    comment: str = ""
    empty_layer: bool = False


@dataclass(frozen=True, slots=True)
class ContainerConfig:
    """The runtime part of an image config (``config`` in the OCI image config)."""

    user: str = ""
    env: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    working_dir: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    exposed_ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    healthcheck: tuple[str, ...] | None = None
    stop_signal: str = ""


@dataclass(frozen=True, slots=True)
class ImageConfig:
    """The parsed image configuration blob."""

    digest: str
    os: str
    architecture: str
    variant: str
    created: str
    diff_ids: tuple[str, ...]
    history: tuple[HistoryEntry, ...]
    container: ContainerConfig


@dataclass(frozen=True, slots=True)
class Layer:
    """One filesystem layer of an image, tied to the build step that made it."""

    index: int
    digest: str
    """Digest of the blob as stored (compressed); equal to ``diff_id`` for uncompressed layers."""
    diff_id: str
    """Digest of the uncompressed tar: the cache key, stable across compressions."""
    media_type: str
    size: int
    created_by: str = ""


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """What the scan knows about the image itself."""

    name: str
    """The reference as the user gave it, normalised (``docker-archive:/x.tar``, ``registry:host/repo:tag``)."""
    source: str
    """The kind of source: ``docker-archive``, ``oci``, ``oci-archive``, ``registry``, ``rootfs``."""
    manifest_digest: str
    config: ImageConfig | None
    layers: tuple[Layer, ...]
    repo_tags: tuple[str, ...] = ()
    repo_digests: tuple[str, ...] = ()

    @property
    def image_id(self) -> str:
        return self.config.digest if self.config else ""


# ---------------------------------------------------------------------------------------------- files


class FileKind(StrEnum):
    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    CHAR = "char"
    BLOCK = "block"
    FIFO = "fifo"


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One entry of a layer (or root filesystem) as its tar header describes it. Paths have no leading ``/``."""

    path: str
    kind: FileKind
    mode: int
    """Permission bits including setuid/setgid/sticky (``0o7777`` mask)."""
    size: int
    uid: int = 0
    gid: int = 0
    linkname: str = ""
    """Symlink target as written, or the hard link's target path (normalised, no leading ``/``)."""


# ---------------------------------------------------------------------------------------------- inventory


@dataclass(frozen=True, slots=True)
class Distro:
    """The operating system of an image, as its release files describe it."""

    family: str
    """Stable lowercase id: ``debian``, ``ubuntu``, ``alpine``, ``redhat``, ``centos``, ``rocky``, ``alma``..."""
    release: str
    """The version as precisely as the image says it (``12.5``, ``3.11.5``, ``9.4``)."""
    codename: str = ""
    pretty_name: str = ""
    source_file: str = ""
    """The file the release was read from (``etc/os-release``)."""
    extended_support: bool = False
    """Ubuntu ESM and similar paid extended-support channels are enabled."""


@dataclass(frozen=True, slots=True)
class LayerRef:
    """Which layer brought something into the image, and the build step behind it."""

    index: int
    digest: str
    diff_id: str
    created_by: str = ""


class PackageType(StrEnum):
    """The package ecosystem; each value is its PURL type (https://github.com/package-url/purl-spec)."""

    DEB = "deb"
    APK = "apk"
    RPM = "rpm"
    PYPI = "pypi"
    NPM = "npm"
    MAVEN = "maven"
    GOLANG = "golang"
    CARGO = "cargo"
    GEM = "gem"
    COMPOSER = "composer"
    NUGET = "nuget"

    @property
    def is_os(self) -> bool:
        return self in (PackageType.DEB, PackageType.APK, PackageType.RPM)


@dataclass(frozen=True, slots=True)
class Package:
    """One installed package, as its package database records it.

    ``version`` is the full version string the package manager compares (dpkg ``[epoch:]upstream[-revision]``,
    rpm ``[epoch:]version-release``, apk ``version-rN``); ``epoch``/``release`` split it for ecosystems that
    have them. Matching uses ``source_name``/``source_version`` where the vendor's advisories are keyed by the
    source package (Debian, Ubuntu, Alpine's origin, rpm's SOURCERPM).
    """

    type: PackageType
    name: str
    version: str
    namespace: str = ""
    """Maven groupId, npm scope (``@types``), Go module path prefix: the PURL namespace."""
    arch: str = ""
    epoch: int | None = None
    release: str = ""
    source_name: str = ""
    source_version: str = ""
    licenses: tuple[str, ...] = ()
    maintainer: str = ""
    """dpkg Maintainer, rpm Vendor/Packager, apk maintainer."""
    checksum: str = ""
    """``sha1:...`` (apk), ``md5:...`` (rpm SIGMD5), ``sha256:...`` (dpkg available file)."""
    module: str = ""
    """rpm modularity label (``nodejs:18:...``)."""
    files: tuple[str, ...] = ()
    """Installed files, without leading ``/``."""
    found_in: str = ""
    """The database file the package was read from (``var/lib/dpkg/status``)."""
    extractor: str = ""
    purl: str = ""
    layer: LayerRef | None = None
    """The layer that introduced this package (at this version)."""
    declared: bool = False
    """Read from a lock or manifest file (``poetry.lock``, ``go.mod``): declared, not seen installed."""
    main_module: bool = False
    """The application itself (a Go binary's main module, a lock file's root project), not a dependency."""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity for attribution across layers: same name, version and arch in the same format."""
        return (self.type.value, f"{self.namespace}/{self.name}" if self.namespace else self.name, self.version,
                self.arch)


@dataclass(frozen=True, slots=True)
class Warning_:
    """Something in the image could not be read as expected; the scan went on without it."""

    message: str
    path: str = ""
    layer: LayerRef | None = None
    extractor: str = ""


@dataclass(frozen=True, slots=True)
class Inventory:
    """Everything the extractors found in the squashed image."""

    distro: Distro | None
    distro_layer: LayerRef | None = None
    packages: tuple[Package, ...] = ()
    file_count: int = 0
    warnings: tuple[Warning_, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------------------------- findings


class Severity(IntEnum):
    """Ordered severities; ``str()`` gives the upper-case label users write (``--fail-on HIGH``)."""

    UNKNOWN = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    def __str__(self) -> str:
        return self.name

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise UsageError(f"unknown severity {text!r}: use one of {', '.join(s.name for s in cls)}") from None


@dataclass(frozen=True, slots=True)
class Vulnerability:
    """The vulnerability-specific part of a finding: what matched, how bad, how likely, what fixes it."""

    aliases: tuple[str, ...]
    installed_version: str
    fixed_version: str
    """The version that fixes it for this package (empty when no fix exists)."""
    status: str
    """``fixed`` (a fix exists), ``affected`` (no fix yet), ``will_not_fix``, ``end_of_life``."""
    severity_source: str
    """Whose rating ``Finding.severity`` is: ``debian``, ``alpine``, ``ghsa``, ``nvd``, ``cna``, ``adp:CISA-ADP``..."""
    data_source: str
    """The feed the match came from (``debian-oval``, ``alpine-secdb``, ``pypa``, ``go``...)."""
    matched_by: str
    """How it matched, for a reviewer: namespace, the name looked up, the range or fix it fell in."""
    cvss_vector: str = ""
    cvss_score: float | None = None
    epss_score: float | None = None
    epss_percentile: float | None = None
    kev: bool = False
    kev_due_date: str = ""
    risk: float = 0.0
    """0-100, see :mod:`hullscan.match.risk`."""
    published: str = ""
    modified: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """Something in the image a user should act on. Every detector produces these; filters, the exit code and
    every writer consume them.

    ``check`` is the stable id of the rule that produced it (``os/end-of-life``); ``id`` names the problem
    (a CVE id for a vulnerability, the check id otherwise).
    """

    check: str
    id: str
    severity: Severity
    title: str
    description: str = ""
    remediation: str = ""
    target: str = ""
    """What the finding is about, as a user reads it: a package ``name@version``, a path, the OS."""
    package: Package | None = None
    layer: LayerRef | None = None
    references: tuple[str, ...] = ()
    vulnerability: Vulnerability | None = None
    path: str = ""
    """The file the finding is in (no leading ``/``), for findings about files (secrets, permissions, malware)."""
    line: int = 0
    """1-based line in ``path`` where it starts (0: not about a line)."""
    evidence: str = ""
    """What was seen, safe to print: a secret is always masked here (``AKIA************MPLE``)."""
    details: tuple[tuple[str, str], ...] = ()
    """Further facts as (label, value) pairs every report shows as they are (``deleted in``, ``bytes``...)."""
    category: str = ""
    """A grouping inside the scanner (``AWS``, ``private-key``, ``setuid``...)."""

    @property
    def location(self) -> str:
        """Where it is, as a user reads it: ``/etc/app.env:3`` for a file, ``config:Env:2`` or ``history[4]`` for
        the image config; empty for findings that are not about a file."""
        if not self.path:
            return ""
        path = self.path if self.path.startswith(("config:", "history[")) else f"/{self.path}"
        return f"{path}:{self.line}" if self.line else path

    @property
    def scanner(self) -> str:
        """The scanner that produced it: the first part of ``check`` (``vuln``, ``secret``, ``misconfig``,
        ``file``, ``malware``, ``license``, ``os``)."""
        return self.check.split("/", 1)[0]
