"""The registry client: reference parsing, credentials, challenges, and pulls from a real registry.

Most tests talk to Debian's ``docker-registry`` (Distribution 2.8) through the shared fixtures in
``tests/conftest.py``. A few need a registry that misbehaves on demand (5xx, 429, a schema 1 manifest, a
redirect to another host, a body cut short); Distribution cannot be made to do that, so those use
:class:`FaultServer`, a fault injector on 127.0.0.1 that plays a scripted list of answers.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import random
import socket
import stat
import subprocess
import tarfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

import pytest

from hullscan.errors import AuthError, BlobError, ManifestError, RegistryError, UnsafeImageError, UsageError
from hullscan.image.oci import DOCKER_SCHEMA1_SIGNED, OCI_CONFIG, OCI_MANIFEST
from hullscan.image.registry import (
    DOCKER_HUB,
    MAX_DOCUMENT_SIZE,
    Challenge,
    ImageReference,
    RegistrySource,
    find_credentials,
    parse_challenge,
    parse_reference,
    retry_delay,
)
from hullscan.image.source import SourceOptions
from hullscan.model import Descriptor, Platform
from support.images import MultiArchLayout, OciLayoutImage, TarEntrySpec, write_oci_layout
from support.registry import Registry

# ---------------------------------------------------------------------------------------------- isolation


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Neither the developer's ``~/.docker/config.json`` nor their environment may leak into a test."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("HULLSCAN_USERNAME", "HULLSCAN_PASSWORD", "DOCKER_CONFIG"):
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------------------------------------- references

HEX = "a" * 64
DIGEST = f"sha256:{HEX}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alpine", (DOCKER_HUB, "library/alpine", "latest", None)),
        ("alpine:3.20", (DOCKER_HUB, "library/alpine", "3.20", None)),
        ("docker.io/alpine", (DOCKER_HUB, "library/alpine", "latest", None)),
        ("index.docker.io/library/alpine:edge", (DOCKER_HUB, "library/alpine", "edge", None)),
        ("bitnami/redis:7", (DOCKER_HUB, "bitnami/redis", "7", None)),
        ("localhost/x", ("localhost", "x", "latest", None)),
        ("localhost:5000/x", ("localhost:5000", "x", "latest", None)),
        ("127.0.0.1:41234/team/app:v1.2", ("127.0.0.1:41234", "team/app", "v1.2", None)),
        ("[::1]:5000/x:1", ("[::1]:5000", "x", "1", None)),
        ("quay.io/x/y:tag", ("quay.io", "x/y", "tag", None)),
        ("ghcr.io/a/b/c/d", ("ghcr.io", "a/b/c/d", "latest", None)),
        ("Registry/x", ("Registry", "x", "latest", None)),  # an uppercase first part can only be a host
        (f"x@{DIGEST}", (DOCKER_HUB, "library/x", None, DIGEST)),
        (f"x:tag@{DIGEST}", (DOCKER_HUB, "library/x", "tag", DIGEST)),
        (f"localhost:5000/x@{DIGEST}", ("localhost:5000", "x", None, DIGEST)),
        ("my-org/my_app.name__x:1_0-rc.1", (DOCKER_HUB, "my-org/my_app.name__x", "1_0-rc.1", None)),
        ("  alpine  ", (DOCKER_HUB, "library/alpine", "latest", None)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_parse_reference(text: str, expected: tuple[str, str, str | None, str | None]) -> None:
    ref = parse_reference(text)
    assert tuple(ref) == expected
    host, repo, tag, digest = ref  # a plain 4-tuple to callers that unpack it
    assert isinstance(ref, ImageReference) and (host, repo, tag, digest) == expected


def test_reference_text_round_trips() -> None:
    assert str(parse_reference("127.0.0.1:5000/a/b:c")) == "127.0.0.1:5000/a/b:c"
    assert str(parse_reference(f"x:t@{DIGEST}")) == f"{DOCKER_HUB}/library/x:t@{DIGEST}"
    assert str(parse_reference(f"x@{DIGEST}")) == f"{DOCKER_HUB}/library/x@{DIGEST}"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("a b", "white space"),
        ("Alpine", "lowercase"),
        ("host.tld/Team/app", "lowercase"),
        ("x@sha256:abc", "digest"),
        ("x@md5:" + "a" * 32, "digest"),
        (f"x@{DIGEST}@{DIGEST}", "more than one"),
        ("x:", "tag"),
        ("x:-bad", "tag"),
        ("x:" + "a" * 129, "tag"),
        (":tag", "missing"),
        ("host.tld//x", "empty path component"),
        ("x/", "empty path component"),
        ("-x", "not valid"),
        ("x__-y", "not valid"),
        ("bad_host.tld:port/x", "not valid"),
        ("a/" * 130 + "a", "longer than"),
    ],
)
def test_parse_reference_rejects(text: str, says: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_reference(text)
    message = str(err.value)
    assert says in message and repr(text) in message and "\n" not in message


# ---------------------------------------------------------------------------------------------- challenges


def test_parse_challenge_bearer() -> None:
    header = 'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'
    ch = parse_challenge(header)
    assert ch == Challenge(
        "bearer",
        (
            ("realm", "https://auth.example/token"),
            ("service", "registry.example"),
            ("scope", "repository:a/b:pull"),
        ),
    )


def test_parse_challenge_variants() -> None:
    basic = parse_challenge('Basic realm="basic-realm"')
    assert basic is not None and basic.scheme == "basic" and basic.param("realm") == "basic-realm"
    # Unquoted values, odd spacing, escaped quotes and an error parameter.
    odd = parse_challenge(r'BEARER realm=https://a/t , error="insufficient_scope", x="q\"uote"')
    assert odd is not None and odd.scheme == "bearer"
    assert odd.param("realm") == "https://a/t"
    assert odd.param("error") == "insufficient_scope"
    assert odd.param("x") == 'q"uote'
    assert odd.param("scope") == ""
    assert parse_challenge("") is None
    assert parse_challenge('realm="x"') is None


# ---------------------------------------------------------------------------------------------- backoff


def test_retry_delay_backoff_grows_with_jitter() -> None:
    for attempt, base in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0)):
        delays = [retry_delay(attempt, 1.0) for _ in range(50)]
        assert all(base <= d <= base * 1.5 for d in delays)
        assert len(set(delays)) > 1  # jitter
    assert retry_delay(20, 1.0) <= 45.0  # capped


def test_retry_delay_honours_retry_after() -> None:
    assert retry_delay(1, 1.0, "7") == 7.0
    assert retry_delay(1, 1.0, "100000") == 60.0  # capped: a scan does not sleep for a day
    assert retry_delay(3, 1.0, "Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25.0 <= retry_delay(1, 1.0, future) <= 31.0
    assert 1.0 <= retry_delay(1, 1.0, "soon") <= 1.5  # unparseable: plain backoff


# ---------------------------------------------------------------------------------------------- credentials


def write_docker_config(path: Path, doc: object) -> str:
    path.write_text(json.dumps(doc))
    return str(path)


def write_helper(directory: Path, name: str, script: str) -> None:
    """An executable ``docker-credential-NAME`` on the given directory (put on PATH by the caller)."""
    directory.mkdir(exist_ok=True)
    exe = directory / f"docker-credential-{name}"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_credentials_order_options_then_env_then_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = write_docker_config(tmp_path / "config.json", {"auths": {"reg.example": {"auth": b64("fromfile:pw3")}}})
    monkeypatch.setenv("HULLSCAN_USERNAME", "fromenv")
    monkeypatch.setenv("HULLSCAN_PASSWORD", "pw2")
    opts = SourceOptions(username="fromopts", password="pw1", docker_config=config)
    first = find_credentials("reg.example", opts)
    assert first is not None and (first.username, first.password) == ("fromopts", "pw1")
    second = find_credentials("reg.example", SourceOptions(docker_config=config))
    assert second is not None and (second.username, second.password) == ("fromenv", "pw2")
    monkeypatch.delenv("HULLSCAN_USERNAME")
    monkeypatch.delenv("HULLSCAN_PASSWORD")
    third = find_credentials("reg.example", SourceOptions(docker_config=config))
    assert third is not None and (third.username, third.password) == ("fromfile", "pw3")
    assert find_credentials("other.example", SourceOptions(docker_config=config)) is None
    assert "pw3" not in repr(third)  # passwords never appear in a repr (or a message)


def test_credentials_half_given_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError, match="--username and --password"):
        find_credentials("r", SourceOptions(username="u"))
    monkeypatch.setenv("HULLSCAN_PASSWORD", "p")
    with pytest.raises(UsageError, match="HULLSCAN_USERNAME and HULLSCAN_PASSWORD"):
        find_credentials("r", SourceOptions())


def test_credentials_docker_config_forms(tmp_path: Path) -> None:
    config = write_docker_config(
        tmp_path / "config.json",
        {
            "auths": {
                "https://index.docker.io/v1/": {"auth": b64("hubuser:hub:pw")},
                "http://reg.example:5000": {"username": "plain", "password": "pw"},
                "token.example": {"identitytoken": "xyz"},
            }
        },
    )
    hub = find_credentials(DOCKER_HUB, SourceOptions(docker_config=config))
    assert hub is not None and (hub.username, hub.password) == ("hubuser", "hub:pw")
    plain = find_credentials("reg.example:5000", SourceOptions(docker_config=config))
    assert plain is not None and (plain.username, plain.password) == ("plain", "pw")
    assert find_credentials("token.example", SourceOptions(docker_config=config)) is None


def test_credentials_default_config_locations(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    home_docker = Path(tmp_path / "home" / ".docker")
    home_docker.mkdir()
    write_docker_config(home_docker / "config.json", {"auths": {"r.example": {"auth": b64("home:pw")}}})
    found = find_credentials("r.example", SourceOptions())
    assert found is not None and found.username == "home"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_docker_config(elsewhere / "config.json", {"auths": {"r.example": {"auth": b64("dc:pw")}}})
    monkeypatch.setenv("DOCKER_CONFIG", str(elsewhere))
    found = find_credentials("r.example", SourceOptions())
    assert found is not None and found.username == "dc"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "not a JSON object"),
        (json.dumps({"auths": {"r.example": {"auth": "%%%"}}}), "not base64"),
        (json.dumps({"auths": {"r.example": {"auth": b64("nocolon")}}}), "not base64"),
    ],
)
def test_credentials_broken_docker_config(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    with pytest.raises(UsageError, match=says):
        find_credentials("r.example", SourceOptions(docker_config=str(path)))


def test_credentials_explicit_config_must_exist(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        find_credentials("r", SourceOptions(docker_config=str(tmp_path / "missing.json")))


def test_credentials_helpers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    # The helper protocol: server URL on stdin, JSON on stdout.
    write_helper(
        bin_dir,
        "per-host",
        'read server\nprintf \'{"ServerURL":"%s","Username":"helped","Secret":"s1"}\' "$server"\n',
    )
    write_helper(bin_dir, "store", 'read server\necho "{\\"Username\\":\\"stored-$server\\",\\"Secret\\":\\"s2\\"}"\n')
    write_helper(bin_dir, "empty", "echo 'credentials not found in native keychain'\nexit 1\n")
    write_helper(bin_dir, "broken", "echo 'keychain locked' >&2\nexit 3\n")
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    config = write_docker_config(
        tmp_path / "config.json",
        {
            "credHelpers": {"a.example": "per-host", "b.example": "empty", "c.example": "broken"},
            "credsStore": "store",
            "auths": {"b.example": {"auth": b64("fallback:pw")}},
        },
    )
    opts = SourceOptions(docker_config=config)
    a = find_credentials("a.example", opts)
    assert a is not None and (a.username, a.password, a.origin) == ("helped", "s1", "docker-credential-per-host")
    # No per-host helper: the default store, given the server name on stdin.
    d = find_credentials("d.example", opts)
    assert d is not None and (d.username, d.password) == ("stored-d.example", "s2")
    # Docker Hub's helpers are asked for the legacy index URL.
    hub = find_credentials(DOCKER_HUB, opts)
    assert hub is not None and hub.username == "stored-https://index.docker.io/v1/"
    with pytest.raises(AuthError, match=r"docker-credential-broken failed for c\.example: keychain locked"):
        find_credentials("c.example", opts)


def test_credentials_helper_not_found_falls_through(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    write_helper(bin_dir, "empty", "echo 'credentials not found in native keychain'\nexit 1\n")
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    config = write_docker_config(
        tmp_path / "config.json",
        {
            "credHelpers": {"b.example": "empty"},
            "credsStore": "desktop",  # not installed here: passed over, as a copied desktop config would be
            "auths": {"b.example": {"auth": b64("fallback:pw")}},
        },
    )
    found = find_credentials("b.example", SourceOptions(docker_config=config))
    assert found is not None and found.username == "fallback"


# ---------------------------------------------------------------------------------------------- fault injector


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False
    cut_after: int | None = None
    """Announce the whole body but send only this many bytes, then drop the connection."""


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class FaultServer:
    """A fault injector: an HTTP server on 127.0.0.1 that plays scripted answers per path.

    The real registry cannot be made to fail on demand, so the tests of retries, redirects to storage,
    truncated bodies and schema 1 manifests (which Distribution no longer accepts on push) use this.
    Each path has a list of answers played in order; the last one repeats.
    """

    def __init__(self) -> None:
        self.script: dict[str, list[Answer]] = {}
        self.seen: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.seen.append(Seen(self.path, dict(self.headers.items())))
                answers = server.script.get(self.path.split("?", 1)[0]) or [Answer(404, b"{}")]
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                try:
                    self.send_response(answer.status)
                    for k, v in answer.headers.items():
                        self.send_header(k, v)
                    if answer.chunked:
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        for i in range(0, len(answer.body), 65536):
                            part = answer.body[i : i + 65536]
                            self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                        self.wfile.write(b"0\r\n\r\n")
                        return
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    if answer.cut_after is not None:
                        self.wfile.write(answer.body[: answer.cut_after])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    def on(self, path: str, *answers: Answer) -> None:
        self.script[path] = list(answers)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fault() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()


@pytest.fixture
def fault2() -> Iterator[FaultServer]:
    server = FaultServer()
    yield server
    server.close()


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FakeImage:
    config: bytes
    layer: bytes
    manifest: bytes

    @property
    def manifest_digest(self) -> str:
        return sha(self.manifest)


def fake_image(arch: str = "amd64") -> FakeImage:
    layer = b"not really a tar, the client does not look inside"
    config = json.dumps(
        {"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": [sha(layer)]}}
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": sha(config), "size": len(config)},
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha(layer), "size": len(layer)}
            ],
        }
    ).encode()
    return FakeImage(config, layer, manifest)


def serve_image(server: FaultServer, repo: str, tag: str, image: FakeImage, *before: Answer) -> None:
    """Script ``server`` to serve ``image``; ``before`` are answers the manifest request gets first."""
    ok = Answer(200, image.manifest, {"Content-Type": OCI_MANIFEST})
    server.on(f"/v2/{repo}/manifests/{tag}", *before, ok)
    server.on(f"/v2/{repo}/blobs/{sha(image.config)}", Answer(200, image.config))
    server.on(f"/v2/{repo}/blobs/{sha(image.layer)}", Answer(200, image.layer))


class Sleeps:
    """Records the backoff a source asks for instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def plain(retries: int = 4) -> SourceOptions:
    return SourceOptions(insecure=True, timeout=10, retries=retries)


