"""Namespaces and package names as the store keys them.

A namespace is a distro release (``debian:12``, ``alpine:3.18``, ``ubuntu:22.04``, ``redhat:9``,
``almalinux:8``, ``rocky:9``) or a language ecosystem (``pypi``, ``npm``, ``go``, ``crates.io``, ``maven``,
``rubygems``, ``packagist``, ``nuget``), plus ``runtime`` for language runtimes (``node``, ``ruby``,
``rust-std``). Matchers must normalise the installed package's name with :func:`normalize_name` too.
"""

from __future__ import annotations

import re

# OSV ecosystem (the part before ":") -> our namespace prefix. https://ossf.github.io/osv-schema/#affectedpackage-field
_OSV_ECOSYSTEMS = {
    "pypi": "pypi",
    "npm": "npm",
    "go": "go",
    "crates.io": "crates.io",
    "maven": "maven",
    "rubygems": "rubygems",
    "packagist": "packagist",
    "nuget": "nuget",
    "hex": "hex",
    "pub": "pub",
    "almalinux": "almalinux",
    "rocky linux": "rocky",
    "debian": "debian",
    "alpine": "alpine",
    "ubuntu": "ubuntu",
    "red hat": "redhat",
    "wolfi": "wolfi",
    "chainguard": "chainguard",
    "mageia": "mageia",
    "opensuse": "opensuse",
    "suse": "suse",
    "photon os": "photon",
    "azure linux": "azurelinux",
}

# Ecosystems whose package names compare case-insensitively.
_CASE_INSENSITIVE = frozenset({"npm", "packagist", "nuget", "hex", "pub", "crates.io"})

DEBIAN_CODENAMES = {
    "buzz": "1.1",
    "hamm": "2.0",
    "potato": "2.2",
    "woody": "3.0",
    "sarge": "3.1",
    "etch": "4",
    "lenny": "5",
    "squeeze": "6",
    "wheezy": "7",
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
    "duke": "15",
    "sid": "unstable",
}

UBUNTU_CODENAMES = {
    "trusty": "14.04",
    "xenial": "16.04",
    "bionic": "18.04",
    "focal": "20.04",
    "jammy": "22.04",
    "kinetic": "22.10",
    "lunar": "23.04",
    "mantic": "23.10",
    "noble": "24.04",
    "oracular": "24.10",
    "plucky": "25.04",
    "questing": "25.10",
}

_PEP503 = re.compile(r"[-_.]+")


def osv_namespace(ecosystem: str) -> str:
    """Map an OSV ``affected[].package.ecosystem`` to a store namespace.

    >>> osv_namespace("AlmaLinux:8"), osv_namespace("Alpine:v3.18"), osv_namespace("Debian:12")
    ('almalinux:8', 'alpine:3.18', 'debian:12')
    >>> osv_namespace("Ubuntu:Pro:22.04:LTS"), osv_namespace("Red Hat:enterprise_linux:9::appstream")
    ('ubuntu:22.04', 'redhat:9')
    >>> osv_namespace("PyPI"), osv_namespace("crates.io")
    ('pypi', 'crates.io')
    """
    head, _, rest = ecosystem.partition(":")
    prefix = _OSV_ECOSYSTEMS.get(head.strip().lower(), head.strip().lower().replace(" ", "-"))
    if not rest:
        return prefix
    if prefix == "alpine":
        return f"alpine:{rest.strip().removeprefix('v')}"
    if prefix == "ubuntu":
        release = next((p for p in rest.split(":") if re.fullmatch(r"\d+\.\d+", p)), rest.split(":")[0])
        return f"ubuntu:{release}"
    if prefix == "redhat":
        match = re.search(r"(?:enterprise_linux|rhel\w*):(\d+)", rest)
        return f"redhat:{match.group(1)}" if match else f"redhat:{rest}"
    return f"{prefix}:{rest.strip().lower()}"


def normalize_name(namespace: str, name: str) -> str:
    """The key a package name is stored and looked up under in ``namespace``.

    PyPI names follow PEP 503; npm, Packagist, NuGet, crates.io, Hex and Pub names compare case-insensitively;
    Go module paths, Maven coordinates, RubyGems and distro package names are kept as they are.

    >>> normalize_name("pypi", "Jinja2"), normalize_name("pypi", "zope.interface")
    ('jinja2', 'zope-interface')
    >>> normalize_name("nuget", "Newtonsoft.Json"), normalize_name("go", "github.com/BurntSushi/toml")
    ('newtonsoft.json', 'github.com/BurntSushi/toml')
    """
    name = name.strip()
    eco = namespace.partition(":")[0]
    if eco == "pypi":
        return _PEP503.sub("-", name).lower()
    if eco in _CASE_INSENSITIVE:
        return name.lower()
    return name
