"""Plain text of answers in the syntax symxai's parser reads back (answers.json, ``solve``, the web
checker's echo): ``norm(x - mu)``, ``w.T``, ``(1, 2)``; the counterpart of ``symxai.expr.exprparse``.
Terms are ordered as on the sheet (``printing.person_order``).
"""

from __future__ import annotations

import sympy
from sympy.printing.precedence import precedence
from sympy.printing.str import StrPrinter

from symxai.expr.printing import _absorb_sign, _built_unevaluated, person_order


class PlainPrinter(StrPrinter):
    """Plain text that symxai's own parser reads back: ``norm(x - mu)``, ``w.T``, ``(1, 2)``."""

    def _print_Add(self, expr, order=None):
        terms = list(expr.args) if _built_unevaluated(expr) else self._as_ordered_terms(expr, order=order)
        prec = precedence(expr)
        out = []
        for term in person_order(terms):
            t = self._print(term)
            sign = "+"
            if t.startswith("-") and not term.is_Add:
                sign, t = "-", t[1:]
            if precedence(term) < prec or term.is_Add:
                t = f"({t})"
            out.extend([sign, t])
        sign = out.pop(0)
        return ("" if sign == "+" else sign) + " ".join(out)

    def _print_Norm(self, expr):
        return f"norm({self._print(expr.args[0])})"

    def _print_SqNorm(self, expr):
        return f"norm({self._print(expr.args[0])})**2"

    def _print_Form(self, expr):
        return self._print(expr.args[0])

    def _print_ReLU(self, expr):
        return f"ReLU({self._print(expr.args[0])})"

    def _print_MatrixBase(self, expr):
        if expr.cols == 1:
            return "(" + ", ".join(self._print(e) for e in expr) + ("," if expr.rows == 1 else "") + ")"
        return "[" + ", ".join("[" + ", ".join(self._print(e) for e in expr.row(i)) + "]"
                               for i in range(expr.rows)) + "]"

    _print_ImmutableDenseMatrix = _print_MutableDenseMatrix = _print_MatrixBase

    def _print_Mul(self, expr):
        flipped = _absorb_sign(expr)
        return super()._print_Mul(expr if flipped is None else flipped)

    def _print_Inverse(self, expr):
        return f"inv({self._print(expr.arg)})"

    def _print_Identity(self, expr):
        return f"Identity({self._print(expr.rows)})"

    def _print_Exp1(self, expr):
        return "exp(1)"

    def _print_Heaviside(self, expr):
        return f"Heaviside({self._print(expr.args[0])})"  # H(0) = 0, as the parser reads it

    def _print_Equality(self, expr):
        return f"{self._print(expr.lhs)} = {self._print(expr.rhs)}"

    def _print_Unequality(self, expr):
        return f"{self._print(expr.lhs)} != {self._print(expr.rhs)}"

    def _print_And(self, expr):
        return " and ".join(self._print(a) for a in expr.args)

    def _print_Or(self, expr):
        # 'and' binds tighter than 'or' in the parser, as in Python
        return " or ".join(self._print(a) for a in expr.args)

    def _print_BooleanTrue(self, expr):
        return "true"

    def _print_BooleanFalse(self, expr):
        return "false"


_PLAIN = PlainPrinter()


def plain(obj) -> str:
    """Plain text for an answer, in the syntax of ``symxai.expr.exprparse`` (answers.json, ``solve``).

    >>> x, mu = sympy.MatrixSymbol("x", 3, 1), sympy.MatrixSymbol("mu", 3, 1)
    >>> from symxai.methods.expansion.radial import Norm
    >>> plain(Norm(x - mu) - sympy.Symbol("theta")), plain(sympy.Matrix([1, sympy.Rational(1, 2)]))
    ('norm(x - mu) - theta', '(1, 1/2)')
    """
    if isinstance(obj, bool):
        return "true" if obj else "false"
    return _PLAIN.doprint(sympy.sympify(obj))
