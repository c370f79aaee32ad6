"""Licences from ``usr/share/doc/<pkg>/copyright``: the names a file gives, raw, and their SPDX ids.

Names come from ``License:`` fields (machine-readable copyright,
https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/) and ``/usr/share/common-licenses/X``
references. Reading them (:func:`parse_copyright`) is cached per layer; mapping them to SPDX ids
(:func:`normalize_license`) happens only when packages are assembled, so a better mapping table never needs a
cache-busting version bump. The licence scanner maps Debian names with :func:`normalize_license` too.
"""

from __future__ import annotations

import functools
import re

from hullscan.extract.dpkg.deb822 import _text_file
from hullscan.extract.dpkg.model import Copyright

COMMON_LICENSES = "/usr/share/common-licenses/"

# "License: GPL-2+ or Artistic, and BSD-3-clause" (copyright-format 1.0 "License specification"): we keep the
# names, not the expression.
_LICENSE_SPLIT = re.compile(r",|;|\|\s*|\s+(?:or|and)\s+", re.IGNORECASE)
_COMMON_LICENSE = re.compile(re.escape(COMMON_LICENSES) + r"([A-Za-z0-9][A-Za-z0-9_.+-]*[A-Za-z0-9+])")
_MAX_LICENSE_WORDS = 4
"""A ``License:`` line with a longer piece is prose ("License: This program is free software; ..."), not names."""


def parse_copyright(data: bytes) -> Copyright:
    """Licence names in a ``usr/share/doc/<pkg>/copyright`` file, in order of appearance, raw and unique.

    Two sources, as Trivy reads them too: every line that starts with ``License:`` (machine-readable files, and
    many older free-form ones), and every ``/usr/share/common-licenses/<name>`` reference.
    """
    names: dict[str, None] = {}
    for line in _text_file(data).split("\n"):
        if line.startswith("License:"):
            value = line[len("License:") :].split("(", 1)[0]  # "MIT (Expat)" -> "MIT"
            parts = [p.strip().strip(".") for p in _LICENSE_SPLIT.split(value)]
            if all(len(p.split()) <= _MAX_LICENSE_WORDS for p in parts):  # else a sentence, not names
                names.update(dict.fromkeys(p for p in parts if any(c.isalpha() for c in p)))
        if COMMON_LICENSES in line:
            names.update(dict.fromkeys(_COMMON_LICENSE.findall(line)))
    return Copyright(tuple(names))


