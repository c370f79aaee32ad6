"""A streaming reader of OVAL 5 definition files (https://oval.mitre.org/language/version5.11/), shared by the
Debian, Ubuntu, Red Hat and Rocky importers.

OVAL lists definitions first and the tests, objects, states and variables they point to afterwards, so the
reader keeps a compact summary of each definition (metadata and the test references of its criteria) and of
each package test, object, state and constant variable, clearing every element as soon as it is read: memory
stays proportional to the number of definitions, never to the document (``iterparse``, no DOM).

Only package version tests are resolved (``dpkginfo_test``, ``rpminfo_test``): a package name (direct or
through a ``constant_variable``) with an ``evr`` state of operation ``less than``. Red Hat's module criteria
(``Module nodejs:18 is enabled``) are carried to the package tests they are ANDed with.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # expat >= 2.4 bounds entity expansion; external entities are never fetched
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

_MODULE = re.compile(r"^Module (\S+) is enabled")
_PACKAGE_TESTS = frozenset({"dpkginfo_test", "rpminfo_test"})
_PACKAGE_OBJECTS = frozenset({"dpkginfo_object", "rpminfo_object"})
_PACKAGE_STATES = frozenset({"dpkginfo_state", "rpminfo_state"})
_CONTAINERS = frozenset({"definitions", "tests", "objects", "states", "variables"})
_ITEM_SUFFIXES = ("_test", "_object", "_state", "_variable")


@dataclass(slots=True)
class OvalCve:
    id: str
    attrs: dict[str, str]


@dataclass(slots=True)
class OvalPackage:
    """One resolved package test: ``name`` is affected before ``evr``."""

    name: str
    evr: str
    module: str = ""
    comment: str = ""
    """The state's comment (Ubuntu: ``Available with Ubuntu Pro``)."""


@dataclass(slots=True)
class OvalDefinition:
    id: str
    cls: str
    title: str = ""
    description: str = ""
    references: list[tuple[str, str, str]] = field(default_factory=list)
    """(source, ref_id, ref_url)."""
    platforms: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    severity: str = ""
    issued: str = ""
    updated: str = ""
    cves: list[OvalCve] = field(default_factory=list)
    test_refs: list[tuple[str, str]] = field(default_factory=list)
    """(test id, module) of every criterion."""
    packages: list[OvalPackage] = field(default_factory=list)


_LOCAL: dict[str, str] = {}


def _local(tag: str) -> str:
    """``{namespace}name`` -> ``name`` (memoised: a document uses a few dozen distinct tags, millions of times)."""
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rpartition("}")[2]
    return name


def _child(elem: ET.Element, name: str) -> ET.Element | None:
    for child in elem:
        if _local(child.tag) == name:
            return child
    return None


def _walk_criteria(elem: ET.Element, module: str, out: list[tuple[str, str]]) -> None:
    children = list(elem)
    for child in children:
        if _local(child.tag) == "criterion":
            match = _MODULE.match(child.get("comment", ""))
            if match:
                module = match.group(1)
    for child in children:
        tag = _local(child.tag)
        if tag == "criterion":
            if not _MODULE.match(child.get("comment", "")):
                out.append((child.get("test_ref", ""), module))
        elif tag == "criteria":
            _walk_criteria(child, module, out)


def _definition(elem: ET.Element) -> OvalDefinition:
    d = OvalDefinition(id=elem.get("id", ""), cls=elem.get("class", ""))
    metadata = _child(elem, "metadata")
    if metadata is not None:
        for item in metadata:
            tag = _local(item.tag)
            if tag == "title":
                d.title = (item.text or "").strip()
            elif tag == "description":
                d.description = (item.text or "").strip()
            elif tag == "reference":
                d.references.append((item.get("source", ""), item.get("ref_id", ""), item.get("ref_url", "")))
            elif tag == "affected":
                for sub in item:
                    if _local(sub.tag) == "platform" and sub.text:
                        d.platforms.append(sub.text.strip())
                    elif _local(sub.tag) == "product" and sub.text:
                        d.products.append(sub.text.strip())
            elif tag == "advisory":
                for sub in item:
                    subtag = _local(sub.tag)
                    if subtag == "severity":
                        d.severity = (sub.text or "").strip()
                    elif subtag == "issued":
                        d.issued = sub.get("date", "")
                    elif subtag == "updated":
                        d.updated = sub.get("date", "")
                    elif subtag == "cve":
                        d.cves.append(OvalCve((sub.text or "").strip(), dict(sub.attrib)))
    criteria = _child(elem, "criteria")
    if criteria is not None:
        _walk_criteria(criteria, "", d.test_refs)
    return d


def iter_definitions(stream: BinaryIO) -> Iterator[OvalDefinition]:
    """Every definition of an OVAL document, with its package tests resolved."""
    definitions: list[OvalDefinition] = []
    tests: dict[str, tuple[str, str]] = {}
    objects: dict[str, tuple[str, str]] = {}  # id -> (name, var_ref)
    states: dict[str, tuple[str, str]] = {}  # id -> (evr, comment), only "less than"
    variables: dict[str, list[str]] = {}
    container: ET.Element | None = None
    for event, elem in ET.iterparse(stream, events=("start", "end")):  # noqa: S314 - see the import
        tag = _local(elem.tag)
        if event == "start":
            if tag in _CONTAINERS:
                container = elem
            continue
        if tag == "definition":
            definitions.append(_definition(elem))
        elif tag in _PACKAGE_TESTS:
            obj, state = _child(elem, "object"), _child(elem, "state")
            if obj is not None and state is not None:
                tests[elem.get("id", "")] = (obj.get("object_ref", ""), state.get("state_ref", ""))
        elif tag in _PACKAGE_OBJECTS:
            name = _child(elem, "name")
            if name is not None:
                objects[elem.get("id", "")] = ((name.text or "").strip(), name.get("var_ref", ""))
        elif tag in _PACKAGE_STATES:
            evr = _child(elem, "evr")
            if evr is not None and evr.get("operation", "equals") == "less than":
                states[elem.get("id", "")] = ((evr.text or "").strip(), elem.get("comment", ""))
        elif tag == "constant_variable":
            variables[elem.get("id", "")] = [(v.text or "").strip() for v in elem if _local(v.tag) == "value"]
        if container is not None and (tag == "definition" or tag.endswith(_ITEM_SUFFIXES)):
            # Items are direct children of their container: drop each once read, so no tree builds up.
            del container[:]
    for d in definitions:
        for test_ref, module in d.test_refs:
            test = tests.get(test_ref)
            if test is None:
                continue
            target, condition = objects.get(test[0]), states.get(test[1])
            if target is None or condition is None:
                continue
            names = [target[0]] if target[0] else variables.get(target[1], [])
            for package in names:
                d.packages.append(OvalPackage(package, condition[0], module, condition[1]))
        yield d
