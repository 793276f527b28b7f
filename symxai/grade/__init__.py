"""Grading: checking given answers against the engine's derivation, bounded and load-independent,
with diagnoses of wrong answers and whole-sheet checks.
"""
