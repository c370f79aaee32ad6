"""Images pulled from a registry that speaks the OCI Distribution API.

Spec: https://github.com/opencontainers/distribution-spec/blob/main/spec.md (pull only), the token flow
https://distribution.github.io/distribution/spec/auth/token/ and Docker's reference grammar
(https://github.com/distribution/reference/blob/main/normalize.go).

What this module does, in the order a pull meets it:

- ``parse_reference`` turns ``alpine``, ``localhost:5000/x:1``, ``host/x/y@sha256:...`` into host, repository,
  tag and digest with Docker's normalisation (``docker.io/library/`` for bare names).
- Every request goes through :meth:`RegistrySource._open`: anonymous first; on ``401`` it answers the
  ``WWW-Authenticate`` challenge (``Basic`` with credentials, or ``Bearer``: a token from the realm, reused
  until the registry says ``401`` again); it follows redirects itself so that the ``Authorization`` header
  never leaves the origin it was meant for (blob storage on another host gets none); it retries ``429`` and
  ``5xx`` answers and broken connections with exponential backoff and jitter, honouring ``Retry-After``.
- Manifests and configs are small documents: read whole (at most :data:`MAX_DOCUMENT_SIZE`) and verified
  against the digest we asked for. Layers are not: :meth:`RegistrySource.open_blob` hands out the response
  as a stream and the caller verifies it while reading.

Credentials come from, in order: ``--username``/``--password``; ``HULLSCAN_USERNAME``/``HULLSCAN_PASSWORD``;
the Docker ``config.json`` (``credHelpers[host]``, then ``credsStore``, then ``auths[host]``). They are looked
up only when a registry asks for them, and never appear in a message.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple
from urllib.parse import urlencode, urljoin, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    InsecureRequestWarning,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from hullscan import __version__
from hullscan.errors import (
    AuthError,
    BlobError,
    HullscanError,
    ImageError,
    ManifestError,
    RegistryError,
    UnsafeImageError,
    UsageError,
)
from hullscan.image.oci import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    DOCKER_SCHEMA1,
    DOCKER_SCHEMA1_SIGNED,
    INDEX_TYPES,
    MANIFEST_TYPES,
    OCI_INDEX,
    OCI_MANIFEST,
    SCHEMA1_TYPES,
    load_json,
    media_type_of,
    parse_config,
    parse_index,
    parse_manifest,
    select_platform,
    valid_digest,
)
from hullscan.image.source import ImageSource, ResolvedImage, SourceOptions
from hullscan.model import Descriptor, ImageConfig, Platform

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from urllib3.response import BaseHTTPResponse

__all__ = [
    "DOCKER_HUB",
    "MAX_DOCUMENT_SIZE",
    "Challenge",
    "Credentials",
    "ImageReference",
    "RegistrySource",
    "find_credentials",
    "parse_challenge",
    "parse_reference",
    "retry_delay",
]

MAX_DOCUMENT_SIZE = 8 * 1024 * 1024
"""Largest manifest, index or config we read. Real ones are a few KiB; anything near this is hostile."""

DOCKER_HUB = "registry-1.docker.io"
"""Where Docker Hub's API lives; ``docker.io`` and ``index.docker.io`` are names for it in references."""

_DOCKER_HUB_NAMES = frozenset({"docker.io", "index.docker.io", DOCKER_HUB})
_DOCKER_HUB_SERVER = "https://index.docker.io/v1/"
"""The key ``docker login`` stores Docker Hub credentials under, and the server URL its helpers expect."""

