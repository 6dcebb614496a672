"""Networks built from a list of layers, their presets, and the learning-rate convention.

A :class:`Network` is ``FullyConnect`` layers with an activation between them, and an
output activation chosen by the loss: a Sigmoid for the tutorial's quadratic and
cross-entropy losses, none for softmax cross-entropy (the loss takes the logits).

Learning rates are given **as the tutorial printed them**; :func:`effective_lr` turns
them into the step on the mean gradient that the optimiser takes.
"""
from __future__ import annotations

from dataclasses import dataclass, field, asdict
from typing import Sequence

import numpy as np

from . import N_CLASSES, N_INPUTS, LetterLabError
from .layers import ACTIVATIONS, FullyConnect, Layer, Sigmoid
from .losses import LOSSES, Loss, softmax


@dataclass
class NetSpec:
    """The architecture: hidden sizes, hidden activation and loss.

    ``sizes`` is the full list of widths, e.g. ``[289, 20, 26]`` for the tutorial's deep net.
    """

    hidden: tuple[int, ...] = ()
    activation: str = "sigmoid"
    loss: str = "quadratic"
    n_inputs: int = N_INPUTS
    n_classes: int = N_CLASSES

    def __post_init__(self) -> None:
        self.hidden = tuple(int(h) for h in self.hidden)
        if any(h <= 0 for h in self.hidden):
            raise LetterLabError(f"hidden layer sizes must be positive, got {list(self.hidden)}")
        if self.activation not in ACTIVATIONS:
            raise LetterLabError(f"unknown activation {self.activation!r}; choose from {', '.join(ACTIVATIONS)}")
        if self.loss not in LOSSES:
            raise LetterLabError(f"unknown loss {self.loss!r}; choose from {', '.join(LOSSES)}")

    @property
    def sizes(self) -> list[int]:
        return [self.n_inputs, *self.hidden, self.n_classes]

    def describe(self) -> str:
        return f"{'→'.join(map(str, self.sizes))} {self.activation}, {self.loss.replace('_', ' ')}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        return d


def effective_lr(loss: str, lr: float, batch_size: int) -> float:
    """The step size on the mean gradient for a learning rate written the tutorial's way.

    The tutorial's ``QuadraticLoss.backward`` divides by the batch size and its
    ``FullyConnect.backward`` divides again, so its lr 1000 with batch 1024 is a step of
    about 0.98 on the mean gradient: for the quadratic loss we divide ``lr`` by the
    configured ``batch_size`` (the nominal size, also for a short last batch). Its
    ``CrossEntropyLoss.backward`` does not divide, so lr 1.0 is 1.0: the cross-entropy
    losses use ``lr`` as it is.
    """
    if loss == "quadratic":
        return float(lr) / int(batch_size)
    return float(lr)


