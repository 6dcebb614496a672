"""Layers with the tutorial's contract, vectorised over the batch.

Every layer has ``forward(x)`` which keeps what ``backward`` needs, ``infer(x)`` which
computes the same output for inference and writes nothing into the layer (so two threads
can read one network without copying it; Dropout is the identity there), and
``backward(grad)`` which takes dLoss/dOutput of shape ``(n, out)``, fills the layer's
parameter gradients and returns dLoss/dInput of shape ``(n, in)``. Rows are samples
(the tutorial used column vectors and a Python loop over the batch; here one matrix
product serves the whole batch). Parameters and their gradients live in the dicts
``params`` and ``grads``, with the same keys, so an optimiser can update any layer.
"""
from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-z))`` computed as ``(1 + tanh(z / 2)) / 2``: never overflows."""
    y = np.multiply(z, 0.5, dtype=z.dtype)
    np.tanh(y, out=y)
    y += 1
    y *= 0.5
    return y


class Layer:
    """Base class: a layer without parameters."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def infer(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """The output for inference; writes no cache (safe from several threads)."""
        raise NotImplementedError

    def backward_params_only(self, grad: np.ndarray) -> None:
        """Fill the parameter gradients; the input gradient is not needed (first layer)."""
        self.backward(grad)

    def zero_grad(self) -> None:
        for g in self.grads.values():
            g.fill(0)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class WeightedLayer(Layer):
    """A layer with a ``weight`` and a ``bias`` parameter (FullyConnect, Conv2D)."""

    @property
    def weight(self) -> np.ndarray:
        return self.params["weight"]

    @property
    def bias(self) -> np.ndarray:
        return self.params["bias"]


class FullyConnect(WeightedLayer):
    """Affine layer ``y = x @ weight.T + bias``.

    Args:
        in_features: length of each input row.
        out_features: length of each output row.
        rng: a ``numpy.random.Generator`` for the initialisation.
        dtype: float32 (default) or float64 (gradient checks).

    Shape:
        weight ``(out, in)`` and bias ``(out,)``; input ``(n, in)``; output ``(n, out)``.

    Initialisation ``init="tutorial"`` (default) is the tutorial's:
    ``weight = randn(out, in) / sqrt(in)``, ``bias = randn(out)``; ``init="he"`` is He's
    ``randn(out, in) * sqrt(2 / in)`` with zero biases, for ReLU networks.

    ``backward(grad)`` sums the per-sample gradients over the batch (``grad`` already
    carries the loss's ``1/n``), so ``grads['weight']`` is the gradient of the loss the
    loss layer reports.

    Example:
        >>> fc = FullyConnect(289, 20, np.random.default_rng(0))
        >>> fc.forward(np.zeros((5, 289), np.float32)).shape
        (5, 20)
    """

    def __init__(self, in_features: int, out_features: int,
                 rng: np.random.Generator | None = None, dtype=np.float32,
                 init: str = "tutorial") -> None:
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        w = rng.standard_normal((self.out_features, self.in_features)) / np.sqrt(self.in_features)
        if init == "he":
            w *= np.sqrt(2)
            b = np.zeros(self.out_features)
        else:
            b = rng.standard_normal(self.out_features)
        self.params = {"weight": w.astype(dtype), "bias": b.astype(dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return self.infer(x)

    def infer(self, x: np.ndarray) -> np.ndarray:
        y = x @ self.params["weight"].T
        y += self.params["bias"]
        return y

    def backward(self, grad: np.ndarray) -> np.ndarray:
        self.backward_params_only(grad)
        return grad @ self.params["weight"]

    def backward_params_only(self, grad: np.ndarray) -> None:
        """Fill the parameter gradients without computing the input gradient (first layer)."""
        # (x.T @ grad).T rather than grad.T @ x: OpenBLAS splits this shape over its
        # threads better (measured: 126 vs 146 us for 1024x289 by 20, two threads); an
        # out= argument that is a transposed view is slower than this small copy.
        self.grads["weight"][...] = (self.x.T @ grad).T
        # The column sums as a matrix-vector product: BLAS is ~6x faster than np.sum(axis=0).
        np.matmul(np.ones(grad.shape[0], grad.dtype), grad, out=self.grads["bias"])

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}"


class Sigmoid(Layer):
    """Logistic function ``y = 1 / (1 + exp(-x))``, elementwise.

    Computed as ``0.5 * (1 + tanh(x / 2))``, which never overflows. Its derivative
    ``y (1 - y)`` is at most 0.25 and near 0 when the unit saturates: the vanishing
    gradient of the tutorial's deep net.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = self.infer(x)
        return self.y

    def infer(self, x: np.ndarray) -> np.ndarray:
        return sigmoid(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        g = np.subtract(1, self.y)
        g *= self.y
        g *= grad
        return g


class Tanh(Layer):
    """Hyperbolic tangent, elementwise; derivative ``1 - y**2`` (at most 1)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = np.tanh(x)
        return self.y

    def infer(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        y = self.y
        return grad * (1 - y * y)


class ReLU(Layer):
    """Rectified linear unit ``max(0, x)``; derivative 1 where ``x > 0``, else 0."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x > 0
        return np.maximum(x, 0)

    def infer(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.mask


ACTIVATIONS: dict[str, type[Layer]] = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}
