"""Package licences as their databases write them, turned into SPDX identifiers.

Package managers record licences in free text: Alpine's ``L:`` field says ``GPL2``, ``MIT BSD GPL2+`` or a real
SPDX expression such as ``( Apache-2.0 OR MIT ) AND MPL-2.0``; rpm's ``License`` and Debian's copyright files
are no tidier. :func:`normalize_license_tokens` reads such a field as a flat list of licences (the operators are
dropped: a report lists which licences apply, it does not evaluate the expression) and maps the well-known
spellings to SPDX ids (https://spdx.org/licenses/). A token it does not know is kept as written, so nothing is
lost; ``Public-Domain`` is such a token, since SPDX has no id for it.

Two readings are conventions rather than facts, chosen so that advisories and policies keyed by SPDX ids
line up with what other scanners report:

* a bare ``GPL`` is ``GPL-2.0-or-later`` (``LGPL``: ``LGPL-2.0-or-later``, ``AGPL``: ``AGPL-3.0-or-later``);
* a bare ``BSD`` is ``BSD-3-Clause``.

>>> normalize_license_tokens("MIT BSD GPL2+")
('MIT', 'BSD-3-Clause', 'GPL-2.0-or-later')
>>> normalize_license_tokens("( Apache-2.0 OR MIT ) AND MPL-2.0")
('Apache-2.0', 'MIT', 'MPL-2.0')
"""

from __future__ import annotations

import re

# Lowercased spelling -> SPDX id, for everything but the GNU family (see _GNU below).
_TABLE: dict[str, str] = {
    "mit": "MIT",
    "mit-0": "MIT-0",
    "x11": "X11",
    "isc": "ISC",
    "zlib": "Zlib",
    "openssl": "OpenSSL",
    "ssleay": "OpenSSL",
    "bsd": "BSD-3-Clause",
    "bsd2": "BSD-2-Clause",
    "bsd-2": "BSD-2-Clause",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd3": "BSD-3-Clause",
    "bsd-3": "BSD-3-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd4": "BSD-4-Clause",
    "bsd-4": "BSD-4-Clause",
    "bsd-4-clause": "BSD-4-Clause",
    "0bsd": "0BSD",
    "apache": "Apache-2.0",
    "apache2": "Apache-2.0",
    "apache2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache-2.0": "Apache-2.0",
    "asl2.0": "Apache-2.0",
    "asl-2.0": "Apache-2.0",
    "apache1.1": "Apache-1.1",
    "apache-1.1": "Apache-1.1",
    "mpl": "MPL-2.0",
    "mpl2": "MPL-2.0",
    "mpl2.0": "MPL-2.0",
    "mpl-2": "MPL-2.0",
    "mpl-2.0": "MPL-2.0",
    "mpl1.1": "MPL-1.1",
    "mpl-1.1": "MPL-1.1",
    "epl-1.0": "EPL-1.0",
    "epl-2.0": "EPL-2.0",
    "cddl-1.0": "CDDL-1.0",
    "artistic": "Artistic-1.0-Perl",
    "artistic-1.0-perl": "Artistic-1.0-Perl",
    "artistic-2.0": "Artistic-2.0",
    "perl": "Artistic-1.0-Perl",
    "psf": "PSF-2.0",
    "psf-2.0": "PSF-2.0",
    "python-2.0": "Python-2.0",
    "ruby": "Ruby",
    "bsl-1.0": "BSL-1.0",
    "boost": "BSL-1.0",
    "curl": "curl",
    "libpng": "Libpng",
    "libpng-2.0": "libpng-2.0",
    "ijg": "IJG",
    "ncsa": "NCSA",
    "unlicense": "Unlicense",
    "wtfpl": "WTFPL",
    "cc0": "CC0-1.0",
    "cc0-1.0": "CC0-1.0",
    "ofl-1.1": "OFL-1.1",
    "zpl-2.1": "ZPL-2.1",
    "bzip2-1.0.6": "bzip2-1.0.6",
    "sleepycat": "Sleepycat",
    "public-domain": "Public-Domain",
    "publicdomain": "Public-Domain",
    "public_domain": "Public-Domain",
}

