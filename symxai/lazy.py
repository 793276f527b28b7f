"""A module imported on first use: ``from symxai.lazy import numpy as np`` (issue 20, item 4).

A cold ``symxai check`` of an answer that is decided exactly never touches numpy, yet importing it
costs about 0.2 s of CPU, a third of a bare ``import sympy``.  Modules on the check path therefore
name numpy through this proxy: the real ``import numpy`` happens at the first attribute taken from
it (``np.asarray``), and each attribute is then kept on the proxy, so later uses cost a plain lookup.
``sys.modules`` gets numpy only once it is really imported.

>>> import sys
>>> lazy_math = Lazy("math")
>>> lazy_math.sqrt(4.0), "sqrt" in vars(lazy_math)
(2.0, True)
>>> hasattr(lazy_math, "no_such_name")
False
"""

from __future__ import annotations

import importlib


class Lazy:
    """Stands for the module ``name`` and imports it at the first attribute asked of it."""

    def __init__(self, name: str):
        self.__dict__["_lazy_name"] = name

    def __getattr__(self, attr: str):
        if attr.startswith("__") and attr.endswith("__"):  # copy, pickle and doctest probes: not numpy
            raise AttributeError(attr)
        value = getattr(importlib.import_module(self.__dict__["_lazy_name"]), attr)
        self.__dict__[attr] = value  # a module's attributes do not change: the next lookup is direct
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self.__dict__['_lazy_name']!r}>"


numpy = Lazy("numpy")
