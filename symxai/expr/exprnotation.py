"""Notation people write, for symxai's whitelist parser: what goes beyond plain arithmetic.

A mixin of ``exprparse._Parser``: big operators with explicit bounds
(``\\sum_{j=3}^{6}``, ``\\prod``, ``\\min_i h_i`` over the declared index set),
``\\binom``, ``Piecewise(...)`` and ``a if c else b`` anywhere in an
expression, the positive part ``(x)^+``, primes (``x'`` declared as
``x_prime``, ``A'`` the transpose), the identity ``I`` sized by what it meets,
``\\underbrace{a, \\dots, a}_{n}`` runs, and refusals with a hint where a
person's meaning is ambiguous (``2\\frac{1}{3}``, ``w/2\\lambda``).  Every
piece is still built from SymPy constructors; nothing is evaluated as text.
"""

from __future__ import annotations

import sympy
from sympy import S

from symxai.expr.exprfuncs import Refused, _is_matrix, _need_scalar, _scalar

MAX_TERMS = 200  # of one \sum, \prod, \min_i or \underbrace
MAX_INDEX = 100  # an implicit index set is searched among 0..MAX_INDEX
IDENTITY = sympy.Dummy("I")  # LaTeX I: the identity matrix, sized when it meets a matrix


class Run:
    """``\\underbrace{a, \\dots, a}_{n}``: n equal entries, spliced into the list around it."""

    def __init__(self, items):
        self.items = items


def with_identity(scalar, matrix):
    """``scalar`` with the identity marker I made ``c * Identity(n)`` for a square ``matrix``;
    ``scalar`` itself when it has no I.

    >>> n = sympy.Symbol("n", integer=True, positive=True)
    >>> with_identity(2 * IDENTITY, sympy.MatrixSymbol("A", n, n))
    2*I
    """
    if not isinstance(scalar, sympy.Basic) or IDENTITY not in getattr(scalar, "free_symbols", ()):
        return scalar
    if not _is_matrix(matrix) or matrix.shape[0] != matrix.shape[1]:
        raise Refused("I (the identity) meets a matrix that is not square")
    coeff = sympy.expand(scalar).coeff(IDENTITY)
    if IDENTITY in coeff.free_symbols or sympy.expand(scalar - coeff * IDENTITY) != 0:
        raise Refused("I (the identity) can only be scaled and added to a square matrix")
    n = matrix.shape[0]
    eye = sympy.eye(n) if n.is_Integer else sympy.Identity(n)
    return coeff * eye


