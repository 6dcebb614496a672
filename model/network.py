"""Networks built from a list of layers, their architecture, and the learning-rate convention.

A :class:`Network` is optional convolutional blocks (3×3 convolutions with the hidden
activation, 2×2 max-pools), then ``FullyConnect`` layers with the activation between
them. The last FullyConnect gives the **logits**; the loss owns the output activation
(a sigmoid for the tutorial's quadratic and cross-entropy losses, the softmax for softmax
cross-entropy), see :mod:`model.losses`.

Learning rates are given **as the tutorial printed them**; :func:`effective_lr` turns
them into the step on the mean gradient that the optimiser takes.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from . import N_CLASSES, N_INPUTS, LetterLabError
from .conv import Conv2D, Dropout, Flatten, MaxPool2D, ToImage, fuse_conv_relu
from .layers import ACTIVATIONS, FullyConnect, Layer
from .losses import LOSSES, Loss

POOL = "pool"
#: Limits far above any LetterLab network; a weights file or an option beyond them is refused.
MAX_WIDTH = 8192
MAX_CHANNELS = 1024
MAX_LAYERS = 32
MAX_PARAMETERS = 64_000_000


def parse_conv(text: str) -> tuple[int | str, ...]:
    """``"32,32,pool,64,pool"`` → ``(32, 32, "pool", 64, "pool")``; empty text → ``()``.

    Each number is a 3×3 convolution with that many output channels (followed by the
    hidden activation); ``pool`` (or ``p``) is a 2×2 max-pool.
    """
    out: list[int | str] = []
    for part in str(text).replace(" ", "").split(","):
        if not part:
            continue
        if part.lower() in ("pool", "p"):
            out.append(POOL)
        elif part.isascii() and part.isdigit():
            out.append(int(part))
        else:
            raise LetterLabError(f"bad convolution block {part!r}: "
                                 "give channel counts and 'pool', e.g. 32,32,pool,64,pool")
    return tuple(out)


@dataclass
class NetSpec:
    """The architecture.

    Args:
        hidden: widths of the hidden FullyConnect layers, e.g. ``(20,)`` for the tutorial's
            deep net (289→20→26).
        activation: the hidden activation (also after each convolution).
        loss: the loss, which decides the output activation.
        conv: convolutional blocks before the dense layers, e.g. ``(32, 32, "pool", 64,
            "pool")`` (see :func:`parse_conv`); empty for a dense network.
        kernel: the convolutions' kernel size (odd; "same" zero padding).
        dropout: dropout rate before the last FullyConnect (0: none).
    """

    hidden: tuple[int, ...] = ()
    activation: str = "sigmoid"
    loss: str = "quadratic"
    conv: tuple = ()
    kernel: int = 3
    dropout: float = 0.0
    n_inputs: int = N_INPUTS
    n_classes: int = N_CLASSES

    def __post_init__(self) -> None:
        self.hidden = tuple(_int(h, "hidden layer size") for h in self.hidden)
        self.conv = tuple(POOL if c == POOL else _int(c, "convolution channel count") for c in self.conv)
        self.kernel = _int(self.kernel, "kernel size")
        self.n_inputs = _int(self.n_inputs, "n_inputs")
        self.n_classes = _int(self.n_classes, "n_classes")
        if any(h <= 0 or h > MAX_WIDTH for h in self.hidden):
            raise LetterLabError(f"hidden layer sizes must be between 1 and {MAX_WIDTH}, got {list(self.hidden)}")
        if any(c != POOL and not 0 < c <= MAX_CHANNELS for c in self.conv):
            raise LetterLabError(f"convolution channel counts must be between 1 and {MAX_CHANNELS}")
        if len(self.hidden) + len(self.conv) > MAX_LAYERS:
            raise LetterLabError(f"at most {MAX_LAYERS} layers")
        if self.kernel < 1 or self.kernel > 9 or self.kernel % 2 == 0:
            raise LetterLabError(f"kernel size must be odd, 1 to 9, got {self.kernel}")
        if not isinstance(self.dropout, (int, float)) or not 0 <= self.dropout < 1:
            raise LetterLabError(f"dropout must be in [0, 1), got {self.dropout!r}")
        self.dropout = float(self.dropout)
        if self.activation not in ACTIVATIONS:
            raise LetterLabError(f"unknown activation {self.activation!r}; choose from {', '.join(ACTIVATIONS)}")
        if self.loss not in LOSSES:
            raise LetterLabError(f"unknown loss {self.loss!r}; choose from {', '.join(LOSSES)}")
        if not 0 < self.n_inputs <= 1 << 20 or not 1 < self.n_classes <= 1024:
            raise LetterLabError(f"bad input or class count ({self.n_inputs}, {self.n_classes})")
        if self.conv:
            side = math.isqrt(self.n_inputs)
            if side * side != self.n_inputs:
                raise LetterLabError("a convolutional network needs square images")
            for c in self.conv:
                if c == POOL:
                    if side < 2:
                        raise LetterLabError(f"too many pools for a {math.isqrt(self.n_inputs)}-pixel image")
                    side //= 2
        if self.parameter_count() > MAX_PARAMETERS:
            raise LetterLabError(f"the network would have {self.parameter_count():,} parameters; "
                                 f"LetterLab allows at most {MAX_PARAMETERS:,}")

    @classmethod
    def from_dict(cls, d) -> NetSpec:
        """The architecture a weights file's metadata describes; raises LetterLabError for
        anything of the wrong type or out of range (files from any LetterLab version)."""
        if not isinstance(d, dict):
            raise LetterLabError("architecture is not a JSON object")
        known = {"hidden", "activation", "loss", "conv", "kernel", "dropout", "n_inputs", "n_classes"}
        kw = {k: v for k, v in d.items() if k in known}
        for k in ("hidden", "conv"):
            if k in kw and not isinstance(kw[k], list):
                raise LetterLabError(f"architecture {k} must be a list")
        for k in ("activation", "loss"):
            if not isinstance(kw.get(k), str):
                raise LetterLabError(f"architecture {k} must be a string")
        if "dropout" in kw and (isinstance(kw["dropout"], bool) or not isinstance(kw["dropout"], (int, float))):
            raise LetterLabError("architecture dropout must be a number")
        return cls(**kw)

    @property
    def sizes(self) -> list[int]:
        """Widths of the dense part, from the flattened input to the classes."""
        return [self.flat_size(), *self.hidden, self.n_classes]

    @property
    def side(self) -> int:
        return math.isqrt(self.n_inputs)

    def conv_shapes(self) -> list[tuple[int, int]]:
        """``(channels, side)`` after each conv block, starting with the input's."""
        c, s = 1, self.side
        out = [(c, s)]
        for b in self.conv:
            if b == POOL:
                s //= 2
            else:
                c = b
            out.append((c, s))
        return out

    def flat_size(self) -> int:
        if not self.conv:
            return self.n_inputs
        c, s = self.conv_shapes()[-1]
        return c * s * s

    def parameter_count(self) -> int:
        n, c = 0, 1
        for b in self.conv:
            if b != POOL:
                n += b * c * self.kernel ** 2 + b
                c = b
        widths = [self.flat_size(), *self.hidden, self.n_classes]
        return n + sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))

    def describe(self) -> str:
        act, loss = self.activation, self.loss.replace("_", " ")
        if self.conv:
            blocks = " ".join("pool" if b == POOL else f"conv{self.kernel}×{self.kernel} {b}" for b in self.conv)
            dense = "→".join(map(str, [*self.hidden, self.n_classes]))
            drop = f", dropout {self.dropout:g}" if self.dropout else ""
            return f"{blocks} → {dense} {act}{drop}, {loss}"
        return f"{'→'.join(map(str, self.sizes))} {act}, {loss}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["hidden"] = list(self.hidden)
        d["conv"] = list(self.conv)
        return d


