"""Where a package's advisories live in the store: its namespace and the name to look up.

OS packages are matched only against their own vendor's data for their exact release: Debian and Ubuntu by
source package, Alpine by origin and branch, the RHEL family by binary name (and module stream). Language
packages are matched by ecosystem and normalised name.
"""

from __future__ import annotations

from hullscan.model import Distro, Package, PackageType
from hullscan.vulndb.names import normalize_name

# Our distro family -> the store's namespace prefix.
_DISTRO_PREFIX = {
    "debian": "debian",
    "ubuntu": "ubuntu",
    "alpine": "alpine",
    "redhat": "redhat",
    "centos": "redhat",  # CentOS Linux rebuilt RHEL: Red Hat's data is the nearest vendor data there is
    "alma": "almalinux",
    "rocky": "rocky",
}

_LANG_NAMESPACE = {
    PackageType.PYPI: "pypi",
    PackageType.NPM: "npm",
    PackageType.GOLANG: "go",
    PackageType.CARGO: "crates.io",
    PackageType.MAVEN: "maven",
    PackageType.GEM: "rubygems",
    PackageType.COMPOSER: "packagist",
    PackageType.NUGET: "nuget",
}


def distro_namespace(distro: Distro) -> str | None:
    """``debian 12.5`` -> ``debian:12``; ``alpine 3.11.5`` -> ``alpine:3.11``; ``ubuntu 22.04`` -> ``ubuntu:22.04``.

    >>> distro_namespace(Distro("alpine", "3.11.5")), distro_namespace(Distro("rocky", "9.3"))
    ('alpine:3.11', 'rocky:9')
    """
    prefix = _DISTRO_PREFIX.get(distro.family)
    if prefix is None or not distro.release:
        return None
    parts = distro.release.split(".")
    if prefix == "alpine":
        if "edge" in distro.release or "_alpha" in distro.release:
            return "alpine:edge"
        return f"alpine:{'.'.join(parts[:2])}"
    if prefix == "ubuntu":
        return f"ubuntu:{'.'.join(parts[:2])}"
    if prefix == "debian" and not parts[0].isdigit():
        return None  # testing/sid: no release data of its own
    return f"{prefix}:{parts[0]}"


def package_scheme(pkg: Package) -> str:
    """The version scheme of a package: its PURL type (see :data:`hullscan.versions.SCHEMES`)."""
    return pkg.type.value


def lookup_names(pkg: Package, namespace: str) -> list[str]:
    """The names to look the package up under: source then binary for OS packages, one name otherwise."""
    if pkg.type.is_os:
        names = [pkg.source_name or pkg.name]
        if pkg.name not in names:
            names.append(pkg.name)
        return names
    if pkg.type is PackageType.MAVEN:
        name = f"{pkg.namespace}:{pkg.name}" if pkg.namespace else pkg.name
    elif pkg.type in (PackageType.NPM, PackageType.COMPOSER, PackageType.GOLANG) and pkg.namespace:
        name = f"{pkg.namespace}/{pkg.name}"
    else:
        name = pkg.name
    return [normalize_name(namespace, name)]


def language_namespace(pkg: Package) -> str | None:
    return _LANG_NAMESPACE.get(pkg.type)