class Network:
    """A feed-forward classifier: 289 inputs, 26 outputs.

    Args:
        spec: the architecture.
        rng: generator for the initial weights (the tutorial's initialisation).
        dtype: float32 by default; float64 for gradient checks.

    Shape:
        input ``(n, 289)``; :meth:`forward` returns ``(n, 26)`` outputs (sigmoid or
        softmax); :meth:`predict_proba` returns rows that sum to 1.
    """

    def __init__(self, spec: NetSpec, rng: np.random.Generator | None = None,
                 dtype=np.float32) -> None:
        rng = np.random.default_rng() if rng is None else rng
        self.spec = spec
        self.dtype = np.dtype(dtype)
        self.layers: list[Layer] = []
        sizes = spec.sizes
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            self.layers.append(FullyConnect(a, b, rng, dtype))
            last = i == len(sizes) - 2
            if not last:
                self.layers.append(ACTIVATIONS[spec.activation]())
        self.loss: Loss = LOSSES[spec.loss]()
        if self.loss.fused_activation != "softmax":
            self.layers.append(Sigmoid())

    # -- parameters -----------------------------------------------------------------
    @property
    def dense_layers(self) -> list[FullyConnect]:
        return [l for l in self.layers if isinstance(l, FullyConnect)]

    def parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(parameter, gradient)`` pairs, collected from the layers upward."""
        return [(l.params[k], l.grads[k]) for l in self.layers for k in l.params]

    def decay_mask(self) -> list[bool]:
        """For each of :meth:`parameters`: whether weight decay applies (weights, not biases)."""
        return [k == "weight" for l in self.layers for k in l.params]

    def state_dict(self) -> dict[str, np.ndarray]:
        out = {}
        for i, l in enumerate(self.dense_layers):
            for k, v in l.params.items():
                out[f"fc{i}.{k}"] = v
        return out

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy arrays into the parameters; raises if a name or shape does not match
        (and then changes nothing)."""
        mine = self.state_dict()
        if set(state) != set(mine):
            raise LetterLabError(f"weights hold {sorted(state)}, the network needs {sorted(mine)}")
        for k, v in mine.items():
            if np.shape(state[k]) != v.shape:
                raise LetterLabError(f"{k} has shape {np.shape(state[k])}, expected {v.shape}")
        for k, v in mine.items():
            v[...] = state[k]

    def copy(self) -> "Network":
        net = Network(self.spec, np.random.default_rng(0), self.dtype)
        net.load_state_dict(self.state_dict())
        return net

    # -- computation ---------------------------------------------------------------
    def _fused(self) -> bool:
        return self.loss.fused_activation == "sigmoid" and isinstance(self.layers[-1], Sigmoid)

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Pre-activation outputs of the last FullyConnect, ``(n, 26)``."""
        x = np.asarray(x, dtype=self.dtype)
        stop = len(self.layers) - (0 if self.loss.fused_activation == "softmax" else 1)
        for l in self.layers[:stop]:
            x = l.forward(x)
        return x

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Network outputs ``(n, 26)``: sigmoid units, or softmax probabilities."""
        z = self.logits(x)
        if self.loss.fused_activation == "softmax":
            return softmax(z)
        return self.layers[-1].forward(z)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Rows that sum to 1: the softmax, or the sigmoid outputs normalised by their sum."""
        y = self.forward(np.atleast_2d(x))
        if self.loss.fused_activation == "softmax":
            return y
        s = y.sum(axis=1, keepdims=True)
        return y / np.maximum(s, np.finfo(y.dtype).tiny)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.argmax(self.logits(np.atleast_2d(x)), axis=1)

    def batch_loss(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        """Forward pass and the mean loss on one batch: ``(loss, outputs)``, the outputs
        ``(n, 26)`` being what the loss saw (logits for softmax, else sigmoid units); their
        argmax is the prediction. The loss layer keeps what its backward needs."""
        if self.loss.fused_activation == "softmax":
            z = self.logits(x)
            return self.loss.forward(z, labels), z
        if self._fused():
            z = self.logits(x)
            y = self.layers[-1].forward(z)
            return self.loss.forward_logits(z, y, labels), y
        y = self.forward(x)
        return self.loss.forward(y, labels), y

    def loss_and_grads(self, x: np.ndarray, labels: np.ndarray,
                       input_grad: bool = False) -> float | tuple[float, np.ndarray]:
        """Forward and backward on one batch: returns the mean loss and fills every
        layer's ``grads`` with its gradient. With ``input_grad`` also returns
        dLoss/dInput ``(n, 289)`` (for gradient checks of the whole network)."""
        loss, _ = self.batch_loss(x, labels)
        if self._fused():  # the loss's gradient is taken on the logits, below the Sigmoid
            g, body = self.loss.backward_logits(), self.layers[:-1]
        else:
            g, body = self.loss.backward(), self.layers
        for i in range(len(body) - 1, 0, -1):
            g = body[i].backward(g)
        if input_grad:
            return loss, body[0].backward(g)
        body[0].backward_params_only(g)
        return loss

    def grad_norms(self) -> list[float]:
        """The L2 norm of each FullyConnect's weight gradient, from the input side up."""
        return [float(np.sqrt(np.vdot(l.grads["weight"], l.grads["weight"]))) for l in self.dense_layers]

    def __repr__(self) -> str:
        inner = ", ".join(map(repr, self.layers))
        return f"Network([{inner}], loss={self.loss!r})"


def build_network(spec: NetSpec, seed: int | None = None, dtype=np.float32) -> Network:
    return Network(spec, np.random.default_rng(seed), dtype)
