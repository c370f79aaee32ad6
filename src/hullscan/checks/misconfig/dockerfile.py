"""Rebuild the Dockerfile of an image from its config ``history``.

Every build tool writes one history entry per instruction, but each in its own words. The shapes read here
(facts checked against the builders' sources and real images):

========================  ========================================================================================
classic ``docker build``  ``/bin/sh -c #(nop)  CMD ["sh"]`` for instructions without a command (two spaces for
                          most, one for ``ADD``/``COPY``/``WORKDIR``), ``/bin/sh -c #(nop) ADD file:<sha> in /dst ``
                          (the source is a content hash, also for URLs), ``/bin/sh -c apt-get ...`` for ``RUN``,
                          ``|2 A=1 B=2 /bin/sh -c ...`` when build arguments were in scope, and the ``SHELL``'s
                          own words (``/bin/bash -o pipefail -c ...``) after a ``SHELL`` instruction.
BuildKit                  the instruction as written, with `` # buildkit`` appended when it made a layer:
                          ``RUN /bin/sh -c ... # buildkit``, ``RUN |1 A=1 /bin/sh -c ... # buildkit``,
                          ``COPY --from=build /a /b # buildkit``, ``ADD https://x /y # buildkit``, ``ENV A=b``,
                          ``ARG A=1``, ``USER app``, ``EXPOSE map[22/tcp:{}]``, ``HEALTHCHECK &{[...] ...}``.
kaniko                    the instruction as written (``RUN apt-get ...``, ``COPY . /app``, ``USER app``).
buildah / podman          the classic shapes, with ``|key=value`` build metadata appended to some
                          (``HEALTHCHECK NONE|unsetLabel=true|force-mtime=10``).
========================  ========================================================================================

Anything else (``mmdebstrap ...``, ``apko``, an empty string) is kept as an instruction of unknown kind: it
still maps to its layer, no rule reads it.

Each :class:`Instruction` keeps its history index and the layer it made (``empty_layer`` entries make none), so
a finding can name both. Instructions of the base image are marked :attr:`Instruction.base`: the history of
an image includes its base image's, and a user cannot fix those lines in their Dockerfile. The boundary is
guessed as Trivy does (a base image usually ends with an empty-layer ``CMD``; the last such ``CMD`` followed by
a layer ends the base), and the first instruction ``ADD file:... in /`` of a ``FROM scratch`` build (the
root filesystem tarball, which is what ``ADD`` is for) counts as base too.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from hullscan.model import HistoryEntry, ImageConfig, Layer

KEYWORDS = frozenset({
    "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
    "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
})

_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s*")
_BUILDKIT_SUFFIX = re.compile(r"\s*# buildkit$")
_BUILD_METADATA = re.compile(r"(?:\|[A-Za-z0-9_-]+=\S*)+\s*$")
_BUILD_ARGS = re.compile(r"^\|(\d+)\s+")
# A shell run by RUN: "/bin/sh -c", "/bin/bash -o pipefail -c", "sh -ec", "cmd /S /C" (Windows)
_SHELL_RUN = re.compile(
    r"^(?P<shell>(?:/usr)?(?:/bin/)?(?:ba|a|da|z|k)?sh(?:\s+-o\s+\S+|\s+-[A-Za-z]*)*?\s+-[A-Za-z]*c)\s+(?P<script>.*)$",
    re.DOTALL,
)
_WINDOWS_RUN = re.compile(r"^(?P<shell>cmd /S /C|powershell(?:\.exe)?(?:\s+-\S+)*\s+-Command)\s+(?P<script>.*)$",
                          re.DOTALL | re.IGNORECASE)
_CLASSIC_COPY = re.compile(r"^(?P<src>(?:file|dir|multi):\S+)\s+in\s+(?P<dst>\S+)")


@dataclass(frozen=True, slots=True)
class Instruction:
    """One rebuilt Dockerfile instruction."""

    history_index: int
    """Position in the config's ``history`` (0-based)."""
    keyword: str
    """``RUN``, ``COPY``, ``ENV``...; empty when the entry was not written by a Dockerfile builder."""
    arguments: str
    """What follows the keyword; for ``RUN`` the shell script itself (no ``/bin/sh -c``)."""
    created_by: str
    """The history line as recorded."""
    layer: Layer | None = None
    """The layer this instruction made; ``None`` for ``empty_layer`` entries and unmatched history."""
    build_args: tuple[tuple[str, str], ...] = ()
    """Build arguments in scope of a ``RUN`` (the ``|N A=1 B=2`` prefix), with their values."""
    shell: str = ""
    """For ``RUN``: the shell that ran the script as recorded (``/bin/sh -c``, ``/bin/bash -o pipefail -c``)."""
    flags: tuple[str, ...] = ()
    """Leading ``--name=value`` flags of ``COPY``/``ADD``/``RUN`` (``--from=build``, ``--chown=1:1``)."""
    builder: str = ""
    """``classic``, ``buildkit``, ``plain`` (kaniko, and instructions written as in a Dockerfile) or ``""``."""
    base: bool = False
    """Part of the base image's history (see the module docstring)."""

    @property
    def text(self) -> str:
        """The instruction as a Dockerfile line."""
        if not self.keyword:
            return f"# {self.created_by}"
        head = " ".join((self.keyword, *self.flags))
        return f"{head} {self.arguments}".rstrip()

    def short(self, limit: int = 80) -> str:
        """:attr:`text` on one line, cut to ``limit`` characters: what a report shows as the target."""
        one = " ".join(self.text.split())
        return one if len(one) <= limit else one[: limit - 3] + "..."

    def sources_and_destination(self) -> tuple[list[str], str]:
        """For ``COPY``/``ADD``: the sources and the destination (JSON form understood)."""
        args = self.arguments.strip()
        classic = _CLASSIC_COPY.match(args)
        if classic:
            return [classic.group("src")], classic.group("dst")
        words = _words(args)
        if len(words) < 2:
            return words, ""
        return words[:-1], words[-1]


