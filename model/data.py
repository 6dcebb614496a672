"""The tutorial's on-disk data format, read into arrays and written back.

A data set is a folder holding ``pic/`` (17x17 PNG images) and list files
``train.txt``, ``validate.txt`` and ``test.txt`` whose lines are ``pic/NAME.png LABEL``
(the path relative to the list file's folder, the label 0-25 for A-Z).

Arrays: ``x`` of shape ``(n, 289)`` float32, ink = 1.0 and background = 0.0 whatever
the PNG's polarity (the background is the majority of the pixels); ``y`` of shape
``(n,)`` int64. A list file is read once and cached next to it (or in the user cache
folder if that is read-only) as ``.NAME.cache.npz``; the cache is used while the list
file and the ``pic/`` folder are unchanged.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
from PIL import Image, UnidentifiedImageError

from . import N_CLASSES, N_INPUTS, SIDE, LetterLabError

SPLITS = ("train", "validate", "test")
CACHE_VERSION = 1

Progress = Callable[[int, int], None]


@dataclass
class Dataset:
    """One split in memory.

    Attributes:
        x: ``(n, 289)`` float32, ink 1.0, background 0.0.
        y: ``(n,)`` int64 labels 0-25.
        paths: the image paths as written in the list file.
        root: the folder the paths are relative to.
    """

    x: np.ndarray
    y: np.ndarray
    paths: list[str]
    root: Path

    def __len__(self) -> int:
        return len(self.y)


class DataError(LetterLabError):
    """A data set file that cannot be read; the message names the file and line."""


def ink_from_gray(gray: np.ndarray) -> np.ndarray:
    """Map a grayscale image (any numeric dtype) to float32 ink in [0, 1].

    Values are scaled by the dtype's range (255 for 8-bit images); if most pixels are
    bright the image is dark-on-light and is inverted, so ink is always 1.0.
    """
    g = np.asarray(gray)
    if g.dtype == np.uint8:
        f = g.astype(np.float32) / 255.0
    elif g.dtype == np.bool_:
        f = g.astype(np.float32)
    else:
        f = g.astype(np.float32)
        hi = float(f.max()) if f.size else 1.0
        if hi > 1.0:
            f = f / (65535.0 if hi > 255.0 else 255.0)
    # The background is the majority: if the median pixel is bright, ink is dark.
    if f.size and np.median(f) > 0.5:
        f = 1.0 - f
    return f


def read_gray(path: Path) -> np.ndarray:
    """Read an image file as a 2-D grayscale array (transparent pixels count as background)."""
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
                rgba = im.convert("RGBA")
                # Composite on white so transparent background reads as paper.
                bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                im2 = Image.alpha_composite(bg, rgba).convert("L")
            elif im.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
                arr = np.asarray(im).astype(np.float32)
                return arr
            else:
                im2 = im.convert("L")
            return np.asarray(im2)
    except FileNotFoundError:
        raise DataError(f"{path}: image file not found") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise DataError(f"{path}: cannot read image ({e})") from None


def _read_entries(list_path: Path) -> tuple[bytes, list[tuple[str, int, int]]]:
    """The list file's bytes and its ``(relative path, label, line number)`` entries,
    every line checked."""
    try:
        data = Path(list_path).read_bytes()
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise DataError(f"{list_path}: list file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{list_path}: cannot read list file ({e})") from None
    entries: list[tuple[str, int, int]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        parts = s.rsplit(None, 1)
        if len(parts) != 2:
            raise DataError(f"{list_path}:{lineno}: expected 'pic/NAME.png LABEL', got {s!r}")
        name, label_s = parts
        try:
            label = int(label_s)
        except ValueError:
            raise DataError(f"{list_path}:{lineno}: label {label_s!r} is not a whole number") from None
        if not 0 <= label < N_CLASSES:
            raise DataError(f"{list_path}:{lineno}: label {label} is out of range 0-{N_CLASSES - 1}")
        entries.append((name, label, lineno))
    if not entries:
        raise DataError(f"{list_path}: list file has no entries")
    return data, entries


def parse_list(list_path: Path) -> list[tuple[str, int]]:
    """Parse a list file into ``(relative path, label)`` pairs, checking every line."""
    return [(name, label) for name, label, _ in _read_entries(list_path)[1]]


def _cache_key(list_bytes: bytes, root: Path) -> str:
    h = hashlib.sha256()
    h.update(list_bytes)
    pic = root / "pic"
    try:
        h.update(str(pic.stat().st_mtime_ns).encode())
    except OSError:
        pass
    h.update(f"v{CACHE_VERSION}".encode())
    return h.hexdigest()


def _cache_paths(list_path: Path) -> list[Path]:
    list_path = Path(list_path).resolve()
    name = f".{list_path.stem}.cache.npz"
    out = [list_path.parent / name]
    try:
        import platformdirs

        digest = hashlib.sha1(str(list_path).encode()).hexdigest()[:16]
        out.append(Path(platformdirs.user_cache_dir("letterlab")) / f"{list_path.stem}-{digest}.npz")
    except Exception:  # pragma: no cover - platformdirs missing
        pass
    return out


def atomic_write_bytes(path: Path, write: Callable[[object], None]) -> None:
    """Write a file atomically: ``write(fileobj)`` into a temp file beside it, then rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _load_cache(list_path: Path, key: str) -> tuple[np.ndarray, np.ndarray] | None:
    for p in _cache_paths(list_path):
        if not p.exists():
            continue
        try:
            with np.load(p, allow_pickle=False) as z:
                if str(z["key"]) != key:
                    continue
                return z["x"].astype(np.float32, copy=False), z["y"].astype(np.int64, copy=False)
        except Exception:
            continue
    return None


