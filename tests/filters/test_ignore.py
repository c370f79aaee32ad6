"""Ignore files, plain and YAML (ours and Trivy's shapes), on findings built by hand."""

from __future__ import annotations

import doctest
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from filters.builders import (
    BUSYBOX,
    LIBCRYPTO,
    LOG4J,
    MUSL,
    MUSL_UTILS,
    REQUESTS,
    URLLIB3,
    ZLIB,
    apk,
    deb,
    eol,
    pypi,
    vuln,
    write,
)
from hullscan.errors import UsageError
from hullscan.filters import _glob
from hullscan.filters._glob import glob_match
from hullscan.filters.ignore import Ignored, IgnoreRules, apply_ignore, default_ignore_file, load_ignore
from hullscan.model import Finding, Severity

TODAY = date(2026, 11, 26)


def ids(items: Iterable[Finding | Ignored]) -> list[tuple[str, str]]:
    findings = [i.finding if isinstance(i, Ignored) else i for i in items]
    return [(f.id, f.target) for f in findings]


# ---------------------------------------------------------------------------------------------- plain form


def test_plain_ids_comments_expiry_and_aliases(tmp_path: Path) -> None:
    rules = load_ignore(write(tmp_path, ".hullscanignore", (
        "# accepted risks, reviewed 2026-11-02\n"
        "CVE-2020-28928            # musl wcsnrtombs: not reachable\n"
        "CVE-2022-37434 exp:2026-11-26   # last day today: still applies\n"
        "  CVE-2018-25032 exp:2026-11-25\n"
        "\n"
        "ghsa-x84v-xcm2-53pg\n"  # case does not matter; matches requests' CVE through its alias
        "os/end-of-life exp:2027-01-31\n"
    )))
    assert isinstance(rules, IgnoreRules) and len(rules) == 5
    findings = [
        vuln("CVE-2020-28928", MUSL, fixed="1.1.24-r3"),
        vuln("CVE-2020-28928", MUSL_UTILS, fixed="1.1.24-r3"),
        vuln("CVE-2022-37434", ZLIB, severity=Severity.CRITICAL, fixed="1.2.12-r2"),
        vuln("CVE-2018-25032", ZLIB, fixed="1.2.12-r0"),
        vuln("CVE-2018-18074", REQUESTS, fixed="2.20.0", aliases=("GHSA-x84v-xcm2-53pg", "PYSEC-2018-28")),
        vuln("CVE-2021-28831", BUSYBOX, fixed="1.31.1-r10"),
        eol(),
    ]
    kept, ignored, expired = apply_ignore(findings, rules, TODAY)
    assert ids(ignored) == [
        ("CVE-2020-28928", "musl@1.1.24-r2"),
        ("CVE-2020-28928", "musl-utils@1.1.24-r2"),
        ("CVE-2022-37434", "zlib@1.2.11-r3"),
        ("CVE-2018-18074", "requests@2.19.1"),
        ("os/end-of-life", "alpine 3.11.5"),
    ]
    assert ids(kept) == [("CVE-2018-25032", "zlib@1.2.11-r3"), ("CVE-2021-28831", "busybox@1.31.1-r9")]
    assert [(r.id, r.where, r.expires) for r in expired] == [
        ("CVE-2018-25032", f"{tmp_path}/.hullscanignore:4", date(2026, 11, 25))]
    # The rule that ignored each finding comes back with it.
    assert ignored[3].rule.id == "ghsa-x84v-xcm2-53pg" and ignored[3].rule.line == 6


def test_expiry_is_judged_against_the_given_day(tmp_path: Path) -> None:
    rules = load_ignore(write(tmp_path, ".hullscanignore", "CVE-2021-3711 exp:2026-06-30\n"))
    finding = vuln("CVE-2021-3711", LIBCRYPTO, severity=Severity.CRITICAL, fixed="1.1.1l-r0")
    before = apply_ignore([finding], rules, date(2026, 6, 30))
    after = apply_ignore([finding], rules, date(2026, 7, 1))
    assert before.kept == () and len(before.ignored) == 1 and before.expired == ()
    assert after.kept == (finding,) and after.ignored == () and [r.id for r in after.expired] == ["CVE-2021-3711"]