# SPDX ids (https://spdx.org/licenses/) for the short names of copyright-format 1.0 and the files in
# /usr/share/common-licenses. Keys are upper case. The GNU family (GPL, LGPL, AGPL, GFDL with a version) is
# handled by _GNU below, not listed here.
_SPDX: dict[str, str] = {
    "APACHE": "Apache-2.0",
    "APACHE-2": "Apache-2.0",
    "APACHE-2.0": "Apache-2.0",
    "APACHE 2.0": "Apache-2.0",
    "APACHE2": "Apache-2.0",
    "APACHE-1.0": "Apache-1.0",
    "APACHE-1.1": "Apache-1.1",
    # Debian's common-licenses/Artistic is the Perl "Artistic License" (1.0); Trivy's expectations, which the
    # fixtures pin (EXPECTED.md, dpkg copyright), map the bare name to Artistic-2.0, and so do we.
    "ARTISTIC": "Artistic-2.0",
    "ARTISTIC-1.0": "Artistic-1.0",
    "ARTISTIC-1.0-PERL": "Artistic-1.0-Perl",
    "ARTISTIC-2.0": "Artistic-2.0",
    # common-licenses/BSD is the University of California licence, three clauses.
    "BSD": "BSD-3-Clause",
    "BSD-1-CLAUSE": "BSD-1-Clause",
    "BSD-2-CLAUSE": "BSD-2-Clause",
    "BSD-3-CLAUSE": "BSD-3-Clause",
    "BSD-4-CLAUSE": "BSD-4-Clause",
    "BSL-1.0": "BSL-1.0",
    "BOOST-1.0": "BSL-1.0",
    "CC0": "CC0-1.0",
    "CC0-1.0": "CC0-1.0",
    "CDDL": "CDDL-1.0",
    "CDDL-1.0": "CDDL-1.0",
    "CDDL-1.1": "CDDL-1.1",
    "EPL-1.0": "EPL-1.0",
    "EPL-2.0": "EPL-2.0",
    "EXPAT": "MIT",
    "MIT": "MIT",
    "ISC": "ISC",
    "MPL-1.1": "MPL-1.1",
    "MPL-2.0": "MPL-2.0",
    "OPENSSL": "OpenSSL",
    "PSF-2": "PSF-2.0",
    "PSF-2.0": "PSF-2.0",
    "PYTHON": "Python-2.0",
    "PYTHON-2.0": "Python-2.0",
    "X11": "X11",
    "ZLIB": "Zlib",
    "ZPL-2.1": "ZPL-2.1",
    "W3C": "W3C",
    "WTFPL": "WTFPL",
    # Unversioned GNU names: which version is anyone's guess; this is the reading most packages mean (and the
    # one the apk licences in EXPECTED.md use).
    "GPL": "GPL-2.0-or-later",
    "LGPL": "LGPL-2.0-or-later",
}
_GNU = re.compile(r"(?P<family>A?GPL|LGPL|GFDL)[- ]?V?(?P<version>\d+(?:\.\d+)?)(?P<later>\+|-OR-LATER)?(?:-ONLY)?")
_WITH = re.compile(r"\s+with\s+", re.IGNORECASE)
_EXCEPTIONS: dict[str, str] = {
    "AUTOCONF EXCEPTION": "Autoconf-exception-generic",
    "BISON EXCEPTION": "Bison-exception-2.2",
    "CLASSPATH EXCEPTION": "Classpath-exception-2.0",
    "FONT EXCEPTION": "Font-exception-2.0",
    "GCC EXCEPTION": "GCC-exception-3.1",
    "GCC-EXCEPTION-3.1": "GCC-exception-3.1",
    "LIBTOOL EXCEPTION": "Libtool-exception",
}


@functools.lru_cache(maxsize=4096)  # the same few dozen names come back for every package
def normalize_license(name: str) -> str:
    """An SPDX id for a Debian licence name where one is known, else the name as written.

    >>> [normalize_license(n) for n in ("GPL-2", "GPL-2+", "GPLv2+", "LGPL-2.1", "Expat", "BSD-4-clause-POWERDOG")]
    ['GPL-2.0-only', 'GPL-2.0-or-later', 'GPL-2.0-or-later', 'LGPL-2.1-only', 'MIT', 'BSD-4-clause-POWERDOG']
    """
    text = " ".join(name.split())
    base, *rest = _WITH.split(text, maxsplit=1)
    exception = rest[0] if rest else ""
    upper = base.upper()
    if upper.startswith("THE "):
        upper = upper[4:]
    if upper.endswith(" LICENSE"):
        upper = upper[: -len(" LICENSE")]
    spdx = _SPDX.get(upper)
    if spdx is None:
        m = _GNU.fullmatch(upper)
        if m is not None:
            version = m.group("version")
            version = version if "." in version else version + ".0"
            spdx = f"{m.group('family')}-{version}-{'or-later' if m.group('later') else 'only'}"
    if spdx is None:
        return text
    if exception:
        return f"{spdx} WITH {_EXCEPTIONS.get(exception.upper(), exception)}"
    return spdx


def licenses_of(copyright_: Copyright) -> tuple[str, ...]:
    """The SPDX ids (or names as written) of a copyright payload, unique, in order."""
    return tuple(dict.fromkeys(normalize_license(n) for n in copyright_.names))
