"""Format 3 artifacts: large arrays in .npy files that every loading process maps read-only."""

import hashlib
import json
import os
import pickle
import struct

import numpy as np
import pytest
import scipy.sparse as sp

from recommender import persistence, persistence_arrays
from recommender.interactions import IdIndex
from recommender.persistence import (
    ARTIFACT_FORMAT_VERSION,
    ArtifactError,
    artifact_info,
    load_artifact,
    save_artifact,
)
from recommender.persistence_arrays import mapped_file, versions_root


@pytest.fixture
def map_everything(monkeypatch):
    """The test models are tiny: map every array, however small, as a big model's would be."""
    monkeypatch.setattr(persistence_arrays, "MIN_MAPPED_BYTES", 1)


def big_arrays():
    rng = np.random.default_rng(0)
    dense = rng.random((400, 100)).astype(np.float32)
    matrix = sp.random(20_000, 500, density=0.005, format="csr", dtype=np.float32, random_state=1)
    return {"dense": dense, "matrix": matrix, "ids": np.array(["a", "b"], dtype=object),
            "small": np.arange(3), "fortran": np.asfortranarray(dense[:, :90]),
            "view": dense[::2]}


def mapped_arrays(obj, seen=None):
    """Every ndarray reachable through attributes, dicts, lists and sparse matrices."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, dict):
        return [a for v in obj.values() for a in mapped_arrays(v, seen)]
    if isinstance(obj, (list, tuple)):
        return [a for v in obj for a in mapped_arrays(v, seen)]
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return mapped_arrays(vars(obj), seen)
    return []


def test_large_arrays_round_trip_as_read_only_maps(tmp_path):
    original = big_arrays()
    path = tmp_path / "model.bin"
    header = save_artifact(original, path, metadata={})
    assert header["format_version"] == ARTIFACT_FORMAT_VERSION == 4
    version_dir = tmp_path / header["arrays_directory"]
    assert version_dir.parent == versions_root(path)
    # dense, fortran, view and the sparse matrix's data, indices and indptr; not the small
    # array nor the two-string object array (small too)
    assert len(list(version_dir.glob("*.npy"))) == 6 == len(header["arrays"])

    loaded, _ = load_artifact(path)
    for key in ("dense", "fortran", "view", "small"):
        np.testing.assert_array_equal(loaded[key], original[key])
    assert (loaded["matrix"] != original["matrix"]).nnz == 0
    assert loaded["ids"].tolist() == ["a", "b"]
    for array in (loaded["dense"], loaded["fortran"], loaded["matrix"].data,
                  loaded["matrix"].indices, loaded["matrix"].indptr):
        assert mapped_file(array) is not None and type(array) is np.ndarray  # a plain view
        assert not array.flags.writeable
        assert os.path.dirname(mapped_file(array)) == str(version_dir)
    assert loaded["fortran"].flags.f_contiguous
    with pytest.raises(ValueError, match="read-only"):
        loaded["dense"][0, 0] = 1.0


def test_the_same_array_twice_is_written_once_and_mapped_once(tmp_path, map_everything):
    shared = np.arange(10.0)
    header = save_artifact({"a": shared, "b": shared}, tmp_path / "m.bin", metadata={})
    assert len(header["arrays"]) == 1
    loaded, _ = load_artifact(tmp_path / "m.bin")
    assert loaded["a"] is loaded["b"]


def test_two_loads_map_the_same_files(tmp_path):
    path = tmp_path / "model.bin"
    save_artifact(big_arrays(), path, metadata={})
    first, _ = load_artifact(path)
    second, _ = load_artifact(path)
    assert mapped_file(first["dense"]) == mapped_file(second["dense"])
    assert first["dense"] is not second["dense"]
    maps = open("/proc/self/maps").read() if os.path.exists("/proc/self/maps") else None
    if maps is not None:  # both processes' views are of the one file (shared pages)
        assert maps.count(str(mapped_file(first["dense"]))) >= 2


def test_a_mapped_hybrid_serves_what_the_fitted_one_does(tmp_path, map_everything):
    from test_hybrid import DOCS, ITEMS, NOW, interactions  # same directory, rootdir on sys.path

    from recommender.hybrid import HybridRecommender, VisitorContext

    model = HybridRecommender(collaborative="rp3beta").fit(ITEMS, interactions(), DOCS)
    path = tmp_path / "hybrid.bin"
    save_artifact(model, path, metadata={})
    loaded, _ = load_artifact(path, expected_class=HybridRecommender)
    mapped = [a for a in mapped_arrays(loaded) if mapped_file(a) is not None]
    assert len(mapped) > 20
    assert not any(a.flags.writeable for a in mapped)
    # No id is a Python string of its own any more: product ids are one mapped str array
    # (shared by the components that hold them), the item space's index flat arrays.
    assert not any(a.dtype.hasobject for a in mapped_arrays(loaded) if a.size > 1)
    assert loaded.item_ids_.tolist() == model.item_ids_.tolist()
    assert mapped_file(loaded.item_ids_) is not None
    assert loaded.item_ids_ is loaded.content_.item_ids_ is loaded.profile_.item_ids_
    assert loaded.space_._index is None and loaded.space_ == model.space_
    contexts = [
        VisitorContext("home"),
        VisitorContext("article", anchor_id="article:walking-for-back-pain"),
        VisitorContext("footwear", profile={"arch": "flat", "pain_areas": ["lower-back"]}),
        VisitorContext("cart", cart=["trail-walker-2"], history=[("article:sleep", "read", NOW)]),
        VisitorContext("product", anchor_id="comfort-walker",
                       history=[("trail-walker-2", "view", NOW)]),
    ]
    mask = loaded.eligible_mask({"comfort-walker", "trail-walker-2", "lumbar-belt"})
    for context in contexts:
        assert loaded.recommend(context, n=5) == model.recommend(context, n=5)
        assert loaded.recommend(context, 3, mask, exclude=["lumbar-belt"]) == \
            model.recommend(context, 3, mask, exclude=["lumbar-belt"])
    assert loaded.bought_together("trail-walker-2", 3) == model.bought_together("trail-walker-2", 3)
    assert loaded.similar_items("comfort-walker", 3) == model.similar_items("comfort-walker", 3)
    assert loaded.popular(4) == model.popular(4)
    # Serving neither copied nor converted a fitted array: the same maps are still in place.
    after = [a for a in mapped_arrays(loaded) if mapped_file(a) is not None]
    assert [id(a) for a in after] == [id(a) for a in mapped]


def test_a_new_version_gets_a_new_directory_and_old_ones_are_pruned(tmp_path, map_everything):
    path = tmp_path / "model.bin"
    versions = [save_artifact({"n": np.full(5, float(i))}, path, metadata={})["model_version"]
                for i in range(4)]
    # the current version and the one before it (a worker may still be mapping it)
    assert sorted(p.name for p in versions_root(path).iterdir()) == versions[-2:]
    assert load_artifact(path)[0]["n"][0] == 3.0


def test_a_loaded_model_keeps_working_after_its_version_is_deleted(tmp_path, map_everything):
    path = tmp_path / "model.bin"
    save_artifact({"n": np.arange(1000.0)}, path, metadata={})
    old, _ = load_artifact(path)
    for i in range(3):
        save_artifact({"n": np.full(5, float(i))}, path, metadata={})
    assert not os.path.exists(mapped_file(old["n"]))
    assert float(old["n"].sum()) == 499500.0  # the mapping outlives the file (POSIX)


def test_a_model_without_large_arrays_writes_no_directory(tmp_path):
    path = tmp_path / "model.bin"
    header = save_artifact({"weights": [1, 2]}, path, metadata={})
    assert header["arrays_directory"] is None
    assert os.listdir(tmp_path) == ["model.bin"]


def test_a_failed_save_leaves_no_version_directory(tmp_path, map_everything):
    path = tmp_path / "model.bin"
    save_artifact({"n": np.arange(3.0)}, path, metadata={})
    before = sorted(os.listdir(versions_root(path)))
    with pytest.raises((pickle.PicklingError, AttributeError)):
        save_artifact({"n": np.arange(4.0), "f": lambda: None}, path, metadata={})
    assert sorted(os.listdir(versions_root(path))) == before
    assert load_artifact(path)[0]["n"].tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("damage", ["missing", "truncated", "reshaped"])
def test_a_missing_or_damaged_array_file_is_an_artifact_error(tmp_path, map_everything, damage):
    path = tmp_path / "model.bin"
    header = save_artifact({"n": np.arange(100.0)}, path, metadata={})
    (name,) = header["arrays"]
    npy = tmp_path / header["arrays_directory"] / f"{name}.npy"
    if damage == "missing":
        npy.unlink()
    elif damage == "truncated":
        npy.write_bytes(npy.read_bytes()[:200])
    else:
        np.save(npy, np.arange(50.0))
    with pytest.raises(ArtifactError, match="missing or damaged array file"):
        load_artifact(path)


def test_format_2_files_are_still_read(tmp_path):
    """A model trained before format 3 keeps serving until the next training."""
    payload = pickle.dumps({"weights": np.arange(100_000.0)}, protocol=pickle.HIGHEST_PROTOCOL)
    header = {"format_version": 2, "model_version": "20260101T000000000000Z-00000000",
              "created_at": "2026-01-01T00:00:00+00:00", "model_class": "builtins.dict",
              "payload_size": len(payload), "payload_sha256": hashlib.sha256(payload).hexdigest()}
    raw = json.dumps(header).encode()
    path = tmp_path / "old.bin"
    path.write_bytes(persistence.MAGIC + struct.pack(">I", len(raw)) + raw + payload)
    assert artifact_info(path)["format_version"] == 2
    model, _ = load_artifact(path)
    assert model["weights"][-1] == 99_999.0
    assert mapped_file(model["weights"]) is None


def test_large_string_arrays_come_back_as_mapped_str_arrays_written_once(tmp_path, map_everything):
    ids = np.array([f"product-{i}" for i in range(1000)], dtype=object)
    again = np.array(ids.tolist(), dtype=object)  # equal, another object
    grid = np.array([["a", "bb"], ["ccc", "d"]], dtype=object)
    mixed = np.array(["a", None, 3], dtype=object)
    nul = np.array(["a\0", "b"], dtype=object)  # fixed width would strip the NUL
    header = save_artifact({"ids": ids, "again": again, "grid": grid, "mixed": mixed,
                            "nul": nul}, tmp_path / "m.bin", metadata={})
    assert sorted(d["dtype"] for d in header["arrays"].values()) == ["<U11", "<U3"]
    loaded, _ = load_artifact(tmp_path / "m.bin")
    assert loaded["ids"] is loaded["again"]
    assert mapped_file(loaded["ids"]) is not None and not loaded["ids"].flags.writeable
    assert loaded["ids"].tolist() == ids.tolist()
    assert all(type(s) is str for s in loaded["ids"].tolist())
    assert str(loaded["ids"][7]) == "product-7" and loaded["ids"][7] == "product-7"
    assert loaded["grid"].tolist() == grid.tolist()
    for key in ("mixed", "nul"):  # left in the pickle, unchanged
        assert loaded[key].dtype == object and loaded[key].tolist() == locals()[key].tolist()


def test_small_string_arrays_stay_in_the_pickle(tmp_path):
    header = save_artifact({"ids": np.array(["a", "b"], dtype=object)}, tmp_path / "m.bin",
                           metadata={})
    assert header["arrays"] == {}
    assert load_artifact(tmp_path / "m.bin")[0]["ids"].dtype == object


def test_a_format_3_hybrid_still_loads_and_serves_the_same(tmp_path, monkeypatch, map_everything):
    """A model saved before format 4 (ids as Python strings, a pandas index) keeps serving."""
    from test_hybrid import DOCS, ITEMS, NOW, interactions

    from recommender.hybrid import HybridRecommender, VisitorContext

    model = HybridRecommender(collaborative="rp3beta").fit(ITEMS, interactions(), DOCS)
    with monkeypatch.context() as old_writer:  # what format 3 wrote
        old_writer.setattr(persistence, "ARTIFACT_FORMAT_VERSION", 3)
        old_writer.setattr(persistence_arrays, "fixed_width_strings", lambda array, n: None)
        old_writer.setattr(IdIndex, "__getstate__", lambda self: {"_index": self._index})
        header = save_artifact(model, tmp_path / "old.bin", metadata={})
    assert header["format_version"] == 3
    assert not any("U" in d["dtype"] or "S" in d["dtype"] for d in header["arrays"].values())
    loaded, _ = load_artifact(tmp_path / "old.bin", expected_class=HybridRecommender)
    assert loaded.space_._index is not None and loaded.item_ids_.dtype == object
    for context in (VisitorContext("home", history=[("trail-walker-2", "view", NOW)]),
                    VisitorContext("article", anchor_id="article:walking-for-back-pain")):
        assert loaded.recommend(context, n=5) == model.recommend(context, n=5)
