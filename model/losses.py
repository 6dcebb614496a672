"""Loss functions on the logits, and accuracy.

One contract for every loss (as numpy-ml's losses have it): the loss owns the network's
output activation, so it takes the **logits** ``z`` of shape ``(n, 26)`` (the last
FullyConnect's output) and returns the gradient with respect to them.

- ``value(z, labels)``: the mean over the ``n`` rows of the per-sample loss; writes nothing.
- ``forward(z, labels)``: the same value, keeping what ``backward`` needs.
- ``backward()``: dLoss/dz, shape ``(n, 26)``; the ``1/n`` of the mean is applied here, once.
- ``outputs(z)``: what the network's output units show (sigmoid units, or the softmax).
- ``probabilities(z)``: rows that sum to 1; their argmax is the prediction everywhere.

Labels are integer class indices of shape ``(n,)``.

The quadratic loss sits on sigmoid outputs and keeps the sigmoid's derivative
``y (1 - y)`` in its gradient: that factor is the tutorial's vanishing gradient. The
tutorial's cross-entropy cancels it; computed here from the logits it is exact at any z.
How this maps to the tutorial's learning rates: see :func:`model.network.effective_lr`.
"""
from __future__ import annotations

import numpy as np

from . import N_CLASSES
from .layers import sigmoid


def one_hot(labels: np.ndarray, n_classes: int = N_CLASSES, dtype=np.float32) -> np.ndarray:
    """``(n,)`` integer labels to an ``(n, n_classes)`` one-hot matrix."""
    labels = np.asarray(labels)
    t = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    t[np.arange(labels.shape[0]), labels] = 1
    return t


def minus_one_hot(y: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``y - one_hot(labels)`` as a new array, without building the one-hot matrix."""
    d = y.copy()
    d[np.arange(d.shape[0]), labels] -= 1
    return d


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so it never overflows."""
    e = z - z.max(axis=1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=1, keepdims=True)
    return e


class Loss:
    """Base class; see the module docstring for the contract."""

    name = ""
    #: the output activation the loss applies to the logits ("sigmoid" or "softmax")
    output = "sigmoid"

    def value(self, z: np.ndarray, labels: np.ndarray) -> float:  # pragma: no cover
        raise NotImplementedError

    def forward(self, z: np.ndarray, labels: np.ndarray) -> float:
        self.z, self.labels = z, np.asarray(labels)
        return self.value(z, self.labels)

    def backward(self) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def outputs(self, z: np.ndarray) -> np.ndarray:
        return sigmoid(z)

    def probabilities(self, z: np.ndarray) -> np.ndarray:
        """Sigmoid outputs normalised to sum to 1 (same argmax as the logits)."""
        y = sigmoid(z)
        return y / np.maximum(y.sum(axis=1, keepdims=True), np.finfo(y.dtype).tiny)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class QuadraticLoss(Loss):
    """``L = sum((y - t)**2) / (2 n)`` with ``y = sigmoid(z)``.

    Gradient on the logits ``(y - t) * y (1 - y) / n``: the sigmoid's derivative, at most
    0.25 and near 0 when a unit saturates, is the tutorial's vanishing gradient.
    """

    name = "quadratic"

    def value(self, z, labels):
        d = minus_one_hot(sigmoid(z), labels)
        return float(np.vdot(d, d)) / (2 * z.shape[0])

    def backward(self):
        y = sigmoid(self.z)
        g = minus_one_hot(y, self.labels)
        g *= y
        g *= 1 - y
        g *= 1 / g.shape[0]
        return g


class CrossEntropyLoss(Loss):
    """The tutorial's per-output binary cross-entropy on sigmoid outputs.

    ``L = sum(-t log y - (1 - t) log(1 - y)) / n`` with ``y = sigmoid(z)``. The tutorial
    differentiated it with respect to ``y``: ``(y - t) / (y (1 - y))``, whose denominator
    cancels the sigmoid's ``y (1 - y)`` (its cure for the vanishing gradient) but overflows
    once a unit saturates. On the logits the same loss is ``softplus(z) - t z`` with
    gradient ``(y - t) / n``: exact and finite at any ``z``.
    """

    name = "cross_entropy"

    def value(self, z, labels):
        n = z.shape[0]
        # softplus(z) = max(z, 0) + log1p(exp(-|z|)): never overflows.
        sp = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
        return (float(sp.sum()) - float(z[np.arange(n), labels].sum())) / n

    def backward(self):
        g = minus_one_hot(sigmoid(self.z), self.labels)
        g *= 1 / g.shape[0]
        return g


class SoftmaxCrossEntropyLoss(Loss):
    """Softmax and categorical cross-entropy, on the logits.

    ``L = -sum(t' * log softmax(z)) / n``; gradient ``(softmax(z) - t') / n``, where
    ``t' = (1 - s) t + s / 26`` with label smoothing ``s`` (0 by default: one-hot targets).
    """

    name = "softmax_cross_entropy"
    output = "softmax"

    def __init__(self, label_smoothing: float = 0.0) -> None:
        self.label_smoothing = float(label_smoothing)

    def value(self, z, labels):
        n, k = z.shape
        shifted = z - z.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        s = self.label_smoothing
        picked = float(logp[np.arange(n), labels].sum())
        total = (1 - s) * picked + (s / k) * float(logp.sum()) if s else picked
        return -total / n

    def backward(self):
        s, k = self.label_smoothing, self.z.shape[1]
        g = softmax(self.z)
        if s:
            g -= s / k
        g[np.arange(g.shape[0]), self.labels] -= 1 - s
        g *= 1 / g.shape[0]
        return g

    def outputs(self, z):
        return softmax(z)

    def probabilities(self, z):
        return softmax(z)

    def __repr__(self) -> str:
        s = self.label_smoothing
        return f"SoftmaxCrossEntropyLoss({f'label_smoothing={s:g}' if s else ''})"


LOSSES: dict[str, type[Loss]] = {
    "quadratic": QuadraticLoss,
    "cross_entropy": CrossEntropyLoss,
    "softmax_cross_entropy": SoftmaxCrossEntropyLoss,
}


class Accuracy:
    """Fraction of rows whose largest output is the label."""

    def forward(self, y: np.ndarray, labels: np.ndarray) -> float:
        return float(np.mean(np.argmax(y, axis=1) == np.asarray(labels)))
