"""The matching engine: every rule over a file's bytes in one Hyperscan pass, then ``re`` for the few that hit.

Why two engines: Python's ``re`` gives groups and positions but costs one pass per rule (about 100 passes per
file); Hyperscan (Vectorscan) runs every rule and every keyword in one pass at about a gigabyte per second
but only says *which* patterns matched (LIBRARIES.md: 9 MB/s for keyword prefilter + ``re``, ~1.4 GB/s this
way, identical findings; ``bench/secret_throughput.py`` measures these rules at ~0.8 GB/s, ~190x keyword +
``re``). So the database answers "could rule R match here, and which keywords occur?", and ``re`` runs only
for the rules that could. Findings come from ``re`` alone, so they are identical to running
``re`` for every rule; :meth:`SecretEngine.find_reference` does exactly that, and the tests compare both.

Hyperscan must never miss what ``re`` would find. Each pattern is compiled as written when Hyperscan accepts
it (the built-in rules are written so that it does, and a test holds them to it); a custom pattern using what
Hyperscan lacks (look-around, back-references) is compiled with ``HS_FLAG_PREFILTER``, which matches a
superset; one Hyperscan refuses even then is handed to ``re`` for every file that has its keywords.
Keywords are caseless literals in the same database, which keeps the keyword rule of Trivy's model (a rule
with keywords runs only on content containing one, case-insensitively) without a second pass.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hullscan.checks.secret.rules import AllowRule, ExcludeBlock, Rule

try:
    import hyperscan
except ImportError:  # pragma: no cover - a platform without a Vectorscan wheel: ``re`` only, same findings
    hyperscan = None  # type: ignore[assignment]


_COMPILED: dict[tuple[int, tuple[bytes, ...], tuple[int, ...], tuple[int, ...]], hyperscan.Database] = {}
"""Databases compiled in this process, by thread and patterns: one compile per rule set, however many scanners.
Per thread, because a database carries its own scratch space, which two concurrent scans must not share."""


def _load_or_compile(exprs: list[bytes], ids: list[int], flags: list[int], directory: Path | None) -> Any:
    """The Hyperscan database of these patterns: loaded from ``directory`` when a previous run saved it there
    (about 0.3 s of compiling saved per run), else compiled and saved. A saved file is named by the digest of
    everything it was compiled from and carries the SHA-256 of its bytes: a damaged or foreign file is never
    handed to Hyperscan, only compiled over."""
    assert hyperscan is not None
    name = hashlib.sha256(repr((hyperscan.__version__ if hasattr(hyperscan, "__version__") else "",
                                exprs, ids, flags)).encode()).hexdigest()
    path = directory / f"{name}.hsdb" if directory is not None else None
    if path is not None:
        try:
            blob = path.read_bytes()
            digest, body = blob[:32], blob[32:]
            if hashlib.sha256(body).digest() == digest:
                loaded = hyperscan.loadb(body, hyperscan.HS_MODE_BLOCK)
                loaded.scratch = hyperscan.Scratch(loaded)  # a loaded database comes without scratch space
                return loaded
        except (OSError, hyperscan.error):
            pass
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=flags)
    if path is not None:
        body = hyperscan.dumpb(db)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(hashlib.sha256(body).digest() + body)
            tmp.replace(path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only cache: compile again next time
    return db


@dataclass(frozen=True, slots=True)
class RawMatch:
    """One match, in memory only: it holds positions into the clear content, never leaves the engine's caller."""

    rule: Rule
    start: int
    end: int
    secrets: tuple[tuple[int, int], ...]
    """The spans of the secret group(s), blanks trimmed; the whole match when the rule names no group."""

    def values(self, data: bytes) -> tuple[bytes, ...]:
        return tuple(data[s:e] for s, e in self.secrets)


def fingerprint(rule_id: str, values: Iterable[bytes]) -> str:
    """A short digest telling two sightings of the same secret apart from different ones (for de-duplication
    across layers) without storing the secret."""
    h = hashlib.sha256(b"hullscan/secret\x00" + rule_id.encode())
    for v in values:
        h.update(b"\x00" + v)
    return h.hexdigest()[:16]


def _combined(patterns: tuple[re.Pattern[str], ...]) -> tuple[re.Pattern[str], ...]:
    """The allow paths as one alternation (one search per file instead of a dozen), when they combine."""
    parts = []
    for p in patterns:
        source = p.pattern
        if source.startswith("(?i)"):
            source = source[4:]
        elif p.flags & re.IGNORECASE:
            return patterns  # flags set some other way: keep them apart
        parts.append(f"(?i:{source})" if p.flags & re.IGNORECASE else f"(?:{source})")
    try:
        return (re.compile("|".join(parts)),) if parts else ()
    except re.error:
        return patterns


