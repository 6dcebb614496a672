"""Every layer and loss against finite differences (float64), and the check's own teeth."""
import importlib.util
import pathlib

import numpy as np
import pytest

from model.layers import FullyConnect, ReLU, Sigmoid, Tanh
from model.losses import Accuracy, CrossEntropyLoss, QuadraticLoss, SoftmaxCrossEntropyLoss, one_hot, softmax
from model.network import NetSpec, Network

_spec = importlib.util.spec_from_file_location("gradcheck", pathlib.Path(__file__).with_name("gradcheck.py"))
gradcheck = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gradcheck)
numeric_grad, assert_close = gradcheck.numeric_grad, gradcheck.assert_close

RNG = np.random.default_rng(1234)


def make_layer(name):
    if name == "fc":
        return FullyConnect(7, 5, np.random.default_rng(0), dtype=np.float64)
    return {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}[name]()


def layer_input(name):
    x = RNG.standard_normal((4, 7 if name == "fc" else 6))
    if name == "relu":  # keep away from the kink at 0, where the derivative is undefined
        x[np.abs(x) < 1e-2] = 0.5
    return x


def check_layer(layer, x):
    r = RNG.standard_normal(layer.forward(x).shape)  # a random linear loss sum(r * y)

    def f():
        return float(np.sum(layer.forward(x) * r))

    layer.forward(x)
    gx = layer.backward(r)
    assert_close(gx, numeric_grad(f, x))
    for k, p in layer.params.items():
        layer.forward(x)
        layer.backward(r)
        assert_close(layer.grads[k].copy(), numeric_grad(f, p))


@pytest.mark.parametrize("name", ["fc", "sigmoid", "tanh", "relu"])
def test_layer_gradients(name):
    check_layer(make_layer(name), layer_input(name))


LOSS_CASES = [QuadraticLoss(), CrossEntropyLoss(), SoftmaxCrossEntropyLoss(),
              SoftmaxCrossEntropyLoss(label_smoothing=0.1)]


@pytest.mark.parametrize("loss", LOSS_CASES, ids=repr)
def test_loss_gradients_on_logits(loss):
    z = RNG.standard_normal((5, 26)) * 3
    labels = RNG.integers(0, 26, 5)
    f = lambda: loss.forward(z, labels)
    f()
    assert_close(loss.backward(), numeric_grad(f, z))
    assert loss.value(z, labels) == f()
    p = loss.probabilities(z)
    assert np.allclose(p.sum(axis=1), 1)
    assert np.array_equal(np.argmax(p, axis=1), np.argmax(z, axis=1))


def test_losses_equal_the_tutorials_formulas_on_outputs():
    z = RNG.standard_normal((5, 26)) * 2
    labels = RNG.integers(0, 26, 5)
    y, t = 1 / (1 + np.exp(-z)), one_hot(labels, dtype=np.float64)
    assert QuadraticLoss().value(z, labels) == pytest.approx(np.sum((y - t) ** 2) / 10, rel=1e-12)
    ce = np.sum(-t * np.log(y) - (1 - t) * np.log(1 - y)) / 5
    assert CrossEntropyLoss().value(z, labels) == pytest.approx(ce, rel=1e-12)
    # the tutorial's gradient (y - t) / (y (1 - y)) on y, times the sigmoid's y (1 - y)
    loss = CrossEntropyLoss()
    loss.forward(z, labels)
    assert np.allclose(loss.backward(), (y - t) / (y * (1 - y)) * y * (1 - y) / 5)
    # the quadratic loss keeps the sigmoid's derivative: the vanishing gradient
    q = QuadraticLoss()
    q.forward(z, labels)
    assert np.allclose(q.backward(), (y - t) * y * (1 - y) / 5)
    ls = SoftmaxCrossEntropyLoss(label_smoothing=0.2)
    p = softmax(z)
    smooth = 0.8 * t + 0.2 / 26
    assert ls.value(z, labels) == pytest.approx(-np.sum(smooth * np.log(p)) / 5, rel=1e-10)


