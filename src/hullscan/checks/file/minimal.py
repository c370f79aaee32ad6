"""``file/shell-in-minimal`` and ``file/compiler-in-image``: tools an attacker wants, where the image says it
has none (or should need none).

"Declares itself minimal" means one of:

* its os-release marks it as Google distroless (``PRETTY_NAME="Distroless"``), as
  :func:`hullscan.extract.osrelease.is_distroless` reads it (the os-release payload is collected for every
  scan, so this costs no extra read);
* the image label ``io.hullscan.image.minimal`` is ``true``/``yes``/``1`` (for teams who build their own
  minimal bases), or ``org.opencontainers.image.base.name`` names a distroless base.

Decisions:

* Shells (``sh``, ``bash``, ``dash``, ``ash``, ``zsh``, ``ksh``, ``csh``, ``fish``, ``busybox``...) are reported
  only in minimal images, MEDIUM: every ordinary image has ``/bin/sh``, but in a minimal one a shell turns a
  code-execution bug into an interactive foothold, which is what the image promised to prevent. Distroless
  ``:debug`` variants carry busybox on purpose and are reported too: they do not belong in production.
* Compilers (gcc/cc/c++, clang, tcc, go, rustc, javac) let an attacker build tools inside the container. They
  are MEDIUM in a minimal image and LOW elsewhere: a full image with a toolchain is usually a builder stage
  shipped as the runtime image, worth a note but not an alarm. To keep this from being noisy, one finding is
  made per toolchain (``gcc``, ``clang``...), however many names point at it (``cc``, ``gcc``,
  ``x86_64-linux-gnu-gcc-12`` are one finding, with the others listed as aliases).

Only executables in a ``bin``/``sbin`` directory (or distroless debug's ``/busybox``) count, after following
symlinks inside the image (``sh -> busybox`` is busybox); the real file must be executable.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from hullscan.checks.file.common import REGULAR, ImageIndex, describe_layer, mode_string
from hullscan.extract.osrelease import is_distroless
from hullscan.model import FileKind, Finding, ImageInfo, Severity

SHELL = "file/shell-in-minimal"
COMPILER = "file/compiler-in-image"

MINIMAL_LABEL = "io.hullscan.image.minimal"
BASE_NAME_LABEL = "org.opencontainers.image.base.name"

_SHELLS = {
    "sh": "sh", "bash": "bash", "rbash": "bash", "dash": "dash", "ash": "ash", "zsh": "zsh", "ksh": "ksh",
    "ksh93": "ksh", "mksh": "ksh", "pdksh": "ksh", "csh": "csh", "tcsh": "csh", "fish": "fish",
    "busybox": "busybox", "toybox": "toybox",
}
# Optional target-triple prefix (x86_64-linux-gnu-) and version suffix (-12, -15.0.7), as Debian names them.
_C_COMPILERS = re.compile(r"(?:[\w.]+-)*(?P<tool>gcc|g\+\+|cc|c\+\+|clang|clang\+\+|tcc)(?:-\d+(?:\.\d+)*)?")
_C_FAMILIES = {"gcc": "gcc", "g++": "gcc", "cc": "gcc", "c++": "gcc", "clang": "clang", "clang++": "clang",
               "tcc": "tcc"}
_OTHER_COMPILERS = {"go": "go", "rustc": "rustc", "javac": "javac"}
_TOOL_DIRS = frozenset({"bin", "sbin", "busybox"})
_TOOL_DIR_SUFFIXES = ("bin", "busybox")


def minimal_reason(image: ImageInfo, index: ImageIndex) -> str | None:
    """Why the image counts as minimal (for the finding's details), or ``None``."""
    labels = dict(image.config.container.labels) if image.config is not None else {}
    if labels.get(MINIMAL_LABEL, "").strip().lower() in ("true", "yes", "1"):
        return f"label {MINIMAL_LABEL}={labels[MINIMAL_LABEL]}"
    base = labels.get(BASE_NAME_LABEL, "")
    if "distroless" in base.lower():
        return f"label {BASE_NAME_LABEL}={base}"
    if is_distroless(index.view):
        return "os-release says Distroless"
    return None


def _family(name: str) -> tuple[str, str] | None:
    """``(check, family)`` for an executable name, or ``None``."""
    shell = _SHELLS.get(name)
    if shell is not None:
        return SHELL, shell
    other = _OTHER_COMPILERS.get(name)
    if other is not None:
        return COMPILER, other
    m = _C_COMPILERS.fullmatch(name)
    if m is not None:
        return COMPILER, _C_FAMILIES[m.group("tool")]
    return None


@dataclass(slots=True)
class _Tool:
    real: str
    names: set[str] = field(default_factory=set)


def _tools(index: ImageIndex) -> dict[tuple[str, str], list[_Tool]]:
    """(check, family) -> the real executables found for it, with every name that reaches each."""
    out: dict[tuple[str, str], dict[str, _Tool]] = {}
    for path, (entry, _) in index.visible.items():
        parent, _, name = path.rpartition("/")
        if not parent.endswith(_TOOL_DIR_SUFFIXES) or entry.kind not in (*REGULAR, FileKind.SYMLINK):
            continue
        if parent.rpartition("/")[2] not in _TOOL_DIRS:
            continue
        family = _family(name)
        if family is None:
            continue
        real = path
        if entry.kind is FileKind.SYMLINK:
            resolved = index.view.resolve(path)
            if resolved is None:
                continue
            real = resolved
        target = index.visible.get(real)
        if target is None or target[0].kind not in REGULAR or not target[0].mode & 0o111:
            continue
        # busybox's applets are symlinks named sh, ash...: the real file's own name decides when it has one.
        family = _family(posixpath.basename(real)) or family
        tools = out.setdefault(family, {})
        tools.setdefault(real, _Tool(real)).names.add(path)
    # The main executable of a toolchain is the one most names lead to (x86_64-linux-gnu-gcc-12, not c89-gcc).
    return {key: sorted(tools.values(), key=lambda t: (-len(t.names), t.real)) for key, tools in out.items()}


def check(image: ImageInfo, index: ImageIndex) -> Iterator[Finding]:
    reason = minimal_reason(image, index)
    for (check_id, family), tools in sorted(_tools(index).items()):
        if check_id == SHELL and reason is None:
            continue
        first = tools[0]
        real_entry, pos = index.visible[first.real]
        ref = index.layers[pos]
        names = sorted({n for t in tools for n in t.names} | {t.real for t in tools})
        details: list[tuple[str, str]] = [
            ("executables", ", ".join("/" + t.real for t in tools)),
            ("names", ", ".join("/" + n for n in names)),
            ("written by", describe_layer(ref)),
        ]
        if reason is not None:
            details.append(("minimal because", reason))
        if check_id == SHELL:
            yield Finding(
                check=SHELL, id=SHELL, severity=Severity.MEDIUM,
                title=f"Shell ({family}) in an image that declares itself minimal: /{first.real}",
                description=(
                    f"The image is declared minimal ({reason}) yet ships {family}. A shell lets anyone who "
                    "gains code execution in the container run arbitrary commands interactively, which a "
                    "minimal image is meant to rule out."
                ),
                remediation=(
                    "Build the runtime stage from the non-debug minimal base and copy only the application into "
                    "it (multi-stage build); debug with an ephemeral container (`kubectl debug`) instead."
                ),
                target="/" + first.real, layer=ref, path=first.real, evidence=mode_string(real_entry),
                details=tuple(details), category="shell",
            )
            continue
        severity = Severity.MEDIUM if reason is not None else Severity.LOW
        where = "an image that declares itself minimal" if reason is not None else "the image"
        yield Finding(
            check=COMPILER, id=COMPILER, severity=severity,
            title=f"Compiler toolchain ({family}) in {where}: /{first.real}",
            description=(
                f"The image ships the {family} compiler. Runtime images rarely need one, and it lets an attacker "
                "who gets into the container build exploits or tools there. It usually means a build stage was "
                "shipped as the runtime image."
            ),
            remediation=(
                "Compile in a build stage and copy only the artifacts into a slim runtime stage (multi-stage "
                "build), or remove the toolchain in the same RUN that used it "
                "(`apt-get purge --auto-remove build-essential`, `apk del .build-deps`)."
            ),
            target="/" + first.real, layer=ref, path=first.real, evidence=mode_string(real_entry),
            details=tuple(details), category="compiler",
        )
