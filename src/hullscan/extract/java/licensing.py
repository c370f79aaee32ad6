"""Where an archive states its licences: the embedded pom.xml, manifest headers and a ``LICENSE`` file.

Licences, first source wins, as Trivy: ``<licenses>`` of the embedded ``META-INF/maven/<g>/<a>/pom.xml`` for
that artifact; then, for an archive's single artifact, the manifest's Jenkins ``Plugin-License-Name*`` headers or
its OSGi ``Bundle-License`` (entries that are SPDX ids or licence URLs only); then the one ``LICENSE`` file at the
archive root or in ``META-INF`` (two such files: whose is which is unknown, so none), recognised by the opening
of a few common licence texts. The order is applied by the walk (:mod:`.archive`).

Reading pom.xml and manifest headers stays here, with the Java formats; the name, URL and licence-text tables and
their readers (license_name_id, license_ids, classify_license_file...) live in :mod:`hullscan.extract.licenses`,
shared by every ecosystem, and the package re-exports the two the tests use.
"""

from __future__ import annotations

import re

from hullscan.extract.java.model import _SUFFIXES
from hullscan.extract.licenses import license_name_id, license_url_id

_PLUGIN_LICENSE = re.compile(r"plugin-license-name(?:-\d+)?")
_XML_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_LICENSES_BLOCK = re.compile(r"<licenses\s*>(.*?)</licenses\s*>", re.DOTALL)
_LICENSE_BLOCK = re.compile(r"<license\s*>(.*?)</license\s*>", re.DOTALL)
_XML_NAME = re.compile(r"<name\s*>(.*?)</name\s*>", re.DOTALL)
_XML_URL = re.compile(r"<url\s*>(.*?)</url\s*>", re.DOTALL)
_XML_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);")
_XML_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)


def _xml_text(raw: str) -> str:
    def entity(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("#"):
            try:
                return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
            except (ValueError, OverflowError):
                return ""
        return _XML_ENTITIES[name]

    text = _CDATA.sub(lambda m: m.group(1), raw)
    return " ".join(_XML_ENTITY.sub(entity, text).split())


def parse_pom_licenses(data: bytes) -> tuple[str, ...]:
    """The ``<licenses>`` of a pom.xml: each licence's ``<name>`` as written, else its ``<url>`` as an SPDX id.

    Only this block is wanted, so the document is scanned, not parsed: no entity expansion, no DTDs.

    >>> parse_pom_licenses(b"<project><licenses><license><name>Apache 2.0</name></license></licenses></project>")
    ('Apache 2.0',)
    """
    data = _XML_COMMENT.sub(b"", data)
    encoding = "utf-8"
    if declared := _XML_ENCODING.search(data[:200]):
        encoding = declared.group(1).decode("ascii").lower()
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    block = _LICENSES_BLOCK.search(text)
    if block is None:
        return ()
    names: list[str] = []
    for lic in _LICENSE_BLOCK.finditer(block.group(1)):
        name = m.group(1) if (m := _XML_NAME.search(lic.group(1))) else ""
        name = _xml_text(name)
        if not name:
            url = _xml_text(m.group(1)) if (m := _XML_URL.search(lic.group(1))) else ""
            name = license_url_id(url) or ""
        if name:
            names.append(name)
    return tuple(names)


def _split_unquoted(text: str, sep: str) -> list[str]:
    """Split an OSGi header at ``sep`` outside double quotes (a backslash escapes inside them)."""
    fields: list[str] = []
    quoted = escaped = False
    start = 0
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            fields.append(text[start:i])
            start = i + 1
    fields.append(text[start:])
    return fields


def bundle_license_ids(header: str) -> tuple[str, ...]:
    """The OSGi ``Bundle-License`` header's licences that are SPDX ids or licence URLs (the ``link`` attribute
    included); free text and ``<<EXTERNAL>>`` are skipped
    (https://docs.osgi.org/specification/osgi.core/8.0.0/framework.module.html#framework.module-bundle-license).

    >>> bundle_license_ids('Apache-2.0;link="https://www.apache.org/licenses/LICENSE-2.0", "see LICENSE"')
    ('Apache-2.0',)
    """
    out: list[str] = []
    for entry in _split_unquoted(header, ","):
        parts = _split_unquoted(entry, ";")
        name = parts[0].strip().strip('"').strip()
        link = ""
        for attr in parts[1:]:
            key, sep, value = attr.partition("=")
            if sep and key.strip() == "link":
                link = value.strip().strip('"').strip()
        found = license_name_id(name) if name and name != "<<EXTERNAL>>" else None
        if found is None and link:
            found = license_url_id(link)
        if found:
            out.append(found)
    return tuple(dict.fromkeys(out))


def manifest_license_names(headers: dict[str, str]) -> tuple[str, ...]:
    """Jenkins ``Plugin-License-Name``, ``Plugin-License-Name-2``... as written; else ``Bundle-License`` ids."""
    names = [value for key, value in headers.items() if _PLUGIN_LICENSE.fullmatch(key)]
    if names:
        return tuple(names)
    return bundle_license_ids(headers.get("bundle-license", ""))


_LICENSE_FILE_STEMS = frozenset({"license", "licence", "licenses", "licences", "copying", "copyright", "unlicense"})


def _is_license_file(name: str) -> bool:
    """A licence file at the archive root or directly in ``META-INF`` (``LICENSE``, ``META-INF/LICENSE.txt``)."""
    directory, _, base = name.rpartition("/")
    if directory not in ("", "META-INF"):
        return False
    stem = base.rsplit(".", 1)[0] if "." in base[1:] else base
    return stem.lower() in _LICENSE_FILE_STEMS and base[-4:].lower() not in _SUFFIXES
