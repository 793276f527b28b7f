"""symxai's notation, in one printer: phi_i, R_j, x^*, tilde x, bold vectors, w^T, ReLU, Phi.

Templates and methods ask this module for LaTeX; nothing else turns SymPy
objects into LaTeX.

>>> import sympy
>>> tex(sympy.Symbol("x_star")), tex(sympy.Symbol("x_tilde")), tex(sympy.Symbol("phi_1"))
('x^{\\\\star}', '\\\\tilde{x}', '\\\\phi_{1}')
>>> w = sympy.MatrixSymbol("w", 3, 1)
>>> tex(w.T * w)
'\\\\boldsymbol{w}^{\\\\top} \\\\boldsymbol{w}'
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar

import sympy
from sympy.printing.latex import LatexPrinter

from symxai.expr.texwidth import LINE_WIDTH, width
from symxai.solve.model import Line, Tex

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
}
_ACCENTS = {"tilde": "\\tilde", "hat": "\\hat", "bar": "\\bar"}
_SUPERS = {"star": "\\star", "adv": "\\mathrm{adv}"}
_SPECIAL_NAMES = {"dyc_dz": "\\frac{\\partial y_c}{\\partial z}",  # answer names that are notation
                  "dyc_dz_general": "\\frac{\\partial y_c}{\\partial z}"}
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


def symbol_tex(name: str, bold: bool = False) -> str:
    """LaTeX for a symbol name by symxai's naming conventions; ``bold`` for a vector.

    >>> symbol_tex("R_h1"), symbol_tex("beta_ridge"), symbol_tex("x1"), symbol_tex("lambda")
    ('R_{h_{1}}', '\\\\beta_{\\\\mathrm{ridge}}', 'x_{1}', '\\\\lambda')
    >>> symbol_tex("x_star", bold=True), symbol_tex("u1", bold=True)
    ('\\\\boldsymbol{x}^{\\\\star}', '\\\\boldsymbol{u}_{1}')
    """
    if name in _SPECIAL_NAMES:
        return _SPECIAL_NAMES[name]
    head, _, rest = name.partition("_")
    if bold and not rest and (m := re.fullmatch(r"([A-Za-z]+?)(\d+)", head)) and (len(m[1]) == 1 or m[1] in _GREEK):
        head, rest = m[1], m[2]  # u1 -> bold u, index 1
    base = _base(head)
    if bold:
        base = f"\\boldsymbol{{{base}}}"
    if not rest:
        return base
    parts = rest.split("_")
    supers, subs = [], []
    for part in parts:
        if part in _ACCENTS:
            base = f"{_ACCENTS[part]}{{{base}}}"
        elif part in _SUPERS:
            supers.append(_SUPERS[part])
        elif part in _GREEK:
            subs.append("\\" + part)
        elif m := re.fullmatch(r"([A-Za-z])(\d+)", part):  # R_h1: the index of h_1
            letter = "\\ell" if m.group(1) == "l" else m.group(1)  # beta_l1: the l1 norm
            subs.append(f"{letter}_{{{m.group(2)}}}")
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


_DIGITS = re.compile(r"\d+")


def _stem(name: str) -> str:
    return re.sub(r"_?\d+$", "", name).split("_")[0]


def _stems(term) -> set:
    return {_stem(s.name) for s in term.free_symbols if hasattr(s, "name")}


def _is_lone(term) -> bool:
    return isinstance(term, (sympy.Symbol, sympy.MatrixSymbol))


def _settle(group: list) -> list:
    """One sign group: lone parameters after the terms they are added to, same-shaped terms by index."""
    lone = [t for t in group if _is_lone(t) and not any(_stems(t) & _stems(u) for u in group if u is not t)]
    rest = [t for t in group if not any(t is u for u in lone)]
    ordered = [t for t in rest if not t.is_Number] + lone + [t for t in rest if t.is_Number]
    shapes = [_DIGITS.sub("#", str(t)) for t in ordered]
    for shape in dict.fromkeys(shapes):
        slots = [i for i, s in enumerate(shapes) if s == shape]
        if len(slots) > 1:  # e^{-gamma h_3} + e^{-gamma h_1}: put the indices in order
            items = sorted((ordered[i] for i in slots), key=lambda t: [int(n) for n in _DIGITS.findall(str(t))])
            for i, t in zip(slots, items):
                ordered[i] = t
    return ordered


def _built_unevaluated(expr) -> bool:
    """A sum SymPy would have collapsed (1/6 + 2/3, 1/3*2 + 1/6*1): a method chose its order."""
    numeric = [t for t in expr.args if t.is_Number or (t.is_Mul and all(a.is_Number for a in t.args))]
    return len(numeric) > 1 or any(t.is_Mul for t in numeric)


def person_order(terms) -> list:
    """The terms of a sum in the order a person writes them.

    Positive terms before negative ones; a lone parameter (a bias) after the
    terms it is added to; terms that differ only by an index in index order.
    A sum of several numbers was built unevaluated by a method, which chose
    its order: it is kept.

    >>> x1, mu1, b, w, x, h1, h3 = sympy.symbols("x1 mu1 b w x h1 h3")
    >>> person_order([-mu1, x1]), person_order([b, w * x]), person_order([h3, h1])
    ([x1, -mu1], [w*x, b], [h1, h3])
    """
    terms = list(terms)
    if _built_unevaluated(sympy.Add(*terms, evaluate=False)):
        return terms
    negative = [t.could_extract_minus_sign() for t in terms]
    return (_settle([t for t, n in zip(terms, negative) if not n])
            + _settle([t for t, n in zip(terms, negative) if n]))


def _is_atom_term(term) -> bool:
    coeff, rest = term.as_coeff_Mul()
    return rest.is_Atom or isinstance(rest, sympy.MatrixSymbol)


def _absorb_sign(expr):
    """-a (b - c) as a (c - b): the sign goes into a difference of two atoms, or None."""
    if not (isinstance(expr, sympy.Mul) and expr.could_extract_minus_sign()):
        return None
    for k, f in enumerate(expr.args):
        if (isinstance(f, sympy.Add) and len(f.args) == 2 and all(_is_atom_term(t) for t in f.args)
                and sum(t.could_extract_minus_sign() for t in f.args) == 1):
            others = [a for j, a in enumerate(expr.args) if j != k]
            coeff = [a for a in others if a.is_Number]
            others = [a for a in others if not a.is_Number]
            c = -sympy.Mul(*coeff) if coeff else sympy.Integer(-1)
            factors = ([] if c == 1 else [c]) + others + [-f]
            return sympy.Mul(*factors, evaluate=False)
    return None


def _input_first(diff):
    """A difference of two atoms reoriented so the input x comes first, or None.

    Only for even powers and absolute values, where the sign does not matter:
    (mu_1 - x_1)^2 reads better as (x_1 - mu_1)^2, like the x - mu everywhere else.
    """
    if not (isinstance(diff, sympy.Add) and len(diff.args) == 2 and all(_is_atom_term(t) for t in diff.args)):
        return None
    negative = [t for t in diff.args if t.could_extract_minus_sign()]
    positive = [t for t in diff.args if not t.could_extract_minus_sign()]
    if len(negative) != 1 or len(positive) != 1:
        return None
    if _stems(negative[0]) == {"x"} and _stems(positive[0]) != {"x"}:
        return -diff
    return None


def is_vector(value) -> bool:
    """Whether a value is a column vector (printed bold), or a set of them.

    >>> is_vector(sympy.MatrixSymbol("x", 3, 1)), is_vector(sympy.MatrixSymbol("A", 3, 3)), is_vector(sympy.Integer(2))
    (True, False, False)
    """
    if isinstance(value, sympy.FiniteSet) and value.args:
        return all(is_vector(v) for v in value.args)
    shape = getattr(value, "shape", None)
    return shape is not None and len(shape) == 2 and shape[1] == 1 and shape[0] != 1


def name_tex(name: str, value=None) -> str:
    """LaTeX for an answer's name: bold when its value is a vector.

    >>> name_tex("w1", sympy.Matrix([8, 0])), name_tex("b1", sympy.Integer(-16))
    ('\\\\boldsymbol{w}_{1}', 'b_{1}')
    """
    return symbol_tex(name, bold=is_vector(value))


_SHEET = ContextVar("symxai_sheet_printing", default=False)
FLAT_COLUMN = 0.75  # a column vector at most this share of the line wide prints as a row, (a, b)^T, on sheets
BROKEN_ROW = 0.7  # a wider one prints as that row broken after commas, lines at most this share of the line


@contextmanager
def sheet_printing():
    """Print for a sheet's page: a short column vector is a transposed row, ``(a, b, c)^T``, one
    line high instead of a stack of (fraction) rows.  Other output (LMS, web) keeps the columns.

    >>> with sheet_printing():
    ...     tex(sympy.Matrix([1, 2])), tex(sympy.Matrix([[1, sympy.Rational(1, 2)]]))
    ('\\\\left(1, 2\\\\right)^{\\\\top}', '\\\\left(1, \\\\frac{1}{2}\\\\right)')
    """
    token = _SHEET.set(True)
    try:
        yield
    finally:
        _SHEET.reset(token)


_DECIMALS = ContextVar("symxai_decimal_printing", default=False)
DECIMAL_PLACES = 6  # a fraction prints as a decimal under decimal_printing() when it ends within this many places


@contextmanager
def decimal_printing(on: bool = True):
    """Print exact fractions with a short finite decimal expansion as decimals, as a source that
    writes p = 0.9975 does: 399/400 -> 0.9975, -1/20 -> -0.05; 1/3 stays a fraction.  The numbers
    themselves stay exact; only their printing changes.

    >>> with decimal_printing():
    ...     tex(sympy.Rational(399, 400)), tex(sympy.Rational(-1, 20)), tex(sympy.Rational(1, 3))
    ('0.9975', '-0.05', '\\\\frac{1}{3}')
    >>> x = sympy.Symbol("x")
    >>> with decimal_printing():
    ...     tex(x / 20 + sympy.Rational(3, 2)), tex(-3 * x / 20)
    ('0.05 x + 1.5', '- 0.15 x')
    >>> tex(sympy.Rational(3, 20))
    '\\\\frac{3}{20}'
    """
    token = _DECIMALS.set(on)
    try:
        yield
    finally:
        _DECIMALS.reset(token)


def decimal_text(value) -> str | None:
    """The decimal digits of an exact fraction whose expansion ends within ``DECIMAL_PLACES`` places,
    or None (an integer, or a fraction such as 1/3).

    >>> decimal_text(sympy.Rational(3, 20)), decimal_text(sympy.Rational(1, 128)), decimal_text(sympy.Rational(1, 3))
    ('0.15', None, None)
    """
    if not isinstance(value, sympy.Rational) or value.is_Integer:
        return None
    q, twos, fives = int(value.q), 0, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    places = max(twos, fives)
    if q != 1 or places > DECIMAL_PLACES:
        return None
    scaled = abs(int(value.p)) * 10**places // int(value.q)
    whole, frac = divmod(scaled, 10**places)
    return ("-" if value < 0 else "") + f"{whole}." + f"{frac:0{places}d}".rstrip("0")


_CHAIN_TEX = {">": ">", ">=": "\\geq", "==": "=", "<": "<", "<=": "\\leq"}
_FLIP = {">": "<", ">=": "<=", "==": "==", "<": ">", "<=": ">="}


def relation_chain(relations) -> list | None:
    """The relations of a conjunction as one chain t0 op t1 op t2 ..., each link one of the relations
    (sides as written or swapped), all pointing the same way, or None when they do not form one.
    Equal in meaning to the conjunction by construction: each link is one of its relations.

    >>> a1, a2 = sympy.symbols("a1 a2")
    >>> relation_chain([a1 > a2, a2 > 0])
    [(a1, '>', a2), (a2, '>', 0)]
    >>> relation_chain([sympy.Eq(a2, 0), a1 > a2])
    [(a1, '>', a2), (a2, '==', 0)]
    >>> relation_chain([sympy.Eq(a1, 0), sympy.Eq(a2, 0)]) is None, relation_chain([a1 > 0, a2 > 0]) is None
    (True, True)
    >>> tex(sympy.And(sympy.Eq(a1, 0), sympy.Eq(a2, 0))), tex(sympy.Or(sympy.And(sympy.Eq(a1, 0), a1 < a2), a1 > 2))
    ('a_{1} = a_{2} = 0', 'a_{2} > a_{1} = 0 \\\\text{ or } a_{1} > 2')
    """
    from itertools import permutations, product as choices

    rels = list(relations)
    if not 2 <= len(rels) <= 4 or not all(isinstance(r, sympy.core.relational.Relational) and r.rel_op in _FLIP
                                         for r in rels):
        return None
    best = None
    for order in permutations(rels):
        for swaps in choices((False, True), repeat=len(rels)):
            links = [(r.rhs, _FLIP[r.rel_op], r.lhs) if swap else (r.lhs, r.rel_op, r.rhs)
                     for r, swap in zip(order, swaps)]
            if any(a[2] != b[0] for a, b in zip(links, links[1:])):
                continue
            ways = {op[0] for _, op, _ in links if op != "=="}
            if len(ways) > 1 or any(t.is_number for _, _, t in links[:-1]):
                continue  # one direction; a number only at an end (not a_1 = 0 = a_2)
            # read left to right from a name, downwards (a_1 > a_2 > 0): numbers last, > before <
            score = (links[0][0].is_number, "<" in ways, [str(t) for t, _, _ in links])
            if best is None or score < best[0]:
                best = (score, links)
    return None if best is None else best[1]


class SymxaiLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with symxai's names and matrix notation."""

    def __init__(self, settings=None):
        super().__init__({"mul_symbol": None, "inv_trig_style": "abbreviated", "mat_delim": "(",
                          **(settings or {})})

    def _print_Symbol(self, expr, style="plain"):
        return symbol_tex(expr.name)

    def _print_MatrixSymbol(self, expr, style="plain"):
        return symbol_tex(expr.name, bold=is_vector(expr))

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

    def _print_Add(self, expr, order=None):
        out = ""
        terms = list(expr.args) if _built_unevaluated(expr) else self._as_ordered_terms(expr, order=order)
        for i, term in enumerate(person_order(terms)):
            if i == 0:
                pass
            elif term.could_extract_minus_sign():
                if _absorb_sign(term) is not None:  # + theta (x_1 - mu_1), not - theta (mu_1 - x_1)
                    out += " + "
                else:
                    out += " - "
                    term = -term
            else:
                out += " + "
            term_tex = self._print(term)
            if self._needs_add_brackets(term):
                term_tex = f"\\left({term_tex}\\right)"
            out += term_tex
        return out

    def _print_Rational(self, expr):
        if _DECIMALS.get() and (digits := decimal_text(expr)) is not None:
            return digits
        return super()._print_Rational(expr)

    def _print_Mul(self, expr):
        flipped = _absorb_sign(expr)
        expr = expr if flipped is None else flipped
        if _DECIMALS.get():  # 0.05 x, not x/20: the coefficient as a decimal in front
            coeff, rest = expr.as_coeff_Mul()
            if rest != 1 and (digits := decimal_text(abs(coeff))) is not None:
                body = self._print(rest)
                if isinstance(rest, sympy.Add):
                    body = f"\\left({body}\\right)"
                return ("- " if coeff < 0 else "") + f"{digits} {body}"
        numer, denom = sympy.fraction(expr, exact=True)
        _, rest = numer.as_coeff_Mul()
        if denom != 1 and isinstance(rest, sympy.Function) and len(str(rest)) > 3 * len(str(denom)) + 20:
            # -log(e^{...} + e^{...})/gamma as -1/gamma log(...): a long call is not put over a short denominator
            saved = self._settings["long_frac_ratio"]
            self._settings["long_frac_ratio"] = 2
            try:
                return super()._print_Mul(expr)
            finally:
                self._settings["long_frac_ratio"] = saved
        return super()._print_Mul(expr)

    def _print_Pow(self, expr):
        base, power = expr.args
        if power.is_Integer and power.is_even and (flipped := _input_first(base)) is not None:
            expr = sympy.Pow(flipped, power, evaluate=False)
        return super()._print_Pow(expr)

    def _print_Abs(self, expr, exp=None):
        flipped = _input_first(expr.args[0])
        out = f"\\left|{self._print(expr.args[0] if flipped is None else flipped)}\\right|"
        return out if exp is None else f"{out}^{{{exp}}}"

    def _print_Identity(self, expr):
        return "I"

    def _print_Integral(self, expr):
        # limits beside the sign, \int_0^1, as in running text
        return super()._print_Integral(expr).replace("\\int\\limits", "\\int")

    def _print_Piecewise(self, expr):
        # "if" and "otherwise", as a person writes cases
        code = super()._print_Piecewise(expr).replace("& \\text{for}\\: ", "& \\text{if } ")
        if "\\frac" in code:  # full-size fractions a student can read
            code = code.replace("\\begin{cases} ", "\\begin{cases} \\displaystyle ").replace(
                " \\\\", " \\\\ \\displaystyle ")
        return code

    def _print_log(self, expr, exp=None):
        # log alpha_1, log 3: no parentheses around a single symbol or integer
        arg = expr.args[0]
        if len(expr.args) == 1 and (isinstance(arg, sympy.Symbol) or (arg.is_Integer and arg > 0)):
            out = f"\\log {self._print(arg)}"
            return out if exp is None else f"\\left({out}\\right)^{{{exp}}}"
        return super()._print_log(expr, exp)

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
        if _SHEET.get() and min(expr.shape) == 1 and 2 <= max(expr.shape) <= LONG_VECTOR:
            # a column as the transposed row (a, b)^T, a row as (a, b): commas, full-size fractions
            column = expr.cols == 1
            flat = f"\\left({', '.join(self._print(e) for e in expr)}\\right)" + ("^{\\top}" if column else "")
            if width(flat) <= FLAT_COLUMN * LINE_WIDTH:
                return flat
            broken = self._print_broken_row([self._print(e) for e in expr], transposed=column)
            if broken:
                return broken
        if min(expr.shape) != 1 or max(expr.shape) <= LONG_VECTOR:
            cells = [[self._print(e) for e in expr.row(i)] for i in range(expr.rows)]
            if expr.cols > 3 or not any("\\frac" in c for row in cells for c in row):  # a wide row stays small
                return super()._print_MatrixBase(expr)
            # fractions in a matrix at full size, rows spaced so they do not touch
            body = "\\\\[1.5ex] ".join(" & ".join(f"\\displaystyle {c}" for c in row) for row in cells)
            return f"\\left(\\begin{{matrix}}{body}\\end{{matrix}}\\right)"
        return self._print_long_vector(list(expr), transposed=expr.shape[1] == 1)

    _print_ImmutableDenseMatrix = _print_Matrix = _print_MatrixBase

    def _print_broken_row(self, cells, transposed: bool = True):
        r"""A column vector too wide for one row, on a sheet: the transposed row broken after commas,
        each line at most ``BROKEN_ROW`` of the line, continuation lines indented by a quad (a few lines
        instead of a stack of one entry a row); None when that takes as many lines as the column.

        >>> with sheet_printing():
        ...     print(tex(sympy.Matrix([sympy.Symbol("x_%d" % i) ** 20 + 1 for i in range(12)])))
        \begin{aligned}&\bigl(x_{0}^{20} + 1, x_{1}^{20} + 1, x_{2}^{20} + 1, x_{3}^{20} + 1, x_{4}^{20} + 1, x_{5}^{20} + 1,\\ &\quad x_{6}^{20} + 1, x_{7}^{20} + 1, x_{8}^{20} + 1, x_{9}^{20} + 1, x_{10}^{20} + 1,\\ &\quad x_{11}^{20} + 1\bigr)^{\top}\end{aligned}
        """
        lines, line, used = [], [], 0.0
        for cell in cells:
            w = width(cell) + 1.0  # the comma and its space
            if line and used + w > BROKEN_ROW * LINE_WIDTH:
                lines.append(line)
                line, used = [], 0.0
            line.append(cell)
            used += w
        lines.append(line)
        if len(lines) >= len(cells):
            return None
        big = "bigg" if any("\\frac" in c for c in cells) else "big"  # as tall as a displayed fraction
        body = ",\\\\ &\\quad ".join(", ".join(line) for line in lines)
        top = "^{\\top}" if transposed else ""
        return f"\\begin{{aligned}}&\\{big}l({body}\\{big}r){top}\\end{{aligned}}"

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

    def _print_And(self, expr):
        # a_1 > a_2 > 0 rather than a_1 > a_2 and a_2 > 0: relations that share a term as one chain
        sides = {r.rhs for r in expr.args if isinstance(r, sympy.Eq) and r.rhs.is_number}
        if len(sides) == 1 and all(isinstance(r, sympy.Eq) and not r.lhs.is_number for r in expr.args):
            value = sides.pop()  # a_1 = a_2 = 0
            return " = ".join(self._print(r.lhs) for r in sorted(expr.args, key=sympy.default_sort_key)) + \
                f" = {self._print(value)}"
        links = relation_chain(expr.args)
        if links is None:
            return super()._print_And(expr)
        out = self._print(links[0][0])
        for _, op, right in links:
            out += f" {_CHAIN_TEX[op]} {self._print(right)}"
        return out

    def _print_Or(self, expr):
        # the alternatives of a case joined by "or", a conjunction that is no chain in brackets
        parts = []
        for arg in sorted(expr.args, key=sympy.default_sort_key):
            code = self._print(arg)
            parts.append(f"\\left({code}\\right)" if "\\wedge" in code else code)
        return " \\text{ or } ".join(parts)

    def _print_EmptySet(self, expr):
        return "\\emptyset"

    def _print_BooleanTrue(self, expr):
        return "\\text{true}"

    def _print_BooleanFalse(self, expr):
        return "\\text{false}"


