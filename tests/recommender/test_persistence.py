"""Specifications of the one-file model artifact: atomic, versioned, verified."""

import json
import os
import pickle
import struct

import numpy as np
import pytest

from recommender import persistence
from recommender.content import ContentModel
from recommender.persistence import (
    ARTIFACT_FORMAT_VERSION,
    ArtifactError,
    artifact_info,
    load_artifact,
    save_artifact,
)


@pytest.fixture
def content_model():
    return ContentModel().fit(
        ["walker", "belt"],
        ["cushioned walking shoe with arch support", "lumbar support belt for posture"],
        doc_ids=["article:walking"],
        doc_texts=["walking in a cushioned shoe"],
    )


@pytest.fixture
def saved(tmp_path, content_model):
    path = tmp_path / "model.bin"
    save_artifact(content_model, path, metadata={"n_items": 2, "trained_by": "test"})
    return path


def test_round_trip_gives_the_same_model_and_metadata(saved, content_model):
    model, header = load_artifact(saved)
    np.testing.assert_array_equal(
        model.doc_similarities("article:walking"), content_model.doc_similarities("article:walking")
    )
    assert header["format_version"] == ARTIFACT_FORMAT_VERSION
    assert header["metadata"] == {"n_items": 2, "trained_by": "test"}
    assert header["parameters"]["min_df"] == 1
    assert header["model_class"] == "recommender.content.ContentModel"
    assert header["created_at"].endswith("+00:00")
    assert len(header["payload_sha256"]) == 64
    assert set(header["environment"]) == {"python", "numpy", "scipy", "sklearn"}


def test_info_reads_the_header_without_unpickling(saved, monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("artifact_info must not unpickle")

    monkeypatch.setattr(persistence.pickle, "loads", boom)
    info = artifact_info(saved)
    assert info["metadata"]["n_items"] == 2


def test_each_save_gets_a_new_model_version(tmp_path, content_model):
    a = save_artifact(content_model, tmp_path / "a.bin", metadata={})
    b = save_artifact(content_model, tmp_path / "b.bin", metadata={})
    assert a["model_version"] != b["model_version"]
    assert a["model_version"][:8].isdigit()


def test_save_replaces_atomically_and_leaves_no_temp_files(tmp_path, content_model):
    path = tmp_path / "model.bin"
    save_artifact({"old": True}, path, metadata={})
    save_artifact(content_model, path, metadata={"new": True})
    assert os.listdir(tmp_path) == ["model.bin"]
    assert artifact_info(path)["metadata"] == {"new": True}


def test_failed_save_keeps_the_old_file_and_cleans_up(tmp_path):
    path = tmp_path / "model.bin"
    save_artifact({"old": True}, path, metadata={})
    with pytest.raises((pickle.PicklingError, AttributeError)):  # how pickle refuses a lambda
        save_artifact(lambda: None, path, metadata={})  # lambdas cannot be pickled
    assert os.listdir(tmp_path) == ["model.bin"]
    assert load_artifact(path)[0] == {"old": True}


def test_missing_file_raises(tmp_path):
    with pytest.raises(ArtifactError, match="not found"):
        load_artifact(tmp_path / "absent.bin")
    with pytest.raises(ArtifactError, match="not found"):
        artifact_info(tmp_path / "absent.bin")


@pytest.mark.parametrize("keep", [0, 4, 10, 30, -1])
def test_truncated_artifact_raises(saved, keep):
    data = saved.read_bytes()
    saved.write_bytes(data[:keep] if keep >= 0 else data[:-7])
    with pytest.raises(ArtifactError, match="truncated|corrupt"):
        load_artifact(saved)


def test_flipped_payload_byte_fails_the_checksum(saved):
    data = bytearray(saved.read_bytes())
    data[-20] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="checksum"):
        load_artifact(saved)


def test_trailing_garbage_is_corrupt(saved):
    saved.write_bytes(saved.read_bytes() + b"junk")
    with pytest.raises(ArtifactError, match="trailing"):
        load_artifact(saved)


