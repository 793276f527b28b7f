"""Random parameter generators of a spec's ``random:`` block, and references to their values.

A generator is a mapping with one kind key (``integer``, ``rational``,
``choice``, ``point``, ``spd``, ``relu-network``, ``function``).  Values are
exact (SymPy Rationals, ImmutableMatrix, expressions): they are written into
a variant's spec as text and read back through the safe parser, so nothing
generated here bypasses ``symxai.expr.exprparse``.

A reference ``$name``, ``$name[i]`` or ``$name[i][j]`` (1-based) names a
generated value in ``params`` and constraints; ``[[name]]`` prints it in a
statement.

>>> import numpy as np
>>> gen = Generator("p", {"point": {"dim": 3, "range": [0, 2]}})
>>> gen.sample(np.random.default_rng(1), {})
[1, 1, 2]
>>> to_data(sympy.Rational(1, 2)), resolve("$p[2]", {"p": [1, 0, 1]})
('1/2', 0)
"""

from __future__ import annotations

import re
from fractions import Fraction

from symxai.lazy import numpy as np
import sympy

from symxai.errors import ExpressionError
from symxai.expr.exprparse import parse
from symxai.specs.limits import MAX_GENERATOR_VALUES, MAX_VECTOR
from symxai.specs.schema import Anything, Bool, Choice, Expr, Field, Int, ListOf, Name, Record

REF = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
STATEMENT_REF = re.compile(r"\[\[([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)\]\]")
FAMILIES = ("min-max", "product", "linear")
GENERATOR_TRIES = 1000  # resampling bound inside one generator (SPD, nonzero units)

_SMALL = Int(minimum=-1000, maximum=1000)  # integer ranges of matrices, networks, coefficients
_SCALAR = {
    "range": Field(ListOf(Expr(), 2, 2), doc="[lo, hi], both included"),
    "denominators": Field(ListOf(Int(minimum=1), 1), doc="allowed denominators (default [1]: integers)"),
    "grid": Field(ListOf(Expr(), 1), doc="an explicit list of values instead of a range"),
    "exclude": Field(ListOf(Expr(), 1), doc="values never drawn"),
}
GENERATOR = Record({
    "integer": Field(Record(dict(_SCALAR)), doc="an integer from range or grid"),
    "rational": Field(Record(dict(_SCALAR)), doc="a rational p/q from range with q in denominators, or grid"),
    "choice": Field(ListOf(Anything(), 1), doc="one of the listed values (any YAML value)"),
    "point": Field(Record({"dim": Field(Int(minimum=1, maximum=MAX_VECTOR), required=True), **_SCALAR}),
                   doc="a vector of dim entries, each drawn like integer/rational"),
    "spd": Field(Record({"size": Field(Int(minimum=1, maximum=6), required=True),
                         "range": Field(ListOf(_SMALL, 2, 2), doc="entry range (default [-2, 2])")}),
                 doc="a symmetric positive definite matrix with small integer entries"),
    "relu-network": Field(Record({
        "shape": Field(ListOf(Int(minimum=1, maximum=8), 2, 6), required=True,
                       doc="units per layer, inputs first: [2, 3, 1] gives W1 (3x2), W2 (1x3)"),
        "range": Field(ListOf(_SMALL, 2, 2), doc="weight range (default [-2, 2])"),
        "nonzero-units": Field(Bool(), doc="every unit has a nonzero incoming and outgoing weight (default true)"),
    }), doc="weights [W1, W2, ...] of a bias-free ReLU network with small integer weights"),
    "function": Field(Record({
        "family": Field(Choice(*FAMILIES), required=True),
        "inputs": Field(ListOf(Name(), 1), required=True, doc="declared scalar symbols"),
        "range": Field(ListOf(_SMALL, 2, 2), doc="coefficient range of the linear family (default [-3, 3])"),
    }), doc="a random function of the inputs from a family"),
}, doc="one generator: exactly one of the keys")
KINDS = tuple(GENERATOR.fields)


