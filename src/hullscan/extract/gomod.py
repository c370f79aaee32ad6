"""lang/go-mod: the modules a Go project declares in ``go.mod`` (and ``go.sum``, where ``go.mod`` says too little).

``go.mod`` (https://go.dev/ref/mod#go-mod-file) is a line-oriented file of directives, each on one line or as a
parenthesised block::

    module github.com/testdata/testdata
    go 1.17
    require (
        github.com/open-policy-agent/opa v0.35.0
        golang.org/x/text v0.3.6 // indirect
    )
    replace golang.org/x/net v1.2.3 => example.com/fork/net v1.4.5
    replace example.com/local => ../local
    exclude golang.org/x/net v1.2.4

Since Go 1.17 ("module graph pruning") ``require`` lists every module the build needs, indirect ones marked
``// indirect``. Before 1.17 it lists only the direct ones and the rest is found through the dependencies'
own go.mod files; ``go.sum`` (https://go.dev/ref/mod#go-sum-files) then holds the hashes of everything the
build downloaded: ``<module> <version> h1:<hash>`` for module content and ``<module> <version>/go.mod h1:...``
for go.mod files consulted while resolving versions.

How the two files become packages (per directory, after squashing):

* ``go.mod``: the main module (``main_module``, no version), then every ``require`` with ``replace`` applied
  (``old [version] => new version`` reports ``new``; a replacement by a local directory keeps the module's path
  with an empty version: the code comes from the directory, at no version one can name). ``exclude`` only
  forbids versions the build did not pick anyway and changes nothing here.
* ``go`` older than 1.17 (or no ``go`` line): the modules of ``go.sum`` that ``go.mod`` does not mention are
  added, as Trivy does (its ``gomod`` golden shows ``submod2`` with a module only ``go.sum`` names).
* ``go.sum`` without ``go.mod`` in its directory: the modules of ``go.sum`` alone.
* From ``go.sum``, a module counts only with a content hash line (``/go.mod``-only lines are modules whose
  go.mod was read for version selection but whose code was not built), at the last such version listed (the
  file is sorted, so the highest). Trivy also takes ``/go.mod``-only lines; this is stricter on purpose.

Packages are ``declared``. Module caches (``.../pkg/mod/...``) and ``vendor/`` trees hold the go.mod files of
dependencies, not of an application, and are not read.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from hullscan.extract.base import ExtractError
from hullscan.extract.gobinary import is_local_path, module_package
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package

NAME = "lang/go-mod"
VERSION = 1

MOD_FILE = "go.mod"
SUM_FILE = "go.sum"
MAX_FILE_SIZE = 32 << 20
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|//.*|\S+')
_GO_VERSION = re.compile(r"(\d+)\.(\d+)")


@dataclass(frozen=True, slots=True)
class GoRequire:
    path: str
    version: str
    indirect: bool = False


@dataclass(frozen=True, slots=True)
class GoReplace:
    old_path: str
    old_version: str
    """Empty: every version of ``old_path`` is replaced."""
    new_path: str
    new_version: str
    """Empty when ``new_path`` is a directory."""


@dataclass(frozen=True, slots=True)
class GoMod:
    module: str = ""
    go: str = ""
    toolchain: str = ""
    requires: tuple[GoRequire, ...] = ()
    replaces: tuple[GoReplace, ...] = ()
    excludes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class GoSumLine:
    path: str
    version: str
    """As written: ``v1.2.3`` or ``v1.2.3/go.mod``."""
    hash: str


@dataclass(frozen=True, slots=True)
class GoSum:
    lines: tuple[GoSumLine, ...] = ()


@dataclass(frozen=True, slots=True)
class GoModuleFile:
    """The payload: one of the two, according to the file read."""

    mod: GoMod | None = None
    sum: GoSum | None = None


# ---------------------------------------------------------------------------------------------- go.mod


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"`":
        body = token[1:-1]
        return body if token[0] == "`" else re.sub(r"\\(.)", r"\1", body)
    return token


def _lines(text: str) -> Iterator[tuple[str, list[str], str]]:
    """(verb, arguments, comment) for every directive, blocks flattened; comment-only lines skipped."""
    block = ""
    for raw in text.splitlines():
        tokens = _TOKEN.findall(raw)
        comment = ""
        if tokens and tokens[-1].startswith("//"):
            comment = tokens.pop()[2:].strip()
        if not tokens:
            continue
        if block:
            if tokens == [")"]:
                block = ""
                continue
            yield block, [_unquote(t) for t in tokens], comment
            continue
        verb, args = tokens[0], tokens[1:]
        if args == ["("]:
            block = verb
            continue
        if "(" in args or ")" in args:
            continue  # not a directive Go would accept either
        yield verb, [_unquote(t) for t in args], comment


def _is_indirect(comment: str) -> bool:
    return comment == "indirect" or comment.startswith("indirect;")


def parse_go_mod(data: bytes, path: str = MOD_FILE) -> GoMod:
    """A ``go.mod``. Malformed directives are skipped; binary content raises :class:`ExtractError`.

    >>> mod = parse_go_mod(b'module x.io/app\\ngo 1.21\\nrequire (\\n\\tx.io/a v1.0.0 // indirect\\n)\\n'
    ...                    b'replace x.io/a => ../a\\n')
    >>> mod.requires, mod.replaces[0].new_path
    ((GoRequire(path='x.io/a', version='v1.0.0', indirect=True),), '../a')
    """
    if b"\x00" in data:
        raise ExtractError(f"{path}: binary content where a go.mod was expected")
    module = go = toolchain = ""
    requires: list[GoRequire] = []
    replaces: list[GoReplace] = []
    excludes: list[tuple[str, str]] = []
    for verb, args, comment in _lines(data.decode("utf-8", "replace")):
        match verb:
            case "module" if args:
                module = args[0]
            case "go" if args:
                go = args[0]
            case "toolchain" if args:
                toolchain = args[0]
            case "require" if len(args) >= 2:
                requires.append(GoRequire(args[0], args[1], _is_indirect(comment)))
            case "exclude" if len(args) >= 2:
                excludes.append((args[0], args[1]))
            case "replace" if "=>" in args:
                arrow = args.index("=>")
                old, new = args[:arrow], args[arrow + 1 :]
                if 1 <= len(old) <= 2 and 1 <= len(new) <= 2:
                    old_version = old[1] if len(old) == 2 else ""
                    new_version = new[1] if len(new) == 2 else ""
                    replaces.append(GoReplace(old[0], old_version, new[0], new_version))
            case _:
                pass  # retract, godebug, tool, ignore, and malformed lines
    return GoMod(module, go, toolchain, tuple(requires), tuple(replaces), tuple(excludes))


# ---------------------------------------------------------------------------------------------- go.sum


def parse_go_sum(data: bytes, path: str = SUM_FILE) -> GoSum:
    """A ``go.sum``: ``<module> <version>[/go.mod] <hash>`` lines; others are skipped."""
    if b"\x00" in data:
        raise ExtractError(f"{path}: binary content where a go.sum was expected")
    lines = []
    for raw in data.decode("utf-8", "replace").splitlines():
        fields = raw.split()
        if len(fields) == 3:
            lines.append(GoSumLine(fields[0], fields[1], fields[2]))
    return GoSum(tuple(lines))


def sum_modules(go_sum: GoSum) -> dict[str, tuple[str, str]]:
    """Module path -> (version, ``h1:`` hash) of the last content-hash line for it (see the module docstring)."""
    result: dict[str, tuple[str, str]] = {}
    for line in go_sum.lines:
        if not line.version.endswith("/go.mod"):
            result[line.path] = (line.version, line.hash)
    return result


# ---------------------------------------------------------------------------------------------- interpretation


def go_older_than_117(go: str) -> bool:
    """Whether a ``go`` directive predates module graph pruning (absent counts as old: ``go`` lines appeared
    in 1.12 and go.mod files without one are read as 1.16 by today's toolchain)."""
    m = _GO_VERSION.match(go)
    if m is None:
        return True
    return (int(m[1]), int(m[2])) < (1, 17)


def _replacement(mod: GoMod, path: str, version: str) -> GoReplace | None:
    """The ``replace`` that applies to ``path@version``: one naming the version wins over a versionless one."""
    exact = general = None
    for rep in mod.replaces:
        if rep.old_path != path:
            continue
        if rep.old_version == version:
            exact = rep
        elif not rep.old_version:
            general = rep
    return exact or general


def _package(path: str, version: str, found_in: str, layer: LayerRef | None, *, checksum: str = "",
             main_module: bool = False) -> Package:
    return module_package(path, version, found_in, layer, extractor=NAME, checksum=checksum,
                          main_module=main_module, declared=True)


def mod_packages(
    mod: GoMod, found_in: str, layer: LayerRef | None = None, go_sum: GoSum | None = None
) -> list[Package]:
    """The packages a go.mod declares (plus its go.sum's extra modules when it predates Go 1.17)."""
    hashes = {(line.path, line.version): line.hash for line in go_sum.lines} if go_sum is not None else {}
    out: list[Package] = []
    if mod.module:
        out.append(_package(mod.module, "", found_in, layer, main_module=True))
    named = {mod.module}
    for req in mod.requires:
        named.add(req.path)
        path, version = req.path, req.version
        rep = _replacement(mod, req.path, req.version)
        if rep is not None:
            if is_local_path(rep.new_path) or not rep.new_version:
                version = ""
            else:
                path, version = rep.new_path, rep.new_version
        out.append(_package(path, version, found_in, layer, checksum=hashes.get((path, version), "")))
    if go_sum is not None and go_older_than_117(mod.go):
        sum_path = posixpath.join(posixpath.dirname(found_in), SUM_FILE)
        for path, (version, digest) in sum_modules(go_sum).items():
            if path not in named:
                out.append(_package(path, version, sum_path, layer, checksum=digest))
    return out


def sum_packages(go_sum: GoSum, found_in: str, layer: LayerRef | None = None) -> list[Package]:
    return [_package(p, v, found_in, layer, checksum=h) for p, (v, h) in sum_modules(go_sum).items()]


def _skipped(path: str) -> bool:
    return "/pkg/mod/" in path or path.startswith(("pkg/mod/", "vendor/")) or "/vendor/" in path


class GoModExtractor:
    """Reads ``go.mod``/``go.sum`` files and assembles the modules they declare."""

    name = NAME
    version = VERSION
    payload_type = GoModuleFile

    def wants(self, path: str, entry: FileEntry) -> bool:
        base = path.rpartition("/")[2]
        return (
            base in (MOD_FILE, SUM_FILE)
            and entry.kind in (FileKind.FILE, FileKind.HARDLINK)
            and entry.size <= MAX_FILE_SIZE
            and not _skipped(path)
        )

    def extract(self, path: str, data: bytes) -> GoModuleFile | None:
        base = path.rpartition("/")[2]
        if base == MOD_FILE:
            return GoModuleFile(mod=parse_go_mod(data, path))
        if base == SUM_FILE:
            return GoModuleFile(sum=parse_go_sum(data, path))
        return None

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        out: list[Package] = []
        for path, payload, layer in view.payloads(NAME, GoModuleFile):
            directory = posixpath.dirname(path)
            if payload.mod is not None:
                beside = view.payload(NAME, posixpath.join(directory, SUM_FILE), GoModuleFile)
                go_sum = beside[0].sum if beside is not None else None
                out.extend(mod_packages(payload.mod, path, layer, go_sum))
            elif payload.sum is not None and not self._has_mod(view, directory):
                out.extend(sum_packages(payload.sum, path, layer))
        return out

    @staticmethod
    def _has_mod(view: SquashedView, directory: str) -> bool:
        return view.payload(NAME, posixpath.join(directory, MOD_FILE), GoModuleFile) is not None
