"""file/shell-in-minimal and file/compiler-in-image."""

from __future__ import annotations

from checks.file.helpers import DEBIAN_OS_RELEASE, DISTROLESS_OS_RELEASE, L, by_check, detail, f, link, scan
from hullscan.model import Severity

SHELLS = [f("usr/bin/dash", mode=0o755), link("bin/sh", "/usr/bin/dash"), f("usr/bin/bash", mode=0o755)]
GCC = [
    f("usr/bin/gcc-12", mode=0o755),
    link("usr/bin/gcc", "gcc-12"),
    link("usr/bin/x86_64-linux-gnu-gcc-12", "gcc-12"),
    link("etc/alternatives/cc", "/usr/bin/gcc"),
    link("usr/bin/cc", "/etc/alternatives/cc"),
    f("usr/bin/x86_64-linux-gnu-gcc-ar-12", mode=0o755),
]


def test_distroless_debug_busybox_is_one_shell_finding() -> None:
    found = scan(L([f("etc/os-release", content=DISTROLESS_OS_RELEASE)]),
                 L([f("busybox/busybox", mode=0o755), link("busybox/sh", "busybox"), link("busybox/ash", "busybox")],
                   created_by="COPY busybox /busybox"))
    [shell] = by_check(found, "file/shell-in-minimal")
    assert shell.severity is Severity.MEDIUM
    assert shell.path == "busybox/busybox"
    assert "busybox" in shell.title
    assert detail(shell, "names") == "/busybox/ash, /busybox/busybox, /busybox/sh"
    assert detail(shell, "minimal because") == "os-release says Distroless"
    assert shell.layer is not None and shell.layer.created_by == "COPY busybox /busybox"
    assert len(found) == 1


def test_minimal_label_and_each_shell_family() -> None:
    found = scan(L(SHELLS), labels=[("io.hullscan.image.minimal", "true")])
    shells = by_check(found, "file/shell-in-minimal")
    assert {x.path for x in shells} == {"usr/bin/dash", "usr/bin/bash"}
    dash = next(x for x in shells if x.path == "usr/bin/dash")
    assert detail(dash, "names") == "/bin/sh, /usr/bin/dash"
    assert detail(dash, "minimal because") == "label io.hullscan.image.minimal=true"


def test_base_name_label_marks_distroless() -> None:
    found = scan(L(SHELLS), labels=[("org.opencontainers.image.base.name", "gcr.io/distroless/base-debian12")])
    assert len(by_check(found, "file/shell-in-minimal")) == 2


def test_shells_in_an_ordinary_image_are_fine() -> None:
    assert scan(L([f("etc/os-release", content=DEBIAN_OS_RELEASE), *SHELLS]),
                labels=[("io.hullscan.image.minimal", "no")]) == []


def test_gcc_toolchain_is_one_low_finding_outside_minimal_images() -> None:
    [gcc] = scan(L(GCC, created_by="RUN apt-get install -y build-essential"))
    assert gcc.check == "file/compiler-in-image"
    assert gcc.severity is Severity.LOW
    assert gcc.path == "usr/bin/gcc-12"
    assert detail(gcc, "names") == ("/usr/bin/cc, /usr/bin/gcc, /usr/bin/gcc-12, "
                                    "/usr/bin/x86_64-linux-gnu-gcc-12")
    assert gcc.evidence == "-rwxr-xr-x root:root"


def test_the_main_executable_is_the_one_most_names_lead_to() -> None:
    [gcc] = scan(L([f("usr/bin/c89-gcc", mode=0o755), f("usr/bin/x86_64-linux-gnu-gcc-12", mode=0o755),
                    link("usr/bin/gcc-12", "x86_64-linux-gnu-gcc-12"), link("usr/bin/gcc", "gcc-12")]))
    assert gcc.path == "usr/bin/x86_64-linux-gnu-gcc-12"
    assert detail(gcc, "executables") == "/usr/bin/x86_64-linux-gnu-gcc-12, /usr/bin/c89-gcc"


def test_compilers_in_a_minimal_image_are_medium() -> None:
    found = scan(L([*GCC, f("usr/local/go/bin/go", mode=0o755), f("usr/lib/jvm/jdk/bin/javac", mode=0o755),
                    f("usr/bin/rustc", mode=0o755), f("usr/bin/clang-15", mode=0o755)]),
                 labels=[("io.hullscan.image.minimal", "1")])
    compilers = by_check(found, "file/compiler-in-image")
    assert {x.path for x in compilers} == {"usr/bin/gcc-12", "usr/local/go/bin/go", "usr/lib/jvm/jdk/bin/javac",
                                           "usr/bin/rustc", "usr/bin/clang-15"}
    assert all(x.severity is Severity.MEDIUM for x in compilers)


def test_non_executables_dangling_links_and_other_directories_are_ignored() -> None:
    assert scan(L([
        f("usr/bin/gcc", mode=0o644),
        link("usr/bin/cc", "/nonexistent/gcc"),
        f("usr/share/doc/go", mode=0o755),
        f("usr/bin/distcc", mode=0o755),
    ])) == []
