"""Semantic versions (npm, Cargo) against npm's own ``semver`` package, run under node for all pairs at once."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hullscan.versions import semver
from versions import (
    PROPERTY_SETTINGS,
    SEED,
    Pair,
    assert_agrees,
    check_key_properties,
    mixed_pairs,
    parse_answers,
    regex_in_files,
    regex_in_tarball,
    require_tool,
    run,
    tool_cache_dir,
    write_pairs,
)

SEMVER_IN_TEXT = (
    r"(?<![0-9A-Za-z.])(v?(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"
    r"(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)"
)
_IDENTIFIERS = ["0", "1", "2", "10", "alpha", "beta", "rc", "x", "X", "a-b", "-", "0a", "1-2", "20210101", "next", "Z9"]


def random_version(rng: random.Random) -> str:
    core = ".".join(str(rng.choice([0, 0, 1, 2, 3, 10, 12, 2024])) for _ in range(3))
    if rng.random() < 0.6:
        core += "-" + ".".join(rng.choice(_IDENTIFIERS) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.2:
        core += "+" + rng.choice(["build", "001", "sha.abc", "x-y.1"])
    return rng.choice(["", "", "", "v"]) + core


_NUMBER = st.sampled_from(["0", "1", "2", "10", "11"])
VERSIONS = st.builds(
    lambda core, pre, build: ".".join(core) + ("-" + ".".join(pre) if pre else "") + build,
    st.tuples(_NUMBER, _NUMBER, _NUMBER),
    st.lists(st.sampled_from(_IDENTIFIERS), max_size=3),
    st.sampled_from(["", "", "+b", "+001.x"]),
)


@pytest.fixture(scope="session")
def node_semver() -> Path:
    """The directory of npm's ``semver`` package: the copy npm bundles, else one installed from the registry."""
    require_tool("node")
    npm = require_tool("npm")
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=False).stdout.strip()
    cache = tool_cache_dir("npm")
    for candidate in (Path(root) / "npm" / "node_modules" / "semver", cache / "node_modules" / "semver"):
        if (candidate / "package.json").is_file():
            return candidate
    run([npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "semver"], timeout=300)
    assert (cache / "node_modules" / "semver" / "package.json").is_file()
    return cache / "node_modules" / "semver"


_NODE_COMPARE = """
const semver = require(process.argv[1]);
const lines = require('fs').readFileSync(process.argv[2], 'utf8').split('\\n').filter(Boolean);
const out = lines.map((line) => { const [a, b] = line.split('\\t'); return semver.compare(a, b); });
process.stdout.write(out.join('\\n') + '\\n');
"""
_NODE_VALID = """
const semver = require(process.argv[1]);
const lines = require('fs').readFileSync(process.argv[2], 'utf8').split('\\n').filter(Boolean);
process.stdout.write(lines.map((v) => (semver.valid(v) === null ? 0 : 1)).join('\\n') + '\\n');
"""


def node_compare(node_semver: Path, pairs: list[Pair], tmp_path: Path) -> list[int]:
    path = write_pairs(tmp_path / "pairs", pairs)
    return parse_answers(run(["node", "-e", _NODE_COMPARE, str(node_semver), str(path)]), len(pairs))


@pytest.fixture(scope="module")
def real_versions(shared_dir: Path) -> list[str]:
    """Versions named in the Node.js security-wg npm advisories, RustSec, Go's vulndb and the GHSA sample."""
    vulndata = shared_dir / "vulndata"
    files = sorted((vulndata / "native" / "nodejs-security-wg" / "vuln").rglob("*.json"))
    files += sorted((vulndata / "osv" / "rustsec" / "crates").glob("*.json"))
    files += sorted((vulndata / "osv" / "ghsa-sample").rglob("*.json"))
    found = regex_in_files(files, SEMVER_IN_TEXT)
    found += regex_in_tarball(vulndata / "osv" / "golang-vulndb" / "golang-vulndb-data.tar.gz", SEMVER_IN_TEXT, "osv/")
    found = [v for v in found if semver.is_valid(v)]
    assert len(set(found)) > 3000
    return found