def test_not_an_artifact(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a model")
    with pytest.raises(ArtifactError, match="magic"):
        load_artifact(path)


def rewrite_header(path, **changes):
    data = path.read_bytes()
    (length,) = struct.unpack(">I", data[8:12])
    header = json.loads(data[12:12 + length])
    header.update(changes)
    raw = json.dumps(header).encode()
    path.write_bytes(data[:8] + struct.pack(">I", len(raw)) + raw + data[12 + length:])


@pytest.mark.parametrize("version", [ARTIFACT_FORMAT_VERSION + 1, 1], ids=["newer", "older"])
def test_other_format_version_is_incompatible(saved, version):
    rewrite_header(saved, format_version=version)
    with pytest.raises(ArtifactError, match="incompatible artifact format version"):
        artifact_info(saved)
    with pytest.raises(ArtifactError, match="incompatible"):
        load_artifact(saved)


def test_garbled_header_is_corrupt(saved):
    data = bytearray(saved.read_bytes())
    data[14] = 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="corrupt"):
        load_artifact(saved)


def test_unloadable_model_class_is_reported(tmp_path, monkeypatch):
    path = tmp_path / "model.bin"
    save_artifact(ContentModel(), path, metadata={})
    monkeypatch.delattr("recommender.content.ContentModel")
    with pytest.raises(ArtifactError, match="cannot load model 'recommender.content.ContentModel'"):
        load_artifact(path)


def test_expected_class_is_checked(saved):
    assert isinstance(load_artifact(saved, expected_class=ContentModel)[0], ContentModel)
    with pytest.raises(ArtifactError, match="expected a dict"):
        load_artifact(saved, expected_class=dict)



def test_hybrid_round_trip_gives_identical_recommendations(tmp_path):
    from test_hybrid import DOCS, ITEMS, NOW, interactions  # same directory, rootdir on sys.path

    from recommender.hybrid import HybridRecommender, VisitorContext

    model = HybridRecommender(collaborative="rp3beta").fit(ITEMS, interactions(), DOCS)
    path = tmp_path / "hybrid.bin"
    header = save_artifact(model, path, metadata={"trained_on": "test"})
    assert header["data_stats"]["n_items"] == len(ITEMS)
    assert header["parameters"]["collaborative"] == "rp3beta"
    loaded, meta = load_artifact(path, expected_class=HybridRecommender)
    assert meta["model_version"] == header["model_version"]
    contexts = [
        VisitorContext("home"),
        VisitorContext("article", anchor_id="article:walking-for-back-pain"),
        VisitorContext("footwear", profile={"arch": "flat", "pain_areas": ["lower-back"]}),
        VisitorContext("cart", cart=["trail-walker-2"], history=[("article:sleep", "read", NOW)]),
    ]
    for context in contexts:
        assert loaded.recommend(context, n=5) == model.recommend(context, n=5)
    assert loaded.bought_together("trail-walker-2", 3) == model.bought_together("trail-walker-2", 3)
    assert loaded.similar_items("comfort-walker", 3) == model.similar_items("comfort-walker", 3)


def test_hybrid_with_a_validation_chosen_model_saves_loads_and_serves(tmp_path):
    from test_hybrid_order import SEQUENCE_ITEMS, markov_history

    from recommender.hybrid import HybridRecommender, VisitorContext

    model = HybridRecommender(selection_min_users=40).fit(SEQUENCE_ITEMS, markov_history())
    assert model.stats_["collaborative"]["chosen_by"] == "validation"
    path = tmp_path / "hybrid.bin"
    header = save_artifact(model, path, metadata={})
    assert header["data_stats"]["collaborative"]["model"] == model.stats_["collaborative"]["model"]
    assert header["parameters"]["collaborative"] == "auto"
    loaded, _ = load_artifact(path, expected_class=HybridRecommender)
    context = VisitorContext("home", history=[("i3", "view", 1.0), ("i7", "view", 2.0)])
    assert loaded.recommend(context, n=5) == model.recommend(context, n=5)
    assert loaded.similar_items("i3", 3) == model.similar_items("i3", 3)
    assert loaded.bought_together("i3", 3) == model.bought_together("i3", 3)
