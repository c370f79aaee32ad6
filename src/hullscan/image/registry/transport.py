"""Response-level pieces of talking to a registry over urllib3.

The request loop in :mod:`.client` decides *what* to send and when to retry; these helpers deal with one
response or one failure at a time: a short human reason for a transport error, a body read whole up to a limit,
a body thrown away without wasting the connection, the registry's own words from an error body, and a layer
body handed out as a stream. None of them hold state, so they are kept apart from the client.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from hullscan.errors import HullscanError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from urllib3.response import BaseHTTPResponse

_MAX_ERROR_BODY = 64 * 1024


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