def write_cache(list_path: str | os.PathLike, x: np.ndarray, y: np.ndarray) -> None:
    """Store ``(x, y)`` as the array cache of ``list_path`` (as :func:`read_list` would),
    for a writer that already holds the arrays of the images it just wrote."""
    list_path = Path(list_path)
    _save_cache(list_path, _cache_key(list_path.read_bytes(), list_path.resolve().parent), x, y)


def _save_cache(list_path: Path, key: str, x: np.ndarray, y: np.ndarray) -> None:
    for p in _cache_paths(list_path):
        try:
            # Ink values are stored as uint8 (lossless for 8-bit PNGs, 4x smaller).
            q = np.round(x * 255.0).astype(np.uint8)
            atomic_write_bytes(p, lambda f: np.savez(f, key=np.array(key), x=q, y=y))
            return
        except OSError:
            continue


def read_list(list_path: str | os.PathLike, progress: Progress | None = None,
              use_cache: bool = True,
              normalize: Callable[[np.ndarray], np.ndarray] | None = None) -> Dataset:
    """Read one list file of the tutorial's format into a :class:`Dataset`.

    Without ``normalize`` every image must be 17x17 (training data); with it, an image of
    any other size is passed through ``normalize(gray) -> (289,)`` (drawings, scans).
    A missing or unreadable image, a malformed line, an image of the wrong size or a
    label out of range raises :class:`DataError` naming the file and line.
    ``progress(done, total)`` is called while images are read.
    """
    list_path = Path(list_path)
    root = list_path.resolve().parent
    list_bytes, entries = _read_entries(list_path)
    paths = [p for p, _, _ in entries]
    y = np.fromiter((l for _, l, _ in entries), dtype=np.int64, count=len(entries))
    key = _cache_key(list_bytes, root) + ("n" if normalize is not None else "") if use_cache else ""
    if use_cache:
        cached = _load_cache(list_path, key)
        if cached is not None and len(cached[1]) == len(y) and np.array_equal(cached[1], y):
            x = cached[0]
            if x.dtype != np.float32 or x.max(initial=0) > 1.0:
                x = x.astype(np.float32) / 255.0
            return Dataset(x, y, paths, root)
    x = np.empty((len(entries), N_INPUTS), dtype=np.float32)
    lines = [lineno for _, _, lineno in entries]
    for i, rel in enumerate(paths):
        img_path = root / rel
        try:
            g = read_gray(img_path)
        except DataError as e:
            raise DataError(f"{list_path}:{lines[i]}: {e}") from None
        if g.shape == (SIDE, SIDE):
            x[i] = ink_from_gray(g).reshape(-1)
        elif normalize is not None:
            try:
                x[i] = normalize(g)
            except LetterLabError as e:
                raise DataError(f"{list_path}:{lines[i]}: {rel}: {e}") from None
        else:
            raise DataError(f"{list_path}:{lines[i]}: {rel} is {g.shape[1]}x{g.shape[0]}, "
                            f"expected {SIDE}x{SIDE}")
        if progress is not None and (i % 500 == 0 or i == len(paths) - 1):
            progress(i + 1, len(paths))
    if use_cache:
        _save_cache(list_path, key, x, y)
    return Dataset(x, y, paths, root)


def load_split(root: str | os.PathLike, split: str, progress: Progress | None = None) -> Dataset:
    """Read ``root/<split>.txt`` (split is train, validate or test)."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: data folder not found")
    return read_list(root / f"{split}.txt", progress=progress)


def to_png_array(x_row: np.ndarray) -> np.ndarray:
    """A 289-vector (ink 1.0) as a 17x17 uint8 image, black ink on white like a scan."""
    img = np.clip(np.asarray(x_row, dtype=np.float32).reshape(SIDE, SIDE), 0.0, 1.0)
    return np.round(255.0 * (1.0 - img)).astype(np.uint8)


def write_split(root: str | os.PathLike, split: str, names: Sequence[str],
                images: Iterable[np.ndarray] | np.ndarray, labels: Sequence[int]) -> Path:
    """Write images (17x17 uint8 or ink float rows) to ``root/pic/NAME.png`` and ``root/<split>.txt``.

    The list file is written atomically after every image is on disk, so a crash never
    leaves a list naming missing images.
    """
    root = Path(root)
    pic = root / "pic"
    pic.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, img, label in zip(names, images, labels):
        a = np.asarray(img)
        if a.dtype != np.uint8:
            a = to_png_array(a)
        a = a.reshape(SIDE, SIDE)
        fname = name if name.endswith(".png") else name + ".png"
        Image.fromarray(a, mode="L").save(pic / fname, optimize=False)
        lines.append(f"pic/{fname} {int(label)}\n")
    if len(lines) != len(labels):
        raise ValueError("names, images and labels differ in length")
    list_path = root / f"{split}.txt"
    data = "".join(lines).encode()
    atomic_write_bytes(list_path, lambda f: f.write(data))
    return list_path
