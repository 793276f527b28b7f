"""GradCAM for a linear softmax head on flattened feature maps.

The last convolutional layer gives K maps A^k (d1 x d2), flattened map by
map, row by row, into z; the head is y = softmax(W z + b).  Parts:

- ``gradient``: dy_c/dz = y_c (W_c - sum_j y_j W_j)^T, shown in general and
  computed for the instance by differentiating the softmax symbolically;
- ``heatmap``: alpha_k = (1/Z) sum_ij dy_c/dA^k_ij with Z making the weights
  sum to one (as in the exercise) or Z = d1 d2 (the usual mean), and
  L = ReLU(sum_k alpha_k A^k);
- ``video``: the heat map of frame t when a shared CNN maps every frame to
  its maps and the head sees their average or their concatenation.

Verified against central finite differences of a numpy forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from symxai.lazy import numpy as np
import sympy

from symxai.solve.model import Line, Solution, Tex
from symxai.reference import gradcam as ref
from symxai.specs.schema import Choice, Expr, Field, Int, ListOf, Record
from symxai.methods import register
from symxai.methods.base import BuildContext, Method
from symxai.methods.saliency import gradcam_options
from symxai.methods.saliency import gradcam_general as general

MAPS = ListOf(ListOf(ListOf(Expr(), 1), 1), 1)


@dataclass
class GradcamProblem:
    part: str
    W: sympy.ImmutableMatrix
    b: sympy.ImmutableMatrix
    c: int  # 0-based class
    maps: list  # K ImmutableMatrix of d1 x d2 (the frame explained, for ``video``)
    normalise: str
    frames: list | None = None  # T lists of K maps
    frame_model: str = "averaged"
    t: int = 0  # 0-based frame
    output: str = "probability"  # or logit (symxai.methods.saliency.gradcam_options)
    relu: bool = True


def _flatten(maps) -> list:
    return [v for A in maps for v in A]  # ImmutableMatrix iterates row by row


def tidy(expr):
    """Simplify an expression in exponentials of rationals as a rational function of one exponential.

    >>> tidy(sympy.exp(2) / (1 + 2*sympy.E + 3*sympy.exp(2) + 2*sympy.exp(3) + sympy.exp(4)))
    exp(2)/(1 + E + exp(2))**2
    """
    expr = sympy.sympify(expr)
    exps = expr.atoms(sympy.exp)
    if not all(a.exp.is_Rational for a in exps):
        return sympy.simplify(expr)
    den = sympy.ilcm(1, 1, *[a.exp.q for a in exps])
    u = sympy.Dummy("u", positive=True)
    rational = expr.xreplace({a: u ** (a.exp * den) for a in exps}).xreplace({sympy.E: u ** den})
    return sympy.factor(sympy.cancel(rational)).xreplace({u: sympy.exp(sympy.Rational(1, den))})


def _reshape(vec, K, d1, d2) -> list:
    return [sympy.ImmutableMatrix(d1, d2, list(vec[k * d1 * d2:(k + 1) * d1 * d2])) for k in range(K)]


@register
class Gradcam(Method):
    name = "gradcam"
    reference_name = "central finite differences of a numpy forward pass"
    params = Record({
        "part": Field(Choice("gradient", "heatmap", "video"), required=True),
        "W": Field(ListOf(ListOf(Expr(), 1), 1), required=True, doc="C x d weights of the head"),
        "b": Field(ListOf(Expr(), 1), doc="C biases (default 0)"),
        "class": Field(Int(minimum=1), required=True, doc="the explained class c (1-based)"),
        "maps": Field(MAPS, doc="the K feature maps A^k, each a list of rows (gradient, heatmap)"),
        "normalise": Field(Choice("sum-to-one", "mean"), doc="Z: weights sum to one (default) or Z = d1 d2"),
        "frames": Field(ListOf(MAPS, 1), doc="video: the maps of every frame"),
        "frame_model": Field(Choice("averaged", "concatenated"), doc="video: how the head combines the frames"),
        "frame": Field(Int(minimum=1), doc="video: the frame t whose heat map is asked (1-based)"),
        **gradcam_options.FIELDS,
    })

    def _maps(self, ctx, raw):
        maps = [ctx.matrix(A) for A in raw]
        if any(A is None for A in maps):
            return None
        if len({A.shape for A in maps}) != 1:
            ctx.problem(raw.loc, "every feature map must have the same size d1 x d2")
            return None
        return maps

    def build(self, ctx: BuildContext, params):
        part = params["part"]
        W = ctx.matrix(params["W"])
        if W is None:
            return None
        b = ctx.vector(params["b"]) if "b" in params else sympy.ImmutableMatrix.zeros(W.shape[0], 1)
        if b is None:
            return None
        if len(b) != W.shape[0]:
            ctx.problem(params.loc_of("b"), f"W has {W.shape[0]} rows (classes), b has {len(b)} entries")
            return None
        c = params["class"]
        if c > W.shape[0]:
            ctx.problem(params.loc_of("class"), f"class {c} does not exist: the head has {W.shape[0]} classes")
            return None
        frames, model, t = None, params.get("frame_model", "averaged"), params.get("frame", 1)
        if part == "video":
            if "frames" not in params:
                ctx.problem(params.loc, "part 'video' needs frames")
                return None
            frames = [self._maps(ctx, f) for f in params["frames"]]
            if any(f is None for f in frames):
                return None
            if len({(len(f), f[0].shape) for f in frames}) != 1:
                ctx.problem(params.loc_of("frames"), "every frame must have the same number and size of maps")
                return None
            if t > len(frames):
                ctx.problem(params.loc_of("frame"), f"frame {t} does not exist: there are {len(frames)}")
                return None
            maps = frames[t - 1]
        else:
            if "maps" not in params:
                ctx.problem(params.loc, f"part '{part}' needs maps")
                return None
            maps = self._maps(ctx, params["maps"])
            if maps is None:
                return None
        d = len(maps) * maps[0].shape[0] * maps[0].shape[1]
        width = d * len(frames) if frames is not None and model == "concatenated" else d
        if W.shape[1] != width:
            ctx.problem(params.loc_of("W"), f"W has {W.shape[1]} columns, the head's input z has {width} entries")
            return None
        return gradcam_options.finish(ctx, params, GradcamProblem(part, W, b, c - 1, maps, params.get(
            "normalise", "sum-to-one"), frames, model, t - 1), self)

    def answer_names(self, p: GradcamProblem) -> list[str]:
        gradient = ["dyc_dz"] if p.output == "logit" else ["dyc_dz_general", "dyc_dz"]  # the general form is softmax's
        return {"gradient": gradient, "heatmap": ["alpha", "L"], "video": ["L_t"]}[p.part]

    # -- symbolic route -------------------------------------------------
    def _head_gradient(self, p: GradcamProblem, z_value):
        """y at z_value and dy_c/dz there, by differentiating the softmax expression."""
        if p.output == "logit":
            return gradcam_options.logit_gradient(p.W, p.c, z_value, p.b)
        C, d = p.W.shape
        z = sympy.symbols(f"z1:{d + 1}", real=True)
        s = p.W * sympy.ImmutableMatrix(z) + p.b
        y_c = sympy.exp(s[p.c]) / sum(sympy.exp(s[j]) for j in range(C))
        at = dict(zip(z, z_value))
        y = [tidy((sympy.exp(s[j]) / sum(sympy.exp(s[i]) for i in range(C))).xreplace(at)) for j in range(C)]
        grad = sympy.ImmutableMatrix([tidy(sympy.diff(y_c, zi).xreplace(at)) for zi in z])
        return y, grad

    def solve(self, p: GradcamProblem) -> Solution:
        sol = Solution()
        C, K = p.W.shape[0], len(p.maps)
        d1, d2 = p.maps[0].shape
        c = p.c + 1
        if p.output == "logit":
            gradcam_options.logit_step(sol)
        else:
            sol.step("With logits $s = Wz + b$ and $y_j = e^{s_j}/\\sum_i e^{s_i}$, the softmax derivative is "
                     "$\\partial y_c/\\partial s_j = y_c(\\delta_{cj} - y_j)$ and $\\partial s_j/\\partial z = W_j^\\top$ "
                     "($W_j$ the $j$-th row). The chain rule gives",
                     Line(Tex("\\frac{\\partial y_c}{\\partial z}"),
                          Tex("\\sum_j y_c(\\delta_{cj} - y_j)\\,W_j^\\top"),
                          Tex("y_c\\Bigl(W_c - \\sum_{j} y_j W_j\\Bigr)^{\\top}"), kind="formula"),
                     *([general.general_line()] if p.part == "gradient" else []),
                     title="Gradient of a softmax output")
            if p.part == "gradient":
                sol.answer("dyc_dz_general", general.general_gradient(),
                           "dy_c/dz for any head W in R^{C x d}, with y the class probabilities and e_c the c-th unit vector")
        if p.part == "video":
            T = len(p.frames)
            per_frame = [_flatten(f) for f in p.frames]
            if p.frame_model == "averaged":
                z = [sum(col) / T for col in zip(*per_frame)]
                y, grad_z = self._head_gradient(p, z)
                grad_t = (grad_z / T).applyfunc(tidy)
                how = ("The head sees the average $\\bar z = \\frac1T\\sum_t z_t$ of the frames' features, so "
                       "$\\partial y_c/\\partial z_t = \\frac1T\\,\\partial y_c/\\partial \\bar z$: every frame receives "
                       "the same gradient, so the weights $\\alpha^{c,t}_k$ are the same for every frame: the heat "
                       "maps of the frames differ only through their own feature maps $A^{k,t}$.")
            else:
                z = [v for f in per_frame for v in f]
                y, grad_z = self._head_gradient(p, z)
                n = len(per_frame[0])
                grad_t = sympy.ImmutableMatrix(list(grad_z[p.t * n:(p.t + 1) * n]))
                how = ("The head sees the concatenation $z = (z_1, \\dots, z_T)$, so $\\partial y_c/\\partial z_t$ is "
                       "the $t$-th block of $\\partial y_c/\\partial z$: each frame has its own columns of $W$.")
            sol.step(how + " For frame $t$,", Line(Tex("\\mathbf{L}^{c,t}"),
                     Tex("\\operatorname{ReLU}\\Bigl(\\sum_k \\alpha^{c,t}_k A^{k,t}\\Bigr),\\quad "
                         "\\alpha^{c,t}_k = \\frac{1}{Z_t}\\sum_{i,j}\\frac{\\partial y_c}{\\partial A^{k,t}_{ij}}"),
                     kind="formula"),
                     title="Frame model")
        else:
            y, grad_t = self._head_gradient(p, _flatten(p.maps))
        sol.step(f"For the instance ($K = {K}$ maps of ${d1}\\times{d2}$, $C = {C}$ classes, explained class $c = {c}$) "
                 + ("the logits are" if p.output == "logit" else "the class probabilities are"),
                 Line(Tex("y"), sympy.ImmutableMatrix(y).T, kind="definition"),
                 title="The instance")
        grad_maps = _reshape(grad_t, K, d1, d2)
        if p.part == "gradient":
            # the flattened gradient is the answer; the step shows it as the maps it is read on
            sol.step(f"Differentiating the {'logit' if p.output == 'logit' else 'softmax output'} symbolically and "
                     "evaluating at $z$ (the same as the formula) gives $\\partial y_c/\\partial z$, the "
                     "answer below; its entries, map by map:",
                     *[Line(Tex(f"\\frac{{\\partial y_{c}}}{{\\partial A^{{{k + 1}}}}}"), g, kind="definition")
                       for k, g in enumerate(grad_maps)])
            sol.answer("dyc_dz", grad_t, f"gradient of y_{c} w.r.t. the flattened maps z")
            return sol
        sums = [tidy(sum(g)) for g in grad_maps]
        Z = tidy(sum(sums)) if p.normalise == "sum-to-one" else sympy.Integer(d1 * d2)
        if Z == 0:
            raise ValueError("the gradient sums add up to 0: weights summing to one are undefined")
        alpha = sympy.ImmutableMatrix([tidy(g / Z) for g in sums])
        combo = sum((alpha[k] * p.maps[k] for k in range(K)), sympy.zeros(d1, d2))
        L = sympy.ImmutableMatrix(combo.applyfunc(lambda v: sympy.Max(0, tidy(v)) if p.relu else tidy(v)))
        zname = "\\sum_k\\sum_{i,j}\\partial y_c/\\partial A^k_{ij}" if p.normalise == "sum-to-one" else "d_1 d_2"
        sol.step(f"Summing the gradient over each map and dividing by $Z = {zname}$:",
                 *[Line(Tex(f"\\sum_{{i,j}}\\frac{{\\partial y_{c}}}{{\\partial A^{{{k + 1}}}_{{ij}}}}", sum(g)), s)
                   for k, (g, s) in enumerate(zip(grad_maps, sums))],
                 Line(Tex("Z"), Z, kind="definition"), Line(sympy.Symbol("alpha"), alpha.T, kind="definition" if p.part == "video" else "chain"),
                 title="Weights")
        if p.normalise == "sum-to-one":
            sol.step("A negative $Z$ would flip the sign of every weight and so turn the map inside out; the usual "
                     "normaliser $Z = d_1 d_2$ (a mean) avoids this and only rescales the map.")
        sol.step("$A^k$ says where feature $k$ is present, $\\alpha_k^c$ how much feature $k$ raises $y_c$ on average; "
                 + ("ReLU keeps only the regions that speak for class $c$:" if p.relu else "without the final ReLU "
                    "(relu: false) the map keeps its sign, negative where the maps speak against class $c$:"),
                 Line(Tex("\\sum_k \\alpha_k A^k", combo), sympy.ImmutableMatrix(combo.applyfunc(tidy))),
                 Line(sympy.Symbol("L_t" if p.part == "video" else "L"), L), title="Heat map")
        if p.part == "video":
            sol.answer("L_t", L, f"GradCAM heat map of frame {p.t + 1} for class {c}")
        else:
            sol.answer("alpha", alpha, "GradCAM weights alpha_k^c")
            sol.answer("L", L, f"GradCAM heat map for class {c}")
        return sol

    # -- numeric reference ----------------------------------------------
    def sample(self, p: GradcamProblem, symbols, rng) -> dict:
        values = symbols.sample(rng)
        return general.sample_general(values, rng, ref.softmax) if p.part == "gradient" else values

    def reference(self, p: GradcamProblem, values: dict) -> dict:
        W, b = np.array(p.W, dtype=float), np.array(p.b, dtype=float).ravel()
        if p.part == "video":
            frames = np.array([[np.array(A, dtype=float) for A in f] for f in p.frames])
            grads = ref.fd_gradient(ref.video_score(W, b, p.c, p.frame_model, p.output), frames)
            _, L = ref.heat_map(grads[p.t], frames[p.t], p.normalise, p.relu)
            return {"L_t": L}
        maps = np.array([np.array(A, dtype=float) for A in p.maps])
        grads = ref.fd_gradient(ref.class_score(W, b, p.c, p.output), maps)
        alpha, L = ref.heat_map(grads, maps, p.normalise, p.relu)
        out = {"dyc_dz": grads.reshape(-1), "alpha": alpha, "L": L}
        if p.part == "gradient" and p.output != "logit" and general.W in values:
            out["dyc_dz_general"] = general.reference_general(values, ref.fd_gradient, ref.softmax)
        return out

    def tolerance(self, p, answer: str) -> float:
        return 1e-7  # central differences with step 1e-6
