"""model.inspect: stages and saliency of dense and convolutional networks, checked against
the network's own inference and against central differences (float64)."""
import importlib.util
import pathlib

import numpy as np
import pytest

from model.inspect import Inspector, inspect, layer_images, stage_names
from model.network import NetSpec, Network

_spec = importlib.util.spec_from_file_location("gradcheck", pathlib.Path(__file__).with_name("gradcheck.py"))
gradcheck = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gradcheck)

SPECS = {
    "shallow": NetSpec(),
    "deep": NetSpec(hidden=(20,), loss="cross_entropy"),
    "tanh": NetSpec(hidden=(12, 9), activation="tanh", loss="quadratic"),
    "conv": NetSpec(conv=(4, "pool", 6, "pool"), hidden=(10,), activation="relu",
                    loss="softmax_cross_entropy", dropout=0.3),
}


def _input(seed=1):
    return np.random.default_rng(seed).random(289)


@pytest.mark.parametrize("name", list(SPECS))
def test_saliency_matches_finite_differences(name):
    net = Network(SPECS[name], np.random.default_rng(0), dtype=np.float64)
    x = _input()
    cls = 7
    seen = inspect(net, x, cls)
    assert seen.cls == cls and seen.saliency.shape == (289,)

    def logit():
        return float(net.logits(x[None, :])[0, cls])

    numeric = gradcheck.numeric_grad(logit, x)
    gradcheck.assert_close(seen.saliency, numeric, rtol=1e-4, atol=1e-7)
    assert np.abs(seen.saliency).max() > 0


def test_a_wrong_saliency_would_be_caught():
    """The check above fails for the gradient of another class."""
    net = Network(SPECS["deep"], np.random.default_rng(0), dtype=np.float64)
    x = _input()
    numeric = gradcheck.numeric_grad(lambda: float(net.logits(x[None, :])[0, 3]), x)
    with pytest.raises(AssertionError):
        gradcheck.assert_close(inspect(net, x, 4).saliency, numeric, rtol=1e-4, atol=1e-7)


def test_conv_stages_are_the_networks_own_activations():
    net = Network(SPECS["conv"], np.random.default_rng(0))
    x = _input(2)
    seen = inspect(net, x)
    assert stage_names(net) == ["conv0", "pool0", "conv1", "pool1", "fc0"]
    assert [s.name for s in seen.stages] == stage_names(net)
    assert [s.values.shape for s in seen.stages] == [(17, 17, 4), (8, 8, 4), (8, 8, 6), (4, 4, 6), (10,)]
    assert [s.kind for s in seen.stages] == ["maps"] * 4 + ["units"]
    acts = net.activations(x[None, :])
    relu_conv0 = acts[2][1][0]            # ToImage, Conv2D, ReLU
    np.testing.assert_allclose(seen.stages[0].values, relu_conv0, rtol=1e-6)
    np.testing.assert_allclose(seen.logits, net.logits(x[None, :])[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(seen.outputs, acts[-1][1][0], rtol=1e-5, atol=1e-6)
    assert seen.cls == int(np.argmax(seen.logits))     # the top guess by default
    assert abs(float(seen.probabilities.sum()) - 1) < 1e-5


def test_dense_stages_and_class_range():
    net = Network(SPECS["deep"], np.random.default_rng(0))
    seen = inspect(net, _input())
    assert [(s.name, s.values.shape) for s in seen.stages] == [("fc0", (20,))]
    assert stage_names(Network(SPECS["shallow"], np.random.default_rng(0))) == []
    with pytest.raises(ValueError):
        inspect(net, _input(), 26)


def test_inspector_works_on_a_private_copy():
    net = Network(SPECS["conv"], np.random.default_rng(0))
    before = {k: v.copy() for k, v in net.state_dict().items()}
    insp = Inspector(net)
    assert insp.network is not net
    insp.inspect(_input())
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
        assert not np.shares_memory(v, insp.network.state_dict()[k])
    # Newer weights are copied in; another architecture gets a new copy.
    net.state_dict()["fc1.weight"][...] += 1
    assert insp.refresh(net)
    np.testing.assert_array_equal(insp.network.state_dict()["fc1.weight"], net.state_dict()["fc1.weight"])
    deep = Network(SPECS["deep"], np.random.default_rng(0))
    assert insp.refresh(deep) and insp.network.spec == deep.spec
    assert not insp.refresh(None) and insp.inspect(_input()) is None


def test_layer_images():
    shallow = Network(SPECS["shallow"], np.random.default_rng(0))
    t = layer_images(shallow, "fc0")
    assert t.shape == (26, 1, 17, 17)
    np.testing.assert_array_equal(t[3, 0].reshape(-1), shallow.state_dict()["fc0.weight"][3])
    deep = Network(SPECS["deep"], np.random.default_rng(0))
    assert layer_images(deep, "fc0").shape == (20, 1, 17, 17)
    assert layer_images(deep, "fc1").shape == (1, 1, 26, 20)
    conv = Network(SPECS["conv"], np.random.default_rng(0))
    assert layer_images(conv, "conv0").shape == (4, 1, 3, 3)
    assert layer_images(conv, "conv1").shape == (6, 4, 3, 3)
    assert layer_images(conv, "fc0").shape == (1, 1, 10, 96)    # not pixels: a matrix
    with pytest.raises(KeyError):
        layer_images(conv, "conv7")

