"""Strict YAML: plain data whose every value remembers where it was written.

PyYAML composes the node tree (safe loader, no Python tags); we build the
values ourselves so that duplicate keys, aliases (billion laughs), tags and
YAML 1.1 surprises (``yes`` as a boolean) are errors with file, line and
column instead of silent rewrites.

>>> doc = loads("a: 1\\nb: [x, 2.5]\\n", "demo.yaml")
>>> doc["b"][0], doc.loc_of("b").line, doc["b"].loc_of(0).column
('x', 2, 5)
"""

from __future__ import annotations

import yaml

from symxai.errors import Location, Problem, SpecError
from symxai.specs.limits import MAX_SPEC_CHARS, MAX_YAML_DEPTH

_BOOLS = {"true": True, "false": False, "True": True, "False": False}


class Node:
    """Mixin: the location of a mapping or sequence and of its entries."""

    loc: Location
    _locs: dict

    def loc_of(self, key) -> Location:
        """Location of the value under ``key`` (or the container itself)."""
        return self._locs.get(key, self.loc)

    def key_loc(self, key) -> Location:
        """Location of the key ``key`` itself (mappings only)."""
        return getattr(self, "_key_locs", {}).get(key, self.loc)


class Map(Node, dict):
    """A YAML mapping: a dict with ``loc``, ``loc_of(key)`` and ``key_loc(key)``."""


class Seq(Node, list):
    """A YAML sequence: a list with ``loc`` and ``loc_of(index)``."""


class Str(str):
    """A YAML string that remembers its location in ``loc``."""

    loc: Location


