"""JSON and YAML loading that remembers where each object starts, so a malformed entry can be named by line.

Every JSON object / YAML mapping comes back as a :class:`Located` (a ``dict`` with a ``line``, 1-based; YAML
mappings also know the line of each key). Syntax errors become :class:`LocatedError` with the line.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from bisect import bisect_right
from collections.abc import Callable
from typing import Any


class Located(dict[str, Any]):
    """A JSON object or YAML mapping, with the line it starts on."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of ``key`` (YAML), else the line of the object."""
        lines = getattr(self, "key_lines", None)
        return lines.get(key, self.line) if lines else self.line


class LocatedError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_JSONObject: Callable[..., tuple[dict[str, Any], int]] = vars(json.decoder)["JSONObject"]
_py_make_scanner: Callable[[Any], Callable[[str, int], tuple[Any, int]]] = vars(json.scanner)["py_make_scanner"]


class _Decoder(json.JSONDecoder):
    """A decoder whose objects are :class:`Located`. It uses the pure-Python scanner, which calls back into
    ``parse_object`` (the C one would not)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        newlines = [m.start() for m in re.finditer("\n", text)]

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Located, int]:
            start = s_and_end[1]
            obj, end = _JSONObject(s_and_end, *args)
            located = Located(obj)
            located.line = bisect_right(newlines, start - 1) + 1
            return located, end

        self.__dict__["parse_object"] = parse_object
        self.__dict__["scan_once"] = _py_make_scanner(self)


def load_json(text: str) -> Any:
    """Parse ``text`` as JSON; objects become :class:`Located`. ``LocatedError`` on a syntax error."""
    try:
        return _Decoder(text).decode(text)
    except json.JSONDecodeError as exc:
        raise LocatedError(exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise LocatedError(1, "not valid JSON: nested too deeply") from None


def load_yaml(text: str) -> Any:
    """Parse ``text`` as YAML (safe subset); mappings become :class:`Located`. ``LocatedError`` on a syntax
    error."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Located:
        located = Located({str(k): v for k, v in loader.construct_mapping(node, deep=True).items()})
        located.line = node.start_mark.line + 1
        located.key_lines = {
            str(k.value): k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)
        }
        return located

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise LocatedError(line, f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise LocatedError(1, f"not valid YAML: {exc}") from None
