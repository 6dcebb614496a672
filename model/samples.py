"""The user's own labelled drawings ("my samples"), kept for fine-tuning and evaluation.

A sample set is a folder in the tutorial's format: ``pic/NAME.png`` images and one list
file ``list.txt`` of ``pic/NAME.png LABEL`` lines (labels 0-25 for A-Z), so
``letterlab evaluate --list DIR/list.txt`` and :func:`model.data.read_list` read it as they
read any list. The folder is ``$LETTERLAB_SAMPLES_DIR`` if set, else
``platformdirs.user_data_dir("letterlab") / "samples"``.

Each image is the drawing at its **original resolution** (the canvas image, a scan...), as
8-bit gray, dark ink on white, so a later change to :func:`model.preprocess.normalize` can
re-read it. Only an image whose longer side exceeds :data:`MAX_SIDE` is shrunk (area
averaging) to that size, far above the 17 pixels the network sees. A sample's name is
``LETTER_HASH.png``, the hash of its pixels: adding the same drawing with the same letter
twice keeps one copy, and importing an archive twice adds nothing the second time.

Crash safety: an image is written (atomically) before the list names it, and a removal
rewrites the list before it deletes the file, so the list never names a missing file; a
crash can only leave an unlisted image, which the next change deletes. Concurrency (the
app and a ``letterlab samples`` command at once): every change takes an exclusive lock
on ``DIR/.lock`` (``fcntl.flock``; a lock in this process as well), re-reads the list
under it, and writes the whole list back atomically, so no change is lost. Readers
(:meth:`SampleSet.entries`, :meth:`SampleSet.arrays`) take no lock: they see the list as
one atomic file, either before or after a change.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import shutil
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from . import LETTERS, N_CLASSES, N_INPUTS, LetterLabError
from .data import (
    _PIC_NAME,
    DataError,
    _clip,
    _read_entries,
    atomic_write_bytes,
    extract_dataset_archive,
    gray_array,
    read_gray,
    read_list,
)
from .preprocess import ink_image, is_empty, normalize

__all__ = [
    "ENV_SAMPLES_DIR", "LIST_NAME", "MAX_SIDE", "ImportResult", "Removed", "Sample", "SampleSet",
    "SampleError", "base_lr", "default_samples_dir", "finetune_config", "mix_samples", "samples_weight",
    "training_set",
]

#: Environment variable naming the sample folder itself (tests, people who keep several).
ENV_SAMPLES_DIR = "LETTERLAB_SAMPLES_DIR"
#: The list file's name inside the folder.
LIST_NAME = "list.txt"
#: A stored drawing's longer side is at most this many pixels (a canvas is about 280).
MAX_SIDE = 1000
_NAME_RE = re.compile(r"^[A-Z]_[0-9a-f]{16}\.png$")
_LOCK_NAME = ".lock"
_PROCESS_LOCK = threading.RLock()


class SampleError(LetterLabError):
    """A sample set problem meant for a person (blank drawing, unknown letter or name)."""


def default_samples_dir() -> Path:
    """``$LETTERLAB_SAMPLES_DIR`` if set, else ``platformdirs.user_data_dir("letterlab")/samples``."""
    env = os.environ.get(ENV_SAMPLES_DIR, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("letterlab")) / "samples"


@dataclass(frozen=True)
class Sample:
    """One entry of the set: ``name`` (``R_0123456789abcdef.png``), its letter and label
    (0-25) and the image's path."""

    name: str
    letter: str
    label: int
    path: Path


@dataclass
class Removed:
    """What :meth:`SampleSet.remove` took out, enough for :meth:`SampleSet.restore` to put it
    back (the images' bytes are kept in memory; a few kB per drawing)."""

    items: list[tuple[int, str, int, bytes]] = field(default_factory=list)  # (position, name, label, png)

    @property
    def names(self) -> list[str]:
        return [name for _, name, _, _ in self.items]

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class ImportResult:
    """``added``: names new to the set; ``skipped``: how many were already in it."""

    added: list[str]
    skipped: int


