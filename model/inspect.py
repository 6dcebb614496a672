"""Looking inside a network: every stage's activations for one input, and what it looks at.

The numbers behind the app's Network view (no Qt here). :class:`Inspector` keeps a
private copy of the network it shows, so the forward and backward passes it runs (which
write the layers' caches) never touch a network that is being trained or read elsewhere::

    insp = Inspector(network)            # a private copy
    seen = insp.inspect(x)               # x: (289,) in [0, 1]
    seen.stages[0].name, seen.stages[0].values.shape   # e.g. "conv0", (17, 17, 32)
    seen.saliency                        # (289,) d logit[top guess] / d input
    insp.refresh(trained_network)        # copy newer weights in (same architecture)

The saliency is the **gradient of the chosen letter's logit with respect to the input**:
one backward pass, the same one training uses, so it updates live with every stroke.
Positive where more ink would raise that letter's score, negative where ink lowers it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .conv import Conv2D, Dropout, MaxPool2D
from .layers import ACTIVATIONS, FullyConnect
from .network import Network

_ACTIVATION_TYPES = tuple(ACTIVATIONS.values())


@dataclass
class Stage:
    """One hidden stage's output for one input.

    ``name`` is ``conv0``… (after its activation), ``pool0``…, or ``fc0``… (after its
    activation); ``values`` is ``(h, w, channels)`` for conv and pool stages ("maps") and
    ``(units,)`` for dense ones ("units").
    """

    name: str
    kind: str
    values: np.ndarray


@dataclass
class Inspection:
    """What a network computes for one input.

    Attributes:
        stages: the hidden stages, input side first (not the logits).
        logits: ``(26,)`` the last FullyConnect's output.
        outputs: ``(26,)`` the output units (sigmoid or softmax).
        probabilities: ``(26,)`` summing to 1 (the loss's ``probabilities``).
        cls: the letter the saliency is for.
        saliency: ``(289,)`` d logits[cls] / d input.
    """

    stages: list[Stage]
    logits: np.ndarray
    outputs: np.ndarray
    probabilities: np.ndarray
    cls: int
    saliency: np.ndarray


def stage_names(network: Network) -> list[str]:
    """The names :func:`inspect` gives the stages of ``network``, input side first."""
    return [name for name, _ in _stage_plan(network)]


def _stage_plan(network: Network) -> list[tuple[str, int]]:
    """``(name, index of the layer whose output it is)`` for each hidden stage."""
    plan, last, n_conv, n_fc, n_pool = [], None, 0, 0, 0
    for i, layer in enumerate(network.layers):
        if isinstance(layer, Conv2D):
            last, n_conv = f"conv{n_conv}", n_conv + 1
        elif isinstance(layer, FullyConnect):
            last, n_fc = f"fc{n_fc}", n_fc + 1
        elif isinstance(layer, _ACTIVATION_TYPES) and last is not None:
            plan.append((last, i))
        elif isinstance(layer, MaxPool2D):
            plan.append((f"pool{n_pool}", i))
            n_pool += 1
    return plan


def inspect(network: Network, x: np.ndarray, cls: int | None = None) -> Inspection:
    """Run ``x`` (289 values) through ``network`` and back from the logit of ``cls``
    (default: the top guess).

    This writes the layers' caches: pass a network nobody else is using (an
    :class:`Inspector` holds such a copy). Dropout is off, as in inference.
    """
    plan = dict((i, name) for name, i in _stage_plan(network))
    h = np.asarray(x, dtype=network.dtype).reshape(1, -1)
    stages = []
    for i, layer in enumerate(network.layers):
        h = layer.infer(h) if isinstance(layer, Dropout) else layer.forward(h)
        if i in plan:
            v = h[0]
            stages.append(Stage(plan[i], "maps" if v.ndim == 3 else "units", v))
    logits = h[0].copy()
    if cls is None:
        cls = int(np.argmax(logits))
    cls = int(cls)
    if not 0 <= cls < logits.shape[0]:
        raise ValueError(f"class {cls} out of range 0..{logits.shape[0] - 1}")
    g = np.zeros_like(h)
    g[0, cls] = 1
    saliency = _input_gradient(network, g).reshape(-1)
    z = logits[None, :]
    return Inspection(stages, logits, network.loss.outputs(z)[0], network.loss.probabilities(z)[0],
                      cls, saliency)


def _input_gradient(network: Network, g: np.ndarray) -> np.ndarray:
    """Back from ``g`` (the gradient on the last layer's output) to the input, after a
    forward pass. A dense layer only passes the gradient on (``g @ W``): its weight
    gradient, which nobody here reads, was a quarter of the whole inspection's time."""
    for layer in reversed(network.layers):
        g = g @ layer.params["weight"] if isinstance(layer, FullyConnect) else layer.backward(g)
    return g


def layer_images(network: Network, name: str) -> np.ndarray:
    """A parameterised layer's weights as small images ``(rows, cols, h, w)``, a copy.

    * ``conv{i}`` with weight ``(out, in, kh, kw)``: its filters, one row per output
      channel and one column per input channel.
    * ``fc{i}`` whose inputs are the 17×17 pixels (the first layer of a dense net):
      each unit's incoming weights as a 17×17 image, shape ``(units, 1, 17, 17)`` (for the
      tutorial's shallow net these are the 26 letter templates).
    * any other ``fc{i}``: the weight matrix ``(out, in)`` as one image ``(1, 1, out, in)``.
    """
    state = network.state_dict()
    key = f"{name}.weight"
    if key not in state:
        raise KeyError(f"no layer {name!r}; the network has {network.layer_names()}")
    w = np.array(state[key], dtype=np.float32)
    if w.ndim == 4:
        return w
    side = network.spec.side
    if w.shape[1] == network.spec.n_inputs and side * side == w.shape[1] and not network.spec.conv:
        return w.reshape(w.shape[0], 1, side, side)
    return w[None, None]


class Inspector:
    """Holds a private copy of a network for :func:`inspect`.

    Args:
        network: the network to copy (None: nothing to inspect yet).
    """

    def __init__(self, network: Network | None = None) -> None:
        self.network: Network | None = None
        self.refresh(network)

    def refresh(self, network: Network | None) -> bool:
        """Copy ``network``'s weights into the private copy (a new copy if the
        architecture differs). Reading a network another thread is training may give a
        torn mix of two steps, never an error. Returns False if nothing could be copied."""
        if network is None:
            self.network = None
            return False
        mine = self.network
        if mine is None or mine.spec.to_dict() != network.spec.to_dict() or mine.dtype != network.dtype:
            # Its loss is the spec's: outputs and probabilities do not depend on options
            # such as label smoothing.
            mine = Network(network.spec, np.random.default_rng(0), network.dtype)
        theirs = network.state_dict()
        for k, dst in mine.state_dict().items():
            src = theirs.get(k)
            if src is None or src.shape != dst.shape:
                return False
            np.copyto(dst, src)
        self.network = mine
        return True

    def inspect(self, x: np.ndarray, cls: int | None = None) -> Inspection | None:
        if self.network is None:
            return None
        return inspect(self.network, x, cls)

