"""lang/go-binary: the Go toolchain and modules compiled into a Go executable, read from its build info.

Since Go 1.13 the linker writes a *build info* blob into every binary built in module mode: in ELF files the
``.go.buildinfo`` section, in Mach-O ``__go_buildinfo``, in PE files the start of ``.data``. It starts with a
32-byte header (https://go.dev/src/debug/buildinfo/buildinfo.go):

=======  =====================================================================================================
0..13    magic ``\\xff Go buildinf:``; the blob is 16-byte aligned
14       pointer size (4 or 8)
15       flags: bit 0 big-endian, bit 1 "strings inline" (Go 1.18+)
16..31   Go 1.18+: unused. Before 1.18: two pointers to Go string headers (data pointer + length) holding the
         Go version and the module info, to be followed through the file's loadable segments
32..     Go 1.18+: the Go version and the module info as varint-length-prefixed strings
=======  =====================================================================================================

The module info is wrapped in two 16-byte sentinels and is the text ``go version -m`` prints
(https://pkg.go.dev/runtime/debug#ParseBuildInfo)::

    path    example.com/app
    mod     example.com/app (devel)
    dep     github.com/google/uuid  v1.3.0  h1:...
    dep     example.com/greet       v0.3.0
    =>      ../local        (devel)           <- replaces the line above
    build   -ldflags="-X main.version=v1.2.3"
    build   vcs.revision=9640d75c...

Nothing is executed. :class:`GoBinaryExtractor` parses that into a :class:`GoBuildInfo` payload of raw facts
(cached per layer); :meth:`GoBinaryExtractor.packages` interprets them:

* the toolchain becomes a ``stdlib`` package at the Go version without its ``go`` prefix and without experiment
  suffixes (``go1.22.1 X:loopvar`` -> ``1.22.1``), the name and version scheme the Go vulnerability database
  uses for the standard library;
* the main module (``mod``) is ``main_module``; its version is ``(devel)`` unless the binary was built by
  ``go install module@version``, and then, like Trivy, a version stamped with ``-ldflags "-X main.version=..."``
  is used (see :func:`ldflags_version`); without one the version is empty;
* every ``dep`` with its replacement applied: ``a v1 => b v2`` reports ``b v2``; a replacement by a local
  directory (``=> ../fork``) has no version to report, so the module keeps its path with an empty version;
* PURLs are ``pkg:golang/<module path>@<version>``; the path's last element is the name, the rest the namespace.

Performance: the header tables are read in place by :mod:`hullscan.extract.binfmt` (50-150 us per binary on
a 2-core machine, about 80 ms for the 750 executables of a Debian /usr/bin, against ~0.5-1.8 s to read them),
an ELF file with a section table but no ``.go.buildinfo`` section is rejected without a scan, and only ELF files
whose tables are damaged, Mach-O and PE files are scanned for the magic (a C-speed ``bytes.find``).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Literal

from packageurl import PackageURL

from hullscan.extract import binfmt
from hullscan.extract.base import ExtractError
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, LayerRef, Package, PackageType

NAME = "lang/go-binary"
VERSION = 1

MAGIC = b"\xff Go buildinf:"
HEADER_SIZE = 32
ALIGN = 16
MAX_STRING = 16 << 20
"""The longest version or module-info string believed (Kubernetes-sized binaries carry ~100 KB)."""
SECTION_NAMES = (".go.buildinfo", "__go_buildinfo")
_SENTINEL = 16
_FLAG_BIG_ENDIAN = 1
_FLAG_INLINE = 2

STDLIB = "stdlib"
DEVEL = "(devel)"


@dataclass(frozen=True, slots=True)
class GoModule:
    """One module line of the build info, as written."""

    path: str
    version: str = ""
    sum: str = ""
    """``h1:`` hash from go.sum; empty for the main module, vendored builds and local replacements."""


@dataclass(frozen=True, slots=True)
class GoDependency:
    """A ``dep`` line and the ``=>`` line that replaces it, if any."""

    module: GoModule
    replace: GoModule | None = None


@dataclass(frozen=True, slots=True)
class GoBuildInfo:
    """The payload for one Go binary: its build info, uninterpreted."""

    go_version: str
    """As written: ``go1.22.1``, ``go1.22.1 X:loopvar``, ``devel go1.23-abc123 ...``."""
    path: str = ""
    """The main package's import path (``command-line-arguments`` for ``go build file.go``)."""
    main: GoDependency | None = None
    deps: tuple[GoDependency, ...] = ()
    settings: tuple[tuple[str, str], ...] = ()
    """``build`` lines: ``-ldflags``, ``CGO_ENABLED``, ``GOOS``, ``vcs.revision``..."""

    def setting(self, key: str) -> str | None:
        for k, v in self.settings:
            if k == key:
                return v
        return None