def test_retries_5xx_then_succeeds(fault: FaultServer) -> None:
    image = fake_image()
    serve_image(fault, "app", "1", image, Answer(503), Answer(502, b"<html>bad gateway</html>"))
    # The config blob fails once too: retries apply to every request, not only the first.
    fault.on(f"/v2/app/blobs/{sha(image.config)}", Answer(500), Answer(200, image.config))
    sleeps = Sleeps()
    with RegistrySource(f"{fault.host}/app:1", plain(retries=2), backoff=0.25, sleep=sleeps) as src:
        resolved = src.resolve()
    assert resolved.manifest_digest == image.manifest_digest
    assert len(sleeps.delays) == 3
    assert 0.25 <= sleeps.delays[0] <= 0.375 and 0.5 <= sleeps.delays[1] <= 0.75  # exponential, jittered
    assert [s.path for s in fault.seen].count("/v2/app/manifests/1") == 3


def test_blob_download_start_is_retried(fault: FaultServer) -> None:
    image = fake_image()
    serve_image(fault, "app", "1", image)
    fault.on(f"/v2/app/blobs/{sha(image.layer)}", Answer(504), Answer(429), Answer(200, image.layer))
    sleeps = Sleeps()
    with RegistrySource(f"{fault.host}/app:1", plain(retries=2), backoff=0.01, sleep=sleeps) as src:
        desc = src.resolve().manifest.layers[0]
        with src.open_blob(desc) as stream:
            assert stream.read() == image.layer
    assert len(sleeps.delays) == 2


