"""Version comparison speed: key builds and comparisons per second for every scheme.

For each scheme, on 4,000 realistic versions (generated here, seeded) and 50,000 pairs of them, prints, best of
N runs in CPU time:
- keys/s: ``module.key(v)`` for every version, uncached (what a cold scan or a database import pays);
- cmp/s: ``ka < kb`` on keys built beforehand (the matcher's hot path: keys are built once and reused);
- compare()/s: ``module.compare(a, b)`` on strings, building both keys each time (the worst case);
- cached/s: ``hullscan.versions.compare(type, a, b)`` with the LRU cache warm (repeated lookups in one scan).

The in-run baseline is ``packaging.version.Version`` on the PyPI corpus: Version(v)/s, and ``<`` on Version
objects built beforehand.

Run: .venv/bin/python bench/version_compare.py [--runs N] [--seconds S]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence

from packaging.version import Version

import hullscan.versions as versions
from hullscan.versions import SCHEMES

VERSIONS_PER_SCHEME = 4000
PAIRS = 50_000


def _numbers(rng: random.Random, low: int, high: int, sep: str = ".") -> str:
    return sep.join(str(rng.choice([0, 0, 1, 2, 3, 4, 9, 10, 12, 27, 2024])) for _ in range(rng.randint(low, high)))


def _deb(rng: random.Random) -> str:
    epoch = rng.choice(["", "", "", "1:", "2:"])
    upstream = _numbers(rng, 1, 4) + rng.choice(["", "", "~rc1", "+dfsg", "+dfsg1", "a", "+git20230101.abc1234"])
    revision = rng.choice(["-1", "-2", "-1+deb12u1", "-10+deb12u5", "-0ubuntu1", "-1ubuntu0.22.04.1", "-1~bpo11+1"])
    return epoch + upstream + revision


def _rpm(rng: random.Random) -> str:
    epoch = rng.choice(["", "", "", "1:", "2:"])
    release = f"{rng.randint(1, 400)}" + rng.choice(
        [".el9", ".el9_2", ".el8_6.1", ".fc40", ".module+el8.6.0+1234+abcd"]
    )
    return epoch + _numbers(rng, 1, 4) + rng.choice(["", "", "~rc1", "^git1"]) + "-" + release


def _apk(rng: random.Random) -> str:
    suffix = rng.choice(["", "", "", "_rc1", "_p1", "_git20240101", "_alpha2", "a"])
    return _numbers(rng, 1, 4) + suffix + f"-r{rng.randint(0, 12)}"


def _pypi(rng: random.Random) -> str:
    tail = rng.choice(["", "", "", "rc1", "a2", "b1", ".post1", ".dev0", "+local.1", ".post2.dev3"])
    return rng.choice(["", "", "", "1!"]) + _numbers(rng, 1, 4) + tail


def _semver(rng: random.Random) -> str:
    pre = rng.choice(["", "", "", "-rc.1", "-alpha", "-beta.2", "-alpha.1.x", "-0", "+build.5"])
    return _numbers(rng, 3, 3) + pre


def _golang(rng: random.Random) -> str:
    day = f"2021{rng.randint(10, 12)}{rng.randint(10, 28)}{rng.randint(100000, 235959)}"
    stamp = f"{day}-abcdef{rng.randint(100000, 999999)}"
    kind = rng.random()
    if kind < 0.3:
        return f"v0.0.0-{stamp}"
    if kind < 0.5:
        return f"v{_numbers(rng, 3, 3)}-0.{stamp}"
    return "v" + _numbers(rng, 3, 3) + rng.choice(["", "", "-rc.1", "+incompatible"])


def _maven(rng: random.Random) -> str:
    qualifier = rng.choice(["", "", "", "-SNAPSHOT", ".RELEASE", ".Final", "-jre", "-rc1", ".M1", "-alpha-1", ".SP1"])
    return _numbers(rng, 1, 4) + qualifier


def _gem(rng: random.Random) -> str:
    return _numbers(rng, 1, 4) + rng.choice(["", "", "", ".rc1", ".beta", ".pre", ".alpha.2", "-1"])


def _composer(rng: random.Random) -> str:
    return rng.choice(["", "v"]) + _numbers(rng, 1, 4) + rng.choice(["", "", "-beta1", "-RC2", "-p1", "-dev", "@dev"])


def _nuget(rng: random.Random) -> str:
    return _numbers(rng, 1, 4) + rng.choice(["", "", "", "-preview.1", "-rc.2.21480.5", "-beta", "+sha.abc"])


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "deb": _deb,
    "rpm": _rpm,
    "apk": _apk,
    "pypi": _pypi,
    "npm": _semver,
    "cargo": _semver,
    "golang": _golang,
    "maven": _maven,
    "gem": _gem,
    "composer": _composer,
    "nuget": _nuget,
}


def rate(work: Callable[[], int], runs: int, seconds: float) -> float:
    """Items per second of ``work`` (which returns how many items it did), best of ``runs`` timed batches of at
    least ``seconds`` each, in this process's CPU time (other jobs on a shared machine do not count)."""
    best = 0.0
    for _ in range(runs):
        done, started = 0, time.process_time()
        while True:
            done += work()
            elapsed = time.process_time() - started
            if elapsed >= seconds:
                break
        best = max(best, done / elapsed)
    return best


