"""Specs: strict YAML with locations, the schema, declared symbols, random parameters and their
constraints, resource limits, and ``symxai validate``.
"""
