"""Rules over the image as a whole: its config (user, health check, ports, environment, working directory, base
image) and the instructions that are only wrong in number (two CMDs) or by keyword (MAINTAINER).

The config is authoritative for what a container gets: a USER in the history may have been overridden by a
later one, or set by the base image, so the rule reads ``config.container`` and uses the history only to say
which instruction set the value.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Sequence

from hullscan.checks.misconfig.dockerfile import Dockerfile, Instruction
from hullscan.checks.misconfig.hits import Hit, mask, secret_name, secret_value
from hullscan.model import ContainerConfig, Inventory, Severity

BASE_NAME_LABEL = "org.opencontainers.image.base.name"
BASE_DIGEST_LABEL = "org.opencontainers.image.base.digest"

# WORKDIR at one of these (exactly) mixes application files with the operating system's.
SYSTEM_DIRS = frozenset({
    "/", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64",
    "/usr/libexec", "/usr/share", "/usr/local/bin", "/usr/local/sbin", "/etc", "/var", "/var/lib",
})
# ...and anything under these is a kernel or boot filesystem: worse.
KERNEL_DIRS = ("/proc", "/sys", "/dev", "/boot", "/lost+found", "/initrd")

SSH_SERVERS = frozenset({"openssh-server", "openssh-server-pam", "dropbear", "dropbear-bin", "tinysshd"})

_ENV_ASSIGNMENT = re.compile(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_.-]*)[=\s]")


def _last_setting(instructions: Sequence[Instruction], keyword: str) -> Instruction | None:
    found = [i for i in instructions if i.keyword == keyword]
    return found[-1] if found else None


def _is_root(user: str) -> bool:
    name = user.split(":", 1)[0].strip()
    return name in ("", "root", "0")


def user_rules(container: ContainerConfig, dockerfile: Dockerfile) -> list[Hit]:
    if not _is_root(container.user):
        return []
    setter = _last_setting(dockerfile.instructions, "USER")
    if container.user:
        return [Hit("HS001", setter, evidence=f"USER {container.user}", target=f"USER {container.user}")]
    return [Hit("HS001", setter, evidence="no USER in the image config", target="image config: no USER")]


def healthcheck_rules(container: ContainerConfig, dockerfile: Dockerfile) -> list[Hit]:
    hits: list[Hit] = []
    own = dockerfile.of("HEALTHCHECK")
    if len(own) > 1:
        hits.extend(Hit("HS026", i, evidence=i.short()) for i in own[:-1])
    test = container.healthcheck
    if test is None or not test:
        hits.append(Hit("HS002", None, evidence="no HEALTHCHECK in the image config", target="image config"))
    elif test[0].upper() == "NONE":
        setter = _last_setting(dockerfile.instructions, "HEALTHCHECK")
        hits.append(Hit("HS003", setter, evidence="HEALTHCHECK NONE", target="HEALTHCHECK NONE"))
    return hits


def _expose_setter(dockerfile: Dockerfile, port: str) -> Instruction | None:
    number = port.split("/", 1)[0]
    pattern = re.compile(rf"(?<![0-9]){re.escape(number)}(?![0-9])")
    found = [i for i in dockerfile.instructions if i.keyword == "EXPOSE" and pattern.search(i.arguments)]
    return found[-1] if found else None


def port_rules(container: ContainerConfig, dockerfile: Dockerfile) -> list[Hit]:
    hits: list[Hit] = []
    for port in container.exposed_ports:
        number, _, proto = port.partition("/")
        setter = _expose_setter(dockerfile, port)
        if not number.isdigit() or not 0 <= int(number) <= 65535:
            hits.append(Hit("HS016", setter, evidence=f"EXPOSE {port}", target=f"EXPOSE {port}"))
        elif int(number) == 22 and proto in ("", "tcp"):
            hits.append(Hit("HS015", setter, evidence=f"EXPOSE {port}", target=f"EXPOSE {port}"))
    return hits


def _env_setter(dockerfile: Dockerfile, name: str) -> Instruction | None:
    found = [
        i for i in dockerfile.instructions
        if i.keyword == "ENV" and name in (m.group(1) for m in _ENV_ASSIGNMENT.finditer(i.arguments))
    ]
    return found[-1] if found else None


def env_assignments(arguments: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of an ENV instruction: ``A=1 B="two words"`` or the legacy ``A two words``."""
    try:
        words = shlex.split(arguments)
    except ValueError:
        words = arguments.split()
    if words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]
    return [(w.partition("=")[0], w.partition("=")[2]) for w in words if "=" in w]


def env_rules(container: ContainerConfig, dockerfile: Dockerfile) -> list[Hit]:
    hits: list[Hit] = []
    reported: set[str] = set()
    for item in container.env:
        name, sep, value = item.partition("=")
        if not sep or not secret_name(name) or not secret_value(value):
            continue
        setter = _env_setter(dockerfile, name)
        hits.append(Hit("HS017", setter, evidence=f"{name}={mask(value)}", target=f"ENV {name}",
                        details=(("variable", name),)))
        reported.add(name)
    # A value replaced or cleared later is gone from the config but not from the history that recorded it.
    for ins in dockerfile.instructions:
        if ins.keyword != "ENV":
            continue
        for name, value in env_assignments(ins.arguments):
            if name in reported or not secret_name(name) or not secret_value(value):
                continue
            reported.add(name)
            hits.append(Hit("HS017", ins, evidence=f"{name}={mask(value)}", target=f"ENV {name}",
                            severity=Severity.HIGH,
                            details=(("variable", name), ("note", "no longer in the final config, but the image "
                                                                  "history records the value"))))
    return hits