MANIFEST_ACCEPT = ", ".join(
    # Schema 1 is accepted only so that a registry holding nothing else answers with it and we can say
    # "unsupported" instead of a puzzling 404.
    (OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST, DOCKER_SCHEMA1_SIGNED, DOCKER_SCHEMA1)
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
_MAX_BACKOFF = 30.0
_MAX_RETRY_AFTER = 60.0
_MAX_TOKEN_RESPONSE = 1024 * 1024
_MAX_ERROR_BODY = 64 * 1024
_BLOB_BUFFER = 1024 * 1024
_USER_AGENT = f"hullscan/{__version__}"


# ---------------------------------------------------------------------------------------------- references

# Docker's reference grammar (github.com/distribution/reference, regexp.go).
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_DOMAIN = re.compile(
    r"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
    r"|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$"
)
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_NAME_MAX = 255


class ImageReference(NamedTuple):
    """A parsed image reference. ``tag`` is ``None`` only when a digest pins the image."""

    host: str
    repository: str
    tag: str | None
    digest: str | None

    def __str__(self) -> str:
        text = f"{self.host}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_reference(text: str) -> ImageReference:
    """Split an image reference into registry host, repository, tag and digest, normalised as Docker does.

    >>> parse_reference("alpine")
    ImageReference(host='registry-1.docker.io', repository='library/alpine', tag='latest', digest=None)
    >>> parse_reference("localhost:5000/team/app:1.2")
    ImageReference(host='localhost:5000', repository='team/app', tag='1.2', digest=None)
    """
    ref = text.strip()

    def bad(why: str) -> UsageError:
        return UsageError(f"invalid image reference {text!r}: {why}")

    if not ref:
        raise bad("it is empty")
    if any(c.isspace() for c in ref):
        raise bad("it contains white space")
    name, at, digest = ref.partition("@")
    if at:
        if "@" in digest:
            raise bad("more than one '@'")
        if not valid_digest(digest):
            raise bad("the digest must be sha256:<64 hex digits> or sha512:<128 hex digits>")
    tag: str | None = None
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name, tag = name[:colon], name[colon + 1 :]
        if not _TAG.match(tag):
            raise bad(f"tag {tag!r} is not valid (letters, digits, '_', '.', '-'; at most 128)")
    if not name:
        raise bad("the repository name is missing")
    if len(name) > _NAME_MAX:
        raise bad(f"the name is longer than {_NAME_MAX} characters")

    first, slash, rest = name.partition("/")
    if slash and (any(c in first for c in ".:") or first == "localhost" or first.lower() != first):
        host, path = first, rest
        if not _DOMAIN.match(host):
            raise bad(f"registry host {host!r} is not valid")
    else:
        host, path = "docker.io", name
    if host in _DOCKER_HUB_NAMES:
        host = DOCKER_HUB
        if "/" not in path:
            path = f"library/{path}"
    for component in path.split("/"):
        if not component:
            raise bad("the repository has an empty path component")
        if not _PATH_COMPONENT.match(component):
            if component.lower() != component:
                raise bad("repository names must be lowercase")
            raise bad(f"repository path component {component!r} is not valid")
    if tag is None and not digest:
        tag = "latest"
    return ImageReference(host, path, tag, digest or None)


# ---------------------------------------------------------------------------------------------- credentials


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user name and password (or token) for HTTP basic auth and token requests."""

    username: str
    password: str = field(repr=False)
    origin: str = ""
    """Where they came from (``--username/--password``, ``HULLSCAN_USERNAME``, a config file or helper)."""

    def basic(self) -> str:
        pair = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


def _pair(user: str | None, password: str | None, origin: str, names: str) -> Credentials | None:
    if not user and not password:
        return None
    if not user or password is None or password == "":
        raise UsageError(f"{names} must be given together")
    return Credentials(user, password, origin)


def find_credentials(host: str, options: SourceOptions, environ: Mapping[str, str] | None = None) -> Credentials | None:
    """The credentials to offer ``host``, or ``None`` for anonymous access.

    Order: options, then ``HULLSCAN_USERNAME``/``HULLSCAN_PASSWORD``, then Docker's ``config.json``
    (``options.docker_config``, else ``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``).
    Configuration mistakes raise :class:`UsageError`; a failing credential helper raises :class:`AuthError`.
    """
    env = os.environ if environ is None else environ
    explicit = _pair(options.username, options.password, "--username/--password", "--username and --password")
    if explicit is not None:
        return explicit
    from_env = _pair(
        env.get("HULLSCAN_USERNAME"),
        env.get("HULLSCAN_PASSWORD"),
        "HULLSCAN_USERNAME/HULLSCAN_PASSWORD",
        "HULLSCAN_USERNAME and HULLSCAN_PASSWORD",
    )
    if from_env is not None:
        return from_env
    return _docker_config_credentials(host, options.docker_config, env)


def _docker_config_path(explicit: str | None, env: Mapping[str, str]) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"]).expanduser() / "config.json"
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".docker" / "config.json"


def _config_key_host(key: str) -> str:
    """``https://host:5000/v1/`` → ``host:5000``: how Docker matches ``auths`` keys to a registry."""
    if "://" in key:
        key = key.split("://", 1)[1]
    return key.split("/", 1)[0]


def _docker_config_credentials(host: str, explicit: str | None, env: Mapping[str, str]) -> Credentials | None:
    path = _docker_config_path(explicit, env)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise UsageError(f"docker config {path} does not exist") from None
        return None
    except OSError as exc:
        raise UsageError(f"cannot read docker config {path}: {exc.strerror or exc}") from None
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise UsageError(f"docker config {path} is not valid JSON") from None
    if not isinstance(doc, dict):
        raise UsageError(f"docker config {path} is not a JSON object")

    hub = host in _DOCKER_HUB_NAMES
    names = _DOCKER_HUB_NAMES if hub else frozenset({host})
    server = _DOCKER_HUB_SERVER if hub else host

    # Docker's own order: a per-registry helper, then the default store, then the file itself. A helper
    # that is not installed (a config copied from a desktop) is passed over rather than failing the scan.
    helpers = doc.get("credHelpers")
    if isinstance(helpers, dict):
        for key, helper in helpers.items():
            if isinstance(helper, str) and helper and _config_key_host(str(key)) in names:
                found = _run_credential_helper(helper, server, env)
                if found is not None:
                    return found
    store = doc.get("credsStore")
    if isinstance(store, str) and store:
        found = _run_credential_helper(store, server, env)
        if found is not None:
            return found
    auths = doc.get("auths")
    if isinstance(auths, dict):
        for key, entry in auths.items():
            if _config_key_host(str(key)) in names and isinstance(entry, dict):
                found = _auth_entry(entry, f"docker config {path}", str(key))
                if found is not None:
                    return found
    return None


def _auth_entry(entry: dict[str, object], origin: str, key: str) -> Credentials | None:
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            decoded = base64.b64decode(auth, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise UsageError(f"{origin}: auths[{key!r}].auth is not base64 of user:password") from None
        user, colon, password = decoded.partition(":")
        if not colon or not user:
            raise UsageError(f"{origin}: auths[{key!r}].auth is not base64 of user:password")
        return Credentials(user, password, origin)
    name, secret = entry.get("username"), entry.get("password")
    if isinstance(name, str) and name and isinstance(secret, str):
        return Credentials(name, secret, origin)
    return None


_HELPER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _run_credential_helper(helper: str, server: str, env: Mapping[str, str]) -> Credentials | None:
    """Ask ``docker-credential-<helper> get`` (https://github.com/docker/docker-credential-helpers)."""
    program = f"docker-credential-{helper}"
    if not _HELPER_NAME.match(helper):
        raise UsageError(f"credential helper name {helper!r} is not valid")
    exe = shutil.which(program, path=env.get("PATH"))
    if exe is None:
        return None
    try:
        proc = subprocess.run(
            [exe, "get"], input=server.encode(), capture_output=True, timeout=60, check=False, env=dict(env)
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AuthError(f"credential helper {program} failed for {server}: {exc}") from None
    if proc.returncode != 0:
        said = (proc.stdout or proc.stderr).decode("utf-8", "replace").strip()
        if "credentials not found" in said.lower():
            return None
        first = said.splitlines()[0][:200] if said else f"exit status {proc.returncode}"
        raise AuthError(f"credential helper {program} failed for {server}: {first}")
    try:
        doc = json.loads(proc.stdout)
    except (ValueError, UnicodeDecodeError):
        raise AuthError(f"credential helper {program} did not answer JSON for {server}") from None
    if not isinstance(doc, dict):
        raise AuthError(f"credential helper {program} did not answer a JSON object for {server}")
    user, secret = doc.get("Username"), doc.get("Secret")
    # "<token>" marks an identity (OAuth refresh) token, which needs a flow this client does not implement.
    if not isinstance(user, str) or not user or user == "<token>" or not isinstance(secret, str):
        return None
    return Credentials(user, secret, program)


# ---------------------------------------------------------------------------------------------- challenges


@dataclass(frozen=True, slots=True)
class Challenge:
    """A parsed ``WWW-Authenticate`` header: the scheme (lowercase) and its parameters."""

    scheme: str
    params: tuple[tuple[str, str], ...] = ()

    def param(self, key: str) -> str:
        for k, v in self.params:
            if k == key:
                return v
        return ""


_CHALLENGE_PARAM = re.compile(r'\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)')


def parse_challenge(header: str) -> Challenge | None:
    """Parse ``Bearer realm="https://auth",service="reg",scope="repository:x:pull"`` (RFC 7235).

    >>> parse_challenge('Bearer realm="https://a/token",service="r"').param("realm")
    'https://a/token'
    """
    header = header.strip()
    scheme, _, rest = header.partition(" ")
    if not scheme or "=" in scheme:
        return None
    params: list[tuple[str, str]] = []
    pos = 0
    while pos < len(rest):
        m = _CHALLENGE_PARAM.match(rest, pos)
        if m is None or m.end() == pos:
            break  # a second challenge or junk: the first one is what we answer
        quoted, plain = m.group(2), m.group(3)
        value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else plain
        params.append((m.group(1).lower(), value))
        pos = m.end()
    return Challenge(scheme.lower(), tuple(params))


# ---------------------------------------------------------------------------------------------- retries


def retry_delay(attempt: int, base: float, retry_after: str | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based).

    ``Retry-After`` (seconds or an HTTP date) wins when present, capped at a minute; otherwise
    exponential backoff from ``base``, capped at 30 s, plus up to 50 % jitter so that many clients
    hitting one registry do not retry in step.
    """
    if retry_after:
        value = retry_after.strip()
        seconds: float | None = None
        if value.isdigit():
            seconds = float(value)
        else:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                seconds = (when - datetime.now(UTC)).total_seconds()
        if seconds is not None:
            return min(max(seconds, 0.0), _MAX_RETRY_AFTER)
    delay = min(base * 2.0 ** max(attempt - 1, 0), _MAX_BACKOFF)
    return delay + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret


def _reason(exc: BaseException) -> str:
    """A short, human reason for a transport failure (urllib3's own text repeats the pool's repr)."""
    match exc:
        case NameResolutionError():
            return "cannot resolve the host name"
        case ConnectTimeoutError() if not isinstance(exc, NewConnectionError):
            return "connection timed out"
        case NewConnectionError():
            text = str(exc)
            marker = "Failed to establish a new connection: "
            return text.split(marker, 1)[1] if marker in text else "connection failed"
        case ReadTimeoutError():
            return "timed out waiting for the registry"
        case SSLError():
            return f"TLS failed: {exc} (use --insecure for a plain-HTTP registry)"
        case ProtocolError():
            return "connection broken"
        case _:
            return str(exc) or type(exc).__name__


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _discard(resp: BaseHTTPResponse) -> None:
    """Finish with a response we do not need, keeping its connection when that is cheap."""
    length = resp.headers.get("Content-Length", "")
    try:
        if length.isdigit() and int(length) <= _MAX_ERROR_BODY:
            resp.drain_conn()
            resp.release_conn()
        else:
            resp.close()
    except HTTPError:
        resp.close()


def _read_limited(resp: BaseHTTPResponse, limit: int) -> bytes | None:
    """The whole body, or ``None`` (and the connection dropped) if it is larger than ``limit``."""
    length = resp.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > limit:
        resp.close()
        return None
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = resp.read(64 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            resp.close()
            return None
        chunks.append(chunk)
    resp.release_conn()
    return b"".join(chunks)


def _error_detail(resp: BaseHTTPResponse) -> str:
    """The registry's own words from an error body (``{"errors": [{"code", "message"}]}``), if any."""
    try:
        body = _read_limited(resp, _MAX_ERROR_BODY)
    except HTTPError:
        resp.close()
        return ""
    if not body:
        return ""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return ""
    code, message = errors[0].get("code", ""), errors[0].get("message", "")
    detail = ": ".join(str(p) for p in (code, message) if p)
    return f" ({detail[:200]})" if detail else ""


def _digest_like(data: bytes, digest: str) -> str:
    """The digest of ``data`` computed with the algorithm ``digest`` names (``sha256:``, ``sha512:``)."""
    algorithm = digest.split(":", 1)[0]
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


# ---------------------------------------------------------------------------------------------- blob stream


class _BlobStream(io.RawIOBase):
    """A registry response body as a raw stream: read as it arrives, never held whole."""

    def __init__(self, resp: BaseHTTPResponse, fail: Callable[[BaseException, int], HullscanError]) -> None:
        super().__init__()
        self._resp = resp
        self._fail = fail
        self._read = 0
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._eof or not len(view):
            return 0
        try:
            data = self._resp.read(len(view))
        except (HTTPError, OSError) as exc:
            raise self._fail(exc, self._read) from None
        if not data:
            self._eof = True
            return 0
        n = len(data)
        view[:n] = data
        self._read += n
        return n

    def close(self) -> None:
        if not self.closed:
            # A fully read body leaves a reusable connection; an abandoned one must not go back to the pool.
            if self._eof:
                self._resp.release_conn()
            else:
                self._resp.close()
        super().close()


# ---------------------------------------------------------------------------------------------- the source


class RegistrySource(ImageSource):
    """An image in a registry, read over the OCI Distribution API with urllib3."""

    kind = "registry"

    def __init__(
        self,
        reference: str,
        options: SourceOptions | None = None,
        *,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``reference`` is a bare reference (``host/repo:tag``), without any ``registry:`` prefix.

        ``options.retries`` is the number of retries after the first attempt; ``backoff`` the first delay.
        """
        self.reference = parse_reference(reference)
        super().__init__(f"registry:{self.reference}")
        self.options = options or SourceOptions()
        self._backoff = backoff
        self._sleep = sleep
        self._retries = max(self.options.retries, 0)
        scheme = "http" if self.options.insecure else "https"
        self._base = f"{scheme}://{self.reference.host}/v2/{self.reference.repository}"
        self._pool = urllib3.PoolManager(
            num_pools=8,
            maxsize=4,
            cert_reqs="CERT_NONE" if self.options.insecure else "CERT_REQUIRED",
            timeout=urllib3.Timeout(connect=self.options.timeout, read=self.options.timeout),
            retries=False,
        )
        self._lock = threading.Lock()
        self._authorization: str | None = None
        self._credentials: Credentials | None = None
        self._credentials_found = False

    # -- public

    def resolve(self) -> ResolvedImage:
        ref = self.reference
        data, media_type, digest = self._fetch_manifest(ref.digest or ref.tag or "latest", ref.digest, -1)
        # Docker's RepoDigests name what the reference points to: for a multi-platform image, the index.
        pinned = digest
        if media_type in INDEX_TYPES:
            index = parse_index(data, f"{self.name}: image index")
            wanted = self.options.platform or Platform.host()
            chosen = select_platform(index, wanted, self.name)
            data, media_type, digest = self._fetch_manifest(chosen.digest, chosen.digest, chosen.size)
            if media_type in INDEX_TYPES:
                raise ManifestError(f"{self.name}: index entry {chosen.digest} is itself an index (unsupported)")
        manifest = parse_manifest(data, f"{self.name}: manifest {digest}")
        config = self._fetch_config(manifest.config)
        wanted_platform = self.options.platform
        if wanted_platform is not None and config.os and config.architecture:
            have = Platform(config.os, config.architecture, config.variant)
            if not wanted_platform.matches(have):
                raise ManifestError(f"{self.name}: the image is for {have}, not for {wanted_platform}")
        where = f"{ref.host}/{ref.repository}"
        return ResolvedImage(
            manifest=manifest,
            manifest_digest=digest,
            config=config,
            repo_tags=(f"{where}:{ref.tag}",) if ref.tag and not ref.digest else (),
            repo_digests=(f"{where}@{pinned}",),
        )

    def open_blob(self, desc: Descriptor) -> BinaryIO:
        if not valid_digest(desc.digest):
            raise BlobError(f"{self.name}: invalid blob digest {desc.digest!r}")
        what = f"blob {desc.digest}"
        resp = self._open(f"{self._base}/blobs/{desc.digest}", what, decode=False)
        if resp.status != 200:
            self._status_error(resp, what, BlobError)
        length = resp.headers.get("Content-Length", "")
        if desc.size >= 0 and length.isdigit() and int(length) != desc.size:
            resp.close()
            raise BlobError(f"{self.name}: {what} is {length} bytes in the registry, the manifest says {desc.size}")

        def fail(exc: BaseException, done: int) -> HullscanError:
            return BlobError(f"{self.name}: {what}: download broke after {done} bytes ({_reason(exc)})")

        return io.BufferedReader(_BlobStream(resp, fail), buffer_size=_BLOB_BUFFER)

    def close(self) -> None:
        self._pool.clear()

    # -- manifests and configs

    def _fetch_manifest(self, ref: str, expected: str | None, size: int) -> tuple[bytes, str, str]:
        """Bytes, media type and digest of the manifest ``ref`` names, verified against ``expected``."""
        what = f"manifest {ref}"
        if size > MAX_DOCUMENT_SIZE:
            raise UnsafeImageError(f"{self.name}: {what} claims {size} bytes (limit {MAX_DOCUMENT_SIZE})")
        data, headers = self._read_document(f"{self._base}/manifests/{ref}", what, ManifestError, MANIFEST_ACCEPT)
        if expected is not None:
            digest = _digest_like(data, expected)
            if digest != expected:
                raise ManifestError(f"{self.name}: {what} does not match its digest (got {digest})")
        else:
            digest = _digest_like(data, "sha256:")
            claimed = headers.get("Docker-Content-Digest", "").strip()
            if valid_digest(claimed) and _digest_like(data, claimed) != claimed:
                raise ManifestError(
                    f"{self.name}: {what} does not match the Docker-Content-Digest {claimed} sent with it"
                )
        if size >= 0 and len(data) != size:
            raise ManifestError(f"{self.name}: {what} is {len(data)} bytes, the index says {size}")
        doc = load_json(data, f"{self.name}: {what}")
        media_type = doc.get("mediaType")
        if not isinstance(media_type, str) or not media_type:
            content_type = headers.get("Content-Type", "").split(";", 1)[0].strip()
            known = INDEX_TYPES | MANIFEST_TYPES | SCHEMA1_TYPES
            media_type = content_type if content_type in known else media_type_of(doc)
        if media_type in SCHEMA1_TYPES or doc.get("schemaVersion") == 1:
            raise ManifestError(
                f"{self.name}: {what} is a Docker schema 1 manifest, which is unsupported "
                "(deprecated since 2017; push the image again with a current client)"
            )
        if media_type not in INDEX_TYPES | MANIFEST_TYPES:
            raise ManifestError(f"{self.name}: {what} has unsupported media type {media_type or 'unknown'!r}")
        return data, media_type, digest

    def _fetch_config(self, desc: Descriptor) -> ImageConfig:
        what = f"config blob {desc.digest}"
        if desc.size > MAX_DOCUMENT_SIZE:
            raise UnsafeImageError(f"{self.name}: {what} claims {desc.size} bytes (limit {MAX_DOCUMENT_SIZE})")
        data, _ = self._read_document(f"{self._base}/blobs/{desc.digest}", what, BlobError, None)
        digest = _digest_like(data, desc.digest)
        if digest != desc.digest:
            raise BlobError(f"{self.name}: {what} does not match its digest (got {digest})")
        if desc.size >= 0 and len(data) != desc.size:
            raise BlobError(f"{self.name}: {what} is {len(data)} bytes, the manifest says {desc.size}")
        return parse_config(data, desc.digest, f"{self.name}: {what}")

    def _read_document(
        self, url: str, what: str, missing: type[ImageError], accept: str | None
    ) -> tuple[bytes, Mapping[str, str]]:
        """A small document, read whole; a connection that breaks mid-body is retried like one that fails."""
        attempt = 0
        while True:
            resp = self._open(url, what, accept=accept)
            if resp.status != 200:
                self._status_error(resp, what, missing)
            try:
                data = _read_limited(resp, MAX_DOCUMENT_SIZE)
            except HTTPError as exc:
                resp.close()
                if attempt >= self._retries:
                    raise RegistryError(
                        f"{self.name}: reading {what} from {self.reference.host} failed ({_reason(exc)})"
                    ) from None
                attempt += 1
                self._sleep(retry_delay(attempt, self._backoff))
                continue
            if data is None:
                raise UnsafeImageError(f"{self.name}: {what} is larger than {MAX_DOCUMENT_SIZE} bytes; refused")
            return data, resp.headers

    def _status_error(self, resp: BaseHTTPResponse, what: str, missing: type[ImageError]) -> None:
        status, detail = resp.status, _error_detail(resp)
        if status == 404:
            where = f"{self.reference.host}/{self.reference.repository}"
            raise missing(f"{self.name}: {what} not found in {where}{detail}")
        raise RegistryError(f"{self.name}: registry {self.reference.host} answered HTTP {status} for {what}{detail}")

    # -- HTTP: auth, redirects, retries

    def _open(self, url: str, what: str, *, accept: str | None = None, decode: bool = True) -> BaseHTTPResponse:
        """GET a registry URL: authenticate when challenged, follow redirects, retry what is worth retrying.

        Returns the final response with its body unread; only ``401``/``403`` and exhausted retries raise.
        """
        attempt = 0
        answered_challenge = False
        while True:
            authorization = self._authorization
            resp = self._attempt(url, what, accept, authorization, decode, attempt)
            if resp is None:
                attempt += 1
                continue
            if resp.status == 401 and not answered_challenge:
                challenge = parse_challenge(resp.headers.get("WWW-Authenticate", ""))
                _discard(resp)
                self._answer(challenge, authorization, what)
                answered_challenge = True
                continue
            if resp.status in (401, 403):
                insufficient = "insufficient_scope" in resp.headers.get("WWW-Authenticate", "")
                # A 401's body only repeats "authentication required"; a 403's may say why.
                detail = _error_detail(resp) if resp.status == 403 else ""
                if resp.status == 401:
                    _discard(resp)
                raise self._auth_error(resp.status, insufficient, detail)
            if resp.status in RETRY_STATUSES:
                if attempt >= self._retries:
                    detail = _error_detail(resp)
                    raise RegistryError(
                        f"{self.name}: registry {self.reference.host} answered HTTP {resp.status} for {what}"
                        f"{detail} ({attempt + 1} attempts)"
                    )
                attempt += 1
                delay = retry_delay(attempt, self._backoff, resp.headers.get("Retry-After"))
                _discard(resp)
                self._sleep(delay)
                continue
            return resp

    def _attempt(
        self, url: str, what: str, accept: str | None, authorization: str | None, decode: bool, attempt: int
    ) -> BaseHTTPResponse | None:
        """One try; ``None`` means "a transport failure worth retrying" (after sleeping)."""
        try:
            return self._send(url, accept, authorization, decode, what)
        except SSLError as exc:
            raise RegistryError(f"{self.name}: cannot reach {urlsplit(url).netloc} ({_reason(exc)})") from None
        except HTTPError as exc:
            if attempt >= self._retries:
                raise RegistryError(
                    f"{self.name}: cannot reach registry {urlsplit(url).netloc} ({_reason(exc)}"
                    f"{f', {attempt + 1} attempts' if attempt else ''})"
                ) from None
            self._sleep(retry_delay(attempt + 1, self._backoff))
            return None

    def _send(
        self, url: str, accept: str | None, authorization: str | None, decode: bool, what: str
    ) -> BaseHTTPResponse:
        """One GET, following redirects by hand.

        ``Authorization`` goes only to the origin of ``url``: a registry that sends blob downloads to
        object storage on another host (a ``307`` to a pre-signed URL) must not leak its token there.
        """
        origin = _origin(url)
        for _ in range(_MAX_REDIRECTS + 1):
            headers = {"User-Agent": _USER_AGENT}
            if _origin(url) == origin:
                if accept:
                    headers["Accept"] = accept
                if authorization:
                    headers["Authorization"] = authorization
            with warnings.catch_warnings():
                if self.options.insecure:
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                resp = self._pool.request(
                    "GET",
                    url,
                    headers=headers,
                    preload_content=False,
                    decode_content=decode,
                    redirect=False,
                    retries=False,
                )
            if resp.status not in _REDIRECT_STATUSES:
                return resp
            location = resp.headers.get("Location", "")
            _discard(resp)
            if not location:
                raise RegistryError(f"{self.name}: redirect without a Location for {what}")
            target = urljoin(url, location)
            scheme = urlsplit(target).scheme.lower()
            if scheme not in ("http", "https"):
                raise RegistryError(f"{self.name}: redirect to an unsupported URL scheme for {what}")
            if scheme == "http" and _origin(url)[0] == "https" and not self.options.insecure:
                raise RegistryError(f"{self.name}: refusing a redirect from HTTPS to plain HTTP for {what}")
            url = target
        raise RegistryError(f"{self.name}: more than {_MAX_REDIRECTS} redirects for {what}")

    def _creds(self) -> Credentials | None:
        if not self._credentials_found:
            try:
                self._credentials = find_credentials(self.reference.host, self.options)
            except UsageError:
                raise
            except HullscanError as exc:
                raise AuthError(f"{self.name}: {exc}") from None
            self._credentials_found = True
        return self._credentials

    def _answer(self, challenge: Challenge | None, sent: str | None, what: str) -> None:
        """Set the ``Authorization`` the registry's ``401`` asks for."""
        with self._lock:
            if self._authorization != sent:
                return  # another thread already answered a challenge since this request went out
            host = self.reference.host
            if challenge is None:
                raise AuthError(f"{self.name}: registry {host} answered 401 for {what} without a usable challenge")
            if challenge.scheme == "basic":
                creds = self._creds()
                if creds is None or sent == creds.basic():
                    raise self._auth_error(401, False, "")
                self._authorization = creds.basic()
            elif challenge.scheme == "bearer":
                self._authorization = f"Bearer {self._fetch_token(challenge)}"
            else:
                raise AuthError(f"{self.name}: registry {host} asks for unsupported auth scheme {challenge.scheme!r}")

    def _fetch_token(self, challenge: Challenge) -> str:
        """A bearer token from the challenge's realm (https://distribution.github.io/distribution/spec/auth/token/)."""
        realm = challenge.param("realm")
        host = self.reference.host
        if urlsplit(realm).scheme.lower() not in ("http", "https"):
            raise AuthError(f"{self.name}: registry {host} sent a bearer challenge without a usable realm")
        query: list[tuple[str, str]] = []
        if challenge.param("service"):
            query.append(("service", challenge.param("service")))
        query.append(("scope", challenge.param("scope") or f"repository:{self.reference.repository}:pull"))
        url = realm + ("&" if "?" in realm else "?") + urlencode(query)
        creds = self._creds()
        what = f"a token from {urlsplit(realm).netloc}"
        attempt = 0
        while True:
            resp = self._attempt(url, what, None, creds.basic() if creds else None, True, attempt)
            if resp is None:
                attempt += 1
                continue
            if resp.status in RETRY_STATUSES and attempt < self._retries:
                attempt += 1
                delay = retry_delay(attempt, self._backoff, resp.headers.get("Retry-After"))
                _discard(resp)
                self._sleep(delay)
                continue
            break
        if resp.status in (401, 403):
            _discard(resp)
            raise self._auth_error(resp.status, False, "")
        if resp.status != 200:
            detail = _error_detail(resp)
            raise RegistryError(f"{self.name}: the token server for {host} answered HTTP {resp.status}{detail}")
        try:
            body = _read_limited(resp, _MAX_TOKEN_RESPONSE)
        except HTTPError as exc:
            resp.close()
            raise RegistryError(f"{self.name}: reading {what} failed ({_reason(exc)})") from None
        try:
            doc = json.loads(body or b"")
        except (ValueError, UnicodeDecodeError):
            doc = None
        token = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"{self.name}: the token server for {host} did not answer a token")
        return token

    def _auth_error(self, status: int, insufficient: bool, detail: str) -> AuthError:
        host, repo = self.reference.host, self.reference.repository
        creds = self._credentials if self._credentials_found else None
        if creds is not None:
            given = f"(from {creds.origin}){detail}"
            return AuthError(f"{self.name}: registry {host} rejected the credentials for {repo} {given}")
        hint = "; does the repository exist?" if insufficient or status == 403 else ""
        return AuthError(
            f"{self.name}: registry {host} requires credentials for {repo}{hint} "
            f"(give --username/--password, HULLSCAN_USERNAME/HULLSCAN_PASSWORD or docker login){detail}"
        )
