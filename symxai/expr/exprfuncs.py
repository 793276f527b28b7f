"""The functions, constants and bounded arithmetic helpers of symxai's whitelist parser.

Every function a typed expression may call is in ``DEFAULT_FUNCTIONS``; each
checks its arguments' kinds (scalar or matrix) and refuses numbers that would
grow too large, raising ``Refused`` (the parser adds the text and position).
"""
from __future__ import annotations

import math
from collections.abc import Callable

import sympy
from sympy import S
from sympy.matrices import MatrixBase
from sympy.matrices.expressions import MatrixExpr


MAX_LENGTH = 20_000
MAX_DEPTH = 200
MAX_DIGITS = 10_000      # of any number built while parsing
MAX_LITERAL_DIGITS = 1_000
MAX_EXPONENT = 1_000     # |exponent| of a power of numbers
MAX_STEPS = 100_000      # parsing steps (operands, operators, SymPy constructions): the work bound
MAX_SECONDS = 10.0       # a last fuse only, for one runaway SymPy call the limits above miss
_MAX_ROOT_BITS = 400     # roots of bigger integers make SymPy factor them


class Refused(Exception):
    """A helper's refusal; the parser adds the text and position."""


class Phi(sympy.Function):
    """The standard normal CDF, kept as ``Phi(x)``; numeric through erf.

    >>> Phi(0), round(float(Phi(3)), 5)
    (1/2, 0.99865)
    """

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x is S.Zero:
            return S.Half
        if x is S.Infinity:
            return S.One
        if x is S.NegativeInfinity:
            return S.Zero

    def _eval_rewrite_as_erf(self, x, **kwargs):
        return (1 + sympy.erf(x / sympy.sqrt(2))) / 2

    def _eval_evalf(self, prec):
        return self.rewrite(sympy.erf)._eval_evalf(prec)

    def fdiff(self, argindex=1):
        x = self.args[0]
        return sympy.exp(-x**2 / 2) / sympy.sqrt(2 * sympy.pi)

    def _latex(self, printer, exp=None):
        tex = r"\Phi\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"%s^{%s}" % (tex, exp)

    def _print_through_erf(self, printer):
        return printer._print(self.rewrite(sympy.erf))

    _numpycode = _pythoncode = _mpmathcode = _print_through_erf


def _is_matrix(e) -> bool:
    return isinstance(e, (MatrixExpr, MatrixBase))


def _describe(e) -> str:
    return f"a {e.shape[0]}x{e.shape[1]} matrix" if _is_matrix(e) else "a scalar"


def _scalar(e):
    """The entry of a 1x1 matrix, anything else unchanged."""
    return e[0, 0] if _is_matrix(e) and e.shape == (1, 1) else e


def _need_scalar(e, what: str):
    e = _scalar(e)
    if _is_matrix(e):
        raise Refused(f"{what} expects a scalar, got {_describe(e)}")
    return e


def _checked_pow(base, exp):
    """``base**exp`` unless the result would be a huge number or a slow root."""
    if _is_matrix(exp):
        raise Refused("an exponent must be a scalar")
    if base.is_number and exp.is_number:
        if not exp.is_Rational or _deep_number(base):
            return sympy.Pow(base, exp, evaluate=False)  # SymPy's own evaluation can explode
        size = abs(exp)
        if size > MAX_EXPONENT:
            raise Refused(f"exponent is too large (at most {MAX_EXPONENT} "
                           "for a power of numbers)")
        if base.is_Rational and base != 0:
            digits = float(size) * (math.log10(abs(base.p)) + math.log10(base.q))
            if digits > MAX_DIGITS:
                raise Refused(f"the power would have about {int(digits)} digits "
                               f"(at most {MAX_DIGITS})")
            if not exp.is_Integer and base.p.bit_length() + base.q.bit_length() > _MAX_ROOT_BITS:
                raise Refused("root of a number this large is not supported")
    return base**exp


def _sqrt(x):
    return _checked_pow(_need_scalar(x, "sqrt"), S.Half)


def _taller_than(e, height: int) -> bool:
    return height < 0 or any(_taller_than(a, height - 1) for a in e.args)


