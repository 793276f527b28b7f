"""Batches of variants: seeded drawing, constraints, degenerate-variant rejection, answer keys,
booklets and stress runs.
"""
