"""lock/pnpm: ``pnpm-lock.yaml``, the YAML lock file pnpm writes (https://github.com/pnpm/spec/tree/master/lockfile).

Three generations of the ``packages`` map are read; ``lockfileVersion`` tells them apart:

====  =======================================  ====================================================
v5    ``/name/1.0.0``, ``/@scope/name/1.0.0_peer@2.0.0``   ``dev: true`` only for development packages
v6    ``/name@1.0.0``, ``/@scope/name@1.0.0(peer@2.0.0)``  same ``dev`` flag
v9    ``name@1.0.0``, ``@scope/name@1.0.0``                no flag: peer variants and edges are in ``snapshots``
====  =======================================  ====================================================

In v5 and v6 ``dev: false`` means only production needs the package and a missing ``dev`` that both do; only
``dev: true`` is a development package. In v9 a package is ``dev`` when the ``importers`` (the workspace's
projects) reach it only from ``devDependencies``, following ``snapshots`` edges. Packages that do not come
from a registry (git, tarball URL, ``file:``) carry their own ``name`` and ``version`` fields, which win over
the key; a version that does not start with a digit is not a release and is left out. ``resolution.integrity``
(``sha512-<base64>``, ``sha1-<base64>``) becomes the checksum.

pnpm 9+ may write a second YAML document before the lock file proper (the "env" lock of config
dependencies); the last document is the lock file.

YAML is parsed with PyYAML's C loader, with implicit typing limited to ``true``/``false``/``null``: in YAML 1.1
an unquoted ``1.10`` is a float and ``no`` a boolean, which must not happen to versions or package names.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import deque
from collections.abc import Iterable, Mapping
from typing import ClassVar

import yaml

from hullscan.extract.base import ExtractError
from hullscan.extract.lockfile import LockedPackage, LockFile, LockfileExtractor, decode_text, scrub
from hullscan.model import PackageType

NAME = "lock/pnpm"
VERSION = 1

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[valid-type, misc]
    """Safe loading where every plain scalar is a string, except ``true``, ``false``, ``null`` and ``~``."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, object]]]] = {}


_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|)$"), ["~", "n", ""])


class _Unsupported(Exception):
    """The text uses YAML beyond what pnpm writes; the full loader takes over."""


def _scalar(text: str) -> object:
    """A plain or quoted scalar, typed as :class:`_Loader` types it."""
    if not text:
        return None
    c = text[0]
    if c == "'":
        if len(text) < 2 or not text.endswith("'"):
            raise _Unsupported
        body = text[1:-1]
        if "'" in body.replace("''", ""):
            raise _Unsupported
        return body.replace("''", "'")
    if c == '"':
        if len(text) < 2 or not text.endswith('"') or "\\" in text:
            raise _Unsupported  # escapes: leave them to the real loader
        return text[1:-1]
    if c in "&*!|>%@`{[]},#?" or (c == "-" and text[1:2] in ("", " ")):
        raise _Unsupported
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~"):
        return None
    return text


def _flow(text: str, i: int) -> tuple[object, int]:
    """A flow collection or scalar at ``text[i]``, on one line: ``{a: b, c: [d, e]}``."""
    c = text[i]
    if c in "{[":
        close = "}" if c == "{" else "]"
        mapping: dict[str, object] = {}
        sequence: list[object] = []
        i += 1
        while True:
            while i < len(text) and text[i] == " ":
                i += 1
            if i >= len(text):
                raise _Unsupported
            if text[i] == close:
                return (mapping if c == "{" else sequence), i + 1
            if c == "{":
                key, i = _flow(text, i)
                if not text.startswith(": ", i) and not text.startswith(":,", i) and text[i : i + 1] != close:
                    raise _Unsupported
                if text[i : i + 1] == ":":
                    i += 1
                while i < len(text) and text[i] == " ":
                    i += 1
                value, i = (None, i) if text[i : i + 1] in (",", close) else _flow(text, i)
                mapping[str(key)] = value
            else:
                value, i = _flow(text, i)
                sequence.append(value)
            while i < len(text) and text[i] == " ":
                i += 1
            if text[i : i + 1] == ",":
                i += 1
            elif text[i : i + 1] != close:
                raise _Unsupported
    if c in "'\"":
        end = i + 1
        while True:
            end = text.find(c, end)
            if end < 0:
                raise _Unsupported
            if c == "'" and text.startswith("''", end):
                end += 2
                continue
            break
        return _scalar(text[i : end + 1]), end + 1
    end = i
    while end < len(text) and text[end] not in ",]}" and not text.startswith(": ", end) and text[end : end + 2] != ":,":
        if text[end] == ":" and end + 1 < len(text) and text[end + 1] in "]}":
            break
        end += 1
    return _scalar(text[i:end].strip()), end


