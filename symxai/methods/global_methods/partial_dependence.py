"""Partial dependence and individual conditional expectation (ICE) of a model on a small data set.

For feature j and a grid value z, ICE_i(z) = f(z, x_{i,-j}) (row i with feature j set to z) and
PDP_j(z) = (1/n) sum_i ICE_i(z), both derived symbolically as functions of z.  With an interaction
x_1 x_2 the ICE curves have different slopes while the PDP shows only their average (the PDP hides
the interaction); for an additive f every ICE curve is the PDP shifted.

Verified against a numpy average over the rows of the model evaluated with the column replaced
(tests: scikit-learn's ``partial_dependence`` on a wrapped estimator).
"""

from __future__ import annotations

from dataclasses import dataclass

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Tex
from symxai.expr.printing import tex
from symxai.reference import partial_dependence as ref
from symxai.specs.schema import Expr, Field, Int, ListOf, Name, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method

MAX_ROWS = 12


@dataclass
class PdpProblem:
    f: sympy.Expr
    inputs: list
    rows: list  # list of lists of numbers
    j: int  # 0-based feature
    z: sympy.Symbol

    def ice(self, i):
        row = dict(zip(self.inputs, self.rows[i]))
        row[self.inputs[self.j]] = self.z
        return self.f.xreplace(row)


@register
class PartialDependence(Method):
    name = "partial-dependence"
    reference_name = "numpy: the model evaluated on every row with the feature replaced, averaged"
    params = Record({
        "f": Field(Expr(), required=True, doc="the model f(x)"),
        "inputs": Field(ListOf(Name(), 1), required=True, doc="the features x_1..x_d, in order"),
        "data": Field(ListOf(ListOf(Expr(), 1), 1), required=True, doc=f"the data set, one row per point (at most {MAX_ROWS})"),
        "feature": Field(Int(minimum=1), required=True, doc="the feature j (1-based) whose dependence is shown"),
        "grid": Field(Name(), required=True, doc="the declared real symbol z for the value of feature j"),
    })

    def build(self, ctx: BuildContext, params):
        inputs = ctx.scalars(params["inputs"], params.loc_of("inputs"))
        f = ctx.expr(params["f"], params.loc_of("f"))
        X = ctx.matrix(params["data"], params.loc_of("data"))
        if inputs is None or f is None or X is None:
            return None
        if X.shape[1] != len(inputs) or any(not v.is_number for v in X):
            ctx.problem(params.loc_of("data"), f"every row of data needs {len(inputs)} numbers, one per input")
            return None
        if X.shape[0] > MAX_ROWS:
            ctx.problem(params.loc_of("data"), f"at most {MAX_ROWS} rows (one ICE curve each)")
            return None
        j = int(params["feature"]) - 1
        z = ctx.symbols.objects.get(params["grid"])
        if j >= len(inputs):
            ctx.problem(params.loc_of("feature"), f"features are numbered 1..{len(inputs)}")
            return None
        if not isinstance(z, sympy.Symbol) or z in inputs:
            ctx.problem(params.loc_of("grid"), f"'{params['grid']}' must be a declared scalar symbol other than the inputs")
            return None
        if f.free_symbols - set(inputs):
            ctx.problem(params.loc_of("f"), "f may use only the inputs (this method works on a given model)")
            return None
        return PdpProblem(f, inputs, [list(X.row(i)) for i in range(X.shape[0])], j, z)

    def answer_names(self, p) -> list[str]:
        return ["pdp"] + [f"ice_{i + 1}" for i in range(len(p.rows))]

    def solve(self, p: PdpProblem) -> Solution:
        sol = Solution()
        n = len(p.rows)
        sol.step(f"The ICE curve of row $i$ sets feature $x_{{{p.j + 1}}}$ to $z$ and keeps the row's other "
                 "features; the partial dependence is their mean over the data:",
                 Line(Tex("\\mathrm{ICE}_i(z)"), Tex(f"f(z, \\boldsymbol{{x}}_{{i,-{p.j + 1}}})"), kind="formula"),
                 Line(Tex("\\mathrm{PDP}(z)"), Tex("\\frac1n\\sum_{i=1}^n \\mathrm{ICE}_i(z)"), kind="formula"),
                 title="Definitions")
        ice = []
        lines = []
        for i in range(n):
            raw = p.ice(i)
            value = sympy.expand(raw)
            ice.append(value)
            others = ", ".join("z" if k == p.j else tex(v) for k, v in enumerate(p.rows[i]))
            lines.append(Line(sympy.Symbol(f"ice_{i + 1}"), Tex(f"f({others})", raw), raw, value))
        sol.step(f"Row by row ($n = {n}$):", *lines, title="ICE curves")
        mean = sympy.Mul(sympy.Rational(1, n), sympy.Add(*ice, evaluate=False), evaluate=False)
        pdp = sympy.expand(sympy.Add(*ice) / n)
        sol.step("Averaging the curves:", Line(sympy.Symbol("pdp"), mean, pdp), title="Partial dependence")
        slopes = [sympy.diff(c, p.z) for c in ice]
        if len(set(slopes)) > 1:
            sol.step("The ICE curves are not parallel: their slopes in $z$ are [[slopes]], so the effect of "
                     f"$x_{{{p.j + 1}}}$ depends on the other features (an interaction). The PDP, with slope "
                     "[[slope]], shows only the average and hides this spread.",
                     slopes=sympy.ImmutableMatrix([slopes]), slope=sympy.diff(pdp, p.z))
        else:
            sol.step(f"Every ICE curve has the same shape in $z$: $f$ is additive in $x_{{{p.j + 1}}}$ here, and the "
                     "PDP tells the whole story up to a shift per row.")
        sol.answer("pdp", pdp, f"partial dependence on x_{p.j + 1} as a function of {p.z}")
        for i, c in enumerate(ice):
            sol.answer(f"ice_{i + 1}", c, f"ICE curve of row {i + 1}")
        return sol

    def _model(self, p):
        fn = sympy.lambdify(p.inputs, p.f, modules="numpy")
        return lambda X: np.asarray(fn(*np.asarray(X, float).T), float) * np.ones(len(X))

    def reference(self, p: PdpProblem, values: dict) -> dict:
        z = float(values.get(p.z, 0.0))  # no answer depends on z (a constant f): any grid value will do
        X = np.array([[float(v) for v in r] for r in p.rows])
        model = self._model(p)
        curves = ref.ice(model, X, p.j, [z])[:, 0]
        out = {"pdp": float(ref.partial_dependence(model, X, p.j, [z])[0])}
        out.update({f"ice_{i + 1}": float(c) for i, c in enumerate(curves)})
        return out

    def tolerance(self, p, answer):
        return 1e-9
