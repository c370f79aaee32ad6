"""Real Python and Node.js installs for the lang/python, lang/npm and lang/npm-lock tests.

Each install is made by the ecosystem's own tools from the public registries (PyPI through pip, the npm registry
through npm, yarn classic and yarn berry run with ``npm exec``), once per recipe: the result is cached under
``$HULLSCAN_TEST_LANG`` (default ``/tmp/hullscan-test-lang``) as ``<name>-<hash of the recipe and this file>``,
built in a temporary sibling and renamed into place under an fcntl lock, as ``support/images.py`` does for the
Debian images. Next to each install, ``facts.json`` keeps what the tools themselves report about it
(``pip list --path ... --format json``, ``npm ls --all --json``), read by the tests as the reference.

``tree_entries`` turns an install directory into tar entries (directories, files, symbolic links) under a path
of the image, so a test can layer installs into an image built in code.
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.images import TarEntrySpec

FACTS = "facts.json"

# Pinned, old and new, with transitive dependencies; names with dots, underscores and capitals (PEP 503).
PIP_REQUIREMENTS = (
    "urllib3==1.24.1",
    "requests==2.25.1",
    "six==1.16.0",
    "certifi==2020.12.5",
    "chardet==4.0.0",
    "idna==2.10",
    "typing_extensions==4.4.0",
    "Markdown==3.3.4",
    "jaraco.classes==3.2.3",
    "more-itertools==9.1.0",
)
EGG_INFO_SDIST = "toml==0.10.2"
"""Installed from its sdist with ``setup.py install --single-version-externally-managed``: an ``.egg-info``
directory, as pip made before 23.1 and as Debian's python3-* packages still ship."""
EGG_SDIST = "six==1.16.0"
"""Built with ``setup.py bdist_egg``: a zipped ``.egg``."""

NPM_DEPENDENCIES = ("express@4.17.1", "lodash@4.17.20", "@types/node@18.0.0")
NPM_DEV_DEPENDENCIES = ("is-number@7.0.0",)
YARN_CLASSIC = "yarn@1.22.22"
YARN_BERRY = "@yarnpkg/cli-dist@4.5.3"
YARN_PROJECT: Mapping[str, object] = {
    "name": "hullscan-yarn-probe",
    "version": "1.0.0",
    "private": True,
    "license": "MIT",
    "dependencies": {"express": "4.17.1", "@types/node": "18.0.0", "lodash": "^4.17.20"},
    "devDependencies": {"is-number": "7.0.0"},
}
NPM_REGISTRY = "https://registry.npmjs.org"


class InstallError(RuntimeError):
    """A package manager failed; the message carries its output."""


# ---------------------------------------------------------------------------------------------- caching


def lang_cache_dir() -> Path:
    return Path(os.environ.get("HULLSCAN_TEST_LANG") or "/tmp/hullscan-test-lang")


def _recipe_key(name: str, recipe: Mapping[str, object], build: Callable[..., object]) -> str:
    h = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode())
    # An edited builder never reuses an old build; edits elsewhere in this file (test helpers) keep the cache.
    for fn in (build, _run, _pip, _npm, _npm_ls):
        h.update(inspect.getsource(fn).encode())
    return f"{name}-{h.hexdigest()[:16]}"


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def cached_build(name: str, recipe: Mapping[str, object], build: Callable[[Path], dict[str, Any]]) -> Path:
    """The directory of a finished build of ``recipe``; ``build(workdir)`` makes it (once) and returns its facts."""
    base = lang_cache_dir()
    base.mkdir(parents=True, exist_ok=True)
    final = base / _recipe_key(name, recipe, build)
    if (final / FACTS).is_file():
        return final
    with _file_lock(base / f".{final.name}.lock"):
        if (final / FACTS).is_file():
            return final
        for stale in base.glob(f".{final.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if final.exists():
            shutil.rmtree(final)
        work = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=base))
        try:
            facts = build(work)
            (work / FACTS).write_text(json.dumps({"recipe": recipe, **facts}, indent=1, sort_keys=True))
            work.chmod(0o755)
            work.rename(final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return final


def _run(argv: Sequence[str], cwd: Path, *, timeout: float = 600, check: bool = True,
         env: Mapping[str, str] | None = None) -> str:
    proc = subprocess.run(
        list(argv), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
        env={**os.environ, **(env or {})},
    )
    if check and proc.returncode != 0:
        output = f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        raise InstallError(f"{' '.join(argv)} failed ({proc.returncode}):\n{output}")
    return proc.stdout


# ---------------------------------------------------------------------------------------------- Python


@dataclass(frozen=True, slots=True)
class PythonInstalls:
    root: Path

    @property
    def site(self) -> Path:
        """``pip install --target`` of :data:`PIP_REQUIREMENTS` (dist-info)."""
        return self.root / "site"

    @property
    def egg_info_site(self) -> Path:
        """:data:`EGG_INFO_SDIST` installed with setuptools (egg-info directory)."""
        return self.root / "eggsite"

    @property
    def egg(self) -> Path:
        """:data:`EGG_SDIST` built as a zipped egg."""
        return next((self.root / "eggs").glob("*.egg"))

    @property
    def facts(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads((self.root / FACTS).read_text())
        return doc

    def pip_list(self, which: str) -> list[dict[str, str]]:
        """``pip list --path <dir> --format json`` for ``site`` or ``eggsite``, as pip printed it."""
        listed: list[dict[str, str]] = self.facts["pip_list"][which]
        return listed


def _pip(*args: str, cwd: Path) -> str:
    return _run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args], cwd)


