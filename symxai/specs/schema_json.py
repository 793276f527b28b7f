"""The JSON Schema of spec files, generated from the same schema the loader uses.

``symxai schema`` prints it; ``symxai/specs/spec.schema.json`` ships it for editors
(a test keeps the shipped copy in step with the code).

>>> "exercises" in spec_schema()["properties"]
True
"""

from __future__ import annotations

import copy

from symxai import methods
from symxai.specs.spec import SHEET


def spec_schema() -> dict:
    """JSON Schema (draft 2020-12) for a symxai sheet, with each method's parameters."""
    schema = SHEET.json()
    exercise = schema["properties"]["exercises"]["items"]
    exercise["properties"]["method"] = {"enum": methods.names(), "description": "the method that solves it"}
    rules = []
    for name in methods.names():
        params = methods.get(name).params.json()
        loose = copy.deepcopy(params)
        loose.pop("required", None)
        rules.append({
            "if": {"properties": {"method": {"const": name}}, "required": ["method"]},
            "then": {"properties": {
                "params": loose,
                "parts": {"items": {"properties": {"params": loose}}},
            }},
        })
    exercise["allOf"] = rules
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "symxai-spec.schema.json", **schema}


def _type_text(schema: dict) -> str:
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type_text(s) for s in schema["anyOf"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        return f"list of {_type_text(schema.get('items', {}))}"
    if kind == "object" and "properties" in schema:
        return "mapping (" + ", ".join(schema["properties"]) + ")"
    return kind


def params_markdown() -> str:
    """Markdown tables of every method's parameters (the generated part of docs/spec.md)."""
    out = []
    for name in methods.names():
        method = methods.get(name)
        schema = method.params.json()
        required = set(schema.get("required", []))
        out.append(f"### `{name}`\n\nChecked against: {method.reference_name}.\n")
        out.append("| parameter | type | required | meaning |\n| --- | --- | --- | --- |")
        for key, prop in schema["properties"].items():
            doc = prop.get("description", "").replace("|", "\\|")
            out.append(f"| `{key}` | {_type_text(prop)} | {'yes' if key in required else ''} | {doc} |")
        out.append("")
        out += _example_markdown(name)
    return "\n".join(out)


def _example_markdown(name: str) -> list[str]:
    """The minimal example of method ``name`` (symxai/starters/, else its first exercise in
    problems/) as an exercise entry; tests/load/test_spec_docs.py builds every example of docs/spec.md."""
    from symxai.starter import example_yaml

    text = example_yaml(name)
    if text is None:
        return []
    body = "".join(f"    {line}\n" if line.strip() else "\n" for line in text.splitlines())
    return [f"Minimal example (`symxai new {name}` writes it with every parameter listed and commented):\n",
            "```yaml", f"  - id: {name}-example", f"    method: {name}", body.rstrip("\n"), "```", ""]
