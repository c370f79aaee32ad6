"""lock/gemfile: ``Gemfile.lock`` (or ``gems.locked``), the lock file Bundler writes (https://bundler.io/).

The file is a list of sections; the source sections (``GEM``, ``GIT``, ``PATH``, ``PLUGIN SOURCE``) carry a
``specs:`` block in which each locked gem is a line indented by exactly four spaces, ``name (version)``,
followed by its own dependencies indented by six::

    GEM
      remote: https://rubygems.org/
      specs:
        nokogiri (1.13.10-x86_64-linux)
          racc (~> 1.4)

A platform gem's version carries its platform after the first ``-`` (Bundler's lock-file parser splits it the
same way). Gems of a ``PATH`` source whose remote is ``.`` are the project's own gemspec: the application.
Bundler has no development flag in the lock file (groups live in the Gemfile), so no gem here is ``dev``.
"""

from __future__ import annotations

import re

from hullscan.extract.base import ExtractError
from hullscan.extract.lockfile import LockedPackage, LockFile, LockfileExtractor, decode_text
from hullscan.model import PackageType

NAME = "lock/gemfile"
VERSION = 1

SOURCE_SECTIONS = frozenset({"GEM", "GIT", "PATH", "PLUGIN SOURCE", "SVN"})
_SPEC = re.compile(r"^    (?! )(?P<name>[^ (]+) \((?P<version>[^-)]*)(?:-(?P<platform>[^)]*))?\)!?$")


def parse_gemfile_lock(data: bytes, path: str = "Gemfile.lock") -> LockFile:
    """Parse a Gemfile.lock.

    >>> lock = parse_gemfile_lock(b"GEM\\n  remote: https://rubygems.org/\\n  specs:\\n    rack (2.2.3)\\n"
    ...                           b"    nokogiri (1.13.10-x86_64-linux)\\n      racc (~> 1.4)\\n")
    >>> [(p.name, p.version) for p in lock.packages]
    [('rack', '2.2.3'), ('nokogiri', '1.13.10')]
    """
    text = decode_text(data, path, "Gemfile.lock")
    packages: list[LockedPackage] = []
    section = ""
    remote = ""
    in_specs = False
    saw_section = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line:
            in_specs = False
            continue
        if not line.startswith(" "):
            section, remote, in_specs = line.strip(), "", False
            saw_section = True
            continue
        if section not in SOURCE_SECTIONS:
            continue
        if line.startswith("  remote:"):
            remote = line.partition(":")[2].strip()
        elif line == "  specs:":
            in_specs = True
        elif in_specs:
            m = _SPEC.match(line)
            if m is not None and m.group("version"):
                packages.append(
                    LockedPackage(
                        name=m.group("name"),
                        version=m.group("version"),
                        root=section == "PATH" and remote == ".",
                    )
                )
    if not saw_section:
        raise ExtractError(f"{path}: not a Gemfile.lock (no section header such as GEM or DEPENDENCIES)")
    return LockFile(tuple(packages))


class GemfileLockExtractor(LockfileExtractor):
    """Gems pinned by Bundler's ``Gemfile.lock``."""

    NAME = NAME
    VERSION = VERSION
    TYPE = PackageType.GEM
    FILENAMES = frozenset({"Gemfile.lock", "gems.locked"})

    def parse(self, data: bytes, path: str) -> LockFile:
        return parse_gemfile_lock(data, path)
