"""Maven versions against Maven's own ``ComparableVersion`` (Debian's maven, maven-artifact 3.8.7).

Maven's comparison is not a total order: a word after a dot (``1.0.BUILD-SNAPSHOT``) sorts before any sub-list
(``1.0.RC1``, read as ``1.0-RC1``) yet after the plain version, which sorts after the sub-list. A key can only
settle such a cycle one way, so where the keys disagree with Maven the test asks Maven itself for the cycle:
the two versions and their common prefix must be ordered inconsistently by Maven.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hullscan.versions import maven
from versions import (
    PROPERTY_SETTINGS,
    SEED,
    Pair,
    check_key_properties,
    disagreements,
    mixed_pairs,
    regex_in_files,
    require_tool,
    run,
)

MAVEN_ARTIFACT = Path("/usr/share/maven/lib/maven-artifact-3.x.jar")
_MAIN = "org.apache.maven.artifact.versioning.ComparableVersion"
_OPS = {"<": -1, "==": 0, ">": 1}

_QUALIFIERS = ["", "", "", "-SNAPSHOT", ".RELEASE", ".M1", ".M2", ".RC1", ".RC2", ".BUILD-SNAPSHOT", ".Final", ".GA"]
_QUALIFIERS += [
    ".SP1",
    ".CR1",
    "-alpha-1",
    "-beta-2",
    "-alpha1",
    "-beta",
    "-b1",
    "-m2",
    "-rc-1",
    "-RC1",
    "-cr1",
    "-jre",
]
_QUALIFIERS += ["-android", "-1", "-2", "-20230101.123456-1", "-M1", "-alpha.1", "-beta.2", "-rc.1", ".v20200101"]
_QUALIFIERS += ["-incubating", "-groovy-2.4", "-patch1", ".0", "-pr1", "-ga", "-final", "-sp", "-sp1", "-milestone-1"]
_QUALIFIERS += ["-rc", "-dev", "-preview", "a", "b2", "-0", "-1.0", "_1", ".Beta1", "-SNAPSHOT.1", ".00", "-ea"]


def random_version(rng: random.Random) -> str:
    numbers = [str(rng.choice([0, 0, 1, 1, 2, 3, 10, 12, 2023])) for _ in range(rng.choice([1, 2, 2, 3, 3, 3, 4]))]
    version = ".".join(numbers)
    for _ in range(rng.choice([0, 1, 1, 1, 2])):
        version += rng.choice(_QUALIFIERS)
    return version


def maven_answers(pairs: Sequence[Pair]) -> list[int]:
    """``ComparableVersion``'s main compares neighbouring arguments; pair i is comparison 2i."""
    if not pairs:
        return []
    java = require_tool("java")
    if not MAVEN_ARTIFACT.is_file():
        pytest.skip(f"{MAVEN_ARTIFACT} is missing (Debian package maven)")
    argv = [v for pair in pairs for v in pair]
    output = run([java, "-cp", str(MAVEN_ARTIFACT), _MAIN, *argv])
    lines = [line for line in output.splitlines() if line.startswith("   ")]
    assert len(lines) == len(argv) - 1
    answers = []
    for (a, _b), line in zip(pairs, lines[0::2], strict=True):
        answers.append(_OPS[line[3 + len(a) + 1 :].split(" ", 1)[0]])
    return answers


def _witnesses(a: str, b: str) -> list[str]:
    """Versions that may close a Maven cycle with a and b: their common prefix, whole tokens only."""
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    prefix = a[:i]
    candidates = [re.sub(r"[.\-_]+$", "", prefix), re.sub(r"[.\-_]*[0-9A-Za-z]*$", "", prefix)]
    return [c for c in dict.fromkeys(candidates) if c]


def assert_agrees_except_maven_cycles(pairs: Sequence[Pair], expected: Sequence[int]) -> None:
    wrong = [(a, b, want) for (a, b), want in zip(pairs, expected, strict=True) if maven.compare(a, b) != want]
    assert len(wrong) <= len(pairs) // 100, disagreements(pairs, expected, maven.compare)[:40]
    triples = [(a, b, want, w) for a, b, want in wrong for w in _witnesses(a, b)]
    probes = maven_answers([pair for a, b, _, w in triples for pair in ((a, w), (w, b))])
    cyclic = set()
    for i, (a, b, want, _w) in enumerate(triples):
        a_w, w_b = probes[2 * i], probes[2 * i + 1]
        # Maven says a <= w <= b (one strictly) yet a > b, or the mirror image: no total order fits.
        if (a_w <= 0 and w_b <= 0 and a_w + w_b < 0 and want > 0) or (
            a_w >= 0 and w_b >= 0 and a_w + w_b > 0 and want < 0
        ):
            cyclic.add((a, b))
    unexplained = [f"{a!r} vs {b!r}: maven {want}" for a, b, want in wrong if (a, b) not in cyclic]
    assert not unexplained, "disagreements that are no Maven cycle:\n" + "\n".join(unexplained[:40])


