"""The ``license`` scanner: every package's licences, normalised, classified and judged by the policy.

It reads only the inventory (``extractors()`` is empty): the package extractors already collect licences
(dpkg from DEP-5 copyright files, apk/rpm from their fields, Python metadata, npm ``package.json``, Maven
poms...). Each licence a package lists is one expression (:mod:`.normalization`); a package listing the same
expression twice (``GPL-2+`` and ``GPL-2.0-or-later``) is judged once.

Findings:

* ``license/denied``: the ``--license-policy`` denies the expression (or its allow list does not cover it);
* ``license/<category>`` (``license/restricted``...): the policy does not decide, and the category is reported
  (:data:`~hullscan.checks.license.policy.DEFAULT_REPORT`, or the policy's ``report``); for the distribution's
  own packages only with the policy's ``os-packages: true``.

``id`` is the SPDX expression (an ignore file can name ``GPL-3.0-only``); ``target`` is ``name@version``; the
layer is the package's; ``details`` give the licence as the package wrote it, the expression, its category and
what placed it there, and for a denial the policy entry that decided it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from hullscan.checks.base import CheckContext, ScannerConfig
from hullscan.checks.license.categories import Category
from hullscan.checks.license.classify import classify, classify_id
from hullscan.checks.license.normalization import NOASSERTION, to_expression
from hullscan.checks.license.policy import Decision, LicensePolicy, Verdict, load_policy
from hullscan.checks.license.spdx import Expr, licenses, render
from hullscan.extract.base import Extractor
from hullscan.model import Finding, Package

NAME = "license"

_MEANING: dict[Category, tuple[str, str]] = {
    Category.FORBIDDEN: (
        "Licences in this category are not to be used in software you ship (network copyleft such as the AGPL, "
        "non-commercial terms, the Commons Clause).",
        "Remove or replace the package, or obtain it under another licence.",
    ),
    Category.RESTRICTED: (
        "Shipping software under a restricted (strong copyleft) licence obliges you to offer its source code, "
        "and may extend to what it is combined with.",
        "Make sure the image's distribution meets the licence (source offer, no linking into proprietary code), "
        "or replace the package; allow it in a --license-policy once reviewed.",
    ),
    Category.RECIPROCAL: (
        "A reciprocal (weak copyleft) licence lets you ship the software unmodified; changes to its own files "
        "must be published under the same licence.",
        "Publish any modifications of this package, or allow it in a --license-policy once reviewed.",
    ),
    Category.NOTICE: (
        "A notice licence lets you ship the software if its copyright notice goes with it.",
        "Keep the package's copyright notice in what you distribute.",
    ),
    Category.PERMISSIVE: ("A permissive licence asks for nothing, not even a notice.", ""),
    Category.UNENCUMBERED: ("The software is in the public domain or free for any use.", ""),
    Category.UNKNOWN: (
        "The licence is not one we can classify: its terms have to be read before the image is shipped.",
        "Read the package's licence and add it to a --license-policy allow or deny list.",
    ),
}


class LicenseScanner:
    """``license``: judges every package's licences (see the module docstring)."""

    def __init__(self, config: ScannerConfig) -> None:
        self.policy = load_policy(config.license_policy) if config.license_policy else LicensePolicy()

    @property
    def name(self) -> str:
        return NAME

    def extractors(self) -> tuple[Extractor[object], ...]:
        return ()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        return list(self.findings(ctx.inventory.packages))

    def findings(self, packages: Iterable[Package]) -> Iterator[Finding]:
        """The findings for these packages, in inventory order."""
        for pkg in packages:
            if self.policy.ignores(pkg):
                continue
            seen: set[str] = set()
            for raw in pkg.licenses:
                expr = to_expression(raw)
                expression = render(expr) if expr is not None else NOASSERTION
                if expression in seen:
                    continue
                seen.add(expression)
                finding = self._judge(pkg, raw, expr, expression)
                if finding is not None:
                    yield finding

    def _judge(self, pkg: Package, raw: str, expr: Expr | None, expression: str) -> Finding | None:
        category = classify(expr) if expr is not None else Category.UNKNOWN
        decision = self.policy.decide(expr) if expr is not None else Decision(Verdict.UNLISTED)
        if decision.verdict is Verdict.ALLOWED:
            return None
        denied = decision.verdict is Verdict.DENIED
        if not denied and (category not in self.policy.report or (pkg.type.is_os and not self.policy.os_packages)):
            return None
        target = f"{pkg.name}@{pkg.version}"
        meaning, remediation = _MEANING[category]
        details: list[tuple[str, str]] = [
            ("license", raw),
            ("expression", expression),
            ("classification", category.value),
        ]
        sources = [f"{lic.id}: {src}" for lic in (licenses(expr) if expr else ()) if (src := classify_id(lic.id)[1])]
        if sources:
            details.append(("classified by", "; ".join(sources)))
        if denied:
            why = ", ".join(f"{r.text!r} (line {r.line})" for r in decision.rules) or "not in the allow list"
            details.append(("policy", f"{self.policy.source}: denied by {why}"))
            title = f"{target}: license {expression} is denied by the license policy"
            remediation = "Replace the package, or change the license policy if this licence is acceptable."
        else:
            title = f"{target}: {category.value} license {expression}"
        details.append(("package type", pkg.type.value))
        return Finding(
            check=f"{NAME}/denied" if denied else f"{NAME}/{category.value}",
            id=expression,
            severity=self.policy.denied_severity if denied else self.policy.severities[category],
            title=title,
            description=meaning,
            remediation=remediation,
            target=target,
            package=pkg,
            layer=pkg.layer,
            references=tuple(_references(expr)),
            path=pkg.found_in,
            details=tuple(details),
            category=category.value,
        )


def _references(expr: Expr | None) -> Iterator[str]:
    """The SPDX licence list's page of every listed licence (``LicenseRef-`` ids have none)."""
    if expr is None:
        return
    for lic in licenses(expr):
        if not lic.id.startswith("LicenseRef-"):
            yield f"https://spdx.org/licenses/{lic.id}.html"