def test_trivyignore_plain(tmp_path: Path) -> None:
    """The shape of Trivy's documented .trivyignore: comments, ids of every kind, exp: dates."""
    rules = load_ignore(write(tmp_path, ".trivyignore", (
        "# Accept the risk\n"
        "CVE-2018-14618\n"
        "\n"
        "# Accept the risk until 2023-01-01\n"
        "CVE-2019-14697 exp:2023-01-01\n"
        "\n"
        "# No impact in our settings\n"
        "CVE-2019-1543\n"
        "\n"
        "# Ignore misconfigurations\n"
        "AVD-DS-0002\n"
        "\n"
        "# Ignore secrets\n"
        "generic-unwrapped-rule\n"
        "aws-access-key-id\n"
    )))
    assert [(r.id, r.expires) for r in rules] == [
        ("CVE-2018-14618", None), ("CVE-2019-14697", date(2023, 1, 1)), ("CVE-2019-1543", None),
        ("AVD-DS-0002", None), ("generic-unwrapped-rule", None), ("aws-access-key-id", None)]
    out = apply_ignore([vuln("CVE-2019-14697", MUSL, fixed="1.1.22-r3"), vuln("CVE-2019-1543", LIBCRYPTO)],
                       rules, TODAY)
    assert ids(out.kept) == [("CVE-2019-14697", "musl@1.1.24-r2")]  # its entry expired in 2023
    assert ids(out.ignored) == [("CVE-2019-1543", "libcrypto1.1@1.1.1d-r3")]


# ---------------------------------------------------------------------------------------------- YAML form


def test_yaml_purls_paths_statements(tmp_path: Path) -> None:
    rules = load_ignore(write(tmp_path, ".hullscanignore.yaml", (
        "vulnerabilities:\n"
        "  - id: CVE-2020-28928\n"
        "    purls: [pkg:apk/alpine/musl]             # every version of musl, not musl-utils\n"
        "    statement: wcsnrtombs is not reachable from our service\n"
        "  - id: CVE-2021-3711\n"
        "    purls:\n"
        "      - pkg:apk/alpine/libcrypto1.1@1.1.1d-r3?arch=aarch64   # another build: no match\n"
        "  - id: CVE-2019-11324\n"
        "    paths: ['usr/lib/python3/dist-packages/**']\n"
        "    expires: 2027-03-31\n"
        "    reason: Debian's python3-urllib3, patched by the distribution\n"
        "  - id: CVE-2018-18074\n"
        "    paths: ['/opt/**/METADATA', 'srv/*/METADATA']\n"
        "findings:\n"
        "  - id: CVE-2021-44228\n"
        "    purls: pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1\n"
        "    expired_at: 2026-01-15\n"
    )))
    musl = vuln("CVE-2020-28928", MUSL, fixed="1.1.24-r3")
    musl_utils = vuln("CVE-2020-28928", MUSL_UTILS, fixed="1.1.24-r3")
    crypto = vuln("CVE-2021-3711", LIBCRYPTO, fixed="1.1.1l-r0")
    debian_urllib3 = vuln("CVE-2019-11324", URLLIB3, fixed="1.24.2")
    local_urllib3 = vuln("CVE-2019-11324", pypi("urllib3", "1.24.1"), fixed="1.24.2")
    requests = vuln("CVE-2018-18074", REQUESTS, fixed="2.20.0")  # in usr/local/...: no path matches
    log4j = vuln("CVE-2021-44228", LOG4J, severity=Severity.CRITICAL, fixed="2.15.0")
    out = apply_ignore([musl, musl_utils, crypto, debian_urllib3, local_urllib3, requests, log4j], rules, TODAY)
    assert [i.finding for i in out.ignored] == [musl, debian_urllib3]
    assert out.ignored[0].rule.statement == "wcsnrtombs is not reachable from our service"
    assert out.ignored[1].rule.statement == "Debian's python3-urllib3, patched by the distribution"
    assert out.ignored[1].rule.expires == date(2027, 3, 31)
    assert out.kept == (musl_utils, crypto, local_urllib3, requests, log4j)
    assert [(r.id, r.section, r.line) for r in out.expired] == [("CVE-2021-44228", "findings", 15)]


