"""symxai: symbolic, verified worked solutions for explainable-AI exercises.

The functions a notebook needs are importable from here (loaded on first use,
so that ``symxai --help`` stays fast): ``solve_file``, ``check``, ``check_sheet``,
``load_sheet``, ``build``.
"""

__version__ = "0.1.0"

_PUBLIC = {"solve_file": "solve.pipeline", "build": "solve.pipeline", "check": "grade.check",
           "check_sheet": "grade.sheetcheck", "load_sheet": "specs.spec"}
__all__ = ["__version__", *_PUBLIC]


def __getattr__(name):
    if name in _PUBLIC:
        import importlib
        return getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    raise AttributeError(f"module 'symxai' has no attribute {name!r}")
