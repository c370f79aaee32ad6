"""The ``os/dpkg`` extractor the registry runs: which files it wants, what each becomes, and the packages of a view.

Per file (cached per layer), :meth:`DpkgExtractor.extract` hands the bytes to the parser of its kind. Per squashed
view, :meth:`DpkgExtractor.packages` goes over the surviving status files, attributes each package to the layer
that installed it (at its version), and leaves the rest of the package to :mod:`.assembly`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hullscan.extract.dpkg.assembly import _Found
from hullscan.extract.dpkg.available import parse_available
from hullscan.extract.dpkg.copyright import parse_copyright
from hullscan.extract.dpkg.filelists import parse_file_list, parse_md5sums
from hullscan.extract.dpkg.model import (
    AVAILABLE_FILE,
    DOC_DIR,
    INFO_DIR,
    NAME,
    STATUS_DIR,
    STATUS_FILE,
    VERSION,
    DpkgFile,
)
from hullscan.extract.dpkg.status import parse_status
from hullscan.extract.packages import introduced_in
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, Package, PackageType, Warning_

MAX_DATABASE_SIZE = 256 << 20
"""status and available: a few MB on large systems; an ``available`` of a whole archive runs to tens of MB."""
MAX_FILE_LIST_SIZE = 64 << 20
MAX_COPYRIGHT_SIZE = 4 << 20
"""Copyright files run to a few hundred KB (linux-firmware); anything far larger is not one."""


def _kind(path: str) -> str | None:
    """Which of our files ``path`` is (string checks only)."""
    if path.startswith("var/lib/dpkg/"):
        if path == STATUS_FILE:
            return "status"
        if path == AVAILABLE_FILE:
            return "available"
        if path.startswith(STATUS_DIR):
            base = path[len(STATUS_DIR) :]
            if not base or "/" in base or base.startswith("."):
                return None
            return "md5sums" if base.endswith(".md5sums") else "status.d"
        if path.startswith(INFO_DIR):
            base = path[len(INFO_DIR) :]
            if "/" in base:
                return None
            if base.endswith(".list") and len(base) > len(".list"):
                return "list"
            if base.endswith(".md5sums") and len(base) > len(".md5sums"):
                return "md5sums"
        return None
    if path.startswith(DOC_DIR) and path.endswith("/copyright") and path.count("/") == 4:
        return "copyright" if len(path) > len(DOC_DIR) + len("/copyright") else None
    return None


_LIMITS = {
    "status": MAX_DATABASE_SIZE,
    "status.d": MAX_DATABASE_SIZE,
    "available": MAX_DATABASE_SIZE,
    "list": MAX_FILE_LIST_SIZE,
    "md5sums": MAX_FILE_LIST_SIZE,
    "copyright": MAX_COPYRIGHT_SIZE,
}


@dataclass(frozen=True, slots=True)
class _Skips:
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class _StatusSkips:
    """Decodes only ``status.skipped`` of a :class:`DpkgFile` (msgspec ignores the other fields)."""

    status: _Skips | None = None


_DEB = PackageType.DEB.value  # an enum's .value is a descriptor call; this is looked up per package and layer


def _keys(payload: DpkgFile) -> Iterator[tuple[str, ...]]:
    """Package keys (as :attr:`Package.key`) in one version of a status file."""
    if payload.status is not None:
        for s in payload.status.packages:
            yield (_DEB, s.name, s.version, s.arch)


class DpkgExtractor:
    """Debian packages: dpkg's status database, file lists, ``available`` digests and copyright licences."""

    name = NAME
    version = VERSION
    payload_type = DpkgFile

    def wants(self, path: str, entry: FileEntry) -> bool:
        if entry.kind is not FileKind.FILE and entry.kind is not FileKind.HARDLINK:
            return False
        kind = _kind(path)
        return kind is not None and entry.size <= _LIMITS[kind]

    def extract(self, path: str, data: bytes) -> DpkgFile | None:
        match _kind(path):
            case "status":
                return DpkgFile(status=parse_status(data))
            case "status.d":
                return DpkgFile(status=parse_status(data, distroless=True))
            case "list":
                return DpkgFile(owned=parse_file_list(data))
            case "md5sums":
                return DpkgFile(owned=parse_md5sums(data))
            case "available":
                available = parse_available(data)
                return DpkgFile(available=available) if available.digests else None
            case "copyright":
                copyright_ = parse_copyright(data)
                return DpkgFile(copyright=copyright_) if copyright_.names else None
            case _:
                return None

    # ------------------------------------------------------------------ assembly

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        """Every installed package of the squashed image, with files, licences, digest, PURL and layer.

        The status file comes first, then the distroless ``status.d`` files in name order (a package in both is
        the status file's). Each package is attributed with :func:`~hullscan.extract.packages.introduced_in`
        over the history of the file that lists it; the layer is set as the package is built, which is what
        :func:`~hullscan.extract.packages.attribute` would do without copying every package once more.
        """
        found = _Found.of(view, distro)
        out: list[Package] = []
        seen: set[tuple[str, ...]] = set()
        for path in sorted(found.status, key=lambda p: (p != STATUS_FILE, p)):
            db, top = found.status[path]
            layers = introduced_in(view.history(NAME, path, DpkgFile), _keys)
            for s in db.packages:
                key = (_DEB, s.name, s.version, s.arch)
                if key not in seen:
                    seen.add(key)
                    out.append(found.package(s, path, len(db.packages), layers.get(key, top)))
        return out

    def warnings(self, view: SquashedView) -> list[Warning_]:
        """One warning per surviving status file that had damaged paragraphs left out."""
        out: list[Warning_] = []
        for path, payload, layer in view.payloads(NAME, _StatusSkips):
            if payload.status is not None and payload.status.skipped:
                n = payload.status.skipped
                message = f"{n} damaged package record{'s' if n != 1 else ''} skipped"
                out.append(Warning_(message, path, layer, NAME))
        return out
