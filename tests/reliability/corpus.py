"""The bad-input corpus of issue 21 (Why 7 and 9, plus the budgets of What 6): spec texts that
must each be refused with a located one-line error and exit 2, never a traceback.

Every case is a mutation of a small valid spec, so each one is wrong in one way only.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHAPLEY = (ROOT / "tests" / "specs" / "shapley-sheet.yaml").read_text()
SHEET14 = (ROOT / "problems" / "tub-ml-sheet14.yaml").read_text()


def _sym(extra: str) -> str:
    """The Shapley spec with one more symbol declaration."""
    return SHAPLEY.replace("      x1: real\n", "      x1: real\n      " + extra + "\n", 1)


def _shapley(old: str, new: str, base: str = SHAPLEY) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


def _lrp(n_inputs: int, hidden: int) -> str:
    names = [f"x{i + 1}" for i in range(n_inputs)]
    rows = [[(-1) ** (i + j) * (1 + (i * j) % 3) for j in range(n_inputs)] for i in range(hidden)]
    return f"""id: big-lrp
title: t
exercises:
  - id: lrp
    title: t
    statement: s
    method: lrp
    symbols: {{{', '.join(f'{n}: nonnegative' for n in names)}}}
    params:
      inputs: [{', '.join(names)}]
      rule: z+
      layers:
        - neurons: [{', '.join(f'h{k}' for k in range(hidden))}]
          weights: {rows}
        - neurons: [y]
          weights: [{[1] * hidden}]
"""


def _symbolic_shapley(d: int) -> str:
    xs, ps = [f"x{i + 1}" for i in range(d)], [f"p{i + 1}" for i in range(d)]
    return f"""id: big-shapley
title: t
exercises:
  - id: shapley
    title: t
    statement: s
    method: shapley
    symbols: {{{', '.join(f'{n}: real' for n in xs + ps)}}}
    params:
      f: {' + '.join(f'Max({a}, 0)' for a in xs)}
      inputs: [{', '.join(xs)}]
      point: [{', '.join(ps)}]
"""


def _activation_max_vector(n: int) -> str:
    return f"""id: big-am
title: t
exercises:
  - id: am
    title: t
    statement: s
    method: activation-max
    symbols:
      x: {{shape: [{n}]}}
      w: {{shape: [{n}]}}
      lambda: positive
    params:
      variable: x
      f: {{linear: {{w: w}}}}
      omega: {{l2: lambda}}
