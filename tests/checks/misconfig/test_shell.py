"""Reading RUN scripts: commands, wrappers, pipelines, nested shells."""

from __future__ import annotations

import pytest

from hullscan.checks.misconfig.run import world_writable
from hullscan.checks.misconfig.shell import parse


def test_chain_with_env_sudo_and_continuation() -> None:
    script = parse(
        "apt-get update && DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y \\\n curl git "
        "&& rm -rf /var/lib/apt/lists/*"
    )
    assert [c.program for c in script.commands] == ["apt-get", "apt-get", "rm"]
    install = script.commands[1]
    assert install.args == ("install", "-y", "curl", "git")
    assert install.env == (("DEBIAN_FRONTEND", "noninteractive"),)
    assert install.wrappers == ("sudo",)
    assert install.subcommand() == "install"
    assert not script.pipes


def test_pipelines_and_redirections() -> None:
    script = parse("curl -fsSL https://x/install.sh 2>/dev/null | sudo bash -s -- -y; echo done >&2")
    assert script.pipes
    curl, bash, echo = script.commands
    assert curl.argv == ("curl", "-fsSL", "https://x/install.sh")
    assert bash.pipeline == curl.pipeline and echo.pipeline != curl.pipeline
    assert echo.argv == ("echo", "done")


def test_glued_operators_and_subshells() -> None:
    script = parse("(cd /src && make)&&make install")
    assert [c.text for c in script.commands] == ["cd /src", "make", "make install"]


def test_nested_sh_c_is_read() -> None:
    script = parse("bash -c 'apk add curl | tee /log'")
    assert [c.program for c in script.commands] == ["bash", "apk", "tee"]
    assert script.pipes


def test_unbalanced_quotes_fall_back_to_words() -> None:
    script = parse('echo "oops && apt-get install x')
    assert "apt-get" in script.programs()


def test_option_helpers() -> None:
    c = parse("apt-get -qy -o Dpkg::Options::=--force-confdef install --no-install-recommends vim").commands[0]
    assert c.has_short("y") and c.has("--no-install-recommends") and not c.has("--yes")
    assert c.subcommand() == "install"


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("777", True), ("0666", True), ("o+w", True), ("a=rwx", True), ("u+x,o+w", True),
     ("755", False), ("1777", False), ("g+w", False), ("+x", False), ("0644", False)],
)
def test_world_writable(mode: str, expected: bool) -> None:
    assert world_writable(mode) is expected