class Notation:
    """Parser methods for the notation above (mixed into ``exprparse._Parser``)."""

    # ---------------------------------------------------------------- if/else, Piecewise
    def ternary(self):
        """``a if c else b`` (chains: ``a if c else b if d else e``); a plain expression otherwise."""
        value = self.expr(0)
        pieces, tok = [], self.peek()
        while self.peek().kind == "op" and self.peek().text == "if":
            self.take()
            pieces.append((_scalar(value), self.condition()))
            if not (self.peek().kind == "op" and self.peek().text == "else"):
                value = S.NaN  # undefined outside the case given
                break
            self.take()
            value = self.expr(0)
        if not pieces:
            return value
        pieces.append((_scalar(value), S.true))
        if len(pieces) > MAX_TERMS:
            raise self.err(f"at most {MAX_TERMS} pieces", tok)
        return self.build(tok, lambda *ps: sympy.Piecewise(*ps), *pieces)

    def piece_condition(self):
        tok = self.peek()
        if tok.kind == "op" and tok.text == "if":
            self.take()
            tok = self.peek()
        if tok.kind == "op" and tok.text == "else" or tok.kind == "name" and tok.text in (
                "True", "true", "otherwise", "else", "sonst"):
            self.take()
            return S.true
        return self.condition()

    def piecewise(self, tok):
        """``Piecewise((value, condition), ..., (value, True))``, also inside an expression;
        LaTeX ``cases`` arrives here too (``value & condition \\\\ ...``)."""
        self.expect("(", tok)
        pieces = []
        while True:
            opener = self.expect("(", tok)
            value = self.expr(0)
            self.expect(",", opener)
            while self.peek().text == ",":  # "x_1 - x_2, & x_1 > x_2": a comma before the &
                self.take()
            pieces.append((_scalar(value), self.piece_condition()))
            self.expect(")", opener)
            if self.peek().text != ",":
                break
            self.take()
        self.expect(")", tok)
        if len(pieces) > MAX_TERMS:
            raise self.err(f"at most {MAX_TERMS} pieces", tok)
        if pieces[-1][1] is not S.true:
            pieces.append((S.NaN, S.true))  # undefined outside the cases given
        return self.build(tok, lambda *ps: sympy.Piecewise(*ps), *pieces)

    # ---------------------------------------------------------------- big operators
    def index_text(self, part: str) -> str:
        """A subscript with bound index names replaced by their values (x_j -> x_3)."""
        if part in self.bound:
            return str(self.bound[part])
        if part.isalnum() and any(c in self.bound for c in part):  # w_{ij}, w_{i3}
            return "".join(str(self.bound[c]) if c in self.bound else c for c in part)
        return part

    def index_spec(self, tok, kind):
        """After ``\\sum``/``\\min``: ``_{j=3}^{6}``, ``_j`` or ``_{j \\in \\{1, 2\\}}``:
        (index name, list of values or None for the declared index set)."""
        if self.peek().text != "_":
            raise self.err(f"\\{kind} needs its index and bounds, e.g. \\{kind}_{{j=1}}^{{3}}", tok)
        self.take()
        braced = self.peek().text == "{"
        if braced:
            brace = self.take()
        index = self.take()
        if index.kind != "name" or len(index.text) > 2:
            raise self.err(f"expected an index name after \\{kind}_", index)
        values = None
        if braced and self.peek().text == "=":
            self.take()
            low = _scalar(self.expr(0))
            self.expect("}", brace)
            if self.peek().text != "^":
                raise self.err(f"\\{kind}_{{{index.text}=...}} needs an upper bound ^{{...}}", tok)
            self.take()
            high = _scalar(self.latex_arg(tok))
            if not (low.is_Integer and high.is_Integer):
                raise self.err(f"\\{kind} needs number bounds (symbolic bounds such as d are not supported: "
                               "write the terms out)", tok)
            if high - low + 1 > MAX_TERMS:
                raise self.err(f"at most {MAX_TERMS} terms in \\{kind}", tok)
            values = [sympy.Integer(k) for k in range(int(low), int(high) + 1)]
        elif braced and self.peek().text == "∈":
            self.take()
            members = self.expr(0)
            self.expect("}", brace)
            if not isinstance(members, sympy.FiniteSet) or len(members) > MAX_TERMS:
                raise self.err("expected a set of numbers after \\in, e.g. \\{1, 2, 3\\}", tok)
            values = sorted(members, key=lambda v: float(v))
        elif braced:
            self.expect("}", brace)
        return index.text, values

    def big_operator(self, tok, kind):
        """``\\sum``/``\\prod`` with explicit bounds; ``\\min_i``/``\\max_i`` also over the
        indices i for which the body names declared symbols (h_1, h_2, h_3)."""
        index, values = self.index_spec(tok, kind)
        if values is None and kind in ("sum", "prod"):
            raise self.err(f"\\{kind} needs explicit bounds, e.g. \\{kind}_{{{index}=1}}^{{3}}", tok)
        if index in self.bound or self.lookup(index) is not None:
            raise self.err(f"the index '{index}' is already a name here: use another letter", tok)
        start, terms, end = self.i, [], None
        candidates = values if values is not None else [sympy.Integer(k) for k in range(MAX_INDEX + 1)]
        for k in candidates:
            self.i, self.bound[index] = start, k
            try:
                term = self.expr(_SUM_BP) if kind in ("sum", "prod") else self.expr(_PROD_BP)
            except Exception as exc:
                if values is not None or "unknown name" not in str(exc):
                    self.bound.pop(index, None)
                    raise
                if terms:
                    break  # the declared index set has ended
                continue
            finally:
                self.bound.pop(index, None)
            if end is not None and self.i != end:
                raise self.err(f"the body of \\{kind} reads differently for different indices", tok)
            end = self.i
            terms.append(_scalar(term))
        if not terms:
            raise self.err(f"\\{kind}_{index}: no index {index} gives declared names", tok)
        self.i = end
        op = {"sum": sympy.Add, "prod": sympy.Mul, "min": sympy.Min, "max": sympy.Max}[kind]
        return self.build(tok, lambda *ts: op(*[_need_scalar(t, f"\\{kind}") for t in ts]), *terms)

    def binomial(self, tok, n, k):
        f = self.functions.get("binomial")
        if f is None:
            raise self.err("\\binom is not available here", tok)
        return self.build(tok, f, n, k)

    def underbrace(self, tok):
        """``\\underbrace{a, \\dots, a}_{n}``: n copies of a (the printer's long vectors)."""
        opener = self.expect("{", tok)
        first = self.expr(0)
        self.expect(",", opener)
        if self.peek().text != "…":
            raise self.err("expected \\underbrace{a, \\dots, a}_{n}", tok)
        self.take()
        self.expect(",", opener)
        last = self.expr(0)
        self.expect("}", opener)
        if self.peek().text != "_":
            raise self.err("\\underbrace{a, \\dots, a} needs its count: _{n}", tok)
        self.take()
        count = _scalar(self.latex_arg(tok))
        if not (count.is_Integer and 2 <= count <= 10_000) or sympy.simplify(first - last) != 0:
            raise self.err("\\underbrace{a, \\dots, a}_{n}: equal first and last entries and a number n "
                           "from 2 to 10000", tok)
        return Run([first] * int(count))

    # ---------------------------------------------------------------- marks on names
    def primed(self, name):
        """``x'``: the declared x_prime (or xprime); None when ' is left to mean a transpose."""
        for candidate in (f"{name}_prime", f"{name}prime", f"{name}'"):
            if candidate in self.symbols:
                self.take()
                return self.symbols[candidate]
        value = self.lookup(name)
        if value is not None and not _is_matrix(value):
            raise self.err(f"{name}' is not declared (declare {name}_prime for a primed {name}; "
                           "a prime on a matrix is its transpose)", self.peek())
        return None

    def positive_part_follows(self) -> bool:
        """``^+`` or ``^{+}`` after an operand: the positive part max(0, .)."""
        t0, t1, t2 = self.peek(), self.peek(1), self.peek(2)
        if t0.text == "{" and t1.text == "+" and t2.text == "}":
            self.i += 3
            return True
        if t0.text == "+" and t0.kind == "op" and not (t1.kind in ("num", "name", "cmd")
                                                       or t1.text in ("(", "[", "{", "\\{", "|", "‖")):
            self.i += 1
            return True
        return False

    def unknown_hint(self, name) -> str:
        if name in ("x", "mu") or len(name) <= 2:
            stems = sorted(n for n in self.symbols if n.rstrip("0123456789_") == name and n != name)
            if stems:
                return (f"; only its components {', '.join(stems[:6])} are declared: write them, or ask "
                        "the exercise's author to declare the vector (names: in the spec)")
        return ""

    # ---------------------------------------------------------------- ambiguity
    def mixed_number(self, tok):
        """``2\\frac{1}{3}``: a mixed number (7/3) to one reader, a product (2/3) to another."""
        whole = self.toks[self.i - 1].text
        t = [self.peek(k).text for k in range(1, 7)]
        if t[0] == "{" and t[2] == "}" and t[3] == "{" and t[5] == "}" and t[1].isdigit() and t[4].isdigit():
            a, b = t[1], t[4]
        elif self.peek(1).kind == "num" and self.peek(1).text.isdigit() and len(self.peek(1).text) == 2:
            a, b = self.peek(1).text
        else:
            return
        raise self.err(f"{whole}\\frac{{{a}}}{{{b}}} is ambiguous: write {whole} + \\frac{{{a}}}{{{b}}} for the "
                       f"mixed number, or {whole} \\cdot \\frac{{{a}}}{{{b}}} for the product", tok)

    def ambiguous_division(self, slash):
        """``w/2λ``: is λ in the denominator?  Refused, with both readings."""
        nxt = self.peek()
        den = self.text[slash.pos + 1:nxt.pos].strip()
        factor = self.text[nxt.pos:max(self.peek(1).pos, nxt.pos + 1)].strip()
        raise self.err(f"'/{den} {factor}' is ambiguous: is {factor} in the denominator? write /({den} {factor}) "
                       f"if it is, or put {factor} in front of the fraction if it is not", nxt)


_SUM_BP, _PROD_BP = 10, 20  # exprparse's binding powers: a \sum's body runs to the next + or -