class InlineLatexPrinter(SymxaiLatexPrinter):
    """For math inside a line of text or a table cell: vectors as tuples, (8, 0)^T, since a
    stacked column would push the lines of the paragraph apart."""

    def _print_MatrixBase(self, expr):
        if min(expr.shape) != 1 or max(expr.shape) > LONG_VECTOR:
            if min(expr.shape) != 1:
                body = " \\\\ ".join(" & ".join(self._print(e) for e in expr.row(i)) for i in range(expr.rows))
                return f"\\left(\\begin{{smallmatrix}}{body}\\end{{smallmatrix}}\\right)"
            return super()._print_MatrixBase(expr)
        body = f"\\left({', '.join(self._print(e) for e in expr)}\\right)"
        return body + "^{\\top}" if expr.shape[1] == 1 and expr.shape[0] > 1 else body

    _print_ImmutableDenseMatrix = _print_Matrix = _print_MatrixBase


_PRINTER = SymxaiLatexPrinter()
_INLINE = InlineLatexPrinter()
_RELATIONS = {"=": "=", "<": "<", ">": ">", "<=": "\\le", ">=": "\\ge", "!=": "\\ne", "->": "\\to",
              ":=": ":=", "approx": "\\approx", "=>": "\\Rightarrow", "<=>": "\\Leftrightarrow"}


def relation(rel: str) -> str:
    """LaTeX for a relation name used in ``Line`` (``=``, ``<=``, ``approx``, ``->`` ...)."""
    return _RELATIONS[rel]


def shared_roots(values: dict) -> tuple[dict, list]:
    """Square roots of sums that several answers share, named r, r_2, ... for the answer box:
    the answers with the names put in, and the definitions ``r = sqrt(...)`` to print below them.

    >>> a, b = sympy.symbols("a b", real=True)
    >>> root = sympy.sqrt(a**2 + b**2)
    >>> shared_roots({"u": a / root, "v": (b + root) / (a**2 + b**2)})
    ({'u': a/r, 'v': (b + r)/r**2}, [Line(terms=(r, sqrt(a**2 + b**2)), rel='=', kind='chain', at=None, domain=None)])
    """
    values = {k: sympy.ImmutableMatrix(v) if isinstance(v, sympy.MatrixBase) else v for k, v in values.items()}
    found: dict = {}
    for value in values.values():
        if isinstance(value, sympy.Basic):
            for sub in sympy.preorder_traversal(value):
                if sub.is_Pow and abs(sub.exp) == sympy.S.Half and sub.base.is_Add and len(sub.base.args) > 1:
                    root = sympy.sqrt(sub.base)
                    found[root] = found.get(root, 0) + 1
    taken = {str(s) for v in values.values() if isinstance(v, sympy.Basic) for s in v.free_symbols}
    names, lines, n = {}, [], 0
    for root, count in found.items():
        if count < 2:
            continue
        while (name := "r" if n == 0 else f"r_{n + 1}") in taken:
            n += 1
        n += 1
        r = sympy.Symbol(name, positive=True)
        names[root], names[1 / root], names[root.base] = r, 1 / r, r**2
        lines.append(Line(r, root))
    if not names:
        return dict(values), []
    return {k: v.xreplace(names) if isinstance(v, sympy.Basic) else v for k, v in values.items()}, lines


