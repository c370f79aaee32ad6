"""os/dpkg: Debian packages, read from dpkg's database and the files beside it.

Two halves, as the extractor protocols ask (:mod:`hullscan.extract.base`, :mod:`hullscan.extract.packages`):

* :meth:`DpkgExtractor.extract` parses one file, bytes in, :class:`DpkgFile` out (cached per layer):

  - ``var/lib/dpkg/status``: one paragraph per package (deb822, https://www.debian.org/doc/debian-policy/ch-controlfields.html).
    Only installed packages are kept (``Status: install ok installed`` or ``hold ok installed``). A paragraph
    that is damaged (a line that is no field, a missing ``Package``/``Status``/``Version``, an invalid
    version, a file cut in its last line) is left out and counted in :attr:`StatusDb.skipped`; every other
    paragraph is kept.
  - ``var/lib/dpkg/status.d/*``: Google distroless writes one paragraph file per package, without ``Status``;
    its ``*.md5sums`` files there list each package's files.
  - ``var/lib/dpkg/info/*.list`` and ``*.md5sums``: the files a package installed.
  - ``var/lib/dpkg/available``: the ``SHA256`` of the ``.deb`` each package came from, when apt recorded it.
  - ``usr/share/doc/*/copyright``: licence names, raw, from ``License:`` fields (machine-readable copyright,
    https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/) and ``/usr/share/common-licenses/X``
    references. They are mapped to SPDX ids only when packages are assembled, so a better mapping table never
    needs a cache-busting version bump.

* :meth:`DpkgExtractor.packages` assembles :class:`~hullscan.model.Package` objects from the payloads that
  survive the squash, and attributes each to the layer that installed it (at its version).

Versions are split as Debian Policy 5.6.12 says (``[epoch:]upstream_version[-debian_revision]``,
https://www.debian.org/doc/debian-policy/ch-controlfields.html#version). Source package name and version follow
dpkg-query's ``${source:Package}``/``${source:Version}``: ``Source: name (version)`` when given, else the
binary's name and version.

One concept per module:

=====================  ========================================================================================
module                 holds
=====================  ========================================================================================
:mod:`.model`          the cached payload (:class:`DpkgFile` and its parts), the paths read, ``NAME``/``VERSION``
:mod:`.version`        :func:`split_version`: a Debian version's epoch, upstream version and revision, checked
:mod:`.deb822`         decoding dpkg's text files; deb822 paragraphs and the fields a parser wants from them
:mod:`.status`         :func:`parse_status`: ``status`` and ``status.d`` paragraphs, installed or not, damaged
:mod:`.available`      :func:`parse_available`: the ``.deb`` digests of the ``available`` file
:mod:`.filelists`      :func:`parse_file_list`, :func:`parse_md5sums`: the files each package installed
:mod:`.copyright`      :func:`parse_copyright` and :func:`normalize_license`: licence names and their SPDX ids
:mod:`.purl`           :func:`package_url`: ``pkg:deb/...``
:mod:`.assembly`       the surviving payloads of a squashed view, and how they make one package
:mod:`.extractor`      :class:`DpkgExtractor` (``os/dpkg``): what it wants, its payload, packages and warnings
=====================  ========================================================================================

Code outside this package imports from it (``from hullscan.extract.dpkg import DpkgExtractor``), not from its
modules: ``__all__`` below is the public surface. Names with a leading underscore are private to the package and
shared between its modules.
"""

from __future__ import annotations

from hullscan.extract.dpkg.available import parse_available
from hullscan.extract.dpkg.copyright import licenses_of, normalize_license, parse_copyright
from hullscan.extract.dpkg.extractor import DpkgExtractor
from hullscan.extract.dpkg.filelists import parse_file_list, parse_md5sums
from hullscan.extract.dpkg.model import (
    NAME,
    VERSION,
    Available,
    Copyright,
    Digest,
    DpkgFile,
    OwnedFiles,
    Stanza,
    StatusDb,
)
from hullscan.extract.dpkg.purl import package_url
from hullscan.extract.dpkg.status import dependency_names, parse_status
from hullscan.extract.dpkg.version import DebianVersion, InvalidVersion, split_version

__all__ = [
    "NAME",
    "VERSION",
    "Available",
    "Copyright",
    "DebianVersion",
    "Digest",
    "DpkgExtractor",
    "DpkgFile",
    "InvalidVersion",
    "OwnedFiles",
    "Stanza",
    "StatusDb",
    "dependency_names",
    "licenses_of",
    "normalize_license",
    "package_url",
    "parse_available",
    "parse_copyright",
    "parse_file_list",
    "parse_md5sums",
    "parse_status",
    "split_version",
]
