"""Weights files: an ``.npz`` of the parameter arrays plus a JSON metadata entry.

Keys: ``fc0.weight``, ``fc0.bias``, ... and ``meta``, a 0-d unicode array holding JSON
with ``format_version``, ``architecture`` (hidden sizes, activation, loss), ``lr``,
``epochs``, ``seed``, ``val_accuracy``, ``created`` and anything else the trainer knew.
Files are written atomically and read with ``allow_pickle=False``; a pickled,
truncated, wrong-shaped or unknown-version file raises :class:`WeightsError` and
nothing is loaded.
"""
from __future__ import annotations

import datetime as _dt
import importlib.resources
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from . import LetterLabError
from .data import atomic_write_bytes
from .network import NetSpec, Network

FORMAT_VERSION = 1


def shipped_weights_dir() -> Path:
    """The folder of the weights shipped with LetterLab, found with importlib.resources.

    It is the repository's ``weights/`` folder, which pyproject.toml installs as the package
    ``model.weights_data``, so a wheel and an editable install both have it.
    """
    return Path(str(importlib.resources.files("model.weights_data")))


SHIPPED_DIR = shipped_weights_dir()
DEFAULT_WEIGHTS = SHIPPED_DIR / "default.npz"


class WeightsError(LetterLabError):
    """A weights file that cannot be used; nothing was loaded."""


def save_weights(net: Network, path: str | os.PathLike, **meta) -> Path:
    """Write ``net`` and ``meta`` to ``path`` atomically; returns the path."""
    path = Path(path)
    info = {
        "format_version": FORMAT_VERSION,
        "architecture": net.spec.to_dict(),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    info.update({k: v for k, v in meta.items() if v is not None})
    arrays = {k: np.ascontiguousarray(v) for k, v in net.state_dict().items()}
    arrays["meta"] = np.array(json.dumps(info, default=_json_default))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    atomic_write_bytes(path, lambda f: f.write(buf.getvalue()))
    return path


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, (np.ndarray, tuple)):
        return list(np.asarray(o).tolist())
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def load_weights(path: str | os.PathLike) -> tuple[Network, dict]:
    """Read a weights file; returns ``(network, metadata)`` or raises :class:`WeightsError`."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: weights file not found")
    try:
        with np.load(path, allow_pickle=False) as z:
            if not isinstance(z, np.lib.npyio.NpzFile):
                raise WeightsError(f"{path}: not a LetterLab weights file (expected an .npz archive)")
            if "meta" not in z.files:
                raise WeightsError(f"{path}: not a LetterLab weights file (no metadata entry)")
            arrays = {k: z[k] for k in z.files}
    except WeightsError:
        raise
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise WeightsError(f"{path}: refusing to load pickled data; weights files hold plain arrays only") from None
        raise WeightsError(f"{path}: corrupt weights file ({e})") from None
    except (OSError, zipfile.BadZipFile, EOFError, KeyError) as e:
        raise WeightsError(f"{path}: corrupt or truncated weights file ({e or type(e).__name__})") from None
    try:
        meta = json.loads(str(arrays.pop("meta")))
    except (ValueError, TypeError) as e:
        raise WeightsError(f"{path}: metadata is not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise WeightsError(f"{path}: metadata is not a JSON object")
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise WeightsError(f"{path}: unknown weights format version {version!r} (this LetterLab reads {FORMAT_VERSION})")
    try:
        arch = meta["architecture"]
        spec = NetSpec(hidden=tuple(arch.get("hidden", ())), activation=arch["activation"],
                       loss=arch["loss"], n_inputs=int(arch.get("n_inputs", 289)),
                       n_classes=int(arch.get("n_classes", 26)))
    except (KeyError, TypeError, ValueError, LetterLabError) as e:
        raise WeightsError(f"{path}: bad architecture in metadata ({e})") from None
    net = Network(spec, np.random.default_rng(0))
    for k, v in arrays.items():
        if not np.issubdtype(v.dtype, np.floating):
            raise WeightsError(f"{path}: {k} has dtype {v.dtype}, expected floating point")
        if not np.all(np.isfinite(v)):
            raise WeightsError(f"{path}: {k} holds NaN or infinite values")
    try:
        net.load_state_dict(arrays)
    except LetterLabError as e:
        raise WeightsError(f"{path}: weights do not match the architecture in the metadata: {e}") from None
    return net, meta


def describe(meta: dict) -> str:
    """One line for a status bar: architecture and validation accuracy."""
    arch = meta.get("architecture", {})
    sizes = [arch.get("n_inputs", 289), *arch.get("hidden", []), arch.get("n_classes", 26)]
    s = f"{'→'.join(map(str, sizes))} {arch.get('activation', '?')}, {str(arch.get('loss', '?')).replace('_', ' ')}"
    acc = meta.get("val_accuracy")
    if acc is not None:
        s += f", validation {100 * float(acc):.1f} %"
    return s
