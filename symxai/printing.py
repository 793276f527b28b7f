"""symxai's notation, in one printer: phi_i, R_j, x^*, tilde x, w^T, ReLU, Phi.

Templates and methods ask this module for LaTeX; nothing else turns SymPy
objects into LaTeX.

>>> import sympy
>>> tex(sympy.Symbol("x_star")), tex(sympy.Symbol("x_tilde")), tex(sympy.Symbol("phi_1"))
('x^{\\\\star}', '\\\\tilde{x}', '\\\\phi_{1}')
>>> w = sympy.MatrixSymbol("w", 3, 1)
>>> tex(w.T * w)
'w^{\\\\top} w'
"""

from __future__ import annotations

import re

import sympy
from sympy.printing.latex import LatexPrinter

from .model import Line, Tex

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}
_ACCENTS = {"tilde": "\\tilde", "hat": "\\hat", "bar": "\\bar"}
_SUPERS = {"star": "\\star", "adv": "\\mathrm{adv}"}
_SPECIAL_NAMES = {"dyc_dz": "\\frac{\\partial y_c}{\\partial z}"}  # answer names that are notation
LONG_VECTOR = 12  # longer vectors print as a row of runs
_SPECIAL_CHARS = re.compile(r"([&%$#_{}~^\\])")


def _base(name: str) -> str:
    if name in _GREEK:
        return "\\" + name
    m = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    if m and m.group(1) in _GREEK:  # mu1 -> \mu_{1}
        return f"\\{m.group(1)}_{{{m.group(2)}}}"
    if len(name) > 1:
        return f"\\mathrm{{{name}}}"
    return name


def symbol_tex(name: str) -> str:
    """LaTeX for a symbol name by symxai's naming conventions.

    >>> symbol_tex("R_h1"), symbol_tex("beta_ridge"), symbol_tex("x1"), symbol_tex("lambda")
    ('R_{h1}', '\\\\beta_{\\\\mathrm{ridge}}', 'x_{1}', '\\\\lambda')
    """
    if name in _SPECIAL_NAMES:
        return _SPECIAL_NAMES[name]
    head, _, rest = name.partition("_")
    if not rest:
        return _base(head)
    parts = rest.split("_")
    base = _base(head)
    supers, subs = [], []
    for part in parts:
        if part in _ACCENTS:
            base = f"{_ACCENTS[part]}{{{base}}}"
        elif part in _SUPERS:
            supers.append(_SUPERS[part])
        elif part in _GREEK:
            subs.append("\\" + part)
        elif len(part) <= 3 or part.isdigit():
            subs.append(part)
        else:
            subs.append(f"\\mathrm{{{part}}}")
    out = base
    if subs:
        out += "_{" + ",".join(subs) + "}"
    if supers:
        out += "^{" + ",".join(supers) + "}"
    return out


class SymxaiLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with symxai's names and matrix notation."""

    def __init__(self, settings=None):
        super().__init__({"mul_symbol": None, "inv_trig_style": "abbreviated", **(settings or {})})

    def _print_Symbol(self, expr, style="plain"):
        return symbol_tex(expr.name)

    def _print_MatrixSymbol(self, expr, style="plain"):
        return symbol_tex(expr.name)

    def _print_Transpose(self, expr):
        inner = self._print(expr.arg)
        if not isinstance(expr.arg, (sympy.MatrixSymbol, sympy.Symbol)):
            inner = f"\\left({inner}\\right)"
        return f"{inner}^{{\\top}}"

    def _print_Inverse(self, expr):
        inner = self._print(expr.arg)
        if not isinstance(expr.arg, sympy.MatrixSymbol):
            inner = f"\\left({inner}\\right)"
        return f"{inner}^{{-1}}"

    def _print_ReLU(self, expr):
        return f"\\operatorname{{ReLU}}\\left({self._print(expr.args[0])}\\right)"

    def _print_Phi(self, expr):
        return f"\\Phi\\left({self._print(expr.args[0])}\\right)"

    def _print_Norm(self, expr, exp=None):
        out = f"\\left\\lVert {self._print(expr.args[0])} \\right\\rVert"
        return out if exp is None else f"{out}^{{{exp}}}"

    def _print_Heaviside(self, expr, exp=None):
        # SymPy prints \theta, which clashes with the threshold theta of the exercises
        out = f"H\\left({self._print(expr.args[0])}\\right)"
        return out if exp is None else f"{out}^{{{exp}}}"

    def _print_MatrixBase(self, expr):
        if min(expr.shape) != 1 or max(expr.shape) <= LONG_VECTOR:
            return super()._print_MatrixBase(expr)
        return self._print_long_vector(list(expr), transposed=expr.shape[1] == 1)

    _print_ImmutableDenseMatrix = _print_Matrix = _print_MatrixBase

    def _print_long_vector(self, entries, transposed):
        """A long vector as a row of runs: (1, -1/20, ..., -1/20) with the run length underbraced."""
        runs = []
        for e in entries:
            if runs and runs[-1][0] == e:
                runs[-1][1] += 1
            else:
                runs.append([e, 1])
        parts = []
        for e, count in runs:
            item = self._print(e)
            if count <= 2:
                parts.extend([item] * count)
            else:
                parts.append(f"\\underbrace{{{item}, \\dots, {item}}}_{{{count}}}")
        body = f"\\left({', '.join(parts)}\\right)"
        return body + "^{\\top}" if transposed else body

    def _print_EmptySet(self, expr):
        return "\\emptyset"

    def _print_BooleanTrue(self, expr):
        return "\\text{true}"

    def _print_BooleanFalse(self, expr):
        return "\\text{false}"


_PRINTER = SymxaiLatexPrinter()
_RELATIONS = {"=": "=", "<": "<", ">": ">", "<=": "\\le", ">=": "\\ge", "!=": "\\ne", "->": "\\to",
              ":=": ":=", "approx": "\\approx", "=>": "\\Rightarrow", "<=>": "\\Leftrightarrow"}


def relation(rel: str) -> str:
    """LaTeX for a relation name used in ``Line`` (``=``, ``<=``, ``approx``, ``->`` ...)."""
    return _RELATIONS[rel]


def aligned(line: Line) -> str:
    """A Line for an align environment: the first term, then ``&`` before the first relation."""
    first, *rest = line.terms
    if not rest:
        return tex(first)
    rel = relation(line.rel)
    return f"{tex(first)} &{rel} " + f" {rel} ".join(tex(t) for t in rest)


def tex(obj) -> str:
    """LaTeX (math mode) for a SymPy object, a ``Tex``, a ``Line``, or a plain number."""
    if isinstance(obj, Tex):
        return obj.code
    if isinstance(obj, Line):
        return f" {relation(obj.rel)} ".join(tex(t) for t in obj.terms)
    if isinstance(obj, str):
        return f"\\text{{{text(obj)}}}"
    if isinstance(obj, bool):
        return "\\text{true}" if obj else "\\text{false}"
    return _PRINTER.doprint(sympy.sympify(obj))


def text(s: str) -> str:
    """Escape plain text for LaTeX (for text that is not LaTeX already, e.g. messages)."""
    return _SPECIAL_CHARS.sub(lambda m: {"\\": "\\textbackslash{}", "~": "\\textasciitilde{}",
                                         "^": "\\textasciicircum{}"}.get(m.group(1), "\\" + m.group(1)), s)


def cell(obj) -> str:
    """A table cell: math for SymPy objects and Lines, escaped text for strings."""
    if isinstance(obj, str):
        return text(obj)
    return f"${tex(obj)}$"


def prose(template: str, values: dict) -> str:
    """Prose with ``[[name]]`` placeholders filled by printed values in math mode.

    >>> import sympy
    >>> prose("so [[v]] is the value", {"v": sympy.Rational(2, 3)})
    'so $\\\\frac{2}{3}$ is the value'
    """
    def fill(m):
        key = m.group(1)
        return f"${tex(values[key])}$"
    return re.sub(r"\[\[(\w+)\]\]", fill, template)

