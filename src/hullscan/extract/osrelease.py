"""os/release: which operating system an image runs, read from its release files.

Two halves, as the extractor protocol asks (see :mod:`hullscan.extract.base`):

* :class:`OSReleaseExtractor` parses each release file on its own, bytes in, :class:`ReleaseFile` out. It does
  not interpret anything, so the per-layer cache never holds a conclusion that a later rule change would make
  stale.
* :func:`detect_distro` looks at the squashed image and decides, in a fixed priority order:

  1. ``etc/os-release``, else ``usr/lib/os-release`` (https://www.freedesktop.org/software/systemd/man/os-release.html;
     the first one present wins, as systemd reads them), when its ``ID`` names a family we know. A few families
     keep a more precise vendor file beside it, which then decides the release (never the family):
     ``etc/debian_version`` (``12.5`` rather than ``12``), ``etc/alpine-release`` and ``etc/centos-release``.
  2. Otherwise the vendor files, most specific first: ``etc/lsb-release``, ``etc/alpine-release``, the Red Hat
     family's ``etc/*-release`` (derivatives before ``redhat-release``, which Oracle Linux also ships with RHEL's
     text), ``etc/system-release`` (Amazon Linux), Mariner/Azure Linux/Photon/SUSE files,
     ``etc/system-release-cpe``, and last ``etc/debian_version``, which Ubuntu and other derivatives carry too.
  3. For Ubuntu, ``var/lib/ubuntu-advantage/status.json`` with ``esm-infra`` enabled marks extended support.

Family ids follow Trivy's (``redhat``, ``alma``, ``oracle``, ``opensuse-leap``, ``cbl-mariner``, ``slem``...) so
that advisory sources keyed by them line up; see ``../shared/fixtures/EXPECTED.md`` section 3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import msgspec

from hullscan.extract.base import ExtractError
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef

NAME = "os/release"
VERSION = 1

MAX_RELEASE_FILE_SIZE = 8 * 1024
"""Release files are a few hundred bytes; anything much larger at these paths is not one."""
MAX_STATUS_FILE_SIZE = 64 * 1024
"""Ubuntu Pro's status.json lists every service with descriptions, a few KB and growing."""

OS_RELEASE_PATHS = (
    "etc/os-release",
    "usr/lib/os-release",
    # Bottlerocket's SDK images keep the target's os-release under its sysroot (as Trivy reads it).
    "x86_64-bottlerocket-linux-gnu/sys-root/usr/lib/os-release",
    "aarch64-bottlerocket-linux-gnu/sys-root/usr/lib/os-release",
)
UBUNTU_ADVANTAGE_STATUS = "var/lib/ubuntu-advantage/status.json"

# path -> kind of file. The kind tells a reader of the cached payload what it was parsed from.
RELEASE_FILES: dict[str, str] = {
    **dict.fromkeys(OS_RELEASE_PATHS, "os-release"),
    "etc/lsb-release": "lsb-release",
    "etc/alpine-release": "alpine-release",
    "etc/debian_version": "debian_version",
    "etc/redhat-release": "redhat-release",
    "etc/centos-release": "centos-release",
    "etc/fedora-release": "fedora-release",
    "etc/rocky-release": "rocky-release",
    "etc/almalinux-release": "almalinux-release",
    "etc/oracle-release": "oracle-release",
    "etc/alinux-release": "alinux-release",
    "etc/system-release": "system-release",
    "etc/system-release-cpe": "system-release-cpe",
    "etc/SuSE-release": "suse-release",
    "etc/photon-release": "photon-release",
    "etc/mariner-release": "mariner-release",
    "etc/azurelinux-release": "azurelinux-release",
    UBUNTU_ADVANTAGE_STATUS: "ubuntu-advantage-status",
}


