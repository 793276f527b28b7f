"""Numeric references: independent computations the symbolic answers are checked against.

Nothing here imports the symbolic engine: each reference takes a plain
numeric model (a Python/numpy callable, arrays) and computes the explanation
its own way (orderings instead of coalitions, optimisers instead of algebra,
finite differences instead of derivatives).
"""