def test_manifest_body_cut_short_is_retried(fault: FaultServer) -> None:
    image = fake_image()
    serve_image(fault, "app", "1", image, Answer(200, image.manifest, {"Content-Type": OCI_MANIFEST}, cut_after=10))
    sleeps = Sleeps()
    with RegistrySource(f"{fault.host}/app:1", plain(retries=1), backoff=0.01, sleep=sleeps) as src:
        assert src.resolve().manifest_digest == image.manifest_digest
    assert len(sleeps.delays) == 1


def test_retries_exhausted(fault: FaultServer) -> None:
    image = fake_image()
    serve_image(fault, "app", "1", image, Answer(503), Answer(503), Answer(503))
    sleeps = Sleeps()
    with (
        RegistrySource(f"{fault.host}/app:1", plain(retries=2), sleep=sleeps) as src,
        pytest.raises(RegistryError) as err,
    ):
        src.resolve()
    assert str(err.value) == (
        f"registry:{fault.host}/app:1: registry {fault.host} answered HTTP 503 for manifest 1 (3 attempts)"
    )
    assert len(sleeps.delays) == 2


def test_retry_after_is_honoured(fault: FaultServer) -> None:
    image = fake_image()
    serve_image(fault, "app", "1", image, Answer(429, headers={"Retry-After": "1"}))
    start = time.monotonic()
    with RegistrySource(f"{fault.host}/app:1", plain(), backoff=0.01) as src:
        src.resolve()
    assert time.monotonic() - start >= 1.0  # the server's 1 s, not the client's 10 ms backoff