@dataclass(frozen=True, slots=True)
class ReleaseFile:
    """One release file, parsed but not interpreted."""

    kind: str
    """What the file is: ``os-release``, ``lsb-release``, ``debian_version``, ``redhat-release``..."""
    fields: tuple[tuple[str, str], ...] = ()
    """``KEY=VALUE`` assignments in file order, values unquoted (os-release, lsb-release, SuSE-release). For
    Ubuntu Pro's ``status.json``: service name and its status (``("esm-infra", "enabled")``)."""
    first_line: str = ""
    """The first non-blank line, stripped: the whole content of one-line files such as ``alpine-release``."""

    def get(self, key: str, default: str = "") -> str:
        """The value assigned to ``key``; the last assignment wins, as when a shell sources the file."""
        value = default
        for k, v in self.fields:
            if k == key:
                value = v
        return value

    @property
    def distroless(self) -> bool:
        """Google's distroless images are Debian with ``PRETTY_NAME="Distroless"`` in their os-release."""
        return self.kind == "os-release" and (
            self.get("PRETTY_NAME").lower().startswith("distroless")
            or "googlecontainertools/distroless" in self.get("HOME_URL").lower()
        )


# ---------------------------------------------------------------------------------------------- parsing

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DQ_ESCAPES = frozenset('"\\$`')


def _unquote(raw: str) -> str:
    """A shell-style value as os-release(5) allows it: bare, '...' (literal) or "..." with \\ escapes."""
    if not raw:
        return ""
    quote = raw[0]
    if quote == "'":
        end = raw.find("'", 1)
        return raw[1:end] if end > 0 else raw[1:]
    if quote != '"':
        return raw
    out: list[str] = []
    i = 1
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw) and raw[i + 1] in _DQ_ESCAPES:
            out.append(raw[i + 1])
            i += 2
            continue
        if c == '"':
            break
        out.append(c)
        i += 1
    return "".join(out)


