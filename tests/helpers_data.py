"""Small generated problems for tests: 26 random binary prototypes plus flipped pixels."""
from __future__ import annotations

import numpy as np


def prototype_problem(n_train=6000, n_val=2000, flip=0.12, seed=0):
    rng = np.random.default_rng(seed)
    protos = (rng.random((26, 289)) < 0.25).astype(np.float32)

    def make(n):
        y = rng.integers(0, 26, n)
        x = np.abs(protos[y] - (rng.random((n, 289)) < flip)).astype(np.float32)
        return x, y

    return (*make(n_train), *make(n_val))
