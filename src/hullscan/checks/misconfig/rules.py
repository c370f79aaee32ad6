"""The catalogue of misconfiguration rules: stable ids, what each means, how to fix it, and what it maps to.

Ids are ``HS001``... and never change meaning; a rule that is retired keeps its number unused. Every rule
says which Trivy check (``DS0xx``), hadolint rule (``DL3xxx``/``DL4xxx``) and CIS Docker Benchmark control
(section 4) it corresponds to, so users can map their existing ignore lists and reports. The text is our own.

Severities follow what the problem costs at run time: running as root or shipping a credential is HIGH or
CRITICAL; image bloat and style (caches left behind, ``cd`` in ``RUN``) are LOW.
"""

from __future__ import annotations

from dataclasses import dataclass

from hullscan.model import Severity

_BEST_PRACTICES = "https://docs.docker.com/build/building/best-practices/"
_REFERENCE = "https://docs.docker.com/reference/dockerfile/"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    severity: Severity
    description: str
    remediation: str
    category: str
    """A grouping for reports: ``user``, ``healthcheck``, ``copy``, ``package-manager``, ``secrets``, ``ports``,
    ``base-image``, ``shell``, ``dockerfile``."""
    trivy: tuple[str, ...] = ()
    hadolint: tuple[str, ...] = ()
    cis: tuple[str, ...] = ()
    """CIS Docker Benchmark controls (section 4) this rule is evidence for."""
    references: tuple[str, ...] = ()

    @property
    def check(self) -> str:
        return f"misconfig/{self.id}"

    def mapping(self) -> tuple[tuple[str, str], ...]:
        """(label, value) pairs for a finding's details."""
        out = []
        if self.trivy:
            out.append(("trivy", ", ".join(self.trivy)))
        if self.hadolint:
            out.append(("hadolint", ", ".join(self.hadolint)))
        if self.cis:
            out.append(("cis-docker", ", ".join(self.cis)))
        return tuple(out)


def _rules(*rules: Rule) -> dict[str, Rule]:
    out = {r.id: r for r in rules}
    if len(out) != len(rules):
        raise ValueError("duplicate rule id")
    return out


