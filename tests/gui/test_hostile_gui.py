"""Hostile input on the app's own surfaces: the session folder (gui.session), the Data
menu's import and generate (gui.data_set, gui.jobs.data_job, model.synth), and the
Mistakes tab's "List file…". Each case costs one message, never a hang, a traceback, a
write outside the target folder or a deleted user file. (The archive members themselves
are model/data.py's: tests/test_hostile.py.)"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from model import synth

SMALL = 26 * 20


def weights_file(path: Path, seed: int = 0) -> Path:
    from model.network import Network
    from model.training import PRESETS
    from model.weights import save_weights

    return save_weights(Network(PRESETS["shallow"].spec, np.random.default_rng(seed)), path, val_accuracy=0.5)


def entry(weights: Path, **changes) -> dict:
    data = Path(weights).read_bytes() if Path(weights).is_file() else b""
    e = {"name": "x", "colour": "#009E73", "visible": True, "kind": "file", "state": "loaded",
         "path": str(weights), "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    e.update(changes)
    return e


def write_session(folder: Path, entries: list) -> None:
    (folder / "session.json").write_text(json.dumps(
        {"format": "letterlab-session", "version": 1, "active": None, "runs": entries}))


def restore(folder: Path):
    """What the window does at start: one line (or None), the runs added."""
    from gui import session
    from gui.state import AppState

    state = AppState()
    return session.restore(state, folder=folder), state


# -- the session folder -----------------------------------------------------------------
@pytest.mark.parametrize("kind", ["name too long", "proc file", "folder"])
def test_session_weights_path_that_is_no_weights_file(kind, tmp_path, session_folder, capfd):
    """Before: a name too long raised out of Path.exists (a traceback, the whole session
    lost); /proc/self/pagemap (0 bytes by stat, ~256 GB by read) hung the start."""
    good = weights_file(tmp_path / "good.npz")
    path = {"name too long": str(tmp_path / ("a" * 300 + ".npz")), "proc file": "/proc/self/pagemap",
            "folder": str(tmp_path)}[kind]
    write_session(session_folder, [entry(good, path=path), entry(good, name="good")])
    line, state = restore(session_folder)
    assert [r.name for r in state.runs.runs] == ["good"]      # the other entry still comes back
    assert line is not None and "cannot be read" in line, line
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("target", ["/dev/zero", "huge"])
def test_session_file_linked_to_a_device_or_huge_file(target, tmp_path, session_folder):
    if target == "huge":
        target = tmp_path / "huge"
        with open(target, "wb") as f:
            f.truncate(1 << 30)                                 # sparse: no disk used
    (session_folder / "session.json").symlink_to(target)
    line, state = restore(session_folder)
    assert line is not None and "session.json ignored" in line
    assert ("not a regular file" if target == "/dev/zero" else "too large") in line
    assert len(state.runs) == 0


def test_curves_linked_out_of_the_folder_are_never_written_through(tmp_path, session_folder):
    """A curves file that is a link elsewhere is read as any untrusted archive; at the next
    record the link is removed, its target untouched."""
    good = weights_file(tmp_path / "good.npz")
    outside = tmp_path / "mine.npz"
    np.savez(outside, epoch_loss=np.array([[1.0, 2.0], [3.0, 4.0]]))
    before = outside.read_bytes()
    name = "curves-0123456789abcdef-0.npz"
    (session_folder / name).symlink_to(outside)
    write_session(session_folder, [entry(good, name="good", curves=name)])
    from gui import session

    line, state = restore(session_folder)
    assert line is None and state.runs.runs[0].series["epoch_loss"].n == 2
    assert session.record(state, session_folder) is not None
    assert outside.read_bytes() == before
    assert not (session_folder / name).is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.npz", "mine.npz"]


def test_session_folder_that_is_a_file_or_a_link(qtbot, tmp_path, monkeypatch, weights_path, capfd):
    """A file where the folder belongs: the start says it in one line, the window closes,
    nothing is written; a link to a folder is followed (it is the user's own choice)."""
    from gui.app import MainWindow

    plain = tmp_path / "session"
    plain.write_text("not a folder")
    monkeypatch.setenv("LETTERLAB_SESSION_DIR", str(plain))
    w = MainWindow(weights=weights_path)
    w.ask_before_quit = False
    qtbot.addWidget(w)
    assert w.load_weights_file(weights_file(tmp_path / "opened.npz"))
    assert w.close()
    assert plain.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["opened.npz", "session"]
    err = capfd.readouterr().err
    assert "the session was not recorded" in err and "Traceback" not in err

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "link"
    link.symlink_to(elsewhere)
    from gui import session

    line, state = restore(link)
    assert line is None
    state.runs.add_restored(colour="#009E73", name="opened", kind="file", state="loaded",
                            config=None, network=w.state.runs.runs[-1].network, metadata={},
                            path=tmp_path / "opened.npz", saved=True, visible=True, message="",
                            seconds=0.0, final_accuracy=None, best_accuracy=None, n_layers=0,
                            layer_names=[], samples_count=0, series={})
    assert session.record(state, link) == link / "session.json"
    assert (elsewhere / "session.json").is_file() and link.is_symlink()


# -- the Data menu ------------------------------------------------------------------------
@pytest.fixture
def own_window(qtbot, tmp_path, monkeypatch, weights_path):
    """A window on a small data set it generated (the one the Data menu may replace);
    data-set warnings are collected instead of shown modally."""
    from gui import data_set
    from gui.app import MainWindow

    root = tmp_path / "data" / "letters"
    synth.generate(root, seed=1, count=SMALL)
    monkeypatch.setenv("LETTERLAB_DATA_DIR", str(root))
    monkeypatch.setattr(synth, "DEFAULT_COUNT", SMALL)
    warnings: list[str] = []
    monkeypatch.setattr(data_set.QMessageBox, "warning", lambda parent, title, text, *a: warnings.append(text))
    w = MainWindow(weights=weights_path)
    w.ask_before_quit = False
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=30000)
    w.warnings = warnings
    yield w
    w.close()


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def import_source(kind: str, root: Path, tmp_path: Path) -> tuple[Path, str]:
    """A hostile import source of ``kind``; returns it and the text the warning names."""
    if kind == "fifo":
        p = tmp_path / "data.tar.gz"
        os.mkfifo(p)
        return p, "not a regular file"
    if kind == "proc file":
        return Path("/proc/self/pagemap"), "empty file"      # before: endless, not even cancellable
    if kind == "active folder":
        return root, "already the active data set"
    if kind == "link to the active folder":
        p = tmp_path / "link"
        p.symlink_to(root)
        return p, "already the active data set"
    if kind == "folder inside the active one":
        return root / "pic", "inside the active data set"
    if kind == "folder holding the active one":
        return root.parent, "holds the active data set"
    if kind == "folder with a link out":
        p = tmp_path / "src"
        (p / "pic").mkdir(parents=True)
        for s in ("train", "validate", "test"):
            (p / f"{s}.txt").write_text("pic/a.png 0\n")
        (p / "pic" / "a.png").symlink_to("/etc/passwd")
        return p, "symbolic link"
    if kind == "archive with ../":
        p = tmp_path / "evil.tar"
        with tarfile.open(p, "w") as tf:
            info = tarfile.TarInfo("../../escaped.txt")
            info.size = 3
            tf.addfile(info, io.BytesIO(b"bad"))
        return p, "'..' in the name"
    raise AssertionError(kind)


