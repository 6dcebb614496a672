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
import re
import stat
import tarfile
import tempfile
import time
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Sequence

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


#: The image formats LetterLab opens. Pillow picks a decoder from the file's bytes, not its
#: name, and some decoders run other programs (EPS and PDF hand the file to Ghostscript) or
#: parse rarely used formats; these are the raster formats people scan, draw or export
#: letters in (PNG is the data set's own; JPEG, BMP, GIF, WEBP and TIFF come from phones,
#: scanners and paint programs), each decoded inside Pillow and its libraries.
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP")
#: Largest image accepted, in pixels (a 6000 x 6000 scan); checked from the header before
#: any pixel is decoded, far below Pillow's own decompression-bomb limit.
MAX_IMAGE_PIXELS = 36_000_000
#: Largest image file accepted, in bytes.
MAX_IMAGE_BYTES = 64 << 20
#: Largest list file accepted, in bytes (the tutorial's train.txt is about 1 MB).
MAX_LIST_BYTES = 64 << 20


def open_regular(path: str | os.PathLike, what: str = "file", max_bytes: int | None = None,
                 dir_fd: int | None = None) -> BinaryIO:
    """Open an untrusted file for reading, refusing anything but a regular file.

    A FIFO, device or socket is refused without blocking (the file is opened
    non-blocking and checked with ``fstat`` before a byte is read), so is a folder and a
    file larger than ``max_bytes``. ``dir_fd`` opens ``path`` relative to an open folder.
    Raises :class:`DataError` (``FileNotFoundError`` is kept as the cause).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, dir_fd=dir_fd) if dir_fd is not None else os.open(path, flags)
    except FileNotFoundError as e:
        raise DataError(f"{path}: {what} not found") from e
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a {what}") from None
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: cannot open {what} ({getattr(e, 'strerror', None) or e})") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise DataError(f"{path}: is a folder, not a {what}")
        if not stat.S_ISREG(st.st_mode):
            raise DataError(f"{path}: is not a regular file (a device, FIFO or socket), not a {what}")
        if max_bytes is not None and st.st_size > max_bytes:
            raise DataError(f"{path}: {what} is too large ({st.st_size} bytes; the limit is {max_bytes})")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def open_image(source: str | os.PathLike | BinaryIO, dir_fd: int | None = None) -> Image.Image:
    """THE way LetterLab opens an image it did not make: a loaded PIL image, or :class:`DataError`.

    Only :data:`IMAGE_FORMATS` are tried (an EPS named ``.png`` is refused, never handed to
    Ghostscript), the file must be a regular file of at most :data:`MAX_IMAGE_BYTES`, and
    an image whose header claims more than :data:`MAX_IMAGE_PIXELS` is refused before its
    pixels are decoded (a "decompression bomb"). Only the first frame is read.
    """
    name = getattr(source, "name", source)
    if isinstance(source, (str, os.PathLike)):
        f = open_regular(source, "image file", MAX_IMAGE_BYTES, dir_fd=dir_fd)
    else:
        f = source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(f, formats=IMAGE_FORMATS)
            try:
                w, h = im.size
                if w <= 0 or h <= 0 or w * h > MAX_IMAGE_PIXELS:
                    raise DataError(f"{name}: image is {w}x{h} pixels; the limit is "
                                    f"{MAX_IMAGE_PIXELS} pixels (a decompression bomb?)")
                im.load()
            except BaseException:
                im.close()
                raise
        return im
    except DataError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise DataError(f"{name}: image is too large ({_short(e)})") from None
    except UnidentifiedImageError:
        raise DataError(f"{name}: cannot read image (not a {', '.join(IMAGE_FORMATS)} image)") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError, zlib.error) as e:
        raise DataError(f"{name}: cannot read image ({_short(e)})") from None
    finally:
        if f is not source:
            f.close()


def _short(e: BaseException, limit: int = 120) -> str:
    """An exception's first line, at most ``limit`` characters (for one-line messages)."""
    text = (str(e).splitlines() or [type(e).__name__])[0] or type(e).__name__
    return text if len(text) <= limit else text[:limit] + "..."


