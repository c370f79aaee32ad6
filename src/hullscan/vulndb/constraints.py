"""Ecosystem requirement syntaxes expanded into plain comparisons (:data:`~hullscan.vulndb.model.Conjunction`).

Native advisory formats describe versions with their package manager's requirement language. Expanding it
here, at import time and without comparing versions, lets a matcher evaluate every feed with nothing but
``compare(scheme, a, b)``:

* npm (https://github.com/npm/node-semver#advanced-range-syntax): ``^1.2.3`` → ``>=1.2.3 <2.0.0-0``,
  ``1.x`` → ``>=1.0.0 <2.0.0-0``, ``a - b``, ``||``;
* RubyGems (https://guides.rubygems.org/patterns/#pessimistic-version-constraint): ``~> 2.2`` → ``>=2.2 <3``;
* Cargo (https://doc.rust-lang.org/cargo/reference/specifying-dependencies.html): a bare ``1.2.3`` is ``^1.2.3``;
* Composer constraints as FriendsOfPHP writes them (``>=5.4.0``, ``<5.4.53``).

Upper bounds made up by the expansion of npm ranges end in ``-0`` (the lowest pre-release), exactly as
node-semver does, so ``<2.0.0-0`` excludes ``2.0.0-beta``.
"""

from __future__ import annotations

import re

from hullscan.vulndb.model import Comparator, Conjunction

_OPS = ("<=", ">=", "==", "!=", "<", ">", "=")
_NPM_TOKEN = re.compile(r"(<=|>=|<|>|=|~>|~|\^)?\s*v?(\S+)")
_WILDCARDS = frozenset({"x", "X", "*"})


def _op(text: str) -> str:
    return "==" if text in ("=", "") else text


def _split_partial(version: str) -> tuple[list[str], str]:
    """``1.2.x-beta`` -> (["1", "2"], "-beta"): numeric parts until the first wildcard, and the rest."""
    core, sep, tail = version.partition("-")
    build_core, _, _ = core.partition("+")
    parts: list[str] = []
    for piece in build_core.split("."):
        if piece in _WILDCARDS or piece == "":
            break
        parts.append(piece)
    return parts, (sep + tail if sep else "")


def _bump(parts: list[str], index: int) -> str:
    """Increment ``parts[index]`` and zero what follows, to three components."""
    nums = [int(p) if p.isdigit() else 0 for p in parts[: index + 1]]
    nums[index] += 1
    nums += [0] * (3 - len(nums))
    return ".".join(str(n) for n in nums[:3])


def _full(parts: list[str], tail: str = "") -> str:
    padded = parts + ["0"] * (3 - len(parts))
    return ".".join(padded) + tail


def _npm_comparator(op: str, version: str, *, pre: str = "-0") -> list[Comparator]:
    parts, tail = _split_partial(version)
    if not parts:  # "*", "x", ""
        return [(">=", "0.0.0")] if op in ("", "=", ">=", "<=", "~", "^", "~>") else [("<", "0.0.0-0")]
    complete = len(parts) >= 3
    if op in ("", "="):
        if complete:
            return [("==", version)]
        return [(">=", _full(parts)), ("<", _bump(parts, len(parts) - 1) + pre)]
    if op in ("~", "~>"):
        index = 1 if len(parts) >= 2 else 0
        return [(">=", _full(parts, tail)), ("<", _bump(parts, index) + pre)]
    if op == "^":
        major = int(parts[0]) if parts[0].isdigit() else 0
        minor = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        if major != 0 or len(parts) == 1:
            index = 0
        elif minor != 0 or len(parts) == 2:
            index = 1
        else:
            index = 2
        return [(">=", _full(parts, tail)), ("<", _bump(parts, index) + pre)]
    if complete:
        return [(op, version)]
    # Partial versions with an operator (node-semver replaceXRange).
    if op == ">":
        return [(">=", _bump(parts, len(parts) - 1))]
    if op == "<=":
        return [("<", _bump(parts, len(parts) - 1) + pre)]
    if op == "<":
        return [("<", _full(parts) + pre)]
    return [(">=", _full(parts))]