def _hs_literal(keyword: str) -> bytes:
    return "".join(f"\\x{b:02x}" for b in keyword.encode()).encode()


def _line_spans(regexes: Sequence[re.Pattern[bytes]], data: bytes) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for rx in regexes for m in rx.finditer(data)]


class SecretEngine:
    """Finds the secrets of one rule set in bytes (see the module docstring)."""

    def __init__(self, rules: Sequence[Rule], allow_rules: Sequence[AllowRule] = (),
                 exclude_block: ExcludeBlock | None = None, *, accelerate: bool = True,
                 database_dir: Path | None = None) -> None:
        self.database_dir = database_dir
        """Where the compiled Hyperscan database is kept between runs (``None``: compiled every run)."""
        self.rules = tuple(rules)
        self.by_id = {r.id: r for r in self.rules}
        self.allow_rules = tuple(allow_rules)
        self._allow_paths = _combined(tuple(a.path for a in self.allow_rules if a.path is not None))
        self._allow_regexes = tuple(a.regex for a in self.allow_rules if a.regex is not None)
        self.exclude_block = exclude_block or ExcludeBlock()
        self.keywords = tuple(sorted({k for r in self.rules for k in r.keywords}))
        self._db: hyperscan.Database | None = None
        self._always: frozenset[int] = frozenset()
        """Rules Hyperscan could not take: tried with ``re`` whenever their keywords allow."""
        self._prefiltered: frozenset[str] = frozenset()
        # Compiled on first use (about half a second for the built-in rules): a scan whose layers all come
        # from the cache never needs it.
        self._pending = accelerate and hyperscan is not None and bool(self.rules)

    @property
    def accelerated(self) -> bool:
        """Whether Hyperscan is used (compiling the database now if it was not yet)."""
        self._ensure()
        return self._db is not None

    @property
    def prefiltered(self) -> frozenset[str]:
        """Ids of the rules Hyperscan runs as a prefilter (a superset of ``re``'s matches)."""
        self._ensure()
        return self._prefiltered

    def _ensure(self) -> None:
        if self._pending:
            self._pending = False
            self._compile()

    # ------------------------------------------------------------------ compiling

    def _compile(self) -> None:
        assert hyperscan is not None
        exprs: list[bytes] = []
        ids: list[int] = []
        flags: list[int] = []
        always: set[int] = set()
        prefiltered: set[str] = set()
        single = hyperscan.HS_FLAG_SINGLEMATCH
        for i, r in enumerate(self.rules):
            pattern = r.regex.encode()
            mode = 0 if r.builtin else self._mode(pattern)
            if mode is None:
                always.add(i)
                continue
            if mode:
                prefiltered.add(r.id)
            exprs.append(pattern)
            ids.append(i)
            flags.append(single | mode)
        base = len(self.rules)
        for k, kw in enumerate(self.keywords):
            exprs.append(_hs_literal(kw))
            ids.append(base + k)
            flags.append(single | hyperscan.HS_FLAG_CASELESS)
        key = (threading.get_ident(), tuple(exprs), tuple(ids), tuple(flags))
        db = _COMPILED.get(key)
        if db is None:
            db = _load_or_compile(exprs, ids, flags, self.database_dir)
            _COMPILED[key] = db
        self._db = db
        self._always = frozenset(always)
        self._prefiltered = frozenset(prefiltered)

    @staticmethod
    def _mode(pattern: bytes) -> int | None:
        """How Hyperscan can take one custom pattern: exactly (0), as a prefilter, or not at all (None)."""
        assert hyperscan is not None
        for mode in (0, hyperscan.HS_FLAG_PREFILTER):
            try:
                hyperscan.Database().compile(expressions=[pattern], ids=[0], elements=1,
                                             flags=[hyperscan.HS_FLAG_SINGLEMATCH | mode])
            except hyperscan.error:
                continue
            return mode
        return None

    # ------------------------------------------------------------------ matching

    def path_allowed(self, path: str) -> bool:
        """Whether a global allow rule skips every file at ``path``."""
        return any(p.search(path) for p in self._allow_paths)

    def _candidates(self, data: bytes) -> list[Rule]:
        """The rules ``re`` must run: their regex could match and (when they have keywords) a keyword occurs."""
        self._ensure()
        if self._db is None:
            lowered = data.lower()
            present = {k for k in self.keywords if k.encode() in lowered}
            return [r for r in self.rules if not r.keywords or present.intersection(r.keywords)]
        hits: set[int] = set()

        def on_match(pid: int, _from: int, _to: int, _flags: int, _ctx: object) -> None:
            hits.add(pid)

        self._db.scan(data, match_event_handler=on_match)
        base = len(self.rules)
        ruled = sorted(self._always.union(h for h in hits if h < base))
        if not ruled:  # the common case: nothing in this file looks like any secret
            return []
        present = {self.keywords[h - base] for h in hits if h >= base}
        return [r for r in (self.rules[i] for i in ruled) if not r.keywords or present.intersection(r.keywords)]

    def find(self, path: str, data: bytes, *, check_path: bool = True) -> list[RawMatch]:
        """Every secret in ``data`` (the content of ``path``), in rule order then position.

        ``check_path=False`` for content that is not a file (the image config, history): global allow paths do
        not apply, and rules limited to some paths do not run."""
        if check_path and self.path_allowed(path):
            return []
        return self._run(path, data, self._candidates(data), check_path)

    def find_reference(self, path: str, data: bytes, *, check_path: bool = True) -> list[RawMatch]:
        """The same as :meth:`find` with ``re`` alone: every rule whose keywords occur, no Hyperscan."""
        if check_path and self.path_allowed(path):
            return []
        lowered = data.lower()
        rules = [r for r in self.rules if not r.keywords or any(k.encode() in lowered for k in r.keywords)]
        return self._run(path, data, rules, check_path)

    def _run(self, path: str, data: bytes, rules: list[Rule], check_path: bool) -> list[RawMatch]:
        out: list[RawMatch] = []
        global_blocks: list[tuple[int, int]] | None = None
        for r in rules:
            if check_path and not r.applies_to(path):
                continue
            if not check_path and r.path is not None:
                continue
            rule_blocks: list[tuple[int, int]] | None = None
            for m in r.compiled.finditer(data):
                if m.end() == m.start():
                    continue
                matched = data[m.start():m.end()]
                if any(rx.search(matched) for rx in self._allow_regexes) or any(
                        a.regex is not None and a.regex.search(matched) for a in r.allow_rules):
                    continue
                spans = _secret_spans(r, m)
                if not spans:
                    continue
                if self.exclude_block.regexes or r.exclude_block.regexes:
                    if global_blocks is None:
                        global_blocks = _line_spans(self.exclude_block.regexes, data)
                    if rule_blocks is None:
                        rule_blocks = _line_spans(r.exclude_block.regexes, data)
                    blocks = global_blocks + rule_blocks
                    spans = tuple(s for s in spans if not any(b0 <= s[0] and s[1] <= b1 for b0, b1 in blocks))
                    if not spans:
                        continue
                start, end = _trim(data, m.start(), m.end())
                out.append(RawMatch(r, start, end, spans))
        return out


