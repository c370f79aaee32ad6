"""The shared index and formatting helpers of the file checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from checks.file.helpers import L, MiB, d, f, hard, link, view
from hullscan.checks.file import efficiency_table
from hullscan.checks.file.common import ImageIndex, file_count, human_bytes, mode_string
from hullscan.model import FileEntry, LayerRef


@pytest.mark.parametrize(("n", "text"), [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (int(1.5 * MiB), "1.5 MiB"),
                                         (3 << 30, "3.0 GiB"), (5 << 40, "5120.0 GiB")])
def test_human_bytes(n: int, text: str) -> None:
    assert human_bytes(n) == text


def test_file_count_and_mode_strings() -> None:
    assert (file_count(1), file_count(1234)) == ("1 file", "1,234 files")
    assert mode_string(f("x", mode=0o1777)[0]) == "-rwxrwxrwt root:root"
    assert mode_string(d("tmp", 0o1777)[0]) == "drwxrwxrwt root:root"
    assert mode_string(link("l", "x")[0]) == "lrwxrwxrwx root:root"
    assert mode_string(hard("h", "x", 0o2750)[0]) == "-rwxr-s--- root:root"


def test_index_positions_do_not_depend_on_layer_object_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    v = view(L([f("a", size=10), f("b", size=10)]), L([f("b", size=20)]))
    real_entries = v.entries

    def copied() -> Iterator[tuple[FileEntry, LayerRef]]:
        for entry, ref in real_entries():
            yield entry, dataclasses.replace(ref)  # equal, but not the view's own object

    monkeypatch.setattr(v, "entries", copied)
    index = ImageIndex(v)
    assert {path: pos for path, (_, pos) in index.visible.items()} == {"a": 0, "b": 1}


def test_opaque_marker_at_the_root_hides_every_lower_layer() -> None:
    index = ImageIndex(view(L([f("etc/a", size=MiB), f("b", size=MiB)]), L([f("c", size=1)], opaque=("",))))
    assert index.remover("etc/a", 0) == (1, False)
    assert efficiency_table(index).layers[0].wasted_bytes == 2 * MiB
