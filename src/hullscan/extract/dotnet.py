"""lang/dotnet: the NuGet packages a .NET application runs with, read from its ``<app>.deps.json``.

The .NET SDK writes ``<app>.deps.json`` beside every built or published application
(https://github.com/dotnet/sdk/blob/main/documentation/specs/runtime-configuration-file.md). The parts used:

* ``libraries``: ``"Name/Version": {"type": "package" | "project" | "runtimepack" | "reference" ..., "sha512":
  "sha512-<base64>"}``. ``package`` is a NuGet package, ``project`` a project of the same build (the application
  itself and its project references), ``runtimepack`` the .NET runtime bundled into a self-contained app, named
  ``runtimepack.Microsoft.NETCore.App.Runtime.linux-x64``: the ``runtimepack.`` prefix is dropped so the name is
  the one NuGet and advisories use. Other types (reference assemblies, msbuild projects) are not packages.
* ``runtimeTarget.name`` names the entry of ``targets`` the application runs with. A library present in that
  target without any ``runtime``, ``runtimeTargets`` or ``native`` assets is compile-time only (a meta-package
  such as ``Microsoft.NETCore.App`` 1.x, ``NETStandard.Library``) and is left out; a library the target does not
  list, or every library when the target itself is missing, is kept rather than silently dropped.

Projects are reported with :attr:`Package.main_module` set: they are the application's own code, not something
to match against NuGet advisories. The root project is the one no other entry of the target depends on
(:attr:`DotnetLibrary.root`); when that is ambiguous none is root.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass

from packageurl import PackageURL

from hullscan.extract.base import ExtractError
from hullscan.extract.lockfile import load_json
from hullscan.image.squash import SquashedView
from hullscan.model import Distro, FileEntry, FileKind, LayerRef, Package, PackageType

NAME = "lang/dotnet"
VERSION = 1

SUFFIX = ".deps.json"
RUNTIME_PACK_PREFIX = "runtimepack."
PACKAGE_TYPES = frozenset({"package", "project", "runtimepack"})
_ASSET_KEYS = ("runtime", "runtimeTargets", "native")


@dataclass(frozen=True, slots=True)
class DotnetLibrary:
    """One entry of ``libraries``, with what the runtime target says about it."""

    name: str
    """As written (a runtime pack keeps its ``runtimepack.`` prefix here)."""
    version: str
    type: str
    """``package``, ``project``, ``runtimepack``, ``reference``... lowercased."""
    runtime: bool = True
    """The runtime target gives it runtime/native assets, does not list it, or is missing."""
    root: bool = False
    """The unique project nothing else in the target depends on: the application."""
    sha512: str = ""
    """As written: ``sha512-<base64>``."""


@dataclass(frozen=True, slots=True)
class DepsFile:
    """The payload for one ``.deps.json``."""

    libraries: tuple[DotnetLibrary, ...] = ()
    target_found: bool = False


def package_name(name: str) -> str:
    """The NuGet name: ``runtimepack.Microsoft.NETCore.App.Runtime.linux-x64`` -> ``Microsoft.NETCore.App...``."""
    return name[len(RUNTIME_PACK_PREFIX) :] if name.startswith(RUNTIME_PACK_PREFIX) else name


def _key(name: str, version: str) -> str:
    return f"{package_name(name)}/{version}".lower()


def _has_assets(entry: object) -> bool:
    return isinstance(entry, Mapping) and any(entry.get(k) is not None for k in _ASSET_KEYS)


def parse_deps(data: bytes, path: str = "app.deps.json") -> DepsFile:
    """Parse a ``.deps.json``; libraries whose key is not ``name/version`` are skipped."""
    doc = load_json(data, path, ".deps.json file")
    if not isinstance(doc, dict):
        raise ExtractError(f"{path}: not a .deps.json file (top level is not an object)")
    libraries = doc.get("libraries")
    if libraries is None:
        return DepsFile()
    if not isinstance(libraries, dict):
        raise ExtractError(f"{path}: not a .deps.json file ('libraries' is not an object)")
    runtime_target = doc.get("runtimeTarget")
    target_name = runtime_target.get("name") if isinstance(runtime_target, dict) else None
    targets = doc.get("targets")
    target = targets.get(target_name) if isinstance(targets, dict) and isinstance(target_name, str) else None
    found = isinstance(target, dict)
    # Keyed like the libraries, case-insensitively (NuGet ids are), runtime-pack prefix dropped.
    in_target: dict[str, object] = {}
    referenced: set[str] = set()
    if isinstance(target, dict):
        for key, entry in target.items():
            name, sep, version = str(key).partition("/")
            if sep:
                in_target[_key(name, version)] = entry
            deps = entry.get("dependencies") if isinstance(entry, dict) else None
            if isinstance(deps, dict):
                referenced.update(_key(str(n), str(v)) for n, v in deps.items())
    drafts: list[DotnetLibrary] = []
    for key, raw in libraries.items():
        name, sep, version = str(key).partition("/")
        if not sep or not name or not version:
            continue
        lib_type = str(raw.get("type", "")).lower() if isinstance(raw, dict) else ""
        sha = raw.get("sha512") if isinstance(raw, dict) else None
        k = _key(name, version)
        runtime = not found or k not in in_target or _has_assets(in_target[k])
        drafts.append(DotnetLibrary(name, version, lib_type, runtime=runtime,
                                    sha512=sha if isinstance(sha, str) else ""))
    roots = [d for d in drafts if d.type == "project" and d.runtime and _key(d.name, d.version) not in referenced]
    root = roots[0] if len(roots) == 1 else None
    return DepsFile(
        libraries=tuple(
            DotnetLibrary(d.name, d.version, d.type, d.runtime, True, d.sha512) if d is root else d for d in drafts
        ),
        target_found=found,
    )


def decode_sha512(raw: str) -> str:
    """``sha512-<base64>`` as ``sha512:<hex>``; ``""`` when it is not one.

    >>> decode_sha512("sha512-" + "A" * 86 + "==")[:16]
    'sha512:000000000'
    """
    if not raw.startswith("sha512-"):
        return ""
    try:
        digest = base64.b64decode(raw[7:], validate=True)
    except (binascii.Error, ValueError):
        return ""
    return f"sha512:{digest.hex()}" if len(digest) == 64 else ""


def is_reported(lib: DotnetLibrary) -> bool:
    return lib.type in PACKAGE_TYPES and lib.runtime


def to_package(lib: DotnetLibrary, found_in: str, layer: LayerRef | None = None) -> Package:
    name = package_name(lib.name)
    return Package(
        type=PackageType.NUGET,
        name=name,
        version=lib.version,
        checksum=decode_sha512(lib.sha512),
        found_in=found_in,
        extractor=NAME,
        purl=PackageURL(type=PackageType.NUGET.value, name=name, version=lib.version).to_string(),
        layer=layer,
        main_module=lib.type == "project",
    )


def is_deps_json(path: str) -> bool:
    base = path.rpartition("/")[2]
    return base.endswith(SUFFIX) and len(base) > len(SUFFIX)


class DotnetDepsExtractor:
    """Reads .NET ``*.deps.json`` files and reports the packages (and projects) each application runs with."""

    name = NAME
    version = VERSION
    payload_type = DepsFile

    def wants(self, path: str, entry: FileEntry) -> bool:
        return entry.kind in (FileKind.FILE, FileKind.HARDLINK) and is_deps_json(path)

    def extract(self, path: str, data: bytes) -> DepsFile | None:
        if not is_deps_json(path):
            return None
        return parse_deps(data, path)

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]:
        out: list[Package] = []
        for path, deps, layer in view.payloads(NAME, DepsFile):
            seen: set[str] = set()
            for lib in deps.libraries:
                key = _key(lib.name, lib.version)
                if is_reported(lib) and key not in seen:
                    seen.add(key)
                    out.append(to_package(lib, path, layer))
        return out