def gray_array(im: Image.Image) -> np.ndarray:
    """A PIL image as a 2-D grayscale array; transparent pixels count as background.

    Alpha is composited on white (paper); 16-bit, 32-bit and float images stay numeric
    (float32, for :func:`ink_from_gray` to scale), everything else becomes 8-bit gray.
    """
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(bg, rgba).convert("L"))
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return np.asarray(im).astype(np.float32)
    return np.asarray(im if im.mode == "L" else im.convert("L"))


def read_gray(path: str | os.PathLike, dir_fd: int | None = None) -> np.ndarray:
    """Read an image file as a 2-D grayscale array (see :func:`open_image`, :func:`gray_array`)."""
    with open_image(path, dir_fd=dir_fd) as im:
        return gray_array(im)


def _read_entries(list_path: Path, dir_fd: int | None = None,
                  name: str | None = None) -> tuple[bytes, list[tuple[str, int, int]]]:
    """The list file's bytes and its ``(relative path, label, line number)`` entries,
    every line checked. ``dir_fd``/``name`` read it relative to an open folder."""
    try:
        with open_regular(name if dir_fd is not None else list_path, "list file",
                          MAX_LIST_BYTES, dir_fd=dir_fd) as f:
            data = f.read(MAX_LIST_BYTES + 1)
        text = data.decode("utf-8-sig")  # a byte-order mark from Windows editors is not data
    except DataError as e:
        if isinstance(e.__cause__, FileNotFoundError):
            raise DataError(f"{list_path}: list file not found") from e.__cause__
        raise DataError(str(e).replace(str(name), str(list_path), 1) if name else str(e)) from None
    except OSError as e:
        raise DataError(f"{list_path}: cannot read list file ({_short(e)})") from None
    except UnicodeDecodeError as e:
        raise DataError(f"{list_path}: list file is not UTF-8 text (byte {e.start})") from None
    entries: list[tuple[str, int, int]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        parts = s.rsplit(None, 1)
        if len(parts) != 2:
            raise DataError(f"{list_path}:{lineno}: expected 'pic/NAME.png LABEL', got {_clip(s)}")
        name_s, label_s = parts
        # ASCII digits only: int() would also take "1_0", "+3", " 7" and "٣".
        if not (label_s.isascii() and label_s.isdigit()) or len(label_s) > 6:
            raise DataError(f"{list_path}:{lineno}: label {_clip(label_s)} is not a whole number")
        label = int(label_s)
        if not 0 <= label < N_CLASSES:
            raise DataError(f"{list_path}:{lineno}: label {label} is out of range 0-{N_CLASSES - 1}")
        entries.append((name_s, label, lineno))
    if not entries:
        raise DataError(f"{list_path}: list file has no entries")
    return data, entries


def _clip(text: str, limit: int = 60) -> str:
    """``repr(text)``, shortened so that an error about a huge line stays one short line."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} characters)"


def parse_list(list_path: Path) -> list[tuple[str, int]]:
    """Parse a list file into ``(relative path, label)`` pairs, checking every line."""
    return [(name, label) for name, label, _ in _read_entries(list_path)[1]]


def _cache_key(list_bytes: bytes, root: Path, dir_fd: int | None = None) -> str:
    h = hashlib.sha256()
    h.update(list_bytes)
    try:
        st = os.stat("pic", dir_fd=dir_fd) if dir_fd is not None else (root / "pic").stat()
        h.update(str(st.st_mtime_ns).encode())
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


#: A temporary file of :func:`atomic_write_bytes`: ``.NAME.PID.RANDOM.tmp``.
_TMP_RE = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]{8}\.tmp$")
#: A temporary file whose writer cannot be told alive is removed after this (seconds).
TMP_STALE_AFTER = 24 * 3600


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True
    return True


def remove_stale_temp_files(folder: str | os.PathLike) -> list[Path]:
    """Delete the temporary files a killed :func:`atomic_write_bytes` left in ``folder``:
    those whose writing process (the PID in the name) is gone, or older than
    :data:`TMP_STALE_AFTER`. Returns what was removed. Only regular files matching the
    temporary name pattern are touched."""
    removed = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        m = _TMP_RE.match(e.name)
        if not m:
            continue
        try:
            st = e.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode):
                continue
            pid = int(m.group(1))
            if (pid != os.getpid() and not _pid_alive(pid)) or now - st.st_mtime > TMP_STALE_AFTER:
                os.unlink(e.path)
                removed.append(Path(e.path))
        except (OSError, ValueError):
            continue
    return removed


def atomic_write_bytes(path: Path, write: Callable[[object], None]) -> None:
    """Write a file atomically: ``write(fileobj)`` into a temp file beside it, then rename.

    The temporary file is ``.NAME.PID.RANDOM.tmp``; one left by a killed writer is removed
    by the next atomic write into the same folder (:func:`remove_stale_temp_files`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
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


def read_npz(source: str | os.PathLike | BinaryIO, accept: Callable[[str, np.dtype, tuple], str | None],
             max_members: int = 256, max_elements: int = 64 << 20,
             max_total_bytes: int = 256 << 20) -> dict[str, np.ndarray]:
    """Read an untrusted ``.npz`` archive, checking everything before reading any array.

    Every member must be a ``NAME.npy`` (stored or deflated) whose declared uncompressed
    size is within ``max_total_bytes`` in total; each npy header is read first and
    ``accept(name, dtype, shape)`` returns None or the reason to refuse it; object
    (pickled) dtypes are always refused and no array may hold more than ``max_elements``.
    The declared sizes bind: :mod:`zipfile` never inflates a member past its declared size,
    and the header's shape must account for exactly that size. Raises :class:`DataError`.
    """
    try:
        zf = zipfile.ZipFile(source)
    except zipfile.BadZipFile:
        raise DataError("not an .npz archive") from None
    except (OSError, EOFError, ValueError) as e:
        raise DataError(f"cannot read the archive ({_short(e)})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > max_members:
            raise DataError(f"the archive has {len(infos)} members (at most {max_members} expected)")
        total = 0
        names = set()
        for info in infos:
            if not info.filename.endswith(".npy") or info.is_dir():
                raise DataError(f"archive member {_clip(info.filename)} is not an array")
            name = info.filename[:-4]
            if name in names:
                raise DataError(f"archive member {_clip(info.filename)} appears twice")
            names.add(name)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise DataError(f"archive member {_clip(info.filename)} uses an unsupported compression")
            total += info.file_size
            if info.file_size > max_total_bytes or total > max_total_bytes:
                raise DataError(f"the arrays would take more than {max_total_bytes >> 20} MB "
                                f"unpacked ({info.filename} declares {info.file_size} bytes)")
        out = {}
        try:
            for info in infos:
                name = info.filename[:-4]
                with zf.open(info) as f:
                    version = np.lib.format.read_magic(f)
                    if version == (1, 0):
                        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                    elif version in ((2, 0), (3, 0)):
                        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
                    else:  # pragma: no cover - read_magic refuses others
                        raise DataError(f"{name}: unknown npy version {version}")
                    if dtype.hasobject:
                        raise DataError(f"{name}: holds pickled Python objects; refusing to load pickled data")
                    if dtype.names is not None or dtype.subdtype is not None:
                        raise DataError(f"{name}: holds {dtype} records, not plain numbers")
                    n = 1
                    for d in shape:
                        if not isinstance(d, int) or d < 0:
                            raise DataError(f"{name}: bad shape {shape}")
                        n *= d
                    if n > max_elements:
                        raise DataError(f"{name}: shape {shape} has {n} elements "
                                        f"(the limit is {max_elements})")
                    if n * dtype.itemsize + f.tell() != info.file_size:
                        raise DataError(f"{name}: header says {shape} {dtype}, which does not "
                                        f"match the member's size")
                    why = accept(name, dtype, shape)
                    if why:
                        raise DataError(f"{name}: {why}")
                with zf.open(info) as f:  # read_array reads the (checked) header again
                    out[name] = np.lib.format.read_array(f, allow_pickle=False)
        except DataError:
            raise
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError,
                NotImplementedError) as e:
            raise DataError(f"corrupt or truncated archive ({_short(e)})") from None
    return out


def _accept_cache(name: str, dtype: np.dtype, shape: tuple) -> str | None:
    ok = {"key": "U", "x": "u", "y": "i"}
    return None if name in ok and dtype.kind == ok[name] else "not a cache entry"


def _load_cache(list_path: Path, key: str, dir_fd: int | None = None
                ) -> tuple[np.ndarray, np.ndarray] | None:
    for i, p in enumerate(_cache_paths(list_path)):
        try:
            # The first cache lives in the data set folder: read it through the pinned folder.
            src = p.name if (i == 0 and dir_fd is not None) else p
            with open_regular(src, "cache", 1 << 30, dir_fd=dir_fd if i == 0 else None) as f:
                z = read_npz(f, _accept_cache, max_members=3)
            if str(z["key"]) != key or z["x"].ndim != 2 or z["x"].shape[1] != N_INPUTS:
                continue
            return z["x"].astype(np.float32, copy=False), z["y"].astype(np.int64, copy=False)
        except (DataError, KeyError, ValueError):
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


class _SetReplaced(Exception):
    """The folder being read was replaced by another process (see :func:`read_list`)."""


def _open_folder(root: Path) -> int | None:
    """An open descriptor of ``root`` to read files relative to, or None where the OS
    cannot (then paths are used as they are)."""
    if os.open not in os.supports_dir_fd or not hasattr(os, "O_DIRECTORY"):
        return None  # pragma: no cover - Windows
    try:
        return os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        raise DataError(f"{root}: folder not found") from None
    except OSError as e:
        raise DataError(f"{root}: cannot open folder ({_short(e)})") from None


def _was_replaced(root: Path, dir_fd: int | None) -> bool:
    if dir_fd is None:
        return False
    pinned = os.fstat(dir_fd)
    try:
        now = os.stat(root)
    except OSError:
        return True
    return pinned.st_nlink == 0 or (now.st_dev, now.st_ino) != (pinned.st_dev, pinned.st_ino)


#: How often :func:`read_list` restarts when the data set is replaced while it reads.
READ_ATTEMPTS = 4


def read_list(list_path: str | os.PathLike, progress: Progress | None = None,
              use_cache: bool = True,
              normalize: Callable[[np.ndarray], np.ndarray] | None = None) -> Dataset:
    """Read one list file of the tutorial's format into a :class:`Dataset`.

    Without ``normalize`` every image must be 17x17 (training data); with it, an image of
    any other size is passed through ``normalize(gray) -> (289,)`` (drawings, scans).
    A missing or unreadable image, a malformed line, an image of the wrong size or a
    label out of range raises :class:`DataError` naming the file and line.
    ``progress(done, total)`` is called while images are read.

    One generation only: the list file, the cache and every image are opened relative to
    one open descriptor of the list's folder, so a data set swapped in by another process
    (:mod:`model.synth` replaces a whole folder by renames, never files inside it) cannot
    mix into this read; if the folder being read disappears under it, the read restarts
    on the new folder.
    """
    list_path = Path(list_path)
    for attempt in range(READ_ATTEMPTS):
        try:
            return _read_list_once(list_path, progress, use_cache, normalize)
        except _SetReplaced:
            time.sleep(0.05 * attempt)
    raise DataError(f"{list_path}: the data set kept being replaced while it was read; try again")


def _read_list_once(list_path: Path, progress, use_cache, normalize) -> Dataset:
    resolved = list_path.resolve()
    root = resolved.parent
    try:
        dir_fd = _open_folder(root)
    except DataError:
        if not root.exists() and root.parent.exists():
            raise _SetReplaced() from None  # the instant between a swap's two renames
        raise DataError(f"{list_path}: list file not found") from None
    try:
        try:
            list_bytes, entries = _read_entries(list_path, dir_fd, resolved.name)
        except DataError:
            if _was_replaced(root, dir_fd):
                raise _SetReplaced() from None
            raise
        paths = [p for p, _, _ in entries]
        y = np.fromiter((l for _, l, _ in entries), dtype=np.int64, count=len(entries))
        key = _cache_key(list_bytes, root, dir_fd) + ("n" if normalize is not None else "") if use_cache else ""
        if use_cache:
            cached = _load_cache(list_path, key, dir_fd)
            if cached is not None and len(cached[1]) == len(y) and np.array_equal(cached[1], y):
                x = cached[0]
                if x.dtype != np.float32 or x.max(initial=0) > 1.0:
                    x = x.astype(np.float32) / 255.0
                return Dataset(x, y, paths, root)
        x = np.empty((len(entries), N_INPUTS), dtype=np.float32)
        lines = [lineno for _, _, lineno in entries]
        for i, rel in enumerate(paths):
            try:
                g = read_gray(rel, dir_fd=dir_fd) if dir_fd is not None else read_gray(root / rel)
            except DataError as e:
                if _was_replaced(root, dir_fd):
                    raise _SetReplaced() from None
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
        if _was_replaced(root, dir_fd):
            # A complete old set, but ``root`` now names the new one, which the paths
            # returned would point into: read again.
            raise _SetReplaced()
    finally:
        if dir_fd is not None:
            os.close(dir_fd)
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


# --------------------------------------------------------------------------- import
#: Limits for an imported data set (the tutorial's has 60000 images of a few hundred bytes).
MAX_IMPORT_MEMBERS = 250_000
MAX_IMPORT_MEMBER_BYTES = 1 << 20
MAX_IMPORT_LIST_BYTES = MAX_LIST_BYTES
MAX_IMPORT_TOTAL_BYTES = 1 << 30
_LIST_NAMES = frozenset(f"{s}.txt" for s in SPLITS)
_PIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,200}\.png$")
_TOP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+ -]{0,200}$")
#: Names a data set may hold that are not copied (caches, LetterLab's marker).
_SKIPPED = re.compile(r"^(\..+\.cache\.npz|letterlab-data\.json)$")


