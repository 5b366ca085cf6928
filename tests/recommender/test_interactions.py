"""Specification of the interactions file reader, the id index and the matrix builder."""

import gzip
import io
import pickle

import numpy as np
import pytest

from recommender.interactions import (
    DEFAULT_EVENT_WEIGHTS,
    IdIndex,
    Interactions,
    InteractionsFormatError,
    read_interactions_csv,
    to_matrix,
)


def read(text: str) -> Interactions:
    return read_interactions_csv(io.StringIO(text))


# ------------------------------------------------------------------ reading good files


def test_minimal_file_has_ids_as_strings_unit_weights_and_order_as_time():
    inter = read("user_id,item_id\n007,42\n8,0042\n")
    assert inter.user_ids.tolist() == ["007", "8"]
    assert inter.item_ids.tolist() == ["42", "0042"]
    assert inter.weights.tolist() == [1.0, 1.0]
    assert inter.timestamps.tolist() == [0.0, 1.0]
    assert inter.events.tolist() == [None, None]
    assert len(inter) == 2


def test_all_columns_in_any_order_with_unix_and_iso_timestamps():
    inter = read(
        "event,weight,timestamp,item_id,user_id\n"
        "Purchase,2.5,1000,shoe,u1\n"
        "view,,1970-01-01T00:01:40Z,insole,u2\n"
        "cart,3,1970-01-01 01:00:00+01:00,belt,u3\n"
        ",1,1970-01-01T00:00:10,cane,u4\n"
    )
    assert inter.timestamps.tolist() == [1000.0, 100.0, 0.0, 10.0]
    assert inter.weights.tolist() == [2.5, 1.0, 3.0, 1.0]
    assert inter.events.tolist() == ["purchase", "view", "cart", None]


def test_unknown_columns_and_blank_lines_are_ignored():
    inter = read("user_id,item_id,comment\nu1,a,hello\n\nu2,b,\n\n")
    assert inter.user_ids.tolist() == ["u1", "u2"]


def test_gzip_file_is_read_transparently(tmp_path):
    path = tmp_path / "interactions.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("user_id,item_id,weight\nu1,a,2\n")
    inter = read_interactions_csv(path)
    assert inter.item_ids.tolist() == ["a"] and inter.weights.tolist() == [2.0]
    assert read_interactions_csv(io.BytesIO(path.read_bytes())).item_ids.tolist() == ["a"]


# ------------------------------------------------------------------ rejecting bad files


def test_every_bad_line_is_named_with_its_field_and_nothing_is_returned():
    text = (
        "user_id,item_id,timestamp,weight\n"   # line 1
        "u1,a,2011-01-01,1\n"                  # line 2: fine
        ",b,5,1\n"                             # line 3: empty user
        "u3,c,yesterday,1\n"                   # line 4: bad timestamp
        "u4,d,5,-2\n"                          # line 5: negative weight
        "u5,e,5,lots\n"                        # line 6: not a number
    )
    with pytest.raises(InteractionsFormatError) as info:
        read(text)
    assert [(line, field) for line, field, _ in info.value.errors] == [
        (3, "user_id"), (4, "timestamp"), (5, "weight"), (6, "weight")]
    message = str(info.value)
    for fragment in ("line 3: user_id", "line 4: timestamp", "line 5: weight", "line 6: weight"):
        assert fragment in message


def test_line_numbers_count_blank_lines_and_rows_with_too_many_fields():
    with pytest.raises(InteractionsFormatError) as info:
        read("user_id,item_id\nu1,a\n\nu2,b,extra\n,c\n")
    assert [(line, field) for line, field, _ in info.value.errors] == [(4, "row"), (5, "user_id")]


def test_line_numbers_follow_the_file_when_a_quoted_field_spans_lines():
    with pytest.raises(InteractionsFormatError) as info:
        read('user_id,item_id,weight\n"u\n1",a,1\nu2,b,x\n')
    assert [line for line, _, _ in info.value.errors] == [4]


def test_missing_required_column_is_reported_on_the_header_line():
    expected = "line 1: header: missing required column 'item_id'"
    with pytest.raises(InteractionsFormatError, match=expected):
        read("user_id,product\nu1,a\n")


def test_empty_file_is_an_error():
    with pytest.raises(InteractionsFormatError, match="empty"):
        read("")


def test_message_is_capped_but_errors_keep_every_line():
    text = "user_id,item_id\n" + ",a\n" * 120
    with pytest.raises(InteractionsFormatError) as info:
        read(text)
    assert len(info.value.errors) == 120
    assert "and 70 more" in str(info.value)


def test_reads_a_large_gzip_file_whole(tmp_path):
    n = 400_000
    rng = np.random.default_rng(0)
    lines = [f"u{u},i{i},{1_300_000_000 + t},purchase,{w}" for u, i, t, w in zip(
        rng.integers(0, 40_000, n), rng.integers(0, 25_000, n), rng.integers(0, 10**7, n),
        rng.integers(1, 10, n), strict=False)]
    path = tmp_path / "big.csv.gz"
    with gzip.open(path, "wt", compresslevel=1) as fh:
        fh.write("user_id,item_id,timestamp,event,weight\n" + "\n".join(lines) + "\n")
    # Its speed is measured by bench/ (about 0.7 s here), not asserted in a unit test.
    inter = read_interactions_csv(path)
    assert len(inter) == n
    assert inter.user_ids[-1] == lines[-1].split(",")[0]
    assert inter.weights.sum() == sum(int(line.rsplit(",", 1)[1]) for line in lines)


