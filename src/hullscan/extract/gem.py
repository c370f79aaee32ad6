"""lang/gem: installed Ruby gems, read from the specifications RubyGems writes when it installs one.

``gem install`` (and Debian's ``gem2deb``, and Ruby's own default gems) leave one Ruby file per installed gem
in a ``specifications/`` directory: ``<GEM_HOME>/specifications/rack-2.2.22.gemspec``, default gems under
``specifications/default/``. RubyGems generates them with ``Gem::Specification#to_ruby``, so their shape is
regular::

    Gem::Specification.new do |s|
      s.name = "rack".freeze
      s.version = "2.2.22"
      s.platform = "x86_64-linux".freeze      # only for a platform gem
      s.licenses = ["MIT".freeze]

The file is read statically with regular expressions and a small reader of Ruby string literals; Ruby code
is never executed. Only assignments to the block's own variable count (``s.name`` in a ``do |spec|`` block is
an error in Ruby, and here). Accepted right-hand sides: a string literal (``"x"``, ``'x'``, ``%q{x}``,
optionally ``.freeze``), ``Gem::Version.new("x")`` for the version, and for licences an array of string
literals or ``%w(...)``. ``s.licenses = "MIT"`` is read as ``["MIT"]``, as RubyGems' ``licenses=`` does
(Trivy drops it).

NUL bytes are no sign of a binary file here: RubyGems separates the extensions in a ``# stub:`` comment with them
(Ruby's own ``digest`` and ``json`` default gems).

A gemspec whose name is empty is not a gem and yields nothing (Trivy's ``analyzer-empty_name`` case); one that
never assigns the name or the version, or has no ``Gem::Specification.new`` block, is broken: a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packageurl import PackageURL

from hullscan.extract.base import ExtractError
from hullscan.extract.lockfile import license_names
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType

NAME = "lang/gem"
VERSION = 1

_BLOCK = re.compile(rb"Gem::Specification\.new\s*(?:\([^)]*\))?\s*(?:do|\{)\s*\|\s*([A-Za-z_]\w*)\s*\|")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "s": " ", "e": "\x1b", "a": "\a", "b": "\b", "f": "\f",
            "v": "\v"}
_PAIRS = {"{": "}", "(": ")", "[": "]", "<": ">"}
_FREEZE = re.compile(r"\s*\.\s*freeze\b")
_VERSION_NEW = re.compile(r"Gem::Version\.new\s*\(\s*")
_UNICODE_ESCAPE = re.compile(r"\{([0-9a-fA-F ]+)\}|([0-9a-fA-F]{4})")
_HEX_ESCAPE = re.compile(r"[0-9a-fA-F]{1,2}")


@dataclass(frozen=True, slots=True)
class GemSpec:
    """The payload for one ``.gemspec``: what it says, uninterpreted."""

    name: str
    version: str
    licenses: tuple[str, ...] = ()
    platform: str = ""
    """``s.platform`` when the gem is built for one (``x86_64-linux``); empty for pure-Ruby gems."""


# ---------------------------------------------------------------------------------------------- Ruby literals


def _code_point(hex_digits: str) -> int:
    """A ``\\u`` escape's code point; U+FFFD for a surrogate or beyond Unicode (not encodable as UTF-8)."""
    code = int(hex_digits, 16)
    return 0xFFFD if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else code


def _double_quoted(text: str, start: int, close: str, opener: str = "") -> tuple[str, int] | None:
    """The value of an interpolating literal whose body starts at ``start``; ``#{...}`` is left as written."""
    out: list[str] = []
    depth = 0
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "u":
                m = _UNICODE_ESCAPE.match(text, i + 2)
                if m:
                    codes = (m.group(1) or m.group(2)).split()
                    out.extend(chr(c) for c in map(_code_point, codes))
                    i = m.end()
                    continue
            if nxt == "x":
                m = _HEX_ESCAPE.match(text, i + 2)
                if m:
                    out.append(chr(int(m.group(0), 16)))
                    i = m.end()
                    continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        if opener and c == opener:
            depth += 1
        elif c == close:
            if depth == 0:
                return "".join(out), i + 1
            depth -= 1
        out.append(c)
        i += 1
    return None


def _single_quoted(text: str, start: int, close: str, opener: str = "") -> tuple[str, int] | None:
    """The value of a non-interpolating literal: only ``\\\\`` and an escaped delimiter are escapes."""
    out: list[str] = []
    depth = 0
    i = start
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in ("\\", close, opener or close):
            out.append(text[i + 1])
            i += 2
            continue
        if opener and c == opener:
            depth += 1
        elif c == close:
            if depth == 0:
                return "".join(out), i + 1
            depth -= 1
        out.append(c)
        i += 1
    return None


def _skip_blanks(text: str, pos: int, blanks: str = " \t") -> int:
    while pos < len(text) and text[pos] in blanks:
        pos += 1
    return pos


def ruby_string(text: str, pos: int = 0) -> tuple[str, int] | None:
    """A Ruby string literal at ``pos`` (spaces skipped) and the offset after it (and after ``.freeze``).

    >>> ruby_string('"rack".freeze # comment')
    ('rack', 13)
    >>> ruby_string("%q<racc>"), ruby_string("'it\\\\'s'"), ruby_string("rack")
    (('racc', 8), ("it's", 7), None)
    """
    pos = _skip_blanks(text, pos)
    if pos >= len(text):
        return None
    c = text[pos]
    found: tuple[str, int] | None
    if c == '"':
        found = _double_quoted(text, pos + 1, '"')
    elif c == "'":
        found = _single_quoted(text, pos + 1, "'")
    elif c == "%" and pos + 2 < len(text) and text[pos + 1] in "qQ" and not text[pos + 2].isalnum():
        delim = text[pos + 2]
        close = _PAIRS.get(delim, delim)
        opener = delim if delim in _PAIRS else ""
        reader = _double_quoted if text[pos + 1] == "Q" else _single_quoted
        found = reader(text, pos + 3, close, opener)
    else:
        return None
    if found is None:
        return None
    value, end = found
    m = _FREEZE.match(text, end)
    return value, m.end() if m else end


