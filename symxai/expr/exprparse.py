"""A whitelist parser for user expressions: plain text and a LaTeX subset.

Spec expressions and typed answers never reach ``eval``, ``sympify`` or
SymPy's own parsers: a hand-written tokenizer and Pratt parser build SymPy
objects from constructors, look every name up in the caller's ``symbols``
(a name is never created on the fly) and call only whitelisted functions.
Size, nesting, number growth and the parsing work (a step count, not the
clock) are bounded so hostile text is refused fast.

The grammar is here; the tokenizer and LaTeX tables are in ``exprtokens``
(matrix environments and ``cases`` become list and Piecewise tokens), the
functions and bounds in ``exprfuncs``, and the notation beyond arithmetic
(``\\sum``, ``\\min_i``, if/else, primes, refusals of ambiguous text) in
``exprnotation``.

A 1x1 matrix expression such as ``w^T x`` meets a scalar as its single
entry, so ``w.T*x + b`` is a scalar.
"""


from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping

import sympy
from sympy import S
from sympy.matrices import MatrixBase

from symxai.errors import ExpressionError
from symxai.expr.exprfuncs import (_ARITY, _BOOLEANS, _CONSTANTS, _DEFAULT_IDS, _RELATIONS, DEFAULT_FUNCTIONS,
                              MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT, MAX_LENGTH, MAX_LITERAL_DIGITS,
                              MAX_SECONDS, MAX_STEPS, Phi, Refused, _checked_pow, _describe, _inv, _is_matrix,
                              _need_scalar, _norm, _scalar, _sqrt)
from symxai.expr.exprnotation import IDENTITY, Notation, Run, with_identity
from symxai.expr.exprtokens import _NUM, _Tok, _tokenize

__all__ = ["DEFAULT_FUNCTIONS", "MAX_LENGTH", "Phi", "parse", "parse_condition", "parse_value"]

# --------------------------------------------------------------------------- parser

_SUM, _UNARY, _PROD, _POW, _POSTFIX = 10, 15, 20, 40, 50
_CLOSERS = {"(": ")", "[": "]", "{": "}", "\\{": "\\}"}
# operands named in the message when arithmetic on them fails (2*{a, b}: "not defined for a set")
_KIND_NAMES = {sympy.Set: "a set", sympy.Tuple: "a tuple", sympy.MatrixBase: "a matrix"}


