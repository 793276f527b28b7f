"""The method registry: every module in this package registers its methods by name.

>>> "shapley" in names()
True
"""

from __future__ import annotations

import importlib
import pkgutil

_REGISTRY: dict[str, type] = {}
_LOADED = False


def register(cls):
    """Class decorator: make a Method subclass available under ``cls.name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise RuntimeError(f"two methods are registered as {cls.name!r}")
    _REGISTRY[cls.name] = cls
    return cls


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    for info in pkgutil.iter_modules(__path__):
        if info.name != "base" and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    _LOADED = True


def names() -> list[str]:
    """Every registered method name, sorted."""
    _load_all()
    return sorted(_REGISTRY)


# Which module registers which method, so that ``get`` imports only the one needed (a `check`
# of a Shapley exercise never loads the LRP machinery); tests/test_spec.py keeps it complete.
MODULES = {
    "activation-max": "activation_max", "counterfactual": "counterfactual", "deeplift": "deeplift",
    "influence": "influence", "partial-dependence": "partial_dependence",
    "permutation-importance": "permutation_importance", "gradcam": "gradcam", "gradient-x-input": "gradients",
    "integrated-gradients": "gradients", "smoothgrad": "gradients",
    "kmeans-neuralization": "kmeans_neuralization", "lime": "lime", "lrp": "lrp", "reasoned": "reasoned",
    "robust-features": "robust_features", "shapley": "shapley", "shapley-cost": "shapley_cost",
    "linear-shap": "linear_shap", "kernel-shap": "kernel_shap", "tree-shap": "tree_shap",
    "shap-interaction": "shap_interaction",
    "svm-neuralization": "neuralization", "taylor": "taylor",
}


def get(name: str):
    """A new instance of the method called ``name``; KeyError if there is none."""
    if name not in _REGISTRY and name in MODULES:
        importlib.import_module(f"{__name__}.{MODULES[name]}")
    if name not in _REGISTRY:
        _load_all()
    return _REGISTRY[name]()