def test_schema1_is_unsupported(fault: FaultServer) -> None:
    # Distribution 2.8 refuses schema 1 pushes, so only a hand-scripted server can still answer one.
    schema1 = json.dumps({"schemaVersion": 1, "name": "app", "tag": "old", "fsLayers": [], "history": []})
    fault.on("/v2/app/manifests/old", Answer(200, schema1.encode(), {"Content-Type": DOCKER_SCHEMA1_SIGNED}))
    with RegistrySource(f"{fault.host}/app:old", plain()) as src, pytest.raises(ManifestError) as err:
        src.resolve()
    assert str(err.value).startswith(f"registry:{fault.host}/app:old: manifest old is a Docker schema 1")
    assert "unsupported" in str(err.value)
    accept = fault.seen[0].headers["Accept"]
    assert "application/vnd.oci.image.index.v1+json" in accept and DOCKER_SCHEMA1_SIGNED in accept


def test_redirect_to_storage_drops_authorization(fault: FaultServer, fault2: FaultServer) -> None:
    """A 307 to blob storage on another origin must not carry the registry's credentials there."""
    image = fake_image()
    creds = "Basic " + b64("user:secret")
    challenge = Answer(401, b"{}", {"WWW-Authenticate": 'Basic realm="r"'})
    serve_image(fault, "app", "1", image, challenge)
    layer_path = f"/v2/app/blobs/{sha(image.layer)}"
    fault.on(layer_path, Answer(307, headers={"Location": f"http://{fault2.host}/store/layer?sig=1"}))
    fault2.on("/store/layer", Answer(200, image.layer))
    opts = SourceOptions(insecure=True, username="user", password="secret", timeout=10)
    with RegistrySource(f"{fault.host}/app:1", opts) as src:
        resolved = src.resolve()
        with src.open_blob(resolved.manifest.layers[0]) as stream:
            assert stream.read() == image.layer
    registry_seen = [s for s in fault.seen if s.path == layer_path]
    assert registry_seen and registry_seen[0].headers.get("Authorization") == creds
    assert fault2.seen and fault2.seen[0].path == "/store/layer?sig=1"
    assert "Authorization" not in fault2.seen[0].headers


def test_https_by_default(fault: FaultServer) -> None:
    serve_image(fault, "app", "1", fake_image())
    with (
        RegistrySource(f"{fault.host}/app:1", SourceOptions(timeout=10, retries=3)) as src,
        pytest.raises(RegistryError) as err,
    ):
        src.resolve()
    # The plain-HTTP server cannot speak TLS; that is not worth retrying and the message says what to do.
    assert "TLS failed" in str(err.value) and "--insecure" in str(err.value)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_manifest_is_refused(fault: FaultServer, chunked: bool) -> None:
    huge = b"{" + b" " * (MAX_DOCUMENT_SIZE + 10) + b"}"
    fault.on("/v2/app/manifests/big", Answer(200, huge, {"Content-Type": OCI_MANIFEST}, chunked=chunked))
    with RegistrySource(f"{fault.host}/app:big", plain()) as src, pytest.raises(UnsafeImageError) as err:
        src.resolve()
    assert str(err.value).startswith(f"registry:{fault.host}/app:big: manifest big is larger than")