class GeneratorError(Exception):
    """Raised (then reported as a located spec problem) for a generator that cannot produce a value."""


def _number(v) -> sympy.Rational:
    try:
        out = sympy.Integer(v) if isinstance(v, int) else parse(str(v), {})
    except ExpressionError as exc:
        raise GeneratorError(f"cannot read the number {str(v)[:40]!r}: {exc.message}") from None
    if not out.is_Rational:
        raise GeneratorError(f"expected a finite rational number, got {str(v)[:40]!r}")
    return out


def scalar_pool(spec, integer: bool = False) -> list:
    """Every value a scalar generator may draw, sorted.

    >>> scalar_pool({"range": [0, 1], "denominators": [2, 3]})
    [0, 1/3, 1/2, 2/3, 1]
    """
    if "grid" in spec:
        pool = {_number(v) for v in spec["grid"]}
    else:
        lo, hi = (_number(v) for v in spec.get("range", [-3, 3]))
        if lo > hi:
            raise GeneratorError(f"empty range [{lo}, {hi}]: write [lo, hi] with lo <= hi")
        denominators = [1] if integer else spec.get("denominators", [1])
        size = sum(int(sympy.floor(hi * q)) - int(sympy.ceiling(lo * q)) + 1 for q in denominators)
        if size > MAX_GENERATOR_VALUES:
            raise GeneratorError(f"at most {MAX_GENERATOR_VALUES} values to choose from (range [{lo}, {hi}] "
                                 f"gives {size}); see docs/spec.md#limits")
        pool = set()
        for q in denominators:
            pool |= {sympy.Rational(p, q) for p in range(int(sympy.ceiling(lo * q)), int(sympy.floor(hi * q)) + 1)}
    pool -= {_number(v) for v in spec.get("exclude", [])}
    if integer and any(not v.is_Integer for v in pool):
        raise GeneratorError("an integer generator lists a value that is not an integer")
    if not pool:
        raise GeneratorError("no value is left to draw (range, grid and exclude leave nothing)")
    return sorted(pool)


def _pick(rng, pool):
    return pool[int(rng.integers(len(pool)))]


class Generator:
    """One named generator; ``sample(rng, symbols)`` draws its value."""

    def __init__(self, name: str, spec):
        kinds = [k for k in KINDS if k in spec]
        if len(kinds) != 1:
            raise GeneratorError(f"generator '{name}' needs exactly one of: {', '.join(KINDS)}")
        self.name, self.kind, self.spec = name, kinds[0], spec[kinds[0]]
        if self.kind in ("integer", "rational", "point"):
            self.pool = scalar_pool(self.spec, integer=self.kind == "integer")
        elif self.kind in ("spd", "relu-network", "function") and "range" in self.spec:
            lo, hi = self.spec["range"]
            if lo > hi:
                raise GeneratorError(f"empty range [{lo}, {hi}]: write [lo, hi] with lo <= hi")

    def sample(self, rng: np.random.Generator, symbols: dict):
        s = self.spec
        if self.kind in ("integer", "rational"):
            return _pick(rng, self.pool)
        if self.kind == "point":
            return [_pick(rng, self.pool) for _ in range(s["dim"])]
        if self.kind == "choice":
            return s[int(rng.integers(len(s)))]
        if self.kind == "spd":
            return _spd(rng, s["size"], *s.get("range", [-2, 2]))
        if self.kind == "relu-network":
            return _network(rng, list(s["shape"]), *s.get("range", [-2, 2]), s.get("nonzero-units", True))
        return _function(rng, s["family"], [_symbol(symbols, n) for n in s["inputs"]], *s.get("range", [-3, 3]))


def _symbol(symbols: dict, name: str):
    sym = symbols.get(name)
    if not isinstance(sym, sympy.Symbol):
        raise GeneratorError(f"function input '{name}' must be a declared scalar symbol")
    return sym


