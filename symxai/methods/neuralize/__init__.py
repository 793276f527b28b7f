"""Models rewritten as neural networks: one-class SVMs (given or fitted) and k-means."""
