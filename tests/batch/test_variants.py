"""Variant batches: determinism, distinctness, verification, check on each variant, constraints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

from symxai.specs import constraints as cons
from symxai.grade.check import check
from symxai.errors import SpecError, UsageError
from symxai.specs.generators import Generator, GeneratorError, resolve, scalar_pool
from symxai.specs.spec import load_sheet
from symxai.batch.variants import VariantError, generate, write_batch

SHEET = "problems/tub-ml-sheet14.yaml"

NETWORK_SPEC = """\
id: net-demo
title: Shapley values of a random ReLU network
exercises:
  - id: relu
    title: A random network
    method: shapley
    symbols: {x1: real, x2: real}
    statement: "Shapley values of $g(x) = B\\\\,\\\\mathrm{ReLU}(Ax)$ at $(1, 2)$."
    params:
      network: {A: [[1, 0], [0, 1]], B: [[1, 1]]}
      inputs: [x1, x2]
      point: [1, 2]
    random:
      generate:
        net: {relu-network: {shape: [2, 3, 1], range: [-2, 2]}}
        p: {point: {dim: 2, range: [1, 3]}}
      params:
        network: {A: "$net[1]", B: "$net[2]"}
        point: $p
      statement: "Shapley values of $g(x) = B\\\\,\\\\mathrm{ReLU}(Ax)$ with $A = [[net[1]]]$, $B = [[net[2]]]$ at $x = [[p]]$."
      constraints:
        - activation-pattern: {network: net, point: p, pattern: mixed}
        - no-zero-division: {network: net, point: p}
        - "$p[1] != $p[2]"
"""


@pytest.fixture(scope="module")
def batch():
    return generate(SHEET, "shapley", count=20, seed=7, lms=True)


def test_twenty_distinct_verified_variants(batch):
    assert len(batch.variants) == 20
    assert len({json.dumps(str(v.values)) for v in batch.variants}) == 20
    assert len({v.spec for v in batch.variants}) == 20
    assert all(all(c["passed"] for c in v.document["tasks"]["shapley"]["verification"]) for v in batch.variants)
    assert 0 <= batch.rejection_rate < 1 and batch.candidates >= 20
    # every variant meets the declared constraints
    for v in batch.variants:
        phis = list(v.answers["shapley"].values())
        assert len(set(phis)) == 3 and all(p != 0 and p.q <= 6 for p in phis)
        assert v.values["p"][0] != v.values["p"][1]


def test_same_seed_same_bytes_and_jobs_do_not_matter(batch, tmp_path):
    a = write_batch(batch, tmp_path / "a", tex_only=True, moodle=str(tmp_path / "a" / "quiz.xml"))
    again = generate(SHEET, "shapley", count=20, seed=7, jobs=2, lms=True)
    b = write_batch(again, tmp_path / "b", tex_only=True, moodle=str(tmp_path / "b" / "quiz.xml"))
    rel_a = sorted(p.relative_to(tmp_path / "a") for p in a)
    assert rel_a == sorted(p.relative_to(tmp_path / "b") for p in b)
    for rel in rel_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    other = generate(SHEET, "shapley", count=3, seed=8, render=False)
    assert [v.spec for v in other.variants] != [v.spec for v in batch.variants[:3]]
    key = json.loads((tmp_path / "a" / "answer-key.json").read_text())
    assert key["seed"] == 7 and len(key["variants"]) == 20
    assert all(str(v["variant_seed"]) in (tmp_path / "a" / v["spec"]).read_text() for v in key["variants"])
    assert all("batch seed 7" in (tmp_path / "a" / v["id"] / f"{v['id']}-solutions.tex").read_text()
               for v in key["variants"])
    assert (tmp_path / "a" / "answer-key.csv").read_text().count("\n") == 1 + 60


def test_each_variant_passes_check_on_its_own_spec(batch, tmp_path):
    write_batch(batch, tmp_path, tex_only=True)
    for v in batch.variants:
        spec = tmp_path / v.id / f"{v.id}.yaml"
        given = {n: sympy.sstr(x) for n, x in v.answers["shapley"].items()}
        assert check(spec, "shapley", given).exit_code == 0
        wrong = dict(given, phi_1=sympy.sstr(v.answers["shapley"]["phi_1"] + sympy.Rational(1, 7)))
        assert check(spec, "shapley", wrong).exit_code == 1
    v = batch.variants[0]
    args = [f"{n}={sympy.sstr(x)}" for n, x in v.answers["shapley"].items()]
    out = subprocess.run([sys.executable, "-m", "symxai", "check", str(tmp_path / v.id / f"{v.id}.yaml"),
                          "shapley", *args], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_fixed_instance_is_unchanged_by_the_random_block():
    sheet = load_sheet(SHEET)
    task = sheet.task("shapley")
    assert [str(v) for v in task.problem.point] == ["1", "1", "1"]
    solution = task.method.solve(task.problem)
    assert [solution.answers[f"phi_{i}"].value for i in (1, 2, 3)] == [sympy.Rational(2, 3), sympy.Rational(1, 6),
                                                                      sympy.Rational(1, 6)]


def test_exercise_without_random_block_is_refused():
    with pytest.raises(UsageError, match="no random: block"):
        generate("problems/eth-riai-ex10.yaml", "shapley-relu", count=1, seed=0)


def _with_random(tmp_path, random_block: str) -> Path:
    text = Path(SHEET).read_text()
    head = text[:text.index("    random:")]
    path = tmp_path / "s.yaml"
    path.write_text(head + random_block)
    return path


def test_unsatisfiable_constraints_stop_with_a_clear_error(tmp_path):
    path = _with_random(tmp_path, """\
    random:
      generate:
        p: {point: {dim: 3, range: [1, 9]}}
      params: {point: $p}
      constraints: ["$p[1] != $p[1]"]
      tries: 30
