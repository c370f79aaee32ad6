"""What the reports print of a layer's instruction: credentials masked, the rest as written."""

from __future__ import annotations

import pytest

from hullscan.checks.misconfig.hits import redact

TOKEN = "ghp_" + "R8x2Lq9ZcV4mN7pT1wK3yB6dF0hJ5sA2eG8u"


@pytest.mark.parametrize(
    ("line", "gone", "kept"),
    [
        (f"RUN git clone https://{TOKEN}@github.com/acme/app", TOKEN[8:], "https://ghp_R8x2"),
        ("RUN curl -u deploy:S3cretPassw0rd https://x", "S3cretPassw0rd", "curl -u deploy:S3"),
        ("RUN wget --password=Hunter2Hunter2 https://x", "Hunter2Hunter2", "--password=Hu"),
        ("RUN curl -u $USER:$TOKEN https://x", None, "-u $USER:$TOKEN"),  # a reference, not the secret
        ("RUN pip install --index-url https://ci:pa55w0rd-long@pypi.acme.dev/simple app", "pa55w0rd-long",
         "https://ci:pa"),
        ("|1 DB_PASSWORD=hunter2hunter2 /bin/sh -c make", "hunter2hunter2", "DB_PASSWORD=hu"),
        ("ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D", None, "A035C8C19219BA821ECEA86B64E628F8D684696D"),
        ("RUN npm config set //registry.npmjs.org/:_authToken npm_abcdefghijklmnopqrstuvwxyz0123",
         "ijklmnopqrstuvwxyz0123", "npm_abcd"),
        ("RUN apt-get install -y curl", None, "RUN apt-get install -y curl"),
    ],
)
def test_redact(line: str, gone: str | None, kept: str) -> None:
    out = redact(line)
    if gone is not None:
        assert gone not in out
    assert kept in out
