"""Rebuilding the Dockerfile from history lines in the shapes each builder writes."""

from __future__ import annotations

import pytest

from checks.misconfig.helpers import image
from hullscan.checks.misconfig.dockerfile import parse_entry, rebuild
from hullscan.model import HistoryEntry


def entry(line: str, empty: bool = False) -> HistoryEntry:
    return HistoryEntry(created_by=line, empty_layer=empty)


@pytest.mark.parametrize(
    ("line", "keyword", "arguments", "builder"),
    [
        # classic docker build
        ('/bin/sh -c #(nop)  CMD ["/bin/sh"]', "CMD", '["/bin/sh"]', "classic"),
        ("/bin/sh -c #(nop) ADD file:d48cac34fac385cb in / ", "ADD", "file:d48cac34fac385cb in /", "classic"),
        ("/bin/sh -c #(nop) WORKDIR /app", "WORKDIR", "/app", "classic"),
        ("/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin", "ENV", "PATH=/usr/local/bin:/usr/bin", "classic"),
        ("/bin/sh -c #(nop)  EXPOSE 22/tcp", "EXPOSE", "22/tcp", "classic"),
        ("/bin/sh -c apt-get update && apt-get install -y curl", "RUN", "apt-get update && apt-get install -y curl",
         "classic"),
        ("/bin/bash -o pipefail -c curl -fsSL x | tar -x", "RUN", "curl -fsSL x | tar -x", "classic"),
        # BuildKit
        ("RUN /bin/sh -c apk add --no-cache curl # buildkit", "RUN", "apk add --no-cache curl", "buildkit"),
        ("COPY --from=build /out/app /app # buildkit", "COPY", "/out/app /app", "buildkit"),
        ("ADD https://example.com/x.tgz /opt/ # buildkit", "ADD", "https://example.com/x.tgz /opt/", "buildkit"),
        ("ENV GOPATH=/go", "ENV", "GOPATH=/go", "plain"),
        ("USER 10001:10001", "USER", "10001:10001", "plain"),
        ("EXPOSE map[8080/tcp:{}]", "EXPOSE", "map[8080/tcp:{}]", "plain"),
        # kaniko writes the instruction as written
        ("RUN apt-get install -y vim", "RUN", "apt-get install -y vim", "plain"),
        # buildah: classic shape plus "|key=value" metadata
        ("/bin/sh -c #(nop) HEALTHCHECK NONE|unsetLabel=true|force-mtime=10", "HEALTHCHECK", "NONE", "classic"),
    ],
)
def test_builder_shapes(line: str, keyword: str, arguments: str, builder: str) -> None:
    ins = parse_entry(0, entry(line))
    assert (ins.keyword, ins.arguments, ins.builder) == (keyword, arguments, builder)


def test_build_args_classic_and_buildkit() -> None:
    classic = parse_entry(3, entry("|2 DB_PASSWORD=hunter2 VERSION=1.2 /bin/sh -c make install"))
    assert classic.keyword == "RUN" and classic.arguments == "make install"
    assert classic.build_args == (("DB_PASSWORD", "hunter2"), ("VERSION", "1.2"))
    buildkit = parse_entry(4, entry("RUN |1 TOKEN=abc /bin/sh -c ./build.sh # buildkit"))
    assert buildkit.build_args == (("TOKEN", "abc"),) and buildkit.arguments == "./build.sh"
    assert buildkit.shell == "/bin/sh -c"


def test_copy_sources_and_destination() -> None:
    classic = parse_entry(0, entry("/bin/sh -c #(nop) COPY dir:0f3c in /srv/app "))
    assert classic.sources_and_destination() == (["dir:0f3c"], "/srv/app")
    exec_form = parse_entry(0, entry('COPY ["a b.txt", "c.txt", "/dst/"] # buildkit'))
    assert exec_form.sources_and_destination() == (["a b.txt", "c.txt"], "/dst/")


def test_unknown_lines_are_kept_unread() -> None:
    ins = parse_entry(0, entry("mmdebstrap --variant=minbase bookworm / http://deb.debian.org/debian"))
    assert ins.keyword == "" and ins.text.startswith("# mmdebstrap")


def test_layers_follow_non_empty_entries_and_base_is_detected() -> None:
    img = image([
        "/bin/sh -c #(nop) ADD file:abc in / ",
        '/bin/sh -c #(nop)  CMD ["bash"]',
        "/bin/sh -c apt-get update",
        "/bin/sh -c #(nop)  ENV A=b",
        "/bin/sh -c #(nop) COPY file:def in /app ",
        '/bin/sh -c #(nop)  CMD ["/app/run"]',
    ])
    assert img.config is not None
    df = rebuild(img.config, img.layers)
    layers = [i.layer.index if i.layer else None for i in df.instructions]
    assert layers == [0, None, 1, None, 2, None]
    assert [i.base for i in df.instructions] == [True, True, False, False, False, False]
    assert [i.keyword for i in df.own()] == ["RUN", "ENV", "COPY", "CMD"]
    text = df.render()
    assert text.splitlines()[0] == "# (base) ADD file:abc in /"
    assert "RUN apt-get update" in text


def test_scratch_rootfs_add_counts_as_base() -> None:
    img = image(["/bin/sh -c #(nop) ADD file:abc in / ", '/bin/sh -c #(nop)  CMD ["/bin/sh"]'])
    assert img.config is not None
    df = rebuild(img.config, img.layers)
    assert [i.base for i in df.instructions] == [True, False]


def test_history_shorter_than_layers_leaves_the_rest_unmapped() -> None:
    img = image(["RUN a # buildkit", "RUN b # buildkit"])
    assert img.config is not None
    df = rebuild(img.config, img.layers[:1])
    assert df.instructions[0].layer is not None and df.instructions[1].layer is None