def _spd(rng, n, lo, hi):
    if hi < 1:
        raise GeneratorError("an SPD matrix needs a positive diagonal: the range must reach 1")
    for _ in range(GENERATOR_TRIES):
        m = [[0] * n for _ in range(n)]
        for i in range(n):
            m[i][i] = int(rng.integers(max(lo, 1), hi + 1))
            for j in range(i):
                m[i][j] = m[j][i] = int(rng.integers(lo, hi + 1))
        mat = sympy.ImmutableMatrix(m)
        if all(mat[:k, :k].det() > 0 for k in range(1, n + 1)):  # Sylvester's criterion, exact
            return mat
    raise GeneratorError(f"no symmetric positive definite {n}x{n} matrix with entries in [{lo}, {hi}] "
                         f"after {GENERATOR_TRIES} tries")


def _network(rng, shape, lo, hi, nonzero):
    for _ in range(GENERATOR_TRIES):
        layers = [np.asarray(rng.integers(lo, hi + 1, size=(shape[k + 1], shape[k]))) for k in range(len(shape) - 1)]
        hidden_ok = all(layers[k].any(axis=1).all() and layers[k + 1].any(axis=0).all()
                        for k in range(len(layers) - 1))
        if not nonzero or (hidden_ok and layers[-1].any(axis=1).all()):
            return [sympy.ImmutableMatrix(w.tolist()) for w in layers]
    raise GeneratorError(f"no network of shape {shape} with every unit connected after {GENERATOR_TRIES} tries")


def _function(rng, family, inputs, lo, hi):
    order = [inputs[int(i)] for i in rng.permutation(len(inputs))]
    if family == "min-max":
        def tree(xs, use_min):  # Min and Max alternate by level, so both always occur
            if len(xs) == 1:
                return xs[0]
            cut = int(rng.integers(1, len(xs)))
            return (sympy.Min if use_min else sympy.Max)(tree(xs[:cut], not use_min), tree(xs[cut:], not use_min))
        return tree(order, bool(rng.integers(2)))
    if family == "product":  # a product of sums of the inputs, as x1 (x2 + x3)
        factors, rest = [], order
        while rest:
            size = int(rng.integers(1, len(rest) + 1))
            factors.append(sympy.Add(*rest[:size]))
            rest = rest[size:]
        return sympy.Mul(*factors)
    coeffs = [c for c in range(lo, hi + 1) if c != 0] or [1]
    return sympy.Add(*(_pick(rng, coeffs) * x for x in inputs))


# -- references to generated values ------------------------------------------

def _index(value, path: str, name: str, shown: str = "${}"):
    name = shown.format(name)
    for k in (int(i) for i in re.findall(r"\d+", path)):
        if isinstance(value, sympy.MatrixBase) and value.shape[1] == 1 and value.shape[0] > 1:
            value = list(value)
        if isinstance(value, sympy.MatrixBase):
            if not 1 <= k <= value.shape[0]:
                raise GeneratorError(f"{name}{path}: index {k} is out of range 1..{value.shape[0]}")
            value = list(value.tolist()[k - 1])
            continue
        if not isinstance(value, list) or not 1 <= k <= len(value):
            raise GeneratorError(f"{name}{path}: index {k} does not exist (indices are 1-based)")
        value = value[k - 1]
    return value


def lookup(name: str, path: str, values: dict, shown: str = "${}"):
    """The generated value ``$name[path]``; GeneratorError for unknown names or indices, quoting the
    reference as the author wrote it (``shown`` is ``"[[{}]]"`` for a statement's)."""
    if name not in values:
        raise GeneratorError(f"{shown.format(name)} is not a generated value "
                             f"(generated: {', '.join(values) or 'none'})")
    return _index(values[name], path, name, shown)


