"""Exact Shapley values of a function or a small ReLU network g = B ReLU(A x).

A removed feature takes its baseline value (zero unless the spec says
otherwise).  The worked solution follows the lecture: per feature the table
of coalitions S with weight |S|!(d-|S|-1)!/d!, f(x_{S+i}), f(x_S) and their
difference, the weighted sum, the efficiency check, and the symmetric and
dummy features.  Verified against float averages over all orderings.
"""

from __future__ import annotations

from dataclasses import dataclass

from symxai.lazy import numpy as np
import sympy

from symxai.solve.coalitions import CoalitionValues, coalition_point, coalition_values, is_exact, shapley_from_values, weight
from symxai.expr.printing import tex
from symxai.solve.model import Line, Solution, Table, Tex
from symxai.reference import shapley as ref
from symxai.specs.schema import AnyOf, Expr, Field, Int, ListOf, Name, Record
from symxai.specs.limits import MAX_SYMBOLIC_SHAPLEY, over
from symxai.methods import register
from symxai.methods.base import BuildContext, Method
from symxai.methods.shap_family import shapley_network

MAX_FEATURES = 20
TABLE_FEATURES = 5  # above this the per-feature tables would not fit a page


@dataclass
class ShapleyProblem:
    outputs: list  # one SymPy expression per output of the model
    output: int  # 0-based index of the explained output
    inputs: list  # the feature symbols x_1..x_d
    point: list
    baseline: list
    prefix: str
    network: tuple | None = None  # (A, B, a, b) ImmutableMatrix when g = B ReLU(A x + a) + b

    @property
    def f(self):
        return self.outputs[self.output]

    @property
    def d(self) -> int:
        return len(self.inputs)

    def free_symbols(self) -> set:
        out = set()
        for e in [self.f, *self.point, *self.baseline]:
            out |= sympy.sympify(e).free_symbols
        return out - set(self.inputs)


def relu(v):
    """ReLU(v) = max(0, v), as SymPy Max so that it simplifies and prints plainly."""
    return sympy.Max(0, v)


