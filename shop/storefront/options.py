"""The product page's option selectors: one per named option, built on the server.

A product with named options (``products.option_names``, e.g. Colour and Size) gets one
``<select>`` per option. The page preselects the first variant in stock; a value that no
variant in stock offers together with the values chosen in the selectors before it is
disabled (Colour first, then the sizes that colour has), so the page is right before any
script runs. ``static/js/options.js`` then keeps the selects and the
SKU the form posts in step as the shopper chooses.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import Product, Variant
from catalog.vocabulary import ATTRIBUTES


@dataclass(frozen=True)
class Choice:
    value: str
    text: str
    selected: bool
    disabled: bool


@dataclass(frozen=True)
class Selector:
    name: str
    label: str
    choices: tuple[Choice, ...]


def option_label(name: str) -> str:
    """The registry's label of a catalog word ("size_eu": "EU size"), else the shop's name."""
    spec = ATTRIBUTES.get(name)
    return spec.label if spec is not None else name


def value_text(name: str, value: str) -> str:
    spec = ATTRIBUTES.get(name)
    if name == "size_eu":
        return f"EU {value}"
    if spec is not None and spec.values:
        return spec.label_of(value)
    return value


def chosen_variant(product: Product) -> Variant | None:
    """The variant the page starts with: the first one in stock."""
    return next((v for v in product.variants if v.stock > 0), None)


def variant_options(product: Product, variant: Variant) -> dict[str, str]:
    return {name: variant.option(name) for name in product.option_names}


def selectors(product: Product) -> list[Selector]:
    names = list(product.option_names or ())
    if not names:
        return []
    start = chosen_variant(product)
    picked = variant_options(product, start) if start else {}
    in_stock = [variant_options(product, v) for v in product.variants if v.stock > 0]
    everything = [variant_options(product, v) for v in product.variants]
    out, before = [], {}
    for name in names:
        values = list(dict.fromkeys(options[name] for options in everything))
        choices = []
        for value in values:
            wanted = {**before, name: value}
            available = any(all(o.get(k) == w for k, w in wanted.items()) for o in in_stock)
            choices.append(Choice(value, value_text(name, value), picked.get(name) == value,
                                  not available))  # fmt: skip
        out.append(Selector(name, option_label(name), tuple(choices)))
        before[name] = picked.get(name)
    return out


def sale_end(variant: Variant) -> str:
    """The last day of the variant's sale, as the page says it: "31 December 2099"."""
    ends = variant.sale_ends
    return f"{ends.day} {ends:%B %Y}" if ends else ""