def _member_target(parts: list[str], top: list[str | None], what: str,
                   lists: frozenset[str] = _LIST_NAMES) -> str | None:
    """The path (``pic/NAME.png``, ``train.txt``, ``pic`` or ``""``) inside the data set of
    a member named by ``parts``, None for a skipped cache, or :class:`DataError`.
    ``top[0]`` is the one optional top folder, fixed by the first member that uses one;
    ``lists`` are the list files' names."""
    if parts and parts[0] not in lists and parts[0] != "pic" and not _SKIPPED.match(parts[0]):
        if not _TOP_NAME.match(parts[0]) or parts[0] in ("..", "."):
            raise DataError(f"{what}: unexpected name (a data set holds pic/*.png and {_names(lists)}, "
                            "optionally in one folder)")
        if top[0] is None:
            top[0] = parts[0]
        elif top[0] != parts[0]:
            raise DataError(f"{what}: a second top folder ({top[0]!r} was first)")
        parts = parts[1:]
    if not parts:
        return ""
    if len(parts) == 1 and (parts[0] in lists or parts[0] == "pic"):
        return parts[0]
    if len(parts) == 1 and _SKIPPED.match(parts[0]):
        return None
    if len(parts) == 2 and parts[0] == "pic" and _PIC_NAME.match(parts[1]):
        return f"pic/{parts[1]}"
    raise DataError(f"{what}: unexpected name (a data set holds pic/*.png and {_names(lists)}, "
                    "optionally in one folder)")