def aligned(line: Line, limit: int | None = None) -> str:
    """A Line for an align environment: the first term, then ``&`` before the first relation.
    A chain too long for one line continues on the next, aligned at its relation; a term
    wider than the line is itself broken at its + and - signs (``symxai.expr.texbreak``).

    >>> x = sympy.Symbol("x")
    >>> aligned(Line(x, 2 * x, rel="="))
    'x &= 2 x'
    """
    from symxai.expr.texbreak import break_term

    limit = LINE_WIDTH if limit is None else limit
    first, *rest = line.terms
    if not rest:
        code = tex(first)
        return "&" + "\\\\\n  &\\quad ".join(break_term(code, limit - 3)) if width(code) > limit else code
    rels = [relation(r) for r in line.relations()]
    parts = [tex(t) for t in rest]
    lhs = tex(first)
    if len(parts) > 1 and width(lhs) + sum(width(p) + 2 for p in parts) > limit:
        room = max(limit - width(lhs) - 3, limit // 2)
        return f"{lhs} &" + "\\\\\n  &".join(f"{r} " + continued(p, room) for r, p in zip(rels, parts))
    if width(lhs) + sum(width(p) + 2 for p in parts) > limit:  # one long term
        return f"{lhs} &{rels[0]} " + continued(parts[0], max(limit - width(lhs) - 3, limit // 2))
    return f"{lhs} &{rels[0]} " + "".join(f"{p} {r} " for p, r in zip(parts[:-1], rels[1:])) + parts[-1]


def continued(code: str, room: int) -> str:
    """``code`` broken into lines of ``room`` printed characters, joined for an align
    environment: each further line starts at the alignment point, indented by a quad.

    >>> continued("a + b", 80)
    'a + b'
    """
    from symxai.expr.texbreak import break_term

    return "\\\\\n  &\\quad ".join(break_term(code, room - 2, room))


def tex(obj) -> str:
    """LaTeX (math mode) for a SymPy object, a ``Tex``, a ``Line``, or a plain number."""
    if isinstance(obj, Tex):
        return obj.code
    if isinstance(obj, Line):
        terms, rels = [tex(t) for t in obj.terms], [relation(r) for r in obj.relations()]
        return terms[0] + "".join(f" {r} {t}" for r, t in zip(rels, terms[1:])) if terms else ""
    if isinstance(obj, str):
        return f"\\text{{{text(obj)}}}"
    if isinstance(obj, bool):
        return "\\text{true}" if obj else "\\text{false}"
    return _PRINTER.doprint(sympy.sympify(obj))


def inline(obj) -> str:
    """LaTeX for math inside text or a table cell: like ``tex``, with vectors as tuples.

    >>> inline(sympy.Matrix([8, 0])), inline(sympy.Matrix([[1, 0]]))
    ('\\\\left(8, 0\\\\right)^{\\\\top}', '\\\\left(1, 0\\\\right)')
    """
    if isinstance(obj, (Tex, Line, str, bool)):
        return tex(obj)
    return _INLINE.doprint(sympy.sympify(obj))


def text(s: str) -> str:
    """Escape plain text for LaTeX (for text that is not LaTeX already, e.g. messages)."""
    return _SPECIAL_CHARS.sub(lambda m: {"\\": "\\textbackslash{}", "~": "\\textasciitilde{}",
                                         "^": "\\textasciicircum{}"}.get(m.group(1), "\\" + m.group(1)), s)


def cell(obj) -> str:
    """A table cell: math for SymPy objects and Lines, escaped text for strings."""
    if isinstance(obj, str):
        return text(obj)
    code = inline(obj)
    return f"$\\displaystyle {code}$" if "\\frac" in code else f"${code}$"  # full-size fractions


def prose(template: str, values: dict) -> str:
    """Prose with ``[[name]]`` placeholders filled by printed values in math mode.

    >>> import sympy
    >>> prose("so [[v]] is the value", {"v": sympy.Rational(2, 3)})
    'so $\\\\frac{2}{3}$ is the value'
    """
    def fill(m):
        key = m.group(1)
        return f"${inline(values[key])}$"
    return re.sub(r"\[\[(\w+)\]\]", fill, template)
