"""The one place the GUI reaches ``model.preprocess`` and ``model.synth``.

Both modules are being written alongside the GUI. Until they land this module supplies
stand-ins with the same names and behaviour (a crop-and-fit normalisation, a small
Hershey-font data set); once they exist the real ones are used and this file should
shrink to plain re-exports.
"""
from __future__ import annotations

import os
from pathlib import Path

try:  # pragma: no cover - depends on what has landed
    from model.preprocess import DEFAULT_PEN_FRACTION, EmptyImageError, normalize
except ImportError:  # pragma: no cover
    import numpy as np
    from PIL import Image

    from model import SIDE, LetterLabError
    from model.data import ink_from_gray

    DEFAULT_PEN_FRACTION = 0.12

    class EmptyImageError(LetterLabError):
        """The image has no ink."""

    def normalize(image) -> "np.ndarray":
        if isinstance(image, Image.Image):
            image = np.asarray(image.convert("L"))
        ink = ink_from_gray(np.asarray(image))
        rows = np.flatnonzero(ink.max(axis=1) > 0.1)
        cols = np.flatnonzero(ink.max(axis=0) > 0.1)
        if rows.size == 0:
            raise EmptyImageError("the image has no ink")
        crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
        h, w = crop.shape
        side = max(h, w)
        sq = np.zeros((side, side), np.float32)
        sq[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = crop
        inner = SIDE - 2
        im = Image.fromarray((sq * 255).astype(np.uint8)).resize((inner, inner), Image.BOX)
        out = np.zeros((SIDE, SIDE), np.float32)
        out[1:-1, 1:-1] = np.asarray(im, np.float32) / 255.0
        return out.reshape(-1)

try:  # pragma: no cover
    from model.synth import Cancelled, default_data_dir, ensure_default_dataset, is_complete
except ImportError:  # pragma: no cover
    from model import LetterLabError

    class Cancelled(LetterLabError):
        """Data-set generation was cancelled."""

    def default_data_dir() -> Path:
        env = os.environ.get("LETTERLAB_DATA_DIR")
        if env:
            return Path(env)
        import platformdirs

        return Path(platformdirs.user_data_dir("letterlab")) / "data"

    def is_complete(d) -> bool:
        d = Path(d)
        return all((d / f"{s}.txt").is_file() for s in ("train", "validate", "test"))

    def ensure_default_dataset(progress=None, cancel=None) -> Path:
        raise LetterLabError("the data-set generator (model.synth) is not available yet; "
                             "set LETTERLAB_DATA_DIR to a data set in the tutorial's format")

__all__ = ["DEFAULT_PEN_FRACTION", "EmptyImageError", "normalize", "Cancelled",
           "default_data_dir", "ensure_default_dataset", "is_complete"]
