"""WooCommerce's product CSV: the sample catalog, the format's rules, and every bad file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from woocommerce_rows import HEADER, INSOLE, SHOE, SOCKS, csv_text, row, shoe, variation

from catalog.woocommerce import WooCommerceFileError, parse_products, read_products


def good_file() -> str:
    return csv_text(
        shoe(Upsells="insole", Cross_sells="id:30"),
        variation(11, "walker-black-8", "Black", "UK 8"),
        variation(12, "", "Blue", "UK 9", parent="id:10", Sale_price="79.50"),
        INSOLE,
        SOCKS,
    )


# ---------------------------------------------------------------- the sample catalog


def test_woocommerce_sample_catalog_imports_all_but_grouped_external_and_downloadable(shared_data):
    path = shared_data / "woocommerce" / "sample_products.csv"
    if not path.is_file():
        pytest.skip(f"WooCommerce's sample catalog is not at {path}")
    result = read_products(path)

    reasons = {skipped.name: skipped.reason for skipped in result.skipped}
    assert set(reasons) == {"Album", "Single", "Logo Collection", "ClassicPress Donation"}
    assert (
        "grouped" in reasons["Logo Collection"] and "external" in reasons["ClassicPress Donation"]
    )
    assert "downloadable" in reasons["Album"] and "virtual" in reasons["Single"]
    assert len(result.products) == 11

    products = {product.sku: product for product in result.products}
    tee, hoodie = products["cc-tee"], products["cc-hoodie"]
    assert tee.option_names == ("Color", "Size")
    assert tee.attribute("size").values == ("Large", "Medium", "Small")
    assert {dict(v.options)["Color"] for v in tee.variants} == {"Blue", "Green", "Red"}
    assert all(dict(v.options)["Size"] == "" for v in tee.variants)  # WooCommerce's "Any Size"
    assert hoodie.option_names == ("Color", "Logo")
    assert len(hoodie.variants) == 6
    red = next(v for v in hoodie.variants if v.sku == "cc-hoodie-red")
    assert (red.regular_price, red.sale_price, red.options) == (
        Decimal(45),
        Decimal(42),
        (("Color", "Red"), ("Logo", "No")),
    )
    assert products["cc-beanie"].variants[0].sale_price == Decimal(18)
    assert products["cc-hoodie-with-pocket"].listed is False
    assert products["cc-belt"].categories == (("Clothing", "Accessories"),)


# ---------------------------------------------------------------- the format


def test_simple_and_variable_products_with_their_variants():
    result = parse_products(good_file())
    assert result.skipped == ()
    walker, insole, socks = result.products

    assert (walker.type, walker.sku, walker.woo_id, walker.line) == ("variable", "walker", 10, 2)
    assert walker.categories == (("Footwear", "Walking shoes"), ("Sale",))
    assert walker.tags == ("walking", "trail")
    assert walker.images == ("walker.jpg", "https://example.com/walker-2.jpg")
    assert walker.option_names == ("Colour", "Shoe size")
    assert walker.attribute("colour").default == "Black"
    black, blue = walker.variants
    assert black.options == (("Colour", "Black"), ("Shoe size", "UK 8"))
    assert (black.stock, black.stock_status, black.regular_price) == (
        3,
        "instock",
        Decimal("99.50"),
    )
    assert blue.sku == "walker-blue-uk-9" and blue.sku_generated  # parent given as id:10
    assert blue.sale_price == Decimal("79.50")

    assert walker.upsells == ("insole",) and walker.cross_sells == (socks.sku,)
    assert socks.sku == "walking-socks" and socks.sku_generated
    assert (socks.active, socks.variants[0].stock_status) == (False, "outofstock")
    assert (insole.active, insole.listed) == (True, False)
    sale = insole.variants[0]
    assert (sale.sale_price, sale.sale_starts, sale.sale_ends) == (
        Decimal("24.00"),
        dt.date(2026, 5, 1),
        dt.datetime(2026, 5, 31, 23, 59, 59),
    )


def test_column_names_are_matched_case_insensitively_and_a_bom_is_ignored():
    text = "\ufeff" + csv_text(INSOLE, header=HEADER.upper())
    (insole,) = parse_products(text.encode("utf-8")).products
    assert (insole.sku, insole.variants[0].regular_price) == ("insole", Decimal("29.00"))


def test_generated_skus_do_not_clash_with_given_ones():
    text = csv_text(row(Type="simple", Name="Walking Socks", Regular_price=5),
                    row(Type="simple", SKU="walking-socks", Name="Other", Regular_price=5))  # fmt: skip
    first, second = parse_products(text).products
    assert (first.sku, second.sku) == ("walking-socks-2", "walking-socks")


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"Type": "grouped"}, "grouped"),
        ({"Type": "external", "Regular_price": 30}, "external"),
        ({"Type": "simple, downloadable", "Regular_price": 3}, "downloadable"),
        ({"Type": "simple, virtual", "Regular_price": 3}, "virtual"),
        ({"Type": "simple"}, "no regular price"),
    ],
)
def test_rows_this_shop_does_not_sell_are_skipped_with_the_reason(cells, reason):
    result = parse_products(csv_text(INSOLE, row(ID=40, Name="Other", **cells)))
    assert [p.sku for p in result.products] == ["insole"]
    (skipped,) = result.skipped
    assert (skipped.line, skipped.woo_id, skipped.name) == (3, 40, "Other")
    assert reason in skipped.reason


def test_a_skipped_row_is_not_checked_beyond_what_identifies_it():
    result = parse_products(
        csv_text(row(ID=40, Type="external", Name="Donation", Regular_price="any"))
    )
    assert (result.products, [s.woo_id for s in result.skipped]) == ((), [40])


def test_other_stock_status_spellings_woocommerce_accepts():
    result = parse_products(csv_text(INSOLE.replace(",1,12,", ",onbackorder,12,")))
    assert result.products[0].variants[0].stock_status == "onbackorder"


def test_variations_of_a_skipped_parent_are_skipped_and_links_to_skipped_rows_dropped():
    parent = row(ID=50, Type="variable, virtual", SKU="gift", Name="Gift card",
                 Attribute_1_name="Amount", Attribute_1_value="10, 20")  # fmt: skip
    child = row(ID=51, Type="variation", SKU="gift-10", Parent="gift", Regular_price=10,
                Attribute_1_name="Amount", Attribute_1_value="10")  # fmt: skip
    linking = row(Type="simple", SKU="card", Name="Card", Regular_price=2, Upsells="gift")
    result = parse_products(csv_text(parent, child, linking))
    assert [s.sku for s in result.skipped] == ["gift", "gift-10"]
    assert "parent gift" in result.skipped[1].reason
    assert result.products[0].upsells == ()


# ---------------------------------------------------------------- bad files


def problems_of(data) -> list[str]:
    with pytest.raises(WooCommerceFileError) as caught:
        parse_products(data)
    return [str(problem) for problem in caught.value.problems]


def test_a_file_that_is_not_csv_at_all():
    assert problems_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xd8") == [
        "line 1: not UTF-8 text: this is not a CSV file"
    ]
    assert problems_of('{"products": []}\n') == [
        "line 1: not a WooCommerce product CSV: no Type, Name column"
    ]
    assert problems_of("") == ["line 1: empty file: expected a WooCommerce product CSV"]
    assert problems_of("ID;Type;Name\n1;simple;X\n") == [
        (
            "line 1: not a WooCommerce product CSV: no Type, Name column"
            " (the cells are separated by ';'; WooCommerce writes commas)"
        )
    ]
    assert "not a valid CSV file" in problems_of(csv_text('1,simple,"a"b,c'))[0]


def test_a_variation_whose_parent_is_missing():
    problems = problems_of(csv_text(SHOE, variation(11, "w-8", "Black", "UK 8", parent="id:99"),
                                    variation(12, "w-9", "Black", "UK 9", parent="shoe")))  # fmt: skip
    assert problems == [
        "line 3, column \"Parent\": the parent 'id:99' is not in the file",
        "line 4, column \"Parent\": the parent 'shoe' is not in the file",
    ]


def test_a_price_that_is_not_a_number():
    bad = INSOLE.replace("29.00", '"29,00 EUR"')
    assert problems_of(csv_text(SHOE, bad)) == [
        "line 3, column \"Regular price\": not a number: '29,00 EUR'"
    ]


def test_a_control_byte_in_a_name():
    bad = INSOLE.replace("Arch Insole", "Arch\x1fInsole")
    assert problems_of(csv_text(bad)) == [
        'line 2, column "Name": control character 0x1F is not allowed'
    ]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"Stock": "lots"}, "Stock", "not a whole number"),
        ({"Sale_price": "40"}, "Sale price", "not below the regular price"),
        ({"Regular_price": "-1"}, "Regular price", "negative"),
        ({"Regular_price": "9.999"}, "Regular price", "two decimal places"),
        ({"Regular_price": "1_000"}, "Regular price", "not a number"),
        ({"Regular_price": "NaN"}, "Regular price", "not a number"),
        ({"Date_sale_price_ends": "31/05/2026"}, "Date sale price ends", "not a date"),
        (
            {"Date_sale_price_starts": "2026-06-01", "Date_sale_price_ends": "2026-05-01"},
            "Date sale price ends",
            "ends before it starts",
        ),
        ({"In_stock": "maybe"}, "In stock?", "expected 1, 0 or backorder"),
        ({"Published": "2"}, "Published", "expected 1, 0 or -1"),
        ({"Visibility_in_catalog": "secret"}, "Visibility in catalog", "expected one of"),
        ({"Type": "bundle"}, "Type", "unknown product type"),
        ({"Name": ""}, "Name", "needs a name"),
        ({"Categories": "Footwear > > Shoes"}, "Categories", "empty category name"),
        ({"Upsells": "nothing-here"}, "Upsells", "not in the file"),
    ],
)
def test_each_bad_cell_is_reported_with_its_line_and_column(cells, column, message):
    defaults = {"Type": "simple", "SKU": "x", "Name": "X", "Regular_price": "30"}
    problems = problems_of(csv_text(INSOLE, row(**{**defaults, **cells})))
    assert len(problems) == 1
    assert problems[0].startswith(f'line 3, column "{column}": ') and message in problems[0]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"Attribute_1_name": "Material"}, "Attribute 1 name", "no attribute 'Material'"),
        (
            {"Attribute_1_value": "Pink"},
            "Attribute 1 value(s)",
            "not one of the parent's Colour values",
        ),
        ({"Attribute_1_value": "Black, Blue"}, "Attribute 1 value(s)", "takes one value"),
        ({"SKU": "walker"}, "SKU", "also used on line 2"),
        ({"Parent": "insole"}, "Parent", "is a simple product, not a variable one"),
    ],
)
def test_bad_variations_are_reported_with_their_line_and_column(cells, column, message):
    text = csv_text(SHOE, INSOLE, variation(11, "w-8", "Black", "UK 8", **cells))
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].startswith(f'line 4, column "{column}": ') and message in problems[0]


def test_two_variations_with_the_same_options_are_an_error():
    problems = problems_of(
        csv_text(SHOE, variation(11, "a", "Black", "UK 8"), variation(12, "b", "black", "uk 8"))
    )
    assert problems == ['line 4, column "Parent": the same options as the variation on line 3']


def test_every_problem_of_a_file_is_reported_at_once_and_nothing_returned():
    problems = problems_of(csv_text(
        INSOLE.replace("29.00", "abc"), SHOE, variation(11, "a", "Black", "UK 8", parent="gone"),
        SOCKS.replace("Walking Socks", "Walking\x1fSocks"),
    ))  # fmt: skip
    assert [p.split(",")[0] for p in problems] == ["line 2", "line 4", "line 5"]


def test_a_record_with_the_wrong_number_of_cells():
    assert problems_of(csv_text(INSOLE + ",extra")) == ["line 2: 32 cells, but the header has 31"]


def test_multi_line_descriptions_keep_line_numbers_right():
    described = row(
        Type="simple", SKU="d", Name="D", Regular_price=5, Description="one\ntwo\nthree"
    )
    problems = problems_of(csv_text(described, INSOLE.replace("29.00", "x")))
    assert problems == ["line 5, column \"Regular price\": not a number: 'x'"]


def test_sale_dates_with_an_offset_are_read_as_utc():
    text = csv_text(row(Type="simple", SKU="s", Name="S", Regular_price=5, Sale_price=4,
                        Date_sale_price_starts="2026-05-01",
                        Date_sale_price_ends="2026-05-31T23:59:59+02:00"))  # fmt: skip
    assert parse_products(text).products[0].variants[0].sale_ends == dt.datetime(
        2026, 5, 31, 21, 59, 59
    )


def test_generated_skus_are_ascii_words():
    text = csv_text(row(Type="simple", Name="Größe Grün 42½", Regular_price=5))
    assert parse_products(text).products[0].sku == "grosse-grun-42-1-2"


def test_a_variations_options_follow_its_parents_attribute_order():
    swapped = variation(11, "w-8", "Black", "UK 8", Attribute_1_name="Shoe size",
                        Attribute_1_value="uk 8", Attribute_2_name="colour", Attribute_2_value="BLACK")  # fmt: skip
    (walker,) = parse_products(csv_text(SHOE, swapped)).products
    assert walker.variants[0].options == (("Colour", "Black"), ("Shoe size", "UK 8"))
