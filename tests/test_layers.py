"""Every layer and loss against finite differences (float64), and the check's own teeth."""
import numpy as np
import pytest

from model.layers import FullyConnect, ReLU, Sigmoid, Tanh
from model.losses import (Accuracy, CrossEntropyLoss, QuadraticLoss, SoftmaxCrossEntropyLoss,
                          one_hot, softmax)
from model.network import NetSpec, Network

import importlib.util, pathlib, sys

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


@pytest.mark.parametrize("loss_cls", [QuadraticLoss, CrossEntropyLoss])
def test_loss_gradients_on_outputs(loss_cls):
    y = RNG.uniform(0.05, 0.95, (5, 26))
    labels = RNG.integers(0, 26, 5)
    loss = loss_cls()
    f = lambda: loss.forward(y, labels)
    f()
    assert_close(loss.backward(), numeric_grad(f, y))


def test_softmax_cross_entropy_gradient_on_logits():
    z = RNG.standard_normal((5, 26)) * 3
    labels = RNG.integers(0, 26, 5)
    loss = SoftmaxCrossEntropyLoss()
    f = lambda: loss.forward(z, labels)
    f()
    assert_close(loss.backward(), numeric_grad(f, z))


def test_cross_entropy_fused_gradient_on_logits():
    z = RNG.standard_normal((5, 26)) * 3
    labels = RNG.integers(0, 26, 5)
    loss, sig = CrossEntropyLoss(), Sigmoid()

    def f():
        return loss.forward_logits(z, sig.forward(z), labels)

    f()
    assert_close(loss.backward_logits(), numeric_grad(f, z))
    # and the fused value equals the plain formula where that is finite
    y = sig.forward(z)
    assert loss.forward_logits(z, y, labels) == pytest.approx(CrossEntropyLoss().forward(y, labels), rel=1e-9)


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
        ce = CrossEntropyLoss()
        v = ce.forward_logits(z, y, labels)
        g = ce.backward_logits()
        assert np.isfinite(v) and np.all(np.isfinite(g))
        v2 = ce.forward(y, labels)  # clipped path: y is exactly 0 and 1 here
        g2 = ce.backward()
        assert np.isfinite(v2) and np.all(np.isfinite(g2))
        s = SoftmaxCrossEntropyLoss()
        assert np.isfinite(s.forward(z.astype(np.float32), labels))
        p = softmax(z)
        assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1)


def test_one_hot_and_accuracy():
    t = one_hot(np.array([0, 25, 3]))
    assert t.shape == (3, 26) and t.sum() == 3 and t[1, 25] == 1
    y = np.eye(26)[[0, 1, 2, 3]]
    assert Accuracy().forward(y, np.array([0, 1, 2, 4])) == 0.75
