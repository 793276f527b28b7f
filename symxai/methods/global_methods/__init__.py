"""Dataset-level methods: partial dependence, permutation importance, influence functions."""
