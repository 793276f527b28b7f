"""SymPy expressions as Maxima code (for STACK), and a runner that evaluates them in real Maxima.

The printer covers what symxai's answers hold: numbers (exact rationals,
floats), symbols, sums, products, powers, ``Min``/``Max``/``Abs``/``exp``/
``log``/``sqrt``, ``Piecewise`` (as ``if c then a elseif ... else b``),
relations and ``And``/``Or``/``Not``, booleans, matrices and lists.  Anything
else raises ``MaximaError`` rather than printing something Maxima would read
differently.  Names that Maxima reserves (``lambda``, ``if``, ``e``, ...) get
a ``_v`` suffix, the same way everywhere, so a student types the printed name.

>>> import sympy
>>> x1, x2 = sympy.symbols("x1 x2", real=True)
>>> maxima(3*x1*x2 - x2**2/2)
'3*x1*x2 - x2^2/2'
>>> maxima(sympy.Piecewise((x1, x1 > x2), (x2, True)))
'(if x1 > x2 then x1 else x2)'
>>> maxima(sympy.Min(x1, sympy.Max(x2, 1)))
'min(x1,max(1,x2))'
>>> maxima(sympy.Symbol("lambda") + sympy.pi)
'lambda_v + %pi'
"""

from __future__ import annotations

import re
import shutil
import subprocess

import sympy
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

RESERVED = frozenset({
    "lambda", "if", "then", "else", "elseif", "do", "for", "while", "unless", "step", "thru", "in", "and",
    "or", "not", "true", "false", "e", "i", "pi", "inf", "minf", "und", "ind", "infinity", "zeta", "beta",
    "gamma", "psi", "sum", "product", "diff", "integrate", "limit", "min", "max", "abs", "exp", "log", "sqrt",
    "sin", "cos", "tan", "matrix", "ev", "rat", "float", "block", "return", "go", "at", "rem", "kill",
})

