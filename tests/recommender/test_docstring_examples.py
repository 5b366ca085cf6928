"""The examples in the recommender library's docstrings are part of its specification: they run."""

import doctest
import importlib
import pkgutil

import pytest

import recommender

MODULES = sorted(info.name for info in pkgutil.walk_packages(recommender.__path__, "recommender."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} fail"