def _string_list(text: str, pos: int) -> tuple[str, ...] | None:
    """``["a".freeze, 'b']``, ``%w(a b)`` or a single string literal at ``pos``."""
    pos = _skip_blanks(text, pos)
    if text.startswith(("%w", "%W"), pos) and pos + 2 < len(text):
        delim = text[pos + 2]
        close = _PAIRS.get(delim, delim)
        end = text.find(close, pos + 3)
        return tuple(text[pos + 3 : end].split()) if end >= 0 else None
    if text.startswith("[", pos):
        items: list[str] = []
        i = pos + 1
        while True:
            i = _skip_blanks(text, i, " \t\r\n,")
            if i < len(text) and text[i] == "]":
                return tuple(items)
            found = ruby_string(text, i)
            if found is None:
                return None
            items.append(found[0])
            i = found[1]
    single = ruby_string(text, pos)
    return (single[0],) if single is not None else None


# ---------------------------------------------------------------------------------------------- the gemspec


def parse_gemspec(data: bytes, path: str = "x.gemspec") -> GemSpec | None:
    """Read name, version, licences and platform from a gemspec RubyGems wrote; ``None`` for an empty name.

    >>> spec = parse_gemspec(b'Gem::Specification.new do |s|\\n  s.name = "rake".freeze\\n  s.version = "13.0.3"\\n'
    ...                      b'  s.licenses = ["MIT".freeze]\\nend\\n')
    >>> (spec.name, spec.version, spec.licenses)
    ('rake', '13.0.3', ('MIT',))
    """
    block = _BLOCK.search(data)
    if block is None:
        raise ExtractError(f"{path}: failed to parse gemspec: no Gem::Specification.new block")
    var = re.escape(block.group(1).decode("ascii"))
    text = data[block.end() :].decode("utf-8", errors="replace")
    assignment = re.compile(rf"^[ \t]*{var}\.(name|version|licenses?|platform)[ \t]*=(?!=)", re.MULTILINE)
    name = version = platform = ""
    named = False
    licenses: tuple[str, ...] = ()
    # The last assignment wins, as when Ruby runs the block.
    for m in assignment.finditer(text):
        attr, start = m.group(1), m.end()
        if attr in ("licenses", "license"):
            values = _string_list(text, start)
            if values is not None:
                licenses = values
            continue
        if attr == "version":
            wrapped = _VERSION_NEW.match(text, _skip_blanks(text, start))
            if wrapped is not None:
                start = wrapped.end()
        found = ruby_string(text, start)
        if found is None:
            continue
        value = found[0].strip()
        if attr == "name":
            name, named = value, True
        elif attr == "version":
            version = value
        else:
            platform = value
    if not named:
        raise ExtractError(f"{path}: failed to parse gemspec: no {block.group(1).decode()}.name assignment")
    if not name:
        return None  # an empty name: not a gem anyone can depend on
    if not version:
        raise ExtractError(f"{path}: failed to parse gemspec: no version for gem {name!r}")
    return GemSpec(name=name, version=version, licenses=licenses, platform="" if platform == "ruby" else platform)


def is_gemspec_path(path: str) -> bool:
    """``.../specifications/<gem>.gemspec`` or ``.../specifications/default/<gem>.gemspec``.

    >>> is_gemspec_path("usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec")
    True
    >>> is_gemspec_path("usr/lib/ruby/gems/3.1.0/gems/rack-2.2.22/rack.gemspec")
    False
    """
    if not path.endswith(".gemspec"):
        return False
    head, _, _ = path.rpartition("/")
    if head.endswith("/default") or head == "default":
        head = head[: -len("default")].rstrip("/")
    return head == "specifications" or head.endswith("/specifications")


def package_url(spec: GemSpec) -> str:
    qualifiers = {"platform": spec.platform} if spec.platform else {}
    return PackageURL(type=PackageType.GEM.value, name=spec.name, version=spec.version,
                      qualifiers=qualifiers).to_string()


def to_package(spec: GemSpec, found_in: str, layer: LayerRef | None = None) -> Package:
    return Package(
        type=PackageType.GEM,
        name=spec.name,
        version=spec.version,
        arch=spec.platform,
        licenses=license_names(spec.licenses),
        found_in=found_in,
        extractor=NAME,
        purl=package_url(spec),
        layer=layer,
    )


class GemspecExtractor:
    """Reads the gemspecs of installed gems and reports one package per gemspec."""

    name = NAME
    version = VERSION
    payload_type = GemSpec

    def wants(self, path: str, entry: FileEntry) -> bool:
        return entry.kind in (FileKind.FILE, FileKind.HARDLINK) and is_gemspec_path(path)

    def extract(self, path: str, data: bytes) -> GemSpec | None:
        if not is_gemspec_path(path):
            return None
        return parse_gemspec(data, path)

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        return [to_package(spec, path, layer) for path, spec, layer in view.payloads(NAME, GemSpec)]
