"""Convolutional networks end to end: weights files round trip, earlier files still load."""
import pathlib

import numpy as np
import pytest

from model import LetterLabError
from model.network import NetSpec, Network, parse_conv
from model.weights import WeightsError, describe, load_weights, save_weights

DATA = pathlib.Path(__file__).with_name("data")


def test_conv_weights_round_trip(tmp_path):
    spec = NetSpec(conv=(4, "pool", 6, "pool"), hidden=(16,), activation="relu",
                   loss="softmax_cross_entropy", dropout=0.25)
    net = Network(spec, np.random.default_rng(1))
    x = np.random.default_rng(2).random((7, 289)).astype(np.float32)
    path = save_weights(net, tmp_path / "c.npz", val_accuracy=0.9)
    back, meta = load_weights(path)
    assert back.spec == spec
    assert meta["architecture"]["conv"] == [4, "pool", 6, "pool"]
    assert back.layer_names() == ["conv0", "conv1", "fc0", "fc1"]
    assert back.state_dict()["conv0.weight"].shape == (4, 1, 3, 3)  # PyTorch's (out, in, kh, kw)
    np.testing.assert_array_equal(back.predict_proba(x), net.predict_proba(x))
    assert "conv3×3 4" in describe(meta)


def test_a_conv_file_whose_arrays_do_not_match_is_refused(tmp_path):
    net = Network(NetSpec(conv=(4, "pool"), hidden=(8,), activation="relu", loss="softmax_cross_entropy"),
                  np.random.default_rng(1))
    path = save_weights(net, tmp_path / "c.npz")
    z = dict(np.load(path))
    z["conv0.weight"] = np.zeros((4, 1, 5, 5), np.float32)
    np.savez(tmp_path / "bad.npz", **z)
    with pytest.raises(WeightsError, match="conv0.weight"):
        load_weights(tmp_path / "bad.npz")


@pytest.mark.parametrize("name", ["v1_relu_softmax", "v1_sigmoid_ce", "v1_tanh_quadratic", "v1_shallow", "v1_deep"])
def test_files_saved_by_the_first_version_load_and_predict_the_same(name):
    """The v1 files and their predictions were made with the first version's code (commit b10d49b;
    v1_shallow and v1_deep are the weights it shipped)."""
    expected = np.load(DATA / "v1_expected.npz")
    path = DATA / f"{name}.npz"
    net, meta = load_weights(path)
    assert meta["format_version"] == 1 and "conv" not in meta["architecture"]
    np.testing.assert_allclose(net.predict_proba(expected["x"]), expected[name], rtol=1e-5, atol=1e-7)


def test_parse_conv():
    assert parse_conv("32, 32,pool,64,p") == (32, 32, "pool", 64, "pool")
    assert parse_conv("") == ()
    for bad in ("32,x", "-3", "3.5", "٣"):
        with pytest.raises(LetterLabError):
            parse_conv(bad)
    with pytest.raises(LetterLabError, match="pools"):
        NetSpec(conv=("pool",) * 6, loss="softmax_cross_entropy")
