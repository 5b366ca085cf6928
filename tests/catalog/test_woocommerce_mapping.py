"""The mapping file: WooCommerce attributes onto the catalog's words, sizes onto EU."""

from __future__ import annotations

from decimal import Decimal

import pytest
from woocommerce_rows import HEADER, INSOLE, csv_text, row, variation

from catalog.woocommerce import (
    SizeLabelError,
    WooCommerceFileError,
    map_products,
    parse_mapping,
    parse_products,
    read_products,
    size_label_to_eu,
)

MAPPING = """
attributes:
  Arch support:
    to: arch_support
    values: {Firm: high}
  Terrain:
    to: terrain
    values: {Road: pavement}
  Shoe size:
    to: size_eu
  Fit:
    to: width
    values: {2E: wide}
  Colour:
    label: Color
"""


def shoe(**cells) -> str:
    cells = {
        "ID": 10, "Type": "variable", "SKU": "walker", "Name": "Trail Walker",
        "Attribute_1_name": "Colour", "Attribute_1_value": "Black, Blue",
        "Attribute_2_name": "Shoe size", "Attribute_2_value": "UK 8, 43, 9.5 US", **cells,
    }  # fmt: skip
    return row(**cells)


def with_attributes() -> str:
    """The test header with two more attribute groups (3 and 4) for product attributes."""
    extra = ",".join(f"Attribute {n} {part}" for n in (3, 4)
                     for part in ("name", "value(s)", "visible", "global", "default"))  # fmt: skip
    return f"{HEADER},{extra}"


def products_from(*rows: str, extra: dict[int, dict[str, str]] | None = None):
    """Parse rows; ``extra`` adds Attribute 3/4 cells to the row at that index."""
    header = with_attributes()
    lines = []
    for i, line in enumerate(rows):
        cells = ["", "", "", "", "", "", "", "", "", ""]
        for n, (name, values) in enumerate((extra or {}).get(i, {}).items()):
            cells[n * 5], cells[n * 5 + 1], cells[n * 5 + 2] = name, f'"{values}"', "1"
        lines.append(line + "," + ",".join(cells))
    return parse_products(csv_text(*lines, header=header)).products


def good_products():
    return products_from(
        shoe(),
        variation(11, "w-black-8", "Black", "UK 8", parent="walker"),
        variation(12, "w-blue", "Blue", "", parent="walker"),  # Any shoe size
        INSOLE,
        extra={
            0: {"Arch support": "Firm", "Terrain": "Trail, Road"},
            3: {"Fit": "2E", "Shoe size": "UK 8"},
        },
    )


def test_mapped_attributes_become_catalog_words_and_sizes_eu():
    walker, insole = map_products(good_products(), parse_mapping(MAPPING))

    assert walker.attributes == {"arch_support": "high", "terrain": ("trail", "pavement")}
    assert walker.option_names == ("Color", "size_eu")
    skus = [(v.sku, v.size_eu, v.options) for v in walker.variants]
    assert skus == [
        ("w-black-8", Decimal("41.5"), (("Color", "Black"), ("size_eu", "41.5"))),
        ("w-blue-uk-8", Decimal("41.5"), (("Color", "Blue"), ("size_eu", "41.5"))),
        ("w-blue-43", Decimal(43), (("Color", "Blue"), ("size_eu", "43"))),
        ("w-blue-9-5-us", Decimal(42), (("Color", "Blue"), ("size_eu", "42"))),
    ]
    # a simple product's single-valued size and width apply to its one variant
    (only,) = insole.variants
    assert (only.sku, only.size_eu, only.width, only.options) == (
        "insole",
        Decimal("41.5"),
        "wide",
        (),
    )


def test_unmapped_attributes_stay_plain_and_options_keep_their_names():
    walker, insole = map_products(good_products(), parse_mapping(""))
    assert walker.option_names == ("Colour", "Shoe size")
    assert walker.variants[0].options == (("Colour", "Black"), ("Shoe size", "UK 8"))
    assert walker.variants[0].size_eu is None
    assert walker.plain_attributes == (
        ("Arch support", ("Firm",), True),
        ("Terrain", ("Trail", "Road"), True),
    )
    assert insole.attributes == {}


def test_sample_catalog_variants_with_their_colours_and_sizes(shared_data):
    path = shared_data / "woocommerce" / "sample_products.csv"
    if not path.is_file():
        pytest.skip(f"WooCommerce's sample catalog is not at {path}")
    products = {p.source.sku: p for p in map_products(read_products(path).products, parse_mapping(""))}
    tee = products["cc-tee"]
    assert tee.option_names == ("Color", "Size")
    assert {v.options for v in tee.variants} == {
        (("Color", colour), ("Size", size))
        for colour in ("Blue", "Green", "Red") for size in ("Large", "Medium", "Small")
    }  # fmt: skip
    assert len({v.sku for v in tee.variants}) == 9
    assert products["cc-hoodie"].defaults == (("Color", "Red"), ("Logo", "No"))


