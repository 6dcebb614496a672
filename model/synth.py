"""The offline data-set generator, the default data set, contact sheets and imports.

:func:`generate` writes the tutorial's layout -- ``pic/NAME.png`` (17x17, black ink on
white) and ``train.txt`` / ``validate.txt`` / ``test.txt`` (lines ``pic/NAME.png LABEL``) --
with 2/3 of the samples for training and 1/6 each for validation and test (40000 / 10000 /
10000 for the default 60000), every split balanced over the 26 letters.

Each sample is drawn by :mod:`model.synth_glyphs` from one glyph source (hand-made stroke
skeletons, Hershey stroke fonts, outline fonts), varied (pen width, size, position,
rotation, shear, stretch, elastic warp, per-stroke wobble, alternate letter forms) on a
large canvas and passed through :func:`model.preprocess.normalize`, the same function the
drawing canvas uses.

Determinism: every sample has its own random generator seeded by ``(seed, split, index)``,
so the same seed gives byte-identical list files and images whatever the number of worker
processes. (The set of outline fonts is part of the input: a machine without DejaVu, or
``system_fonts=True``, gives a different data set.)

Atomicity: a data set is built in a hidden temporary folder beside ``out_dir`` and renamed
into place only when complete (images, list files, caches and the ``letterlab-data.json``
marker). A crash or a cancel leaves at most a hidden ``.NAME.tmp-*`` folder, never a
folder that looks complete.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import LETTERS, N_CLASSES, SIDE, LetterLabError
from .data import (
    SPLITS,
    DataError,
    atomic_write_bytes,
    copy_dataset_folder,
    extract_dataset_archive,
    read_list,
    write_split,
)
from .synth_glyphs import Source, available_sources, sample_input

__all__ = [
    "Cancelled", "DEFAULT_COUNT", "ENV_DATA_DIR", "MARKER", "contact_sheet", "dataset_info",
    "dataset_signature", "default_data_dir", "disk_size", "ensure_default_dataset",
    "estimated_disk_bytes", "estimated_seconds", "generate", "import_dataset", "is_complete", "megabytes",
    "list_sources", "split_sizes",
]

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

#: Samples in the default data set (40000 train, 10000 validate, 10000 test).
DEFAULT_COUNT = 60000
#: Environment variable naming the default data set folder itself (tests and CI set it).
ENV_DATA_DIR = "LETTERLAB_DATA_DIR"
#: File written last into every data set LetterLab generated or imported.
MARKER = "letterlab-data.json"
#: Smallest count: one sample per letter in each split.
MIN_COUNT = 3 * N_CLASSES
#: Samples per worker task (the unit of progress and of cancel checks).
CHUNK = 500
#: Bumped whenever the same seed gives different images (2: the "freehand" source);
#: the default data set is regenerated when it was made by an older generator.
GENERATOR_VERSION = 2


class Cancelled(LetterLabError):
    """Generation was cancelled; nothing was left behind."""

    def __init__(self, message: str = "data set generation cancelled") -> None:
        super().__init__(message)


# --------------------------------------------------------------------------- sources & plan

def list_sources(system_fonts: bool = False) -> list[str]:
    """Names of the glyph sources on this machine, usable in ``holdout_fonts``."""
    return [s.name for s in available_sources(system_fonts)]


def split_sizes(count: int) -> tuple[int, int, int]:
    """``(train, validate, test)`` sizes: 2/3, 1/6, 1/6 of ``count`` (40000/10000/10000)."""
    n_val = int(round(count / 6.0))
    n_test = n_val
    return count - n_val - n_test, n_val, n_test


def _resolve_holdout(sources: Sequence[Source], holdout: Iterable[str]) -> set[str]:
    by_lower = {s.name.lower(): s.name for s in sources}
    out = set()
    for h in holdout:
        h = str(h).strip()
        if not h:
            continue
        if h.lower() not in by_lower:
            raise LetterLabError(f"unknown glyph source {h!r}; available: {', '.join(s.name for s in sources)}")
        out.add(by_lower[h.lower()])
    if out and len(out) == len(sources):
        raise LetterLabError("every glyph source is held out; training would have no data")
    return out


def _plan(seed: int, count: int, sources: Sequence[Source], holdout: set[str]):
    """Per split: ``(split, labels (n,), source indices (n,))``, balanced labels in random order.

    With a holdout, train draws only from the other sources and validate/test only from
    the held-out ones.
    """
    plans = []
    for si, (split, n) in enumerate(zip(SPLITS, split_sizes(count))):
        rng = np.random.default_rng([seed, 0, si])
        labels = rng.permutation(np.arange(n) % N_CLASSES).astype(np.int64)
        if holdout:
            pick = [i for i, s in enumerate(sources) if (s.name in holdout) == (split != "train")]
        else:
            pick = list(range(len(sources)))
        w = np.array([sources[i].weight for i in pick], dtype=np.float64)
        src = np.asarray(pick)[rng.choice(len(pick), size=n, p=w / w.sum())]
        plans.append((split, labels, src))
    return plans


def _name(split: str, j: int) -> str:
    return f"{split}-{j:05d}.png"


# --------------------------------------------------------------------------- rendering work

_worker_sources: list[Source] = []


def _init_worker(sources: list[Source]) -> None:
    global _worker_sources
    _worker_sources = list(sources)


def _render_chunk(task) -> tuple[int, int, np.ndarray]:
    """Render samples ``start:start+n`` of one split and write them with ``write_split``.

    Writes ``pic/<split>-NNNNN.png`` and a part list ``.part-<split>-NNNNNN.txt`` that the
    parent joins into ``<split>.txt``. Returns ``(split index, start, ink)`` where ``ink``
    is ``(n, 289)`` uint8, 255 - the PNG pixels (ink 255), for the parent's array cache.
    """
    root, seed, si, split, start, labels, src_idx = task
    images = np.empty((len(labels), SIDE * SIDE), np.float32)
    for k, (label, s) in enumerate(zip(labels, src_idx)):
        j = start + k
        rng = np.random.default_rng([seed, 1, si, j])
        images[k] = sample_input(_worker_sources[s], LETTERS[label], rng)
    png = np.round(255.0 * (1.0 - np.clip(images, 0.0, 1.0))).astype(np.uint8)  # as to_png_array
    write_split(root, _part_name(split, start), [_name(split, start + k) for k in range(len(labels))],
                png, labels)
    return si, start, 255 - png


def _part_name(split: str, start: int) -> str:
    return f".part-{split}-{start:06d}"


def _can_spawn() -> bool:
    """Whether worker processes can start: a spawned child re-imports the main script,
    which fails for code read from stdin and in frozen apps."""
    if getattr(sys, "frozen", False):
        return False
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.isfile(main_file)


def _render_in_processes(tasks: list, sources: list[Source], workers: int,
                         chunk_done: Callable[[tuple], None]) -> list:
    """Render ``tasks`` in ``workers`` spawned processes (fork is unsafe from a threaded
    GUI). Returns the tasks still to do: none, or -- if the workers could not start (a
    main script without an ``if __name__ == "__main__"`` guard) -- those not finished,
    for the caller to render in this process; the result is the same either way.

    ``chunk_done`` may raise (cancel): running chunks are waited for, queued ones dropped,
    so no worker writes into the build folder after this returns.
    """
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("spawn")
    ex = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(sources,))
    finished = 0
    try:
        futures = [ex.submit(_render_chunk, t) for t in tasks]
        for f in futures:
            result = f.result()
            finished += 1
            chunk_done(result)
    except BrokenProcessPool:
        ex.shutdown(wait=True, cancel_futures=True)
        return tasks[finished:]
    except BaseException:
        ex.shutdown(wait=True, cancel_futures=True)
        raise
    ex.shutdown(wait=True)
    return []


class _SigtermAsExit:
    """While generating in the main thread, SIGTERM raises ``SystemExit(143)`` instead of
    killing the process outright, so the ``except BaseException`` clean-ups run as they do
    for Ctrl-C: worker processes are shut down and the temporary folder is removed."""

    def __enter__(self):
        self.old = None
        if threading.current_thread() is threading.main_thread():
            try:
                self.old = signal.signal(signal.SIGTERM, self._raise)
            except (ValueError, OSError):  # pragma: no cover - embedded interpreters
                self.old = None
        return self

    @staticmethod
    def _raise(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the clean-up finish
        raise SystemExit(128 + signum)

    def __exit__(self, *exc):
        if self.old is not None:
            signal.signal(signal.SIGTERM, self.old)
        return False


def _default_workers(count: int) -> int:
    if count < 4000:
        return 1  # process start-up (~1 s) costs more than it saves
    return max(1, min(2, os.cpu_count() or 1))


# --------------------------------------------------------------------------- folders

def default_data_dir() -> Path:
    """Where the default data set lives: ``$LETTERLAB_DATA_DIR`` if set, else
    ``platformdirs.user_data_dir("letterlab") / "letters"``."""
    env = os.environ.get(ENV_DATA_DIR, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("letterlab")) / "letters"


#: What LetterLab writes into a data set folder; a folder holding anything else is not
#: replaced without ``force`` (its other files would be deleted with it).
_OWN_NAMES = {"pic", MARKER, *(f"{s}.txt" for s in SPLITS)}


def _is_own_dataset(d: Path) -> bool:
    """Whether ``d`` is a data set LetterLab wrote (its marker) holding nothing else:
    only the list files, caches, the marker and ``pic/`` of PNG images."""
    try:
        if not (d / MARKER).is_file():
            return False
        for e in os.scandir(d):
            if e.name not in _OWN_NAMES and not (e.name.startswith(".") and e.name.endswith(".cache.npz")):
                return False
            if e.name == "pic":
                if not e.is_dir(follow_symlinks=False):
                    return False
                if any(not (p.name.endswith(".png") and p.is_file(follow_symlinks=False))
                       for p in os.scandir(e.path)):
                    return False
            elif not e.is_file(follow_symlinks=False):
                return False
        return True
    except OSError:
        return False


def _check_replaceable(out_dir: Path, force: bool = False) -> None:
    """Refuse to replace ``out_dir`` unless it is missing, empty, a data set LetterLab wrote
    holding nothing else, or ``force`` is given: replacing deletes what is there."""
    if not out_dir.exists() and not out_dir.is_symlink():
        return
    if not out_dir.is_dir() or out_dir.is_symlink():
        raise LetterLabError(f"{out_dir} is not a folder")
    if force:
        return
    try:
        empty = not any(os.scandir(out_dir))
    except OSError as e:
        raise LetterLabError(f"{out_dir}: cannot read the folder ({e.strerror or e})") from None
    if not empty and not _is_own_dataset(out_dir):
        raise LetterLabError(f"{out_dir} is not empty and is not a data set LetterLab wrote; replacing "
                             "it would delete its files: choose a new or empty folder, or use --force")


def _install(built: Path, dest: Path) -> None:
    """Move a complete data set folder ``built`` to ``dest``, replacing what is there.

    Both are on the same file system (``built`` is created beside ``dest``), so each
    rename is atomic; between the two renames ``dest`` is briefly absent, never partial.
    """
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        os.replace(dest, old / "data")
    os.replace(built, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


#: Leftover build folders older than this (seconds) are from a crash and are removed.
STALE_AFTER = 3600


def _remove_stale(dest: Path) -> None:
    """Delete hidden ``.NAME.tmp-*``, ``.NAME.old-*`` and ``.NAME.import-*`` folders beside
    ``dest`` left by a crash (a run in progress touches its folder far more often)."""
    import time

    now = time.time()
    for kind in ("tmp", "old", "import"):
        for p in dest.parent.glob(f".{dest.name}.{kind}-*"):
            try:
                if p.is_dir() and now - p.stat().st_mtime > STALE_AFTER:
                    shutil.rmtree(p, ignore_errors=True)
            except OSError:
                pass


def _count_lines(p: Path) -> int:
    with open(p, "rb") as f:
        return sum(1 for line in f if line.strip())


def _write_marker(root: Path, info: dict) -> None:
    info = dict(info)
    info["counts"] = {s: _count_lines(root / f"{s}.txt") for s in SPLITS}
    data = (json.dumps(info, indent=2, sort_keys=True) + "\n").encode()
    atomic_write_bytes(root / MARKER, lambda f: f.write(data))


def dataset_signature(data_dir: str | os.PathLike) -> str | None:
    """What identifies one generation of the data set in ``data_dir``: its marker file's
    inode, modification time and size (every generate or import writes a new marker, and a
    new set is renamed into place whole), or its list files' when there is no marker.
    None if there is no data set there. Compare two signatures, never read meaning in one."""
    d = Path(data_dir)
    parts = []
    for name in (MARKER,) if (d / MARKER).is_file() else tuple(f"{s}.txt" for s in SPLITS):
        try:
            st = os.stat(d / name)
        except OSError:
            return None
        parts.append(f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}")
    return "/".join(parts)


def dataset_info(data_dir: str | os.PathLike) -> dict:
    """The marker's contents (generator, seed, counts, ...), or {} if there is none or it is
    not a small JSON object (the folder may be anyone's)."""
    try:
        with open(Path(data_dir) / MARKER, "rb") as f:
            raw = f.read(1 << 20)
        info = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def disk_size(folder: str | os.PathLike) -> int:
    """Bytes ``folder`` takes on disk (allocated blocks, as ``du`` counts them); links are
    not followed."""
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in (*files, "."):
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            total += getattr(st, "st_blocks", 0) * 512 or st.st_size
    return total


def megabytes(n: int) -> str:
    """Bytes as ``du -h`` says them, in MiB."""
    return f"{n / 2**20:.0f} MiB" if n >= 10 * 2**20 else f"{n / 2**20:.1f} MiB"


#: Measured with ``du -sB1`` on the default data set (60000 samples: 255 MiB on ext4, each
#: 17x17 PNG in its own 4 KiB block, plus the caches): the estimate shown before generating.
DISK_BYTES_PER_SAMPLE = 4460
#: Samples generated per second on this project's reference machine (two cores: 60000 in 26 s);
#: only the first estimate of the time left, which progress then replaces.
SAMPLES_PER_SECOND = 2300


def estimated_disk_bytes(count: int = DEFAULT_COUNT) -> int:
    return int(count) * DISK_BYTES_PER_SAMPLE


def estimated_seconds(count: int = DEFAULT_COUNT) -> float:
    return int(count) / SAMPLES_PER_SECOND * 2 / max(1, min(2, os.cpu_count() or 1))


def is_complete(data_dir: str | os.PathLike) -> bool:
    """Whether ``data_dir`` holds a whole data set: ``pic/`` and the three list files,
    and, if LetterLab's marker is there, list files of the sizes it records."""
    d = Path(data_dir)
    if not (d / "pic").is_dir():
        return False
    if not all((d / f"{s}.txt").is_file() for s in SPLITS):
        return False
    marker = d / MARKER
    if marker.is_file():
        try:
            counts = json.loads(marker.read_text(encoding="utf-8"))["counts"]
            return all(_count_lines(d / f"{s}.txt") == int(counts[s]) for s in SPLITS)
        except (OSError, ValueError, KeyError, TypeError):
            return False
    return True


# --------------------------------------------------------------------------- generate

def generate(out_dir: str | os.PathLike, seed: int = 0, count: int = DEFAULT_COUNT,
             holdout_fonts: Iterable[str] = (), system_fonts: bool = False,
             progress: Progress | None = None, cancel: Cancel | None = None,
             workers: int | None = None, force: bool = False) -> Path:
    """Generate a data set of ``count`` samples in ``out_dir`` and return its path.

    Args:
        out_dir: the data set folder. If it exists it must be empty or a data set
            LetterLab wrote holding nothing else (replaced only once the new one is
            complete); ``force=True`` replaces any folder.
        seed: the same seed gives byte-identical list files and images.
        count: total samples; 2/3 train, 1/6 validate, 1/6 test, each balanced over A-Z.
        holdout_fonts: source names (see :func:`list_sources`, case-insensitive); if given,
            validate and test come only from them and train never sees them.
        system_fonts: also use outline fonts found on this machine.
        progress: ``progress(done, total)`` in samples; ``done == total`` only at the end.
        cancel: polled between chunks of :data:`CHUNK` samples; returning True stops,
            removes the partial build and raises :class:`Cancelled`.
        workers: processes to render with (default: 2 for big counts, 1 for small).
            The result does not depend on it.

    The arrays are cached for :func:`model.data.read_list` before the folder appears, so
    the first load is instant.
    """
    try:
        count = int(count)
        seed = int(seed)
    except (TypeError, ValueError):
        raise LetterLabError("count and seed must be whole numbers") from None
    if count < MIN_COUNT:
        raise LetterLabError(f"count must be at least {MIN_COUNT} (one sample per letter per split), got {count}")
    if seed < 0:
        raise LetterLabError(f"seed must be zero or positive, got {seed}")
    out_dir = Path(out_dir).expanduser().absolute()
    sources = available_sources(system_fonts)
    holdout = _resolve_holdout(sources, holdout_fonts)
    _check_replaceable(out_dir, force)
    plans = _plan(seed, count, sources, holdout)
    with _SigtermAsExit():
        try:
            out_dir.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale(out_dir)
            tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; a data set is not
        except OSError as e:
            raise LetterLabError(f"cannot create the data set folder {out_dir}: {e}") from None
        try:
            _build(tmp, seed, count, sources, plans, progress, cancel,
                   workers if workers is not None else _default_workers(count))
            _write_marker(tmp, {
                "generator": "letterlab.synth", "version": GENERATOR_VERSION, "seed": seed,
                "count": count, "holdout_fonts": sorted(holdout),
                "sources": [s.name for s in sources],
                "samples_per_source": {
                    split: {sources[i].name: int(n) for i, n in
                            zip(*np.unique(src, return_counts=True))}
                    for split, _, src in plans},
            })
            _check_replaceable(out_dir, force)
            _install(tmp, out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    if progress is not None:
        progress(count, count)
    return out_dir


def _build(root: Path, seed: int, count: int, sources: list[Source], plans, progress, cancel,
           workers: int) -> None:
    tasks = []
    for si, (split, labels, src) in enumerate(plans):
        for start in range(0, len(labels), CHUNK):
            tasks.append((str(root), seed, si, split, start, labels[start:start + CHUNK].tolist(),
                          src[start:start + CHUNK].tolist()))

    def check_cancel():
        if cancel is not None and cancel():
            raise Cancelled()

    done = 0
    inks = [np.zeros((len(labels), SIDE * SIDE), np.uint8) for _, labels, _ in plans]

    def chunk_done(result: tuple[int, int, np.ndarray]) -> None:
        nonlocal done
        si, start, ink = result
        inks[si][start:start + len(ink)] = ink
        done += len(ink)
        if progress is not None:
            progress(min(done, count - 1), count)
        check_cancel()

    check_cancel()
    remaining = tasks
    if workers > 1 and _can_spawn():
        remaining = _render_in_processes(tasks, sources, workers, chunk_done)
    if remaining:
        _init_worker(sources)
        for t in remaining:
            chunk_done(_render_chunk(t))
    # Join the part lists into the split lists.
    for split, labels, _ in plans:
        parts = sorted(root.glob(f"{_part_name(split, 0)[:-6]}*.txt"))
        data = b"".join(p.read_bytes() for p in parts)
        atomic_write_bytes(root / f"{split}.txt", lambda f: f.write(data))
        for p in parts:
            p.unlink()
    for (split, labels, _), ink in zip(plans, inks):
        check_cancel()
        _prime_cache(root / f"{split}.txt", ink, labels)


def _prime_cache(list_path: Path, ink: np.ndarray, labels: np.ndarray) -> None:
    """Write read_list's array cache from the arrays the workers computed, then load the
    split through :func:`model.data.read_list` to check it.

    This saves reading 60000 PNGs back (~8 s); if the cache is not taken, read_list
    simply reads the images, which is slower but equally correct.
    """
    from .data import write_cache

    write_cache(list_path, ink.astype(np.float32) / 255.0, labels)
    ds = read_list(list_path)
    if not np.array_equal(ds.y, labels):  # pragma: no cover - would be a bug here
        raise DataError(f"{list_path}: labels differ from the plan")


def ensure_default_dataset(progress: Progress | None = None, cancel: Cancel | None = None) -> Path:
    """The default data set's folder, generating it (seed 0, 60000 samples) if it is
    missing or incomplete. Takes well under a minute on two cores."""
    d = default_data_dir()
    if is_complete(d) and not _outdated(d):
        return d
    # An incomplete data set there is replaced once the new one is complete; a folder
    # holding something else makes generate() refuse rather than delete it.
    return generate(d, seed=0, count=DEFAULT_COUNT, progress=progress, cancel=cancel)


def _outdated(d: Path) -> bool:
    """Whether ``d`` was generated by an older version of this generator."""
    try:
        info = json.loads((d / MARKER).read_text(encoding="utf-8"))
        return info.get("generator") == "letterlab.synth" and int(info.get("version", 0)) < GENERATOR_VERSION
    except (OSError, ValueError, TypeError, AttributeError):
        return False


# --------------------------------------------------------------------------- contact sheet

def contact_sheet(out_png: str | os.PathLike, seed: int = 0, per_letter: int = 12,
                  system_fonts: bool = False, zoom: int = 4) -> Path:
    """Write a PNG grid of generated samples: one row per letter (labelled on the left),
    ``per_letter`` samples per row, each 17x17 input enlarged ``zoom`` times
    (nearest-neighbour), black ink on white, exactly as the network sees them.

    Samples are drawn with the data set's source weights; the same seed gives the same sheet.
    """
    sources = available_sources(system_fonts)
    w = np.array([s.weight for s in sources])
    w /= w.sum()
    cell = SIDE * zoom
    gap = max(2, zoom)
    label_w = 2 * cell // 3
    width = label_w + per_letter * (cell + gap)
    height = N_CLASSES * (cell + gap) + gap
    sheet = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(sheet)
    try:
        font = ImageFont.load_default(int(cell * 0.6))
    except TypeError:  # pragma: no cover - old Pillow
        font = ImageFont.load_default()
    for i, letter in enumerate(LETTERS):
        y0 = gap + i * (cell + gap)
        draw.text((label_w // 2, y0 + cell // 2), letter, fill=0, font=font, anchor="mm")
        for k in range(per_letter):
            rng = np.random.default_rng([seed, 7, i, k])
            src = sources[int(rng.choice(len(sources), p=w))]
            x = sample_input(src, letter, rng)
            img = np.round(255.0 * (1.0 - x.reshape(SIDE, SIDE))).astype(np.uint8)
            tile = Image.fromarray(img).resize((cell, cell), Image.Resampling.NEAREST)
            x0 = label_w + k * (cell + gap)
            sheet.paste(tile, (x0, y0))
            draw.rectangle((x0 - 1, y0 - 1, x0 + cell, y0 + cell), outline=200)
    out_png = Path(out_png)
    atomic_write_bytes(out_png, lambda f: sheet.save(f, format="PNG", optimize=True))
    try:
        os.chmod(out_png, 0o644)  # a picture to share, not a private temp file
    except OSError:  # pragma: no cover
        pass
    return out_png


# --------------------------------------------------------------------------- import

def import_dataset(path: str | os.PathLike, dest: str | os.PathLike | None = None,
                   progress: Progress | None = None) -> Path:
    """Install the tutorial's ``data.tar.gz`` (or its extracted folder) as the active data set.

    The archive is extracted (:func:`model.data.extract_dataset_archive`: only files and
    folders with a data set's names, no links, limits checked first) or the folder copied
    (:func:`model.data.copy_dataset_folder`, the same rules) into a temporary folder beside
    ``dest`` (default :func:`default_data_dir`), every list file and image is checked with
    :func:`model.data.read_list` (which also builds the cache), and only then is it renamed
    into place. On any problem a :class:`model.data.DataError` names it and nothing changes.
    """
    path = Path(path).expanduser()
    dest = Path(dest).expanduser().absolute() if dest is not None else default_data_dir().absolute()
    if not path.exists():
        raise DataError(f"{path}: not found")
    if dest.exists() and dest.resolve() == path.resolve():
        raise DataError(f"{path} is already the active data set")
    if path.is_dir() and dest.exists():
        src, act = path.resolve(), dest.resolve()
        if act.is_relative_to(src):
            raise DataError(f"{path} holds the active data set ({dest}): choose the folder with "
                            "train.txt, validate.txt, test.txt and pic/ of the set to import")
        if src.is_relative_to(act):
            raise DataError(f"{path} is inside the active data set ({dest})")
    _check_replaceable(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.import-", dir=dest.parent))
    try:
        # Checked member by member, written by us (see model.data): no links, no devices,
        # only a data set's names, limits before anything is written.
        root = tmp / "data"
        root.mkdir()
        try:
            if path.is_dir():
                copy_dataset_folder(path, root)
            else:
                extract_dataset_archive(path, root)
        except DataError as e:     # name the user's file, never our temporary folder
            raise DataError(str(e).replace(f"{root}{os.sep}", "").replace(str(root), str(path))) from None
        lists = [root / f"{split}.txt" for split in SPLITS]
        for split, lp in zip(SPLITS, lists):
            if not lp.is_file():
                raise DataError(f"{path}: {split}.txt is missing")
        # Progress in images over the three lists (their sizes were checked on extraction).
        counts = [sum(1 for line in lp.read_text(encoding="utf-8", errors="replace").splitlines()
                      if line.strip()) for lp in lists]
        for i, lp in enumerate(lists):
            sub = None
            if progress is not None:
                sub = lambda d, t, i=i: progress(sum(counts[:i]) + d, sum(counts))
            try:
                read_list(lp, progress=sub)
            except DataError as e:
                raise DataError(f"{path}: " + str(e).replace(f"{root}{os.sep}", "")) from None
        _write_marker(root, {"generator": "imported", "from": str(path)})
        os.chmod(root, 0o755)
        _install(root, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest
