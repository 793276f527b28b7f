"""symxai: symbolic, verified worked solutions for explainable-AI exercises."""

__version__ = "0.1.0"