@pytest.mark.parametrize(
    ("label", "system", "eu"),
    [("UK 8", "eu", "41.5"), ("42", "eu", "42"), ("9.5 US", "eu", "42"), ("EU 42½", "eu", "42.5"),
     ("uk8", "eu", "41.5"), ("8", "uk", "41.5"), ("42,5", "eu", "42.5"), ("10 us", "uk", "42.5")],
)  # fmt: skip
def test_shoe_size_labels_to_eu(label, system, eu):
    assert size_label_to_eu(label, system) == Decimal(eu)


@pytest.mark.parametrize("label", ["XL", "8", "UK 8 US", "UK 30", ""])
def test_labels_that_are_not_shoe_sizes(label):
    with pytest.raises(SizeLabelError):
        size_label_to_eu(label)


def problems_of(products, mapping_text: str) -> list[str]:
    with pytest.raises(WooCommerceFileError) as caught:
        map_products(products, parse_mapping(mapping_text))
    return [str(p) for p in caught.value.problems]


def test_values_that_do_not_map_are_reported_with_line_and_column():
    products = products_from(
        shoe(Attribute_2_value="UK 8, XL"),
        variation(11, "w-8", "Black", "XL", parent="walker"),
        INSOLE,
        extra={0: {"Arch support": "Extreme"}, 2: {"Fit": "4E"}},
    )
    assert problems_of(products, MAPPING) == [
        "line 2, column \"Attribute 2 value(s)\": not a shoe size: 'XL' (write e.g. 42, UK 8 or 9.5 US)",
        "line 2, column \"Attribute 3 value(s)\": 'Extreme' is not one of low, medium, high; map it under values:",
        "line 4, column \"Attribute 3 value(s)\": '4E' is not one of narrow, regular, wide, extra-wide; map it under values:",  # noqa: E501
    ]


def test_a_product_attribute_cannot_be_a_variation_option():
    products = products_from(
        shoe(Attribute_1_name="Arch support", Attribute_1_value="High, Low"),
        variation(11, "w-8", "High", "UK 8", parent="walker", Attribute_1_name="Arch support"),
    )
    assert problems_of(products, MAPPING) == [
        'line 2, column "Attribute 1 name": arch_support is a product attribute: variations cannot differ by it'
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("attributes:\n  Arch support:\n    to: arch\n", "line 2, attributes.Arch support: to: Must be one of"),
        ("attributes:\n  Arch support:\n    to: arch_support\n    values: {Firm: hard}\n",
         "line 2, attributes.Arch support: values: 'Firm' maps to 'hard', which is not one of low, medium, high"),
        ("attributes:\n  Logo:\n    values: {Yes: logo}\n", "quote Yes/No/On/Off keys"),
        ("attributes:\n  Colour:\n    colour: x\n", "colour: Unknown field."),
        ("attributes:\n  Colour:\n    sizes: uk\n", "sizes: only for an attribute mapped to size_eu"),
        ("attributes: [a, b]\n", "expected attribute names"),
        ("products: {}\n", "expected a mapping with one key, 'attributes'"),
        ("attributes:\n  Colour: {label: [\n", "not YAML"),
    ],
)  # fmt: skip
def test_bad_mapping_files_are_reported_with_their_line(text, message):
    with pytest.raises(WooCommerceFileError) as caught:
        parse_mapping(text, "mapping.yaml")
    assert any(message in str(p) for p in caught.value.problems), caught.value.problems
    assert all(str(p).startswith("mapping.yaml") for p in caught.value.problems)


def test_two_variations_that_map_onto_one_size_are_an_error():
    products = products_from(
        shoe(Attribute_2_value="42, 9.5 US"),
        variation(11, "w-42", "Black", "42", parent="walker"),
        variation(12, "w-us", "Black", "9.5 US", parent="walker"),
    )
    assert problems_of(products, MAPPING) == [
        "line 4, column \"Parent\": the same options as line 3 once mapped: {'Color': 'Black', 'size_eu': '42'}"
    ]


def test_an_any_variation_gives_way_to_one_earlier_in_woocommerces_order():
    products = products_from(
        shoe(),
        variation(11, "w-any", "Black", "", parent="walker", Position=2),
        variation(12, "w-8", "Black", "UK 8", parent="walker", Position=1),
    )
    (walker,) = map_products(products, parse_mapping(MAPPING))
    assert [v.sku for v in walker.variants] == ["w-any-43", "w-any-9-5-us", "w-8"]
