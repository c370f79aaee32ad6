"""Just enough POSIX shell to read a ``RUN`` line: commands, the pipelines they form, and what runs them.

The rules ask questions such as "is there an ``apt-get install`` without ``-y``", "is ``curl`` piped into
``sh``", "does the same RUN remove ``/var/lib/apt/lists``". A regular expression over the raw text answers
them wrongly as soon as quoting, ``&&`` chains, ``sudo``/``env`` wrappers or ``sh -c '...'`` appear, so the
script is tokenised (``shlex`` in POSIX mode, operators split off) and each simple command is reduced to its
program and arguments:

* ``VAR=value`` words before the program become :attr:`Command.env`;
* ``sudo``, ``env``, ``nice``, ``nohup``, ``time``, ``exec``, ``command`` (with their own options) are peeled
  off and remembered in :attr:`Command.wrappers`, so ``sudo apt-get install x`` is an ``apt-get`` command that
  also used ``sudo``;
* ``sh -c '<script>'`` (and bash/ash/dash/zsh) is parsed again, one level deep, so its commands count too.

This is not a shell: expansions are not performed, here-documents and control structures (``if``, ``for``)
are read as plain words. A script that does not tokenise (unbalanced quotes) falls back to whitespace
splitting, so a rule still sees the words.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass

# Operators that end a simple command. "|" also ends one, but keeps the pipeline going.
_SEPARATORS = frozenset({"&&", "||", ";", ";;", "&", "(", ")", "{", "}", "\n"})
_PIPES = frozenset({"|", "|&"})
_REDIRECTS = frozenset({">", ">>", "<", "<<", "<<<", ">&", "<&", "&>", "&>>", ">|", "<>"})
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")

# Wrappers and the options of theirs that take a value (so the value is not mistaken for the program).
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "--user", "--group"}),
    "env": frozenset({"-u", "--unset", "-C", "--chdir", "-S"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "nohup": frozenset(),
    "time": frozenset(),
    "exec": frozenset({"-a"}),
    "command": frozenset(),
    "doas": frozenset({"-u", "-C"}),
}

MAX_NESTING = 2
"""``sh -c`` inside ``sh -c`` is followed this deep; deeper scripts are taken as plain words."""


@dataclass(frozen=True, slots=True)
class Command:
    """One simple command of a script."""

    argv: tuple[str, ...]
    """The program (as written, e.g. ``/usr/bin/apt-get``) and its arguments; redirections removed."""
    env: tuple[tuple[str, str], ...] = ()
    """``NAME=value`` assignments written before the program (or given to ``env``)."""
    wrappers: tuple[str, ...] = ()
    """The wrappers peeled off in front of the program (``sudo``, ``env``...)."""
    pipeline: int = 0
    """Commands with the same number are joined by ``|``."""

    @property
    def program(self) -> str:
        """The program's base name (``apt-get`` for ``/usr/bin/apt-get``); empty for a bare assignment."""
        return posixpath.basename(self.argv[0]) if self.argv else ""

    @property
    def args(self) -> tuple[str, ...]:
        return self.argv[1:]

    def has(self, *options: str) -> bool:
        """Whether any argument equals one of ``options`` or starts with ``<option>=``."""
        for arg in self.args:
            for opt in options:
                if arg == opt or (opt.startswith("--") and arg.startswith(opt + "=")):
                    return True
        return False

    def has_short(self, letter: str) -> bool:
        """Whether a bundle of short options (``-yq``, ``-qy``) contains ``letter``."""
        return any(a.startswith("-") and not a.startswith("--") and letter in a[1:] for a in self.args)

    def subcommand(self) -> str:
        """The first argument that is not an option (``install`` in ``apt-get -q install x``)."""
        skip_next = False
        for arg in self.args:
            if skip_next:
                skip_next = False
                continue
            if arg in ("-o", "-c", "-t"):  # apt-get options that take a value as the next word
                skip_next = True
                continue
            if not arg.startswith("-"):
                return arg
        return ""

    @property
    def text(self) -> str:
        return " ".join(self.argv)


@dataclass(frozen=True, slots=True)
class Script:
    """A parsed script: its commands in order (nested ``sh -c`` scripts flattened in place)."""

    source: str
    commands: tuple[Command, ...]
    pipes: bool
    """Whether any pipeline has more than one command (for the ``pipefail`` rule)."""

    def programs(self) -> set[str]:
        return {c.program for c in self.commands}

    def find(self, *programs: str) -> list[Command]:
        return [c for c in self.commands if c.program in programs]

    def pipelines(self) -> list[list[Command]]:
        out: dict[int, list[Command]] = {}
        for c in self.commands:
            out.setdefault(c.pipeline, []).append(c)
        return list(out.values())