def _build_python(work: Path) -> dict[str, Any]:
    _pip("install", "-q", "--no-compile", "--target", str(work / "site"), *PIP_REQUIREMENTS, cwd=work)
    sdists = work / "sdists"
    _pip("download", "-q", "--no-binary", ":all:", "--no-deps", "-d", str(sdists), EGG_INFO_SDIST, EGG_SDIST,
         cwd=work)
    src = work / "src"
    src.mkdir()
    for archive in sorted(sdists.glob("*.tar.gz")):
        shutil.unpack_archive(archive, src, filter="data")
    # setuptools is run as the sdists' setup.py expects, with the interpreter that runs the tests.
    toml_src = src / EGG_INFO_SDIST.replace("==", "-")
    _run([sys.executable, "setup.py", "-q", "install", "--single-version-externally-managed",
          "--record", str(work / "toml-record.txt"), "--install-lib", str(work / "eggsite"),
          "--install-scripts", str(work / "bin")], toml_src)
    six_src = src / EGG_SDIST.replace("==", "-")
    _run([sys.executable, "setup.py", "-q", "bdist_egg", "--dist-dir", str(work / "eggs")], six_src)
    shutil.rmtree(src)
    shutil.rmtree(sdists)
    pip_list = {
        name: json.loads(_pip("list", "--path", str(work / name), "--format", "json", cwd=work))
        for name in ("site", "eggsite")
    }
    return {"pip_list": pip_list, "python": sys.version}


def python_installs() -> PythonInstalls:
    recipe = {"pip": PIP_REQUIREMENTS, "egg_info": EGG_INFO_SDIST, "egg": EGG_SDIST,
              "python": f"{sys.version_info.major}.{sys.version_info.minor}"}
    return PythonInstalls(cached_build("python", recipe, _build_python))


# ---------------------------------------------------------------------------------------------- Node.js


