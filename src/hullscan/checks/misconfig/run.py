"""Rules over one ``RUN`` script (parsed by :mod:`hullscan.checks.misconfig.shell`).

Each function looks at the whole script of one RUN, because what matters is often the combination inside one
layer: an ``apt-get install`` is fine when the same RUN removes the lists, an ``apt-get update`` is fine when
the same RUN installs. Whether a cache was really left in the layer is confirmed afterwards against the
layer's files by the scanner (see :data:`CACHE_PATHS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from hullscan.checks.misconfig.dockerfile import Instruction
from hullscan.checks.misconfig.hits import Hit, mask
from hullscan.checks.misconfig.shell import Command, Script, parse

_APT = ("apt-get", "apt")
_APT_INSTALL = frozenset({"install", "reinstall", "build-dep", "satisfy", "source"})
_APT_UPGRADE = frozenset({"upgrade", "dist-upgrade", "full-upgrade"})
_RPM_MANAGERS = ("yum", "dnf", "microdnf", "tdnf", "zypper")
_RPM_INSTALL = frozenset({"install", "in", "groupinstall", "localinstall", "reinstall", "update", "upgrade", "up"})
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_INTERPRETERS = _SHELLS | {"python", "python3", "perl", "ruby", "node", "php"}
_DOWNLOADERS = frozenset({"curl", "wget"})
_PIP = re.compile(r"^pip(?:\d+(?:\.\d+)?)?$")
_PYTHON = re.compile(r"^python(?:\d+(?:\.\d+)?)?$")
_SUBSTITUTED_DOWNLOAD = re.compile(r"(?:\$\(|<\(|`)\s*(?:curl|wget)\b")
_URL_CREDENTIALS = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://(?P<user>[^\s/:@'\"]+):(?P<password>[^\s/@'\"]+)@")
_OCTAL_MODE = re.compile(r"^0?([0-7]?)([0-7])([0-7])([0-7])$")
_SYMBOLIC_MODE = re.compile(r"^([ugoa]*)([-+=])([rwxXst]*)$")

CACHE_PATHS: dict[str, tuple[str, ...]] = {
    # rule -> path prefixes (no leading "/") whose regular files in the RUN's own layer confirm the problem
    "HS009": ("var/lib/apt/lists/",),
    "HS010": ("var/cache/apk/",),
    "HS011": ("var/cache/yum/", "var/cache/dnf/", "var/cache/libdnf5/", "var/cache/zypp/", "var/cache/tdnf/"),
    "HS012": ("/.cache/pip/",),  # matched anywhere: root's or any user's home
}
"""Layer evidence for the cache rules. A RUN whose text misses the clean-up but whose layer has no such files
(a BuildKit cache mount, a cache redirected elsewhere) is not reported."""


def _apt_commands(script: Script, subcommands: frozenset[str]) -> list[Command]:
    return [c for c in script.find(*_APT) if c.subcommand() in subcommands]


def _yes_piped(script: Script, cmd: Command) -> bool:
    return any(c.program == "yes" and c.pipeline == cmd.pipeline for c in script.commands)


def _sudo(script: Script, ins: Instruction) -> list[Hit]:
    for c in script.commands:
        if "sudo" in c.wrappers or "doas" in c.wrappers or c.program in ("sudo", "doas"):
            return [Hit("HS006", ins, evidence=("sudo " + c.text).strip())]
    return []


def _apt_flags(script: Script, ins: Instruction) -> list[Hit]:
    hits: list[Hit] = []
    for c in _apt_commands(script, _APT_INSTALL):
        assume_yes = (
            c.has("-y", "--yes", "--assume-yes", "-qq", "--quiet=2", "-q=2") or c.has_short("y")
            or any("assume-yes=true" in a.lower() for a in c.args) or _yes_piped(script, c)
        )
        if not assume_yes:
            hits.append(Hit("HS007", ins, evidence=c.text))
        no_recommends = c.has("--no-install-recommends") or any(
            re.search(r"install-recommends=(?:false|0|no)", a, re.IGNORECASE) for a in c.args
        )
        if not no_recommends:
            hits.append(Hit("HS008", ins, evidence=c.text))
    return hits


def _removes(script: Script, *prefixes: str) -> bool:
    for c in script.find("rm"):
        for arg in c.args:
            if arg.lstrip("/").startswith(tuple(p.lstrip("/") for p in prefixes)):
                return True
    return False


def _apt_lists(script: Script, ins: Instruction) -> list[Hit]:
    fetched = _apt_commands(script, _APT_INSTALL | _APT_UPGRADE | {"update"})
    if not fetched:
        return []
    if _removes(script, "/var/lib/apt/lists") or any(c.subcommand() == "dist-clean" for c in script.find(*_APT)):
        return []
    return [Hit("HS009", ins, evidence=fetched[-1].text)]


def _apk_cache(script: Script, ins: Instruction) -> list[Hit]:
    for c in script.find("apk"):
        if c.subcommand() == "add" and not c.has("--no-cache") and not _removes(script, "/var/cache/apk"):
            return [Hit("HS010", ins, evidence=c.text)]
    return []


def _rpm_cache(script: Script, ins: Instruction) -> list[Hit]:
    for i, c in enumerate(script.commands):
        if c.program not in _RPM_MANAGERS or c.subcommand() not in _RPM_INSTALL:
            continue
        later = script.commands[i + 1:]
        cleaned = any(
            (x.program == c.program and x.subcommand() in ("clean", "cc")) for x in later
        ) or _removes(Script("", later, False), "/var/cache/yum", "/var/cache/dnf", "/var/cache/zypp")
        if not cleaned:
            return [Hit("HS011", ins, evidence=c.text)]
    return []


def _pip_install(c: Command) -> tuple[str, ...] | None:
    """The pip arguments after ``install`` for ``pip install`` / ``python -m pip install``; else None."""
    if _PIP.match(c.program) and c.subcommand() == "install":
        return c.args
    if _PYTHON.match(c.program) and c.args[:2] == ("-m", "pip") and "install" in c.args[2:]:
        return c.args[2:]
    return None


def _pip_cache(script: Script, ins: Instruction, env: Mapping[str, str]) -> list[Hit]:
    for c in script.commands:
        args = _pip_install(c)
        if args is None:
            continue
        if "--no-cache-dir" in args or "PIP_NO_CACHE_DIR" in env or any(k == "PIP_NO_CACHE_DIR" for k, _ in c.env):
            continue
        return [Hit("HS012", ins, evidence=c.text)]
    return []


def _update_alone(script: Script, ins: Instruction) -> list[Hit]:
    families: list[tuple[tuple[str, ...], frozenset[str], frozenset[str]]] = [
        (_APT, frozenset({"update"}), _APT_INSTALL | _APT_UPGRADE),
        (("apk",), frozenset({"update"}), frozenset({"add", "upgrade"})),
        (("zypper",), frozenset({"refresh", "ref"}), frozenset({"install", "in", "update", "up", "dup"})),
    ]
    for programs, updates, installs in families:
        last_update = -1
        last_install = -1
        for i, c in enumerate(script.commands):
            if c.program in programs:
                if c.subcommand() in updates:
                    last_update = i
                elif c.subcommand() in installs:
                    last_install = i
        if last_update >= 0 and last_install < last_update:
            return [Hit("HS013", ins, evidence=script.commands[last_update].text)]
    return []


def _upgrade(script: Script, ins: Instruction) -> list[Hit]:
    for c in script.commands:
        sub = c.subcommand()
        if (c.program in _APT and sub in _APT_UPGRADE) or (c.program == "apk" and sub == "upgrade"):
            return [Hit("HS014", ins, evidence=c.text)]
        if c.program in ("zypper",) and sub in ("dup", "dist-upgrade", "up", "update"):
            return [Hit("HS014", ins, evidence=c.text)]
        if c.program in ("yum", "dnf", "microdnf") and sub in ("upgrade", "update", "distro-sync"):
            packages = [a for a in c.args if not a.startswith("-") and a != sub]
            if not packages:  # "yum update foo" updates one package; alone it upgrades the whole system
                return [Hit("HS014", ins, evidence=c.text)]
    return []


def _pipe_to_shell(script: Script, ins: Instruction) -> list[Hit]:
    for pipeline in script.pipelines():
        seen_download: Command | None = None
        for c in pipeline:
            if c.program in _DOWNLOADERS:
                seen_download = c
            elif seen_download is not None and c.program in _INTERPRETERS:
                return [Hit("HS021", ins, evidence=f"{seen_download.text} | {c.text}")]
    m = _SUBSTITUTED_DOWNLOAD.search(script.source)
    if m and any(c.program in _SHELLS | {"eval", "source", "."} for c in script.commands):
        return [Hit("HS021", ins, evidence=script.source[max(0, m.start() - 20): m.end() + 60].strip())]
    return []


def world_writable(mode: str) -> bool:
    """Whether a chmod mode argument grants write to others (``777``, ``0666``, ``o+w``, ``a=rwx``); a sticky
    ``1777`` (the /tmp idiom) is not counted."""
    m = _OCTAL_MODE.match(mode)
    if m:
        special, others = m.group(1), int(m.group(4))
        sticky = bool(special) and int(special) & 1
        return bool(others & 2) and not sticky
    for part in mode.split(","):
        s = _SYMBOLIC_MODE.match(part)
        if s and s.group(2) in "+=" and "w" in s.group(3) and ("o" in s.group(1) or "a" in s.group(1)):
            return True
    return False


def _chmod(script: Script, ins: Instruction) -> list[Hit]:
    for c in script.find("chmod"):
        modes = [a for a in c.args if not a.startswith("-") or _SYMBOLIC_MODE.match(a)]
        if modes and world_writable(modes[0]):
            return [Hit("HS022", ins, evidence=c.text)]
    return []


def _cd(script: Script, ins: Instruction) -> list[Hit]:
    for c in script.find("cd"):
        if c.args and c.args[0] not in ("-", "..", "/"):
            return [Hit("HS023", ins, evidence=c.text)]
    return []


def _insecure_env(env: tuple[tuple[str, str], ...]) -> bool:
    for name, value in env:
        if name == "NODE_TLS_REJECT_UNAUTHORIZED" and value.strip("'\"") == "0":
            return True
        if name in ("GIT_SSL_NO_VERIFY", "PIP_TRUSTED_HOST") and value:
            return True
    return False


_UNVERIFIED: list[tuple[Callable[[Command], bool], str]] = [
    (lambda c: c.program in _APT and c.has("--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories"),
     "apt"),
    (lambda c: c.program in _APT and any(re.search(r"AllowUnauthenticated=(?:true|1|yes)|AllowInsecureRepositories="
                                                   r"(?:true|1|yes)", a, re.IGNORECASE) for a in c.args), "apt"),
    (lambda c: c.program in (*_RPM_MANAGERS, "rpm") and c.has("--nogpgcheck", "--nosignature", "--nodigest",
                                                               "--no-gpg-checks"), "rpm"),
    (lambda c: c.program in ("yum", "dnf", "microdnf") and any("gpgcheck=0" in a or "gpgcheck=false" in a
                                                               for a in c.args), "rpm"),
    (lambda c: c.program == "apk" and c.has("--allow-untrusted"), "apk"),
    (lambda c: c.program == "curl" and (c.has("--insecure") or c.has_short("k")), "curl"),
    (lambda c: c.program == "wget" and c.has("--no-check-certificate"), "wget"),
    (lambda c: (_PIP.match(c.program) is not None or _PYTHON.match(c.program) is not None) and c.has("--trusted-host"),
     "pip"),
    (lambda c: c.program in ("npm", "yarn") and "strict-ssl" in c.args and "false" in c.args, "npm"),
    (lambda c: c.program == "git" and any(a.lower() == "http.sslverify=false" for a in c.args), "git"),
    (lambda c: _insecure_env(c.env), "env"),
]


def _unverified(script: Script, ins: Instruction) -> list[Hit]:
    for c in script.commands:
        for test, _what in _UNVERIFIED:
            if test(c):
                return [Hit("HS027", ins, evidence=c.text)]
    if "[trusted=yes]" in script.source.replace(" ", ""):
        return [Hit("HS027", ins, evidence="apt source marked [trusted=yes]")]
    return []


def _url_credentials(script: Script, ins: Instruction) -> list[Hit]:
    for m in _URL_CREDENTIALS.finditer(script.source):
        password = m.group("password")
        if password.startswith("$"):  # expanded from a variable: the value is not in this line
            continue
        shown = script.source[m.start(): m.start("password")] + mask(password) + "@"
        return [Hit("HS028", ins, evidence=shown)]
    return []


def _pipefail(script: Script, ins: Instruction) -> list[Hit]:
    # "yes | cmd" is the one pipe pipefail breaks (yes dies of SIGPIPE), so it does not count
    piped = [p for p in script.pipelines() if len(p) > 1 and p[0].program != "yes"]
    if not piped or not ins.shell or "pipefail" in ins.shell:
        return []
    if ins.shell.lower().startswith(("cmd", "powershell")):
        return []
    if any(c.program == "set" and "pipefail" in c.args for c in script.commands):
        return []
    return [Hit("HS030", ins, evidence=ins.short(100))]


def _apt_not_apt_get(script: Script, ins: Instruction) -> list[Hit]:
    for c in script.find("apt"):
        if c.subcommand() in _APT_INSTALL | _APT_UPGRADE | {"update", "remove", "purge", "autoremove"}:
            return [Hit("HS031", ins, evidence=c.text)]
    return []


_SCRIPT_RULES: tuple[Callable[[Script, Instruction], list[Hit]], ...] = (
    _sudo, _apt_flags, _apt_lists, _apk_cache, _rpm_cache, _update_alone, _upgrade, _pipe_to_shell, _chmod,
    _cd, _unverified, _url_credentials, _pipefail, _apt_not_apt_get,
)


def check_run(ins: Instruction, env: Mapping[str, str]) -> list[Hit]:
    """Every RUN rule over ``ins`` (a ``RUN`` instruction); ``env`` is the image's environment."""
    script = parse(ins.arguments)
    hits: list[Hit] = []
    for rule in _SCRIPT_RULES:
        hits.extend(rule(script, ins))
    hits.extend(_pip_cache(script, ins, env))
    return hits