RULES: dict[str, Rule] = _rules(
    Rule(
        "HS001", "Image runs as root", Severity.HIGH,
        "No USER is set (or the last one is root or uid 0), so every process of the container runs as root. "
        "A bug in the application then has root's rights inside the container, and any escape through the "
        "kernel or a mounted socket starts from uid 0.",
        "Create an unprivileged user in the image and switch to it with USER <name or uid> as the last USER "
        "instruction.",
        "user", ("DS002",), ("DL3002",), ("4.1",), (_REFERENCE + "#user",),
    ),
    Rule(
        "HS002", "No HEALTHCHECK", Severity.LOW,
        "The image defines no HEALTHCHECK, so the runtime can only tell that the main process exists, not "
        "that it still serves. A hung service stays in rotation.",
        "Add a HEALTHCHECK that probes the service (for example an HTTP request to a status endpoint).",
        "healthcheck", ("DS026",), (), ("4.6",), (_REFERENCE + "#healthcheck",),
    ),
    Rule(
        "HS003", "HEALTHCHECK disabled", Severity.LOW,
        "HEALTHCHECK NONE switches off the health check the base image defined.",
        "Remove HEALTHCHECK NONE, or replace it with a check suited to this image's service.",
        "healthcheck", (), (), ("4.6",), (_REFERENCE + "#healthcheck",),
    ),
    Rule(
        "HS004", "ADD used to copy local files", Severity.LOW,
        "ADD also unpacks archives and fetches URLs, so a reader cannot tell what an ADD of a plain file does "
        "without knowing the file. COPY does exactly one thing.",
        "Use COPY for files and directories; keep ADD for extracting a local tar archive.",
        "copy", ("DS005",), ("DL3020",), ("4.9",), (_BEST_PRACTICES + "#add-or-copy",),
    ),
    Rule(
        "HS005", "ADD fetches a remote URL", Severity.MEDIUM,
        "ADD <url> downloads at build time without verifying what it got (unless --checksum is given), and the "
        "download lands in the layer whatever it contains.",
        "Download with curl or wget in a RUN that verifies a checksum or signature, or use ADD --checksum=.",
        "copy", ("DS005",), (), ("4.9", "4.11"), (_REFERENCE + "#add",),
    ),
    Rule(
        "HS006", "sudo used in RUN", Severity.MEDIUM,
        "RUN already executes as the current USER; sudo in a build either does nothing or means sudo is "
        "installed and configured in the image, which gives any process a path to root at run time.",
        "Run the privileged steps before switching USER (or switch back with USER root around them) and remove "
        "sudo from the image.",
        "shell", ("DS010",), ("DL3004",), (), (),
    ),
    Rule(
        "HS007", "apt-get install without -y", Severity.LOW,
        "apt-get install asks for confirmation without -y; in a non-interactive build that aborts or depends "
        "on what happens to be on stdin.",
        "Use apt-get install -y.",
        "package-manager", ("DS021",), ("DL3014",), (), (),
    ),
    Rule(
        "HS008", "apt-get install without --no-install-recommends", Severity.LOW,
        "Without --no-install-recommends apt also installs recommended packages: more code, more "
        "vulnerabilities to patch, more size, none of it asked for.",
        "Add --no-install-recommends and list the packages that are really needed.",
        "package-manager", ("DS029",), ("DL3015",), ("4.3",), (_BEST_PRACTICES + "#apt-get",),
    ),
    Rule(
        "HS009", "apt lists left in the layer", Severity.LOW,
        "The package lists downloaded by apt-get update stay in the layer unless the same RUN deletes them; a "
        "later RUN cannot take them out of the image again.",
        "End the RUN that installs packages with && rm -rf /var/lib/apt/lists/*.",
        "package-manager", (), ("DL3009",), (), (_BEST_PRACTICES + "#apt-get",),
    ),
    Rule(
        "HS010", "apk add without --no-cache", Severity.LOW,
        "apk add keeps its package index in /var/cache/apk unless told not to, adding it to the layer.",
        "Use apk add --no-cache (it also makes a separate apk update unnecessary).",
        "package-manager", ("DS025",), ("DL3019",), (), (),
    ),
    Rule(
        "HS011", "Package manager cache not cleaned", Severity.LOW,
        "yum, dnf, microdnf and zypper keep metadata and downloaded packages in /var/cache after an install; "
        "unless the same RUN cleans them they stay in the layer.",
        "End the RUN with yum clean all, dnf clean all, microdnf clean all or zypper clean, as appropriate.",
        "package-manager", ("DS015", "DS019", "DS027", "DS020"), ("DL3032", "DL3040", "DL3036"), (), (),
    ),
    Rule(
        "HS012", "pip install without --no-cache-dir", Severity.LOW,
        "pip keeps a copy of every wheel it downloaded in ~/.cache/pip, which stays in the layer.",
        "Use pip install --no-cache-dir (or set PIP_NO_CACHE_DIR=1).",
        "package-manager", (), ("DL3042",), (), (),
    ),
    Rule(
        "HS013", "Package index updated in a RUN of its own", Severity.MEDIUM,
        "A RUN that only updates the package index is cached by the builder; later installs in other RUNs "
        "then use that stale index for as long as the cache lives, and can install outdated packages.",
        "Update and install in the same RUN: apt-get update && apt-get install -y ...",
        "package-manager", ("DS017",), (), ("4.7",), (_BEST_PRACTICES + "#apt-get",),
    ),
    Rule(
        "HS014", "Distribution upgrade inside the image", Severity.LOW,
        "apt-get upgrade / dist-upgrade (and the like) change the base image's packages in an unrecorded way; "
        "the result depends on the day of the build and dist-upgrade can change releases.",
        "Rebuild on an updated base image instead, or install only the specific packages that need updating.",
        "package-manager", ("DS024",), ("DL3005",), (), (),
    ),
    Rule(
        "HS015", "SSH port exposed", Severity.MEDIUM,
        "The image exposes port 22, which suggests an SSH server runs inside the container: another service "
        "to keep patched, another set of credentials, and a way around the runtime's own access control.",
        "Remove EXPOSE 22 and the SSH server; use the runtime's exec facility (docker exec, kubectl exec).",
        "ports", ("DS004",), (), ("4.3",), (),
    ),
    Rule(
        "HS016", "Exposed port out of range", Severity.MEDIUM,
        "A port outside 0-65535 (or one that is not a number) cannot be bound; the EXPOSE is a mistake.",
        "Fix the port number in EXPOSE.",
        "ports", ("DS008",), ("DL3011",), (), (),
    ),
    Rule(
        "HS017", "Secret in an environment variable", Severity.CRITICAL,
        "An ENV whose name says it holds a credential has a value in the image config. Anyone who can pull the "
        "image can read it, and every container and child process inherits it.",
        "Pass credentials at run time (orchestrator secrets, mounted files) and remove the ENV; revoke the "
        "value that shipped.",
        "secrets", ("DS031",), (), ("4.10",), ("https://docs.docker.com/build/building/secrets/",),
    ),
    Rule(
        "HS018", "Secret in a build argument", Severity.HIGH,
        "A build argument whose name says it holds a credential was given a value, and the image history "
        "records it (in the ARG line or in front of every RUN that could see it).",
        "Use BuildKit secret mounts (RUN --mount=type=secret) for credentials needed while building; revoke "
        "the value that was recorded.",
        "secrets", ("DS031",), (), ("4.10",), ("https://docs.docker.com/build/building/secrets/",),
    ),
    Rule(
        "HS019", "Base image not pinned", Severity.MEDIUM,
        "The base image is referenced as :latest (or with no tag), so what a rebuild starts from changes "
        "without notice.",
        "Reference the base image by a specific tag, or better by digest (name@sha256:...).",
        "base-image", ("DS001",), ("DL3006", "DL3007"), ("4.2",), (),
    ),
    Rule(
        "HS020", "WORKDIR is a system directory", Severity.MEDIUM,
        "The working directory is a system directory; files the application writes there mix with the "
        "operating system's (or with the kernel's pseudo-filesystems).",
        "Use a directory of the application's own, such as /app or /srv/<name>.",
        "dockerfile", ("DS030",), (), (), (_REFERENCE + "#workdir",),
    ),
    Rule(
        "HS021", "Remote script piped into a shell", Severity.HIGH,
        "A RUN downloads a script and executes it directly (curl ... | sh): nothing verifies what was "
        "downloaded, so whoever controls the server or the connection controls the build.",
        "Download to a file, verify its checksum or signature, then run it; or install from a package source "
        "that verifies signatures.",
        "shell", (), (), ("4.11",), (),
    ),
    Rule(
        "HS022", "World-writable permissions set", Severity.MEDIUM,
        "chmod makes files or directories writable by every user (777, o+w), so any process in the container "
        "can replace them.",
        "Give write access to the owning user or group only; use the sticky bit (1777) for shared scratch "
        "directories.",
        "shell", (), (), (), (),
    ),
    Rule(
        "HS023", "cd used in RUN instead of WORKDIR", Severity.LOW,
        "cd inside RUN changes directory for that RUN only, which is easy to misread; WORKDIR states it once.",
        "Use WORKDIR <dir> before the RUN.",
        "dockerfile", ("DS013",), ("DL3003",), (), (_REFERENCE + "#workdir",),
    ),
    Rule(
        "HS024", "More than one ENTRYPOINT", Severity.LOW,
        "Only the last ENTRYPOINT takes effect; the earlier ones mislead a reader.",
        "Keep a single ENTRYPOINT.",
        "dockerfile", ("DS007",), ("DL4004",), (), (),
    ),
    Rule(
        "HS025", "More than one CMD", Severity.LOW,
        "Only the last CMD takes effect; the earlier ones mislead a reader.",
        "Keep a single CMD.",
        "dockerfile", ("DS016",), ("DL4003",), (), (),
    ),
    Rule(
        "HS026", "More than one HEALTHCHECK", Severity.LOW,
        "Only the last HEALTHCHECK takes effect; the earlier ones mislead a reader.",
        "Keep a single HEALTHCHECK.",
        "healthcheck", ("DS023",), ("DL3012",), (), (),
    ),
    Rule(
        "HS027", "Package or download not verified", Severity.HIGH,
        "A RUN turns off signature or TLS verification (apt-get --allow-unauthenticated, yum --nogpgcheck, "
        "apk --allow-untrusted, curl -k, wget --no-check-certificate, pip --trusted-host...), so tampered "
        "packages or downloads are accepted.",
        "Remove the option and install the repository's signing key or CA certificate instead.",
        "package-manager", (), (), ("4.11",), (),
    ),
    Rule(
        "HS028", "Credentials in a URL", Severity.HIGH,
        "A RUN uses a URL with a user name and password (https://user:secret@host/...); the history of the "
        "image records it for anyone who pulls the image.",
        "Use BuildKit secret mounts or a credentials helper, and revoke the credential that was recorded.",
        "secrets", ("DS031",), (), ("4.10",), ("https://docs.docker.com/build/building/secrets/",),
    ),
    Rule(
        "HS029", "MAINTAINER is deprecated", Severity.LOW,
        "MAINTAINER was deprecated in favour of labels.",
        'Use LABEL org.opencontainers.image.authors="..." instead.',
        "dockerfile", ("DS022",), ("DL4000",), (), (_REFERENCE + "#maintainer-deprecated",),
    ),
    Rule(
        "HS030", "Pipe without pipefail", Severity.LOW,
        "In a RUN with a pipe, the shell only reports the last command's status, so a failed download piped "
        "into another command still lets the build succeed.",
        "Start the RUN with set -o pipefail &&, or set SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"].",
        "shell", ("DS032",), ("DL4006",), (), (_BEST_PRACTICES + "#using-pipes",),
    ),
    Rule(
        "HS031", "apt used instead of apt-get", Severity.LOW,
        "apt is meant for people at a terminal; its output and behaviour are not stable for scripts.",
        "Use apt-get (or apt-cache).",
        "package-manager", (), ("DL3027",), (), (),
    ),
    Rule(
        "HS032", "SSH server installed", Severity.MEDIUM,
        "An SSH server package is installed in the image: a remote login service that must be configured, "
        "patched and kept free of keys, and a way around the runtime's access control.",
        "Remove the SSH server; use the runtime's exec facility for debugging.",
        "packages", (), (), ("4.3",), (),
    ),
)