_SIMPLE_FLOW_MAP = re.compile(r"\{([^{}\[\]'\"#&*!|>%@`]*)\}")


def _value(text: str) -> object:
    simple = _SIMPLE_FLOW_MAP.fullmatch(text)
    if simple is not None and ": " in text:
        # pnpm's usual one-line map, ``{integrity: sha512-..., tarball: https://...}``: split, no scanning.
        mapping: dict[str, object] = {}
        for item in simple.group(1).split(","):
            key, sep, value = item.strip().partition(": ")
            if not sep or key in mapping or ": " in value:
                break
            mapping[key] = _scalar(value.strip())
        else:
            return mapping
    if text[0] in "{[":
        value, end = _flow(text, 0)
        if text[end:].strip():
            raise _Unsupported
        return value
    if text[0] not in "'\"" and " #" in text:
        text = text.split(" #", 1)[0].rstrip()
    return _scalar(text)


def _key(content: str) -> tuple[str, str]:
    """``(key, rest after the colon)`` of a mapping line."""
    if content[0] in "'\"":
        quote = content[0]
        end = 1
        while True:
            end = content.find(quote, end)
            if end < 0:
                raise _Unsupported
            if quote == "'" and content.startswith("''", end):
                end += 2
                continue
            break
        key = _scalar(content[: end + 1])
        rest = content[end + 1 :]
        if not rest.startswith(":") or (len(rest) > 1 and rest[1] != " "):
            raise _Unsupported
        return str(key), rest[1:].strip()
    at = content.find(": ")
    if at < 0:
        if not content.endswith(":"):
            raise _Unsupported
        at = len(content) - 1
    key = _scalar(content[:at].rstrip())
    if not isinstance(key, str):
        raise _Unsupported  # a boolean or null key: not something pnpm writes
    return key, content[at + 1 :].strip()


def fast_load_documents(text: str) -> list[object]:
    """Documents of block YAML as pnpm writes it (js-yaml, no line wrapping, no anchors), in one pass.

    Raises ``_Unsupported`` for anything else (block scalars, anchors, tags, mapping items in sequences...):
    :func:`load_yaml_documents` then hands the text to PyYAML. Scalars are typed as :class:`_Loader` types them.

    >>> fast_load_documents("a:\\n  'b@1': {integrity: x, n: [1, 2]}\\n  c:\\n    - d\\n  e: true\\n")
    [{'a': {'b@1': {'integrity': 'x', 'n': ['1', '2']}, 'c': ['d'], 'e': True}}]
    """
    docs: list[object] = []
    root: dict[str, object] = {}
    # Open containers, innermost last, with the indent of their entries.
    stack: list[tuple[int, dict[str, object] | list[object]]] = [(0, root)]
    pending: tuple[dict[str, object], str, int] | None = None  # a "key:" whose value starts on a later line
    started = False
    for raw in text.split("\n"):
        line = raw.rstrip("\r").rstrip(" ")
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        if content.startswith("\t") or "\t" in line[: len(line) - len(content)]:
            raise _Unsupported
        indent = len(line) - len(content)
        if indent == 0 and content in ("---", "..."):
            if started:
                docs.append(root)
            root, stack, pending, started = {}, [(0, {})], None, False
            stack = [(0, root)]
            continue
        if content.startswith("--- ") or content.startswith("%"):
            raise _Unsupported
        started = True
        if pending is not None:
            parent, key, parent_indent = pending
            pending = None
            is_item = content == "-" or content.startswith("- ")
            if indent > parent_indent or (indent == parent_indent and is_item):
                child: dict[str, object] | list[object] = [] if is_item else {}
                parent[key] = child
                stack.append((indent, child))
        while len(stack) > 1 and indent < stack[-1][0]:
            stack.pop()
        level, container = stack[-1]
        if indent != level:
            raise _Unsupported
        if content == "-" or content.startswith("- "):
            if not isinstance(container, list):
                raise _Unsupported
            item = content[2:].strip()
            if not item or (item[0] not in "'\"{[" and ": " in item) or item.endswith(":"):
                raise _Unsupported  # nested blocks or mappings in a sequence: not written by pnpm
            container.append(_value(item))
            continue
        if not isinstance(container, dict):
            raise _Unsupported
        key, rest = _key(content)
        if key in container:
            raise _Unsupported  # duplicate keys: let the real loader decide
        if rest:
            container[key] = _value(rest)
        else:
            container[key] = None
            pending = (container, key, indent)
    if started or not docs:
        docs.append(root)
    return docs


