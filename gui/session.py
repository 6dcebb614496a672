"""Runs persist between sessions.

At quit the window :func:`record` s the runs whose weights are on disk (saved runs, opened
files; the shipped default weights are loaded at every launch anyway), in list order, with their
name, colour, visibility, state, recipe, accuracies, duration, sample count and curves,
and which of them is the active model. At the next launch :func:`restore` brings them
back. Runs never saved are not recorded: the quit prompt offered to save them.

Where: ``$LETTERLAB_SESSION_DIR`` if set, else ``platformdirs.user_data_dir("letterlab") /
"session"``. What: ``session.json`` (the list) and one ``curves-TOKEN-N.npz`` per run
(each curve a float64 array of shape ``(2, n)``: x then y), all written atomically; curve
files of earlier sessions are removed once the new list is written.

Everything read back is untrusted: the list's size, types and values, the curve archives
(through :func:`model.data.read_npz`, never pickle) and the weights files (through
:func:`model.weights.load_weights`, after checking that the file is a regular one whose
SHA-256 is the one recorded). Whatever is wrong is skipped and summed up in one line;
restoring never raises.
"""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication

from model import LetterLabError
from model.data import DataError, atomic_write_bytes, open_regular, read_npz
from model.training import TrainConfig
from model.weights import DEFAULT_WEIGHTS, MAX_TOTAL_BYTES, load_weights

from .runs import DIVERGED, FAILED, FINISHED, LOADED, NOT_LEARNING, STOPPED, Run, Series
from .state import AppState
from .widgets import error_text

translate = QCoreApplication.translate

