"""Weights files: round trip, metadata, atomic writes, and refusing bad files."""
import json
import pickle

import numpy as np
import pytest

from model.network import NetSpec, Network
from model.weights import FORMAT_VERSION, WeightsError, describe, load_weights, save_weights


@pytest.fixture
def net():
    return Network(NetSpec(hidden=(20,), loss="cross_entropy"), np.random.default_rng(0))


def test_round_trip_with_metadata(tmp_path, net):
    p = save_weights(net, tmp_path / "w.npz", lr=1.0, epochs=3, seed=5, val_accuracy=0.91)
    net2, meta = load_weights(p)
    for k, v in net.state_dict().items():
        assert np.array_equal(v, net2.state_dict()[k])
    assert meta["format_version"] == FORMAT_VERSION and meta["epochs"] == 3 and meta["seed"] == 5
    assert meta["architecture"]["hidden"] == [20] and meta["architecture"]["loss"] == "cross_entropy"
    assert "created" in meta
    assert "289→20→26" in describe(meta) and "91.0 %" in describe(meta)
    x = np.random.default_rng(2).random((4, 289), dtype=np.float32)
    assert np.array_equal(net.predict_proba(x), net2.predict_proba(x))
    assert not list(tmp_path.glob("*.tmp"))  # the temp file was renamed


def test_save_is_atomic_on_failure(tmp_path, net, monkeypatch):
    p = save_weights(net, tmp_path / "w.npz", epochs=1)
    before = p.read_bytes()
    import model.data as data

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(data.os, "replace", boom)
    with pytest.raises(OSError):
        save_weights(net, p, epochs=2)
    assert p.read_bytes() == before
    assert not list(tmp_path.glob(".*tmp"))


def test_pickled_file_is_refused(tmp_path, net):
    p = tmp_path / "evil.npz"
    np.savez(p, meta=np.array(json.dumps({"format_version": 1})), obj=np.array([{"a": 1}], dtype=object))
    with pytest.raises(WeightsError, match="pickle"):
        load_weights(p)
    q = tmp_path / "evil.npy"
    q.write_bytes(pickle.dumps({"weights": 1}))
    with pytest.raises(WeightsError):
        load_weights(q)


def test_truncated_file_is_refused(tmp_path, net):
    p = save_weights(net, tmp_path / "w.npz")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError, match="corrupt|truncated"):
        load_weights(p)


def test_wrong_shape_and_unknown_version_are_refused(tmp_path, net):
    p = save_weights(net, tmp_path / "w.npz")
    with np.load(p) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["fc0.weight"] = arrays["fc0.weight"][:, :100]
    np.savez(tmp_path / "shape.npz", **arrays)
    with pytest.raises(WeightsError, match="shape"):
        load_weights(tmp_path / "shape.npz")
    with np.load(p) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    meta["format_version"] = 99
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "v99.npz", **arrays)
    with pytest.raises(WeightsError, match="version 99"):
        load_weights(tmp_path / "v99.npz")


def test_missing_and_not_npz(tmp_path):
    with pytest.raises(WeightsError, match="not found"):
        load_weights(tmp_path / "nope.npz")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(WeightsError):
        load_weights(tmp_path / "text.npz")
