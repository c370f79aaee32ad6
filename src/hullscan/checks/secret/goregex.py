"""Go (RE2) regular expressions, as Trivy users write them in secret configs, rewritten for Python's ``re``.

The two dialects agree on most syntax; these are the differences that change meaning or fail to compile
(https://pkg.go.dev/regexp/syntax against https://docs.python.org/3/library/re.html):

==========================  =========================================  ====================================
Go                          meaning in Go                              rewritten as
==========================  =========================================  ====================================
``a(?i)b|c``                flags from here to the end of the group    ``a(?i:b)|(?i:c)`` (Python 3.11 only
                                                                       allows global flags at the start)
``\\z``                      end of text                                ``\\Z``
``(?<name>x)``              named group (Go 1.22+)                     ``(?P<name>x)``
the same group name twice   allowed                                    ``name``, ``name__2``... (the engine
                                                                       reads every ``name__N`` as ``name``)
``[[:alpha:]]``             POSIX class inside brackets                ``[a-zA-Z]``
``\\Q...\\E``                 literal text                               escaped text
``\\x{41}``                  code point                                 ``\\x41`` (UTF-8 bytes above 0x7F)
``x{,3}``                   the literal text ``{,3}``                  ``\\{,3}`` (Python reads ``{0,3}``)
``(?U)``, ``\\pL``           ungreedy mode, Unicode classes             not supported: :class:`GoRegexError`
==========================  =========================================  ====================================

Everything else is copied as written; what Python then refuses is reported by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_POSIX = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}
_FLAG_GROUP = re.compile(r"\(\?([imsU-]*)\)")
_SCOPED_FLAGS = re.compile(r"\(\?([imsU-]*):")
_NAMED = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")
_HEX_BRACED = re.compile(r"\\x\{([0-9A-Fa-f]{1,6})\}")
_EMPTY_MIN_REPEAT = re.compile(r"\{,[0-9]*\}")


class GoRegexError(ValueError):
    """A construct of Go's syntax that has no Python equivalent here."""


@dataclass
class _Group:
    pending: list[str] = field(default_factory=list)
    """Flag wrappers opened by ``(?flags)`` inside this group, to close at its end and around each ``|``."""


def _class(src: str, i: int) -> tuple[str, int]:
    """Copy a bracket expression starting at ``src[i] == '['``; returns (text, index after it)."""
    out = ["["]
    i += 1
    if i < len(src) and src[i] == "^":
        out.append("^")
        i += 1
    if i < len(src) and src[i] == "]":  # a leading ] is literal
        out.append("\\]")
        i += 1
    while i < len(src):
        c = src[i]
        if c == "]":
            out.append("]")
            return "".join(out), i + 1
        if c == "[" and src.startswith("[:", i):
            end = src.find(":]", i + 2)
            if end < 0:
                raise GoRegexError("unterminated [:class:]")
            name = src[i + 2 : end]
            if name.startswith("^") or name not in _POSIX:
                raise GoRegexError(f"unsupported character class [:{name}:]")
            out.append(_POSIX[name])
            i = end + 2
            continue
        if c == "[":
            out.append("\\[")  # Python warns about nested sets; Go reads a literal [
            i += 1
            continue
        if c == "\\":
            esc, i = _escape(src, i)
            out.append(esc)
            continue
        out.append(c)
        i += 1
    raise GoRegexError("missing closing ]")


def _escape(src: str, i: int) -> tuple[str, int]:
    """Translate the escape sequence at ``src[i] == '\\\\'``."""
    if i + 1 >= len(src):
        raise GoRegexError("trailing backslash")
    c = src[i + 1]
    if c == "z":
        return "\\Z", i + 2
    if c in "pP":
        raise GoRegexError("Unicode classes (\\p, \\P) are not supported")
    if c == "Q":
        end = src.find("\\E", i + 2)
        literal = src[i + 2 :] if end < 0 else src[i + 2 : end]
        return re.escape(literal), len(src) if end < 0 else end + 2
    if c == "x":
        m = _HEX_BRACED.match(src, i)
        if m:
            code = int(m.group(1), 16)
            raw = bytes([code]) if code < 0x80 else chr(code).encode()
            return "".join(f"\\x{b:02x}" for b in raw), m.end()
    return src[i : i + 2], i + 2


def to_python(pattern: str) -> str:
    """``pattern`` (Go syntax) as a Python pattern with the same meaning (see the module docstring).

    >>> to_python(r"key(?i)=secret|token")
    'key(?i:=secret)|(?i:token)'
    >>> to_python(r"(?P<secret>a)(?P<secret>b)\\z")
    '(?P<secret>a)(?P<secret__2>b)\\\\Z'
    """
    out: list[str] = []
    stack: list[_Group] = [_Group()]
    names: dict[str, int] = {}
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            esc, i = _escape(pattern, i)
            out.append(esc)
        elif c == "[":
            cls, i = _class(pattern, i)
            out.append(cls)
        elif c == "{" and _EMPTY_MIN_REPEAT.match(pattern, i):
            out.append("\\{")
            i += 1
        elif c == "|":
            group = stack[-1]
            out.append(")" * len(group.pending) + "|" + "".join(group.pending))
            i += 1
        elif c == ")":
            if len(stack) == 1:
                raise GoRegexError("unbalanced )")
            out.append(")" * len(stack.pop().pending) + ")")
            i += 1
        elif c == "(":
            flags = _FLAG_GROUP.match(pattern, i)
            if flags:
                if "U" in flags.group(1):
                    raise GoRegexError("ungreedy mode (?U) is not supported")
                if not out and len(stack) == 1 and "-" not in flags.group(1):
                    out.append(flags.group(0))  # leading global flags mean the same in both
                elif flags.group(1).strip("-"):
                    opener = f"(?{flags.group(1)}:"
                    stack[-1].pending.append(opener)
                    out.append(opener)
                i = flags.end()
                continue
            scoped = _SCOPED_FLAGS.match(pattern, i)
            if scoped and "U" in scoped.group(1):
                raise GoRegexError("ungreedy mode (?U) is not supported")
            named = _NAMED.match(pattern, i)
            if named:
                name = named.group(1)
                names[name] = names.get(name, 0) + 1
                unique = name if names[name] == 1 else f"{name}__{names[name]}"
                out.append(f"(?P<{unique}>")
                i = named.end()
            else:
                out.append("(")
                i += 1
            stack.append(_Group())
        else:
            out.append(c)
            i += 1
    if len(stack) != 1:
        raise GoRegexError("missing closing )")
    out.append(")" * len(stack[0].pending))
    return "".join(out)
