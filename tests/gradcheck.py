"""Central-difference gradient checks, in float64."""
from __future__ import annotations

import numpy as np


def numeric_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f() / d x by central differences, perturbing ``x`` in place (restored after)."""
    g = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


def assert_close(analytic: np.ndarray, numeric: np.ndarray, rtol: float = 1e-5, atol: float = 1e-7) -> None:
    analytic = np.asarray(analytic, dtype=np.float64)
    err = np.max(np.abs(analytic - numeric) / (atol + rtol * np.maximum(np.abs(analytic), np.abs(numeric)) + 1e-12))
    assert np.allclose(analytic, numeric, rtol=rtol, atol=atol), f"gradient mismatch, worst scaled error {err:.3g}"