def _names(lists: frozenset[str]) -> str:
    """The list files' names for a message, the tutorial's splits in their usual order."""
    order = [f"{s}.txt" for s in SPLITS]
    return ", ".join(sorted(lists, key=lambda n: (order.index(n) if n in order else len(order), n)))


def _write_new(root: Path, rel: str, data: bytes) -> None:
    """Create ``root/rel`` (never an existing file, never through a link) holding ``data``."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(root / rel, flags, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class _Budget:
    """Counts members and bytes against the import limits."""

    def __init__(self, source: str) -> None:
        self.source, self.members, self.total = source, 0, 0

    def add(self, what: str, size: int, is_list: bool) -> None:
        self.members += 1
        if self.members > MAX_IMPORT_MEMBERS:
            raise DataError(f"{self.source}: more than {MAX_IMPORT_MEMBERS} entries; not a letter data set")
        limit = MAX_IMPORT_LIST_BYTES if is_list else MAX_IMPORT_MEMBER_BYTES
        if size > limit:
            raise DataError(f"{what}: {size} bytes, more than the {limit} a data set's file may have")
        self.total += size
        if self.total > MAX_IMPORT_TOTAL_BYTES:
            raise DataError(f"{self.source}: more than {MAX_IMPORT_TOTAL_BYTES >> 20} MB; not a letter data set")


def _not_empty(f: BinaryIO, name) -> BinaryIO:
    """``f``, unless it says it is empty: an empty file, or a /proc file (0 bytes by stat,
    endless by read: the xz reader would skip its zeros as padding for ever)."""
    if os.fstat(f.fileno()).st_size == 0:
        raise DataError(f"{name}: empty file (0 bytes), not an archive")
    return f


def extract_dataset_archive(archive: str | os.PathLike, into: str | os.PathLike,
                            lists: frozenset[str] = _LIST_NAMES) -> Path:
    """Unpack a data set archive (``.tar``, ``.tar.gz``, ...) into the empty folder ``into``.

    ``lists`` names the list files a set of this kind holds (the tutorial's three splits
    by default; :mod:`model.samples` passes ``{"list.txt"}``).

    Does not rely on :mod:`tarfile`'s extraction filters (defeated by symlink chains on
    some Python versions): every member is checked first -- regular files and folders
    only (no symlink, hardlink, device, FIFO or sparse file), only the names a data set
    has (``pic/*.png`` and the list files, under at most one top folder), within
    :data:`MAX_IMPORT_MEMBERS`, :data:`MAX_IMPORT_MEMBER_BYTES` and
    :data:`MAX_IMPORT_TOTAL_BYTES` -- and only then are the files written, by this
    function, as new files. Returns ``into``; raises :class:`DataError` naming the member.
    """
    archive, into = Path(archive), Path(into)
    budget = _Budget(str(archive))
    top: list[str | None] = [None]
    plan: list[tuple[tarfile.TarInfo, str]] = []
    seen: set[str] = set()
    try:
        with open_regular(archive, "data-set archive") as raw, \
                tarfile.open(fileobj=_not_empty(raw, archive), mode="r:*") as tf:
            while True:
                m = tf.next()
                if m is None:
                    break
                what = f"{archive}: {_clip(m.name)}"
                if m.type not in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE):
                    kind = {tarfile.SYMTYPE: "a symbolic link", tarfile.LNKTYPE: "a hard link",
                            tarfile.CHRTYPE: "a device", tarfile.BLKTYPE: "a device",
                            tarfile.FIFOTYPE: "a FIFO", tarfile.GNUTYPE_SPARSE: "a sparse file"
                            }.get(m.type, f"an entry of type {m.type!r}")
                    raise DataError(f"{what}: is {kind}; a data set archive holds only files and folders")
                name = m.name
                if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or "\\" in name:
                    raise DataError(f"{what}: absolute or Windows path")
                parts = [p for p in name.split("/") if p not in ("", ".")]
                if ".." in parts:
                    raise DataError(f"{what}: '..' in the name")
                target = _member_target(parts, top, what, lists)
                if m.isdir():
                    if target not in ("", "pic"):
                        raise DataError(f"{what}: unexpected folder")
                    continue
                if target in ("", "pic"):
                    raise DataError(f"{what}: a file where a folder belongs")
                budget.add(what, m.size, target in lists if target else False)
                if target is None:
                    continue
                if target in seen:
                    raise DataError(f"{what}: appears twice in the archive")
                seen.add(target)
                plan.append((m, target))
            if not plan:
                raise DataError(f"{archive}: the archive holds no data set files")
            # Everything checked: write the files ourselves.
            (into / "pic").mkdir(exist_ok=True)
            for m, target in plan:
                f = tf.extractfile(m)
                data = f.read(m.size + 1) if f is not None else b""
                if len(data) != m.size:
                    raise DataError(f"{archive}: {_clip(m.name)} is truncated")
                _write_new(into, target, data)
    except DataError:
        raise
    except tarfile.ReadError:
        raise DataError(f"{archive}: not a readable .tar or .tar.gz archive") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError, MemoryError) as e:
        raise DataError(f"{archive}: not a readable .tar.gz archive ({_short(e)})") from None
    return into


def copy_dataset_folder(src: str | os.PathLike, into: str | os.PathLike) -> Path:
    """Copy a data set folder (the tutorial's, extracted) into the empty folder ``into``.

    The same rules as :func:`extract_dataset_archive`: ``src`` holds ``train.txt`` etc. and
    ``pic/`` itself or in its one subfolder; nothing is followed through a symbolic link,
    only regular files are read (a FIFO or device is an error, never a hang), names and
    limits are checked before anything is written. Returns ``into``.
    """
    src, into = Path(src), Path(into)
    root = src
    if not (src / "train.txt").exists():
        subs = [e for e in os.scandir(src) if e.is_dir(follow_symlinks=False)
                and os.path.lexists(os.path.join(e.path, "train.txt"))]
        if len(subs) != 1:
            raise DataError(f"{src}: no train.txt found (expected the tutorial's pic/ and list files)")
        root = Path(subs[0].path)
    budget = _Budget(str(src))
    plan: list[tuple[Path, str, int]] = []

    def check(entry: os.DirEntry, rel: str) -> None:
        what = f"{src}: {_clip(rel)}"
        st = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            raise DataError(f"{what}: is a symbolic link; a data set holds only files and folders")
        if not stat.S_ISREG(st.st_mode):
            raise DataError(f"{what}: is not a regular file (a folder, device or FIFO)")
        budget.add(what, st.st_size, "/" not in rel)
        plan.append((Path(entry.path), rel, st.st_size))

    for e in os.scandir(root):
        if e.name in _LIST_NAMES:
            check(e, e.name)
        elif e.name == "pic":
            if not e.is_dir(follow_symlinks=False):
                raise DataError(f"{src}: pic is not a folder (a link or a file)")
            for p in os.scandir(e.path):
                if _SKIPPED.match(p.name):
                    continue
                if not _PIC_NAME.match(p.name):
                    raise DataError(f"{src}: pic/{_clip(p.name)}: unexpected name (pic/ holds NAME.png images)")
                check(p, f"pic/{p.name}")
        elif not _SKIPPED.match(e.name):
            raise DataError(f"{src}: {_clip(e.name)}: unexpected name (a data set holds pic/*.png "
                            "and train.txt, validate.txt, test.txt)")
    (into / "pic").mkdir(exist_ok=True)
    for path, rel, size in plan:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(path, flags)
        except OSError as e:
            raise DataError(f"{src}: {rel}: cannot read ({_short(e)})") from None
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # swapped since the check
                raise DataError(f"{src}: {rel}: is not a regular file")
            data = f.read(size + 1)
        if len(data) != size:
            raise DataError(f"{src}: {rel}: changed while it was copied")
        _write_new(into, rel, data)
    return into
