"""Writing variant specs and answer keys as deterministic text.

YAML is written with PyYAML's safe dumper (writing only; specs are read by
the strict loader) with insertion order kept, short lists inline and
multi-line statements as literal blocks, so one seed gives the same bytes.

>>> print(spec_yaml({"id": "s", "exercises": [{"params": {"point": [1, "1/2"]}}]}, ["seed 7"]), end="")
# seed 7
id: s
exercises:
- params:
    point: [1, 1/2]
"""

from __future__ import annotations

import csv
import io

import yaml


def plain(value):
    """Located YAML (Map, Seq, Str) as plain dicts, lists and strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _list(dumper, data):
    flat = all(not isinstance(v, (dict, list)) or (isinstance(v, list) and all(not isinstance(w, (dict, list)) for w in v))
               for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat and not any(
        isinstance(v, str) and "\n" in v for v in data))


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def spec_yaml(data: dict, header: list[str]) -> str:
    """A spec as YAML text with ``# header`` comment lines (the recorded seed)."""
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "".join(f"# {line}\n" for line in header) + body


def key_csv(rows: list[list]) -> str:
    """CSV text with Unix line ends (the csv module would write \\r\\n).

    >>> key_csv([["a", "b"], [1, "x,y"]])
    'a,b\\n1,"x,y"\\n'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def answer_key(batch) -> dict:
    """The batch's answer key: seeds, rejection statistics and every variant's answers."""
    from symxai.specs.generators import to_data
    from symxai.solve.pipeline import answer_record

    return {
        "file": batch.file, "exercise": batch.exercise, "seed": batch.seed, "count": batch.count,
        "candidates": batch.candidates, "rejection_rate": round(batch.rejection_rate, 4),
        "rejected": dict(sorted(batch.rejected.items())),
        "variants": [{
            "id": v.id, "number": v.number, "candidate": v.candidate, "variant_seed": v.variant_seed,
            "spec": f"{v.id}/{v.id}.yaml", "values": to_data(v.values),
            "answers": {task: {n: answer_record(x) for n, x in answers.items()} for task, answers in v.answers.items()},
        } for v in batch.variants],
    }


def key_rows(key: dict) -> list[list]:
    """The answer key as CSV rows: one per answer of every variant."""
    rows = [["variant", "batch_seed", "variant_seed", "task", "answer", "text", "value"]]
    for v in key["variants"]:
        for task, answers in v["answers"].items():
            for name, rec in answers.items():
                rows.append([v["id"], key["seed"], v["variant_seed"], task, name, rec["text"], rec.get("value", "")])
    return rows
