"""Shapley values and the SHAP family: exact games, Linear, Kernel and Tree SHAP, interactions."""