EXAMPLES = [
    ("1.0.0", "1.0.0", 0),
    ("1.0.0", "2.0.0", -1),
    ("2.0.0", "2.1.0", -1),
    ("2.1.0", "2.1.1", -1),
    ("1.9.0", "1.10.0", -1),
    # the precedence example of semver.org, item 11
    ("1.0.0-alpha", "1.0.0-alpha.1", -1),
    ("1.0.0-alpha.1", "1.0.0-alpha.beta", -1),
    ("1.0.0-alpha.beta", "1.0.0-beta", -1),
    ("1.0.0-beta", "1.0.0-beta.2", -1),
    ("1.0.0-beta.2", "1.0.0-beta.11", -1),
    ("1.0.0-beta.11", "1.0.0-rc.1", -1),
    ("1.0.0-rc.1", "1.0.0", -1),
    ("1.0.0-0", "1.0.0-a", -1),
    ("1.0.0-1a", "1.0.0-1", 1),
    ("1.0.0-Z", "1.0.0-a", -1),
    ("1.0.0-a-b", "1.0.0-a", 1),
    ("1.0.0+build.2", "1.0.0+build.1", 0),
    ("v1.2.3", "1.2.3", 0),
    (" 1.2.3 ", "1.2.3", 0),
]


@pytest.mark.parametrize(("a", "b", "expected"), EXAMPLES)
def test_precedence(a: str, b: str, expected: int) -> None:
    assert semver.compare(a, b) == expected
    assert semver.compare(b, a) == -expected


def test_examples_agree_with_node_semver(node_semver: Path, tmp_path: Path) -> None:
    pairs = [(a, b) for a, b, _ in EXAMPLES]
    assert node_compare(node_semver, pairs, tmp_path) == [expected for _, _, expected in EXAMPLES]


VALIDITY = [
    "1.2.3",
    "v1.2.3",
    " 1.2.3",
    "=1.2.3",
    "V1.2.3",
    "1.2",
    "1",
    "01.2.3",
    "1.02.3",
    "1.2.03",
    "1.2.3-",
    "1.2.3-01",
    "1.2.3-0a",
    "1.2.3-a..b",
    "1.2.3-a.",
    "1.2.3+",
    "1.2.3+01",
    "1.2.3-a+b+c",
    "1.2.3.4",
    "1.2.3-a_b",
    "9007199254740991.0.0",
    "9007199254740992.0.0",
    "1.2.3-\u00e9",
    "",
    "vv1.2.3",
    "1.2.3 4",
]


def test_validity_agrees_with_node_semver(node_semver: Path, tmp_path: Path) -> None:
    path = tmp_path / "versions"
    path.write_text("".join(f"{v}\n" for v in VALIDITY if v.strip()), encoding="utf-8")
    expected = parse_answers(run(["node", "-e", _NODE_VALID, str(node_semver), str(path)]), len(VALIDITY) - 1)
    ours = [int(semver.is_valid(v)) for v in VALIDITY if v.strip()]
    assert ours == expected, [
        v for v, e, o in zip([v for v in VALIDITY if v.strip()], expected, ours, strict=True) if e != o
    ]
    assert not semver.is_valid("")


def test_agrees_with_node_semver_on_real_versions(node_semver: Path, real_versions: list[str], tmp_path: Path) -> None:
    """~10,000 pairs of versions from npm, crates.io and Go advisories."""
    pairs = mixed_pairs(real_versions, 10000, random.Random(SEED))
    assert len(pairs) >= 9000
    assert_agrees(pairs, node_compare(node_semver, pairs, tmp_path), semver.compare)


def test_agrees_with_node_semver_on_generated_versions(node_semver: Path, tmp_path: Path) -> None:
    """~12,000 pairs of generated versions, most with pre-releases of up to four identifiers."""
    rng = random.Random(SEED + 1)
    pairs = mixed_pairs([random_version(rng) for _ in range(5000)], 12000, rng)
    assert_agrees(pairs, node_compare(node_semver, pairs, tmp_path), semver.compare)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Cargo orders versions as the semver crate does, which follows the same precedence rules
        ("0.4.0-alpha.1", "0.4.0", -1),
        ("1.0.0-rc.1", "1.0.0-rc.1+build", 0),
        ("0.12.3", "0.12.10", -1),
        ("1.0.0-beta.2", "1.0.0-beta.10", -1),
    ],
)
def test_cargo_examples(a: str, b: str, expected: int) -> None:
    assert semver.compare(a, b) == expected


def test_invalid_raises() -> None:
    with pytest.raises(semver.InvalidVersion):
        semver.key("1.2")
    with pytest.raises(ValueError, match="not a semantic version"):
        semver.compare("1.2.3", "latest")
    assert json.dumps(semver.key("1.2.3-a.1"))  # keys are plain data


@PROPERTY_SETTINGS
@given(VERSIONS, VERSIONS, VERSIONS)
def test_key_properties(a: str, b: str, c: str) -> None:
    check_key_properties(semver.key, semver.compare, a, b, c)