def to_data(value):
    """A generated value as plain YAML data: ints, 'p/q' strings, expression text, nested lists."""
    if isinstance(value, sympy.MatrixBase):
        return [[to_data(v) for v in row] for row in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, (bool, str)) or value is None:
        return value
    if isinstance(value, (int, Fraction)):
        value = sympy.Rational(value)
    if isinstance(value, sympy.Basic):
        if value.is_Integer:
            return int(value)
        return sympy.sstr(value)
    return value


def _text(value) -> str:
    data = to_data(value)
    if isinstance(data, (list, dict)):
        raise GeneratorError("a vector, matrix or network can only stand alone, not inside an expression")
    return f"({data})"


def resolve(data, values: dict):
    """``data`` (params from the spec) with every ``$ref`` replaced by generated values.

    A string that is exactly one reference becomes the value itself (a list
    for a point); a reference inside longer text becomes ``(value)``.

    >>> resolve({"f": "$a*x1", "point": ["$b", 1]}, {"a": 2, "b": sympy.Rational(1, 3)})
    {'f': '(2)*x1', 'point': ['1/3', 1]}
    """
    if isinstance(data, dict):
        return {str(k): resolve(v, values) for k, v in data.items()}
    if isinstance(data, list):
        return [resolve(v, values) for v in data]
    if isinstance(data, str):
        whole = REF.fullmatch(data)
        if whole:
            return to_data(lookup(whole.group(1), whole.group(2), values))
        return REF.sub(lambda m: _text(lookup(m.group(1), m.group(2), values)), data)
    return data


def references(data) -> set[str]:
    """Names referenced with ``$name`` anywhere in ``data``."""
    if isinstance(data, dict):
        return set().union(*(references(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(references(v) for v in data)) if data else set()
    return {m.group(1) for m in REF.finditer(data)} if isinstance(data, str) else set()


def fill_statement(text: str, values: dict) -> str:
    """A statement with ``[[name]]`` replaced by the LaTeX of the generated value (``values`` may also
    hold the variant's params, parsed: see ``batch.variants.shown_values``).

    >>> fill_statement(r"at $x = [[p]]$", {"p": [1, 2]})
    'at $x = \\\\left(1, 2\\\\right)$'
    """
    from symxai.expr.printing import tex

    def exact(v):
        return sympy.Integer(v) if isinstance(v, int) else v

    def show(m):
        value = lookup(m.group(1), m.group(2), values, "[[{}]]")
        if isinstance(value, str):  # a choice written by the author: shown verbatim
            return value
        if isinstance(value, list) and value and not isinstance(value[0], (list, sympy.MatrixBase)):
            return "\\left(" + ", ".join(tex(exact(v)) for v in value) + "\\right)"
        if isinstance(value, list):
            return ",\\ ".join(tex(exact(v)) for v in value)
        return tex(exact(value))
    return STATEMENT_REF.sub(show, text)


def statement_references(text: str) -> list[tuple[str, str]]:
    """(name, index path) of every ``[[name]]`` of a statement, in order.

    >>> statement_references("f = [[f]] at [[p[2]]]")
    [('f', ''), ('p', '[2]')]
    """
    return [(m.group(1), m.group(2)) for m in STATEMENT_REF.finditer(text)]


def statement_problems(block, declared: set) -> list[tuple[object, str, str]]:
    """(owner, key, message) for each ``[[name]]`` of a random block's statements that names
    neither a generator nor a random param, quoting it as the author wrote it."""
    out, params = [], set(block.get("params") or {})
    texts = [(block, params)] if "statement" in block else []
    for over in (block.get("parts") or {}).values():
        if isinstance(over, dict) and "statement" in over:
            texts.append((over, params | set(over.get("params") or {})))
    for owner, known in texts:
        for name, _ in statement_references(owner["statement"]):
            if name not in declared | known:
                out.append((owner, "statement", f"[[{name}]] names no generated value or random param "
                            f"(generated: {', '.join(sorted(declared)) or 'none'}; "
                            f"params: {', '.join(sorted(known)) or 'none'})"))
    return out
