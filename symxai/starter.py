"""``symxai new METHOD``: a commented starter spec that validates and builds.

The spec is put together from the method registry and its parameter schema,
so a newly registered method is covered without changes here: every
parameter is listed with its type, whether it is required, and its meaning
(with the default, where the schema's text names one); the parameters the
example sets carry values, the others are commented out.  The example values
come from ``symxai/starters/METHOD.yaml`` (hand-written, minimal); a method
without one falls back to its first exercise in the repository's problems/.

>>> text = starter_text("shapley")
>>> "method: shapley" in text and "# baseline" not in text and "#  prefix:" not in text
True
"""

from __future__ import annotations

from pathlib import Path

import yaml

from symxai import methods
from symxai.errors import UsageError
from symxai.specs.yamlload import Map, loads

STARTERS = Path(__file__).parent / "starters"
PROBLEMS = Path(__file__).parent.parent / "problems"


def example(name: str) -> Map | None:
    """The example exercise of method ``name`` (symbols, statement, params ...), or None."""
    own = STARTERS / f"{name}.yaml"
    if own.is_file():
        return loads(own.read_text(encoding="utf-8"), str(own))
    for path in sorted(PROBLEMS.glob("*.yaml")) if PROBLEMS.is_dir() else []:
        data = loads(path.read_text(encoding="utf-8"), str(path))
        for ex in data.get("exercises") or []:
            if ex.get("method") == name:
                return ex
    return None


_KEPT = ("title", "symbols", "statement", "params", "names", "parts", "discussion")


def example_yaml(name: str) -> str | None:
    """The example of method ``name`` as YAML text (the keys of an exercise but id and method):
    the hand-written file as written, or the problems/ exercise's keys re-dumped."""
    own = STARTERS / f"{name}.yaml"
    if own.is_file():
        return own.read_text(encoding="utf-8")
    ex = example(name)
    if ex is None:
        return None
    return yaml.safe_dump({k: _plain(ex[k]) for k in _KEPT if k in ex}, default_flow_style=None, width=100,
                          sort_keys=False, allow_unicode=True)


def _flow(value) -> str:
    """A value as one line of YAML flow style."""
    text = yaml.safe_dump(_plain(value), default_flow_style=True, width=10**6, allow_unicode=True).strip()
    return text[:-4].rstrip() if text.endswith("\n...") else text


def _nested(value) -> bool:
    """A list of mappings, or a mapping holding lists or mappings: written in block style."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return any(isinstance(v, dict) for v in items) or (isinstance(value, dict) and
                                                       any(isinstance(v, list) and v and isinstance(v[0], list) for v in items))


def _block_value(value, indent: str) -> list[str]:
    text = yaml.safe_dump(_plain(value), default_flow_style=None, width=100, sort_keys=False, allow_unicode=True)
    return [indent + line for line in text.rstrip().splitlines()]


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value if isinstance(value, (bool, int, float)) or value is None else str(value)


def _block(text: str, indent: str) -> str:
    return "|\n" + "".join(f"{indent}{line}\n" if line.strip() else "\n" for line in str(text).rstrip().splitlines())


def parameter_lines(name: str, given: dict, indent: str = "      ") -> list[str]:
    """One line per parameter of method ``name``: ``key: value  # type; meaning`` for those in
    ``given``, commented out for the others."""
    from symxai.specs.schema_json import _type_text

    schema = methods.get(name).params.json()
    required = set(schema.get("required", []))
    out = []
    for key, prop in schema.get("properties", {}).items():
        doc = prop.get("description", "")
        note = _type_text(prop).replace("\\|", "|").replace("`", "") + \
            ("; required" if key in required else "; optional") + (f": {doc}" if doc else "")
        if key in given and _nested(given[key]):
            out += [f"{indent}# {key}: {note}", f"{indent}{key}:"] + _block_value(given[key], indent + "  ")
        elif key in given:
            out.append(f"{indent}{key}: {_flow(given[key])}   # {note}")
        else:
            out.append(f"{indent}# {key}: ...   # {note}")
    extra = [k for k in given if k not in schema.get("properties", {})]
    out += [f"{indent}{k}: {_flow(given[k])}" for k in extra]
    return out


def starter_text(name: str) -> str:
    """The commented starter spec of method ``name`` (UsageError for an unknown method)."""
    known = methods.names()
    if name not in known:
        raise UsageError(f"unknown method '{name}' (known: {', '.join(known)})")
    method = methods.get(name)
    ex = example(name) or Map()
    lines = [
        f"# A starter exercise for the '{name}' method, written by `symxai new {name}`.",
        "# Check it with `symxai validate FILE`, solve it with `symxai solve FILE`, build the sheets with",
        "# `symxai build FILE`. Every key is described in docs/spec.md; below, each of the method's",
        "# parameters is listed with its type and meaning: those the example sets have values, the others",
        "# are commented out (remove the '# ' and write a value to use one).",
        f"# Answers are checked against: {method.reference_name}.",
        f"id: {name}-starter                 # the output folder output/<id>/",
        f"title: {_flow('Starter sheet: ' + name)}",
        "exercises:",
        "  - id: ex1                       # used on the command line: symxai check FILE ex1",
        f"    title: {_flow(ex.get('title', 'An exercise'))}",
        "    points: 10",
        f"    method: {name}",
    ]
    if ex.get("symbols"):
        lines.append("    symbols:                      # every name the expressions use (real, positive, "
                     "[integer, positive], {shape: [d]} ...)")
        lines += [f"      {k}: {_flow(v)}" for k, v in ex["symbols"].items()]
    lines.append("    statement: " + _block(ex.get("statement", "State the task here; LaTeX math is allowed."),
                                             "      ").rstrip("\n"))
    schema = method.params.json()
    if schema.get("properties"):
        given = ex.get("params") or {}
        lines.append("    params:                       # the method's parameters" if given else
                     "    params: {}                    # the method's parameters (here set by each part)")
        lines += parameter_lines(name, given)
    for key in ("names", "parts"):
        if ex.get(key):
            lines += [f"    {key}:"] + _block_value(ex[key], "      ")
    if ex.get("discussion"):
        lines.append("    discussion: " + _block(ex["discussion"], "      ").rstrip("\n"))
    else:
        lines.append("    # discussion: ...             # reasoned text appended to the solution")
    lines += [
        "    # answers: [...]              # the answer names asked for (default: every answer the method gives)",
        "    # parts: [...]                # parts, each solved on its own; a part's params override these",
        "    # figure: false               # hide the network figure of an LRP exercise on the sheets",
        "    # random: {...}               # variants: see docs/variants.md",
    ]
    return "\n".join(lines) + "\n"