@pytest.mark.parametrize("hidden", [(), (6,), (6, 5)])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("loss", ["quadratic", "cross_entropy", "softmax_cross_entropy"])
def test_whole_network_gradients(hidden, activation, loss):
    net = Network(NetSpec(hidden=hidden, activation=activation, loss=loss, n_inputs=9),
                  np.random.default_rng(3), dtype=np.float64)
    x = RNG.standard_normal((4, 9))
    labels = RNG.integers(0, 26, 4)
    f = lambda: net.loss_and_grads(x, labels)
    _, gx = net.loss_and_grads(x, labels, input_grad=True)
    assert_close(gx, numeric_grad(f, x), rtol=1e-4)
    for p, g in net.parameters():
        net.loss_and_grads(x, labels)
        analytic = g.copy()
        assert_close(analytic, numeric_grad(f, p), rtol=1e-4)


class SignBugSigmoid(Sigmoid):
    """The tutorial's first listing: sigmoid written as 1 / (1 + exp(x))."""

    def forward(self, x):
        self.y = 1 / (1 + np.exp(x))
        return self.y


class NoDerivativeSigmoid(Sigmoid):
    """Backward that forgets to multiply by y (1 - y)."""

    def backward(self, grad):
        return grad


@pytest.mark.parametrize("broken", [SignBugSigmoid, NoDerivativeSigmoid])
def test_gradient_check_catches_a_wrong_gradient(broken):
    with pytest.raises(AssertionError, match="gradient mismatch"):
        check_layer(broken(), layer_input("sigmoid"))


def test_fully_connect_shapes_and_tutorial_init():
    fc = FullyConnect(289, 20, np.random.default_rng(0))
    assert fc.weight.shape == (20, 289) and fc.bias.shape == (20,)
    assert fc.weight.dtype == np.float32
    # randn / sqrt(in): the std of the weights is about 1 / 17
    assert abs(fc.weight.std() - 1 / 17) < 0.01
    assert "in_features=289, out_features=20" in repr(fc)


def test_stable_at_saturation_no_warnings_no_nan():
    z = np.array([[-1e4, -100.0, 0.0, 100.0, 1e4] + [0.0] * 21], dtype=np.float32)
    labels = np.array([3])
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        y = Sigmoid().forward(z)
        assert np.all(np.isfinite(y)) and y.min() >= 0 and y.max() <= 1
        for loss in LOSS_CASES:
            v = loss.forward(z, labels)
            g = loss.backward()
            assert np.isfinite(v) and np.all(np.isfinite(g)), loss
            assert np.all(np.isfinite(loss.probabilities(z)))
        p = softmax(z)
        assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1)


def test_one_hot_and_accuracy():
    t = one_hot(np.array([0, 25, 3]))
    assert t.shape == (3, 26) and t.sum() == 3 and t[1, 25] == 1
    y = np.eye(26)[[0, 1, 2, 3]]
    assert Accuracy().forward(y, np.array([0, 1, 2, 4])) == 0.75


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("loss", ["cross_entropy", "softmax_cross_entropy"])
def test_whole_conv_network_gradients(activation, loss):
    # 7x7 images: conv 2 → pool (7 → 3) → conv 3 → fc 4 → fc 26
    net = Network(NetSpec(conv=(2, "pool", 3), hidden=(4,), activation=activation, loss=loss, n_inputs=49),
                  np.random.default_rng(5), dtype=np.float64)
    x = RNG.standard_normal((3, 49))
    labels = RNG.integers(0, 26, 3)
    f = lambda: net.loss_and_grads(x, labels)
    _, gx = net.loss_and_grads(x, labels, input_grad=True)
    assert_close(gx, numeric_grad(f, x), rtol=1e-4)
    assert net.layer_names() == ["conv0", "conv1", "fc0", "fc1"]
    for p, g in net.parameters():
        net.loss_and_grads(x, labels)
        assert_close(g.copy(), numeric_grad(f, p), rtol=1e-4)


def test_inference_writes_nothing_and_matches_training_forward():
    net = Network(NetSpec(conv=(4, "pool"), hidden=(8,), activation="relu", loss="softmax_cross_entropy",
                          dropout=0.5), np.random.default_rng(0))
    x = RNG.random((5, 289)).astype(np.float32)
    before = [dict(vars(l)) for l in net.layers]
    p = net.predict_proba(x)
    acts = net.activations(x)
    after = [dict(vars(l)) for l in net.layers]
    assert [set(b) for b in before] == [set(a) for a in after]
    assert all(all(b[k] is a[k] for k in b) for b, a in zip(before, after))
    assert np.allclose(acts[-1][1], p, atol=1e-6)
    assert np.allclose(net._train_forward(x, train=False), net.logits(x), atol=1e-5)