def build_arg_rules(dockerfile: Dockerfile) -> list[Hit]:
    """Secret-named build arguments with a value, once per name, at the first history line that records it."""
    first: dict[str, tuple[Instruction, str]] = {}
    count: dict[str, int] = {}
    for ins in dockerfile.instructions:
        pairs: list[tuple[str, str]] = list(ins.build_args)
        if ins.keyword == "ARG":
            for word in ins.arguments.split():
                name, sep, value = word.partition("=")
                if sep:
                    pairs.append((name, value))
        for name, value in pairs:
            if secret_name(name) and secret_value(value):
                first.setdefault(name, (ins, value))
                count[name] = count.get(name, 0) + 1
    return [
        Hit("HS018", ins, evidence=f"{name}={mask(value)}", target=f"ARG {name}",
            details=(("build argument", name), ("history lines recording it", str(count[name]))))
        for name, (ins, value) in first.items()
    ]


def _is_system_dir(path: str) -> Severity | None:
    norm = posixpath.normpath(path.strip().strip("\"'")) if path.strip() else ""
    if not norm.startswith("/"):
        return None
    norm = "/" + norm.lstrip("/")  # normpath keeps "//"
    if any(norm == k or norm.startswith(k + "/") for k in KERNEL_DIRS):
        return Severity.HIGH
    if norm in SYSTEM_DIRS:
        return Severity.MEDIUM
    return None


def workdir_rules(container: ContainerConfig, dockerfile: Dockerfile) -> list[Hit]:
    hits: list[Hit] = []
    reported: set[int] = set()
    for ins in dockerfile.of("WORKDIR"):
        severity = _is_system_dir(ins.arguments)
        if severity is not None:
            hits.append(Hit("HS020", ins, evidence=ins.short(), severity=severity))
            reported.add(ins.history_index)
    final = container.working_dir
    severity = _is_system_dir(final) if final else None
    if severity is not None:
        setter = _last_setting(dockerfile.instructions, "WORKDIR")
        if setter is None or setter.history_index not in reported:
            hits.append(Hit("HS020", setter, evidence=f"WorkingDir {final}", target=f"WORKDIR {final}",
                            severity=severity))
    return hits


def unpinned(reference: str) -> bool:
    """Whether an image reference floats: no tag, or ``:latest``, and no digest."""
    ref = reference.strip()
    if not ref or "@" in ref:
        return False
    last = ref.rsplit("/", 1)[-1]
    if ref.lower() == "scratch":
        return False
    return ":" not in last or last.rsplit(":", 1)[1] == "latest"


def base_image_rules(container: ContainerConfig, dockerfile: Dockerfile) -> list[Hit]:
    labels = dict(container.labels)
    hits: list[Hit] = []
    name = labels.get(BASE_NAME_LABEL, "")
    if name and not labels.get(BASE_DIGEST_LABEL) and unpinned(name):
        hits.append(Hit("HS019", None, evidence=f"{BASE_NAME_LABEL}={name}", target=f"FROM {name}",
                        details=(("base image", name),)))
    for ins in dockerfile.instructions:  # builders that record FROM (rare, but then it is the author's text)
        if ins.keyword == "FROM":
            ref = next((w for w in ins.arguments.split() if not w.startswith("--")), "")
            if unpinned(ref) and not any(h.target == f"FROM {ref}" for h in hits):
                hits.append(Hit("HS019", ins, evidence=ins.short(), details=(("base image", ref),)))
    return hits


def instruction_rules(dockerfile: Dockerfile) -> list[Hit]:
    """Rules about the author's instructions themselves: ADD, MAINTAINER, repeated CMD/ENTRYPOINT."""
    hits: list[Hit] = []
    for ins in dockerfile.own():
        if ins.keyword == "ADD":
            hits.extend(_add_rules(ins))
        elif ins.keyword == "MAINTAINER":
            hits.append(Hit("HS029", ins, evidence=ins.short()))
    for keyword, rule in (("ENTRYPOINT", "HS024"), ("CMD", "HS025")):
        own = dockerfile.of(keyword)
        if len(own) > 1:
            hits.extend(Hit(rule, i, evidence=i.short(), details=(("takes effect instead", own[-1].short()),))
                        for i in own[:-1])
    return hits


_ARCHIVE = re.compile(r"\.(?:tar|tar\.(?:gz|bz2|xz|zst|lz|lzma)|tgz|tbz2?|txz|tzst)$", re.IGNORECASE)


def _add_rules(ins: Instruction) -> list[Hit]:
    sources, _dest = ins.sources_and_destination()
    remote = [s for s in sources if re.match(r"^(?:https?|ftp)://", s, re.IGNORECASE) or s.startswith("git@")]
    if remote:
        if any(f.startswith("--checksum=") for f in ins.flags):
            return []
        return [Hit("HS005", ins, evidence=ins.short(), details=(("url", remote[0]),))]
    local = [s for s in sources if not _ARCHIVE.search(s)]
    if not local:
        return []
    details: tuple[tuple[str, str], ...] = ()
    if local[0].startswith(("file:", "dir:", "multi:")):
        details = (("note", "the classic builder records a content hash, not the source's name: a local tar "
                            "archive (which ADD is meant for) would look the same"),)
    return [Hit("HS004", ins, evidence=ins.short(), details=details)]


def package_rules(inventory: Inventory) -> list[Hit]:
    return [
        Hit("HS032", None, evidence=f"{p.name} {p.version}", target=f"{p.name}@{p.version}", package=p)
        for p in inventory.packages
        if p.type.is_os and p.name in SSH_SERVERS
    ]
