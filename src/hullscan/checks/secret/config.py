"""``--secret-config FILE``: custom rules, allow rules and disabled rules, in the shape of Trivy's
``trivy-secret.yaml`` so that a Trivy user's file works unchanged::

    rules:                      # custom rules, always enabled (unless listed in disable-rules); one with a
                                # built-in rule's id replaces that rule
      - id: rule1               # required
        category: general
        title: Generic Rule
        severity: HIGH          # CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN (any case); missing: UNKNOWN
        regex: (?i)secret=(?P<secret>\\w{8,})   # required; Go syntax, see goregex.py
        secret-group-name: secret   # the group to mask and report; missing: the whole match
        keywords: [secret]      # the rule runs only on content containing one (case-insensitive)
        path: .*\\.sh            # the rule runs only on matching paths
        allow-rules: [{id: ..., description: ..., regex: ..., path: ...}]
        exclude-block: {description: ..., regexes: [...]}
    allow-rules: [...]          # added to the built-in allow rules
    exclude-block: {...}        # regions of every file in which matches are dropped
    enable-builtin-rules: [github-pat]   # only these built-in rules (custom rules are kept)
    disable-rules: [aws-account-id]      # built-in or custom
    disable-allow-rules: [tests]         # built-in or custom allow rules

Mistakes (unknown keys, a bad severity, a regex that does not compile, an unknown group name) are
:class:`~hullscan.errors.UsageError`\\ s naming the file and line: a misspelt key silently ignored would
leave secrets unreported.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from hullscan.checks.secret.builtin import BUILTIN_RULES
from hullscan.checks.secret.goregex import GoRegexError, to_python
from hullscan.checks.secret.rules import BUILTIN_ALLOW_RULES, AllowRule, ExcludeBlock, Rule
from hullscan.errors import UsageError
from hullscan.model import Severity

_TOP_KEYS = {"rules", "allow-rules", "exclude-block", "enable-builtin-rules", "disable-rules", "disable-allow-rules"}
_RULE_KEYS = {"id", "category", "title", "severity", "regex", "secret-group-name", "keywords", "path", "allow-rules",
              "exclude-block", "description"}
_ALLOW_KEYS = {"id", "description", "regex", "path"}
_BLOCK_KEYS = {"description", "regexes"}


@dataclass(frozen=True, slots=True)
class SecretConfig:
    """The effective rule set: built-in rules and allow rules as the config file changes them."""

    rules: tuple[Rule, ...]
    allow_rules: tuple[AllowRule, ...]
    exclude_block: ExcludeBlock
    digest: str = ""
    """sha256 of the config file (empty: built-ins only); part of the extractor name, hence of the cache key."""


def builtin_config() -> SecretConfig:
    return SecretConfig(BUILTIN_RULES, BUILTIN_ALLOW_RULES, ExcludeBlock())


class _Reader:
    """Walks the YAML node tree, so that every error can name the line it is about."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node | None, message: str) -> UsageError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        return UsageError(f"{self.path}{line}: {message}")

    def mapping(self, node: yaml.Node, keys: set[str], what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, yaml.Node] = {}
        for k, v in node.value:
            key = self.scalar(k, "a key")
            if key not in keys:
                raise self.fail(k, f"unknown key {key!r} in {what} (expected one of {', '.join(sorted(keys))})")
            out[key] = v
        return out

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{what} must be a string")
        return str(node.value)

    def strings(self, node: yaml.Node, what: str) -> list[str]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return [self.scalar(item, f"each entry of {what}") for item in node.value]

    def regex(self, node: yaml.Node, what: str) -> str:
        """A Go pattern from the file, as a Python pattern that compiles (checked here)."""
        source = self.scalar(node, what)
        try:
            pattern = to_python(source)
            re.compile(pattern.encode())
        except (GoRegexError, re.error) as exc:
            raise self.fail(node, f"invalid {what} {source!r}: {exc}") from None
        return pattern

    def bytes_regex(self, node: yaml.Node, what: str) -> re.Pattern[bytes]:
        return re.compile(self.regex(node, what).encode())

    def path_regex(self, node: yaml.Node, what: str) -> re.Pattern[str]:
        # Trivy's first releases took a list of path patterns; read both shapes.
        if isinstance(node, yaml.SequenceNode):
            sources = [self.regex(item, what) for item in node.value]
            return re.compile("|".join(f"(?:{s})" for s in sources))
        return re.compile(self.regex(node, what))

    def allow_rule(self, node: yaml.Node, default_id: str) -> AllowRule:
        m = self.mapping(node, _ALLOW_KEYS, "an allow rule")
        if "regex" not in m and "path" not in m:
            raise self.fail(node, "an allow rule needs a regex or a path")
        return AllowRule(
            id=self.scalar(m["id"], "id") if "id" in m else default_id,
            description=self.scalar(m["description"], "description") if "description" in m else "",
            regex=self.bytes_regex(m["regex"], "allow regex") if "regex" in m else None,
            path=self.path_regex(m["path"], "allow path") if "path" in m else None,
        )

    def allow_rules(self, node: yaml.Node, prefix: str) -> tuple[AllowRule, ...]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "allow-rules must be a list")
        return tuple(self.allow_rule(item, f"{prefix}{i}") for i, item in enumerate(node.value))

    def exclude_block(self, node: yaml.Node) -> ExcludeBlock:
        m = self.mapping(node, _BLOCK_KEYS, "exclude-block")
        regexes: tuple[re.Pattern[bytes], ...] = ()
        if "regexes" in m:
            if not isinstance(m["regexes"], yaml.SequenceNode):
                raise self.fail(m["regexes"], "exclude-block regexes must be a list")
            regexes = tuple(self.bytes_regex(r, "exclude-block regex") for r in m["regexes"].value)
        return ExcludeBlock(self.scalar(m["description"], "description") if "description" in m else "", regexes)

    def rule(self, node: yaml.Node) -> Rule:
        m = self.mapping(node, _RULE_KEYS, "a rule")
        for required in ("id", "regex"):
            if required not in m:
                raise self.fail(node, f"a rule needs {required!r}")
        rule_id = self.scalar(m["id"], "id")
        severity = Severity.UNKNOWN
        if "severity" in m:
            text = self.scalar(m["severity"], "severity")
            if text.strip().upper() not in Severity.__members__:
                raise self.fail(m["severity"], f"rule {rule_id}: unknown severity {text!r} "
                                               f"(use one of {', '.join(s.name for s in Severity)})")
            severity = Severity[text.strip().upper()]
        pattern = self.regex(m["regex"], f"regex of rule {rule_id}")
        group = self.scalar(m["secret-group-name"], "secret-group-name") if "secret-group-name" in m else ""
        if group and group not in re.compile(pattern.encode()).groupindex:
            raise self.fail(m["secret-group-name"], f"rule {rule_id}: the regex has no group named {group!r}")
        return Rule(
            id=rule_id,
            category=self.scalar(m["category"], "category") if "category" in m else "",
            title=self.scalar(m["title"], "title") if "title" in m else rule_id,
            severity=severity,
            regex=pattern,
            keywords=tuple(k.lower() for k in self.strings(m["keywords"], "keywords")) if "keywords" in m else (),
            secret_group=group,
            path=self.path_regex(m["path"], f"path of rule {rule_id}") if "path" in m else None,
            allow_rules=self.allow_rules(m["allow-rules"], f"{rule_id}-allow-") if "allow-rules" in m else (),
            exclude_block=self.exclude_block(m["exclude-block"]) if "exclude-block" in m else ExcludeBlock(),
            builtin=False,
        )