def test_pinned_digest_mismatch(fault: FaultServer) -> None:
    image = fake_image()
    fault.on(f"/v2/app/manifests/{DIGEST}", Answer(200, image.manifest, {"Content-Type": OCI_MANIFEST}))
    with RegistrySource(f"{fault.host}/app@{DIGEST}", plain()) as src, pytest.raises(ManifestError) as err:
        src.resolve()
    assert str(err.value) == (
        f"registry:{fault.host}/app@{DIGEST}: manifest {DIGEST} does not match its digest (got {image.manifest_digest})"
    )


def test_docker_content_digest_mismatch(fault: FaultServer) -> None:
    image = fake_image()
    headers = {"Content-Type": OCI_MANIFEST, "Docker-Content-Digest": DIGEST}
    fault.on("/v2/app/manifests/1", Answer(200, image.manifest, headers))
    with RegistrySource(f"{fault.host}/app:1", plain()) as src, pytest.raises(ManifestError, match=DIGEST):
        src.resolve()


def test_corrupt_config_blob(fault: FaultServer) -> None:
    image = fake_image()
    serve_image(fault, "app", "1", image)
    fault.on(f"/v2/app/blobs/{sha(image.config)}", Answer(200, image.config + b" "))
    with RegistrySource(f"{fault.host}/app:1", plain()) as src, pytest.raises(BlobError) as err:
        src.resolve()
    assert f"config blob {sha(image.config)} does not match its digest" in str(err.value)


def test_blob_cut_short(fault: FaultServer) -> None:
    image = fake_image()
    serve_image(fault, "app", "1", image)
    layer = image.layer * 1000
    desc_digest = sha(layer)
    fault.on(f"/v2/app/blobs/{desc_digest}", Answer(200, layer, cut_after=1000))
    with RegistrySource(f"{fault.host}/app:1", plain()) as src:
        resolved = src.resolve()
        desc = resolved.manifest.layers[0]
        from dataclasses import replace

        desc = replace(desc, digest=desc_digest, size=len(layer))
        with src.open_blob(desc) as stream, pytest.raises(BlobError) as err:
            while stream.read(4096):
                pass
    assert str(err.value).startswith(f"registry:{fault.host}/app:1: blob {desc_digest}: download broke after")


def test_blob_size_differs_from_descriptor(fault: FaultServer) -> None:
    image = fake_image()
    serve_image(fault, "app", "1", image)
    with RegistrySource(f"{fault.host}/app:1", plain()) as src:
        desc = src.resolve().manifest.layers[0]
        from dataclasses import replace

        with pytest.raises(BlobError, match="the manifest says 5"):
            src.open_blob(replace(desc, size=5))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_unreachable_registry() -> None:
    port = free_port()  # nobody listens there any more: connection refused
    sleeps = Sleeps()
    with (
        RegistrySource(f"127.0.0.1:{port}/app:1", plain(retries=2), sleep=sleeps) as src,
        pytest.raises(RegistryError) as err,
    ):
        src.resolve()
    message = str(err.value)
    assert message.startswith(f"registry:127.0.0.1:{port}/app:1: cannot reach registry 127.0.0.1:{port} (")
    assert "refused" in message.lower() and "3 attempts" in message and "\n" not in message
    assert len(sleeps.delays) == 2


def test_config_claiming_absurd_size_is_not_fetched(fault: FaultServer) -> None:
    image = fake_image()
    doc = json.loads(image.manifest)
    doc["config"]["size"] = MAX_DOCUMENT_SIZE + 1
    manifest = json.dumps(doc).encode()
    fault.on("/v2/app/manifests/1", Answer(200, manifest, {"Content-Type": OCI_MANIFEST}))
    fault.on(f"/v2/app/blobs/{sha(image.config)}", Answer(200, image.config))
    with RegistrySource(f"{fault.host}/app:1", plain()) as src, pytest.raises(UnsafeImageError) as err:
        src.resolve()
    assert f"config blob {sha(image.config)} claims {MAX_DOCUMENT_SIZE + 1} bytes" in str(err.value)
    assert [s.path for s in fault.seen] == ["/v2/app/manifests/1"]


# ---------------------------------------------------------------------------------------------- real registry

OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'


def small_layout(directory: Path, tag: str = "1", extra: bytes = b"") -> OciLayoutImage:
    """A one-layer OCI layout: ``etc/os-release`` (and ``extra`` as ``opt/blob`` when given)."""
    entries = [TarEntrySpec.directory("etc"), TarEntrySpec.file("etc/os-release", OS_RELEASE)]
    if extra:
        entries += [TarEntrySpec.directory("opt"), TarEntrySpec.file("opt/blob", extra)]
    return write_oci_layout(directory, [entries], tag=tag, compression="none" if extra else "gzip")


