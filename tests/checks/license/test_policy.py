"""``--license-policy`` files: what they decide, and every way a file can be wrong (file:line errors)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hullscan.checks.license.categories import Category
from hullscan.checks.license.policy import DEFAULT_REPORT, LicensePolicy, Verdict, load_policy
from hullscan.checks.license.spdx import License, parse
from hullscan.errors import UsageError
from hullscan.model import Package, PackageType, Severity


def policy(tmp_path: Path, text: str) -> LicensePolicy:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return load_policy(path)


def verdict(p: LicensePolicy, expression: str) -> Verdict:
    return p.decide(parse(expression)).verdict


def test_deny_a_gnu_version_means_only_and_or_later(tmp_path: Path) -> None:
    p = policy(tmp_path, "deny: [GPL-3.0]\n")
    assert verdict(p, "GPL-3.0-only") is Verdict.DENIED
    assert verdict(p, "GPL-3.0-or-later") is Verdict.DENIED
    assert verdict(p, "GPL-3.0-or-later WITH Bison-exception-2.2") is Verdict.DENIED
    assert verdict(p, "GPL-2.0-only") is Verdict.UNLISTED  # no allow list: the category decides
    assert verdict(p, "LGPL-3.0-only") is Verdict.UNLISTED
    decision = p.decide(parse("GPL-3.0-only"))
    assert [(r.text, r.line) for r in decision.rules] == [("GPL-3.0", 1)]


def test_an_exact_suffix_is_exact(tmp_path: Path) -> None:
    p = policy(tmp_path, "deny:\n  - gpl-3.0-only\n")
    assert verdict(p, "GPL-3.0-only") is Verdict.DENIED
    assert verdict(p, "GPL-3.0-or-later") is Verdict.UNLISTED


def test_an_allow_list_denies_what_it_does_not_name(tmp_path: Path) -> None:
    p = policy(tmp_path, "allow: [notice, unencumbered, MPL-2.0]\n")
    assert verdict(p, "MIT") is Verdict.ALLOWED
    assert verdict(p, "MPL-2.0") is Verdict.ALLOWED
    assert verdict(p, "CC0-1.0") is Verdict.ALLOWED
    assert verdict(p, "EPL-2.0") is Verdict.DENIED
    assert p.decide(parse("EPL-2.0")).rules == ()  # "not in the allow list"
    assert verdict(p, "LicenseRef-foo") is Verdict.DENIED


def test_the_most_specific_entry_decides_and_deny_wins_a_tie(tmp_path: Path) -> None:
    p = policy(tmp_path, "allow: [LGPL-2.1, MIT, 'GPL-2.0-only WITH Classpath-exception-2.0']\n"
                         "deny: [restricted, MIT, 'BSD-*', GPL-2.0-only]\n")
    assert verdict(p, "LGPL-2.1-or-later") is Verdict.ALLOWED  # a family beats a category
    assert verdict(p, "GPL-3.0-only") is Verdict.DENIED  # the category
    assert verdict(p, "MIT") is Verdict.DENIED  # allowed and denied alike: deny
    assert verdict(p, "BSD-3-Clause") is Verdict.DENIED  # the glob
    assert verdict(p, "GPL-2.0-only") is Verdict.DENIED
    assert verdict(p, "GPL-2.0-only WITH Classpath-exception-2.0") is Verdict.ALLOWED  # licence + exception


def test_and_needs_every_part_or_needs_one_choice(tmp_path: Path) -> None:
    p = policy(tmp_path, "allow: [MIT, Apache-2.0]\ndeny: [GPL-3.0]\n")
    assert verdict(p, "GPL-3.0-only OR MIT") is Verdict.ALLOWED
    assert verdict(p, "GPL-3.0-only AND MIT") is Verdict.DENIED
    assert verdict(p, "(GPL-3.0-only OR MIT) AND Apache-2.0") is Verdict.ALLOWED
    assert verdict(p, "GPL-3.0-only OR LGPL-2.1-only") is Verdict.DENIED
    deny_only = policy(tmp_path, "deny: [GPL-3.0]\n")
    assert verdict(deny_only, "GPL-3.0-only OR MIT") is Verdict.UNLISTED
    assert verdict(deny_only, "GPL-3.0-only AND MIT") is Verdict.DENIED


def test_ignore_packages_severity_and_report(tmp_path: Path) -> None:
    p = policy(tmp_path, "ignore-packages: [libc6, 'pkg:npm/*', 'openssl@3.0.*', 'org.example/*']\n"
                         "severity: {denied: critical, unknown: LOW, Restricted: MEDIUM}\n"
                         "report: [restricted, notice]\n")
    assert p.ignores(Package(PackageType.DEB, "libc6", "2.36"))
    assert p.ignores(Package(PackageType.NPM, "lodash", "4.17.20", purl="pkg:npm/lodash@4.17.20"))
    assert p.ignores(Package(PackageType.DEB, "openssl", "3.0.11-1"))
    assert not p.ignores(Package(PackageType.DEB, "openssl", "1.1.1"))
    assert p.ignores(Package(PackageType.MAVEN, "lib", "1", namespace="org.example"))
    assert not p.ignores(Package(PackageType.DEB, "libc6-dev", "2.36"))
    assert p.denied_severity is Severity.CRITICAL
    assert p.severities[Category.UNKNOWN] is Severity.LOW
    assert p.severities[Category.RESTRICTED] is Severity.MEDIUM
    assert p.severities[Category.FORBIDDEN] is Severity.CRITICAL  # untouched: Trivy's default
    assert p.report == {Category.RESTRICTED, Category.NOTICE}


def test_the_default_policy(tmp_path: Path) -> None:
    p = LicensePolicy()
    assert p.decide(License("AGPL-3.0-only")).verdict is Verdict.UNLISTED
    assert p.report == DEFAULT_REPORT == {Category.FORBIDDEN, Category.RESTRICTED, Category.RECIPROCAL,
                                          Category.UNKNOWN}
    empty_lists = policy(tmp_path, "allow:\ndeny: []\n")
    assert empty_lists.decide(License("MIT")).verdict is Verdict.UNLISTED  # an empty allow list is no list


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("allow: [MIT\n", "policy.yaml:2: not valid YAML"),
        ("- MIT\n- GPL-3.0\n", "policy.yaml:1: the license policy must be a mapping"),
        ("allow: [MIT]\nforbid: [GPL-3.0]\n", "policy.yaml:2: unknown key 'forbid'"),
        ("deny: GPL-3.0\n", "policy.yaml:1: 'deny' must be a list"),
        ("allow:\n  - MIT\n  - Apache 2\n", "policy.yaml:3: unknown license 'Apache 2'"),
        ("deny:\n  - 'GPL-2.0-only WITH Nonsense-exception'\n",
         "policy.yaml:2: unknown license exception 'Nonsense-exception'"),
        ("deny: [[GPL-3.0]]\n", "policy.yaml:1: expected a single value here"),
        ("deny: ['']\n", "policy.yaml:1: empty entry in 'deny'"),
        ("report: [restricted, dangerous]\n", "policy.yaml:1: unknown category 'dangerous'"),
        ("severity:\n  restricted: SEVERE\n", "policy.yaml:2: unknown severity 'SEVERE'"),
        ("severity: [HIGH]\n", "policy.yaml:1: 'severity' must map categories"),
        ("severity: {awful: HIGH}\n", "policy.yaml:1: unknown category 'awful'"),
        ("deny: [MIT]\ndeny: [ISC]\n", "policy.yaml:2: 'deny' given twice"),
        ("", "the license policy is empty"),
    ],
)
def test_malformed_policies_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        policy(tmp_path, text)
    assert message in str(info.value)
    assert str(tmp_path / "policy.yaml") in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the license policy"):
        load_policy(tmp_path / "nope.yaml")