def _label(letter) -> int:
    """``"R"``/``"r"`` or 17 → 17; anything else is a :class:`SampleError`."""
    if isinstance(letter, (int, np.integer)) and not isinstance(letter, bool):
        if 0 <= int(letter) < N_CLASSES:
            return int(letter)
    elif isinstance(letter, str) and len(letter.strip()) == 1 and letter.strip().upper() in LETTERS:
        return LETTERS.index(letter.strip().upper())
    raise SampleError(f"{str(letter)[:20]!r} is not a letter A-Z")


def _stored_image(image, what: str | None = None) -> np.ndarray:
    """Any image (2-D array of any dtype, RGB(A) array, PIL image, or a file path) as the
    2-D uint8 array we store: dark ink on white, at most :data:`MAX_SIDE` px on its longer
    side. A blank image raises :class:`SampleError`."""
    if isinstance(image, (str, os.PathLike)):
        what = str(image)
        image = read_gray(image)
    elif isinstance(image, Image.Image):
        image = gray_array(image)
    where = f"{what}: " if what else ""
    try:
        ink = ink_image(image)
    except ValueError as e:
        raise SampleError(f"{where}{e}") from None
    if ink.size == 0 or is_empty(ink):
        raise SampleError(f"{where}the image is blank (no ink); draw a letter first")
    stored = np.round(255.0 * (1.0 - np.clip(np.nan_to_num(ink), 0.0, 1.0))).astype(np.uint8)
    h, w = stored.shape
    if max(h, w) > MAX_SIDE:
        s = MAX_SIDE / max(h, w)
        size = (max(1, round(w * s)), max(1, round(h * s)))
        stored = np.asarray(Image.fromarray(stored).resize(size, Image.Resampling.BOX))
    return stored


def _png(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a, mode="L").save(buf, format="PNG")
    return buf.getvalue()


def _name_for(a: np.ndarray, label: int) -> str:
    h = hashlib.sha256(f"{a.shape[0]}x{a.shape[1]}:".encode() + a.tobytes()).hexdigest()
    return f"{LETTERS[label]}_{h[:16]}.png"


