"""Typesetting: sheets into LaTeX through Jinja2, the TeX sandbox, bounded pdflatex runs,
precompiled preambles and atomic output folders.
"""
