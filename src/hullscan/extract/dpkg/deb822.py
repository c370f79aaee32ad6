"""Reading dpkg's text files: decoding, deb822 paragraphs and the fields a parser wants from them.

``status``, ``status.d/*`` and ``available`` are deb822 (https://www.debian.org/doc/debian-policy/ch-controlfields.html)
and share the paragraph split and the field lookup, each parser with its own table from :func:`_field_table`; file
lists, md5sums and copyright files share only the decoding (:func:`_text_file`). Everything here is private to the
package.
"""

from __future__ import annotations

from collections.abc import Iterable

from hullscan.extract.base import ExtractError


def _decode(data: bytes) -> str:
    # Status files are UTF-8; an odd Latin-1 Maintainer must not cost the package (and msgspec cannot encode
    # lone surrogates, so no surrogateescape).
    text = data.decode("utf-8", "replace")
    return text.replace("\r\n", "\n") if "\r" in text else text


def _paragraphs(text: str) -> list[str]:
    """Paragraphs separated by empty lines (dpkg's rule: only a truly empty line ends one)."""
    return [p for p in text.split("\n\n") if p and not p.isspace()]


def _field_table(wanted: Iterable[str], unwanted: Iterable[str] = ()) -> dict[str, str]:
    """Field name -> canonical wanted name, or ``""`` for a field we skip.

    Names match case-insensitively (Policy 5.1); dpkg writes them capitalised as listed, so the exact spelling
    is looked up first and the common unwanted names are listed to spare a ``lower()`` per line.
    """
    table = dict.fromkeys(unwanted, "")
    table.update({n: n for n in wanted})
    table.update({n.lower(): n for n in wanted})
    return table


_COMMON_FIELDS = (
    "Essential",
    "Priority",
    "Section",
    "Installed-Size",
    "Multi-Arch",
    "Replaces",
    "Provides",
    "Recommends",
    "Suggests",
    "Enhances",
    "Breaks",
    "Conflicts",
    "Conffiles",
    "Description",
    "Homepage",
    "Original-Maintainer",
    "Built-Using",
    "Protected",
    "Config-Version",
)


def _fields(paragraph: str, table: dict[str, str]) -> dict[str, str] | None:
    """The wanted fields of one paragraph (first lines only: none of them spans lines), ``None`` if damaged.

    Damaged: a NUL byte, a line that is neither ``Name: value`` nor a continuation (leading blank), a
    continuation before any field, or a wanted field given twice (two paragraphs run together).
    """
    paragraph = paragraph.lstrip("\n")  # after more than one empty line
    if "\x00" in paragraph or paragraph[:1] in " \t":
        return None
    out: dict[str, str] = {}
    get = table.get
    for line in paragraph.split("\n"):
        if line[:1] in " \t":
            continue  # a continuation line (or the empty tail after a final newline): no field of ours
        key, sep, value = line.partition(":")
        if not sep or not key or " " in key or "\t" in key:
            return None
        name = get(key)
        if name is None:
            name = get(key.lower())
        if name:
            if name in out:
                return None
            out[name] = value.strip()
    return out


def _text_file(data: bytes) -> str:
    if b"\x00" in data:
        raise ExtractError("binary content where a text file was expected")
    return _decode(data)
