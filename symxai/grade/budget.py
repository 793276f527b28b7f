"""Work budgets for a typed answer: how big and how deeply nested an answer may be.

The parser bounds the text (length, nesting of brackets, size of numbers).  What
it builds can still be costly for SymPy to handle: every level of a tower
``log(log(...log(3)...))`` makes SymPy's assumption queries (run when the tree
is rebuilt, compared or evaluated) slower by a constant factor, so sixteen
levels take minutes.  ``within_budget`` refuses such a value with one clear
message before anything else looks at it.

>>> import sympy
>>> x = sympy.Symbol("x")
>>> within_budget(sympy.log(sympy.exp(x) + 1))
>>> tower = x
>>> for _ in range(7):
...     tower = sympy.log(tower + 2)
>>> within_budget(tower)
Traceback (most recent call last):
...
symxai.errors.ExpressionError: functions are nested too deeply: at most 6 levels of exp, log, sin, ... inside one another
"""

from __future__ import annotations

import sympy

from symxai.errors import ExpressionError

MAX_NODES = 4_000  # nodes of the expression tree, every occurrence counted
MAX_FUNCTION_NESTING = 6  # transcendental functions (and powers with a non-constant exponent) inside one another


def _transcendental(node) -> bool:
    if isinstance(node, sympy.Pow):
        return not node.exp.is_number  # x^y, 2^(2^x): a tower grows like nested exp
    if isinstance(node, sympy.Function) and not isinstance(node, sympy.Piecewise):
        return not isinstance(node, (sympy.Max, sympy.Min, sympy.Abs, sympy.sign, sympy.Heaviside))
    return False


def measure(value) -> tuple[int, int]:
    """(nodes, deepest nesting of transcendental functions) of a SymPy value, counting stops early
    once a budget is exceeded (so measuring costs at most about MAX_NODES steps).

    >>> x = sympy.Symbol("x")
    >>> measure(sympy.exp(sympy.sin(x)) + x**2)
    (7, 2)
    """
    nodes, deepest = 0, 0
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            return nodes, deepest
        if isinstance(node, sympy.MatrixBase):
            stack.extend((e, depth) for e in node)
            continue
        if not isinstance(node, sympy.Basic):
            continue
        if _transcendental(node):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_FUNCTION_NESTING:
                return nodes, deepest
        stack.extend((a, depth) for a in node.args)
    return nodes, deepest


def within_budget(value) -> None:
    """Raise ExpressionError when ``value`` exceeds a budget; None otherwise."""
    nodes, deepest = measure(value)
    if nodes > MAX_NODES:
        raise ExpressionError(f"the answer is too large (more than {MAX_NODES} terms and operations); "
                              "simplify it and try again")
    if deepest > MAX_FUNCTION_NESTING:
        raise ExpressionError(f"functions are nested too deeply: at most {MAX_FUNCTION_NESTING} levels of "
                              "exp, log, sin, ... inside one another")