class SampleSet:
    """The user's sample set in ``folder`` (default :func:`default_samples_dir`).

    Every method reads the folder afresh (another process may have changed it); nothing
    is cached in the object, so the app and the command line can share a folder.
    Changes are atomic and serialised (see the module docstring). Errors a person can fix
    are :class:`LetterLabError` subclasses with one-line messages.

    Example:
        >>> s = SampleSet(tmp)                      # doctest: +SKIP
        >>> name = s.add(canvas_array, "R")        # "R_3f2a....png"
        >>> undo = s.remove([name]); s.restore(undo)
        >>> x, y = s.arrays()                       # (n, 289) float32, (n,) int64
    """

    def __init__(self, folder: str | os.PathLike | None = None) -> None:
        self.folder = Path(folder).expanduser() if folder is not None else default_samples_dir()

    def __repr__(self) -> str:
        return f"SampleSet({str(self.folder)!r})"

    @property
    def list_path(self) -> Path:
        """``folder/list.txt`` (may not exist yet: an empty set)."""
        return self.folder / LIST_NAME

    # ---------------------------------------------------------------- reading
    def _read(self) -> list[tuple[str, int]]:
        """``(name, label)`` for every entry, in the list's order (names without ``pic/``)."""
        if not self.list_path.exists():
            return []
        try:
            _, entries = _read_entries(self.list_path)
        except DataError as e:
            if "has no entries" in str(e):
                return []
            raise
        out = []
        for rel, label, lineno in entries:
            if not rel.startswith("pic/") or "/" in rel[4:] or rel[4:] in ("", ".", ".."):
                raise DataError(f"{self.list_path}:{lineno}: {_clip(rel)} is not an image in pic/")
            out.append((rel[4:], label))
        return out

    def entries(self) -> list[Sample]:
        """Every sample, oldest first."""
        pic = self.folder / "pic"
        return [Sample(n, LETTERS[l], l, pic / n) for n, l in self._read()]

    def __len__(self) -> int:
        return len(self._read())

    def counts(self) -> dict[str, int]:
        """Samples per letter, all 26 letters in order (0 for a letter you have none of)."""
        c = dict.fromkeys(LETTERS, 0)
        for _, label in self._read():
            c[LETTERS[label]] += 1
        return c

    def summary(self) -> dict:
        """``{"count": N, "per_letter": {"A": n, ...}, "dir": "..."}`` (``letterlab samples list --json``);
        ``per_letter`` holds the letters with at least one sample."""
        c = self.counts()
        return {"count": sum(c.values()), "per_letter": {k: v for k, v in c.items() if v},
                "dir": str(self.folder)}

    def image(self, name: str) -> np.ndarray:
        """A sample's stored drawing: 2-D uint8, dark ink on white (for thumbnails)."""
        return read_gray(self.folder / "pic" / self._resolve([name])[0])

    def arrays(self, progress=None) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)``: ``(n, 289)`` float32 through :func:`model.preprocess.normalize` (ink 1.0)
        and ``(n,)`` int64 labels, in list order; empty arrays for an empty set. Uses the
        list reader's cache, so a second call costs a hash of the list file."""
        if not self._read():
            return np.zeros((0, N_INPUTS), np.float32), np.zeros((0,), np.int64)
        for attempt in range(3):
            try:
                ds = read_list(self.list_path, progress=progress, normalize=normalize)
                return ds.x, ds.y
            except DataError as e:
                # A removal in another process between our list read and an image read.
                if attempt == 2 or "not found" not in str(e):
                    raise DataError(f"{e} (remove it with: letterlab samples remove NAME)") from None
                time.sleep(0.05)
        raise AssertionError("unreachable")  # pragma: no cover

    # ---------------------------------------------------------------- changing
    @contextlib.contextmanager
    def _locked(self) -> Iterator[list[tuple[str, int]]]:
        """Hold the set's lock; yields the entries as they are now (re-read under the lock)."""
        (self.folder / "pic").mkdir(parents=True, exist_ok=True)
        with _PROCESS_LOCK:
            fd = os.open(self.folder / _LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                try:
                    import fcntl

                    fcntl.flock(fd, fcntl.LOCK_EX)
                except ImportError:  # pragma: no cover - Windows: the in-process lock only
                    pass
                yield self._read()
            finally:
                os.close(fd)  # releases the flock

    def _write_list(self, entries: Sequence[tuple[str, int]]) -> None:
        data = "".join(f"pic/{n} {l}\n" for n, l in entries).encode()
        atomic_write_bytes(self.list_path, lambda f: f.write(data))

    def _remove_orphans(self, entries: Sequence[tuple[str, int]]) -> None:
        """Delete images no entry names (left by a crash); call with the lock held."""
        listed = {n for n, _ in entries}
        for e in os.scandir(self.folder / "pic"):
            if _NAME_RE.match(e.name) and e.name not in listed and e.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(e.path)

    def _add_stored(self, items: Iterable[tuple[np.ndarray, int]]) -> tuple[list[str], int]:
        """Add checked ``(stored uint8 image, label)`` pairs in one list write."""
        items = [(_name_for(a, l), a, l) for a, l in items]
        with self._locked() as entries:
            self._remove_orphans(entries)
            have = {n for n, _ in entries}
            added = []
            for name, a, label in items:
                if name in have:
                    continue
                data = _png(a)
                atomic_write_bytes(self.folder / "pic" / name, lambda f, d=data: f.write(d))
                have.add(name)
                added.append((name, label))
            if added:
                self._write_list([*entries, *added])
        return [n for n, _ in added], len(items) - len(added)

    def add(self, image, letter) -> str:
        """Add one drawing with its letter; returns the sample's name.

        Args:
            image: a 2-D array of any size and dtype, either polarity (the canvas image),
                an RGB(A) array, a PIL image, or the path of an image file (untrusted:
                opened with :func:`model.data.open_image`).
            letter: ``"A"``-``"Z"`` (either case) or a label 0-25.

        Raises:
            SampleError: blank image or not a letter. DataError: an unreadable file.
        If the same drawing already has this letter, nothing is added and its name is returned.
        """
        label = _label(letter)
        a = _stored_image(image)
        names, _ = self._add_stored([(a, label)])
        return names[0] if names else _name_for(a, label)

    def add_many(self, images: Sequence, letter) -> list[str]:
        """Add several drawings with one letter, all or none (every image is checked
        first); returns the names of those that were new."""
        label = _label(letter)
        stored = [_stored_image(im, str(im) if isinstance(im, (str, os.PathLike)) else f"image {i + 1}")
                  for i, im in enumerate(images)]
        return self._add_stored([(a, label) for a in stored])[0]

    def _resolve(self, names: Iterable[str]) -> list[str]:
        """Accept ``R_….png``, ``pic/R_….png`` or ``R_…``; a name not in the set is an error."""
        have = {n for n, _ in self._read()}
        out = []
        for raw in names:
            n = str(raw).strip()
            n = n[4:] if n.startswith("pic/") else n
            n = n if n.endswith(".png") else n + ".png"
            if n not in have:
                raise SampleError(f"{_clip(str(raw))}: no such sample in {self.folder}")
            out.append(n)
        return out

    def remove(self, names: Iterable[str]) -> Removed:
        """Remove samples by name (all or none); returns what :meth:`restore` needs to undo it."""
        wanted = set(self._resolve(names))
        removed = Removed()
        with self._locked() as entries:
            keep = []
            for pos, (n, l) in enumerate(entries):
                if n in wanted:
                    try:
                        data = (self.folder / "pic" / n).read_bytes()
                    except OSError:
                        data = b""
                    removed.items.append((pos, n, l, data))
                else:
                    keep.append((n, l))
            self._write_list(keep)   # the list first: it never names a deleted file
            for _, n, _, _ in removed.items:
                with contextlib.suppress(OSError):
                    (self.folder / "pic" / n).unlink()
        return removed

    def restore(self, removed: Removed) -> list[str]:
        """Undo :meth:`remove`: put the samples back at their old positions; returns the
        names restored (one already back in the set, or whose image was unreadable, is skipped)."""
        with self._locked() as entries:
            entries = list(entries)
            have = {n for n, _ in entries}
            back = []
            for pos, n, l, data in sorted(removed.items):
                if n in have or not data:
                    continue
                atomic_write_bytes(self.folder / "pic" / n, lambda f, d=data: f.write(d))
                entries.insert(min(pos, len(entries)), (n, l))
                have.add(n)
                back.append(n)
            if back:
                self._write_list(entries)
        return back

    def clear(self) -> Removed:
        """Remove every sample (undoable like :meth:`remove`)."""
        return self.remove([n for n, _ in self._read()])

    # ---------------------------------------------------------------- archives
    def export(self, path: str | os.PathLike) -> Path:
        """Write the set to a ``.tar.gz`` (``samples/list.txt`` and ``samples/pic/*.png``),
        atomically; returns the path. An empty set is an error."""
        path = Path(path).expanduser()
        with self._locked() as entries:
            if not entries:
                raise SampleError(f"{self.folder}: no samples to export")
            files = [(f"pic/{n}", (self.folder / "pic" / n).read_bytes()) for n, _ in entries]
            files.append((LIST_NAME, "".join(f"pic/{n} {l}\n" for n, l in entries).encode()))
        now = int(time.time())

        def write(f):
            with tarfile.open(fileobj=f, mode="w:gz", format=tarfile.PAX_FORMAT) as tf:
                d = tarfile.TarInfo("samples/pic")
                d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, now
                tf.addfile(d)
                for rel, data in files:
                    info = tarfile.TarInfo(f"samples/{rel}")
                    info.size, info.mode, info.mtime = len(data), 0o644, now
                    tf.addfile(info, io.BytesIO(data))

        try:
            atomic_write_bytes(path, write)
        except OSError as e:
            raise SampleError(f"{path}: cannot write the archive ({e.strerror or e})") from None
        return path

    def import_(self, path: str | os.PathLike) -> ImportResult:
        """Merge a ``.tar.gz`` made by :meth:`export` (or any archive of ``pic/*.png`` and a
        ``list.txt``, optionally in one folder) into the set, all or nothing.

        The archive is untrusted and checked like ``letterlab data import``'s
        (:func:`model.data.extract_dataset_archive`: files and folders only, a sample set's
        names, size limits, nothing written before everything is checked); every image is
        then opened with :func:`model.data.open_image`, must hold ink and is stored anew
        (never copied byte for byte). Drawings already in the set are skipped.
        """
        path = Path(path).expanduser()
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".import-", dir=self.folder))
        try:
            extract_dataset_archive(path, tmp, lists=frozenset({LIST_NAME}))
            lp = tmp / LIST_NAME
            if not lp.is_file():
                raise DataError(f"{path}: {LIST_NAME} is missing (not a LetterLab samples archive)")
            _, entries = _read_entries(lp)
            items = []
            for rel, label, lineno in entries:
                if not (rel.startswith("pic/") and _pic_ok(rel[4:])):
                    raise DataError(f"{path}: {LIST_NAME}:{lineno}: {_clip(rel)} is not an image in pic/")
                try:
                    items.append((_stored_image(read_gray(tmp / rel), f"{path}: {rel}"), label))
                except DataError as e:
                    raise DataError(f"{path}: {LIST_NAME}:{lineno}: {str(e).replace(str(tmp) + os.sep, '')}") from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        added, skipped = self._add_stored(items)
        return ImportResult(added, skipped)