def _int(v, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        if isinstance(v, float) and v.is_integer():
            return int(v)
        raise LetterLabError(f"{what} must be a whole number, got {v!r}")
    return int(v)


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
    """A feed-forward classifier: flat 17×17 images in, 26 logits out.

    Args:
        spec: the architecture.
        rng: generator for the initial weights (the tutorial's initialisation for dense
            networks; He's for convolutional ones) and the dropout masks.
        dtype: float32 by default; float64 for gradient checks.

    Shape:
        input ``(n, 289)``; :meth:`logits` ``(n, 26)``; :meth:`predict_proba` rows that sum
        to 1. (The loss's ``outputs(z)`` gives the output units, sigmoid or softmax.)

    Inference (:meth:`logits`, :meth:`predict_proba`, :meth:`activations`) writes nothing
    into the layers, so one network can be read from several threads; training
    (:meth:`loss_and_grads`) uses the layers' caches.
    """

    def __init__(self, spec: NetSpec, rng: np.random.Generator | None = None,
                 dtype=np.float32) -> None:
        rng = np.random.default_rng() if rng is None else rng
        self.spec = spec
        self.dtype = np.dtype(dtype)
        act = ACTIVATIONS[spec.activation]
        self.layers: list[Layer] = []
        self._names: list[str] = []
        if spec.conv:
            self.layers.append(ToImage(spec.side))
            c, n_conv = 1, 0
            for b in spec.conv:
                if b == POOL:
                    self.layers.append(MaxPool2D())
                    continue
                self._add(f"conv{n_conv}", Conv2D(c, b, spec.kernel, rng=rng, dtype=dtype))
                self.layers.append(act())
                c, n_conv = b, n_conv + 1
            self.layers.append(Flatten())
        sizes = spec.sizes
        init = "he" if spec.conv else "tutorial"
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            last = i == len(sizes) - 2
            if last and spec.dropout:
                self.layers.append(Dropout(spec.dropout, rng=np.random.default_rng(rng.integers(1 << 62))))
            self._add(f"fc{i}", FullyConnect(a, b, rng, dtype, init=init))
            if not last:
                self.layers.append(act())
        # Training goes through these: the same layer objects, each conv with its ReLU
        # (and pool) as one stage that runs on the conv's workers (model.conv.ConvReLU).
        self._train_layers: list[Layer] = fuse_conv_relu(self.layers)
        self.loss: Loss = LOSSES[spec.loss]()

    def _add(self, name: str, layer: Layer) -> None:
        self.layers.append(layer)
        self._names.append(name)

    # -- parameters -----------------------------------------------------------------
    @property
    def param_layers(self) -> list[Layer]:
        """The layers with parameters (conv and fully connected), input side first."""
        return [l for l in self.layers if l.params]

    def layer_names(self) -> list[str]:
        """Names of :attr:`param_layers`: ``conv0``…, ``fc0``…, as in :meth:`state_dict`."""
        return list(self._names)

    def parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(parameter, gradient)`` pairs, collected from the layers upward."""
        return [(l.params[k], l.grads[k]) for l in self.layers for k in l.params]

    def decay_mask(self) -> list[bool]:
        """For each of :meth:`parameters`: whether weight decay applies (weights, not biases)."""
        return [k == "weight" for l in self.layers for k in l.params]

    def state_dict(self) -> dict[str, np.ndarray]:
        return {f"{name}.{k}": v for name, l in zip(self._names, self.param_layers)
                for k, v in l.params.items()}

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

    def copy(self) -> Network:
        net = Network(self.spec, np.random.default_rng(0), self.dtype)
        net.load_state_dict(self.state_dict())
        return net

    # -- inference (writes no caches) ------------------------------------------------
    def logits(self, x: np.ndarray) -> np.ndarray:
        """The last FullyConnect's output ``(n, 26)`` for inputs ``(n, 289)``."""
        x = np.asarray(np.atleast_2d(x), dtype=self.dtype)
        for l in self.layers:
            x = l.infer(x)
        return x

    def activations(self, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Every layer's output for inputs ``(n, 289)``: ``[(description, array), …]``,
        input side first, ending with the output units (sigmoid or softmax)."""
        x = np.asarray(np.atleast_2d(x), dtype=self.dtype)
        out = []
        for l in self.layers:
            x = l.infer(x)
            out.append((repr(l), x))
        out.append(("outputs", self.loss.outputs(x)))
        return out

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Rows that sum to 1 (the loss's :meth:`~model.losses.Loss.probabilities`)."""
        return self.loss.probabilities(self.logits(x))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class indices: the argmax of :meth:`predict_proba` (the same as of the logits)."""
        return np.argmax(self.logits(x), axis=1)

    # -- training -----------------------------------------------------------------------
    def _train_forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        for l in self._train_layers:
            x = l.infer(x) if (not train and isinstance(l, Dropout)) else l.forward(x)
        return x

    def _backward(self, g: np.ndarray, input_grad: bool) -> np.ndarray | None:
        layers = self._train_layers
        first = next(i for i, l in enumerate(layers) if l.params)
        for i in range(len(layers) - 1, first, -1):
            g = layers[i].backward(g)
        if input_grad:
            for i in range(first, -1, -1):
                g = layers[i].backward(g)
            return g
        layers[first].backward_params_only(g)
        return None

    def loss_and_grads(self, x: np.ndarray, labels: np.ndarray,
                       input_grad: bool = False) -> float | tuple[float, np.ndarray]:
        """Forward and backward on one batch: returns the mean loss and fills every
        layer's ``grads`` with its gradient. With ``input_grad`` also returns
        dLoss/dInput ``(n, 289)`` (for gradient checks of the whole network)."""
        loss = self.loss.forward(self._train_forward(x), labels)
        gx = self._backward(self.loss.backward(), input_grad)
        return (loss, gx) if input_grad else loss

    def grad_norms(self) -> list[float]:
        """The L2 norm of each parameterised layer's weight gradient, input side first."""
        return [float(np.sqrt(np.vdot(l.grads["weight"], l.grads["weight"]))) for l in self.param_layers]

    def __repr__(self) -> str:
        inner = ", ".join(map(repr, self.layers))
        return f"Network([{inner}], loss={self.loss!r})"


def build_network(spec: NetSpec, seed: int | None = None, dtype=np.float32) -> Network:
    return Network(spec, np.random.default_rng(seed), dtype)
