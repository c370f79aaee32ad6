"""Go versions: module versions against ``golang.org/x/mod/semver`` (the copy Go vendors, built on first use),
toolchain versions against the order ``go/version`` documents."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hullscan.versions import golang
from versions import (
    PROPERTY_SETTINGS,
    SEED,
    Pair,
    assert_agrees,
    check_key_properties,
    mixed_pairs,
    parse_answers,
    regex_in_tarball,
    require_tool,
    run,
    tool_cache_dir,
    write_pairs,
)

_MAIN = """package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"refcmp/semver"
)

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for scanner.Scan() {
		parts := strings.SplitN(scanner.Text(), "\\t", 2)
		fmt.Fprintln(out, semver.Compare(parts[0], parts[1]))
	}
}
"""


@pytest.fixture(scope="session")
def xmod_semver() -> Path:
    """A binary comparing pairs on stdin with x/mod/semver.Compare (from GOROOT's vendored copy)."""
    go = require_tool("go")
    goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()
    source = Path(goroot) / "src" / "cmd" / "vendor" / "golang.org" / "x" / "mod" / "semver" / "semver.go"
    if not source.is_file():
        pytest.skip(f"no vendored x/mod/semver in {goroot}")
    work = tool_cache_dir("go-semver")
    binary = work / "refcmp"
    if not binary.is_file():
        (work / "semver").mkdir(exist_ok=True)
        shutil.copyfile(source, work / "semver" / "semver.go")
        (work / "go.mod").write_text("module refcmp\n\ngo 1.19\n", encoding="utf-8")
        (work / "main.go").write_text(_MAIN, encoding="utf-8")
        env = {**os.environ, "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOCACHE": str(work / "cache")}
        subprocess.run([go, "build", "-o", str(binary), "."], cwd=work, check=True, env=env, timeout=300)
    return binary


def xmod_compare(binary: Path, pairs: list[Pair], tmp_path: Path) -> list[int]:
    text = write_pairs(tmp_path / "pairs", [("v" + a.lstrip("v"), "v" + b.lstrip("v")) for a, b in pairs])
    return parse_answers(run([str(binary)], stdin=text.read_text(encoding="utf-8")), len(pairs))


@pytest.fixture(scope="module")
def real_versions(shared_dir: Path) -> list[str]:
    """Versions in Go's vulnerability database (OSV writes them without the ``v``)."""
    tarball = shared_dir / "vulndata" / "osv" / "golang-vulndb" / "golang-vulndb-data.tar.gz"
    found = regex_in_tarball(tarball, r'"(?:introduced|fixed|last_affected)": ?"([^"]+)"', "osv/")
    found = [v for v in found if golang.is_valid(v) and v != "0"]
    assert len(set(found)) > 2000
    return found


_TIMESTAMPS = ["20210101000000", "20210101000001", "20191231235959", "20230615120000"]


def random_version(rng: random.Random) -> str:
    major, minor, patch = rng.choice([0, 1, 2, 17]), rng.choice([0, 1, 9, 10]), rng.choice([0, 1, 3, 4])
    kind = rng.random()
    stamp, rev = rng.choice(_TIMESTAMPS), rng.choice(["abcdef123456", "0123456789ab", "fedcba987654"])
    if kind < 0.2:  # pseudo-version without a base
        version = f"v{major}.0.0-{stamp}-{rev}"
    elif kind < 0.4:  # pseudo-version after a release
        version = f"v{major}.{minor}.{patch}-0.{stamp}-{rev}"
    elif kind < 0.55:  # pseudo-version after a pre-release
        version = f"v{major}.{minor}.{patch}-{rng.choice(['pre', 'rc.1', 'beta.2'])}.0.{stamp}-{rev}"
    elif kind < 0.75:
        version = f"v{major}.{minor}.{patch}-{rng.choice(['rc.1', 'rc.2', 'beta', 'alpha.10', '0', '1'])}"
    elif kind < 0.85:
        version = rng.choice([f"v{major}", f"v{major}.{minor}"])
    else:
        version = f"v{major}.{minor}.{patch}"
    if rng.random() < 0.15 and version.count(".") >= 2:
        version += rng.choice(["+incompatible", "+meta.1"])
    return version if rng.random() < 0.7 else version[1:]


EXAMPLES = [
    ("v1.2.3", "1.2.3", 0),
    ("v1", "v1.0.0", 0),
    ("v1.2", "v1.2.0", 0),
    ("v2.0.0+incompatible", "v2.0.0", 0),
    ("v0.0.0-20210101000000-abcdef123456", "v0.0.0", -1),
    ("v0.0.0-20210101000000-abcdef123456", "v0.0.0-20210101000001-000000000000", -1),
    ("v1.2.4-0.20210101000000-abcdef123456", "v1.2.3", 1),
    ("v1.2.4-0.20210101000000-abcdef123456", "v1.2.4", -1),
    ("v1.2.4-0.20210101000000-abcdef123456", "v1.2.4-rc.1", -1),
    ("v1.2.4-rc.1.0.20210101000000-abcdef123456", "v1.2.4-rc.1", 1),
    ("v1.2.4-rc.1.0.20210101000000-abcdef123456", "v1.2.4-rc.2", -1),
    # toolchains, as go/version.Compare orders them
    ("go1.21", "go1.21rc1", -1),
    ("go1.21rc1", "go1.21rc2", -1),
    ("go1.21rc2", "go1.21rc10", -1),
    ("go1.21rc2", "go1.21.0", -1),
    ("go1.21.0", "go1.21.1", -1),
    ("go1.21.10", "go1.22", -1),
    ("go1.20", "go1.20.0", 0),
    ("go1.20rc1", "go1.20", -1),
    ("go1.9beta2", "go1.9rc1", -1),
    ("go1.9", "go1.10", -1),
    ("go1", "go1.0.0", 0),
    ("go1.21.5", "1.21.5", 0),
    ("1.21rc2", "go1.21rc2", 0),
    ("go1.21rc2", "v1.21.0-rc.2", 0),
]


@pytest.mark.parametrize(("a", "b", "expected"), EXAMPLES)
def test_examples(a: str, b: str, expected: int) -> None:
    assert golang.compare(a, b) == expected
    assert golang.compare(b, a) == -expected


def test_module_examples_agree_with_x_mod_semver(xmod_semver: Path, tmp_path: Path) -> None:
    module = re.compile(r"v?[0-9]+(?:\.[0-9]+){0,2}(?:[-+].*)?")
    modules = [(a, b, e) for a, b, e in EXAMPLES if module.fullmatch(a) and module.fullmatch(b)]
    assert len(modules) == 11
    expected = xmod_compare(xmod_semver, [(a, b) for a, b, _ in modules], tmp_path)
    assert expected == [e for _, _, e in modules]


@pytest.mark.parametrize(
    "version",
    ["", "v", "1.2.3.4", "v01.2.3", "v1.2-pre", "v1.2.3-01", "go1.21.1rc1", "go1.21rc01", "go", "golang", "latest"],
)
def test_invalid(version: str) -> None:
    with pytest.raises(golang.InvalidVersion):
        golang.key(version)


def test_agrees_with_x_mod_semver_on_real_versions(xmod_semver: Path, real_versions: list[str], tmp_path: Path) -> None:
    """~10,000 pairs of versions from Go's vulnerability database, pseudo-versions included."""
    module_versions = [v for v in real_versions if not v.startswith("go")]
    pairs = mixed_pairs(module_versions, 10000, random.Random(SEED))
    assert len(pairs) >= 9000
    assert_agrees(pairs, xmod_compare(xmod_semver, pairs, tmp_path), golang.compare)


def test_agrees_with_x_mod_semver_on_generated_versions(xmod_semver: Path, tmp_path: Path) -> None:
    """~10,000 pairs of pseudo-versions, shorthands, pre-releases and +incompatible."""
    rng = random.Random(SEED + 1)
    pairs = mixed_pairs([random_version(rng) for _ in range(4000)], 10000, rng)
    assert_agrees(pairs, xmod_compare(xmod_semver, pairs, tmp_path), golang.compare)


VERSIONS = st.builds(
    lambda v: v, st.sampled_from(["v1", "v1.2", "v1.2.3", "v1.2.3-rc.1", "v0.0.0-20210101000000-abcdef123456"])
)
VERSIONS |= st.sampled_from(["go1.21", "go1.21rc1", "go1.21.0", "go1.20", "go1.20rc2", "1.22.1", "v2.0.0+incompatible"])
VERSIONS |= st.builds(random_version, st.randoms(use_true_random=False))


@PROPERTY_SETTINGS
@given(VERSIONS, VERSIONS, VERSIONS)
def test_key_properties(a: str, b: str, c: str) -> None:
    check_key_properties(golang.key, golang.compare, a, b, c)
