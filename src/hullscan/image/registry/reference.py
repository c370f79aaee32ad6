"""Image references as users write them, and where they point.

A reference (``alpine``, ``localhost:5000/x:1``, ``host/x/y@sha256:...``) is the one piece of user input every
registry pull starts from; parsing it is pure and has its own rules (Docker's reference grammar and Docker Hub's
aliases), so it lives apart from the HTTP code. Grammar:
https://github.com/distribution/reference/blob/main/normalize.go and ``regexp.go``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from hullscan.errors import UsageError
from hullscan.image.oci import valid_digest

__all__ = ["DOCKER_HUB", "ImageReference", "parse_reference"]

DOCKER_HUB = "registry-1.docker.io"
"""Where Docker Hub's API lives; ``docker.io`` and ``index.docker.io`` are names for it in references."""

_DOCKER_HUB_NAMES = frozenset({"docker.io", "index.docker.io", DOCKER_HUB})
"""Every name Docker Hub goes by; :mod:`.credentials` matches ``config.json`` keys against the same set."""

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