def _tokens(script: str) -> list[str]:
    text = script.replace("\\\r\n", " ").replace("\\\n", " ").replace("\n", " ; ")
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: keep the words, still split the operators off
        return re.findall(r"&&|\|\||[;&|()<>]|[^\s;&|()<>]+", text)


def _split_simple(words: list[str], pipeline: int) -> Command | None:
    env: list[tuple[str, str]] = []
    wrappers: list[str] = []
    argv: list[str] = []
    i = 0
    # leading assignments and wrappers
    while i < len(words):
        w = words[i]
        if not argv and _ASSIGNMENT.match(w):
            name, _, value = w.partition("=")
            env.append((name, value))
            i += 1
            continue
        base = posixpath.basename(w)
        if not argv and base in _WRAPPERS:
            wrappers.append(base)
            takes_value = _WRAPPERS[base]
            i += 1
            while i < len(words) and (words[i].startswith("-") or (base == "env" and _ASSIGNMENT.match(words[i]))):
                if base == "env" and _ASSIGNMENT.match(words[i]):
                    name, _, value = words[i].partition("=")
                    env.append((name, value))
                elif words[i] in takes_value:
                    i += 1
                i += 1
            continue
        argv.append(w)
        i += 1
    if not argv and not env:
        return None
    return Command(tuple(argv), tuple(env), tuple(wrappers), pipeline)


def _drop_redirections(words: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for w in words:
        if skip:
            skip = False
        elif w in _REDIRECTS:
            skip = True  # the word after the operator is its target, not an argument
        else:
            out.append(w)
    return out


_OPERATORS = sorted(_SEPARATORS | _PIPES | _REDIRECTS, key=len, reverse=True)


def _split_operators(token: str) -> list[str]:
    """The lexer glues adjacent operator characters (``)&&``, ``)|``); split them into known operators."""
    if token in _SEPARATORS or token in _PIPES or token in _REDIRECTS or not set(token) <= set(";&|()<>"):
        return [token]
    out: list[str] = []
    rest = token
    while rest:
        op = next((o for o in _OPERATORS if rest.startswith(o)), rest[0])
        out.append(op)
        rest = rest[len(op):]
    return out


def parse(script: str) -> Script:
    """Parse a RUN script (see the module docstring)."""
    commands: list[Command] = []
    pipes = _parse_into(script, commands, depth=0)
    return Script(script, tuple(commands), pipes)


def _parse_into(script: str, commands: list[Command], depth: int) -> bool:
    """Append the commands of ``script`` to ``commands``; pipeline numbers continue from the last one there.
    Returns whether a pipe was seen."""
    pipes = False
    pipeline = commands[-1].pipeline + 1 if commands else 0
    words: list[str] = []

    def flush() -> None:
        nonlocal pipes, pipeline
        cmd = _split_simple(_drop_redirections(words), pipeline)
        words.clear()
        if cmd is None:
            return
        commands.append(cmd)
        inner = _inner_script(cmd)
        if inner is not None and depth < MAX_NESTING:
            pipes = _parse_into(inner, commands, depth + 1) or pipes
            pipeline = commands[-1].pipeline + 1

    for raw in _tokens(script):
        for tok in _split_operators(raw):
            if tok in _PIPES:
                flush()
                pipes = True
            elif tok in _SEPARATORS:
                flush()
                pipeline += 1
            else:
                after_target = len(words) >= 2 and words[-2] in _REDIRECTS
                if tok in _REDIRECTS and words and words[-1].isdigit() and not after_target:
                    words.pop()  # the descriptor number of "2>" / "2>&1"
                words.append(tok)
    flush()
    return pipes


def _inner_script(cmd: Command) -> str | None:
    """The script of ``sh -c '<script>'``, if ``cmd`` is one."""
    if cmd.program not in _SHELLS:
        return None
    args = list(cmd.args)
    if cmd.program == "busybox":
        if not args or args[0] not in _SHELLS:
            return None
        args = args[1:]
    for i, arg in enumerate(args):
        if arg == "-c" or (arg.startswith("-") and not arg.startswith("--") and arg.endswith("c")):
            return args[i + 1] if i + 1 < len(args) else None
        if arg == "-o":
            continue
        if not arg.startswith("-") and (i == 0 or args[i - 1] != "-o"):
            return None  # "sh script.sh": a file, not an inline script
    return None
