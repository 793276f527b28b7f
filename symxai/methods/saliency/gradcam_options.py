"""GradCAM conventions beyond the softmax head with a final ReLU: which output is explained and whether the
ReLU is applied, and a located error when the weights cannot be normalised.

- ``output: probability`` (default) explains y_c = softmax(Wz + b)_c; ``output: logit`` explains the logit
  s_c = W_c z + b_c (the original Grad-CAM paper's y^c "before the softmax"), whose gradient is W_c^T
  everywhere, so the weights alpha_k are sums of W_c over map k;
- ``relu: true`` (default) gives L = ReLU(sum_k alpha_k A^k); ``relu: false`` the signed map sum_k alpha_k A^k
  (negative where the maps speak against class c);
- with ``normalise: sum-to-one`` the normaliser Z = sum_k sum_ij dy_c/dA^k_ij can vanish: the build then stops
  with the file and line of ``normalise`` (or of the exercise) and says what was expected.

>>> import sympy
>>> W = sympy.ImmutableMatrix([[1, -1], [0, 2]])
>>> logit_gradient(W, 0, [3, 4])
([-1, 8], Matrix([
[ 1],
[-1]]))
"""

from __future__ import annotations

import sympy

from symxai.solve.model import Line, Tex
from symxai.specs.schema import Bool, Choice, Field

FIELDS = {
    "output": Field(Choice("probability", "logit"),
                    doc="the explained output: the softmax probability y_c (default) or the logit s_c = W_c z + b_c"),
    "relu": Field(Bool(), doc="apply the final ReLU to the heat map (default true); false keeps its sign"),
}


def logit_gradient(W, c: int, z_value, b=None):
    """(the logits at z, ds_c/dz = W_c^T): a linear head's logit has the same gradient everywhere."""
    b = b if b is not None else sympy.zeros(W.shape[0], 1)
    s = W * sympy.ImmutableMatrix(list(z_value)) + b
    return list(s), sympy.ImmutableMatrix(W.row(c).T)


def logit_step(sol) -> None:
    sol.step("The explained output is the logit $s_c = W_c z + b_c$ before the softmax (written $y_c$ below); it "
             "is linear in $z$, so its gradient is the same at every input:",
             Line(Tex("\\frac{\\partial y_c}{\\partial z}"), Tex("\\frac{\\partial s_c}{\\partial z}"),
                  Tex("W_c^\\top"), kind="formula"),
             title="Gradient of a logit")


def _explained_gradient(p, method):
    """dy_c/dz_t of the explained frame (or of the maps), as the method's solve computes it."""
    flat = lambda maps: [v for A in maps for v in A]
    if p.part != "video":
        return method._head_gradient(p, flat(p.maps))[1]
    per_frame = [flat(f) for f in p.frames]
    if p.frame_model == "averaged":
        T = len(per_frame)
        return method._head_gradient(p, [sum(col) / T for col in zip(*per_frame)])[1] / T
    n = len(per_frame[0])
    return list(method._head_gradient(p, [v for f in per_frame for v in f])[1])[p.t * n:(p.t + 1) * n]


def finish(ctx, params, problem, method):
    """Set the options on the built problem; a located problem (and None) when Z = 0 under sum-to-one."""
    if problem is None:
        return None
    problem.output = params.get("output", "probability")
    problem.relu = params.get("relu", True)
    if problem.part == "gradient" or problem.normalise != "sum-to-one" or ctx.known_valid:
        return problem  # (known valid: Z != 0 was found for this very spec text by this very code)
    Z = sympy.simplify(sum(_explained_gradient(problem, method)))
    if Z == 0:
        where = params.loc_of("normalise") if "normalise" in params else params.loc
        ctx.problem(where, "normalise: sum-to-one needs Z = sum_k sum_ij d" + ("s_c" if problem.output == "logit"
                    else "y_c") + "/dA^k_ij != 0, but here Z = 0 (the gradient sums of the maps cancel); expected a "
                    "head whose gradient sums do not cancel, or normalise: mean (Z = d1 d2)")
        return None
    return problem