@register
class Shapley(Method):
    name = "shapley"
    reference_name = "float average of marginal contributions over all d! orderings"
    params = Record({
        "f": Field(AnyOf(Expr(), ListOf(Expr(), 1), expected="an expression or a list of them"), doc="f(x) (one expression, or a list for a vector-valued f)"),
        "network": Field(shapley_network.NETWORK, doc="g(x) = B ReLU(A x + a) + b (biases a, b optional), instead of f"),
        "inputs": Field(ListOf(Name(), 1), required=True, doc="the features x_1..x_d, in order"),
        "point": Field(ListOf(Expr(), 1), required=True, doc="the input x to explain"),
        "baseline": Field(ListOf(Expr(), 1), doc="values of removed features (default 0)"),
        "output": Field(Int(minimum=1), doc="which output of a vector-valued f to explain (1-based)"),
        "prefix": Field(Name(), doc="answer names are PREFIX_1..PREFIX_d (default phi)"),
    })

    def build(self, ctx: BuildContext, params):
        inputs = ctx.scalars(params["inputs"], params.loc_of("inputs"))
        if inputs is None:
            return None
        d = len(inputs)
        if d > MAX_FEATURES:
            ctx.problem(params.loc_of("inputs"), f"exact Shapley values need 2^d coalitions: at most {MAX_FEATURES} inputs")
            return None
        if ("f" in params) == ("network" in params):
            ctx.problem(params.loc, "give either f or network (g = B ReLU(A x)), not both or neither")
            return None
        network = None
        if "f" in params:
            raw = params["f"]
            if isinstance(raw, list):
                outputs = [ctx.expr(v, raw.loc_of(i)) for i, v in enumerate(raw)]
            else:
                outputs = [ctx.expr(raw, params.loc_of("f"))]
        else:
            built = shapley_network.build(ctx, params, inputs)
            if built is None:
                return None
            outputs, network = built
        point = ctx.vector(params["point"])
        baseline = ctx.vector(params["baseline"]) if "baseline" in params else sympy.zeros(d, 1)
        short = False
        for key, vec in (("point", point), ("baseline", baseline)):
            if vec is not None and len(vec) != d:  # checked also when f did not read
                ctx.problem(params.loc_of(key), f"{key} has {len(vec)} entries, but there are {d} inputs")
                short = True
        if short or any(o is None for o in outputs) or point is None or baseline is None:
            return None
        output = params.get("output")
        if output is None and len(outputs) > 1:
            ctx.problem(params.loc, f"the model has {len(outputs)} outputs, the exercise explains 1: set output")
            return None
        if output is not None and output > len(outputs):
            ctx.problem(params.loc_of("output"), f"output {output} does not exist: the model has {len(outputs)}")
            return None
        problem = ShapleyProblem(outputs, (output or 1) - 1, inputs, list(point), list(baseline),
                                 params.get("prefix", "phi"), network)
        if d > MAX_SYMBOLIC_SHAPLEY and problem.free_symbols():
            names = ", ".join(sorted(map(str, problem.free_symbols()))[:6])
            ctx.problem(params.loc_of("inputs"), over("shapley", f"inputs when the point, baseline or f has free "
                        f"symbols ({names}): 2^d symbolic coalition values", d, MAX_SYMBOLIC_SHAPLEY))
            return None
        return problem

    def answer_names(self, problem: ShapleyProblem) -> list[str]:
        return [f"{problem.prefix}_{i + 1}" for i in range(problem.d)]

    # -- symbolic route -------------------------------------------------
    def coalition_values(self, p: ShapleyProblem):
        """v(S) = f(x_S) for every bitmask S, exactly: a CoalitionValues (scaled integers), or a
        list of SymPy values when f or the point hold parameters (the fallback)."""
        fast = coalition_values(p.f, p.inputs, p.point, p.baseline) if not p.free_symbols() else None
        if fast is not None:
            return fast
        return [sympy.simplify(p.f.xreplace(dict(zip(p.inputs, coalition_point(m, p.point, p.baseline)))))
                for m in range(1 << p.d)]

    def solve(self, p: ShapleyProblem) -> Solution:
        values = self.coalition_values(p)
        phis = [_sym(v) if is_exact(v) else sympy.factor(sympy.simplify(v))
                for v in shapley_from_values(values, p.d)]
        vals = _Printed(values)  # SymPy numbers only for the coalitions a step shows
        sol = Solution()
        d, full = p.d, (1 << p.d) - 1
        f = sympy.Function("f")
        sol.step(
            "A coalition $S \\subseteq \\{1,\\dots,[[d]]\\}$ keeps its features at the point and sets the others "
            "to the baseline; the Shapley value of feature $i$ is the weighted average of its marginal contributions:",
            Line(Tex("\\phi_i"), Tex("\\sum_{S \\not\\ni i} \\frac{|S|!\\,(d-|S|-1)!}{d!}"
                                     "\\left[f(\\boldsymbol{x}_{S\\cup\\{i\\}}) - f(\\boldsymbol{x}_S)\\right]"),
                 kind="formula"),
            title="Setting up the game", d=d)
        at_point = p.f.xreplace(dict(zip(p.inputs, p.point)))  # plain substitution, not the coalition evaluator
        at_baseline = p.f.xreplace(dict(zip(p.inputs, p.baseline)))
        table = None
        if d <= TABLE_FEATURES:  # one table of every coalition's value, read by each feature below
            masks = sorted(range(1 << d), key=lambda m: (bin(m).count("1"), [k for k in range(d) if m >> k & 1]))
            table = Table([Tex("S"), Tex("f(\\boldsymbol{x}_S)")],
                          [[_members(m, d), Line(f(*coalition_point(m, p.point, p.baseline)), vals[m])] for m in masks])
        sol.step("The prediction and the baseline value" +
                 (", and the value of every coalition $S$ (its features at the point, the others at the baseline):"
                  if table is not None else ":"),
                 Line(f(*p.point), vals[full]), Line(f(*p.baseline), vals[0]), table=table,
                 where={f(*p.point): at_point, f(*p.baseline): at_baseline})
        said = {i for i in range(d) if self._feature_step(sol, p, vals, i, phis[i], f)}  # dummies said there
        total = sympy.simplify(sum(phis))
        sol.step("Efficiency: the Shapley values add up to the difference between prediction and baseline.",
                 Line(Tex("\\sum_i \\phi_i"), sympy.Add(*phis, evaluate=False), total, kind="definition"),
                 Line(Tex("f(\\boldsymbol{x}) - f(\\tilde{\\boldsymbol{x}})", at_point - at_baseline),
                      sympy.simplify(vals[full] - vals[0])),
                 title="Checking the result")
        for text in _symmetry_notes(values, d) if d <= 8 else []:
            if not any(text.startswith(f"Feature {i + 1} is a dummy") for i in said):
                sol.step(text)
        for i, phi in enumerate(phis):
            sol.answer(f"{p.prefix}_{i + 1}", phi, f"Shapley value of feature {i + 1}")
        return sol

    def _feature_step(self, sol, p, vals, i, phi, f):
        d, bit = p.d, 1 << i
        name = sympy.Symbol(f"{p.prefix}_{i + 1}")
        if d > TABLE_FEATURES:
            sol.step(f"Feature {i + 1} takes part in {1 << (d - 1)} coalitions; summing their weighted "
                     "contributions gives", Line(name, phi))
            return
        masks = [m for m in range(1 << d) if not m & bit]
        masks.sort(key=lambda m: (bin(m).count("1"), [k for k in range(d) if m >> k & 1]))
        terms, changed = [], []
        for m in masks:
            w = sympy.Rational(weight(bin(m).count("1"), d))
            delta = sympy.simplify(vals[m | bit] - vals[m])
            if delta != 0:
                terms.append(sympy.Mul(w, delta, evaluate=False))
                changed.append(m)
        weighted = sympy.Add(*terms, evaluate=False) if len(terms) > 1 else (terms[0] if terms else sympy.Integer(0))
        # the marginal contributions are read off the coalition table above; the text names the ones that count
        if not changed:
            said = f"adding feature {i + 1} changes no coalition's value in the table; it is a dummy, so"
        else:
            which = ", ".join(f"${tex(_members(m, d))}$" for m in changed)
            said = (f"adding feature {i + 1} changes the value of "
                    f"{'the coalition' if len(changed) == 1 else 'the coalitions'} {which} "
                    f"(weights $|S|!(d-|S|-1)!/d!$), so")
        sol.step(f"Coalitions without feature {i + 1}: {said}", Line(name, weighted, phi), title=f"Feature {i + 1}")
        return not changed  # a dummy, said here

    # -- numeric reference ----------------------------------------------
    def reference(self, p: ShapleyProblem, values: dict) -> dict:
        values = {k: v for k, v in values.items() if k not in p.inputs}  # parameters only
        model = self._numeric_model(p, values)
        point = [float(sympy.sympify(v).xreplace(_num(values))) for v in p.point]
        base = [float(sympy.sympify(v).xreplace(_num(values))) for v in p.baseline]
        if p.d <= 8:
            phi = ref.all_orderings(model, point, base)
        else:
            phi, _ = ref.monte_carlo(model, point, base, samples=4000, seed=1)
        return {f"{p.prefix}_{i + 1}": float(v) for i, v in enumerate(phi)}

    def tolerance(self, p: ShapleyProblem, answer: str) -> float:
        return 1e-9 if p.d <= 8 else 0.25  # Monte Carlo above 8 features

    @staticmethod
    def _numeric_model(p: ShapleyProblem, values: dict):
        if p.network is not None:
            return shapley_network.numeric_model(p.network, _num(values), p.output)
        fn = sympy.lambdify(p.inputs, p.f.xreplace(_num(values)), modules=[{"ReLU": lambda v: np.maximum(v, 0)}, "numpy"])
        return lambda x: fn(*x)


