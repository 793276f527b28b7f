"""Gradient-based saliency: gradients, gradient x input, Integrated Gradients, SmoothGrad, GradCAM."""