def test_trivyignore_yaml(tmp_path: Path) -> None:
    """The shape of Trivy's .trivyignore.yaml: four sections, empty ones included, RFC 3339 dates."""
    rules = load_ignore(write(tmp_path, ".trivyignore.yaml", (
        "vulnerabilities:\n"
        "  - id: CVE-2022-40897\n"
        "    paths:\n"
        "      - \"usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA\"\n"
        "    statement: Accept the risk\n"
        "  - id: CVE-2023-2650\n"
        "  - id: CVE-2023-3817\n"
        "    purls:\n"
        "      - \"pkg:deb/debian/libssl1.1\"\n"
        "    expired_at: 2027-09-01T00:00:00Z\n"
        "misconfigurations:\n"
        "  - id: AVD-DS-0001\n"
        "  - id: AVD-DS-0002\n"
        "    paths:\n"
        "      - \"docs/Dockerfile\"\n"
        "    statement: The image needs root privileges\n"
        "secrets:\n"
        "licenses:\n"
        "  - id: GPL-3.0\n"
        "    paths:\n"
        "      - \"usr/share/gcc/python/libstdcxx/v6/printers.py\"\n"
    )))
    assert [(r.id, r.section) for r in rules] == [
        ("CVE-2022-40897", "vulnerabilities"), ("CVE-2023-2650", "vulnerabilities"),
        ("CVE-2023-3817", "vulnerabilities"), ("AVD-DS-0001", "misconfigurations"),
        ("AVD-DS-0002", "misconfigurations"), ("GPL-3.0", "licenses")]
    assert rules.rules[2].expires == date(2027, 9, 1)
    setuptools = vuln("CVE-2022-40897", pypi("setuptools", "58.1.0", site="usr/local/lib/python3.9/site-packages"),
                      fixed="65.5.1")
    libssl = vuln("CVE-2023-3817", deb("libssl1.1", "1.1.1n-0+deb11u4"), fixed="1.1.1v-0~deb11u1")
    openssl = vuln("CVE-2023-3817", deb("openssl", "1.1.1n-0+deb11u4"), fixed="1.1.1v-0~deb11u1")
    out = apply_ignore([setuptools, libssl, openssl], rules, TODAY)
    assert [i.finding for i in out.ignored] == [setuptools, libssl]
    assert out.kept == (openssl,)


def test_yaml_content_in_a_file_without_yaml_suffix(tmp_path: Path) -> None:
    rules = load_ignore(write(tmp_path, ".hullscanignore", "# ours\nvulnerabilities:\n  - id: CVE-2020-28928\n"))
    assert [(r.id, r.section) for r in rules] == [("CVE-2020-28928", "vulnerabilities")]


def test_numeric_yaml_ids_are_text(tmp_path: Path) -> None:
    rules = load_ignore(write(tmp_path, "x.yaml", "findings:\n  - id: 20230101\n"))
    assert [r.id for r in rules] == ["20230101"]


def test_empty_files(tmp_path: Path) -> None:
    assert len(load_ignore(write(tmp_path, "empty.yaml", ""))) == 0
    assert len(load_ignore(write(tmp_path, ".hullscanignore", "# nothing yet\n\n"))) == 0
    assert len(load_ignore(write(tmp_path, "sections.yaml", "vulnerabilities:\nfindings: []\n"))) == 0


def test_path_rules_for_findings_without_a_package(tmp_path: Path) -> None:
    rules = load_ignore(write(tmp_path, "x.yaml", "findings:\n  - id: os/end-of-life\n    paths: ['alpine *']\n"))
    assert len(apply_ignore([eol()], rules, TODAY).ignored) == 1


def test_a_purl_rule_never_matches_a_package_without_purl(tmp_path: Path) -> None:
    rules = load_ignore(write(tmp_path, "x.yaml", "vulnerabilities:\n  - {id: CVE-1, purls: [pkg:apk/alpine/musl]}\n"))
    bare = apk("musl", "1.1.24-r2")
    no_purl = vuln("CVE-1", replace(bare, purl=""))
    assert apply_ignore([no_purl], rules, TODAY).kept == (no_purl,)


