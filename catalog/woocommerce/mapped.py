"""Products as the catalog will see them: attributes in its vocabulary, variants with options.

``map_products`` applies a ``Mapping`` to what the reader returned: mapped attributes
become catalog words (``arch_support: high``, a variant's ``size_eu`` and ``width``),
the rest stay as plain attributes or named options, and WooCommerce's "Any <option>"
variations are spelled out into one variant per value, so every variant the catalog
receives is one buyable combination. All or nothing, with the line and column of each
value that does not map.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from .csvformat import attribute_column
from .mapping import TARGETS, WIDTH_WORDS, Mapping, Rule
from .reader import slug, unique_sku
from .sizes import SizeLabelError, size_label_to_eu
from .types import Attribute, Problem, Product, Variant, WooCommerceFileError

BOOL_WORDS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


@dataclass(frozen=True)
class MappedVariant:
    sku: str
    source: Variant
    #: (option name, value): catalog words for mapped options ("size_eu", "42.5"),
    #: the shop's own words otherwise ("Colour", "Blue"); in the product's option order.
    options: tuple[tuple[str, str], ...]
    size_eu: Decimal | None = None
    width: str | None = None
    #: Spelled out from an "Any <option>" variation rather than a row of its own.
    from_any: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class MappedProduct:
    source: Product
    attributes: dict  # catalog attribute -> word, number, bool or tuple of words
    #: Attributes not mapped: (label, values, shown on the page), for the product page.
    plain_attributes: tuple[tuple[str, tuple[str, ...], bool], ...]
    option_names: tuple[str, ...]
    #: The option values preselected on the product page (WooCommerce's "default").
    defaults: tuple[tuple[str, str], ...]
    variants: tuple[MappedVariant, ...]


def map_products(products: tuple[Product, ...], mapping: Mapping) -> tuple[MappedProduct, ...]:
    problems: list[Problem] = []
    taken = {v.sku for p in products for v in p.variants}
    mapped = tuple(_Mapper(product, mapping, problems, taken).run() for product in products)
    if problems:
        raise WooCommerceFileError(sorted(problems, key=lambda p: (p.line or 0, p.column)))
    return mapped


class _Mapper:
    def __init__(
        self, product: Product, mapping: Mapping, problems: list[Problem], taken: set[str]
    ):
        self.product, self.mapping, self.problems, self.taken = product, mapping, problems, taken

    def error(self, line, attribute: Attribute, part: str, message: str) -> None:
        self.problems.append(Problem(line, attribute_column(attribute.number, part), message))

    def run(self) -> MappedProduct:
        product, options = self.product, set(self.product.option_names)
        attributes, plain, fixed = {}, [], {}
        for attribute in product.attributes:
            rule = self.mapping.rule(attribute.name) or Rule(attribute.name)
            target = TARGETS.get(rule.target) if rule.target else None
            if attribute.name in options:
                if target is not None and not target.per_variant:
                    self.error(product.line, attribute, "name",
                               f"{rule.target} is a product attribute: variations cannot differ by it")  # fmt: skip
                for value in attribute.values:  # each value is checked once, where it is listed
                    self.word(rule, attribute, value, product.line)
                continue
            if target is None:
                words = tuple(rule.values.get(v.casefold(), v) for v in attribute.values)
                plain.append((rule.label or attribute.name, words, attribute.visible))
            elif target.per_variant:
                if len(attribute.values) != 1:
                    self.error(product.line, attribute, "value(s)",
                               f"{rule.target} needs one value here, or variations that choose it")  # fmt: skip
                else:
                    fixed[rule.target] = self.word(
                        rule, attribute, attribute.values[0], product.line
                    )
            else:
                value = self.product_value(rule, attribute)
                if value is not None:
                    attributes[rule.target] = value
        names = tuple(self.option_name(name) for name in product.option_names)
        variants = tuple(v for variant in product.variants for v in self.expand(variant, fixed))
        defaults = tuple(
            (
                self.option_name(a.name),
                _text(self.word(self.rule(a.name), a, a.default, product.line)),
            )
            for a in product.attributes
            if a.name in options and a.default
        )
        return MappedProduct(
            product, attributes, tuple(plain), names, defaults, self.first_of_each(variants)
        )

    def rule(self, name: str) -> Rule:
        return self.mapping.rule(name) or Rule(name)

    def option_name(self, name: str) -> str:
        rule = self.rule(name)
        return rule.target or rule.label or name

    def product_value(self, rule: Rule, attribute: Attribute):
        target = TARGETS[rule.target]
        words = [self.word(rule, attribute, value, self.product.line) for value in attribute.values]
        if None in words:
            return None
        if target.kind == "labels":
            return tuple(dict.fromkeys(words))
        if len(words) != 1:
            self.error(
                self.product.line,
                attribute,
                "value(s)",
                f"{rule.target} takes one value, not {len(words)}",
            )
            return None
        return words[0]

    def word(self, rule: Rule, attribute: Attribute, value: str, line, report: bool = True):
        """One WooCommerce value as the catalog's word (or number), or None after an error
        (reported at ``line`` unless ``report`` is false)."""
        if not report:
            problems, self.problems = self.problems, []
            try:
                return self.word(rule, attribute, value, line)
            finally:
                self.problems = problems
        target = TARGETS.get(rule.target) if rule.target else None
        mapped = rule.values.get(value.casefold())
        if target is None:
            return mapped or value
        try:
            if target.kind == "size":
                return size_label_to_eu(mapped or value, rule.sizes)
            if target.kind == "int":
                return int(mapped or value)
            if target.kind == "bool":
                return BOOL_WORDS[(mapped or value).casefold()]
            word = mapped or (WIDTH_WORDS.get(value.casefold()) if target.kind == "width" else None)
            word = word or slug(value)
            if target.choices and word not in target.choices:
                raise ValueError(
                    f"{value!r} is not one of {', '.join(target.choices)}; map it under values:"
                )
            return word
        except SizeLabelError as exc:
            self.error(line, attribute, "value(s)", str(exc))
        except (ValueError, KeyError) as exc:
            message = str(exc) if isinstance(exc, ValueError) and "map it" in str(exc) else (
                f"{value!r} is not a valid {rule.target}")  # fmt: skip
            self.error(line, attribute, "value(s)", message)
        return None

    def expand(self, variant: Variant, fixed: dict) -> list[MappedVariant]:
        """One MappedVariant per combination; "Any" options take each of the parent's values."""
        choices = []
        for name, value in variant.options:
            attribute = self.product.attribute(name)
            values = [value] if value else list(attribute.values)
            choices.append([(name, v, not value) for v in values])
        expanded = []
        for combination in itertools.product(*choices):
            options, extra, fields = [], [], dict(fixed)
            for name, value, from_any in combination:
                rule, attribute = self.rule(name), self.product.attribute(name)
                # the parent's line already reported a value that does not map
                word = self.word(rule, attribute, value, variant.line, report=False)
                if rule.target in ("size_eu", "width"):
                    fields[rule.target] = word
                options.append((self.option_name(name), _text(word)))
                if from_any:
                    extra.append(slug(value))
            sku = unique_sku("-".join([variant.sku, *extra]), self.taken) if extra else variant.sku
            expanded.append(MappedVariant(sku, variant, tuple(options), fields.get("size_eu"),
                                          fields.get("width"), from_any=bool(extra)))  # fmt: skip
        return expanded

    def first_of_each(self, variants: list[MappedVariant]) -> tuple[MappedVariant, ...]:
        """Where an "Any" variation and another offer the same combination, the first in
        WooCommerce's order (``Position``) wins, as on a WooCommerce product page; two rows
        of their own that map onto one combination ("42" and "9.5 US") are an error."""
        first: dict[tuple, MappedVariant] = {}
        for variant in sorted(variants, key=lambda v: v.source.position):
            earlier = first.setdefault(variant.options, variant)
            if earlier is not variant and not (earlier.from_any or variant.from_any):
                message = f"the same options as line {earlier.source.line} once mapped: {dict(variant.options)}"
                self.problems.append(Problem(variant.source.line, "Parent", message))
        kept = {id(v) for v in first.values()}
        return tuple(v for v in variants if id(v) in kept)


def _text(word) -> str:
    """An option value as stored: EU sizes without exponent or trailing zeros ("42.5")."""
    return f"{word:f}" if isinstance(word, Decimal) else str(word)
