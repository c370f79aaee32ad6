"""Which scanners run for --mode and --scanners, and that every registered scanner keeps the protocol."""

from __future__ import annotations

import pytest

from hullscan.checks.base import ScannerConfig
from hullscan.checks.registry import ALL, MODES, build_scanners, resolve_names
from hullscan.errors import UsageError


def test_modes() -> None:
    assert resolve_names("quick", None) == ("vuln", "misconfig")
    assert resolve_names("full", None) == ALL
    assert resolve_names("quick", "secret, VULN") == ("vuln", "secret")  # --scanners wins, in the canonical order
    assert resolve_names("full", "none") == ()
    with pytest.raises(UsageError, match="unknown scanner 'secrets'"):
        resolve_names("quick", "secrets")


@pytest.mark.parametrize("mode", ["quick", "full"])
def test_every_scanner_builds_and_names_itself(mode: str) -> None:
    config = ScannerConfig(mode="full" if mode == "full" else "quick")
    scanners = build_scanners(MODES["full"], config)
    assert [s.name for s in scanners] == [n for n in ALL if n != "vuln"]
    for scanner in scanners:
        extractors = scanner.extractors()
        assert all(e.name.startswith(f"{scanner.name}/") for e in extractors), scanner.name
    # only the content scanners add extractors to the layer walk
    walking = {s.name for s in scanners if s.extractors()}
    assert walking == {"secret", "malware"}


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        ([], ("vuln", "misconfig")),
        (["--mode", "full"], ALL),
        (["--license-policy", "p.yaml"], ("vuln", "misconfig", "license")),  # naming its input turns it on
        (["--malware-rules", "rules/", "--secret-config", "s.yaml"], ("vuln", "misconfig", "secret", "malware")),
        (["--compliance", "cis-docker"], ("vuln", "misconfig", "secret", "file")),
        (["--compliance", "cis-docker", "--scanners", "misconfig"], ("misconfig",)),  # --scanners is obeyed
        (["--scanners", "none", "--clamd", "unix:/x"], ()),
    ],
)
def test_cli_scanner_selection(argv: list[str], names: tuple[str, ...]) -> None:
    from hullscan.cli import _scanner_names, build_parser

    assert _scanner_names(build_parser().parse_args(["image", "x.tar", *argv])) == names
