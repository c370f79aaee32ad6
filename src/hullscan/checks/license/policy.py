"""``--license-policy FILE``: which licences a user allows or denies, read from YAML.

::

    allow: [notice, permissive, unencumbered, LGPL-2.1]   # SPDX ids, categories or globs
    deny: [forbidden, GPL-3.0, "AGPL-*"]
    ignore-packages: [libc6, "pkg:npm/*", "openssl@3.0.*"]
    severity: {denied: HIGH, unknown: LOW}
    report: [forbidden, restricted, unknown]
    os-packages: false

* ``allow`` / ``deny``: each entry is a category (:class:`~hullscan.checks.license.categories.Category`), an
  SPDX id (any case, aliases accepted), or a glob over ids (``GPL-*``). A GNU id without ``-only`` or
  ``-or-later`` (``GPL-3.0``) means both. The most specific entry decides: an id beats a glob, a glob beats a
  category; between an allow and a deny entry equally specific, deny wins. With an ``allow`` list, a licence it
  does not name is denied.
* ``ignore-packages``: globs over a package's name, ``name@version`` or PURL; those packages are not checked.
* ``severity``: per category, and ``denied`` (default HIGH), overriding the defaults of Trivy's mapping.
* ``report``: the categories that become findings for licences the lists do not decide (default: forbidden,
  restricted, reciprocal, unknown; ``[]`` for the lists' verdicts alone).
* ``os-packages``: whether the packages of the image's distribution are reported by category too (default
  ``false``: a Debian or Alpine base is mostly GPL software that every image ships as the distribution's own
  work, so reporting each one HIGH would drown the application's dependencies; the ``allow``/``deny`` lists
  still apply to them).

An expression is denied when a licence it cannot do without is: for ``AND``, any part denied; for ``OR``,
every choice denied. A file that does not follow this shape is a :class:`~hullscan.errors.UsageError` naming the
file and line.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import yaml

from hullscan.checks.license.categories import SEVERITY, Category
from hullscan.checks.license.classify import GNU_SUFFIXES, base_id, classify_license
from hullscan.checks.license.spdx import AllOf, AnyOf, Expr, License, lookup
from hullscan.errors import UsageError
from hullscan.model import Package, Severity

DEFAULT_REPORT = frozenset({Category.FORBIDDEN, Category.RESTRICTED, Category.RECIPROCAL, Category.UNKNOWN})
"""What is reported without a policy: the categories that ask something of whoever ships the image (Trivy
reports these, and notice/permissive/unencumbered as LOW; those three carry no obligation beyond a notice, so
they are opt-in here)."""

DENIED_SEVERITY = Severity.HIGH
_KEYS = ("allow", "deny", "ignore-packages", "severity", "report", "os-packages")
_GLOB_CHARS = frozenset("*?[")


class Verdict(Enum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNLISTED = "unlisted"
    """Neither list decides (and there is no allow list)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``allow`` or ``deny`` entry as written, with where it was written."""

    text: str
    line: int
    deny: bool
    specificity: int
    """4 an exact ``X WITH Y``, 3 an exact id, 2 a GNU family or a glob, 1 a category."""
    matches: Callable[[License], bool]


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    rules: tuple[Rule, ...] = ()
    """The deciding rules of the denied (or allowed) licences; empty for an allow-list miss."""


@dataclass(frozen=True, slots=True)
class LicensePolicy:
    """A parsed policy file (or the default: no lists, Trivy's severities, :data:`DEFAULT_REPORT`)."""

    source: str = ""
    rules: tuple[Rule, ...] = ()
    has_allow: bool = False
    ignore_packages: tuple[str, ...] = ()
    severities: dict[Category, Severity] = field(default_factory=lambda: dict(SEVERITY))
    denied_severity: Severity = DENIED_SEVERITY
    report: frozenset[Category] = DEFAULT_REPORT
    os_packages: bool = False
    """Report OS packages' licences by category too (the lists apply to them either way)."""

    def ignores(self, pkg: Package) -> bool:
        names = [pkg.name, f"{pkg.name}@{pkg.version}", pkg.purl]
        if pkg.namespace:
            names.append(f"{pkg.namespace}/{pkg.name}")
        return any(fnmatch.fnmatchcase(n, g) for g in self.ignore_packages for n in names if n)

    def decide_license(self, lic: License) -> Decision:
        matching = [r for r in self.rules if r.matches(lic)]
        if not matching:
            return Decision(Verdict.DENIED if self.has_allow else Verdict.UNLISTED)
        top = max(r.specificity for r in matching)
        best = [r for r in matching if r.specificity == top]
        denying = tuple(r for r in best if r.deny)
        if denying:
            return Decision(Verdict.DENIED, denying[:1])
        return Decision(Verdict.ALLOWED, tuple(best[:1]))

    def decide(self, expr: Expr) -> Decision:
        """The verdict on a whole expression (see the module docstring)."""
        match expr:
            case License():
                return self.decide_license(expr)
            case AllOf(parts):
                decisions = [self.decide(p) for p in parts]
                for verdict in (Verdict.DENIED, Verdict.UNLISTED):
                    if any(d.verdict is verdict for d in decisions):
                        return Decision(verdict, _rules(d for d in decisions if d.verdict is verdict))
                return Decision(Verdict.ALLOWED, _rules(decisions))
            case AnyOf(parts):
                decisions = [self.decide(p) for p in parts]
                for verdict in (Verdict.ALLOWED, Verdict.UNLISTED):
                    if any(d.verdict is verdict for d in decisions):
                        return Decision(verdict, _rules(d for d in decisions if d.verdict is verdict))
                return Decision(Verdict.DENIED, _rules(decisions))


def _rules(decisions: Iterator[Decision] | list[Decision]) -> tuple[Rule, ...]:
    return tuple(dict.fromkeys(r for d in decisions for r in d.rules))


# ---------------------------------------------------------------------------------------------- reading the file

def load_policy(path: Path) -> LicensePolicy:
    """Read and check a policy file; :class:`UsageError` (``file:line: what``) for anything malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the license policy: {exc}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"{where}: not valid YAML: {problem}") from None
    if root is None:
        raise UsageError(f"{path}: the license policy is empty")
    return _Reader(str(path)).policy(root)


@dataclass(slots=True)
class _Reader:
    source: str

    def fail(self, node: yaml.Node, message: str) -> UsageError:
        return UsageError(f"{self.source}:{node.start_mark.line + 1}: {message}")

    def policy(self, root: yaml.Node) -> LicensePolicy:
        if not isinstance(root, yaml.MappingNode):
            raise self.fail(root, f"the license policy must be a mapping with any of {', '.join(_KEYS)}")
        rules: list[Rule] = []
        has_allow = False
        ignore: tuple[str, ...] = ()
        severities = dict(SEVERITY)
        denied = DENIED_SEVERITY
        report = DEFAULT_REPORT
        os_packages = False
        seen: set[str] = set()
        for key_node, value in root.value:
            key = self.scalar(key_node)
            if key not in _KEYS:
                raise self.fail(key_node, f"unknown key {key!r}: use any of {', '.join(_KEYS)}")
            if key in seen:
                raise self.fail(key_node, f"{key!r} given twice")
            seen.add(key)
            match key:
                case "allow" | "deny":
                    entries = self.strings(value, key)
                    rules += (self.rule(node, text, deny=key == "deny") for node, text in entries)
                    has_allow = has_allow or (key == "allow" and bool(entries))
                case "ignore-packages":
                    ignore = tuple(text for _, text in self.strings(value, key))
                case "report":
                    report = frozenset(self.category(node, text) for node, text in self.strings(value, key))
                case "os-packages":
                    flag = self.scalar(value).lower()
                    if flag not in ("true", "false", "yes", "no"):
                        raise self.fail(value, "'os-packages' must be true or false")
                    os_packages = flag in ("true", "yes")
                case "severity":
                    if not isinstance(value, yaml.MappingNode):
                        raise self.fail(value, "'severity' must map categories (or 'denied') to severities")
                    for cat_node, sev_node in value.value:
                        name = self.scalar(cat_node)
                        sev = self.severity(sev_node)
                        if name.lower() == "denied":
                            denied = sev
                        else:
                            severities[self.category(cat_node, name)] = sev
        return LicensePolicy(self.source, tuple(rules), has_allow, ignore, severities, denied, report, os_packages)

    def scalar(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "expected a single value here, not a list or mapping")
        return str(node.value).strip()

    def strings(self, node: yaml.Node, key: str) -> list[tuple[yaml.Node, str]]:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{key!r} must be a list")
        out = [(item, self.scalar(item)) for item in node.value]
        for item, text in out:
            if not text:
                raise self.fail(item, f"empty entry in {key!r}")
        return out

    def severity(self, node: yaml.Node) -> Severity:
        text = self.scalar(node)
        try:
            return Severity.parse(text)
        except UsageError as exc:
            raise self.fail(node, str(exc)) from None

    def category(self, node: yaml.Node, text: str) -> Category:
        try:
            return Category(text.lower())
        except ValueError:
            raise self.fail(node, f"unknown category {text!r}: use one of "
                                  f"{', '.join(c.value for c in Category)}") from None

    def rule(self, node: yaml.Node, text: str, *, deny: bool) -> Rule:
        """One list entry as a matcher (see the module docstring for the kinds and their specificity)."""
        line = node.start_mark.line + 1
        lowered = text.lower()
        if lowered in {c.value for c in Category}:
            category = Category(lowered)
            return Rule(text, line, deny, 1, lambda lic: classify_license(lic) is category)
        if _GLOB_CHARS.intersection(text):
            return Rule(text, line, deny, 2, lambda lic: fnmatch.fnmatchcase(lic.id.lower(), lowered))
        license_part, _, exception_part = (p.strip() for p in text.partition(" WITH "))
        exception = ""
        if exception_part:
            exc_sym = lookup(exception_part)
            if exc_sym is None or not exc_sym.is_exception:
                raise self.fail(node, f"unknown license exception {exception_part!r} in {text!r}")
            exception = exc_sym.id
        if license_part.startswith("LicenseRef-"):
            lic_id = license_part
        else:
            sym = lookup(license_part)
            if sym is None or sym.is_exception:
                raise self.fail(node, f"unknown license {license_part!r}: use an SPDX id "
                                      "(https://spdx.org/licenses/), a category or a glob")
            lic_id = sym.id
        if exception:
            target = License(lic_id, exception)
            return Rule(text, line, deny, 4, lambda lic: lic == target)
        family = base_id(license_part)
        if family == license_part and base_id(lic_id) != lic_id and lic_id.endswith(GNU_SUFFIXES):
            # "GPL-3.0": both GPL-3.0-only and GPL-3.0-or-later.
            family_lower = family.lower()
            return Rule(text, line, deny, 2, lambda lic: base_id(lic.id).lower() == family_lower)
        return Rule(text, line, deny, 3, lambda lic: lic.id == lic_id)
