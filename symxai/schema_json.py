"""The JSON Schema of spec files, generated from the same schema the loader uses.

``symxai schema`` prints it; ``symxai/spec.schema.json`` ships it for editors
(a test keeps the shipped copy in step with the code).

>>> "exercises" in spec_schema()["properties"]
True
"""

from __future__ import annotations

import copy

from . import methods
from .spec import SHEET


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
