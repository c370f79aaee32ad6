"""file/wasted-bytes, file/layer-efficiency and the efficiency table."""

from __future__ import annotations

from checks.file.helpers import L, MiB, by_check, d, detail, f, hard, link, scan, view
from hullscan.checks.file import efficiency_table
from hullscan.checks.file.common import ImageIndex


def test_deleted_file_is_wasted_in_the_layer_that_wrote_it() -> None:
    found = scan(
        L([f("usr/bin/app", size=100), f("tmp/src.tar.gz", size=3 * MiB)], created_by="ADD src.tar.gz /tmp/"),
        L([f("usr/local/bin/built", size=MiB // 2)], whiteouts=("tmp/src.tar.gz",),
          created_by="RUN rm /tmp/src.tar.gz"),
    )
    [wasted] = by_check(found, "file/wasted-bytes")
    assert wasted.layer is not None and wasted.layer.index == 0
    assert wasted.title == "3.0 MiB shipped in layer 1 but deleted or overwritten later"
    assert detail(wasted, "wasted bytes") == "3.0 MiB (3,145,728 bytes)"
    assert detail(wasted, "files") == "1"
    assert detail(wasted, "instruction") == "ADD src.tar.gz /tmp/"
    assert detail(wasted, "removed by layer 2 (RUN rm /tmp/src.tar.gz)") == "3.0 MiB in 1 file"
    assert detail(wasted, "largest") == "/tmp/src.tar.gz (3.0 MiB)"
    assert "same RUN instruction" in wasted.remediation
    [table] = by_check(found, "file/layer-efficiency")
    assert detail(table, "image") == "3.5 MiB in layers, 3.0 MiB wasted, 14.3% efficient"
    assert detail(table, "layer 1 (ADD src.tar.gz /tmp/)") == (
        "3.0 MiB added in 2 files, 3.0 MiB wasted in 1 file (0.0% kept)")
    assert detail(table, "layer 2 (RUN rm /tmp/src.tar.gz)") == (
        "512.0 KiB added in 1 file, 0 B wasted in 0 files (100.0% kept)")
    assert len(found) == 2


def test_chmod_in_a_later_layer_duplicates_the_file() -> None:
    found = scan(
        L([f("opt/tool/big.bin", size=2 * MiB, mode=0o644), f("opt/tool/lib.so", size=MiB, mode=0o644)],
          created_by="COPY tool /opt/tool"),
        L([f("opt/tool/big.bin", size=2 * MiB, mode=0o755), f("opt/tool/lib.so", size=10, mode=0o644)],
          created_by="RUN chmod +x /opt/tool/big.bin && build lib.so"),
    )
    [wasted] = by_check(found, "file/wasted-bytes")
    assert detail(wasted, "wasted bytes").startswith("3.0 MiB")
    assert detail(wasted, "rewritten with the same size") == (
        "2.0 MiB in 1 file (likely chmod/chown/touch in a later layer)")
    assert "COPY --chmod" in wasted.remediation
    largest = [v for k, v in wasted.details if k == "largest"]
    assert largest == ["/opt/tool/big.bin (2.0 MiB)", "/opt/tool/lib.so (1.0 MiB)"]


def test_opaque_directory_and_parent_whiteout_and_recreated_path() -> None:
    index = ImageIndex(view(
        L([f("srv/cache/a", size=MiB), f("srv/cache/b", size=MiB), f("opt/old/x", size=MiB),
           f("etc/conf", size=MiB)]),
        L(opaque=("srv/cache",), created_by="RUN rebuild cache"),
        L(whiteouts=("opt/old", "etc/conf"), created_by="RUN rm -r /opt/old /etc/conf"),
        L([f("etc/conf", size=5)], created_by="COPY conf /etc/conf"),
    ))
    table = efficiency_table(index)
    bottom = table.layers[0]
    assert (bottom.added_bytes, bottom.wasted_bytes, bottom.wasted_files) == (4 * MiB, 4 * MiB, 4)
    assert [(r.layer.index, r.bytes, r.files) for r in bottom.removed_by] == [(1, 2 * MiB, 2), (2, 2 * MiB, 2)]
    assert bottom.efficiency == 0.0
    assert table.layers[3].wasted_bytes == 0
    assert round(table.efficiency, 4) == round(100 * 5 / (4 * MiB + 5), 4)


def test_hard_links_count_bytes_once_and_keep_the_inode_alive() -> None:
    base = L([f("usr/lib/libx.so.1", size=2 * MiB), hard("usr/lib/libx-alias.so", "usr/lib/libx.so.1"),
              f("usr/share/big", size=2 * MiB), hard("usr/share/big-link", "usr/share/big")])
    # The second layer deletes one name of the first inode (still visible through the other) and both names
    # of the second.
    v = view(base, L(whiteouts=("usr/lib/libx.so.1", "usr/share/big", "usr/share/big-link")))
    row = efficiency_table(ImageIndex(v)).layers[0]
    assert row.added_bytes == 4 * MiB
    assert (row.wasted_bytes, row.wasted_files) == (2 * MiB, 1)
    assert row.largest == (("usr/share/big", 2 * MiB),)


def test_threshold_and_what_is_never_wasted() -> None:
    layers = (
        L([f("a", size=MiB - 1), d("dir"), link("lnk", "a"), f("empty", size=0)]),
        L([d("dir", mode=0o700), link("lnk", "b"), f("a", size=1)], whiteouts=("empty",)),
    )
    assert by_check(scan(*layers), "file/wasted-bytes") == []
    [wasted] = by_check(scan(*layers, threshold=1000), "file/wasted-bytes")
    assert detail(wasted, "files") == "1"
    assert efficiency_table(ImageIndex(view(*layers))).layers[0].wasted_bytes == MiB - 1


def test_single_layer_image_is_fully_efficient() -> None:
    table = efficiency_table(ImageIndex(view(L([f("a", size=10)]))))
    assert (table.added_bytes, table.wasted_bytes, table.efficiency) == (10, 0, 100.0)
    assert efficiency_table(ImageIndex(view(L()))).efficiency == 100.0
