"""Splitting and checking a Debian version, ``[epoch:]upstream_version[-debian_revision]``.

As Debian Policy 5.6.12 says (https://www.debian.org/doc/debian-policy/ch-controlfields.html#version): the status
parser leaves out a paragraph whose version it forbids, and the assembler fills each package's epoch and revision
from the split. Ordering versions is :mod:`hullscan.versions.dpkg`'s job, not this module's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class InvalidVersion(ValueError):
    """A version string that Debian Policy 5.6.12 does not allow."""


@dataclass(frozen=True, slots=True)
class DebianVersion:
    """``[epoch:]upstream[-revision]``.

    >>> split_version("1:2.31.1-0.4ubuntu3.1")
    DebianVersion(epoch=1, upstream='2.31.1', revision='0.4ubuntu3.1')
    >>> split_version("3.116ubuntu1")
    DebianVersion(epoch=None, upstream='3.116ubuntu1', revision='')
    """

    epoch: int | None
    """``None`` when the version has no epoch (equal to epoch 0 in comparisons)."""
    upstream: str
    revision: str
    """``""`` for a native package."""

    def __str__(self) -> str:
        text = self.upstream if self.epoch is None else f"{self.epoch}:{self.upstream}"
        return f"{text}-{self.revision}" if self.revision else text


_UPSTREAM = re.compile(r"[A-Za-z0-9.+~:-]+")
_REVISION = re.compile(r"[A-Za-z0-9.+~]+")
_MAX_EPOCH = 2**31 - 1  # dpkg keeps the epoch in an int


def split_version(text: str) -> DebianVersion:
    """Split and check a Debian version; :class:`InvalidVersion` when Policy 5.6.12 forbids it.

    The epoch is everything before the first colon, the revision everything after the last hyphen. Upstream may
    contain colons only when there is an epoch and hyphens only when there is a revision, which this split
    implies. Upstream "should" start with a digit; dpkg only warns when it does not, and so do we (nothing).
    """
    if not text:
        raise InvalidVersion("empty version")
    # Blanks and every other stray character fail the character checks below.
    epoch: int | None = None
    rest = text
    head, colon, tail = text.partition(":")
    if colon:
        if not head.isascii() or not head.isdigit():
            raise InvalidVersion(f"invalid version {text!r}: epoch is not a number")
        epoch = int(head)
        if epoch > _MAX_EPOCH:
            raise InvalidVersion(f"invalid version {text!r}: epoch too big")
        rest = tail
    upstream, hyphen, revision = rest.rpartition("-")
    if not hyphen:
        upstream, revision = rest, ""
    elif not revision:
        raise InvalidVersion(f"invalid version {text!r}: empty revision")
    elif not _REVISION.fullmatch(revision):
        raise InvalidVersion(f"invalid version {text!r}: invalid character in revision")
    if not upstream:
        raise InvalidVersion(f"invalid version {text!r}: empty upstream version")
    if not _UPSTREAM.fullmatch(upstream):
        raise InvalidVersion(f"invalid version {text!r}: invalid character in upstream version")
    return DebianVersion(epoch, upstream, revision)
