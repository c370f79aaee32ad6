"""What package extractors share: the protocol that turns a squashed view into packages, and layer attribution.

A package extractor parses files one by one (``extract``: per layer, cached) and, once the layers are squashed,
assembles its packages from the surviving payloads (``packages``): a dpkg status file plus the ``info/*.list``
files, an rpm database plus nothing, and so on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar, runtime_checkable

from hullscan.image.squash import SquashedView
from hullscan.model import Distro, LayerRef, Package, Warning_

T = TypeVar("T")


@runtime_checkable
class PackageAssembler(Protocol):
    """An extractor that also knows how to assemble its packages from the squashed view."""

    @property
    def name(self) -> str: ...

    def packages(self, view: SquashedView, distro: Distro | None) -> list[Package]: ...


@runtime_checkable
class AssemblyWarnings(Protocol):
    """An assembler that can say what it had to leave out (damaged records in a database, say)."""

    def warnings(self, view: SquashedView) -> list[Warning_]: ...


def introduced_in(
    history: Sequence[tuple[T, LayerRef]],
    keys_of: Callable[[T], Iterable[tuple[str, ...]]],
) -> dict[tuple[str, ...], LayerRef]:
    """For each package key in the top version of a database file, the layer that brought it in.

    ``history`` lists every version of the file bottom-up. A package is attributed to the lowest layer from
    which every later version of the file still contains it: a package removed and re-installed later is
    attributed to the re-install, and an upgrade (a new key) to the layer that upgraded it.
    """
    if not history:
        return {}
    result: dict[tuple[str, ...], LayerRef] = {}
    top_payload, top_layer = history[-1]
    for key in keys_of(top_payload):
        result[key] = top_layer
    # Walk down while the key is still present; stop at the first version without it.
    alive = set(result)
    for payload, layer in reversed(history[:-1]):
        present = set(keys_of(payload))
        alive &= present
        if not alive:
            break
        for key in alive:
            result[key] = layer
    return result


def attribute(packages: Iterable[Package], layers: dict[tuple[str, ...], LayerRef]) -> list[Package]:
    """Set each package's ``layer`` from :func:`introduced_in`'s map (keys are ``Package.key``)."""
    return [dataclasses.replace(p, layer=layers.get(p.key, p.layer)) for p in packages]