#: Environment variable naming the session folder itself (tests use a temporary one).
ENV_SESSION_DIR = "LETTERLAB_SESSION_DIR"
SESSION_FILE = "session.json"
FORMAT = "letterlab-session"
VERSION = 1
#: Limits far above a real session (a long run has ~10^5 points per curve).
MAX_SESSION_BYTES = 4 << 20
MAX_ENTRIES = 500
MAX_POINTS = 1 << 19
MAX_CURVES_BYTES = 32 << 20
MAX_LAYERS = 64
RECORDED_STATES = (FINISHED, STOPPED, DIVERGED, NOT_LEARNING, FAILED, LOADED)
_CURVE_KEY = re.compile(r"^(batch_loss|epoch_loss|val_accuracy|samples_accuracy|grad[0-9]{1,2})$")
_CURVES_FILE = re.compile(r"^curves-[0-9a-f]{16}-[0-9]{1,4}\.npz$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def session_dir() -> Path:
    """``$LETTERLAB_SESSION_DIR`` if set, else ``platformdirs.user_data_dir("letterlab")/session``."""
    env = os.environ.get(ENV_SESSION_DIR, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("letterlab")) / "session"


# -- recording ------------------------------------------------------------------------
def record(state: AppState, folder: str | os.PathLike | None = None) -> Path | None:
    """Write the session of ``state``'s runs into ``folder`` (default :func:`session_dir`);
    returns the list's path, or None if it could not be written (one line on stderr: the
    window is closing, nobody would see a dialog)."""
    folder = Path(folder) if folder is not None else session_dir()
    try:
        return _record(state, folder)
    except (OSError, LetterLabError, ValueError) as e:
        print(f"LetterLab: the session was not recorded in {folder}: {error_text(e)}", file=sys.stderr)
        return None


def _record(state: AppState, folder: Path) -> Path:
    token = secrets.token_hex(8)
    entries: list[dict] = []
    active = None
    for run in state.runs:
        entry = _entry(run)
        if entry is None:
            continue
        curves = {k: np.stack(s.data()).astype(np.float64) for k, s in run.series.items()
                  if _CURVE_KEY.match(k) and s.n}
        if curves:
            name = f"curves-{token}-{len(entries)}.npz"
            buf = io.BytesIO()
            np.savez(buf, **curves)
            atomic_write_bytes(folder / name, lambda f, b=buf: f.write(b.getvalue()))
            entry["curves"] = name
        if run is state.active:
            active = len(entries)
        entries.append(entry)
    doc = {"format": FORMAT, "version": VERSION, "active": active, "runs": entries}
    text = json.dumps(doc, allow_nan=False, indent=1)
    path = folder / SESSION_FILE
    atomic_write_bytes(path, lambda f: f.write(text.encode("utf-8")))
    keep = {e["curves"] for e in entries if "curves" in e}
    for p in folder.iterdir():
        if _CURVES_FILE.match(p.name) and p.name not in keep:
            try:
                p.unlink()
            except OSError:
                pass
    return path


def _entry(run: Run) -> dict | None:
    """What the session keeps of ``run``, or None if it has no weights on disk (never
    saved, the shipped file, or a file that no longer holds this run's weights)."""
    if run.network is None or run.path is None or not run.saved or run.state not in RECORDED_STATES:
        return None
    path = Path(run.path).absolute()
    if _same_file(path, DEFAULT_WEIGHTS):
        return None            # loaded at every launch anyway
    try:
        digest, size = _digest(path)
        net, _meta = load_weights(path)
    except (LetterLabError, OSError):
        return None
    mine, theirs = run.network.state_dict(), net.state_dict()
    if set(mine) != set(theirs) or not all(np.array_equal(mine[k], theirs[k]) for k in mine):
        return None            # overwritten since (by another save or program): not this run
    return {
        "name": run.name, "colour": run.colour, "visible": bool(run.visible), "kind": run.kind,
        "state": run.state, "path": str(path), "sha256": digest, "size": size,
        "config": None if run.config is None else run.config.to_dict(),
        "final_accuracy": _finite_or_none(run.final_accuracy),
        "best_accuracy": _finite_or_none(run.best_accuracy),
        "seconds": _finite_or_none(run.seconds) or 0.0, "samples_count": int(run.samples_count),
        "layer_names": [str(n) for n in run.layer_names], "message": run.message,
    }


def _same_file(a: Path, b: Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):
        return False


def _finite_or_none(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and math.isfinite(v) else None


def _digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a regular file (a FIFO or device is refused without blocking)."""
    h, size = hashlib.sha256(), 0
    with open_regular(path, "weights file", max_bytes=MAX_TOTAL_BYTES) as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
            if size > MAX_TOTAL_BYTES:     # a /proc file says 0 bytes, then never ends
                raise DataError(f"{path}: weights file is too large (the limit is {MAX_TOTAL_BYTES} bytes)")
    return h.hexdigest(), size


# -- restoring ------------------------------------------------------------------------
class _Malformed(Exception):
    """Part of the session file is not what :func:`record` writes."""


def restore(state: AppState, keep_active: bool = False, folder: str | os.PathLike | None = None,
            report: Callable[[str, int], None] | None = None) -> str | None:
    """Add the runs of the last session to ``state`` (after the start-up weights) and make
    the one that was active active again, unless ``keep_active`` (weights given on the
    command line stay active). Returns the one line saying what was skipped (also passed
    to ``report(text, ms)``, e.g. a status bar's ``showMessage``), or None. Never raises."""
    folder = Path(folder) if folder is not None else session_dir()
    try:
        problems = _restore(state, keep_active, folder)
    except Exception as e:  # noqa: BLE001 - the app must start whatever the session file holds
        import traceback

        traceback.print_exc()          # a bug of ours, not a bad file: worth a report
        problems = [translate("Session", "the session could not be restored ({error})").format(error=error_text(e)[:200])]
    if not problems:
        return None
    text = translate("Session", "Last session: {problems}").format(problems=translate("Session", "; ").join(problems))
    if report is not None:
        report(text, 30000)
    return text


def _restore(state: AppState, keep_active: bool, folder: Path) -> list[str]:
    try:
        doc = _read_list(folder / SESSION_FILE)
    except FileNotFoundError:
        return []                      # first launch, or nothing recorded yet
    except _Malformed as e:
        return [translate("Session", "{file} ignored: {error}").format(file=folder / SESSION_FILE, error=str(e))]
    startup = set()
    for run in state.runs:
        if run.path is not None:
            try:
                startup.add(Path(run.path).resolve())
            except (OSError, RuntimeError):
                pass
    problems: list[str] = []
    restored: dict[int, Run] = {}
    for i, entry in enumerate(doc["runs"]):
        try:
            run = _restore_entry(state, entry, folder, startup, problems)
        except _Malformed as e:
            problems.append(translate("Session", "entry {n} ignored: {error}").format(n=i + 1, error=str(e)))
            continue
        if run is not None:
            restored[i] = run
    active = doc["active"]
    if active is not None and not keep_active:
        run = restored.get(active)
        if run is not None:
            state.use(run)
        elif state.active is not None:
            problems.append(translate("Session", "the model in use is {name} instead").format(name=state.active.name))
    return problems


def _read_list(path: Path) -> dict:
    """The session list, checked for shape (not for the runs' contents); raises
    FileNotFoundError or :class:`_Malformed`."""
    try:
        f = open_regular(path, "session file", max_bytes=MAX_SESSION_BYTES)
    except DataError as e:
        if isinstance(e.__cause__, FileNotFoundError):
            raise FileNotFoundError(path) from None
        raise _Malformed(_about(path, str(e))) from None
    with f:
        raw = f.read(MAX_SESSION_BYTES + 1)
    try:
        doc = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except RecursionError:
        raise _Malformed(translate("Session", "nested too deeply")) from None
    except (ValueError, UnicodeDecodeError) as e:
        raise _Malformed(translate("Session", "not valid JSON ({error})").format(error=str(e)[:100])) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _Malformed(translate("Session", "not a LetterLab session file"))
    if doc.get("version") != VERSION or isinstance(doc.get("version"), bool):
        raise _Malformed(translate("Session", "unknown session format version {version}").format(version=str(doc.get("version"))[:20]))
    runs, active = doc.get("runs"), doc.get("active")
    if not isinstance(runs, list):
        raise _Malformed(translate("Session", "the list of runs is missing"))
    if len(runs) > MAX_ENTRIES:
        raise _Malformed(translate("Session", "{n} runs, more than the {limit} LetterLab keeps").format(n=len(runs), limit=MAX_ENTRIES))
    if active is not None and (type(active) is not int or not 0 <= active < len(runs)):
        active = None
    return {"runs": runs, "active": active}


def _about(path: Path, text: str) -> str:
    """An error message without the ``PATH: `` it starts with (the line names the file)."""
    prefix = f"{path}: "
    return text[len(prefix):] if text.startswith(prefix) else text


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number")


def _field(entry: dict, key: str, ok: Callable[[object], bool], default=..., limit: int = 60):
    v = entry.get(key, default)
    if v is ... or not ok(v):
        raise _Malformed(translate("Session", "bad {field} {value}").format(field=key, value=repr(v)[:limit]))
    return v


def _is_text(n: int) -> Callable[[object], bool]:
    return lambda v: isinstance(v, str) and len(v) <= n and "\0" not in v


def _is_number(lo: float, hi: float, none: bool = False) -> Callable[[object], bool]:
    return lambda v: (v is None and none) or (
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and lo <= v <= hi)


def _restore_entry(state: AppState, entry, folder: Path, startup: set[Path], problems: list[str]) -> Run | None:
    """Add one recorded run; a problem with its weights file is added to ``problems`` (and
    None returned), a malformed entry raises :class:`_Malformed`."""
    if not isinstance(entry, dict):
        raise _Malformed(translate("Session", "not a JSON object"))
    name = _field(entry, "name", lambda v: _is_text(200)(v) and v.strip() != "")
    path_text = _field(entry, "path", lambda v: _is_text(4096)(v) and Path(v).is_absolute())
    kind = _field(entry, "kind", lambda v: v in ("run", "file"))
    run_state = _field(entry, "state", lambda v: v in RECORDED_STATES)
    colour = _field(entry, "colour", lambda v: isinstance(v, str) and _COLOUR.match(v) is not None)
    visible = _field(entry, "visible", lambda v: isinstance(v, bool), True)
    digest = _field(entry, "sha256", lambda v: isinstance(v, str) and _SHA256.match(v) is not None)
    final = _field(entry, "final_accuracy", _is_number(0, 1, none=True), None)
    best = _field(entry, "best_accuracy", _is_number(0, 1, none=True), None)
    seconds = _field(entry, "seconds", _is_number(0, 1e9), 0.0)
    samples = _field(entry, "samples_count", lambda v: type(v) is int and 0 <= v <= 10**9, 0)
    message = _field(entry, "message", _is_text(2000), "")
    layer_names = _field(entry, "layer_names", lambda v: isinstance(v, list) and len(v) <= MAX_LAYERS
                         and all(_is_text(100)(n) for n in v), [])
    curves_name = _field(entry, "curves", lambda v: v is None or (isinstance(v, str) and _CURVES_FILE.match(v)
                                                                  is not None), None)
    path = Path(path_text)
    try:
        if path.resolve() in startup:
            return None                # already listed (the weights this launch started with)
    except (OSError, RuntimeError):
        pass
    try:
        exists = path.exists()
    except OSError:                    # a name too long, a folder we may not enter
        exists = True                  # reading it below says what is wrong
    if not exists:
        problems.append(translate("Session", "{file} is missing").format(file=path.name))
        return None
    try:
        if _digest(path)[0] != digest:
            problems.append(translate("Session", "{file} has changed since it was saved").format(file=path.name))
            return None
        network, meta = load_weights(path)
    except (LetterLabError, OSError) as e:
        problems.append(translate("Session", "{file} cannot be read ({error})").format(
            file=path.name, error=_about(path, error_text(e))[:200]))
        return None
    config = None
    if kind == "run" and entry.get("config") is not None:
        try:
            config = TrainConfig.from_dict(entry["config"])
            if config.spec.to_dict() != network.spec.to_dict():
                raise LetterLabError("the recipe's network is not the file's")
        except LetterLabError as e:
            problems.append(translate("Session", "the recipe of {run} is ignored ({error})").format(run=name, error=error_text(e)[:100]))
            config = None
    series: dict[str, Series] = {}
    if curves_name is not None:
        try:
            series = _read_curves(folder / curves_name)
        except _Malformed as e:
            problems.append(translate("Session", "the curves of {run} are ignored ({error})").format(run=name, error=str(e)))
    n_layers = 0
    while f"grad{n_layers}" in series:
        n_layers += 1
    return state.runs.add_restored(
        colour=colour, name=name, kind=kind, state=run_state, config=config, network=network,
        metadata=dict(meta), path=path, saved=True, visible=visible, message=message,
        seconds=float(seconds), final_accuracy=None if final is None else float(final),
        best_accuracy=None if best is None else float(best), n_layers=n_layers,
        layer_names=list(layer_names), samples_count=samples, series=series)


def _accept_curve(name: str, dtype: np.dtype, shape: tuple) -> str | None:
    if not _CURVE_KEY.match(name):
        return "not a curve"
    if dtype.name not in ("float32", "float64"):
        return f"has dtype {dtype}, expected float32 or float64"
    if len(shape) != 2 or shape[0] != 2 or shape[1] > MAX_POINTS:
        return f"has shape {shape}, expected (2, n) with n at most {MAX_POINTS}"
    return None


def _read_curves(path: Path) -> dict[str, Series]:
    try:
        with open_regular(path, "curves file", max_bytes=MAX_CURVES_BYTES) as f:
            arrays = read_npz(f, _accept_curve, max_members=8 + MAX_LAYERS,
                              max_elements=2 * MAX_POINTS, max_total_bytes=MAX_CURVES_BYTES)
    except DataError as e:
        raise _Malformed(_about(path, str(e))[:200]) from None
    out = {}
    for key, a in arrays.items():
        if not np.all(np.isfinite(a)):
            raise _Malformed(translate("Session", "{curve} holds NaN or infinite values").format(curve=key))
        s = Series(max(1, a.shape[1]))
        s.extend(a[0], a[1])
        out[key] = s
    return out