def _pic_ok(name: str) -> bool:
    return bool(_PIC_NAME.match(name))


# ---------------------------------------------------------------- training with samples
#: The share of a fine-tuning epoch the samples should make up by default (see :func:`samples_weight`).
SAMPLES_SHARE = 0.05
#: The most times one drawing is repeated per epoch by default.
MAX_SAMPLES_WEIGHT = 20


def samples_weight(n_generated: int, n_samples: int, share: float = SAMPLES_SHARE,
                   max_weight: int = MAX_SAMPLES_WEIGHT) -> int:
    """The default number of times each sample is repeated in an epoch: enough that the
    samples are about ``share`` of the epoch, between 1 and ``max_weight``.

    With the fine-tune's 8000 generated images and 4 drawings per letter (104) that is 4
    (5 % of the epoch); with a handful of drawings the cap keeps a few images from being
    seen hundreds of times (memorised rather than generalised from).
    """
    if n_samples <= 0:
        return 0
    return int(min(max_weight, max(1, round(share * n_generated / n_samples))))


def mix_samples(x: np.ndarray, y: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                weight: int) -> tuple[np.ndarray, np.ndarray]:
    """The training arrays with each sample ``(xs, ys)`` appended ``weight`` times
    (the Trainer shuffles every epoch, so the repeats spread over the batches)."""
    if weight <= 0 or len(ys) == 0:
        return x, y
    return (np.concatenate([x, np.tile(np.asarray(xs, np.float32), (weight, 1))]),
            np.concatenate([y, np.tile(np.asarray(ys, np.int64), weight)]))


