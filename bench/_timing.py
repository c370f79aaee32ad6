"""Timing whole commands for the benches: best of N, with an optional command run before each (a cache clean)."""

from __future__ import annotations

import subprocess
import time


def best(cmd: list[str], runs: int, env: dict[str, str], before: list[str] | None = None,
         ok: tuple[int, ...] = (0,)) -> float:
    """The fastest of ``runs`` runs of ``cmd`` in seconds; ``SystemExit`` with its stderr when it exits with a
    code outside ``ok`` (a scan that finds something exits 1, which a bench may accept)."""
    times = []
    for _ in range(runs):
        if before:
            subprocess.run(before, check=True, capture_output=True, env=env)
        t = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, env=env)
        times.append(time.perf_counter() - t)
        if done.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode(errors='replace')}")
    return min(times)
