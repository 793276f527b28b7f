"""The expression language: the whitelist parser of user text (plain and LaTeX), typed answers,
symxai's printer and numeric values of SymPy answers.
"""
