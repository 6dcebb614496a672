"""Optimisers, kept apart from the layers: ``SGD(net.parameters(), lr).step()``."""
from __future__ import annotations

import numpy as np


class SGD:
    """Stochastic gradient descent, optionally with momentum and L2 weight decay.

    ``step()`` does ``d = grad + weight_decay * param`` (for the parameters ``decay``
    marks, usually the weights but not the biases), ``v = momentum * v + d`` and
    ``param -= lr * v``, in place for every ``(param, grad)`` pair: plain SGD, the
    tutorial's update, when momentum and weight decay are 0. ``lr`` is the step on the
    mean gradient (see :func:`model.network.effective_lr`).
    """

    def __init__(self, parameters, lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0, decay=None) -> None:
        self.parameters = list(parameters)
        self.lr = float(lr)
        self.momentum = float(momentum)
        self.weight_decay = float(weight_decay)
        self.decay = [True] * len(self.parameters) if decay is None else list(decay)
        self.velocity = [np.zeros_like(p) for p, _ in self.parameters] if momentum else None

    def step(self) -> None:
        lr, wd = self.lr, self.weight_decay
        for i, (p, g) in enumerate(self.parameters):
            d = g + wd * p if wd and self.decay[i] else g
            if self.velocity is not None:
                v = self.velocity[i]
                v *= self.momentum
                v += d
                d = v
            p -= lr * d

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g}, weight_decay={self.weight_decay:g})"
