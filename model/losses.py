"""Loss layers and accuracy.

Every loss **averages over the batch**: ``forward(y, labels)`` returns the mean over the
``n`` rows of the per-sample loss, and ``backward()`` returns its exact gradient with
respect to ``y`` (shape ``(n, 26)``), so the ``1/n`` is applied once, here. Labels are
integer class indices of shape ``(n,)``; the one-hot targets are built inside.

How this maps to the tutorial's learning rates: see :func:`model.network.effective_lr`.
"""
from __future__ import annotations

import numpy as np

from . import N_CLASSES

EPS = 1e-7


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


class Loss:
    """Base class. ``fused_activation`` names the output activation whose gradient the
    loss can take directly with respect to the logits (see :meth:`forward_logits`)."""

    fused_activation: str | None = None
    name = ""

    def forward(self, y: np.ndarray, labels: np.ndarray) -> float:  # pragma: no cover
        raise NotImplementedError

    def backward(self) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class QuadraticLoss(Loss):
    """``L = sum((y - t)**2) / (2 n)``; gradient ``(y - t) / n``.

    Input ``y`` of shape ``(n, 26)`` (usually sigmoid outputs), labels ``(n,)``.
    """

    name = "quadratic"

    def forward(self, y: np.ndarray, labels: np.ndarray) -> float:
        self.d = d = minus_one_hot(y, labels)
        return float(np.vdot(d, d)) / (2 * y.shape[0])

    def backward(self) -> np.ndarray:
        return self.d * (1 / self.d.shape[0])


class CrossEntropyLoss(Loss):
    """The tutorial's per-output binary cross-entropy for sigmoid outputs.

    ``L = sum(-t log y - (1 - t) log(1 - y)) / n``; gradient
    ``(y - t) / (y (1 - y)) / n``. The denominator cancels the sigmoid's ``y (1 - y)``:
    that is the tutorial's cure for the vanishing gradient.

    Dividing by ``y (1 - y)`` overflows once a unit saturates, so ``forward``/``backward``
    clip ``y`` to ``[1e-7, 1 - 1e-7]``, and a network whose last layer is a Sigmoid calls
    :meth:`forward_logits`/:meth:`backward_logits` instead: the same loss computed from
    the logits ``z`` (``-log y = softplus(-z)``) with gradient ``(sigmoid(z) - t) / n``,
    exact and stable at any ``z``.
    """

    name = "cross_entropy"
    fused_activation = "sigmoid"

    def forward(self, y: np.ndarray, labels: np.ndarray) -> float:
        self.t = one_hot(labels, y.shape[1], y.dtype)
        self.y = np.clip(y, EPS, 1 - EPS)
        t, yc = self.t, self.y
        loss = -(t * np.log(yc) + (1 - t) * np.log1p(-yc))
        return float(loss.sum()) / y.shape[0]

    def backward(self) -> np.ndarray:
        y = self.y
        return (y - self.t) / (y * (1 - y)) / y.shape[0]

    def forward_logits(self, z: np.ndarray, y: np.ndarray, labels: np.ndarray) -> float:
        """Loss from logits ``z`` whose sigmoid is ``y`` (both ``(n, 26)``)."""
        self.labels = np.asarray(labels)
        self.y = y
        n = z.shape[0]
        # -t log y - (1-t) log(1-y) = softplus(z) - t z, and
        # softplus(z) = max(z, 0) + log1p(exp(-|z|)) = max(z, 0) - log(max(y, 1 - y)):
        # the log's argument is at least 0.5, so this is exact and safe at any z.
        m = np.subtract(1, y)
        np.maximum(m, y, out=m)
        np.log(m, out=m)
        r = np.maximum(z, 0)
        r -= m
        total = float(r.sum()) - float(z[np.arange(n), self.labels].sum())
        return total / n

    def backward_logits(self) -> np.ndarray:
        """Gradient with respect to the logits: ``(sigmoid(z) - t) / n``."""
        g = minus_one_hot(self.y, self.labels)
        g *= 1 / g.shape[0]
        return g


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so it never overflows."""
    e = z - z.max(axis=1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=1, keepdims=True)
    return e


class SoftmaxCrossEntropyLoss(Loss):
    """Softmax and categorical cross-entropy fused, taken on the logits.

    ``L = -sum(t * log softmax(z)) / n``; gradient with respect to the **logits**
    ``(softmax(z) - t) / n``. The network's last layer is then a FullyConnect (no
    activation); its outputs are probabilities after :func:`softmax`.
    """

    name = "softmax_cross_entropy"
    fused_activation = "softmax"

    def forward(self, z: np.ndarray, labels: np.ndarray) -> float:
        self.labels = np.asarray(labels)
        m = z.max(axis=1, keepdims=True)
        shifted = z - m
        logsum = np.log(np.exp(shifted).sum(axis=1))
        n = z.shape[0]
        picked = shifted[np.arange(n), self.labels]
        self.p = softmax(z)
        return float((logsum - picked).sum()) / n

    def backward(self) -> np.ndarray:
        g = minus_one_hot(self.p, self.labels)
        g /= g.shape[0]
        return g


LOSSES: dict[str, type[Loss]] = {
    "quadratic": QuadraticLoss,
    "cross_entropy": CrossEntropyLoss,
    "softmax_cross_entropy": SoftmaxCrossEntropyLoss,
}


class Accuracy:
    """Fraction of rows whose largest output is the label."""

    def forward(self, y: np.ndarray, labels: np.ndarray) -> float:
        return float(np.mean(np.argmax(y, axis=1) == np.asarray(labels)))
