"""Relevance propagation: LRP (its rules are in solve/lrp_rules.py) and DeepLIFT."""