def load_yaml_documents(text: str, path: str) -> list[object]:
    """The YAML documents of ``text``: the fast reader for what pnpm writes, PyYAML for anything else."""
    try:
        return fast_load_documents(text)
    except (_Unsupported, IndexError):
        pass
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))  # a safe loader: see _Loader
    except yaml.YAMLError as exc:
        raise ExtractError(f"{path}: not a valid pnpm-lock.yaml: {exc}".replace("\n", " ")) from None
    return [scrub(d) for d in docs] if "\\" in text else docs


def _major(version: object) -> int:
    text = str(version or "").strip().strip("'\"")
    head = text.split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def split_key(key: str, major: int) -> tuple[str, str]:
    """``(name, version)`` of a ``packages`` key, peer suffixes removed; ``("", "")`` when unreadable.

    >>> split_key("/@babel/core/7.0.0_eslint@8.0.0", 5), split_key("/@babel/core@7.0.0(eslint@8.0.0)", 6)
    (('@babel/core', '7.0.0'), ('@babel/core', '7.0.0'))
    >>> split_key("lodash@4.17.21", 9), split_key("registry.example.com/lodash/4.17.21", 5)
    (('lodash', '4.17.21'), ('lodash', '4.17.21'))
    """
    key = key.strip()
    if major and major < 6:
        parts = key.strip("/").split("/")
        if len(parts) < 2:
            return "", ""
        version = parts[-1].split("_", 1)[0]
        name = parts[-2]
        if len(parts) >= 3 and parts[-3].startswith("@"):
            name = f"{parts[-3]}/{name}"
        return name, version
    key = key.lstrip("/").split("(", 1)[0]
    name, sep, version = key.rpartition("@")
    if not sep or not name or name == "@":
        return "", ""
    return name, version


def _checksum(entry: Mapping[str, object]) -> str:
    resolution = entry.get("resolution")
    integrity = resolution.get("integrity") if isinstance(resolution, Mapping) else None
    if not isinstance(integrity, str):
        return ""
    algorithm, _, encoded = integrity.partition("-")
    sizes = {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}
    if algorithm not in sizes:
        return ""
    try:
        digest = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return ""
    return f"{algorithm}:{digest.hex()}" if len(digest) == sizes[algorithm] else ""


def _dependency_map(entry: object, keys: Iterable[str]) -> Iterable[tuple[str, str]]:
    """``(name, version-or-reference)`` pairs of an importer's or a snapshot's dependency maps."""
    if not isinstance(entry, Mapping):
        return
    for key in keys:
        deps = entry.get(key)
        if not isinstance(deps, Mapping):
            continue
        for name, value in deps.items():
            version = value.get("version") if isinstance(value, Mapping) else value
            if isinstance(version, str):
                yield str(name), version


