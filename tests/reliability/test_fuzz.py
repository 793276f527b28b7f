"""Spec mutations drawn by Hypothesis (deterministic, bounded): every one ends in exit 0 or a clean
located error (exit 2, or 3 for a failed verification), never a traceback, never a hang.

A mutation replaces one value of a small valid spec by a hostile one, deletes a key, or adds one;
the mutated spec is written as YAML and run through validate, then solve when validate passes.
"""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

import pytest

from .corpus import ROOT, SHAPLEY
from .harness import run

pytestmark = pytest.mark.reliability

LRP = """\
id: fuzz-lrp
title: t
exercises:
  - id: lrp
    title: t
    statement: s
    method: lrp
    symbols: {x1: nonnegative, x2: nonnegative}
    params:
      inputs: [x1, x2]
      rule: z+
      layers:
        - neurons: [h3, h4]
          weights: [[1, -1], [0, 1]]
        - neurons: [y]
          weights: [[1, 1]]
"""
AM = """\
id: fuzz-am
title: t
exercises:
  - id: am
    title: t
    statement: s
    method: activation-max
    symbols: {d: [integer, positive], x: {shape: [d]}, w: {shape: [d]}, mu: {shape: [d]},
              Sigma: {shape: [d, d], assume: [spd]}}
    params:
      variable: x
      f: {linear: {w: w}}
      omega: {gaussian: {mean: mu, cov: Sigma}}
"""
BASES = [yaml.safe_load(t) for t in (SHAPLEY, LRP, AM)]
HOSTILE = [None, "", "oo", "-oo", "zoo", "nan", "1/0", -1, 0, 10 ** 30, "x1", "x9", [], {}, [1, 2, 3],
           [[1, 2], [3]], [[[1]]], True, "a" * 300, "a\n", "$p", "[[p]]", "1e999", "__import__('os')",
           "Min(", "x1^x1^x1^x1", {"shape": [2, 2, 2]}, {"range": [3, 1]}, ["x1", "x1"], "spd", 2.5, "2/3",
           "\\frac{1}{2", "{a: 1}", "!!python/object x"]
SAMPLES = {"fuzz": 0, "ok": 0, "refused": 0, "traceback": 0, "hang": 0, "unlocated": 0}


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _mutate(doc, path, action, value):
    import copy
    doc = copy.deepcopy(doc)
    if not path:
        return value if action == "set" else doc
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "set":
        parent[last] = value
    elif action == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent["unknown_key"] = value
    else:
        parent.append(value)
    return doc


@st.composite
def mutations(draw):
    base = draw(st.sampled_from(range(len(BASES))))
    paths = list(_paths(BASES[base]))
    path = draw(st.sampled_from(paths))
    action = draw(st.sampled_from(["set", "set", "delete", "add"]))
    value = draw(st.sampled_from(HOSTILE))
    return base, path, action, value


@settings(max_examples=120, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(mutations())
def test_spec_mutations_end_cleanly(tmp_path_factory, mutation):
    base, path, action, value = mutation
    doc = _mutate(BASES[base], path, action, value)
    spec = tmp_path_factory.mktemp("fuzz") / "spec.yaml"
    spec.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    validated = run("validate", spec, need_location=False)
    SAMPLES["fuzz"] += 1
    SAMPLES[validated.kind] += 1
    assert validated.kind in ("ok", "refused"), (mutation, validated)
    if validated.kind == "ok":
        solved = run("solve", spec)
        assert solved.kind == "ok" or (solved.kind == "refused" and solved.exit_code == 3), (mutation, solved)
    else:
        assert validated.exit_code == 2, (mutation, validated)