class _Printed:
    """Coalition values as SymPy numbers, converted on first use and kept."""

    def __init__(self, values):
        self.values, self.cache = values, {}

    def __getitem__(self, mask: int):
        if mask not in self.cache:
            self.cache[mask] = _sym(self.values[mask])
        return self.cache[mask]


def _sym(v):
    if isinstance(v, int):
        return sympy.Integer(v)
    if is_exact(v):
        return sympy.Rational(int(v.numerator), int(v.denominator))
    return sympy.sympify(v)


def _members(mask: int, d: int):
    """The coalition of bitmask ``mask`` as a set of feature numbers (1-based)."""
    members = [k + 1 for k in range(d) if mask >> k & 1]
    return sympy.FiniteSet(*members) if members else sympy.EmptySet


def _num(values: dict) -> dict:
    return {k: sympy.Float(v, 30) if isinstance(v, float) else sympy.Integer(v) for k, v in values.items()
            if isinstance(v, (int, float))}


def _same(a, b) -> bool:
    diff = a - b
    return diff == 0 if diff.is_number else sympy.simplify(diff) == 0


def _symmetry_notes(vals, d: int) -> list[str]:
    if isinstance(vals, CoalitionValues):
        return _symmetry_notes_exact(vals, d)
    notes = []
    for i in range(d):
        if all(_same(vals[m | 1 << i], vals[m]) for m in range(1 << d) if not m >> i & 1):
            notes.append(f"Feature {i + 1} is a dummy: adding it never changes the output, so its Shapley value is 0.")
    for i in range(d):
        for j in range(i + 1, d):
            rest = [m for m in range(1 << d) if not (m >> i & 1 or m >> j & 1)]
            if all(_same(vals[m | 1 << i], vals[m | 1 << j]) for m in rest):
                notes.append(f"Features {i + 1} and {j + 1} are symmetric: they contribute alike to every "
                             f"coalition, so their Shapley values are equal.")
    return notes


def _symmetry_notes_exact(vals: CoalitionValues, d: int) -> list[str]:
    """The same notes as _symmetry_notes, compared on the integer array in one pass each."""
    masks = np.arange(1 << d)
    notes = []
    for i in range(d):
        without = masks[(masks >> i) & 1 == 0]
        if vals.same(without | 1 << i, without):
            notes.append(f"Feature {i + 1} is a dummy: adding it never changes the output, so its Shapley value is 0.")
    for i in range(d):
        for j in range(i + 1, d):
            rest = masks[((masks >> i) & 1 == 0) & ((masks >> j) & 1 == 0)]
            if vals.same(rest | 1 << i, rest | 1 << j):
                notes.append(f"Features {i + 1} and {j + 1} are symmetric: they contribute alike to every "
                             f"coalition, so their Shapley values are equal.")
    return notes