def _secret_spans(r: Rule, m: re.Match[bytes]) -> tuple[tuple[int, int], ...]:
    """The secret group(s) of a match (Go allows one name twice; :mod:`.goregex` renamed the others
    ``name__2``...), blanks trimmed; the whole match when the rule has no such group."""
    names = [n for n in m.re.groupindex if r.secret_group and (n == r.secret_group
                                                               or n.startswith(r.secret_group + "__"))]
    raw = [m.span(n) for n in names] if names else [m.span()]
    spans: list[tuple[int, int]] = []
    for start, end in raw:
        if start >= 0:
            start, end = _trim(m.string, start, end, escapes=True)
            if end > start:
                spans.append((start, end))
    return tuple(spans)


_ESCAPED_BREAKS = (b"\\n", b"\\r")


def _trim(data: bytes, start: int, end: int, *, escapes: bool = False) -> tuple[int, int]:
    """``start:end`` without blanks at either end (a boundary character a pattern consumed, the line breaks
    around a PEM body) and, with ``escapes``, without the ``\\n`` of a key stored inside a JSON string."""
    while True:
        before = (start, end)
        while start < end and data[start:start + 1].isspace():
            start += 1
        while end > start and data[end - 1:end].isspace():
            end -= 1
        if escapes:
            for esc in _ESCAPED_BREAKS:
                if data.startswith(esc, start, end):
                    start += len(esc)
                if end - start >= len(esc) and data[end - len(esc):end] == esc:
                    end -= len(esc)
        if (start, end) == before:
            return start, end