@dataclass(frozen=True, slots=True)
class Dockerfile:
    """The rebuilt Dockerfile: every history entry as an :class:`Instruction`, in order."""

    instructions: tuple[Instruction, ...]

    def own(self) -> tuple[Instruction, ...]:
        """The instructions after the base image: the ones the image's author wrote."""
        return tuple(i for i in self.instructions if not i.base)

    def of(self, *keywords: str, own: bool = True) -> list[Instruction]:
        pool = self.own() if own else self.instructions
        return [i for i in pool if i.keyword in keywords]

    def render(self) -> str:
        """The Dockerfile as text, base image lines commented out."""
        lines = []
        for ins in self.instructions:
            lines.append(f"# (base) {ins.text}" if ins.base and ins.keyword else ins.text)
        return "\n".join(lines) + "\n"


def _words(text: str) -> list[str]:
    """Arguments in exec (JSON array) or shell form."""
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, list):
            return [str(v) for v in value]
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _split_flags(text: str) -> tuple[tuple[str, ...], str]:
    flags: list[str] = []
    rest = text.lstrip()
    while rest.startswith("--"):
        word, _, rest = rest.partition(" ")
        flags.append(word)
        rest = rest.lstrip()
    return tuple(flags), rest


def _build_args(text: str) -> tuple[tuple[tuple[str, str], ...], str]:
    """``|2 A=1 B=2 rest`` -> ((A, 1), (B, 2)), ``rest``. Values with spaces are not quoted by the builders,
    so each pair is taken as one word (as they are almost always written)."""
    m = _BUILD_ARGS.match(text)
    if not m:
        return (), text
    count = int(m.group(1))
    rest = text[m.end():]
    pairs: list[tuple[str, str]] = []
    for _ in range(count):
        word, _, rest = rest.lstrip().partition(" ")
        name, _, value = word.partition("=")
        pairs.append((name, value))
    return tuple(pairs), rest.lstrip()