class _Parser(Notation):
    def __init__(self, text, toks, symbols, functions, latex, value_mode):
        self.text, self.toks, self.i = text, toks, 0
        self.symbols, self.functions = symbols, functions
        self.latex, self.value_mode = latex, value_mode
        self.depth = 0
        self.deadline = time.monotonic() + MAX_SECONDS
        self.steps = 0
        self.bars = 0  # open |...| or ‖...‖, whose closing bar must not start a factor
        self.bound = {}  # index variables of \sum, \prod, \min_i: name -> current value
        self.tuple_end = -1  # token index just after the last 1-D list (a tuple), for (a, b)^T
        self.list_span = None  # (first, end) token indices of the last literal list

    # helpers
    def peek(self, k=0) -> _Tok:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def take(self) -> _Tok:
        tok = self.peek()
        self.i += tok.kind != "end"
        return tok

    def err(self, msg, tok=None) -> ExpressionError:
        return ExpressionError(msg, self.text, (tok or self.peek()).pos)

    def show(self, tok) -> str:
        return "end of expression" if tok.kind == "end" else f"'{tok.text}'"

    def expect(self, text, opener=None):
        tok = self.peek()
        if tok.text != text or tok.kind not in ("op", "cmd"):
            where = f" to close '{opener.text}' at column {opener.pos + 1}" if opener else ""
            raise self.err(f"expected '{text}'{where}, found {self.show(tok)}")
        return self.take()

    def arith(self, tok, f, *args):
        """``build`` for + - * / ^: refused with the operand named when one is a set, a tuple or a
        truth value (SymPy would build a broken sum or raise deep inside)."""
        for a in args:
            if not isinstance(a, (sympy.Expr, sympy.MatrixBase)):
                kind = next((name for k, name in _KIND_NAMES.items() if isinstance(a, k)), "a truth value or relation")
                raise self.err(f"'{tok.text}' is not defined for {kind}", tok)
        return self.build(tok, f, *args)

    def build(self, tok, f, *args):
        self.check_time()
        try:
            result = f(*args)
        except ExpressionError:
            raise
        except Refused as e:
            raise self.err(str(e), tok) from None
        except Exception as e:  # SymPy's shape, type and value errors
            raise self.err(f"cannot evaluate '{tok.text}' here: {str(e)[:200]}", tok) from None
        if result is S.ComplexInfinity or result is S.NaN:
            raise self.err("the expression is undefined here (division by zero?)", tok)
        coeff = result
        if isinstance(result, (sympy.Add, sympy.Mul)):
            coeff = result.as_coeff_Add()[0] if result.is_Add else result.as_coeff_Mul()[0]
        bits = 0
        if isinstance(coeff, sympy.Rational):
            bits = coeff.p.bit_length() + coeff.q.bit_length()
        if bits > 3.33 * MAX_DIGITS:
            raise self.err(f"number too large (more than {MAX_DIGITS} digits)", tok)
        return result

    def starts_factor(self, tok) -> bool:
        if tok.kind in ("num", "name", "cmd"):
            return tok.kind != "cmd" or tok.text != "top"
        return tok.kind == "op" and (tok.text in _CLOSERS or tok.text in "|‖" and not self.bars)

    # Pratt core
    def expr(self, rbp=0):
        self.depth += 1
        if self.depth > MAX_DEPTH + 1:
            raise self.err(f"expression is nested too deeply (more than {MAX_DEPTH} levels)")
        start = self.i
        left = self.prefix(rbp)
        number_first = self.i == start + 1 and self.toks[start].kind == "num"
        chain, chain_bp = [], 0  # a sum or product at this level, built n-ary at once
        while True:
            self.check_time()
            tok = self.peek()
            if tok.kind == "op" and tok.text in ("+", "-"):
                bp = _SUM
            elif tok.kind == "op" and tok.text in ("*", "/"):
                bp = _PROD
            elif tok.kind == "op" and tok.text in ("^", "**"):
                bp = _POW
            elif tok.kind == "op" and (tok.text in (".", "'") or tok.text == "[" and not self.latex):
                bp = _POSTFIX
            elif self.starts_factor(tok):
                plain_ok = number_first and (tok.kind == "name" or tok.text == "(")
                if number_first and tok.kind == "cmd" and tok.text == "frac":
                    self.mixed_number(tok)
                if tok.kind == "num" or not (self.latex or plain_ok):
                    raise self.err(f"missing operator before {self.show(tok)} "
                                   "(write '*' for a product)", tok)
                bp = _PROD
            else:
                break
            if bp <= rbp:
                break
            number_first = False
            if bp > _PROD:
                left = self.infix(self.fold(left, chain), tok)
                chain = []
                continue
            if chain and bp != chain_bp:  # a product ends where a sum begins
                left, chain = self.fold(left, chain), []
            chain_bp = bp
            is_op = tok.kind == "op" and tok.text in "+-*/"
            self.i += is_op
            chain.append((tok, tok.text if is_op else "*", self.expr(bp)))
            if tok.text == "/" and is_op and self.starts_factor(self.peek()) and self.peek().kind != "cmd":
                self.ambiguous_division(tok)
        self.depth -= 1
        return self.fold(left, chain)

    def fold(self, left, chain):
        if not chain:
            return left
        if _is_matrix(left) or any(_is_matrix(r) for _, _, r in chain):
            for tok, op, right in chain:  # matrices: pairwise, order matters
                left = self.divide(left, right, tok) if op == "/" else (
                    self.mul(left, right, tok) if op == "*" else self.add(left, right, tok))
            return left
        items = [left]
        for tok, op, right in chain:
            if op == "-":
                right = self.arith(tok, lambda x: -x, right)
            elif op == "/":
                if right.is_zero:
                    raise self.err("division by zero", tok)
                right = self.arith(tok, lambda x: sympy.Pow(x, -1), right)
            items.append(right)
        rationals = [x for x in items if isinstance(x, sympy.Rational)]
        is_sum = chain[0][1] in "+-"
        bits = sum(x.q.bit_length() + (0 if is_sum else x.p.bit_length()) for x in rationals)
        if bits > 3.33 * MAX_DIGITS:
            raise self.err(f"numbers too large (more than {MAX_DIGITS} digits)", chain[0][0])
        return self.arith(chain[0][0], sympy.Add if is_sum else sympy.Mul, *items)

    def add(self, left, right, tok):
        if _is_matrix(left) != _is_matrix(right):
            left, right = _scalar(left), _scalar(right)
            try:
                left, right = with_identity(left, right), with_identity(right, left)
            except Refused as exc:
                raise self.err(str(exc), tok) from None
        if _is_matrix(left) != _is_matrix(right):
            left, right = _scalar(left), _scalar(right)
        if _is_matrix(left) != _is_matrix(right) or (
                _is_matrix(left) and left.shape != right.shape):
            verb = "add" if tok.text == "+" else "subtract"
            raise self.err(f"cannot {verb} {_describe(left)} and {_describe(right)}", tok)
        if tok.text == "+":
            return self.arith(tok, lambda a, b: a + b, left, right)
        return self.arith(tok, lambda a, b: a - b, left, right)

    def check_time(self):
        """Bound the work, not the time: a step count decides, the same on any machine; the
        clock is only a last fuse (far above what the step bound allows) for a runaway SymPy call."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise self.err(f"expression is too complex (more than {MAX_STEPS} parsing steps)")
        if time.monotonic() > self.deadline:
            raise self.err(f"expression is too complex (not parsed within {MAX_SECONDS} s)")

    def infix(self, left, tok):
        at = self.i
        op = self.take().text
        if op == "'":
            if not _is_matrix(left):
                raise self.err("a prime ' on a scalar: declare the primed name (e.g. x_prime) or "
                               "write the transpose of a matrix as A' or A^T", tok)
            return self.transpose(left, tok, at)
        if op == ".":
            nxt = self.take()
            if nxt.text != "T" or nxt.kind != "name":
                raise self.err("attribute access is not allowed (only '.T', the transpose)", nxt)
            return self.transpose(left, tok, at)
        if op == "[":
            raise self.err("indexing is not allowed; use the declared names of the entries", tok)
        if self.transpose_follows(left):  # '^' or '**'
            return self.transpose(left, tok, at)
        if self.positive_part_follows():  # (x_1 - x_2)^+
            return self.build(tok, lambda x: sympy.Max(0, _need_scalar(x, "(...)^+")), left)
        return self.power(left, self.expr(_POW - 1), tok)

    def transpose_follows(self, base) -> bool:
        t0, t1, t2 = self.peek(), self.peek(1), self.peek(2)

        def is_t(t):
            return (t.kind == "cmd" and t.text == "top") or (
                t.kind == "name" and t.text == "T"
                and ("T" not in self.symbols or _is_matrix(base)))
        if is_t(t0):
            self.i += 1
            return True
        if t0.text == "{" and is_t(t1) and t2.text == "}":
            self.i += 3
            return True
        return False

    def transpose(self, e, tok, at=None):
        if at is not None and at == self.tuple_end and _is_matrix(e) and e.shape[1] == 1:
            return e  # (8, 0)^T: a tuple is a row written flat; transposed, the column vector it means
        return self.build(tok, lambda x: x.T, e) if _is_matrix(e) else e

    def mul(self, a, b, tok):
        if _is_matrix(a) != _is_matrix(b):
            try:
                a, b = with_identity(a, b), with_identity(b, a)
            except Refused as exc:
                raise self.err(str(exc), tok) from None
        if _is_matrix(a) and _is_matrix(b):
            if a.shape == (1, 1) and b.shape[0] != 1:
                a = a[0, 0]
            elif b.shape == (1, 1) and a.shape[1] != 1:
                b = b[0, 0]
            if _is_matrix(a) and _is_matrix(b) and a.shape[1] != b.shape[0]:
                raise self.err(f"matrix shapes do not match for a product: {_describe(a)[2:]} "
                               f"times {_describe(b)[2:]}", tok)
        return self.arith(tok, lambda x, y: x * y, a, b)

    def divide(self, a, b, tok):
        b = _scalar(b)
        if _is_matrix(b):
            raise self.err(f"cannot divide by {_describe(b)} (use inv(...) for an inverse)", tok)
        if b.is_zero:
            raise self.err("division by zero", tok)
        return self.arith(tok, lambda x, y: x / y, a, b)

    def power(self, base, exp, tok):
        exp = _scalar(exp)
        if _is_matrix(base):
            if not (exp.is_Integer and abs(exp) <= MAX_EXPONENT):
                raise self.err("a matrix can only be raised to an integer power, or ^T", tok)
            if base.shape[0] != base.shape[1]:
                raise self.err(f"cannot raise {_describe(base)} to a power", tok)
            if exp == -1:
                return self.arith(tok, _inv, base)
            if isinstance(base, MatrixBase) and abs(exp) > 10:
                raise self.err("power of an explicit matrix is limited to 10", tok)
        return self.arith(tok, _checked_pow, base, exp)

    def prefix(self, rbp):
        tok = self.take()
        if tok.kind == "num":
            return self.number(tok)
        if tok.kind == "name":
            return self.name(tok)
        if tok.kind == "op" and tok.text in ("-", "+"):
            operand = self.expr(max(rbp, _UNARY))
            return self.arith(tok, lambda x: -x, operand) if tok.text == "-" else operand
        if tok.kind == "op" and tok.text in _CLOSERS:
            return self.group(tok)
        if tok.kind == "op" and tok.text in "|‖":
            saved, self.bars = self.bars, self.bars + 1
            inner = self.expr(0)
            self.expect(tok.text, tok)
            self.bars = saved
            if tok.text == "‖":
                return self.build(tok, _norm, inner)
            if _is_matrix(_scalar(inner)):
                raise self.err("|...| of a matrix is ambiguous: write norm(...) or \\|...\\|", tok)
            return self.build(tok, sympy.Abs, _scalar(inner))
        if tok.kind == "cmd" and tok.text in ("sum", "prod"):
            return self.big_operator(tok, tok.text)
        if tok.kind == "cmd" and tok.text == "binom":
            top = self.latex_arg(tok)
            return self.binomial(tok, top, self.latex_arg(tok))
        if tok.kind == "cmd" and tok.text == "underbrace":
            return self.underbrace(tok)
        if tok.kind == "op" and tok.text == "…":
            raise self.err("'\\dots' stands for entries left out: write every entry, or a run of equal "
                           "entries as \\underbrace{a, \\dots, a}_{n}", tok)
        if tok.kind == "cmd" and tok.text == "frac":
            num = self.latex_arg(tok)
            return self.divide(num, self.latex_arg(tok), tok)
        if tok.kind == "cmd" and tok.text == "sqrt":
            if self.peek().text == "[":
                opener = self.take()
                degree = _scalar(self.expr(0))
                self.expect("]", opener)
                exp = self.divide(S.One, degree, tok)
                return self.build(tok, _checked_pow, _need_scalar(self.latex_arg(tok), "sqrt"), exp)
            return self.build(tok, _sqrt, self.latex_arg(tok))
        if tok.kind == "end":
            raise self.err("unexpected end of expression (expected a number, a name or '(')", tok)
        if tok.kind == "op" and tok.text in _RELATIONS:
            raise self.err(f"unexpected '{tok.text}': a relation is not allowed here", tok)
        raise self.err(f"unexpected {self.show(tok)}", tok)

    def latex_arg(self, cmd):
        tok = self.peek()
        if tok.text == "{":
            return self.group(self.take())
        if tok.kind == "num" and len(tok.text) > 1 and tok.text.isdigit():
            # \frac12 means \frac{1}{2}: split the digit run
            self.toks[self.i] = _Tok("num", tok.text[1:], tok.pos + 1)
            return sympy.Integer(int(tok.text[0]))
        if tok.kind in ("num", "name"):
            return self.prefix(_POW)
        raise self.err(f"expected '{{' after \\{cmd.text}, found {self.show(tok)}", tok)

    def group(self, opener):
        """(...), [...], {...} or \\{...\\}: a grouping, or a tuple/set in values."""
        close = _CLOSERS[opener.text]
        saved, self.bars = self.bars, 0
        items = []
        if self.peek().text == close and self.value_mode:
            self.take()
            if opener.text in ("{", "\\{"):
                return S.EmptySet
            raise self.err("empty list", opener)
        first = self.i
        while True:
            item = self.ternary()
            if isinstance(item, Run):
                items.extend(item.items)
            else:
                items.append(item)
            if self.peek().text != ",":
                break
            comma = self.take()
            if not self.value_mode:
                raise self.err("',' is not allowed here: a list of values is not an "
                               "expression", comma)
            if self.peek().text == close:
                break
        self.expect(close, opener)
        self.bars = saved
        is_set = opener.text == "\\{" or opener.text == "{" and not self.latex
        if is_set and self.value_mode:
            return self.build(opener, sympy.FiniteSet, *items)
        if len(items) == 1 and self.toks[self.i - 2].text != ",":
            if (opener.text == "[" and self.value_mode and self.list_span == (first, self.i - 1)
                    and _is_matrix(items[0]) and items[0].shape[1] == 1):  # [[a, b]]: one row
                return self.build(opener, lambda r: sympy.ImmutableMatrix([list(r)]), items[0])
            return items[0]
        if any(_is_matrix(x) and not all(isinstance(n, (int, sympy.Integer)) for n in x.shape) for x in items):
            # entry by entry, a vector of symbolic size d never ends
            raise self.err("a list of vectors or matrices of symbolic size cannot be built entry by entry: "
                           "give one vector expression instead", opener)
        start = next(k for k in range(self.i - 1, -1, -1) if self.toks[k] is opener)
        self.list_span = (start, self.i)
        if all(_is_matrix(x) and x.shape[1] == 1 for x in items):  # [[1, 2], [3, 4]]: rows
            return self.build(opener, lambda *rows: sympy.ImmutableMatrix(
                [list(r) for r in rows]), *items)
        self.tuple_end = self.i
        return self.build(opener, lambda *xs: sympy.ImmutableMatrix([[_scalar(x)] for x in xs]), *items)

    def number(self, tok):
        m = _NUM.fullmatch(tok.text)
        whole, frac = m.group(1) or "", m.group(2) or m.group(4) or ""
        exp = m.group(3) or m.group(5)
        if len(whole) + len(frac) > MAX_LITERAL_DIGITS:
            raise self.err(f"number literal is too long (at most {MAX_LITERAL_DIGITS} digits)", tok)
        if exp is not None and (len(exp) > 6 or abs(int(exp)) > MAX_EXPONENT):
            raise self.err(f"exponent of the number is too large (at most {MAX_EXPONENT})", tok)
        scale = (int(exp) if exp else 0) - len(frac)
        mantissa = int(whole + frac)  # decimals are exact: 0.9975 == 399/400
        if scale >= 0:
            return sympy.Integer(mantissa * 10**scale)
        return sympy.Rational(mantissa, 10**-scale)

    def name(self, tok):
        name = tok.text
        if name in self.bound:
            return self.bound[name]
        if name == "Piecewise" and self.lookup(name) is None:
            return self.piecewise(tok)
        if self.latex and tok.cmd and name in ("min", "max") and self.peek().text == "_":
            return self.big_operator(tok, name)
        if self.latex:
            while self.peek().text == "_" and self.peek().kind == "op":
                name = f"{name}_{self.subscript()}"
            if self.peek().text == "^" and (self.peek(1).text == "*" or
                                            self.peek(1).text == "{" and self.peek(2).text == "*"):
                self.i += 2 if self.peek(1).text == "*" else 4
                name += "_star"
        if self.peek().text == "'":
            primed = self.primed(name)
            if primed is not None:
                return primed
        value = self.lookup(name)
        if value is not None:
            if not self.latex and self.peek().text == "(":
                raise self.err(f"'{name}' is a declared symbol, not a function; "
                               f"write {name}*(...) for a product", self.peek())
            return value
        if name in self.functions:
            return self.call(tok, name)
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name == "I" and self.latex:
            return IDENTITY  # the identity matrix; its size comes from what it is added to
        if self.value_mode and name in _BOOLEANS:
            return _BOOLEANS[name]
        if (self.latex and not tok.cmd and name.isalpha()
                and all(self.lookup(c) is not None for c in name)):
            factors = [self.lookup(c) for c in name]  # LaTeX "wx" is w*x
            result = factors[0]
            for f in factors[1:]:
                result = self.mul(result, f, tok)
            return result
        declared = sorted(self.symbols)
        listed = ", ".join(declared[:30]) + (", ..." if len(declared) > 30 else "") or "none"
        hint = self.unknown_hint(name)
        raise self.err(f"unknown name '{name}' (declared symbols: {listed}){hint}", tok)

    def subscript(self) -> str:
        self.take()
        tok = self.take()
        if tok.text == "{" and tok.kind == "op":
            parts = []
            while self.peek().kind in ("num", "name") or self.peek().text == ",":
                parts.append(self.take().text.strip(","))
            self.expect("}", tok)
            if parts:
                return "".join(self.index_text(p) for p in parts)
        elif tok.kind in ("num", "name"):
            return self.index_text(tok.text)
        raise self.err("expected a subscript such as x_1 or x_{12}", tok)

    def lookup(self, name):
        candidates = [name]
        if "_" in name:
            candidates.append(name.replace("_", ""))
        elif m := re.fullmatch(r"([A-Za-z]+)(\d+)", name):
            candidates.append(f"{m[1]}_{m[2]}")
        for c in candidates:
            if c in self.symbols:
                return self.symbols[c]
        return None

    def call(self, tok, name):
        opener = self.peek()
        if opener.text in ("(", "\\{"):
            self.take()
            saved, self.bars = self.bars, 0
            args = [] if self.peek().text == _CLOSERS[opener.text] else [self.expr(0)]
            while args and self.peek().text == ",":
                self.take()
                args.append(self.expr(0))
            self.expect(_CLOSERS[opener.text], opener)
            self.bars = saved
        elif self.latex and tok.cmd and self.starts_factor(opener):
            args = [self.expr(_POW - 1)]  # \exp x, \log 2
        else:
            raise self.err(f"'{name}' is a function; write {name}(...)", opener)
        f = self.functions[name]
        low, high = _ARITY.get(name, (0, None)) if id(f) in _DEFAULT_IDS else (0, None)
        count, plural = len(args), lambda k: f"{k} argument{'s' * (k != 1)}"
        if count < low:
            want = f"exactly {plural(low)}" if low == high else f"at least {plural(low)}"
            raise self.err(f"{name} takes {want} ({count} given)", tok)
        if high is not None and count > high:
            want = f"exactly {plural(high)}" if low == high else f"at most {plural(high)}"
            raise self.err(f"{name} takes {want} ({count} given)", tok)
        result = self.build(tok, f, *args)
        if not isinstance(result, (sympy.Basic, MatrixBase)):
            raise self.err(f"function '{name}' did not return a SymPy expression", tok)
        return result

    # conditions
    def condition(self):
        parts = [self.conjunction()]
        while self.peek().text == "or" and self.peek().kind == "op":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else sympy.Or(*parts)

    def conjunction(self):
        parts = [self.relation()]
        while self.peek().kind == "op" and self.peek().text in ("and", ","):
            self.take()
            parts.append(self.relation())
        return parts[0] if len(parts) == 1 else sympy.And(*parts)

    def condition_group_ahead(self) -> bool:
        """Whether the next token opens a parenthesis whose own level holds a relation or
        ``and``/``or``: ``(a1 = 0 and a1 < a2) or ...``, as SymPy prints nested conditions.
        A forward scan to the matching closer: no backtracking."""
        if self.peek().text != "(":
            return False
        depth = 0
        for tok in self.toks[self.i:]:
            if tok.kind == "op" and tok.text in _CLOSERS:
                depth += 1
            elif tok.kind == "op" and tok.text in _CLOSERS.values():
                depth -= 1
                if depth == 0:
                    return False
            elif depth == 1 and tok.kind == "op" and (tok.text in _RELATIONS or tok.text in ("and", "or")):
                return True
            elif tok.kind == "end":
                return False
        return False

    def relation(self):
        if self.condition_group_ahead():
            opener = self.take()
            inner = self.condition()
            self.expect(")", opener)
            return inner
        left = _scalar(self.expr(0))
        rels = []
        while self.peek().kind == "op" and self.peek().text in _RELATIONS:
            tok = self.take()
            right = _scalar(self.expr(0))
            rels.append(self.build(tok, _RELATIONS[tok.text], left, right))
            left = right
        if not rels:
            raise self.err(f"expected a relation such as 'x1 > x2', found {self.show(self.peek())}")
        return rels[0] if len(rels) == 1 else sympy.And(*rels)


def _run(text, symbols, functions, latex, mode):
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is too long ({len(text)} characters, "
                              f"at most {MAX_LENGTH})")
    if latex is None:
        if "\\" in text or "_{" in text or "^{" in text:
            return _run(text, symbols, functions, True, mode)
        try:
            return _run(text, symbols, functions, False, mode)
        except ExpressionError as plain_error:
            if "missing operator" not in plain_error.message:
                raise
            try:  # juxtaposition such as "w^T x" or "x_1 x_2" reads as LaTeX
                return _run(text, symbols, functions, True, mode)
            except ExpressionError as latex_error:
                if "ambiguous" in latex_error.message:
                    raise
                raise plain_error from None
    funcs = dict(DEFAULT_FUNCTIONS)
    funcs.update(functions or {})
    toks = _tokenize(text, latex, symbols)
    if len(toks) == 1:
        raise ExpressionError("empty expression", text, 0)
    parser = _Parser(text, toks, symbols, funcs, latex, mode == "value")
    try:
        result = parser.condition() if mode == "condition" else parser.ternary()
    except RecursionError:
        raise ExpressionError(f"expression is nested too deeply (more than {MAX_DEPTH} levels)",
                              text, parser.peek().pos) from None
    tok = parser.peek()
    if tok.kind != "end":
        if tok.text in _RELATIONS and mode != "condition":
            raise parser.err(f"unexpected '{tok.text}': a relation is not allowed here "
                             "(conditions go to --assume)")
        if tok.text in (")", "]", "}", "\\}"):
            raise parser.err(f"unmatched '{tok.text}'")
        raise parser.err(f"unexpected {parser.show(tok)}")
    if isinstance(result, Run):
        raise ExpressionError("\\underbrace{a, \\dots, a}_{n} belongs inside a vector (...)", text, 0)
    if isinstance(result, sympy.Basic) and IDENTITY in result.free_symbols:
        raise ExpressionError("I is read as the identity matrix here, but it meets no matrix that gives "
                              "its size: write Identity(n) or declare I", text, text.find("I"))
    return result


def parse(text: str, symbols: Mapping[str, sympy.Basic], *,
          functions: Mapping[str, Callable] | None = None,
          latex: bool | None = None) -> sympy.Basic:
    """Parse one expression in plain text or LaTeX (``latex=None`` detects it).

    Names are looked up in ``symbols`` only; ``functions`` adds to or
    overrides ``DEFAULT_FUNCTIONS``.  Raises ExpressionError with a position.

    >>> x, lam = sympy.symbols("x lambda")
    >>> parse("2x^2 - 0.5/lambda", {"x": x, "lambda": lam})
    2*x**2 - 1/(2*lambda)
    >>> parse(r"\\frac{x}{2\\lambda}", {"x": x, "lambda": lam})
    x/(2*lambda)
    """
    return _run(text, symbols, functions, latex, "expr")


def parse_condition(text: str, symbols: Mapping[str, sympy.Basic], *,
                    functions: Mapping[str, Callable] | None = None,
                    latex: bool | None = None) -> sympy.Basic:
    """Parse relations for ``--assume``: ``x1 > x2``, ``a1 = a2``, ``0 < x1 < x2``,
    ``x1 >= 0 and x2 >= 0`` (``and``/``,`` give And, ``or`` gives Or).

    >>> x1, x2 = sympy.symbols("x1 x2")
    >>> parse_condition("0 < x1 < x2", {"x1": x1, "x2": x2})
    (0 < x1) & (x1 < x2)
    >>> parse_condition("x1 = x2", {"x1": x1, "x2": x2})
    Eq(x1, x2)
    """
    return _run(text, symbols, functions, latex, "condition")


def parse_value(text: str, symbols: Mapping[str, sympy.Basic], *,
                functions: Mapping[str, Callable] | None = None,
                latex: bool | None = None) -> sympy.Basic:
    """Like ``parse``, and also ``true``/``false``, vectors ``(a, b)`` or
    ``[a, b]`` (column ImmutableMatrix; ``[[1, 2], [3, 4]]`` lists rows) and
    sets ``{a, b}`` (FiniteSet; ``\\{a, b\\}`` in LaTeX).

    >>> parse_value("(1, 1/2)", {})
    Matrix([
    [  1],
    [1/2]])
    >>> parse_value("{1, 2}", {}), parse_value("true", {})
    ({1, 2}, True)
    """
    return _run(text, symbols, functions, latex, "value")
