"""Building :class:`~hullscan.model.Package` objects from the dpkg payloads that survive the squash.

A package is its status paragraph plus what sits beside it in other files: the files it installed, the licences of
its copyright file (through a ``usr/share/doc`` symlink when need be), and the digest ``available`` gives its
``.deb``. :class:`_Found` gathers those payloads once per view; :meth:`DpkgExtractor.packages` walks the status
files through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hullscan.extract.dpkg.copyright import licenses_of
from hullscan.extract.dpkg.model import (
    DOC_DIR,
    INFO_DIR,
    NAME,
    STATUS_DIR,
    Available,
    Copyright,
    DpkgFile,
    OwnedFiles,
    Stanza,
    StatusDb,
)
from hullscan.extract.dpkg.purl import package_url
from hullscan.extract.dpkg.version import split_version
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileKind, LayerRef, Package, PackageType


@dataclass(slots=True)
class _Found:
    """The surviving payloads of one squashed view, by kind, and how they make a package."""

    view: SquashedView
    distro: Distro | None
    status: dict[str, tuple[StatusDb, LayerRef]] = field(default_factory=dict)
    owned: dict[str, OwnedFiles] = field(default_factory=dict)
    copyright: dict[str, Copyright] = field(default_factory=dict)
    digests: dict[tuple[str, str, str], str] = field(default_factory=dict)
    directories: set[str] | None = None
    """Paths that are directories in the image, collected when the first file list is needed."""

    @classmethod
    def of(cls, view: SquashedView, distro: Distro | None) -> _Found:
        found = cls(view, distro)
        for path, payload, layer in view.payloads(NAME, DpkgFile):
            match payload:
                case DpkgFile(status=StatusDb() as db):
                    found.status[path] = (db, layer)
                case DpkgFile(owned=OwnedFiles() as owned):
                    found.owned[path] = owned
                case DpkgFile(copyright=Copyright() as copyright_):
                    found.copyright[path] = copyright_
                case DpkgFile(available=Available() as available):
                    for d in available.digests:
                        found.digests.setdefault((d.name, d.version, d.arch), d.sha256)
        return found

    def package(self, s: Stanza, path: str, siblings: int, layer: LayerRef) -> Package:
        version = split_version(s.version)  # checked when parsed
        return Package(
            type=PackageType.DEB,
            name=s.name,
            version=s.version,
            arch=s.arch,
            epoch=version.epoch,
            release=version.revision,
            source_name=s.source_name,
            source_version=s.source_version,
            licenses=self.licenses(s.name),
            maintainer=s.maintainer,
            checksum=self.checksum(s),
            files=self.files(s, path, siblings),
            found_in=path,
            extractor=NAME,
            purl=package_url(s, self.distro),
            layer=layer,
        )

    def checksum(self, s: Stanza) -> str:
        """The ``available`` record of this name, version and architecture (one without an architecture
        matches any): Multi-Arch: same packages share name and version across architectures, not the .deb."""
        sha256 = self.digests.get((s.name, s.version, s.arch)) or self.digests.get((s.name, s.version, ""))
        return f"sha256:{sha256}" if sha256 else ""

    def licenses(self, name: str) -> tuple[str, ...]:
        path = f"{DOC_DIR}{name}/copyright"
        copyright_ = self.copyright.get(path)
        if copyright_ is None:
            # usr/share/doc/<pkg> is often a symlink to a sibling package's directory.
            real = self.view.resolve(path)
            copyright_ = self.copyright.get(real) if real and real != path else None
        return licenses_of(copyright_) if copyright_ is not None else ()

    def files(self, s: Stanza, path: str, siblings: int) -> tuple[str, ...]:
        """``info/<name>[:<arch>].list``, else a ``.md5sums`` (``status.d`` or ``info/``); no directories."""
        stems = (f"{s.name}:{s.arch}", s.name) if s.arch else (s.name,)
        candidates: list[str] = []
        if path.startswith(STATUS_DIR):
            # Distroless: status.d/<file>.md5sums beside status.d/<file> (named after the file, which usually is
            # the package).
            if siblings == 1:
                candidates.append(f"{path}.md5sums")
            candidates.append(f"{STATUS_DIR}{s.name}.md5sums")
        candidates += [f"{INFO_DIR}{stem}.list" for stem in stems]
        candidates += [f"{INFO_DIR}{stem}.md5sums" for stem in stems]
        owned = next((self.owned[c] for c in candidates if c in self.owned), None)
        if owned is None:
            return ()
        directories = self.image_directories()
        return tuple(p for p in owned.paths if p not in directories)

    def image_directories(self) -> set[str] | _Lookup:
        """What to test listed paths against: the image's directories.

        Collecting every directory is one pass over the whole view, a lookup per path is ~4x dearer per item: the
        pass pays once the file lists name more than a quarter as many paths as the image holds (desktop-sized
        systems: 100k listed in 160k), lookups win for a few packages in a big image.
        """
        if self.directories is None:
            listed = sum(len(o.paths) for o in self.owned.values())
            if listed * 4 < len(self.view):
                return _Lookup(self.view)
            self.directories = {e.path for e, _ in self.view.entries() if e.kind is FileKind.DIR}
        return self.directories


@dataclass(frozen=True, slots=True)
class _Lookup:
    """``path in _Lookup(view)``: whether the image has ``path`` as a directory, one lookup at a time."""

    view: SquashedView

    def __contains__(self, path: str) -> bool:
        found = self.view.entry(path)
        return found is not None and found[0].kind is FileKind.DIR
