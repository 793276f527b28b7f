"""The method registry: every module in this package's family subpackages registers its methods by name.

The families (one subpackage each): propagation (LRP, DeepLIFT), shap_family, saliency (gradient
methods, GradCAM), expansion (Taylor), neuralize (SVM, k-means as networks), surrogates (LIME),
global_methods (dataset-level), prototypes (inputs that explain).  ``base`` holds what all share.

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
    for info in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        leaf = info.name.rsplit(".", 1)[1]
        if not info.ispkg and leaf != "base" and not leaf.startswith("_"):
            importlib.import_module(info.name)
    _LOADED = True


def names() -> list[str]:
    """Every registered method name, sorted."""
    _load_all()
    return sorted(_REGISTRY)


# Which module registers which method, so that ``get`` imports only the one needed (a `check`
# of a Shapley exercise never loads the LRP machinery); tests/load/test_spec.py keeps it complete.
MODULES = {
    "activation-max": "prototypes.activation_max", "counterfactual": "prototypes.counterfactual",
    "robust-features": "prototypes.robust_features",
    "deeplift": "propagation.deeplift", "lrp": "propagation.lrp",
    "influence": "global_methods.influence", "partial-dependence": "global_methods.partial_dependence",
    "permutation-importance": "global_methods.permutation_importance",
    "gradcam": "saliency.gradcam", "gradient-x-input": "saliency.gradients",
    "integrated-gradients": "saliency.gradients", "smoothgrad": "saliency.gradients",
    "kmeans-neuralization": "neuralize.kmeans_neuralization", "svm-neuralization": "neuralize.neuralization",
    "lime": "surrogates.lime", "reasoned": "reasoned",
    "shapley": "shap_family.shapley", "shapley-cost": "shap_family.shapley_cost",
    "linear-shap": "shap_family.linear_shap", "kernel-shap": "shap_family.kernel_shap",
    "tree-shap": "shap_family.tree_shap", "shap-interaction": "shap_family.shap_interaction",
    "taylor": "expansion.taylor",
}


def get(name: str):
    """A new instance of the method called ``name``; KeyError if there is none."""
    if name not in _REGISTRY and name in MODULES:
        importlib.import_module(f"{__name__}.{MODULES[name]}")
    if name not in _REGISTRY:
        _load_all()
    return _REGISTRY[name]()