_PROD_KEYS = ("dependencies", "optionalDependencies")


def _v9_dev_keys(doc: Mapping[str, object]) -> set[str]:
    """``name@version`` (no peer suffix) of the v9 packages only development dependencies reach."""
    snapshots = doc.get("snapshots")
    snaps: Mapping[str, object] = snapshots if isinstance(snapshots, Mapping) else {}
    importers = doc.get("importers")
    projects = list(importers.values()) if isinstance(importers, Mapping) else []

    def walk(starts: Iterable[tuple[str, str]], stop: set[str]) -> set[str]:
        seen: set[str] = set()
        queue = deque(f"{n}@{v}" for n, v in starts if not v.startswith(("link:", "workspace:")))
        while queue:
            snap = queue.popleft()
            if snap in seen or snap in stop:
                continue
            seen.add(snap)
            queue.extend(f"{n}@{v}" for n, v in _dependency_map(snaps.get(snap), _PROD_KEYS))
        return seen

    prod = walk((d for p in projects for d in _dependency_map(p, _PROD_KEYS)), set())
    dev = walk((d for p in projects for d in _dependency_map(p, ("devDependencies",))), prod)
    strip = {s.split("(", 1)[0] for s in prod}
    return {s.split("(", 1)[0] for s in dev} - strip


def parse_pnpm_lock(data: bytes, path: str = "pnpm-lock.yaml") -> LockFile:
    """Parse a pnpm-lock.yaml of lockfile version 5, 6 or 9.

    >>> lock = parse_pnpm_lock(b"lockfileVersion: '6.0'\\npackages:\\n  /jquery@3.3.9:\\n    dev: false\\n"
    ...                        b"  /@types/node@20.1.0(x@1.0.0):\\n    dev: true\\n")
    >>> [(p.namespace, p.name, p.version, p.dev) for p in lock.packages]
    [('', 'jquery', '3.3.9', False), ('@types', 'node', '20.1.0', True)]
    """
    docs = [d for d in load_yaml_documents(decode_text(data, path, "pnpm-lock.yaml"), path) if d is not None]
    if not docs or not isinstance(docs[-1], Mapping) or "lockfileVersion" not in docs[-1]:
        raise ExtractError(f"{path}: not a pnpm-lock.yaml (no lockfileVersion)")
    doc: Mapping[str, object] = docs[-1]
    major = _major(doc.get("lockfileVersion"))
    raw_packages = doc.get("packages") or {}
    if not isinstance(raw_packages, Mapping):
        raise ExtractError(f"{path}: not a pnpm-lock.yaml ('packages' is not a map)")
    dev_keys = _v9_dev_keys(doc) if major >= 9 else set()
    packages: list[LockedPackage] = []
    for key, value in raw_packages.items():
        entry: Mapping[str, object] = value if isinstance(value, Mapping) else {}
        name, version = split_key(str(key), major)
        own_name, own_version = entry.get("name"), entry.get("version")
        if isinstance(own_name, str) and own_name:
            name = own_name
        if isinstance(own_version, str) and own_version:
            version = own_version
        if not name or not version[:1].isdigit():
            continue
        scope, _, bare = name.rpartition("/") if name.startswith("@") else ("", "", name)
        dev = str(key).split("(", 1)[0] in dev_keys if major >= 9 else entry.get("dev") is True
        packages.append(LockedPackage(name=bare, version=version, namespace=scope, dev=dev, checksum=_checksum(entry)))
    return LockFile(tuple(packages))


class PnpmLockExtractor(LockfileExtractor):
    """Packages pinned by ``pnpm-lock.yaml``."""

    NAME = NAME
    VERSION = VERSION
    TYPE = PackageType.NPM
    FILENAMES = frozenset({"pnpm-lock.yaml"})

    def parse(self, data: bytes, path: str) -> LockFile:
        return parse_pnpm_lock(data, path)
