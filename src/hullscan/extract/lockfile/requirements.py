"""lock/requirements: the pinned lines of pip requirements files (``requirements*.txt``).

The format is pip's (https://pip.pypa.io/en/stable/reference/requirements-file-format/): one PEP 508
requirement per line, ``#`` comments, ``\\`` continuations, and options. Only a requirement pinned to one
exact version (``name==1.2.3``, ``name[extra] == 1.2.3 ; python_version < "3.12"``, ``name===1.2.3``) says what
gets installed, so only those are read:

* ranges (``>=``, ``~=``, ``!=``), wildcards (``==1.*``) and several specifiers are skipped;
* option lines (``-r other.txt``, ``-c``, ``-e``, ``--index-url``...) are skipped, and per-requirement options
  after a pin (``--hash=sha256:...``) are ignored;
* direct references (``name @ https://...``), VCS and local paths (``git+https://``, ``./pkg``, ``pkg.whl``)
  are skipped: they are not versions of a PyPI release;
* an environment marker after ``;`` is dropped: the line is kept whatever the marker says.
"""

from __future__ import annotations

import re

from hullscan.extract.lockfile import LockedPackage, LockFile, LockfileExtractor, decode_text
from hullscan.model import PackageType

NAME = "lock/requirements"
VERSION = 1

# PEP 508 name, optional extras, then exactly one ==/=== specifier.
_PINNED = re.compile(
    r"""^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*
        (?:\[[^\]]*\])?\s*
        \(?\s*===?\s*(?P<version>[A-Za-z0-9][A-Za-z0-9.+!_-]*)\s*\)?$""",
    re.VERBOSE,
)
_COMMENT = re.compile(r"(^|\s)#.*$")
_OPTION = re.compile(r"\s-{1,2}[A-Za-z]")


def logical_lines(text: str) -> list[str]:
    """Lines with comments removed and ``\\`` continuations joined, as pip reads them.

    >>> logical_lines("a==1 \\\\\\n  --hash=sha256:x # pinned\\n# note\\nb")
    ['a==1   --hash=sha256:x', 'b']
    """
    out: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = _COMMENT.sub("", raw)
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        line = (pending + line).strip()
        pending = ""
        if line:
            out.append(line)
    if pending.strip():
        out.append(pending.strip())
    return out


def pinned(line: str) -> tuple[str, str] | None:
    """``(name, version)`` for a requirement pinned to one version, else ``None``.

    >>> pinned('Jinja2[i18n] == 3.0.0 ; python_version >= "3.7" --hash=sha256:abc')
    ('Jinja2', '3.0.0')
    >>> pinned("MarkupSafe>2.0.0"), pinned("-r base.txt"), pinned("x==1.*"), pinned("y @ https://h/y.whl")
    (None, None, None, None)
    """
    if line.startswith("-"):
        return None
    option = _OPTION.search(line)
    if option is not None:
        line = line[: option.start()]
    line = line.split(";", 1)[0].strip()
    m = _PINNED.match(line)
    if m is None:
        return None
    return m.group("name"), m.group("version")


def parse_requirements(data: bytes, path: str = "requirements.txt") -> LockFile:
    text = decode_text(data, path, "requirements file")
    packages = []
    for line in logical_lines(text):
        found = pinned(line)
        if found is not None:
            packages.append(LockedPackage(name=found[0], version=found[1]))
    return LockFile(tuple(packages))


def is_requirements_name(name: str) -> bool:
    """``requirements.txt``, ``requirements-dev.txt``, ``requirements_prod.txt``...

    >>> [is_requirements_name(n) for n in ("requirements.txt", "requirements-dev.txt", "requirements.in")]
    [True, True, False]
    """
    return name.startswith("requirements") and name.endswith(".txt")


class RequirementsExtractor(LockfileExtractor):
    """Pinned requirements of ``requirements*.txt`` files."""

    NAME = NAME
    VERSION = VERSION
    TYPE = PackageType.PYPI

    def wants_name(self, name: str) -> bool:
        return is_requirements_name(name)

    def parse(self, data: bytes, path: str) -> LockFile:
        return parse_requirements(data, path)