def training_set(x: np.ndarray, y: np.ndarray, xs: np.ndarray | None = None, ys: np.ndarray | None = None,
                 seed: int = 0, subset: int | None = None, weight: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray, int]:
    """The arrays to hand to the Trainer: ``subset`` images of the training split ``(x, y)``
    chosen at random (``default_rng([seed, 3])``; None or at least ``len(y)``: all of them),
    plus the samples ``(xs, ys)`` each repeated ``weight`` times (None:
    :func:`samples_weight` of the subset's size). Returns ``(x, y, weight used)``.
    For a fine-tune, pass ``subset=FINETUNE_SUBSET``."""
    if subset is not None and subset < len(y):
        idx = np.sort(np.random.default_rng([int(seed), 3]).choice(len(y), int(subset), replace=False))
        x, y = x[idx], y[idx]
    if xs is None or ys is None or len(ys) == 0:
        return x, y, 0
    k = samples_weight(len(y), len(ys)) if weight is None else int(weight)
    return (*mix_samples(x, y, xs, ys, k), k)


# ---------------------------------------------------------------- fine-tuning recipe
#: Fine-tuning from a weights file: this many epochs ...
FINETUNE_EPOCHS = 2
#: ... at this fraction of the file's learning rate ...
FINETUNE_LR_FACTOR = 0.1
#: ... on this many randomly chosen generated training images (plus the repeated samples).
FINETUNE_SUBSET = 8000
_ARCH_FIELDS = ("hidden", "activation", "loss", "conv", "dropout")


