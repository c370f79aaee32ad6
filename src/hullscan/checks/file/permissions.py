"""``file/setuid``, ``file/setgid`` and ``file/world-writable``: permission bits in the squashed filesystem.

Setuid and setgid executables run with their owner's or group's rights whoever starts them, so each one is
attack surface for privilege escalation inside the container (CIS Docker Benchmark 4.8 asks for them to be
reviewed and removed where not needed; the compliance report maps these two check ids to it). The decision
taken here:

* A setuid/setgid file that an OS package (dpkg, apk, rpm) installed at that path - ``passwd``, ``su``,
  ``mount`` - is the distro's own: reported at LOW with category ``distro``, so the CIS review has the full
  list while severity filters (``--severity MEDIUM,HIGH,CRITICAL``) hide it.
* One no OS package owns (copied in, built in a RUN step, or chmod'ed by the Dockerfile) is category
  ``unowned``: HIGH when it is setuid root (it becomes root), MEDIUM otherwise.
* The owning package is named in ``details``, not in ``Finding.package``, which writers treat as the vulnerable
  dependency (GitLab keys its finding ids on it, and every setuid file of ``passwd`` would collide).
* Only regular files with an execute bit count: a setgid directory only makes new files inherit its group
  (Debian's ``/var/local`` and ``/var/mail`` are such), and a setuid bit on a file nobody may execute grants
  nothing.

World-writable files can be rewritten by any user in the container (a web server's uid replacing a script
root later runs); world-writable directories without the sticky bit let any user delete or rename others'
files in them. ``/tmp``-like directories (``1777``) are fine. Symlinks are always ``0777`` and are skipped;
device nodes are left out (``/dev/null`` is ``0666`` by design).
"""

from __future__ import annotations

import stat
from collections.abc import Iterable, Iterator

from hullscan.checks.file.common import REGULAR, Owners, mode_string
from hullscan.model import FileEntry, FileKind, Finding, LayerRef, Package, Severity

SETUID = "file/setuid"
SETGID = "file/setgid"
WORLD_WRITABLE = "file/world-writable"

_CIS = "CIS Docker Benchmark 4.8: ensure setuid and setgid permissions are removed"
_SETUID_REMEDIATION = (
    "Remove the bit where the program does not need it, in the same instruction that installs it "
    "(e.g. `RUN chmod u-s,g-s /path` right after the install, or `COPY --chmod=0755`), or remove the program. "
    "For an image-wide sweep: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +` in the last layer "
    "that installs software."
)


def _owner_detail(package: Package | None) -> str:
    return f"{package.name} {package.version} ({package.type.value})" if package is not None else "none"


def _special_bit(entry: FileEntry, ref: LayerRef, owners: Owners, *, bit: int) -> Finding:
    setuid = bit == stat.S_ISUID
    package = owners.owner(entry.path)
    if package is None and entry.kind is FileKind.HARDLINK and entry.linkname:
        package = owners.owner(entry.linkname)
    who = ("root" if entry.uid == 0 else f"uid {entry.uid}") if setuid else (
        "root" if entry.gid == 0 else f"gid {entry.gid}")
    what = "setuid" if setuid else "setgid"
    if package is not None:
        severity, category = Severity.LOW, "distro"
        title = f"{what} {who} executable from package {package.name}: /{entry.path}"
        description = (
            f"/{entry.path} runs as {who} whoever starts it. The OS package {package.name} installs it this way "
            "(expected for tools such as passwd, su and mount), so it is listed for review rather than flagged: "
            "remove the bit or the package if containers from this image never need it."
        )
    else:
        severity = Severity.HIGH if setuid and entry.uid == 0 else Severity.MEDIUM
        category = "unowned"
        title = f"{what} {who} executable not installed by any OS package: /{entry.path}"
        description = (
            f"/{entry.path} runs as {who} whoever starts it, and no OS package installed it with that bit: it was "
            "copied in, built, or had its mode changed by the image build. A flaw in it lets any user in the "
            "container gain those rights."
        )
    details: list[tuple[str, str]] = [
        ("mode", f"{entry.mode & 0o7777:04o}"),
        ("owner package", _owner_detail(package)),
    ]
    if entry.kind is FileKind.HARDLINK and entry.linkname:
        details.append(("hard link to", "/" + entry.linkname))
    details.append(("benchmark", _CIS))
    return Finding(
        check=SETUID if setuid else SETGID,
        id=SETUID if setuid else SETGID,
        severity=severity,
        title=title,
        description=description,
        remediation=_SETUID_REMEDIATION,
        target="/" + entry.path,
        layer=ref,
        path=entry.path,
        evidence=mode_string(entry),
        details=tuple(details),
        category=category,
    )


def _world_writable(entry: FileEntry, ref: LayerRef) -> Finding:
    directory = entry.kind is FileKind.DIR
    if directory:
        title = f"World-writable directory without the sticky bit: /{entry.path}"
        description = (
            f"Any user in the container may create, delete or rename files in /{entry.path}, including files "
            "other users (root) own, because the sticky bit (as on /tmp, mode 1777) is not set."
        )
        remediation = (
            f"Set the sticky bit if it is a shared scratch directory (`chmod 1777 /{entry.path}`), or take the "
            f"world write bit away (`chmod o-w /{entry.path}`) and give the directory to the user that needs it "
            "(`COPY --chown=app:app` / `chown app:app`)."
        )
    else:
        title = f"World-writable file: /{entry.path}"
        description = (
            f"Any user in the container may rewrite /{entry.path}. If root or another service later reads or "
            "runs it, a compromised unprivileged process can plant code or configuration there."
        )
        remediation = (
            f"Remove the world write bit (`chmod o-w /{entry.path}`, or `COPY --chmod=0644` / `0755` when adding "
            "it), and give write access to the one user that needs it through ownership instead."
        )
    return Finding(
        check=WORLD_WRITABLE,
        id=WORLD_WRITABLE,
        severity=Severity.MEDIUM,
        title=title,
        description=description,
        remediation=remediation,
        target="/" + entry.path,
        layer=ref,
        path=entry.path,
        evidence=mode_string(entry),
        details=(("mode", f"{entry.mode & 0o7777:04o}"), ("kind", "directory" if directory else "file")),
        category="directory" if directory else "file",
    )


def check(entries: Iterable[tuple[FileEntry, LayerRef]], owners: Owners) -> Iterator[Finding]:
    """Setuid, setgid and world-writable findings over the squashed entries."""
    for entry, ref in entries:
        mode = entry.mode
        kind = entry.kind
        if kind in REGULAR:
            if mode & 0o111:
                if mode & stat.S_ISUID:
                    yield _special_bit(entry, ref, owners, bit=stat.S_ISUID)
                if mode & stat.S_ISGID:
                    yield _special_bit(entry, ref, owners, bit=stat.S_ISGID)
            if mode & stat.S_IWOTH:
                yield _world_writable(entry, ref)
        elif kind is FileKind.DIR and mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
            yield _world_writable(entry, ref)
