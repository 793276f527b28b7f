"""A small schema language for specs: validates located YAML and emits JSON Schema.

One description serves both the loader (every problem collected, each with
file, line and column) and editors (``symxai schema`` writes the JSON Schema).

>>> from symxai.specs.yamlload import loads
>>> rec = Record({"id": Field(Name(), required=True), "points": Field(Int(minimum=0))})
>>> problems = []
>>> rec.check(loads("id: a\\npoints: -1\\nextra: 2\\n", "s.yaml"), problems)
>>> [p.message for p in problems]
["unknown key 'extra' (expected one of: id, points)", 'expected an integer >= 0, got -1']
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from symxai.errors import Location, Problem
from symxai.specs.limits import MAX_ID_CHARS
from symxai.specs.yamlload import Map, Seq, Str

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*\Z")  # \Z, not $: "a\n" is no name
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\Z")


def _where(value, fallback: Location) -> Location:
    return getattr(value, "loc", None) or fallback


def _type_name(value) -> str:
    if isinstance(value, Map):
        return "a mapping"
    if isinstance(value, Seq):
        return "a list"
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        text = str(value)
        return repr(text if len(text) <= 60 else text[:40] + "...") + (f" ({len(text)} characters)" if len(text) > 60 else "")
    text = repr(value)
    return text if len(text) <= 60 else text[:40] + "..."


class Type(ABC):
    """Base: ``check`` appends Problems; ``json`` returns a JSON Schema fragment."""

    @abstractmethod
    def check(self, value, problems: list[Problem], loc: Location | None = None) -> None:
        """Append a Problem for every way ``value`` breaks this type."""

    @abstractmethod
    def json(self) -> dict:
        """The JSON Schema fragment for this type."""

    def fail(self, problems, value, loc, expected: str) -> None:
        problems.append(Problem(_where(value, loc), f"expected {expected}, got {_type_name(value)}"))


class Anything(Type):
    """Any value; checked later by a more specific schema (a method's parameters)."""

    def check(self, value, problems, loc=None):
        return None

    def json(self):
        return {}


class Text(Type):
    """Any string (prose, LaTeX)."""

    def check(self, value, problems, loc=None):
        if not isinstance(value, str):
            self.fail(problems, value, loc, "text")

    def json(self):
        return {"type": "string"}


class Name(Type):
    """An identifier: a letter, then letters, digits or underscores (ids may use '-')."""

    def __init__(self, ident: bool = False):
        self.pattern = _ID if ident else _NAME

    def check(self, value, problems, loc=None):
        what = "an id (letters, digits, '-', '_')" if self.pattern is _ID else "a name (letters, digits, '_')"
        if not isinstance(value, str) or not self.pattern.match(value):
            self.fail(problems, value, loc, what)
        elif len(value) > MAX_ID_CHARS:
            self.fail(problems, value, loc, f"{what[:-1]}, at most {MAX_ID_CHARS} characters; see docs/spec.md#limits)")

    def json(self):
        return {"type": "string", "pattern": self.pattern.pattern.replace("\\Z", "$"), "maxLength": MAX_ID_CHARS}


class Expr(Type):
    """An expression in symxai's math syntax, or a number."""

    def check(self, value, problems, loc=None):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.fail(problems, value, loc, "an expression or a number")

    def json(self):
        return {"type": ["string", "number"]}


class Int(Type):
    def __init__(self, minimum: int | None = None, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def check(self, value, problems, loc=None):
        if self.minimum is not None and self.maximum is not None:
            bounds = f" from {self.minimum} to {self.maximum}"
        elif self.minimum is not None:
            bounds = f" >= {self.minimum}"
        else:
            bounds = f" <= {self.maximum}" if self.maximum is not None else ""
        ok = isinstance(value, int) and not isinstance(value, bool)
        if ok and self.minimum is not None and value < self.minimum:
            ok = False
        if ok and self.maximum is not None and value > self.maximum:
            ok = False
        if not ok:
            self.fail(problems, value, loc, "an integer" + bounds)

    def json(self):
        out = {"type": "integer"}
        if self.minimum is not None:
            out["minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out


class Bool(Type):
    def check(self, value, problems, loc=None):
        if not isinstance(value, bool):
            self.fail(problems, value, loc, "true or false")

    def json(self):
        return {"type": "boolean"}


class Choice(Type):
    def __init__(self, *values: str):
        self.values = values

    def check(self, value, problems, loc=None):
        if value not in self.values:
            self.fail(problems, value, loc, "one of " + ", ".join(self.values))

    def json(self):
        return {"enum": list(self.values)}


class ListOf(Type):
    def __init__(self, item: Type, min_items: int = 0, max_items: int | None = None):
        self.item, self.min_items, self.max_items = item, min_items, max_items

    def check(self, value, problems, loc=None):
        if not isinstance(value, Seq):
            self.fail(problems, value, loc, "a list")
            return
        if len(value) < self.min_items:
            problems.append(Problem(value.loc, f"expected at least {self.min_items} item(s), got {len(value)}"))
        if self.max_items is not None and len(value) > self.max_items:
            problems.append(Problem(value.loc, f"expected at most {self.max_items} item(s), got {len(value)}"))
        for i, item in enumerate(value):
            self.item.check(item, problems, value.loc_of(i))

    def json(self):
        out = {"type": "array", "items": self.item.json()}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.max_items is not None:
            out["maxItems"] = self.max_items
        return out


class AnyOf(Type):
    """The first alternative whose check passes wins; otherwise its problems are reported."""

    def __init__(self, *options: Type, expected: str = ""):
        self.options, self.expected = options, expected

    def check(self, value, problems, loc=None):
        attempts = []
        for option in self.options:
            found: list[Problem] = []
            option.check(value, found, loc)
            if not found:
                return
            attempts.append(found)
        same_kind = [a for o, a in zip(self.options, attempts) if _kind(o) == _kind(value)]
        if len(same_kind) == 1 and _kind(value) in ("mapping", "list"):
            problems.extend(same_kind[0])  # the one option of this kind says what is wrong inside it
        elif self.expected:
            self.fail(problems, value, loc, self.expected)
        else:
            problems.extend(min(attempts, key=len))

    def json(self):
        return {"anyOf": [o.json() for o in self.options]}


def _kind(x) -> str:
    """'mapping', 'list' or 'scalar', for a schema type or a value."""
    if isinstance(x, (Map, MapOf, Record)):
        return "mapping"
    if isinstance(x, (Seq, ListOf)):
        return "list"
    return "scalar"


class MapOf(Type):
    """A mapping with free keys (names) and values of one type."""

    def __init__(self, value: Type, key: Type | None = None):
        self.value, self.key = value, key or Name()

    def check(self, value, problems, loc=None):
        if not isinstance(value, Map):
            self.fail(problems, value, loc, "a mapping")
            return
        for k, v in value.items():
            self.key.check(Str(k), problems, value.key_loc(k))
            self.value.check(v, problems, value.loc_of(k))

    def json(self):
        return {"type": "object", "additionalProperties": self.value.json()}


@dataclass
class Field:
    type: Type
    required: bool = False
    doc: str = ""


@dataclass
class Record(Type):
    """A mapping with known keys; unknown keys and missing required keys are errors."""

    fields: dict[str, Field] = field(default_factory=dict)
    doc: str = ""

    def check(self, value, problems, loc=None):
        if not isinstance(value, Map):
            self.fail(problems, value, loc, "a mapping")
            return
        for key in value:
            if key not in self.fields:
                allowed = ", ".join(self.fields)
                problems.append(Problem(value.key_loc(key), f"unknown key '{key}' (expected one of: {allowed})"))
        for name, f in self.fields.items():
            if name in value:
                f.type.check(value[name], problems, value.loc_of(name))
            elif f.required:
                problems.append(Problem(value.loc, f"missing required key '{name}'"))

    def json(self):
        out = {
            "type": "object",
            "additionalProperties": False,
            "properties": {n: {**f.type.json(), **({"description": f.doc} if f.doc else {})} for n, f in self.fields.items()},
        }
        required = [n for n, f in self.fields.items() if f.required]
        if required:
            out["required"] = required
        if self.doc:
            out["description"] = self.doc
        return out
