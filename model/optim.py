"""Optimisers, kept apart from the layers: ``SGD(net.parameters(), lr).step()``."""
from __future__ import annotations

import numpy as np


class SGD:
    """Stochastic gradient descent, optionally with momentum.

    ``step()`` does ``v = momentum * v + grad; param -= lr * v`` in place for every
    ``(param, grad)`` pair (plain SGD when ``momentum`` is 0, the tutorial's update).
    ``lr`` is the step on the mean gradient (see :func:`model.network.effective_lr`).
    """

    def __init__(self, parameters, lr: float, momentum: float = 0.0) -> None:
        self.parameters = list(parameters)
        self.lr = float(lr)
        self.momentum = float(momentum)
        self.velocity = [np.zeros_like(p) for p, _ in self.parameters] if momentum else None

    def step(self) -> None:
        lr = self.lr
        if self.velocity is None:
            for p, g in self.parameters:
                p -= lr * g
            return
        for (p, g), v in zip(self.parameters, self.velocity):
            v *= self.momentum
            v += g
            p -= lr * v

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"
