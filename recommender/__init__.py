"""Recommender library: turns interactions and item data into ranked suggestions.

A pure library (no Flask, no database): the shop hands it plain arrays and
sparse matrices and gets back ranked item indices with scores.
"""
