"""Jinja2 templates for exercise and solution sheets (LaTeX-safe delimiters)."""
