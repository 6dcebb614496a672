"""Convolutional networks end to end: weights files round trip, earlier files still load."""
import pathlib

import numpy as np
import pytest

from model import LetterLabError
from model.network import NetSpec, Network, parse_conv
from model.training import Trainer, preset_config
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


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-10), (np.float32, 2e-4)])
def test_training_through_conv_relu_stages_gives_the_separate_layers_weights(dtype, rtol):
    """The network trains through ConvReLU stages in a ConvStack (model.conv.fuse_conv_relu);
    its layer list stays the separate layers. Training from a seed gives the weights that training through
    the separate layers gives (float32: to its rounding)."""
    cfg = preset_config("conv", conv=(4, 4, "pool", 6, "pool"), hidden=(16,), epochs=2,
                        batch_size=16, augment=True, seed=3)
    rng = np.random.default_rng(0)
    x = (rng.random((96, 289)) < 0.2).astype(np.float32)
    y = rng.integers(0, 26, 96)
    weights = []
    for fused in (True, False):
        net = Network(cfg.spec, np.random.default_rng([3, 0]), dtype)
        assert [type(layer).__name__ for layer in net.layers] == [
            "ToImage", "Conv2D", "ReLU", "Conv2D", "ReLU", "MaxPool2D", "Conv2D", "ReLU", "MaxPool2D",
            "Flatten", "FullyConnect", "ReLU", "Dropout", "FullyConnect"]
        assert net.layer_names() == ["conv0", "conv1", "conv2", "fc0", "fc1"]
        if not fused:
            net._train_layers = net.layers
        else:
            assert [type(layer).__name__ for layer in net._train_layers][:3] == ["ToImage", "ConvStack", "Flatten"]
            assert [type(st).__name__ for st in net._train_layers[1].stages] == ["ConvReLU"] * 3
        for _ in Trainer(cfg, x, y, network=net, conv_workers=2).run():
            pass
        weights.append(net.state_dict())
    for k in weights[0]:
        scale = np.abs(weights[1][k]).max()
        np.testing.assert_allclose(weights[0][k], weights[1][k], rtol=0, atol=rtol * scale, err_msg=k)
