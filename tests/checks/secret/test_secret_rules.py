"""The built-in rules: at least 80, each complete, each compiling unchanged in both engines, each finding its
sample (and exactly the secret of it), and the two engines agreeing."""

from __future__ import annotations

import re
from pathlib import Path

import hyperscan
import pytest

from checks.secret.samples import SAMPLES
from hullscan.checks.secret.builtin import BUILTIN_RULES
from hullscan.checks.secret.engine import SecretEngine
from hullscan.checks.secret.rules import BUILTIN_ALLOW_RULES
from hullscan.model import Severity

ENGINE = SecretEngine(BUILTIN_RULES, BUILTIN_ALLOW_RULES)


def test_at_least_80_rules_with_unique_ids() -> None:
    ids = [r.id for r in BUILTIN_RULES]
    assert len(ids) >= 80
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ids)


@pytest.mark.parametrize("rule", BUILTIN_RULES, ids=lambda r: r.id)
def test_rule_is_complete(rule: object) -> None:
    from hullscan.checks.secret.rules import Rule

    assert isinstance(rule, Rule)
    assert rule.category and rule.title and rule.severity is not Severity.UNKNOWN
    assert rule.keywords, "every built-in rule needs keywords for the prefilter"
    assert all(k == k.lower() for k in rule.keywords)
    assert rule.secret_group in rule.compiled.groupindex


@pytest.mark.parametrize("rule", BUILTIN_RULES, ids=lambda r: r.id)
def test_rule_compiles_exactly_in_hyperscan(rule: object) -> None:
    """No prefilter approximation for built-ins: Hyperscan must accept each pattern as written."""
    from hullscan.checks.secret.rules import Rule

    assert isinstance(rule, Rule)
    db = hyperscan.Database()
    db.compile(expressions=[rule.regex.encode()], ids=[0], elements=1, flags=[hyperscan.HS_FLAG_SINGLEMATCH])
    re.compile(rule.regex.encode())  # and in Python (done at import too)


def test_whole_database_compiles_with_keywords() -> None:
    assert ENGINE.accelerated
    assert ENGINE.prefiltered == frozenset()


def test_every_rule_has_a_sample() -> None:
    assert set(SAMPLES) == {r.id for r in BUILTIN_RULES}


@pytest.mark.parametrize("rule_id", sorted(SAMPLES))
def test_rule_finds_its_sample_and_exactly_the_secret(rule_id: str) -> None:
    path, before, secret, after = SAMPLES[rule_id]
    data = (before + secret + after).encode()
    found = [m for m in ENGINE.find(path, data) if m.rule.id == rule_id]
    assert found, f"{rule_id} missed its sample"
    assert found[0].values(data) == (secret.encode(),)
    # The same content with the keyword engine alone gives the same matches.
    ref = [(m.rule.id, m.secrets) for m in ENGINE.find_reference(path, data)]
    assert [(m.rule.id, m.secrets) for m in ENGINE.find(path, data)] == ref


def test_all_samples_in_one_file_agree_between_engines() -> None:
    data = "\n".join(b + s + a for p, b, s, a in SAMPLES.values() if p == "app/env").encode()
    fast = [(m.rule.id, m.start, m.secrets) for m in ENGINE.find("app/env", data)]
    slow = [(m.rule.id, m.start, m.secrets) for m in ENGINE.find_reference("app/env", data)]
    assert fast == slow
    assert len({r for r, _, _ in fast}) >= 80


def test_keywords_gate_rules_in_both_engines() -> None:
    """A rule runs only when a keyword occurs: Trivy's semantics, kept under Hyperscan."""
    from hullscan.checks.secret.rules import Rule

    rule = Rule("needs-kw", "t", "t", Severity.HIGH, r"(?P<secret>zz[0-9]{6})", ("magic",), builtin=False)
    engine = SecretEngine([rule])
    assert engine.find("f", b"zz123456") == []
    assert engine.find_reference("f", b"zz123456") == []
    assert [m.values(b"MAGIC zz123456") for m in engine.find("f", b"MAGIC zz123456")] == [(b"zz123456",)]


def test_commented_out_maven_samples_are_not_secrets() -> None:
    """Maven's stock settings.xml (Debian's /etc/maven/settings.xml) documents <server> entries inside XML
    comments; only a password outside a comment is one."""
    data = (b"<settings><servers>\n<!--\n  <server>\n    <id>deploymentRepo</id>\n"
            b"    <password>repopwd</password>\n  </server>\n-->\n"
            b"<server><id>nexus</id><password>Zx9-real-Pw-42</password></server>\n</servers></settings>\n")
    for find in (ENGINE.find, ENGINE.find_reference):
        found = [m.values(data) for m in find("etc/maven/settings.xml", data) if m.rule.id == "maven-settings-password"]
        assert found == [(b"Zx9-real-Pw-42",)]


def test_minified_code_is_not_a_connection_string() -> None:
    code = b'case"auth":var r=o.indexOf(":");n.host=e.host;x;n.password=o.slice(r+1)'
    config = b'ConnectionStrings__Default="Server=db.internal;Database=app;User Id=app;Password=Xk29-pw-real;"'
    for find in (ENGINE.find, ENGINE.find_reference):
        assert [m for m in find("app/bundle.min.js", code) if m.rule.id == "connection-string-password"] == []
        found = [m.values(config) for m in find("app/env", config) if m.rule.id == "connection-string-password"]
        assert found == [(b"Xk29-pw-real",)]


def test_the_compiled_database_is_kept_between_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hullscan.checks.secret import engine as engine_module

    data = (b"x\n" + SAMPLES["github-pat"][1].encode() + SAMPLES["github-pat"][2].encode() + b"\n")
    expected = [(m.rule.id, m.secrets) for m in ENGINE.find("app/env", data)]
    assert expected

    def fresh() -> list[tuple[str, object]]:
        monkeypatch.setattr(engine_module, "_COMPILED", {})  # as a new process would start
        e = SecretEngine(BUILTIN_RULES, BUILTIN_ALLOW_RULES, database_dir=tmp_path / "hs")
        return [(m.rule.id, m.secrets) for m in e.find("app/env", data)]

    assert fresh() == expected
    (saved,) = (tmp_path / "hs").iterdir()
    first = saved.read_bytes()
    assert fresh() == expected and saved.read_bytes() == first  # loaded, not rewritten
    saved.write_bytes(first[:32] + b"\0" * 64 + first[96:])  # damaged: compiled again and saved anew
    assert fresh() == expected and saved.read_bytes() == first
    saved.write_bytes(b"garbage")
    assert fresh() == expected
