"""Taylor explanations in general dimension d: the formulas an exercise asks to prove "for any d".

Recognised from the spec's d-dimensional instance:

- ``linear``: f = sum_k w_k x_k at the root point 0, the coefficients named like the inputs (w1 for
  x1): phi_i = w_i x_i;
- ``radial``: f = g(||x - c||) expanded on the segment from c (``radial.general_segment_terms``):
  phi_i = g'(t r) (1 - t) (x_i - c_i)^2 / r with the root t of g(t r) = 0.

``General`` holds the answer phi_i in entry symbols (x_i, w_i, c_i), the vectors they are entries
of, and the worked steps; the Taylor method draws random instances from it (a random d, random
vectors, a random index i) for its numeric reference, which computes phi_i by finite differences.

>>> w1, w2, x1, x2 = sympy.symbols("w1 w2 x1 x2", real=True)
>>> general_form(w1 * x1 + w2 * x2, [x1, x2], "origin", None).phi
w_i*x_i
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from symxai.lazy import numpy as np
import sympy

from symxai.methods.expansion.radial import Norm, general_segment_terms, radial_profile
from symxai.solve.model import Line, Tex
from symxai.solve.stepcheck import Index

D = sympy.Symbol("d", integer=True, positive=True)
I = Index("i", D)


@dataclass
class General:
    kind: str  # "linear" or "radial"
    phi: sympy.Expr  # the answer phi_i, in entry symbols
    vectors: dict  # {entry symbol x_i: the vector x in R^d}, x first, then w or the centre c
    steps: list = field(default_factory=list)  # [(text, *lines, where)]
    profile: tuple | None = None  # (g, rho) of a radial f
    exact: bool = False  # the first-order terms add up to f(x) in every dimension


def _stem(symbol) -> str | None:
    m = re.fullmatch(r"([A-Za-z]+)_?(\d+)", getattr(symbol, "name", ""))
    return m.group(1) if m else None


def _linear(f, inputs) -> General | None:
    stem = _stem(inputs[0])
    coeffs = [sympy.expand(f).coeff(v, 1) for v in inputs]
    if stem is None or sympy.expand(f - sum(c * v for c, v in zip(coeffs, inputs))) != 0:
        return None
    stems = {_stem(c) for c in coeffs}
    if len(stems) != 1 or None in stems or stem in stems:
        return None
    if any(not isinstance(c, sympy.Symbol) or c.name.lstrip(_stem(c)).lstrip("_") != str(k + 1)
           for k, c in enumerate(coeffs)):
        return None
    (wstem,) = stems
    X, W = sympy.MatrixSymbol(stem, D, 1), sympy.MatrixSymbol(wstem, D, 1)
    xi, wi = sympy.Symbol(f"{stem}_i", real=True), sympy.Symbol(f"{wstem}_i", real=True)
    j = sympy.Symbol("j", integer=True, positive=True)
    entry = {xi: X[I - 1, 0], wi: W[I - 1, 0]}
    total = sympy.Sum(W[j - 1, 0] * X[j - 1, 0], (j, 1, D))
    grad = sympy.Sum(W[j - 1, 0] * sympy.KroneckerDelta(I, j), (j, 1, D))  # d/dx_i of sum_j w_j x_j
    phi = wi * xi
    # exact iff the Hessian of f vanishes: computed on the instance (f is linear there in every input)
    exact = all(sympy.diff(f, a, b) == 0 for a in inputs for b in inputs)
    steps = [
        ("In general dimension $d$, $f(\\boldsymbol{x}) = \\boldsymbol{w}^\\top\\boldsymbol{x}$ is a sum over the "
         "features, and its gradient is $\\boldsymbol{w}$ at every point, the root point "
         "$\\tilde{\\boldsymbol{x}} = \\boldsymbol{0}$ too:",
         Line(Tex("f(\\boldsymbol{x})", (W.T * X)[0, 0]), Tex("\\sum_{i=1}^{d} w_i x_i", total)),
         Line(Tex("[\\nabla f(\\tilde{\\boldsymbol{x}})]_i", grad), wi), entry),
        ("Hence, for every $i$ and every dimension $d$:",
         Line(Tex("\\phi_i", W[I - 1, 0] * (X[I - 1, 0] - 0)), phi), entry),
        ("The terms add up to " + ("$f(\\boldsymbol{x})$ itself: $f$ is linear, so the first-order expansion is "
                                   "exact and nothing is left to the higher-order terms." if exact else
                                   "the first-order part of $f(\\boldsymbol{x})$."),
         Line(Tex("\\sum_{i=1}^{d} \\phi_i", total), Tex("\\boldsymbol{w}^\\top\\boldsymbol{x}", (W.T * X)[0, 0]),
              *([Tex("f(\\boldsymbol{x})", (W.T * X)[0, 0])] if exact else [])), entry),
    ]
    return General("linear", phi, {xi: X, wi: W}, steps, exact=exact)


def _radial(f, inputs, reference) -> General | None:
    steps = general_segment_terms(f, inputs, reference)
    if steps is None:
        return None
    entry = steps[0][-1]
    phi = next(line.terms[-1] for _, *lines, _ in steps for line in lines
               if isinstance(line.terms[0], Tex) and line.terms[0].code == "\\phi_i")
    vectors = {}
    for symbol, value in entry.items():
        vectors[symbol] = value.parent  # x_i is entry i of x
    center, g, rho = radial_profile(f, inputs)
    exact = "exact" in steps[-1][0]
    return General("radial", phi, vectors, steps, profile=(g, rho), exact=exact)


def general_form(f, inputs, strategy: str, reference) -> General | None:
    """The general-d form of a Taylor problem, or None when it is none of the recognised shapes."""
    if strategy == "origin":
        return _linear(f, inputs)
    if strategy == "segment":
        return _radial(f, inputs, reference)
    return None


def sample_general(gen: General, values: dict, rng) -> dict:
    """``values`` with a random instance of the general form: d, the vectors, an index i and the
    entries x_i, ...; for a radial f, x drawn where g changes sign on the segment from c."""
    n = int(rng.integers(1, 6))
    out = dict(values)
    out[D] = n
    arrays = {}
    for entry, vec in gen.vectors.items():
        arrays[entry] = rng.normal(scale=2.0, size=(n, 1))
    if gen.kind == "radial":
        g, rho = gen.profile
        num = {k: v for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(k, sympy.MatrixSymbol)}
        prof = sympy.lambdify(rho, g.xreplace({k: sympy.Float(v) for k, v in num.items()}), "numpy")
        x_entry, c_entry = list(gen.vectors)  # x first, then the centre
        for _ in range(100):
            if prof(0.0) * prof(float(np.linalg.norm(arrays[x_entry] - arrays[c_entry]))) < 0:
                break
            arrays[x_entry] = arrays[c_entry] + rng.normal(scale=2.0, size=(n, 1)) * float(rng.uniform(1, 4))
        else:
            raise ValueError("no random instance found where g changes sign on the segment")
    i = int(rng.integers(1, n + 1))
    out[I] = i
    for entry, vec in gen.vectors.items():
        out[vec] = arrays[entry]
        out[entry] = float(arrays[entry][i - 1, 0])
    return out


def reference_general(gen: General, values: dict, terms, segment_root) -> float:
    """phi_i at the sampled instance, from f in floats: finite-difference gradient at the root point
    (the origin, or the root on the segment by brentq); ``terms``, ``segment_root`` are the Taylor
    reference's own routines."""
    arrays = {e: np.asarray(values[v], dtype=float).reshape(-1) for e, v in gen.vectors.items()}
    i = int(values[I])
    if gen.kind == "linear":
        (x, w) = [arrays[e] for e in gen.vectors]
        f = lambda z: float(w @ z)
        return float(terms(f, np.zeros(x.size), x)[i - 1])
    g, rho = gen.profile
    num = {k: v for k, v in values.items() if isinstance(v, (int, float)) and not isinstance(k, sympy.MatrixSymbol)}
    prof = sympy.lambdify(rho, g.xreplace({k: sympy.Float(v) for k, v in num.items()}), "numpy")
    x, c = [arrays[e] for e in gen.vectors]
    f = lambda z: float(prof(float(np.linalg.norm(z - c))))
    root = segment_root(f, c, x)
    return float(terms(f, root, x)[i - 1])
