"""Declared symbols: their shapes, their assumptions, and random values that respect both.

A spec declares every name it uses.  Scalars become ``sympy.Symbol`` with the
assumptions SymPy understands; vectors and matrices become ``MatrixSymbol`` s
whose dimensions are numbers or declared integer symbols (``d``).

>>> import numpy as np
>>> decls = [SymbolDecl("d", assume=frozenset({"integer", "positive"})),
...          SymbolDecl("Sigma", shape=("d", "d"), assume=frozenset({"spd"}))]
>>> table = SymbolTable(decls)
>>> table["Sigma"].shape
(d, d)
>>> values = table.sample(np.random.default_rng(0))
>>> bool(np.all(np.linalg.eigvalsh(values[table["Sigma"]]) > 0))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from symxai.lazy import numpy as np
import sympy

from symxai.errors import Location

SCALAR_ASSUMPTIONS = {
    "real": {"real": True},
    "positive": {"positive": True},
    "nonnegative": {"nonnegative": True},
    "negative": {"negative": True},
    "nonpositive": {"nonpositive": True},
    "nonzero": {"nonzero": True},
    "integer": {"integer": True},
}
MATRIX_ASSUMPTIONS = {"real", "symmetric", "spd", "invertible", "nonnegative", "positive"}
ASSUMPTIONS = sorted(set(SCALAR_ASSUMPTIONS) | MATRIX_ASSUMPTIONS)


@dataclass(frozen=True)
class SymbolDecl:
    """One declared name: shape () scalar, (n,) vector, (n, m) matrix; n, m ints or scalar names."""

    name: str
    shape: tuple = ()
    assume: frozenset = frozenset({"real"})
    loc: Location | None = None
    range: tuple | None = None  # sampling interval for scalars, e.g. (0, 5)

    @property
    def is_scalar(self) -> bool:
        return not self.shape


SCALAR_ONLY = set(SCALAR_ASSUMPTIONS) - MATRIX_ASSUMPTIONS  # integer, negative, nonpositive, nonzero
SQUARE_ONLY = {"symmetric", "spd", "invertible"}


def declaration_problems(decl: SymbolDecl) -> list[tuple[str, str]]:
    """(key, message) for each way a declaration contradicts itself; [] when it is sound.

    >>> declaration_problems(SymbolDecl("Sigma", shape=("d",), assume=frozenset({"real", "spd"})))
    [('assume', "'spd' needs a square matrix, shape [n, n]; Sigma has shape [d]")]
    >>> declaration_problems(SymbolDecl("t", assume=frozenset({"positive"}), range=(-1.0, 1.0)))
    [('range', 'range [-1, 1] of t contradicts positive: every value must be > 0')]
    """
    out = []
    shape, a = decl.shape, decl.assume
    if len(shape) > 2:
        out.append(("shape", f"a shape is [n] (vector) or [n, m] (matrix); {decl.name} has {len(shape)} dimensions"))
    shown = "[" + ", ".join(map(str, shape)) + "]"
    if shape:
        for name in sorted(a & SCALAR_ONLY):
            out.append(("assume", f"'{name}' applies to scalars only; {decl.name} has shape {shown}"))
        square = len(shape) == 2 and shape[0] == shape[1]
        for name in sorted(a & SQUARE_ONLY):
            if not square:
                out.append(("assume", f"'{name}' needs a square matrix, shape [n, n]; {decl.name} has shape {shown}"))
        if decl.range is not None:
            out.append(("range", f"range applies to scalars only; {decl.name} has shape {shown}"))
    else:
        for name in sorted(a & SQUARE_ONLY):
            out.append(("assume", f"'{name}' applies to square matrices only; {decl.name} is a scalar (give shape: [n, n])"))
    if not shape and decl.range is not None:
        lo, hi = decl.range
        bounds = {"positive": (lo > 0, "> 0"), "nonnegative": (lo >= 0, ">= 0"),
                  "negative": (hi < 0, "< 0"), "nonpositive": (hi <= 0, "<= 0"),
                  "nonzero": (not lo <= 0 <= hi, "!= 0 (the range may not hold 0)")}
        for name, (ok, rule) in bounds.items():
            if name in a and not ok:
                out.append(("range", f"range [{lo:g}, {hi:g}] of {decl.name} contradicts {name}: every value must be {rule}"))
        if "integer" in a and (int(lo) != lo or int(hi) != hi):
            out.append(("range", f"range [{lo:g}, {hi:g}] of the integer {decl.name} needs integer bounds"))
    return out


@dataclass
class SymbolTable:
    """Names -> SymPy objects, built from declarations in order (dimensions first)."""

    decls: list[SymbolDecl]
    objects: dict = field(default_factory=dict)

    def __post_init__(self):
        for decl in sorted(self.decls, key=lambda d: not d.is_scalar):
            self.objects[decl.name] = self._make(decl)
        self.by_object = {obj: decl for decl in self.decls for obj in [self.objects[decl.name]]}

    def _make(self, decl: SymbolDecl):
        if decl.is_scalar:
            kwargs = {"real": True}
            for a in decl.assume:
                kwargs.update(SCALAR_ASSUMPTIONS.get(a, {}))
            return sympy.Symbol(decl.name, **kwargs)
        dims = [self.objects[n] if isinstance(n, str) else sympy.Integer(n) for n in decl.shape]
        if len(dims) == 1:
            dims.append(sympy.Integer(1))
        return sympy.MatrixSymbol(decl.name, *dims)

    def __getitem__(self, name: str):
        return self.objects[name]

    def __contains__(self, name: str) -> bool:
        return name in self.objects

    def names(self) -> dict:
        """The mapping the expression parser takes."""
        return dict(self.objects)

    def sample(self, rng: np.random.Generator, fixed: dict | None = None) -> dict:
        """Random values for every declared name: {sympy object: float or ndarray}.

        Integer dimensions are drawn from 2..5; scalars from their declared
        range or from an interval that respects their sign assumptions;
        symmetric positive definite matrices as A A^T + I scaled.
        """
        values = dict(fixed or {})
        for decl in sorted(self.decls, key=lambda d: not d.is_scalar):
            obj = self.objects[decl.name]
            if obj in values:
                continue
            if decl.is_scalar:
                values[obj] = self._scalar(decl, rng)
            else:
                values[obj] = self._array(decl, obj, values, rng)
        return values

    @staticmethod
    def _scalar(decl: SymbolDecl, rng):
        a = decl.assume
        if "integer" in a:
            lo, hi = decl.range or ((1, 5) if "positive" in a else (0, 5) if "nonnegative" in a else (-4, 4))
            return int(rng.integers(lo, hi + 1))
        if decl.range:
            return float(rng.uniform(*decl.range))
        if "positive" in a:
            return float(rng.uniform(0.3, 3.0))
        if "nonnegative" in a:
            return float(rng.uniform(0.0, 3.0))
        if "negative" in a:
            return float(-rng.uniform(0.3, 3.0))
        if "nonpositive" in a:
            return float(-rng.uniform(0.0, 3.0))
        return float(rng.uniform(-3.0, 3.0)) or 0.5

    @staticmethod
    def _array(decl: SymbolDecl, obj, values, rng):
        shape = []
        for dim in obj.shape:
            if dim.is_Integer:
                shape.append(int(dim))
            else:
                if dim not in values:
                    values[dim] = int(rng.integers(2, 6))
                shape.append(int(values[dim]))
        n, m = shape
        a = decl.assume
        if "spd" in a:
            g = rng.normal(size=(n, n))
            return g @ g.T / n + np.eye(n) * 0.5
        if "symmetric" in a:
            g = rng.normal(size=(n, n))
            return (g + g.T) / 2
        if "positive" in a:
            return rng.uniform(0.3, 3.0, size=(n, m))
        if "nonnegative" in a:
            return rng.uniform(0.0, 3.0, size=(n, m))
        out = rng.normal(size=(n, m))
        if "invertible" in a:
            out = out + np.eye(n) * 2
        return out