IMPORT_KINDS = ["fifo", "proc file", "active folder", "link to the active folder", "folder inside the active one",
                "folder holding the active one", "folder with a link out", "archive with ../"]


def test_hostile_imports_cost_one_warning_and_change_nothing(own_window, qtbot, tmp_path, capfd):
    from gui.jobs import DataRequest

    w = own_window
    root = synth.default_data_dir()
    before, signature = files_of(root), synth.dataset_signature(root)
    for kind in IMPORT_KINDS:
        source, expected = import_source(kind, root, tmp_path)
        w.warnings.clear()
        assert w.data.start(DataRequest("import", source=source)), kind
        qtbot.waitUntil(lambda: not w.is_busy(), timeout=20000)
        assert len(w.warnings) == 1 and expected in w.warnings[0], (kind, w.warnings)
        assert ".letters.import-" not in w.warnings[0]                  # never our temp folder
        assert files_of(root) == before and synth.dataset_signature(root) == signature, kind
        assert w.state.validation is not None and w.data.check_on_disk()
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path.parent / "escaped.txt").exists()
    assert [p.name for p in root.parent.iterdir()] == ["letters"]     # no build folder left
    assert "Traceback" not in capfd.readouterr().err


def test_generate_into_a_folder_of_user_files_is_refused(own_window, qtbot, tmp_path, monkeypatch):
    from gui.jobs import DataRequest

    w = own_window
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work")
    monkeypatch.setenv("LETTERLAB_DATA_DIR", str(mine))
    assert w.data.start(DataRequest("generate", seed=3, count=SMALL))
    qtbot.waitUntil(lambda: not w.is_busy(), timeout=20000)
    assert len(w.warnings) == 1 and "would delete its files" in w.warnings[0]
    assert [p.name for p in mine.iterdir()] == ["thesis.txt"]
    assert (mine / "thesis.txt").read_text() == "years of work"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".mine")] == []


def test_data_folder_deleted_while_running_then_reloaded(own_window, qtbot):
    import shutil

    from PySide6.QtWidgets import QLabel, QPushButton

    w = own_window
    root = synth.default_data_dir()
    shutil.rmtree(root)
    assert not w.data.check_on_disk()
    label = w.findChild(QLabel, "dataChangedLabel")
    assert label.isVisible() and "removed" in label.text()
    assert not w.train_tab.start_button.isEnabled()
    w.findChild(QPushButton, "dataReload").click()
    qtbot.waitUntil(lambda: not w.is_busy(), timeout=30000)
    assert synth.is_complete(root) and w.warnings == []
    assert w.data.check_on_disk() and not label.isVisible()
    assert w.train_tab.start_button.isEnabled()


# -- the Mistakes tab's list file ---------------------------------------------------------
def test_hostile_list_files_show_one_error_each(window, qtbot, tmp_path, capfd):
    mt = window.mistakes_tab
    window.tabs.setCurrentWidget(mt)
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    sparse = tmp_path / "huge.txt"
    with open(sparse, "wb") as f:
        f.truncate(1 << 30)
    outside = tmp_path / "outside.txt"
    outside.write_text("/etc/passwd 0\n")
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    for path in (fifo, "/dev/zero", link, sparse, outside):
        mt.study_list(path)
        qtbot.waitUntil(lambda: not mt.is_busy(), timeout=20000)
        boxes = [b for b in window.findChildren(QMessageBox, "errorDialog") if b.isVisible()]
        assert len(boxes) == 1, path
        assert mt.study_data() is window.state.validation
        boxes[0].close()
        qtbot.waitUntil(lambda: not any(b.isVisible() for b in window.findChildren(QWidget, "errorDialog")),
                        timeout=5000)
    assert "Traceback" not in capfd.readouterr().err