def npm_range(text: str, *, pre: str = "-0") -> tuple[Conjunction, ...]:
    """Expand an npm semver range into alternative conjunctions.

    >>> npm_range("^1.2.3 || 2.x")
    ((('>=', '1.2.3'), ('<', '2.0.0-0')), (('>=', '2.0.0'), ('<', '3.0.0-0')))
    >>> npm_range(">=1.0.0 <1.4.2")
    ((('>=', '1.0.0'), ('<', '1.4.2')),)
    >>> npm_range("1.2.0 - 1.3")
    ((('>=', '1.2.0'), ('<', '1.4.0-0')),)
    """
    alternatives: list[Conjunction] = []
    for alternative in text.split("||"):
        alternative = alternative.strip()
        comparators: list[Comparator] = []
        hyphen = re.fullmatch(r"(\S+)\s+-\s+(\S+)", alternative)
        if hyphen:
            low, high = hyphen.group(1).lstrip("v"), hyphen.group(2).lstrip("v")
            comparators += _npm_comparator(">=", low, pre=pre)
            comparators += _npm_comparator("<=", high, pre=pre)
        else:
            # "> = 1.2" and ">= 1.2" both mean ">=1.2".
            compact = re.sub(r"(<=|>=|<|>|=|~>|~|\^)\s+", r"\1", alternative)
            for token in compact.split():
                match = _NPM_TOKEN.fullmatch(token)
                if not match:
                    raise ValueError(f"cannot read npm range {text!r}")
                comparators += _npm_comparator(match.group(1) or "", match.group(2), pre=pre)
        comparators = [c for c in comparators if c != (">=", "0.0.0")]
        alternatives.append(tuple(comparators))
    return tuple(alternatives)


def cargo_requirement(text: str) -> Conjunction:
    """Expand a Cargo version requirement (comma means AND; a bare version means caret).

    >>> cargo_requirement(">= 1.2.3, < 1.5")
    (('>=', '1.2.3'), ('<', '1.5.0'))
    >>> cargo_requirement("^0.2.3")
    (('>=', '0.2.3'), ('<', '0.3.0'))
    """
    comparators: list[Comparator] = []
    for piece in text.split(","):
        piece = piece.strip()
        if not piece:
            continue
        match = re.fullmatch(r"(<=|>=|<|>|=|~|\^)?\s*v?(\S+)", piece)
        if not match:
            raise ValueError(f"cannot read cargo requirement {text!r}")
        op = match.group(1) or "^"
        comparators += _npm_comparator(op, match.group(2), pre="")
    return tuple(c for c in comparators if c != (">=", "0.0.0"))


def _gem_bump(version: str) -> str:
    """Gem::Version#bump: drop pre-release segments, drop the last segment (if more than one), increment."""
    segments = version.split(".")
    for i, segment in enumerate(segments):
        if not segment.isdigit():
            segments = segments[:i]
            break
    if len(segments) > 1:
        segments.pop()
    if not segments:
        return "1"
    segments[-1] = str(int(segments[-1]) + 1)
    return ".".join(segments)


def gem_requirement(text: str) -> Conjunction:
    """Expand a RubyGems requirement list (comma means AND).

    >>> gem_requirement("~> 7.0.8, >= 7.0.8.5")
    (('>=', '7.0.8'), ('<', '7.1'), ('>=', '7.0.8.5'))
    >>> gem_requirement("= 1.0")
    (('==', '1.0'),)
    """
    comparators: list[Comparator] = []
    for piece in text.split(","):
        piece = piece.strip()
        if not piece:
            continue
        match = re.fullmatch(r"(~>|<=|>=|!=|<|>|=)?\s*(\S+)", piece)
        if not match:
            raise ValueError(f"cannot read gem requirement {text!r}")
        op, version = match.group(1) or "=", match.group(2)
        if op == "~>":
            comparators += [(">=", version), ("<", _gem_bump(version))]
        else:
            comparators.append((_op(op), version))
    return tuple(comparators)


def composer_constraints(items: list[str] | tuple[str, ...]) -> Conjunction:
    """FriendsOfPHP branch ``versions``: each item is one comparison, all must hold.

    >>> composer_constraints([">=5.4.0", "<5.4.53"])
    (('>=', '5.4.0'), ('<', '5.4.53'))
    """
    comparators: list[Comparator] = []
    for item in items:
        for piece in str(item).replace(",", " ").split():
            for op in _OPS:
                if piece.startswith(op):
                    version = piece[len(op) :].strip()
                    break
            else:
                op, version = "=", piece
            if not version:
                raise ValueError(f"cannot read composer constraint {item!r}")
            comparators.append((_op(op), version))
    return tuple(comparators)


def upper_bounds(alternatives: tuple[Conjunction, ...]) -> str:
    """The ``<`` bounds of vulnerable ranges, which are the first fixed versions, joined for display."""
    seen: list[str] = []
    for conj in alternatives:
        for op, version in conj:
            if op == "<" and not version.endswith("-0") and version not in seen:
                seen.append(version)
    return ", ".join(seen)


def lower_bounds(alternatives: tuple[Conjunction, ...]) -> str:
    """The ``>=`` bounds of patched ranges (the fixed versions), joined for display."""
    seen: list[str] = []
    for conj in alternatives:
        for op, version in conj:
            if op in (">=", "==") and version not in seen:
                seen.append(version)
                break
    return ", ".join(seen)