# ---------------------------------------------------------------------------------------------- finding the blob


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    """An unsigned LEB128 varint at ``pos`` (as Go's ``binary.Uvarint``): (value, next position)."""
    value = shift = 0
    for i in range(10):
        if pos + i >= len(data):
            raise ExtractError("Go build info: truncated length")
        byte = data[pos + i]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos + i + 1
        shift += 7
    raise ExtractError("Go build info: overlong length")


def _inline_string(data: bytes, pos: int) -> tuple[bytes, int]:
    length, pos = _uvarint(data, pos)
    if length > MAX_STRING or pos + length > len(data):
        raise ExtractError(f"Go build info: a string of {length} bytes does not fit in the file")
    return data[pos : pos + length], pos + length


def _pointer_string(data: bytes, exe: binfmt.Executable | None, address: int, ptr: int, big: bool) -> bytes:
    """A Go string (pointer, length) whose header is at virtual ``address``: the pre-1.18 layout."""
    if exe is None:
        raise ExtractError("Go build info: pre-1.18 layout, but the file's segments could not be read")
    order: Literal["little", "big"] = "big" if big else "little"
    header = exe.read(data, address, 2 * ptr)
    if header is None:
        raise ExtractError(f"Go build info: string header at {address:#x} is outside the file")
    target = int.from_bytes(header[:ptr], order)
    length = int.from_bytes(header[ptr:], order)
    if length > MAX_STRING:
        raise ExtractError(f"Go build info: a string of {length} bytes is not believable")
    text = exe.read(data, target, length)
    if text is None:
        raise ExtractError(f"Go build info: {length} bytes at {target:#x} are outside the file")
    return text


def _decode_at(data: bytes, pos: int, exe: binfmt.Executable | None) -> tuple[bytes, bytes]:
    """The (version, module info) of the build info header at file offset ``pos``."""
    if pos + HEADER_SIZE > len(data):
        raise ExtractError("Go build info: truncated header")
    ptr, flags = data[pos + 14], data[pos + 15]
    if flags & _FLAG_INLINE:
        version, after = _inline_string(data, pos + HEADER_SIZE)
        modinfo, _ = _inline_string(data, after)
        return version, modinfo
    if ptr not in (4, 8):
        raise ExtractError(f"Go build info: pointer size {ptr}")
    big = bool(flags & _FLAG_BIG_ENDIAN)
    order: Literal["little", "big"] = "big" if big else "little"
    version_at = int.from_bytes(data[pos + 16 : pos + 16 + ptr], order)
    modinfo_at = int.from_bytes(data[pos + 16 + ptr : pos + 16 + 2 * ptr], order)
    return _pointer_string(data, exe, version_at, ptr, big), _pointer_string(data, exe, modinfo_at, ptr, big)


def _scan(data: bytes, start: int, end: int, exe: binfmt.Executable | None) -> tuple[bytes, bytes] | None:
    """The first well-formed build info whose 16-byte aligned header lies in ``data[start:end]``."""
    pos = data.find(MAGIC, start, end)
    while pos >= 0:
        if (pos - start) % ALIGN == 0:
            try:
                version, modinfo = _decode_at(data, pos, exe)
            except ExtractError:
                version = b""
            if version.startswith((b"go", b"devel")):
                return version, modinfo
        pos = data.find(MAGIC, pos + 1, end)
    return None