def _decode_text(path: str, data: bytes) -> str:
    if b"\x00" in data:
        raise ExtractError(f"{path}: binary content where a text release file was expected")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def parse_release_text(kind: str, text: str) -> ReleaseFile | None:
    """Parse a text release file: its first line and every ``KEY=VALUE`` line (comments skipped).

    ``KEY = VALUE`` with blanks is accepted too, for the old ``SuSE-release``. ``None`` for a blank file.

    >>> parse_release_text("os-release", 'ID="rhel"\\nVERSION_ID="9.4"\\n').get("VERSION_ID")
    '9.4'
    """
    first_line = ""
    fields: list[tuple[str, str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not first_line:
            first_line = stripped
        if stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        key = key.strip()
        if sep and _KEY.fullmatch(key):
            fields.append((key, _unquote(value.strip())))
    if not first_line:
        return None
    return ReleaseFile(kind=kind, fields=tuple(fields), first_line=first_line)


def parse_ua_status(data: bytes) -> ReleaseFile:
    """Ubuntu Pro (ubuntu-advantage) ``status.json``: keep each service's name and status."""
    try:
        doc = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise ExtractError(f"{UBUNTU_ADVANTAGE_STATUS}: invalid JSON: {exc}") from None
    services: list[tuple[str, str]] = []
    raw_services = doc.get("services") if isinstance(doc, dict) else None
    if isinstance(raw_services, list):
        for service in raw_services:
            if isinstance(service, dict):
                name, status = service.get("name"), service.get("status")
                if isinstance(name, str) and isinstance(status, str):
                    services.append((name, status))
    return ReleaseFile(kind=RELEASE_FILES[UBUNTU_ADVANTAGE_STATUS], fields=tuple(services))


class OSReleaseExtractor:
    """Reads the files that say which distribution (and release) an image is."""

    name = NAME
    version = VERSION
    payload_type = ReleaseFile

    def wants(self, path: str, entry: FileEntry) -> bool:
        # Regular files only: a symlinked etc/os-release is followed by the squashed view to its target,
        # which this extractor reads in its own right.
        if entry.kind is not FileKind.FILE or path not in RELEASE_FILES:
            return False
        limit = MAX_STATUS_FILE_SIZE if path == UBUNTU_ADVANTAGE_STATUS else MAX_RELEASE_FILE_SIZE
        return entry.size <= limit

    def extract(self, path: str, data: bytes) -> ReleaseFile | None:
        kind = RELEASE_FILES.get(path)
        if kind is None:
            return None
        if path == UBUNTU_ADVANTAGE_STATUS:
            return parse_ua_status(data)
        return parse_release_text(kind, _decode_text(path, data))


# ---------------------------------------------------------------------------------------------- detection

# os-release ID -> family. IDs not listed (``unknown``, derivatives such as ``linuxmint``) give no distro:
# their packages would be matched against the wrong vendor's advisories.
OS_RELEASE_FAMILIES: dict[str, str] = {
    "alpine": "alpine",
    "debian": "debian",
    "ubuntu": "ubuntu",
    "wolfi": "wolfi",
    "chainguard": "chainguard",
    "rhel": "redhat",
    "centos": "centos",
    "rocky": "rocky",
    "almalinux": "alma",
    "ol": "oracle",
    "fedora": "fedora",
    "amzn": "amazon",
    "alinux": "alinux",
    "sles": "sles",
    "opensuse-leap": "opensuse-leap",
    "opensuse": "opensuse-leap",  # Leap 42.x said ID=opensuse
    "opensuse-tumbleweed": "opensuse-tumbleweed",
    # SLE Micro under its names: 5.x, the short-lived 6.0 rebrand, and the Rancher variant.
    "sle-micro": "slem",
    "sl-micro": "slem",
    "sle-micro-rancher": "slem",
    "photon": "photon",
    "mariner": "cbl-mariner",
    "azurelinux": "azurelinux",
    "bottlerocket": "bottlerocket",
    "coreos": "coreos",
    "echo": "echo",
    "minimos": "minimos",
    "activestate": "activestate",
}

# "<name> release <version>" as the Red Hat family writes it, e.g. "Rocky Linux release 8.4 (Green Obsidian)".
_RELEASE_LINE = re.compile(r"^(?P<name>.*?)\s+release\s+(?P<version>\d[\d.]*)")
_RELEASE_LINE_NAMES: dict[str, str] = {
    "centos": "centos",
    "centos linux": "centos",
    "centos stream": "centos-stream",
    "rocky": "rocky",
    "rocky linux": "rocky",
    "alma": "alma",
    "almalinux": "alma",
    "alma linux": "alma",
    "oracle": "oracle",
    "oracle linux": "oracle",
    "oracle linux server": "oracle",
    "fedora": "fedora",
    "fedora linux": "fedora",
    "amazon linux": "amazon",
    "amazon linux ami": "amazon",
}
_MAJOR_MINOR_FILES: dict[str, str] = {
    "mariner-release": "cbl-mariner",
    "azurelinux-release": "azurelinux",
    "photon-release": "photon",
}
_NUMERIC_RELEASE = re.compile(r"\d+(?:\.\d+)*")
_PARENTHESIS = re.compile(r"\(([^)]*)\)")
_MAJOR_MINOR = re.compile(r"\d+\.\d+")
_LEADING_VERSION = re.compile(r"\d[\w.~+-]*")
# cpe:/o:vendor:product:version... (CPE 2.2) and cpe:2.3:o:vendor:product:version... (CPE 2.3)
_CPE = re.compile(r"^cpe:(?:/|2\.3:)o:(?P<vendor>[^:]+):(?P<product>[^:]+):(?P<version>[^:]+)")
_CPE_VENDORS: dict[str, str] = {
    "redhat": "redhat",
    "centos": "centos",
    "rocky": "rocky",
    "almalinux": "alma",
    "oracle": "oracle",
    "fedoraproject": "fedora",
    "amazon": "amazon",
}


@dataclass(frozen=True, slots=True)
class _Found:
    path: str
    """The real path the payload belongs to (symlinks followed)."""
    release: ReleaseFile
    layer: LayerRef


def _read(view: SquashedView, path: str) -> _Found | None:
    got = view.payload(NAME, path, ReleaseFile)
    if got is None:
        return None
    release, layer = got
    return _Found(view.resolve(path) or path, release, layer)


def _codename_in(text: str) -> str:
    """``9.4 (Plow)`` -> ``Plow``."""
    m = _PARENTHESIS.search(text)
    return m.group(1).strip() if m else ""


def _refines(precise: str, coarse: str) -> bool:
    """Whether ``precise`` says the same release as ``coarse``, only more exactly (``12.5`` for ``12``)."""
    return not coarse or precise == coarse or precise.startswith(coarse + ".")


def _release_line(line: str) -> tuple[str, str, str] | None:
    """``CentOS Linux release 7.6.1810 (Core)`` -> ``("centos", "7.6.1810", "Core")``."""
    m = _RELEASE_LINE.match(line.strip())
    if m is None:
        return None
    name = m.group("name").strip().lower()
    version = m.group("version").rstrip(".")
    family = _RELEASE_LINE_NAMES.get(name)
    if family is None:
        if name.startswith("alibaba cloud linux"):
            family = "alinux"
        elif name.startswith("red hat") and "coreos" not in name:
            # RHEL CoreOS numbers its releases after OpenShift, not RHEL: no safe mapping, so no claim.
            family = "redhat"
        else:
            return None
    return family, version, _codename_in(line[m.end() :])


def _os_release(view: SquashedView) -> _Found | None:
    """The os-release that counts: the first of :data:`OS_RELEASE_PATHS` present (systemd's rule)."""
    return next((f for f in (_read(view, p) for p in OS_RELEASE_PATHS) if f is not None), None)


def _from_os_release(view: SquashedView) -> tuple[Distro, LayerRef] | None:
    found = _os_release(view)
    if found is None:
        return None
    rel = found.release
    family = OS_RELEASE_FAMILIES.get(rel.get("ID").strip().lower())
    if family is None:
        return None
    if family == "centos" and "stream" in rel.get("NAME").lower():
        family = "centos-stream"
    distro = Distro(
        family=family,
        release=rel.get("VERSION_ID").strip(),
        codename=rel.get("VERSION_CODENAME") or rel.get("UBUNTU_CODENAME") or _codename_in(rel.get("VERSION")),
        pretty_name=rel.get("PRETTY_NAME"),
        source_file=found.path,
    )
    layer = found.layer

    # The vendor's own file can be more precise than os-release's VERSION_ID; it may refine the release,
    # never change the family.
    precise: _Found | None = None
    value = ""
    if family == "debian":
        precise = _read(view, "etc/debian_version")
        value = precise.release.first_line if precise else ""
        # Debian testing/sid has no VERSION_ID; debian_version then says e.g. "trixie/sid".
        if distro.release and not _NUMERIC_RELEASE.fullmatch(value):
            value = ""
    elif family == "alpine":
        precise = _read(view, "etc/alpine-release")
        value = precise.release.first_line if precise and precise.release.first_line[:1].isdigit() else ""
    elif family == "centos":
        precise = _read(view, "etc/centos-release")
        parsed = _release_line(precise.release.first_line) if precise else None
        value = parsed[1] if parsed and parsed[0] == "centos" else ""
    if precise is not None and value and _refines(value, distro.release):
        distro = replace(distro, release=value, source_file=precise.path)
        layer = precise.layer

    if not distro.release:
        return None
    return distro, layer


def _vendor_distro(path: str, rel: ReleaseFile) -> Distro | None:
    """What one vendor release file alone says."""
    line = rel.first_line
    family = release = codename = ""
    pretty = line
    match rel.kind:
        case "lsb-release":
            family = OS_RELEASE_FAMILIES.get(rel.get("DISTRIB_ID").strip().lower(), "")
            release, codename = rel.get("DISTRIB_RELEASE"), rel.get("DISTRIB_CODENAME")
            pretty = rel.get("DISTRIB_DESCRIPTION")
        case "alpine-release":
            if line[:1].isdigit():
                family, release, pretty = "alpine", line, ""
        case "debian_version":
            family, release, pretty = "debian", line, ""
        case "mariner-release" | "azurelinux-release" | "photon-release":
            # "CBL-Mariner 2.0.20220226", "VMware Photon OS 4.0", "AZURELINUX_BUILD_NUMBER=3.0.20240401":
            # the advisory streams are keyed by major.minor, as os-release's VERSION_ID says it.
            m = _MAJOR_MINOR.search(rel.get("AZURELINUX_BUILD_NUMBER") or line)
            if m:
                family, release = _MAJOR_MINOR_FILES[rel.kind], m.group(0)
        case "suse-release":
            # "SUSE Linux Enterprise Server 12 (x86_64)" / "openSUSE 42.3 (x86_64)", then VERSION = / PATCHLEVEL =
            version, patch = rel.get("VERSION"), rel.get("PATCHLEVEL")
            lowered = line.lower()
            if "enterprise server" in lowered and version:
                family, release = "sles", f"{version}.{patch}" if patch and patch != "0" else version
            elif lowered.startswith("opensuse") and version.split(".")[0] in ("42", "15"):
                family, release = "opensuse-leap", version
        case "system-release-cpe":
            m = _CPE.match(line)
            if m:
                family = _CPE_VENDORS.get(m.group("vendor").lower(), "")
                lead = _LEADING_VERSION.match(m.group("version"))
                release, pretty = (lead.group(0) if lead else ""), ""
        case _:
            parsed = _release_line(line)
            if parsed:
                family, release, codename = parsed
    if not family or not release:
        return None
    return Distro(family=family, release=release, codename=codename, pretty_name=pretty, source_file=path)


# Fallbacks when os-release is absent or names no family we know, most specific first.
VENDOR_FILES = (
    "etc/lsb-release",
    "etc/alpine-release",
    "etc/almalinux-release",
    "etc/rocky-release",
    "etc/oracle-release",
    "etc/centos-release",
    "etc/fedora-release",
    "etc/alinux-release",
    "etc/redhat-release",
    "etc/system-release",
    "etc/mariner-release",
    "etc/azurelinux-release",
    "etc/photon-release",
    "etc/SuSE-release",
    "etc/system-release-cpe",
    "etc/debian_version",
)


def _from_vendor_files(view: SquashedView) -> tuple[Distro, LayerRef] | None:
    has_os_release = _os_release(view) is not None
    for path in VENDOR_FILES:
        found = _read(view, path)
        if found is None:
            continue
        distro = _vendor_distro(found.path, found.release)
        if (
            distro is not None
            and has_os_release
            and distro.family == "debian"
            and not _NUMERIC_RELEASE.fullmatch(distro.release)
        ):
            # An os-release we did not recognise beside "<codename>/sid" or "kali-rolling" is a Debian
            # derivative (Linux Mint, Kali...), not Debian: Debian itself was handled from its os-release.
            continue
        if distro is not None:
            return distro, found.layer
    return None


def esm_enabled(view: SquashedView) -> bool:
    """Whether Ubuntu Pro's Expanded Security Maintenance for the main archive (``esm-infra``) is on."""
    found = _read(view, UBUNTU_ADVANTAGE_STATUS)
    return found is not None and found.release.get("esm-infra") == "enabled"


def is_distroless(view: SquashedView) -> bool:
    """Whether the image's os-release marks it as a Google distroless image."""
    found = _os_release(view)
    return found is not None and found.release.distroless


def detect_distro(view: SquashedView) -> tuple[Distro, LayerRef] | None:
    """The image's distribution and the layer that wrote the file deciding it; ``None`` when unknown."""
    found = _from_os_release(view) or _from_vendor_files(view)
    if found is None:
        return None
    distro, layer = found
    if distro.family == "ubuntu" and esm_enabled(view):
        distro = replace(distro, extended_support=True)
    return distro, layer
