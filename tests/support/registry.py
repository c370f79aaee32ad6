"""A real Distribution registry (Debian's ``docker-registry``, Distribution 2.8) for the test suite.

``run_registry(workdir, mode)`` starts one on a free 127.0.0.1 port with filesystem storage under
``workdir`` and stops it on exit. Three modes:

* ``anonymous``: no auth at all.
* ``basic``: ``auth.htpasswd`` with a bcrypt file made by ``htpasswd -Bbn``.
* ``token``: ``auth.token`` (the Docker token protocol). The token server is ours, a thread in the test
  process: it checks HTTP basic credentials and issues an RS256 JWT whose signing certificate is the
  registry's ``rootcertbundle``. Token format as Distribution 2.8 verifies it (registry/auth/token/token.go):
  header ``x5c`` chain (default) or ``kid`` as a libtrust key ID; claims iss/sub/aud/exp/nbf/iat/jti and
  ``access: [{type, name, actions}]`` for the requested scopes.
  Protocol: https://distribution.github.io/distribution/spec/auth/token/ and .../spec/auth/jwt/

``push()`` copies any skopeo source (``oci:DIR:TAG``, ``docker-archive:FILE`` …) into a registry with
``skopeo copy``; ``all_images=True`` pushes a whole image index (``skopeo copy --all``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Literal, cast

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

DOCKER_REGISTRY = "/usr/bin/docker-registry"
RegistryMode = Literal["anonymous", "basic", "token"]
HeaderStyle = Literal["x5c", "kid"]

TOKEN_SERVICE = "hullscan-test-registry"
TOKEN_ISSUER = "hullscan-test-token-issuer"
TOKEN_TTL_SECONDS = 300


class RegistryStartError(RuntimeError):
    """The registry process did not come up; the message carries its log."""


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: str

    @property
    def as_arg(self) -> str:
        """``user:password``, as skopeo's ``--dest-creds`` wants it."""
        return f"{self.username}:{self.password}"

    @property
    def basic_header(self) -> str:
        """The value of an ``Authorization`` header carrying these credentials."""
        return "Basic " + base64.b64encode(self.as_arg.encode()).decode()


def free_port() -> int:
    """A port that was free a moment ago (the caller retries if someone takes it in between)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_key_id(public_key: rsa.RSAPublicKey) -> str:
    """docker/libtrust KeyID: the first 240 bits of sha256(DER SubjectPublicKeyInfo), base32, in 4-char
    groups joined by ':' (what Distribution puts in its trusted-key map for each rootcertbundle cert)."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    encoded = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


# --------------------------------------------------------------------------------------------------------------
# Token server


@dataclass(frozen=True, slots=True)
class ResourceAccess:
    """One ``access`` claim entry: e.g. type "repository", name "library/debian", actions ("pull",)."""

    type: str
    name: str
    actions: tuple[str, ...]

    @classmethod
    def parse_scope(cls, scope: str) -> ResourceAccess:
        """``repository:library/debian:pull,push`` (the name may itself contain ':', e.g. a plugin class)."""
        rtype, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        return cls(type=rtype, name=name, actions=tuple(a for a in actions.split(",") if a))

    def as_claim(self) -> dict[str, object]:
        return {"type": self.type, "name": self.name, "actions": list(self.actions)}


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """What a client asked the token server for (tests can check the scopes a client requested)."""

    method: str
    account: str | None
    service: str | None
    scopes: tuple[str, ...]
    authenticated: bool
    granted: bool


class _TokenHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: TokenServer


