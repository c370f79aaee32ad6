"""Secret rules: what a rule, an allow rule and an exclude block are, and the built-in allow rules.

A :class:`Rule` names one kind of credential (``aws-access-key-id``, ``github-pat``...). Its ``regex`` is written
so that it compiles, with the same meaning, in Python's :mod:`re` (bytes patterns: ASCII classes and case
folding) and in Hyperscan (PCRE syntax): no look-around, no back-references, no ``{,n}``. The engine runs every
rule through one Hyperscan database and asks ``re`` only about the rules that hit (see :mod:`.engine`).

``keywords`` keep their meaning from Trivy's model: a rule with keywords is applied only to content that contains
at least one of them, compared case-insensitively. Write them in lower case and make every alternative of the
regex contain one of them, so that the keyword test never hides a match the regex alone would find.

Allow rules follow the same model: ``path`` skips whole files (globally, or for one rule), ``regex`` drops a
match when it matches the matched text (the whole match, key name included, not only the secret group). The
built-in allow rules keep Trivy's ids (``tests``, ``examples``, ``markdown``...) so that a Trivy user's
``disable-allow-rules`` list means the same here; their patterns are our own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hullscan.model import Severity

SECRET_GROUP = "secret"  # noqa: S105 - a regex group name, not a password
"""The group name the built-in rules use for the secret itself (custom rules may name another)."""


@dataclass(frozen=True, slots=True)
class AllowRule:
    """A known false positive: a path to skip, or matched text to let through."""

    id: str
    description: str = ""
    regex: re.Pattern[bytes] | None = None
    """Dropped when this matches (searches) the matched text."""
    path: re.Pattern[str] | None = None
    """Files whose path (no leading ``/``) this matches are not scanned."""


@dataclass(frozen=True, slots=True)
class ExcludeBlock:
    """Regions of a file (e.g. between ``--- ignore start ---`` markers) in which matches are dropped."""

    description: str = ""
    regexes: tuple[re.Pattern[bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of secret."""

    id: str
    category: str
    title: str
    severity: Severity
    regex: str
    """The pattern source as it compiles in both engines (see the module docstring)."""
    keywords: tuple[str, ...] = ()
    """Lower-case literals; the rule applies only to content containing one of them (none: always)."""
    secret_group: str = SECRET_GROUP
    """The named group holding the secret; when the regex has no such group, the whole match is the secret."""
    path: re.Pattern[str] | None = None
    """When set, the rule applies only to files whose path this matches (searches)."""
    allow_rules: tuple[AllowRule, ...] = ()
    exclude_block: ExcludeBlock = field(default_factory=ExcludeBlock)
    builtin: bool = True
    compiled: re.Pattern[bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", re.compile(self.regex.encode()))

    def applies_to(self, path: str) -> bool:
        """Whether files at ``path`` are scanned with this rule (its path filter and path allow rules)."""
        if self.path is not None and not self.path.search(path):
            return False
        return not any(a.path is not None and a.path.search(path) for a in self.allow_rules)


def rule(
    id: str, category: str, title: str, severity: Severity, regex: str, keywords: tuple[str, ...] | str = (),
    *, path: str | None = None, allow: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
) -> Rule:
    """A built-in rule, tersely: ``allow`` are regexes of known example or placeholder matches, ``exclude``
    regexes of regions where a match is not a secret (commented-out samples)."""
    kws = (keywords,) if isinstance(keywords, str) else keywords
    return Rule(
        id=id, category=category, title=title, severity=severity, regex=regex, keywords=kws,
        path=re.compile(path) if path else None,
        allow_rules=tuple(
            AllowRule(f"{id}-placeholder-{i}", "known placeholder or example value", re.compile(a.encode()))
            for i, a in enumerate(allow)
        ),
        exclude_block=ExcludeBlock("commented out", tuple(re.compile(x.encode()) for x in exclude)),
    )


def _allow_path(id: str, description: str, path: str, regex: str | None = None) -> AllowRule:
    return AllowRule(id, description, re.compile(regex.encode()) if regex else None, re.compile(path))


BUILTIN_ALLOW_RULES: tuple[AllowRule, ...] = (
    # Test fixtures and test suites are full of deliberately fake credentials.
    _allow_path("tests", "test files and directories",
                r"(?i)(?:^|/)(?:tests?|testdata|testing|__tests__)(?:/|$)"  # a test directory anywhere
                r"|(?:^|/)tests?[-_.][^/]*$"  # test_app.py, test-config.yaml
                r"|[-_.]tests?(?:\.[^/]*)?$"),  # app_test.go, config.test.js, settings-test
    # Example files and documented example values (AWS's AKIAIOSFODNN7EXAMPLE...).
    _allow_path("examples", "example files and example values", r"(?i)example", r"(?i)example"),
    _allow_path("vendor", "vendored third-party sources", r"(?:^|/)vendor/"),
    # Package-managed system directories: documentation, headers, libraries (Debian, Alpine, RHEL alike).
    _allow_path("usr-dirs", "system directories of packaged files", r"^usr/(?:share|include|lib|lib64|libexec)/"),
    _allow_path("locale-dir", "translation catalogues", r"(?:^|/)locales?/"),
    _allow_path("markdown", "Markdown documents", r"(?i)\.(?:md|markdown)$"),
    _allow_path("node.js", "Yarn as installed by the official Node.js images", r"^opt/yarn-v[0-9.]+/"),
    _allow_path("golang", "the Go distribution of the official Go images", r"^usr/local/go/"),
    _allow_path("python", "the standard library of the official Python images", r"^usr/local/lib/python[0-9.]+/"),
    _allow_path("rubygems", "installed Ruby gems", r"^usr/(?:local/)?lib/(?:ruby/)?gems/"),
    _allow_path("wordpress", "WordPress core of the official WordPress images", r"^usr/src/wordpress/"),
    _allow_path("anaconda-log", "Anaconda installer logs", r"^var/log/anaconda/"),
    AllowRule("placeholders", "placeholder values (changeme, your-api-key-here, xxxxxxxx)", re.compile(
        rb"(?i)changeme|change_me|(?:your|my)[-_ ]?(?:api[-_ ]?)?(?:key|token|secret|password)[-_ ]?here"
        rb"|x{12,}|\*{8,}")),
)
