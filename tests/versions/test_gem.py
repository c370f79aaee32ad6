"""RubyGems versions against Ruby's own ``Gem::Version`` (one ruby process for all pairs)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hullscan.versions import gem
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

_RUBY_COMPARE = (
    'STDIN.each_line { |l| a, b = l.chomp.split("\\t", 2); puts(Gem::Version.new(a) <=> Gem::Version.new(b)) }'
)
_RUBY_VALID = "STDIN.each_line { |l| puts(Gem::Version.correct?(l.chomp) ? 1 : 0) }"
_PARTS = ["0", "1", "2", "10", "0", "a", "b", "rc", "pre", "alpha", "beta1", "rc2", "A", "Z", "01", "dev", "1a", "a1"]


def random_version(rng: random.Random) -> str:
    while True:
        version = ".".join(str(rng.choice([0, 0, 1, 2, 3, 10])) for _ in range(rng.randint(1, 4)))
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            version += rng.choice([".", ".", "-", ""]) + rng.choice(_PARTS)
        if gem.is_valid(version):
            return version


def ruby_answers(pairs: list[Pair], tmp_path: Path) -> list[int]:
    ruby = require_tool("ruby")
    text = write_pairs(tmp_path / "pairs", pairs).read_text(encoding="utf-8")
    return parse_answers(run([ruby, "-e", _RUBY_COMPARE], stdin=text), len(pairs))


@pytest.fixture(scope="module")
def real_versions(shared_dir: Path) -> list[str]:
    """Versions in the RubySec advisory database (patched and unaffected version requirements)."""
    files = sorted((shared_dir / "vulndata" / "native" / "rubysec").rglob("*.yml"))
    found = regex_in_files(files, r"""^\s*- ['"](?:[<>=~!]+ *)?([0-9][0-9A-Za-z.-]*)['"]""")
    assert len(set(found)) > 800
    return found


EXAMPLES = [
    ("1.0", "1", 0),
    ("1.0.0", "1", 0),
    ("1.0.1", "1.0", 1),
    ("1.10", "1.9", 1),
    ("1.0.a", "1.0", -1),
    ("1.0.a", "1.0.b", -1),
    ("1.0.a", "1.0.a.1", -1),
    ("1.0.rc1", "1.0.rc2", -1),
    ("1.0.rc10", "1.0.rc2", 1),
    ("1.0.0.rc1", "1.0.0", -1),
    ("1.0.0.beta", "1.0.0.alpha", 1),
    ("1.0.0.pre", "1.0.0.rc", -1),
    ("2.0.0.pre.alpha", "2.0.0.pre", -1),
    ("1.0-1", "1.0.pre.1", 0),
    ("1.0.a", "1.a", 0),
    ("1.0.A", "1.0.a", -1),
    ("1.0.0.1", "1.0.0.a", 1),
    ("0.9", "1.0.a", -1),
    ("", "0", 0),
    (" 1.2 ", "1.2", 0),
]


@pytest.mark.parametrize(("a", "b", "expected"), EXAMPLES)
def test_examples(a: str, b: str, expected: int) -> None:
    assert gem.compare(a, b) == expected
    assert gem.compare(b, a) == -expected


def test_examples_agree_with_ruby(tmp_path: Path) -> None:
    pairs = [(a, b) for a, b, _ in EXAMPLES]
    assert ruby_answers(pairs, tmp_path) == [expected for _, _, expected in EXAMPLES]


INVALIDITY = ["junk", "1.0\n2.0", "1..0", "1.0.", "-1", "1.0-", "1.0 2", ".1", "1.a_b", "v1.0"]


def test_validity_agrees_with_ruby() -> None:
    ruby = require_tool("ruby")
    candidates = [*INVALIDITY, "1.0", "1.0-beta", "1.0.a-1", "1.0-a.1", "0"]
    candidates = [c for c in candidates if "\n" not in c]
    expected = parse_answers(
        run([ruby, "-e", _RUBY_VALID], stdin="".join(f"{c}\n" for c in candidates)), len(candidates)
    )
    assert [int(gem.is_valid(c)) for c in candidates] == expected
    for version in INVALIDITY:
        with pytest.raises(gem.InvalidVersion):
            gem.key(version)


def test_agrees_with_ruby_on_real_versions(real_versions: list[str], tmp_path: Path) -> None:
    """~8,000 pairs of versions from RubySec."""
    pairs = mixed_pairs([v for v in real_versions if gem.is_valid(v)], 10000, random.Random(SEED))
    assert len(pairs) >= 7000
    assert_agrees(pairs, ruby_answers(pairs, tmp_path), gem.compare)


def test_agrees_with_ruby_on_generated_versions(tmp_path: Path) -> None:
    """~10,000 pairs of generated versions full of pre-release words and zeros between them."""
    rng = random.Random(SEED + 1)
    pairs = mixed_pairs([random_version(rng) for _ in range(4000)], 10000, rng)
    assert_agrees(pairs, ruby_answers(pairs, tmp_path), gem.compare)


VERSIONS = st.builds(random_version, st.randoms(use_true_random=False))


@PROPERTY_SETTINGS
@given(VERSIONS, VERSIONS, VERSIONS)
def test_key_properties(a: str, b: str, c: str) -> None:
    check_key_properties(gem.key, gem.compare, a, b, c)