def load_config(path: Path) -> SecretConfig:
    """Read ``path`` and apply it to the built-in rules (see the module docstring)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the secret config ({exc.strerror})") from None
    reader = _Reader(path)
    try:
        root = yaml.compose(raw.decode("utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    if root is None:
        return SecretConfig(BUILTIN_RULES, BUILTIN_ALLOW_RULES, ExcludeBlock(), hashlib.sha256(raw).hexdigest())
    top = reader.mapping(root, _TOP_KEYS, "the secret config")
    custom = [reader.rule(n) for n in top["rules"].value] if "rules" in top and isinstance(
        top["rules"], yaml.SequenceNode) else []
    if "rules" in top and not isinstance(top["rules"], yaml.SequenceNode):
        raise reader.fail(top["rules"], "rules must be a list")
    enabled = reader.strings(top["enable-builtin-rules"], "enable-builtin-rules") if "enable-builtin-rules" in top \
        else []
    disabled = set(reader.strings(top["disable-rules"], "disable-rules")) if "disable-rules" in top else set()
    disabled_allow = set(reader.strings(top["disable-allow-rules"], "disable-allow-rules")) \
        if "disable-allow-rules" in top else set()
    seen: set[str] = set()
    for r in custom:
        if r.id in seen:
            raise UsageError(f"{path}: two custom rules have the id {r.id!r}")
        seen.add(r.id)
    # A custom rule with a built-in rule's id replaces it.
    builtin = [r for r in BUILTIN_RULES if (not enabled or r.id in enabled) and r.id not in seen]
    rules = tuple(r for r in (*builtin, *custom) if r.id not in disabled)
    custom_allow = reader.allow_rules(top["allow-rules"], "custom-allow-") if "allow-rules" in top else ()
    allow = tuple(a for a in (*BUILTIN_ALLOW_RULES, *custom_allow) if a.id not in disabled_allow)
    block = reader.exclude_block(top["exclude-block"]) if "exclude-block" in top else ExcludeBlock()
    return SecretConfig(rules, allow, block, hashlib.sha256(raw).hexdigest())