def _run_parts(text: str) -> tuple[str, str]:
    """(shell, script) of a recorded RUN command; the shell is empty for the exec form."""
    for pattern in (_SHELL_RUN, _WINDOWS_RUN):
        m = pattern.match(text)
        if m:
            return m.group("shell"), m.group("script")
    return "", text


def parse_entry(index: int, entry: HistoryEntry) -> Instruction:
    """One history entry as an instruction (``layer`` and ``base`` are filled in by :func:`rebuild`)."""
    raw = entry.created_by
    text = _BUILD_METADATA.sub("", raw).strip()
    builder = ""
    nop = _NOP.match(text)
    if nop:
        text, builder = text[nop.end():].strip(), "classic"
    elif _BUILDKIT_SUFFIX.search(text):
        text, builder = _BUILDKIT_SUFFIX.sub("", text).strip(), "buildkit"
    keyword, _, rest = text.partition(" ")
    if keyword in KEYWORDS:
        builder = builder or "plain"
        rest = rest.strip()
        if keyword == "RUN":
            flags, rest = _split_flags(rest)
            args, rest = _build_args(rest)
            shell, script = _run_parts(rest)
            return Instruction(index, "RUN", script, raw, build_args=args, shell=shell, flags=flags,
                               builder=builder)
        if keyword in ("COPY", "ADD"):
            flags, rest = _split_flags(rest)
            return Instruction(index, keyword, rest, raw, flags=flags, builder=builder)
        return Instruction(index, keyword, rest, raw, builder=builder)
    if builder == "classic":  # "#(nop)" with something we do not know: keep it, unread
        return Instruction(index, "", text, raw, builder=builder)
    # classic RUN: "[|N args] /bin/sh -c script" (or the SHELL's words)
    args, rest = _build_args(text)
    shell, script = _run_parts(rest)
    if shell:
        return Instruction(index, "RUN", script, raw, build_args=args, shell=shell, builder="classic")
    return Instruction(index, "", text, raw, build_args=args)


def _base_end(history: Sequence[HistoryEntry], parsed: Sequence[Instruction]) -> int:
    """Index of the last history entry that belongs to the base image (-1: none)."""
    seen_layer = False
    for i in range(len(history) - 1, -1, -1):
        if not history[i].empty_layer:
            seen_layer = True
            continue
        if seen_layer and parsed[i].keyword == "CMD":
            return i
    first = parsed[0] if parsed else None
    if first is not None and first.keyword == "ADD" and not history[0].empty_layer:
        sources, dest = first.sources_and_destination()
        if dest == "/" and len(sources) == 1 and sources[0].startswith("file:"):
            return 0
    return -1


def rebuild(config: ImageConfig, layers: Sequence[Layer]) -> Dockerfile:
    """The Dockerfile of ``config``'s history, each instruction tied to its layer.

    Layers are matched to the non-empty history entries in order, as :func:`hullscan.image.oci.layer_history`
    does; entries beyond the last layer (history that does not account for every layer) get none.
    """
    history = config.history
    parsed = [parse_entry(i, h) for i, h in enumerate(history)]
    base_end = _base_end(history, parsed)
    out: list[Instruction] = []
    layer_pos = 0
    for i, (entry, ins) in enumerate(zip(history, parsed, strict=True)):
        layer = None
        if not entry.empty_layer:
            if layer_pos < len(layers):
                layer = layers[layer_pos]
            layer_pos += 1
        out.append(Instruction(
            ins.history_index, ins.keyword, ins.arguments, ins.created_by, layer, ins.build_args, ins.shell,
            ins.flags, ins.builder, base=i <= base_end,
        ))
    return Dockerfile(tuple(out))
