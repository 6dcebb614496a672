"""Runs persist between sessions: saved runs and opened files come back at the next launch
with their names, colours, recipes and curves, and the active model; discarded runs do not;
a missing, changed or bad weights file and a garbled session file cost one status-bar line,
never the start."""
from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QMessageBox, QTreeWidget

from .conftest import answer_when_shown, visible_child
from .test_train import button, configure, rows, save_untrained, train


@pytest.fixture
def messages(monkeypatch):
    """The lines the session restore put in the status bar, in order."""
    from gui import session

    shown: list[str] = []
    real = session.restore

    def restore(state, keep_active=False, folder=None, report=None):
        def tee(text, ms):
            shown.append(text)
            report(text, ms)
        return real(state, keep_active, folder, tee)

    monkeypatch.setattr(session, "restore", restore)
    return shown


def session_lines(shown: list[str]) -> list[str]:
    return [m for m in shown if m.startswith("Last session")]


def open_window(qtbot, weights=None):
    from gui.app import MainWindow

    w = MainWindow(weights=weights)
    w.ask_before_quit = False
    qtbot.addWidget(w)
    w.tabs.setCurrentWidget(w.train_tab)     # its plots redraw only while they show
    w.show()
    qtbot.waitUntil(lambda: w.state.validation is not None and not w.is_busy(), timeout=20000)
    return w


def test_saved_run_comes_back_with_curves_recipe_and_active_discarded_does_not(
        qtbot, tmp_path, monkeypatch, session_folder, messages):
    from gui.train_plots import TrainPlots

    w = open_window(qtbot)
    shipped = w.state.active
    tab = w.train_tab
    configure(qtbot, tab, "deep", epochs=2, batch=64)
    kept = train(qtbot, w)
    configure(qtbot, tab, "shallow", epochs=1, batch=128)
    dropped = train(qtbot, w)
    assert kept.state == "finished" and dropped.network is not None
    # Rename the first run in the list, hide the second one's curves, use the first.
    tab.runs_list.items[kept.id].setText(0, "my deep run")
    tab.runs_list.select(kept)
    qtbot.mouseClick(button(w, "useRunButton"), Qt.LeftButton)
    assert w.state.active is kept
    # Save… from the runs list (the file dialog answered as a user would).
    target = tmp_path / "mine.npz"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(button(w, "saveRunButton"), Qt.LeftButton)
    assert target.is_file() and kept.path == target and not kept.unsaved
    before = {"row": next(r for r in rows(w) if r[0] == "my deep run"), "colour": kept.colour,
              "plotted": tab.plots.plotted(kept), "recipe": kept.recipe()}
    assert before["plotted"]["batch_loss"] > 0 and before["plotted"]["grad1"] > 0
    # Quit: the prompt about the unsaved run, answered Discard.
    w.ask_before_quit = True
    answers = answer_when_shown(lambda: visible_child(w, QMessageBox, "quitUnsavedDialog"),
                                lambda box: box.button(QMessageBox.Discard).click())
    w.close()
    assert not w.isVisible() and answers and dropped.name in answers[0]
    assert (session_folder / "session.json").is_file()

    # The next launch: the shipped weights, then the saved run, active again.
    messages.clear()
    w2 = open_window(qtbot)
    assert session_lines(messages) == []
    names = [r[0] for r in rows(w2)]
    assert names == [shipped.name, "my deep run"]                  # the discarded run is gone
    run = w2.state.runs.runs[1]
    assert w2.state.active is run and run.path == target
    row = rows(w2)[1]
    assert row[:3] == before["row"][:3]                              # name, recipe, best accuracy
    assert row[3] == "finished · in use"
    assert run.colour == before["colour"] and run.recipe() == before["recipe"]
    assert run.config is not None and run.config.batch_size == 64 and run.config.hidden == (20,)
    tab2 = w2.train_tab
    qtbot.waitUntil(lambda: tab2.plots.plotted(run) == before["plotted"], timeout=5000)   # the redraw timer
    assert isinstance(tab2.plots, TrainPlots)
    assert tab2.plots.curves[run.id]["epoch_loss"].opts["pen"].color().name().lower() == run.colour.lower()
    assert "mine.npz" in w2.model_label.text()
    # Compare works with it: its recipe in the table beside the shipped weights'.
    tree = w2.findChild(QTreeWidget, "runsList")
    tree.selectAll()
    qtbot.mouseClick(button(w2, "compareButton"), Qt.LeftButton)
    dialog = w2.findChild(QDialog, "compareDialog")
    table = dialog.table
    row_of = {table.item(i, 0).text(): i for i in range(table.rowCount())}
    assert table.item(row_of["Batch size"], 2).text() == "64"
    assert table.item(row_of["Epochs"], 2).text() == "2"
    assert "Differences" in dialog.findChild(QLabel, "compareSummary").text()
    dialog.close()
    # Saving it again elsewhere: the session follows the new file.
    moved = tab2.save_run_to(run, tmp_path / "moved.npz")
    w2.close()
    target.unlink()
    messages.clear()
    w3 = open_window(qtbot)
    assert session_lines(messages) == []
    assert [r.path for r in w3.state.runs.runs[1:]] == [moved]
    assert w3.state.active.path == moved
    w3.close()