# ------------------------------------------------------------------ records and index


def test_from_records_accepts_mappings_and_tuples():
    inter = Interactions.from_records([
        {"user_id": 1, "item_id": "a", "timestamp": "1970-01-02", "event": "READ"},
        ("u2", "b", 4),
    ])
    assert inter.user_ids.tolist() == ["1", "u2"]
    assert inter.timestamps.tolist() == [86_400.0, 1.0]
    assert inter.events.tolist() == ["read", None]
    assert inter.weights.tolist() == [1.0, 4.0]


def test_columns_must_have_equal_length():
    with pytest.raises(ValueError, match="length"):
        Interactions(np.array(["u"]), np.array(["a", "b"]), np.ones(1), np.zeros(1),
                     np.array([None]))


def test_id_index_maps_both_ways_in_order_of_first_appearance():
    idx = IdIndex(["b", "a", "b", "c"])
    assert len(idx) == 3
    assert idx.ids.tolist() == ["b", "a", "c"]
    assert idx.index_of("c") == 2
    assert idx.get_indexer(np.array(["c", "nope", "b"], dtype=object)).tolist() == [2, -1, 0]
    assert "a" in idx and "nope" not in idx
    with pytest.raises(KeyError):
        idx.index_of("nope")


# ------------------------------------------------------------------ matrix


def test_matrix_sums_duplicates_and_applies_event_weights():
    inter = Interactions.from_records([
        {"user_id": "u1", "item_id": "a", "event": "view"},
        {"user_id": "u1", "item_id": "a", "event": "purchase", "weight": 2},
        {"user_id": "u2", "item_id": "b", "event": "search"},
        {"user_id": "u2", "item_id": "a", "event": "wishlist"},  # unknown event: 1
    ])
    X, users, items = to_matrix(inter)
    assert X.dtype == np.float32 and X.format == "csr"
    assert users.ids.tolist() == ["u1", "u2"] and items.ids.tolist() == ["a", "b"]
    expected_u1_a = DEFAULT_EVENT_WEIGHTS["view"] + 2 * DEFAULT_EVENT_WEIGHTS["purchase"]
    assert X.toarray().tolist() == [[expected_u1_a, 0.0], [1.0, 0.5]]


def test_custom_event_weights_replace_the_defaults():
    inter = Interactions.from_records([{"user_id": "u", "item_id": "a", "event": "purchase"}])
    X, _, _ = to_matrix(inter, event_weights={"purchase": 1.0})
    assert X.toarray().tolist() == [[1.0]]


def test_time_decay_halves_weight_per_half_life():
    day = 86_400.0
    inter = Interactions.from_records([
        {"user_id": "u", "item_id": "old", "timestamp": 0.0},
        {"user_id": "u", "item_id": "new", "timestamp": 10 * day},
    ])
    X, _, items = to_matrix(inter, event_weights={}, half_life_days=5)
    row = dict(zip(items.ids, X.toarray()[0], strict=False))
    assert row["new"] == pytest.approx(1.0) and row["old"] == pytest.approx(0.25)
    X, _, _ = to_matrix(inter, event_weights={}, half_life_days=10, now=20 * day)
    assert X.toarray()[0].tolist() == pytest.approx([0.25, 0.5])


def test_given_indexes_fix_the_shape_and_drop_unknown_ids():
    inter = Interactions.from_records([("u1", "a"), ("u1", "zzz"), ("stranger", "a")])
    users, items = IdIndex(["u0", "u1"]), IdIndex(["a", "b", "c"])
    X, users_out, items_out = to_matrix(inter, users=users, items=items)
    assert users_out is users and items_out is items
    assert X.shape == (2, 3)
    assert X.toarray().tolist() == [[0, 0, 0], [1, 0, 0]]


def test_empty_interactions_give_an_empty_matrix():
    X, users, items = to_matrix(Interactions.from_records([]), half_life_days=3)
    assert X.shape == (0, 0) and len(users) == len(items) == 0


def test_a_pickled_id_index_finds_the_same_rows_without_pandas():
    """A loaded model's item space: flat arrays (mapped in an artifact) and a hash search."""
    ids = [f"p{i:05d}" for i in range(5000)] + ["article:walking", "é-ü", ""]
    built = IdIndex(ids)
    loaded = pickle.loads(pickle.dumps(built))
    assert loaded._index is None and len(loaded) == len(built) and loaded == built
    assert loaded.ids.tolist() == ids and all(type(i) is str for i in loaded.ids)
    queries = [*ids[::-7], "nope", "p000001", "p0000", "article:walking-and-more", "p00001\0",
               None, 3, np.str_("p00042")]
    for query in (queries, queries[:-4], ids, ["article:walking-and-more"], []):
        target = np.array(query, dtype=object)
        assert loaded.get_indexer(target).tolist() == built.get_indexer(target).tolist()
    for query in queries:
        assert (query in loaded) == (query in built)
    assert loaded.index_of("é-ü") == 5001 and loaded.index_of("") == 5002
    with pytest.raises(KeyError):
        loaded.index_of("nope")
    assert pickle.loads(pickle.dumps(loaded)) == built  # and again


@pytest.mark.parametrize("ids", [["a", None], ["a\0", "b"], [1, 2]], ids=["none", "nul", "ints"])
def test_ids_without_a_flat_form_are_pickled_as_a_pandas_index(ids):
    loaded = pickle.loads(pickle.dumps(IdIndex(ids)))
    assert loaded._index is not None
    assert loaded.get_indexer(np.array(ids, dtype=object)).tolist() == [0, 1]
