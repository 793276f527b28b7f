"""Solving: the pipeline (load -> solve -> verify -> render -> write), the data it passes on,
networks and their regions, exact coalition arithmetic, and the checks of answers and worked steps.
"""
