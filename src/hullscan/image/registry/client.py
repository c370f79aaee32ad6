"""The HTTP side of a registry source: authenticated GETs against one repository.

Every request goes through :meth:`RegistryClient._open`: anonymous first; on ``401`` it answers the
``WWW-Authenticate`` challenge (``Basic`` with credentials, or ``Bearer``: a token from the realm, reused until
the registry says ``401`` again); it follows redirects itself so that the ``Authorization`` header never leaves
the origin it was meant for (blob storage on another host gets none); it retries ``429`` and ``5xx`` answers and
broken connections with exponential backoff and jitter, honouring ``Retry-After``.

Authentication and transport are one loop, not two layers: a retried request must carry the ``Authorization``
of the moment, and answering a challenge makes requests of its own (to the token realm) that are retried the
same way. So they share one class, kept apart from what the source asks for (:mod:`.source`: manifests,
indexes, configs, blobs). :class:`~hullscan.image.registry.source.RegistrySource` inherits it, so the request
state (the ``Authorization`` in use, the credentials found) lives on the source object itself.
"""

from __future__ import annotations

import email.utils
import json
import random
import threading
import warnings
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urljoin, urlsplit

import urllib3
from urllib3.exceptions import HTTPError, InsecureRequestWarning, SSLError

from hullscan import __version__
from hullscan.errors import AuthError, HullscanError, ImageError, RegistryError, UnsafeImageError, UsageError
from hullscan.image.registry.challenge import Challenge, parse_challenge
from hullscan.image.registry.credentials import Credentials, find_credentials
from hullscan.image.registry.reference import ImageReference
from hullscan.image.registry.transport import _discard, _error_detail, _read_limited, _reason
from hullscan.image.source import SourceOptions

if TYPE_CHECKING:
    from urllib3.response import BaseHTTPResponse

__all__ = ["MAX_DOCUMENT_SIZE", "RETRY_STATUSES", "RegistryClient", "retry_delay"]

MAX_DOCUMENT_SIZE = 8 * 1024 * 1024
"""Largest manifest, index or config we read. Real ones are a few KiB; anything near this is hostile."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
_MAX_BACKOFF = 30.0
_MAX_RETRY_AFTER = 60.0
_MAX_TOKEN_RESPONSE = 1024 * 1024
_USER_AGENT = f"hullscan/{__version__}"


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


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class RegistryClient:
    """Authenticated, redirect-following, retrying GETs against one repository of one registry."""

    name: str
    """The reference as shown in messages (set by :class:`~hullscan.image.source.ImageSource`)."""

    def __init__(
        self,
        reference: ImageReference,
        options: SourceOptions,
        *,
        backoff: float,
        sleep: Callable[[float], None],
    ) -> None:
        """``options.retries`` is the number of retries after the first attempt; ``backoff`` the first delay."""
        self.reference = reference
        self.options = options
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

    # -- documents

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
