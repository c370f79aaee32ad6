"""Real Go and Rust binaries for the lang/go-binary and lang/rust-binary tests, built offline.

* Go: Debian's ``golang-go`` builds a tiny module whose dependencies are (a) ``github.com/google/uuid`` v1.3.0,
  vendored from Debian's ``golang-github-google-uuid-dev`` (``/usr/share/gocode``), and (b) ``example.com/greet``
  replaced by a local directory. ``-mod=vendor`` and ``GOPROXY=off`` keep the build away from the module proxy.
  One recipe builds the Linux binary (with ``-ldflags -X main.version=...``), a stripped one, Windows (PE) and
  macOS (Mach-O) cross-builds and a GOPATH-mode build; ``go version -m`` is recorded for each, as the reference.
  The build is cached under ``/tmp/hullscan-test-lang/go-<hash of this file>`` behind an fcntl lock.
* Rust: ``cargo auditable`` cannot be fetched here (crates.io is not reachable), so an "auditable" binary is a
  copy of a real ELF (``/bin/true``) given a hand-made ``.dep-v0`` section with binutils' ``objcopy``.
* :func:`elf64` writes a minimal, valid ELF64 file with given sections, for damaged and hostile variants.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support.images import TarEntrySpec

GO_CACHE_BASE = Path(os.environ.get("HULLSCAN_TEST_LANG") or "/tmp/hullscan-test-lang")
UUID_SOURCE = Path("/usr/share/gocode/src/github.com/google/uuid")
UUID_VERSION = "v1.3.0"  # Debian bookworm's golang-github-google-uuid-dev 1.3.0-1
APP_MODULE = "example.com/hullscan-test-app"
APP_VERSION = "v1.2.3"

_GO_MOD = f"""module {APP_MODULE}

go 1.19

require (
\tgithub.com/google/uuid {UUID_VERSION}
\texample.com/greet v0.3.0
)

replace example.com/greet v0.3.0 => ../greet
"""
_MAIN_GO = """package main

import (
\t"fmt"

\t"example.com/greet"
\t"github.com/google/uuid"
)

var version = "dev"