def corpus(package_type: str) -> tuple[list[str], list[tuple[int, int]]]:
    rng = random.Random(f"hullscan-{package_type}")
    generate = GENERATORS[package_type]
    items = [generate(rng) for _ in range(VERSIONS_PER_SCHEME)]
    pairs = [(rng.randrange(len(items)), rng.randrange(len(items))) for _ in range(PAIRS)]
    return items, pairs


def bench_scheme(package_type: str, runs: int, seconds: float) -> tuple[float, float, float, float]:
    module = SCHEMES[package_type]
    items, index_pairs = corpus(package_type)
    keys = [module.key(v) for v in items]
    key_pairs = [(keys[i], keys[j]) for i, j in index_pairs]
    string_pairs = [(items[i], items[j]) for i, j in index_pairs[:10_000]]

    def build() -> int:
        for v in items:
            module.key(v)
        return len(items)

    def compare_keys() -> int:
        for a, b in key_pairs:
            a < b  # noqa: B015  (the comparison is what is measured)
        return len(key_pairs)

    def compare_strings() -> int:
        for a, b in string_pairs:
            module.compare(a, b)
        return len(string_pairs)

    def compare_cached() -> int:
        for a, b in string_pairs:
            versions.compare(package_type, a, b)
        return len(string_pairs)

    return (
        rate(build, runs, seconds),
        rate(compare_keys, runs, seconds),
        rate(compare_strings, runs, seconds),
        rate(compare_cached, runs, seconds),
    )


def bench_packaging(runs: int, seconds: float) -> tuple[float, float]:
    items, index_pairs = corpus("pypi")
    parsed = [Version(v) for v in items]
    version_pairs = [(parsed[i], parsed[j]) for i, j in index_pairs]

    def build() -> int:
        for v in items:
            Version(v)
        return len(items)

    def compare() -> int:
        for a, b in version_pairs:
            a < b  # noqa: B015  (the comparison is what is measured)
        return len(version_pairs)

    return rate(build, runs, seconds), rate(compare, runs, seconds)


def _fmt(value: float) -> str:
    return f"{value / 1e6:.2f} M" if value >= 1e6 else f"{value / 1e3:.0f} k"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("schemes", nargs="*", default=list(SCHEMES))
    args = parser.parse_args(argv)

    print(f"{VERSIONS_PER_SCHEME} versions and {PAIRS} pairs per scheme; best of {args.runs} runs, CPU time")
    print(f"{'scheme':<10} {'keys/s':>10} {'cmp/s':>10} {'compare()/s':>12} {'cached/s':>10}")
    for package_type in args.schemes:
        built, compared, end_to_end, cached = bench_scheme(package_type, args.runs, args.seconds)
        print(f"{package_type:<10} {_fmt(built):>10} {_fmt(compared):>10} {_fmt(end_to_end):>12} {_fmt(cached):>10}")
    parsed, compared = bench_packaging(args.runs, args.seconds)
    print(f"{'baseline: packaging.version.Version on the pypi corpus':<58}")
    print(f"{'Version':<10} {_fmt(parsed):>10} {_fmt(compared):>10}")


if __name__ == "__main__":
    main()