def test_glob_docstring_examples() -> None:
    result = doctest.testmod(_glob)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(("pattern", "path", "expected"), [
    ("usr/lib/python3*/site-packages/**", "usr/lib/python3.11/site-packages/x-1.0.dist-info/METADATA", True),
    ("usr/*/METADATA", "usr/lib/x/METADATA", False),  # * stays within a segment
    ("**/METADATA", "METADATA", True),
    ("/lib/apk/db/installed", "lib/apk/db/installed", True),
    ("./lib/apk/db/*", "lib/apk/db/installed", True),
    ("opt/{app,srv}/**/*.jar", "opt/app/lib/log4j-core-2.14.1.jar", True),
    ("opt/{app,srv}/**/*.jar", "opt/tools/x.jar", False),
    ("var/lib/dpkg/statu?", "var/lib/dpkg/status", True),
    ("var/lib/[a-d]pkg/status", "var/lib/dpkg/status", True),
    ("var/lib/[!d]pkg/status", "var/lib/dpkg/status", False),
])
def test_globs(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


def test_default_ignore_file(tmp_path: Path) -> None:
    assert default_ignore_file(tmp_path) is None
    (tmp_path / ".trivyignore").write_text("CVE-1\n")
    assert default_ignore_file(tmp_path) is None  # Trivy's files only when named
    (tmp_path / ".hullscanignore.yaml").write_text("vulnerabilities: []\n")
    assert default_ignore_file(tmp_path) == tmp_path / ".hullscanignore.yaml"
    (tmp_path / ".hullscanignore").write_text("CVE-1\n")
    assert default_ignore_file(tmp_path) == tmp_path / ".hullscanignore"


# ---------------------------------------------------------------------------------------------- malformed


@pytest.mark.parametrize(("name", "text", "message"), [
    (".hullscanignore", "CVE-2020-28928\nCVE-2021-3711 until:2026-01-01\n",
     r"\.hullscanignore:2: unexpected 'until:2026-01-01'"),
    (".hullscanignore", "# c\n\nCVE-2021-3711 exp:2026-13-01\n", r"\.hullscanignore:3: invalid date '2026-13-01'"),
    (".hullscanignore", "CVE-2021-3711 exp:31/12/2026\n", r"\.hullscanignore:1: invalid date"),
    (".trivyignore", "exp:2026-01-01 CVE-2021-3711\n", r"\.trivyignore:1: .*the id comes first"),
    (".hullscanignore", "CVE-1 exp:2026-01-01 exp:2027-01-01\n", r":1: more than one exp: date"),
    (".hullscanignore", "CVE-2021-3711,CVE-2021-3712\n", r":1: 'CVE-2021-3711,CVE-2021-3712' is not a finding id"),
    ("x.yaml", "vulnerabilities:\n  - id: CVE-1\n   bad: [\n", r"x\.yaml:3: not valid YAML"),
    ("x.yaml", "vulnerabilities:\n  - id: CVE-1\n    expired-at: 2026-01-01\n",
     r"x\.yaml:3: unknown key 'expired-at'"),
    ("x.yaml", "vulnerabilites:\n  - id: CVE-1\n", r"x\.yaml:1: unknown section 'vulnerabilites'"),
    ("x.yaml", "vulnerabilities:\n  - id: CVE-1\n  - statement: no id\n", r"x\.yaml:3: the entry needs an 'id'"),
    ("x.yml", "vulnerabilities:\n  - CVE-1\n", r"x\.yml:1: each entry of 'vulnerabilities' must be a mapping"),
    ("x.yaml", "vulnerabilities:\n  id: CVE-1\n", r"x\.yaml:1: 'vulnerabilities' must be a list"),
    ("x.yaml", "- CVE-1\n", r"x\.yaml:1: expected a mapping"),
    ("x.yaml", "vulnerabilities:\n  - id: CVE-1\n    purls: [pkg:apk/alpine/musl]\n  - id: CVE-2\n"
               "    purls: [apk/alpine/musl]\n", r"x\.yaml:5: invalid PURL 'apk/alpine/musl'"),
    ("x.yaml", "vulnerabilities:\n  - id: CVE-1\n    paths: ['usr/lib/[abc']\n", r"x\.yaml:3: invalid path glob"),
    ("x.yaml", "vulnerabilities:\n  - id: CVE-1\n    paths: [1, 2]\n", r"x\.yaml:3: 'paths' must be a string"),
    ("x.yaml", "vulnerabilities:\n  - id: CVE-1\n    expired_at: next year\n", r"x\.yaml:3: invalid date"),
], ids=["bad-token", "bad-date", "bad-date-format", "exp-first", "two-dates", "comma-list", "bad-yaml",
        "unknown-key", "unknown-section", "no-id", "entry-not-mapping", "section-not-list", "not-a-mapping",
        "bad-purl", "bad-glob", "paths-not-strings", "yaml-bad-date"])
def test_malformed_files_name_file_and_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load_ignore(write(tmp_path, name, text))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot read ignore file .*missing: no such file"):
        load_ignore(tmp_path / "missing")
    (tmp_path / "latin1").write_bytes(b"CVE-2020-28928\n# r\xe9sum\xe9\n")
    with pytest.raises(UsageError, match=r"latin1:2: the ignore file is not UTF-8"):
        load_ignore(tmp_path / "latin1")
