"""SquashedView.hidden_by: which later layer hides a lower layer's copy of a path, and how."""

from __future__ import annotations

from hullscan.image.squash import SquashedView
from support.views import Dir, Symlink, Whiteout, view_of


def test_hidden_by() -> None:
    view: SquashedView = view_of(
        [],
        {"a/key": b"1", "b/key": b"1", "c/d/key": b"1", "e/key": b"1", "f/key": b"1", "kept": b"1"},
        {"a/key": Whiteout(), "b/key": b"2"},                 # 1: deleted, replaced
        {"c/d": Whiteout(), "e": Symlink("/tmp")},            # 2: a parent deleted, a parent now a symlink
        {"f": Dir(), "f/other": b"x"},                        # 3: the directory rewritten, the file untouched
    )
    assert view.hidden_by("a/key", 0) == (1, "deleted")
    assert view.hidden_by("b/key", 0) == (1, "replaced")
    assert view.hidden_by("c/d/key", 0) == (2, "deleted")
    assert view.hidden_by("e/key", 0) == (2, "deleted")
    assert view.hidden_by("f/key", 0) is None
    assert view.hidden_by("kept", 0) is None
    assert view.hidden_by("b/key", 1) is None  # the replacement itself is what the image shows
    assert "b/key" in view and "a/key" not in view and "f/key" in view
