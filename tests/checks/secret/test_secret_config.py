"""--secret-config: Trivy's own test configs (../shared/fixtures/secrets/*.yaml) behave here as they do there,
Go regex syntax is translated, and mistakes are one-line usage errors naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullscan.checks.base import ScannerConfig
from hullscan.checks.secret import SecretScanner
from hullscan.checks.secret.config import load_config
from hullscan.checks.secret.engine import SecretEngine
from hullscan.checks.secret.extractor import to_matches
from hullscan.checks.secret.goregex import GoRegexError, to_python
from hullscan.errors import UsageError
from hullscan.model import Severity

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "secrets"
LINE2 = ("rule1", 2, "*********")  # secret="somevalue"
LINE4 = ("rule1", 4, "**********")  # secret="othervalue"
GHP = ("github-pat", 1, "ghp_********************************cdef")


def found(config: str, target: str, path: str | None = None) -> list[tuple[str, int, str]]:
    cfg = load_config(FIXTURES / config)
    engine = SecretEngine(cfg.rules, cfg.allow_rules, cfg.exclude_block)
    data = (FIXTURES / target).read_bytes()
    raw = engine.find(path or f"app/{target}", data)
    assert [(m.rule.id, m.start, m.secrets) for m in raw] == [
        (m.rule.id, m.start, m.secrets) for m in engine.find_reference(path or f"app/{target}", data)]
    return [(m.rule_id, m.line, m.masked) for m in to_matches(raw, data)]


@pytest.mark.parametrize(("config", "target", "expected"), [
    ("config.yaml", "secret.txt", [LINE2, LINE4]),
    ("config.yaml", "secret.md", []),  # Markdown stays allowed
    ("config-disable-allow-rule-md.yaml", "secret.md", [LINE2, LINE4]),
    ("exclude-block.yaml", "secret.txt", [LINE4]),  # line 2 sits between the ignore markers
    ("global-exclude-block.yaml", "secret.txt", [LINE4]),
    ("allow-regex.yaml", "secret.txt", [LINE2]),  # "other" in the match of line 4
    ("global-allow-regex.yaml", "secret.txt", [LINE2]),
    ("allow-regex-outside-group.yaml", "secret.txt", []),  # "line" is in the match, outside the group
    ("allow-path.yaml", "secret.txt", []),  # the rule's own allow path: *.txt
    ("global-allow-path.yaml", "secret.txt", []),
    ("config-disable-rule1.yaml", "secret.txt", []),
    ("config-happy-keywords.yaml", "secret.txt", [LINE2, LINE4]),
    ("config-sad-keywords.yaml", "secret.txt", []),  # no "bla" in the file: the rule never runs
    ("config-disable-ghp.yaml", "builtin-rule-secret.txt", [("aws-access-key-id", 2, "AKIA************CDEF")]),
    ("config-enable-ghp.yaml", "builtin-rule-secret.txt", [GHP]),
    ("multi-line-off.yaml", "multi-line.txt", []),  # ^ and $ are the ends of the content
    ("multi-line-on.yaml", "multi-line.txt", [("multi-line-secret", 2, "***************")]),
    ("multiple-secret-groups.yaml", "secret.txt", [("rule1", 5, "******** *********")]),
    ("skip-test.yaml", "builtin-rule-secret.txt", [GHP, ("aws-access-key-id", 2, "AKIA************CDEF")]),
])
def test_trivy_config(config: str, target: str, expected: list[tuple[str, int, str]]) -> None:
    assert found(config, target) == expected


def test_allow_path_rule_still_scans_other_paths() -> None:
    assert found("allow-path.yaml", "secret.txt", "app/secret.sh") == [LINE2, LINE4]
    assert found("global-allow-path.yaml", "secret.txt", "app/secret.sh") == [LINE2, LINE4]


def test_skip_test_config_scans_test_paths() -> None:
    assert len(found("skip-test.yaml", "builtin-rule-secret.txt", "tests/creds.txt")) == 2
    assert found("config.yaml", "builtin-rule-secret.txt", "tests/creds.txt") != []  # tests disabled there too


def test_multiple_secret_groups_mask_both_in_the_snippet() -> None:
    cfg = load_config(FIXTURES / "multiple-secret-groups.yaml")
    data = (FIXTURES / "secret.txt").read_bytes()
    (m,) = to_matches(SecretEngine(cfg.rules, cfg.allow_rules).find("app/secret.txt", data), data)
    assert m.snippet == 'credentials: { user: "********" password: "*********" }'


@pytest.mark.parametrize(("config", "severity"), [
    ("config-with-non-uppercase-severity.yaml", Severity.UNKNOWN),  # "uNknown"
    ("config-without-severity.yaml", Severity.UNKNOWN),
    ("config.yaml", Severity.HIGH),
])
def test_severity(config: str, severity: Severity) -> None:
    (rule,) = [r for r in load_config(FIXTURES / config).rules if r.id == "rule1"]
    assert rule.severity is severity
    assert rule.category == "general" and rule.title == "Generic Rule"


def test_bad_severity_is_a_usage_error_naming_file_and_line() -> None:
    with pytest.raises(UsageError) as err:
        load_config(FIXTURES / "config-with-incorrect-severity.yaml")
    assert str(err.value).startswith(f"{FIXTURES / 'config-with-incorrect-severity.yaml'}:5: ")
    assert "'bad'" in str(err.value)


@pytest.mark.parametrize(("text", "line", "words"), [
    ("rules:\n  - id: r\n    regex: 'a(b'\n", 3, "invalid regex of rule r"),
    ("rules:\n  - id: r\n    regex: '\\pL+'\n", 3, "Unicode classes"),
    ("rules:\n  - id: r\n    regex: a\n    secret-group-name: s\n", 4, "no group named 's'"),
    ("rules:\n  - id: r\n", 2, "needs 'regex'"),
    ("disable-rule:\n  - github-pat\n", 1, "unknown key 'disable-rule'"),
    ("allow-rules:\n  - id: a\n    description: nothing to match\n", 2, "needs a regex or a path"),
    ("rules: [\n", 2, "not valid YAML"),
])
def test_config_mistakes(tmp_path: Path, text: str, line: int, words: str) -> None:
    cfg = tmp_path / "secret.yaml"
    cfg.write_text(text)
    with pytest.raises(UsageError) as err:
        load_config(cfg)
    assert str(err.value).startswith(f"{cfg}:{line}: "), str(err.value)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the secret config"):
        SecretScanner(ScannerConfig(secret_config=tmp_path / "nope.yaml"))


def test_config_digest_names_the_extractor() -> None:
    plain = SecretScanner(ScannerConfig())
    custom = SecretScanner(ScannerConfig(secret_config=FIXTURES / "config.yaml"))
    other = SecretScanner(ScannerConfig(secret_config=FIXTURES / "config-disable-ghp.yaml"))
    assert plain.extractor.name == "secret/scan"
    assert custom.extractor.name.startswith("secret/scan+")
    assert len({plain.extractor.name, custom.extractor.name, other.extractor.name}) == 3


def test_custom_rule_replaces_builtin_with_same_id_and_keywords_are_lowercased(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("rules:\n  - id: github-pat\n    category: mine\n    title: Mine\n    severity: low\n"
                   "    regex: 'tok_(?P<s>[0-9]{6})'\n    secret-group-name: s\n    keywords: [TOK_]\n")
    rules = {r.id: r for r in load_config(cfg).rules}
    assert rules["github-pat"].category == "mine" and rules["github-pat"].keywords == ("tok_",)
    assert "aws-access-key-id" in rules
    engine = SecretEngine(tuple(rules.values()))
    assert [m.values(b"x tok_123456") for m in engine.find("a", b"x tok_123456")] == [(b"123456",)]


def test_prefilter_and_fallback_for_patterns_hyperscan_lacks(tmp_path: Path) -> None:
    """Look-around and back-references: Hyperscan prefilters or steps aside; findings stay re's."""
    cfg = tmp_path / "c.yaml"
    cfg.write_text("rules:\n"
                   "  - id: lookbehind\n    regex: '(?<=key=)(?P<secret>[0-9]{6})'\n    secret-group-name: secret\n"
                   "  - id: backref\n    regex: '(?P<q>[\"''])(?P<secret>pw[0-9]{4})(?P=q)'\n"
                   "    secret-group-name: secret\n"
                   "enable-builtin-rules: [none]\n")
    c = load_config(cfg)
    engine = SecretEngine(c.rules, ())
    data = b"key=123456 x 'pw1234' y \"pw9999' z"
    got = [(m.rule.id, m.values(data)) for m in engine.find("a", data)]
    assert got == [("lookbehind", (b"123456",)), ("backref", (b"pw1234",))]
    assert got == [(m.rule.id, m.values(data)) for m in engine.find_reference("a", data)]
    assert "lookbehind" in engine.prefiltered


@pytest.mark.parametrize(("go", "python"), [
    (r"(?i)abc", r"(?i)abc"),
    (r"a(?i)b|c", r"a(?i:b)|(?i:c)"),
    (r"(x(?s)y|z)w", r"(x(?s:y)|(?s:z))w"),
    (r"end\z", r"end\Z"),
    (r"(?<k>a)(?P<k>b)", r"(?P<k>a)(?P<k__2>b)"),
    (r"[[:digit:][:upper:]]", r"[0-9A-Z]"),
    (r"\Q1+1\E", r"1\+1"),
    (r"a{,2}", r"a\{,2}"),
    (r"[]a]", r"[\]a]"),
])
def test_go_regex_translation(go: str, python: str) -> None:
    assert to_python(go) == python


@pytest.mark.parametrize("go", [r"(?U)a+", r"\pL", r"[[:^alpha:]]", r"(a", r"a)"])
def test_go_regex_unsupported(go: str) -> None:
    with pytest.raises(GoRegexError):
        to_python(go)