def test_explicit_weights_stay_active_and_the_other_runs_come_back(qtbot, tmp_path, weights_path):
    w = open_window(qtbot)
    configure(qtbot, w.train_tab, "shallow", epochs=1, batch=128)
    train(qtbot, w)                                            # run 1, never saved
    run = train(qtbot, w)
    assert run.name == "run 2"
    w.train_tab.save_run_to(run, tmp_path / "shallow.npz")
    w.train_tab.use_run(run)
    w.close()
    weak = save_untrained(tmp_path)
    w2 = open_window(qtbot, weights=weak)
    assert w2.state.active.path == weak                        # what the command line asked for
    assert [r.path for r in w2.state.runs.runs] == [weak, tmp_path / "shallow.npz"]
    qtbot.waitUntil(lambda: w2.train_tab.plots.plotted(w2.state.runs.runs[1])["epoch_loss"] == 1, timeout=5000)
    # A new run is not named like the restored one.
    configure(qtbot, w2.train_tab, "shallow", epochs=1, batch=128)
    train(qtbot, w2)
    assert [r[0] for r in rows(w2)][1:] == ["run 2", "run 3"]
    w2.close()


# -- untrusted session folders ----------------------------------------------------------
def weights_file(path, seed=0):
    from model.network import Network
    from model.training import PRESETS
    from model.weights import save_weights

    net = Network(PRESETS["shallow"].spec, np.random.default_rng(seed))
    return save_weights(net, path, val_accuracy=0.5, preset="shallow", lr=1000.0)


def entry(weights, **changes):
    data = weights.read_bytes()
    e = {"name": weights.stem, "colour": "#009E73", "visible": True, "kind": "file", "state": "loaded",
         "path": str(weights), "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
         "config": None, "final_accuracy": 0.5, "best_accuracy": 0.5, "seconds": 0.0,
         "samples_count": 0, "layer_names": [], "message": ""}
    e.update(changes)
    return e


def write_session(folder, entries, active=None, **top):
    doc = {"format": "letterlab-session", "version": 1, "active": active, "runs": entries, **top}
    (folder / "session.json").write_text(json.dumps(doc))


def test_handwritten_session_restores_an_opened_file_with_its_curves(qtbot, tmp_path, session_folder, messages):
    """The format as documented in gui/session.py, written by hand, is read back."""
    good = weights_file(tmp_path / "opened.npz")
    np.savez(session_folder / "curves-0123456789abcdef-0.npz",
             val_accuracy=np.array([[1.0, 2.0], [40.0, 50.0]]))
    write_session(session_folder, [entry(good, curves="curves-0123456789abcdef-0.npz", visible=False)],
                  active=0)
    w = open_window(qtbot)
    run = w.state.runs.runs[-1]
    assert w.state.active is run and run.name == "opened" and not run.visible
    assert run.series["val_accuracy"].data()[1].tolist() == [40.0, 50.0]
    qtbot.waitUntil(lambda: w.train_tab.plots.plotted(run)["val_accuracy"] == 2, timeout=5000)
    assert session_lines(messages) == []
    w.close()


def test_missing_and_changed_weights_are_skipped_with_one_line(qtbot, tmp_path, session_folder, messages, capfd):
    gone = weights_file(tmp_path / "gone.npz")
    changed = weights_file(tmp_path / "changed.npz")
    fine = weights_file(tmp_path / "fine.npz", seed=3)
    entries = [entry(gone), entry(changed), entry(fine)]
    gone.unlink()
    weights_file(changed, seed=1)                               # overwritten since
    write_session(session_folder, entries, active=0)           # the active one is gone
    w = open_window(qtbot)
    assert [r.path for r in w.state.runs.runs[1:]] == [fine]
    assert "shipped" in w.state.active.name                    # the shipped default instead
    lines = session_lines(messages)
    assert len(lines) == 1
    assert "gone.npz is missing" in lines[0] and "changed.npz has changed" in lines[0]
    assert "model in use is default.npz (shipped)" in lines[0]
    assert "Traceback" not in capfd.readouterr().err
    w.close()


