"""The payloads ``os/dpkg`` caches per layer, the paths in the image they are read from, and their cache key.

``NAME`` and ``VERSION`` are the cache key of every payload the extractor wrote. They live beside the payload
types because a change to these types, or to what a parser puts in them, is what needs ``VERSION`` bumped; never
rename ``NAME``.
"""

from __future__ import annotations

from dataclasses import dataclass

NAME = "os/dpkg"
VERSION = 2

STATUS_FILE = "var/lib/dpkg/status"
STATUS_DIR = "var/lib/dpkg/status.d/"
INFO_DIR = "var/lib/dpkg/info/"
AVAILABLE_FILE = "var/lib/dpkg/available"
DOC_DIR = "usr/share/doc/"


@dataclass(frozen=True, slots=True)
class Stanza:
    """One installed package, as its status paragraph records it."""

    name: str
    version: str
    """The full version as written, ``[epoch:]upstream[-revision]``; valid per Policy 5.6.12."""
    arch: str = ""
    source_name: str = ""
    """``Source:`` name, else the binary's name (dpkg-query's ``${source:Package}``)."""
    source_version: str = ""
    """``Source: name (version)``'s version, else the binary's version (dpkg-query's ``${source:Version}``)."""
    maintainer: str = ""
    depends: str = ""
    """``Depends`` as written (names: :func:`dependency_names`)."""
    pre_depends: str = ""
    """``Pre-Depends`` as written."""
    conffiles: tuple[tuple[str, str], ...] = ()
    """``Conffiles``: (path without leading ``/``, MD5 dpkg recorded) of each configuration file the package
    installed. Conffiles are not in ``*.md5sums``; with these, a config file still as the package shipped it can be
    told from one the image's author edited."""


@dataclass(frozen=True, slots=True)
class StatusDb:
    """A status file (or one ``status.d`` file): its installed packages, and what was left out."""

    packages: tuple[Stanza, ...] = ()
    skipped: int = 0
    """Paragraphs left out because they are damaged or cut: worth a warning."""
    not_installed: int = 0
    """Whole paragraphs of packages that are not (fully) installed: removed with config files left, etc."""


@dataclass(frozen=True, slots=True)
class OwnedFiles:
    """The files one package installed (``info/*.list``, ``*.md5sums``), without leading ``/``."""

    paths: tuple[str, ...] = ()
    md5: tuple[str, ...] = ()
    """From ``*.md5sums``: each path's MD5 as dpkg recorded it at install time (parallel to ``paths``; empty for
    ``*.list`` files). A file whose content still has this digest is exactly what the package shipped."""


@dataclass(frozen=True, slots=True)
class Digest:
    """One ``available`` record that names the checksum of its ``.deb``."""

    name: str
    version: str
    arch: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Available:
    digests: tuple[Digest, ...] = ()


@dataclass(frozen=True, slots=True)
class Copyright:
    """Licence names as the copyright file writes them (``GPL-2+``, ``Expat``, ``GPL-2`` from common-licenses)."""

    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DpkgFile:
    """The payload of one file: exactly one field is set, by the kind of file it was read from.

    (One dataclass rather than a union: the extractor protocol has one payload type, and msgspec decodes
    dataclasses by field name, not by tag.)
    """

    status: StatusDb | None = None
    owned: OwnedFiles | None = None
    available: Available | None = None
    copyright: Copyright | None = None
