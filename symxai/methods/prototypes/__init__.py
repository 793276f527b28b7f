"""Inputs that explain: activation maximisation, prototypes, counterfactuals, robust features."""
