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
from pathlib import Path

import numpy as np

from . import N_CLASSES, N_INPUTS, LetterLabError
from .data import DataError, atomic_write_bytes, open_regular, read_npz
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


#: Limits far above any LetterLab network (the largest preset has well under 1 M weights).
MAX_ARRAY_ELEMENTS = 64 << 20
MAX_TOTAL_BYTES = 256 << 20
MAX_META_CHARS = 1 << 20
_FLOATS = ("float16", "float32", "float64")


def _accept(name: str, dtype: np.dtype, shape: tuple) -> str | None:
    if name == "meta":
        if dtype.kind != "U" or shape != ():
            return "the metadata entry is not a single string"
        if dtype.itemsize // 4 > MAX_META_CHARS:
            return f"the metadata is longer than {MAX_META_CHARS} characters"
        return None
    if dtype.name not in _FLOATS:
        return f"has dtype {dtype}, expected floating point ({', '.join(_FLOATS)})"
    return None


def load_weights(path: str | os.PathLike) -> tuple[Network, dict]:
    """Read a weights file; returns ``(network, metadata)`` or raises :class:`WeightsError`.

    The file is untrusted: before any array is read, the zip's declared sizes and every
    member's npy header (shape, dtype) are checked against :data:`MAX_ARRAY_ELEMENTS` and
    :data:`MAX_TOTAL_BYTES` (only float16/32/64 arrays and the one ``meta`` string);
    the metadata's JSON, architecture and values are then checked before a network is built.
    """
    path = Path(path)
    try:
        f = open_regular(path, "weights file", max_bytes=MAX_TOTAL_BYTES)
    except DataError as e:
        raise WeightsError(str(e)) from None
    with f:
        if f.read(4) != b"PK\x03\x04":
            raise WeightsError(f"{path}: not a LetterLab weights file (expected an .npz archive)")
        f.seek(0)
        try:
            arrays = read_npz(f, _accept, max_members=256, max_elements=MAX_ARRAY_ELEMENTS,
                              max_total_bytes=MAX_TOTAL_BYTES)
        except DataError as e:
            raise WeightsError(f"{path}: corrupt, truncated or unusable weights file: {e}") from None
    if "meta" not in arrays:
        raise WeightsError(f"{path}: not a LetterLab weights file (no metadata entry)")
    try:
        meta = json.loads(str(arrays.pop("meta")), parse_constant=_no_constant)
    except RecursionError:
        raise WeightsError(f"{path}: metadata is nested too deeply") from None
    except (ValueError, TypeError) as e:
        raise WeightsError(f"{path}: metadata is not valid JSON ({str(e)[:100]})") from None
    if not isinstance(meta, dict):
        raise WeightsError(f"{path}: metadata is not a JSON object")
    version = meta.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise WeightsError(f"{path}: unknown weights format version {repr(version)[:40]} "
                           f"(this LetterLab reads {FORMAT_VERSION})")
    arch = meta.get("architecture")
    try:
        if not isinstance(arch, dict):
            raise LetterLabError("architecture is not a JSON object")
        for k in ("n_inputs", "n_classes"):
            want = {"n_inputs": N_INPUTS, "n_classes": N_CLASSES}[k]
            if k in arch and (type(arch[k]) is not int or arch[k] != want):
                raise LetterLabError(f"{k} is {str(arch[k])[:40]}, LetterLab networks have {want}")
        for k in ("hidden", "conv"):
            v = arch.get(k, [])
            if not isinstance(v, list) or len(v) > 64 or any(
                    type(h) is not int or not 0 < h <= MAX_LAYER_WIDTH for h in v if h != "pool"):
                raise LetterLabError(f"{k} must be a list of at most 64 sizes from 1 to {MAX_LAYER_WIDTH}")
        spec = NetSpec.from_dict(arch)
    except RecursionError:
        raise WeightsError(f"{path}: bad architecture in metadata (nested too deeply)") from None
    except (KeyError, TypeError, ValueError, OverflowError, LetterLabError) as e:
        raise WeightsError(f"{path}: bad architecture in metadata ({str(e)[:200]})") from None
    expected = sum(int(np.prod(v.shape)) for v in arrays.values())
    if expected > MAX_ARRAY_ELEMENTS:
        raise WeightsError(f"{path}: the weights hold {expected} numbers, more than any LetterLab network")
    for k, v in arrays.items():
        if not np.all(np.isfinite(v)):
            raise WeightsError(f"{path}: {k} holds NaN or infinite values")
        if v.dtype == np.float64 and v.size and float(np.max(np.abs(v))) > float(np.finfo(np.float32).max):
            raise WeightsError(f"{path}: {k} holds values too large for float32")
    try:
        net = Network(spec, np.random.default_rng(0))
    except (MemoryError, ValueError, OverflowError) as e:
        raise WeightsError(f"{path}: bad architecture in metadata ({str(e)[:200]})") from None
    try:
        net.load_state_dict(arrays)
    except (LetterLabError, ValueError, KeyError) as e:
        raise WeightsError(f"{path}: weights do not match the architecture in the metadata: {str(e)[:200]}") from None
    return net, meta


#: The widest layer a weights file may declare (the architecture is checked before the
#: network is built, so a header cannot make LetterLab allocate gigabytes).
MAX_LAYER_WIDTH = 65536


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number LetterLab accepts")


def describe(meta: dict) -> str:
    """One line for a status bar: architecture and validation accuracy."""
    try:
        s = NetSpec.from_dict(meta.get("architecture")).describe()
    except (LetterLabError, TypeError):
        s = "unknown architecture"
    acc = meta.get("val_accuracy")
    if acc is not None:
        s += f", validation {100 * float(acc):.1f} %"
    return s