func main() { fmt.Println(greet.Hello(), uuid.NewString(), version) }
"""
_GREET_GO = 'package greet\n\nfunc Hello() string { return "hello" }\n'
_MODULES_TXT = f"""# example.com/greet v0.3.0 => ../greet
## explicit; go 1.19
example.com/greet
# github.com/google/uuid {UUID_VERSION}
## explicit
github.com/google/uuid
"""
_GOPATH_MAIN = 'package main\n\nimport "github.com/google/uuid"\n\nfunc main() { println(uuid.NewString()) }\n'

GO_BINARIES = ("app", "app-stripped", "app.exe", "app-darwin", "gopath-app")


def go_available() -> bool:
    return shutil.which("go") is not None and (UUID_SOURCE / "uuid.go").is_file()


@dataclass(frozen=True, slots=True)
class GoBuild:
    directory: Path

    def binary(self, name: str) -> Path:
        return self.directory / name

    def version_m(self, name: str) -> str:
        """What ``go version -m`` printed for the binary."""
        return (self.directory / f"{name}.version-m.txt").read_text(encoding="utf-8")


def _go_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(
        GOPROXY="off",
        GOFLAGS="-mod=vendor",
        GOCACHE=str(work / "cache"),
        GOPATH=str(work / "gopath"),
        GOTOOLCHAIN="local",
        GOTELEMETRY="off",
        HOME=str(work),
    )
    return env


def _run(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _build_go(out: Path) -> None:
    work = out / "work"
    app, greet = work / "app", work / "greet"
    for d in (app / "vendor/github.com/google/uuid", app / "vendor/example.com/greet", greet):
        d.mkdir(parents=True)
    (greet / "go.mod").write_text("module example.com/greet\n\ngo 1.19\n")
    (greet / "greet.go").write_text(_GREET_GO)
    (app / "go.mod").write_text(_GO_MOD)
    (app / "main.go").write_text(_MAIN_GO)
    (app / "vendor/modules.txt").write_text(_MODULES_TXT)
    (app / "vendor/example.com/greet/greet.go").write_text(_GREET_GO)
    for src in UUID_SOURCE.iterdir():
        if (src.suffix == ".go" and not src.name.endswith("_test.go")) or src.name == "go.mod":
            shutil.copy(src, app / "vendor/github.com/google/uuid" / src.name)
    env = _go_env(work)
    ldflags = f"-X main.version={APP_VERSION}"
    build = ["go", "build", "-buildvcs=false"]
    _run([*build, "-ldflags", ldflags, "-o", str(out / "app"), "."], app, env)
    _run([*build, "-ldflags", f"-s -w {ldflags}", "-o", str(out / "app-stripped"), "."], app, env)
    cross = {**env, "CGO_ENABLED": "0"}
    _run([*build, "-o", str(out / "app.exe"), "."], app, {**cross, "GOOS": "windows", "GOARCH": "amd64"})
    _run([*build, "-o", str(out / "app-darwin"), "."], app, {**cross, "GOOS": "darwin", "GOARCH": "arm64"})
    # GOPATH mode: Debian's /usr/share/gocode as GOPATH, no modules at all.
    gopath_src = work / "gopath-main"
    gopath_src.mkdir()
    (gopath_src / "main.go").write_text(_GOPATH_MAIN)
    gopath_env = {**env, "GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOFLAGS": ""}
    _run(["go", "build", "-o", str(out / "gopath-app"), "main.go"], gopath_src, gopath_env)
    for name in GO_BINARIES:
        (out / f"{name}.version-m.txt").write_text(_run(["go", "version", "-m", str(out / name)], out, env))
    shutil.rmtree(work / "cache", ignore_errors=True)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def go_build() -> GoBuild:
    """The Go test binaries, built once and reused while this file is unchanged."""
    key = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    final = GO_CACHE_BASE / f"go-{key}"
    done = final / "gopath-app.version-m.txt"  # written last
    if done.is_file():
        return GoBuild(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    with _locked(final.parent / f".{final.name}.lock"):
        if done.is_file():
            return GoBuild(final)
        shutil.rmtree(final, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
        try:
            _build_go(work)
            shutil.rmtree(work / "work", ignore_errors=True)
            work.rename(final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return GoBuild(final)


def parse_version_m(text: str) -> tuple[str, list[tuple[str, ...]]]:
    """``go version -m`` output: the Go version and the module-info lines split at tabs (leading tab dropped)."""
    lines = text.splitlines()
    go_version = lines[0].split(": ", 1)[1].strip()
    rows = [tuple(line[1:].split("\t")) for line in lines[1:] if line.startswith("\t") and line.strip()]
    return go_version, rows


# ---------------------------------------------------------------------------------------------- Rust


def audit_json(packages: list[dict[str, object]]) -> bytes:
    return zlib.compress(json.dumps({"packages": packages}).encode())


def objcopy_available() -> bool:
    return shutil.which("objcopy") is not None and Path("/bin/true").is_file()


def auditable_elf(directory: Path, section: bytes, base: Path = Path("/bin/true")) -> Path:
    """A copy of a real ELF executable with ``section`` added as ``.dep-v0``, as cargo-auditable's linker step
    would leave it (a non-allocated section)."""
    payload = directory / "dep-v0.bin"
    payload.write_bytes(section)
    out = directory / "rust-app"
    argv = ["objcopy", "--add-section", f".dep-v0={payload}", "--set-section-flags", ".dep-v0=readonly"]
    subprocess.run([*argv, str(base), str(out)], check=True, capture_output=True, timeout=60)
    out.chmod(0o755)
    return out


def dump_section(binary: Path, name: str, directory: Path) -> bytes:
    """The section's bytes as binutils reads them (``objcopy --dump-section``)."""
    target = directory / f"dump{name}"
    subprocess.run(
        ["objcopy", f"--dump-section={name}={target}", str(binary), str(directory / "scratch.o")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return target.read_bytes()


# ---------------------------------------------------------------------------------------------- synthetic ELF


def elf64(sections: Sequence[tuple[str, bytes, int]], *, loads: Sequence[str] = ()) -> bytes:
    """A little-endian ELF64 executable header, then the section bytes, the name table and the section headers.

    ``sections``: (name, data, virtual address), laid out in order, 16-byte aligned. ``loads``: names of sections
    that get a writable PT_LOAD program header mapping them at their address.
    """
    phoff = 64
    data_start = phoff + 56 * len(loads)
    blob = bytearray()
    placed: list[tuple[int, int, int, int]] = []  # name offset, file offset, size, address
    names = bytearray(b"\x00")
    for name, content, address in sections:
        pad = (-(data_start + len(blob))) % 16
        blob += b"\x00" * pad
        placed.append((len(names), data_start + len(blob), len(content), address))
        names += name.encode() + b"\x00"
        blob += content
    shstrtab_name = len(names)
    names += b".shstrtab\x00"
    shstrtab_offset = data_start + len(blob)
    blob += names
    pad = (-(data_start + len(blob))) % 8
    blob += b"\x00" * pad
    shoff = data_start + len(blob)
    shnum = len(sections) + 2  # null section, the sections, .shstrtab
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\x00" * 8
    fields = (2, 62, 1, 0x401000, phoff if loads else 0, shoff, 0, 64, 56, len(loads), 64, shnum, shnum - 1)
    header += struct.pack("<HHIQQQIHHHHHH", *fields)
    where = {name: rest[1:] for (name, _, _), rest in zip(sections, placed, strict=True)}
    phdrs = b"".join(
        struct.pack("<IIQQQQQQ", 1, 6, where[n][0], where[n][2], where[n][2], where[n][1], where[n][1], 0x1000)
        for n in loads
    )
    shdrs = bytes(64)
    for name_off, offset, size, address in placed:
        shdrs += struct.pack("<IIQQQQIIQQ", name_off, 1, 3 if address else 0, address, offset, size, 0, 0, 16, 0)
    shdrs += struct.pack("<IIQQQQIIQQ", shstrtab_name, 3, 0, 0, shstrtab_offset, len(names), 0, 0, 1, 0)
    return bytes(header + phdrs + blob + shdrs)


# ---------------------------------------------------------------------------------------------- layers


def tree_entries(root: Path, prefix: str) -> list[TarEntrySpec]:
    """The files under ``root`` as layer entries below ``prefix`` (modes kept)."""
    entries: list[TarEntrySpec] = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(root).as_posix()
            entries.append(TarEntrySpec.file(f"{prefix}/{rel}", path.read_bytes(), mode=path.stat().st_mode & 0o777))
    return entries