def skopeo_inspect(registry: Registry, repo_tag: str, *extra: str) -> bytes:
    """What skopeo (not hullscan) says about an image in the registry."""
    creds = ["--creds", registry.creds] if registry.creds else ["--no-creds"]
    argv = ["skopeo", "inspect", "--tls-verify=false", *creds, *extra, f"docker://{registry.ref(repo_tag)}"]
    return subprocess.run(argv, check=True, capture_output=True, timeout=120).stdout


def read_all(stream: BinaryIO) -> tuple[str, int, bytes]:
    """sha256 digest, size and the first KiB of a stream, read in small chunks as a layer walker would."""
    h = hashlib.sha256()
    size = 0
    head = b""
    while chunk := stream.read(64 * 1024):
        h.update(chunk)
        if len(head) < 1024:
            head += chunk[: 1024 - len(head)]
        size += len(chunk)
    return "sha256:" + h.hexdigest(), size, head


def layer_files(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data)), mode="r:") as tar:
        out: dict[str, bytes] = {}
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is not None:
                out[member.name] = handle.read()
        return out


def test_pull_anonymous_matches_skopeo(registry_anonymous: Registry, tmp_path: Path) -> None:
    layout = small_layout(tmp_path / "layout")
    pushed = registry_anonymous.push(layout.ref, "pull/anon:1")
    inspect = json.loads(skopeo_inspect(registry_anonymous, "pull/anon:1"))
    raw_config = skopeo_inspect(registry_anonymous, "pull/anon:1", "--config", "--raw")
    with RegistrySource(registry_anonymous.ref("pull/anon:1"), plain()) as src:
        assert src.kind == "registry" and src.name == f"registry:{registry_anonymous.host}/pull/anon:1"
        resolved = src.resolve()
        assert resolved.manifest_digest == pushed == inspect["Digest"]
        assert [d.digest for d in resolved.manifest.layers] == inspect["Layers"]
        assert resolved.config.digest == sha(raw_config)
        assert resolved.config.diff_ids == layout.diff_ids
        assert (resolved.config.os, resolved.config.architecture) == ("linux", "amd64")
        assert resolved.repo_tags == (f"{registry_anonymous.host}/pull/anon:1",)
        assert resolved.repo_digests == (f"{registry_anonymous.host}/pull/anon@{pushed}",)
        desc = resolved.manifest.layers[0]
        with src.open_blob(desc) as stream:
            data = stream.read()
    assert sha(data) == desc.digest and len(data) == desc.size
    assert layer_files(data)["etc/os-release"] == OS_RELEASE.encode()