def garbled(kind, folder, tmp_path):
    """Write a broken session of ``kind`` into ``folder``; returns the text the line names."""
    good = weights_file(tmp_path / "good.npz")
    path = folder / "session.json"
    if kind == "not json":
        path.write_bytes(b"\x00\xff{{{ not json")
        return "not valid JSON"
    if kind == "nan":
        path.write_text(json.dumps({"format": "letterlab-session", "version": 1, "active": None,
                                    "runs": [entry(good, seconds=float("nan"))]}))
        return "not valid JSON (NaN is not a number)"
    if kind == "wrong types":
        write_session(folder, [entry(good, name=["x"]), entry(good, visible="yes"), 7,
                               entry(good, path="relative.npz"), entry(good, colour="red"),
                               entry(good, best_accuracy=3.0)], active="0")
        return "entry 6 ignored"
    if kind == "runs not a list":
        write_session(folder, {"a": 1})
        return "list of runs is missing"
    if kind == "million entries":
        path.write_text('{"format": "letterlab-session", "version": 1, "runs": [' + ",".join(["{}"] * 10**6) + "]}")
        return "1000000 runs"
    if kind == "deeply nested":
        path.write_text('{"format": "letterlab-session", "runs": ' + "[" * 100000 + "]" * 100000 + "}")
        return "nested too deeply"
    if kind == "fifo session":
        os.mkfifo(path)
        return "not a regular file"
    if kind == "fifo weights":
        fifo = tmp_path / "fifo.npz"
        os.mkfifo(fifo)
        write_session(folder, [entry(good, path=str(fifo))])
        return "fifo.npz cannot be read"
    if kind == "bad weights":
        bad = tmp_path / "bad.npz"
        bad.write_bytes(b"PK\x03\x04 not really a zip")
        write_session(folder, [entry(bad)])
        return "bad.npz cannot be read (corrupt"
    if kind == "huge curves":
        import zipfile

        header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1000000000000), }"
        npy = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
        with zipfile.ZipFile(folder / "curves-0123456789abcdef-0.npz", "w") as z:
            z.writestr("batch_loss.npy", npy)
        write_session(folder, [entry(good, curves="curves-0123456789abcdef-0.npz")])
        return "the curves of good are ignored"
    if kind == "nan curves":
        np.savez(folder / "curves-0123456789abcdef-0.npz", epoch_loss=np.array([[1.0, 2.0], [np.nan, 1.0]]))
        write_session(folder, [entry(good, curves="curves-0123456789abcdef-0.npz")])
        return "NaN"
    if kind == "pickled curves":
        np.savez(folder / "curves-0123456789abcdef-0.npz", epoch_loss=np.array([[object()]], dtype=object))
        write_session(folder, [entry(good, curves="curves-0123456789abcdef-0.npz")])
        return "pickled"
    if kind == "curves outside the folder":
        write_session(folder, [entry(good, curves="../curves-0123456789abcdef-0.npz")])
        return "entry 1 ignored"
    if kind == "bad recipe":
        write_session(folder, [entry(good, kind="run", state="finished",
                                     config={"hidden": [20], "lr": "fast", "loss": "quadratic"})])
        return "the recipe of good is ignored"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["not json", "nan", "wrong types", "runs not a list", "million entries",
                                  "deeply nested", "fifo session", "fifo weights", "bad weights", "huge curves",
                                  "nan curves", "pickled curves", "curves outside the folder", "bad recipe"])
def test_garbled_session_costs_one_line_never_the_start(kind, qtbot, tmp_path, session_folder, messages, capfd):
    expected = garbled(kind, session_folder, tmp_path)
    w = open_window(qtbot)
    lines = session_lines(messages)
    assert len(lines) == 1 and expected in lines[0], lines
    assert "shipped" in w.state.active.name
    assert "Traceback" not in capfd.readouterr().err
    restored = w.state.runs.runs[1:]
    if kind in ("huge curves", "nan curves", "pickled curves", "bad recipe"):
        assert [r.name for r in restored] == ["good"] and not restored[0].series and restored[0].config is None
    elif kind == "wrong types":
        assert [r.name for r in restored] == []
    else:
        assert restored == []
    # The app records a clean session over the broken one at quit.
    w.close()
    assert json.loads((session_folder / "session.json").read_text())["format"] == "letterlab-session"


def test_opened_files_come_back_the_shipped_default_once(qtbot, messages):
    from model.weights import DEFAULT_WEIGHTS, SHIPPED_DIR

    w = open_window(qtbot)
    assert w.load_weights_file(SHIPPED_DIR / "deep.npz")              # File → Open
    assert w.load_weights_file(DEFAULT_WEIGHTS)                       # the default again
    w.close()
    w2 = open_window(qtbot)
    assert [r.path.name for r in w2.state.runs.runs] == ["default.npz", "deep.npz"]
    assert w2.state.active is w2.state.runs.runs[0] and session_lines(messages) == []
    w2.close()
