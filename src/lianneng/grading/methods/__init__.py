"""Grading methods, one module each; importing this package registers them all."""

from lianneng.grading.methods import criteria, grid, rules, score

__all__ = ["criteria", "grid", "rules", "score"]
