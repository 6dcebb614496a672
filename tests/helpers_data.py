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


def write_problem(root, n_train=2600, n_val=520, flip=0.05, test=True):
    """A prototype problem written as a data set folder (train, validate and maybe test,
    the test split a copy of validate); returns ``(xv, yv)``."""
    from model.data import write_split

    xt, yt, xv, yv = prototype_problem(n_train=n_train, n_val=n_val, flip=flip)
    write_split(root, "train", [f"tr{i:05d}" for i in range(len(yt))], xt, yt)
    write_split(root, "validate", [f"va{i:05d}" for i in range(len(yv))], xv, yv)
    if test:
        write_split(root, "test", [f"te{i:05d}" for i in range(len(yv))], xv, yv)
    return xv, yv