def read_build_info(data: bytes) -> tuple[str, str] | None:
    """The raw (Go version, module info) of a Go binary; ``None`` for anything else.

    Raises :class:`ExtractError` when a build info section is there but cannot be read.
    """
    fmt = binfmt.detect(data)
    if fmt is None:
        return None
    try:
        exe = binfmt.parse(data)
    except binfmt.BinaryFormatError:
        exe = None  # damaged tables: a scan may still find an inline (Go 1.18+) build info
    found: tuple[bytes, bytes] | None = None
    section = exe.section(*SECTION_NAMES) if exe is not None else None
    if exe is not None and section is not None:
        if section.offset + HEADER_SIZE > len(data) or data[section.offset : section.offset + 14] != MAGIC:
            raise ExtractError(f"Go build info: {section.name} section does not start with the build info magic")
        found = _decode_at(data, section.offset, exe)
    elif exe is not None and exe.format == "elf" and exe.sections:
        return None  # every Go linker since 1.13 writes the section: this ELF file is not a Go binary
    elif exe is not None and exe.format == "elf" and exe.segments:
        for seg in exe.segments:
            if seg.writable and found is None:
                found = _scan(data, seg.offset, min(seg.offset + seg.size, len(data)), exe)
    else:
        found = _scan(data, 0, len(data), exe)
    if found is None:
        return None
    version, modinfo = found
    if not version:
        return None
    # The module info sits between two 16-byte sentinels; the last byte before the closing one is a newline.
    if len(modinfo) >= 2 * _SENTINEL + 1 and modinfo[-_SENTINEL - 1] == 0x0A:
        modinfo = modinfo[_SENTINEL:-_SENTINEL]
    else:
        modinfo = b""
    return version.decode("utf-8", "replace"), modinfo.decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------- module info text

_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
                   '"': '"', "'": "'"}


def _quoted_prefix(text: str) -> str | None:
    """The Go-quoted string literal at the start of ``text`` (as ``strconv.QuotedPrefix``), or ``None``."""
    if not text or text[0] not in "\"`":
        return None
    quote = text[0]
    i = 1
    while i < len(text):
        ch = text[i]
        if ch == quote:
            return text[: i + 1]
        if ch == "\\" and quote == '"':
            i += 1
        elif ch == "\n" and quote == '"':
            return None
        i += 1
    return None


def go_unquote(literal: str) -> str | None:
    """A Go string literal's value (``strconv.Unquote``); ``None`` when it is not a valid literal.

    >>> go_unquote('"-X main.version=v1.2.3 -s"')
    '-X main.version=v1.2.3 -s'
    >>> go_unquote('"caf\\\\xc3\\\\xa9\\\\t\\\\u00e9"')
    'café\\té'
    """
    if len(literal) < 2 or literal[0] != literal[-1] or literal[0] not in "\"`":
        return None
    body = literal[1:-1]
    if literal[0] == "`":
        return None if "`" in body else body.replace("\r", "")
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            if ch == '"':
                return None
            out += ch.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(body):
            return None
        esc = body[i + 1]
        if esc in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[esc].encode()
            i += 2
        elif esc in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i + 2 : i + 2 + width]
            if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                return None
            value = int(digits, 16)
            if esc == "x":
                out.append(value)
            elif value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                return None
            else:
                out += chr(value).encode("utf-8")
            i += 2 + width
        elif esc in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits) or int(digits, 8) > 255:
                return None
            out.append(int(digits, 8))
            i += 4
        else:
            return None
    return out.decode("utf-8", "replace")


def _module(fields: list[str]) -> GoModule | None:
    if not fields or not fields[0]:
        return None
    return GoModule(fields[0], fields[1] if len(fields) > 1 else "", fields[2] if len(fields) > 2 else "")


def _setting(rest: str) -> tuple[str, str] | None:
    """A ``build`` line's ``key=value`` (either may be Go-quoted)."""
    if not rest or rest[0] == "=":
        return None
    if rest[0] in "\"`":
        raw_key = _quoted_prefix(rest)
        key = go_unquote(raw_key) if raw_key else None
        if raw_key is None or key is None or rest[len(raw_key) : len(raw_key) + 1] != "=":
            return None
        raw_value = rest[len(raw_key) + 1 :]
    else:
        key, sep, raw_value = rest.partition("=")
        if not sep:
            return None
    if raw_value[:1] in ('"', "`"):
        value = go_unquote(raw_value)
        if value is None:
            return None
        return key, value
    return key, raw_value


