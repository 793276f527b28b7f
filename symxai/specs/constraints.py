"""Constraints every accepted variant meets: conditions on generated values and answers.

A constraint is a condition text (``$p[1] != $p[2]``, ``$phi_1 > 0``) read
by the safe condition parser after its references are replaced by exact
values, or a named check.  Checks that need only the generated values run
before solving (cheap rejection); the others run on the engine's answers.

>>> c = build("$a != $b", {"a", "b"})
>>> c.phase, c.holds({"a": 1, "b": 1}, {}, {})
('values', False)
>>> build({"max-denominator": 3}, set()).holds({}, {"phi_1": sympy.Rational(1, 6)}, {})
False
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from symxai.errors import ExpressionError
from symxai.expr.exprparse import parse_condition
from symxai.specs.generators import REF, GeneratorError, lookup, references, to_data
from symxai.specs.schema import AnyOf, Choice, Field, Int, ListOf, Name, Record, Text

NAMED = ("distinct-answers", "nonzero-answers", "no-zero-division")
_NET = {"network": Field(Name(), required=True, doc="a relu-network generator"),
        "point": Field(Name(), required=True, doc="a point generator (the network's input)")}
CONSTRAINT = AnyOf(
    Text(),
    Record({
        "max-denominator": Field(Int(minimum=1), doc="every rational number in the answers has a denominator <= n"),
        "activation-pattern": Field(Record({
            **_NET,
            "pattern": Field(AnyOf(ListOf(Int(minimum=0, maximum=1), 1), Choice("mixed"),
                                   expected="a list of 0/1 per hidden unit, or 'mixed'"), required=True),
        }), doc="hidden ReLU units on (1) / off (0) at the point; no pre-activation is exactly 0"),
        "no-zero-division": Field(Record(dict(_NET)),
                                  doc="answers finite, and no LRP denominator (z or z+) of the network is 0 at the point"),
    }),
    expected="a condition text, one of " + ", ".join(NAMED) + ", or a mapping max-denominator / "
             "activation-pattern / no-zero-division",
)


class Constraint:
    """One constraint: ``label`` for reports, ``phase`` 'values' or 'answers', ``holds(...)``."""

    def __init__(self, label: str, phase: str, test):
        self.label, self.phase, self._test = label, phase, test

    def holds(self, values: dict, answers: dict, symbols: dict) -> bool:
        return bool(self._test(values, answers, symbols))


def build(spec, generated: set[str]) -> Constraint:
    """The constraint described by one entry of ``constraints:`` (GeneratorError if malformed)."""
    if isinstance(spec, str):
        if spec in NAMED:
            return _named(spec, {})
        refs = references(spec)
        if not refs:
            raise GeneratorError(f"constraint {spec!r} refers to nothing: write generated values and answers as $name")
        return Constraint(spec, "values" if refs <= generated else "answers", lambda v, a, s: _condition(spec, v, a, s))
    (key, arg), = spec.items()
    for role in ("network", "point"):
        name = arg.get(role) if isinstance(arg, dict) else None
        if name is not None and name not in generated:
            raise GeneratorError(f"constraint {key}: '{name}' is not a generator")
    return _named(key, arg)


def _named(key: str, arg) -> Constraint:
    if key == "distinct-answers":
        return Constraint(key, "answers", lambda v, a, s: _distinct(list(a.values())))
    if key == "nonzero-answers":
        return Constraint(key, "answers", lambda v, a, s: all(not _is_zero(x) for x in a.values()))
    if key == "max-denominator":
        return Constraint(f"max-denominator {arg}", "answers",
                          lambda v, a, s: all(q <= arg for x in a.values() for q in _denominators(x)))
    if key == "activation-pattern":
        return Constraint(f"activation-pattern {arg['pattern']}", "values",
                          lambda v, a, s: _pattern_ok(_forward(v[arg["network"]], v[arg["point"]]), arg["pattern"]))
    if key == "no-zero-division":
        if arg:
            return Constraint("no-zero-division (network)", "values",
                              lambda v, a, s: _no_zero_denominator(v[arg["network"]], v[arg["point"]]))
        return Constraint(key, "answers", lambda v, a, s: all(_finite(x) for x in a.values()))
    raise GeneratorError(f"unknown constraint '{key}'")


def _condition(text: str, values: dict, answers: dict, symbols: dict) -> bool:
    def sub(m):
        name = m.group(1)
        if name in values:
            value = lookup(name, m.group(2), values)
        elif name in answers and not m.group(2):
            value = answers[name]
        else:
            raise GeneratorError(f"constraint {text!r}: ${name} is neither a generated value nor an answer")
        data = to_data(value)
        if isinstance(data, (list, dict)):
            raise GeneratorError(f"constraint {text!r}: ${name} is not a number; index it, e.g. ${name}[1]")
        return f"({data})"
    try:
        result = parse_condition(REF.sub(sub, text), symbols)
    except ExpressionError as exc:
        raise GeneratorError(f"constraint {text!r}: {exc.message}") from None
    if result not in (sympy.true, sympy.false):
        raise GeneratorError(f"constraint {text!r} is neither true nor false here ({result})")
    return result is sympy.true


def _numbers(x):
    if isinstance(x, sympy.MatrixBase):
        return list(x)
    if isinstance(x, sympy.Basic):
        return [x]
    return []


def _is_zero(x) -> bool:
    return all(sympy.simplify(v) == 0 for v in _numbers(x)) if _numbers(x) else False


def _distinct(xs) -> bool:
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            a, b = xs[i], xs[j]
            if isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr):
                if a == b or sympy.simplify(a - b) == 0:
                    return False
            elif a == b:
                return False
    return True


def _denominators(x):
    for v in _numbers(x):
        for atom in v.atoms(sympy.Rational):
            yield int(atom.q)


def _finite(x) -> bool:
    bad = (sympy.nan, sympy.zoo, sympy.oo, -sympy.oo)
    return all(not any(v.has(b) for b in bad) for v in _numbers(x))


def _forward(layers, point):
    """Exact pre-activations of every layer of a bias-free ReLU network: (z per layer, inputs per layer)."""
    a = [Fraction(int(sympy.Rational(v).p), int(sympy.Rational(v).q)) for v in point]
    zs, inputs = [], []
    for k, w in enumerate(layers):
        rows = [[int(c) for c in row] for row in w.tolist()]
        if len(rows[0]) != len(a):
            raise GeneratorError(f"the network's layer {k + 1} takes {len(rows[0])} inputs, the point has {len(a)}")
        z = [sum((wij * aj for wij, aj in zip(row, a)), Fraction(0)) for row in rows]
        zs.append(z)
        inputs.append((rows, a))
        a = [max(Fraction(0), v) for v in z]
    return zs, inputs


def _pattern_ok(forward, pattern) -> bool:
    zs, _ = forward
    hidden = [v for z in zs[:-1] for v in z]
    if any(v == 0 for v in hidden):
        return False  # the ReLU is at its kink: the activation pattern is not defined
    got = [1 if v > 0 else 0 for v in hidden]
    if pattern == "mixed":
        return 0 in got and 1 in got
    if len(pattern) != len(got):
        raise GeneratorError(f"activation-pattern lists {len(pattern)} units, the network has {len(got)} hidden units")
    return got == list(pattern)


def _no_zero_denominator(layers, point) -> bool:
    zs, inputs = _forward(layers, point)
    for z, (rows, a) in zip(zs, inputs):
        for zk, row in zip(z, rows):
            if zk == 0:
                return False
            zplus = sum((max(0, wij) * aj for wij, aj in zip(row, a)), Fraction(0))
            if zk > 0 and zplus == 0:
                return False
    return True