@dataclass(frozen=True, slots=True)
class NodeInstalls:
    root: Path

    @property
    def npm_project(self) -> Path:
        """``npm install`` of :data:`NPM_DEPENDENCIES` (+ dev :data:`NPM_DEV_DEPENDENCIES`): package-lock v3."""
        return self.root / "npm"

    @property
    def yarn_classic_project(self) -> Path:
        return self.root / "yarn-classic"

    @property
    def yarn_berry_project(self) -> Path:
        return self.root / "yarn-berry"

    @property
    def facts(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads((self.root / FACTS).read_text())
        return doc

    def npm_ls(self, project: str, *, prod: bool) -> dict[str, Any]:
        """``npm ls --all --json`` (``--omit=dev`` with ``prod``) in ``npm``, ``yarn-classic`` or ``yarn-berry``."""
        doc: dict[str, Any] = self.facts["npm_ls"][project]["prod" if prod else "all"]
        return doc


def _npm(*args: str, cwd: Path) -> str:
    return _run(["npm", "--no-audit", "--no-fund", "--no-update-notifier", *args], cwd)


def _npm_ls(cwd: Path) -> dict[str, Any]:
    # npm ls exits 1 when the tree has problems (extraneous, invalid); the JSON is printed all the same.
    return {
        "all": json.loads(_run(["npm", "ls", "--all", "--json"], cwd, check=False) or "{}"),
        "prod": json.loads(_run(["npm", "ls", "--all", "--json", "--omit=dev"], cwd, check=False) or "{}"),
    }


def _build_node(work: Path) -> dict[str, Any]:
    npm = work / "npm"
    npm.mkdir()
    (npm / "package.json").write_text(json.dumps({"name": "hullscan-npm-probe", "version": "1.0.0",
                                                  "private": True, "license": "MIT"}))
    _npm("install", "--ignore-scripts", "--save-exact", *NPM_DEPENDENCIES, cwd=npm)
    _npm("install", "--ignore-scripts", "--save-exact", "--save-dev", *NPM_DEV_DEPENDENCIES, cwd=npm)

    classic = work / "yarn-classic"
    classic.mkdir()
    (classic / "package.json").write_text(json.dumps(YARN_PROJECT, indent=2))
    _run(["npm", "exec", "--yes", f"--package={YARN_CLASSIC}", "--", "yarn", "install", "--ignore-scripts",
          "--non-interactive", "--no-progress", "--registry", NPM_REGISTRY], classic)

    berry = work / "yarn-berry"
    berry.mkdir()
    (berry / "package.json").write_text(json.dumps({**YARN_PROJECT, "name": "hullscan-berry-probe"}, indent=2))
    (berry / ".yarnrc.yml").write_text(
        f'nodeLinker: node-modules\nnpmRegistryServer: "{NPM_REGISTRY}"\nenableTelemetry: false\n'
        "enableGlobalCache: false\n"
    )
    (berry / "yarn.lock").write_text("")
    _run(["npm", "exec", "--yes", f"--package={YARN_BERRY}", "--", "yarn", "install"], berry,
         env={"YARN_ENABLE_PROGRESS_BARS": "false", "YARN_ENABLE_IMMUTABLE_INSTALLS": "false"})
    shutil.rmtree(berry / ".yarn", ignore_errors=True)  # berry's own cache and install state

    return {
        "npm_ls": {name: _npm_ls(work / name) for name in ("npm", "yarn-classic", "yarn-berry")},
        "node": _run(["node", "--version"], work).strip(),
        "npm": _run(["npm", "--version"], work).strip(),
    }


def node_installs() -> NodeInstalls:
    recipe = {"npm": NPM_DEPENDENCIES, "npm_dev": NPM_DEV_DEPENDENCIES, "yarn_classic": YARN_CLASSIC,
              "yarn_berry": YARN_BERRY, "yarn_project": dict(YARN_PROJECT)}
    return NodeInstalls(cached_build("node", recipe, _build_node))


def npm_ls_ids(tree: Mapping[str, Any]) -> set[str]:
    """Every ``name@version`` in an ``npm ls --json`` tree. A deduped entry repeats a package listed elsewhere in
    the tree (same name and version), so the set is the installed packages."""
    out: set[str] = set()
    todo = [tree]
    while todo:
        node = todo.pop()
        for name, child in (node.get("dependencies") or {}).items():
            if child.get("version"):
                out.add(f"{name}@{child['version']}")
            todo.append(child)
    return out


# ---------------------------------------------------------------------------------------------- images


def tree_entries(root: Path, prefix: str, *, skip: Callable[[str], bool] | None = None) -> list[TarEntrySpec]:
    """Tar entries for everything under ``root``, at ``prefix`` in the image: directories (parents first),
    files with their bytes, symbolic links as links. ``skip(relative_path)`` leaves a path (and what is under it)
    out."""
    prefix = prefix.strip("/")
    entries: list[TarEntrySpec] = []
    parts = prefix.split("/") if prefix else []
    for i in range(1, len(parts) + 1):
        entries.append(TarEntrySpec.directory("/".join(parts[:i])))
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root)
        rel_dir = "" if rel_dir == "." else rel_dir
        kept = []
        for d in dirnames:
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if skip is not None and skip(rel):
                continue
            full = Path(dirpath) / d
            name = f"{prefix}/{rel}" if prefix else rel
            if full.is_symlink():
                entries.append(TarEntrySpec.symlink(name, os.readlink(full)))
            else:
                entries.append(TarEntrySpec.directory(name))
                kept.append(d)
        dirnames[:] = kept
        for f in sorted(filenames):
            rel = f"{rel_dir}/{f}" if rel_dir else f
            if skip is not None and skip(rel):
                continue
            full = Path(dirpath) / f
            name = f"{prefix}/{rel}" if prefix else rel
            if full.is_symlink():
                entries.append(TarEntrySpec.symlink(name, os.readlink(full)))
            else:
                entries.append(TarEntrySpec.file(name, full.read_bytes(), mode=full.stat().st_mode & 0o7777))
    return entries


