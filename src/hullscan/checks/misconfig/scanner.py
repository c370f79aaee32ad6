"""The ``misconfig`` scanner: the image's rebuilt Dockerfile and its config, checked against :mod:`.rules`.

It needs no file content: the config and history come with the image, the layer file lists (used to confirm
that a cache really stayed in a layer) are recorded by every walk, so ``extractors()`` is ``()`` and a quick
scan runs it for free. A rootfs scan has no config and gets no misconfiguration findings.

Which instructions are checked: the ``RUN``/``ADD``/``MAINTAINER``/repeated-instruction rules look at the
author's own instructions only (not the base image's, which the author cannot change; see
:mod:`.dockerfile`); the config rules (user, health check, ports, environment, working directory) look at the
final config whoever set it, because that is what every container of the image gets.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from hullscan.checks.base import CheckContext, ScannerConfig
from hullscan.checks.misconfig import image as image_rules
from hullscan.checks.misconfig.dockerfile import Dockerfile, Instruction, rebuild
from hullscan.checks.misconfig.hits import Hit, redact
from hullscan.checks.misconfig.rules import RULES
from hullscan.checks.misconfig.run import CACHE_PATHS, check_run
from hullscan.extract.base import Extractor
from hullscan.image.facts import LayerFacts
from hullscan.image.squash import SquashedView
from hullscan.model import FileKind, Finding, ImageConfig, ImageInfo, Inventory, Layer, LayerRef


class MisconfigScanner:
    """Image-config and rebuilt-Dockerfile misconfiguration (see the module docstring)."""

    name = "misconfig"

    def __init__(self, config: ScannerConfig) -> None:
        self.config = config

    def extractors(self) -> tuple[Extractor[object], ...]:
        return ()

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        yield from scan(ctx.image, ctx.view, ctx.inventory)


def _layer_files(view: SquashedView | None) -> dict[str, LayerFacts]:
    if view is None:
        return {}
    return {ref.diff_id: facts for ref, facts in view.layer_facts()}


def _cache_evidence(hit: Hit, facts: dict[str, LayerFacts]) -> tuple[bool, int]:
    """(keep the hit, how many cache files its layer holds). Hits without a known layer are kept on the
    strength of the text alone."""
    prefixes = CACHE_PATHS.get(hit.rule)
    layer = hit.instruction.layer if hit.instruction else None
    if prefixes is None or layer is None or layer.diff_id not in facts:
        return True, -1
    count = 0
    for entry in facts[layer.diff_id].files:
        if entry.kind != FileKind.FILE:
            continue
        path = "/" + entry.path
        for prefix in prefixes:
            anywhere = prefix.startswith("/")
            if (anywhere and prefix in path) or (not anywhere and entry.path.startswith(prefix)):
                if not entry.path.endswith("/lock"):
                    count += 1
                break
    return count > 0, count


def collect_hits(config: ImageConfig, layers: Sequence[Layer], inventory: Inventory | None = None,
                 ) -> tuple[Dockerfile, list[Hit]]:
    """Every rule's hits over an image's config, before layer confirmation."""
    dockerfile = rebuild(config, layers)
    container = config.container
    env = dict(item.partition("=")[::2] for item in container.env)
    hits: list[Hit] = []
    hits += image_rules.user_rules(container, dockerfile)
    hits += image_rules.healthcheck_rules(container, dockerfile)
    hits += image_rules.base_image_rules(container, dockerfile)
    hits += image_rules.instruction_rules(dockerfile)
    for ins in dockerfile.of("RUN"):
        hits += check_run(ins, env)
    hits += image_rules.port_rules(container, dockerfile)
    hits += image_rules.env_rules(container, dockerfile)
    hits += image_rules.build_arg_rules(dockerfile)
    hits += image_rules.workdir_rules(container, dockerfile)
    if inventory is not None:
        hits += image_rules.package_rules(inventory)
    return dockerfile, hits


def scan(image: ImageInfo, view: SquashedView | None, inventory: Inventory | None) -> Iterator[Finding]:
    """The misconfiguration findings of ``image`` (none without a config)."""
    if image.config is None:
        return
    _dockerfile, hits = collect_hits(image.config, image.layers, inventory)
    facts = _layer_files(view)
    refs = _refs(image)
    for hit in hits:
        keep, cached = _cache_evidence(hit, facts)
        if keep:
            yield to_finding(hit, refs, cached)


def _refs(image: ImageInfo) -> dict[int, LayerRef]:
    """Layer references for findings, their ``created_by`` redacted like every instruction a finding quotes."""
    return {
        layer.index: LayerRef(layer.index, layer.digest, layer.diff_id, redact(layer.created_by))
        for layer in image.layers
    }


def _instruction_details(ins: Instruction) -> list[tuple[str, str]]:
    out = [("instruction", redact(ins.text)), ("history index", str(ins.history_index))]
    if ins.layer is None:
        out.append(("layer", "none (the instruction made no layer)"))
    if ins.base:
        out.append(("from base image", "yes"))
    return out


def to_finding(hit: Hit, refs: dict[int, LayerRef], cached: int = -1) -> Finding:
    """The finding of one hit; ``refs`` maps layer index to the image's layer references."""
    rule = RULES[hit.rule]
    ins = hit.instruction
    layer: LayerRef | None = None
    details: list[tuple[str, str]] = []
    if ins is not None:
        details += _instruction_details(ins)
        if ins.layer is not None:
            layer = refs.get(ins.layer.index)
    elif hit.package is not None:
        layer = hit.package.layer
    details += hit.details
    if cached > 0:
        details.append(("cache files left in the layer", str(cached)))
    details += rule.mapping()
    target = redact(hit.target or (ins.short() if ins is not None else "image config"))
    return Finding(
        check=rule.check,
        id=rule.id,
        severity=hit.severity if hit.severity is not None else rule.severity,
        title=rule.title,
        description=rule.description,
        remediation=rule.remediation,
        target=target,
        package=hit.package,
        layer=layer,
        references=rule.references,
        evidence=redact(hit.evidence),
        details=tuple(details),
        category=rule.category,
    )