@pytest.fixture(scope="module")
def real_versions(shared_dir: Path) -> list[str]:
    """Versions of artifacts in local Maven repositories and of Maven packages in the GitHub advisory sample."""
    versions = []
    for repository in (Path("/usr/share/maven-repo"), Path.home() / ".m2" / "repository"):
        if repository.is_dir():
            versions += [pom.parent.name for pom in repository.rglob("*.pom")]
    files = sorted((shared_dir / "vulndata" / "osv" / "ghsa-sample").rglob("*.json"))
    versions += regex_in_files(files, r'"(?:introduced|fixed|last_affected)": "([^"]+)"')
    return [v for v in versions if v.strip() and " " not in v]


EXAMPLES = [
    ("1", "1.0", 0),
    ("1", "1.0.0", 0),
    ("1.0", "1.0.1", -1),
    ("1-SNAPSHOT", "1", -1),
    ("1.0-SNAPSHOT", "1.0", -1),
    ("1.0-alpha-1", "1.0-alpha-2", -1),
    ("1.0-alpha-2", "1.0-alpha-10", -1),
    ("1.0-alpha1", "1.0-alpha-1", 0),
    ("1.0-a1", "1.0-alpha-1", 0),
    ("1.0-b1", "1.0-beta-1", 0),
    ("1.0-m1", "1.0-milestone-1", 0),
    ("1.0-alpha-1", "1.0-beta-1", -1),
    ("1.0-beta-1", "1.0-milestone-1", -1),
    ("1.0-milestone-1", "1.0-rc-1", -1),
    ("1.0-rc-1", "1.0-cr-1", 0),
    ("1.0-rc-1", "1.0-SNAPSHOT", -1),
    ("1.0-SNAPSHOT", "1.0-ga", -1),
    ("1.0-ga", "1.0", 0),
    ("1.0.Final", "1.0", 0),
    ("1.0.RELEASE", "1.0", 0),
    ("1.0", "1.0-sp", -1),
    ("1.0-sp", "1.0-sp-1", -1),
    ("1.0-sp-1", "1.0-foo", -1),
    ("1.0-foo", "1.0-foo-1", -1),
    ("1.0-foo", "1.0-bar", 1),
    ("1.0-1", "1.0.1", -1),
    ("1-1", "1.1", -1),
    ("1.0-jre", "1.0-android", 1),
    ("31.1-jre", "32.0.0-jre", -1),
    ("5.3.20", "5.3.9", 1),
    ("2.0.0.M1", "2.0.0.RC1", -1),
    ("2.0.0.RC1", "2.0.0.RELEASE", -1),
    ("4.1.86.Final", "4.1.100.Final", -1),
    ("9.4.51.v20230217", "9.4.51.v20230310", -1),
    ("1.0.0-alpha.1", "1.0.0-alpha.2", -1),
    ("1.0.0-rc.1", "1.0.0", -1),
    ("1.0-RC1", "1.0-rc1", 0),
    ("1.0.0.0.0.1", "1.0.0.0.0", 1),
    ("123456789012345678901234567890", "123456789012345678901234567891", -1),
]


@pytest.mark.parametrize(("a", "b", "expected"), EXAMPLES)
def test_version_order_examples(a: str, b: str, expected: int) -> None:
    assert maven.compare(a, b) == expected
    assert maven.compare(b, a) == -expected


def test_examples_agree_with_maven() -> None:
    """The examples above are what Maven 3.8.7 answers."""
    assert maven_answers([(a, b) for a, b, _ in EXAMPLES]) == [expected for _, _, expected in EXAMPLES]


def test_empty_is_invalid() -> None:
    with pytest.raises(maven.InvalidVersion):
        maven.key("")
    assert not maven.is_valid(" ")


def test_agrees_with_maven_on_generated_versions() -> None:
    """~8,000 pairs of versions in the styles of Maven Central (Spring, JBoss, Guava, Jetty, snapshots)."""
    rng = random.Random(SEED)
    pairs = mixed_pairs([random_version(rng) for _ in range(3500)], 8000, rng)
    assert len(pairs) >= 7000
    assert_agrees_except_maven_cycles(pairs, maven_answers(pairs))


def test_agrees_with_maven_on_real_versions(real_versions: list[str]) -> None:
    """Pairs of versions of real artifacts (as many as this machine's Maven repositories hold)."""
    if len(set(real_versions)) < 20:
        pytest.skip("no local Maven repository with artifacts")
    pairs = mixed_pairs(real_versions, 6000, random.Random(SEED))
    assert_agrees_except_maven_cycles(pairs, maven_answers(pairs))


VERSIONS = st.builds(random_version, st.randoms(use_true_random=False))


@PROPERTY_SETTINGS
@given(VERSIONS, VERSIONS, VERSIONS)
def test_key_properties(a: str, b: str, c: str) -> None:
    check_key_properties(maven.key, maven.compare, a, b, c)