def test_pull_docker_schema2_by_digest(registry_anonymous: Registry, tmp_path: Path) -> None:
    layout = small_layout(tmp_path / "layout")
    dest = f"docker://{registry_anonymous.ref('pull/v2s2:1')}"
    argv = ["skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "--dest-no-creds"]
    subprocess.run([*argv, "--format", "v2s2", layout.ref, dest], check=True, capture_output=True, timeout=120)
    raw = skopeo_inspect(registry_anonymous, "pull/v2s2:1", "--raw")
    assert json.loads(raw)["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    with RegistrySource(registry_anonymous.ref(f"pull/v2s2@{sha(raw)}"), plain()) as src:
        resolved = src.resolve()
        assert resolved.manifest_digest == sha(raw)
        assert resolved.manifest.media_type == "application/vnd.docker.distribution.manifest.v2+json"
        assert resolved.repo_tags == ()  # a digest pins the image; a tag is not claimed
        assert resolved.config.diff_ids == layout.diff_ids
        for desc, stream in src.iter_blobs(resolved.manifest.layers):
            assert read_all(stream)[:2] == (desc.digest, desc.size)


def test_blob_is_streamed_not_buffered(registry_anonymous: Registry, tmp_path: Path) -> None:
    """A 24 MiB layer read through ``open_blob`` never costs more than a few MiB of Python memory."""
    payload = random.Random(7).randbytes(24 * 1024 * 1024)
    layout = small_layout(tmp_path / "layout", extra=payload)
    registry_anonymous.push(layout.ref, "pull/big:1")
    with RegistrySource(registry_anonymous.ref("pull/big:1"), plain()) as src:
        desc = src.resolve().manifest.layers[0]
        del payload
        tracemalloc.start()
        try:
            with src.open_blob(desc) as stream:
                digest, size, _ = read_all(stream)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert (digest, size) == (desc.digest, desc.size) and size > 24 * 1024 * 1024
    assert peak < 4 * 1024 * 1024


@pytest.mark.parametrize(
    ("repo_tag", "says"),
    [("pull/anon:no-such-tag", "MANIFEST_UNKNOWN"), ("pull/no-such-repo:1", "MANIFEST_UNKNOWN")],
    ids=["missing-tag", "missing-repo"],
)
def test_missing_manifest(registry_anonymous: Registry, tmp_path: Path, repo_tag: str, says: str) -> None:
    registry_anonymous.push(small_layout(tmp_path / "layout").ref, "pull/anon:1")
    ref = registry_anonymous.ref(repo_tag)
    with RegistrySource(ref, plain()) as src, pytest.raises(ManifestError) as err:
        src.resolve()
    message = str(err.value)
    assert message.startswith(f"registry:{ref}: manifest ") and "not found in" in message and says in message


def test_missing_blob(registry_anonymous: Registry, tmp_path: Path) -> None:
    registry_anonymous.push(small_layout(tmp_path / "layout").ref, "pull/anon:1")
    with RegistrySource(registry_anonymous.ref("pull/anon:1"), plain()) as src:
        desc = Descriptor("application/vnd.oci.image.layer.v1.tar", DIGEST, 10)
        with pytest.raises(BlobError) as err:
            src.open_blob(desc)
    assert str(err.value).startswith(f"registry:{registry_anonymous.host}/pull/anon:1: blob {DIGEST} not found")


# -- multi-platform


@pytest.fixture(scope="module")
def pushed_multiarch(registry_anonymous: Registry, multiarch_index: MultiArchLayout) -> MultiArchLayout:
    registry_anonymous.push(multiarch_index.ref, "pull/multi:1", all_images=True)
    return multiarch_index


def test_multiarch_platform_choice(registry_anonymous: Registry, pushed_multiarch: MultiArchLayout) -> None:
    arm = pushed_multiarch.image_for("linux/arm64")
    opts = SourceOptions(platform=Platform.parse("linux/arm64"), insecure=True, timeout=10)
    with RegistrySource(registry_anonymous.ref("pull/multi:1"), opts) as src:
        resolved = src.resolve()
        assert resolved.manifest_digest == arm.manifest_digest
        assert (resolved.config.architecture, resolved.config.variant) == ("arm64", "v8")
        assert [d.digest for d in resolved.manifest.layers] == list(arm.layer_digests)
        # Docker's RepoDigests: the digest the tag points to (the index), which pulls this image anywhere.
        assert resolved.repo_digests == (f"{registry_anonymous.host}/pull/multi@{pushed_multiarch.index_digest}",)
        with src.open_blob(resolved.manifest.layers[1]) as stream:
            assert layer_files(stream.read())["etc/platform"] == b"linux/arm64/v8\n"


def test_multiarch_default_is_this_machine(registry_anonymous: Registry, pushed_multiarch: MultiArchLayout) -> None:
    host = Platform.host()
    if host.architecture not in ("amd64", "arm64"):
        pytest.skip(f"the index has no image for {host}")
    with RegistrySource(registry_anonymous.ref("pull/multi:1"), plain()) as src:
        resolved = src.resolve()
    assert resolved.config.architecture == host.architecture
    assert resolved.manifest_digest == pushed_multiarch.image_for(f"linux/{host.architecture}").manifest_digest


def test_multiarch_platform_missing(registry_anonymous: Registry, pushed_multiarch: MultiArchLayout) -> None:
    opts = SourceOptions(platform=Platform.parse("linux/s390x"), insecure=True, timeout=10)
    ref = registry_anonymous.ref("pull/multi:1")
    with RegistrySource(ref, opts) as src, pytest.raises(ManifestError) as err:
        src.resolve()
    assert str(err.value) == (
        f"registry:{ref}: no image for platform linux/s390x (available: linux/amd64, linux/arm64/v8); use --platform"
    )


def test_single_platform_image_for_another_platform(registry_anonymous: Registry, tmp_path: Path) -> None:
    registry_anonymous.push(small_layout(tmp_path / "layout").ref, "pull/anon:1")
    opts = SourceOptions(platform=Platform.parse("linux/arm64"), insecure=True, timeout=10)
    with RegistrySource(registry_anonymous.ref("pull/anon:1"), opts) as src, pytest.raises(ManifestError) as err:
        src.resolve()
    assert str(err.value).endswith("the image is for linux/amd64, not for linux/arm64")


# -- basic auth


@pytest.fixture(scope="module")
def basic_image(registry_basic: Registry, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The manifest digest of ``auth/img:1`` in the htpasswd registry."""
    return registry_basic.push(small_layout(tmp_path_factory.mktemp("basic") / "layout").ref, "auth/img:1")


def pull(ref: str, options: SourceOptions) -> str:
    """Resolve and read every layer; the manifest digest."""
    with RegistrySource(ref, options) as src:
        resolved = src.resolve()
        for desc, stream in src.iter_blobs(resolved.manifest.layers):
            assert read_all(stream)[0] == desc.digest
    return resolved.manifest_digest


def auth_options(**kw: str) -> SourceOptions:
    return SourceOptions(insecure=True, timeout=10, retries=0, **kw)  # type: ignore[arg-type]


def test_basic_auth_right_password(registry_basic: Registry, basic_image: str) -> None:
    assert registry_basic.username and registry_basic.password
    opts = auth_options(username=registry_basic.username, password=registry_basic.password)
    assert pull(registry_basic.ref("auth/img:1"), opts) == basic_image


def test_basic_auth_wrong_password(registry_basic: Registry, basic_image: str) -> None:
    assert registry_basic.username
    opts = auth_options(username=registry_basic.username, password="wrong-password")
    ref = registry_basic.ref("auth/img:1")
    with pytest.raises(AuthError) as err:
        pull(ref, opts)
    assert str(err.value) == (
        f"registry:{ref}: registry {registry_basic.host} rejected the credentials for auth/img "
        "(from --username/--password)"
    )


def test_basic_auth_without_credentials(registry_basic: Registry, basic_image: str) -> None:
    ref = registry_basic.ref("auth/img:1")
    with pytest.raises(AuthError) as err:
        pull(ref, auth_options())
    assert str(err.value).startswith(f"registry:{ref}: registry {registry_basic.host} requires credentials")


def test_basic_auth_from_environment(
    registry_basic: Registry, basic_image: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert registry_basic.username and registry_basic.password
    monkeypatch.setenv("HULLSCAN_USERNAME", registry_basic.username)
    monkeypatch.setenv("HULLSCAN_PASSWORD", registry_basic.password)
    assert pull(registry_basic.ref("auth/img:1"), auth_options()) == basic_image
    monkeypatch.setenv("HULLSCAN_PASSWORD", "wrong")
    with pytest.raises(AuthError, match="from HULLSCAN_USERNAME/HULLSCAN_PASSWORD"):
        pull(registry_basic.ref("auth/img:1"), auth_options())


def test_basic_auth_from_docker_config(registry_basic: Registry, basic_image: str, tmp_path: Path) -> None:
    assert registry_basic.creds and registry_basic.password
    config = write_docker_config(
        tmp_path / "config.json", {"auths": {registry_basic.host: {"auth": b64(registry_basic.creds)}}}
    )
    assert pull(registry_basic.ref("auth/img:1"), auth_options(docker_config=config)) == basic_image
    wrong = write_docker_config(
        tmp_path / "wrong.json", {"auths": {f"http://{registry_basic.host}": {"username": "x", "password": "y"}}}
    )
    with pytest.raises(AuthError) as err:
        pull(registry_basic.ref("auth/img:1"), auth_options(docker_config=wrong))
    assert f"(from docker config {wrong})" in str(err.value) and "y" not in str(err.value).split("(from")[0][-5:]


def test_basic_auth_from_credential_helper(
    registry_basic: Registry, basic_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert registry_basic.username and registry_basic.password
    bin_dir = tmp_path / "bin"
    log = tmp_path / "helper-asked"
    answer = json.dumps({"Username": registry_basic.username, "Secret": registry_basic.password})
    write_helper(bin_dir, "test", f"[ \"$1\" = get ] || exit 2\ncat > {log}\necho '{answer}'\n")
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    config = write_docker_config(tmp_path / "config.json", {"credHelpers": {registry_basic.host: "test"}})
    assert pull(registry_basic.ref("auth/img:1"), auth_options(docker_config=config)) == basic_image
    assert log.read_text() == registry_basic.host  # the helper was given the server on stdin


def test_anonymous_pull_does_not_ask_for_credentials(
    registry_anonymous: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Credentials are looked up only when a registry asks: a broken helper cannot break a public pull."""
    registry_anonymous.push(small_layout(tmp_path / "layout").ref, "pull/anon:1")
    bin_dir = tmp_path / "bin"
    write_helper(bin_dir, "broken", "echo 'must not be called' >&2\nexit 1\n")
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    config = write_docker_config(tmp_path / "config.json", {"credsStore": "broken"})
    pull(registry_anonymous.ref("pull/anon:1"), auth_options(docker_config=config))


# -- token auth


@pytest.fixture(scope="module")
def token_image(registry_token: Registry, tmp_path_factory: pytest.TempPathFactory) -> str:
    return registry_token.push(small_layout(tmp_path_factory.mktemp("token") / "layout").ref, "auth/tok:1")


def test_token_flow(registry_token: Registry, token_image: str) -> None:
    assert registry_token.token_server and registry_token.username and registry_token.password
    registry_token.token_server.clear_requests()
    opts = auth_options(username=registry_token.username, password=registry_token.password)
    assert pull(registry_token.ref("auth/tok:1"), opts) == token_image
    requests = registry_token.token_server.requests
    # One token, reused for the manifest, the config and the layer.
    assert len(requests) == 1
    assert requests[0].scopes == ("repository:auth/tok:pull",)
    assert requests[0].service == registry_token.service
    assert requests[0].account == registry_token.username and requests[0].granted


def test_token_renewed_when_the_registry_says_401(registry_token: Registry, token_image: str) -> None:
    assert registry_token.token_server and registry_token.username and registry_token.password
    opts = auth_options(username=registry_token.username, password=registry_token.password)
    src = RegistrySource(registry_token.ref("auth/tok:1"), opts)
    with src:
        resolved = src.resolve()
        registry_token.token_server.clear_requests()
        src._authorization = "Bearer expired"  # stands for a token that has expired since it was issued
        with src.open_blob(resolved.manifest.layers[0]) as stream:
            assert read_all(stream)[0] == resolved.manifest.layers[0].digest
    assert len(registry_token.token_server.requests) == 1


def test_token_wrong_password(registry_token: Registry, token_image: str) -> None:
    assert registry_token.username
    ref = registry_token.ref("auth/tok:1")
    with pytest.raises(AuthError) as err:
        pull(ref, auth_options(username=registry_token.username, password="nope"))
    assert str(err.value) == (
        f"registry:{ref}: registry {registry_token.host} rejected the credentials for auth/tok "
        "(from --username/--password)"
    )


def test_token_without_credentials(registry_token: Registry, token_image: str) -> None:
    ref = registry_token.ref("auth/tok:1")
    with pytest.raises(AuthError) as err:
        pull(ref, auth_options())
    assert str(err.value).startswith(f"registry:{ref}: registry {registry_token.host} requires credentials")


def test_token_flow_with_credential_helper(
    registry_token: Registry, token_image: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert registry_token.username and registry_token.password
    answer = json.dumps({"Username": registry_token.username, "Secret": registry_token.password})
    write_helper(tmp_path / "bin", "test", f"cat >/dev/null\necho '{answer}'\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    config = write_docker_config(tmp_path / "config.json", {"credsStore": "test"})
    assert pull(registry_token.ref("auth/tok:1"), auth_options(docker_config=config)) == token_image