def _loc(file: str, mark) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, file: str, text: str):
        self.file = file
        self.lines = text.splitlines()
        self.problems: list[Problem] = []
        self.tagged: set[Location] = set()

    def problem(self, loc: Location, message: str) -> None:
        line = self.lines[loc.line - 1] if 0 < loc.line <= len(self.lines) else ""
        self.problems.append(Problem(loc, message, line))

    def build(self, node):
        loc = _loc(self.file, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            out = Map()
            out.loc, out._locs, out._key_locs = loc, {}, {}
            for key_node, value_node in node.value:
                key_loc = _loc(self.file, key_node.start_mark)
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problem(key_loc, "a key must be a plain name")
                    continue
                key = key_node.value
                if key == "<<":
                    self.problem(key_loc, "merge keys ('<<') are not allowed")
                    continue
                if key in out:
                    first = out._key_locs[key]
                    self.problem(key_loc, f"duplicate key '{key}' (first given at line {first.line})")
                    continue
                out[key] = self.build(value_node)
                out._key_locs[key] = key_loc
                out._locs[key] = _loc(self.file, value_node.start_mark)
            return out
        if isinstance(node, yaml.SequenceNode):
            out = Seq()
            out.loc, out._locs = loc, {}
            for i, item in enumerate(node.value):
                out.append(self.build(item))
                out._locs[i] = _loc(self.file, item.start_mark)
            return out
        return self.scalar(node, loc)

    def scalar(self, node, loc):
        tag, value = node.tag, node.value
        if node.style:  # quoted or block scalar: always a string (plain is None, or '' from libyaml)
            s = Str(value)
            s.loc = loc
            return s
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            if value in _BOOLS:
                return _BOOLS[value]
            self.problem(loc, f"'{value}' is ambiguous: write true or false, or quote it")
            return None
        if tag == "tag:yaml.org,2002:int":
            try:
                return int(value, 10)
            except ValueError:
                self.problem(loc, f"'{value}': write integers in decimal")
                return None
        if tag == "tag:yaml.org,2002:float":
            # Kept as text: exact rationals are made from it by the expression parser.
            s = Str(value)
            s.loc = loc
            return s
        if tag != "tag:yaml.org,2002:str":
            if loc not in self.tagged:  # an explicit tag is reported once, by loads
                self.problem(loc, f"YAML tag '{tag}' is not allowed")
            return None
        s = Str(value)
        s.loc = loc
        return s


def _compose_node(self, parent, index):
    """Composer.compose_node, refusing anchors, aliases and deep nesting, and collecting tags
    (every one is reported by ``loads``)."""
    if self.check_event(yaml.AliasEvent):
        event = self.peek_event()
        raise yaml.MarkedYAMLError(None, None, "aliases ('*name') are not allowed", event.start_mark)
    event = self.peek_event()
    if getattr(event, "anchor", None):
        raise yaml.MarkedYAMLError(None, None, "anchors ('&name') are not allowed", event.start_mark)
    if getattr(event, "tag", None) is not None:
        self.tags.append((event.tag, event.start_mark))
    self.depth += 1
    try:
        if self.depth > MAX_YAML_DEPTH:
            raise yaml.MarkedYAMLError(None, None, f"nesting deeper than {MAX_YAML_DEPTH} levels "
                                       "(see docs/spec.md#limits)", event.start_mark)
        return yaml.composer.Composer.compose_node(self, parent, index)
    finally:
        self.depth -= 1


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases and deep nesting while composing (pure Python)."""

    compose_node = _compose_node

    def __init__(self, stream):
        super().__init__(stream)
        self.depth, self.tags = 0, []


try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML built without libyaml
    CParser = None

if CParser is not None:
    class _StrictCLoader(yaml.composer.Composer, CParser, yaml.resolver.Resolver):
        """libyaml's C scanner and parser (about 9x faster), our Python composer on its events:
        the same nodes, marks and refusals as _StrictLoader."""

        compose_node = _compose_node

        def __init__(self, stream):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self.depth, self.tags = 0, []

    LOADER = _StrictCLoader
else:
    LOADER = _StrictLoader


def _bad_characters(text: str, file: str, lines: list[str]) -> list[Problem]:
    """A located problem for each line holding a control character YAML refuses (NUL, ESC...)."""
    out = []
    for m in _CONTROL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if out and out[-1].location.line == line:
            continue
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        shown = lines[line - 1].translate(_VISIBLE) if line <= len(lines) else ""
        out.append(Problem(Location(file, line, column),
                           f"character U+{ord(m.group()):04X} is not allowed in a spec (a control character)", shown))
        if len(out) >= 20:
            break
    return out


# Every C0/C1 control character except tab, newline, carriage return and NEL, plus the
# non-characters YAML refuses; a BOM only at the very start.
_CONTROL = __import__("re").compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]|(?<!^)\ufeff")
_VISIBLE = {c: "?" for c in [*range(0, 9), 11, 12, *range(14, 32), 127]}


def loads(text: str, file: str = "<string>"):
    """Parse YAML text into Map/Seq/Str/int/bool/None; raise SpecError on any problem.

    >>> loads("a: !!map {b: 1}\\n", "t.yaml")
    Traceback (most recent call last):
    ...
    symxai.errors.SpecError: t.yaml:1:4: YAML tag '!!map' is not allowed (tags are refused everywhere)
        a: !!map {b: 1}
           ^
    """
    if len(text) > MAX_SPEC_CHARS:
        raise SpecError([Problem(Location(file), f"the file has {len(text)} characters; a spec has at most "
                                 f"{MAX_SPEC_CHARS} (see docs/spec.md#limits)")])
    lines = text.splitlines()
    bad = _bad_characters(text, file, lines)
    if bad:
        raise SpecError(bad)
    loader = LOADER(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _loc(file, mark) if mark else Location(file)
        line = lines[loc.line - 1] if mark and 0 < loc.line <= len(lines) else ""
        raise SpecError([Problem(loc, f"invalid YAML: {exc.problem or exc.context}", line)]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(Location(file), f"invalid YAML: {str(exc).splitlines()[0][:200]}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise SpecError([Problem(Location(file), "the file is empty")])
    builder = _Builder(file, text)
    for tag, mark in loader.tags:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        builder.tagged.add(_loc(file, mark))
        builder.problem(_loc(file, mark), f"YAML tag '{shown}' is not allowed (tags are refused everywhere)")
    data = builder.build(node)
    if builder.problems:
        raise SpecError(builder.problems)
    return data