def finetune_config(spec, meta: dict, **overrides):
    """The :class:`model.training.TrainConfig` to continue training a network loaded from a
    weights file (``spec``: its :class:`model.network.NetSpec`; ``meta``: its metadata).

    The architecture comes from ``spec``; an override of ``hidden``, ``activation``,
    ``loss``, ``conv`` or ``dropout`` that contradicts it raises :class:`LetterLabError`.
    The recipe is the file's (batch size, momentum, weight decay, warping, label smoothing,
    seed) at :data:`FINETUNE_LR_FACTOR` times its learning rate for
    :data:`FINETUNE_EPOCHS` epochs with a constant rate; ``overrides`` (``lr``, ``epochs``,
    ``batch_size``...; None means "not given") replace any of it. The file's original
    rate is read from ``meta["base_lr"]`` when it was itself fine-tuned.
    """
    from .training import TrainConfig

    overrides = {k: v for k, v in overrides.items() if v is not None}
    if spec.kernel != 3:
        raise LetterLabError(f"the network uses {spec.kernel}x{spec.kernel} convolutions; "
                             "only 3x3 networks can be trained further")
    arch = {"hidden": tuple(spec.hidden), "activation": spec.activation, "loss": spec.loss,
            "conv": tuple(spec.conv), "dropout": float(spec.dropout)}
    for k in _ARCH_FIELDS:
        if k in overrides:
            v = overrides.pop(k)
            v = tuple(v) if k in ("hidden", "conv") else (float(v) if k == "dropout" else v)
            if v != arch[k]:
                shown = {"hidden": lambda t: ",".join(map(str, t)) or "none",
                         "conv": lambda t: ",".join(map(str, t)) or "none"}.get(k, str)
                raise LetterLabError(f"--{k} {shown(v)} contradicts the weights file's network "
                                     f"({k} {shown(arch[k])}); the architecture comes from the file")

    def num(key, kind, default, ok):
        return _meta_number(meta, key, kind, default, ok)

    smoothing = 0.0
    if spec.loss == "softmax_cross_entropy":
        smoothing = num("label_smoothing", float, 0.0, lambda v: 0 <= v < 1)
    recipe = dict(
        arch, lr=base_lr(meta, spec.loss) * FINETUNE_LR_FACTOR, epochs=FINETUNE_EPOCHS,
        batch_size=num("batch_size", int, 64, lambda v: 1 <= v <= 1 << 20),
        momentum=num("momentum", float, 0.0, lambda v: 0 <= v < 1),
        weight_decay=num("weight_decay", float, 0.0, lambda v: 0 <= v < 1),
        augment=meta.get("augment") is True, label_smoothing=smoothing, schedule="constant",
        seed=num("seed", int, 0, lambda v: 0 <= v < 2**63),
        preset=meta.get("preset") if isinstance(meta.get("preset"), str) else "custom")
    recipe.update(overrides)
    return TrainConfig(**recipe)


def _meta_number(meta, key, kind, default, ok):
    """``meta[key]`` as ``kind`` if it is a finite number that ``ok`` accepts, else ``default``
    (a weights file's metadata is untrusted)."""
    v = meta.get(key) if isinstance(meta, dict) else None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v) or not ok(v):
        return default
    return kind(v)


def base_lr(meta: dict, loss: str) -> float:
    """The learning rate a weights file was trained with from scratch: ``base_lr`` (kept by
    fine-tunes), else its ``lr``, else the loss's usual rate."""
    from .training import DEFAULT_LR

    return (_meta_number(meta, "base_lr", float, None, lambda v: v > 0)
            or _meta_number(meta, "lr", float, DEFAULT_LR[loss], lambda v: v > 0))
