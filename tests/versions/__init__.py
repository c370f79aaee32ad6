"""Helpers of the version-comparison tests.

Each scheme is checked against its reference implementation on this machine, run once per batch of thousands
of pairs (one process, pairs in a tab-separated file, one answer per line), on real version strings (this
machine's package databases, ``shared/vulndata``) and on generated ones; and with hypothesis for the
properties every comparison key must have.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

Pair = tuple[str, str]
Compare = Callable[[str, str], int]
KeyFunction = Callable[[str], tuple[object, ...]]

# Deterministic and database-free: CI runs see the same examples, and no .hypothesis/ folder is written.
PROPERTY_SETTINGS = settings(
    max_examples=400,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

SEED = 20240601


def sign(value: int) -> int:
    return (value > 0) - (value < 0)


def require_tool(name: str) -> str:
    """The path of an executable, or skip the test with the apt package to install."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (see .ci/install-deps.sh)")
    return path


def write_pairs(path: Path, pairs: Sequence[Pair]) -> Path:
    for a, b in pairs:
        assert "\t" not in a + b and "\n" not in a + b, (a, b)
    path.write_text("".join(f"{a}\t{b}\n" for a, b in pairs), encoding="utf-8")
    return path


def parse_answers(output: str, expected_count: int) -> list[int]:
    answers = [int(line) for line in output.split() if re.fullmatch(r"-?\d+", line)]
    assert len(answers) == expected_count, f"reference gave {len(answers)} answers for {expected_count} pairs"
    return [sign(answer) for answer in answers]


def run(
    argv: Sequence[str], *, stdin: str | None = None, timeout: float = 600, env: dict[str, str] | None = None
) -> str:
    result = subprocess.run(
        list(argv), input=stdin, capture_output=True, text=True, timeout=timeout, check=False, env=env
    )
    assert result.returncode == 0, f"{argv[0]} failed ({result.returncode}): {result.stderr[-2000:]}"
    return result.stdout


def disagreements(pairs: Sequence[Pair], expected: Sequence[int], compare: Compare) -> list[str]:
    """Every pair where ``compare`` and the reference disagree, formatted for an assertion message."""
    assert len(pairs) == len(expected)
    out = []
    for (a, b), want in zip(pairs, expected, strict=True):
        got = compare(a, b)
        if got != want:
            out.append(f"{a!r} vs {b!r}: reference {want}, ours {got}")
    return out


def assert_agrees(pairs: Sequence[Pair], expected: Sequence[int], compare: Compare) -> None:
    wrong = disagreements(pairs, expected, compare)
    assert not wrong, f"{len(wrong)} of {len(pairs)} pairs disagree with the reference:\n" + "\n".join(wrong[:40])


def mixed_pairs(versions: Sequence[str], count: int, rng: random.Random) -> list[Pair]:
    """Random pairs, neighbours in string order (which share long prefixes), and each version with itself."""
    unique = sorted(set(versions))
    if len(unique) < 2:
        return [(v, v) for v in unique]
    pairs: list[Pair] = [(rng.choice(unique), rng.choice(unique)) for _ in range(count // 2)]
    step = max(1, len(unique) // max(1, count // 3))
    start = rng.randrange(step)
    pairs += [(unique[i], unique[i + 1]) for i in range(start, len(unique) - 1, step)]
    pairs += [(unique[i + 1], unique[i]) for i in range(start, len(unique) - 1, step * 4)]
    pairs += [(v, v) for v in rng.sample(unique, min(len(unique), count // 10))]
    return pairs


def sample(versions: Iterable[str], count: int, rng: random.Random) -> list[str]:
    unique = sorted(set(versions))
    return unique if len(unique) <= count else rng.sample(unique, count)


# --- properties every key must have -------------------------------------------------------------------------


def check_key_properties(key: KeyFunction, compare: Compare, a: str, b: str, c: str) -> None:
    """Antisymmetry, transitivity, reflexivity, and agreement of ``compare`` with ``key``.

    Keys of one scheme must also compare without a TypeError whatever the versions (a key whose parts are not
    aligned would compare an int with a str somewhere)."""
    ka, kb, kc = key(a), key(b), key(c)
    ab, ba = compare(a, b), compare(b, a)
    assert ab in (-1, 0, 1)
    assert ab == -ba, (a, b)
    assert compare(a, a) == 0
    assert ab == sign((ka > kb) - (ka < kb))
    assert (ab == 0) == (ka == kb)
    bc, ac = compare(b, c), compare(a, c)
    if ab <= 0 and bc <= 0:
        assert ac <= 0, (a, b, c)
    if ab == 0 and bc == 0:
        assert ac == 0, (a, b, c)
    if ab < 0 and bc <= 0:
        assert ac < 0, (a, b, c)
    assert ac == sign((ka > kc) - (ka < kc))
    assert key(a) == ka  # building a key twice gives the same key


def versions_from_tokens(
    first: st.SearchStrategy[str], rest: st.SearchStrategy[str], max_parts: int = 6
) -> st.SearchStrategy[str]:
    """Strings made of a first token and up to ``max_parts`` further tokens, as generated versions."""
    return st.builds(lambda head, tail: head + "".join(tail), first, st.lists(rest, max_size=max_parts))


# --- real version strings -----------------------------------------------------------------------------------


def dpkg_status_versions() -> list[str]:
    """Versions of the packages installed on this machine."""
    status = Path("/var/lib/dpkg/status")
    if not status.is_file():
        return []
    text = status.read_text(encoding="utf-8", errors="replace")
    return re.findall(r"^Version: (\S+)$", text, flags=re.MULTILINE)


def apt_available_versions() -> list[str]:
    """Versions of every package in this machine's apt lists (empty before ``apt-get update``)."""
    if shutil.which("apt-cache") is None:
        return []
    result = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True, check=False, timeout=300)
    return re.findall(r"^Version: (\S+)$", result.stdout, flags=re.MULTILINE)


def regex_in_files(paths: Iterable[Path], pattern: str, limit: int | None = None) -> list[str]:
    """Every first group of ``pattern`` in the text of ``paths`` (bz2, gz and plain files)."""
    import bz2
    import gzip

    compiled = re.compile(pattern, re.MULTILINE)
    found: list[str] = []
    for path in paths:
        raw = path.read_bytes()
        if path.suffix == ".bz2":
            raw = bz2.decompress(raw)
        elif path.suffix == ".gz":
            raw = gzip.decompress(raw)
        found += compiled.findall(raw.decode("utf-8", errors="replace"))
        if limit is not None and len(found) >= limit:
            break
    return found


def regex_in_tarball(tarball: Path, pattern: str, member_filter: str = "", limit: int | None = None) -> list[str]:
    """Every first group of ``pattern`` in the members of a ``.tar.gz`` whose name contains ``member_filter``."""
    import tarfile

    compiled = re.compile(pattern, re.MULTILINE)
    found: list[str] = []
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            if not member.isfile() or member_filter not in member.name:
                continue
            handle = archive.extractfile(member)
            if handle is None:
                continue
            found += compiled.findall(handle.read().decode("utf-8", errors="replace"))
            if limit is not None and len(found) >= limit:
                break
    return found


def tool_cache_dir(name: str) -> Path:
    """A directory kept between test runs for a reference tool that is installed or built on first use."""
    base = Path(os.environ.get("HULLSCAN_TEST_TOOLS", "/tmp/hullscan-test-tools"))
    path = base / name
    path.mkdir(parents=True, exist_ok=True)
    return path
