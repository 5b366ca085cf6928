"""Offline evaluation: splits, ranking metrics and a runner comparing models.

Kept inside the library so the shop's training job and the benchmarks measure
models with one and the same code.
"""