def _deep_number(e) -> bool:
    """A nested numeric expression, on which SymPy's automatic evaluation
    (log(log(log(2))), towers of powers) can take exponential time."""
    return isinstance(e, sympy.Expr) and e.is_number and _taller_than(e, 3)


def _scalar_fn(name, f):
    def apply(*args):
        args = [_need_scalar(a, name) for a in args]
        if any(_deep_number(a) for a in args):
            return f(*args, evaluate=False)
        return f(*args)
    apply.__name__ = name
    return apply


def _inv(a):
    if not _is_matrix(a):
        if a.is_zero:
            raise Refused("division by zero")
        return 1 / a
    if a.shape[0] != a.shape[1]:
        raise Refused(f"cannot invert {_describe(a)}")
    return a.inv() if isinstance(a, MatrixBase) else sympy.Inverse(a)


def _eye(n):
    """The n x n identity, as eye(n) or Identity(n) (what symxai's own answers print)."""
    if _is_matrix(n) or not (n.is_integer and n.is_positive):
        raise Refused("eye(n) or Identity(n) needs a positive integer size n (a number or a declared dimension)")
    if n.is_Integer and n > 1000:
        raise Refused("eye(n): n is too large (at most 1000)")
    return sympy.Identity(n)


def _norm(v):
    if not _is_matrix(v):
        return sympy.Abs(v)
    if v.shape[1] != 1:
        if v.shape[0] != 1:
            raise Refused(f"norm expects a vector, got {_describe(v)}")
        v = v.T
    if not isinstance(v, MatrixBase) and not v.shape[0].is_Integer:
        # the engine's own norm: (v^T v)[0, 0] of a symbolic-size vector is an index Sum that
        # neither simplifies against the engine's answers nor evaluates quickly
        from symxai.methods.expansion.radial import Norm
        return Norm(v)
    return _checked_pow((v.T * v)[0, 0], S.Half)


def _relu(x, **kw):
    return sympy.Max(0, x, **kw)


def _sigmoid(x, **kw):
    return 1 / (1 + sympy.exp(-x, **kw))


def _log(x, base=None, **kw):
    return sympy.log(x, **kw) if base is None else sympy.log(x, **kw) / sympy.log(base, **kw)


DEFAULT_FUNCTIONS: dict[str, Callable] = {
    name: _scalar_fn(name, f) for name, f in {
        "Min": sympy.Min, "min": sympy.Min, "Max": sympy.Max, "max": sympy.Max,
        "ReLU": _relu, "relu": _relu, "Abs": sympy.Abs, "abs": sympy.Abs,
        "exp": sympy.exp, "log": _log, "ln": sympy.log, "sign": sympy.sign,
        "Phi": Phi, "erf": sympy.erf, "sin": sympy.sin, "cos": sympy.cos,
        "tanh": sympy.tanh, "sigmoid": _sigmoid}.items()}
def _det(m):
    if not _is_matrix(m) or m.shape[0] != m.shape[1]:
        raise Refused("a determinant needs a square matrix")
    return m.det() if isinstance(m, MatrixBase) else sympy.Determinant(m)


DEFAULT_FUNCTIONS.update(det=_det, sqrt=_sqrt, inv=_inv, norm=_norm, eye=_eye, Identity=_eye,
                         Heaviside=_scalar_fn("Heaviside", lambda z: sympy.Heaviside(z, 0)),
                         H=_scalar_fn("H", lambda z: sympy.Heaviside(z, 0)))  # H(0) = 0: LRP's gates
_ARITY = {name: (1, 1) for name in DEFAULT_FUNCTIONS}
_ARITY.update({n: (1, 20) for n in ("Min", "min", "Max", "max")}, log=(1, 2))
_DEFAULT_IDS = {id(f) for f in DEFAULT_FUNCTIONS.values()}

_CONSTANTS = {"e": S.Exp1, "pi": S.Pi, "oo": S.Infinity, "inf": S.Infinity, "infinity": S.Infinity}
_BOOLEANS = {"true": S.true, "True": S.true, "false": S.false, "False": S.false}
_RELATIONS = {"<": sympy.Lt, ">": sympy.Gt, "<=": sympy.Le, ">=": sympy.Ge,
              "=": sympy.Eq, "==": sympy.Eq, "!=": sympy.Ne}

