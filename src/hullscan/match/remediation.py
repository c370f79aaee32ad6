"""Remediation advice: the smallest upgrade per package that fixes all of its findings, and the image summary.

For each package, the upgrade target is the highest of the fixed versions of its fixable findings (each of
which is already the smallest fix above the installed version). The command is the package manager's own:
``apk add --upgrade``, ``apt-get install --only-upgrade``, ``dnf upgrade``, ``pip install``, ``npm install``...
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from functools import cmp_to_key

from hullscan import versions
from hullscan.model import Finding, Package, PackageType


@dataclass(frozen=True, slots=True)
class Upgrade:
    package: Package
    to_version: str
    fixes: tuple[str, ...]
    """Ids of the findings this upgrade fixes."""


@dataclass(frozen=True, slots=True)
class Remediation:
    upgrades: tuple[Upgrade, ...]
    fixable: int
    total: int
    commands: tuple[str, ...]

    @property
    def summary(self) -> str:
        if not self.total:
            return "no vulnerabilities found"
        if not self.upgrades:
            return f"none of the {self.total} vulnerabilities has a fix yet"
        return (f"upgrade {len(self.upgrades)} package{'s' if len(self.upgrades) != 1 else ''} to fix "
                f"{self.fixable} of {self.total} vulnerabilities")


def _command(ptype: PackageType, ups: list[Upgrade]) -> str:
    names = " ".join(sorted({u.package.name for u in ups}))
    pinned = " ".join(sorted({shlex.quote(f"{u.package.name}{_pin(ptype)}{u.to_version}") for u in ups}))
    return {
        PackageType.APK: f"apk add --no-cache --upgrade {names}",
        PackageType.DEB: f"apt-get update && apt-get install -y --only-upgrade {names}",
        PackageType.RPM: f"dnf upgrade -y {names}",
        PackageType.PYPI: f"pip install --upgrade {pinned}",
        PackageType.NPM: f"npm install {pinned}",
        PackageType.GEM: f"bundle update {names}",
        PackageType.GOLANG: " && ".join(f"go get {u.package.namespace + '/' if u.package.namespace else ''}"
                                        f"{u.package.name}@v{u.to_version.removeprefix('v')}" for u in ups),
        PackageType.CARGO: " && ".join(f"cargo update -p {u.package.name} --precise {u.to_version}" for u in ups),
        PackageType.COMPOSER: f"composer require {pinned}",
    }.get(ptype, f"upgrade: {pinned}")


def _pin(ptype: PackageType) -> str:
    return {PackageType.PYPI: ">=", PackageType.NPM: "@", PackageType.COMPOSER: ":^"}.get(ptype, " ")


def remediation(findings: tuple[Finding, ...] | list[Finding]) -> Remediation:
    vulns = [f for f in findings if f.vulnerability is not None and f.package is not None]
    by_pkg: dict[int, tuple[Package, list[Finding]]] = {}
    for f in vulns:
        assert f.package is not None
        by_pkg.setdefault(id(f.package), (f.package, []))[1].append(f)
    upgrades = []
    for pkg, items in by_pkg.values():
        fixes = [f.vulnerability.fixed_version for f in items if f.vulnerability and f.vulnerability.fixed_version]
        if not fixes:
            continue
        scheme = pkg.type.value

        def order(a: str, b: str, scheme: str = scheme) -> int:
            try:
                return versions.compare(scheme, a, b)
            except ValueError:
                return (a > b) - (a < b)

        target = max((v.split(", ")[0] for v in fixes), key=cmp_to_key(order))
        fixed_ids = tuple(sorted(f.id for f in items if f.vulnerability and f.vulnerability.fixed_version))
        upgrades.append(Upgrade(pkg, target, fixed_ids))
    upgrades.sort(key=lambda u: (-len(u.fixes), u.package.name))
    per_type: dict[PackageType, list[Upgrade]] = {}
    for u in upgrades:
        per_type.setdefault(u.package.type, []).append(u)
    commands = tuple(_command(t, ups) for t, ups in per_type.items())
    return Remediation(tuple(upgrades), sum(len(u.fixes) for u in upgrades), len(vulns), commands)
