"""The ``secret`` scanner: secrets in file contents (every layer, deleted files included), in the image config
(``Env``, ``Labels``) and in its history. Findings are ``secret/<rule-id>``; the secret is always masked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from hullscan.checks.base import CheckContext, ScannerConfig
from hullscan.checks.secret.builtin import RULES_VERSION
from hullscan.checks.secret.config import builtin_config, load_config
from hullscan.checks.secret.engine import SecretEngine
from hullscan.checks.secret.extractor import SecretExtractor
from hullscan.checks.secret.imageconfig import ConfigSighting, config_secrets
from hullscan.checks.secret.layers import SecretHistory, describe, secret_histories
from hullscan.checks.secret.mask import mask
from hullscan.checks.secret.rules import Rule
from hullscan.extract.base import Extractor
from hullscan.extract.dpkg import DpkgFile
from hullscan.extract.dpkg.model import NAME as DPKG_NAME
from hullscan.image.squash import SquashedView
from hullscan.model import Finding, LayerRef, Severity

MaskRef = Callable[[LayerRef], LayerRef]

REMEDIATION = (
    "Treat the credential as published: revoke or rotate it now. Then rebuild the image so that no layer ever "
    "contains it (pass it at run time, or to the build with a secret mount such as RUN --mount=type=secret, never "
    "with COPY, ENV or ARG). Deleting the file in a later layer does not help: the earlier layer still ships it."
)
CONFIG_REMEDIATION = (
    "Treat the credential as published: revoke or rotate it now. Then rebuild without it: values given with ENV, "
    "LABEL or --build-arg are stored in the image config and history, which anyone who pulls the image can read. "
    "Inject it at run time or use a build secret mount instead."
)


class SecretScanner:
    """See the module docstring. Bad ``--secret-config`` content raises ``UsageError`` here, before any layer."""

    name = "secret"

    def __init__(self, config: ScannerConfig) -> None:
        self.config = load_config(config.secret_config) if config.secret_config else builtin_config()
        self.engine = SecretEngine(self.config.rules, self.config.allow_rules, self.config.exclude_block,
                                   database_dir=config.cache_dir / "hyperscan" if config.cache_dir else None)
        self.extractor = SecretExtractor(self.engine, max_size=config.max_scan_size,
                                         config_digest=self.config.digest, version=RULES_VERSION)

    def extractors(self) -> tuple[Extractor[object], ...]:
        return (self.extractor,)

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        sightings, values = config_secrets(ctx.image, ctx.view.layers, self.engine)
        clear = sorted((v.decode("utf-8", "replace") for v in values), key=len, reverse=True)

        def masked(ref: LayerRef) -> LayerRef:
            """The layer as reports show it, with any secret found in its history line masked."""
            if not any(v in ref.created_by for v in clear):
                return ref
            created_by = ref.created_by
            for v in clear:
                created_by = created_by.replace(v, mask(v))
            return replace(ref, created_by=created_by)

        shipped = _package_digests(ctx.view)
        findings = [self._file_finding(h, masked, shipped) for h in secret_histories(ctx.view, self.extractor.name,
                                                                                       self.engine.by_id)]
        findings += [self._config_finding(s, masked) for s in sightings]
        return findings

    # ------------------------------------------------------------------ findings

    def _rule(self, rule_id: str) -> Rule:
        return self.engine.by_id[rule_id]

    def _file_finding(self, h: SecretHistory, masked: MaskRef, shipped: dict[str, tuple[str, str]]) -> Finding:
        first = h.first
        m = first.match
        rule = h.rule
        severity = rule.severity
        details: list[tuple[str, str]] = [("match", m.snippet), ("added in", describe(masked(first.layer)))]
        later = [s for s in h.sightings[1:] if s.pos != first.pos]
        if later:
            details.append(("also written in", "; ".join(describe(masked(s.layer)) for s in later)))
        if h.visible:
            details.append(("in the final filesystem", "yes"))
            description = (f"{rule.title} in /{h.path} (line {m.line}). Anyone who can pull the image can read it.")
            digest, package = shipped.get(h.path, ("", ""))
            if digest and any(s.visible and s.md5 == digest for s in h.sightings):
                # The distribution's own file, byte for byte (a vendor key such as Debian chromium's Google API
                # key): worth knowing, not the image author's leak.
                severity = Severity.LOW
                details.append(("shipped unmodified by", f"deb package {package}"))
                description += (f" The file is exactly as the OS package {package} installed it (dpkg's recorded "
                                "MD5), so the value is the distribution's, published with the package.")
        else:
            how, by = h.removed_by or ("removed", None)
            details.append(("in the final filesystem", "no: the layer blob still holds it"))
            if by is not None:
                details.append((f"{how} in", describe(masked(by))))
            where = f"{how} in layer {by.index + 1}" if by is not None else "no longer visible"
            description = (
                f"{rule.title} in /{h.path} (line {m.line}), added in layer {first.layer.index + 1} and {where}. "
                "Deleting or overwriting a file in a later layer does not remove it from the image: the layer that "
                "added it is still shipped, and anyone who pulls the image can extract it from there."
            )
        return Finding(
            check=f"secret/{rule.id}", id=rule.id, severity=severity, title=rule.title,
            description=description, remediation=REMEDIATION, target=f"/{h.path}", layer=masked(first.layer),
            path=h.path, line=m.line, evidence=m.masked, details=tuple(details), category=rule.category,
        )

    def _config_finding(self, s: ConfigSighting, masked: MaskRef) -> Finding:
        m = s.match
        rule = self._rule(m.rule_id)
        where = {"config:Env": f"environment variable #{m.line}", "config:Labels": f"label #{m.line}"}.get(
            s.path, f"build step {s.path}")
        details: list[tuple[str, str]] = [("match", m.snippet)]
        if s.also_in:
            details.append(("also in", ", ".join(s.also_in)))
        if s.layer is not None:
            details.append(("added in", describe(masked(s.layer))))
        return Finding(
            check=f"secret/{rule.id}", id=rule.id, severity=rule.severity, title=rule.title,
            description=f"{rule.title} in the image configuration ({where}), readable by anyone who pulls the image.",
            remediation=CONFIG_REMEDIATION, target=s.path, layer=masked(s.layer) if s.layer else None, path=s.path,
            line=m.line, evidence=m.masked, details=tuple(details), category=rule.category,
        )


def _package_digests(view: SquashedView) -> dict[str, tuple[str, str]]:
    """Path -> (MD5 dpkg recorded at install, package name) for every file and conffile of the installed dpkg
    packages (``*.md5sums`` and the status file's ``Conffiles``)."""
    out: dict[str, tuple[str, str]] = {}
    for path, payload, _ in view.payloads(DPKG_NAME, DpkgFile):
        if payload.owned is not None and payload.owned.md5:
            package = path.rsplit("/", 1)[-1].removesuffix(".md5sums").split(":", 1)[0]
            for file, digest in zip(payload.owned.paths, payload.owned.md5, strict=False):
                out[file] = (digest, package)
        if payload.status is not None:
            for stanza in payload.status.packages:
                for file, digest in stanza.conffiles:
                    out[file] = (digest, stanza.name)
    return out