# Spellings that are several words; joined before splitting into tokens.
_PHRASES = ((re.compile(r"\bpublic\s+domain\b", re.IGNORECASE), "Public-Domain"),)

# The GNU licences in the spellings packagers use: GPL2, GPLv2+, GPL-2.0, LGPL-2.1-or-later, AGPL3...
_GNU = re.compile(
    r"(?P<family>a|l)?gpl[-_]?v?(?P<version>\d(?:\.\d)?)?(?P<suffix>\+|-or-later|-only)?",
    re.IGNORECASE,
)
_GNU_VERSIONS: dict[str, frozenset[str]] = {
    "GPL": frozenset({"1.0", "2.0", "3.0"}),
    "LGPL": frozenset({"2.0", "2.1", "3.0"}),
    "AGPL": frozenset({"1.0", "3.0"}),
}
# A GNU licence named without a version: the version it is read as (always "or later").
_GNU_UNVERSIONED = {"GPL": "2.0", "LGPL": "2.0", "AGPL": "3.0"}

_OPERATORS = frozenset({"and", "or"})
# "MPL 2.0", "GPL 2+": a version written apart from its licence name belongs to the token before it.
_DETACHED_VERSION = re.compile(r"v?\d+(?:\.\d+)*\+?", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,;]+")


def _gnu(token: str) -> str | None:
    m = _GNU.fullmatch(token)
    if m is None:
        return None
    family = {"a": "AGPL", "l": "LGPL"}.get((m.group("family") or "").lower(), "GPL")
    version = m.group("version")
    suffix = m.group("suffix") or ""
    if version is None:
        if suffix == "-only":
            return None
        return f"{family}-{_GNU_UNVERSIONED[family]}-or-later"
    if "." not in version:
        version += ".0"
    if version not in _GNU_VERSIONS[family]:
        return None
    return f"{family}-{version}-{'only' if suffix in ('', '-only') else 'or-later'}"


def normalize_license_token(token: str) -> str:
    """One licence name as an SPDX id when it is a spelling we know, else unchanged.

    >>> normalize_license_token("GPL2"), normalize_license_token("zlib"), normalize_license_token("Foo-1.0")
    ('GPL-2.0-only', 'Zlib', 'Foo-1.0')
    """
    lowered = token.lower()
    return _TABLE.get(lowered) or _gnu(lowered) or token


def normalize_license_tokens(raw: str) -> tuple[str, ...]:
    """The licences a free-text licence field names, as SPDX ids where known, in order and without repeats.

    ``AND``/``OR`` and parentheses are dropped; ``X WITH Y`` stays one entry (``GPL-2.0-or-later WITH
    Classpath-exception-2.0``), since the exception only means something beside its licence.
    """
    text = raw.strip()
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    names: list[str] = []
    with_pending = False
    after_name = False  # a detached version joins only a name directly before it, never across AND/OR
    for word in _SEPARATORS.split(text):
        token = word.strip("()")
        if not token:
            continue
        lowered = token.lower()
        if lowered in _OPERATORS:
            with_pending = after_name = False
            continue
        if lowered == "with":
            with_pending = bool(names)
            after_name = False
            continue
        if with_pending:
            names[-1] = f"{normalize_license_token(names[-1])} WITH {token}"
            with_pending = False
            continue
        if after_name and _DETACHED_VERSION.fullmatch(token):
            names[-1] += token
            after_name = False
            continue
        names.append(token)
        after_name = True
    out: list[str] = []
    for name in names:
        normalized = name if " WITH " in name else normalize_license_token(name)
        if normalized not in out:
            out.append(normalized)
    return tuple(out)
