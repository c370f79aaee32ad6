"""Which credentials to offer a registry, and where they come from.

Credentials come from, in order: ``--username``/``--password``; ``HULLSCAN_USERNAME``/``HULLSCAN_PASSWORD``;
the Docker ``config.json`` (``credHelpers[host]``, then ``credsStore``, then ``auths[host]``). They are looked
up only when a registry asks for them, and never appear in a message.

This is the only part of the registry client that reads files and runs programs (``docker-credential-*``
helpers), and it needs no network, so it is kept apart from the HTTP code and tested on its own.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hullscan.errors import AuthError, UsageError
from hullscan.image.registry.reference import _DOCKER_HUB_NAMES
from hullscan.image.source import SourceOptions

__all__ = ["Credentials", "find_credentials"]

_DOCKER_HUB_SERVER = "https://index.docker.io/v1/"
"""The key ``docker login`` stores Docker Hub credentials under, and the server URL its helpers expect."""


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

