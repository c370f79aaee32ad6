"""Composer versions against composer/semver itself (Debian's php-composer-semver under php-cli)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hullscan.versions import composer
from versions import (
    PROPERTY_SETTINGS,
    SEED,
    Pair,
    assert_agrees,
    check_key_properties,
    mixed_pairs,
    parse_answers,
    regex_in_files,
    require_tool,
    run,
    write_pairs,
)

AUTOLOAD = Path("/usr/share/php/Composer/Semver/autoload.php")
_PHP_COMPARE = """
require $argv[1];
$parser = new Composer\\Semver\\VersionParser();
foreach (file($argv[2], FILE_IGNORE_NEW_LINES) as $line) {
    [$a, $b] = explode("\\t", $line, 2);
    $a = $parser->normalize($a);
    $b = $parser->normalize($b);
    $less = Composer\\Semver\\Comparator::lessThan($a, $b);
    echo $less ? -1 : (Composer\\Semver\\Comparator::equalTo($a, $b) ? 0 : 1), "\\n";
}
"""
_PHP_NORMALIZE = """
require $argv[1];
$parser = new Composer\\Semver\\VersionParser();
foreach (file($argv[2], FILE_IGNORE_NEW_LINES) as $line) {
    try { echo $parser->normalize($line), "\\n"; } catch (UnexpectedValueException $e) { echo "!invalid\\n"; }
}
"""
_STABILITY = [
    "",
    "",
    "",
    "-alpha",
    "-alpha2",
    "-a1",
    "-beta",
    "-beta.3",
    "-b2",
    "-RC1",
    "-rc.2",
    "-RC",
    "-patch1",
    "-pl2",
]
_STABILITY += ["-p3", "-dev", "-alpha1-dev", ".beta1", "beta1", "-stable", "-beta-2", "+build.5", "-RC1+meta", "@dev"]


def random_version(rng: random.Random) -> str:
    numbers = [str(rng.choice([0, 0, 1, 2, 3, 10, 12])) for _ in range(rng.randint(1, 4))]
    return rng.choice(["", "", "v"]) + ".".join(numbers) + rng.choice(_STABILITY)


def php() -> str:
    path = require_tool("php")
    if not AUTOLOAD.is_file():
        pytest.skip(f"{AUTOLOAD} is missing (Debian package php-composer-semver)")
    return path


def php_compare(pairs: list[Pair], tmp_path: Path) -> list[int]:
    path = write_pairs(tmp_path / "pairs", pairs)
    return parse_answers(run([php(), "-r", _PHP_COMPARE, str(AUTOLOAD), str(path)]), len(pairs))


def php_normalize(versions: list[str], tmp_path: Path) -> list[str]:
    path = tmp_path / "versions"
    path.write_text("".join(f"{v}\n" for v in versions), encoding="utf-8")
    lines = run([php(), "-r", _PHP_NORMALIZE, str(AUTOLOAD), str(path)]).splitlines()
    assert len(lines) == len(versions)
    return lines


@pytest.fixture(scope="module")
def real_versions(shared_dir: Path) -> list[str]:
    """Versions in the FriendsOfPHP security advisories (the bounds of every affected branch)."""
    files = sorted((shared_dir / "vulndata" / "native" / "php-friendsofphp").rglob("*.yaml"))
    lines = regex_in_files(files, r"^\s*versions:\s*(\[.*\])\s*$")
    found = [v for line in lines for v in re.findall(r"""['"][<>=!~^]*\s*([^'",\s]+)['"]""", line)]
    assert len(set(found)) > 1000
    return found


@pytest.mark.parametrize(
    ("version", "normalized"),
    [
        ("1", "1.0.0.0"),
        ("v1.2", "1.2.0.0"),
        ("1.2.3.4", "1.2.3.4"),
        ("1.0.0-beta.2", "1.0.0.0-beta2"),
        ("1.0-b2", "1.0.0.0-beta2"),
        ("1.0.0-RC1", "1.0.0.0-RC1"),
        ("1.0.0-rc.1", "1.0.0.0-RC1"),
        ("1.0.0-p1", "1.0.0.0-patch1"),
        ("1.0.0-pl1", "1.0.0.0-patch1"),
        ("1.0.0-stable", "1.0.0.0"),
        ("1.0.0-alpha1-dev", "1.0.0.0-alpha1-dev"),
        ("1.0.0+build.1", "1.0.0.0"),
        ("1.0.0@dev", "1.0.0.0"),
        ("2010-01-02", "2010.01.02"),
        ("20100102", "20100102"),
        ("1.2.x-dev", "1.2.9999999.9999999-dev"),
        ("2.x-dev", "2.9999999.9999999.9999999-dev"),
        ("dev-master", "dev-master"),
        ("master", "dev-master"),
        ("dev-feature/foo", "dev-feature/foo"),
        ("1.0.0 as 1.2.0", "1.0.0.0"),
    ],
)
def test_normalize(version: str, normalized: str) -> None:
    assert composer.normalize(version) == normalized


@pytest.mark.parametrize("version", ["", "foo", "1.0.0.0.0", "1.0.0-gamma", "a.b.c", "1.0.0-beta.2.x", "feature-dev"])
def test_invalid(version: str) -> None:
    with pytest.raises(composer.InvalidVersion):
        composer.key(version)


@pytest.mark.parametrize("version", ["dev-master", "dev-feature/foo", "master"])
def test_branches_are_not_ordered(version: str) -> None:
    with pytest.raises(composer.InvalidVersion, match="no version order"):
        composer.key(version)


EXAMPLES = [
    ("1.0.0-dev", "1.0.0-alpha1", -1),
    ("1.0.0-alpha1", "1.0.0-alpha2", -1),
    ("1.0.0-alpha2", "1.0.0-beta1", -1),
    ("1.0.0-beta1", "1.0.0-RC1", -1),
    ("1.0.0-RC1", "1.0.0", -1),
    ("1.0.0", "1.0.0-patch1", -1),
    ("1.0.0-patch1", "1.0.1", -1),
    ("1.0.0-alpha1-dev", "1.0.0-alpha1", -1),
    ("1.0.0-RC10", "1.0.0-RC2", 1),
    ("1.2.x-dev", "1.2.999", 1),
    ("1.2.x-dev", "1.3.0-dev", -1),
    ("v1.0", "1.0.0.0", 0),
    ("1.0.0", "1.0", 0),
    ("2010-01-02", "2010.01.01", 1),
]


@pytest.mark.parametrize(("a", "b", "expected"), EXAMPLES)
def test_examples(a: str, b: str, expected: int) -> None:
    assert composer.compare(a, b) == expected
    assert composer.compare(b, a) == -expected


def test_examples_agree_with_composer(tmp_path: Path) -> None:
    pairs = [(a, b) for a, b, _ in EXAMPLES]
    assert php_compare(pairs, tmp_path) == [expected for _, _, expected in EXAMPLES]


def test_normalize_agrees_with_composer(real_versions: list[str], tmp_path: Path) -> None:
    """Every version of the advisories and 3,000 generated ones normalise as composer/semver normalises them."""
    rng = random.Random(SEED)
    odd = [
        "foo",
        "1.0.0.0.0",
        "1.0.0-gamma",
        "dev-master",
        "1.x-dev",
        "2.1.*-dev",
        "v2.X-dev",
        "1.0.0 as 2.0",
        "2010.01",
    ]
    versions = sorted(set(real_versions)) + [random_version(rng) for _ in range(3000)] + odd
    expected = php_normalize(versions, tmp_path)
    ours = []
    for version in versions:
        try:
            ours.append(composer.normalize(version))
        except composer.InvalidVersion:
            ours.append("!invalid")
    wrong = [f"{v!r}: composer {e!r}, ours {o!r}" for v, e, o in zip(versions, expected, ours, strict=True) if e != o]
    assert not wrong, "\n".join(wrong[:40])


def test_agrees_with_composer_on_real_versions(real_versions: list[str], tmp_path: Path) -> None:
    """~7,500 pairs of versions from the FriendsOfPHP advisories."""
    valid = [v for v in real_versions if composer.is_valid(v)]
    pairs = mixed_pairs(valid, 10000, random.Random(SEED))
    assert len(pairs) >= 7000
    assert_agrees(pairs, php_compare(pairs, tmp_path), composer.compare)


def test_agrees_with_composer_on_generated_versions(tmp_path: Path) -> None:
    """~10,000 pairs of generated versions with every stability suffix, build metadata and flags."""
    rng = random.Random(SEED + 1)
    pairs = mixed_pairs([random_version(rng) for _ in range(4000)], 10000, rng)
    assert_agrees(pairs, php_compare(pairs, tmp_path), composer.compare)


VERSIONS = st.builds(random_version, st.randoms(use_true_random=False))


@PROPERTY_SETTINGS
@given(VERSIONS, VERSIONS, VERSIONS)
def test_key_properties(a: str, b: str, c: str) -> None:
    check_key_properties(composer.key, composer.compare, a, b, c)
