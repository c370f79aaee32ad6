"""Progress bars on stderr (only when stderr is a terminal). Imports rich lazily: it costs start-up time."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from hullscan.model import Layer
from hullscan.scan import Progress as ProgressEvents


class TerminalProgress(ProgressEvents):
    def __init__(self) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task: int | None = None

    def layer_start(self, layer: Layer, total_layers: int) -> None:
        desc = f"layer {layer.index + 1}/{total_layers} {layer.digest.removeprefix('sha256:')[:12]}"
        self._task = self._bar.add_task(desc, total=layer.size if layer.size > 0 else None)

    def layer_bytes(self, done: int) -> None:
        if self._task is not None:
            self._bar.update(self._task, completed=done)  # type: ignore[arg-type]

    def layer_done(self, layer: Layer, cached: bool) -> None:
        if self._task is not None:
            self._bar.remove_task(self._task)  # type: ignore[arg-type]
            self._task = None

    def close(self) -> None:
        self._bar.stop()