""")
    with pytest.raises(VariantError, match=r"only 0 of 2 variant\(s\) after 30 candidate\(s\).*p\[1\] != \$p\[1\]: 30"):
        generate(path, "shapley", count=2, seed=0)


def test_too_few_distinct_values_is_reported(tmp_path):
    path = _with_random(tmp_path, """\
    random:
      generate:
        a: {integer: {range: [1, 2]}}
      params: {point: [$a, 1, 1]}
""")
    with pytest.raises(VariantError, match="duplicate"):
        generate(path, "shapley", count=3, seed=0)


def test_spec_problems_are_located(tmp_path):
    path = _with_random(tmp_path, """\
    random:
      generate:
        p: {point: {dim: 3}, integer: {range: [0, 1]}}
        q: {spline: 3}
      params: {point: $r}
""")
    with pytest.raises(SpecError) as err:
        load_sheet(path)
    assert "unknown key 'spline'" in str(err.value) and "s.yaml:" in str(err.value)
    path = _with_random(tmp_path, """\
    random:
      generate:
        p: {point: {dim: 3}, integer: {range: [0, 1]}}
      params: {point: $r}
""")
    with pytest.raises(SpecError) as err:
        generate(path, "shapley", count=1)
    text = str(err.value)
    assert "exactly one of" in text and "$r is not a generator" in text


def test_injected_wrong_answer_is_never_accepted(monkeypatch):
    from symxai.methods.shap_family.shapley import Shapley

    real = Shapley.solve

    def wrong(self, p):
        sol = real(self, p)
        sol.answers["phi_2"].value += 1  # a denominator the constraints accept: only verification can tell
        return sol

    monkeypatch.setattr(Shapley, "solve", wrong)
    with pytest.raises(VariantError, match=r"verification failed: \d+(.|\n)*phi_2: engine .* but reference"):
        generate(SHEET, "shapley", count=1, seed=7, max_tries=8, render=False)


def test_relu_network_variants_with_activation_pattern(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(NETWORK_SPEC)
    b = generate(path, "relu", count=3, seed=1, render=True)
    for v in b.variants:
        A, B = v.values["net"]
        assert A.shape == (3, 2) and B.shape == (1, 3)
        h = [sum(A[j, i] * v.values["p"][i] for i in range(2)) for j in range(3)]
        assert any(x > 0 for x in h) and any(x < 0 for x in h) and 0 not in h
        assert "\\begin{pmatrix}" in v.spec or "A = " in v.spec
        assert "network:" in v.spec and "$net" not in v.spec


def test_generators():
    rng = np.random.default_rng(0)
    assert scalar_pool({"range": [0, 1], "denominators": [2], "exclude": ["1/2"]}) == [0, 1]
    assert scalar_pool({"grid": [1, "3/2"]}) == [1, sympy.Rational(3, 2)]
    with pytest.raises(GeneratorError, match="not an integer"):
        scalar_pool({"grid": ["1/2"]}, integer=True)
    for _ in range(5):
        S = Generator("S", {"spd": {"size": 3}}).sample(rng, {})
        assert S == S.T and np.linalg.eigvalsh(np.array(S, dtype=float)).min() > 0
        W = Generator("n", {"relu-network": {"shape": [3, 2, 2]}}).sample(rng, {})
        assert [w.shape for w in W] == [(2, 3), (2, 2)] and all(any(r) for r in W[0].tolist())
    x = sympy.symbols("x1:4", real=True)
    syms = {s.name: s for s in x}
    f = Generator("f", {"function": {"family": "min-max", "inputs": ["x1", "x2", "x3"]}}).sample(rng, syms)
    assert f.has(sympy.Min) and f.has(sympy.Max) and f.free_symbols == set(x)
    g = Generator("g", {"function": {"family": "product", "inputs": ["x1", "x2", "x3"]}}).sample(rng, syms)
    assert g.free_symbols == set(x) and g.subs({s: 1 for s in x}) >= 1
    assert resolve({"A": "$M[2]", "e": "$M[1][2] + x"}, {"M": sympy.ImmutableMatrix([[1, 2], [3, 4]])}) == \
        {"A": [3, 4], "e": "(2) + x"}
    with pytest.raises(GeneratorError, match="does not exist"):
        resolve("$p[4]", {"p": [1, 2, 3]})


def test_named_constraints():
    net = [sympy.ImmutableMatrix([[1, -1], [0, 1]]), sympy.ImmutableMatrix([[1, 1]])]
    pattern = cons.build({"activation-pattern": {"network": "n", "point": "p", "pattern": [1, 0]}}, {"n", "p"})
    assert pattern.holds({"n": net, "p": [2, 3]}, {}, {}) is False  # h = (-1, 3): pattern (0, 1)
    assert pattern.holds({"n": net, "p": [3, -1]}, {}, {}) is True
    nzd = cons.build({"no-zero-division": {"network": "n", "point": "p"}}, {"n", "p"})
    assert nzd.holds({"n": net, "p": [2, 2]}, {}, {}) is False  # x1 - x2 = 0 at a ReLU kink
    assert nzd.holds({"n": net, "p": [3, 1]}, {}, {}) is True
    finite = cons.build("no-zero-division", set())
    assert not finite.holds({}, {"R": sympy.nan}, {}) and finite.holds({}, {"R": sympy.Rational(1, 2)}, {})
    distinct = cons.build("distinct-answers", set())
    x = sympy.Symbol("x")
    assert not distinct.holds({}, {"a": x * (x + 1), "b": x**2 + x}, {})
    answers = cons.build("$phi_1 > $a", {"a"})
    assert answers.phase == "answers" and answers.holds({"a": 0}, {"phi_1": sympy.Rational(1, 3)}, {})
    with pytest.raises(GeneratorError, match="refers to nothing"):
        cons.build("1 > 0", set())


def test_cli_writes_pdfs_and_moodle(tmp_path):
    """The one PDF smoke test: one variant, both sheets compiled."""
    out = subprocess.run([sys.executable, "-m", "symxai", "variants", SHEET, "shapley", "--count", "1", "--seed", "3",
                          "-o", str(tmp_path), "--moodle", str(tmp_path / "quiz.xml")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "rejection rate" in out.stderr
    folder = tmp_path / "tub-ml-sheet14-shapley-v001"
    for kind in ("exercises", "solutions"):
        assert (folder / f"tub-ml-sheet14-shapley-v001-{kind}.pdf").read_bytes().startswith(b"%PDF")
    from symxai.lms.moodle import check_quiz
    assert check_quiz((tmp_path / "quiz.xml").read_text()) == []
    bad = subprocess.run([sys.executable, "-m", "symxai", "variants", "problems/eth-riai-ex10.yaml", "shapley-relu",
                          "-o", str(tmp_path / "x")], capture_output=True, text=True)
    assert bad.returncode == 2 and "no random: block" in bad.stderr


@pytest.mark.parametrize("jobs", [1, 2])
def test_only_candidates_that_meet_the_constraints_are_verified(monkeypatch, jobs):
    """A candidate its answer constraints reject is solved but never verified; every accepted one is."""
    import symxai.solve.pipeline as pipeline
    import symxai.specs.spec as spec

    solved, verified = [], []
    real_load, real_verify = spec.loads_sheet, pipeline.require_verified

    def solving(*args, **kwargs):  # every candidate is loaded to be solved
        sheet = real_load(*args, **kwargs)
        solved.append(sheet.id)
        return sheet

    def verifying(sheet, results):
        verified.append(sheet.id)
        return real_verify(sheet, results)

    monkeypatch.setattr(spec, "loads_sheet", solving)
    monkeypatch.setattr(pipeline, "require_verified", verifying)
    batch = generate(SHEET, "shapley", count=3, seed=7, render=False, jobs=jobs)
    rejected = batch.rejected.get("constraint distinct-answers", 0)
    assert rejected > 0  # some candidates were rejected after solving
    assert len(batch.variants) == 3 and all(v.document for v in batch.variants)
    if jobs == 1:  # (worker processes do not report to these counters)
        candidates = {s for s in solved if "-c" in s}
        checked = {s for s in verified if "-c" in s}
        assert checked <= candidates and len(checked) <= len(candidates) - rejected
        assert {f"{batch.variants[0].id.rsplit('-v', 1)[0]}-c{v.candidate:05d}" for v in batch.variants} <= checked
