"""The files a package installed: ``info/<pkg>.list`` and ``*.md5sums`` (in ``info/`` or distroless ``status.d/``).

Both become an :class:`OwnedFiles` of paths without their leading ``/``; the assembler picks one per package.
"""

from __future__ import annotations

from hullscan.extract.dpkg.deb822 import _text_file
from hullscan.extract.dpkg.model import OwnedFiles


def parse_file_list(data: bytes) -> OwnedFiles:
    """``info/<pkg>.list``: absolute paths, directories included. Keeps the non-directories, without ``/``.

    dpkg lists every directory on the way to each file, so an entry that is the parent of another entry is a
    directory (whatever the order: packages often list their directories first). An empty directory cannot be
    told from a file here; :meth:`DpkgExtractor.packages` drops what the image itself has as a directory.
    """
    lines = [line for line in _text_file(data).split("\n") if line and line != "/."]
    parents = {line.rpartition("/")[0] for line in lines}
    return OwnedFiles(tuple(path for line in lines if line not in parents and (path := line.lstrip("/"))))


def parse_md5sums(data: bytes) -> OwnedFiles:
    """``<md5>  <path>`` per line (md5sum(1) format, path relative to the root): the package's regular files."""
    paths: list[str] = []
    digests: list[str] = []
    for line in _text_file(data).split("\n"):
        digest, _, path = line.partition(" ")
        if not digest or not path:
            continue
        path = path.lstrip(" *").lstrip("/")  # "  path" (text mode) or " *path" (binary mode)
        if path:
            paths.append(path)
            digests.append(digest.lower())
    return OwnedFiles(tuple(paths), tuple(digests))