def parse_modinfo(go_version: str, modinfo: str) -> GoBuildInfo:
    """The module info text, read leniently: lines that are not understood are skipped.

    >>> info = parse_modinfo("go1.21.5", "path\\tx.io/app\\nmod\\tx.io/app\\t(devel)\\t\\ndep\\tx.io/a\\tv1.0.0\\n"
    ...                      "=>\\tx.io/b\\tv1.1.0\\th1:abc=\\nbuild\\tGOOS=linux\\n")
    >>> info.main.module.version, info.deps[0].replace, info.setting("GOOS")
    ('(devel)', GoModule(path='x.io/b', version='v1.1.0', sum='h1:abc='), 'linux')
    """
    path = ""
    main: GoDependency | None = None
    deps: list[GoDependency] = []
    settings: list[tuple[str, str]] = []
    last_is_main = False
    for line in modinfo.split("\n"):
        verb, sep, rest = line.partition("\t")
        if not sep:
            continue
        match verb:
            case "path":
                path = rest
            case "mod":
                module = _module(rest.split("\t"))
                if module is not None:
                    main, last_is_main = GoDependency(module), True
            case "dep":
                module = _module(rest.split("\t"))
                if module is not None:
                    deps.append(GoDependency(module))
                    last_is_main = False
            case "=>":
                replacement = _module(rest.split("\t"))
                if replacement is None:
                    continue
                if last_is_main and main is not None:
                    main = GoDependency(main.module, replacement)
                elif deps:
                    deps[-1] = GoDependency(deps[-1].module, replacement)
            case "build":
                setting = _setting(rest)
                if setting is not None:
                    settings.append(setting)
            case _:
                pass  # "go" (written by some toolchains), and lines from the future
    return GoBuildInfo(go_version, path, main, tuple(deps), tuple(settings))


def parse_binary(data: bytes, path: str = "") -> GoBuildInfo | None:
    """The build info of a Go binary; ``None`` for other files (scripts, C programs, damaged non-Go ELF files)."""
    try:
        raw = read_build_info(data)
    except ExtractError as exc:
        raise ExtractError(f"{path}: {exc}" if path else str(exc)) from None
    if raw is None:
        return None
    return parse_modinfo(*raw)


# ---------------------------------------------------------------------------------------------- interpretation

_SEMVER = re.compile(
    r"v(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*)"
    r"(?:-(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?)?"
)
_VERSION_PREFIXES = frozenset({"main", "common", "version", "cmd"})


def stdlib_version(go_version: str) -> str:
    """The standard library's version from the toolchain's version string.

    >>> stdlib_version("go1.22.1 X:loopvar"), stdlib_version("go1.15.2"), stdlib_version("devel go1.23-1f2c")
    ('1.22.1', '1.15.2', '')
    """
    first = go_version.strip().split(" ", 1)[0]
    return first[2:] if first.startswith("go") else ""


def _is_semver(value: str) -> bool:
    """As Go's ``semver.IsValid``, with or without the ``v``."""
    return bool(_SEMVER.fullmatch(value) or _SEMVER.fullmatch("v" + value))


def _x_flags(ldflags: str) -> dict[str, str]:
    """The ``-X importpath.name=value`` definitions in a linker flag string (the last one per name wins)."""
    try:
        words = shlex.split(ldflags)
    except ValueError:
        return {}
    result: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        value: str | None = None
        if word in ("-X", "--X"):
            value = words[i + 1] if i + 1 < len(words) else None
            i += 1
        elif word.startswith(("-X=", "--X=")):
            value = word.split("=", 1)[1]
        elif word.startswith("-X") and len(word) > 2 and not word.startswith("--"):
            value = word[2:]
        i += 1
        if value is None:
            continue
        key, sep, val = value.partition("=")
        if sep:
            result[key.strip("'\"")] = val.strip("'\"")
    return result


def ldflags_version(module_path: str, ldflags: str) -> str:
    """The main module's version stamped with ``-ldflags "-X ...version=..."``, or ``""``.

    Names ending in ``.version`` or ``.ver`` (any case) with a semver value count, in three tiers, the first
    non-empty tier deciding (two candidates in it: ambiguous, none taken), as Trivy's ``ParseLDFlags``:
    variables in ``<module>/cmd/...``; variables of packages named main, common, version or cmd; any other.

    >>> ldflags_version("github.com/aquasecurity/test", "-w -X main.version=v1.0.0")
    'v1.0.0'
    >>> ldflags_version("x.io/app", "-X 'x.io/app/pkg/Common.Ver=0.50.1' -X x.io/app/pkg/Any.Ver=0.50.0")
    '0.50.1'
    """
    tiers: tuple[list[str], list[str], list[str]] = ([], [], [])
    for key, value in _x_flags(ldflags).items():
        lowered = key.lower()
        if not lowered.endswith((".version", ".ver")) or not _is_semver(value):
            continue
        last = key[key.rfind("/") + 1 :] if key.rfind("/") > 0 else key
        prefix = last.split(".", 1)[0].lower()
        if key.startswith(module_path + "/cmd/"):
            tiers[0].append(value)
        elif prefix in _VERSION_PREFIXES:
            tiers[1].append(value)
        else:
            tiers[2].append(value)
    for tier in tiers:
        if tier:
            return tier[0] if len(tier) == 1 else ""
    return ""