"""


# name -> (spec text, a word the message must contain)
CASES: dict[str, tuple[str, str]] = {
    "null-document": ("null\n", "got nothing (null)"),
    "tilde-document": ("~\n", "got nothing (null)"),
    "empty-document": ("", "empty"),
    "comment-only": ("# nothing here\n", "empty"),
    "list-document": ("- a\n- b\n", "expected a mapping"),
    "scalar-document": ("hello\n", "expected a mapping"),
    "nul-byte": (_shapley("Shapley values of", "Shapley\x00 values of"), "U+0000"),
    "escape-byte": (_shapley("title: Shapley", "title: Sh\x1bapley"), "U+001B"),
    "deep-lists": ("id: x\ntitle: " + "[" * 500 + "]" * 500 + "\n", "nesting deeper"),
    "deep-mappings": ("id: x\ntitle: " + "{a: " * 500 + "1" + "}" * 500 + "\n", "nesting deeper"),
    "shape-3d": (_sym("W: {shape: [2, 2, 2]}"), "at most 2"),
    "shape-empty": (_sym("W: {shape: []}"), "at least 1"),
    "shape-huge": (_sym("W: {shape: [100000000, 2]}"), "1..100"),
    "shape-zero": (_sym("W: {shape: [0]}"), "1..100"),
    "range-three": (_sym("t: {range: [0, 1, 2]}"), "at most 2"),
    "range-reversed": (_sym("t: {range: [3, 1]}"), "reversed"),
    "range-equal": (_sym("t: {range: [1, 1]}"), "reversed"),
    "range-nan": (_sym("t: {range: [.nan, 1]}"), "range"),
    "range-inf": (_sym("t: {range: [0, .inf]}"), "range"),
    "range-oo": (_sym("t: {range: [0, oo]}"), "finite"),
    "range-text": (_sym("t: {range: [a, 1]}"), "range"),
    "range-vs-positive": (_sym("t: {assume: [positive], range: [-1, 1]}"), "contradicts positive"),
    "range-on-vector": (_sym("v: {shape: [2], range: [0, 1]}"), "scalars only"),
    "spd-vector": (_sym("S: {shape: [2], assume: [spd]}"), "square matrix"),
    "spd-scalar": (_sym("s: spd"), "square matrices only"),
    "integer-matrix": (_sym("M: {shape: [2, 2], assume: [integer]}"), "scalars only"),
    "covariance-vector": (SHEET14.replace("Sigma: {shape: [d, d], assume: [spd]}", "Sigma: {shape: [d]}"),
                          "square matrix"),
    "covariance-wrong-size": (SHEET14.replace("Sigma: {shape: [d, d], assume: [spd]}",
                                              "Sigma: {shape: [3, 3], assume: [spd]}"), "entries"),
    "duplicate-inputs": (_shapley("inputs: [x1, x2, x3]\n      point", "inputs: [x1, x1, x3]\n      point"), "twice"),
    "weight-oo": (SHEET14.replace("weights: [[1, -1], [0, 1]]", "weights: [[oo, -1], [0, 1]]"), "finite"),
    "weight-minus-oo": (SHEET14.replace("weights: [[1, -1], [0, 1]]", "weights: [[-oo, -1], [0, 1]]"), "finite"),
    "point-oo": (_shapley("point: [1, 1, 1]", "point: [oo, 1, 1]"), "finite"),
    "point-oo-expression": (_shapley("point: [1, 1, 1]", "point: [1 + oo, 1, 1]"), "finite"),
    "point-nan": (_shapley("point: [1, 1, 1]", "point: [nan, 1, 1]"), "unknown name"),
    "point-div0": (_shapley("point: [1, 1, 1]", "point: [1/0, 1, 1]"), "division by zero"),
    "point-short": (_shapley("point: [1, 1, 1]", "point: [1, 1]"), "entries"),
    "point-huge-exponent": (_shapley("point: [1, 1, 1]", "point: [1e999999, 1, 1]"), "too large"),
    "f-oo": (_shapley("f: Min(x1, Max(x2, x3))", "f: Min(x1, Max(x2, x3)) + oo*x2"), "finite"),
    "id-newline": (_shapley("id: test-shapley-sheet", 'id: "test\\n"'), "expected an id"),
    "id-300": (_shapley("id: test-shapley-sheet", "id: " + "a" * 300), "at most 64"),
    "exercise-id-300": (_shapley("  - id: shapley", "  - id: " + "s" * 300), "at most 64"),
    "exercise-id-space": (_shapley("  - id: shapley", "  - id: shap ley"), "expected an id"),
    "symbol-name-newline": (_sym('"t\\n": real'), "expected a name"),
    "points-huge": (_shapley("points: 25", "points: 1" + "0" * 400), "from 0 to 10000"),
    "tag-map": (_shapley("params:\n      f:", "params: !!map\n      f:"), "tag"),
    "tag-seq": (_shapley("inputs: [x1, x2, x3]", "inputs: !!seq [x1, x2, x3]"), "tag"),
    "tag-custom": (_shapley("inputs: [x1, x2, x3]", "inputs: !foo [x1, x2, x3]"), "tag"),
    "tag-python": (_shapley("inputs: [x1, x2, x3]", "inputs: !!python/object/apply:os.system [ls]"), "tag"),
    "tag-str": (_shapley("f: Min(x1, Max(x2, x3))", "f: !!str Min(x1, Max(x2, x3))"), "tag"),
    "tag-nonspecific": (_shapley("f: Min(x1, Max(x2, x3))", "f: ! Min(x1, Max(x2, x3))"), "tag"),
    "tag-document": ("!!map\n" + SHAPLEY, "tag"),
    "anchor-alias": (_shapley("point: [1, 1, 1]\n      baseline: [0, 0, 0]",
                              "point: &p [1, 1, 1]\n      baseline: *p"), "anchors"),
    "merge-key": (_shapley("      f: Min", "      <<: {a: 1}\n      f: Min"), "merge"),
    "duplicate-key": (_shapley("      f: Min(x1, Max(x2, x3))", "      f: x1\n      f: Min(x1, Max(x2, x3))"),
                      "duplicate key"),
    "generator-huge-range": (_shapley("range: [1, 6]", "range: [1, 1e12]"), "at most 100000"),
    "generator-reversed": (_shapley("range: [1, 6]", "range: [6, 1]"), "empty range"),
    "generator-nan": (_shapley("range: [1, 6]", "range: [.nan, 6]"), "number"),
    "generator-oo": (_shapley("range: [1, 6]", "range: [1, oo]"), "finite"),
    "generator-dim-huge": (_shapley("dim: 3", "dim: 100000"), "from 1 to 200"),
    "generator-denominator-huge": (_shapley("range: [1, 6]", "range: [1, 6], denominators: [1000000000]"),
                                   "at most 100000"),
    "lrp-4x20": (_lrp(4, 20), "lrp: at most 64 activation regions"),
    "lrp-80-hidden": (_lrp(1, 80), "lrp: at most 32 hidden units"),
    "shapley-symbolic-d12": (_symbolic_shapley(12), "shapley: at most 6 inputs"),
    "shapley-d30": (_symbolic_shapley(30), "at most 20 inputs"),
    "activation-max-2000": (_activation_max_vector(2000), "1..100"),
    # found by the fuzz test
    "dimension-not-integer": (SHEET14.replace("d: [integer, positive]", "d: [positive]"), "[integer, positive]"),
    "dimension-not-positive": (SHEET14.replace("d: [integer, positive]", "d: [integer]"), "[integer, positive]"),
    "lrp-weight-is-an-input": (SHEET14.replace("weights: [[1, -1], [0, 1]]", "weights: [[x1, -1], [0, 1]]"),
                               "affine in its inputs"),
}