class _TokenHandler(BaseHTTPRequestHandler):
    server_version = "hullscan-test-token-server"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are recorded in TokenServer.requests instead."""

    def do_GET(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query)
        self._answer(parsed.path, "GET", query, self.headers.get("Authorization"))

    def do_POST(self) -> None:
        # OAuth2 password grant (what Docker's CLI uses with refresh tokens): form-encoded body.
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        auth = self.headers.get("Authorization")
        if form.get("grant_type", [""])[0] == "password" and "username" in form:
            creds = f"{form['username'][0]}:{form.get('password', [''])[0]}"
            auth = "Basic " + base64.b64encode(creds.encode()).decode()
        path = urllib.parse.urlsplit(self.path).path
        self._answer(path, "POST", form, auth)

    def _answer(self, path: str, method: str, params: Mapping[str, list[str]], authorization: str | None) -> None:
        owner = cast(_TokenHTTPServer, self.server).owner
        if path != "/token":
            self._send(404, {"errors": [{"code": "NOT_FOUND", "message": path}]})
            return
        service = params.get("service", [None])[0]
        scopes = tuple(s for raw in params.get("scope", []) for s in raw.split(" ") if s)
        account = owner.check_basic(authorization)
        authenticated = account is not None
        if not authenticated and (authorization is not None or not owner.anonymous_pull):
            owner.record(TokenRequest(method, None, service, scopes, authenticated=False, granted=False))
            self._send(
                401,
                {"errors": [{"code": "UNAUTHORIZED", "message": "bad or missing credentials"}]},
                {"WWW-Authenticate": f'Basic realm="{owner.realm}"'},
            )
            return
        if service is not None and service != owner.service:
            owner.record(TokenRequest(method, account, service, scopes, authenticated, granted=False))
            self._send(400, {"errors": [{"code": "DENIED", "message": f"unknown service {service!r}"}]})
            return
        access = [ResourceAccess.parse_scope(s) for s in scopes]
        if not authenticated:  # anonymous: pull only
            access = [ResourceAccess(a.type, a.name, tuple(x for x in a.actions if x == "pull")) for a in access]
        token = owner.issue_token(account or "", access)
        owner.record(TokenRequest(method, account, service, scopes, authenticated, granted=True))
        issued = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._send(200, {"token": token, "access_token": token, "expires_in": owner.ttl, "issued_at": issued})

    def _send(self, status: int, body: object, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class TokenServer:
    """A Docker-token-protocol auth server on 127.0.0.1 in a background thread.

    ``realm`` is the URL the registry's challenge points to. Known credentials get every action they ask
    for; with ``anonymous_pull`` a request without credentials gets a pull-only token (like Docker Hub)."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        service: str = TOKEN_SERVICE,
        issuer: str = TOKEN_ISSUER,
        anonymous_pull: bool = False,
        header_style: HeaderStyle = "x5c",
        ttl: int = TOKEN_TTL_SECONDS,
    ) -> None:
        self.credentials = credentials
        self.service = service
        self.issuer = issuer
        self.anonymous_pull = anonymous_pull
        self.header_style: HeaderStyle = header_style
        self.ttl = ttl
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.certificate = _self_signed_certificate(self.key, issuer)
        self.key_id = libtrust_key_id(self.key.public_key())
        self._requests: list[TokenRequest] = []
        self._lock = threading.Lock()
        self._httpd: _TokenHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> TokenServer:
        httpd = _TokenHTTPServer(("127.0.0.1", 0), _TokenHandler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, name="hullscan-token-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> TokenServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- facts
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("token server is not running")
        return int(self._httpd.server_address[1])

    @property
    def realm(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def requests(self) -> list[TokenRequest]:
        with self._lock:
            return list(self._requests)

    def record(self, request: TokenRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- tokens
    def check_basic(self, authorization: str | None) -> str | None:
        """The account name if ``authorization`` carries the known credentials, else None."""
        if not authorization or not authorization.startswith("Basic "):
            return None
        try:
            user, _, password = base64.b64decode(authorization[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        ok_user = hmac.compare_digest(user.encode(), self.credentials.username.encode())
        ok_pass = hmac.compare_digest(password.encode(), self.credentials.password.encode())
        return user if ok_user and ok_pass else None

    def issue_token(
        self,
        subject: str,
        access: Sequence[ResourceAccess],
        *,
        header_style: HeaderStyle | None = None,
        ttl: int | None = None,
        audience: str | None = None,
        issuer: str | None = None,
    ) -> str:
        """A signed JWT the registry accepts (override audience/issuer/ttl to make one it must reject)."""
        style = header_style or self.header_style
        header: dict[str, object] = {"typ": "JWT", "alg": "RS256"}
        if style == "x5c":
            header["x5c"] = [base64.b64encode(self.certificate.public_bytes(serialization.Encoding.DER)).decode()]
        else:
            header["kid"] = self.key_id
        now = int(time.time())
        claims = {
            "iss": issuer or self.issuer,
            "sub": subject,
            "aud": audience or self.service,
            "exp": now + (self.ttl if ttl is None else ttl),
            "nbf": now - 1,
            "iat": now,
            "jti": secrets.token_hex(16),
            "access": [a.as_claim() for a in access],
        }
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64url(signature)}"


def _self_signed_certificate(key: rsa.RSAPrivateKey, common_name: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )


# --------------------------------------------------------------------------------------------------------------
# Registry process


@dataclass(frozen=True, slots=True)
class Registry:
    """A running registry. ``host`` is ``127.0.0.1:PORT``; ``url`` is ``http://127.0.0.1:PORT``."""

    mode: RegistryMode
    host: str
    port: int
    url: str
    workdir: Path
    log_path: Path
    credentials: Credentials | None
    token_server: TokenServer | None = field(repr=False)
    process: subprocess.Popen[bytes] = field(repr=False, compare=False)

    @property
    def username(self) -> str | None:
        return self.credentials.username if self.credentials else None

    @property
    def password(self) -> str | None:
        return self.credentials.password if self.credentials else None

    @property
    def creds(self) -> str | None:
        """``user:password`` or None (anonymous)."""
        return self.credentials.as_arg if self.credentials else None

    @property
    def realm(self) -> str | None:
        return self.token_server.realm if self.token_server else None

    @property
    def service(self) -> str | None:
        return self.token_server.service if self.token_server else None

    def ref(self, repo_tag: str) -> str:
        """``127.0.0.1:PORT/repo:tag`` — a registry image reference."""
        return f"{self.host}/{repo_tag}"

    def push(self, src_ref: str, repo_tag: str, *, all_images: bool = False, oci: bool = False) -> str:
        """Push with this registry's credentials; returns the pushed manifest digest."""
        return push(src_ref, self.url, repo_tag, self.creds, all_images=all_images, oci=oci)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def _registry_config(storage: Path, port: int, auth: Mapping[str, object] | None) -> dict[str, object]:
    config: dict[str, object] = {
        "version": "0.1",
        "log": {"level": "info", "formatter": "text", "accesslog": {"disabled": False}},
        "storage": {
            "filesystem": {"rootdirectory": str(storage)},
            "delete": {"enabled": True},
            "maintenance": {"uploadpurging": {"enabled": False}},
        },
        "http": {
            "addr": f"127.0.0.1:{port}",
            "secret": secrets.token_hex(16),
            "headers": {"X-Content-Type-Options": ["nosniff"]},
        },
        "health": {"storagedriver": {"enabled": False}},
    }
    if auth:
        config["auth"] = dict(auth)
    return config


def make_htpasswd(path: Path, credentials: Credentials) -> Path:
    """A bcrypt htpasswd file (the only hash Distribution's htpasswd auth accepts), via ``htpasswd -Bbn``."""
    out = subprocess.run(
        ["htpasswd", "-Bbn", credentials.username, credentials.password],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    path.write_bytes(out)
    return path


def _answers(url: str, timeout: float = 1.0) -> bool:
    """True once anything answers HTTP at ``url`` (401 counts: the server is up)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout):  # noqa: S310 - http://127.0.0.1 only
            return True
    except urllib.error.HTTPError as err:
        err.close()
        return True
    except (urllib.error.URLError, OSError):
        return False


def _stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _start_registry_process(
    workdir: Path, auth: Mapping[str, object] | None, startup_timeout: float
) -> tuple[subprocess.Popen[bytes], int, Path, IO[bytes]]:
    storage = workdir / "storage"
    storage.mkdir(parents=True, exist_ok=True)
    # Distribution reads REGISTRY_* variables as config overrides: keep the caller's out of it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    last_log = ""
    for attempt in range(5):
        port = free_port()
        config_path = workdir / "config.yml"
        # JSON is YAML; writing it this way needs no YAML library and no quoting rules.
        config_path.write_text(json.dumps(_registry_config(storage, port, auth), indent=2))
        log_path = workdir / f"registry-{attempt}.log"
        log = log_path.open("wb")
        proc = subprocess.Popen(
            [DOCKER_REGISTRY, "serve", str(config_path)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + startup_timeout
        while time.monotonic() < deadline and proc.poll() is None:
            if _answers(f"http://127.0.0.1:{port}/v2/"):
                return proc, port, log_path, log
            time.sleep(0.05)
        _stop_process(proc)
        log.close()
        last_log = log_path.read_text(errors="replace")
        if "address already in use" not in last_log:
            break
    raise RegistryStartError(f"docker-registry did not start in {workdir}:\n{last_log[-4000:]}")


@contextmanager
def run_registry(
    workdir: Path,
    mode: RegistryMode = "anonymous",
    *,
    credentials: Credentials | None = None,
    anonymous_pull: bool = False,
    header_style: HeaderStyle = "x5c",
    startup_timeout: float = 20.0,
) -> Iterator[Registry]:
    """Start a registry (and, for ``token``, its token server); stop both when the block ends."""
    if not Path(DOCKER_REGISTRY).exists():
        raise RegistryStartError(f"{DOCKER_REGISTRY} is missing (apt-get install docker-registry)")
    workdir.mkdir(parents=True, exist_ok=True)
    creds = credentials or (Credentials("hullscan", "s3cret-" + secrets.token_hex(4)) if mode != "anonymous" else None)
    token_server: TokenServer | None = None
    auth: dict[str, object] | None = None
    try:
        if mode == "basic":
            assert creds is not None
            htpasswd = make_htpasswd(workdir / "htpasswd", creds)
            auth = {"htpasswd": {"realm": "hullscan-test", "path": str(htpasswd)}}
        elif mode == "token":
            assert creds is not None
            token_server = TokenServer(creds, anonymous_pull=anonymous_pull, header_style=header_style).start()
            bundle = workdir / "token-root.pem"
            bundle.write_bytes(token_server.certificate_pem)
            auth = {
                "token": {
                    "realm": token_server.realm,
                    "service": token_server.service,
                    "issuer": token_server.issuer,
                    "rootcertbundle": str(bundle),
                }
            }
        proc, port, log_path, log = _start_registry_process(workdir, auth, startup_timeout)
        try:
            yield Registry(
                mode=mode,
                host=f"127.0.0.1:{port}",
                port=port,
                url=f"http://127.0.0.1:{port}",
                workdir=workdir,
                log_path=log_path,
                credentials=creds,
                token_server=token_server,
                process=proc,
            )
        finally:
            _stop_process(proc)
            log.close()
    finally:
        if token_server is not None:
            token_server.stop()


# --------------------------------------------------------------------------------------------------------------
# Pushing


def _host_of(registry_url: str) -> str:
    if "://" in registry_url:
        return urllib.parse.urlsplit(registry_url).netloc
    return registry_url.rstrip("/")


def push(
    src_ref: str,
    registry_url: str,
    repo_tag: str,
    creds: str | None = None,
    *,
    all_images: bool = False,
    oci: bool = False,
    timeout: float = 600.0,
) -> str:
    """``skopeo copy SRC docker://HOST/REPO:TAG`` over plain HTTP; returns the pushed manifest digest.

    ``creds`` is ``user:password``; None pushes anonymously (and ignores any auth file on this machine).
    ``all_images`` pushes every manifest of an index (``--all``); ``oci`` forces OCI manifests
    (``--format oci``) where skopeo would otherwise convert to Docker schema 2."""
    dest = f"docker://{_host_of(registry_url)}/{repo_tag}"
    with tempfile.TemporaryDirectory(prefix="hullscan-push-") as tmp:
        digest_file = Path(tmp) / "digest"
        auth_file = Path(tmp) / "auth.json"
        auth_file.write_text('{"auths": {}}')
        argv = [
            "skopeo", "--insecure-policy", "copy", "--quiet", "--retry-times", "2",
            "--dest-tls-verify=false", "--dest-authfile", str(auth_file), "--digestfile", str(digest_file),
        ]  # fmt: skip
        argv += ["--dest-creds", creds] if creds else ["--dest-no-creds"]
        if all_images:
            argv.append("--all")
        if oci:
            argv += ["--format", "oci"]
        argv += [src_ref, dest]
        proc = subprocess.run(argv, capture_output=True, timeout=timeout, check=False)
        if proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(a if a != creds else '***' for a in argv)} exited {proc.returncode}:\n"
                f"{proc.stderr.decode(errors='replace')[-4000:]}"
            )
        return digest_file.read_text().strip()


def http_get(
    url: str, headers: Mapping[str, str] | None = None, timeout: float = 10.0
) -> tuple[int, Mapping[str, str], bytes]:
    """GET with urllib; returns (status, headers, body) for error statuses too, never raising on 4xx/5xx."""
    req = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 - test URLs on 127.0.0.1
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
            return int(resp.status), dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        with err:  # an unclosed HTTPError leaks its socket (a ResourceWarning, an error under -W error)
            try:
                body = err.read()
            except OSError:
                body = b""
            return err.code, dict(err.headers.items()), body


def fetch_token(registry: Registry, scopes: Sequence[str], credentials: Credentials | None = None) -> str:
    """A bearer token from the registry's token server, the way a client gets one (GET realm?service&scope)."""
    if registry.token_server is None:
        raise ValueError(f"{registry.mode} registry has no token server")
    query = urllib.parse.urlencode([("service", registry.token_server.service), *(("scope", s) for s in scopes)])
    creds = credentials or registry.credentials
    headers = {"Authorization": creds.basic_header} if creds else {}
    status, _, body = http_get(f"{registry.token_server.realm}?{query}", headers)
    if status != 200:
        raise RuntimeError(f"token server answered {status}: {body[:500]!r}")
    token: str = json.loads(body)["token"]
    return token