def is_local_path(path: str) -> bool:
    """A replacement by a directory (``./fork``, ``../x``, ``/src/x``, ``C:\\src``) rather than a module."""
    return path.startswith(("./", "../", "/", ".\\", "..\\")) or path in (".", "..") or bool(
        re.match(r"[A-Za-z]:[\\/]", path)
    )


def package_url(path: str, version: str) -> str:
    """``pkg:golang/github.com/google/uuid@v1.3.0``: the module path's last element is the name."""
    namespace, _, name = path.rpartition("/")
    return PackageURL(
        type=PackageType.GOLANG.value, namespace=namespace or None, name=name, version=version or None
    ).to_string()


def module_package(
    path: str,
    version: str,
    found_in: str,
    layer: LayerRef | None,
    *,
    extractor: str = NAME,
    checksum: str = "",
    main_module: bool = False,
    declared: bool = False,
) -> Package:
    """A Go module as a package: the path's last element is the name, the rest the namespace."""
    namespace, _, name = path.rpartition("/")
    return Package(
        type=PackageType.GOLANG,
        name=name,
        version=version,
        namespace=namespace,
        checksum=checksum,
        found_in=found_in,
        extractor=extractor,
        purl=package_url(path, version),
        layer=layer,
        declared=declared,
        main_module=main_module,
    )


def resolved(dep: GoDependency) -> tuple[str, str, str]:
    """(path, version, sum) of the code a ``dep`` line says was compiled in: its replacement when it has one."""
    if dep.replace is None:
        return dep.module.path, dep.module.version, dep.module.sum
    if is_local_path(dep.replace.path):
        return dep.module.path, "", ""
    return dep.replace.path, dep.replace.version, dep.replace.sum


def main_version(info: GoBuildInfo) -> str:
    """The main module's version: as written unless ``(devel)``/empty (or a ``v0.0.0-`` pseudo-version that
    ``-ldflags`` contradicts), then the ``-X ...version=`` value (empty when there is none)."""
    if info.main is None:
        return ""
    version = "" if info.main.module.version == DEVEL else info.main.module.version
    stamped = ldflags_version(info.main.module.path, info.setting("-ldflags") or "")
    if not version or (version.startswith("v0.0.0") and stamped):
        return stamped
    return version


def to_packages(info: GoBuildInfo, found_in: str, layer: LayerRef | None = None) -> list[Package]:
    """The packages of one binary: main module (if any), ``stdlib``, then every dependency in build-info order."""
    out: list[Package] = []
    if info.main is not None:
        out.append(module_package(info.main.module.path, main_version(info), found_in, layer, main_module=True))
    std = stdlib_version(info.go_version)
    if std:
        out.append(module_package(STDLIB, std, found_in, layer))
    for dep in info.deps:
        path, version, checksum = resolved(dep)
        if path:
            version = "" if version == DEVEL else version
            out.append(module_package(path, version, found_in, layer, checksum=checksum))
    return out


class GoBinaryExtractor:
    """Reads the build info of Go executables and assembles the modules they were built from."""

    name = NAME
    version = VERSION
    payload_type = GoBuildInfo

    def wants(self, path: str, entry: FileEntry) -> bool:
        return binfmt.wants_executable(path, entry)

    def extract(self, path: str, data: bytes) -> GoBuildInfo | None:
        return parse_binary(data, path)

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        """Every surviving Go binary's packages, each attributed to the layer that wrote the binary."""
        out: list[Package] = []
        for path, info, layer in view.payloads(NAME, GoBuildInfo):
            out.extend(to_packages(info, path, layer))
        return out