_FUNCS = {"Min": "min", "Max": "max", "Abs": "abs", "exp": "exp", "log": "log", "sign": "signum",
          "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "floor": "floor", "ceiling": "ceiling"}


class MaximaError(ValueError):
    """A value that has no faithful Maxima form here (the export refuses it)."""


def name(symbol_name: str) -> str:
    """The Maxima identifier of a symxai name: ``x_1`` stays, reserved words get ``_v``.

    >>> name("gamma"), name("phi_1"), name("R_h3")
    ('gamma_v', 'phi_1', 'R_h3')
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", symbol_name):
        raise MaximaError(f"the name {symbol_name!r} is not a Maxima identifier")
    return f"{symbol_name}_v" if symbol_name.lower() in RESERVED else symbol_name


class MaximaPrinter(StrPrinter):
    """StrPrinter with Maxima's spelling of every construct symxai's answers use."""

    def emptyPrinter(self, expr):  # noqa: N802 - sympy's hook name
        raise MaximaError(f"no Maxima form for {type(expr).__name__}: {expr}")

    def _print_Symbol(self, expr):
        return name(expr.name)

    _print_Dummy = _print_Symbol

    def _print_Integer(self, expr):
        return str(int(expr))

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}"

    def _print_Float(self, expr):
        text = repr(float(expr))
        return text

    def _print_Pi(self, expr):
        return "%pi"

    def _print_Exp1(self, expr):
        return "%e"

    def _print_Infinity(self, expr):
        return "inf"

    def _print_NegativeInfinity(self, expr):
        return "minf"

    def _print_BooleanTrue(self, expr):
        return "true"

    def _print_BooleanFalse(self, expr):
        return "false"

    def _print_Pow(self, expr, rational=False):
        base, exp = expr.args
        if exp == sympy.S.Half:
            return f"sqrt({self._print(base)})"
        if exp == -sympy.S.Half:
            return f"1/sqrt({self._print(base)})"
        if exp == -1:
            return f"1/{self.parenthesize(base, precedence(expr), strict=False)}"
        b = self.parenthesize(base, precedence(expr), strict=True)
        e = self._print(exp)
        if not (exp.is_Integer and exp >= 0) and not exp.is_Symbol:
            e = f"({e})"
        return f"{b}^{e}"

    def _print_Function(self, expr):
        fname = type(expr).__name__
        if fname not in _FUNCS:
            raise MaximaError(f"no Maxima function for {fname}")
        return f"{_FUNCS[fname]}({','.join(self._print(a) for a in expr.args)})"

    _print_Min = _print_Max = _print_Abs = _print_exp = _print_log = _print_sign = _print_Function

    def _print_Piecewise(self, expr):
        out, pieces = [], list(expr.args)
        for k, (value, cond) in enumerate(pieces):
            if cond == sympy.true:
                out.append(f" else {self._print(value)}" if k else self._print(value))
                break
            out.append(f"{'if' if k == 0 else ' elseif'} {self._print(cond)} then {self._print(value)}")
        else:
            out.append(" else und")  # outside every piece: undefined, as in SymPy
        return "(" + "".join(out) + ")"

    def _print_Relational(self, expr):
        op = {"==": "=", "!=": "#"}.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_And(self, expr):
        return " and ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Or(self, expr):
        return " or ".join(f"({self._print(a)})" for a in expr.args)

    def _print_Not(self, expr):
        return f"not ({self._print(expr.args[0])})"

    def _print_MatrixBase(self, expr):
        rows = ",".join("[" + ",".join(self._print(v) for v in row) + "]" for row in expr.tolist())
        return f"matrix({rows})"

    _print_ImmutableDenseMatrix = _print_MutableDenseMatrix = _print_MatrixBase

    def _print_list(self, expr):
        return "[" + ",".join(self._print(v) for v in expr) + "]"

    _print_tuple = _print_Tuple = _print_list

    def _print_FiniteSet(self, expr):
        return "{" + ",".join(self._print(v) for v in sorted(expr.args, key=sympy.default_sort_key)) + "}"


_ALLOWED = (sympy.Symbol, sympy.Number, sympy.NumberSymbol, sympy.Add, sympy.Mul, sympy.Pow, sympy.Min,
            sympy.Max, sympy.Abs, sympy.exp, sympy.log, sympy.sign, sympy.sin, sympy.cos, sympy.tan, sympy.tanh,
            sympy.floor, sympy.ceiling, sympy.Piecewise, sympy.core.relational.Relational, sympy.And, sympy.Or,
            sympy.Not, sympy.logic.boolalg.BooleanAtom, sympy.functions.elementary.piecewise.ExprCondPair,
            sympy.MatrixBase, sympy.Tuple, sympy.FiniteSet, sympy.core.numbers.Infinity,
            sympy.core.numbers.NegativeInfinity)


def maxima(value) -> str:
    """Maxima code of a SymPy value (or bool/int); MaximaError when it has no faithful form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(maxima(v) for v in value) + "]"
    expr = sympy.sympify(value)
    parts = expr if isinstance(expr, sympy.MatrixBase) else [expr]
    for part in parts:
        for node in sympy.preorder_traversal(part):
            if not isinstance(node, _ALLOWED):
                raise MaximaError(f"no Maxima form for {type(node).__name__}: {node}")
    return MaximaPrinter().doprint(expr)


# -- running Maxima ----------------------------------------------------------

def available() -> bool:
    """True when the ``maxima`` program is on PATH.

    >>> isinstance(available(), bool)
    True
    """
    return shutil.which("maxima") is not None


def evaluate(codes: list[str], points: list[dict], *, booleans: list[bool] | None = None, prelude: str = "",
             timeout: float = 120) -> list[list[str]]:
    """Evaluate each Maxima expression at each point (``{name: exact value}``) in one Maxima run.

    Returns, per expression, per point, Maxima's printed result of
    ``float(ev(code, name=value, ...))`` (e.g. ``'3.166666666666667'``), or of
    ``is(ev(...))`` (``'true'``/``'false'``) where ``booleans[i]`` is set.  Raises ``MaximaError`` when Maxima is missing, fails, or an
    expression does not evaluate to a number or boolean.  ``prelude`` (e.g. a
    STACK question's variables) runs first, its output suppressed.
    """
    if not available():
        raise MaximaError("maxima is not installed (apt-get install maxima)")
    lines = ["display2d:false$", "ratprint:false$", prelude.replace(";", "$")]
    for i, code in enumerate(codes):
        lines.append(f"symxai_e:({code})$")
        wrap = "is" if booleans and booleans[i] else "float"
        for j, point in enumerate(points):
            subs = ",".join(f"{name(k)}={maxima(v)}" for k, v in point.items())
            lines.append(f'print("@@",{i},{j},{wrap}(ev(symxai_e{"," + subs if subs else ""})))$')
    program = "\n".join(lines) + "\n"
    proc = subprocess.run(["maxima", "--very-quiet", "--batch-string", program], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    found: dict[tuple[int, int], str] = {}
    for line in proc.stdout.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[0] == "@@":
            found[int(parts[1]), int(parts[2])] = parts[3].strip()
    missing = [(i, j) for i in range(len(codes)) for j in range(len(points)) if (i, j) not in found]
    if proc.returncode != 0 or missing:
        tail = "\n".join(proc.stdout.splitlines()[-8:] + proc.stderr.splitlines()[-4:])
        raise MaximaError(f"Maxima did not evaluate {len(missing)} of {len(codes) * len(points)} value(s):\n{tail}")
    return [[found[i, j] for j in range(len(points))] for i in range(len(codes))]
